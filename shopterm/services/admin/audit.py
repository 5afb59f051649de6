"""The audit log: every change writes who, when, what, before and after.

Services call :func:`record` inside their own transaction, so an audit row is
written exactly when the change is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, select

from ...store.models import AuditLog
from . import chain
from ..context import Actor


def snapshot(obj: SQLModel | dict | None, *, exclude: tuple[str, ...] = ("pin_hash",)) -> dict | None:
    """A JSON-safe dict of a row (Decimals and dates as strings)."""
    if obj is None:
        return None
    data = obj if isinstance(obj, dict) else obj.model_dump()
    return {k: _jsonable(v) for k, v in data.items() if k not in exclude}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: Any = None,
    after: Any = None,
    summary: str = "",
    approver_id: int | None = None,
) -> None:
    row = dict(
        at=dt.datetime.now(dt.timezone.utc),
        user_id=actor.user_id if actor else None,
        user_name=actor.name if actor else "system",
        action=action,
        entity=entity,
        entity_id=entity_id,
        summary=summary[:300],
        before=snapshot(before) if not isinstance(before, dict) else _jsonable(before),
        after=snapshot(after) if not isinstance(after, dict) else _jsonable(after),
        approver_id=approver_id,
    )
    record_rows(session, [row])


def record_rows(session: Session, rows: list[dict]) -> None:
    """Insert audit rows (dicts of audit_log columns) in the audit hash chain, in this transaction."""
    if not rows:
        return
    chain.chain_audit_rows(session, rows)
    session.execute(insert(AuditLog.__table__), rows)


@dataclass(frozen=True, slots=True)
class HistoryRow:
    at: dt.datetime
    user_name: str
    action: str
    summary: str
    before: dict | None
    after: dict | None
    approver_id: int | None

    def changes(self) -> list[tuple[str, Any, Any]]:
        """The fields that differ between before and after."""
        b, a = self.before or {}, self.after or {}
        keys = [k for k in {**b, **a} if k not in ("updated_at",)]
        return [(k, b.get(k), a.get(k)) for k in keys if b.get(k) != a.get(k)]


def history(session: Session, entity: str, entity_id: int) -> list[HistoryRow]:
    rows = session.exec(
        select(AuditLog).where(AuditLog.entity == entity, AuditLog.entity_id == entity_id).order_by(AuditLog.id)
    ).all()
    return [HistoryRow(r.at, r.user_name, r.action, r.summary, r.before, r.after, r.approver_id) for r in rows]
