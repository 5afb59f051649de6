"""Engine and session factory.

Nothing connects at import time: :func:`make_engine` builds an engine from a
URL, and :class:`Database` hands out sessions. SQLite is opened with WAL,
foreign keys on, ``synchronous=NORMAL`` and a busy timeout; write transactions
start with ``BEGIN IMMEDIATE`` so two tills never deadlock on a read→write
upgrade (DESIGN §14).

PostgreSQL (``pip install 'shopterm[postgres]'``) is reached through psycopg 3:
a plain ``postgresql://`` URL means ``postgresql+psycopg://``. A URL whose
driver is not installed is refused with the package to install, and every URL
shown to a person goes through :func:`display_url`, which masks the password.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..core.i18n import N_

if TYPE_CHECKING:  # SQLAlchemy/SQLModel load when an engine is made, not for a URL (the CLI, the TUI's start)
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

BUSY_TIMEOUT_MS = 10_000
# PostgreSQL: every write transaction first takes this transaction-level advisory lock,
# the same one-writer-at-a-time rule as SQLite's BEGIN IMMEDIATE. A stock check and the
# stock move that follows it, a credit-limit check and the invoice, a day's open and its
# close are then never interleaved with another till's; reads are not blocked.
WRITER_LOCK_KEY = 0x73686F70  # "shop"
SETUP_LOCK_KEY = 0x73657475  # "setu": one-off set-up spanning several transactions (the demo)


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("shopterm", appauthor=False)) / "shop.db"


def default_url() -> str:
    """``SHOPTERM_DB`` if set (a URL or a file path), else the user's data directory."""
    env = os.environ.get("SHOPTERM_DB")
    if env:
        return normalise_url(env)
    path = default_db_path()
    return f"sqlite:///{path}"


def normalise_url(value: str) -> str:
    """Accept a URL or a plain file path; ``postgresql://`` (or ``postgres://``) means psycopg 3."""
    if "://" in value:
        scheme, rest = value.split("://", 1)
        if scheme.lower() in ("postgresql", "postgres"):
            return f"postgresql+psycopg://{rest}"
        return value
    return f"sqlite:///{Path(value).expanduser().absolute()}"


_PASSWORD_IN_NETLOC = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^:/@?#]*:)([^@/?#]*)(@)")
_PASSWORD_IN_QUERY = re.compile(r"([?&]password=)([^&#]*)", re.IGNORECASE)


def display_url(url: str) -> str:
    """A database URL as shown to a person: a SQLite URL as its file path; any password
    (``user:secret@`` or ``?password=``) as ``***``, so no message ever prints it."""
    if url.startswith("sqlite:///"):
        return url.split("sqlite:///", 1)[1]
    if url.startswith("postgresql+psycopg://"):  # the default driver: shown as the user wrote it
        url = "postgresql://" + url.split("://", 1)[1]
    url = _PASSWORD_IN_NETLOC.sub(r"\1***\3", url)
    return _PASSWORD_IN_QUERY.sub(r"\1***", url)


def mask_password(text: str, url: str) -> str:
    """``text`` (e.g. a driver's error message) with the password of ``url`` replaced by ``***``."""
    from sqlalchemy.engine import make_url

    try:
        password = make_url(url).password
    except Exception:
        password = None
    if password:
        from urllib.parse import quote

        for form in {str(password), quote(str(password), safe="")}:
            text = text.replace(form, "***")
    return text


def sqlite_refusal(exc: BaseException) -> str | None:
    """What SQLite refused a write for, when it is the machine's and not the data's: ``"busy"`` (its
    "database is locked" after the busy timeout: another program held the write lock all that time) or
    ``"full"`` ("database or disk is full"); None for anything else. Raised by ``sqlite3`` itself (the
    read commands' own connection, :mod:`shopterm.store.sqlrun`) or wrapped by SQLAlchemy (its ``orig``):
    both are recognised here."""
    import sqlite3

    orig = getattr(exc, "orig", None) or exc
    if not isinstance(orig, sqlite3.OperationalError):
        return None
    name = getattr(orig, "sqlite_errorname", "")
    if name in ("SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_LOCKED"):
        return "busy"
    return "full" if name == "SQLITE_FULL" else None


class UnstorableText(ValueError):
    """A text value holds a NUL character (U+0000): PostgreSQL cannot store one, so no
    database is given one (the same refusal on SQLite). ``field`` names the column."""

    def __init__(self, field: str | None):
        self.field = field
        where = f"{field}: " if field else ""
        super().__init__(f"{where}text with a NUL character (\\x00) cannot be stored")


#: the range of a BIGINT (every scaled figure: amounts × 100, quantities × 1000, rates × 10⁶) on both stores
MAX_BIGINT = 2**63 - 1


class FigureTooLarge(UnstorableText):
    """A number past what its column holds: a scaled figure past a BIGINT, a count past an INTEGER
    (PostgreSQL refuses it; SQLite would take it and a copy of the shop on PostgreSQL could not).
    Refused before any database sees it, on both stores alike; ``field`` names the column."""

    def __init__(self, field: str | None):
        from ..core.i18n import _

        self.field = field
        ValueError.__init__(self, _("{field}: too large a figure to store").format(field=field or "?"))


def storable_check(v: str, column: str, limit: str | None) -> list[str]:
    """The storable check as lines of Python (the one definition of the rule): a text value ``v`` with a
    NUL character is refused (:class:`UnstorableText`), an integer past ``limit`` (what its column holds
    on both stores) too (:class:`FigureTooLarge`), naming ``column``. ``limit``: an integer literal, the
    name of a variable that may hold None or 0 (no range check then), or None (no range check).

    :func:`refuse_unstorable` is these lines as a function (the engine hook, ``Prepared``'s general
    loop, the read commands' ``sqlite3`` path); ``Prepared``'s generated binders write them out in place
    for each value (a posting binds ≈ 460: a call per value would cost ≈ 25 µs a post)."""
    lines = [f"if {v}.__class__ is str:", f"    if '\\x00' in {v}: raise UnstorableText({column})"]
    if limit is not None:
        known = limit.isdigit()
        lines.append(f"elif {v}.__class__ is int and {'' if known else limit + ' and '}"
                     f"({v} > {limit} or {v} < {~int(limit) if known else '~' + limit}): raise FigureTooLarge({column})")
    return lines


