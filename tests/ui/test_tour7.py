"""Pilot tests of what a terminal tour of the counter and the manager's screens found wrong
(seventh session), each at 80×24 with the keys a cashier or a manager presses.

Figures by hand are in each test's docstring.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shopterm.app import ShoptermApp
from shopterm.screens.sales_invoice import SalesInvoiceScreen
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.widgets.item_grid import ItemGrid
from shopterm.widgets.lookup import LookupDialog
from shopterm.widgets.voucher_view import VoucherView
from tests.store import conftest as store
from tests.ui.test_cash_screens import shop as cash_shop  # noqa: F401 (fixture)
from tests.ui.test_close_header_screen import french  # noqa: F401 (fixture)
from tests.ui.test_day_screens import count_cash, shop, sold  # noqa: F401 (fixtures)
from tests.ui.test_orders_screens import open_screen
from tests.ui.test_returns_screens import return_of
from tests.ui.test_screens_in_both_languages import screen_text
from tests.ui.waiting import wait_for

TODAY = dt.date(2026, 11, 23)


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


@pytest.fixture
def demo(tmp_path):
    """The demo shop (`shopterm demo`: real phone numbers and addresses), its day open."""
    from shopterm.services import Services
    from shopterm.services.admin.demo import build_demo

    s = Services.open(f"sqlite:///{tmp_path / 'demo.db'}", today=TODAY)
    build_demo(s, TODAY)
    s.day.open_day(s.users.login("admin", "9999"))
    yield s
    s.db.dispose()


async def test_a_partial_return_in_french_shows_the_whole_phone_points_and_balance_left(demo, french):
    """C0002 bought 80 PARA500 on credit (2.20 USD wholesale, slab 3 %: net 198.04 USD, 19 points)
    and returns 3. At 80 columns the screen shows the whole mobile number (+243 82 600 1002 was cut
    to +243 82 600 100), the card's points (the address is what a long line loses), and once saved
    the 77 boxes left to return (the line ran past 80 columns). No point is taken back: the 190.62
    USD left still earn 19 (the eighth session's rule; it took 1)."""
    number = demo.sales.post_invoice(demo.users.login("cashier", "1111"), DocumentDraft(
        customer="C0002", sales_type="credit", lines=[DraftLine(item="PARA500", qty="80")])).number
    held = demo.loyalty.status("C0002").points
    assert held == 19
    app = ShoptermApp(demo, actor=store.actor(demo, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        sr = await return_of(pilot, app, number, "enter", "3")
        await wait_for(pilot, lambda: "Carte Standard" in screen_text(app), "the card")
        shown = screen_text(app)
        assert "Mobile +243 82 600 1002 " in shown
        assert "Facture · Carte Standard · 19 points · Adresse 4 boulevard" in shown
        await pilot.press("enter", *"Boites abimees", "ctrl+s")
        await wait_for(pilot, lambda: sr.view is not None, "saved")
        await wait_for(pilot, lambda: "reste 77" in sr.query_one("#ld-extra").render().plain, "balance left")
        extra = sr.query_one("#ld-extra").render().plain
        assert extra == "Qté payée 3 · Qté grat. 0 · Avoir 7,42 USD · reste 77"
        assert extra in screen_text(app)


async def test_a_flat_discount_amount_follows_the_currency_switch(open_shop):
    """3 AMOX250 at 7.99 USD with a flat discount of 5.00 USD: net 23.97 − 5.00 + tax 16 % of 18.97
    (3.04) = 22.01 USD. Switched to CDF at 2850 the flat discount is 14,250.00 CDF (it stayed 5,
    read as 5 francs): gross 3 × 22,771.50 = 68,314.50, tax 16 % of 54,064.50 = 8,650.32,
    net 62,714.82 CDF, payable 62,700.00 CDF; and back to USD, 5.00 again."""
    from tests.ui.test_orders_screens import figures

    app = ShoptermApp(open_shop, actor=store.actor(open_shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        inv = await open_screen(pilot, app, SalesInvoiceScreen, lambda s: s.context is not None)
        grid = inv.query_one(ItemGrid)
        grid.focus_cell(1, "item")
        await pilot.press(*"3*AMOX250", "enter")
        await wait_for(pilot, lambda: grid.lines[0].defaults is not None, "the item")
        await pilot.press("f6")
        inv.query_one("#field-flat-discount-value").focus()
        await pilot.press("5")
        await wait_for(pilot, lambda: figures(inv)["net"] == "22.01", lambda: f"figures {figures(inv)}")
        inv.query_one("#field-currency").focus()
        await pilot.press("space")
        await wait_for(pilot, lambda: figures(inv)["net"] == "62,714.82", lambda: f"figures {figures(inv)}")
        assert inv.footer_totals.flat_type == "amount"
        assert inv.footer_totals.flat_value == Decimal("14250.00")
        assert (figures(inv)["total_gross"], figures(inv)["tax"], figures(inv)["payable"]) == (
            "68,314.50", "8,650.32", "62,700.00")
        await wait_for(pilot, lambda: inv.message_bar.text == (
            "Typed prices converted from USD to CDF at 2850: flat discount 5.00 → 14,250.00"),
            lambda: f"message {inv.message_bar.text!r}")
        await pilot.press("space")
        await wait_for(pilot, lambda: figures(inv)["net"] == "22.01", lambda: f"figures {figures(inv)}")
        assert inv.footer_totals.flat_value == Decimal("5.00")


async def test_f9_shows_the_journal_of_a_posted_receipt_and_exchange(cash_shop):
    """The §4 invoice (54.86 USD) paid 100,000 CDF at 2850: the receipt's voucher is Dr 1110 Cash CDF
    35.09 USD (100,000.00 CDF), Cr 1200 receivables 35.09 (100,000 / 2850 = 35.087…). An exchange of
    28,500 CDF for 10 USD at the system rate: Dr 1110 10.00 (28,500.00 CDF), Cr 1100 10.00. F9 is
    greyed until the document is posted (DESIGN §12: F9 voucher details on every screen)."""
    from tests.ui.test_cash_screens import float_in, post_design_invoice
    from tests.ui.test_day_screens import footer, open_screen as open_entry, text

    number = post_design_invoice(cash_shop)
    float_in(cash_shop, "USD", "50")
    app = ShoptermApp(cash_shop, actor=store.actor(cash_shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_entry(pilot, app, "sales_receipt")
        assert screen.check_action("voucher", ()) is None
        await pilot.press(*number, "enter", "enter", "enter", *"100000")
        await wait_for(pilot, lambda: text(screen, "balance-cdf") == "56,400.00", "partial balance")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "receipt posted")
        await wait_for(pilot, lambda: "F9 Vchr" in footer(screen), lambda: f"footer {footer(screen)!r}")
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, VoucherView), "the voucher")
        assert sorted((r.account, r.debit, r.credit, r.currency, r.amount) for r in app.screen.rows) == [
            ("1110", Decimal("35.09"), Decimal("0.00"), "CDF", Decimal("100000.00")),
            ("1200", Decimal("0.00"), Decimal("35.09"), "USD", Decimal("-35.09"))]
        await pilot.press("escape")
        app.pop_screen()
        screen = await open_entry(pilot, app, "currency_exchange")
        assert screen.check_action("voucher", ()) is None
        await pilot.press(*"28500", "enter", "enter")
        await wait_for(pilot, lambda: screen.query_one("#field-amount-given").value == "10.00", "given")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "exchange posted")
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, VoucherView), "the voucher")
        assert sorted((r.account, r.debit, r.credit) for r in app.screen.rows) == [
            ("1100", Decimal("0.00"), Decimal("10.00")), ("1110", Decimal("10.00"), Decimal("0.00"))]


async def test_the_trial_balance_in_french_names_the_chosen_account_in_french(sold, french):
    """The §4 cash sale paid 50 USD + 20,000 CDF (6,100 change): 1100 Cash USD holds 50.00 USD.
    Its row reads 'Caisse USD' and so does the line under the table (it said 'Cash USD')."""
    from tests.ui.test_ledgers import open_from_menu

    app = ShoptermApp(sold, actor=store.actor(sold, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_menu(pilot, app, "trial_balance")
        view = screen.view
        await wait_for(pilot, lambda: view.page is not None and view.rows, "trial balance")
        assert view.rows[0].code == "1100"
        await pilot.press("enter")  # At: on to the report, on its first row
        await wait_for(pilot, lambda: app.focused is view, "in the report")
        await wait_for(pilot, lambda: view.detail_text().startswith("1100 "), lambda: view.detail_text())
        assert view.detail_text() == "1100 Caisse USD (Actif) · solde débiteur · Entrée : son registre"


async def test_a_receipts_voucher_in_the_general_ledger_reads_french(sold, french):
    """The general ledger's voucher of the §4 receipt (54.86 USD settled) says in French what it
    settles and what cash the till kept for it (it said 'receipt', then 'Montant 54,86 USD (54,88 USD)')."""
    from tests.ui.test_ledgers import open_from_menu

    app = ShoptermApp(sold, actor=store.actor(sold, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_menu(pilot, app, "general_ledger")
        view = screen.view
        await wait_for(pilot, lambda: view.page is not None and len(view.rows) == 1, "the receipt")
        await pilot.press("enter", "enter", "enter")  # Du, Au, Point de vente: on to the report
        await wait_for(pilot, lambda: app.focused is view, "in the report")
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "EntryVoucherView", "voucher")
        amount = next(line for line in app.screen.text.split("\n") if line.startswith("Règle "))
        # 54.86 USD settled; 54.88 USD: the cash kept (50 USD + 13,900 CDF at 2850)
        assert amount == "Règle 54,86 USD · espèces encaissées, monnaie déduite : 54,88 USD"


async def test_enter_typed_as_the_f2_list_opens_picks_its_first_row_once_it_comes():
    """F2 then Enter at once (the cashier knows the open invoice is first): the Enter reached the
    list before its rows and was lost ('Nothing selected'); it now picks the first row when the
    rows come."""
    import threading

    from textual.app import App

    from tests.ui.test_lookup import ROWS, fake_search

    gate = threading.Event()

    def slow_search(query: str):
        gate.wait(10)
        return fake_search(query)

    class SlowApp(App):
        result = "unset"

        def on_mount(self) -> None:
            self.push_screen(LookupDialog("Open invoices", slow_search), lambda row: setattr(self, "result", row))

    app = SlowApp()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.is_mounted, "the dialog")
        await pilot.press("enter")
        assert dialog.rows == [] and app.result == "unset"
        gate.set()
        await wait_for(pilot, lambda: app.result != "unset", "the pick")
        assert app.result == ROWS[0]
