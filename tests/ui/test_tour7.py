"""Pilot tests of what a terminal tour of the counter and the manager's screens found wrong
(seventh session), each at 80×24 with the keys a cashier or a manager presses.

Figures by hand are in each test's docstring.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopterm.app import ShoptermApp
from shopterm.screens.sales_invoice import SalesInvoiceScreen
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.widgets.item_grid import ItemGrid
from shopterm.widgets.lookup import LookupDialog
from tests.store import conftest as store
from tests.ui.test_day_screens import count_cash, shop, sold  # noqa: F401 (fixtures)
from tests.ui.test_orders_screens import open_screen
from tests.ui.test_returns_screens import return_of
from tests.ui.waiting import wait_for


async def test_the_close_voucher_reads_posted_once_the_day_is_closed(sold):
    """Counted 45 USD of 50.00: the close posts 5.00 to 6900 against 1100. Before Ctrl+S its
    voucher tab says it is to be posted; after, the same rows say they are posted."""
    app = ShoptermApp(sold, actor=store.actor(sold, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await count_cash(pilot, app, "45", "13900", ("5.00", "0.00"))
        await pilot.press("f9")
        voucher = lambda: screen.query_one("#voucher-text").render().plain  # noqa: E731
        await wait_for(pilot, lambda: "6900" in voucher(), "the voucher")
        assert voucher().endswith("(to be posted on Ctrl+S)")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "closed")
        await wait_for(pilot, lambda: voucher().endswith("(posted)"), lambda: f"voucher note: {voucher()!r}")
        assert "6900" in voucher() and "5.00" in voucher()


@pytest.fixture
def open_shop(tmp_path_factory, tmp_path):
    """The demo-like shop with its day open (a bare day row)."""
    svc = store._copy_services(store._template(tmp_path_factory), tmp_path)
    store.open_day(svc)
    yield svc
    svc.db.dispose()


async def test_f2_on_so_pf_at_the_counter_lists_every_clients_order_and_takes_its_client(open_shop):
    """A client comes for his order: the new invoice still shows the walk-in customer (CASH), and
    F2 on SO/PF No lists the orders of every client; picking C0001's 10 PARA500 makes C0001 the
    client and copies the line."""
    cashier = store.actor(open_shop, "cashier")
    number = open_shop.orders.confirm(cashier, DocumentDraft(
        doc_type="SO", customer="C0001", lines=[DraftLine(item="PARA500", qty="10")])).number
    app = ShoptermApp(open_shop, actor=cashier)
    async with app.run_test(size=(80, 24)) as pilot:
        inv = await open_screen(pilot, app, SalesInvoiceScreen, lambda s: s.context is not None)
        await wait_for(pilot, lambda: inv.customer is not None and inv.customer.code == "CASH", "the walk-in")
        inv.query_one("#field-order").focus()
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, LookupDialog) and app.screen.rows, "open orders")
        assert [r.code for r in app.screen.rows] == [number]
        await pilot.press("enter")
        grid = inv.query_one(ItemGrid)
        await wait_for(pilot, lambda: grid.lines and grid.lines[0].item == "PARA500", "the order's line")
        await wait_for(pilot, lambda: inv.customer is not None and inv.customer.code == "C0001", "the order's client")
        assert inv.query_one("#field-order").value == number
        assert grid.cell(1, "qty").value == "10"


async def test_a_return_of_a_franc_invoice_shows_each_lines_price_in_dollars(open_shop):
    """C0002 (wholesale) bought 80 PARA500 on a CDF invoice at 2850: 2.20 USD = 6,270.00 CDF a box.
    On the Sales Return the line's price is the invoice's 6,270.00 and the detail strip's 'Price $'
    says 2.20 (it said 6,270.00: the grid read the line's defaults in USD)."""
    number = open_shop.sales.post_invoice(store.actor(open_shop, "cashier"), DocumentDraft(
        customer="C0002", sales_type="credit", currency="CDF", rate="2850",
        lines=[DraftLine(item="PARA500", qty="80")])).number
    app = ShoptermApp(open_shop, actor=store.actor(open_shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        sr = await return_of(pilot, app, number, "enter", "3")
        grid = sr.query_one(ItemGrid)
        await wait_for(pilot, lambda: grid.cell(1, "qty").value == "3" and grid.lines[0].defaults is not None,
                       "the line")
        assert grid.lines[0].values["price"] == Decimal("6270.00")
        await wait_for(pilot, lambda: grid.detail_text()[1].startswith("Price $ 2.20 · Gross 18,810.00"),
                       lambda: f"detail: {grid.detail_text()!r}")
