"""The database URL as a person meets it: the PostgreSQL driver, passwords never printed,
a NUL refused cleanly, and several processes opening a new database at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from shopterm.cli import make_app
from shopterm.store.db import display_url, mask_password, normalise_url
from tests import backend
from tests.cli.conftest import with_pin

DAY = "2026-11-23"
ENV = {"SHOPTERM_DB": None, "SHOPTERM_USER": None, "SHOPTERM_PIN": None, "SHOPTERM_TODAY": DAY}


def run(*args: str, input: str | None = None):
    runner = CliRunner(env={**ENV, **with_pin(args)})
    result = runner.invoke(make_app(list(args)), list(args), input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback is a bug: show it
    return result


# ---------------------------------------------------------------- URLs and the driver


def test_postgresql_urls_mean_psycopg_3():
    assert normalise_url("postgresql://u:p@db.example/shop") == "postgresql+psycopg://u:p@db.example/shop"
    assert normalise_url("postgres://u@/shop?host=/run/pg") == "postgresql+psycopg://u@/shop?host=/run/pg"
    assert normalise_url("postgresql+psycopg://u@h/shop") == "postgresql+psycopg://u@h/shop"


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql+psycopg://postgres:s3cret@db.example:5432/shop", "postgresql://postgres:***@db.example:5432/shop"),
    ("postgresql+psycopg://till:p%40ss@h/shop?sslmode=require", "postgresql://till:***@h/shop?sslmode=require"),
    ("postgresql+psycopg:///shop?host=/run/pg&password=s3cret", "postgresql:///shop?host=/run/pg&password=***"),
    ("postgresql+pg8000://postgres:s3cret@h/shop", "postgresql+pg8000://postgres:***@h/shop"),
    ("postgresql+psycopg://postgres@h/shop", "postgresql://postgres@h/shop"),
    ("sqlite:////srv/shop/shop.db", "/srv/shop/shop.db"),
])
def test_a_url_is_shown_with_its_password_masked(url, shown):
    assert display_url(url) == shown


def test_a_driver_message_never_carries_the_password():
    url = "postgresql+psycopg://till:p%40ss@h/shop"
    assert mask_password('password "p@ss" refused; url p%40ss', url) == 'password "***" refused; url ***'


def test_a_url_without_its_driver_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if shopterm[postgres] was not installed
    result = run("db", "upgrade", "--db", "postgresql://postgres:s3cret@db.example/shop")
    assert result.exit_code == 1
    assert result.stderr == ("error: cannot open the database postgresql://postgres:***@db.example/shop: the PostgreSQL "
                             "driver (psycopg 3) is not installed: pip install 'shopterm[postgres]'\n")
    other = run("db", "upgrade", "--db", "postgresql+pg8000://postgres:s3cret@db.example/shop")
    assert other.exit_code == 1
    assert other.stderr == ("error: cannot open the database postgresql+pg8000://postgres:***@db.example/shop: the "
                            "database driver for postgresql+pg8000:// is not installed (module pg8000); or use "
                            "postgresql:// with pip install 'shopterm[postgres]'\n")


def test_a_server_that_cannot_be_reached_is_a_clear_error_without_the_password():
    pytest.importorskip("psycopg")
    result = run("db", "upgrade", "--db", "postgresql://postgres:s3cret@127.0.0.1:1/shop")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot open the database postgresql://postgres:***@127.0.0.1:1/shop: ")
    assert "s3cret" not in result.output and "Traceback" not in result.output


@pytest.mark.skipif(not backend.PG, reason="PostgreSQL only: a SQLite file has no password")
def test_the_demo_never_prints_the_password(tmp_path):
    url = backend.new_url(tmp_path)
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    with_password = f"postgresql://{user}:s3cret@{host}"  # the test server trusts its socket: any password will do
    for word in ("created in", "reused from"):
        result = run("demo", "--no-tui", "--db", with_password)
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[0] == f"Demo shop {word} postgresql://{user}:***@{host}"
        assert "s3cret" not in result.output


# ---------------------------------------------------------------- text the database cannot hold


def test_a_nul_in_a_narration_is_refused_and_nothing_is_written(tmp_path):
    db = backend.db_arg(backend.new_url(tmp_path))
    assert run("demo", "--no-tui", "--db", db).exit_code == 0
    docs = [{"type": "shop_open", "location": "AXP", "date": DAY},
            {"type": "shop_receipt", "location": "AXP", "date": DAY, "particulars": "1900", "cost_centre": "SHOP",
             "currency": "USD", "rate": "2850", "amount": "100", "narration": "Float\u0000 from head office"}]
    result = run("post", "-", "--db", db, "--user", "cashier", input=json.dumps(docs))
    assert result.exit_code == 1, result.output
    out = json.loads(result.stdout)
    assert out["field"] == "narration" and out["index"] == 1
    assert [d["number"] for d in out["posted"]] == ["261101OP000001"]
    from shopterm.services import Services
    from shopterm.store.models import Document
    from sqlmodel import select

    svc = Services.open(db, upgrade=False)
    try:
        with svc.db.read() as s:
            assert s.exec(select(Document.doc_type).where(Document.doc_type == "RP")).all() == []
    finally:
        svc.db.dispose()


def test_the_store_refuses_a_nul_naming_the_column(services_url):
    from shopterm.services import Services
    from shopterm.store.db import UnstorableText
    from shopterm.store.models import SalesPerson

    svc = Services.open(services_url)
    try:
        with pytest.raises(UnstorableText, match=r"^name: text with a NUL character \(\\x00\) cannot be stored$"):
            with svc.db.write() as s:
                s.add(SalesPerson(code="SP9", name="Nul\x00Name"))
    finally:
        svc.db.dispose()


@pytest.fixture
def services_url(tmp_path):
    return backend.new_url(tmp_path)


# ---------------------------------------------------------------- several processes at once


def test_six_demos_started_together_on_a_new_database(tmp_path):
    """One builds the demo, the five others wait for it and reuse it: none fails with "database is locked"."""
    db = backend.db_arg(backend.new_url(tmp_path, "demo.db"))
    env = {k: v for k, v in os.environ.items() if k not in ("SHOPTERM_DB", "SHOPTERM_USER", "SHOPTERM_PIN")}
    env["SHOPTERM_TODAY"] = DAY
    procs = [subprocess.Popen([sys.executable, "-m", "shopterm", "demo", "--no-tui", "--db", db], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [err for _, err in outs]
    firsts = sorted(out.splitlines()[0] for out, _ in outs)
    shown = backend.shown(db)
    assert firsts == [f"Demo shop created in {shown}"] + [f"Demo shop reused from {shown}"] * 5
