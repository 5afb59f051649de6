"""The receivables ageing at a date: open balances by days past due, per customer and customer group.

Summed in SQL per customer from the open amounts kept per customer and due date (no row per open item):
at the first month end kept on or after the date (``open_due_month``), else now (``open_due``), less
what the matches dated or unmatched after the date up to then changed. Its statements are named
statements (:mod:`.sql`, :mod:`shopterm.store.sqlrun`): through SQLAlchemy in the app and the tests,
on ``sqlite3`` for ``shopterm ledger ageing`` on a SQLite file. Standard library only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

from shopterm.core.i18n import N_
from ...store.sqlrun import Statement
from .totals import ZERO, _customers

#: Ageing buckets: (label, lowest days past due, highest or None).
BUCKETS = (("0-30", None, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None))

_MONTH_KEPT = Statement("ledger.ageing.month_kept")
_STATEMENTS: dict[str, Statement] = {}


def _statement(what: str, kept: str, who: str) -> Statement:
    name = f"ledger.ageing.{what}.{kept}.{who}"
    found = _STATEMENTS.get(name)
    if found is None:
        found = _STATEMENTS[name] = Statement(name)
    return found


@dataclass(frozen=True, slots=True)
class AgeingRow:
    """One customer's (or group's) open balance by days past due.

    ``buckets`` holds the four amounts 0-30, 31-60, 61-90, 90+ days past due
    (by due date: the entry's due date, else its date + the customer's credit
    days). Items not yet due and unapplied credits count in 0-30, so the
    buckets add up to ``total``, the balance at the date.
    """

    code: str
    name: str
    group: str
    buckets: tuple[Decimal, Decimal, Decimal, Decimal]
    total: Decimal
    not_due: Decimal  # the part of 0-30 not yet due (debits)
    credits: Decimal  # unapplied credits (≤ 0), also in 0-30
    overdue: Decimal  # debits past their due date
    credit_limit_usd: Decimal
    over_limit: bool

    @property
    def is_overdue(self) -> bool:
        return self.overdue > 0

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(f for f, on in (("overdue", self.is_overdue), ("over limit", self.over_limit)) if on)


@dataclass(frozen=True, slots=True)
class AgeingReport:
    at: dt.date
    rows: tuple[AgeingRow, ...]  # per customer, by code
    groups: tuple[AgeingRow, ...]  # per customer group
    total: AgeingRow
    labels: tuple[str, ...] = tuple(b[0] for b in BUCKETS)
    title: str = N_("Ageing")


def bucket_index(days_past_due: int) -> int:
    for i, (_, lo, hi) in enumerate(BUCKETS):
        if (lo is None or days_past_due >= lo) and (hi is None or days_past_due <= hi):
            return i
    return 0


def _cents(value) -> Decimal:
    """A raw scaled-integer sum (cents) as money."""
    return Decimal(int(value)).scaleb(-2) if value else ZERO


def _days_before(at: dt.date, days: int) -> dt.date:
    """``days`` before ``at``, or the first date there is when that would be earlier (``--at 0001-01-01``:
    no entry is dated or due before it, so the buckets are the same)."""
    return at - dt.timedelta(days=days) if (at - dt.date.min).days >= days else dt.date.min


def ageing(session: Any, at: dt.date, customer_id: int | None = None) -> AgeingReport:
    """Open balances at ``at`` by days past due, summed in SQL per customer from the open amounts
    kept per customer and due date (no row per open item): at the first month end kept on or after
    ``at`` (``open_due_month``), else now (``open_due``), less what the matches dated or unmatched
    after ``at`` up to then changed (at most a month of matches when a month end is kept)."""
    who = "all" if customer_id is None else "customer"
    params: dict[str, Any] = {"at": at, "customer_id": customer_id,
                              **{f"t{n}": _days_before(at, n) for n in (30, 60, 90)}}
    month_end = params["month_end"] = params["until"] = _MONTH_KEPT.scalar(session, {"at": at})
    kept = "month" if month_end is not None else "now"
    # a kept table alone, grouped in its key order (no sort); the debits without a due date apart
    fetched = _statement("kept", kept, who).named(session, params) + _statement("kept_loose", kept, who).named(session, params)
    if any(_statement(f"matched_after.{column}", kept, who).first(session, params) is not None
           for column in ("date", "unmatched_on")):  # a match dated, or unmatched, after ``at`` (up to then)
        fetched += _statement("since", kept, who).named(session, params)
    info = _customers(session, {r.customer_id for r in fetched})
    # per customer, in cents: the four buckets, not yet due, unapplied credits, overdue
    acc: dict[int, list[int]] = {}
    for r in fetched:
        a = acc.get(r.customer_id)
        if a is None:
            a = acc[r.customer_id] = [0] * 7
        if r.loose_date is not None:
            open_usd = int(r.debits or 0)
            past = (at - (r.loose_date + dt.timedelta(days=info[r.customer_id][4]))).days
            a[bucket_index(past)] += open_usd
            a[6 if past > 0 else 4] += open_usd
            continue
        credits, not_due = int(r.credits or 0), int(r.not_due or 0)
        b = (int(r.b0 or 0) + credits, int(r.b1 or 0), int(r.b2 or 0), int(r.b3 or 0))
        for i in range(4):
            a[i] += b[i]
        a[4] += not_due
        a[5] += credits
        a[6] += b[0] + b[1] + b[2] + b[3] - credits - not_due
    rows = []
    for cid, a in acc.items():
        if not any(a[:4]):
            continue
        code, name, grp, limit, _ = info[cid]
        buckets = tuple(_cents(v) for v in a[:4])
        total = _cents(a[0] + a[1] + a[2] + a[3])
        rows.append(AgeingRow(code, name, grp, buckets, total, _cents(a[4]), _cents(a[5]), _cents(a[6]), limit,
                              bool(limit and total > limit)))
    rows.sort(key=lambda r: r.code)
    groups: dict[str, list[AgeingRow]] = {}
    for r in rows:
        groups.setdefault(r.group, []).append(r)
    group_rows = tuple(_sum_rows(g or "(no group)", g or "(no group)", g, rs) for g, rs in sorted(groups.items()))
    return AgeingReport(at, tuple(rows), group_rows, _sum_rows("TOTAL", "Total", "", rows))


def _sum_rows(code: str, name: str, group: str, rows: Sequence[AgeingRow]) -> AgeingRow:
    b = tuple(sum((r.buckets[i] for r in rows), ZERO) for i in range(4))
    return AgeingRow(code, name, group, b, sum(b, ZERO), sum((r.not_due for r in rows), ZERO),
                     sum((r.credits for r in rows), ZERO), sum((r.overdue for r in rows), ZERO), ZERO,
                     any(r.over_limit for r in rows))
