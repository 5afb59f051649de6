"""Named statements: written once as SQLAlchemy Core, run through SQLAlchemy or on a plain ``sqlite3`` connection.

A rule that a read command runs (the sign-in and its audit row, the schema check, the customer
balances) names its statements (:class:`Statement`, e.g. ``Statement("signin.user_by_name")``). Each
is written once, as SQLAlchemy Core, in the module :data:`SOURCES` gives for its prefix
(``STATEMENTS = {name: builder}``), and run one of two ways:

- on a SQLAlchemy Connection or ORM Session (the terminal app, the tests, every write service): the
  built statement through :class:`~shopterm.store.db.Prepared`, compiled for that connection's dialect;
- on a :class:`LiteConnection` (a read command on a SQLite file, :class:`LiteDatabase`): the SQL text,
  parameter order and column converters compiled ahead for SQLite by ``scripts/regen_compiled.py``
  into :mod:`shopterm.store.compiled_sqlite` — SQLAlchemy is not imported at all.

Both give the same rows: tuples (or named tuples) of Python values converted by the same functions
(:mod:`shopterm.store.convert`). tests/store/test_compiled_sql.py checks the generated module is
current; tests/cli/test_read_commands.py runs the commands both ways and compares what they print.
This module imports only the standard library.
"""

from __future__ import annotations

import sqlite3
import sys
from collections import namedtuple
from contextlib import contextmanager
from importlib import import_module
from typing import Any, Callable, Iterator

#: Where the statements of each prefix are written (``STATEMENTS``: name → builder; a builder with
#: ``per_dialect = True`` takes the dialect's name).
SOURCES = {
    "schema": "shopterm.store.sql",
    "signin": "shopterm.services.admin.sql",
    "audit": "shopterm.services.admin.sql",
    "chain": "shopterm.services.admin.sql",
    "ledger": "shopterm.services.ledger.sql",
}


def builder(name: str) -> Callable[..., Any]:
    """The function that builds the Core statement ``name``."""
    module = import_module(SOURCES[name.split(".", 1)[0]])
    return module.STATEMENTS[name]


def build(name: str, dialect: str = "sqlite") -> Any:
    make = builder(name)
    return make(dialect) if getattr(make, "per_dialect", False) else make()


def _dialect_of(conn: Any) -> str:
    dialect = getattr(conn, "dialect", None)  # a Connection
    if dialect is None:  # an ORM Session
        dialect = conn.get_bind().dialect
    return dialect.name


class Statement:
    """One named statement, run on the connection it is given (see the module's text). The same methods
    as :class:`~shopterm.store.db.Prepared`."""

    __slots__ = ("name", "_prepared", "_per_dialect", "_row")

    def __init__(self, name: str):
        if name.split(".", 1)[0] not in SOURCES:
            raise KeyError(f"no statement source for {name!r}")
        self.name = name
        self._prepared: dict[str, Any] = {}
        self._per_dialect: bool | None = None
        self._row = None

    def prepared(self, conn: Any) -> Any:
        """The :class:`~shopterm.store.db.Prepared` of this statement for ``conn``'s dialect."""
        if self._per_dialect is None:
            self._per_dialect = bool(getattr(builder(self.name), "per_dialect", False))
        key = _dialect_of(conn) if self._per_dialect else ""
        got = self._prepared.get(key)
        if got is None:
            from .db import Prepared

            got = self._prepared[key] = Prepared(build(self.name, key or "sqlite"))
        return got

    def _run(self, conn: Any, params: Any, many: bool) -> list[tuple] | None:
        if conn.__class__ is LiteConnection:
            return conn.run(self.name, params, many)
        return self.prepared(conn)._run(conn, params, many)

    def execute(self, conn: Any, params: dict | None = None) -> None:
        self._run(conn, params, False)

    def executemany(self, conn: Any, rows: list[dict]) -> None:
        self._run(conn, rows, True)

    def all(self, conn: Any, params: dict | None = None) -> list[tuple]:
        return self._run(conn, params, False) or []

    def first(self, conn: Any, params: dict | None = None) -> tuple | None:
        rows = self._run(conn, params, False)
        return rows[0] if rows else None

    def scalar(self, conn: Any, params: dict | None = None) -> Any:
        rows = self._run(conn, params, False)
        return rows[0][0] if rows else None

    def scalars(self, conn: Any, params: dict | None = None) -> list:
        return [r[0] for r in self._run(conn, params, False) or ()]

    def named(self, conn: Any, params: dict | None = None) -> list[tuple]:
        """The rows as named tuples (``row.id``), named after the statement's columns."""
        if self._row is None:
            from .compiled_sqlite import SQLITE

            self._row = namedtuple("Row", SQLITE[self.name][3], rename=True)
        return [self._row._make(r) for r in self._run(conn, params, False) or ()]

    def first_named(self, conn: Any, params: dict | None = None) -> Any:
        rows = self.named(conn, params)
        return rows[0] if rows else None


# ---------------------------------------------------------------- the plain sqlite3 path


