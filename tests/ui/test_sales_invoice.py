"""The Sales Invoice (Facture) screen, keys only, on a real shop database.

The shop is the service tests' demo-like shop (tests/store/conftest.py) with
the AXP day 2026-11-23 open; the cashier types the DESIGN §4 worked example and
the footer is checked after each line against figures computed by hand.

The counter flow (DESIGN §12): a new invoice opens on the walk-in customer
CASH with the focus in row 1's item cell; Enter in Qty ends the line (Tab
walks the cells); Ctrl+S on a cash sale opens tendering (Esc there leaves the
invoice posted, unpaid). tests/ui/test_counter_speed.py is the full sale.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shopterm.app import ShoptermApp
from shopterm.screens import registry
from shopterm.screens.sales_invoice import SalesInvoiceScreen
from shopterm.screens.sales_receipt import SalesReceiptScreen
from shopterm.widgets.approval import ApprovalDialog
from shopterm.widgets.document_list import DocumentListDialog
from shopterm.widgets.item_grid import ItemGrid
from shopterm.widgets.messages import MessageBar
from shopterm.widgets.totals_footer import TotalsFooter
from shopterm.widgets.voucher_view import HistoryView, VoucherView
from tests.store.conftest import _copy_services, _template, actor, open_day
from tests.ui.waiting import wait_until

SIZE = (80, 24)


@pytest.fixture
def shop(tmp_path_factory, tmp_path):
    svc = _copy_services(_template(tmp_path_factory), tmp_path)
    open_day(svc)
    yield svc
    svc.db.dispose()


async def start(pilot, app) -> SalesInvoiceScreen:
    app.push_screen(SalesInvoiceScreen())
    await wait_until(pilot, lambda: isinstance(app.screen, SalesInvoiceScreen))
    screen = app.screen
    await wait_until(pilot, lambda: screen.context is not None and screen.customer is not None)
    return screen


async def to_client(pilot, screen) -> None:
    """Focus the client field (it selects its text, so typing replaces the walk-in customer)."""
    screen.query_one("#field-customer").focus()
    await wait_until(pilot, lambda: screen.focused is screen.query_one("#field-customer"))


async def leave_tendering(pilot, app, screen) -> None:
    """A cash sale just posted opens tendering: Esc goes back to the posted, unpaid invoice."""
    await wait_until(pilot, lambda: isinstance(app.screen, SalesReceiptScreen))
    await pilot.press("escape")
    await wait_until(pilot, lambda: app.screen is screen and screen.view is not None)


def figures(screen) -> dict[str, str]:
    footer = screen.query_one(TotalsFooter)
    keys = ("total_qty", "total_gross", "total_discount", "flat_amount", "tax", "net", "net_usd", "net_cdf",
            "round_off_cdf", "payable", "payable_cdf", "payable_usd")
    return {k: footer.figure(k) for k in keys}


async def line(pilot, screen, n: int, item: str, *rest: str) -> None:
    """Type an item, wait for its defaults, then the remaining keys."""
    grid = screen.query_one(ItemGrid)
    await pilot.press(*item, "enter")
    await wait_until(pilot, lambda: grid.lines[n - 1].defaults is not None)
    await pilot.press(*rest)


async def header_cash_sp01(pilot, screen) -> None:
    """CASH (the walk-in customer: retail prices) and sales person SP01, keys only."""
    await to_client(pilot, screen)
    await pilot.press(*"CASH")
    await pilot.press("tab", "tab", "tab", "tab", "tab")  # contact, SO/PF, currency, rate, sales person
    assert screen.focused.id == "field-sales-person"
    await pilot.press(*"SP01")
    await pilot.press("enter", "enter", "enter", "enter", "enter")  # add %, agent, free, $print → grid
    grid = screen.query_one(ItemGrid)
    assert screen.focused is grid.cell(1, "item")
    await wait_until(pilot, lambda: screen.customer is not None)


def test_registered_for_cashiers_in_sales():
    registry.discover()
    entry = registry.get("sales_invoice")
    assert entry is not None
    assert (entry.title, entry.group) == ("Sales Invoice (Facture)", "Sales")
    assert entry.roles == registry.CASHIER


async def test_worked_example_typed_with_keys_then_posted(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        assert screen.focused is screen.query_one(ItemGrid).cell(1, "item")
        assert screen.query_one("#field-customer").value == "CASH"
        assert screen.query_one("#field-date").value == "2026-11-23"
        assert screen.query_one("#field-rate").value == "2850"
        await header_cash_sp01(pilot, screen)
        assert screen.query_one("#field-sales-type").value == "cash"
        assert "Walk-In Customer" in str(screen.query_one("#inv-customer-name").render())

        # line 1: PARA500 10 × 2.50, disc 10 % → net 22.50, tax 3.60; slab 0 % under 100 USD
        await line(pilot, screen, 1, "PARA500", *"10", "tab", "tab", *"10", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "26.10")
        assert figures(screen) == {
            "total_qty": "10", "total_gross": "25.00", "total_discount": "2.50", "flat_amount": "0% 0.00",
            "tax": "3.60", "net": "26.10", "net_usd": "26.10", "net_cdf": "74,385.00", "round_off_cdf": "+15.00",
            "payable": "26.10", "payable_cdf": "74,400.00", "payable_usd": "26.10",
        }
        # line 2: AMOX250 3 × 7.99, line flat 1.00 → net 22.97, tax 3.68
        await line(pilot, screen, 2, "AMOX250", *"3", "tab", "tab", "tab", *"1.00", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "52.75")
        assert figures(screen) == {
            "total_qty": "13", "total_gross": "48.97", "total_discount": "3.50", "flat_amount": "0% 0.00",
            "tax": "7.28", "net": "52.75", "net_usd": "52.75", "net_cdf": "150,337.50", "round_off_cdf": "-37.50",
            "payable": "52.75", "payable_cdf": "150,300.00", "payable_usd": "52.75",
        }
        # line 3: BAND01 4 × 1.25, no tax
        await line(pilot, screen, 3, "BAND01", *"4", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "57.75")
        assert figures(screen)["net_cdf"] == "164,587.50"
        assert figures(screen)["payable_cdf"] == "164,600.00"
        grid = screen.query_one(ItemGrid)
        assert screen.focused is grid.cell(4, "item")

        # Enter on the blank row leaves the grid: flat type (%), then the flat value
        await pilot.press("enter")
        assert screen.focused.id == "field-flat-discount-type"
        await pilot.press("enter", "5")
        await wait_until(pilot, lambda: figures(screen)["net"] == "54.86")
        assert figures(screen) == {
            "total_qty": "17", "total_gross": "53.97", "total_discount": "3.50", "flat_amount": "2.52",
            "tax": "6.91", "net": "54.86", "net_usd": "54.86", "net_cdf": "156,351.00", "round_off_cdf": "+49.00",
            "payable": "54.86", "payable_cdf": "156,400.00", "payable_usd": "54.86",
        }
        assert [grid.cell(n, "line_net").text for n in (1, 2, 3)] == ["22.50", "22.97", "5.00"]

        await pilot.press("ctrl+s")
        await leave_tendering(pilot, app, screen)
        bar = screen.query_one(MessageBar)
        assert bar.text.startswith("261101SI000001 is posted but not paid")
        assert str(screen.query_one("#inv-number").render()) == "261101SI000001"
        assert "261101SI000001 · Posted" in str(screen.query_one("#doc-title").render())
        assert screen.query_one("#field-customer").disabled and grid.read_only

        view = shop.sales.document("261101SI000001")
        assert view.status == "posted" and view.customer == "CASH" and view.sales_person == "SP01"
        assert [(ln.item, ln.batch, ln.qty, ln.line_net, ln.flat_share, ln.tax_amount) for ln in view.lines] == [
            ("PARA500", "B002", D("10"), D("22.50"), D("1.12"), D("3.42")),
            ("AMOX250", "A001", D("3"), D("22.97"), D("1.15"), D("3.49")),
            ("BAND01", "D001", D("4"), D("5.00"), D("0.25"), D("0.00")),
        ]
        t = view.totals
        assert (t.subtotal, t.flat_amount, t.tax, t.net, t.payable_cdf) == (
            D("50.47"), D("2.52"), D("6.91"), D("54.86"), D("156400.00"))

        # posted is final: typing does nothing, Ctrl+S says so; F9 shows the posted journal
        await pilot.press("ctrl+s")
        assert "posted documents are final" in bar.text
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(app.screen, VoucherView))
        voucher = app.screen
        assert [(r.account, r.debit, r.credit) for r in voucher.rows] == [
            ("1200", D("54.86"), D("0.00")), ("4000", D("0.00"), D("47.95")), ("2100", D("0.00"), D("6.91")),
            ("5000", D("34.10"), D("0.00")), ("1300", D("0.00"), D("34.10")),
        ]
        assert "balanced" in voucher.text
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)

        # Ctrl+N: the next invoice, blank and editable
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen.view is None and screen.focused is not None)
        assert screen.focused is grid.cell(1, "item")
        assert not grid.read_only and len(grid.rows) == 1
        assert screen.query_one("#field-customer").value == "CASH"  # the walk-in customer again


async def test_the_grid_reads_the_item_map_and_a_typed_code_needs_no_search(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        grid = screen.query_one(ItemGrid)
        await wait_until(pilot, lambda: grid.item_code("para500") == "PARA500")
        searched: list[str] = []
        search = grid.item_search
        grid.item_search = lambda q: searched.append(q) or search(q)
        await pilot.press(*"PARA500", "enter")
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        assert grid.lines[0].item == "PARA500" and searched == []


async def test_bad_qty_shows_the_message_and_keeps_what_was_typed(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await line(pilot, screen, 1, "PARA500", *"1O", "enter")  # a letter O for a zero
        bar = screen.query_one(MessageBar)
        await wait_until(pilot, lambda: bar.kind == "error")
        assert bar.text == "Qty (line 1): '1O' is not a number"
        grid = screen.query_one(ItemGrid)
        assert grid.cell(1, "qty").value == "1O"
        assert screen.focused is grid.cell(1, "qty")
        # saving refuses the bad cell before calling the service, and keeps it
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bar.text == "Qty (line 1): '1O' is not a number")
        assert screen.view is None and grid.cell(1, "qty").value == "1O"


async def test_service_errors_focus_their_field(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)  # CASH: no sales person for the walk-in customer, none for the user
        await line(pilot, screen, 1, "BAND01", *"2", "enter")
        await pilot.press("ctrl+s")
        bar = screen.query_one(MessageBar)
        await wait_until(pilot, lambda: bar.kind == "error")
        assert bar.text == "Sales person is required"
        assert screen.focused.id == "field-sales-person"
        # a line error focuses the cell of that line: more than the batch holds
        await pilot.press(*"SP01")
        grid = screen.query_one(ItemGrid)
        grid.focus_cell(1, "qty")
        await pilot.press(*"2000")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bar.text.startswith("Insufficient stock"))
        assert bar.text == "Insufficient stock: batch D001 of BAND01 holds 1,000, 2,000 asked"
        assert screen.focused is grid.cell(1, "qty")
        assert grid.cell(1, "qty").value == "2000"


async def test_credit_sale_over_the_limit_asks_a_manager_then_posts(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await to_client(pilot, screen)
        await pilot.press(*"C0002", "enter")  # Pharmacie du Fleuve: credit, limit 500, SP02, wholesale
        await wait_until(pilot, lambda: screen.customer is not None and screen.customer.code == "C0002")
        assert screen.query_one("#field-sales-type").value == "credit"
        assert screen.query_one("#field-sales-person").value == "SP02"
        assert screen.query_one("#field-contact-no").value == "+243810000002"
        assert str(screen.query_one("#inv-credit").render()) == (
            "Limit 500.00 · 15 days · Outstanding $ 0.00 · Available 500.00")
        # 70 × 7.20 = 504.00; slab 5 % = 25.20; tax 16 % of 478.80 = 76.61; net 555.41 > 500
        await line(pilot, screen, 1, "AMOX250", *"70", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "555.41")
        assert figures(screen)["flat_amount"] == "5% 25.20"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalDialog))
        dialog = app.screen
        assert "Credit limit exceeded" in dialog.reason
        await pilot.press(*"manager", "enter", *"2222", "enter")
        await wait_until(pilot, lambda: screen.view is not None)
        assert screen.view.number == "261101SI000001"
        assert screen.view.approved_by == "manager"
        assert shop.sales.document("261101SI000001").totals.receivable_usd == D("555.41")


async def test_draft_is_numberless_and_reopens_from_f3(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        await line(pilot, screen, 1, "PARA500", *"2", "tab", *"2.40", "enter")
        await pilot.press("ctrl+d")
        bar = screen.query_one(MessageBar)
        await wait_until(pilot, lambda: screen.draft_id is not None)
        draft_id = screen.draft_id
        assert bar.text == f"Draft #{draft_id} saved (no number yet): reopen it with F3"
        assert not screen.is_dirty()

        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen.draft_id is None and not screen.grid.lines[0].item)
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, DocumentListDialog) and app.screen.rows)
        dialog = app.screen
        assert [(r.id, r.number, r.status) for r in dialog.rows] == [(draft_id, None, "draft")]
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.draft_id == draft_id)
        grid = screen.query_one(ItemGrid)
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None and screen.customer is not None)
        assert screen.query_one("#field-customer").value == "CASH"
        assert screen.query_one("#field-sales-person").value == "SP01"
        assert (grid.cell(1, "item").value, grid.cell(1, "qty").value, grid.cell(1, "price").value) == (
            "PARA500", "2", "2.40")
        await wait_until(pilot, lambda: figures(screen)["net"] == "5.57")  # 4.80 + 16 % tax 0.77
        assert not screen.is_dirty()

        await pilot.press("ctrl+s")
        await leave_tendering(pilot, app, screen)
        assert screen.view.number == "261101SI000001" and screen.view.id == draft_id
        rows = shop.sales.list_documents("SI")
        assert [(r.number, r.status) for r in rows] == [("261101SI000001", "posted")]

        # F4: the draft's saving and the post, oldest first
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryView))
        assert [r.action for r in app.screen.rows] == ["create", "post"]
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)

        # F3 on a new invoice: the posted one opens read-only with its stored figures
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen.view is None)
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, DocumentListDialog) and app.screen.rows)
        await pilot.press(*"SI0000")
        await wait_until(pilot, lambda: [r.number for r in app.screen.rows] == ["261101SI000001"])
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.view is not None)
        assert grid.read_only and screen.query_one("#field-customer").disabled
        assert grid.cell(1, "line_net").text == "4.80"
        assert figures(screen)["net"] == "5.57"
        # a posted invoice offers no Draft (posted is final; ^G Mail takes its place in the footer) and
        # Ctrl+S says why nothing is saved
        assert screen.check_action("after_typing", ("draft",)) is False
        assert screen.check_action("email", ()) is True
        await pilot.press("ctrl+s")
        assert "posted documents are final" in screen.query_one(MessageBar).text


async def test_f9_before_saving_shows_the_preview_journal(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await header_cash_sp01(pilot, screen)
        await line(pilot, screen, 1, "BAND01", *"4", "enter")
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(app.screen, VoucherView))
        voucher = app.screen
        assert [(r.account, r.debit, r.credit) for r in voucher.rows] == [
            ("1200", D("5.00"), D("0.00")), ("4000", D("0.00"), D("5.00")),
            ("5000", D("2.80"), D("0.00")), ("1300", D("0.00"), D("2.80")),
        ]
        assert "Not saved yet" in voucher.text


async def test_ctrl_n_twice_discards_and_the_unsaved_warning_goes(shop):
    """The second Ctrl+N discards the typing: its 'press Ctrl+N again' warning is done
    with and must not stay under the new invoice."""
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await line(pilot, screen, 1, "PARA500", *"2")
        bar = screen.query_one(MessageBar)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: "press Ctrl+N again" in bar.text)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: not screen.grid.lines[0].item and not screen.is_dirty())
        await pilot.pause()
        assert "press Ctrl+N again" not in bar.text
