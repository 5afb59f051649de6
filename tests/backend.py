"""The database the store and CLI tests run on: SQLite files (the default) or PostgreSQL.

``SHOPTERM_TEST_DB=postgresql://USER[:PASSWORD]@HOST/DBNAME`` (or pytest's
``--test-db URL``) points the tests at a PostgreSQL server: every test then gets
its own database, cloned from a per-worker template with
``CREATE DATABASE … TEMPLATE …`` (as cheap as the SQLite tests' file copy) and
dropped when the test ends. The URL's own database is only used to create and
drop the others. ``.ci/run`` starts a throwaway cluster and runs ``tests/store``
and ``tests/cli`` a second time this way.

Helpers (both backends):

- :func:`new_url` — the URL of a new, empty database (SQLite: a file under the
  test's folder that does not exist yet; PostgreSQL: a new database).
- :func:`make_template` — build a database once (a file, or a template database)
  with a function that fills it; :func:`clone` — the URL of a fresh copy of it.
- :func:`db_arg` — what a CLI test passes as ``--db`` for a URL (a file path for
  SQLite, as a person would type it; the URL itself otherwise).
- :data:`PG` — true on PostgreSQL; :func:`sqlite_only` — a skip mark with a reason.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from pathlib import Path
from typing import Callable

import pytest

TEST_DB = os.environ.get("SHOPTERM_TEST_DB", "").strip()
PG = TEST_DB.startswith(("postgresql", "postgres:"))
BACKEND = "postgresql" if PG else "sqlite"

_RUN = uuid.uuid4().hex[:8]
_counter = itertools.count(1)
_created: list[str] = []  # databases made for the running test (dropped at its end)
_templates: dict[str, str] = {}  # key -> URL (SQLite file URL or template database URL)


def sqlite_only(reason: str):
    """Skip a test on PostgreSQL, saying why it only makes sense on SQLite."""
    return pytest.mark.skipif(PG, reason=f"SQLite only: {reason}")


def set_test_db(url: str) -> None:
    """Used by the ``--test-db`` option (tests/conftest.py) before any test module is imported."""
    global TEST_DB, PG, BACKEND
    TEST_DB, PG = url.strip(), True
    BACKEND = "postgresql"


# ---------------------------------------------------------------- PostgreSQL plumbing


def _server_url():
    from sqlalchemy.engine import make_url

    from shopterm.store.db import normalise_url

    return make_url(normalise_url(TEST_DB))


def _admin():
    """An autocommit psycopg connection to the URL's own database (CREATE/DROP DATABASE)."""
    import psycopg

    url = _server_url()
    kwargs = {k: v for k, v in url.query.items()}
    if url.host:
        kwargs["host"] = url.host
    if url.port:
        kwargs["port"] = url.port
    if url.username:
        kwargs["user"] = url.username
    if url.password:
        kwargs["password"] = url.password
    return psycopg.connect(dbname=url.database or "postgres", autocommit=True, **kwargs)


def _name(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).database


def _db_url(name: str) -> str:
    return _server_url().set(database=name).render_as_string(hide_password=False)


def _new_name(kind: str) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"st_{_RUN}_{worker}_{kind}_{next(_counter)}"


def _create(name: str, template: str | None = None) -> None:
    with _admin() as conn:
        if template:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            conn.execute(f'CREATE DATABASE "{name}"')


def _drop(names: list[str]) -> None:
    if not names:
        return
    with _admin() as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_test_databases() -> None:
    """Drop the databases made during the test that just ended (called by tests/conftest.py)."""
    names, _created[:] = list(_created), []
    _drop(names)


def release(url: str) -> None:
    """Drop a database made by :func:`new_url`/:func:`clone` now, not at the test's end (on
    PostgreSQL; a SQLite file stays in the test's folder)."""
    if PG:
        name = _name(url)
        if name in _created:
            _created.remove(name)
            _drop([name])


def drop_templates() -> None:
    names = [_name(u) for u in _templates.values()] if PG else []
    _templates.clear()
    _drop(names)


# ---------------------------------------------------------------- the helpers


def new_url(tmp_path: Path, name: str = "shop.db") -> str:
    """The URL of a new, empty database (not created yet on SQLite; created, empty, on PostgreSQL)."""
    if not PG:
        return f"sqlite:///{tmp_path / name}"
    db = _new_name("new")
    _create(db)
    _created.append(db)
    return _db_url(db)


def make_template(key: str, tmp_path_factory, build: Callable[[str], None]) -> str:
    """Build a database once per worker with ``build(url)`` (which must close its connections);
    returns its URL, to be given to :func:`clone`."""
    if key in _templates:
        return _templates[key]
    if PG:
        db = _new_name(f"tpl_{key}")
        _create(db)
        url = _db_url(db)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp(key) / 'shop.db'}"
    build(url)
    if not PG:
        from sqlalchemy import create_engine

        engine = create_engine(url)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
    _templates[key] = url
    return url


def clone(template_url: str, target_dir: Path, name: str = "shop.db") -> str:
    """The URL of a fresh copy of a template made by :func:`make_template`."""
    if not PG:
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / name
        shutil.copyfile(template_url.split("sqlite:///", 1)[1], target)
        return f"sqlite:///{target}"
    db = _new_name("t")
    _create(db, template=_name(template_url))
    _created.append(db)
    return _db_url(db)


def db_arg(url: str) -> str:
    """What a person passes as ``--db``: the file path of a SQLite URL, else the URL."""
    return url.split("sqlite:///", 1)[1] if url.startswith("sqlite:///") else url


def shown(db: str) -> str:
    """How shopterm prints the database given as ``--db db`` (a file path; a URL without password)."""
    from shopterm.store.db import display_url, normalise_url

    return display_url(normalise_url(db))


def sqlite_path(url: str) -> Path:
    return Path(url.split("sqlite:///", 1)[1])
