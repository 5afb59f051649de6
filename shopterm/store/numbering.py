"""Gapless document numbers (DESIGN §6).

``YYMM`` + 2-digit location number + type code + 6-digit sequence, e.g.
``261101SI000001``. The counter row is incremented inside the posting
transaction, so a rolled-back post gives its number back and numbers never
skip. One statement takes the number: ``INSERT … ON CONFLICT DO UPDATE SET
last_value = last_value + 1 RETURNING last_value`` makes the counter row at 1 (the
first number of a month: two tills may both find no row) or adds one to it, and
locks the row until the transaction ends (on SQLite the write transaction already
holds the database's write lock).
"""

from __future__ import annotations

import datetime as dt

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
    conn = session.connection()
    seq = _take(conn.dialect.name).scalar(conn, dict(doc_type=doc_type, location_id=location_id, period=period,
                                                     last_value=1))
    return format_number(period, location_number, doc_type, seq)


_SEQ = NumberSequence.__table__
_TAKES: dict[str, Prepared] = {}


def _take(dialect: str):
    """The dialect's one statement that takes the next number (module docstring), built once."""
    stmt = _TAKES.get(dialect)
    if stmt is None:
        stmt = _TAKES[dialect] = Prepared(
            conflict_insert(dialect, _SEQ)
            .on_conflict_do_update(index_elements=["doc_type", "location_id", "period"],
                                   set_={"last_value": _SEQ.c.last_value + 1})
            .returning(_SEQ.c.last_value))
    return stmt
