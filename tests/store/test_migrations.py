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


def test_a_database_of_an_earlier_build_gets_what_it_lacks_and_posts(fresh_services):
    """Until the first release the schema is one migration rewritten as the models change: a
    database made by an earlier build says revision 0001 but lacks tables, columns and indexes
    added since (a shop opened this morning failed every invoice with "no such table:
    open_month"). Opening it adds them in one transaction, fills the running sums it lacked
    from the rows they sum, and marks it; the books are the same and posting works."""
    from shopterm.services import Services
    from shopterm.services.headless import post_documents
    from shopterm.store import balances
    from shopterm.store.migrate import schema_fingerprint

    from .conftest import DAY, actor, open_day
    from .test_headless_fuzz import TEMPLATES

    invoice = {"type": "sales_invoice", **TEMPLATES["sales_invoice"], "date": DAY.isoformat()}
    credit = {"type": "sales_invoice", **TEMPLATES["sales_invoice"], "date": DAY.isoformat(), "customer": "C0001",
              "sales_type": "credit", "lines": [{"item": "PARA500", "qty": "4", "price": "2.50"}]}
    with fresh_services() as svc:
        open_day(svc)
        assert post_documents(svc, actor(svc, "manager"), [invoice, credit]).ok
        url = svc.db.url
        with svc.db.engine.begin() as conn:  # what this morning's build made
            for table in ("open_due_month", "open_month", "customer_month", "open_due", "schema_mark"):
                conn.exec_driver_sql(f"DROP TABLE {table}")
            conn.exec_driver_sql("DROP INDEX ix_match_date")
            conn.exec_driver_sql("ALTER TABLE customer DROP COLUMN discount_pct")
        svc.db.dispose()

        again = Services.open(url, today=DAY)
        try:
            with again.db.engine.connect() as conn:
                assert conn.exec_driver_sql("SELECT fingerprint FROM schema_mark").scalar() == schema_fingerprint()
                assert conn.exec_driver_sql("SELECT count(*) FROM customer WHERE discount_pct = 0").scalar() > 0
            assert "ix_match_date" in {i["name"] for i in inspect(again.db.engine).get_indexes("match")}
            with again.db.read() as s:
                assert balances.stored_open(s) == balances.recomputed_open(s) != {}
                assert balances.stored_customer_months(s) == balances.recomputed_customer_months(s) != {}
            before = _schema(again.db.engine)
            # posting after the catch-up keeps every sum
            assert post_documents(again, actor(again, "manager"), [credit]).ok, "posting after the catch-up"
            with again.db.read() as s:
                assert balances.stored_open(s) == balances.recomputed_open(s)
                assert balances.stored_customer_months(s) == balances.recomputed_customer_months(s)
                assert balances.stored_stock(s) == balances.recomputed_stock(s)
            again.db.dispose()
            third = Services.open(url, today=DAY)  # marked: the next start adds nothing
            assert _schema(third.db.engine) == before
            third.db.dispose()
        finally:
            again.db.dispose()


def test_a_database_of_a_newer_build_of_the_same_revision_is_refused_untouched(fresh_services):
    """A newer build of the same revision (the one migration rewritten) made a table and a column this
    build does not know: opening it was taken for an earlier build's and re-marked as this build's, so
    the newer build, back on it, found its own mark gone and nothing to rebuild. It is now refused as a
    newer revision is, with the same message, and left as it was: mark, tables and columns."""
    import pytest

    from shopterm.services import Services
    from shopterm.store.migrate import SchemaFromNewerBuild, catch_up, schema_fingerprint

    for extra in ("CREATE TABLE gift_card (id INTEGER PRIMARY KEY, code VARCHAR(20))",
                  "ALTER TABLE customer ADD COLUMN whatsapp VARCHAR(20)"):
        with fresh_services() as svc:
            url = svc.db.url
            with svc.db.engine.begin() as conn:  # what the newer build made
                conn.exec_driver_sql(extra)
                conn.exec_driver_sql("UPDATE schema_mark SET fingerprint = 'a newer build'")
            before = _schema(svc.db.engine)
            svc.db.dispose()
            with pytest.raises(SchemaFromNewerBuild) as refused:
                Services.open(url)
            assert str(refused.value) == (f"its schema (revision {head_revision()}) is from a newer shopterm than "
                                          "this one: open it with that version")
            engine = make_engine(url)
            try:
                with pytest.raises(SchemaFromNewerBuild):  # `shopterm db upgrade` the same
                    catch_up(engine)
                assert _schema(engine) == before
                with engine.connect() as conn:
                    assert conn.exec_driver_sql("SELECT fingerprint FROM schema_mark").scalar() == "a newer build"
                    assert schema_fingerprint() != "a newer build"
            finally:
                engine.dispose()
