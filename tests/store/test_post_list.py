"""``shopterm post`` of a list: one write transaction, a SAVEPOINT per document (issue 13).

A document refused part-way through its posting (after its header, lines, journal and stock moves
were written) is rolled back alone: the documents before it stay posted, nothing of it remains, its
number is not used (the next post takes it), the audit and journal chains verify, the journals
balance and the stock on hand equals its moves. The same for a database error part-way through,
and for a refusal whose failure must stay written (a wrong approver PIN). SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select, text

from shopterm.services import headless
from shopterm.services.admin import chain
from shopterm.services.documents import posting
from shopterm.services.errors import ValidationError
from shopterm.store.models import (AuditLog, Document, DocumentLine, JournalLine, JournalVoucher, LedgerEntry,
                                   StockBalance, StockMove, User)
from tests.backend import sqlite_only
from tests.store.conftest import DAY

INVOICE = {"type": "sales_invoice", "location": "AXP", "date": DAY.isoformat(), "customer": "C0001",
           "sales_type": "credit", "currency": "USD", "rate": "2850", "sales_person": "SP01",
           "lines": [{"item": "BAND01", "batch": "D001", "qty": "2"}, {"item": "PARA500", "qty": "1"}]}


def invoices(n: int) -> list[dict]:
    return headless.parse_json(json.dumps([INVOICE] * n))


def counts(services) -> dict[str, int]:
    """Rows of every table a posting writes."""
    with services.db.read() as s:
        out = {m.__tablename__: s.execute(select(func.count()).select_from(m)).scalar_one()
               for m in (Document, DocumentLine, JournalVoucher, JournalLine, LedgerEntry, StockMove, AuditLog)}
        out["posted SI"] = s.execute(select(func.count()).select_from(Document)
                                     .where(Document.doc_type == "SI", Document.status == "posted")).scalar_one()
    return out


def check_books(services) -> None:
    """Both hash chains verify, every voucher balances, each batch's on hand equals its moves."""
    with services.db.read() as s:
        assert [r.problem for r in chain.verify(s)] == ["", ""]
        assert s.execute(select(JournalLine.voucher_id).group_by(JournalLine.voucher_id)
                         .having(func.sum(JournalLine.amount_usd) != 0)).all() == []
        moves = dict(((r[0], r[1]), r[2]) for r in s.execute(
            select(StockMove.item_id, StockMove.batch_id, func.sum(StockMove.qty))
            .group_by(StockMove.item_id, StockMove.batch_id)))
        kept = dict(((r[0], r[1]), r[2]) for r in s.execute(
            select(StockBalance.item_id, StockBalance.batch_id, StockBalance.qty)))
        assert {k: v for k, v in kept.items() if v} == {k: v for k, v in moves.items() if v}


@pytest.fixture
def fail_third_audit(monkeypatch):
    """Make the 3rd document's posting fail at its last step (its audit row): header, lines, journal,
    ledger entry and stock moves are written by then. ``fail_third_audit.error`` is what it raises."""
    real = posting.audit.record
    state = {"posts": 0, "error": None}

    def record(session, actor, action, *args, **kw):
        if action == "post":
            state["posts"] += 1
            if state["posts"] == 3:
                err = state["error"]
                raise err(session) if callable(err) else err
        return real(session, actor, action, *args, **kw)

    monkeypatch.setattr(posting.audit, "record", record)
    return state


def _posted_numbers(outcome) -> list[str]:
    return [d["number"] for d in outcome.posted]


@pytest.mark.parametrize("group_seconds", [None, 0])
def test_a_document_refused_mid_posting_is_rolled_back_alone(open_shop, cashier, fail_third_audit, group_seconds):
    services = open_shop
    before = counts(services)
    fail_third_audit["error"] = ValidationError("refused at the audit row", field="narration")
    outcome = headless.post_documents(services, cashier, invoices(4), group_seconds=group_seconds)
    assert outcome.error["index"] == 2 and outcome.error["error"] == "refused at the audit row"
    assert _posted_numbers(outcome) == ["261101SI000001", "261101SI000002"]
    assert outcome.error["posted"] == outcome.posted
    after = counts(services)
    # two invoices of two lines: 2 headers, 4 lines, 2 vouchers of 3 lines (receivable, sales, tax? no: 0 %
    # on BAND01, 16 % on PARA500), 2 ledger entries, 4 stock moves, 2 audit rows; nothing of the third
    grew = {k: after[k] - before[k] for k in after}
    assert grew["posted SI"] == 2 and grew["document"] == 2 and grew["document_line"] == 4
    assert grew["journal_voucher"] == 2 and grew["ledger_entry"] == 2 and grew["stock_move"] == 4
    assert grew["audit_log"] == 2
    check_books(services)
    # the refused document's number was not used: the next post takes it
    again = headless.post_documents(services, cashier, invoices(1))
    assert again.ok and _posted_numbers(again) == ["261101SI000003"]
    check_books(services)


