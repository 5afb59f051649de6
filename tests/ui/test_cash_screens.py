"""Pilot tests, keys only at 80×24, of the till screens: Sales Receipt / Return,
Receipt / Payment (Shop) and Currency Exchange, on the demo-like shop of
tests/store/conftest.py with the real services.

Figures by hand (DESIGN §4, §7): the §4 invoice is 54.86 USD = 156,351 CDF at
2850, payable 156,400 CDF. Paid with 50 USD + 20,000 CDF: 142,500 + 20,000 =
162,500 received, change 162,500 − 156,400 = 6,100 CDF, balance 0.
An exchange of 300,000 CDF at 3000 gives 100 USD; at the system rate 2850 the
francs are worth 105.26 USD: gain 5.26 USD (15,000 CDF).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shopterm.app import ShoptermApp
from shopterm.screens import registry
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from tests.store import conftest as store
from tests.ui.test_day_screens import footer, open_screen, text, wait_for

DAY = store.DAY


@pytest.fixture
def shop(tmp_path_factory, tmp_path):
    """The demo-like shop with the day open (a real Shop Open document)."""
    svc = store._copy_services(store._template(tmp_path_factory), tmp_path)
    svc.day.open_day(store.actor(svc, "cashier"), location="AXP", date=DAY)
    yield svc
    svc.db.dispose()


def post_design_invoice(svc) -> str:
    """DESIGN §4's worked example as a cash sale to the walk-in customer: 54.86 USD."""
    result = svc.sales.post_invoice(store.actor(svc, "cashier"), DocumentDraft(
        customer="CASH", sales_type="cash", currency="USD", rate="2850", sales_person="SP01",
        flat_discount_type="percent", flat_discount_value="5",
        lines=[DraftLine("PARA500", qty="10", price="2.50", discount_pct="10"),
               DraftLine("AMOX250", qty="3", price="7.99", flat_discount="1.00"),
               DraftLine("BAND01", qty="4", price="1.25")]))
    return result.number


def float_in(svc, currency: str, amount: str) -> None:
    svc.cash.post_shop_entry(store.actor(svc, "cashier"), kind="receipt", location="AXP", date=DAY,
                             particulars="1900", cost_centre="SHOP", currency=currency, rate="2850",
                             amount=amount, narration="Float from head office")


async def test_receipt_of_the_design_invoice_gives_6100_change(shop):
    number = post_design_invoice(shop)
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "sales_receipt")
        assert screen.focused.id == "field-invoice"
        shown = ("F2 Find", "^N New", "^S Save", "F3 List", "Esc Back")
        await wait_for(pilot, lambda: all(s in footer(screen) for s in shown), f"footer {footer(screen)!r}")
        await pilot.press(*number, "enter")
        await wait_for(pilot, lambda: text(screen, "invoice-cdf") == "156,400.00", "invoice loaded")
        assert text(screen, "customer") == "CASH Walk-In Customer"
        assert text(screen, "invoice-usd") == "54.86"
        assert text(screen, "taux-difference") == "0"
        # Enter: rate (2850 by default) → Print in USD? → CDF received → USD received
        await pilot.press("enter", "enter", *"20000", "enter", *"50")
        await wait_for(pilot, lambda: text(screen, "returned-cdf") == "6,100.00", "change computed")
        assert text(screen, "balance-cdf") == "0.00"
        assert text(screen, "balance-usd") == "0.00"
        assert text(screen, "receipt-note") == "Paid in full: give 6,100.00 CDF change."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "receipt posted")
        assert screen.document_number == "261101RC000001"
        assert text(screen, "receipt-no") == "261101RC000001"
        assert screen.message_bar.text.startswith("Receipt 261101RC000001 posted; give 6,100.00 CDF change")
        assert screen.check_action("save", ()) is None  # posted is final
        # F4: the receipt's history; Esc back
        await pilot.press("f4")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HistoryDialog" and app.screen.rows, "history")
        assert [(r.user_name, r.action) for r in app.screen.rows] == [("cashier", "post")]
        await pilot.press("escape")
        # Ctrl+N, then F3: the list of receipts; Enter shows the posted one, read-only
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: not screen.posted and text(screen, "receipt-no") == "(assigned on save)", "new")
        await pilot.press("f3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DocumentListDialog" and app.screen.rows, "list")
        listed = app.screen.rows[0]
        assert (listed.number, listed.payable, listed.currency) == ("261101RC000001", D("54.86"), "USD")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.document_number == "261101RC000001", "shown from the list")
        assert screen.posted
        assert screen.query_one("#field-invoice").value == number
        assert (text(screen, "returned-cdf"), text(screen, "balance-cdf")) == ("6,100.00", "0.00")
        assert text(screen, "receipt-note") == "Paid in full; 6,100.00 CDF change given."
    view = shop.sales.document("261101RC000001")
    assert (view.extra["received_usd"], view.extra["received_cdf"], view.extra["returned_cdf"]) == (
        "50.00", "20000.00", "6100.00")
    assert view.extra["fully_settled"] is True
    assert shop.cash.open_invoices("AXP") == []


