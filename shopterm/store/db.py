"""Engine and session factory.

Nothing connects at import time: :func:`make_engine` builds an engine from a
URL, and :class:`Database` hands out sessions. SQLite is opened with WAL,
foreign keys on, ``synchronous=NORMAL`` and a busy timeout; write transactions
start with ``BEGIN IMMEDIATE`` so two tills never deadlock on a read→write
upgrade (DESIGN §14). Any other URL (PostgreSQL) is used as SQLAlchemy gives it.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

BUSY_TIMEOUT_MS = 10_000


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
    """Accept a URL or a plain file path."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().absolute()}"


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


def make_engine(url: str, *, echo: bool = False) -> Engine:
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
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    # pysqlite's own transaction handling is off (isolation_level=None): we
    # emit BEGIN ourselves so that writers can ask for IMMEDIATE.
    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """A shop database: the engine plus read and write sessions."""

    def __init__(self, engine: Engine, url: str | None = None):
        self.engine = engine
        self.url = url or str(engine.url)
        self.sqlite = engine.dialect.name == "sqlite"
        self._writer = engine.execution_options(sqlite_begin="IMMEDIATE") if self.sqlite else engine

    @classmethod
    def from_url(cls, url: str) -> "Database":
        url = normalise_url(url)
        return cls(make_engine(url), url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries. Closing it ends the read transaction and
        detaches the rows it loaded, which keep their values (no expiry)."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed if the block finishes, rolled back on any error.

        An error may carry ``after_rollback(db)``: writes that must stay although the operation failed
        (a refused approval's count toward the lockout and its audit row). It runs, in a transaction of
        its own, once this one is rolled back."""
        with Session(self._writer, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException as exc:
                session.rollback()
                after = getattr(exc, "after_rollback", None)
                if after is not None:
                    exc.after_rollback = None  # once, even if an outer transaction sees it again
                    session.close()
                    after(self)
                raise

    def dispose(self) -> None:
        self.engine.dispose()
