"""``shopterm ledger balances / trial-balance / ageing`` the two ways, side by side.

On a SQLite file whose schema is current these commands sign in and read on a plain ``sqlite3``
connection (store/sqlrun.py, SQLAlchemy never imported); once SQLAlchemy is loaded (the terminal app,
or here a process that imports it first) the same named statements run through it. Each case below
runs both ways, each on its own copy of the same shop: the exit code, what is printed (standard
output and error) and what is written (the audit rows, the users' wrong-PIN counts and lockouts) must
be equal. The cases of one way run in one fresh interpreter (a start costs ~0.3 s of CPU).

The shop: the demo (DESIGN "The demo shop") with DESIGN §4's worked example posted for C0001 on
2026-11-23 (net 54.86 USD, due 2026-12-23 at 30 credit days) and 20.00 USD paid on account the same
day; the figures are worked by hand in :func:`test_figures_of_the_worked_example_both_ways`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import backend
from tests.cli.test_ledger_cli import DAY, run

ROOT = Path(__file__).resolve().parents[2]
MANAGER = ("--user", "manager", "--pin", "2222")

#: one interpreter, many commands: each case's argv and environment; prints one JSON line per case
PROBE = r"""
import io, json, os, sys, traceback
from contextlib import redirect_stderr, redirect_stdout
if sys.argv[1] == "sqlalchemy":
    import sqlalchemy  # noqa: F401  (the SQLAlchemy path: the read commands then never take sqlite3's)
from shopterm.cli import main
for argv, env in json.loads(sys.stdin.read()):
    for key in [k for k in os.environ if k.startswith("SHOPTERM_")]:
        del os.environ[key]
    os.environ.update(env)
    out, err, code = io.StringIO(), io.StringIO(), 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code or 0
        except BaseException:
            code, err = "crash", io.StringIO(traceback.format_exc())
    print(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue(),
                      "sqlalchemy": "sqlalchemy" in sys.modules}), flush=True)
"""

#: DESIGN §4's three lines
SECTION_4_LINES = [
    {"item": "PARA500", "batch": "B001", "qty": "10", "price": "2.50", "discount_pct": "10", "flat_discount": "0"},
    {"item": "AMOX250", "batch": "A001", "qty": "3", "price": "7.99", "discount_pct": "0", "flat_discount": "1.00"},
    {"item": "BAND01", "batch": "D001", "qty": "4", "price": "1.25", "discount_pct": "0", "flat_discount": "0"},
]

WORKED = [
    {"type": "shop_open", "location": "AXP", "date": DAY},
    {"type": "sales_invoice", "location": "AXP", "date": DAY, "customer": "C0001", "sales_type": "credit",
     "currency": "USD", "rate": "2850", "sales_person": "SP01", "flat_discount": {"type": "percent", "value": "5"},
     "lines": SECTION_4_LINES},
    {"type": "customer_payment", "location": "AXP", "date": DAY, "customer": "C0001", "currency": "USD",
     "rate": "2850", "amount": "20", "method": "cash"},
    # the same lines sold to the cash customer, paid as DESIGN §7 pays it: 50 USD + 20,000 CDF at 2850
    {"type": "sales_invoice", "location": "AXP", "date": DAY, "customer": "CASH", "sales_type": "cash",
     "currency": "USD", "rate": "2850", "sales_person": "SP01", "flat_discount": {"type": "percent", "value": "5"},
     "lines": SECTION_4_LINES},
    {"type": "sales_receipt", "invoice": "261101SI000002", "rate": "2850", "received_usd": "50",
     "received_cdf": "20000"},
]


#: the API token issued to the manager when the shop was built
TOKEN: list[str] = []


def _build(url: str, tmp: Path) -> None:
    db = backend.db_arg(url)
    assert run("demo", "--no-tui", "--db", db).exit_code == 0
    doc = tmp / "worked.json"
    doc.write_text(json.dumps(WORKED))
    posted = run("--db", db, "--user", "manager", "post", str(doc))
    assert posted.exit_code == 0, posted.output
    assert [d["number"] for d in json.loads(posted.stdout)] == ["261101OP000001", "261101SI000001", "261101CR000001",
                                                              "261101SI000002", "261101RC000001"]
    issued = run("--db", db, "--user", "admin", "user", "token", "create", "manager")
    assert issued.exit_code == 0, issued.output
    TOKEN[:] = [issued.stdout.split()[0]]


@pytest.fixture(scope="module")
def shop_template(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("read_paths")
    return backend.make_template("read_paths", tmp_path_factory, lambda url: _build(url, tmp))


def _probe(way: str, cases: list[tuple[list[str], dict]]) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPTERM_")}
    out = subprocess.run([sys.executable, "-c", PROBE, way], input=json.dumps(cases), cwd=ROOT, capture_output=True,
                         text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def _state(db: str) -> tuple:
    """What a read command may write: the audit rows (in order) and each user's wrong PINs and lockout."""
    from tests.cli.test_trust_cli import sql

    users = sql(db, "SELECT name, failed_attempts, locked_until FROM " + _user_table(db) + " ORDER BY name")
    return (sql(db, "SELECT action, summary, user_name FROM audit_log ORDER BY id"),
            [(name, failed, locked is not None) for name, failed, locked in users])


