"""Screens that misled or lost keys at 80×24 (issue 11, "no key lost" and "screens that
do not fit or mislead"), keys only, each checked against what a cashier would see.

The shop is the service tests' shop (tests/store/conftest.py), AXP day 2026-11-23 open:
C0001 Kinshasa Pharma buys PARA500 at 2.20 (wholesale); the cash customer buys PARA500
at 2.50 (retail).
"""

from __future__ import annotations

from textual import events

from shopterm.app import ShoptermApp
from shopterm.screens import registry
from shopterm.screens.home import HomeScreen
from shopterm.screens.sales_invoice import SalesInvoiceScreen
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.widgets.item_grid import ItemGrid
from shopterm.widgets.lookup import LookupDialog
from tests.store.conftest import _copy_services, _template, actor, open_day
from tests.ui.test_orders_screens import bar, open_screen, wait_until

import pytest

SIZE = (80, 24)


@pytest.fixture
def closed_shop(tmp_path_factory, tmp_path):
    svc = _copy_services(_template(tmp_path_factory), tmp_path)
    yield svc
    svc.db.dispose()


@pytest.fixture
def shop(closed_shop):
    open_day(closed_shop)
    return closed_shop


def burst(app, *keys: str) -> None:
    """Post the keys at once, as one SSH packet or a scanner would deliver them."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(key, key))
        else:
            app.post_message(events.Key(key, "\r" if key == "enter" else None))


async def settle(pilot, app) -> None:
    await wait_until(pilot, lambda: app.typeahead_pending == 0 and app.keys_ready())


async def test_a_cashier_pressing_a_managers_menu_key_is_told_who_may(shop):
    registry.discover()
    key = {e.key: k for k, e in registry.hotkeys().items()}["shop_close"]
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.keys_ready())
        home = app.screen
        await pilot.press(key)
        await wait_until(pilot, lambda: bar(home).text != "")
        assert app.screen is home
        assert bar(home).text == "Shop Close needs a manager"


async def test_the_invoice_says_the_day_is_closed_when_it_opens(closed_shop):
    app = ShoptermApp(closed_shop, actor=actor(closed_shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        inv = await open_screen(pilot, app, SalesInvoiceScreen, lambda s: s.context is not None)
        await wait_until(pilot, lambda: bar(inv).text != "")
        assert bar(inv).kind == "warning"
        assert bar(inv).text == ("Day 2026-11-23 is not open at AXP: Shop Open first, or this invoice "
                                 "cannot be saved")


async def test_menu_key_then_an_item_code_in_one_burst_lands_in_the_first_item_cell(shop):
    registry.discover()
    key = {e.key: k for k, e in registry.hotkeys().items()}["sales_invoice"]
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.keys_ready())
        burst(app, key, *"PARA500")
        await wait_until(pilot, lambda: isinstance(app.screen, SalesInvoiceScreen))
        inv = app.screen
        await settle(pilot, app)
        grid = inv.query_one(ItemGrid)
        assert inv.focused is grid.cell(1, "item")
        assert grid.cell(1, "item").value == "PARA500"


async def test_backspaces_then_a_new_quantity_in_one_burst_stay_in_the_qty_cell(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        inv = await open_screen(pilot, app, SalesInvoiceScreen, lambda s: s.context is not None)
        grid = inv.query_one(ItemGrid)
        grid.focus_cell(1, "item")
        await pilot.press(*"PARA500", "enter")
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        grid.focus_cell(1, "qty")
        await pilot.press(*"100")
        await wait_until(pilot, lambda: grid.cell(1, "qty").value == "100")
        price = grid.cell(1, "price").value
        assert price != ""
        burst(app, "backspace", "backspace", "backspace", *"120", "enter")
        await settle(pilot, app)
        assert grid.cell(1, "qty").value == "120"
        assert grid.cell(1, "price").value == price  # nothing landed in (or was wiped from) the next cell


async def test_f2_on_so_pf_no_lists_the_clients_open_orders_and_copies_plain_quantities(shop):
    cashier = actor(shop, "cashier")
    number = shop.orders.confirm(cashier, DocumentDraft(
        doc_type="SO", customer="C0001", lines=[DraftLine(item="PARA500", qty="10")])).number
    app = ShoptermApp(shop, actor=cashier)
    async with app.run_test(size=SIZE) as pilot:
        inv = await open_screen(pilot, app, SalesInvoiceScreen, lambda s: s.context is not None)
        inv.query_one("#field-customer").focus()
        await pilot.press(*"C0001", "enter")
        await wait_until(pilot, lambda: inv.customer is not None and inv.customer.code == "C0001")
        inv.query_one("#field-order").focus()
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog) and app.screen.rows)
        assert [r.code for r in app.screen.rows] == [number]
        await pilot.press("enter")
        grid = inv.query_one(ItemGrid)
        await wait_until(pilot, lambda: grid.lines and grid.lines[0].item == "PARA500")
        assert inv.query_one("#field-order").value == number
        assert grid.cell(1, "qty").value == "10"
        assert grid.cell(1, "discount_pct").value in ("", "0")


async def test_sales_return_enter_in_a_qty_goes_down_to_the_next_rows_qty(shop):
    from shopterm.screens.sales_return import SalesReturnScreen

    number = shop.sales.post_invoice(actor(shop, "cashier"), DocumentDraft(
        customer="C0001", lines=[DraftLine(item="PARA500", qty="10"), DraftLine(item="BAND01", qty="4")])).number
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        sr = await open_screen(pilot, app, SalesReturnScreen, lambda s: s.location_code is not None)
        await pilot.press(*number, "tab")
        grid = sr.query_one(ItemGrid)
        await wait_until(pilot, lambda: sr.source == number and len(grid.lines) == 2
                         and sr.focused is grid.cell(1, "qty"))
        batch2 = grid.cell(2, "batch").value
        assert batch2 != ""
        burst(app, *"2", "enter", *"1")
        await settle(pilot, app)
        assert grid.cell(1, "qty").value == "2"
        assert sr.focused is grid.cell(2, "qty")
        assert grid.cell(2, "qty").value == "1"
        assert grid.cell(2, "batch").value == batch2


async def test_nothing_chosen_error_goes_away_after_a_valid_pick(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        inv = await open_screen(pilot, app, SalesInvoiceScreen, lambda s: s.context is not None)
        client = inv.query_one("#field-customer")
        client.focus()
        await pilot.press(*"XYZ999", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog))
        await pilot.press("escape")
        await wait_until(pilot, lambda: bar(inv).kind == "error")
        assert bar(inv).text == "Client: nothing chosen for 'XYZ999'"
        await pilot.press("ctrl+u", "f2")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog) and app.screen.rows)
        await pilot.press(*"C0001")
        await wait_until(pilot, lambda: [r.code for r in app.screen.rows] == ["C0001"])
        await pilot.press("enter")
        await wait_until(pilot, lambda: inv.customer is not None and inv.customer.code == "C0001")
        assert bar(inv).kind != "error", bar(inv).text
        assert not client.has_class("-error")


async def test_item_master_error_does_not_repeat_a_200_character_value(shop):
    from shopterm.screens.masters.goods import ItemScreen

    app = ShoptermApp(shop, actor=actor(shop, "admin"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, app, ItemScreen, lambda s: s.keys_ready and s.focused is not None)
        screen.query_one("#mf-code").value = "NEW1"
        screen.query_one("#mf-name").value = "New item"
        field = screen.query_one("#mf-pack_size")
        field.focus()
        await wait_until(pilot, lambda: screen.focused is field)
        field.value = ""
        field.insert_text_at_cursor("1x" * 100)  # a paste of 200 characters
        assert len(field.value) == 200
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bar(screen).kind == "error" and not screen.busy)
        shown = f"Error: {bar(screen).text}"
        # the value is quoted cut short (its start and …), the message fits the bar at 80 columns
        assert "1x" * 11 not in shown and "'1x1x1x1x1x1x1x1x1x1x…'" in shown, shown
        assert len(shown) <= 2 * 78, shown


async def test_the_invoice_line_strip_fits_80_columns_with_the_stock_warning_and_tax(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        inv = await open_screen(pilot, app, SalesInvoiceScreen, lambda s: s.context is not None)
        grid = inv.query_one(ItemGrid)
        grid.focus_cell(1, "item")
        await pilot.press(*"PARA500", "enter")
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        grid.focus_cell(1, "qty")
        await pilot.press(*"150")
        # retail 2.50 (the cash customer): 150 × 2.50 = 375.00; slab 3 % → flat share 11.25;
        # tax 16 % of 363.75 = 58.20; batch B002 holds 100. Too long whole: short labels, no zero Disc.
        await wait_until(pilot, lambda: "only 100 in batch" in grid.detail_text()[1])
        top, bottom = grid.detail_text()
        assert bottom == "only 100 in batch · $ 2.50 · Gr 375.00 · Flat 11.25 · Tax 16% 58.20"
        assert top == "1: Paracetamol 500 mg (… · BOX×100 · stock 600 res 0 · B002 100 exp 2027-01-31"
        assert len(top) <= 78 and len(bottom) <= 78


async def test_refund_mode_keeps_the_amounts_table_square_and_enter_goes_cdf_then_usd(shop):
    from shopterm.services.sales.returns import ReturnDraft, ReturnLine
    from tests.ui.test_cash_screens import post_design_invoice
    from tests.ui.test_day_screens import open_screen as open_menu_screen, text

    cashier = actor(shop, "cashier")
    number = post_design_invoice(shop)
    shop.cash.post_receipt(cashier, invoice=number, received_usd="60")
    sr = shop.returns.post(cashier, ReturnDraft(invoice=number, narration="Wrong size",
                                                lines=[ReturnLine("BAND01", qty="4")])).number
    app = ShoptermApp(shop, actor=cashier)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_menu_screen(pilot, app, "sales_receipt")
        await pilot.press("shift+tab", "r")  # Type: Refund
        await pilot.press("enter", *sr, "enter")
        # 4 bandages × 1.25 = 5.00 less their 0.25 share of the 5 % flat discount: 4.75 USD
        await wait_until(pilot, lambda: text(screen, "invoice-usd") == "4.75")
        await pilot.pause()
        heads = {str(w.render()): w.region for w in screen.query(".rf-head")}
        # a refund's first column is what the return credits (it read "Invoice"): 4.75 USD = 13,537.50 CDF, 13,500
        assert [str(w.render()) for w in screen.query(".rf-head")] == ["", "Refund due", "Received", "Returned",
                                                                       "Balance"]
        assert text(screen, "invoice-cdf") == "13,500.00"
        for ccy in ("cdf", "usd"):
            row = next(w for w in screen.query(".rf-ccy") if str(w.render()) == ccy.upper()).region.y
            returned = screen.query_one(f"#field-returned-{ccy}").region
            balance = screen.query_one(f"#balance-{ccy}").region
            assert returned.y == row and balance.y == row, ccy
            assert returned.x == heads["Returned"].x and balance.x == heads["Balance"].x, ccy
        while screen.focused.id not in ("field-returned-cdf", "field-returned-usd"):
            await pilot.press("enter")
        assert screen.focused.id == "field-returned-cdf"  # CDF first, as the rows read
        await pilot.press(*"13500", "enter")
        assert screen.focused.id == "field-returned-usd"
        assert screen.query_one("#field-returned-cdf").value == "13,500.00"  # left: shown as its figures


async def test_after_an_f2_pick_the_next_typing_goes_to_the_amount_not_the_picked_number(shop):
    from tests.ui.test_cash_screens import post_design_invoice
    from tests.ui.test_day_screens import open_screen as open_menu_screen, text

    number = post_design_invoice(shop)
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_menu_screen(pilot, app, "sales_receipt")
        assert screen.focused.id == "field-invoice"
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog) and app.screen.rows)
        assert [r.code for r in app.screen.rows] == [number]
        burst(app, "enter", *"30000")  # pick, then at once the francs received
        await settle(pilot, app)
        await wait_until(pilot, lambda: text(screen, "invoice-cdf") == "156,400.00")
        assert screen.query_one("#field-invoice").value == number
        assert screen.focused.id == "field-received-cdf"
        assert screen.query_one("#field-received-cdf").value == "30000"


async def test_after_an_f2_pick_in_a_code_field_the_focus_moves_on(shop):
    from shopterm.screens.direct_return import DirectReturnScreen

    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        dr = await open_screen(pilot, app, DirectReturnScreen, lambda s: s.keys_ready and s.focused is not None)
        assert dr.focused.id == "field-customer"
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog) and app.screen.rows)
        await pilot.press(*"C0001")
        await wait_until(pilot, lambda: [r.code for r in app.screen.rows] == ["C0001"])
        burst(app, "enter", *"SP02")  # pick the client, then at once the sales person
        await settle(pilot, app)
        await wait_until(pilot, lambda: dr.customer is not None)
        await settle(pilot, app)
        assert dr.query_one("#field-customer").value == "C0001"
        assert dr.query_one("#field-sales-person").value == "SP02"


async def test_space_in_a_burst_on_a_choice_field_switches_it_and_the_rest_goes_on(shop):
    from tests.ui.test_day_screens import open_screen as open_menu_screen

    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_menu_screen(pilot, app, "shop_entry")
        assert screen.focused.id == "field-particulars"
        await pilot.press("shift+tab")
        assert screen.focused.id == "field-kind"
        burst(app, "space", "enter", *"6400", "enter", *"SHOP", "enter", "space")
        await settle(pilot, app)
        assert screen.query_one("#field-kind").value == "payment"
        assert screen.query_one("#field-particulars").value == "6400"
        assert screen.query_one("#field-cost-centre").value == "SHOP"
        assert screen.focused.id == "field-currency"
        assert screen.query_one("#field-currency").value == "USD"  # CDF first: one Space → USD


async def test_direct_return_shows_the_mobile_and_address_whole_at_80_columns(shop):
    from shopterm.screens.direct_return import DirectReturnScreen

    shop.masters.update_customer(actor(shop, "admin"), "C0001", mobile="+243 81 600 1001",
                                 address="12 avenue du Commerce, Gombe, Kinshasa")
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        dr = await open_screen(pilot, app, DirectReturnScreen, lambda s: s.keys_ready and s.focused is not None)
        await pilot.press(*"C0001", "tab")
        await wait_until(pilot, lambda: dr.customer is not None and dr.query_one("#field-address").value)
        await pilot.pause()
        for name, value in (("mobile", "+243 81 600 1001"), ("address", "12 avenue du Commerce, Gombe, Kinshasa")):
            field = dr.query_one(f"#field-{name}")
            assert field.value == value
            assert field.region.right <= 80 and field.content_size.width >= len(value), (name, field.region)
