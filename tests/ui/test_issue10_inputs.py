"""Issue 10 (helper A's part) on the screens, keys only (Pilot, 80×24).

The shop: tests/store/conftest.py's demo-like shop, AXP day 2026-11-23 open,
system rate 2850; PARA500 retail 2.50 USD, cost 1.60, tax 16 %, unit BOX.
"""

from __future__ import annotations

from decimal import Decimal as D

from shopterm.app import ShoptermApp
from shopterm.widgets.item_grid import ItemGrid
from shopterm.widgets.messages import MessageBar
from tests.store.conftest import actor
from tests.ui.test_sales_invoice import SIZE, figures, header_cash_sp01, line, shop, start, wait_until  # noqa: F401


async def test_a_price_typed_with_a_comma_is_two_and_a_half(shop):
    """PARA500 × 2 at a price typed "2,40": gross 4.80, tax 16 % = 0.768 → 0.77, net 5.57.
    Main read "2,40" as 240: gross 480.00, net 556.80."""
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        await line(pilot, screen, 1, "PARA500", *"2", "enter", *"2,40", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "5.57")
        assert figures(screen)["total_gross"] == "4.80"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.view is not None)
        view = shop.sales.document(screen.view.number)
        assert [(ln.qty, ln.price) for ln in view.lines] == [(D("2"), D("2.40"))]
        assert view.totals.net == D("5.57")


async def test_a_price_that_reads_two_ways_is_refused_with_both_readings(shop):
    """"1,500" could be 1.5 or 1500: the cell says so and keeps what was typed."""
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        await line(pilot, screen, 1, "PARA500", *"2", "enter", *"1,500", "enter")
        bar = screen.query_one(MessageBar)
        await wait_until(pilot, lambda: bar.kind == "error")
        assert bar.text == "Price (line 1): '1,500' reads two ways — 1.5 or 1500; type 1.5 or 1500 (or 1 500)"
        grid = screen.query_one(ItemGrid)
        assert grid.cell(1, "price").value == "1,500"