def _user_table(db: str) -> str:
    return '"user"'  # a reserved word on PostgreSQL


def _both_ways(template: str, tmp_path: Path, cases: list[tuple[str, list[str], dict, list[str]]]) -> list[dict]:
    """Each case (name, argv after ``--db``, environment, SQL run on its copy first) on the sqlite3 path and on
    the SQLAlchemy path, each on its own copy of the shop; asserts both give the same and returns the
    sqlite3 path's results (with ``state``: what the database held afterwards)."""
    from tests.cli.test_trust_cli import sql

    results = {}
    for way in ("lite", "sqlalchemy"):
        dbs = []
        for i, (_name, _argv, _env, setup) in enumerate(cases):
            db = backend.db_arg(backend.clone(template, tmp_path / way / str(i)))
            for statement in setup:
                sql(db, statement.replace("{user}", _user_table(db)))
            dbs.append(db)
        got = _probe(way, [(["--db", db, *argv], {"SHOPTERM_TODAY": DAY, **env})
                           for db, (_n, argv, env, _s) in zip(dbs, cases)])
        for db, r in zip(dbs, got):
            for key in ("out", "err"):  # each copy has its own path; the seconds of a lockout run on
                r[key] = re.sub(r"wait \d+ s", "wait N s", r[key].replace(db, "<db>"))
            r["state"] = _state(db)
        results[way] = got
    for (name, *_), lite, full in zip(cases, results["lite"], results["sqlalchemy"]):
        assert full["sqlalchemy"]
        if "://" not in template:
            assert not lite["sqlalchemy"], (name, "took the SQLAlchemy path")
        assert lite["code"] != "crash", (name, lite["err"])
        assert {k: lite[k] for k in ("code", "out", "err", "state")} == {
            k: full[k] for k in ("code", "out", "err", "state")}, name
    return results["lite"]


