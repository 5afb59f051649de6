"""Which saved drafts are open on a screen right now, on this till or another (issue 16).

A screen that shows a saved draft *holds* it: a ``draft_hold`` row names the draft, the running
app that holds it (``holder``: a random id per app), the user and the till. The screen drops the
hold when it shows another document or leaves; the app refreshes ``seen_at`` every minute
while it holds anything and drops all its holds when it quits. A till
that crashed stops refreshing: its holds count for nothing once ``seen_at`` is older than
:data:`STALE` (so a merge is never blocked for good by a till that is gone).

Holds never stop anyone from opening or posting a draft (two tills may look at one draft); they
tell an operation that rewrites drafts behind a screen's back — merging customers — that a
screen would keep showing, and later save, the old customer.

Times are UTC, from each till's clock (the tills of one shop keep the same time
within far less than :data:`STALE`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from sqlalchemy import delete, select, update
from sqlmodel import Session, col

from ...store.models import DraftHold
from .posting import utcnow as _now

if TYPE_CHECKING:
    from .. import Services
    from ..context import Actor

#: A hold not refreshed for this long belongs to a till that stopped (crashed, lost power); a
#: running app refreshes its holds every minute (screens/base/draft_holds.py ``REFRESH_S``).
STALE = dt.timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Hold:
    """A draft open on a screen: who has it and where."""

    document_id: int
    user_name: str
    till: str
    seen_at: dt.datetime


def open_holds(session: Session, document_ids: Iterable[int], now: dt.datetime | None = None) -> list[Hold]:
    """The live holds on ``document_ids`` (stale ones left out), oldest draft first."""
    ids = sorted(set(document_ids))
    if not ids:
        return []
    cutoff = (now or _now()) - STALE
    rows = session.execute(select(DraftHold).where(col(DraftHold.document_id).in_(ids),
                                                   DraftHold.seen_at >= cutoff)
                           .order_by(DraftHold.document_id, DraftHold.id)).scalars()
    return [Hold(r.document_id, r.user_name, r.till, r.seen_at) for r in rows]


class DraftHoldService:
    """Take, refresh and drop the holds of one running app (``holder``)."""

    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    def sync(self, actor: "Actor", holder: str, till: str, document_ids: Iterable[int]) -> None:
        """Make ``holder``'s holds exactly ``document_ids``: new ones taken, others dropped, the kept
        ones refreshed — one transaction."""
        wanted = set(document_ids)
        now = _now()
        with self.db.write() as session:
            have = set(session.execute(select(DraftHold.document_id)
                                       .where(DraftHold.holder == holder)).scalars())
            if have - wanted:
                session.execute(delete(DraftHold).where(DraftHold.holder == holder,
                                                        col(DraftHold.document_id).in_(have - wanted)))
            if have & wanted:
                session.execute(update(DraftHold).where(DraftHold.holder == holder,
                                                        col(DraftHold.document_id).in_(have & wanted))
                                .values(seen_at=now))
            for doc_id in sorted(wanted - have):
                session.add(DraftHold(document_id=doc_id, holder=holder[:40], user_id=actor.user_id,
                                      user_name=actor.name[:40], till=till[:60], opened_at=now, seen_at=now))

    def release_all(self, holder: str) -> None:
        """Drop every hold of ``holder`` (the app quits)."""
        with self.db.write() as session:
            session.execute(delete(DraftHold).where(DraftHold.holder == holder))

    def holds(self, document_ids: Iterable[int]) -> list[Hold]:
        with self.db.read() as session:
            return open_holds(session, document_ids)


__all__ = ["DraftHoldService", "Hold", "STALE", "open_holds"]
