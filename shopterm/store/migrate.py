"""Schema migrations (Alembic), run from code.

The app upgrades the database on start; ``shopterm db upgrade`` does it
explicitly. Migration scripts live in ``migrations/versions``; the
configuration is built here, so no ``alembic.ini`` is needed at run time.

Alembic is imported only when there is something to migrate: the usual start
(schema already at the head) reads the head from the scripts' ``revision`` /
``down_revision`` lines and the database's ``alembic_version`` row, ~1 ms,
instead of loading Alembic and parsing every script (~200 ms).
"""

from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Engine

from .sqlrun import Statement

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATE_LOCK_KEY = 0x6D696772  # "migr": PostgreSQL advisory lock held while migrating

_REVISION = re.compile(r"^revision(?:\s*:\s*[^=]+)?\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision(?:\s*:\s*[^=]+)?\s*=\s*(None|['\"]([^'\"]+)['\"]|\(.*?\))", re.M | re.S)


def alembic_config(engine: "Engine | None" = None) -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        # configparser reads % as interpolation: a password with % in it must be escaped
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
        cfg.attributes["engine"] = engine
    return cfg


@lru_cache(maxsize=1)
def _scripts() -> tuple[frozenset[str], frozenset[str]] | None:
    """The revisions the scripts make and the ones they follow, read from their text; None when that is
    not plain (then Alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        rev = _REVISION.search(text)
        if rev is None:
            continue
        down = _DOWN.search(text)
        if down is None:
            return None
        if down.group(1).startswith("("):
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
        elif down.group(2):
            parents.add(down.group(2))
        revisions.add(rev.group(1))
    return frozenset(revisions), frozenset(parents)


def _quick_head() -> str | None:
    """The single head read from the scripts' text; None when that is not plain (then Alembic decides)."""
    scripts = _scripts()
    if scripts is None:
        return None
    heads = scripts[0] - scripts[1]
    return next(iter(heads)) if len(heads) == 1 else None


class SchemaFromNewerBuild(RuntimeError):
    """The database's revision is none of the scripts': a later shopterm made or upgraded it, and this
    one must not touch it (Alembic would fail with "Can't locate revision")."""

    def __init__(self, revision: str):
        from ..core.i18n import _

        self.revision = revision
        super().__init__(_("its schema (revision {revision}) is from a newer shopterm than this one: open it "
                           "with that version").format(revision=revision))


def head_revision() -> str:
    head = _quick_head()
    if head is not None:
        return head
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: "Engine") -> str | None:
    return _revision_and_mark(engine)[0]


def upgrade(engine: "Engine", revision: str = "head") -> list[str]:
    """Bring the schema to ``revision`` (no-op when already there).

    Several processes opening a new database at once queue for the migration instead of
    failing ("database is locked" on SQLite's read→write upgrade, a duplicate catalogue row
    on PostgreSQL): SQLite's migration transaction begins ``IMMEDIATE`` (within the busy
    timeout), PostgreSQL's runs under an advisory lock; the one that goes second finds the
    schema current and does nothing.

    At the head revision the database's schema mark is compared with the migration's
    fingerprint too (the same read): a database made by an earlier build of the one
    pre-release migration gets what it lacks (:func:`catch_up`). Returns what a catch-up added."""
    current, mark = _revision_and_mark(engine)
    scripts = _scripts()
    if current is not None and scripts is not None and current not in scripts[0]:
        raise SchemaFromNewerBuild(current)
    if revision == "head" and current == head_revision():
        if mark != schema_fingerprint():
            with _migration_lock(engine):
                return catch_up(engine)
        return []
    from alembic import command

    with _migration_lock(engine):
        command.upgrade(alembic_config(_immediate(engine)), revision)
        if revision != "head":
            return []
        if current is not None:
            return catch_up(engine)
        _write_mark(engine)  # a new database has every table of the scripts: only the mark to write
        return []


def needs_catch_up(engine: "Engine") -> bool:
    """Whether the database is at the head revision but not marked with the scripts' fingerprint."""
    current, mark = _revision_and_mark(engine)
    return current == head_revision() and mark != schema_fingerprint()


def _immediate(engine: "Engine") -> "Engine":
    return engine.execution_options(sqlite_begin="IMMEDIATE") if engine.dialect.name == "sqlite" else engine


@contextmanager
def _migration_lock(engine: "Engine"):
    """PostgreSQL: hold the migration's advisory lock (SQLite's writers queue on BEGIN IMMEDIATE)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    from sqlalchemy import text

    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATE_LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATE_LOCK_KEY})
            conn.commit()


# ---------------------------------------------------------------- databases of earlier builds

@lru_cache(maxsize=1)
def schema_fingerprint() -> str:
    """A digest of the migration scripts (their code, not the dates Alembic writes in them):
    what a database made from them has, kept in its ``schema_mark``."""
    digest = hashlib.sha256()
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        text = script.read_text(encoding="utf-8")
        digest.update("\n".join(line for line in text.splitlines() if not line.startswith("Create Date")).encode())
    return digest.hexdigest()


def _revision_and_mark(engine: "Engine") -> tuple[str | None, str | None]:
    """The database's Alembic revision and its schema mark, in one connection (None: not there)."""
    from sqlalchemy import exc

    with engine.connect() as conn:
        try:
            rows = _REVISIONS.scalars(conn)
        except exc.DBAPIError:  # no such table: an empty database
            conn.rollback()
            return None, None
        try:
            mark = _MARK.scalar(conn)
        except exc.DBAPIError:  # made before the mark existed
            conn.rollback()  # PostgreSQL: the failed statement ended the transaction's use
            mark = None
        conn.rollback()  # end the read transaction (SQLite: release the WAL snapshot)
    if len(rows) <= 1:
        return (rows[0] if rows else None), mark
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:  # several heads: Alembic decides
        return MigrationContext.configure(conn).get_current_revision(), mark


