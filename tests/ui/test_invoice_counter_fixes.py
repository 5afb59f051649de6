"""Two counter fixes on the Sales Invoice (issue 16 follow-ups):

- Agent commission? follows the sales person: Yes while one is on the invoice (the walk-in's
  default SP01 too), No when the field is emptied, until the cashier picks it — then it stays.
- An order turned into an invoice shows its copied prices the way a typed price is shown, in the
  reader's language: 1,500.50 in English, 1 500,50 in French (U+00A0 as the group mark).

Figures: SO for C0001, 1 AMOX250 at 1500.50 (typed); the 1000+ discount slab takes 8 % = 120.04,
VAT 16 % of 1,380.46 = 220.87 → net 1,601.33 USD.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shopterm.app import ShoptermApp
from shopterm.core import i18n
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.widgets.item_grid import ItemGrid
from tests.store.conftest import DAY, _copy_services, _template, actor, open_day
from tests.ui.test_sales_invoice import figures, line, start, to_client
from tests.ui.waiting import wait_until

SIZE = (80, 24)


@pytest.fixture
def shop(tmp_path_factory, tmp_path):
    svc = _copy_services(_template(tmp_path_factory), tmp_path)
    open_day(svc)
    yield svc
    svc.db.dispose()


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.set_language("en")


async def test_agent_commission_follows_the_sales_person_until_the_cashier_picks_it(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        agent = screen.query_one("#field-agent-commission")
        sp = screen.query_one("#field-sales-person")
        assert (sp.value, agent.value) == ("", "no")  # this cashier has no sales person of their own
        await to_client(pilot, screen)
        await pilot.press("tab", "tab", "tab", "tab", "tab")  # contact, SO/PF, currency, rate, sales person
        assert screen.focused is sp
        await pilot.press(*"SP01")
        await wait_until(pilot, lambda: agent.value == "yes")
        # emptied: No; typed again: Yes
        await pilot.press(*["backspace"] * 4)
        await wait_until(pilot, lambda: agent.value == "no")
        await pilot.press(*"SP02")
        await wait_until(pilot, lambda: agent.value == "yes")
        # the cashier picks No: it stays, whatever the sales person
        await pilot.press("enter", "enter")  # Additional % → Agent commission
        assert screen.focused is agent
        await pilot.press("space")
        assert agent.value == "no"
        sp.value = "SP01"
        await pilot.pause()
        assert agent.value == "no"
        await pilot.press("enter", "enter", "enter")  # free, $print → grid
        await line(pilot, screen, 1, "BAND01", *"2", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "2.50")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.last_post is not None)
        assert shop.sales.document(screen.last_post.number).agent_commission is False
        # a new invoice follows its sales person again
        if app.screen is not screen:  # a cash sale opened tendering: Esc back to the posted invoice
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is screen)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen.view is None and agent.value == "no")
        sp.value = "SP03"
        await wait_until(pilot, lambda: agent.value == "yes")


@pytest.mark.parametrize("lang, shown, net", [("en", "1,500.50", "1,601.33"), ("fr", "1\u00a0500,50", "1\u00a0601,33")])
async def test_an_order_copied_into_an_invoice_shows_its_prices_in_the_readers_language(shop, lang, shown, net):
    cashier = actor(shop, "cashier")
    order = shop.orders.confirm(cashier, DocumentDraft(location="AXP", doc_type="SO", date=DAY, customer="C0001",
                                                       lines=[DraftLine("AMOX250", "A001", "1", "1500.50")])).number
    i18n.set_language(lang)
    app = ShoptermApp(shop, actor=cashier)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await to_client(pilot, screen)
        await pilot.press(*"C0001", "tab", "tab")
        assert screen.focused.id == "field-order"
        await pilot.press(*order, "tab")
        grid = screen.query_one(ItemGrid)
        await wait_until(pilot, lambda: grid.lines[0].item == "AMOX250" and grid.lines[0].defaults is not None)
        assert (grid.cell(1, "qty").value, grid.cell(1, "price").value) == ("1", shown)
        await wait_until(pilot, lambda: figures(screen)["net"] == net)
    assert shop.sales.document(order).totals.net == D("1601.33")
