"""Issue 11's last points, keys only at 80×24: Enter in Qty ends the line on every item grid,
reports open on their first filter, a refused price keeps the price cell, an item cell takes
only an exact code, the item master opens a typed code, an unknown sales person is named.

The shop is the service tests' shop (tests/store/conftest.py), AXP day 2026-11-23 open:
C0001 Kinshasa Pharma buys at wholesale prices (PARA500 2.20, BAND01 1.10); the cash
customer at retail (PARA500 2.50, cost 1.60).
"""

from __future__ import annotations

import pytest

from shopterm.app import ShoptermApp
from shopterm.screens.direct_return import DirectReturnScreen
from shopterm.screens.provisional_invoice import ProvisionalInvoiceScreen
from shopterm.screens.sales_order import SalesOrderScreen
from shopterm.widgets.approval import ApprovalDialog
from shopterm.widgets.item_grid import ItemGrid
from tests.store.conftest import actor
from tests.ui.test_orders_screens import bar, open_screen, shop  # noqa: F401
from tests.ui.test_sales_invoice import figures, header_cash_sp01, line, start
from tests.ui.waiting import wait_until

SIZE = (80, 24)


# ---------------------------------------------------------------- Enter in Qty ends the line


@pytest.mark.parametrize("screen_cls", [SalesOrderScreen, ProvisionalInvoiceScreen, DirectReturnScreen],
                         ids=["sales_order", "provisional_invoice", "direct_return"])
async def test_enter_in_qty_goes_to_the_next_rows_item_on_every_item_grid(shop, screen_cls):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, app, screen_cls, lambda s: s.is_mounted)
        grid = screen.query_one(ItemGrid)
        grid.focus_cell(1, "item")
        await wait_until(pilot, lambda: screen.focused is grid.cell(1, "item"))
        await pilot.press(*"PARA500", "enter")
        await wait_until(pilot, lambda: screen.focused is grid.cell(1, "qty"))
        await pilot.press(*"3", "enter")
        await wait_until(pilot, lambda: len(grid.rows) == 2 and screen.focused is grid.cell(2, "item"))
        assert grid.cell(1, "qty").value == "3"
        assert grid.lines[0].item == "PARA500"


# ---------------------------------------------------------------- a refused price


async def test_a_refused_price_keeps_the_focus_on_the_price_cell(shop):
    """PARA500 × 2 at 1.50 < cost 1.60: Ctrl+S asks a manager; Esc refuses. The message names the
    line and the focus is on line 1's Price (not Disc %), so the price typed next replaces it."""
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        grid = screen.query_one(ItemGrid)
        await line(pilot, screen, 1, "PARA500", *"2", "tab", *"1.50", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "3.48")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalDialog))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen and bar(screen).kind == "error")
        await pilot.pause()
        assert bar(screen).text.startswith("Line 1: PARA500 at 1.50 USD is below its cost 1.60 USD")
        assert screen.focused is grid.cell(1, "price"), screen.focused
