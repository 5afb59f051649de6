"""Named statements compiled ahead for SQLite (shopterm/store/compiled_sqlite.py, scripts/regen_compiled.py).

- The generated module is what the script writes from the statements as they are now.
- Each converter it names (shopterm/store/convert.py) does what SQLAlchemy's processor does on SQLite.
- Every SELECT among them gives the same rows run on ``sqlite3`` (LiteConnection) as through SQLAlchemy
  Core, on the ledger case of tests/store/ledger_support.
- A text with a NUL or a figure past its column is refused on ``sqlite3`` as through SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests import backend

ROOT = Path(__file__).resolve().parents[2]


def test_the_generated_module_is_current():
    out = subprocess.run([sys.executable, "scripts/regen_compiled.py", "--check"], cwd=ROOT, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr


UTC = dt.timezone.utc
SAMPLES = {
    "money": [Decimal("12.50"), Decimal("-0.01"), Decimal("0"), Decimal("123456789.99"), 7, None],
    "qty": [Decimal("1.250"), Decimal("-3"), None],
    "rate": [Decimal("2850.123456"), None],
    "pct": [Decimal("16"), Decimal("2.5"), None],
    "date": [dt.date(2026, 10, 16), dt.date(1999, 1, 2), None],
    "datetime": [dt.datetime(2026, 12, 6, 0, 26, 48, 123456), dt.datetime(2026, 1, 2), None],
    "utc": [dt.datetime(2026, 12, 6, 0, 26, 48, 123456, tzinfo=UTC),
            dt.datetime(2026, 12, 6, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))), None],
    "bool": [True, False, None],
    "json": [None, {"a": 1, "é": "x", "n": [1, 2.5, None]}, "text", 3],
}


def _types():
    from sqlalchemy import JSON, Boolean, Date, DateTime

    from shopterm.store.types import MoneyType, PctType, QtyType, RateType, UTCDateTime

    return {"money": MoneyType(), "qty": QtyType(), "rate": RateType(), "pct": PctType(), "date": Date(),
            "datetime": DateTime(), "utc": UTCDateTime(), "bool": Boolean(), "json": JSON()}


def test_each_converter_does_what_sqlalchemy_does_on_sqlite():
    from sqlalchemy.dialects import sqlite

    from shopterm.store.convert import BIND, RESULT

    dialect = sqlite.dialect()
    types = _types()
    assert set(types) == set(BIND) == set(RESULT)
    for name, type_ in types.items():
        bind = type_._cached_bind_processor(dialect)
        result = type_._cached_result_processor(dialect, None)
        for value in SAMPLES[name]:
            stored = bind(value) if bind else value
            assert BIND[name](value) == stored, (name, value)
            assert type(BIND[name](value)) is type(stored), (name, value)
            back = result(stored) if result else stored
            assert RESULT[name](stored) == back, (name, value)
            assert type(RESULT[name](stored)) is type(back), (name, value)
            if isinstance(back, Decimal):
                assert RESULT[name](stored).as_tuple() == back.as_tuple(), (name, value)  # the same places


def test_a_float_or_too_many_places_is_refused_both_ways():
    from shopterm.store.convert import BIND
    from shopterm.store.types import MoneyType

    for bad, error in ((1.5, TypeError), (Decimal("1.005"), ValueError)):
        with pytest.raises(error):
            BIND["money"](bad)
        with pytest.raises(error):
            MoneyType().process_bind_param(bad, None)


@pytest.fixture
def ledger_file(tmp_path, request):
    if backend.TEST_DB:
        pytest.skip("the sqlite3 path reads SQLite files only")
    return backend.clone(request.getfixturevalue("ledger_template"), tmp_path)


PARAMS = {"at": dt.date(2026, 10, 16), "customer_id": 2, "group_id": 1, "ids": [1, 2, 3, 99], "name": "manager",
          "code": "C0001", "id": 1, "loc": 1, "hash": "0" * 64, "head_name": "audit",
          "t30": dt.date(2026, 9, 16), "t60": dt.date(2026, 8, 17), "t90": dt.date(2026, 7, 18),
          "month_end": dt.date(2026, 10, 31), "until": dt.date(2026, 10, 31)}


def test_every_select_gives_the_same_rows_on_sqlite3_and_through_sqlalchemy(ledger_file):
    from shopterm.store.compiled_sqlite import SQLITE
    from shopterm.store.db import Database, sqlite_file, sqlite_pragmas
    from shopterm.store.sqlrun import LiteConnection, Statement

    db = Database.from_url(ledger_file)
    raw = sqlite3.connect(sqlite_file(db.url), isolation_level=None)
    sqlite_pragmas(raw)
    lite = LiteConnection(raw)
    seen = 0
    try:
        with db.connect() as core:
            for name, (_sql, spec, kind, _columns, _results) in SQLITE.items():
                if kind != "select":
                    continue
                params = {key: PARAMS[key] for key, _c, own, *_ in spec if own is None}
                stmt = Statement(name)
                via_core = stmt.all(core, params)
                via_lite = stmt.all(lite, params)
                assert via_lite == via_core, name
                assert [[type(v) for v in r] for r in via_lite] == [[type(v) for v in r] for r in via_core], name
                seen += bool(via_core)
    finally:
        raw.close()
        db.dispose()
    assert seen >= 10  # most of them found rows in the ledger case


def test_a_nul_or_a_figure_too_large_is_refused_on_sqlite3(ledger_file):
    from shopterm.store.db import FigureTooLarge, UnstorableText, sqlite_file, sqlite_pragmas
    from shopterm.store.sqlrun import LiteConnection, Statement

    raw = sqlite3.connect(sqlite_file(ledger_file), isolation_level=None)
    sqlite_pragmas(raw)
    try:
        with pytest.raises(UnstorableText) as nul:
            Statement("signin.user_by_name").first(LiteConnection(raw), {"name": "man\x00ager"})
        assert nul.value.field == "name"
        with pytest.raises(FigureTooLarge):
            Statement("ledger.customer_by_id").first(LiteConnection(raw), {"id": 2**40})
    finally:
        raw.close()


from tests.cli.test_ledger_cli import ledger_template  # noqa: E402,F401  (the ledger case's template database)


@pytest.mark.parametrize("way", ["reads", "transaction"])
def test_an_error_after_sqlite_ended_the_transaction_itself_is_the_one_raised(tmp_path, way):
    """SQLite rolls a transaction back itself on some errors (a full disk, an interrupted statement);
    the block's own error is then what the caller sees, not 'cannot rollback - no transaction is active'
    from a second ROLLBACK, and the connection takes the next transaction."""
    from shopterm.store.sqlrun import LiteDatabase

    path = tmp_path / "shop.db"
    sqlite3.connect(path).close()
    db = LiteDatabase(f"sqlite:///{path}", str(path))
    try:
        with pytest.raises(ValueError, match="the block's own error"):
            with getattr(db, way)() as conn:
                conn.raw.execute("ROLLBACK")  # as SQLite does when it ends the transaction itself
                raise ValueError("the block's own error")
        with db.transaction() as conn:
            conn.raw.execute("CREATE TABLE t (x)")
        with db.reads() as conn:
            assert conn.raw.execute("SELECT count(*) FROM t").fetchone() == (0,)
    finally:
        db.dispose()