def _refuse_unstorable():
    env = {"UnstorableText": UnstorableText, "FigureTooLarge": FigureTooLarge}
    body = "".join(f"    {line}\n" for line in storable_check("value", "column", "limit"))
    exec(compile(f"def refuse_unstorable(value, column, limit):\n{body}", "<storable check>", "exec"), env)
    fn = env["refuse_unstorable"]
    fn.__doc__ = ("Refuse a value no database may be given (:func:`storable_check`): a text with a NUL, an integer "
                  "past ``limit`` (None or 0: no range check), naming ``column``.")
    return fn


refuse_unstorable = _refuse_unstorable()


def _int_limit(type_) -> int | None:
    """The largest value an integer column of ``type_`` holds on both stores (None: not an integer column)."""
    from sqlalchemy import BigInteger, Integer
    from sqlalchemy.types import TypeDecorator

    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    if isinstance(type_, BigInteger):
        return MAX_BIGINT
    if isinstance(type_, Integer):
        from .types import MAX_INTEGER

        return MAX_INTEGER
    return None


def _refuse_nul(conn, cursor, statement, parameters, context, executemany) -> None:
    """``before_cursor_execute``: refuse a NUL in any text parameter, naming its column."""
    if not parameters:
        return
    if isinstance(parameters, dict) or not isinstance(parameters[0], (dict, tuple, list)):
        rows = (parameters,)  # one row (a dict, or a tuple of values)
    else:
        rows = parameters  # executemany: a list of rows
    for row in rows:
        values = row.items() if isinstance(row, dict) else enumerate(row)
        for key, value in values:
            kind = value.__class__
            if kind is not str and isinstance(value, str):  # a str subclass (an enum's value): its text
                value, kind = str.__str__(value), str
            if kind is not str and (kind is not int or -2_147_483_648 <= value <= 2_147_483_647):
                continue  # not text, and no integer column is too small for it
            limit = None
            if kind is int:  # past an INTEGER: which column, and what does it hold?
                name = _bind_name(context, key)
                compiled = getattr(context, "compiled", None)
                bp = compiled.binds.get(name) if compiled is not None and name else None
                if bp is None and name:
                    bp = compiled.binds.get(re.sub(r"__\d+$", "", name)) if compiled is not None else None  # insertmanyvalues
                limit = _int_limit(bp.type) if bp is not None else MAX_BIGINT
            refuse_unstorable(value, _column_of(context, key), limit)


def _bind_name(context, key) -> str | None:
    if isinstance(key, str):
        return key
    names = getattr(getattr(context, "compiled", None), "positiontup", None) or ()
    return names[key] if key < len(names) else None


def _column_of(context, key) -> str | None:
    """The column a parameter binds (``amount_usd_1`` → ``amount_usd``), as errors name it."""
    name = _bind_name(context, key)
    return re.sub(r"(__\d+|_\d+)$", "", name) if name else None


class SumTooLarge(FigureTooLarge):
    """A sum past a BIGINT: a report's total, or a running sum a post would carry past it (a balance,
    stock on hand). SQLite's ``SUM`` stops with "integer overflow"; PostgreSQL's is cast back to BIGINT
    (:func:`_bigint_sums`) and stops with "bigint out of range"; a running sum's add is checked the
    same way on both (:func:`checked_add`). ``what`` (an ``N_`` text, shown translated) names it; the
    message is the same on both stores and both read paths. Nothing was written."""

    def __init__(self, what: str | None = None):
        from ..core.i18n import _

        self.field = None
        self.what = what
        ValueError.__init__(self, _(SUM_TOO_LARGE).format(what=self.what_text))

    @property
    def what_text(self) -> str:
        """What passed the range, in the reader's language."""
        from ..core.i18n import _

        return _(self.what or N_SOME_FIGURES)


#: what :class:`SumTooLarge` says, and names when the caller did not say
SUM_TOO_LARGE = N_("{what}: the sum passes the largest figure a database holds. Nothing was written")
N_SOME_FIGURES = N_("The figures")


def sum_overflow(exc: BaseException) -> bool:
    """Whether ``exc`` is a sum past a BIGINT: SQLite's "integer overflow" (``sqlite3`` itself or wrapped
    by SQLAlchemy) or PostgreSQL's "bigint out of range" (SQLSTATE 22003)."""
    if isinstance(exc, SumTooLarge):
        return True
    orig = getattr(exc, "orig", None) or exc
    import sqlite3

    if isinstance(orig, sqlite3.OperationalError):
        return str(orig) == "integer overflow"
    return getattr(orig, "sqlstate", None) == "22003"


@contextmanager
def adding_up(what: str) -> Iterator[None]:
    """Inside: a sum past a BIGINT is :class:`SumTooLarge` naming ``what`` (an ``N_`` text)."""
    try:
        yield
    except SumTooLarge as exc:
        if exc.what is None:
            raise SumTooLarge(what) from None
        raise
    except Exception as exc:
        if sum_overflow(exc):
            raise SumTooLarge(what) from None
        raise


def checked_add(dialect: str, stored, added):
    """``stored + added`` for a running sum's upsert. PostgreSQL's BIGINT arithmetic stops past its range
    itself; SQLite's turns the sum into a REAL (a balance silently rounded): there a sum that is no longer
    an integer stops the statement with SQLite's own "integer overflow" (``abs`` of the smallest BIGINT)."""
    total = stored + added
    if dialect != "sqlite":
        return total
    from sqlalchemy import case, func, literal_column

    return case((func.typeof(total) == "integer", total), else_=func.abs(literal_column("-9223372036854775807 - 1")))


_BIGINT_SUMS = False


def _bigint_sums() -> None:
    """On PostgreSQL every ``SUM`` is cast back to BIGINT (the type of what it adds: scaled figures and
    counts), so a sum past a BIGINT stops there as SQLite's does, not one store exact and the other not
    (a window or FILTER over such a sum would need the cast outside it: the code has none)."""
    global _BIGINT_SUMS
    if _BIGINT_SUMS:
        return
    _BIGINT_SUMS = True
    from sqlalchemy.ext.compiler import compiles
    from sqlalchemy.sql import functions

    @compiles(functions.sum, "postgresql")
    def _sum_as_bigint(element, compiler, **kw):
        return "CAST(%s AS BIGINT)" % compiler.visit_function(element, **kw)


class DriverMissing(RuntimeError):
    """The database URL names a driver that is not installed."""


def _driver_missing(url: str, exc: ImportError) -> DriverMissing:
    scheme = url.split("://", 1)[0]
    if scheme in ("postgresql", "postgresql+psycopg"):
        return DriverMissing("the PostgreSQL driver (psycopg 3) is not installed: pip install 'shopterm[postgres]'")
    module = getattr(exc, "name", None) or str(exc)
    hint = "; or use postgresql:// with pip install 'shopterm[postgres]'" if scheme.startswith("postgresql") else ""
    return DriverMissing(f"the database driver for {scheme}:// is not installed (module {module}){hint}")