_REVISIONS = Statement("schema.revisions")
_MARK = Statement("schema.mark")


def schema_current(conn) -> bool:
    """Whether the database on ``conn`` (a named statements' connection) is at the head revision and
    marked with the scripts' fingerprint: nothing to migrate or catch up. A driver error (no such
    table) propagates: the caller opens the database the usual way, which migrates it."""
    rows = _REVISIONS.scalars(conn)
    return len(rows) == 1 and rows[0] == head_revision() and _MARK.scalar(conn) == schema_fingerprint()


#: tables the posting keeps as sums of other rows: rebuilt from those rows when a catch-up creates them
_DERIVED = ("account_day", "stock_balance", "open_due", "customer_month")


def catch_up(engine: "Engine") -> list[str]:
    """Give a database what the models have and it lacks — tables, columns, indexes — in one
    transaction, fill the running sums it lacked from the rows they sum, and mark it with the
    migration's fingerprint. A new column that may not be empty gets its default on the
    existing rows. Nothing is dropped or changed. Returns what was added (for the log/tests).

    A mark that is not this build's is an earlier build's, or a newer build's of the same revision
    (until the first release the one migration is rewritten as the models grow, so the revision
    does not tell them apart). A newer build's schema has tables or columns this build does not
    know (no table or column has ever been taken out of the models): it is refused as a newer
    revision is (:class:`SchemaFromNewerBuild`), untouched and not re-marked — this build would
    leave the newer build's own running sums and columns unkept, and the newer build, finding its
    mark replaced by this one's, would not know to rebuild them."""
    from sqlalchemy import inspect, text
    from sqlalchemy.orm import Session
    from sqlalchemy.schema import CreateColumn

    from . import balances, models

    added: list[str] = []
    with _immediate(engine).begin() as conn:
        insp = inspect(conn)
        tables = set(insp.get_table_names())
        newer = _unknown_to_this_build(insp, tables, models.SQLModel.metadata)
        if newer:
            raise SchemaFromNewerBuild(_revision_in(conn))
        created: set[str] = set()
        for table in models.SQLModel.metadata.sorted_tables:
            if table.name not in tables:
                table.create(conn)
                created.add(table.name)
                added.append(f"table {table.name}")
                continue
            have = {c["name"] for c in insp.get_columns(table.name)}
            for column in table.columns:
                if column.name in have:
                    continue
                ddl = str(CreateColumn(column).compile(dialect=conn.dialect))
                if not column.nullable and column.server_default is None:
                    ddl += " DEFAULT " + _default_literal(conn, column)
                conn.execute(text(f"ALTER TABLE {conn.dialect.identifier_preparer.quote(table.name)} ADD COLUMN {ddl}"))
                added.append(f"column {table.name}.{column.name}")
            indexes = {i["name"] for i in insp.get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in indexes:
                    index.create(conn)
                    indexes.add(index.name)
                    added.append(f"index {index.name}")
        rebuilt = [name for name in _DERIVED if name in created]
        if rebuilt:
            with Session(bind=conn) as session:
                for name in rebuilt:
                    {"account_day": balances.rebuild, "stock_balance": balances.rebuild_stock,
                     "open_due": balances.rebuild_open, "customer_month": balances.rebuild_customer_months}[name](session)
                session.flush()
        _write_mark(conn)
    return added


def _unknown_to_this_build(insp, tables: set[str], metadata) -> list[str]:
    """The tables and columns of the database that this build's models do not have."""
    unknown = [f"table {t}" for t in sorted(tables - set(metadata.tables) - {"alembic_version"})]
    for name in sorted(tables & set(metadata.tables)):
        known = set(metadata.tables[name].columns.keys())
        unknown += [f"column {name}.{c['name']}" for c in insp.get_columns(name) if c["name"] not in known]
    return unknown


def _revision_in(conn) -> str:
    rows = _REVISIONS.scalars(conn)
    return rows[0] if len(rows) == 1 else ", ".join(rows)


def _write_mark(target) -> None:
    """Mark the database (an engine: in its own transaction; a connection: in the caller's) as made
    by the current migration scripts, with the masters' change counter and its triggers."""
    from sqlalchemy.engine import Connection

    from .models import SchemaMark

    if isinstance(target, Connection):
        conn = target
        conn.execute(SchemaMark.__table__.delete())
        conn.execute(SchemaMark.__table__.insert().values(id=1, fingerprint=schema_fingerprint()))
        from .master_cache import install

        install(conn)  # the triggers that count changes to the masters (kept per process while none changed)
        return
    with _immediate(target).begin() as conn:
        _write_mark(conn)


def _default_literal(conn, column) -> str:
    """The SQL literal for a new NOT NULL column's value on existing rows: its Python default
    when that is a plain value, else the type's zero ('' for text, false, 0)."""
    from sqlalchemy import Boolean, String, literal

    from .types import _Scaled

    kind = column.type
    default = column.default.arg if column.default is not None and not callable(column.default.arg) else None
    if default is None and not isinstance(kind, (Boolean, String, _Scaled)) and kind.python_type is not int:
        raise RuntimeError(f"{column.table.name}.{column.name}: a new column that may not be empty needs a default")
    if default is None:
        default = False if isinstance(kind, Boolean) else "" if isinstance(kind, String) else 0
    if isinstance(kind, _Scaled):  # a scaled amount: the integer it is stored as
        default, kind = kind.process_bind_param(default, conn.dialect), kind.impl_instance
    bound = literal(default, type_=kind)
    return str(bound.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
