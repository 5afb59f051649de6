"""Trust in a shared database (issue 12, DESIGN §10): approver PINs lock and are audited like sign-ins,
the books carry hash chains that name the first row changed outside shopterm, a tampered day cannot be
closed, and database files and prints are readable by their owner only."""

from __future__ import annotations

import datetime as dt
import os
import stat
from decimal import Decimal as D

import pytest
from sqlalchemy import select, text

from shopterm.services.admin import audit, chain
from shopterm.services.errors import ApprovalDenied, AuthError, ChainBroken, LockedOut
from shopterm.store import models as m

from .conftest import DAY, actor
from .test_cash import float_in
from .test_printing import draft


def sql(services, statement: str, **params) -> None:
    """A direct edit of the database file, as someone with a shell could make it."""
    with services.db.engine.begin() as conn:
        conn.execute(text(statement), params)


def audit_of_user(services, name: str) -> list[tuple[str, str]]:
    with services.db.read() as s:
        uid = s.execute(select(m.User.id).where(m.User.name == name)).scalar_one()
        return [(h.action, h.summary) for h in audit.history(s, "user", uid)]


def reports(services) -> dict[str, chain.ChainReport]:
    with services.db.read() as s:
        return {r.chain: r for r in chain.verify(s)}


def voucher_of(services, number: str) -> tuple[int, str]:
    with services.db.read() as s:
        return s.execute(select(m.JournalVoucher.id, m.JournalVoucher.voucher_type)
                         .where(m.JournalVoucher.number == number)).one()


# ---------------------------------------------------------------- approver PINs


def test_wrong_approver_pins_lock_the_approver_and_are_audited(open_shop):
    """Three wrong approver PINs given with a document lock the manager like three wrong sign-ins; each
    failure is in the audit log although the document's own transaction is rolled back (today: 32 wrong
    approver PINs went by unrecorded, then the right one worked)."""
    s = open_shop
    cashier = actor(s, "cashier")
    messages = []
    for _ in range(3):
        with pytest.raises(ApprovalDenied) as err:
            s.cash.cancel_exchange(cashier, "261101CE000001", approver="manager", approver_pin="0000")
        messages.append(err.value.message)
    assert messages == ["Approval refused: unknown manager or wrong PIN",
                        "Approval refused: unknown manager or wrong PIN",
                        "Approval refused: wrong PIN; manager is locked for 30 s"]
    with pytest.raises(ApprovalDenied, match=r"^Approval refused: manager is locked after wrong PINs: wait \d+ s$"):
        s.cash.cancel_exchange(cashier, "261101CE000001", approver="manager", approver_pin="2222")
    with pytest.raises(LockedOut):  # the same lockout as the sign-in screen
        s.users.login("manager", "2222")
    what = "approval: cancel currency exchange"
    assert audit_of_user(s, "manager") == [
        ("approval_failed", f"manager: wrong PIN ({what})"),
        ("approval_failed", f"manager: wrong PIN ({what})"),
        ("approval_failed", f"manager: wrong PIN ({what})"),
        ("lockout", "manager: 3 wrong PINs"),
        ("approval_failed", f"manager: locked out ({what})"),
        ("login_failed", "manager: locked out"),
    ]


def test_approval_dialog_and_sign_in_share_one_count(services):
    with pytest.raises(AuthError):
        services.users.login("manager", "1111")
    with pytest.raises(AuthError):
        services.users.login("manager", "1111")
    with pytest.raises(ApprovalDenied) as err:  # the third wrong PIN, in the approval dialog
        services.users.approve("manager", "0000", "cancel 261101SI000001")
    assert err.value.message == "Approval refused: wrong PIN; manager is locked for 30 s"
    with pytest.raises(LockedOut):
        services.users.login("manager", "2222")
    assert [a for a, _ in audit_of_user(services, "manager")] == [
        "login_failed", "login_failed", "approval_failed", "lockout", "login_failed"]


def test_a_right_approval_resets_the_count(services):
    with pytest.raises(AuthError):
        services.users.login("manager", "1111")
    with pytest.raises(AuthError):
        services.users.login("manager", "1111")
    assert services.users.approve("manager", "2222", "cancel").name == "manager"
    with pytest.raises(AuthError) as err:
        services.users.login("manager", "1111")
    assert err.value.message == "Unknown user or wrong PIN (2 tries left)"


def test_unknown_and_cashier_approvers_are_audited(services):
    with pytest.raises(ApprovalDenied):
        services.users.approve("ghost", "1234", "cancel")
    with pytest.raises(ApprovalDenied):
        services.users.approve("cashier", "1111", "cancel")
    with services.db.read() as s:
        rows = s.execute(select(m.AuditLog.action, m.AuditLog.summary).order_by(m.AuditLog.id.desc()).limit(2)).all()
    assert rows[::-1] == [("approval_failed", "'ghost': unknown approver (approval: cancel)"),
                          ("approval_failed", "cashier: a cashier cannot approve (approval: cancel)")]


