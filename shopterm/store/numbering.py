"""Gapless document numbers (DESIGN §6).

``YYMM`` + 2-digit location number + type code + 6-digit sequence, e.g.
``261101SI000001``. The counter row is incremented inside the posting
transaction, so a rolled-back post gives its number back and numbers never
skip. The counter row is made with ``INSERT … ON CONFLICT DO NOTHING`` (the
first number of a month: two tills may both find no row) and then incremented
with one ``UPDATE … RETURNING``, which locks the row until the transaction ends
(on SQLite the write transaction already holds the database's write lock).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, update
from sqlmodel import Session

from ..core.doctypes import DOC_TYPES
from .db import Prepared, conflict_insert
from .models import NumberSequence

__all__ = ["DOC_TYPES", "format_number", "next_number"]


def format_number(period: str, location_number: int, doc_type: str, seq: int) -> str:
    return f"{period}{location_number:02d}{doc_type}{seq:06d}"


def next_number(session: Session, doc_type: str, location_id: int, location_number: int, date: dt.date) -> str:
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown document type {doc_type!r}")
    period = date.strftime("%y%m")
    key = dict(doc_type=doc_type, location_id=location_id, period=period)
    conn = session.connection()
    _insert_if_missing(conn.dialect.name).execute(conn, dict(key, last_value=0))
    seq = _NEXT.scalar(conn, {"n_type": doc_type, "n_loc": location_id, "n_period": period})
    return format_number(period, location_number, doc_type, seq)


_SEQ = NumberSequence.__table__
#: the counter row's increment, built once (each posting binds its key)
_NEXT = Prepared(update(_SEQ)
                 .where(_SEQ.c.doc_type == bindparam("n_type"), _SEQ.c.location_id == bindparam("n_loc"),
                        _SEQ.c.period == bindparam("n_period"))
                 .values(last_value=_SEQ.c.last_value + 1).returning(_SEQ.c.last_value))
_INSERTS: dict[str, Prepared] = {}


def _insert_if_missing(dialect: str):
    """The dialect's ``INSERT … ON CONFLICT DO NOTHING`` of a counter row (SQLite and PostgreSQL), built once."""
    stmt = _INSERTS.get(dialect)
    if stmt is None:
        stmt = _INSERTS[dialect] = Prepared(conflict_insert(dialect, _SEQ).on_conflict_do_nothing(
            index_elements=["doc_type", "location_id", "period"]))
    return stmt
