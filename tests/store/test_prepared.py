"""store.db.Prepared: a Core statement compiled once per dialect and run on the DB-API cursor
gives the rows SQLAlchemy's own execution gives (scaled money, dates, IN lists, RETURNING,
Python-side column defaults), refuses a NUL as the engine's hook does, and raises a driver
error as SQLAlchemy does. Runs on SQLite and on PostgreSQL (SHOPTERM_TEST_DB)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import bindparam, exc, func, insert, select

from shopterm.store.db import FigureTooLarge, Prepared, UnstorableText
from shopterm.store.models import AuditLog, Document, Item, Price, StockBalance

IT = Item.__table__
PR = Price.__table__
AL = AuditLog.__table__


def test_select_reads_the_same_rows_as_sqlalchemy(services):
    stmt = (select(IT.c.code, PR.c.retail_price, PR.c.effective_from)
            .join(PR, PR.c.item_id == IT.c.id)
            .where(IT.c.code.in_(bindparam("codes", expanding=True)), PR.c.retail_price >= bindparam("least"))
            .order_by(IT.c.code))
    prepared = Prepared(stmt)
    params = {"codes": ["PARA500", "AMOX250", "NOSUCH"], "least": D("2.00")}
    with services.db.read() as s:
        mine = prepared.all(s, params)
        theirs = [tuple(r) for r in s.connection().execute(stmt, params)]
        assert mine == theirs == [("AMOX250", D("7.99"), dt.date(2026, 1, 1)),
                                  ("PARA500", D("2.50"), dt.date(2026, 1, 1))]
        # another IN-list length, then none at all (SQLAlchemy's own form of an empty IN)
        assert prepared.all(s, {"codes": ["BAND01"], "least": D("1.00")}) == [("BAND01", D("1.25"), dt.date(2026, 1, 1))]
        assert prepared.all(s, {"codes": [], "least": D("0")}) == []
        total = Prepared(select(func.sum(PR.c.retail_price)).where(PR.c.item_id == IT.c.id,
                                                                    IT.c.code.in_(["PARA500", "BAND01"])))
        assert total.scalar(s) == D("3.75")


def test_insert_fills_defaults_and_returns_ids(services):
    ins = Prepared(insert(AL).returning(AL.c.id, AL.c.summary))
    many = Prepared(insert(AL))
    with services.db.write() as s:
        new_id, summary = ins.first(s, {"user_name": "test", "action": "post", "entity": "document", "entity_id": 7})
        assert summary == ""  # the model's default, filled in Python as SQLAlchemy does
        # rows naming different columns: each set of columns is its own statement
        many.executemany(s, [{"user_name": "a", "action": "post", "entity": "document", "summary": "one"},
                             {"user_name": "b", "action": "post", "entity": "document"}])
    with services.db.read() as s:
        rows = s.execute(select(AL.c.id, AL.c.user_name, AL.c.summary, AL.c.at).where(AL.c.id >= new_id)
                         .order_by(AL.c.id)).all()
    assert [(r.user_name, r.summary) for r in rows] == [("test", ""), ("a", "one"), ("b", "")]
    assert rows[0].id == new_id and all(isinstance(r.at, dt.datetime) for r in rows)


def test_a_nul_is_refused_naming_the_column(services):
    ins = Prepared(insert(AL))
    with pytest.raises(UnstorableText, match=r"^summary: text with a NUL"):
        with services.db.write() as s:
            ins.execute(s, {"user_name": "x", "action": "post", "entity": "document", "summary": "a\x00b"})


@pytest.mark.parametrize(("column", "value"), [("net_usd", D("92233720368547758.08")),
                                              ("net_usd", D("-92233720368547758.09")),
                                              ("loyalty_points", 2_147_483_648), ("loyalty_points", -2_147_483_649)])
def test_a_figure_past_its_column_is_refused_naming_it_on_both_paths(services, column, value):
    """Past a BIGINT of cents (a scaled figure) or past an INTEGER (a count): SQLite took a count PostgreSQL
    refuses and raised OverflowError on a BIGINT; both stores now refuse it, by its column, through the
    compiled statements and through the ORM alike, and nothing is written."""
    DOC = Document.__table__
    row = {"doc_type": "GR", "location_id": 1, "doc_date": dt.date(2026, 11, 23), "extra": {}, column: value}
    with services.db.read() as s:
        before = s.execute(select(func.count()).select_from(DOC)).scalar_one()
    with pytest.raises(FigureTooLarge, match=rf"^{column}: too large a figure to store$"):
        with services.db.write() as s:
            Prepared(insert(DOC)).execute(s, row)
    with pytest.raises(FigureTooLarge, match=rf"^{column}: too large a figure to store$"):
        with services.db.write() as s:
            s.add(Document(**row))
    with services.db.read() as s:
        assert s.execute(select(func.count()).select_from(DOC)).scalar_one() == before
    # the largest each holds is stored and read back
    edge = D("92233720368547758.07") if column == "net_usd" else 2_147_483_647
    with services.db.write() as s:
        Prepared(insert(DOC)).execute(s, {**row, column: edge})
        s.add(Document(**{**row, column: -edge}))
    with services.db.read() as s:
        got = s.execute(select(DOC.c[column]).order_by(DOC.c.id.desc()).limit(2)).scalars().all()
    assert got == [-edge, edge]


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(services):
    ins = Prepared(insert(StockBalance.__table__))
    with services.db.read() as s:
        row = s.execute(select(StockBalance.__table__)).first()
    with pytest.raises(exc.IntegrityError):
        with services.db.write() as s:  # the same (item, location, batch) twice: the primary key refuses it
            ins.execute(s, {"item_id": row.item_id, "location_id": row.location_id, "batch_id": row.batch_id,
                            "qty": D("1")})
    with services.db.read() as s:  # rolled back: nothing changed
        again = s.execute(select(StockBalance.__table__).where(StockBalance.__table__.c.item_id == row.item_id,
                                                               StockBalance.__table__.c.batch_id == row.batch_id)).one()
    assert again.qty == row.qty


def test_the_screens_show_a_figure_too_large_as_the_cashier_s_error():
    """The message bar shows the refusal with its field, not as an unexpected fault."""
    from shopterm.widgets.messages import describe_error

    assert describe_error(FigureTooLarge("loyalty_points")) == ("loyalty_points: too large a figure to store",
                                                                "loyalty_points")


def test_the_written_out_binding_gives_what_the_general_one_gives(services):
    """A form without IN lists binds each row through one generated function: the same values, in the same
    order, as the general loop (a default filled, a value the statement carries, scaled figures, dates,
    JSON), and the same refusals."""
    from shopterm.store.db import _Form

    DOC = Document.__table__
    ins = Prepared(insert(DOC).values(status="draft"))  # a value of the statement's own
    rows = [{"doc_type": "GR", "location_id": 1, "doc_date": dt.date(2026, 11, 23), "extra": {"a": [1, "é"]},
             "net_usd": D("12.50"), "rate": D("2850.123456"), "total_qty": D("-0.001"), "loyalty_points": 7},
            {"doc_type": "GR", "location_id": 2, "doc_date": dt.date(2026, 1, 2), "extra": {},
             "net_usd": D("0"), "rate": D("1"), "total_qty": D("3"), "loyalty_points": 0}]
    with services.db.read() as s:
        dialect = s.connection().dialect
    form = ins._form(dialect, rows[0])
    assert form.bind_rows is not None
    general = _Form.__new__(_Form)
    for name in _Form.__slots__:
        setattr(general, name, getattr(form, name))
    general.bind_rows = None  # the loop over the parameters
    written, looped = form.bind(rows), general.bind(rows)
    created = [name for name, _default in form.defaults]  # timestamps made per row: equal up to the clock
    assert created and written[0] == looped[0]
    at = [i for i, name in enumerate(form.names) if name in created] if form.positional else created
    plain = lambda v: getattr(v, "obj", v)  # noqa: E731 (psycopg's JSON wrapper compares by identity)
    strip = (lambda r: tuple(plain(v) for i, v in enumerate(r) if i not in at)) if form.positional else \
        (lambda r: {k: plain(v) for k, v in r.items() if k not in at})
    assert [strip(r) for r in written[1]] == [strip(r) for r in looped[1]]
    bad = dict(rows[0], narration="a\x00b")
    for f in (form, general):
        with pytest.raises(UnstorableText, match="^narration: "):
            f.bind([bad])
        with pytest.raises(FigureTooLarge, match="^net_usd: "):
            f.bind([dict(rows[0], net_usd=D("92233720368547758.08"))])


def test_a_statement_named_through_the_models_runs_as_core_with_the_same_sql_and_rows(services):
    """Columns named through the models (``Item.code``) carry the ORM's annotations; Prepared compiles the
    statement as Core (no mapper configured for it) and sends the SQL and gets the rows SQLAlchemy's own
    execution of the annotated statement gives."""
    stmt = (select(Item.code, Price.retail_price, Price.effective_from)
            .join(Price, Price.item_id == Item.id)
            .where(Item.code.in_(bindparam("codes", expanding=True)))
            .order_by(Item.code))
    prepared = Prepared(stmt)
    params = {"codes": ["PARA500", "AMOX250"]}
    with services.db.read() as s:
        dialect = s.connection().dialect
        assert prepared.all(s, params) == [tuple(r) for r in s.execute(stmt, params)] == [
            ("AMOX250", D("7.99"), dt.date(2026, 1, 1)), ("PARA500", D("2.50"), dt.date(2026, 1, 1))]
        assert prepared.first_named(s, params).code == "AMOX250"
    form = next(iter(prepared._forms.values()))
    assert form.sql == stmt.compile(dialect=dialect).string
