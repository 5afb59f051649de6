"""The customer ledger: matching, balances and open items at dates, statements, payments on account.

Ledgers are built by posting plans (an invoice Dr 1200 / Cr 4000, a receipt
Dr 1100 / Cr 1200) so these tests do not depend on the document services.
Figures are worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlmodel import select

from shopterm.services.errors import DayNotOpen, NotFound, PermissionDenied, ValidationError
from shopterm.services.headless import post_one
from shopterm.services.ledger.entries import apply_credit, match_entries
from shopterm.store.models import AuditLog, JournalLine, LedgerEntry, Match, MatchLine, Account

from .conftest import open_day
from .ledger_support import D1, D2, D3, D4, D5, D6, DAY, build_case, credit_note, customer_id, entry, invoice, receipt



def open_usd(services, entry_id: int) -> D:
    with services.db.read() as s:
        return s.get(LedgerEntry, entry_id).open_usd


@pytest.fixture
def case(services, manager):
    return build_case(services, manager)


# ---------------------------------------------------------------- matching


def test_match_takes_the_smaller_side_fully_and_the_larger_oldest_first(case, services):
    m1 = case["M1"]
    # credits 150 < debits 300: RC1 fully; SI1 (oldest) fully, SI2 for the remaining 50
    assert m1.total_usd == D("150.00")
    assert [(l.entry_id, l.amount_usd, l.open_usd_after) for l in m1.lines] == [
        (case["SI1"], D("100.00"), D("0.00")), (case["SI2"], D("50.00"), D("150.00")),
        (case["RC1"], D("-150.00"), D("0.00"))]
    assert m1.lines[0].number == "260901SI000001" and m1.lines[2].number == "261001RC000001"
    assert open_usd(services, case["SI2"]) == D("120.00")  # 200 − 50 − 30
    with services.db.read() as s:
        for mid in (m1.match_id, case["M2"].match_id):
            assert sum(l.amount_usd for l in s.exec(select(MatchLine).where(MatchLine.match_id == mid))) == 0
        assert s.get(LedgerEntry, case["SI1"]).is_open is False
        assert s.get(LedgerEntry, case["SI2"]).is_open is True


def test_partial_match_with_explicit_amounts(services, manager):
    si = entry(services, invoice(services, manager, "C0001", "100.00", D2))
    rc = entry(services, receipt(services, manager, "C0001", "70.00", D3))
    m = services.ledger.match(manager, "C0001", [(si, D("25")), (rc, D("-25"))], D3)  # either sign is accepted
    assert m.total_usd == D("25.00")
    assert open_usd(services, si) == D("75.00")
    assert open_usd(services, rc) == D("-45.00")


def test_match_refusals(case, services, manager):
    si2, si3, rc2, si4, sr1 = case["SI2"], case["SI3"], case["RC2"], case["SI4"], case["SR1"]
    num = {k: services.ledger.entry(manager, case[k]).number for k in ("SI1", "SI2", "SI3", "SI4")}
    rc = entry(services, receipt(services, manager, "C0001", "10.00", DAY))
    with pytest.raises(ValidationError) as e:
        services.ledger.match(manager, "C0001", [(si3, D("50")), (rc, D("10"))], DAY)
    assert e.value.message == "The match does not balance: debits 50.00 USD, credits 10.00 USD"
    with pytest.raises(ValidationError) as e:
        services.ledger.match(manager, "C0001", [(si3, D("81")), (rc, None)], DAY)
    assert e.value.message == f"{num['SI3']}: 81.00 USD is more than its open balance of 80.00 USD"
    assert e.value.field == "amount"
    with pytest.raises(ValidationError) as e:
        services.ledger.match(manager, "C0001", [(si3, None), (sr1, None)], DAY)
    assert e.value.message == (f"Entries of different customers cannot be matched: "
                               f"{services.ledger.entry(manager, sr1).number} belongs to C0002, not C0001")
    with pytest.raises(ValidationError) as e:
        services.ledger.match(manager, "C0001", [(si2, None), (si3, None)], DAY)
    assert e.value.message == "A match needs at least one debit and one credit entry"
    with pytest.raises(ValidationError) as e:
        services.ledger.match(manager, "C0001", [(case["SI1"], None), (rc, None)], DAY)
    assert e.value.message == f"{num['SI1']} is already fully matched"
    with pytest.raises(ValidationError) as e:
        services.ledger.match(manager, "C0001", [(si3, None), (rc, None)], dt.date(2026, 11, 21))
    assert e.value.message == f"The match date 2026-11-21 is before {services.ledger.entry(manager, rc).number} (2026-11-23)"
    assert e.value.field == "date"
    with pytest.raises(ValidationError) as e:
        services.ledger.match(manager, "C0001", [(si3, None), (si3, None)], DAY)
    assert e.value.message == f"Ledger entry {si3} is listed twice"
    with pytest.raises(ValidationError) as e:
        services.ledger.match(manager, "C0001", [(si3, D("0")), (rc, None)], DAY)
    assert e.value.message == f"{num['SI3']}: the amount to match must be greater than zero"
    with pytest.raises(NotFound) as e:
        services.ledger.match(manager, "C0001", [(si3, None), (99999, None)], DAY)
    assert e.value.message == "Ledger entry 99999 not found"
    # nothing was written by the refused matches
    assert open_usd(services, si3) == D("80.00") and open_usd(services, rc) == D("-10.00")
    assert rc2 and si4


def test_unmatch_restores_open_balances_and_keeps_history(case, services, manager):
    si1, si2, rc1 = case["SI1"], case["SI2"], case["RC1"]
    mid = case["M1"].match_id
    result = services.ledger.unmatch(manager, mid, DAY)
    assert result.unmatched_on == DAY and result.total_usd == D("150.00")
    assert open_usd(services, si1) == D("100.00")
    assert open_usd(services, si2) == D("170.00")  # 120 + the 50 M1 had settled
    assert open_usd(services, rc1) == D("-150.00")
    with services.db.read() as s:
        m = s.get(Match, mid)
        assert m.unmatched_on == DAY and m.unmatched_by == manager.user_id and m.unmatched_at is not None
        assert len(s.exec(select(MatchLine).where(MatchLine.match_id == mid)).all()) == 3  # still in history
        assert s.get(LedgerEntry, si1).is_open is True
    # the entry no longer shows the match id; M2 stays on SI2
    assert services.ledger.entry(manager, si2).match_ids == (case["M2"].match_id,)
    with pytest.raises(ValidationError) as e:
        services.ledger.unmatch(manager, mid, DAY)
    assert e.value.message == f"Match {mid} was already unmatched on 2026-11-23"
    with pytest.raises(ValidationError) as e:
        services.ledger.unmatch(manager, case["M2"].match_id, dt.date(2026, 11, 22))
    assert e.value.message == "The unmatch date 2026-11-22 is before the match date 2026-11-23"
    with pytest.raises(NotFound) as e:
        services.ledger.unmatch(manager, 999, DAY)
    assert e.value.message == "Match 999 not found"


def test_a_new_match_cannot_predate_the_last_unmatch(services, manager):
    si = entry(services, invoice(services, manager, "C0001", "100.00", D2))
    rc = entry(services, receipt(services, manager, "C0001", "100.00", D2))
    m = services.ledger.match(manager, "C0001", [si, rc], D3)  # bare ids: as much as the match needs
    services.ledger.unmatch(manager, m.match_id, D4)
    with pytest.raises(ValidationError) as e:
        services.ledger.match(manager, "C0001", [si, rc], D3)
    num = services.ledger.entry(manager, si).number
    assert e.value.message == f"The match date 2026-10-15 is before {num} was last unmatched (2026-10-20)"
    again = services.ledger.match(manager, "C0001", [si, rc], D4)
    assert again.total_usd == D("100.00")


def test_match_and_unmatch_are_audited(case, services, manager):
    services.ledger.unmatch(manager, case["M1"].match_id, DAY)
    with services.db.read() as s:
        rows = [(r.action, r.entity_id, r.user_name, r.summary)
                for r in s.exec(select(AuditLog).where(AuditLog.entity == "match").order_by(AuditLog.id))]
    assert [r[:3] for r in rows] == [
        ("match", case["M1"].match_id, "manager"), ("match", case["M2"].match_id, "manager"),
        ("unmatch", case["M1"].match_id, "manager")]
    assert rows[2][3].startswith(f"unmatched match {case['M1'].match_id} for C0001 on 2026-11-23: 150.00 USD")


# ---------------------------------------------------------------- permissions


def test_a_cashier_is_refused_the_ledger(case, services, cashier):
    for call in (lambda: services.ledger.entries(cashier, "C0001"), lambda: services.ledger.balance(cashier, "C0001"),
                 lambda: services.ledger.balances(cashier, DAY), lambda: services.ledger.open_items(cashier, DAY),
                 lambda: services.ledger.statement(cashier, D1, DAY), lambda: services.ledger.ageing(cashier, DAY)):
        with pytest.raises(PermissionDenied) as e:
            call()
        assert e.value.message == "Viewing customer ledgers needs a manager; cashier is a cashier"
    with pytest.raises(PermissionDenied) as e:
        services.ledger.match(cashier, "C0001", [case["SI3"], case["RC2"]], DAY)
    assert e.value.message == "Matching ledger entries needs a manager; cashier is a cashier"
    with pytest.raises(PermissionDenied) as e:
        services.ledger.unmatch(cashier, case["M1"].match_id, DAY)
    assert e.value.message == "Unmatching ledger entries needs a manager; cashier is a cashier"
    with pytest.raises(PermissionDenied):
        services.ledger.trial_balance(cashier, DAY)


# ---------------------------------------------------------------- balances and open items at dates


def test_balances_at_past_dates(case, services, admin):
    at = services.ledger.balances(admin, dt.date(2026, 10, 16))
    assert [(r.customer_code, r.balance_usd, r.by_currency) for r in at.rows] == [
        ("C0001", D("150.00"), {"USD": D("150.00")}),  # 100 + 200 − 150
        ("C0002", D("460.00"), {"USD": D("460.00")}),  # 500 − 40
    ]
    assert at.total_usd == D("610.00")
    now = services.ledger.balances(admin, DAY)
    assert [(r.customer_code, r.balance_usd) for r in now.rows] == [("C0001", D("200.00")), ("C0002", D("460.00"))]
    assert services.ledger.balance(admin, "C0001", dt.date(2026, 9, 30)) == D("100.00")
    assert services.ledger.balance(admin, "C0001") == D("200.00")
    one = services.ledger.balances(admin, dt.date(2026, 7, 1), customer="C0001")
    assert [(r.customer_code, r.balance_usd) for r in one.rows] == [("C0001", D("0.00"))]
    grp = services.ledger.balances(admin, DAY, group="fleuve group")
    assert grp.group == "Fleuve Group" and grp.total_usd == D("660.00")
    assert services.ledger.balances(admin, DAY, group="WALK-IN").rows == ()
    with pytest.raises(NotFound) as e:
        services.ledger.balances(admin, DAY, group="Nobody")
    assert e.value.message == "Customer group Nobody not found"
    with pytest.raises(NotFound) as e:
        services.ledger.balances(admin, DAY, customer="C9999")
    assert e.value.message == "Customer C9999 not found"


def test_balances_per_currency(services, manager):
    invoice(services, manager, "C0002", "100.00", D2, currency="CDF", amount="285000")
    invoice(services, manager, "C0002", "20.00", D2)
    [row] = services.ledger.balances(manager, DAY).rows
    assert row.balance_usd == D("120.00")
    assert row.by_currency == {"CDF": D("285000.00"), "USD": D("20.00")}


def _open(report, e):
    names = {v: k for k, v in e.items() if isinstance(v, int)}
    return [(r.customer_code, names[r.entry_id], r.open_usd, r.match_ids) for r in report.rows]


def test_open_items_as_they_stood_at_past_dates(case, services, manager):
    m1, m2 = case["M1"].match_id, case["M2"].match_id
    # 10-16: M1 (dated 10-20) does not count yet
    assert _open(services.ledger.open_items(manager, dt.date(2026, 10, 16)), case) == [
        ("C0001", "SI1", D("100.00"), ()), ("C0001", "SI2", D("200.00"), ()), ("C0001", "RC1", D("-150.00"), ()),
        ("C0002", "SI4", D("500.00"), ()), ("C0002", "SR1", D("-40.00"), ())]
    # 10-20: M1 counts
    assert _open(services.ledger.open_items(manager, D4, customer="C0001"), case) == [
        ("C0001", "SI2", D("150.00"), (m1,))]
    # today: M2 too; SI3 is new
    today = services.ledger.open_items(manager, DAY, customer="C0001")
    assert _open(today, case) == [("C0001", "SI2", D("120.00"), (m1, m2)), ("C0001", "SI3", D("80.00"), ())]
    assert today.total_usd == D("200.00") == services.ledger.balance(manager, "C0001", DAY)
    assert [(r.due_date, r.days_past_due) for r in today.rows] == [(dt.date(2026, 10, 31), 23),
                                                                    (dt.date(2026, 12, 20), -27)]
    # unmatching M1 today: today's open items change, the past (10-25) does not
    services.ledger.unmatch(manager, m1, DAY)
    assert _open(services.ledger.open_items(manager, dt.date(2026, 10, 25), customer="C0001"), case) == [
        ("C0001", "SI2", D("150.00"), (m1,))]
    assert _open(services.ledger.open_items(manager, DAY, customer="C0001"), case) == [
        ("C0001", "SI1", D("100.00"), ()), ("C0001", "SI2", D("170.00"), (m2,)),
        ("C0001", "RC1", D("-150.00"), ()), ("C0001", "SI3", D("80.00"), ())]


def test_open_items_keep_the_currency_amounts(services, manager):
    si = entry(services, invoice(services, manager, "C0002", "100.00", D2, currency="CDF", amount="285000"))
    rc = entry(services, receipt(services, manager, "C0002", "40.00", D3))
    services.ledger.match(manager, "C0002", [si, rc], D3)
    [item] = services.ledger.open_items(manager, DAY).rows
    # 40 USD of a 100 USD invoice booked at 2850: 40 % of 285,000 CDF settled
    assert (item.currency, item.open_amount, item.open_usd) == ("CDF", D("171000.00"), D("60.00"))


# ---------------------------------------------------------------- statement


def test_statement_opening_plus_entries_is_closing(case, services, manager):
    st = services.ledger.statement(manager, D2, DAY, customer="C0001")
    [sec] = st.sections
    assert sec.opening_balance == D("100.00")  # SI1 of 09-01
    assert [(r.type_label, r.debit, r.credit, r.balance) for r in sec.rows] == [
        ("Sales invoice", D("200.00"), D("0.00"), D("300.00")),
        ("Payment received", D("0.00"), D("150.00"), D("150.00")),
        ("Sales invoice", D("80.00"), D("0.00"), D("230.00")),
        ("Payment received", D("0.00"), D("30.00"), D("200.00")),
    ]
    assert sec.closing_balance == D("200.00")
    assert sec.opening_balance + sum(r.amount_usd for r in sec.rows) == sec.closing_balance
    assert (sec.total_debit, sec.total_credit) == (D("280.00"), D("180.00"))
    both = services.ledger.statement(manager, D2, DAY)
    assert [(s.customer_code, s.opening_balance, len(s.rows), s.closing_balance) for s in both.sections] == [
        ("C0001", D("100.00"), 4, D("200.00")), ("C0002", D("460.00"), 0, D("460.00"))]


def test_statement_filters(case, services, manager):
    rc = services.ledger.statement(manager, D2, DAY, customer="C0001", voucher_types=["rc"])
    # hidden invoices still count in the running balance
    assert [(r.entry_id, r.balance) for r in rc.sections[0].rows] == [(case["RC1"], D("150.00")),
                                                                       (case["RC2"], D("200.00"))]
    partly = services.ledger.statement(manager, D2, DAY, customer="C0001", partly_settled=True)
    # balance less than amount: SI2 (120 of 200 open), RC1 and RC2 (fully matched); SI3 is untouched
    assert [r.entry_id for r in partly.sections[0].rows] == [case["SI2"], case["RC1"], case["RC2"]]
    with pytest.raises(ValidationError) as e:
        services.ledger.statement(manager, D2, DAY, voucher_types=["XX"])
    assert e.value.message == "Unknown voucher type 'XX' (use SI, PI, SR, RD, RC or CR)"
    with pytest.raises(ValidationError) as e:
        services.ledger.statement(manager, DAY, D2)
    assert e.value.message == "The period ends (2026-10-01) before it starts (2026-11-23)"


def test_statement_changed_since(services, manager):
    si = entry(services, invoice(services, manager, "C0001", "100.00", D2))
    rc = entry(services, receipt(services, manager, "C0001", "100.00", D3))
    with services.db.read() as s:
        stamp = s.get(LedgerEntry, rc).changed_at
    entry(services, invoice(services, manager, "C0001", "5.00", D3))
    services.ledger.match(manager, "C0001", [si, rc], D3)  # changes SI and RC
    st = services.ledger.statement(manager, D1, DAY, customer="C0001",
                                   changed_since=stamp + dt.timedelta(microseconds=1))
    assert sorted(r.number for r in st.sections[0].rows) == ["261001RC000001", "261001SI000001", "261001SI000002"]
    later = services.ledger.statement(manager, D1, DAY, customer="C0001",
                                      changed_since=dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1))
    assert later.sections[0].rows == ()


# ---------------------------------------------------------------- paging


def test_entries_page_by_key_with_indexed_opening_balance(services, manager):
    amounts = ["10.00", "20.00", "30.00", "40.00", "50.00", "60.00", "70.00"]
    for i, a in enumerate(amounts):
        invoice(services, manager, "C0001", a, D1 + dt.timedelta(days=i))
    receipt(services, manager, "C0001", "5.00", D1 + dt.timedelta(days=2))  # same date as the 3rd invoice
    p1 = services.ledger.entries(manager, "C0001", limit=3)
    assert [r.amount_usd for r in p1.rows] == [D("10.00"), D("20.00"), D("30.00")]
    assert (p1.opening_balance, p1.closing_balance, p1.prev_key) == (D("0.00"), D("60.00"), None)
    p2 = services.ledger.entries(manager, "C0001", after_key=p1.next_key, limit=3)
    assert [r.amount_usd for r in p2.rows] == [D("-5.00"), D("40.00"), D("50.00")]
    assert [r.balance for r in p2.rows] == [D("55.00"), D("95.00"), D("145.00")]
    assert p2.opening_balance == D("60.00") and p2.has_previous
    p3 = services.ledger.entries(manager, "C0001", after_key=p2.next_key, limit=3)
    assert [r.balance for r in p3.rows] == [D("205.00"), D("275.00")] and not p3.has_more
    back = services.ledger.entries(manager, "C0001", before_key=p3.prev_key, limit=3)
    assert back.rows == p2.rows and back.next_key == p2.next_key
    # a filter hides rows but not their amounts from the running balance
    rc = services.ledger.entries(manager, "C0001", voucher_types=["RC"])
    assert [(r.amount_usd, r.balance) for r in rc.rows] == [(D("-5.00"), D("55.00"))]
    assert rc.opening_balance == D("60.00")
    ranged = services.ledger.entries(manager, "C0001", date_from=D1 + dt.timedelta(days=5))
    assert ranged.opening_balance == D("145.00") and [r.balance for r in ranged.rows] == [D("205.00"), D("275.00")]
    assert services.ledger.entries(manager, "C0001", search="rc0000").rows[0].type_label == "Payment received"
    empty = services.ledger.entries(manager, "C0001", date_from=DAY)
    assert empty.rows == () and empty.opening_balance == D("275.00")


# ---------------------------------------------------------------- payments on account


def test_payment_on_account_settles_the_oldest_invoices_first(open_shop, manager, cashier):
    services = open_shop
    si_a = entry(services, invoice(services, manager, "C0001", "100.00", D2, due=dt.date(2026, 10, 31)))
    si_b = entry(services, invoice(services, manager, "C0001", "60.00", dt.date(2026, 9, 15),
                                   due=dt.date(2026, 11, 15)))
    # by due date: SI-A (10-31) before SI-B (11-15), although SI-B is dated earlier
    p = services.ledger.record_payment(cashier, customer="C0001", amount="130", currency="USD", method="cash")
    assert p.number == "261101CR000001" and p.amount_usd == D("130.00")
    assert [(l.entry_id, l.amount_usd) for l in p.settled] == [(si_a, D("100.00")), (si_b, D("30.00"))]
    assert (p.settled_usd, p.unapplied_usd) == (D("130.00"), D("0.00"))
    assert open_usd(services, si_a) == 0 and open_usd(services, si_b) == D("30.00")
    with services.db.read() as s:
        lines = s.exec(select(Account.code, JournalLine.amount_usd, JournalLine.customer_id)
                       .join(Account, Account.id == JournalLine.account_id)
                       .where(JournalLine.date == DAY).order_by(JournalLine.id)).all()
        assert sorted(lines) == [("1100", D("130.00"), None), ("1200", D("-130.00"), customer_id(services, "C0001"))]
        assert s.get(Match, p.match_id).kind == "payment"
    # a mobile-money payment larger than what is open: the rest stays a credit
    q = services.ledger.record_payment(cashier, customer="C0001", amount="50", method="mobile")
    assert [(l.entry_id, l.amount_usd) for l in q.settled] == [(si_b, D("30.00"))]
    assert q.unapplied_usd == D("20.00") and open_usd(services, q.entry_id) == D("-20.00")
    with services.db.read() as s:
        code = s.exec(select(Account.code).join(JournalLine, JournalLine.account_id == Account.id)
                      .where(JournalLine.amount_usd == D("50.00"))).one()
        assert code == "1150"
    assert services.ledger.balance(manager, "C0001") == D("-20.00")  # 100 + 60 − 130 − 50
    # "a customer's credit is used on the next invoice"
    res = invoice(services, manager, "C0001", "45.00", DAY)
    with services.db.write() as s:
        m = apply_credit(s, customer_id(services, "C0001"), res.ledger_entry_ids[0], actor=manager)
    assert m is not None and m.total_usd == D("20.00") and m.kind == "auto" and m.date == DAY
    assert open_usd(services, res.ledger_entry_ids[0]) == D("25.00") and open_usd(services, q.entry_id) == 0
    with services.db.write() as s:  # nothing more to use
        assert apply_credit(s, customer_id(services, "C0001"), res.ledger_entry_ids[0]) is None
    assert [(r.entry_id, r.open_usd) for r in services.ledger.open_items(manager, DAY).rows] == [
        (res.ledger_entry_ids[0], D("25.00"))]
    with services.db.read() as s:
        posts = s.exec(select(AuditLog.summary).where(AuditLog.action == "post", AuditLog.user_name == "cashier")).all()
    assert "payment on account from C0001: 50.00 USD (mobile)" in posts


def test_payment_in_cdf_goes_to_the_cdf_till(open_shop, cashier, manager):
    services = open_shop
    si = entry(services, invoice(services, manager, "C0002", "120.00", D2))
    p = services.ledger.record_payment(cashier, customer="c0002", amount="285 000", currency="CDF", rate="2850")
    assert (p.currency, p.amount, p.amount_usd) == ("CDF", D("285000.00"), D("100.00"))
    assert open_usd(services, si) == D("20.00")
    with services.db.read() as s:
        jl = s.exec(select(JournalLine).join(Account, Account.id == JournalLine.account_id)
                    .where(Account.code == "1110")).one()
        assert (jl.currency, jl.amount, jl.amount_usd) == ("CDF", D("285000.00"), D("100.00"))


def test_payment_refusals(services, cashier, manager):
    with pytest.raises(DayNotOpen) as e:
        services.ledger.record_payment(cashier, customer="C0001", amount="10")
    assert e.value.message == "Shop is not open for AXP on 2026-11-23: run Shop Open first"
    open_day(services)
    cases = [
        (dict(customer="C0001", amount="10", method="card"), "Payment method: one of cash, mobile, bank, cheque (got 'card')"),
        (dict(customer="C0001", amount="0"), "amount: must be greater than zero"),
        (dict(customer="C0001", amount="-5"), "amount: must not be negative (-5)"),
        (dict(customer="C0001", amount="1.234"), "amount: at most 2 decimal places (1.234)"),
        (dict(customer="C0001", amount="10", currency="EUR"), "Currency: USD or CDF (got 'EUR')"),
        (dict(customer="C0001", amount="10", currency="CDF", rate="0"),
         "rate: the exchange rate must be greater than zero"),
        (dict(customer="C0001", amount="0.01", currency="CDF"), "amount: 0.01 CDF is less than one US cent"),
        (dict(customer="CASH", amount="10"),
         "CASH Walk-In Customer is a cash customer: payments on account are for credit customers"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValidationError) as e:
            services.ledger.record_payment(cashier, **kwargs)
        assert e.value.message == message
    with pytest.raises(NotFound) as e:
        services.ledger.record_payment(cashier, customer="C9999", amount="10")
    assert e.value.message == "Customer C9999 not found"
    with services.db.read() as s:
        assert s.exec(select(LedgerEntry)).all() == []  # nothing posted


def test_headless_customer_payment_match_and_unmatch(open_shop, manager, cashier):
    services = open_shop
    si = invoice(services, manager, "C0002", "80.00", D2)
    out = post_one(services, cashier, {"type": "customer_payment", "location": "AXP", "date": "2026-11-23",
                                       "customer": "C0002", "currency": "USD", "rate": "2850", "amount": "30",
                                       "method": "cash"})
    assert out["type"] == "customer_payment" and out["number"] == "261101CR000001"
    assert out["totals"] == {"amount": "30.00", "currency": "USD", "amount_usd": "30.00", "settled_usd": "30.00",
                             "unapplied_usd": "0.00", "exchange_usd": "0.00"}
    assert out["settled"] == [{"number": si.number, "amount_usd": "30.00"}]
    rc = receipt(services, manager, "C0002", "50.00", DAY)
    m = post_one(services, manager, {"type": "match", "customer": "C0002", "date": "2026-11-23",
                                     "entries": [{"number": si.number}, {"entry": rc.ledger_entry_ids[0],
                                                                        "amount_usd": "20"}]})
    assert m["totals"] == {"amount_usd": "20.00"}
    assert m["lines"] == [{"number": si.number, "amount_usd": "20.00", "open_usd": "30.00"},
                          {"number": rc.number, "amount_usd": "-20.00", "open_usd": "-30.00"}]
    u = post_one(services, manager, {"type": "unmatch", "match": m["match_id"], "date": "2026-11-23"})
    assert u["unmatched_on"] == "2026-11-23" and u["totals"] == {"amount_usd": "20.00"}
    assert open_usd(services, si.ledger_entry_ids[0]) == D("50.00")
    with pytest.raises(ValidationError) as e:
        post_one(services, cashier, {"type": "customer_payment", "customer": "C0002", "amount": 30})
    assert "'amount' must be a string" in e.value.message
    with pytest.raises(ValidationError) as e:
        post_one(services, cashier, {"type": "customer_payment", "customer": "C0002", "amount": "30", "metod": "x"})
    assert e.value.message == "unknown field 'metod' in customer_payment"
    with pytest.raises(PermissionDenied):
        post_one(services, cashier, {"type": "unmatch", "match": m["match_id"]})


def test_match_entries_runs_inside_the_callers_transaction(services, manager):
    si = entry(services, invoice(services, manager, "C0001", "10.00", D2))
    rc = entry(services, receipt(services, manager, "C0001", "10.00", D2))
    with pytest.raises(RuntimeError):
        with services.db.write() as s:
            match_entries(s, manager, customer_id(services, "C0001"), [(si, None), (rc, None)], D2, "auto")
            raise RuntimeError("the caller fails later")
    assert open_usd(services, si) == D("10.00")  # rolled back with the caller
    with services.db.read() as s:
        assert s.exec(select(Match)).all() == []


def test_ageing_at_a_past_date_from_the_month_ends_kept(services, manager):
    """The writes keep the open amounts at each month end before their date (open_due_month); a
    backdated receipt and match change the month end after them; the ageing at a past date reads
    the next month end kept less the matches in between."""
    from shopterm.store import balances

    aug, sept, octo = dt.date(2026, 8, 31), dt.date(2026, 9, 30), dt.date(2026, 10, 31)
    si_a = entry(services, invoice(services, manager, "C0001", "100.00", dt.date(2026, 9, 10), due=dt.date(2026, 9, 20)))
    si_b = entry(services, invoice(services, manager, "C0001", "40.00", dt.date(2026, 10, 5), due=dt.date(2026, 10, 15)))
    rc = entry(services, receipt(services, manager, "C0001", "60.00", dt.date(2026, 11, 5)))
    services.ledger.match(manager, "C0001", [(si_a, D("60")), (rc, D("-60"))], dt.date(2026, 11, 10))
    rc2 = entry(services, receipt(services, manager, "C0001", "30.00", dt.date(2026, 10, 20)))  # backdated
    services.ledger.match(manager, "C0001", [(si_b, D("30")), (rc2, D("-30"))], dt.date(2026, 10, 25))
    cid = customer_id(services, "C0001")
    with services.db.read() as s:
        kept = balances.stored_open_months(s)
        assert kept == balances.recomputed_open_months(s)
    # Sept 10's invoice wrote Aug 31 (nothing open); Oct 5's Sept 30 (SI-A 100); Nov 5's Oct 31:
    # SI-A 100 and SI-B 40, then the receipt of Oct 20 (-30) and its match of Oct 25 (SI-B 40 - 30 = 10)
    assert kept == {
        (sept, cid, "D", dt.date(2026, 9, 20), dt.date(2026, 9, 10)): D("100.00"),
        (octo, cid, "D", dt.date(2026, 9, 20), dt.date(2026, 9, 10)): D("100.00"),
        (octo, cid, "D", dt.date(2026, 10, 15), dt.date(2026, 10, 5)): D("10.00"),
    }
    with services.db.read() as s:
        assert sorted(s.execute(select(balances.OM.c.month_end)).scalars()) == [aug, sept, octo]

    def ageing(at):
        (row,) = services.ledger.ageing(manager, at).rows
        return list(row.buckets), row.not_due, row.overdue

    # Oct 10, from Oct 31 less the match of Oct 25 (SI-B 40 again; the receipt of Oct 20 not yet there):
    # SI-A 100 20 days past due, SI-B 40 not due -> 0-30: 140
    assert ageing(dt.date(2026, 10, 10)) == ([D("140.00"), D("0.00"), D("0.00"), D("0.00")], D("40.00"), D("100.00"))
    # Oct 28, Oct 31 as kept: SI-A 100 38 days past due (31-60), SI-B 10 13 days (0-30)
    assert ageing(dt.date(2026, 10, 28)) == ([D("10.00"), D("100.00"), D("0.00"), D("0.00")], D("0.00"), D("110.00"))
    # Nov 23, no month end after it: from open_due. SI-A 100 - 60 = 40 64 days past due (61-90), SI-B 10 39 days
    assert ageing(DAY) == ([D("0.00"), D("10.00"), D("40.00"), D("0.00")], D("0.00"), D("50.00"))
