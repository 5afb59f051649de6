"""Headless trust (issue 12): a command acts as a user only with a credential (PIN or API token), wrong
credentials lock like the sign-in screen, JSON approvals are audited and lock, ``db verify``, ``db backup``
while tills post and ``db restore``, and the demo's database as the default with no empty shop.db made."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from shopterm.cli import make_app
from shopterm.store import models as m
from tests import backend
from tests.store.conftest import _copy_services, _template

DAY = "2026-11-23"
ENV = {"SHOPTERM_DB": None, "SHOPTERM_USER": None, "SHOPTERM_PIN": None, "SHOPTERM_TOKEN": None,
       "SHOPTERM_TODAY": DAY}
LOCKED = "error: Too many wrong PINs: wait 30 s\n"


def run(*args: str, input: str | None = None, env: dict | None = None):
    """The command exactly as given: no PIN added (these tests are about credentials)."""
    runner = CliRunner(env={**ENV, **(env or {})})
    result = runner.invoke(make_app(list(args)), list(args), input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def _build_demo(url: str) -> None:
    assert run("demo", "--no-tui", "--db", backend.db_arg(url)).exit_code == 0


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> str:
    return backend.make_template("trust_demo", tmp_path_factory, _build_demo)


@pytest.fixture
def db(demo_template, tmp_path) -> str:
    return backend.db_arg(backend.clone(demo_template, tmp_path, "demo.db"))


def sql(db: str, query: str, **params) -> list[tuple]:
    """Raw SQL on the test's database (either backend), as someone with the file or a SQL shell would."""
    from sqlalchemy import bindparam, create_engine, text

    from shopterm.store.db import normalise_url

    engine = create_engine(normalise_url(db))
    try:
        stmt = text(query)
        for name, value in params.items():
            if isinstance(value, (list, tuple)):
                stmt = stmt.bindparams(bindparam(name, expanding=True))
        with engine.begin() as conn:
            result = conn.execute(stmt, params)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def audit_rows(db: str, *actions: str) -> list[tuple[str, str, str]]:
    return sql(db, "SELECT action, user_name, summary FROM audit_log WHERE action IN :actions ORDER BY id",
               actions=list(actions))


# ---------------------------------------------------------------- PIN or token, never the name alone


NEEDS_CREDENTIAL = ("error: acting as manager needs a credential: give the user's PIN (--pin or SHOPTERM_PIN) or an "
                    "API token an admin issued with 'shopterm user token create NAME' (--token or SHOPTERM_TOKEN)\n")


def test_a_user_name_alone_is_not_a_credential(db):
    result = run("--db", db, "--user", "manager", "ledger", "balances")
    assert (result.exit_code, result.stderr) == (1, NEEDS_CREDENTIAL)
    result = run("--db", db, "ledger", "balances", env={"SHOPTERM_USER": "manager"})
    assert (result.exit_code, result.stderr) == (1, NEEDS_CREDENTIAL)
    assert run("--db", db, "--user", "manager", "--pin", "2222", "ledger", "balances").exit_code == 0
    assert run("--db", db, "ledger", "balances", env={"SHOPTERM_USER": "manager", "SHOPTERM_PIN": "2222"}).exit_code == 0
    assert audit_rows(db, "login")[-2:] == [("login", "manager", "manager logged in (headless)")] * 2


def test_wrong_pins_lock_headless_use_as_on_the_sign_in_screen(db):
    args = ("--db", db, "--user", "manager", "ledger", "balances")
    assert run(*args, "--pin", "1111").stderr == "error: Unknown user or wrong PIN (2 tries left)\n"
    assert run(*args, "--pin", "1111").stderr == "error: Unknown user or wrong PIN (1 try left)\n"
    assert run(*args, "--pin", "1111").stderr == LOCKED
    locked = run(*args, "--pin", "2222")  # the right PIN, while locked
    assert locked.exit_code == 1 and locked.stderr.startswith("error: Too many wrong PINs: wait ")
    assert run(*args).stderr == NEEDS_CREDENTIAL  # and never the name alone, locked or not
    assert audit_rows(db, "login_failed", "lockout") == [
        ("login_failed", "system", "manager: wrong PIN (sign-in (headless))"),
        ("login_failed", "system", "manager: wrong PIN (sign-in (headless))"),
        ("login_failed", "system", "manager: wrong PIN (sign-in (headless))"),
        ("lockout", "system", "manager: 3 wrong PINs"),
        ("login_failed", "system", "manager: locked out (headless)"),
    ]


