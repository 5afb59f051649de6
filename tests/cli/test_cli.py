"""The ``shopterm`` command: version, init, db upgrade, demo, post, the acting user."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopterm import __version__
from shopterm.cli import SUBAPPS, _command_name, make_app
from shopterm.store.db import normalise_url
from tests import backend
from tests.cli.conftest import with_pin

DAY = "2026-11-23"
ENV = {"SHOPTERM_DB": None, "SHOPTERM_USER": None, "SHOPTERM_PIN": None, "SHOPTERM_TODAY": DAY}
SHOP_OPEN = {"type": "shop_open", "location": "AXP", "date": DAY}


def run(*args: str, input: str | None = None, env: dict | None = None):
    runner = CliRunner(env={**ENV, **with_pin(args, env)})
    result = runner.invoke(make_app(list(args)), list(args), input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback is a bug: show it
    return result


def out_json(result):
    return json.loads(result.stdout)


def _build_demo(url: str) -> None:
    result = run("demo", "--no-tui", "--db", backend.db_arg(url))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> str:
    return backend.make_template("demo", tmp_path_factory, _build_demo)


@pytest.fixture
def demo_db(demo_template, tmp_path) -> str:
    return backend.db_arg(backend.clone(demo_template, tmp_path, "demo.db"))


# ---------------------------------------------------------------- version and help


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"shopterm {__version__}\n"


def test_python_dash_m_and_help_stay_light():
    """``python -m shopterm`` works; ``--help`` imports neither SQLModel nor Textual."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPTERM_")}
    proc = subprocess.run([sys.executable, "-m", "shopterm", "--version"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert (proc.returncode, proc.stdout) == (0, f"shopterm {__version__}\n")
    code = ("import sys\nfrom shopterm.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('HEAVY', sorted(m for m in ('sqlmodel', 'sqlalchemy', 'textual') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stdout
    for name in ("demo", "init", "post", "db"):
        assert name in proc.stdout


def test_every_sub_app_is_listed_in_help():
    listed = run("--help").stdout
    for name in SUBAPPS:
        assert f"│ {name} " in listed, name


def test_command_name_skips_global_options():
    assert _command_name(["--db", "day", "--user", "x", "day", "summary"]) == "day"
    assert _command_name(["--version"]) is None
    assert _command_name(["post", "-"]) == "post"


# ---------------------------------------------------------------- init and db upgrade


def test_init_then_db_upgrade_is_idempotent(tmp_path):
    db = backend.db_arg(backend.new_url(tmp_path))
    result = run("init", "--db", db, "--location-code", "axp", "--location-name", "Axpert", "--rate", "2850",
                 "--admin-pin", "9999")
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Shop created in {backend.shown(db)}: location AXP Axpert (01), rate 2850 CDF per USD, "
                             "user 'admin'\n")
    for _ in range(2):
        result = run("db", "upgrade", "--db", db)
        assert result.exit_code == 0, result.output
        assert result.stdout == f"Database {backend.shown(db)} is up to date (revision 0001)\n"
    again = run("init", "--db", db, "--location-code", "AXP", "--location-name", "Axpert", "--rate", "2850",
                "--admin-pin", "9999")
    assert again.exit_code == 1
    assert again.stderr == "error: This database already holds a shop\n"


def test_db_upgrade_gives_a_database_of_an_earlier_build_what_it_lacks(tmp_path):
    """Same revision, made before a table and a column were added: db upgrade says what it added,
    then the database is up to date."""
    from shopterm.store.db import make_engine

    url = backend.new_url(tmp_path)
    db = backend.db_arg(url)
    assert run("init", "--db", db, "--location-code", "AXP", "--location-name", "Axpert", "--rate", "2850",
               "--admin-pin", "9999").exit_code == 0
    engine = make_engine(url)
    with engine.begin() as conn:
        for table in ("customer_month", "schema_mark"):  # an earlier build had neither
            conn.exec_driver_sql(f"DROP TABLE {table}")
        conn.exec_driver_sql("ALTER TABLE customer DROP COLUMN discount_pct")
    engine.dispose()
    result = run("db", "upgrade", "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Database {backend.shown(db)} (revision 0001, made by an earlier build): added "
                             "table schema_mark, column customer.discount_pct, table customer_month\n")
    result = run("db", "upgrade", "--db", db)
    assert result.stdout == f"Database {backend.shown(db)} is up to date (revision 0001)\n"


@backend.sqlite_only("a missing file; a PostgreSQL database is made by its server")
def test_db_upgrade_never_creates_an_empty_database(tmp_path):
    """Only init and demo create a shop database; any other command on a missing file says so."""
    db = tmp_path / "new" / "shop.db"
    result = run("--db", str(db), "db", "upgrade")  # the global option before the command works too
    assert result.exit_code == 1
    assert result.stderr == (f"error: no shop database at {db}: create one with 'shopterm init --location-code … "
                             "--location-name … --rate … --admin-pin …', or try 'shopterm demo'\n")
    assert not db.exists() and not db.parent.exists()
    for args in (["ledger", "balances"], ["day", "summary"], ["export", "journal"], ["db", "verify"],
                 ["post", "-"]):
        result = run("--db", str(db), "--user", "manager", *args, input="[]")
        assert result.exit_code == 1, args
        assert f"no shop database at {db}" in result.output, args
        assert not db.exists(), args


def test_db_from_the_environment(tmp_path):
    db = backend.db_arg(backend.new_url(tmp_path, "env.db"))
    result = run("init", "--location-code", "AXP", "--location-name", "Axpert", "--rate", "2850", "--admin-pin", "9999",
                 env={"SHOPTERM_DB": db})
    assert result.exit_code == 0, result.output
    assert backend.PG or Path(db).exists()
    result = run("db", "upgrade", env={"SHOPTERM_DB": db})
    assert result.stdout == f"Database {backend.shown(db)} is up to date (revision 0001)\n"


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--admin-pin", "12", "error: PIN: 4 to 8 digits\n"),
        ("--rate", "abc", "error: rate: 'abc' is not a number\n"),
        ("--rate", "0", "error: rate: the exchange rate must be greater than zero\n"),
        ("--location-code", "A-1", "error: Location code: 1 to 10 letters or digits\n"),
    ],
)
def test_init_bad_input_is_a_clear_error(tmp_path, option, value, message):
    args = {"--location-code": "AXP", "--location-name": "Axpert", "--rate": "2850", "--admin-pin": "9999",
            option: value}
    result = run("init", "--db", backend.db_arg(backend.new_url(tmp_path, "s.db")), *[x for kv in args.items() for x in kv])
    assert (result.exit_code, result.stderr) == (1, message)


