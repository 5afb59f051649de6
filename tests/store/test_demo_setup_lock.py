"""The demo's set-up lock must not drop SQLite's own locks (DESIGN §1: all or nothing, nothing lost)."""

from __future__ import annotations

import subprocess
import sys

from tests import backend

READ = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchone()[0]); c.close()"


def _other_process_reads(path: str, query: str) -> str:
    """What another program (a second till, a read command) sees, opening the file and closing it."""
    return subprocess.run([sys.executable, "-c", READ, path, query], capture_output=True, text=True,
                          check=True).stdout.strip()


@backend.sqlite_only("SQLite's POSIX locks on the shop's file")
def test_what_the_demo_posts_after_another_program_read_the_file_is_kept(tmp_path):
    """Touring the demo, a sales return and a refund said 'posted' and were gone after the app quit.
    ensure_demo's lock opened and closed the database file itself, which drops every POSIX lock the
    process holds on it (SQLite's); the next program to open and close the file took itself for the
    last user and deleted the WAL log the app still wrote to. The lock is now taken on the folder."""
    from sqlalchemy import text

    from shopterm.services import Services
    from shopterm.services.admin.demo import ensure_demo

    path = str(tmp_path / "demo.db")
    services = Services.open(f"sqlite:///{path}")
    try:
        assert ensure_demo(services)
        query = "SELECT phone FROM location WHERE code = 'AXP'"
        with services.db.write() as session:
            session.execute(text("UPDATE location SET phone = '+243 1' WHERE code = 'AXP'"))
        assert _other_process_reads(path, query) == "+243 1"
        with services.db.write() as session:  # after the other program closed the file
            session.execute(text("UPDATE location SET phone = '+243 2' WHERE code = 'AXP'"))
        assert _other_process_reads(path, query) == "+243 2"  # it read '+243 1': the commit was in a deleted log
        assert not ensure_demo(services)  # the lock still serialises the set-up (already built: nothing to do)
    finally:
        services.db.dispose()
    assert _other_process_reads(path, query) == "+243 2"