def test_api_tokens_issued_listed_used_and_revoked_by_an_admin(db):
    admin = ("--db", db, "--user", "admin", "--pin", "9999")
    created = run(*admin, "user", "token", "create", "manager", "--label", "nightly export")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("st_") and len(token) == 46 and created.stdout == token + "\n"
    prefix = token[:12]
    assert created.stderr == (f"API token {prefix}… for manager: shown only now; use it as SHOPTERM_TOKEN or "
                              f"--token. Revoke it with 'shopterm user token revoke {prefix}'\n")
    stored = sql(db, "SELECT token_hash, prefix, label FROM api_token")  # stored hashed
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(), prefix, "nightly export")]
    if not backend.PG:  # the token itself is nowhere in the file
        files = [p for p in (Path(db), Path(db + "-wal")) if p.exists()]
        assert all(token.encode() not in p.read_bytes() for p in files)

    used = run("--db", db, "ledger", "balances", "--format", "json", env={"SHOPTERM_TOKEN": token})
    assert used.exit_code == 0, used.output
    assert run("--db", db, "--token", token, "export", "journal").exit_code == 0  # a manager's command
    posted = run("post", "-", "--db", db, "--token", token,  # after the command too
                 input=json.dumps({"type": "shop_open", "location": "AXP", "date": DAY}))
    assert posted.exit_code == 0, posted.output
    assert audit_rows(db, "token_use") == [
        ("token_use", "manager", f"manager signed in with API token {prefix}… (headless)")] * 3

    listed = run(*admin, "user", "token", "list")
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["id", "prefix", "user", "created", "last", "used", "revoked", "label"]
    assert lines[1].split()[:3] == ["1", prefix, "manager"] and lines[1].endswith("—                 nightly export")

    as_manager = run("--db", db, "--user", "manager", "--pin", "2222", "user", "token", "create", "manager")
    assert as_manager.stderr == "error: Issuing API tokens needs an admin; manager is a manager\n"
    revoked = run(*admin, "user", "token", "revoke", prefix)
    assert revoked.stdout == f"API token {prefix}… of manager revoked\n"
    refused = run("--db", db, "ledger", "balances", env={"SHOPTERM_TOKEN": token})
    assert (refused.exit_code, refused.stderr) == (1, "error: Unknown or revoked API token\n")
    assert audit_rows(db, "create", "revoke")[-2:] == [
        ("create", "admin", f"API token {prefix}… issued for manager"),
        ("revoke", "admin", f"API token {prefix}… revoked")]


def test_a_wrong_token_counts_toward_the_users_lockout(db):
    for _ in range(2):
        assert run("--db", db, "--user", "manager", "--pin", "1111", "ledger", "balances").exit_code == 1
    wrong = run("--db", db, "--user", "manager", "--token", "st_guessed", "ledger", "balances")
    assert wrong.stderr == LOCKED
    assert run("--db", db, "--user", "manager", "--pin", "2222", "ledger", "balances").exit_code == 1


# ---------------------------------------------------------------- approvals in JSON


def test_wrong_approver_pins_in_json_are_audited_and_lock(db):
    """Today 32 wrong approver PINs went by unrecorded, then the right one worked."""
    cashier = ("--db", db, "--user", "cashier", "--pin", "1111")
    assert run(*cashier, "post", "-", input=json.dumps({"type": "shop_open", "location": "AXP", "date": DAY})
               ).exit_code == 0
    over_limit = {"type": "sales_invoice", "location": "AXP", "date": DAY, "customer": "C0002",
                  "sales_type": "credit", "currency": "USD", "rate": "2850",
                  "lines": [{"item": "PARA500", "batch": "B001", "qty": "300"}],  # 300 × 2.20 = 660 > 500 limit
                  "approver": "manager", "approver_pin": "0000"}
    errors = [json.loads(run(*cashier, "post", "-", input=json.dumps(over_limit)).stdout)["error"]
              for _ in range(3)]
    assert errors == ["Approval refused: unknown manager or wrong PIN"] * 2 + [
        "Approval refused: wrong PIN; manager is locked for 30 s"]
    right = run(*cashier, "post", "-", input=json.dumps({**over_limit, "approver_pin": "2222"}))
    assert right.exit_code == 1
    assert json.loads(right.stdout)["error"].startswith("Approval refused: manager is locked after wrong PINs: wait ")
    assert [(a, s) for a, _, s in audit_rows(db, "approval_failed", "lockout")] == [
        ("approval_failed", "manager: wrong PIN (approval: credit limit)")] * 3 + [
        ("lockout", "manager: 3 wrong PINs"), ("approval_failed", "manager: locked out (approval: credit limit)")]
    assert sql(db, "SELECT COUNT(*) FROM document WHERE doc_type = 'SI'") == [(0,)]