def test_a_database_error_mid_posting_keeps_the_documents_before(open_shop, cashier, fail_third_audit):
    services = open_shop
    before = counts(services)

    def bad_statement(session):  # a statement the database refuses: PostgreSQL aborts the transaction too
        session.execute(text("INSERT INTO no_such_table (x) VALUES (1)"))

    fail_third_audit["error"] = bad_statement
    with pytest.raises(Exception) as caught:
        headless.post_documents(services, cashier, invoices(4))
    assert "no_such_table" in str(caught.value)
    assert caught.value.index == 2
    assert [d["number"] for d in caught.value.posted] == ["261101SI000001", "261101SI000002"]
    after = counts(services)
    assert after["posted SI"] - before["posted SI"] == 2 and after["audit_log"] - before["audit_log"] == 2
    assert after["stock_move"] - before["stock_move"] == 4
    check_books(services)
    again = headless.post_documents(services, cashier, invoices(1))
    assert again.ok and _posted_numbers(again) == ["261101SI000003"]


@sqlite_only("SQLite ends the whole transaction itself on some errors (a full disk, an I/O error)")
def test_a_transaction_the_database_ended_posts_only_what_was_committed(open_shop, cashier, fail_third_audit):
    services = open_shop
    before = counts(services)

    def disk_full(session):  # what SQLite does on SQLITE_FULL: the transaction is gone, whatever the savepoints
        session.connection().connection.driver_connection.execute("ROLLBACK")
        return sqlite3.OperationalError("database or disk is full")

    fail_third_audit["error"] = disk_full
    # one group: the first two were not committed yet when the transaction was lost
    with pytest.raises(sqlite3.OperationalError) as caught:
        headless.post_documents(services, cashier, invoices(4), group_seconds=60)
    assert caught.value.index == 0 and caught.value.posted == []
    assert counts(services) == before
    # each document committed alone (group 0): the two before stay
    fail_third_audit["posts"] = 0
    with pytest.raises(sqlite3.OperationalError) as caught:
        headless.post_documents(services, cashier, invoices(4), group_seconds=0)
    assert caught.value.index == 2
    assert [d["number"] for d in caught.value.posted] == ["261101SI000001", "261101SI000002"]
    assert counts(services)["posted SI"] - before["posted SI"] == 2
    check_books(services)


def test_a_wrong_approver_pin_mid_list_is_counted_and_the_list_stops(open_shop, cashier):
    """A refused approval's count toward the lockout and its audit row stay (written after the
    document's savepoint is rolled back, inside the list's transaction); the document is not posted."""
    services = open_shop
    before = counts(services)
    docs = invoices(3)
    docs[1] = dict(docs[1], approver="manager", approver_pin="0000")
    outcome = headless.post_documents(services, cashier, docs)
    assert outcome.error["index"] == 1 and outcome.error["field"] == "approver_pin"
    assert _posted_numbers(outcome) == ["261101SI000001"]
    after = counts(services)
    assert after["posted SI"] - before["posted SI"] == 1
    with services.db.read() as s:
        assert s.execute(select(User.failed_attempts).where(User.name == "manager")).scalar_one() == 1
        assert s.execute(select(func.count()).select_from(AuditLog)
                         .where(AuditLog.action == "approval_failed")).scalar_one() == 1
    check_books(services)


def test_each_document_sees_the_ones_before_it_in_the_same_transaction(open_shop, cashier):
    """A receipt of an invoice posted earlier in the same, not yet committed, list."""
    services = open_shop
    cash = dict(INVOICE, customer="CASH", sales_type="cash", lines=[{"item": "BAND01", "qty": "4"}])
    docs = headless.parse_json(json.dumps([
        cash, {"type": "sales_receipt", "invoice": "261101SI000001", "rate": "2850", "received_usd": "5"}]))
    outcome = headless.post_documents(services, cashier, docs, group_seconds=60)
    assert outcome.ok, outcome.error
    assert outcome.posted[0]["totals"]["net"] == "5.00"
    assert outcome.posted[1]["number"].startswith("261101RC")
    check_books(services)


