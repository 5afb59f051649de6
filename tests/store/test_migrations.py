"""Alembic migrations give exactly the models' schema; upgrading twice is a no-op."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from shopterm.store import models  # noqa: F401  (registers the tables)
from shopterm.store.db import make_engine
from shopterm.store.migrate import current_revision, head_revision, upgrade
from tests import backend


def _schema(engine) -> dict:
    insp = inspect(engine)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)],
            sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(table)),
            sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(table)),
            sorted((tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys(table)),
        )
        for table in sorted(insp.get_table_names())
    }


def test_upgrading_an_empty_database_gives_exactly_the_models_schema(tmp_path):
    engine = make_engine(backend.new_url(tmp_path, "m.db"))
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, SQLModel.metadata)
        assert diff == []
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert tables == set(SQLModel.metadata.tables)
    finally:
        engine.dispose()


def test_upgrade_twice_is_a_no_op(tmp_path):
    engine = make_engine(backend.new_url(tmp_path, "m.db"))
    try:
        upgrade(engine)
        first = _schema(engine)
        upgrade(engine)
        assert _schema(engine) == first
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1
    finally:
        engine.dispose()


def test_services_open_upgrades_and_keeps_data(tmp_path):
    from shopterm.services import Services

    url = backend.new_url(tmp_path)
    svc = Services.open(url)
    svc.setup.init_shop(location_code="AXP", location_name="Axpert", rate="2850", admin_pin="9999")
    svc.db.dispose()
    again = Services.open(url)  # a second start: nothing to do, nothing lost
    try:
        assert again.setup.is_initialised()
        assert again.setup.info("AXP").location_name == "Axpert"
    finally:
        again.db.dispose()