@backend.sqlite_only("a file that is not a database")
def test_a_database_that_cannot_be_opened_is_a_clear_error(tmp_path):
    not_a_db = tmp_path / "junk.db"
    not_a_db.write_text("this is not a database\n" * 100)
    result = run("db", "upgrade", "--db", str(not_a_db))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot open the database {not_a_db}: ")
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- demo


def test_demo_no_tui_twice_reuses(tmp_path):
    db = backend.db_arg(backend.new_url(tmp_path, "demo.db"))
    first = run("demo", "--no-tui", "--db", db)
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [f"Demo shop created in {backend.shown(db)}",
                                         "Users: cashier (PIN 1111), manager (2222), admin (9999)",
                                         f"Other commands: give them --db {backend.shown(db)} (or SHOPTERM_DB)"]
    second = run("demo", "--no-tui", "--db", db)
    assert second.exit_code == 0, second.output
    assert second.stdout.splitlines()[0] == f"Demo shop reused from {backend.shown(db)}"


def test_demo_refuses_a_real_shop(tmp_path):
    db = backend.db_arg(backend.new_url(tmp_path, "real.db"))
    run("init", "--db", db, "--location-code", "MAIN", "--location-name", "Main", "--rate", "2850",
        "--admin-pin", "1234")
    result = run("demo", "--no-tui", "--db", db)
    assert result.exit_code == 1
    assert result.stderr == "error: This database holds a shop that is not the demo: give the demo its own --db file\n"


# ---------------------------------------------------------------- post


def test_post_shop_open_from_the_design(demo_db):
    result = run("post", "-", "--db", demo_db, "--user", "cashier", input=json.dumps(SHOP_OPEN))
    assert result.exit_code == 0, result.output
    assert out_json(result) == [{"type": "shop_open", "number": "261101OP000001", "totals": {}}]


def test_post_from_a_file_with_user_and_pin_from_the_environment(demo_db, tmp_path):
    path = tmp_path / "docs.json"
    path.write_text(json.dumps([SHOP_OPEN]), encoding="utf-8")
    result = run("post", str(path), "--db", demo_db, env={"SHOPTERM_USER": "cashier", "SHOPTERM_PIN": "1111"})
    assert result.exit_code == 0, result.output
    assert [d["number"] for d in out_json(result)] == ["261101OP000001"]