def conflict_insert(dialect: str, table):
    """``INSERT`` into ``table`` in the dialect that knows ``ON CONFLICT`` (PostgreSQL; SQLite otherwise),
    for the upserts and insert-if-missing of counters, chain heads and running sums."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents readable by the owner only (0700); existing ones are left."""
    path = Path(path)
    missing = []
    while not path.exists():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
        os.chmod(folder, 0o700)  # mkdir's mode is cut by the umask; the folder is ours, just made


def create_private_file(path: Path) -> bool:
    """Create an empty file readable by the owner only (0600) unless it exists. True when created now.

    A new SQLite database gets its mode from this file, and SQLite gives its ``-wal`` and ``-shm``
    files the database's mode: a copied PIN hash falls to an offline guess, so nobody else may read them.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    os.fchmod(fd, 0o600)
    os.close(fd)
    return True


def sqlite_file(url: str) -> str | None:
    """The file of a sqlite URL (None for other databases and in-memory ones)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.split("sqlite:///", 1)[1].split("?", 1)[0]
    return None if not path or path == ":memory:" or path.startswith("file:") else path


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL that exists (None for ``:memory:`` and ``file:`` URIs)."""
    path = url.split("sqlite:///", 1)[-1].split("?", 1)[0]
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    p = Path(path)
    return p if p.exists() else None


def make_engine(url: str, *, echo: bool = False) -> "Engine":
    from sqlalchemy import create_engine, event

    url = normalise_url(url)
    if is_sqlite(url):
        path = sqlite_file(url)
        if path:
            make_private_dir(Path(path).parent)
            create_private_file(Path(path))
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000, "isolation_level": None},
        )
        _configure_sqlite(engine)
    else:
        try:
            engine = create_engine(url, echo=echo, pool_pre_ping=True)
        except ImportError as exc:
            raise _driver_missing(url, exc) from None
        if engine.dialect.name == "postgresql":
            _bigint_sums()
            # psycopg warns "error ignored terminating <Pipeline>" when a statement of an executemany
            # fails (the error itself is raised and said): to the app's log if it keeps one, never to
            # the terminal through logging's last-resort handler
            import logging

            logging.getLogger("psycopg").addHandler(logging.NullHandler())
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    _savepoints_on_the_driver(engine)
    return engine


def _savepoints_on_the_driver(engine: "Engine") -> None:
    """SAVEPOINT, RELEASE and ROLLBACK TO run on the DB-API connection, as SQLite's BEGIN does: through
    SQLAlchemy's execution path (the clause compiled, its events, a result) each cost ≈ 65 µs of CPU, more
    than the statement, and a list's documents (:meth:`Database.batch`) run two each. A driver error is
    raised as SQLAlchemy raises it."""
    from sqlalchemy import exc as sa_exc

    dialect = engine.dialect
    quote = dialect.identifier_preparer.quote

    def run(conn, sql: str) -> None:
        error = dialect.loaded_dbapi.Error
        try:
            conn.connection.driver_connection.execute(sql).close()
        except error as err:
            raise sa_exc.DBAPIError.instance(sql, (), err, error, dialect=dialect) from err

    dialect.do_savepoint = lambda conn, name: run(conn, f"SAVEPOINT {quote(name)}")
    dialect.do_release_savepoint = lambda conn, name: run(conn, f"RELEASE SAVEPOINT {quote(name)}")
    dialect.do_rollback_to_savepoint = lambda conn, name: run(conn, f"ROLLBACK TO SAVEPOINT {quote(name)}")


def sqlite_pragmas(dbapi_conn) -> None:
    """Set up a new ``sqlite3`` connection: every one the engine opens, and the read commands' own
    (:class:`shopterm.store.sqlrun.LiteDatabase`)."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # the log is copied by Checkpoints in the background; a commit copies it only past this backstop;
    # the limit is above what the backstop lets the log reach, so a restart never cuts it back
    cur.execute(f"PRAGMA wal_autocheckpoint={Checkpoints.BACKSTOP_PAGES}")
    cur.execute(f"PRAGMA journal_size_limit={Checkpoints.LOG_LIMIT_BYTES}")
    cur.close()


def _configure_sqlite(engine: "Engine") -> None:
    import sqlite3

    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        sqlite_pragmas(dbapi_conn)

    # pysqlite's own transaction handling is off (isolation_level=None): we
    # emit BEGIN ourselves so that writers can ask for IMMEDIATE.
    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        # on the DB-API connection (SQLAlchemy's execution path cost more than SQLite's BEGIN itself),
        # a driver error raised as SQLAlchemy raises it
        sql = f"BEGIN {mode}"
        try:
            conn.connection.driver_connection.execute(sql).close()
        except sqlite3.Error as err:
            from sqlalchemy import exc as sa_exc

            raise sa_exc.DBAPIError.instance(sql, (), err, sqlite3.Error, dialect=conn.dialect) from err


