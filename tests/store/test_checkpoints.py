"""SQLite's WAL checkpoints run off the writer's thread (store.db.Checkpoints).

The commit that takes the log past SQLite's automatic checkpoint (1,000 pages) used to copy the
pages into the database file itself, inside the posting: that was the p99 of posting an invoice.
Every ``Checkpoints.EVERY`` write transactions, a background thread copies the log instead.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

from shopterm.store.db import Checkpoints, Database

from ..backend import sqlite_only


def _rows_in_the_file_alone(db_file: Path, copy: Path) -> int:
    """The rows of ``t`` the database file holds without its WAL (what a checkpoint has copied)."""
    shutil.copyfile(db_file, copy)
    con = sqlite3.connect(copy)
    try:
        return con.execute("SELECT count(*) FROM t").fetchone()[0]
    except sqlite3.OperationalError:  # the table itself is still only in the WAL
        return 0
    finally:
        con.close()


def _wait_for_rows(db_file: Path, copy: Path, want: int, timeout: float = 20.0) -> int:
    deadline = time.monotonic() + timeout
    got = _rows_in_the_file_alone(db_file, copy)
    while got < want and time.monotonic() < deadline:
        time.sleep(0.01)  # a background thread's work: wait for the state, bounded
        got = _rows_in_the_file_alone(db_file, copy)
    return got


@sqlite_only("WAL checkpoints are SQLite's")
def test_the_log_is_copied_into_the_database_file_in_the_background(tmp_path):
    db_file = tmp_path / "shop.db"
    db = Database.from_url(f"sqlite:///{db_file}")
    try:
        with db.write() as s:
            s.connection().exec_driver_sql("CREATE TABLE t (x INTEGER)")
        for i in range(Checkpoints.EVERY - 2):
            with db.write() as s:
                s.connection().exec_driver_sql("INSERT INTO t (x) VALUES (?)", (i,))
        # EVERY - 1 write transactions: far below SQLite's own threshold, nothing copied yet
        assert _rows_in_the_file_alone(db_file, tmp_path / "copy0.db") == 0
        with db.write() as s:  # the EVERY-th write transaction: a background checkpoint
            s.connection().exec_driver_sql("INSERT INTO t (x) VALUES (99)")
        assert _wait_for_rows(db_file, tmp_path / "copy1.db", Checkpoints.EVERY - 1) == Checkpoints.EVERY - 1
        with db.read() as s:  # the readers see every row, as before
            assert s.connection().exec_driver_sql("SELECT count(*) FROM t").scalar() == Checkpoints.EVERY - 1
            # a commit copies the log itself only past the backstop
            assert s.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == Checkpoints.BACKSTOP_PAGES
    finally:
        db.dispose()
    # the last connection closed: the file holds everything, the log is gone
    assert _rows_in_the_file_alone(db_file, tmp_path / "copy2.db") == Checkpoints.EVERY - 1
    assert not Path(f"{db_file}-wal").exists()


@sqlite_only("WAL checkpoints are SQLite's")
def test_a_checkpoint_never_recreates_a_database_file_that_is_gone(tmp_path):
    db_file = tmp_path / "gone.db"
    job = Checkpoints(str(db_file))
    job.run()  # mode=rw: no file is created, no error escapes
    assert not db_file.exists()
    job.close()  # dispose(): returns at once when none is under way