# ---------------------------------------------------------------- db verify


def test_db_verify_names_the_first_row_that_does_not_match(db):
    ok = run("db", "verify", "--db", db)
    assert ok.exit_code == 0
    lines = ok.stdout.splitlines()
    heads = dict(sql(db, "SELECT name, hash FROM chain_head"))
    [(audit_count,)] = sql(db, "SELECT COUNT(*) FROM audit_log")
    assert lines == [f"audit log: {audit_count} rows, chain intact, head {heads['audit'][:16]}",
                     f"journal: 2 vouchers, chain intact, head {heads['journal'][:16]}"]  # the demo's two GRNs
    [(vid, number)] = sql(db, "SELECT id, number FROM journal_voucher ORDER BY id LIMIT 1")
    sql(db, "UPDATE journal_line SET amount_usd = amount_usd + 100 WHERE id = "
            "(SELECT MIN(id) FROM journal_line WHERE voucher_id = :vid)", vid=vid)
    broken = run("db", "verify", "--db", db)
    assert broken.exit_code == 1
    assert broken.stdout.splitlines()[1] == (
        f"journal: BROKEN — journal voucher {number} (id {vid}, GR, dated 2026-10-24): its content does not match "
        "its hash — it was changed outside shopterm")


# ---------------------------------------------------------------- backup and restore

POSTER = r"""
import sys
from shopterm.services import Services
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.admin.users import actor_of
from shopterm.store.models import User
from sqlmodel import select
import datetime as dt

svc = Services.open("sqlite:///" + sys.argv[1], upgrade=False, today=dt.date(2026, 11, 23))
with svc.db.read() as s:
    cashier = actor_of(s.exec(select(User).where(User.name == "cashier")).one())
for _ in range(int(sys.argv[2])):
    svc.sales.post_invoice(cashier, DocumentDraft(
        location="AXP", date=dt.date(2026, 11, 23), customer="CASH", sales_type="cash", currency="USD",
        rate="2850", sales_person="SP01", lines=[DraftLine("BAND01", "D001", "1", "1.25", "0", "0")]))
svc.db.dispose()
"""


def _invoices(path: str) -> int:
    con = sqlite3.connect(path, timeout=10)
    try:
        return con.execute("SELECT COUNT(*) FROM document WHERE doc_type = 'SI' AND status = 'posted'").fetchone()[0]
    finally:
        con.close()


@backend.sqlite_only("the SQLite online backup of a live file; PostgreSQL is backed up with pg_dump")
def test_backup_while_two_tills_post_then_restore(tmp_path_factory, tmp_path):
    from tests.store.conftest import open_day

    live = _copy_services(_template(tmp_path_factory), tmp_path / "live")
    open_day(live)
    path = str(live.db.engine.url.database)
    live.db.dispose()
    per_till = 40
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    tills = [subprocess.Popen([sys.executable, "-c", POSTER, path, str(per_till)], env=env) for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while _invoices(path) < 10:  # wait until the tills are posting
            assert time.monotonic() < deadline and all(t.poll() is None for t in tills), "the tills did not post"
            time.sleep(0.02)
        backup = tmp_path / "copies" / "backup.db"
        result = run("db", "backup", str(backup), "--db", path)
        during = _invoices(path)
    finally:
        codes = [t.wait(timeout=120) for t in tills]
    assert codes == [0, 0]
    assert result.exit_code == 0, result.output
    copied = _invoices(str(backup))
    assert 10 <= copied <= during <= 2 * per_till  # one snapshot, taken while the tills posted
    assert result.stdout.startswith(f"Backup written to {backup} (") and "integrity ok" in result.stdout
    assert oct(os.stat(backup).st_mode & 0o777) == "0o600"
    assert run("db", "backup", str(backup), "--db", path).stderr == (
        f"error: {backup} already exists: a backup goes only into a new file\n")

    # the live database: every invoice posted, both chains intact with two writers
    assert _invoices(path) == 2 * per_till
    assert run("db", "verify", "--db", path).exit_code == 0

    restored = tmp_path / "restored.db"
    again = run("db", "restore", str(backup), "--db", str(restored))
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0].startswith(f"Restored {backup} into {restored}: integrity ok")
    assert run("db", "restore", str(backup), "--db", str(restored)).stderr == (
        f"error: {restored} already exists: a restore goes only into a new file\n")
    assert run("db", "verify", "--db", str(restored)).exit_code == 0

    from shopterm.services import Services

    svc = Services.open(f"sqlite:///{restored}", upgrade=False)
    try:
        _books_hold(svc)
        with svc.db.read() as s:
            cash = s.execute(select(func.sum(m.LedgerEntry.amount_usd)).join(m.Customer)
                             .where(m.Customer.code == "CASH")).scalar_one()
            numbers = s.execute(select(m.Document.number).where(m.Document.doc_type == "SI")
                                .order_by(m.Document.number)).scalars().all()
        assert cash == D("1.25") * copied  # one 1.25 USD bandage per invoice
        assert numbers == [f"261101SI{n:06d}" for n in range(1, copied + 1)]  # gapless in the copy
    finally:
        svc.db.dispose()