def test_bad_input_and_odd_shops_the_same_both_ways(shop_template, tmp_path):
    lock_admin = "UPDATE {user} SET failed_attempts = 3, locked_until = '2099-01-01 00:00:00' WHERE name = 'admin'"
    huge = ["UPDATE ledger_entry SET amount = amount * 100000000000, amount_usd = amount_usd * 100000000000",
            "UPDATE account_day SET amount = amount * 100000000000, amount_usd = amount_usd * 100000000000"]
    odd_name = ["UPDATE customer SET name = 'Pharma 💊 Ñ' WHERE code = 'C0001'"]
    if "://" not in shop_template:  # a NUL written by another program (PostgreSQL's text cannot hold one)
        odd_name = ["UPDATE customer SET name = 'Pharma 💊 Ñ' || char(0) || 'x' WHERE code = 'C0001'"]
    fr = {"SHOPTERM_LANG": "fr"}
    cases = [
        ("table", ["ledger", "balances", *MANAGER], {}, []),
        ("json", ["ledger", "balances", "--format", "json", *MANAGER], {}, []),
        ("csv", ["ledger", "trial-balance", "--format", "csv", *MANAGER], {}, []),
        ("ageing json", ["ledger", "ageing", "--at", "2027-01-25", "--format", "json", *MANAGER], {}, []),
        ("French balances", ["ledger", "balances", *MANAGER], fr, huge),
        ("French trial balance", ["ledger", "trial-balance", *MANAGER], fr, huge),
        ("French ageing", ["ledger", "ageing", "--at", "2027-01-25", *MANAGER], fr, []),
        ("French --lang", ["--lang", "fr", "ledger", "balances", "--customer", "C9999", *MANAGER], {}, []),
        ("huge figures", ["ledger", "trial-balance", "--format", "json", *MANAGER], {}, huge),
        ("huge balances", ["ledger", "balances", *MANAGER], {}, huge),
        ("emoji name", ["ledger", "balances", *MANAGER], {}, odd_name),
        ("emoji name json", ["ledger", "ageing", "--format", "json", *MANAGER], {}, odd_name),
        ("unknown customer", ["ledger", "balances", "--customer", "C9999", *MANAGER], {}, []),
        ("emoji customer", ["ledger", "ageing", "--customer", "💊", *MANAGER], {}, []),
        ("customer by id", ["ledger", "ageing", "--customer", "2", *MANAGER], {}, []),
        ("unknown group", ["ledger", "balances", "--group", "Nobody", *MANAGER], fr, []),
        ("month 13", ["ledger", "balances", "--at", "2026-13-01", *MANAGER], {}, []),
        ("tomorrow", ["ledger", "trial-balance", "--at", "tomorrow", *MANAGER], {}, []),
        ("year 1", ["ledger", "ageing", "--at", "0001-01-01", "--format", "json", *MANAGER], {}, []),
        ("year 9999", ["ledger", "ageing", "--at", "9999-12-31", "--format", "json", *MANAGER], {}, []),
        ("bad format", ["ledger", "ageing", "--format", "xml", *MANAGER], {}, []),
        ("unknown user", ["ledger", "balances", "--user", "ghost", "--pin", "2222"], {}, []),
        ("wrong PIN", ["ledger", "trial-balance", "--user", "manager", "--pin", "0000"], {}, []),
        ("no PIN", ["ledger", "balances", "--user", "manager"], {}, []),
        ("API token", ["ledger", "ageing"], {"SHOPTERM_TOKEN": TOKEN[0]}, []),
        ("token as PIN", ["ledger", "balances", "--user", "manager", "--pin", TOKEN[0]], {}, []),
        ("a cashier", ["ledger", "ageing", "--user", "cashier", "--pin", "1111"], {}, []),
        ("user reads French", ["ledger", "ageing", *MANAGER], {}, ["UPDATE {user} SET language = 'fr' WHERE name = 'manager'"]),
        ("inactive", ["ledger", "balances", "--user", "manager", "--pin", "2222"], {},
         ["UPDATE {user} SET inactive = TRUE WHERE name = 'manager'"]),
        ("locked out", ["ledger", "balances", "--user", "admin", "--pin", "9999"], {}, [lock_admin]),
        ("third wrong PIN", ["ledger", "ageing", "--user", "manager", "--pin", "0000"], {},
         ["UPDATE {user} SET failed_attempts = 2 WHERE name = 'manager'"]),
    ]
    got = dict(zip((c[0] for c in cases), _both_ways(shop_template, tmp_path, cases)))
    # what each says (the same both ways, asserted above), by hand
    assert got["table"]["code"] == 0 and "C0001    Kinshasa Pharma     34.86       34.86" in got["table"]["out"]
    assert "3 486 000 000 000,00" in got["French balances"]["out"].replace("\u00a0", " ")
    # 10,384.80 USD of stock (the worked example's cost twice taken off the demo's) × 10¹¹, exact
    assert [(r["code"], r["debit"]) for r in json.loads(got["huge figures"]["out"])["rows"]][3] == (
        "1300", "1038480000000000.00")
    assert got["unknown customer"]["err"] == "error: Customer C9999 not found\n"
    assert got["emoji customer"]["err"] == "error: Customer 💊 not found\n"
    assert got["French --lang"]["err"] == "erreur : Client C9999 introuvable\n"
    assert got["unknown group"]["err"] == "erreur : Groupe de clients Nobody introuvable\n"
    assert got["unknown user"]["err"] == "error: Unknown user or wrong PIN\n"
    assert got["token as PIN"]["err"] == "error: Unknown user or wrong PIN (2 tries left)\n"  # a wrong PIN
    assert got["API token"]["code"] == 0 and "34.86" in got["API token"]["out"]
    assert got["month 13"]["err"] == "error: --at must be a date YYYY-MM-DD, got '2026-13-01'\n"
    assert got["tomorrow"]["err"] == "error: --at must be a date YYYY-MM-DD, got 'tomorrow'\n"
    assert got["wrong PIN"]["err"] == "error: Unknown user or wrong PIN (2 tries left)\n"
    assert got["wrong PIN"]["state"][0][-1] == ("login_failed", "manager: wrong PIN (sign-in (headless))", "system")
    assert ("manager", 1, False) in got["wrong PIN"]["state"][1]
    assert got["third wrong PIN"]["state"][0][-1][:2] == ("lockout", "manager: 3 wrong PINs")
    assert ("manager", 0, True) in got["third wrong PIN"]["state"][1]  # locked out, counted afresh after
    # locked until 2099 (UTC): said as the date and time it ends, in the machine's local time, not in seconds
    until = dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc).astimezone()
    assert got["locked out"]["err"] == f"error: Too many wrong PINs: locked until {until:%Y-%m-%d} at {until:%H:%M}\n"
    # the first date there is: nothing yet (it was an OverflowError both ways, 90 days before it); the last
    assert (got["year 1"]["code"], json.loads(got["year 1"]["out"])["rows"]) == (0, [])
    assert [r["buckets"] for r in json.loads(got["year 9999"]["out"])["rows"]] == [["0.00", "0.00", "0.00", "34.86"]]
    for name in ("json", "unknown user", "a cashier", "inactive", "month 13"):
        assert got[name]["code"] == (0 if name == "json" else 1), (name, got[name])


