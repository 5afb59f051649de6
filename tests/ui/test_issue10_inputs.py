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
from tests.ui.test_sales_invoice import (  # noqa: F401
    SIZE, figures, header_cash_sp01, leave_tendering, line, shop, start, wait_until)


async def test_a_price_typed_with_a_comma_is_two_and_a_half(shop):
    """PARA500 × 2 at a price typed "2,40": gross 4.80, tax 16 % = 0.768 → 0.77, net 5.57.
    Main read "2,40" as 240: gross 480.00, net 556.80."""
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        await line(pilot, screen, 1, "PARA500", *"2", "tab", *"2,40", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "5.57")
        assert figures(screen)["total_gross"] == "4.80"
        await pilot.press("ctrl+s")
        await leave_tendering(pilot, app, screen)
        view = shop.sales.document(screen.view.number)
        assert [(ln.qty, ln.price) for ln in view.lines] == [(D("2"), D("2.40"))]
        assert view.totals.net == D("5.57")


async def test_a_price_that_reads_two_ways_is_refused_with_both_readings(shop):
    """"1,500" could be 1.5 or 1500: the cell says so and keeps what was typed."""
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        await line(pilot, screen, 1, "PARA500", *"2", "tab", *"1,500", "enter")
        bar = screen.query_one(MessageBar)
        await wait_until(pilot, lambda: bar.kind == "error")
        assert bar.text == "Price (line 1): '1,500' reads two ways — 1.5 or 1500; type 1.5 or 1500 (or 1 500)"
        grid = screen.query_one(ItemGrid)
        assert grid.cell(1, "price").value == "1,500"


async def test_switching_the_currency_converts_a_typed_price(shop):
    """The issue's invoice: BAND01 × 2 at a typed 2.20 USD, then Ccy switched to CDF. Main kept
    "2.20" as 2.20 CDF and posted a payable of 0.00 CDF. Now the typed price is converted at the
    document rate: 2.20 × 2850 = 6,270.00 CDF; 2 × 6,270.00 = 12,540.00 (BAND01 has no tax),
    payable rounded to the 100 FC increment: 12,500.00. Back to USD: 6,270 / 2850 = 2.20 again."""
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        await line(pilot, screen, 1, "BAND01", *"2", "tab", *"2.20", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "4.40")
        grid = screen.query_one(ItemGrid)
        screen.query_one("#field-currency").focus()
        await pilot.press("space")  # USD → CDF
        await wait_until(pilot, lambda: grid.cell(1, "price").value == "6,270.00")
        bar = screen.query_one(MessageBar)
        assert bar.text == "Typed prices converted from USD to CDF at 2850: line 1 2.20 → 6,270.00"
        await wait_until(pilot, lambda: figures(screen)["net"] == "12,540.00")
        assert figures(screen)["payable"] == "12,500.00"
        await pilot.press("ctrl+s")
        await leave_tendering(pilot, app, screen)
        view = shop.sales.document(screen.view.number)
        assert (view.currency, view.lines[0].price, view.totals.payable) == ("CDF", D("6270.00"), D("12500.00"))


async def test_switching_back_converts_again(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        await line(pilot, screen, 1, "BAND01", *"2", "tab", *"2.20", "enter")
        grid = screen.query_one(ItemGrid)
        screen.query_one("#field-currency").focus()
        await pilot.press("space")
        await wait_until(pilot, lambda: grid.cell(1, "price").value == "6,270.00")
        await pilot.press("space")  # CDF → USD
        await wait_until(pilot, lambda: grid.cell(1, "price").value == "2.20")
        await wait_until(pilot, lambda: figures(screen)["net"] == "4.40")


async def test_a_line_flat_discount_follows_the_currency_switch(shop):
    """BAND01 × 2 at a typed 2.20 USD with a line flat discount of 1.00 USD: net 4.40 − 1.00 = 3.40
    (BAND01 has no tax). Switched to CDF at 2850 the flat discount is 2,850.00 CDF (it stayed 1.00,
    read as one franc): 2 × 6,270.00 − 2,850.00 = 9,690.00, payable rounded to the 100 FC
    increment 9,700.00; and back to USD, 1.00 and 3.40 again."""
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        await line(pilot, screen, 1, "BAND01", *"2", "tab", *"2.20", "tab", "tab", "1", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "3.40")
        grid = screen.query_one(ItemGrid)
        screen.query_one("#field-currency").focus()
        await pilot.press("space")  # USD → CDF
        await wait_until(pilot, lambda: grid.cell(1, "flat_discount").value == "2,850.00")
        assert grid.cell(1, "price").value == "6,270.00"
        assert screen.query_one(MessageBar).text == ("Typed prices converted from USD to CDF at 2850: "
                                                     "line 1 2.20 → 6,270.00, line 1 flat discount 1.00 → 2,850.00")
        await wait_until(pilot, lambda: figures(screen)["net"] == "9,690.00")
        assert figures(screen)["payable"] == "9,700.00"
        await pilot.press("space")  # CDF → USD
        await wait_until(pilot, lambda: grid.cell(1, "flat_discount").value == "1.00")
        await wait_until(pilot, lambda: figures(screen)["net"] == "3.40")


async def test_a_price_below_cost_asks_a_manager_on_screen(shop):
    """PARA500 × 2 at "1,50" (one fifty, typed with a comma) < cost 1.60: Ctrl+S opens the approval
    dialog; the manager's PIN posts it: gross 3.00, tax 0.48, net 3.48, approved by manager."""
    from shopterm.widgets.approval import ApprovalDialog

    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        await line(pilot, screen, 1, "PARA500", *"2", "tab", *"1,50", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "3.48")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalDialog))
        assert app.screen.reason == ("Line 1: PARA500 at 1.50 USD is below its cost 1.60 USD — "
                                     "a manager's approval is needed")
        await pilot.press(*"manager", "enter", *"2222", "enter")
        await leave_tendering(pilot, app, screen)
        assert screen.view.approved_by == "manager"
        assert shop.sales.document(screen.view.number).totals.net == D("3.48")


