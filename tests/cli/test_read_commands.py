"""The ledger's read commands run without the ORM, SQLModel, pydantic or the models, with the same output.

Each command runs in a fresh interpreter (as the ``shopterm`` script does) on the ledger case of
tests/store/ledger_support (SQLite, or PostgreSQL with SHOPTERM_TEST_DB), signs in with the PIN
(its check, the sign-in's audit row in the hash chain) and prints its report; the modules it
loaded are listed afterwards. Its output equals the same command run in this process, where the
ORM and the models are loaded (as in the terminal app).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_ledger_cli import DAY, run

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlmodel", "pydantic", "sqlalchemy.orm", "shopterm.store.models", "alembic", "typer._adapters")
#: the commands that on a SQLite file import no SQLAlchemy at all: their statements compiled ahead, run on
#: sqlite3 (store/sqlrun.py)
LITE = ("balances", "trial-balance", "ageing")

PROBE = """
import io, json, sys
from contextlib import redirect_stdout
from shopterm.cli import main
out = io.StringIO()
code = 0
with redirect_stdout(out):
    try:
        main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code or 0
heavy = [m for m in %r if m in sys.modules]
sys.stderr.write(json.dumps({"code": code, "heavy": heavy, "sqlalchemy": "sqlalchemy" in sys.modules}) + "\\n")
sys.stdout.write(out.getvalue())
""" % (HEAVY,)

COMMANDS = [
    ("balances", "--at", "2026-10-16"),
    ("balances", "--customer", "C0001", "--at", DAY),
    ("balances", "--group", "Fleuve Group"),
    ("balances", "--group", "fleuve group", "--customer", "C0002", "--at", "2026-10-16"),
    ("balances", "--customer", "2"),
    ("open-items", "--at", "2026-10-16"),
    ("ageing",),
    ("ageing", "--at", "2026-10-16"),
    ("ageing", "--customer", "C0002"),
    ("ageing", "--customer", "C0001", "--at", "2026-09-30"),
    ("statement", "--from", "2026-08-01", "--to", DAY, "--customer", "C0002"),
    ("trial-balance",),
    ("trial-balance", "--at", "2026-10-16"),
    ("general-ledger", "--from", "2026-08-01", "--all"),
    ("register", "1200", "--from", "2026-10-01"),
]


def _fresh(db: str, *args: str, pin: str = "2222") -> tuple[dict, str]:
    """(exit code and the heavy modules loaded, what it printed); checks that the :data:`LITE` commands on a
    SQLite file never imported SQLAlchemy (every other command, and PostgreSQL, go through SQLAlchemy Core)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPTERM_")}
    env.update(SHOPTERM_TODAY=DAY, SHOPTERM_PIN=pin)
    out = subprocess.run([sys.executable, "-c", PROBE, "--db", db, "--user", "manager", "ledger", *args],
                         cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    meta = json.loads(out.stderr.strip().splitlines()[-1])
    loaded = meta.pop("sqlalchemy")
    if args[0] in LITE and "://" not in db:
        assert not loaded, ("imported SQLAlchemy", args)
    return meta, out.stdout


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_each_read_command_loads_no_orm_and_prints_what_the_app_prints(db, fmt):
    for args in COMMANDS:
        meta, printed = _fresh(db, *args, "--format", fmt)
        assert meta == {"code": 0, "heavy": []}, (args, meta)
        here = run("--db", db, "--user", "manager", "ledger", *args, "--format", fmt)
        assert here.exit_code == 0, here.output
        assert printed == here.stdout, args
    balances = json.loads(_fresh(db, "balances", "--at", "2026-10-16", "--format", "json")[1])
    assert [(x["customer_code"], x["balance_usd"]) for x in balances["rows"]] == [("C0001", "150.00"), ("C0002", "460.00")]


def test_a_wrong_pin_is_counted_and_audited_without_the_orm(db):
    from tests.cli.test_trust_cli import sql

    meta, _ = _fresh(db, "balances", pin="0000")
    assert meta == {"code": 1, "heavy": []}
    meta, _ = _fresh(db, "balances")
    assert meta == {"code": 0, "heavy": []}
    rows = sql(db, "SELECT action, summary FROM audit_log ORDER BY id DESC LIMIT 2")
    assert [tuple(r) for r in rows][::-1] == [("login_failed", "manager: wrong PIN (sign-in (headless))"),
                                               ("login", "manager logged in (headless)")]
    verify = run("db", "verify", "--db", db)
    assert verify.exit_code == 0 and "chain intact" in verify.stdout, verify.output


def test_three_wrong_pins_lock_the_user_out_without_the_orm(db):
    """The lockout on the sqlite3 path: counted, written with its time (UTC), read back as the app reads
    it, audited in the chain; a refused group or customer says so, as through SQLAlchemy."""
    from tests.cli.test_trust_cli import sql

    for _ in range(3):
        meta, _ = _fresh(db, "balances", pin="0000")
        assert meta == {"code": 1, "heavy": []}
    meta, _ = _fresh(db, "balances")  # the right PIN, but locked out
    assert meta == {"code": 1, "heavy": []}
    rows = sql(db, "SELECT action, summary FROM audit_log ORDER BY id DESC LIMIT 5")
    assert [tuple(r) for r in rows][::-1] == [
        ("login_failed", "manager: wrong PIN (sign-in (headless))"),
        ("login_failed", "manager: wrong PIN (sign-in (headless))"),
        ("login_failed", "manager: wrong PIN (sign-in (headless))"),
        ("lockout", "manager: 3 wrong PINs"),
        ("login_failed", "manager: locked out (headless)")]
    here = run("--db", db, "--user", "manager", "ledger", "balances")  # the ORM's process sees the same lockout
    assert here.exit_code == 1 and "wait" in here.output, here.output
    verify = run("db", "verify", "--db", db)
    assert verify.exit_code == 0 and "chain intact" in verify.stdout, verify.output


def test_a_database_to_catch_up_is_opened_the_usual_way(db):
    """A schema mark that is not the scripts' (a database of an earlier build): the sqlite3 path is not
    taken, the command opens the database through SQLAlchemy, which brings it up to date, and answers."""
    if "://" in db:
        pytest.skip("the sqlite3 path is for SQLite files")
    from tests.cli.test_trust_cli import sql

    sql(db, "UPDATE schema_mark SET fingerprint = 'an earlier build' WHERE id = 1")
    probe = PROBE.replace('"sqlalchemy": "sqlalchemy" in sys.modules', '"sqlalchemy": False')  # loaded, as it must be
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPTERM_")}
    env.update(SHOPTERM_TODAY=DAY, SHOPTERM_PIN="2222")
    out = subprocess.run([sys.executable, "-c", probe, "--db", db, "--user", "manager", "ledger", "balances",
                          "--at", "2026-10-16", "--format", "json"], cwd=ROOT, capture_output=True, text=True, env=env,
                         timeout=120)
    assert json.loads(out.stderr.strip().splitlines()[-1])["code"] == 0, out.stderr
    assert [(x["customer_code"], x["balance_usd"]) for x in json.loads(out.stdout)["rows"]] == [
        ("C0001", "150.00"), ("C0002", "460.00")]
    assert [tuple(r) for r in sql(db, "SELECT fingerprint FROM schema_mark")] != [("an earlier build",)]
    meta, _ = _fresh(db, "balances")  # marked again: the sqlite3 path once more
    assert meta == {"code": 0, "heavy": []}


@pytest.mark.parametrize("args", [("--group", "Nobody"), ("--customer", "C9999"), ("--at", "16/10/2026")])
def test_a_refused_option_says_the_same_without_the_orm(db, args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPTERM_")}
    env.update(SHOPTERM_TODAY=DAY, SHOPTERM_PIN="2222")
    lite = subprocess.run([sys.executable, "-m", "shopterm", "--db", db, "--user", "manager", "ledger", "balances",
                           *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    here = run("--db", db, "--user", "manager", "ledger", "balances", *args)
    assert lite.returncode == here.exit_code == 1
    assert lite.stderr.strip() == here.stderr.strip() != "", (lite.stderr, here.stderr)


@pytest.fixture
def db(ledger_template, tmp_path) -> str:
    from tests import backend

    return backend.db_arg(backend.clone(ledger_template, tmp_path))


from tests.cli.test_ledger_cli import ledger_template  # noqa: E402,F401  (the module's template database)