async def test_partial_payment_says_the_balance_stays_open(shop):
    number = post_design_invoice(shop)
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "sales_receipt")
        await pilot.press(*number, "enter", "enter", "enter", *"100000")
        # 156,351 − 100,000 = 56,351 → 56,400 CDF open; 54.86 − 100,000 / 2850 (35.09) = 19.77 USD
        await wait_for(pilot, lambda: text(screen, "balance-cdf") == "56,400.00", "partial balance")
        assert text(screen, "balance-usd") == "19.77"
        assert text(screen, "returned-cdf") == "0.00"
        assert text(screen, "receipt-note") == (
            "Partial payment: the balance of 56,400.00 CDF (19.77 USD) stays open on the invoice.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "partial receipt posted")
        assert "56,400.00 CDF stays open" in screen.message_bar.text
    [still_open] = shop.cash.open_invoices("AXP")
    assert (still_open.number, still_open.open_amount) == (number, D("19.77"))


async def test_receipt_needs_an_amount_and_a_known_invoice(shop):
    number = post_design_invoice(shop)
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "sales_receipt")
        await pilot.press(*"261101SI999999", "enter")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error", "unknown invoice")
        assert screen.message_bar.text == "Invoice 261101SI999999 not found"
        assert screen.focused.id == "field-invoice"
        await pilot.press(*["backspace"] * 14, *number, "enter")
        await wait_for(pilot, lambda: text(screen, "invoice-cdf") == "156,400.00", "invoice loaded")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error" and not screen.busy, "no amount")
        assert screen.message_bar.text == "Enter the amount received in USD or CDF"
        assert screen.focused.id == "field-received-usd"
        assert not screen.posted


async def test_f2_lists_open_cash_invoices_first(shop):
    number = post_design_invoice(shop)
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "sales_receipt")
        await pilot.press("f2")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LookupDialog" and app.screen.rows, "lookup")
        row = app.screen.rows[0]
        assert (row.code, row.name, row.detail) == (number, "Walk-In Customer", "cash 54.86 USD open")
        await pilot.press("enter")
        await wait_for(pilot, lambda: text(screen, "invoice-cdf") == "156,400.00", "picked invoice loaded")
        assert screen.query_one("#field-invoice").value == number


async def test_shop_payment_without_narration_is_refused_on_the_field(shop):
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_entry")
        assert screen.focused.id == "field-particulars"  # the first field that takes typing
        # Shift+Tab, p: Payment; particulars 6400 (shop expenses); cost centre SHOP; currency CDF; rate 2850; amount
        await pilot.press("shift+tab", "p", "enter", *"6400", "enter", *"SHOP", "enter", "enter", "enter", *"5000", "enter")
        assert screen.query_one("#field-kind").value == "payment"
        assert screen.focused.id == "field-narration"
        await wait_for(pilot, lambda: text(screen, "amount-usd") == "1.75", "live USD equivalent")
        assert text(screen, "amount-cdf") == "5,000.00"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error" and not screen.busy, "refused")
        assert screen.message_bar.text == "Narration is required"
        assert screen.focused.id == "field-narration"
        assert not screen.posted


async def test_shop_receipt_shows_equivalents_and_posts(shop):
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_entry")
        await pilot.press(*"1900", "enter", *"SHOP", "enter", "enter", "enter", *"100000", "enter")
        # 100,000 CDF at 2850 = 35.0877 → 35.09 USD
        await wait_for(pilot, lambda: text(screen, "amount-usd") == "35.09", "equivalents")
        assert text(screen, "cash-ledger") == "1110"
        assert text(screen, "balance-cash") == "0.00 CDF"
        await pilot.press(*"Float from head office", "ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "shop receipt posted")
        assert screen.document_number == "261101RP000001"
        await wait_for(pilot, lambda: text(screen, "balance-cash") == "100,000.00 CDF", "balance after")
    assert shop.cash.cash_balance("AXP", "CDF") == D("100000.00")


async def test_exchange_shows_the_gain_posts_and_cancels_with_approval(shop):
    float_in(shop, "USD", "200")
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "currency_exchange")
        assert screen.focused.id == "field-amount-received"  # currency CDF (default) is Shift+Tab away
        assert "F7" not in footer(screen)  # nothing to cancel yet
        # amount received → actual rate
        await pilot.press(*"300000", "enter", "ctrl+u", *"3000", "enter")
        await wait_for(pilot, lambda: text(screen, "gain-usd") == "+5.26 gain", "gain")
        assert text(screen, "system-rate") == "2850"
        assert text(screen, "gain-cdf") == "+15,000.00 gain"
        assert screen.query_one("#field-amount-given").value == "100.00"  # the default: received at 3000
        assert text(screen, "balance-cash") == "200.00 USD (the currency given)"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "exchange posted")
        assert screen.document_number == "261101CE000001"
        await wait_for(pilot, lambda: text(screen, "balance-cash") == "100.00 USD (the currency given)", "balance")
        assert "F7 Cancel" in footer(screen)
        # F7 twice: a cashier needs a manager's approval; the reversal is then posted
        await pilot.press("f7")
        assert "Press F7 again" in screen.message_bar.text
        await pilot.press("f7")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ApprovalDialog", "approval asked")
        await pilot.press(*"manager", "enter", *"2222", "enter")
        await wait_for(pilot, lambda: screen.cancelled, "cancelled")
        assert screen.document_state == "Cancelled"
        assert screen.message_bar.text == "Exchange 261101CE000001 cancelled: the reversal is posted"
        await wait_for(pilot, lambda: text(screen, "balance-cash") == "200.00 USD (the currency given)", "reversed")
        await pilot.press("f4")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HistoryDialog" and app.screen.rows, "history")
        assert [r.action for r in app.screen.rows] == ["post", "cancel"]
    assert shop.sales.document("261101CE000001").status == "cancelled"
    assert shop.cash.cash_balance("AXP", "CDF") == D("0.00")


