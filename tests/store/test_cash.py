"""The till (services/cash.py): sales receipts and refunds with their automatic match,
shop receipts/payments, currency exchange and its cancellation (DESIGN §7, §8).

Figures are worked by hand in the comments. Invoices and returns are posted here
through services.posting with a receivable line, so these tests do not depend on
the sales service.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from shopterm.core.journal import JLine
from shopterm.services.cash.till import apply_match
from shopterm.services.errors import (
    ApprovalDenied,
    ApprovalRequired,
    DayClosed,
    DayNotOpen,
    InsufficientCash,
    NotFound,
    PermissionDenied,
    PostedIsFinal,
    ValidationError,
)
from shopterm.services.documents.posting import PostingPlan
from shopterm.store.models import (
    Account,
    AuditLog,
    Customer,
    Document,
    JournalLine,
    JournalVoucher,
    LedgerEntry,
    Location,
    Match,
    MatchLine,
)

from .conftest import DAY

AXP_INVOICE_DAY = DAY


# ---------------------------------------------------------------- helpers (also used by test_counter_day)


def customer_id(services, code: str) -> int:
    with services.db.read() as s:
        return s.execute(select(Customer.id).where(Customer.code == code)).scalar_one()


def post_test_invoice(services, actor, *, customer="CASH", currency="USD", amount="54.86", amount_usd=None,
                      sales_type="cash", rate="2850", date=DAY, doc_type="SI") -> str:
    """A minimal posted invoice: Dr 1200 receivable (the customer) / Cr 4000 sales, in USD."""
    amount = D(amount)
    usd = D(amount_usd) if amount_usd is not None else amount
    cid = customer_id(services, customer)
    with services.db.write() as s:
        loc = s.execute(select(Location).where(Location.code == "AXP")).scalar_one()
        doc = Document(doc_type=doc_type, location_id=loc.id, doc_date=date, customer_id=cid, currency=currency,
                       rate=D(rate), sales_type=sales_type, net_amount=amount, payable=amount, payable_usd=usd,
                       net_usd=usd)
        journal = [JLine("1200", usd, currency, amount, customer_id=cid), JLine("4000", -usd)]
        return services.posting.post(s, actor, PostingPlan(doc=doc, journal=journal)).number


def post_test_return(services, actor, *, customer="CASH", currency="USD", amount="10.00", amount_usd=None,
                     rate="2850", date=DAY) -> str:
    """A minimal posted sales return: Dr 4010 sales returns / Cr 1200 receivable (a credit entry)."""
    amount = D(amount)
    usd = D(amount_usd) if amount_usd is not None else amount
    cid = customer_id(services, customer)
    with services.db.write() as s:
        loc = s.execute(select(Location).where(Location.code == "AXP")).scalar_one()
        doc = Document(doc_type="SR", location_id=loc.id, doc_date=date, customer_id=cid, currency=currency,
                       rate=D(rate), net_amount=amount, payable=amount, payable_usd=usd)
        journal = [JLine("4010", usd), JLine("1200", -usd, currency, -amount, customer_id=cid)]
        return services.posting.post(s, actor, PostingPlan(doc=doc, journal=journal)).number


def voucher_lines(services, number: str, which: int = 0) -> list[tuple[str, str, D, D]]:
    """(account, currency, amount, amount_usd) of the journal lines of a document's voucher
    (``which``: 0 the first voucher, 1 the next…), sorted by account and currency."""
    with services.db.read() as s:
        vids = s.execute(
            select(JournalVoucher.id).join(Document, JournalVoucher.document_id == Document.id)
            .where(Document.number == number).order_by(JournalVoucher.id)
        ).scalars().all()
        return sorted(tuple(r) for r in s.execute(
            select(Account.code, JournalLine.currency, JournalLine.amount, JournalLine.amount_usd)
            .join(Account, JournalLine.account_id == Account.id)
            .where(JournalLine.voucher_id == vids[which])
        ).all())


def entry_of(services, number: str) -> LedgerEntry:
    with services.db.read() as s:
        row = s.execute(select(LedgerEntry).where(LedgerEntry.number == number)).scalars().one()
        s.expunge(row)
        return row


def document(services, number: str) -> Document:
    with services.db.read() as s:
        row = s.execute(select(Document).where(Document.number == number)).scalars().one()
        s.expunge(row)
        return row


def float_in(services, actor, currency: str, amount: str) -> str:
    """Cash into the till from head office (a shop receipt)."""
    return services.cash.post_shop_entry(actor, kind="receipt", particulars="1900", cost_centre="SHOP",
                                         currency=currency, amount=amount, narration="Float from head office").number


@pytest.fixture
def day(services, cashier):
    services.day.open_day(cashier)
    return services


# ---------------------------------------------------------------- sales receipt


def test_design_receipt_gives_cdf_change_and_matches_the_invoice(day, cashier):
    services = day
    inv = post_test_invoice(services, cashier)  # the §4 invoice: 54.86 USD = 156,351 CDF → 156,400 payable
    calc = services.cash.receipt_preview(inv, received_usd="50", received_cdf="20000")
    assert (calc.invoice_cdf, calc.returned_cdf, calc.balance_cdf) == (D("156400"), D("6100"), D("0"))

    rc = services.cash.post_receipt(cashier, invoice=inv, received_usd="50", received_cdf="20000")
    assert rc.number == "261101RC000001"
    # 50 USD + 20,000 CDF = 162,500 CDF; change 162,500 − 156,400 = 6,100 CDF; the till: +50 USD, +13,900 CDF.
    # 13,900 / 2850 = 4.877 → 4.88; 50 + 4.88 − 54.86 = 0.02 round-off gain.
    assert voucher_lines(services, rc.number) == [
        ("1100", "USD", D("50.00"), D("50.00")),
        ("1110", "CDF", D("13900.00"), D("4.88")),
        ("1200", "USD", D("-54.86"), D("-54.86")),
        ("4100", "USD", D("-0.02"), D("-0.02")),
    ]
    assert sum(l[3] for l in voucher_lines(services, rc.number)) == 0
    assert services.cash.cash_balance("AXP", "USD") == D("50.00")
    assert services.cash.cash_balance("AXP", "CDF") == D("13900.00")

    doc = document(services, rc.number)
    assert doc.subtype == "receipt" and doc.customer_id == customer_id(services, "CASH")
    assert doc.amount == D("54.86")
    assert {k: doc.extra[k] for k in ("received_usd", "received_cdf", "returned_cdf", "balance_cdf",
                                      "invoice_cdf")} == {
        "received_usd": "50.00", "received_cdf": "20000.00", "returned_cdf": "6100.00", "balance_cdf": "0.00",
        "invoice_cdf": "156400.00"}

    inv_entry, rc_entry = entry_of(services, inv), entry_of(services, rc.number)
    assert (inv_entry.open_amount, inv_entry.open_usd, inv_entry.is_open) == (D("0"), D("0"), False)
    assert (rc_entry.amount, rc_entry.open_amount, rc_entry.is_open) == (D("-54.86"), D("0"), False)
    assert rc_entry.reference == inv
    with services.db.read() as s:
        match = s.execute(select(Match)).scalars().one()
        assert (match.kind, match.date) == ("auto", DAY)
        lines = sorted((l.entry_id, l.amount, l.amount_usd) for l in
                       s.execute(select(MatchLine).where(MatchLine.match_id == match.id)).scalars())
        assert lines == [(inv_entry.id, D("54.86"), D("54.86")), (rc_entry.id, D("-54.86"), D("-54.86"))]
    assert services.cash.open_invoices() == []

    with pytest.raises(ValidationError) as err:
        services.cash.post_receipt(cashier, invoice=inv, received_usd="5")
    assert err.value.message == f"Invoice {inv} is already fully paid"


def test_partial_payment_leaves_the_open_balance(day, cashier):
    services = day
    inv = post_test_invoice(services, cashier, customer="C0001", sales_type="credit", amount="100.00")
    # 20 USD + 28,500 CDF (= 10 USD at 2850) against 100 USD: 30 USD settled, 70 open.
    rc = services.cash.post_receipt(cashier, invoice=inv, received_usd="20", received_cdf="28500")
    doc = document(services, rc.number)
    assert doc.extra["balance_usd"] == "70.00" and doc.extra["balance_cdf"] == "199500.00"
    assert doc.extra["returned_cdf"] == "0.00"
    e = entry_of(services, inv)
    assert (e.open_amount, e.open_usd, e.is_open) == (D("70.00"), D("70.00"), True)
    assert voucher_lines(services, rc.number) == [
        ("1100", "USD", D("20.00"), D("20.00")),
        ("1110", "CDF", D("28500.00"), D("10.00")),
        ("1200", "USD", D("-30.00"), D("-30.00")),
    ]
    [open_inv] = services.cash.open_invoices(customer="C0001")
    assert (open_inv.number, open_inv.open_amount) == (inv, D("70.00"))
    # the rest, exactly
    services.cash.post_receipt(cashier, invoice=inv, received_usd="70")
    e = entry_of(services, inv)
    assert (e.open_amount, e.is_open) == (D("0"), False)
    with services.db.read() as s:
        assert s.execute(select(func.count()).select_from(Match)).scalar() == 2


def test_cdf_invoice_paid_at_another_rate_posts_the_exchange_difference(day, cashier):
    services = day
    # a CDF invoice of 156,400 booked at 2850: 54.88 USD
    inv = post_test_invoice(services, cashier, currency="CDF", amount="156400", amount_usd="54.88")
    rc = services.cash.post_receipt(cashier, invoice=inv, rate="3000", received_cdf="156400")
    # at 3000 the 156,400 CDF are worth 52.13 USD: a 2.75 USD exchange loss
    assert voucher_lines(services, rc.number) == [
        ("1110", "CDF", D("156400.00"), D("52.13")),
        ("1200", "CDF", D("-156400.00"), D("-54.88")),
        ("4200", "USD", D("2.75"), D("2.75")),
    ]
    doc = document(services, rc.number)
    assert doc.extra["taux_difference"] == "150.000000" and doc.extra["exchange_diff_usd"] == "-2.75"
    e = entry_of(services, inv)
    assert (e.open_amount, e.open_usd, e.is_open) == (D("0"), D("0"), False)


def test_partial_cdf_payment_keeps_the_cdf_open_amount_exact(day, cashier):
    services = day
    inv = post_test_invoice(services, cashier, currency="CDF", amount="156400", amount_usd="54.88")
    services.cash.post_receipt(cashier, invoice=inv, received_cdf="100000")
    # booked share settled: 54.88 × 100,000 / 156,400 = 35.089… → 35.09
    e = entry_of(services, inv)
    assert (e.open_amount, e.open_usd) == (D("56400.00"), D("19.79"))
    services.cash.post_receipt(cashier, invoice=inv, received_cdf="56400")
    e = entry_of(services, inv)
    assert (e.open_amount, e.open_usd, e.is_open) == (D("0"), D("0"), False)


def test_receipt_rules(services, cashier):
    inv = post_test_invoice(services, cashier)
    with pytest.raises(DayNotOpen) as err:
        services.cash.post_receipt(cashier, invoice=inv, received_usd="60")
    assert err.value.message == "Shop is not open for AXP on 2026-11-23: run Shop Open first"
    services.day.open_day(cashier)
    with pytest.raises(ValidationError) as err:
        services.cash.post_receipt(cashier, invoice=inv)
    assert (err.value.message, err.value.field) == ("Enter the amount received in USD or CDF", "received_usd")
    with pytest.raises(NotFound) as err:
        services.cash.post_receipt(cashier, invoice="261101SI000099", received_usd="1")
    assert err.value.message == "Invoice 261101SI000099 not found"
    with pytest.raises(ValidationError) as err:
        services.cash.post_receipt(cashier, invoice=inv, received_usd="1.234")
    assert err.value.field == "received_usd" and "at most 2 decimal places" in err.value.message
    with pytest.raises(ValidationError) as err:
        services.cash.post_receipt(cashier, invoice=inv, received_usd="-5")
    assert err.value.field == "received_usd"
    later = post_test_invoice(services, cashier, date=DAY + dt.timedelta(days=1))  # posted around the day rules
    with pytest.raises(ValidationError) as err:
        services.cash.post_receipt(cashier, invoice=later, received_usd="1")
    assert err.value.message == f"The receipt date 2026-11-23 is before {later} (2026-11-24)"
    # nothing was written by the refused receipts
    assert services.cash.cash_balance("AXP", "USD") == 0
    assert entry_of(services, inv).open_amount == D("54.86")


def test_open_invoices_lists_cash_invoices_first(day, cashier):
    services = day
    credit = post_test_invoice(services, cashier, customer="C0001", sales_type="credit", amount="10")
    cash = post_test_invoice(services, cashier, amount="5")
    assert [i.number for i in services.cash.open_invoices()] == [cash, credit]
    assert [i.number for i in services.cash.open_invoices(customer="C0001")] == [credit]


# ---------------------------------------------------------------- refund


def test_refund_pays_out_the_return_and_matches_it(day, cashier):
    services = day
    float_in(services, cashier, "USD", "100")
    float_in(services, cashier, "CDF", "50000")
    ret = post_test_return(services, cashier, amount="10.00")
    calc = services.cash.refund_preview(ret, returned_cdf="28500")
    assert calc.refund_cdf == D("28500") and calc.fully_settled
    rc = services.cash.post_refund(cashier, sales_return=ret, returned_cdf="28500")
    assert voucher_lines(services, rc.number) == [
        ("1110", "CDF", D("-28500.00"), D("-10.00")),
        ("1200", "USD", D("10.00"), D("10.00")),
    ]
    assert services.cash.cash_balance("AXP", "CDF") == D("21500.00")
    r, p = entry_of(services, ret), entry_of(services, rc.number)
    assert (r.open_amount, r.is_open, p.open_amount, p.is_open) == (D("0"), False, D("0"), False)
    assert document(services, rc.number).subtype == "refund"
    with pytest.raises(ValidationError) as err:
        services.cash.post_refund(cashier, sales_return=ret, returned_usd="1")
    assert err.value.message == f"Sales return {ret} is already fully refunded"


def test_refund_needs_the_cash_and_cannot_exceed_the_due(day, cashier):
    services = day
    ret = post_test_return(services, cashier, amount="10.00")
    with pytest.raises(InsufficientCash) as err:
        services.cash.post_refund(cashier, sales_return=ret, returned_usd="10")
    assert err.value.message == "Not enough USD in the till: 0.00 held, 10.00 asked"
    float_in(services, cashier, "USD", "50")
    with pytest.raises(ValidationError) as err:
        services.cash.post_refund(cashier, sales_return=ret, returned_usd="12")
    assert "exceeds the refund due (10.00 USD)" in err.value.message
    services.cash.post_refund(cashier, sales_return=ret, returned_usd="4")
    assert entry_of(services, ret).open_amount == D("-6.00")


# ---------------------------------------------------------------- receipt / payment (shop)


def test_shop_receipt_and_payment(day, cashier):
    services = day
    rp = services.cash.post_shop_entry(cashier, kind="receipt", particulars="1900", cost_centre="SHOP",
                                       currency="CDF", rate="2850", amount="80000", narration="Float")
    assert voucher_lines(services, rp.number) == [
        ("1110", "CDF", D("80000.00"), D("28.07")),  # 80,000 / 2850 = 28.070…
        ("1900", "CDF", D("-80000.00"), D("-28.07")),
    ]
    preview = services.cash.shop_entry_preview(currency="CDF", amount="100000")
    assert (preview.amount_usd, preview.amount_cdf, preview.cash_account, preview.balance_cash) == (
        D("35.09"), D("100000"), "1110", D("80000.00"))
    with pytest.raises(InsufficientCash) as err:
        services.cash.post_shop_entry(cashier, kind="payment", particulars="6400", cost_centre="SHOP",
                                      currency="CDF", amount="100000", narration="Cleaning")
    assert err.value.message == "Not enough CDF in the till: 80,000.00 held, 100,000.00 asked"
    pay = services.cash.post_shop_entry(cashier, kind="payment", particulars="6400", cost_centre="SHOP",
                                        currency="CDF", amount="30000", narration="Cleaning")
    assert voucher_lines(services, pay.number) == [
        ("1110", "CDF", D("-30000.00"), D("-10.53")),
        ("6400", "CDF", D("30000.00"), D("10.53")),
    ]
    assert services.cash.cash_balance("AXP", "CDF") == D("50000.00")
    doc = document(services, pay.number)
    assert (doc.subtype, doc.amount, doc.amount_usd, doc.extra["amount_cdf"]) == ("payment", D("30000"),
                                                                               D("10.53"), "30000.00")
    with services.db.read() as s:
        cc = s.execute(select(JournalLine.cost_centre_id).where(JournalLine.amount_usd == D("10.53"))).scalar()
        assert cc is not None


@pytest.mark.parametrize("change, message, field", [
    ({"narration": "  "}, "Narration is required", "narration"),
    ({"amount": "0"}, "Amount must be greater than zero", "amount"),
    ({"particulars": "1110"}, "Particulars: 1110 is a cash account; choose the other side of the entry",
     "particulars"),
    ({"particulars": "1200"}, "Particulars: 1200 is the customer receivable; use Sales Receipt", "particulars"),
    ({"particulars": "9999"}, "Particulars: account 9999 not found", "particulars"),
    ({"cost_centre": "NOPE"}, "Cost centre NOPE not found", "cost_centre"),
    ({"kind": "gift"}, "Receipt / Payment: choose receipt or payment", "kind"),
    ({"currency": "EUR"}, "Currency: USD or CDF, not 'EUR'", "currency"),
])
def test_shop_entry_bad_input(day, cashier, change, message, field):
    args = dict(kind="receipt", particulars="1900", cost_centre="SHOP", currency="USD", amount="10",
                narration="Float")
    args.update(change)
    with pytest.raises((ValidationError, NotFound)) as err:
        day.cash.post_shop_entry(cashier, **args)
    assert (err.value.message, err.value.field) == (message, field)


# ---------------------------------------------------------------- currency exchange


def test_exchange_300000_cdf_at_3000_gives_100_usd_with_a_gain(day, cashier, manager):
    services = day
    with pytest.raises(InsufficientCash) as err:
        services.cash.post_exchange(cashier, currency="CDF", amount_received="300000", exchange_rate="3000",
                                    amount_given="100")
    assert err.value.message == "Not enough USD in the till: 0.00 held, 100.00 asked"
    float_in(services, cashier, "USD", "150")
    preview = services.cash.exchange_preview(currency="CDF", amount_received="300000", exchange_rate="3000")
    assert (preview.system_rate, preview.calc.expected_given, preview.calc.gain_usd, preview.calc.gain_cdf,
            preview.balance_given, preview.enough_cash) == (D("2850"), D("100.00"), D("5.26"), D("15000.00"),
                                                            D("150.00"), True)
    ce = services.cash.post_exchange(cashier, currency="CDF", amount_received="300000", exchange_rate="3000",
                                     amount_given="100", narration="Customer francs")
    # 300,000 CDF at the system rate 2850 = 105.26 USD; 100 USD given: 5.26 USD gain
    assert voucher_lines(services, ce.number) == [
        ("1100", "USD", D("-100.00"), D("-100.00")),
        ("1110", "CDF", D("300000.00"), D("105.26")),
        ("4200", "USD", D("-5.26"), D("-5.26")),
    ]
    assert services.cash.cash_balance("AXP", "USD") == D("50.00")
    assert services.cash.cash_balance("AXP", "CDF") == D("300000.00")
    doc = document(services, ce.number)
    assert (doc.extra["gain_usd"], doc.extra["gain_cdf"], doc.extra["system_rate"]) == (
        "5.26", "15000.00", "2850.000000")

    # a cashier cannot cancel alone; a manager's approval (or a manager) can
    with pytest.raises(ApprovalRequired) as err:
        services.cash.cancel_exchange(cashier, ce.number)
    assert err.value.message == "Cancelling a currency exchange needs a manager's approval"
    with pytest.raises(ApprovalDenied):
        services.cash.cancel_exchange(cashier, ce.number, approver="manager", approver_pin="0000")
    services.cash.cancel_exchange(cashier, ce.number, approver="manager", approver_pin="2222", reason="typo")
    assert voucher_lines(services, ce.number, 1) == [
        ("1100", "USD", D("100.00"), D("100.00")),
        ("1110", "CDF", D("-300000.00"), D("-105.26")),
        ("4200", "USD", D("5.26"), D("5.26")),
    ]
    assert services.cash.cash_balance("AXP", "USD") == D("150.00")
    assert services.cash.cash_balance("AXP", "CDF") == D("0.00")
    doc = document(services, ce.number)
    assert doc.status == "cancelled" and doc.cancelled_by == cashier.user_id
    assert doc.approved_by == manager.user_id
    with services.db.read() as s:
        row = s.execute(select(AuditLog).where(AuditLog.action == "cancel", AuditLog.entity_id == doc.id)
                        ).scalars().one()
        assert row.approver_id == manager.user_id and "typo" in row.summary
    with pytest.raises(PostedIsFinal) as err:
        services.cash.cancel_exchange(manager, ce.number)
    assert err.value.message == f"Currency exchange {ce.number} is already cancelled"


def test_exchange_usd_for_cdf_at_a_lower_rate(day, cashier):
    services = day
    float_in(services, cashier, "CDF", "500000")
    # 100 USD in, 280,000 CDF out (rate 2800); at 2850 the 280,000 CDF are 98.25 USD: 1.75 USD gain
    ce = services.cash.post_exchange(cashier, currency="USD", amount_received="100", exchange_rate="2800")
    assert voucher_lines(services, ce.number) == [
        ("1100", "USD", D("100.00"), D("100.00")),
        ("1110", "CDF", D("-280000.00"), D("-98.25")),
        ("4200", "USD", D("-1.75"), D("-1.75")),
    ]
    assert document(services, ce.number).extra["gain_cdf"] == "5000.00"  # 285,000 − 280,000


def test_exchange_after_close_and_cancel_after_close_are_refused(day, cashier, manager):
    services = day
    float_in(services, cashier, "USD", "100")
    ce = services.cash.post_exchange(cashier, currency="CDF", amount_received="28500", amount_given="10")
    services.day.close_day(manager, physical_usd="90", physical_cdf="28500")
    with pytest.raises(DayClosed) as err:
        services.cash.cancel_exchange(manager, ce.number)
    assert err.value.message == "Shop Close is done for AXP on 2026-11-23: no more transactions on that date"
    with pytest.raises(DayClosed):
        services.cash.post_exchange(cashier, currency="CDF", amount_received="28500", amount_given="10")


def test_permissions(services, cashier):
    from shopterm.services.context import Actor

    nobody = Actor(cashier.user_id, "ghost", "visitor", cashier.location_id)
    with pytest.raises(PermissionDenied):
        services.cash.post_shop_entry(nobody, kind="receipt", particulars="1900", cost_centre="SHOP",
                                      currency="USD", amount="1", narration="x")


# ---------------------------------------------------------------- apply_match


def test_apply_match_rules(day, cashier):
    services = day
    inv = post_test_invoice(services, cashier, customer="C0001", sales_type="credit", amount="30")
    ret = post_test_return(services, cashier, customer="C0001", amount="10")
    other = post_test_invoice(services, cashier, customer="C0002", sales_type="credit", amount="10")
    e_inv, e_ret, e_other = entry_of(services, inv), entry_of(services, ret), entry_of(services, other)
    c1 = customer_id(services, "C0001")
    with services.db.write() as s:
        with pytest.raises(ValidationError) as err:
            apply_match(s, cashier, c1, [(e_inv.id, D("10"), D("10")), (e_ret.id, D("-9"), D("-9"))], DAY)
        assert err.value.message == "A match must balance in USD: off by 1.00"
        with pytest.raises(ValidationError) as err:
            apply_match(s, cashier, c1, [(e_inv.id, D("10"), D("10")), (e_other.id, D("-10"), D("-10"))], DAY)
        assert err.value.message == f"Entry {other} belongs to another customer"
        with pytest.raises(ValidationError) as err:
            apply_match(s, cashier, c1, [(e_inv.id, D("-10"), D("-10")), (e_ret.id, D("10"), D("10"))], DAY)
        assert err.value.message == f"Entry {inv}: the amount to match must have the entry's sign (debit)"
        with pytest.raises(ValidationError) as err:
            apply_match(s, cashier, c1, [(e_inv.id, D("40"), D("40")), (e_ret.id, D("-40"), D("-40"))], DAY)
        assert err.value.message == f"Entry {inv}: 40.00 is more than its open balance 30.00"
        mid = apply_match(s, cashier, c1, [(e_inv.id, D("10"), D("10")), (e_ret.id, D("-10"), D("-10"))], DAY,
                          "manual")
        assert s.get(Match, mid).kind == "manual"
    e_inv, e_ret = entry_of(services, inv), entry_of(services, ret)
    assert (e_inv.open_amount, e_inv.is_open, e_ret.open_amount, e_ret.is_open) == (D("20"), True, D("0"), False)
