"""Gapless document numbers (DESIGN §6).

``YYMM`` + 2-digit location number + type code + 6-digit sequence, e.g.
``261101SI000001``. The counter row is incremented inside the posting
transaction, so a rolled-back post gives its number back and numbers never
skip; the write transaction holds SQLite's write lock (``BEGIN IMMEDIATE``)
and on PostgreSQL the row is locked with ``SELECT … FOR UPDATE``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select, update
from sqlmodel import Session

from .models import NumberSequence

DOC_TYPES = {
    "OP": "Shop open",
    "SO": "Sales order",
    "PF": "Proforma",
    "SI": "Sales invoice",
    "PI": "Provisional invoice",
    "DN": "Delivery note",
    "SR": "Sales return",
    "RD": "Direct return",
    "RC": "Sales receipt",
    "RP": "Shop receipt/payment",
    "CE": "Currency exchange",
    "CP": "Commission payment",
    "CL": "Shop close",
    "GR": "Stock receipt",
    "PU": "Price update",
    "CR": "Customer payment",
}


def format_number(period: str, location_number: int, doc_type: str, seq: int) -> str:
    return f"{period}{location_number:02d}{doc_type}{seq:06d}"


def next_number(session: Session, doc_type: str, location_id: int, location_number: int, date: dt.date) -> str:
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown document type {doc_type!r}")
    period = date.strftime("%y%m")
    table = NumberSequence.__table__
    where = (table.c.doc_type == doc_type) & (table.c.location_id == location_id) & (table.c.period == period)
    stmt = select(table.c.id, table.c.last_value).where(where)
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    row = session.execute(stmt).first()
    if row is None:
        seq = 1
        session.execute(insert(table).values(doc_type=doc_type, location_id=location_id, period=period, last_value=1))
    else:
        seq = row.last_value + 1
        session.execute(update(table).where(table.c.id == row.id).values(last_value=seq))
    return format_number(period, location_number, doc_type, seq)