@pytest.mark.parametrize(("group_seconds", "expected"), [(0, [0, 1, 2]), (60, [0, 0, 0])])
def test_other_writers_get_the_database_between_groups(open_shop, cashier, group_seconds, expected):
    """The list's transaction is committed as it goes (every group) and at the end: another connection
    sees each committed document (none of a group still open), and the list leaves no transaction open."""
    services = open_shop
    seen = []
    real = headless.post_one

    def post_one(svc, actor, doc):
        out = real(svc, actor, doc)
        with services.db.engine.connect() as other:  # another till's connection
            seen.append(other.execute(select(func.count()).select_from(Document)
                                      .where(Document.doc_type == "SI")).scalar_one())
        return out

    headless.post_one = post_one
    try:
        outcome = headless.post_documents(services, cashier, invoices(3), group_seconds=group_seconds)
    finally:
        headless.post_one = real
    assert outcome.ok
    # group 0: each document committed after it, seen while the next one runs; 60 s: one transaction
    assert seen == expected
    assert counts(services)["posted SI"] == 3
    assert services.db._batch() is None
    with services.db.write() as s:  # the writer's lock is free
        s.execute(text("SELECT 1"))
    assert D(outcome.posted[2]["totals"]["net"]) > 0


@sqlite_only("another program holding SQLite's write lock: the list's next group cannot begin")
def test_a_list_that_cannot_get_the_write_lock_stops_there(open_shop, cashier, monkeypatch):
    import shopterm.store.db as store_db
    from shopterm.services import Services

    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)  # the connections opened from here on wait 0.2 s
    services = Services.open(open_shop.db.url, upgrade=False, today=DAY)
    other = sqlite3.connect(store_db.sqlite_file(open_shop.db.url), isolation_level=None)
    real = headless.post_one

    def post_one(svc, actor, doc):
        if len(calls) == 1:  # the first is committed (a group each): another till writes
            other.execute("BEGIN IMMEDIATE")
        calls.append(doc)
        return real(svc, actor, doc)

    calls: list = []
    monkeypatch.setattr(headless, "post_one", post_one)
    try:
        with pytest.raises(Exception) as caught:
            headless.post_documents(services, cashier, invoices(3), group_seconds=0)
        assert store_db.sqlite_refusal(caught.value) == "busy"
        assert caught.value.index == 1
        assert [d["number"] for d in caught.value.posted] == ["261101SI000001"]
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert services.db._batch() is None
    again = headless.post_documents(services, cashier, invoices(1))  # the lock is free again
    assert _posted_numbers(again) == ["261101SI000002"]
    services.db.dispose()
    check_books(open_shop)


def test_ctrl_c_between_documents_commits_those_before_and_says_so(open_shop, cashier):
    """``stop`` (shopterm post: Ctrl+C was pressed) is asked before each document: when it says so, the
    list ends there; the documents before are committed and are exactly those said posted."""
    services = open_shop
    before = counts(services)
    asked: list = []

    def stop() -> bool:
        asked.append(True)
        return len(asked) == 3  # pressed while the second document was posted: the third is not begun

    outcome = headless.post_documents(services, cashier, invoices(4), stop=stop)
    assert outcome.error["code"] == "interrupted" and outcome.error["index"] == 2
    assert outcome.error["error"].startswith("Stopped (Ctrl+C)")
    assert _posted_numbers(outcome) == ["261101SI000001", "261101SI000002"]
    assert outcome.error["posted"] == outcome.posted
    assert counts(services)["posted SI"] - before["posted SI"] == 2
    assert services.db._batch() is None
    check_books(services)
    again = headless.post_documents(services, cashier, invoices(1))
    assert _posted_numbers(again) == ["261101SI000003"]


def test_a_hard_ctrl_c_inside_a_document_posts_exactly_what_it_says(open_shop, cashier, fail_third_audit):
    """A KeyboardInterrupt raised inside the third document (its header, lines, journal, ledger entry and
    stock moves written): that document and those not yet committed are rolled back; the exception says
    which were posted (``posted``) and where the list stopped (``index``), and they are what the books hold."""
    services = open_shop
    before = counts(services)
    fail_third_audit["error"] = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt) as caught:
        headless.post_documents(services, cashier, invoices(4), group_seconds=0)  # each committed after it
    assert [d["number"] for d in caught.value.posted] == ["261101SI000001", "261101SI000002"]
    assert caught.value.index == 2
    assert counts(services)["posted SI"] - before["posted SI"] == 2
    check_books(services)
    again = headless.post_documents(services, cashier, invoices(1))
    assert _posted_numbers(again) == ["261101SI000003"]


def test_a_hard_ctrl_c_rolls_back_the_group_not_yet_committed(open_shop, cashier, fail_third_audit):
    """One group (60 s): the two documents before the interrupted one were not committed yet: none is
    posted and none is said posted; the next post takes the first number."""
    services = open_shop
    before = counts(services)
    fail_third_audit["error"] = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt) as caught:
        headless.post_documents(services, cashier, invoices(4), group_seconds=60)
    assert caught.value.posted == [] and caught.value.index == 0
    assert counts(services) == before
    assert services.db._batch() is None
    again = headless.post_documents(services, cashier, invoices(1))
    assert _posted_numbers(again) == ["261101SI000001"]
    check_books(services)


