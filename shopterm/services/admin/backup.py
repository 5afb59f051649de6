"""Backup and restore of a SQLite shop database, and verifying a copy (``shopterm db backup|restore``).

A backup is a consistent copy of the live database taken with SQLite's online
backup API in one step: it reads one snapshot (WAL lets the tills keep posting
meanwhile) and writes it to ``FILE.partial``, which becomes ``FILE`` only once
``PRAGMA integrity_check`` says ``ok`` and both hash chains verify
(:mod:`.chain`). A restore checks the backup the same way and copies it into a
new file; neither ever overwrites an existing file. Files are created 0600.

PostgreSQL databases are backed up with ``pg_dump`` and restored with
``pg_restore`` (:data:`PG_HINT`).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from shopterm.core.i18n import N_, _
from ...store.db import BUSY_TIMEOUT_MS, create_private_file, make_private_dir, sqlite_file
from . import chain
from ..errors import ShopError, ValidationError

PG_HINT = N_("this is a PostgreSQL database: back it up with pg_dump (pg_dump -Fc -f shop.dump DATABASE_URL) "
           "and restore it with pg_restore into a new database (createdb NEW; pg_restore -d NEW shop.dump)")


class BackupFailed(ShopError):
    code = "backup_failed"


@dataclass(frozen=True, slots=True)
class CopyReport:
    path: Path
    size: int
    audit_rows: int
    vouchers: int


def _source(url: str) -> Path:
    if not url.startswith("sqlite"):
        raise ValidationError(PG_HINT, field="db")
    path = sqlite_file(url)
    if path is None:
        raise ValidationError("only a database in a file can be backed up", field="db")
    if not os.path.exists(path):
        raise ValidationError("no shop database at {path}", field="db", params={"path": path})
    return Path(path)


def _new_file(target: str | os.PathLike, what: str) -> Path:
    path = Path(target).expanduser().absolute()
    if path.exists():
        raise ValidationError("{path} already exists: {what} only into a new file", field="file",
            params={"path": path, "what": _(what)})
    for extra in ("-wal", "-shm", ".partial"):
        if Path(f"{path}{extra}").exists():
            raise ValidationError("{path}{extra} already exists: move it away first", field="file",
                params={"path": path, "extra": extra})
    return path


def _copy(src: Path, dest: Path) -> None:
    """SQLite's online backup of ``src`` into ``dest`` (created 0600), in one step: one consistent snapshot."""
    make_private_dir(dest.parent)
    partial = Path(f"{dest}.partial")
    create_private_file(partial)
    try:
        source = sqlite3.connect(src, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            target = sqlite3.connect(partial)
            try:
                source.backup(target)  # pages=-1: the whole database from one read snapshot
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                target.close()
        finally:
            source.close()
        check_file(partial)
        os.replace(partial, dest)
    except BaseException:
        for leftover in (partial, Path(f"{partial}-journal"), Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
        raise


def check_file(path: Path) -> CopyReport:
    """``PRAGMA integrity_check`` and both hash chains on a database file (it only reads)."""
    try:
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            result = [row[0] for row in con.execute("PRAGMA integrity_check").fetchall()]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupFailed(N_("{path} is not a usable database: {exc}"), field="file", params={"path": path, "exc": exc}) from None
    if result != ["ok"]:
        raise BackupFailed(N_("{path} fails the integrity check: {problems}"), field="file",
                           params={"path": path, "problems": "; ".join(result[:3])})
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    try:
        with Session(engine) as session:
            reports = chain.verify(session)
    finally:
        engine.dispose()
    for report in reports:
        if not report.ok:
            raise BackupFailed(N_("{path}: {problem}"), field="file", params={"path": path, "problem": report.problem})
    return CopyReport(path, path.stat().st_size, reports[0].rows, reports[1].rows)


def backup(url: str, target: str | os.PathLike) -> CopyReport:
    """Copy the live database at ``url`` into the new file ``target`` and verify the copy."""
    src = _source(url)
    dest = _new_file(target, N_("a backup goes"))
    _copy(src, dest)
    return check_file(dest)


def restore(backup_file: str | os.PathLike, url: str) -> CopyReport:
    """Check ``backup_file`` and copy it into the database file of ``url``, which must not exist yet."""
    if not url.startswith("sqlite"):
        raise ValidationError(PG_HINT, field="db")
    source = Path(backup_file).expanduser().absolute()
    if not source.exists():
        raise ValidationError("no backup at {source}", field="file", params={"source": source})
    target = sqlite_file(url)
    if target is None:
        raise ValidationError("restore needs a database file (--db FILE)", field="db")
    dest = _new_file(target, N_("a restore goes"))
    check_file(source)
    _copy(source, dest)
    return check_file(dest)
