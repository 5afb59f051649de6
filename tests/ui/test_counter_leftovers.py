"""Issue 11's last points, keys only at 80×24: Enter in Qty ends the line on every item grid,
reports open on their first filter, a refused price keeps the price cell, an item cell takes
only an exact code, the item master opens a typed code, an unknown sales person is named.

The shop is the service tests' shop (tests/store/conftest.py), AXP day 2026-11-23 open:
C0001 Kinshasa Pharma buys at wholesale prices (PARA500 2.20, BAND01 1.10); the cash
customer at retail (PARA500 2.50, cost 1.60).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shopterm.app import ShoptermApp
from shopterm.screens.direct_return import DirectReturnScreen
from shopterm.screens.provisional_invoice import ProvisionalInvoiceScreen
from shopterm.screens.sales_order import SalesOrderScreen
from shopterm.widgets.approval import ApprovalDialog
from shopterm.widgets.item_grid import ItemGrid
from shopterm.widgets.lookup import LookupDialog
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


async def test_a_refused_price_keeps_the_focus_on_the_price_cell_ready_for_a_new_price(shop):
    """PARA500 × 2 at 1.50 < cost 1.60, Ctrl+S typed in the Price cell: a manager is asked; Esc
    refuses. The message names the line, the focus is on line 1's Price (not Disc %) with its text
    selected, so the price typed next replaces it: 2 × 2.50 = 5.00, tax 16 % 0.80, net 5.80."""
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        grid = screen.query_one(ItemGrid)
        await line(pilot, screen, 1, "PARA500", *"2", "tab", "ctrl+u", *"1.50")
        await wait_until(pilot, lambda: figures(screen)["net"] == "3.48")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalDialog))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen and bar(screen).kind == "error")
        assert bar(screen).text.startswith("Line 1: PARA500 at 1.50 USD is below its cost 1.60 USD")
        assert screen.focused is grid.cell(1, "price")
        await pilot.press(*"2.50")
        await wait_until(pilot, lambda: figures(screen)["net"] == "5.80", lambda: grid.cell(1, "price").value)
        assert grid.cell(1, "price").value == "2.50"
        assert screen.focused is grid.cell(1, "price")


# ---------------------------------------------------------------- only an exact code picks an item


async def test_a_lone_digit_in_the_item_cell_opens_the_list_instead_of_picking_an_item(shop):
    """'2' matches only AMOX250 (code and name): it used to be picked. Now the list opens on '2', the
    line stays empty until the cashier picks; the exact code BAND01 still picks at once."""
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        pi = await open_screen(pilot, app, ProvisionalInvoiceScreen, lambda s: s.context is not None)
        await pilot.press(*"C0001", "enter")
        await wait_until(pilot, lambda: pi.customer is not None)
        grid = pi.query_one(ItemGrid)
        await wait_until(pilot, lambda: pi.focused is grid.cell(1, "item"))
        await pilot.press("2", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog) and app.screen.rows)
        assert [r.code for r in app.screen.rows] == ["AMOX250"]
        assert grid.lines[0].item == ""
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is pi and pi.focused is grid.cell(1, "item"))
        assert grid.lines[0].item == ""
        await pilot.press("ctrl+u", *"BAND01", "enter")
        await wait_until(pilot, lambda: grid.lines[0].item == "BAND01" and pi.focused is grid.cell(1, "qty"))
        assert not isinstance(app.screen, LookupDialog)


# ---------------------------------------------------------------- the item master opens a typed code


async def test_item_master_opens_an_existing_code_typed_in_code_with_enter_or_f2(shop):
    """PARA500 typed in Code + Enter opens Paracetamol (nothing new is started); 'BAND' + F2 lists the
    items found for it and Enter opens BAND01; a new code + Enter goes on to the next field."""
    from shopterm.screens.masters.goods import ItemScreen
    from shopterm.widgets.master_list import MasterListDialog

    app = ShoptermApp(shop, actor=actor(shop, "admin"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, app, ItemScreen, lambda s: s.keys_ready and s.focused is not None)
        code = screen.query_one("#mf-code")
        assert screen.focused is code
        await pilot.press(*"para500", "enter")
        await wait_until(pilot, lambda: screen.key == "PARA500")
        assert screen.query_one("#mf-name").value.startswith("Paracetamol")
        assert code.disabled and screen.focused is screen.query_one("#mf-unit")

        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen.key is None and screen.focused is code)
        await pilot.press(*"BAND", "f2")
        await wait_until(pilot, lambda: isinstance(app.screen, MasterListDialog) and app.screen.rows)
        assert app.screen.query_one("#mlist-search").value == "BAND"
        assert [r.code for r in app.screen.rows] == ["BAND01"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen and screen.key == "BAND01")

        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen.key is None and screen.focused is code)
        await pilot.press(*"NEW1", "enter", *"BOX")
        await wait_until(pilot, lambda: screen.query_one("#mf-unit").value == "BOX")
        assert screen.key is None and code.value == "NEW1" and not code.disabled


# ---------------------------------------------------------------- an unknown sales person


async def test_an_unknown_sales_person_is_named_when_the_field_is_left_and_kept(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        sp = screen.query_one("#field-sales-person")
        sp.focus()
        await wait_until(pilot, lambda: screen.focused is sp)
        await pilot.press("ctrl+u", *"ZZ9", "tab")
        await wait_until(pilot, lambda: bar(screen).kind == "error")
        assert bar(screen).text == "Sales person: no code ZZ9 (F2 lists them)"
        assert sp.value == "ZZ9" and sp.has_class("-error")
        sp.focus()
        await wait_until(pilot, lambda: screen.focused is sp)
        await pilot.press("ctrl+u", *"SP01", "tab")
        await wait_until(pilot, lambda: bar(screen).kind != "error" and not sp.has_class("-error"))
        assert sp.value == "SP01"


# ---------------------------------------------------------------- the grid's prices read like the totals


async def test_a_typed_price_is_shown_like_the_totals_once_left(shop):
    """'0.5' becomes 0.50 and '2500' becomes 2,500.00 once the cell is left (the footer's way);
    2 × 2,500.00 = 5,000.00, slab 8 % (1000 and up) 400.00 → 4,600.00, tax 16 % 736.00 → net 5,336.00."""
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        grid = screen.query_one(ItemGrid)
        await line(pilot, screen, 1, "PARA500", *"2", "tab", "ctrl+u", *"0.5", "tab")
        await wait_until(pilot, lambda: grid.cell(1, "price").value == "0.50")
        assert screen.focused is grid.cell(1, "discount_pct")
        await pilot.press("shift+tab", *"2500", "enter")
        await wait_until(pilot, lambda: grid.cell(1, "price").value == "2,500.00")
        await wait_until(pilot, lambda: figures(screen)["net"] == "5,336.00", lambda: str(figures(screen)))
        assert figures(screen)["flat_amount"] == "8% 400.00"
        assert grid.lines[0].values["price"] == D("2500")


# ---------------------------------------------------------------- Ctrl+P on a cash sale says it printed


@pytest.fixture
def print_shop(tmp_path_factory, tmp_path):
    """The shop printing to ``tmp_path/prints`` (no print command)."""
    from sqlalchemy import select

    from shopterm.store.models import ShopSetup
    from tests.store.conftest import _copy_services, _template, open_day

    svc = _copy_services(_template(tmp_path_factory), tmp_path / "db")
    with svc.db.write() as s:
        for setup in s.execute(select(ShopSetup)).scalars():
            setup.print_dir = str(tmp_path / "prints")
            setup.print_command = ""
    open_day(svc)
    yield svc
    svc.db.dispose()


@pytest.mark.parametrize("paid", [True, False], ids=["paid", "left-unpaid"])
async def test_ctrl_p_on_a_cash_sale_still_says_printed_after_tendering(print_shop, tmp_path, paid):
    """BAND01 × 4 at 1.25 (no tax) = 5.00 USD; Ctrl+P posts, prints and opens tendering; 5 USD paid
    (or Esc): the message then shown on the invoice screen still says the facture was printed."""
    from shopterm.screens.sales_receipt import SalesReceiptScreen

    app = ShoptermApp(print_shop, actor=actor(print_shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        await line(pilot, screen, 1, "BAND01", *"4", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "5.00")
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, SalesReceiptScreen) and app.screen.calc is not None)
        number = screen.view.number
        facture = tmp_path / "prints" / f"{number}.pdf"
        await wait_until(pilot, lambda: facture.exists())
        if paid:
            await pilot.press("enter", *"5", "ctrl+s")
            await wait_until(pilot, lambda: app.screen is screen and screen.last_receipt is not None
                             and screen.view is None)
        else:
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is screen and bar(screen).kind == "warning")
        await wait_until(pilot, lambda: f"Printed {number} to {facture}" in bar(screen).text, lambda: bar(screen).text)
        assert bar(screen).text.startswith("Receipt " if paid else f"{number} is posted but not paid")


# ---------------------------------------------------------------- order headers at 80 columns


@pytest.mark.parametrize("screen_cls", [SalesOrderScreen, ProvisionalInvoiceScreen],
                         ids=["sales_order", "provisional_invoice"])
async def test_order_headers_show_the_whole_client_name_and_tel_at_80_columns(shop, screen_cls):
    """'Pharmacie du Fleuve' (19 characters) was cut to 18 and the Tel to 12 of its 16: the
    invoice's widths won over the order screens' own."""
    from textual.widgets import Input

    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, app, screen_cls, lambda s: s.context is not None)
        await pilot.press(*"C0002", "enter")
        await wait_until(pilot, lambda: screen.customer is not None and screen.customer.code == "C0002")
        screen.query_one("#field-contact-no", Input).value = "+243 99 600 1003"
        await pilot.pause()
        name = screen.query_one("#inv-customer-name")
        assert str(name.render()) == "Pharmacie du Fleuve"
        assert name.region.width >= len("Pharmacie du Fleuve")
        tel = screen.query_one("#field-contact-no", Input)
        assert tel.region.width >= len("+243 99 600 1003") + 2 and tel.region.right <= SIZE[0]


# ---------------------------------------------------------------- Sales Return: Pay FC


async def test_sales_return_of_a_usd_invoice_shows_the_credit_in_francs(shop):
    """1 of C0001's 10 × PARA500 at 2.20 returned: 2.20 + tax 16 % 0.35 = 2.55 USD credit;
    2.55 × 2850 = 7,267.50 CDF → 7,300.00 at the 100 FC increment (Pay FC was blank)."""
    from shopterm.services.documents.drafts import DocumentDraft, DraftLine
    from tests.ui.test_orders_screens import figures as doc_figures
    from tests.ui.test_returns_screens import return_of

    number = shop.sales.post_invoice(actor(shop, "cashier"), DocumentDraft(
        customer="C0001", lines=[DraftLine(item="PARA500", qty="10")])).number
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        sr = await return_of(pilot, app, number, "tab", "1")
        await wait_until(pilot, lambda: doc_figures(sr)["payable"] == "2.55")
        await wait_until(pilot, lambda: doc_figures(sr)["payable_cdf"] == "7,300.00")


async def test_the_invoice_header_shows_a_whole_phone_number_at_80_columns(shop):
    """The client's Tel (now required, from the customer's mobile) was cut to 14 of its 16 characters."""
    from textual.widgets import Input

    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        tel = screen.query_one("#field-contact-no", Input)
        tel.value = "+243 81 600 1001"
        await pilot.pause()
        assert tel.region.width >= len("+243 81 600 1001") and tel.region.right <= SIZE[0]
        name = screen.query_one("#inv-customer-name")
        assert str(name.render()) == "Walk-In Customer" and name.region.width >= len("Walk-In Customer")
        order = screen.query_one("#field-order", Input)
        assert order.region.width >= len("261101SO000001") and order.region.right <= SIZE[0]


async def test_nothing_chosen_for_an_item_goes_away_once_the_cell_is_emptied(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        grid = screen.query_one(ItemGrid)
        await wait_until(pilot, lambda: screen.focused is grid.cell(1, "item"))
        await pilot.press(*"XYZ999", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen and bar(screen).kind == "error")
        assert bar(screen).text == "Item (line 1): nothing chosen for 'XYZ999'"
        await pilot.press("ctrl+u", "tab")
        await wait_until(pilot, lambda: bar(screen).kind != "error", lambda: bar(screen).text)
        assert not grid.cell(1, "item").has_class("-error")