def test_post_malformed_json_names_line_and_column(demo_db):
    text = '{"type": "shop_open",\n "location": "AXP",\n "date" "2026-11-23"}'
    result = run("post", "-", "--db", demo_db, "--user", "cashier", input=text)
    assert result.exit_code == 1
    assert out_json(result) == {"error": "malformed JSON at line 3 column 9: Expecting ':' delimiter", "code": "invalid",
                                "message_id": "malformed JSON at line {lineno} column {colno}: {msg}"}


def test_post_unknown_field_is_named(demo_db):
    doc = {**SHOP_OPEN, "locaton": "AXP"}
    result = run("post", "-", "--db", demo_db, "--user", "cashier", input=json.dumps(doc))
    assert result.exit_code == 1
    assert out_json(result) == {"error": "unknown field 'locaton' in shop_open", "field": "locaton", "code": "invalid",
                                "message_id": "unknown field {key!r} in {where}",
                                "index": 0, "type": "shop_open", "posted": []}


def test_post_refuses_a_float_amount(demo_db):
    text = '{"type": "shop_close", "location": "AXP", "date": "2026-11-23", "physical_usd": 150.00}'
    result = run("post", "-", "--db", demo_db, "--user", "manager", input=text)
    assert result.exit_code == 1
    err = out_json(result)
    assert err["error"] == ("shop_close: 'physical_usd' must be a string such as \"2.50\", not the JSON number 150.00 "
                            "(amounts, quantities and rates are strings)")
    assert err["field"] == "physical_usd"


def test_post_unknown_type_lists_the_known_ones(demo_db):
    result = run("post", "-", "--db", demo_db, "--user", "cashier", input='{"type": "shop_opn"}')
    assert result.exit_code == 1
    err = out_json(result)
    assert err["error"].startswith("unknown document type 'shop_opn'; known types: ")
    assert "shop_open" in err["error"] and "shop_close" in err["error"]
    assert (err["field"], err["index"], err["type"]) == ("type", 0, "shop_opn")


def test_post_stops_at_the_first_rejected_document_and_keeps_the_ones_before(demo_db):
    docs = [SHOP_OPEN, SHOP_OPEN]  # the second open of the same day is refused
    result = run("post", "-", "--db", demo_db, "--user", "cashier", input=json.dumps(docs))
    assert result.exit_code == 1
    err = out_json(result)
    assert err == {"error": "The shop AXP is already open for 2026-11-23", "field": "date", "code": "day_already_open",
                   "message_id": "The shop {code} is already open for {date}", "index": 1, "type": "shop_open",
                   "posted": [{"type": "shop_open", "number": "261101OP000001", "totals": {}}]}


def test_post_needs_a_known_active_user(demo_db):
    doc = json.dumps(SHOP_OPEN)
    unknown = run("post", "-", "--db", demo_db, "--user", "ghost", "--pin", "1234", input=doc)
    assert unknown.exit_code == 1
    assert out_json(unknown) == {"error": "Unknown user or wrong PIN", "field": "pin", "code": "auth",
                                 "message_id": "Unknown user or wrong PIN"}
    missing = run("post", "-", "--db", demo_db, input=doc)
    assert missing.exit_code == 1
    assert out_json(missing) == {"error": "this command needs the acting user: --user NAME (or SHOPTERM_USER)",
                                 "field": "user", "code": "invalid",
                                 "message_id": "this command needs the acting user: --user NAME (or SHOPTERM_USER)"}
    wrong_pin = run("--user", "cashier", "--pin", "0000", "post", "-", "--db", demo_db, input=doc)
    assert wrong_pin.exit_code == 1
    assert out_json(wrong_pin) == {"error": "Unknown user or wrong PIN (2 tries left)", "field": "pin", "code": "auth",
                                   "message_id": "Unknown user or wrong PIN ({left} tries left)"}
    from shopterm.services import Services

    svc = Services.open(demo_db)
    try:
        admin = svc.users.login("admin", "9999")
        svc.users.update(admin, "cashier", inactive=True)
    finally:
        svc.db.dispose()
    inactive = run("post", "-", "--db", demo_db, "--user", "cashier", input=doc)
    assert out_json(inactive) == {"error": "Unknown user or wrong PIN", "field": "pin", "code": "auth",
                                  "message_id": "Unknown user or wrong PIN"}


def test_post_missing_file(tmp_path, demo_db):
    result = run("post", str(tmp_path / "nope.json"), "--db", demo_db, "--user", "cashier")
    assert result.exit_code == 1
    assert out_json(result) == {"error": f"cannot read {tmp_path / 'nope.json'}: No such file or directory",
                                "field": "file"}