@backend.sqlite_only("the files a SQLite shop may be: the sqlite3 path is for SQLite files")
def test_files_that_are_no_current_shop_the_same_both_ways(shop_template, tmp_path):
    """Missing, a folder, not a database, empty, a schema from a newer build (a revision the scripts do
    not know) or an earlier one (its mark not the scripts'): the sqlite3 path is not taken or gives up,
    and the command says what the SQLAlchemy path says (the earlier build's file is caught up and read;
    the newer build's is left alone: it said "Can't locate revision identified by 'f00dfacade99'")."""
    cases = []
    for what in ("missing", "folder", "not a database", "empty", "newer build", "earlier build"):
        cases.append((what, ["ledger", "balances", "--format", "json", *MANAGER], {}, []))
    results = {}
    for way in ("lite", "sqlalchemy"):
        argvs = []
        for what, argv, _env, _setup in cases:
            path = tmp_path / way / what.replace(" ", "_") / "shop.db"
            path.parent.mkdir(parents=True)
            if what == "folder":
                path.mkdir()
            elif what == "not a database":
                path.write_text("not a database, a letter\n")
            elif what == "empty":
                path.write_bytes(b"")
            elif what != "missing":
                backend.clone(shop_template, path.parent)
                import sqlite3

                with sqlite3.connect(path) as conn:
                    if what == "newer build":
                        conn.execute("UPDATE alembic_version SET version_num = 'f00dfacade99'")
                    else:
                        conn.execute("UPDATE schema_mark SET fingerprint = 'an earlier build'")
                conn.close()
            argvs.append((["--db", str(path), *argv], {"SHOPTERM_TODAY": DAY}))
        got = _probe(way, argvs)
        for (argv, _env), r in zip(argvs, got):
            r["err"] = r["err"].replace(argv[1], "<db>")
        results[way] = got
    for (what, *_), lite, full in zip(cases, results["lite"], results["sqlalchemy"]):
        assert (lite["code"], lite["out"], lite["err"]) == (full["code"], full["out"], full["err"]), what
        assert lite["code"] != "crash", (what, lite["err"])
    said = {what: (r["code"], r["err"]) for (what, *_), r in zip(cases, results["lite"])}
    assert said["missing"][0] == 1 and said["missing"][1].startswith("error: no shop database at <db>: create one")
    assert said["folder"] == (1, "error: cannot open the database <db>: (sqlite3.OperationalError) unable to open "
                                 "database file\n")
    assert said["not a database"] == (1, "error: cannot open the database <db>: (sqlite3.DatabaseError) file is "
                                         "not a database\n")
    assert said["newer build"] == (1, "error: cannot open the database <db>: its schema (revision f00dfacade99) is "
                                      "from a newer shopterm than this one: open it with that version\n")
    assert said["earlier build"][0] == 0
    assert [(r["customer_code"], r["balance_usd"]) for r in json.loads(results["lite"][5]["out"])["rows"]] == [
        ("C0001", "34.86")]