class Database:
    """A shop database: the engine plus read and write sessions."""

    def __init__(self, engine: "Engine", url: str | None = None):
        self.engine = engine
        self.url = url or str(engine.url)
        self.sqlite = engine.dialect.name == "sqlite"
        self.postgresql = engine.dialect.name == "postgresql"
        self._writer = engine.execution_options(sqlite_begin="IMMEDIATE") if self.sqlite else engine
        path = sqlite_file(self.url) if self.sqlite else None
        self._checkpoints = Checkpoints(path) if path else None
        self._turns = Turns(path) if path else None
        self._joined = threading.local()  # .batch: the Batch this thread's operations join (see batch())

    @classmethod
    def from_url(cls, url: str) -> "Database":
        url = normalise_url(url)
        return cls(make_engine(url), url)

    @contextmanager
    def read(self) -> Iterator["Session"]:
        """A session for queries. Closing it ends the read transaction and
        detaches the rows it loaded, which keep their values (no expiry)."""
        from sqlmodel import Session

        batch = self._batch()
        if batch is not None:  # inside a list's transaction: it sees the documents before, not yet committed
            with batch.session() as session:
                yield session
            return
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator["Session"]:
        """One transaction: committed if the block finishes, rolled back on any error.

        An error may carry ``after_rollback(db)``: writes that must stay although the operation failed
        (a refused approval's count toward the lockout and its audit row). It runs, in a transaction of
        its own, once this one is rolled back.

        Write transactions run one at a time (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the
        advisory lock :data:`WRITER_LOCK_KEY`); a second writer waits for the first.

        Inside :meth:`batch` (on its thread) the operation is a SAVEPOINT of the batch's transaction
        instead: released if the block finishes, rolled back alone on any error, committed with the
        batch; the same session as here otherwise (its own identity map)."""
        from sqlalchemy import text
        from sqlmodel import Session

        # the running balances the posting keeps (stock_balance of a StockMove written as an ORM object:
        # an event registered when the models are imported, models.py's end)
        importlib.import_module(f"{__package__}.balances")

        batch = self._batch()
        if batch is not None:
            with batch.session() as session:
                try:
                    yield session
                    session.commit()  # RELEASE SAVEPOINT: committed with the batch
                except BaseException as exc:
                    batch.roll_back(session)
                    after = getattr(exc, "after_rollback", None)
                    if after is not None and batch.alive():
                        exc.after_rollback = None
                        session.close()
                        after(self)  # in a savepoint of its own, committed with the batch
                    raise
            return
        with self._waiting(), Session(self._writer, expire_on_commit=False) as session:
            try:
                if self.postgresql:
                    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK_KEY})
                yield session
                session.commit()
                if self._checkpoints is not None:
                    self._checkpoints.committed()
            except BaseException as exc:
                session.rollback()
                after = getattr(exc, "after_rollback", None)
                if after is not None:
                    exc.after_rollback = None  # once, even if an outer transaction sees it again
                    session.close()
                    after(self)
                raise

    def _batch(self) -> "Batch | None":
        return getattr(self._joined, "batch", None)

    def _waiting(self):
        """A write transaction of its own says it waits for (or holds) the writer's lock, so that a list
        posting in groups (:meth:`batch`) lets it in at its next group (:class:`Turns`)."""
        from contextlib import nullcontext

        return self._turns.waiting() if self._turns is not None else nullcontext()

    @contextmanager
    def batch(self) -> Iterator["Batch"]:
        """One write transaction that this thread's operations join, each in a SAVEPOINT of its own
        (:meth:`write`, :meth:`transaction`; :meth:`read` and the Core reads see what they wrote): an
        operation that fails is rolled back alone, the ones before it stay. The transaction is begun by
        the first operation, committed by :meth:`Batch.commit` (then the next operation begins another)
        and at the end of the block — also when the block ends with an error: what the operations
        before it wrote stays, as if each had been its own transaction. Meanwhile the batch holds the
        writer's lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL :data:`WRITER_LOCK_KEY`): other writers
        wait until it commits, so a caller commits every so often (``shopterm post``: every 100 ms)."""
        if self._batch() is not None:
            raise RuntimeError("a batch is already open on this thread")
        with self._writer.connect() as conn:
            batch = Batch(self, conn)
            self._joined.batch = batch
            try:
                yield batch
            except BaseException:
                self._joined.batch = None
                batch.commit()  # the operations that finished stay (the failed one was rolled back alone)
                raise
            finally:
                self._joined.batch = None
            batch.commit()

    @contextmanager
    def connect(self) -> Iterator["Connection"]:
        """A Core connection for queries (no ORM: the reports and the read commands); the read
        transaction ends with the block."""
        batch = self._batch()
        if batch is not None:
            with batch.nested() as conn:
                yield conn
            return
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def reads(self) -> Iterator["Connection"]:
        """A read transaction for named statements (:mod:`shopterm.store.sqlrun`): here a Core
        connection, as :meth:`connect`; a read command's :class:`~shopterm.store.sqlrun.LiteDatabase`
        gives a plain ``sqlite3`` one."""
        with self.connect() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator["Connection"]:
        """One write transaction on a Core connection, as :meth:`write` without the ORM (the sign-in):
        committed if the block finishes, rolled back on any error; one writer at a time (SQLite
        ``BEGIN IMMEDIATE``, PostgreSQL the advisory lock :data:`WRITER_LOCK_KEY`)."""
        from sqlalchemy import text

        batch = self._batch()
        if batch is not None:  # a SAVEPOINT of the batch's transaction, as write()
            with batch.nested() as conn:
                yield conn
            return
        with self._waiting(), self._writer.connect() as conn:
            with conn.begin():
                if self.postgresql:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK_KEY})
                yield conn
        if self._checkpoints is not None:  # committed: counted toward the next WAL checkpoint, as write()
            self._checkpoints.committed()

    @contextmanager
    def setup_lock(self) -> Iterator[None]:
        """Run one-off set-up work that spans several transactions (building the demo shop)
        in one process at a time: the others wait, then find it done. SQLite: an exclusive
        ``flock`` on the database's folder, never on the file itself: closing any descriptor of
        the database file drops every POSIX record lock this process holds on it — SQLite's own
        locks — and another program opening the shop next (a second till, ``shopterm ledger …``)
        then took itself for the last user and deleted the WAL log this process was still
        writing, so every later commit went to a deleted file and was lost at exit. (Two demo
        files in one folder wait for each other's set-up, a second at most.) PostgreSQL: a
        session advisory lock. A no-op elsewhere."""
        path = _sqlite_file(self.url) if self.sqlite else None
        if path is not None:
            try:
                import fcntl
            except ImportError:  # pragma: no cover - not on Linux/macOS
                yield
                return
            fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if self._turns is not None:
                    self._turns.setting_up += 1  # its transactions do not ask for the folder meanwhile
                try:
                    yield
                finally:
                    if self._turns is not None:
                        self._turns.setting_up -= 1
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        elif self.postgresql:
            from sqlalchemy import text

            with self.engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SETUP_LOCK_KEY})
                conn.commit()
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SETUP_LOCK_KEY})
                    conn.commit()
        else:
            yield

    def dispose(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.close()  # after a checkpoint under way: the last connection closed merges the WAL
        if self._turns is not None:
            self._turns.close()
        self.engine.dispose()


class Batch:
    """The transaction of :meth:`Database.batch`: operations join it, each in a SAVEPOINT."""

    def __init__(self, db: Database, conn: "Connection"):
        self.db = db
        self.conn = conn
        self.operations = 0  # operations finished since the transaction began
        self.began = 0.0  # time.monotonic() when it began
        self._tx = None
        self._lost = False

    def _begin(self) -> None:
        import time

        from sqlalchemy import text

        if self._tx is None:
            turns = self.db._turns
            if turns is not None:  # another till waiting for the lock goes first, then this list waits its turn
                turns.let_waiting_in()
                with turns.waiting():
                    self._tx = self.conn.begin()  # SQLite: BEGIN IMMEDIATE (the writer's execution options)
            else:
                self._tx = self.conn.begin()
            self.began = time.monotonic()
            self._lost = False
            if self.db.postgresql:
                self.conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK_KEY})

    @contextmanager
    def session(self) -> Iterator["Session"]:
        """A session of its own on the batch's connection, its transaction a SAVEPOINT."""
        from sqlmodel import Session

        self._begin()
        with Session(bind=self.conn, expire_on_commit=False, join_transaction_mode="create_savepoint") as session:
            yield session

    @contextmanager
    def nested(self) -> Iterator["Connection"]:
        """The batch's Core connection inside a SAVEPOINT (released at the end, rolled back on an error)."""
        self._begin()
        sp = self.conn.begin_nested()
        try:
            yield self.conn
        except BaseException:
            self._rollback_to(sp.rollback)
            raise
        sp.commit()

    def roll_back(self, session: "Session") -> None:
        """An operation failed: back to its SAVEPOINT; the operations before it stay."""
        self._rollback_to(session.rollback)

    def _rollback_to(self, rollback) -> None:
        try:
            rollback()
        except Exception:  # the database ended the whole transaction itself (SQLite: a full disk, an I/O error)
            self._lost = True
            return
        if not self.alive():
            self._lost = True

    def alive(self) -> bool:
        """Whether the transaction still holds what the operations before wrote: SQLite rolls a whole
        transaction back on some errors (a full disk, an I/O error), whatever the savepoints."""
        if self._lost:
            return False
        if self._tx is None:
            return True
        try:
            driver = self.conn.connection.driver_connection
        except Exception:
            return False
        if self.db.sqlite:
            return bool(driver.in_transaction)
        status = getattr(getattr(driver, "info", None), "transaction_status", None)  # psycopg 3
        return status is None or int(status) in (1, 2)  # ACTIVE (a statement running) or INTRANS

    def elapsed(self) -> float:
        """Seconds since the transaction began (0 when none is open)."""
        import time

        return time.monotonic() - self.began if self._tx is not None else 0.0

    def done(self) -> None:
        """One operation finished (counted for the WAL checkpoints when the batch commits)."""
        self.operations += 1

    def roll_back_all(self) -> bool:
        """Roll back what the operations wrote since the transaction began (none of it is committed);
        True: whatever they wrote is gone."""
        if self._tx is None:
            return True
        tx, self._tx, self._lost = self._tx, None, False
        self.operations = 0
        try:
            tx.rollback()
        except Exception:  # the database already ended it
            pass
        return True

    def commit(self) -> bool:
        """Commit what the operations wrote since the transaction began (other writers may go on), or
        roll back if the database already ended it. True when something was committed."""
        if self._tx is None:
            return False
        alive = self.alive()
        tx, self._tx, self._lost = self._tx, None, False
        operations, self.operations = self.operations, 0
        if not alive:
            try:
                tx.rollback()
            except Exception:
                pass
            return False
        tx.commit()
        if self.db._checkpoints is not None:
            self.db._checkpoints.committed(operations)
        return True