# ---------------------------------------------------------------- hash chains


def test_the_chains_are_intact_after_ordinary_work(open_shop):
    s = open_shop
    cashier = actor(s, "cashier")
    float_in(s, cashier, "USD", "100")
    s.sales.post_invoice(cashier, draft())
    r = reports(s)
    assert r["audit"].ok and r["journal"].ok, (r["audit"].problem, r["journal"].problem)
    with s.db.read() as ss:
        vouchers = ss.execute(select(m.JournalVoucher.chain_seq).order_by(m.JournalVoucher.id)).scalars().all()
        heads = dict(ss.execute(select(m.ChainHead.name, m.ChainHead.seq)).all())
        audit_rows = ss.execute(select(m.AuditLog.id)).scalars().all()
    assert vouchers == [1, 2]  # the float, the invoice (the seed has no journal)
    assert r["journal"].rows == 2 and heads["journal"] == 2
    assert r["audit"].rows == len(audit_rows) == heads["audit"]


def test_verify_names_a_changed_journal_line(open_shop):
    s = open_shop
    number = float_in(s, actor(s, "cashier"), "USD", "100")
    vid, vtype = voucher_of(s, number)
    sql(s, "UPDATE journal_line SET amount_usd = 9000, amount = 9000 WHERE voucher_id = :v AND amount_usd = 10000",
        v=vid)
    assert reports(s)["journal"].problem == (
        f"journal voucher {number} (id {vid}, {vtype}, dated {DAY}): its content does not match its hash — "
        "it was changed outside shopterm")
    assert reports(s)["audit"].ok


def test_verify_names_a_changed_voucher_and_a_removed_line(open_shop):
    s = open_shop
    cashier = actor(s, "cashier")
    first = float_in(s, cashier, "USD", "100")
    second = float_in(s, cashier, "CDF", "300000")
    vid, vtype = voucher_of(s, second)
    sql(s, "UPDATE journal_voucher SET date = '2026-11-22' WHERE id = :v", v=vid)
    assert reports(s)["journal"].problem.startswith(f"journal voucher {second} (id {vid}, {vtype}, dated 2026-11-22): "
                                                    "its content does not match its hash")
    sql(s, "UPDATE journal_voucher SET date = '2026-11-23' WHERE id = :v", v=vid)
    assert reports(s)["journal"].ok  # put back exactly as it was: intact again
    vid1, _ = voucher_of(s, first)
    sql(s, "DELETE FROM journal_line WHERE id = (SELECT MAX(id) FROM journal_line WHERE voucher_id = :v)", v=vid1)
    assert reports(s)["journal"].problem.startswith(f"journal voucher {first} (id {vid1}, ")


def test_verify_names_a_changed_removed_or_added_audit_row(open_shop):
    s = open_shop
    float_in(s, actor(s, "cashier"), "USD", "100")
    with s.db.read() as ss:
        row = ss.execute(select(m.AuditLog).where(m.AuditLog.action == "post")).scalars().one()
    sql(s, "UPDATE audit_log SET summary = 'nothing happened' WHERE id = :i", i=row.id)
    problem = reports(s)["audit"].problem
    assert problem.startswith(f"audit row {row.id} (") and problem.endswith(
        "cashier: post document {}): its content does not match its hash — it was changed outside shopterm".format(
            row.entity_id))
    sql(s, "UPDATE audit_log SET summary = :t WHERE id = :i", t=row.summary, i=row.id)
    assert reports(s)["audit"].ok
    sql(s, "DELETE FROM audit_log WHERE id = :i", i=row.id - 1)
    assert reports(s)["audit"].problem.startswith(f"audit row {row.id} (")
    assert "the link before it is missing" in reports(s)["audit"].problem


def test_verify_names_a_changed_customer_ledger_entry(open_shop):
    """The customer ledger repeats the journal's receivable lines: a balance lowered by hand is seen."""
    s = open_shop
    number = s.sales.post_invoice(actor(s, "cashier"), draft()).number
    with s.db.read() as ss:
        entry, line = ss.execute(select(m.LedgerEntry.id, m.LedgerEntry.journal_line_id)
                                 .where(m.LedgerEntry.number == number)).one()
    sql(s, "UPDATE ledger_entry SET amount_usd = 100, amount = 100, open_usd = 100, open_amount = 100 WHERE id = :e",
        e=entry)
    assert reports(s)["journal"].problem == (
        f"customer ledger entry {entry} ({number}) does not match its journal line {line} — "
        "it was changed outside shopterm")
    with pytest.raises(ChainBroken, match=rf"tampering — customer ledger entry {entry} \({number}\) does not"):
        s.day.close_day(actor(s, "manager"), physical_usd="0", physical_cdf="0")


