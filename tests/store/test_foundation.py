"""The store and services foundation on a real SQLite file: numbering, audit,
permissions, all-or-nothing posting, login lockout, approvals, scaled types, pragmas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import select

from shopterm.core.journal import CASH_USD, HEAD_OFFICE, RECEIVABLE, SALES, VAT, credit, debit
from shopterm.services.admin import audit
from shopterm.services.errors import (
    ApprovalDenied,
    AuthError,
    LockedOut,
    PermissionDenied,
    UnbalancedJournal,
    ValidationError,
)
from shopterm.services.documents.posting import PostingPlan
from shopterm.store import models as m
from shopterm.store.numbering import next_number
from tests import backend

DAY = dt.date(2026, 11, 23)


def _loc(session, code: str = "AXP") -> m.Location:
    return session.exec(select(m.Location).where(m.Location.code == code)).one()


def _counts(services) -> dict[str, int]:
    tables = [m.Document, m.DocumentLine, m.JournalVoucher, m.JournalLine, m.LedgerEntry, m.NumberSequence,
              m.AuditLog, m.StockMove]
    with services.db.read() as s:
        return {t.__tablename__: s.exec(select(func.count()).select_from(t)).one() for t in tables}


# ---------------------------------------------------------------- numbering


def test_numbers_are_gapless_per_type_location_and_month(services):
    with services.db.write() as s:
        loc = _loc(s)
        second = m.Location(code="GOM", name="Gombe", number=2)
        s.add(second)
        s.flush()
        got = [
            next_number(s, "SI", loc.id, loc.number, DAY),
            next_number(s, "SI", loc.id, loc.number, DAY),
            next_number(s, "RC", loc.id, loc.number, DAY),
            next_number(s, "SI", second.id, second.number, DAY),
            next_number(s, "SI", loc.id, loc.number, dt.date(2026, 12, 1)),
            next_number(s, "SI", loc.id, loc.number, dt.date(2026, 11, 30)),
        ]
    assert got == ["261101SI000001", "261101SI000002", "261101RC000001", "261102SI000001", "261201SI000001",
                   "261101SI000003"]


def test_a_rolled_back_transaction_gives_its_number_back(services):
    with services.db.write() as s:
        loc = _loc(s)
        assert next_number(s, "SI", loc.id, loc.number, DAY) == "261101SI000001"
    with pytest.raises(RuntimeError):
        with services.db.write() as s:
            assert next_number(s, "SI", loc.id, loc.number, DAY) == "261101SI000002"
            raise RuntimeError("the post failed after numbering")
    with services.db.write() as s:
        assert next_number(s, "SI", loc.id, loc.number, DAY) == "261101SI000002"


def test_unknown_document_type_is_refused(services):
    with services.db.write() as s:
        loc = _loc(s)
        with pytest.raises(ValueError, match="unknown document type 'XX'"):
            next_number(s, "XX", loc.id, loc.number, DAY)


# ---------------------------------------------------------------- posting: all or nothing


def _receipt_plan(session, *, amount: D, credit_amount: D | None = None, customer_id: int | None = None) -> PostingPlan:
    loc = _loc(session)
    doc = m.Document(doc_type="RP", subtype="receipt", location_id=loc.id, doc_date=DAY, currency="USD",
                     amount=amount, amount_usd=amount, narration="Float from head office")
    journal = [debit(CASH_USD, amount), credit(HEAD_OFFICE, credit_amount if credit_amount is not None else amount)]
    return PostingPlan(doc=doc, journal=journal, summary="test receipt")


def test_post_writes_document_voucher_and_audit_in_one_go(services, cashier):
    with services.db.write() as s:
        result = services.posting.post(s, cashier, _receipt_plan(s, amount=D("100.00")))
    assert result.number == "261101RP000001"
    with services.db.read() as s:
        doc = s.get(m.Document, result.document_id)
        assert (doc.status, doc.number, doc.posted_by) == ("posted", "261101RP000001", cashier.user_id)
        lines = s.exec(select(m.JournalLine).where(m.JournalLine.voucher_id == result.voucher_id)
                       .order_by(m.JournalLine.id)).all()
        assert [(l.amount_usd, l.currency, l.amount) for l in lines] == [(D("100.00"), "USD", D("100.00")),
                                                                          (D("-100.00"), "USD", D("-100.00"))]
        hist = audit.history(s, "document", result.document_id)
        assert [(h.action, h.user_name, h.summary) for h in hist] == [("post", "cashier", "test receipt")]
        assert hist[0].after["number"] == "261101RP000001"


def test_an_unbalanced_post_leaves_no_row_and_no_number_behind(services, cashier):
    before = _counts(services)
    with pytest.raises(UnbalancedJournal) as err:
        with services.db.write() as s:
            services.posting.post(s, cashier, _receipt_plan(s, amount=D("100.00"), credit_amount=D("99.99")))
    assert str(err.value) == "journal does not balance: off by 0.01 USD (1100 +100.00, 1900 -99.99)"
    assert _counts(services) == before
    with services.db.write() as s:  # the next good post still gets number 1
        assert services.posting.post(s, cashier, _receipt_plan(s, amount=D("5"))).number == "261101RP000001"


def test_a_failure_after_the_journal_rolls_back_everything(services, cashier):
    """An error raised later in the same transaction (e.g. a stock check) undoes the whole post."""
    before = _counts(services)
    with pytest.raises(ValidationError, match="later rule"):
        with services.db.write() as s:
            services.posting.post(s, cashier, _receipt_plan(s, amount=D("10")))
            raise ValidationError("a later rule refused the document")
    assert _counts(services) == before


def test_receivable_lines_become_customer_ledger_entries(services, cashier):
    with services.db.write() as s:
        cust = s.exec(select(m.Customer).where(m.Customer.code == "C0001")).one()
        loc = _loc(s)
        doc = m.Document(doc_type="SI", location_id=loc.id, doc_date=DAY, customer_id=cust.id, sales_type="credit",
                         net_amount=D("54.86"), net_usd=D("54.86"))
        plan = PostingPlan(doc=doc, journal=[debit(RECEIVABLE, D("54.86"), customer_id=cust.id),
                                             credit(SALES, D("47.95")), credit(VAT, D("6.91"))],
                           due_date=DAY + dt.timedelta(days=30))
        result = services.posting.post(s, cashier, plan)
    assert result.number == "261101SI000001"
    with services.db.read() as s:
        (entry,) = s.exec(select(m.LedgerEntry)).all()
        assert (entry.customer_id, entry.number, entry.amount_usd, entry.open_usd, entry.is_open, entry.due_date) == (
            cust.id, "261101SI000001", D("54.86"), D("54.86"), True, dt.date(2026, 12, 23))
        assert result.ledger_entry_ids == (entry.id,)


# ---------------------------------------------------------------- audit


def test_user_create_and_update_are_audited_and_readable_in_history(services, admin):
    info = services.users.create(admin, "grace", "4321", "cashier", full_name="Grace M", location="AXP")
    services.users.update(admin, "grace", role="manager", full_name="Grace Mbuyi")
    with services.db.read() as s:
        hist = audit.history(s, "user", info.id)
    assert [(h.action, h.user_name) for h in hist] == [("create", "admin"), ("update", "admin")]
    created, updated = hist
    assert created.before is None
    assert created.after["name"] == "grace" and created.after["role"] == "cashier"
    assert "pin_hash" not in created.after  # never in the log
    changes = {k: (b, a) for k, b, a in updated.changes()}
    assert changes == {"role": ("cashier", "manager"), "full_name": ("Grace M", "Grace Mbuyi")}


def test_audit_snapshot_turns_decimals_and_dates_into_strings():
    snap = audit.snapshot({"amount": D("1.50"), "date": DAY, "nested": [D("2")]})
    assert snap == {"amount": "1.50", "date": "2026-11-23", "nested": ["2"]}


# ---------------------------------------------------------------- permissions


def test_a_cashier_is_refused_where_a_manager_is_needed(services, cashier, manager):
    with pytest.raises(PermissionDenied) as err:
        services.setup.set_rate(cashier, DAY, "2900")
    assert err.value.message == "Setting the exchange rate needs a manager; cashier is a cashier"
    assert services.setup.set_rate(manager, DAY, "2900") == D("2900.000000")
    assert services.setup.rate_on(DAY) == D("2900.000000")


def test_managing_users_needs_an_admin(services, manager):
    with pytest.raises(PermissionDenied, match="Managing users needs a"):
        services.users.create(manager, "newbie", "1234", "cashier")
    with services.db.read() as s:
        assert s.exec(select(m.User).where(m.User.name == "newbie")).first() is None


# ---------------------------------------------------------------- login and approvals


def test_login_locks_after_three_wrong_pins(services):
    assert services.users.login("cashier", "1111").name == "cashier"
    with pytest.raises(AuthError) as e1:
        services.users.login("cashier", "0000")
    assert e1.value.message == "Unknown user or wrong PIN (2 tries left)"
    with pytest.raises(AuthError) as e2:
        services.users.login("cashier", "0000")
    assert e2.value.message == "Unknown user or wrong PIN (1 try left)"
    with pytest.raises(LockedOut) as e3:
        services.users.login("cashier", "0000")
    assert e3.value.message == "Too many wrong PINs: wait 30 s"
    with pytest.raises(LockedOut, match=r"^Too many wrong PINs: wait \d+ s$"):
        services.users.login("cashier", "1111")  # even the right PIN, while locked
    with services.db.read() as s:
        user = s.exec(select(m.User).where(m.User.name == "cashier")).one()
        assert user.locked_until is not None
        # every failed sign-in is audited, the lockout too, and the refused right PIN while locked
        assert [(h.action, h.summary) for h in audit.history(s, "user", user.id)] == [
            ("login", "cashier logged in"),
            ("login_failed", "cashier: wrong PIN (sign-in)"),
            ("login_failed", "cashier: wrong PIN (sign-in)"),
            ("login_failed", "cashier: wrong PIN (sign-in)"),
            ("lockout", "cashier: 3 wrong PINs"),
            ("login_failed", "cashier: locked out"),
        ]


def test_unknown_user_gives_the_same_message_as_a_wrong_pin(services):
    with pytest.raises(AuthError) as err:
        services.users.login("nobody", "1111")
    assert err.value.message == "Unknown user or wrong PIN"
    with services.db.read() as s:  # audited all the same
        row = s.exec(select(m.AuditLog).order_by(m.AuditLog.id.desc())).first()
        assert (row.action, row.entity_id, row.summary) == ("login_failed", None, "'nobody': unknown user")


def test_manager_approval_is_recorded(services, cashier):
    approver = services.users.approve("manager", "2222", "cancel 261101SI000001")
    assert (approver.name, approver.role) == ("manager", "manager")
    with services.db.read() as s:
        row = s.exec(select(m.AuditLog).where(m.AuditLog.action == "approve")).one()
        assert (row.user_name, row.summary) == ("manager", "cancel 261101SI000001")
    with pytest.raises(ApprovalDenied) as err:
        services.users.approve("cashier", "1111", "cancel")
    assert err.value.message == "Approval refused: cashier is a cashier, not a manager"
    with pytest.raises(ApprovalDenied) as err:
        services.users.approve("manager", "9999", "cancel")
    assert err.value.message == "Approval refused: unknown manager or wrong PIN"


def test_an_approver_given_with_a_document_is_stored_on_it_and_in_the_audit(services, cashier):
    with services.db.write() as s:
        approver = services.users.verify_approver(s, "manager", "2222")
        plan = _receipt_plan(s, amount=D("20"))
        plan.approver = approver
        result = services.posting.post(s, cashier, plan)
    with services.db.read() as s:
        doc = s.get(m.Document, result.document_id)
        assert doc.approved_by == approver.user_id
        (hist,) = audit.history(s, "document", doc.id)
        assert (hist.user_name, hist.approver_id) == ("cashier", approver.user_id)


# ---------------------------------------------------------------- scaled types


def test_scaled_columns_round_trip_exact_decimals(services):
    with services.db.write() as s:
        item = m.Item(code="T1", name="Test", cost_usd=D("0.1"), pack_size=D("1.5"), tax_rate=D("16"))
        s.add(item)
        s.flush()
        item_id = item.id
    with services.db.read() as s:
        item = s.get(m.Item, item_id)
        assert (item.cost_usd, item.pack_size, item.tax_rate) == (D("0.10"), D("1.500"), D("16.0000"))
        raw = s.execute(text("SELECT cost_usd, pack_size, tax_rate FROM item WHERE id = :i"), {"i": item_id}).one()
        assert tuple(raw) == (10, 1500, 160000)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cost_usd", 1.5, "float is not accepted for a scaled column; use Decimal"),
        ("cost_usd", D("1.005"), "1.005 has more than 2 decimal places"),
        ("pack_size", D("0.0001"), "0.0001 has more than 3 decimal places"),
        ("tax_rate", D("16.00001"), "16.00001 has more than 4 decimal places"),
        ("cost_usd", "1.50", "expected Decimal, got str"),
    ],
)
def test_scaled_columns_refuse_floats_and_excess_precision(services, field, value, message):
    with pytest.raises(StatementError) as err:
        with services.db.write() as s:
            s.add(m.Item(code="T2", name="Test", **{field: value}))
            s.flush()
    assert message in str(err.value.orig)
    with services.db.read() as s:
        assert s.exec(select(m.Item).where(m.Item.code == "T2")).first() is None


def test_rates_keep_six_decimals(services):
    with services.db.write() as s:
        s.add(m.ExchangeRate(date=dt.date(2026, 12, 1), rate=D("2851.123456")))
    with services.db.read() as s:
        assert services.system_rate(s, dt.date(2026, 12, 5)) == D("2851.123456")
        assert services.system_rate(s, DAY) == D("2850.000000")


# ---------------------------------------------------------------- SQLite settings


@backend.sqlite_only("SQLite's PRAGMAs")
def test_sqlite_runs_in_wal_mode_with_foreign_keys(services):
    with services.db.read() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    with pytest.raises(IntegrityError, match="FOREIGN KEY constraint failed"):
        with services.db.write() as s:
            s.add(m.Batch(item_id=999_999, code="X"))
            s.flush()


@backend.sqlite_only("BEGIN IMMEDIATE is SQLite's writer lock")
def test_write_transactions_begin_immediate(services):
    """Writers take the lock at BEGIN, so a read→write upgrade can never deadlock two tills."""
    with services.db.write() as s:
        s.execute(text("SELECT 1"))
        other = services.db.engine.raw_connection()
        try:
            other.execute("PRAGMA busy_timeout=0")
            with pytest.raises(Exception, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


# ---------------------------------------------------------------- the demo shop (DESIGN §11)


def _build_demo(url: str) -> None:
    from shopterm.services import Services
    from shopterm.services.admin.demo import build_demo

    svc = Services.open(url, today=DAY)
    build_demo(svc, DAY)
    svc.db.dispose()


@pytest.fixture(scope="module")
def demo_services(tmp_path_factory):
    from shopterm.services import Services

    svc = Services.open(backend.make_template("demo", tmp_path_factory, _build_demo), upgrade=False, today=DAY)
    yield svc
    svc.db.dispose()


def test_demo_counter_defaults_walk_in_customer_and_the_cashiers_sales_person(demo_services):
    from tests.store.conftest import actor

    d = demo_services.sales.new_invoice_defaults(actor(demo_services, "cashier"))
    assert (d.location, d.customer.code, d.sales_type, d.currency, d.sales_person) == (
        "AXP", "CASH", "cash", "USD", "SP01")


def test_demo_is_the_shop_of_the_design(demo_services):
    from shopterm.services.admin.demo import is_demo

    svc = demo_services
    assert is_demo(svc)
    info = svc.setup.info("AXP")
    assert (info.location_code, info.location_name, info.location_number, info.cdf_increment) == (
        "AXP", "Axpert", 1, D("100.00"))
    assert svc.setup.rate_on(DAY) == D("2850.000000")
    for name, pin, role in (("cashier", "1111", "cashier"), ("manager", "2222", "manager"), ("admin", "9999", "admin")):
        assert svc.users.login(name, pin).role == role
    with svc.db.read() as s:
        assert s.exec(select(m.SalesPerson.code).order_by(m.SalesPerson.code)).all() == ["SP01", "SP02", "SP03"]
        items = {i.code: i for i in s.exec(select(m.Item)).all()}
        assert 18 <= len(items) <= 24
        expect = {"PARA500": ("Paracetamol 500 mg (box 100)", "16.0000", "2.50", "2.20", "1.60"),
                  "AMOX250": ("Amoxicillin 250 mg (box 20)", "16.0000", "7.99", "7.20", "5.10"),
                  "BAND01": ("Bandage roll 5 cm", "0.0000", "1.25", "1.10", "0.70")}
        for code, (name, tax, retail, wholesale, cost) in expect.items():
            item = items[code]
            price = s.exec(select(m.Price).where(m.Price.item_id == item.id)).one()
            assert (item.name, item.tax_rate, price.retail_price, price.wholesale_price, item.cost_usd) == (
                name, D(tax), D(retail), D(wholesale), D(cost))
            assert price.effective_from <= DAY and price.currency == "USD"
        customers = {c.code: c for c in s.exec(select(m.Customer)).all()}
        assert 9 <= len(customers) <= 12
        card = s.exec(select(m.LoyaltyCard).where(m.LoyaltyCard.name == "Standard")).one()
        assert (card.value_per_point_usd, card.redemption_frequency_days) == (D("0.10"), 30)
        earn = dict(s.exec(select(m.LoyaltyCardCategory.price_category, m.LoyaltyCardCategory.sales_amount_per_point)
                           .where(m.LoyaltyCardCategory.card_id == card.id)).all())
        assert earn == {"retail": D("10.00"), "wholesale": D("10.00")}
        fleuve = s.exec(select(m.CustomerGroup).where(m.CustomerGroup.name == "Fleuve Group")).one()
        for code, name, limit, days in (("C0001", "Kinshasa Pharma", "5000", 30), ("C0002", "Pharmacie du Fleuve", "500", 15)):
            c = customers[code]
            assert (c.name, c.kind, c.price_category, c.credit_limit_usd, c.credit_days, c.group_id,
                    c.loyalty_card_id) == (name, "credit", "wholesale", D(limit), days, fleuve.id, card.id)
        cash = customers["CASH"]
        assert (cash.name, cash.kind, cash.price_category, info.cash_customer_id) == (
            "Walk-In Customer", "cash", "retail", cash.id)
        ranges = s.exec(select(m.DiscountSlabRange.from_value, m.DiscountSlabRange.to_value, m.DiscountSlabRange.pct)
                        .order_by(m.DiscountSlabRange.from_value)).all()
        assert [tuple(r) for r in ranges] == [(D("0.00"), D("99.00"), D("0.0000")), (D("100.00"), D("499.00"), D("3.0000")),
                                              (D("500.00"), D("999.00"), D("5.0000")), (D("1000.00"), None, D("8.0000"))]
        assert s.exec(select(m.ShopDay)).all() == []  # the cashier opens the day
        # the opening stock came in through posted stock receipts that balance
        receipts = s.exec(select(m.Document).where(m.Document.doc_type == "GR")).all()
        assert [r.number for r in receipts] == ["261001GR000001", "261001GR000002"]
        total = s.exec(select(func.sum(m.JournalLine.amount_usd))).one()
        assert total == 0


def test_demo_batches_and_stock(demo_services):
    def batches(code):
        return [(b.code, b.expiry, b.qty) for b in demo_services.stock.item_stock(code, "AXP", DAY).batches]

    assert batches("PARA500") == [("B002", dt.date(2027, 1, 31), D("100.000")), ("B001", dt.date(2027, 6, 30), D("500.000"))]
    assert batches("AMOX250") == [("A001", dt.date(2027, 3, 31), D("200.000"))]
    assert batches("BAND01") == [("D001", dt.date(2029, 12, 31), D("1000.000"))]
    with demo_services.db.read() as s:
        costs = s.exec(select(m.Batch.code, m.Batch.cost_usd).join(m.Item).where(m.Item.code == "PARA500")).all()
        assert sorted(costs) == [("B001", D("1.60")), ("B002", D("1.60"))]


def test_demo_is_usable_today_design_section_4_invoice(demo_services, tmp_path):
    """Open the day and post the DESIGN §4 worked example on the demo: net 54.86 USD."""
    from shopterm.services import Services
    from shopterm.services.headless import post_documents
    from shopterm.services.admin.users import actor_of

    demo_services.db.dispose()  # no connection left open on the template: it is copied
    svc = Services.open(backend.clone(demo_services.db.url, tmp_path, "copy.db"), today=DAY)
    try:
        with svc.db.read() as s:
            cashier = actor_of(s.exec(select(m.User).where(m.User.name == "cashier")).one())
        outcome = post_documents(svc, cashier, [
            {"type": "shop_open", "location": "AXP"},
            {"type": "sales_invoice", "location": "AXP", "customer": "C0001", "sales_type": "credit",
             "currency": "USD", "rate": "2850", "flat_discount": {"type": "percent", "value": "5"},
             "lines": [{"item": "PARA500", "qty": "10", "price": "2.50", "discount_pct": "10"},
                       {"item": "AMOX250", "qty": "3", "price": "7.99", "flat_discount": "1.00"},
                       {"item": "BAND01", "qty": "4", "price": "1.25"}]},
        ])
        assert outcome.ok, outcome.error
        opened, invoice = outcome.posted
        assert (opened["number"], invoice["number"]) == ("261101OP000001", "261101SI000001")
        assert (invoice["totals"]["subtotal"], invoice["totals"]["tax"], invoice["totals"]["net"]) == (
            "50.47", "6.91", "54.86")
        assert invoice["totals"]["flat_discount"] == "2.52"
        # no batch given: the first to expire (B002) was sold
        assert [(b.code, b.qty) for b in svc.stock.item_stock("PARA500", "AXP", DAY).batches] == [
            ("B002", D("90.000")), ("B001", D("500.000"))]
    finally:
        svc.db.dispose()


def test_a_sum_of_money_is_scaled_whichever_way_the_driver_gives_it():
    """SQLite gives a raw SUM of scaled integers as an int, PostgreSQL as an integral NUMERIC (a
    Decimal): both are 160.00, as is a sum the column type already scaled (ageing was 100× on PG)."""
    from shopterm.services.ledger.reports import LE, _dec
    from shopterm.store.balances import _money

    for raw in (16000, D("16000"), D("160.00")):
        assert _dec(raw, LE.c.amount_usd) == D("160.00") and str(_dec(raw, LE.c.amount_usd)) == "160.00"
        assert str(_money(raw)) == "160.00"
    assert _dec(D("-5"), LE.c.amount_usd) == D("-0.05") and _dec(None, LE.c.amount_usd) == D("0")