def _books_hold(svc) -> None:
    """The books' invariants on a copy: every voucher balances, the customer ledger equals the receivable
    account per customer, no batch below zero, inventory (1300) = the documents' stock moves at cost."""
    with svc.db.read() as s:
        assert s.execute(select(m.JournalLine.voucher_id).group_by(m.JournalLine.voucher_id)
                         .having(func.sum(m.JournalLine.amount_usd) != 0)).all() == []
        receivable = dict(s.execute(select(m.JournalLine.customer_id, func.sum(m.JournalLine.amount_usd))
                                    .join(m.Account, m.Account.id == m.JournalLine.account_id)
                                    .where(m.Account.code == "1200").group_by(m.JournalLine.customer_id)).all())
        ledger = dict(s.execute(select(m.LedgerEntry.customer_id, func.sum(m.LedgerEntry.amount_usd))
                                .group_by(m.LedgerEntry.customer_id)).all())
        assert receivable == ledger
        assert all(q >= 0 for _, q in s.execute(select(m.StockMove.batch_id, func.sum(m.StockMove.qty))
                                                .group_by(m.StockMove.batch_id)).all())
        moves = s.execute(select(m.StockMove.qty, m.StockMove.unit_cost_usd)
                          .where(m.StockMove.document_id.is_not(None))).all()
        inventory = s.execute(select(func.coalesce(func.sum(m.JournalLine.amount_usd), 0))
                              .join(m.Account, m.Account.id == m.JournalLine.account_id)
                              .where(m.Account.code == "1300")).scalar_one()
        assert sum((round(q * c, 2) for q, c in moves), D(0)) == inventory


def test_backup_of_postgresql_points_to_pg_dump():
    result = run("db", "backup", "x.db", "--db", "postgresql://shop@localhost/shop")
    assert result.exit_code == 1
    assert result.stderr == ("error: this is a PostgreSQL database: back it up with pg_dump (pg_dump -Fc -f shop.dump "
                             "DATABASE_URL) and restore it with pg_restore into a new database (createdb NEW; "
                             "pg_restore -d NEW shop.dump)\n")


# ---------------------------------------------------------------- the demo's database as the default


@backend.sqlite_only("the demo's file in the data directory")
def test_after_the_demo_commands_use_its_database_and_never_make_an_empty_shop(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    folder = tmp_path / "data" / "shopterm"
    before = run("--user", "manager", "--pin", "2222", "ledger", "balances", env=env)
    assert before.exit_code == 1 and before.stderr.startswith(f"error: no shop database at {folder / 'shop.db'}: ")
    assert not folder.exists()  # nothing made as a side effect
    demo = run("demo", "--no-tui", env=env)
    assert demo.stdout.splitlines() == [
        f"Demo shop created in {folder / 'demo.db'}", "Users: cashier (PIN 1111), manager (2222), admin (9999)",
        "Other commands use this database until you create your shop with 'shopterm init'"]
    after = run("--user", "manager", "--pin", "2222", "ledger", "balances", "--format", "json", env=env)
    assert after.exit_code == 0, after.output
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["demo.db"]
    made = run("init", "--location-code", "MAIN", "--location-name", "Main", "--rate", "2850", "--admin-pin", "4321",
               env=env)
    assert made.stdout.startswith(f"Shop created in {folder / 'shop.db'}: ")
    own = run("--user", "admin", "--pin", "4321", "ledger", "balances", env=env)  # now the shop is the default
    assert own.exit_code == 0, own.output
    assert run("--user", "manager", "--pin", "2222", "ledger", "balances", env=env).exit_code == 1  # not in the shop
