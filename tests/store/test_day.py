"""Shop Open and Shop Close (services/day.py, DESIGN §5): the rules with their exact
messages, the close's figures, the shortage/excess voucher and the approval above
tolerance."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from shopterm.services.cash.day import require_open
from shopterm.services.errors import (
    ApprovalDenied,
    DayAlreadyOpen,
    DayClosed,
    DayNotOpen,
    PermissionDenied,
    PreviousDayOpen,
    SetupMissing,
    ShortageAboveTolerance,
    ValidationError,
)
from shopterm.store.models import AuditLog, Document, Location, ShopDay

from .conftest import DAY, ask_pin_always
from .test_cash import document, float_in, post_test_invoice, voucher_lines

NEXT = DAY + dt.timedelta(days=1)


def shop_day(services, date=DAY) -> ShopDay:
    with services.db.read() as s:
        row = s.execute(select(ShopDay).where(ShopDay.date == date)).scalars().one()
        s.expunge(row)
        return row


# ---------------------------------------------------------------- shop open


def test_open_writes_the_day_and_an_op_document(services, cashier):
    result = services.day.open_day(cashier, remarks="Morning")
    assert result.number == "261101OP000001"
    day = shop_day(services)
    assert (day.status, day.open_document_id, day.opened_by) == ("open", result.document_id, cashier.user_id)
    doc = document(services, result.number)
    assert (doc.doc_type, doc.status, doc.doc_date, doc.narration) == ("OP", "posted", DAY, "Morning")
    assert doc.extra == {"opening_usd": "0.00", "opening_cdf": "0.00"}
    assert voucher_lines_count(services, result.number) == 0
    assert services.day.open_date() == DAY and services.day.is_open("AXP", DAY)


def voucher_lines_count(services, number):
    from shopterm.store.models import JournalVoucher

    with services.db.read() as s:
        doc_id = s.execute(select(Document.id).where(Document.number == number)).scalar_one()
        return len(s.execute(select(JournalVoucher.id).where(JournalVoucher.document_id == doc_id)).all())


def test_open_twice_is_refused(services, cashier):
    services.day.open_day(cashier)
    with pytest.raises(DayAlreadyOpen) as err:
        services.day.open_day(cashier, location="axp", date=DAY)
    assert (err.value.message, err.value.field) == ("The shop AXP is already open for 2026-11-23", "date")


def test_open_while_the_previous_day_is_open_is_refused(services, cashier):
    services.day.open_day(cashier, date=DAY - dt.timedelta(days=1))
    with pytest.raises(PreviousDayOpen) as err:
        services.day.open_day(cashier)
    assert err.value.message == "Close the previous day first: AXP is still open for 2026-11-22"


def test_open_after_close_and_before_a_later_day_are_refused(services, cashier, manager):
    services.day.open_day(cashier)
    services.day.close_day(manager, physical_usd="0", physical_cdf="0")
    with pytest.raises(DayClosed) as err:
        services.day.open_day(cashier)
    assert err.value.message == "Shop Close is done for AXP on 2026-11-23: that date cannot be opened again"
    services._today = DAY + dt.timedelta(days=1)  # the clock reaches the next day
    services.day.open_day(cashier, date=NEXT)
    assert services.day.open_date() == NEXT
    with pytest.raises(ValidationError) as err:
        services.day.open_day(cashier, date=DAY - dt.timedelta(days=3))
    assert err.value.message == "AXP was already opened for 2026-11-24: an earlier date cannot be opened"


def test_open_needs_a_shop_setup(services, cashier):
    with services.db.write() as s:
        s.add(Location(code="KIN", name="Kinshasa", number=2))
    with pytest.raises(SetupMissing) as err:
        services.day.open_day(cashier, location="KIN")
    assert err.value.message == "Shop Setup is missing for KIN: complete Shop Setup first"


def test_require_open_messages(services, cashier, manager):
    with services.db.read() as s:
        with pytest.raises(DayNotOpen) as err:
            require_open(s, 1, DAY)
    assert err.value.message == "Shop is not open for AXP on 2026-11-23: run Shop Open first"
    services.day.open_day(cashier)
    with services.db.read() as s:
        assert require_open(s, 1, DAY).status == "open"
    services.day.close_day(manager, physical_usd="0", physical_cdf="0")
    with services.db.read() as s:
        with pytest.raises(DayClosed) as err:
            services.day.require_open(s, 1, DAY)
    assert err.value.message == "Shop Close is done for AXP on 2026-11-23: no more transactions on that date"


# ---------------------------------------------------------------- shop close


@pytest.fixture
def till(services, cashier):
    """Day open; the till holds 200 USD and 500,000 CDF from head office."""
    services.day.open_day(cashier)
    float_in(services, cashier, "USD", "200")
    float_in(services, cashier, "CDF", "500000")
    return services


def test_close_needs_a_manager_and_the_count(till, cashier, manager):
    with pytest.raises(PermissionDenied) as err:
        till.day.close_day(cashier, physical_usd="200", physical_cdf="500000")
    assert err.value.message == "Shop Close needs a manager; cashier is a cashier"
    with pytest.raises(ValidationError) as err:
        till.day.close_day(manager, physical_usd="200")
    assert (err.value.message, err.value.field) == (
        "Physical cash (CDF) is required: type it or count it by denomination", "physical_cdf")
    with pytest.raises(ValidationError) as err:
        till.day.close_day(manager, physical_usd="abc", physical_cdf="0")
    assert err.value.field == "physical_usd" and "'abc' is not a number" in err.value.message


def test_exact_close_posts_nothing_and_closes_the_day(till, manager):
    summary = till.day.close_figures()
    assert (summary.usd.receipts, summary.usd.closing, summary.cdf.receipts, summary.cdf.closing) == (
        D("200.00"), D("200.00"), D("500000.00"), D("500000.00"))
    assert summary.counted is False and summary.usd.difference == 0
    result = till.day.close_day(manager, physical_usd="200", physical_cdf="500000", remarks="All good")
    assert result.number == "261101CL000001" and result.voucher_id is None
    day = shop_day(till)
    assert (day.status, day.closed_by, day.close_document_id) == ("closed", manager.user_id, result.document_id)
    assert day.closed_at is not None
    doc = document(till, result.number)
    assert (doc.extra["physical_usd"], doc.extra["difference_cdf"], doc.narration) == ("200.00", "0.00", "All good")
    with till.db.read() as s:
        assert s.execute(select(AuditLog).where(AuditLog.entity == "shop_day", AuditLog.action == "close")
                         ).scalars().one().entity_id == day.id
    assert till.day.open_date() is None


def test_shortage_within_tolerance_posts_to_the_shortage_ledger(till, manager):
    # 4.00 USD and 9,000 CDF short: within 5 USD / 10,000 CDF
    result = till.day.close_day(manager, physical_usd="196", physical_cdf="491000")
    assert voucher_lines(till, result.number) == [
        ("1100", "USD", D("-4.00"), D("-4.00")),
        ("1110", "CDF", D("-9000.00"), D("-3.16")),  # 9,000 / 2850 = 3.157…
        ("6900", "CDF", D("9000.00"), D("3.16")),
        ("6900", "USD", D("4.00"), D("4.00")),
    ]
    doc = document(till, result.number)
    assert doc.amount_usd == D("7.16") and doc.approved_by is None
    assert till.cash.cash_balance("AXP", "USD") == D("196.00")
    assert till.cash.cash_balance("AXP", "CDF") == D("491000.00")
    # the next day opens with what was counted
    s = till.day.close_figures(date=DAY)
    assert (s.status, s.counted, s.usd.physical, s.usd.difference, s.close_number) == (
        "closed", True, D("196.00"), D("4.00"), result.number)
    assert [(v.account, v.currency, v.amount) for v in s.voucher] == [
        ("6900", "USD", D("4.00")), ("1100", "USD", D("-4.00")),
        ("6900", "CDF", D("9000.00")), ("1110", "CDF", D("-9000.00"))]


def test_excess_is_posted_the_other_way(till, manager):
    result = till.day.close_day(manager, physical_usd="200", physical_cdf="500500")
    assert voucher_lines(till, result.number) == [
        ("1110", "CDF", D("500.00"), D("0.18")),
        ("6900", "CDF", D("-500.00"), D("-0.18")),
    ]


def test_shortage_above_tolerance_is_approved_by_the_signed_in_manager(till, manager):
    """DESIGN §10: the manager closing may give the approval, so it is not asked again."""
    result = till.day.close_day(manager, physical_usd="193", physical_cdf="500000")
    doc = document(till, result.number)
    assert doc.approved_by == manager.user_id and doc.approved
    assert shop_day(till).status == "closed"


def test_shortage_above_tolerance_needs_a_managers_approval(till, cashier, manager):
    ask_pin_always(till)  # Shop Setup: "ask for the PIN even when a manager is signed in"
    with pytest.raises(ShortageAboveTolerance) as err:
        till.day.close_day(manager, physical_usd="193", physical_cdf="500000")
    assert err.value.message == ("Cash shortage of 7.00 USD is above the maximum allowed of 5.00 USD: "
                                 "a manager's approval is needed")
    assert err.value.field == "approver"
    with pytest.raises(ShortageAboveTolerance) as err:
        till.day.close_day(manager, physical_usd="193", physical_cdf="480000")
    assert err.value.message == ("Cash shortage of 7.00 USD is above the maximum allowed of 5.00 USD and "
                                 "20,000.00 CDF is above the maximum allowed of 10,000.00 CDF: "
                                 "a manager's approval is needed")
    with pytest.raises(ApprovalDenied):
        till.day.close_day(manager, physical_usd="193", physical_cdf="500000", approver="cashier",
                           approver_pin="1111")
    assert shop_day(till).status == "open"
    preview = till.day.close_figures(physical_usd="193", physical_cdf="500000")
    assert preview.needs_approval and preview.difference_usd_value == D("7.00")
    result = till.day.close_day(manager, physical_usd="193", physical_cdf="500000", approver="manager",
                                approver_pin="2222")
    doc = document(till, result.number)
    assert doc.approved_by == manager.user_id and doc.approved
    with till.db.read() as s:
        row = s.execute(select(AuditLog).where(AuditLog.entity == "shop_day", AuditLog.action == "close")
                        ).scalars().one()
        assert row.approver_id == manager.user_id
    assert shop_day(till).status == "closed"


def test_count_by_denomination(till, manager):
    denominations = {"USD": {"100": 1, "50": 1, "20": 2, "5": 1, "1": 3},  # 100 + 50 + 40 + 5 + 3 = 198
                     "CDF": {"20000": 25}}  # 500,000
    preview = till.day.close_figures(denominations=denominations)
    assert (preview.usd.physical, preview.usd.difference, preview.cdf.difference) == (D("198"), D("2.00"), D("0"))
    with pytest.raises(ValidationError) as err:
        till.day.close_day(manager, physical_usd="200", denominations=denominations)
    assert err.value.message == "Physical cash (USD) 200.00 does not match the denomination count 198.00"
    with pytest.raises(ValidationError) as err:
        till.day.close_day(manager, denominations={"USD": {"3": 1}, "CDF": {}})
    assert err.value.message == "Denominations: USD has no 3 note (use 1, 2, 5, 10, 20, 50, 100)"
    result = till.day.close_day(manager, denominations=denominations)
    doc = document(till, result.number)
    assert doc.extra["denominations"] == {"USD": {"100": 1, "50": 1, "20": 2, "5": 1, "1": 3},
                                          "CDF": {"20000": 25}}
    assert doc.extra["physical_usd"] == "198.00"


def test_close_refused_when_not_open_and_twice(services, manager):
    with pytest.raises(DayNotOpen) as err:
        services.day.close_day(manager, physical_usd="0", physical_cdf="0")
    assert err.value.message == "Shop is not open for AXP on 2026-11-23: run Shop Open first"
    services.day.open_day(manager)
    services.day.close_day(manager, physical_usd="0", physical_cdf="0")
    with pytest.raises(DayClosed):
        services.day.close_day(manager, date=DAY, physical_usd="0", physical_cdf="0")


def test_close_defaults_to_the_open_day(services, cashier, manager):
    services.day.open_day(cashier)
    services.day.close_day(manager, physical_usd="0", physical_cdf="0")
    services._today = DAY + dt.timedelta(days=1)  # the clock reaches the next day
    services.day.open_day(cashier, date=NEXT)
    result = services.day.close_day(manager, physical_usd="0", physical_cdf="0")
    assert document(services, result.number).doc_date == NEXT


def test_summary_lists_documents_and_unpaid_cash_invoices(till, cashier):
    paid = post_test_invoice(till, cashier, amount="10")
    unpaid = post_test_invoice(till, cashier, amount="5")
    post_test_invoice(till, cashier, customer="C0001", sales_type="credit", amount="100")
    till.cash.post_receipt(cashier, invoice=paid, received_usd="10")
    s = till.day.summary()
    assert [(u.number, u.open_amount) for u in s.unpaid_cash_invoices] == [(unpaid, D("5.00"))]
    docs = {d.doc_type: (d.count, d.total_usd) for d in s.documents}
    assert docs == {"OP": (1, D("0")), "SI": (3, D("115.00")), "RC": (1, D("10.00")), "RP": (2, D("375.44"))}
    assert s.usd.cash_sales == D("10.00")
    data = s.as_dict()
    json.dumps(data)
    assert data["details"]["USD"]["closing"] == "210.00" and data["status"] == "open"


def test_close_posts_a_counted_stock_adjustment_with_a_managers_approval(till, manager, cashier):
    """Inventory Posting: PARA500 B001 counted 497 (500 on hand) and BAND01 D001 counted 1,002
    (1,000): −3 × 1.60 = −4.80 and +2 × 0.70 = +1.40; Dr 5100 shrinkage 4.80 / Cr 1300 4.80, then
    Dr 1300 1.40 / Cr 5100 1.40 (balanced); the batches move to the counts; the close is approved
    (a manager closes: the manager approves)."""
    counts = [{"item": "PARA500", "batch": "B001", "qty": "497"}, {"item": "band01", "batch": "d001", "qty": "1002"},
              {"item": "AMOX250", "batch": "A001", "qty": "200"}]
    with pytest.raises(ValidationError) as err:
        till.day.close_day(manager, physical_usd="200", physical_cdf="500000", approver="manager",
                           approver_pin="2222", counts=[*counts, {"item": "PARA500", "batch": "B001", "qty": "1"}])
    assert err.value.message == "Inventory Posting row 4: batch B001 of PARA500 is counted twice"
    assert shop_day(till).status == "open"  # nothing written
    result = till.day.close_day(manager, physical_usd="200", physical_cdf="500000", approver="manager",
                                approver_pin="2222", counts=counts)
    assert [(a, v) for a, _ccy, _amt, v in voucher_lines(till, result.number)] == [
        ("1300", D("-4.80")), ("1300", D("1.40")), ("5100", D("-1.40")), ("5100", D("4.80"))]  # sorted
    assert sorted(b.qty for b in till.stock.item_stock("PARA500", "AXP").batches) == [D("100"), D("497")]
    assert any(b.qty == D("1002") for b in till.stock.item_stock("BAND01", "AXP").batches)
    doc = document(till, result.number)
    assert doc.approved and [(c["item"], c["difference"], c["value_usd"]) for c in doc.extra["stock_count"]] == [
        ("PARA500", "-3.000", "-4.80"), ("BAND01", "2.000", "1.40"), ("AMOX250", "0.000", "0.00")]