def test_a_row_inserted_by_hand_is_named(open_shop):
    s = open_shop
    float_in(s, actor(s, "cashier"), "USD", "100")
    sql(s, "INSERT INTO journal_voucher (location_id, date, voucher_type, number, narration, created_at) "
           "VALUES (1, '2026-11-23', 'SP', 'FAKE01', '', '2026-11-23 10:00:00.000000')")
    assert reports(s)["journal"].problem.startswith("journal voucher FAKE01 (id 2, SP, dated 2026-11-23): "
                                                    "it is not in the chain")


def test_removing_the_last_voucher_is_seen(open_shop):
    s = open_shop
    cashier = actor(s, "cashier")
    float_in(s, cashier, "USD", "100")
    number = float_in(s, cashier, "CDF", "300000")
    vid, _ = voucher_of(s, number)
    sql(s, "DELETE FROM journal_line WHERE voucher_id = :v", v=vid)
    sql(s, "DELETE FROM journal_voucher WHERE id = :v", v=vid)
    assert reports(s)["journal"].problem == (
        "the journal chain ends at position 1 but its head records position 2: its last rows were removed "
        "or its head was changed outside shopterm")


def test_shop_close_refuses_a_tampered_day(services):
    s = services
    cashier, manager = actor(s, "cashier"), actor(s, "manager")
    s.day.open_day(cashier)
    number = float_in(s, cashier, "USD", "100")
    vid, vtype = voucher_of(s, number)
    sql(s, "UPDATE journal_line SET amount_usd = 5000, amount = 5000 WHERE voucher_id = :v AND amount_usd = 10000",
        v=vid)
    with pytest.raises(ChainBroken) as err:
        s.day.close_day(manager, physical_usd="100", physical_cdf="0")
    assert err.value.message == (
        f"Shop Close refused: the books show tampering — journal voucher {number} (id {vid}, "
        f"{vtype}, dated {DAY}): its content does not match its hash — it was changed outside shopterm. "
        "Run 'shopterm db verify'")
    with s.db.read() as ss:  # nothing written: the day is still open
        assert ss.execute(select(m.ShopDay.status)).scalar_one() == "open"
    sql(s, "UPDATE journal_line SET amount_usd = 10000, amount = 10000 WHERE voucher_id = :v AND amount_usd = 5000",
        v=vid)
    result = s.day.close_day(manager, physical_usd="100", physical_cdf="0")
    assert result.number == "261101CL000001"


def test_shop_close_refuses_a_day_with_a_changed_audit_row(services):
    s = services
    cashier, manager = actor(s, "cashier"), actor(s, "manager")
    s.day.open_day(cashier)
    float_in(s, cashier, "USD", "100")
    with s.db.read() as ss:
        row_id = ss.execute(select(m.AuditLog.id).where(m.AuditLog.action == "post")
                            .order_by(m.AuditLog.id.desc())).scalars().first()
    sql(s, "UPDATE audit_log SET user_name = 'manager' WHERE id = :i", i=row_id)
    with pytest.raises(ChainBroken, match=rf"the books show tampering — audit row {row_id} \("):
        s.day.close_day(manager, physical_usd="100", physical_cdf="0")


# ---------------------------------------------------------------- file modes


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_database_and_its_wal_and_shm_are_owner_only(tmp_path):
    from shopterm.services import Services

    old = os.umask(0o022)
    try:
        path = tmp_path / "new" / "shop.db"
        svc = Services.open(f"sqlite:///{path}", today=DAY)
        try:
            svc.setup.init_shop(location_code="AXP", location_name="Axpert", rate="2850", admin_pin="9999")
            with svc.db.read() as s:  # a connection is open: the -wal and -shm files exist
                s.execute(select(m.User.id)).all()
                assert {p.name: _mode(p) for p in path.parent.iterdir()} == {
                    "shop.db": 0o600, "shop.db-wal": 0o600, "shop.db-shm": 0o600}
            assert _mode(path.parent) == 0o700
        finally:
            svc.db.dispose()
    finally:
        os.umask(old)


def test_prints_go_to_an_owner_only_folder(open_shop, tmp_path):
    s = open_shop
    folder = tmp_path / "prints" / "counter"
    with s.db.write() as ss:
        setup = ss.execute(select(m.ShopSetup)).scalars().one()
        setup.print_dir = str(folder)
        ss.add(setup)
    cashier = actor(s, "cashier")
    number = s.sales.post_invoice(cashier, draft()).number
    old = os.umask(0o022)
    try:
        printed = s.printing.print(cashier, number, format="text")
    finally:
        os.umask(old)
    assert printed.path == folder / f"{number}.txt"
    assert (_mode(folder.parent), _mode(folder), _mode(printed.path)) == (0o700, 0o700, 0o600)