class LiteConnection:
    """A ``sqlite3`` connection (opened as :func:`shopterm.store.db.sqlite_pragmas` sets every connection
    up) running the statements compiled ahead for SQLite."""

    __slots__ = ("raw", "_forms")

    def __init__(self, raw: sqlite3.Connection):
        self.raw = raw
        self._forms: dict = {}

    def _form(self, name: str, lengths: tuple[int, ...]) -> tuple[str, tuple, tuple]:
        from .compiled_sqlite import SQLITE
        from .convert import RESULT

        got = self._forms.get((name, lengths))
        if got is None:
            sql, params, _expanding, _columns, results = SQLITE[name]
            for (_key, _conv, _own, _column, _limit, expanding), n in zip((p for p in params if p[5]), lengths):
                sql = sql.replace(f"__[POSTCOMPILE_{expanding}]", ", ".join("?" * n))
            got = self._forms[(name, lengths)] = (sql, params, tuple(RESULT[r] if r else None for r in results))
        return got

    def run(self, name: str, params: Any, many: bool) -> list[tuple] | None:
        from .compiled_sqlite import SQLITE
        from .convert import BIND

        rows = params if many else [params or {}]
        if not rows:
            return None
        spec = SQLITE[name][1]
        lengths = []
        for key, _conv, own, _column, _limit, expanding in spec:
            if expanding:
                value = rows[0][key] if own is None or key in rows[0] else own[0]
                lengths.append(len(value))
        if 0 in lengths:  # an empty IN list matches nothing
            return [] if SQLITE[name][3] else None
        if SQLITE[name][2] == "insert" and any(len(row) != len(spec) for row in rows):
            raise ValueError(f"{name}: compiled for the columns {[p[0] for p in spec]}, given {sorted(rows[0])}")
        sql, spec, results = self._form(name, tuple(lengths))
        # each parameter: (the caller's key, its converter, (a value of its own,) or None, the column named
        # in an error, the largest integer it holds or 0, the IN list's bind name or None)
        from .db import refuse_unstorable as refuse

        bound = []
        for row in rows:
            values: list = []
            for key, conv, own, column, limit, expanding in spec:
                value = row[key] if own is None or key in row else own[0]
                fn = BIND[conv] if conv else None
                for v in (value if expanding else (value,)):
                    if fn is not None:
                        v = fn(v)
                    refuse(v, column, limit)  # store.db's one check: no NUL, no figure past its column
                    values.append(v)
            bound.append(values)
        from .db import cursor_run

        cursor = self.raw.cursor()
        try:
            if not cursor_run(cursor, sql, bound, many):
                return None
            raw = cursor.fetchall()
        finally:
            cursor.close()
        if not any(results):
            return raw
        return [tuple([p(v) if p else v for p, v in zip(results, r)]) for r in raw]


class LiteDatabase:
    """A SQLite shop file for a read command, without SQLAlchemy: :meth:`reads` and :meth:`transaction`
    give a :class:`LiteConnection` for the named statements. Anything else (``connect``, ``read``,
    ``write``, ``engine`` …) opens the file as :class:`~shopterm.store.db.Database` on first use and
    goes there, so code not written with named statements still runs, through SQLAlchemy."""

    sqlite = True
    postgresql = False

    def __init__(self, url: str, path: str):
        from .db import Checkpoints

        self.url = url
        self.path = path
        self._raw: sqlite3.Connection | None = None
        self._full = None
        self._checkpoints = Checkpoints(path)

    def _conn(self) -> sqlite3.Connection:
        if self._raw is None:
            from .db import BUSY_TIMEOUT_MS, sqlite_pragmas

            raw = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                  check_same_thread=False)
            sqlite_pragmas(raw)
            self._raw = raw
        return self._raw

    @contextmanager
    def reads(self) -> Iterator[LiteConnection]:
        """One read transaction (``BEGIN`` … ``ROLLBACK``, as SQLAlchemy ends a Core connection's)."""
        raw = self._conn()
        raw.execute("BEGIN DEFERRED")
        try:
            yield LiteConnection(raw)
        finally:
            if raw.in_transaction:  # SQLite may have ended it already (an error that rolls back)
                raw.execute("ROLLBACK")

    @contextmanager
    def transaction(self) -> Iterator[LiteConnection]:
        """One write transaction, as :meth:`Database.transaction`: ``BEGIN IMMEDIATE``, committed if the
        block finishes, rolled back on any error."""
        raw = self._conn()
        raw.execute("BEGIN IMMEDIATE")
        try:
            yield LiteConnection(raw)
        except BaseException:
            if raw.in_transaction:  # not when SQLite rolled back itself: its error is the one to raise
                raw.execute("ROLLBACK")
            raise
        raw.execute("COMMIT")
        self._checkpoints.committed()

    def full(self) -> Any:
        """The same file as a :class:`~shopterm.store.db.Database` (SQLAlchemy), opened once."""
        if self._full is None:
            from .db import Database

            self._full = Database.from_url(self.url)
        return self._full

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.full(), name)

    def dispose(self) -> None:
        self._checkpoints.close()
        if self._raw is not None:
            self._raw.close()
            self._raw = None
        if self._full is not None:
            self._full.dispose()


def open_lite(url: str) -> LiteDatabase | None:
    """The SQLite file of ``url`` as a :class:`LiteDatabase` when its schema is current (the check the
    migrations make, on the named statements); None otherwise (a PostgreSQL URL, a missing or older
    file, SQLAlchemy already loaded): then the caller opens it the usual way."""
    if "sqlalchemy" in sys.modules:
        return None
    from .db import sqlite_file

    path = sqlite_file(url)
    if path is None or "?" in url:
        return None
    import os

    if not os.path.exists(path):
        return None
    db = LiteDatabase(url, path)
    try:
        from .migrate import schema_current

        with db.reads() as conn:
            current = schema_current(conn)
    except sqlite3.Error:
        current = False
    if not current:
        db.dispose()
        return None
    return db
