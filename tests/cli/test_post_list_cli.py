"""``shopterm post`` of a list stopped by the database (not a rule): the JSON says where the list
stopped (``index``) and what stayed posted (``posted``), as for a rejected document; the documents
before it are in the database."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from shopterm.cli import make_app
from shopterm.services import headless
from tests import backend
from tests.cli.conftest import with_pin
from tests.store.conftest import DAY, _copy_services, _template, open_day

ENV = {"SHOPTERM_DB": None, "SHOPTERM_USER": None, "SHOPTERM_PIN": None, "SHOPTERM_TODAY": DAY.isoformat()}
INVOICE = {"type": "sales_invoice", "location": "AXP", "date": DAY.isoformat(), "customer": "CASH",
           "sales_type": "cash", "currency": "USD", "rate": "2850", "sales_person": "SP01",
           "lines": [{"item": "BAND01", "qty": "4"}]}


def _full() -> Exception:
    exc = sqlite3.OperationalError("database or disk is full")
    exc.sqlite_errorname = "SQLITE_FULL"
    return exc


@pytest.mark.parametrize(("error", "exit_code", "message"), [
    (_full, 1, "The disk that holds the database is full"),
    (lambda: RuntimeError("a bug"), 2, "internal error: RuntimeError: a bug"),
])
def test_a_list_stopped_by_the_database_says_where_and_what_was_posted(tmp_path_factory, tmp_path, monkeypatch,
                                                                     error, exit_code, message):
    services = _copy_services(_template(tmp_path_factory), tmp_path)
    open_day(services)
    url = services.db.url
    services.db.dispose()
    real, calls = headless.post_one, []

    def post_one(svc, actor, doc):
        calls.append(doc)
        if len(calls) == 3:
            raise error()
        return real(svc, actor, doc)

    monkeypatch.setattr(headless, "post_one", post_one)
    args = ["post", "-", "--db", backend.db_arg(url), "--user", "cashier"]
    result = CliRunner(env={**ENV, **with_pin(args)}).invoke(make_app(args), args, input=json.dumps([INVOICE] * 4))
    assert result.exit_code == exit_code, result.output
    out = json.loads(result.stdout[result.stdout.index("{"):])
    assert out["error"].startswith(message)
    assert out["index"] == 2
    assert [d["number"] for d in out["posted"]] == ["261101SI000001", "261101SI000002"]
    assert [d["totals"]["net"] for d in out["posted"]] == ["5.00", "5.00"]
    from sqlalchemy import select

    from shopterm.services import Services
    from shopterm.store.models import Document

    again = Services.open(url, upgrade=False, today=DAY)
    try:
        with again.db.read() as s:
            numbers = s.execute(select(Document.number).where(Document.doc_type == "SI").order_by(Document.id))
            assert numbers.scalars().all() == ["261101SI000001", "261101SI000002"]
    finally:
        again.db.dispose()