def test_post_a_bare_value_is_refused(demo_db):
    result = run("post", "-", "--db", demo_db, "--user", "cashier", input='["shop_open"]')
    assert result.exit_code == 1
    assert out_json(result)["error"] == "document 0: expected a JSON object, got a string"


def test_post_an_empty_list_posts_nothing(demo_db):
    result = run("post", "-", "--db", demo_db, "--user", "cashier", input="[]")
    assert (result.exit_code, out_json(result)) == (0, [])


# ---------------------------------------------------------------- the TUI entry points


@pytest.fixture
def tui_calls(monkeypatch):
    from shopterm import cli

    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(cli, "_run_tui", lambda url, user="": calls.append((url, user)))
    return calls


def test_shopterm_alone_opens_the_app_on_the_database(demo_db, tui_calls):
    result = run("--db", demo_db, "--user", "manager")
    assert result.exit_code == 0, result.output
    assert tui_calls == [(normalise_url(demo_db), "manager")]


@backend.sqlite_only("a missing file; a PostgreSQL database is made by its server")
def test_shopterm_alone_without_a_database_says_how_to_make_one(tmp_path, tui_calls):
    missing = tmp_path / "none.db"
    result = run("--db", str(missing))
    assert result.exit_code == 1
    assert result.stderr == (f"error: no shop database at {missing}: create one with 'shopterm init --location-code … "
                             "--location-name … --rate … --admin-pin …', or try 'shopterm demo'\n")
    assert tui_calls == [] and not missing.exists()


def test_shopterm_alone_opens_the_app_without_building_the_commands(demo_db, tui_calls, monkeypatch):
    """`shopterm [--db …]` (root options only) opens the app without Typer parsing the line; anything
    else (a command, --help, an option without its value, an unknown option) goes through Typer."""
    from shopterm import cli

    assert cli._tui_options(["--db", "x.db", "--user=manager"])["db"] == "x.db"
    assert cli._tui_options(["demo", "--db", "x.db"]) == dict(db="x.db", user=None, pin=None, token=None, demo=True)
    for args in (["demo", "--no-tui"], ["demo", "demo"], ["--help"], ["--version"], ["--db"], ["--db", "--user", "x"],
                 ["--db", "a", "--db", "b"], ["--nope", "x"], ["--db", "x.db", "post", "-"], ["init"]):
        assert cli._tui_options(args) is None, args
    monkeypatch.setattr(cli, "make_app", lambda *a, **k: pytest.fail("Typer was built"))
    monkeypatch.setenv("SHOPTERM_USER", "cashier")
    cli.main(["--db", demo_db])
    assert tui_calls == [(normalise_url(demo_db), "cashier")]  # the user from the environment, as Typer reads it
    demos: list[tuple[str, bool]] = []
    monkeypatch.setattr(cli, "_run_tui", lambda url, user="", demo=False: demos.append((url, demo)))
    cli.main(["demo", "--db", demo_db])  # an existing demo: opened at once, the services check it in the app
    assert len(demos) == 1 and demos[0][1] is normalise_url(demo_db).startswith("sqlite")  # (PostgreSQL: checked first)


def test_lang_on_the_command_line_is_kept_for_the_command(demo_db):
    """`shopterm --lang fr …` keeps the language for the command (the print commands read it);
    it compared Typer's parameter source with click's own enum, which never matched."""
    from shopterm import cli

    run("--lang", "fr", "--db", demo_db, "--user", "manager", "--pin", "2222", "ledger", "balances")
    assert cli.state().lang == "fr"
    run("--db", demo_db, "--user", "manager", "--pin", "2222", "ledger", "balances")
    assert cli.state().lang is None


@backend.sqlite_only("a missing file; a PostgreSQL database is made by its server")
def test_shopterm_alone_on_a_missing_file_exits_1_with_the_message(tmp_path, tui_calls, capsys):
    from shopterm import cli

    with pytest.raises(SystemExit) as exit_:
        cli.main(["--db", str(tmp_path / "none.db")])
    assert exit_.value.code == 1 and "error: no shop database at" in capsys.readouterr().err
    assert tui_calls == []


def test_demo_opens_the_app_after_creating_the_shop(tmp_path, tui_calls):
    db = backend.db_arg(backend.new_url(tmp_path, "d.db"))
    result = run("demo", "--db", db)
    assert result.exit_code == 0, result.output
    assert tui_calls == [(normalise_url(db), "")]
