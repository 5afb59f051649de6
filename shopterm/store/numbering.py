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

from sqlalchemy import update
from sqlmodel import Session

from ..core.doctypes import DOC_TYPES
from .models import NumberSequence

__all__ = ["DOC_TYPES", "format_number", "next_number"]


def format_number(period: str, location_number: int, doc_type: str, seq: int) -> str:
    return f"{period}{location_number:02d}{doc_type}{seq:06d}"


def next_number(session: Session, doc_type: str, location_id: int, location_number: int, date: dt.date) -> str:
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown document type {doc_type!r}")
    period = date.strftime("%y%m")
    table = NumberSequence.__table__
    key = dict(doc_type=doc_type, location_id=location_id, period=period)
    session.execute(_insert_if_missing(session, table).values(**key, last_value=0)
                    .on_conflict_do_nothing(index_elements=list(key)))
    where = (table.c.doc_type == doc_type) & (table.c.location_id == location_id) & (table.c.period == period)
    seq = session.execute(
        update(table).where(where).values(last_value=table.c.last_value + 1).returning(table.c.last_value)
    ).scalar_one()
    return format_number(period, location_number, doc_type, seq)


def _insert_if_missing(session: Session, table):
    """The dialect's ``INSERT`` that knows ``ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)