class Turns:
    """Another till's turn between a list's groups, on a SQLite file.

    A list (:meth:`Database.batch`) commits every 0.1 s and begins its next group at once; SQLite's
    busy handler of a till waiting for the write lock sleeps and polls (every 100 ms after the first
    ~0.3 s), so it almost never hit the moment between two groups: a till's one invoice waited 5.2 s
    (median) and up to 7.6 s behind a list of 3,000, and past the 10 s busy timeout it is refused.
    So a write transaction of its own (:meth:`waiting`) holds a shared ``flock`` on the database's
    folder (never the file: see :meth:`Database.setup_lock`) while it waits and runs, and a list's group while it waits to begin (one per process, counted over
    its threads); a list, before each group (:meth:`let_waiting_in`), takes the exclusive one: when a
    till (or another list) holds the shared lock, the list waits until that one has begun (a list) or
    is over (a transaction of its own). Two lists take turns group by group. (Databases in one folder
    share the turns: a list may wait for another file's till, one transaction.) SQLite's own locks are POSIX record locks, which
    ``flock`` does not touch. While :meth:`Database.setup_lock` holds the file exclusively (building
    the demo), a transaction goes on without saying it waits (in that process at once, in another
    after a few tries); a list waits for the tills at most ``LET_IN_SECONDS``. The descriptors are of
    the folder: closing them drops no lock of SQLite's."""

    TRIES = 5  # a shared lock refused this many times (1 ms apart: a list looking in) is given up
    LET_IN_SECONDS = 2.0  # a list waits for the tills at most this long before a group (then goes on)

    def __init__(self, path: str):
        self.path = path
        self._lock = threading.Lock()
        self._held = 0  # this process's transactions that hold the shared lock
        self._shared: int | None = None  # the file descriptor of the shared lock
        self._own: int | None = None  # the list's own descriptor (the exclusive lock)
        self.setting_up = 0  # Database.setup_lock holds the file exclusively in this process

    def _fd(self, name: str) -> int | None:
        fd = getattr(self, name)
        if fd is None:
            try:  # the folder, never the database file: closing a descriptor of the file would drop
                # every POSIX record lock this process holds on it, SQLite's own (see setup_lock)
                fd = os.open(os.path.dirname(os.path.abspath(self.path)), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            except OSError:
                return None
            setattr(self, name, fd)
        return fd

    @contextmanager
    def waiting(self) -> Iterator[None]:
        held = self._hold()
        try:
            yield
        finally:
            if held:
                self._release()

    def _hold(self) -> bool:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on Linux/macOS
            return False
        import time

        with self._lock:
            if self._held:
                self._held += 1
                return True
            if self.setting_up:
                return False
            fd = self._fd("_shared")
            if fd is None:
                return False
            for _ in range(self.TRIES):
                try:
                    fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    time.sleep(0.001)
                    continue
                except OSError:
                    return False
                self._held = 1
                return True
            return False

    def _release(self) -> None:
        import fcntl

        with self._lock:
            if self._held == 0:  # closed meanwhile (dispose): nothing held
                return
            self._held -= 1
            if self._held == 0 and self._shared is not None:
                fcntl.flock(self._shared, fcntl.LOCK_UN)

    def let_waiting_in(self) -> None:
        """Before a list's next group: wait while another transaction of its own waits or runs."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on Linux/macOS
            return
        fd = self._fd("_own")
        if fd is None or self.setting_up:
            return
        import time

        give_up = None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # a till waits: its transaction first (never more than LET_IN_SECONDS)
                now = time.monotonic()
                give_up = give_up or now + self.LET_IN_SECONDS
                if now >= give_up:
                    return
                time.sleep(0.001)
                continue
            except OSError:  # pragma: no cover - a file system without flock
                return
            fcntl.flock(fd, fcntl.LOCK_UN)
            return

    def close(self) -> None:
        with self._lock:
            for name in ("_shared", "_own"):
                fd = getattr(self, name)
                if fd is not None:
                    setattr(self, name, None)
                    try:
                        os.close(fd)
                    except OSError:  # pragma: no cover
                        pass
            self._held = 0

    def __del__(self) -> None:  # a Database dropped without dispose(): its descriptors go with it
        try:
            self.close()
        except Exception:  # pragma: no cover - at interpreter exit
            pass


class Checkpoints:
    """SQLite's WAL checkpoints, off the writer's thread.

    In WAL mode the commit that takes the log past ``wal_autocheckpoint`` pages (SQLite's default:
    1,000) copies them into the database file and syncs it, inside that commit: one posting in about
    fifteen took 4–9 ms more for it (a 10-line invoice writes ≈ 47–65 pages), which made the p99 of
    posting. Every :data:`EVERY` write transactions a ``PRAGMA wal_checkpoint(PASSIVE)`` runs instead,
    on a connection of its own in a background thread (SQLite works without Python's lock, so on
    another core): it waits for no reader or writer and none waits for it. The log restarts from its
    beginning at the first write after a checkpoint that copied all of it (a till's next sale); a
    stream of writes with no pause (``shopterm post`` of a list) lets it grow, and the commit that
    takes it past :data:`BACKSTOP_PAGES` copies what is left itself, as SQLite always did. A log
    that grew keeps its size when it restarts (:data:`LOG_LIMIT_BYTES` is above what the backstop
    lets it reach): cutting 40 MB of log back to 8 MiB cost the writer that restarted it 7 ms of CPU
    (the slowest posts of a stream); the file goes when the last connection closes. One worker thread per
    process; the connection is opened read-write only (``mode=rw``: a file that is gone is never
    re-created).
    """

    EVERY = 20
    BACKSTOP_PAGES = 10_000  # ≈ 40 MB of log at 4 KiB pages
    LOG_LIMIT_BYTES = 48 * 1024 * 1024  # above the backstop's ≈ 41 MB: a restart never truncates on a writer
    _queue = None
    _lock = threading.Lock()

    def __init__(self, path: str):
        self.path = path
        self.count = 0
        self.busy = threading.Lock()  # held while a checkpoint of this file runs
        self.closed = False

    def committed(self, operations: int = 1) -> None:
        """A transaction committed; ``operations``: how many write transactions it stands for (a
        :class:`Batch`'s commit counts each operation it held: the log grew by as much)."""
        self.closed = False  # a database written to again after dispose() (its engine reconnects)
        before, self.count = self.count, self.count + max(operations, 1)
        if self.count // self.EVERY != before // self.EVERY:
            self._submit(self)

    def run(self) -> None:
        import sqlite3
        from urllib.parse import quote

        with self.busy:
            if self.closed:
                return
            try:
                con = sqlite3.connect(f"file:{quote(str(Path(self.path).absolute()))}?mode=rw", uri=True,
                                      timeout=1.0, check_same_thread=False)  # dispose() may be waiting
                try:
                    con.execute("PRAGMA wal_checkpoint(PASSIVE)")
                finally:
                    con.close()
            except sqlite3.Error:
                pass  # the next one, or SQLite's automatic checkpoint, copies the log

    def close(self) -> None:
        """No more checkpoints of this file until it is written to again; returns once one under way has
        finished."""
        self.closed = True
        with self.busy:
            pass

    @classmethod
    def _submit(cls, job: "Checkpoints") -> None:
        import queue

        if cls._queue is None:
            with cls._lock:
                if cls._queue is None:
                    q: "queue.SimpleQueue[Checkpoints]" = queue.SimpleQueue()
                    threading.Thread(target=cls._work, args=(q,), name="shopterm-checkpoints", daemon=True).start()
                    cls._queue = q
        cls._queue.put(job)

    @staticmethod
    def _work(q) -> None:
        while True:
            job = q.get()
            try:
                job.run()
            except Exception:  # pragma: no cover - a checkpoint is an optimisation, never an error
                pass


class Prepared:
    """A Core statement compiled once per dialect and run on the transaction's own DB-API cursor.

    The hot paths (a posting runs some forty statements) spend most of their time in SQLAlchemy's
    execution machinery, not in the database: binding, the execution context, events, the result.
    ``Prepared`` keeps, per dialect (and per set of INSERT columns, per IN-list length), the compiled
    SQL text, the order of its parameters, each parameter's bind processor (the scaled types, dates,
    JSON) and the Python-side column defaults of an INSERT, and runs it with ``cursor.execute`` /
    ``executemany`` on the connection of the caller's transaction — the same SQL SQLAlchemy would
    send, on SQLite and PostgreSQL (psycopg) alike. Rows come back as tuples through the columns'
    result processors (Decimal from scaled integers, dates). A driver error is raised as SQLAlchemy
    would raise it (``sqlalchemy.exc.DBAPIError`` and its subclasses); a NUL in a text value is refused
    as :func:`_refuse_nul` refuses it. No ORM objects: given a Session, a SELECT first flushes its
    pending changes (as its autoflush would); other statements run on its connection as they are.
    """

    __slots__ = ("stmt", "_forms", "_is_insert", "_is_select", "_row")

    def __init__(self, stmt):
        # as a Core statement: columns named through the models (``Price.item_id``) carry the ORM's
        # annotations, which make compiling it go through the ORM (configuring every mapper first: 50-60 ms
        # of ``shopterm post``'s first document, which otherwise loads no ORM object); the SQL is the same
        self.stmt = stmt = _core_statement(stmt)
        self._forms: dict = {}
        self._is_insert = getattr(stmt, "is_insert", False)
        self._is_select = getattr(stmt, "is_select", False)
        self._row = None

    def _form(self, dialect, params: dict | None) -> "_Form":
        keys = tuple(params) if self._is_insert and params is not None else None
        # the dialect's class, parameter style and server version decide the SQL text (psycopg and
        # psycopg2 are both "postgresql" but write parameters differently)
        memo = (type(dialect), dialect.paramstyle, dialect.server_version_info, keys)
        form = self._forms.get(memo)
        if form is None:
            form = self._forms[memo] = _Form(self.stmt, dialect, keys)
        return form

    def _run(self, conn, params, many: bool):
        if _is_orm_session(conn):
            if self._is_select and conn.autoflush:  # a read sees the session's pending changes, as session.execute
                conn.flush()
            # the session's Connection and its DB-API connection, looked up once per transaction (a posting
            # runs some forty statements: Session.connection() costs more than a short statement itself)
            tx = conn.get_transaction()
            held = conn.info.get(_HELD)
            if held is None or held[0] is not tx or tx is None:
                sa_conn = conn.connection()
                held = conn.info[_HELD] = (conn.get_transaction(), sa_conn, sa_conn.connection.driver_connection)
            sa_conn, driver = held[1], held[2]
        else:
            sa_conn = conn
            driver = None
        dialect = sa_conn.dialect
        rows = params if many else [params or {}]
        if not rows:
            return None
        if many and self._is_insert and len(rows) > 1:
            first = rows[0].keys()
            if any(r.keys() != first for r in rows):  # rows naming other columns: one executemany per set
                groups: dict = {}
                for r in rows:
                    groups.setdefault(tuple(r), []).append(r)
                for group in groups.values():
                    self._run(conn, group, True)
                return None
        form = self._form(dialect, rows[0])
        sql, bound = form.bind(rows)
        if sql is None:  # an empty IN list: SQLAlchemy renders it its own way
            result = sa_conn.execute(self.stmt, params)
            return result.all() if result.returns_rows else None
        cursor = (driver or sa_conn.connection.driver_connection).cursor()
        try:
            return form.rows(cursor) if cursor_run(cursor, sql, bound, many) else None
        except dialect.loaded_dbapi.Error as err:
            from sqlalchemy import exc as sa_exc

            raise sa_exc.DBAPIError.instance(sql, bound, err, dialect.loaded_dbapi.Error,
                                             dialect=dialect) from err
        finally:
            cursor.close()

    def execute(self, conn, params: dict | None = None) -> None:
        """Run with one set of parameters (``conn``: the Session or Connection of the transaction)."""
        self._run(conn, params, False)

    def executemany(self, conn, rows: list[dict]) -> None:
        """Run once per row, in one ``executemany``; rows of an INSERT name the same columns."""
        self._run(conn, rows, True)

    def all(self, conn, params: dict | None = None) -> list[tuple]:
        return self._run(conn, params, False) or []

    def first(self, conn, params: dict | None = None) -> tuple | None:
        rows = self._run(conn, params, False)
        return rows[0] if rows else None

    def scalar(self, conn, params: dict | None = None):
        """The first column of the first row, or None."""
        rows = self._run(conn, params, False)
        return rows[0][0] if rows else None

    def named(self, conn, params: dict | None = None) -> list[tuple]:
        """The rows as named tuples (``row.item_id``), named after the statement's columns."""
        if self._row is None:
            from collections import namedtuple

            self._row = namedtuple("Row", [c.key for c in self.stmt.selected_columns], rename=True)
        return [self._row._make(r) for r in self._run(conn, params, False) or ()]

    def first_named(self, conn, params: dict | None = None):
        """The first row as a named tuple, or None."""
        rows = self.named(conn, params)
        return rows[0] if rows else None

    def scalars(self, conn, params: dict | None = None) -> list:
        return [r[0] for r in self._run(conn, params, False) or ()]


def _core_statement(stmt):
    """``stmt`` without the ORM's annotations (the same SQL, compiled as Core)."""
    try:
        from sqlalchemy.sql.annotation import _deep_deannotate
    except ImportError:  # pragma: no cover - another SQLAlchemy: compiled as it is
        return stmt
    return _deep_deannotate(stmt)


def _row_reader(procs: list):
    """``raw row -> tuple`` through the columns' result processors, written out (``tuple`` when none)."""
    if not any(procs):
        return tuple
    env = {f"p{i}": p for i, p in enumerate(procs) if p}
    values = "".join(f"p{i}(r[{i}]), " if p else f"r[{i}], " for i, p in enumerate(procs))
    exec(f"def read(r):\n    return ({values})\n", env)
    return env["read"]


def cursor_run(cursor, sql: str, bound: list, many: bool) -> bool:
    """Run ``sql`` on a DB-API cursor, once per row of ``bound`` (``many``) or with its first: whether it
    returns rows (Prepared, and the read commands' sqlite3 path)."""
    if many:
        cursor.executemany(sql, bound)
    else:
        cursor.execute(sql, bound[0])
    return cursor.description is not None


_HELD = "shopterm.prepared"  # Session.info key: (its transaction, its Connection, the DB-API connection)


def _is_orm_session(conn) -> bool:
    """An ORM Session (else a Core Connection)? Without importing the ORM: a process that never loaded
    it (a read command) has no Session to give."""
    orm = sys.modules.get("sqlalchemy.orm.session")
    return orm is not None and isinstance(conn, orm.Session)


class _Form:
    """One compiled form of a :class:`Prepared` statement (a dialect, the INSERT's columns)."""

    __slots__ = ("dialect", "sql", "positional", "names", "slots", "order", "expanding", "by_lengths", "defaults",
                 "result_types", "result_processors", "reader", "bind_rows")

    def __init__(self, stmt, dialect, keys):
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys) if keys is not None else None)
        self.dialect = dialect
        self.sql = compiled.string
        self.positional = compiled.positional
        escaped = compiled.escaped_bind_names or {}
        names = list(compiled.positiontup) if compiled.positional else list(dict.fromkeys(compiled.bind_names.values()))
        self.names = names
        fixed = compiled.construct_params(_check=False)  # values the statement carries itself
        # per bind name: (the caller's key, a value of its own, the processor, expanding?)
        self.slots = {}
        for name in dict.fromkeys(names):
            bp = compiled.binds[name]
            proc = bp.type._cached_bind_processor(dialect)
            self.slots[name] = (bp.key, fixed.get(name), bp.value is not None or bp.callable is not None,
                                proc, bp.expanding, escaped.get(name, name))
        # the values in the order the driver takes them: (name sent, the caller's key, own value, has own?,
        # processor, expanding?, the column named in an error, the largest integer it holds or None)
        self.order = [(self.slots[n][5], *self.slots[n][:5], re.sub(r"_\d+$", "", n), _int_limit(compiled.binds[n].type))
                      for n in (names if compiled.positional else self.slots)]
        self.expanding = [n for n, s in self.slots.items() if s[4]]
        self.by_lengths: dict = {}
        # INSERT columns not given whose default is computed in Python (SQLAlchemy's insert_prefetch)
        self.defaults = [(c.key, c.default) for c in getattr(compiled, "insert_prefetch", ())]
        if any(bp.literal_execute and not bp.expanding for bp in compiled.binds.values()):
            raise NotImplementedError(f"Prepared: a literal-execute parameter in {self.sql!r}")
        self.result_types = [entry[3] for entry in compiled._result_columns]  # as SQLAlchemy's result reads them
        self.result_processors = None
        self.reader = None  # a row's values through the result processors (made at the first result)
        # the rows' values in one generated function (no IN list): the loop of bind() written out
        kinds = [compiled.binds[n].type for n in (names if compiled.positional else self.slots)]
        self.bind_rows = None if self.expanding else self._rows_binder(kinds)

    def _rows_binder(self, kinds: list):
        """A function ``rows -> the driver's values``, written out for this form's parameters: each value
        taken (its default, its own value), processed and checked (NUL, integer range) as :meth:`bind` does,
        without the per-value loop over :attr:`order` (a posting binds ≈ 460 values). A processed value that
        is the same object as the row before's (the document's date, the posting's time, a zero) is not
        processed again; an empty JSON object takes its processed form made once."""
        from sqlalchemy.types import JSON

        env = {"UnstorableText": UnstorableText, "FigureTooLarge": FigureTooLarge, "str": str, "int": int,
               "dict": dict, "NO": object()}
        defaults = dict(self.defaults)
        start, body, names = [], [], []
        for i, ((sent, key, own, has_own, proc, _expanding, column, limit), kind) in enumerate(zip(self.order, kinds)):
            v = f"v{i}"
            env[f"k{i}"], env[f"c{i}"] = key, column
            if key in defaults:
                default = defaults[key]
                env[f"d{i}"] = default.arg
                take = f"d{i}" if default.is_scalar else f"d{i}(None)"
                body.append(f"        {v} = row[k{i}] if k{i} in row else {take}")
            elif has_own:
                env[f"o{i}"] = own
                body.append(f"        {v} = row.get(k{i}, o{i})")
            else:
                body.append(f"        {v} = row[k{i}]")
            check = storable_check(v, f"c{i}", str(limit) if limit else None)
            if proc is None:
                body.extend(f"        {line}" for line in check)
            else:
                env[f"p{i}"] = proc
                start.append(f"    i{i} = NO")  # the last value processed (i) and what it gave (r)
                body.append(f"        if {v} is i{i}:")
                body.append(f"            {v} = r{i}")
                body.append(f"        else:")
                body.append(f"            i{i} = {v}")
                if isinstance(getattr(kind, "impl_instance", kind), JSON):
                    env[f"e{i}"] = proc({})
                    body.append(f"            {v} = e{i} if {v}.__class__ is dict and not {v} else p{i}({v})")
                else:
                    body.append(f"            {v} = p{i}({v})")
                body.extend(f"            {line}" for line in check)
                body.append(f"            r{i} = {v}")
            names.append((sent, v))
        if self.positional:
            out = "(" + "".join(f"{v}, " for _s, v in names) + ")"
        else:
            out = "{" + ", ".join(f"{sent!r}: {v}" for sent, v in names) + "}"
        src = ("def bind_rows(rows):\n" + "".join(f"{line}\n" for line in start) + "    out = []\n"
               "    for row in rows:\n" + "".join(f"{line}\n" for line in body) + f"        out.append({out})\n"
               "    return out\n")
        exec(compile(src, f"<Prepared bind of {self.sql[:40]!r}>", "exec"), env)
        return env["bind_rows"]

    def _expanded(self, lengths: tuple[int, ...]):
        got = self.by_lengths.get(lengths)
        if got is not None:
            return got
        sql, names = self.sql, self.names
        for name, n in zip(self.expanding, lengths):
            token = f"__[POSTCOMPILE_{name}]"
            if self.positional:
                marks = ", ".join(["?"] * n) if self.dialect.paramstyle == "qmark" else ", ".join(["%s"] * n)
            else:
                marks = ", ".join(f"%({name}_{i})s" for i in range(1, n + 1))
            sql = sql.replace(token, marks)
        got = self.by_lengths[lengths] = (sql, names)
        return got

    def bind(self, rows: list[dict]) -> tuple[str | None, list]:
        bind_rows = self.bind_rows
        if bind_rows is not None:
            return self.sql, bind_rows(rows)
        sql = self.sql
        if self.expanding:
            lengths = []
            for n in self.expanding:
                key, own, has_own = self.slots[n][:3]
                lengths.append(len(rows[0][key] if key in rows[0] or not has_own else own))
            if 0 in lengths:
                return None, []
            sql, _ = self._expanded(tuple(lengths))
        out: list = []
        order, defaults, positional = self.order, self.defaults, self.positional
        for row in rows:
            if defaults:
                row = dict(row)
                for key, default in defaults:
                    if key not in row:
                        row[key] = default.arg if default.is_scalar else default.arg(None)
            values = [] if positional else {}
            for sent, key, own, has_own, proc, expanding, column, limit in order:
                value = row[key] if not has_own or key in row else own
                if expanding:
                    items = [proc(v) for v in value] if proc is not None else list(value)
                    for v in items:
                        refuse_unstorable(v, column, None)
                    if positional:
                        values.extend(items)
                    else:
                        values.update((f"{sent}_{i}", v) for i, v in enumerate(items, start=1))
                    continue
                if proc is not None:
                    value = proc(value)
                refuse_unstorable(value, column, limit)  # as _refuse_nul: no NUL, no figure past its column
                if positional:
                    values.append(value)
                else:
                    values[sent] = value
            out.append(tuple(values) if positional else values)
        return sql, out

    def rows(self, cursor) -> list[tuple]:
        reader = self.reader
        if reader is None:
            procs = self.result_processors = self._result_processors(cursor.description)
            reader = self.reader = _row_reader(procs)
        raw = cursor.fetchall()
        if reader is tuple and raw and raw[0].__class__ is tuple:
            return raw  # nothing to convert: the driver's own tuples
        return [reader(r) for r in raw]

    def _result_processors(self, description) -> list:
        types = self.result_types
        return [t._cached_result_processor(self.dialect, d[1]) if i < len(types) else None
                for i, (t, d) in enumerate(zip(types + [None] * (len(description) - len(types)), description))]
