"""The audit log: every change writes who, when, what, before and after.

Services call :func:`record` inside their own transaction, so an audit row is
written exactly when the change is.

Languages: a row's ``summary`` is stored as written (English) and stays so — the log
is hash-chained and a record of what happened, not a text to re-word; History shows
it as stored. The ``action`` is a code; :func:`action_name` (``HistoryRow.shown_action``)
gives it in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shopterm.core.i18n import N_, _
from ...core.plain import plain
from ...store.sqlrun import Statement
from . import links
from ..context import Actor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from sqlmodel import SQLModel


#: The audit actions as History names them (the codes stay English in the log).
ACTION_NAMES = {
    "create": N_("created"), "update": N_("changed"), "delete": N_("deleted"), "cancel": N_("cancelled"),
    "post": N_("posted"), "print": N_("printed"), "reprint": N_("reprinted"), "open": N_("opened"),
    "close": N_("closed"), "login": N_("sign-in"), "login_failed": N_("wrong PIN"), "lockout": N_("locked"),
    "approve": N_("approved"), "approval_failed": N_("refused"), "import": N_("imported"), "match": N_("matched"),
    "unmatch": N_("unmatched"), "deactivate": N_("deactivated"), "reactivate": N_("reactivated"),
    "token_use": N_("token"), "revoke": N_("revoked"),
}


def action_name(action: str) -> str:
    """An audit action in the reader's language (``create`` → ``created`` / ``création``)."""
    name = ACTION_NAMES.get(action)
    return _(name) if name else action


def snapshot(obj: "SQLModel | dict | None", *, exclude: tuple[str, ...] = ("pin_hash",)) -> dict | None:
    """A JSON-safe dict of a row (Decimals and dates as strings)."""
    if obj is None:
        return None
    data = obj if isinstance(obj, dict) else obj.model_dump()
    return {k: plain(v) for k, v in data.items() if k not in exclude}


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
        before=snapshot(before) if not isinstance(before, dict) else plain(before),
        after=snapshot(after) if not isinstance(after, dict) else plain(after),
        approver_id=approver_id,
    )
    record_rows(session, [row])


def record_rows(session: Session, rows: list[dict]) -> None:
    """Insert audit rows (dicts of audit_log columns) in the audit hash chain, in this transaction."""
    if not rows:
        return
    links.chain_audit_rows(session, rows)
    _INSERT_AUDIT.executemany(session, rows)


_INSERT_AUDIT = Statement("audit.insert")  # admin/sql.py: every posting writes an audit row, every sign-in


@dataclass(frozen=True, slots=True)
class HistoryRow:
    at: dt.datetime
    user_name: str
    action: str
    summary: str
    before: dict | None
    after: dict | None
    approver_id: int | None

    @property
    def shown_action(self) -> str:
        return action_name(self.action)

    def changes(self) -> list[tuple[str, Any, Any]]:
        """The fields that differ between before and after."""
        b, a = self.before or {}, self.after or {}
        keys = [k for k in {**b, **a} if k not in ("updated_at",)]
        return [(k, b.get(k), a.get(k)) for k in keys if b.get(k) != a.get(k)]


def history(session: Session, entity: str, entity_id: int) -> list[HistoryRow]:
    from sqlalchemy import select

    from ...store.tables import AuditLog

    a = AuditLog.c
    rows = session.execute(select(a.at, a.user_name, a.action, a.summary, a.before, a.after, a.approver_id)
                           .where(a.entity == entity, a.entity_id == entity_id).order_by(a.id))
    return [HistoryRow(*r) for r in rows]