async def test_exchange_amount_given_can_be_typed_over(shop):
    float_in(shop, "USD", "200")
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "currency_exchange")
        await pilot.press(*"300000", "enter", "ctrl+u", *"3000", "enter")
        await wait_for(pilot, lambda: screen.query_one("#field-amount-given").value == "100.00", "default given")
        # typing replaces the default (it is selected); 105 USD for 300,000 CDF: gain 0.26 USD, 750 CDF
        await pilot.press(*"105")
        await wait_for(pilot, lambda: text(screen, "gain-usd") == "+0.26 gain", "gain on typed amount")
        assert screen.query_one("#field-amount-given").value == "105"
        assert text(screen, "gain-cdf") == "+750.00 gain"
        # emptied and left: the default comes back
        await pilot.press(*["backspace"] * 3, "enter")
        await wait_for(pilot, lambda: screen.query_one("#field-amount-given").value == "100.00", "default back")


async def test_cashier_sees_the_cash_screens_in_seed_order(shop):
    registry.discover()
    titles = [e.title for e in registry.entries("cashier") if e.group == "Cash"]
    ours = [t for t in titles if t in ("Sales Receipt / Return", "Receipt / Payment (Shop)", "Currency Exchange")]
    assert ours == ["Sales Receipt / Return", "Receipt / Payment (Shop)", "Currency Exchange"]


async def test_refund_type_takes_a_return_number_and_the_amount_handed_out(shop):
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "sales_receipt")
        await pilot.press("shift+tab", "r")  # Type: r picks Refund
        assert screen.query_one("#field-type").value == "refund"
        assert screen.query_one("#field-received-cdf").display is False
        assert screen.query_one("#field-returned-cdf").display is True
        assert text(screen, "invoice-info") == "F2: sales returns"
        await pilot.press("enter", *"261101SR000009", "enter")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error", "unknown return")
        assert screen.message_bar.text == "Sales return 261101SR000009 not found"
        assert screen.focused.id == "field-invoice"


async def test_invoice_partial_return_then_cash_refund_with_keys(shop):
    """The seed's path "invoice → partial return → cash refund": the §4 invoice paid in full,
    the 4 bandages returned (4 × 1.25 = 5.00, less their 0.25 share of the 5 % flat discount,
    no VAT: a 4.75 USD credit), then refunded in cash from the Sales Receipt / Return screen."""
    from shopterm.services.sales.returns import ReturnDraft, ReturnLine

    cashier = store.actor(shop, "cashier")
    number = post_design_invoice(shop)
    shop.cash.post_receipt(cashier, invoice=number, received_usd="60")
    sr = shop.returns.post(cashier, ReturnDraft(invoice=number, narration="Wrong size",
                                                lines=[ReturnLine("BAND01", qty="4")])).number
    app = ShoptermApp(shop, actor=cashier)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "sales_receipt")
        await pilot.press("shift+tab", "r")  # Type: Refund
        await pilot.press("enter", *sr, "enter")
        await wait_for(pilot, lambda: text(screen, "invoice-usd") == "4.75", "refund due shown")
        for _ in range(6):  # Enter walks the fields down to USD returned
            if screen.focused.id == "field-returned-usd":
                break
            await pilot.press("enter")
        assert screen.focused.id == "field-returned-usd"
        await pilot.press(*"4.75")
        await wait_for(pilot, lambda: text(screen, "balance-usd") == "0.00", "refund computed")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, f"refund posted {screen.message_bar.text}")
        assert screen.document_number == "261101RC000002"
    with shop.db.read() as s:
        from sqlalchemy import select

        from shopterm.store.models import LedgerEntry

        entries = s.execute(select(LedgerEntry.number, LedgerEntry.amount_usd, LedgerEntry.open_usd)
                            .order_by(LedgerEntry.id)).all()
    # invoice settled by RC1; the return's credit settled by the refund RC2
    assert [(n, a, o) for n, a, o in entries] == [
        (number, D("54.86"), D("0.00")), ("261101RC000001", D("-54.86"), D("0.00")),
        (sr, D("-4.75"), D("0.00")), ("261101RC000002", D("4.75"), D("0.00"))]
    assert shop.cash.cash_balance("AXP", "USD") == D("55.25")  # 60 in, 4.75 back out