@backend.sqlite_only("SQLite's busy timeout (PostgreSQL's writers queue on an advisory lock)")
def test_a_shop_held_by_a_writer_is_waited_for_then_refused_clearly_both_ways(shop_template, tmp_path):
    """Another program holds the write lock (BEGIN IMMEDIATE) longer than the busy timeout (10 s): the
    sign-in's audit row cannot be written; both ways wait the timeout, then say the database is busy
    (it was a traceback, 'OperationalError: database is locked', both ways) and write nothing."""
    from shopterm.store.db import BUSY_TIMEOUT_MS

    db = backend.db_arg(backend.clone(shop_template, tmp_path))
    before = _state(db)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n"), db], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPTERM_")}
        env["SHOPTERM_TODAY"] = DAY
        cases = json.dumps([(["--db", db, "ledger", "balances", *MANAGER], {"SHOPTERM_TODAY": DAY})])
        start = time.monotonic()
        ways = [subprocess.Popen([sys.executable, "-c", PROBE, way], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, cwd=ROOT, text=True, env=env)
                for way in ("lite", "sqlalchemy")]
        outs = [p.communicate(cases, timeout=120) for p in ways]
        waited = time.monotonic() - start
    finally:
        holder.communicate("", timeout=30)
    lite, full = (json.loads(out.splitlines()[-1]) for out, _err in outs)
    assert not lite["sqlalchemy"] and full["sqlalchemy"]
    for r in (lite, full):
        assert (r["code"], r["out"], r["err"]) == (
            1, "", "error: The database is busy: another program held it for 10 seconds. Nothing was written; "
                   "try again\n"), r
    assert waited >= BUSY_TIMEOUT_MS / 1000  # the busy timeout honoured, not refused at once
    assert _state(db) == before


def test_figures_of_the_worked_example_both_ways(shop_template, tmp_path):
    """DESIGN §4's example for C0001: subtotal 22.50 + 22.97 + 5.00 = 50.47, flat 5 % = 2.52, tax
    3.42 + 3.49 = 6.91, net 54.86 USD, booked Dr 1200 54.86 / Cr 4000 47.95 (50.47 − 2.52) / Cr 2100
    6.91, cost 10 × 1.60 + 3 × 5.10 + 4 × 0.70 = 34.10 (Dr 5000 / Cr 1300); then 20.00 USD on account
    (Dr 1100 / Cr 1200) matched to it: C0001 owes 34.86. Due 2026-12-23 (30 credit days): at 2027-01-25
    it is 33 days past due (31-60); on 2026-11-22, before it, nothing. The same sale to the cash
    customer paid as DESIGN §7 pays it (50 USD + 20,000 CDF at 2850, 6,100 CDF change): the till keeps
    50.00 USD and 13,900 CDF = 4.88 USD (13,900 / 2850 = 4.877), 54.88 for 54.86 settled, 0.02 to round
    off (Cr 4100); CASH owes nothing. So: 1100 20.00 + 50.00 = 70.00; 2100 2 × 6.91 = 13.82; 4000
    2 × 47.95 = 95.90; 5000 2 × 34.10 = 68.20; 1300 the demo's stock receipts 10,453.00 (Cr 1900) less
    68.20 = 10,384.80. Debits 70.00 + 4.88 + 34.86 + 10,384.80 + 68.20 = 10,562.74 = credits 10,453.00 +
    13.82 + 95.90 + 0.02."""
    by_hand_tb = [("1100", "70.00", "0.00", {"USD": "70.00"}), ("1110", "4.88", "0.00", {"CDF": "13900.00"}),
                  ("1200", "34.86", "0.00", {"USD": "34.86"}), ("1300", "10384.80", "0.00", {"USD": "10384.80"}),
                  ("1900", "0.00", "10453.00", {"USD": "-10453.00"}), ("2100", "0.00", "13.82", {"USD": "-13.82"}),
                  ("4000", "0.00", "95.90", {"USD": "-95.90"}), ("4100", "0.00", "0.02", {"USD": "-0.02"}),
                  ("5000", "68.20", "0.00", {"USD": "68.20"})]
    cases = [
        ("balances", ["ledger", "balances", "--format", "json", *MANAGER], {}, []),
        ("balances before", ["ledger", "balances", "--at", "2026-11-22", "--format", "json", *MANAGER], {}, []),
        ("group", ["ledger", "balances", "--group", "Fleuve Group", "--format", "json", *MANAGER], {}, []),
        ("trial balance", ["ledger", "trial-balance", "--format", "json", *MANAGER], {}, []),
        ("trial balance before", ["ledger", "trial-balance", "--at", "2026-11-22", "--format", "json", *MANAGER],
         {}, []),
        ("ageing", ["ledger", "ageing", "--format", "json", *MANAGER], {}, []),
        ("ageing later", ["ledger", "ageing", "--at", "2027-01-25", "--format", "json", *MANAGER], {}, []),
    ]
    got = {name: json.loads(r["out"]) for (name, *_), r in zip(cases, _both_ways(shop_template, tmp_path, cases))}
    for name in ("balances", "group"):
        assert [(r["customer_code"], r["balance_usd"], r["by_currency"]) for r in got[name]["rows"]] == [
            ("C0001", "34.86", {"USD": "34.86"})], name
        assert got[name]["total_usd"] == "34.86"
    assert got["balances before"]["rows"] == [] and got["balances before"]["total_usd"] == "0.00"
    assert [(r["code"], r["debit"], r["credit"], r["by_currency"]) for r in got["trial balance"]["rows"]] == by_hand_tb
    assert [(r["code"], r["debit"], r["credit"]) for r in got["trial balance before"]["rows"]] == [
        ("1300", "10453.00", "0.00"), ("1900", "0.00", "10453.00")]
    now, later = got["ageing"], got["ageing later"]
    assert [(r["code"], r["buckets"], r["total"], r["not_due"], r["overdue"]) for r in now["rows"]] == [
        ("C0001", ["34.86", "0.00", "0.00", "0.00"], "34.86", "34.86", "0.00")]
    assert [(r["code"], r["buckets"], r["total"], r["overdue"]) for r in later["rows"]] == [
        ("C0001", ["0.00", "34.86", "0.00", "0.00"], "34.86", "34.86")]
    assert [(g["code"], g["buckets"]) for g in later["groups"]] == [("Fleuve Group", ["0.00", "34.86", "0.00", "0.00"])]
    # the same figures as the in-process command (the terminal app's process: ORM and models loaded)
    here = run("--db", backend.db_arg(backend.clone(shop_template, tmp_path / "here")), "--user", "manager",
               "ledger", "trial-balance", "--format", "json")
    assert [(r["code"], r["debit"], r["credit"], r["by_currency"]) for r in json.loads(here.stdout)["rows"]] == by_hand_tb


