"""Rules that ask for a manager's approval, shared by the documents that carry a rate (DESIGN §3, §10).

A document rate further from the system rate of its date than the location's
Shop Setup tolerance (``rate_tolerance_pct``, default 10 %) needs a manager:
``"0.000001"`` or a mistyped ``28500`` must not post on a cashier's word.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import bindparam
from sqlmodel import Session, select

from ...core.money import format_rate
from ...store.master_cache import MasterRead
from ...store.models import ShopSetup
from ..context import Actor
from ..errors import ApprovalRequired, RateNeedsApproval

if TYPE_CHECKING:
    from .. import Services

DEFAULT_RATE_TOLERANCE = Decimal("10")


def rate_approvals(session: Session, services: "Services", location_id: int, date: dt.date,
                   rate: Decimal, *, field: str = "rate") -> list[ApprovalRequired]:
    """``[RateNeedsApproval]`` when ``rate`` is further from the system rate than the tolerance, else ``[]``."""
    system = services.system_rate(session, date)
    if system is None or system <= 0 or rate is None:
        return []
    tolerance = _TOLERANCE.scalar(session, {"loc": location_id})
    tolerance = DEFAULT_RATE_TOLERANCE if tolerance is None else tolerance
    off = abs(rate - system) * 100 / system
    if off <= tolerance:
        return []
    return [RateNeedsApproval(
        "Exchange rate {rate} is {off} % from the system rate {system} (tolerance {tolerance} %) — a manager's approval is needed",
        field=field,
        params={"rate": format_rate(rate), "off": off.quantize(Decimal('0.01')), "system": format_rate(system), "tolerance": format_rate(tolerance)})]


_TOLERANCE = MasterRead(select(ShopSetup.rate_tolerance_pct).where(ShopSetup.location_id == bindparam("loc")))  # compiled once


def approve_rate(services: "Services", session: Session, actor: Actor | None, location_id: int, date: dt.date,
                 rate: Decimal, approver: str | None = None, approver_pin: str | None = None, *,
                 field: str = "rate") -> Actor | None:
    """Inside the document's transaction: the approver of a far rate, or :class:`RateNeedsApproval`.

    An approver given is always checked (a wrong PIN is refused even when the rate needs nothing);
    else a signed-in manager approves unless Shop Setup asks for the PIN anyway.
    """
    given = services.users.verify_approver(session, approver, approver_pin, "exchange rate") if approver else None
    needs = rate_approvals(session, services, location_id, date, rate, field=field)
    if not needs or given is not None:
        return given
    who = services.users.approval(session, actor, None, None, location_id=location_id, action="exchange rate")
    if who is None:
        raise needs[0]
    return who
