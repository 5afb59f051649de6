"""store/tables.py (the Core tables the read commands and the sign-in use) equals the models' metadata."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from shopterm.store import models, tables

ROOT = Path(__file__).resolve().parents[2]
DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}


def _ddl(table, dialect) -> tuple[list[str], list[str]]:
    """The CREATE TABLE's lines (order aside) and every CREATE INDEX, as the dialect writes them."""
    create = str(CreateTable(table).compile(dialect=dialect))
    lines = sorted(line.strip().rstrip(",") for line in create.strip().splitlines())
    indexes = sorted(str(CreateIndex(ix).compile(dialect=dialect)) for ix in table.indexes)
    return lines, indexes


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_table_has_the_models_ddl_and_indexes(dialect):
    model_tables = models.SQLModel.metadata.tables
    assert sorted(tables.build_all().tables) == sorted(model_tables)
    for name, table in tables.metadata.tables.items():
        assert _ddl(table, DIALECTS[dialect]) == _ddl(model_tables[name], DIALECTS[dialect]), name


def test_every_column_has_the_models_type_and_default():
    for name, table in tables.build_all().tables.items():
        model = models.SQLModel.metadata.tables[name]
        for col in table.columns:
            theirs = model.c[col.name]
            assert type(col.type).__name__ == type(theirs.type).__name__ or (
                type(col.type).__name__ == "String" and type(theirs.type).__name__ == "AutoString"), (name, col.name)
            assert (col.primary_key, col.nullable, col.autoincrement) == (
                theirs.primary_key, theirs.nullable, theirs.autoincrement), (name, col.name)
            assert {f.target_fullname for f in col.foreign_keys} == {f.target_fullname for f in theirs.foreign_keys}
            if theirs.default is None:
                assert col.default is None, (name, col.name)
            elif theirs.default.is_callable:  # the models' _now: an aware time in UTC, now
                got = col.default.arg(None)
                assert got.tzinfo is dt.timezone.utc and abs(got - theirs.default.arg(None)).total_seconds() < 5
            else:
                assert col.default.arg == theirs.default.arg and type(col.default.arg) is type(theirs.default.arg)


def test_times_bind_and_read_as_sqlmodels_type():
    from sqlmodel.sql.sqltypes import UTCDateTime as Theirs

    from shopterm.store.types import UTCDateTime as Ours

    ours, theirs = Ours(), Theirs()
    kinshasa = dt.timezone(dt.timedelta(hours=1))
    for value in (None, dt.datetime(2026, 12, 5, 21, 30, tzinfo=kinshasa), dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)):
        for dialect in DIALECTS.values():
            assert ours.process_bind_param(value, dialect) == theirs.process_bind_param(value, dialect)
            assert ours.process_result_value(value, dialect) == theirs.process_result_value(value, dialect)
    naive = dt.datetime(2026, 12, 5, 21, 30)
    assert ours.process_result_value(naive, DIALECTS["sqlite"]) == theirs.process_result_value(naive, DIALECTS["sqlite"])
    with pytest.raises(ValueError):
        ours.process_bind_param(naive, DIALECTS["sqlite"])


def test_a_table_is_built_once_when_first_asked_for():
    out = subprocess.run([sys.executable, "-c", "from shopterm.store import tables as t; from shopterm.store.tables "
                          "import User; print(sorted(t.metadata.tables), t.User is User, t.build_all() is t.metadata, "
                          "t.User is User, len(t.metadata.tables))"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['user']", "True", "True", "True", str(len(models.SQLModel.metadata.tables))]


def test_the_module_is_what_the_script_writes():
    out = subprocess.run([sys.executable, "scripts/regen_tables.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