@backend.sqlite_only("a SQLite file on a full disk")
def test_a_full_disk_is_said_clearly_both_ways(shop_template, tmp_path):
    """The shop on a disk with 40 KiB left (a 4 MiB tmpfs, mounted when the test may: root on Linux):
    the sign-in's audit row cannot be committed; both ways say the disk is full (it was a traceback,
    'OperationalError: database or disk is full', both ways) and the file holds what it held."""
    results, states = {}, {}
    mounts = []
    try:
        for way in ("lite", "sqlalchemy"):
            disk = tmp_path / way
            disk.mkdir()
            if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
                              capture_output=True).returncode != 0:
                pytest.skip("cannot mount a small tmpfs here (not root, or no mount in this container)")
            mounts.append(disk)
            db = backend.db_arg(backend.clone(shop_template, disk))
            free = os.statvfs(disk)
            (disk / "pad").write_bytes(b"\0" * (free.f_bavail * free.f_frsize - 40 * 1024))
            got = _probe(way, [(["--db", db, "ledger", "balances", *MANAGER], {"SHOPTERM_TODAY": DAY})])[0]
            got["err"] = got["err"].replace(db, "<db>")
            (disk / "pad").unlink()
            results[way], states[way] = got, _state(db)
    finally:
        for disk in mounts:
            subprocess.run(["umount", str(disk)], capture_output=True)
    for r in results.values():
        assert (r["code"], r["out"], r["err"]) == (
            1, "", "error: The disk that holds the database is full. Nothing was written; free some space and "
                   "try again\n"), r
    assert not results["lite"]["sqlalchemy"]
    assert states["lite"] == states["sqlalchemy"]
    assert states["lite"][0][-1][0] != "login"  # the refused sign-in left no row


def test_every_report_renderer_names_a_report_class_that_exists():
    """printing/reports.py picks a renderer by the report's module and class name (so a read command
    renders without importing the reports on SQLAlchemy): each name must still be where the report
    class is; a report moved to another module would otherwise fail only when printed ('no renderer')."""
    import importlib

    from shopterm.printing import reports as P

    kinds = set(P._CONVERTERS)
    for module, name in kinds:
        cls = getattr(importlib.import_module(module), name)
        assert (cls.__module__, cls.__qualname__) == (module, name)
    from shopterm.services.ledger import reports as R

    assert {(c.__module__, c.__qualname__) for c in (
        R.BalancesReport, R.OpenItemsReport, R.StatementReport, R.AgeingReport, R.GeneralLedgerReport,
        R.TrialBalanceReport, R.AccountRegister)} == kinds
