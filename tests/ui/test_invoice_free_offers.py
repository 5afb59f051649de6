"""The Sales Invoice's Free Offers tab (seed: as the Sales Order has it): the promotion's free
goods shown before saving, so the cashier sees what will leave the stock.

Scheme SP000001 on PARA500: 10–20 paid → 1 free, 21–50 → 3 free. The walk-in customer CASH
takes free offers. 12 PARA500 at 2.50 retail: 30.00 + tax 16 % 4.80 = 34.80 USD; the free
box is not charged. The stock of PARA500 at AXP falls by 12 + 1 = 13; at 25 paid, by 25 + 3.
"""

from __future__ import annotations

from decimal import Decimal as D

from sqlmodel import select
from textual.widgets import TabbedContent

from shopterm.app import ShoptermApp
from shopterm.store import models as m
from tests.store.conftest import actor
from tests.ui.test_sales_invoice import (SIZE, figures, header_cash_sp01, leave_tendering, line,  # noqa: F401
                                         shop, start)
from tests.ui.waiting import wait_grid_at_rest, wait_until

PROMO = dict(item="PARA500", reason="Supplier offer", cost_centre="SHOP", scheme_date="2026-11-01",
             ranges=[{"min_qty": "10", "max_qty": "20", "free_qty": "1"},
                     {"min_qty": "21", "max_qty": "50", "free_qty": "3"}],
             locations=["AXP"])


def tab_text(screen) -> str:
    return str(screen.query_one("#free-offers").render())


def tab_label(screen) -> str:
    return str(screen.query_one("#doc-tabs", TabbedContent).get_tab("tab-free").label)


async def test_invoice_free_offers_tab_shows_the_free_goods_before_saving(shop):
    shop.masters.create_promotion(actor(shop, "admin"), **PROMO)
    with shop.db.write() as s:
        cash = s.exec(select(m.Customer).where(m.Customer.code == "CASH")).one()
        cash.free_offer = True
        s.add(cash)
    before = shop.stock.item_stock("PARA500", "AXP").batches[0].qty  # B002, first expiry first
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        assert "No free offer for these lines." in tab_text(screen) and tab_label(screen) == "Free Offers"
        await header_cash_sp01(pilot, screen)
        await line(pilot, screen, 1, "PARA500", *"12", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "34.80")
        await wait_until(pilot, lambda: tab_label(screen) == "Free Offers (1)")
        rows = tab_text(screen).splitlines()
        assert rows[1].split() == ["1", "PARA500", "Paracetamol", "500", "mg", "(box", "100)", "12", "1", "SP000001"]
        await pilot.press("f5")
        await wait_until(pilot, lambda: screen.query_one("#doc-tabs", TabbedContent).active == "tab-free")
        assert screen.message_bar.text == "Free Offers: the promotion's free lines (F5: back to the items)"
        await pilot.press("f5")
        grid_cell = screen.grid.cell(2, "item")
        await wait_until(pilot, lambda: screen.query_one("#doc-tabs", TabbedContent).active == "tab-items")
        assert screen.focused is grid_cell
        # 13 more (25 paid): the next range, 3 free
        screen.set_focus(screen.grid.cell(1, "qty"))
        await pilot.press("ctrl+u", *"25", "enter")
        await wait_until(pilot, lambda: "  3  SP000001" in tab_text(screen))
        assert tab_text(screen).splitlines()[1].split()[-3:] == ["25", "3", "SP000001"]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.view is not None or screen.message_bar.kind == "error",
                         lambda: screen.message_bar.text)
        assert screen.view is not None, screen.message_bar.text
        await leave_tendering(pilot, app, screen)
        number = screen.view.number
        assert tab_label(screen) == "Free Offers (1)"
        assert tab_text(screen).splitlines()[1].split()[:2] == ["2", "PARA500"]
        assert tab_text(screen).splitlines()[1].split()[-1] == "3"
    view = shop.sales.document(number)
    assert [(l.item, l.qty, l.is_free) for l in view.lines] == [("PARA500", D("25"), False), ("PARA500", D("3"), True)]
    assert shop.stock.item_stock("PARA500", "AXP").batches[0].qty == before - 28


async def test_a_preview_saying_the_same_free_offers_lays_nothing_out(shop, monkeypatch):
    """The preview comes after every pause in the typing: when it says what the tab already shows,
    nothing is updated (a Static's or a tab's update lays out the whole invoice, ~30 ms a key)."""
    from shopterm.widgets.item_grid import SPARE_POOL, GridRow, ItemGrid
    from tests.ui.test_item_grid import count_layouts

    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        grid = screen.query_one(ItemGrid)
        grid.spare_idle = 3600
        await wait_until(pilot, lambda: len(grid.query(GridRow)) >= 1 + SPARE_POOL)
        screen.show_free_offers(None)
        await wait_grid_at_rest(pilot, grid)
        layouts = count_layouts(monkeypatch)
        screen.show_free_offers(None)
        await pilot.pause()
        assert layouts[0] == 0
        assert "No free offer for these lines." in tab_text(screen) and tab_label(screen) == "Free Offers"
