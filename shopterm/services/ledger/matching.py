"""Matching in the customer ledger: the primitives every service uses (DESIGN §8).

These are free functions taking the caller's session, so they run inside
another service's transaction (a sales receipt matching its invoice, an
invoice using the customer's credit, a payment on account settling the oldest
invoices). They check the *rules* of matching, not the actor's permission:
the calling service does that ("match" for a manual match, "receive" for a
receipt that matches automatically).

The rules (:func:`match_entries`)
---------------------------------
- A match groups ledger entries of **one customer**: at least one debit (the
  customer owes us, e.g. an invoice) and one credit (a payment, a return).
  Entries of another customer are refused.
- Each entry takes part with an amount in USD (the books' currency), at most
  its open balance. ``None`` means "as much as the match needs".
- The match **nets to zero in USD**. When every amount is given, debits must
  equal credits. When some are ``None``: the total is the smaller of what the
  debit side and the credit side can take (so the smaller side is settled
  fully, the larger side partially); the entries without an amount are
  settled oldest first (due date, then date, then id), the last one partly.
  Entries that end up with nothing take no part.
- A match is dated; it cannot be dated before any of its entries, nor before
  the day one of them was last unmatched (so "open items at a date" never
  counts two matches of the same amount).
- The amount in the entry's own currency moves in proportion (at the entry's
  own rate); an entry settled in full has nothing open in either currency.
- Unmatching keeps the match in history (``unmatched_on``/``by``/``at``) and
  gives the entries their open balances back.

Every match and unmatch writes an audit row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Sequence

from sqlalchemy import bindparam, func, literal, or_, select, tuple_, update
from sqlmodel import Session

from shopterm.core import narration as nt
from ...core.journal import EXCHANGE, RECEIVABLE, JLine
from ...core.money import Currency, q2
from ...core.settle import OpenEntry, convert_at, settle
from ...store.models import Customer, Document, LedgerEntry, Match, MatchLine, OpenDue
from ...store import balances
from ...store.db import Prepared
from ...store.types import MAX_INTEGER
from ..admin import audit
from ..context import Actor
from ..errors import NotFound, ValidationError

ZERO = Decimal("0.00")
MATCH_KINDS = ("auto", "manual", "payment")

LE = LedgerEntry.__table__
M = Match.__table__
ML = MatchLine.__table__
D = Document.__table__

#: (entry id, USD amount or None for "as much as the match needs")
Allocation = tuple[int, Decimal | None]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True, slots=True)
class MatchedLine:
    entry_id: int
    number: str
    amount_usd: Decimal  # signed like the entry: + settles a debit, − a credit
    amount: Decimal  # the same in the entry's currency
    currency: str
    open_usd_after: Decimal


@dataclass(frozen=True, slots=True)
class MatchResult:
    match_id: int
    customer_id: int
    date: dt.date
    kind: str
    total_usd: Decimal  # what the match settles (the debit side; equal to the credit side)
    lines: tuple[MatchedLine, ...]
    unmatched_on: dt.date | None = None
    exchange_usd: Decimal = ZERO  # booked on 4200 by the match: + a loss, − a gain


# ---------------------------------------------------------------- reading


# customer_balance, sum_before, active_match_ids: the reading side, in reports (Core only, the read commands),
# re-exported here when first asked for: posting an invoice plans its credit use with this module and
# needs none of them (importing reports, ageing and totals cost a `shopterm post` ~50 ms CPU at start)
_FROM_REPORTS = frozenset({"_chunks", "active_match_ids", "customer_balance", "sum_before"})


def __getattr__(name: str):
    if name in _FROM_REPORTS:
        from . import reports

        value = getattr(reports, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def earliest_match_date(session: Session, entry_ids: Sequence[int]) -> dt.date | None:
    """The first date a match of these entries may carry: the latest of their dates and last unmatch dates."""
    if not entry_ids:
        return None
    latest = session.execute(select(func.max(LE.c.doc_date)).where(LE.c.id.in_(entry_ids))).scalar()
    unmatched = session.execute(
        select(func.max(M.c.unmatched_on)).join(ML, ML.c.match_id == M.c.id).where(ML.c.entry_id.in_(entry_ids))
    ).scalar()
    if unmatched is not None and (latest is None or unmatched > latest):
        return unmatched
    return latest


# ---------------------------------------------------------------- matching


def _age_key(row) -> tuple:
    return (row.due_date or row.doc_date, row.doc_date, row.id)


def _customer_code(session: Session, customer_id: int) -> str:
    code = session.execute(select(Customer.code).where(Customer.id == customer_id)).scalar()
    return code or str(customer_id)


def _magnitude(entry, amount: Decimal | None) -> Decimal | None:
    if amount is None:
        return None
    if not isinstance(amount, Decimal):
        raise ValidationError("{number}: the amount to match must be a Decimal", field="amount",
            params={"number": entry.number})
    mag = abs(amount)
    if mag != q2(mag):
        raise ValidationError("{number}: the amount to match has more than 2 decimals ({amount})", field="amount",
            params={"number": entry.number, "amount": amount})
    if mag == 0:
        raise ValidationError("{number}: the amount to match must be greater than zero", field="amount",
            params={"number": entry.number})
    mag = q2(mag)
    if mag > abs(entry.open_usd):
        raise ValidationError(
            "{number}: {mag} USD is more than its open balance of {open_usd} USD", field="amount",
            params={"number": entry.number, "mag": mag, "open_usd": abs(entry.open_usd)})
    return mag


def _currency_part(entry, mag_usd: Decimal) -> Decimal:
    """The entry-currency magnitude that goes with ``mag_usd`` USD of it."""
    if mag_usd == abs(entry.open_usd):
        return abs(entry.open_amount)
    if entry.currency == "USD" or entry.amount_usd == 0:
        return min(mag_usd, abs(entry.open_amount))
    part = q2(mag_usd * abs(entry.amount) / abs(entry.amount_usd))
    return min(part, abs(entry.open_amount))


def match_entries(session: Session, actor: Actor | None, customer_id: int, allocations: Iterable[Allocation],
                  date: dt.date, kind: str = "manual") -> MatchResult:
    """Match ledger entries of one customer (see the module's rules); returns the new match.

    ``allocations``: ``[(entry_id, amount_usd or None), …]``; an amount may be
    given with either sign (it is the part of that entry to settle). The rows
    are written by :func:`shopterm.services.cash.till.apply_match` (explicit
    amounts, audit row), the one writer of matches.
    """
    if kind not in MATCH_KINDS:
        raise ValueError(f"match kind must be one of {MATCH_KINDS}, got {kind!r}")
    if not isinstance(date, dt.date):
        raise ValidationError("The match date is required", field="date")
    allocs = list(allocations)
    ids = [int(a[0]) for a in allocs]
    seen: set[int] = set()
    for i in ids:
        if i in seen:
            raise ValidationError("Ledger entry {i} is listed twice", field="entries", params={"i": i})
        seen.add(i)
    if len(ids) < 2:
        raise ValidationError("A match needs at least one debit and one credit entry", field="entries")
    known = [i for i in ids if 0 < i <= MAX_INTEGER]
    rows = {r.id: r for r in session.execute(select(LE).where(LE.c.id.in_(known))).all()}
    for i in ids:
        if i not in rows:
            raise NotFound("Ledger entry {i} not found", field="entries", params={"i": i})
    code = _customer_code(session, customer_id)
    for i in ids:
        r = rows[i]
        if r.customer_id != customer_id:
            raise ValidationError(
                "Entries of different customers cannot be matched: {number} belongs to {customer_code}, not {code}", field="entries",
                params={"number": r.number, "customer_code": _customer_code(session, r.customer_id), "code": code})
    for i in ids:
        r = rows[i]
        if r.open_usd == 0:
            raise ValidationError("{number} is already fully matched", field="entries", params={"number": r.number})
        if date < r.doc_date:
            raise ValidationError("The match date {date} is before {number} ({doc_date})", field="date",
                params={"date": date, "number": r.number, "doc_date": r.doc_date})
    last_unmatch = session.execute(
        select(ML.c.entry_id, func.max(M.c.unmatched_on)).join(M, M.c.id == ML.c.match_id)
        .where(ML.c.entry_id.in_(ids), M.c.unmatched_on.is_not(None)).group_by(ML.c.entry_id)
    ).all()
    for entry_id, unmatched_on in last_unmatch:
        if unmatched_on is not None and date < unmatched_on:
            raise ValidationError(
                "The match date {date} is before {number} was last unmatched ({unmatched_on})",
                field="date", params={"date": date, "number": rows[entry_id].number, "unmatched_on": unmatched_on})

    debits, credits = [], []
    for entry_id, amount in allocs:
        r = rows[int(entry_id)]
        pair = (r, _magnitude(r, amount))
        (debits if r.open_usd > 0 else credits).append(pair)
    if not debits or not credits:
        raise ValidationError("A match needs at least one debit and one credit entry", field="entries")

    def side_totals(side):
        fixed = sum((m for _, m in side if m is not None), ZERO)
        free = sum((abs(r.open_usd) for r, m in side if m is None), ZERO)
        return fixed, fixed + free, any(m is None for _, m in side)

    d_fixed, d_max, d_free = side_totals(debits)
    c_fixed, c_max, c_free = side_totals(credits)
    allocations_out: list[tuple[int, Decimal, Decimal]] = []
    lines: list[MatchedLine] = []
    if not d_free and not c_free:
        # every amount typed (in USD, the books' currency): they must balance in USD
        if d_fixed != c_fixed:
            raise ValidationError(
                "The match does not balance: debits {d_fixed} USD, credits {c_fixed} USD", field="amount",
                params={"d_fixed": d_fixed, "c_fixed": c_fixed})
        if d_fixed <= 0:
            raise ValidationError("Nothing to match", field="entries")
        for entry_id, amount in allocs:
            r = rows[int(entry_id)]
            sign = 1 if r.open_usd > 0 else -1
            mag = _magnitude(r, amount)
            amt = _currency_part(r, mag) * (1 if r.open_amount >= 0 else -1)
            allocations_out.append((r.id, amt, mag * sign))
            lines.append(MatchedLine(r.id, r.number, mag * sign, amt, r.currency, r.open_usd - mag * sign))
        target, exchange_usd = d_fixed, ZERO
    else:
        target = min(d_max, c_max)
        if target < d_fixed or target < c_fixed:
            raise ValidationError(
                "The match cannot balance: debits can take {d_max} USD, credits {c_max} USD (fixed amounts: debits {d_fixed}, credits {c_fixed})", field="amount",
                params={"d_max": d_max, "c_max": c_max, "d_fixed": d_fixed, "c_fixed": c_fixed})
        if target <= 0:
            raise ValidationError("Nothing to match", field="entries")
        # settled in each debit's own currency (DESIGN §8): the rest is an exchange difference
        rates = _entry_rates(session, rows.values())
        result = settle(_open_side(debits, rates), _open_side(credits, rates))
        parts = {**result.debits, **result.credits}
        for side in (debits, credits):
            for r, mag in side:
                if mag is not None and parts.get(r.id, (ZERO, ZERO))[1] != mag:
                    raise ValidationError(
                        "The match cannot balance: {number} can settle only {most} USD of the {mag} USD typed", field="amount",
                        params={"number": r.number, "most": parts.get(r.id, (ZERO, ZERO))[1], "mag": mag})
        if not result.debits or not result.credits:
            raise ValidationError("Nothing to match", field="entries")
        for entry_id in ids:
            if entry_id not in parts:
                continue
            r = rows[entry_id]
            amt, usd = parts[entry_id]
            sign = 1 if r.open_usd > 0 else -1
            amt = amt * (1 if r.open_amount >= 0 else -1) if r.open_amount != 0 else ZERO
            allocations_out.append((entry_id, amt, usd * sign))
            lines.append(MatchedLine(entry_id, r.number, usd * sign, amt, r.currency, r.open_usd - usd * sign))
        target, exchange_usd = result.debit_usd, result.exchange_usd
    if exchange_usd != 0:
        fx = _write_exchange_difference(session, customer_id, [rows[i] for i in ids if any(a[0] == i for a in allocations_out)],
                                        exchange_usd, date)
        allocations_out.append((fx.id, ZERO, -exchange_usd))
        lines.append(MatchedLine(fx.id, fx.number, -exchange_usd, ZERO, fx.currency, ZERO))
    # the one writer of matches, shared with the sales receipt's automatic match
    from ..cash.till import apply_match as write_match

    match_id = write_match(session, actor, customer_id, allocations_out, date, kind)
    return MatchResult(match_id, customer_id, date, kind, target, tuple(lines), exchange_usd=exchange_usd)


def _entry_rates(session: Session, rows: Iterable) -> dict[int, Decimal]:
    """entry id → the rate (CDF per USD) of its document, the rate a settlement by it converts at."""
    rows = list(rows)
    doc_ids = {r.document_id for r in rows if r.document_id is not None}
    doc_rate = dict(session.execute(select(D.c.id, D.c.rate).where(D.c.id.in_(doc_ids))).all()) if doc_ids else {}
    out = {}
    for r in rows:
        rate = doc_rate.get(r.document_id)
        if rate is None or rate <= 0 or (r.currency != "USD" and rate == 1 and r.amount_usd and
                                         abs(r.amount) != abs(r.amount_usd)):
            # no document rate: the entry's own booked ratio
            rate = (abs(r.amount) / abs(r.amount_usd)) if r.currency != "USD" and r.amount_usd else Decimal(1)
        out[r.id] = rate
    return out


def _open_side(side: list, rates: dict[int, Decimal]) -> list[OpenEntry]:
    """The entries of one side as :class:`OpenEntry`, typed amounts first, then oldest first."""
    fixed = [p for p in side if p[1] is not None]
    free = sorted((p for p in side if p[1] is None), key=lambda p: _age_key(p[0]))
    out = []
    for r, mag in fixed + free:
        if r.open_amount == 0:  # nothing left in its currency (an old USD-only remainder): settle it in USD
            ccy, open_amt = Currency.USD, abs(r.open_usd)
        else:
            ccy, open_amt = Currency(r.currency), abs(r.open_amount)
        limit = None if mag is None else (mag if ccy is Currency.USD else _currency_part(r, mag))
        out.append(OpenEntry(r.id, ccy, open_amt, abs(r.open_usd), rates[r.id], limit, mag))
    return out


def _write_exchange_difference(session: Session, customer_id: int, entries: list, exchange_usd: Decimal,
                               date: dt.date):
    """The settling voucher's exchange difference: Cr 1200 / Dr 4200 a loss (``exchange_usd`` > 0), the
    reverse for a gain; written on the document of the latest entry settled (the settlement), dated
    ``date``. Returns the new ledger entry (currency amount 0: only the USD differs)."""
    with_doc = [r for r in entries if r.document_id is not None]
    if not with_doc:
        raise ValidationError("An exchange difference needs a document to book it on", field="entries")
    latest = max(with_doc, key=lambda r: (r.doc_date, r.id))
    debit_ccy = next((r.currency for r in entries if r.open_usd > 0), latest.currency)
    return _post_exchange(session, latest.document_id, customer_id, Currency(debit_ccy), -exchange_usd, date,
                          memo=nt.EXCHANGE_DIFFERENCE)


def _post_exchange(session: Session, document_id: int, customer_id: int, ccy: Currency, receivable_usd: Decimal,
                   date: dt.date, memo: str):
    """A further voucher of ``document_id``: ``receivable_usd`` on the customer (0 in ``ccy``), the other
    side on 4200. Returns the ledger entry written."""
    from ...store.models import Document
    from ..documents.posting import PostingService

    doc = session.get(Document, document_id)
    journal = [JLine(RECEIVABLE, receivable_usd, ccy, ZERO, customer_id=customer_id, memo=memo),
               JLine(EXCHANGE, -receivable_usd, memo=memo)]
    _, entry_ids = PostingService(None).write_voucher(
        session, doc, journal, narration=nt.stored(nt.EXCHANGE_DIFFERENCE_ON, number=doc.number), reference=memo, date=date)
    return session.execute(select(LE).where(LE.c.id == entry_ids[0])).first()


def unmatch(session: Session, actor: Actor | None, match_id: int, date: dt.date) -> MatchResult:
    """Undo a match from ``date`` on: its entries get their open balances back; the match stays in history."""
    m = session.execute(select(M).where(M.c.id == match_id)).first() if 0 < match_id <= MAX_INTEGER else None
    if m is None:
        raise NotFound("Match {match_id} not found", field="match", params={"match_id": match_id})
    if m.unmatched_on is not None:
        raise ValidationError("Match {match_id} was already unmatched on {unmatched_on}", field="match",
            params={"match_id": match_id, "unmatched_on": m.unmatched_on})
    if not isinstance(date, dt.date):
        raise ValidationError("The unmatch date is required", field="date")
    if date < m.date:
        raise ValidationError("The unmatch date {date} is before the match date {match_date}", field="date",
            params={"date": date, "match_date": m.date})
    balances.keep_open_months(session, date)  # before the unmatch: the month ends kept so far
    now = utcnow()
    lines = session.execute(
        select(ML.c.entry_id, ML.c.amount, ML.c.amount_usd, LE.c.number, LE.c.currency, LE.c.open_usd,
               LE.c.open_amount, LE.c.amount.label("entry_amount"), LE.c.amount_usd.label("entry_usd"),
               LE.c.document_id, LE.c.customer_id, LE.c.due_date, LE.c.doc_date)
        .join(LE, LE.c.id == ML.c.entry_id).where(ML.c.match_id == match_id).order_by(ML.c.id)
    ).all()
    out = []
    for l in lines:
        open_usd = l.open_usd + l.amount_usd
        session.execute(update(LE).where(LE.c.id == l.entry_id).values(
            open_usd=open_usd, open_amount=l.open_amount + l.amount,
            is_open=open_usd != 0 or l.open_amount + l.amount != 0, changed_at=now))
        out.append(MatchedLine(l.entry_id, l.number, l.amount_usd, l.amount, l.currency, open_usd))
    balances.add_open(session, [(l.customer_id, l.entry_usd, l.due_date, l.doc_date, l.amount_usd) for l in lines], date)
    session.execute(update(M).where(M.c.id == match_id).values(
        unmatched_on=date, unmatched_by=actor.user_id if actor else None, unmatched_at=now))
    from ..cash.till import apply_match as write_match

    for l in lines:
        if l.entry_amount == 0 and l.entry_usd != 0 and l.document_id is not None:
            # the exchange difference the match booked is no longer realised: reverse it on 4200,
            # and settle the difference with its reversal
            rev = _post_exchange(session, l.document_id, m.customer_id, Currency(l.currency), -l.amount_usd, date,
                                 memo=nt.EXCHANGE_DIFFERENCE_REVERSED)
            write_match(session, actor, m.customer_id, [(l.entry_id, ZERO, l.amount_usd), (rev.id, ZERO, -l.amount_usd)],
                        date, "auto")
    total = sum((l.amount_usd for l in lines if l.amount_usd > 0), ZERO)
    code = _customer_code(session, m.customer_id)
    audit.record(
        session, actor, "unmatch", "match", match_id,
        before={"customer": code, "date": m.date, "kind": m.kind, "total_usd": total},
        after={"unmatched_on": date},
        summary=f"unmatched match {match_id} for {code} on {date}: {total} USD "
                f"({', '.join(l.number for l in lines)})",
    )
    return MatchResult(match_id, m.customer_id, m.date, m.kind, total, tuple(out), unmatched_on=date)


# ---------------------------------------------------------------- automatic matching


def _open_entries(session: Session, customer_id: int, *, debit: bool, up_to: dt.date | None, exclude: int,
                  batch: int = 200):
    """The customer's open debits (or credits), oldest first, streamed in batches."""
    if not debit and not _has_open_credit(session, customer_id, up_to):
        # the usual case on every invoice: no open credit to use. The entries' index finds credits only
        # among all of the customer's open entries (each post read all its open invoices); the open
        # amounts per kind (open_due, kept with every entry, match and unmatch) answer in one key lookup
        return
    # the first batch (every posting to a customer asks it: usually the only one) is a statement built once
    params = {"customer": customer_id, "exclude": exclude}
    if up_to is not None:
        params["up_to"] = up_to
    rows = session.execute(_first_open_entries(debit, up_to is not None, batch), params).all()
    if not rows:
        return
    yield from rows
    sign_cond = LE.c.open_usd > 0 if debit else LE.c.open_usd < 0
    age = func.coalesce(LE.c.due_date, LE.c.doc_date)
    last = (rows[-1].age, rows[-1].doc_date, rows[-1].id)
    while True:
        stmt = select(LE.c.id, LE.c.open_usd, age.label("age"), LE.c.doc_date).where(
            LE.c.customer_id == customer_id, LE.c.is_open == True, sign_cond, LE.c.id != exclude)  # noqa: E712
        if up_to is not None:
            stmt = stmt.where(LE.c.doc_date <= up_to)
        stmt = stmt.where(tuple_(age, LE.c.doc_date, LE.c.id) > tuple_(*last))
        rows = session.execute(stmt.order_by(age, LE.c.doc_date, LE.c.id).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = (rows[-1].age, rows[-1].doc_date, rows[-1].id)


def _has_open_credit(session: Session, customer_id: int, up_to: dt.date | None) -> bool:
    """Whether the customer has an open credit dated up to ``up_to``: a credit's open amount counts in
    the ``C`` row of its date (keyed customer, kind, date), and rows that come to zero are deleted."""
    params = {"customer": customer_id, "up_to": up_to or dt.date.max}
    return _OPEN_CREDIT.first(session, params) is not None


_OD = OpenDue.__table__
_OPEN_CREDIT = Prepared(select(literal(1)).where(
    _OD.c.customer_id == bindparam("customer"), _OD.c.kind == "C",
    _OD.c.due_date <= bindparam("up_to", type_=_OD.c.due_date.type)).limit(1))


@functools.lru_cache(maxsize=None)
def _first_open_entries(debit: bool, dated: bool, batch: int):
    """:func:`_open_entries`' first batch: debits or credits, up to a date or not (``up_to`` bound)."""
    age = func.coalesce(LE.c.due_date, LE.c.doc_date)
    stmt = select(LE.c.id, LE.c.open_usd, age.label("age"), LE.c.doc_date).where(
        LE.c.customer_id == bindparam("customer"), LE.c.is_open == True,  # noqa: E712
        LE.c.open_usd > 0 if debit else LE.c.open_usd < 0, LE.c.id != bindparam("exclude"))
    if dated:
        stmt = stmt.where(LE.c.doc_date <= bindparam("up_to", type_=LE.c.doc_date.type))
    return stmt.order_by(age, LE.c.doc_date, LE.c.id).limit(batch)


def _settle_against(session: Session, actor: Actor | None, customer_id: int, entry_id: int, *, want_debits: bool,
                    date: dt.date | None, kind: str) -> MatchResult | None:
    row = session.execute(select(LE).where(LE.c.id == entry_id)).first()
    if row is None:
        raise NotFound("Ledger entry {entry_id} not found", field="entries", params={"entry_id": entry_id})
    if row.customer_id != customer_id:
        raise ValidationError("{number} does not belong to customer {customer_code}",
                              field="entries",
            params={"number": row.number, "customer_code": _customer_code(session, customer_id)})
    is_credit = row.open_usd < 0
    if row.open_usd == 0 or is_credit != want_debits:
        return None
    need = abs(row.open_usd)
    picked: list[int] = []
    for other in _open_entries(session, customer_id, debit=want_debits, up_to=date, exclude=entry_id):
        picked.append(other.id)
        need -= abs(other.open_usd)
        if need <= 0:
            break
    if not picked:
        return None
    the_date = max(d for d in (date, earliest_match_date(session, [entry_id, *picked])) if d is not None)
    return match_entries(session, actor, customer_id, [(entry_id, None), *((i, None) for i in picked)], the_date,
                         kind)


def settle_oldest(session: Session, actor: Actor | None, customer_id: int, credit_entry_id: int,
                  date: dt.date | None = None, kind: str = "payment") -> MatchResult | None:
    """Use a credit entry (a payment on account, a return) on the customer's oldest open debits.

    Debits are taken by due date, then date, then id, and only those dated on
    or before ``date`` (the payment's date). Returns None when there is nothing
    to settle; what is left of the credit stays open (a negative open item).
    """
    return _settle_against(session, actor, customer_id, credit_entry_id, want_debits=True, date=date, kind=kind)


@dataclass(frozen=True, slots=True)
class SettlementPlan:
    """What a document about to be posted settles on the customer's open entries, worked out before its
    voucher is written so the exchange difference goes in that voucher (DESIGN §7, §8): a payment on
    account settling the oldest open debits, an invoice using the customer's open credits."""

    currency: Currency  # the new document's receivable currency
    amount: Decimal  # its receivable amount (magnitude)
    new_is_debit: bool  # an invoice (debit) using credits, or a payment (credit) settling debits
    others: tuple[tuple[int, Decimal, Decimal], ...]  # (entry id, amount in its currency, booked USD) settled
    used: Decimal  # of the new entry, in its currency
    used_usd: Decimal  # the new entry's booked USD of ``used``
    others_usd: Decimal  # Σ the other entries' booked USD settled
    exchange_currency: Currency = Currency.USD  # the debit's currency: the exchange line's

    @property
    def exchange_usd(self) -> Decimal:
        """The debits' booked USD less the credits': + a loss (Dr 4200), − a gain."""
        return self.used_usd - self.others_usd if self.new_is_debit else self.others_usd - self.used_usd

    def exchange_lines(self, customer_id: int) -> list[JLine]:
        """Cr 1200 (0 in the debit's currency) / Dr 4200 a loss; the reverse for a gain."""
        x = self.exchange_usd
        if not x:
            return []
        return [JLine(RECEIVABLE, -x, self.exchange_currency, ZERO, customer_id=customer_id,
                      memo=nt.EXCHANGE_DIFFERENCE),
                JLine(EXCHANGE, x, memo=nt.EXCHANGE_DIFFERENCE)]


#: Kept for callers of the first name.
PaymentPlan = SettlementPlan


def plan_settlement(session: Session, customer_id: int, ccy: Currency, amount: Decimal, amount_usd: Decimal,
                    rate: Decimal, date: dt.date, *, new_is_debit: bool,
                    only: Sequence[int] | None = None) -> SettlementPlan:
    """Settle a new receivable entry of ``amount`` (``ccy`` at ``rate``, booked ``amount_usd``; magnitudes)
    against the customer's oldest open entries of the other side dated ≤ ``date`` (``only`` these, when
    given: a return settles its own invoice), each debit in its own currency (DESIGN §8)."""
    picked = []
    covered = ZERO
    if only is not None:
        wanted = session.execute(select(LE.c.id).where(
            LE.c.id.in_(list(only)), LE.c.customer_id == customer_id, LE.c.is_open == True,  # noqa: E712
            (LE.c.open_usd > 0) | (LE.c.open_amount > 0) if not new_is_debit else
            (LE.c.open_usd < 0) | (LE.c.open_amount < 0), LE.c.doc_date <= date).order_by(LE.c.id)).all()
    else:
        wanted = _open_entries(session, customer_id, debit=not new_is_debit, up_to=date, exclude=0)
    for other in wanted:
        r = session.execute(select(LE).where(LE.c.id == other.id)).first()
        picked.append(r)
        open_ccy = Currency.USD if r.open_amount == 0 else Currency(r.currency)
        open_amt = abs(r.open_usd) if r.open_amount == 0 else abs(r.open_amount)
        covered += convert_at(open_amt, open_ccy, ccy, rate)
        if covered >= amount:
            break
    empty = SettlementPlan(ccy, amount, new_is_debit, (), ZERO, ZERO, ZERO)
    if not picked or amount <= 0:
        return empty
    me = OpenEntry(0, ccy, amount, amount_usd, rate)
    theirs = _open_side([(r, None) for r in picked], _entry_rates(session, picked))
    result = settle([me], theirs) if new_is_debit else settle(theirs, [me])
    mine, others = (result.debits, result.credits) if new_is_debit else (result.credits, result.debits)
    if not others or 0 not in mine:
        return empty
    used, used_usd = mine[0]
    rows = {r.id: r for r in picked}
    parts = tuple((i, a if rows[i].open_amount != 0 else ZERO, u) for i, (a, u) in others.items())
    debit_ccy = ccy if new_is_debit else Currency(rows[parts[0][0]].currency)
    return SettlementPlan(ccy, amount, new_is_debit, parts, used, used_usd, sum((u for _, _, u in parts), ZERO),
                          debit_ccy)


def plan_payment(session: Session, customer_id: int, ccy: Currency, amount: Decimal, amount_usd: Decimal,
                 rate: Decimal, date: dt.date) -> SettlementPlan:
    """A payment on account (a credit) on the oldest open debits: :func:`plan_settlement`."""
    return plan_settlement(session, customer_id, ccy, amount, amount_usd, rate, date, new_is_debit=False)


def write_planned_match(session: Session, actor: Actor | None, customer_id: int, entry_ids: Sequence[int],
                        plan: SettlementPlan, date: dt.date, kind: str) -> MatchResult | None:
    """Match a posted document's receivable entry with what its plan settles.

    ``entry_ids``: the document's ledger entries — its receivable entry first, then its
    exchange-difference entry when the plan has one."""
    if not plan.others:
        return None
    entry_id = entry_ids[0]
    mine, theirs = (1, -1) if plan.new_is_debit else (-1, 1)
    allocs = [(i, a * theirs, u * theirs) for i, a, u in plan.others]
    allocs.append((entry_id, plan.used * mine, plan.used_usd * mine))
    ids = [entry_id, *(i for i, _, _ in plan.others)]
    if plan.exchange_usd != 0:
        allocs.append((entry_ids[1], ZERO, -plan.exchange_usd))
        ids.append(entry_ids[1])
    rows = {r.id: r for r in session.execute(select(LE).where(LE.c.id.in_(ids))).all()}
    the_date = max(d for d in (date, earliest_match_date(session, ids)) if d is not None)
    from ..cash.till import apply_match as write_match

    match_id = write_match(session, actor, customer_id, allocs, the_date, kind)
    lines = tuple(MatchedLine(i, rows[i].number, u, a, rows[i].currency, rows[i].open_usd - u) for i, a, u in allocs)
    total = plan.used_usd if plan.new_is_debit else plan.others_usd
    return MatchResult(match_id, customer_id, the_date, kind, total, lines, exchange_usd=plan.exchange_usd)


def write_payment_match(session: Session, actor: Actor | None, customer_id: int, entry_ids: Sequence[int],
                        plan: SettlementPlan, date: dt.date) -> MatchResult | None:
    return write_planned_match(session, actor, customer_id, entry_ids, plan, date, "payment")


def apply_credit(session: Session, customer_id: int, invoice_entry_id: int, *, actor: Actor | None = None,
                 date: dt.date | None = None) -> MatchResult | None:
    """Use the customer's open credits (oldest first) on a newly posted invoice's entry.

    "A customer's credit is used on the next invoice" (DESIGN §8): call it
    right after posting the invoice, in the same transaction. Returns the
    match, or None when the customer has no open credit (or the entry is not
    an open debit).
    """
    row = session.execute(select(LE.c.id, LE.c.open_usd, LE.c.doc_date).where(LE.c.id == invoice_entry_id)).first()
    if row is None:
        raise NotFound("Ledger entry {invoice_entry_id} not found", field="entries",
            params={"invoice_entry_id": invoice_entry_id})
    return _settle_against(session, actor, customer_id, invoice_entry_id, want_debits=False, date=date, kind="auto")


__all__ = [
    "Allocation",
    "MATCH_KINDS",
    "MatchResult",
    "MatchedLine",
    "active_match_ids",
    "apply_credit",
    "customer_balance",
    "earliest_match_date",
    "match_entries",
    "PaymentPlan",
    "SettlementPlan",
    "plan_payment",
    "plan_settlement",
    "write_planned_match",
    "settle_oldest",
    "sum_before",
    "unmatch",
    "write_payment_match",
]