def test_a_credit_limit_counts_the_invoices_before_it_in_the_same_list(open_shop, cashier):
    """C0002 (credit limit 500.00, owes nothing yet) buys one bandage roll at 300.00 (0 % tax, no flat
    discount) twice in one list's transaction: the first takes what it owes to 300.00; the second would
    take it to 600.00 > 500.00 and needs a manager — refused, the first stays posted."""
    doc = {**INVOICE, "customer": "C0002", "flat_discount": {"type": "amount", "value": "0"},
           "lines": [{"item": "BAND01", "batch": "D001", "qty": "1", "price": "300.00"}]}
    outcome = headless.post_documents(open_shop, cashier, [doc, doc], group_seconds=60)
    assert outcome.error["error"] == ("Credit limit exceeded: C0002 owes 300.00, limit 500.00, available 200.00, "
                                      "this invoice 300.00 — a manager's approval is needed")
    assert outcome.error["index"] == 1
    assert [(d["number"], d["totals"]["net"]) for d in outcome.posted] == [("261101SI000001", "300.00")]
    check_books(open_shop)


def test_a_batch_received_earlier_in_the_list_is_sold_from_later_in_it(open_shop, manager):
    """One list's transaction: an invoice of BAND01 (its batches read and kept), a stock receipt of a new
    batch D9 (5 at 0.70: a master written inside the list), then an invoice from D9: it finds D9 and takes
    2 of its 5; after the list the next post finds D9 with 3 left (4 refused)."""
    receipt = {"type": "stock_receipt", "location": "AXP", "date": DAY.isoformat(), "narration": "delivery",
               "lines": [{"item": "BAND01", "batch": "D9", "qty": "5", "cost_usd": "0.70", "expiry": "2030-01-31"}]}
    from_d9 = {**INVOICE, "lines": [{"item": "BAND01", "batch": "D9", "qty": "2"}]}
    outcome = headless.post_documents(open_shop, manager, [INVOICE, receipt, from_d9], group_seconds=60)
    assert outcome.ok, outcome.error
    with open_shop.db.read() as s:
        d9 = s.execute(text("SELECT b.id FROM batch b JOIN item i ON i.id = b.item_id "
                            "WHERE i.code = 'BAND01' AND b.code = 'D9'")).scalar_one()
        assert s.execute(select(func.sum(StockMove.qty)).where(StockMove.batch_id == d9)).scalar_one() == D("3")
    too_many = {**INVOICE, "lines": [{"item": "BAND01", "batch": "D9", "qty": "4"}]}
    refused = headless.post_documents(open_shop, manager, [too_many])
    assert refused.error and refused.error["field"] == "lines[0].qty", refused.error
    check_books(open_shop)


@sqlite_only("SQLite: a till polls for the write lock; PostgreSQL queues it behind the list's advisory lock")
def test_a_till_waiting_for_the_lock_posts_before_the_lists_next_group(open_shop, cashier):
    """A list of three invoices commits after each (a group each). While its first is posted another till
    (its own Services, as another process) starts its invoice and waits for the write lock: it gets in before
    the list's second group, so it is number 2 and the list's are 1, 3 and 4."""
    import threading

    from shopterm.services import Services

    till = Services.open(open_shop.db.url, upgrade=False, today=DAY)
    waiting, got = threading.Event(), []
    real, real_hold = headless.post_one, till.db._turns._hold

    def hold() -> bool:  # the till has said it waits: from here it polls for SQLite's write lock
        held = real_hold()
        waiting.set()
        return held

    till.db._turns._hold = hold

    def post_one(svc, actor, doc):
        out = real(svc, actor, doc)
        if not waiting.is_set():  # the list's first invoice is posted, not yet committed
            threading.Thread(target=lambda: got.append(real(till, cashier, invoices(1)[0])), daemon=True).start()
            assert waiting.wait(10)
        return out

    headless.post_one = post_one
    try:
        outcome = headless.post_documents(open_shop, cashier, invoices(3), group_seconds=0)
    finally:
        headless.post_one = real
    assert outcome.ok and _posted_numbers(outcome) == ["261101SI000001", "261101SI000003", "261101SI000004"]
    assert [d["number"] for d in got] == ["261101SI000002"]
    import os
    import stat

    # the turns are taken on the database's folder, never on its file (closing a descriptor of the file
    # would drop SQLite's own locks of this process)
    assert stat.S_ISDIR(os.fstat(till.db._turns._shared).st_mode)
    till.db.dispose()
    check_books(open_shop)
