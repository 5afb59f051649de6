"""Hash chains that make the books tamper-evident (DESIGN §10, NF525-style).

Two chains: ``audit`` (every audit-log row) and ``journal`` (every posted
journal voucher with its lines). Each link stores its position ``chain_seq``
and ``chain_hash = sha256(previous hash + "\\n" + canonical text of the row)``.
The canonical text is JSON of the row's content in a fixed order: amounts as
scaled integers, dates and times as ISO text (times in UTC), ids rather than
codes. A direct SQL edit, insertion or removal then breaks the chain at that
row, and :func:`verify` names it.

Writers extend a chain inside their own transaction: :func:`head` reads the
chain's head row (``chain_head``) locked — on SQLite the write transaction's
``BEGIN IMMEDIATE`` already serialises writers, on PostgreSQL the head row is
taken ``FOR UPDATE`` — and :func:`advance` moves it. Hashing costs a few
microseconds per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, and_, func, or_, select, type_coerce

from shopterm.core.i18n import N_, _
from ...store.tables import AuditLog, ChainHead, Customer, JournalLine, JournalVoucher, LedgerEntry
# extending a chain (no SQLAlchemy: a read command's sign-in); re-exported, as every writer knows them here
from .links import (AUDIT, JOURNAL, _canon, _iso, _line_text, _scaled, advance, audit_text, chain_audit_rows,  # noqa: F401
                    chain_voucher, head, link_hash, utc_naive, voucher_text)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_HEAD = ChainHead
_AL = AuditLog
_JV = JournalVoucher
_JL = JournalLine


# ---------------------------------------------------------------- verifying


@dataclass(frozen=True, slots=True)
class ChainReport:
    chain: str  # audit | journal
    rows: int  # links checked
    problem: str = ""  # empty: intact; else names the first row that does not match
    head: str = ""  # the last link's hash, when intact: noted elsewhere, it shows a chain rewritten from the start

    @property
    def ok(self) -> bool:
        return not self.problem


_AUDIT_COLS = (_AL.c.id, _AL.c.at, _AL.c.user_id, _AL.c.user_name, _AL.c.action, _AL.c.entity, _AL.c.entity_id,
               _AL.c.summary, _AL.c.before, _AL.c.after, _AL.c.approver_id, _AL.c.chain_seq, _AL.c.chain_hash)
_VOUCHER_COLS = (_JV.c.id, _JV.c.document_id, _JV.c.location_id, _JV.c.date, _JV.c.voucher_type, _JV.c.number,
                 _JV.c.narration, _JV.c.chain_seq, _JV.c.chain_hash)
# amounts read raw, as the scaled integers stored (no Decimal per value)
_LINE_COLS = (_JL.c.voucher_id, _JL.c.date, _JL.c.location_id, _JL.c.account_id, _JL.c.customer_id,
              _JL.c.cost_centre_id, _JL.c.currency, type_coerce(_JL.c.amount, BigInteger).label("amount"),
              type_coerce(_JL.c.amount_usd, BigInteger).label("amount_usd"), _JL.c.memo)


#: What a verification says of a row (in the reader's language: ``db verify``, a refused Shop Close).
NOT_CHAINED = N_("{row}: it is not in the chain — inserted outside shopterm")
CHANGED = N_("{row}: its content does not match its hash — it was changed outside shopterm")


def describe_audit(row: Any) -> str:
    at = row.at.strftime("%Y-%m-%d %H:%M:%S") if row.at else "?"
    what = f"{row.action} {row.entity}" + (f" {row.entity_id}" if row.entity_id is not None else "")
    return _("audit row {id} ({at}, {user}: {what})").format(id=row.id, at=at, user=row.user_name, what=what)


def describe_voucher(row: Any) -> str:
    return _("journal voucher {number} (id {id}, {type}, dated {date})").format(
        number=row.number or _("(no number)"), id=row.id, type=row.voucher_type, date=row.date)


def _check_links(rows: Iterator[tuple[Any, str]], previous: str, expected_seq: int,
                 describe) -> tuple[int, str, str, int]:
    """Walk (row, text) in chain order from ``expected_seq``: (count, problem, last hash, last seq)."""
    count = 0
    for row, text in rows:
        count += 1
        if row.chain_seq != expected_seq:
            return count, _("{row}: the link before it is missing (expected position {expected}, "
                            "found {found}) — a row was removed").format(
                row=describe(row), expected=expected_seq, found=row.chain_seq), previous, expected_seq - 1
        digest = link_hash(previous, text)
        if digest != row.chain_hash:
            return count, _(CHANGED).format(row=describe(row)), previous, expected_seq
        previous = digest
        expected_seq += 1
    return count, "", previous, expected_seq - 1


def verify_audit(session: Session) -> ChainReport:
    unchained = session.execute(select(*_AUDIT_COLS).where(_AL.c.chain_seq.is_(None)).order_by(_AL.c.id).limit(1)).first()
    if unchained is not None:
        return ChainReport(AUDIT, 0, _(NOT_CHAINED).format(row=describe_audit(unchained)))
    result = session.execute(select(*_AUDIT_COLS).order_by(_AL.c.chain_seq))
    rows = ((r, audit_text(r.chain_seq, r._mapping)) for r in result)
    count, problem, last_hash, last_seq = _check_links(rows, "", 1, describe_audit)
    if problem:
        return ChainReport(AUDIT, count, problem)
    return ChainReport(AUDIT, count, _head_problem(session, AUDIT, N_("audit log"), last_seq, last_hash), last_hash)


def _voucher_rows(session: Session, stmt, chunk: int = 500) -> Iterator[tuple[Any, str]]:
    """(voucher, canonical text) for the vouchers of ``stmt``, their lines read a chunk at a time."""
    result = session.execute(stmt)
    while True:
        vouchers = result.fetchmany(chunk)
        if not vouchers:
            return
        lines: dict[int, list[dict]] = {v.id: [] for v in vouchers}
        for line in session.execute(select(*_LINE_COLS).where(_JL.c.voucher_id.in_(list(lines)))):
            lines[line.voucher_id].append(line._mapping)
        for v in vouchers:
            yield v, voucher_text(v.chain_seq, v._mapping, lines[v.id], scaled=True)


def verify_journal(session: Session) -> ChainReport:
    unchained = session.execute(select(*_VOUCHER_COLS).where(_JV.c.chain_seq.is_(None)).order_by(_JV.c.id).limit(1)).first()
    if unchained is not None:
        return ChainReport(JOURNAL, 0, _(NOT_CHAINED).format(row=describe_voucher(unchained)))
    stray = session.execute(
        select(_JL.c.id, _JL.c.voucher_id).where(~_JL.c.voucher_id.in_(select(_JV.c.id))).limit(1)).first()
    if stray is not None:
        return ChainReport(JOURNAL, 0, _("journal line {id} belongs to no voucher ({voucher}) — "
                                         "its voucher was removed outside shopterm").format(
            id=stray.id, voucher=stray.voucher_id))
    rows = _voucher_rows(session, select(*_VOUCHER_COLS).order_by(_JV.c.chain_seq))
    count, problem, last_hash, last_seq = _check_links(rows, "", 1, describe_voucher)
    if problem:
        return ChainReport(JOURNAL, count, problem)
    problem = _head_problem(session, JOURNAL, N_("journal"), last_seq, last_hash) or _ledger_problem(session)
    return ChainReport(JOURNAL, count, problem, last_hash)


def _ledger_problem(session: Session, location_id: int | None = None, day: dt.date | None = None) -> str:
    """The customer ledger repeats its journal lines (customer, currency, amounts): a difference was made
    outside shopterm. (Its open amounts change with matching and are not compared.)"""
    le = LedgerEntry
    # a customer merged into another: its entries moved to that one, its journal lines (final) did not
    merged = Customer.alias("merged")
    stmt = (select(le.c.id, le.c.number, _JL.c.id.label("line"))
            .select_from(le.outerjoin(_JL, _JL.c.id == le.c.journal_line_id)
                         .outerjoin(merged, merged.c.id == _JL.c.customer_id))
            .where(or_(_JL.c.id.is_(None),
                       and_(le.c.customer_id != _JL.c.customer_id,
                            or_(merged.c.merged_into_id.is_(None), merged.c.merged_into_id != le.c.customer_id)),
                       le.c.currency != _JL.c.currency,
                       le.c.amount != _JL.c.amount, le.c.amount_usd != _JL.c.amount_usd)))
    if location_id is not None:
        stmt = stmt.where(le.c.location_id == location_id, le.c.doc_date == day)
    row = session.execute(stmt.order_by(le.c.id).limit(1)).first()
    if row is None:
        return ""
    if row.line is None:
        return _("customer ledger entry {id} ({number}) has no journal line — changed outside shopterm").format(
            id=row.id, number=row.number)
    return _("customer ledger entry {id} ({number}) does not match its journal line {line} — "
             "it was changed outside shopterm").format(id=row.id, number=row.number, line=row.line)


def _head_problem(session: Session, name: str, label: str, last_seq: int, last_hash: str) -> str:
    row = session.execute(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.name == name)).first()
    seq, digest = (int(row[0]), row[1] or "") if row else (0, "")
    if (seq, digest) != (last_seq, last_hash):
        return _("the {label} chain ends at position {last} but its head records position {seq}: "
                 "its last rows were removed or its head was changed outside shopterm").format(
            label=_(label), last=last_seq, seq=seq)
    return ""


def verify(session: Session) -> list[ChainReport]:
    """Recompute both chains from their start (``shopterm db verify``)."""
    return [verify_audit(session), verify_journal(session)]


def verify_day(session: Session, location_id: int, day: dt.date, since: dt.datetime | None) -> str:
    """The links a shop close depends on: the location's vouchers dated ``day`` and the audit rows written
    since ``since`` (the day's opening), each against the link before it. Empty when intact, else the problem."""
    # journal: each voucher of the day against its predecessor's stored hash
    stmt = (select(*_VOUCHER_COLS).where(_JV.c.location_id == location_id, _JV.c.date == day)
            .order_by(_JV.c.chain_seq))
    vouchers = list(_voucher_rows(session, stmt))
    for v, _text in vouchers:
        if v.chain_seq is None:
            return _(NOT_CHAINED).format(row=describe_voucher(v))
    seqs = [v.chain_seq - 1 for v, _t in vouchers if v.chain_seq > 1]
    previous: dict[int, str] = {}
    for i in range(0, len(seqs), 500):
        previous.update(session.execute(select(_JV.c.chain_seq, _JV.c.chain_hash)
                                        .where(_JV.c.chain_seq.in_(seqs[i:i + 500]))).all())
    for v, text in vouchers:
        before = "" if v.chain_seq == 1 else previous.get(v.chain_seq - 1)
        if before is None:
            return _("{row}: the link before it is missing — a voucher was removed").format(row=describe_voucher(v))
        if link_hash(before, text) != v.chain_hash:
            return _(CHANGED).format(row=describe_voucher(v))
    ledger = _ledger_problem(session, location_id, day)
    if ledger:
        return ledger
    # audit: the tail of the chain written since the day was opened
    cond = _AL.c.at >= since if since is not None else _AL.c.id.is_not(None)
    unchained = session.execute(select(*_AUDIT_COLS).where(cond, _AL.c.chain_seq.is_(None)).limit(1)).first()
    if unchained is not None:
        return _(NOT_CHAINED).format(row=describe_audit(unchained))
    first = session.execute(select(func.min(_AL.c.chain_seq)).where(cond)).scalar()
    if first is None:
        return ""
    start = max(1, first - 1)
    before = ""
    if start > 1:
        before = session.execute(select(_AL.c.chain_hash).where(_AL.c.chain_seq == start - 1)).scalar()
        if before is None:
            row = session.execute(select(*_AUDIT_COLS).where(_AL.c.chain_seq >= start).order_by(_AL.c.chain_seq)
                                  .limit(1)).first()
            return _("{row}: the link before it is missing — an audit row was removed").format(row=describe_audit(row))
    result = session.execute(select(*_AUDIT_COLS).where(_AL.c.chain_seq >= start).order_by(_AL.c.chain_seq))
    rows = ((r, audit_text(r.chain_seq, r._mapping)) for r in result)
    _count, problem, last_hash, last_seq = _check_links(rows, before, start, describe_audit)
    return problem
