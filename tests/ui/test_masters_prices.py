"""Pilot tests, keys only at 80×24: Price Update (Single and Multiple Items) and Stock Receipt.

Figures by hand: PARA500 costs 1.60 USD (demo-like shop, tests/store/conftest.py);
a 20 % retail markup gives 1.60 × 1.20 = 1.92, a 10 % wholesale markup 1.76;
AMOX250 costs 5.10: 25 % gives 6.375 → 6.38 (half up).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from tests.ui.test_masters_customers import app_for, focused_field, open_master, shop, type_in, wait_for

__all__ = ["shop"]


async def test_price_update_single_with_keys_only(shop):
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "price_single")
        assert focused_field(screen) == "location" and screen.widget("location").value == "AXP"
        await pilot.press("enter", "enter")  # AXP, USD
        await type_in(pilot, "PARA500")
        await wait_for(pilot, lambda: screen.widget("last_purchase").text == "1.60", "price form")
        assert screen.widget("unit").text == "BOX"
        assert (screen.widget("current_retail").text, screen.widget("current_wholesale").text) == ("2.50", "2.20")
        assert screen.query_one("#mf-item-hint").text == "Paracetamol 500 mg (box 100)"
        await pilot.press("enter")  # effective today
        assert focused_field(screen) == "retail_pct"
        await pilot.press(*"20")
        assert screen.widget("retail_price").value == "1.92"  # live, from the markup
        await pilot.press("enter", "enter", *"10")
        assert screen.widget("wholesale_price").value == "1.76"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, "saved")
        assert screen.message_bar.text == ("Price of PARA500 at AXP USD on 2026-11-23: retail 1.92, wholesale 1.76")
        await wait_for(pilot, lambda: screen.widget("current_retail").text == "1.92", "current price reloaded")
    assert shop.masters.current_price(location="AXP", item="PARA500", price_category="retail") == D("1.92")
    assert shop.masters.current_price(location="AXP", item="PARA500", price_category="wholesale") == D("1.76")


async def test_price_update_multiple_names_the_bad_row_then_saves(shop):
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "price_multiple")
        await pilot.press("enter")  # location AXP
        await type_in(pilot, "2026-12-01")
        await pilot.press("enter")  # currency USD
        assert focused_field(screen) == "rows"
        grid = screen.grid("rows")
        await type_in(pilot, "AMOX250")
        await wait_for(pilot, lambda: grid.cell(0, "cost").text == "5.10", "row 1 price form")
        await pilot.press(*"25")
        assert grid.cell(0, "retail_price").value == "6.38"
        await pilot.press("enter", "enter", "enter", *"7.40", "enter")
        await wait_for(pilot, lambda: len(grid.rows) == 2, "a blank row ready")
        await type_in(pilot, "BAND01")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error", "refused")
        assert screen.message_bar.text == "row 2: retail_price: enter the retail price or a retail %"
        assert grid.index_of(screen.focused) == 1 and screen.focused is grid.cell(1, "retail_price")
        await pilot.press(*"1.30", "enter", "enter", *"1.15", "ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, "saved")
        assert screen.key == "261201PU000001"
        assert screen.message_bar.text == "Price update 261201PU000001: 2 item(s) from 2026-12-01 (2 new, 0 replaced)"
        await pilot.press("f4")  # its history: the two price rows and the document
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HistoryDialog", "history shown")
        await wait_for(pilot, lambda: "3 entries" in " ".join(str(w.render()) for w in app.screen.query("Static")),
                       "the two price rows and the document in the history")
        await pilot.press("escape")
    rows = shop.masters.list_prices(update_no="261201PU000001").rows
    assert [(r.item, r.retail_price, r.wholesale_price, r.effective_from) for r in rows] == [
        ("AMOX250", D("6.38"), D("7.40"), dt.date(2026, 12, 1)), ("BAND01", D("1.30"), D("1.15"), dt.date(2026, 12, 1))]
    # scheduled: today's price is still the old one
    assert shop.masters.current_price(location="AXP", item="AMOX250") == D("7.99")


async def test_stock_receipt_with_keys_only(shop):
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "stock_receipt")
        await pilot.press("enter", "enter")  # AXP, today
        await type_in(pilot, "", "GRN")  # no supplier, narration
        assert focused_field(screen) == "lines"
        await type_in(pilot, "BAND01", "D900", "", "", "2030-06-30", "40", "0.65")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, f"posted {screen.message_bar.text}")
        assert screen.key == "261101GR000001" and screen.document_state == "Posted"
        assert screen.message_bar.text == "Stock receipt 261101GR000001 posted: 1 line(s), 26.00 USD"
        assert screen.check_action("save", ()) is None  # posted is final
        # F3 lists the receipts; Enter opens one read-only with its lines
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.key is None, "a new receipt")
        await pilot.press("f3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MasterListDialog" and len(app.screen.rows) == 1,
                       "the receipt listed")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.key == "261101GR000001", "receipt reopened")
        grid = screen.grid("lines")
        await wait_for(pilot, lambda: grid.cell(0, "item").value == "BAND01", "its lines shown")
        assert (grid.cell(0, "item").value, grid.cell(0, "batch").value) == ("BAND01", "D900")
    [d900] = [b for b in shop.masters.batches("BAND01") if b.code == "D900"]
    assert (d900.stock, d900.expiry, d900.cost_usd) == (D("40.000"), dt.date(2030, 6, 30), D("0.65"))
