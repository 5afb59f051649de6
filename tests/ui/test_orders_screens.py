"""Sales Order / Proforma, Provisional Invoice and Delivery Note screens, keys only, at 80×24.

The shop is the service tests' demo-like shop (tests/store/conftest.py) with the
AXP day 2026-11-23 open. C0001 Kinshasa Pharma buys at wholesale prices
(PARA500 2.20, BAND01 1.10, AMOX250 7.20); the discount slab is 0 % under 100 USD,
3 % from 100 to 499. Figures are computed by hand in the comments.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from textual.screen import ModalScreen

from shopterm.app import ShoptermApp
from shopterm.screens import registry
from shopterm.screens.delivery_note import DeliveryNoteScreen
from shopterm.screens.provisional_invoice import ProvisionalInvoiceScreen
from shopterm.screens.sales_invoice import SalesInvoiceScreen
from shopterm.screens.sales_order import SalesOrderScreen
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.sales.provisional import PSI_EMPTY
from shopterm.widgets.approval import ApprovalDialog
from shopterm.widgets.document_list import DocumentListDialog
from shopterm.widgets.item_grid import ItemGrid
from shopterm.widgets.lookup import LookupDialog
from shopterm.widgets.messages import MessageBar
from shopterm.widgets.totals_footer import TotalsFooter
from shopterm.widgets.voucher_view import VoucherView
from tests.store.conftest import _copy_services, _template, actor, open_day
from tests.ui.waiting import wait_until

SIZE = (80, 24)


@pytest.fixture
def shop(tmp_path_factory, tmp_path):
    svc = _copy_services(_template(tmp_path_factory), tmp_path)
    open_day(svc)
    yield svc
    svc.db.dispose()


# ---------------------------------------------------------------- helpers (the returns and commission tests use them)


async def open_screen(pilot, app, screen_cls, ready):
    app.push_screen(screen_cls())
    await wait_until(pilot, lambda: isinstance(app.screen, screen_cls))
    screen = app.screen
    await wait_until(pilot, lambda: ready(screen))
    return screen


def figures(screen) -> dict[str, str]:
    footer = screen.query_one(TotalsFooter)
    keys = ("total_qty", "total_gross", "total_discount", "flat_amount", "tax", "net", "payable", "payable_cdf")
    return {k: footer.figure(k) for k in keys}


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def retype(pilot, cell, text: str) -> None:
    """Replace what a cell holds (keys only: End, Backspaces, the new text)."""
    await pilot.press("end", *["backspace"] * (len(cell.value) + 1), *text)


def bar(screen) -> MessageBar:
    return screen.query_one(MessageBar)


# ---------------------------------------------------------------- registry


def test_registered_in_their_menu_groups():
    registry.discover()
    wanted = {
        "sales_order": ("Sales Order / Proforma", "Sales"),
        "provisional_invoice": ("Provisional Invoice", "Sales"),
        "delivery_note": ("Delivery Note", "Sales"),
        "sales_return": ("Sales Return", "Returns"),
        "direct_return": ("Sales Return (Direct)", "Returns"),
        "commission_payment": ("Sales Commission Payment", "Cash"),
    }
    for key, (title, group) in wanted.items():
        entry = registry.get(key)
        assert entry is not None, key
        assert (entry.title, entry.group, entry.roles) == (title, group, registry.CASHIER)
    sales = [e.key for e in registry.all_entries() if e.group == "Sales"]
    assert sales.index("sales_invoice") < sales.index("sales_order") < sales.index("provisional_invoice") \
        < sales.index("delivery_note")


# ---------------------------------------------------------------- sales order → invoice


async def test_order_confirmed_with_keys_then_invoiced_in_part_shows_what_is_left(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        so = await open_screen(pilot, app, SalesOrderScreen, lambda s: s.context is not None)
        assert so.focused.id == "field-customer" and so.query_one("#field-doc-type").value == "SO"
        assert so.query_one("#field-date").value == "2026-11-23"
        await pilot.press(*"C0001", "enter")  # client (the first field that takes typing) → the grid
        grid = so.query_one(ItemGrid)
        assert so.focused is grid.cell(1, "item")
        await wait_until(pilot, lambda: so.customer is not None)
        assert so.query_one("#field-sales-person").value == "SP01"
        assert so.query_one("#field-contact-no").value == "+243810000001"
        # PARA500 10 × 2.20 = 22.00, 5 % off 1.10 → 20.90, tax 16 % 3.34 → net 24.24
        await pilot.press(*"PARA500", "enter")
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        assert grid.cell(1, "available_stock").text == "600"  # 600 on hand, nothing reserved
        await pilot.press(*"10", "tab", "tab", "5", "enter")  # Tab walks to Disc %; Enter ends the line
        await wait_until(pilot, lambda: figures(so)["net"] == "24.24")
        assert so.focused is grid.cell(2, "item")
        assert figures(so) == {"total_qty": "10", "total_gross": "22.00", "total_discount": "1.10",
                               "flat_amount": "0% 0.00", "tax": "3.34", "net": "24.24", "payable": "24.24",
                               "payable_cdf": "69,100.00"}
        # the Free Offers tab, by key: no promotion in this shop
        await pilot.press("f5")
        assert so.query_one("#doc-tabs").active == "tab-free"
        await wait_until(pilot, lambda: "No free offer" in text_of(so, "#free-offers"))
        await pilot.press("f5")
        assert so.query_one("#doc-tabs").active == "tab-items"

        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: so.view is not None)
        assert bar(so).text == "Sales order 261101SO000001 confirmed: 24.24 USD, stock reserved"
        assert "261101SO000001 · Confirmed" in text_of(so, "#doc-title")
        assert grid.read_only and grid.cell(1, "balance_qty").text == "10"
        assert text_of(so, "#inv-credit").startswith("Confirmed, nothing invoiced yet · ordered 10")
        assert shop.stock.item_stock("PARA500", "AXP").reserved == D("10")
        assert shop.sales.document("261101SO000001").journal == ()  # an order posts no accounts

        # the Sales Invoice (opened over the order) picks the order in "SO/PF No." and takes its lines;
        # 6 of the 10 are invoiced
        inv = await open_screen(pilot, app, SalesInvoiceScreen, lambda s: s.context is not None
                                and s.customer is not None)
        inv.query_one("#field-customer").focus()  # a new invoice starts on the walk-in customer, in the grid
        await pilot.press(*"C0001", "tab", "tab")
        assert inv.focused.id == "field-order"
        await pilot.press(*"261101SO000001", "tab")
        igrid = inv.query_one(ItemGrid)
        await wait_until(pilot, lambda: igrid.lines[0].item == "PARA500" and igrid.lines[0].defaults is not None)
        assert D(igrid.cell(1, "qty").value) == D("10") and igrid.cell(1, "price").value == "2.20"
        igrid.focus_cell(1, "qty")
        await retype(pilot, igrid.cell(1, "qty"), "6")
        await wait_until(pilot, lambda: figures(inv)["net"] == "14.55")  # 13.20 − 0.66 = 12.54 + tax 2.01
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: inv.view is not None)
        assert inv.view.number == "261101SI000001" and inv.view.order == "261101SO000001"

        # the order now shows what is invoiced and what remains
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is so)
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, DocumentListDialog) and app.screen.rows)
        assert [(r.number, r.status) for r in app.screen.rows] == [("261101SO000001", "posted")]
        await pilot.press("enter")
        await wait_until(pilot, lambda: so.view is not None and so.view.lines[0].qty_done == D("6"))
        await wait_until(pilot, lambda: grid.cell(1, "balance_qty").text == "4")
        assert text_of(so, "#inv-credit").startswith("Partly invoiced · ordered 10 · invoiced 6 · left 4")
        assert shop.stock.item_stock("PARA500", "AXP").reserved == D("4")


async def test_proforma_cancelled_with_a_managers_approval_releases_its_stock(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        so = await open_screen(pilot, app, SalesOrderScreen, lambda s: s.context is not None)
        await pilot.press("shift+tab", "shift+tab", "p")  # the type (before the date): Proforma
        assert so.query_one("#field-doc-type").value == "PF"
        await pilot.press("enter", "enter", *"C0002", "enter")
        grid = so.query_one(ItemGrid)
        await wait_until(pilot, lambda: so.customer is not None)
        await pilot.press(*"AMOX250", "enter")
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        await pilot.press(*"20", "enter")
        await wait_until(pilot, lambda: figures(so)["net"] == "162.03")  # 144.00 − slab 3 % 4.32 + tax 22.35
        assert figures(so)["flat_amount"] == "3% 4.32"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: so.view is not None)
        assert so.view.number == "261101PF000001" and so.view.doc_type == "PF"
        assert shop.stock.item_stock("AMOX250", "AXP").reserved == D("20")

        await pilot.press("f7")
        assert bar(so).text == "Press F7 again to cancel 261101PF000001 (a manager's approval)"
        await pilot.press("f7")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalDialog))
        await pilot.press(*"manager", "enter", *"2222", "enter")
        await wait_until(pilot, lambda: so.view is not None and so.view.status == "cancelled")
        assert bar(so).text == "261101PF000001 cancelled: its reserved stock is released"
        await wait_until(pilot, lambda: "Cancelled" in text_of(so, "#doc-title"))
        assert shop.stock.item_stock("AMOX250", "AXP").reserved == D("0")
        assert shop.sales.document("261101PF000001").approved_by == "manager"


# ---------------------------------------------------------------- provisional invoice → delivery notes


async def test_provisional_invoice_then_partial_deliveries_show_the_balance(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        pi = await open_screen(pilot, app, ProvisionalInvoiceScreen, lambda s: s.context is not None)
        assert pi.focused.id == "field-customer"
        await pilot.press(*"C0001", "enter")
        grid = pi.query_one(ItemGrid)
        await wait_until(pilot, lambda: pi.customer is not None)
        assert pi.query_one("#field-sales-type").value == "credit"
        # PARA500 100 × 2.20 = 220.00; slab 3 % 6.60; tax 16 % of 213.40 = 34.14 → 247.54
        await pilot.press(*"PARA500", "enter")
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        assert (grid.cell(1, "current_stock").text, grid.cell(1, "reserved_stock").text) == ("600", "0")
        await pilot.press(*"100", "enter")
        await wait_until(pilot, lambda: figures(pi)["net"] == "247.54")
        assert figures(pi)["flat_amount"] == "3% 6.60"
        # the loyalty line: C0001's card earns nothing at wholesale prices; 5 points asked, none held
        await wait_until(pilot, lambda: pi.loyalty is not None)
        assert text_of(pi, "#pi-points-earned") == "+0"
        pi.query_one("#field-redemption-points").focus()
        await pilot.press("5")
        await wait_until(pilot, lambda: "only 0 points held" in text_of(pi, "#pi-redemption"))
        assert figures(pi)["payable"] == "247.54"  # nothing redeemed
        await pilot.press("backspace")

        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: pi.view is not None and text_of(pi, "#inv-credit").startswith("Posted, "))
        assert bar(pi).text == "Provisional invoice 261101PI000001 posted: payable 247.54 USD"
        assert text_of(pi, "#inv-credit").startswith("Posted, nothing delivered yet · qty 100 · delivered 0")
        assert shop.stock.item_stock("PARA500", "AXP").reserved == D("100")
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(app.screen, VoucherView))
        assert [(r.account, r.debit, r.credit) for r in app.screen.rows] == [
            ("1200", D("247.54"), D("0.00")), ("4000", D("0.00"), D("213.40")), ("2100", D("0.00"), D("34.14"))]
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is pi)

        # delivery note 1 (opened over the provisional invoice): the customer, then F2 in PSI No lists its open provisional invoice; 60 of 100
        dn = await open_screen(pilot, app, DeliveryNoteScreen, lambda s: s.location_code is not None)
        await pilot.press(*"C0001", "enter")
        assert dn.focused.id == "field-psi-no"
        await wait_until(pilot, lambda: dn.customer_code == "C0001")
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog) and app.screen.rows)
        assert [r.code for r in app.screen.rows] == ["261101PI000001"]
        await pilot.press("enter")
        dgrid = dn.query_one(ItemGrid)
        await wait_until(pilot, lambda: dn.source == "261101PI000001" and dgrid.lines[0].defaults is not None
                         and dn.focused is dgrid.cell(1, "qty"),  # the focus moves once the source's lines are in
                         lambda: f"source {dn.source!r}, defaults {dgrid.lines[0].defaults if dgrid.lines else None!r}, "
                                 f"focus {dn.focused!r} on {app.screen!r}, bar {bar(dn).text!r}")
        assert (dgrid.cell(1, "item").value, dgrid.cell(1, "batch").value, dgrid.cell(1, "qty").value) == (
            "PARA500", "B002", "100")
        assert dgrid.cell(1, "item").disabled  # the line comes from the PSI
        assert (dgrid.cell(1, "balance_qty").text, dgrid.cell(1, "reserved_stock").text) == ("100", "100")
        row, x = dgrid.rows[0], 0
        line = row.render_line(0).text
        for col in dgrid.columns:  # every column under its header: typed cells around the info columns the row draws
            cell = row.cell(col.key)
            if col.editable:
                assert cell.region.x - row.region.x == x, col.key
            elif col.kind == "info":
                assert line[x:x + col.width] == cell.text.rjust(col.width), col.key
            x += col.width + 1
        assert text_of(dn, "#ld-info") == "PSI 261101PI000001 · open · qty 100 · delivered 0 · balance 100"
        await retype(pilot, dgrid.cell(1, "qty"), "60")
        # the delivered share of the PSI: gross 132.00, flat 3.96, tax 20.48 → net 148.52
        await wait_until(pilot, lambda: figures(dn)["net"] == "148.52")
        assert figures(dn)["total_gross"] == "132.00" and dgrid.cell(1, "line_net").text == "132.00"
        # seed "Total Round Off": 148.52 × 2850 = 423,282.00 CDF, payable 423,300 → +18.00
        footer = dn.query_one(TotalsFooter)
        assert (footer.figure("payable_cdf"), footer.figure("round_off_cdf")) == ("423,300.00", "+18.00")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: dn.view is not None)
        assert bar(dn).text == "Delivery note 261101DN000001 saved: 60 delivered on 261101PI000001"
        await wait_until(pilot, lambda: dgrid.cell(1, "balance_qty").text == "40")
        assert text_of(dn, "#ld-info") == "PSI 261101PI000001 · partial · qty 100 · delivered 60 · balance 40 now"
        assert shop.stock.item_stock("PARA500", "AXP").current == D("540")
        assert shop.stock.item_stock("PARA500", "AXP").reserved == D("40")

        # delivery note 2 (Ctrl+N): the PSI No typed; the balance is 40, more is refused
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: dn.view is None and dn.focused is not None)
        await pilot.press(*"C0001", "enter", *"261101PI000001", "tab")
        await wait_until(pilot, lambda: dn.source == "261101PI000001" and dgrid.lines[0].defaults is not None)
        assert (dgrid.cell(1, "balance_qty").text, dgrid.cell(1, "qty").value) == ("40", "40")
        await retype(pilot, dgrid.cell(1, "qty"), "45")
        await wait_until(pilot, lambda: bar(dn).text.startswith("Quantity 45 exceeds"))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bar(dn).kind == "error")
        assert bar(dn).text == "Quantity 45 exceeds the balance 40 of line 1"
        assert dn.focused is dgrid.cell(1, "qty") and dn.view is None
        await retype(pilot, dgrid.cell(1, "qty"), "40")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: dn.view is not None)
        assert dn.view.number == "261101DN000002"
        await wait_until(pilot, lambda: text_of(dn, "#ld-info") == (
            "PSI 261101PI000001 · closed · qty 100 · delivered 100 · balance 0 now"))
        assert shop.provisional.state("261101PI000001") == "closed"
        await pilot.press("escape")

        # the provisional invoice cannot be cancelled once delivered: the service's message
        await wait_until(pilot, lambda: app.screen is pi)
        await pilot.press("f7", "f7")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalDialog))
        await pilot.press(*"manager", "enter", *"2222", "enter")
        await wait_until(pilot, lambda: app.screen is pi and bar(pi).kind == "error")
        assert bar(pi).text == ("Provisional invoice 261101PI000001 is delivered (261101DN000001, 261101DN000002): "
                                "it can no longer be cancelled")


async def test_delivery_note_for_a_customer_without_open_psi_says_the_seed_message(shop):
    shop.provisional.post(actor(shop, "cashier"), DocumentDraft(
        doc_type="PI", customer="C0001", lines=[DraftLine(item="BAND01", qty="3")]))
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        dn = await open_screen(pilot, app, DeliveryNoteScreen, lambda s: s.location_code is not None)
        await pilot.press("tab")  # the PSI No before the customer
        assert dn.focused.id == "field-psi-no"
        await pilot.press("f2")
        await wait_until(pilot, lambda: bar(dn).kind == "error")
        assert bar(dn).text == "PSI No: choose the customer first (F2 in Client)"
        assert dn.focused.id == "field-customer"
        await pilot.press(*"C0002", "enter")  # Pharmacie du Fleuve: no provisional invoice
        await wait_until(pilot, lambda: bar(dn).text == PSI_EMPTY)
        assert PSI_EMPTY.startswith("PSI No. dropdown empty")
        dn.query_one("#field-psi-no").focus()
        dn.message_bar.clear()
        await pilot.press("f2")
        await wait_until(pilot, lambda: bar(dn).text == PSI_EMPTY)
        assert not isinstance(app.screen, LookupDialog)
        assert bar(dn).text == PSI_EMPTY
        # C0001's provisional invoice typed for C0002 is refused, and Ctrl+S without a PSI No too
        await pilot.press(*"261101PI000001", "tab")
        await wait_until(pilot, lambda: bar(dn).text != PSI_EMPTY)
        assert bar(dn).text == "PSI No. 261101PI000001 is for C0001, not C0002"
        assert dn.source is None and dn.focused.id == "field-psi-no"
        await pilot.press("ctrl+s")
        assert bar(dn).text == "PSI No is required"


async def test_delivery_note_third_header_row_fits_80_columns_in_cdf(shop):
    """Tel, the currency line and Credit on one row: the Credit choice was cut to 'Y'
    (USD) and pushed off the screen (CDF, 'To base 1/2850')."""
    from textual.widgets import Input

    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        dn = await open_screen(pilot, app, DeliveryNoteScreen, lambda s: s.location_code is not None)
        dn.query_one("#field-contact-no", Input).value = "+243 99 600 1003"
        for currency in ("USD", "CDF"):
            dn._show_currency(currency, D("2850"), False)
            await pilot.pause()
            choice = dn.query_one("#field-credit-sale")
            assert choice.region.width == 3 and choice.region.right <= SIZE[0], currency
            tel = dn.query_one("#field-contact-no", Input)
            assert tel.region.width >= len("+243 99 600 1003"), currency


async def test_provisional_invoice_loyalty_line_does_not_ask_for_a_chosen_customer(shop):
    """The customer chosen, no line yet: the loyalty line still said 'choose the customer'."""
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        pi = await open_screen(pilot, app, ProvisionalInvoiceScreen, lambda s: s.context is not None)
        assert "choose the customer" in text_of(pi, "#pi-redemption")
        await pilot.press(*"C0001", "enter")
        await wait_until(pilot, lambda: pi.customer is not None and pi.customer.code == "C0001")
        await pilot.pause()
        assert "choose the customer" not in text_of(pi, "#pi-redemption")


async def test_an_order_on_a_day_not_open_says_the_order_not_an_invoice_cannot_be_saved(tmp_path_factory, tmp_path):
    """The Sales Order screen's note on a closed day spoke of "this invoice"; the invoice keeps its word."""
    svc = _copy_services(_template(tmp_path_factory), tmp_path)
    try:
        app = ShoptermApp(svc, actor=actor(svc, "cashier"))
        async with app.run_test(size=SIZE) as pilot:
            for cls, word in ((SalesOrderScreen, "order"), (SalesInvoiceScreen, "invoice")):
                screen = await open_screen(pilot, app, cls, lambda s: bool(s.query(MessageBar)))
                await wait_until(pilot, lambda: bar(screen).kind == "warning", lambda: (bar(screen).kind, bar(screen).text))
                assert bar(screen).text == ("Day 2026-11-23 is not open at AXP: Shop Open first, "
                                            f"or this {word} cannot be saved")
                app.pop_screen()
    finally:
        svc.db.dispose()


async def test_an_order_left_with_esc_asks_for_no_preview_while_its_widgets_go(shop):
    """The debounced preview of a screen just left (still mounted while its widgets are taken
    down) must not run: it would look for the grid as it goes. A dialog over the screen keeps it."""
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        so = await open_screen(pilot, app, SalesOrderScreen, lambda s: s.context is not None)
        assert so.preview_wanted()
        dialog = ModalScreen()
        app.push_screen(dialog)
        await wait_until(pilot, lambda: app.screen is dialog)
        assert so.preview_wanted()  # under a dialog: still open
        app.pop_screen()
        await wait_until(pilot, lambda: app.screen is so)
        app.pop_screen()  # Esc on a clean order
        assert so.is_mounted and not so.preview_wanted()
        so._run_preview()  # the timer firing now: nothing happens, nothing raised
        await pilot.pause()
