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

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Engine

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
def _quick_head() -> str | None:
    """The single head read from the scripts' text; None when that is not plain (then Alembic decides)."""
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
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def head_revision() -> str:
    head = _quick_head()
    if head is not None:
        return head
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: "Engine") -> str | None:
    from sqlalchemy import exc, text

    with engine.connect() as conn:
        try:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except exc.DBAPIError:  # no such table: an empty database
            conn.rollback()
            return None
        finally:
            conn.rollback()  # end the read transaction (SQLite: release the WAL snapshot)
    if len(rows) == 1:
        return rows[0]
    if not rows:
        return None
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: "Engine", revision: str = "head") -> None:
    """Bring the schema to ``revision`` (no-op when already there).

    Several processes opening a new database at once queue for the migration instead of
    failing ("database is locked" on SQLite's read→write upgrade, a duplicate catalogue row
    on PostgreSQL): SQLite's migration transaction begins ``IMMEDIATE`` (within the busy
    timeout), PostgreSQL's runs under an advisory lock; the one that goes second finds the
    schema current and does nothing."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    from alembic import command

    if engine.dialect.name == "sqlite":
        engine = engine.execution_options(sqlite_begin="IMMEDIATE")
    if engine.dialect.name != "postgresql":
        command.upgrade(alembic_config(engine), revision)
        return
    from sqlalchemy import text

    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATE_LOCK_KEY})
        conn.commit()
        try:
            command.upgrade(alembic_config(engine), revision)
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATE_LOCK_KEY})
            conn.commit()
