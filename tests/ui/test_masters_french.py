"""The masters in French at 80×24. Customer details (F5 from the customer list): tabs, column heads, dates,
payment status and the summary's labels read French, and no label runs into its value.

Figures: the DESIGN §4 invoice to C0001 is 54.86 USD, unpaid (tests/ui/test_masters_schemes.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from shopterm.core import i18n
from tests.ui.test_french_polish import french
from tests.ui.test_masters_customers import app_for, open_master, shop, wait_for
from tests.ui.test_masters_schemes import open_customer_details, post_invoice_to_c0001

__all__ = ["french", "shop"]


async def test_customer_details_read_french(shop, french):
    number = post_invoice_to_c0001(shop)
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        details = await open_customer_details(pilot, app)
        summary = str(details.query_one("#details-summary").render())
        assert "Total des achats 54,86 USD" in summary, summary
        tabs = str(details.query_one("#details-tabs").render())
        assert tabs.split() == ["[1", "Achats]", "2", "Paiements", "3", "Fidélité", "4", "Informations"], tabs
        head = str(details.query_one("#details-header").render())
        assert head.split() == ["Numéro", "Date", "Montant", "USD", "Statut"], head
        [option] = details.query_one("#details-purchases").options
        line = str(option.prompt)
        row = details.details.purchases[0]
        assert line.split() == [number, i18n.format_date(row.date), "54,86", "USD", "54,86", "non", "payée"], line
        await pilot.press("2")
        head = str(details.query_one("#details-header").render())
        assert head.split() == ["Numéro", "Date", "Montant", "USD", "Mode"], head
        await pilot.press("3")
        head = str(details.query_one("#details-header").render())
        assert head.split()[:3] == ["Date", "Nature", "Points"], head


async def test_a_master_date_reads_and_takes_the_french_form(shop, french):
    """A master's date field shows 23/11/2026 in French and saves what a French reader types (24/11/2026):
    the services get ISO, not the typed text they would refuse ("is not a date (YYYY-MM-DD)")."""
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "exchange_rate")
        assert screen.widget("date").value == "23/11/2026"
        await pilot.press(*"24/11/2026", "enter", *"2900,5")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, f"saved {screen.message_bar.text}")
    assert shop.setup.rate_on(dt.date(2026, 11, 24)) == D("2900.5")
    assert shop.setup.rate_on(dt.date(2026, 11, 23)) == D("2850")



async def test_a_new_promotion_notes_its_number_and_account_in_french(shop, french):
    """The notes of fields a save fills ("(given on save)", "(the reason's)") read French."""
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "promotion")
        assert str(screen.widget("scheme_no").render()) == "(donné à l’enreg.)"
        assert str(screen.widget("expense_account").render()) == "(celui du motif)"


def test_every_master_grid_title_fits_80_columns_in_both_languages():
    """A grid's title line (label and hint) is one line of an 80-column screen (78 inside its padding):
    the loyalty card's hint ran past the edge in English and French."""
    from shopterm.screens import registry
    from shopterm.screens.masters.base import MasterScreen

    registry.discover()

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    too_long = []
    for lang in ("en", "fr"):
        with i18n.use(lang):
            for screen in set(subclasses(MasterScreen)):
                for grid in getattr(screen, "GRIDS", ()) or ():
                    title = i18n._(grid.label) + (f"  ({i18n._(grid.hint)})" if grid.hint else "")
                    if len(title) > 78:
                        too_long.append((lang, screen.__name__, title))
    assert too_long == []
