"""Customer details (F5 from the customer list) in French at 80×24: tabs, column heads, dates,
payment status and the summary's labels read French, and no label runs into its value.

Figures: the DESIGN §4 invoice to C0001 is 54.86 USD, unpaid (tests/ui/test_masters_schemes.py)."""

from __future__ import annotations

from shopterm.core import i18n
from tests.ui.test_french_polish import french
from tests.ui.test_masters_customers import app_for, shop
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