async def test_a_rate_far_from_the_system_rate_asks_a_manager_on_screen(shop):
    """Rate typed 3200: (3200 − 2850) / 2850 = 12.28 % > the 10 % tolerance → approval dialog."""
    from shopterm.widgets.approval import ApprovalDialog

    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        rate = screen.query_one("#field-rate")
        rate.value = ""
        rate.focus()
        await pilot.press(*"3200")
        grid = screen.query_one(ItemGrid)
        grid.focus_cell(1, "item")
        await line(pilot, screen, 1, "BAND01", *"2", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "2.50")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalDialog))
        assert app.screen.reason == ("Exchange rate 3200 is 12.28 % from the system rate 2850 (tolerance 10 %) — "
                                     "a manager's approval is needed")
        await pilot.press(*"manager", "enter", *"2222", "enter")
        await leave_tendering(pilot, app, screen)
        assert shop.sales.document(screen.view.number).rate == D("3200")


async def test_a_receipt_at_a_far_rate_asks_a_manager_on_screen(shop):
    """A receipt for the 2 × BAND01 cash sale (2.50 USD) at a typed rate of 3500: (3500 − 2850) / 2850
    = 22.81 % > 10 % → the approval dialog; the manager's PIN posts it. The 20,000 CDF is typed
    "20 000" (a space groups thousands)."""
    from shopterm.services.documents.drafts import DocumentDraft, DraftLine
    from shopterm.widgets.approval import ApprovalDialog
    from tests.ui.test_day_screens import open_screen, text, wait_for

    number = shop.sales.post_invoice(actor(shop, "cashier"), DocumentDraft(
        customer="CASH", sales_type="cash", currency="USD", rate="2850", sales_person="SP01",
        lines=[DraftLine("BAND01", qty="2", price="1.25")])).number
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, app, "sales_receipt")
        await pilot.press(*number, "enter")
        await wait_for(pilot, lambda: text(screen, "invoice-usd") == "2.50", "invoice loaded")
        rate = screen.query_one("#field-rate")
        rate.value = ""
        await pilot.press(*"3500", "enter", "enter", *"20 000", "enter")
        await wait_for(pilot, lambda: screen.query_one("#field-received-cdf").value == "20,000.00", "typed, left")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalDialog))
        assert app.screen.reason.startswith("Exchange rate 3500 is 22.81 % from the system rate 2850")
        await pilot.press(*"manager", "enter", *"2222", "enter")
        await wait_for(pilot, lambda: screen.posted, "receipt posted")
    with shop.db.read() as s:
        from sqlalchemy import select

        from shopterm.store import models as m
        doc = s.execute(select(m.Document).where(m.Document.doc_type == "RC")).scalar_one()
        assert (doc.rate, doc.approved_by is not None) == (D("3500"), True)
        assert doc.extra["received_cdf"] == "20000.00"


async def test_changing_the_rate_of_a_cdf_invoice_converts_a_typed_price(shop):
    """A CDF invoice, BAND01 × 2 at a typed 3000 CDF (1.05 USD at 2850). The rate becomes 3000:
    the typed price keeps its dollar value, 3000 × 3000 / 2850 = 3,157.894… → 3,157.89 CDF, shown in
    the message bar; 2 × 3,157.89 = 6,315.78 CDF (no tax on BAND01)."""
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        screen.query_one("#field-currency").focus()
        await pilot.press("space")  # USD → CDF, no lines yet
        grid = screen.query_one(ItemGrid)
        grid.focus_cell(1, "item")
        await line(pilot, screen, 1, "BAND01", *"2", "tab", *"3000", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "6,000.00")
        rate = screen.query_one("#field-rate")
        rate.focus()
        rate.value = ""
        await pilot.press(*"3000", "tab")
        await wait_until(pilot, lambda: grid.cell(1, "price").value == "3,157.89")
        bar = screen.query_one(MessageBar)
        assert bar.text == "Typed prices converted from rate 2850 to 3000: line 1 3,000.00 → 3,157.89"
        await wait_until(pilot, lambda: figures(screen)["net"] == "6,315.78")


async def test_shop_setup_has_the_rate_tolerance(tmp_path_factory, tmp_path):
    """The admin sets the tolerance to 7,5 % (typed with a comma) on the Shop Setup screen at 80×24."""
    from tests.store.conftest import _copy_services, _template
    from tests.ui.test_masters_customers import app_for, open_master, wait_for

    svc = _copy_services(_template(tmp_path_factory), tmp_path)
    try:
        app = app_for(svc, "admin")
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_master(pilot, app, "shop_setup")
            await wait_for(pilot, lambda: screen.key == "AXP", "AXP's setup shown")
            field = screen.widget("rate_tolerance_pct")
            assert field.value == "10.0000" or D(field.value) == D("10")
            region = field.region
            assert region.y + region.height <= 24 and region.x + region.width <= 80
            field.focus()
            field.value = ""
            await pilot.press(*"7,5")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: screen.saved == 1, f"saved {screen.message_bar.text}")
        assert svc.masters.get_shop_setup("AXP").rate_tolerance_pct == D("7.5")
    finally:
        svc.db.dispose()
