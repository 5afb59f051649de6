"""Extending the hash chains (:mod:`.chain` has what they are and their verification).

The canonical text of a row, its link hash, and the head of each chain read and moved inside the
writer's transaction, through named statements (:mod:`shopterm.store.sqlrun`): the same functions
for a posting (an ORM session), the sign-in (a Core connection) and a read command's sign-in on
``sqlite3``. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ...store.sqlrun import Statement

AUDIT = "audit"
JOURNAL = "journal"


# ---------------------------------------------------------------- canonical text and hash


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def utc_naive(value: dt.datetime | None) -> dt.datetime | None:
    """A time in UTC without tzinfo (the columns store UTC; SQLite reads it back naive, PostgreSQL aware)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return utc_naive(value).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)  # already text (a raw row)


def _scaled(value: Decimal | None, scale: int = 2) -> int | None:
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(value)
    return int(value.scaleb(scale))


def link_hash(previous: str, text: str) -> str:
    return hashlib.sha256(f"{previous}\n{text}".encode()).hexdigest()


def audit_text(seq: int, row: dict) -> str:
    """The canonical text of an audit row (``row`` holds the audit_log columns)."""
    return _canon([
        seq, _iso(row.get("at")), row.get("user_id"), row.get("user_name") or "", row.get("action"),
        row.get("entity"), row.get("entity_id"), row.get("summary") or "", row.get("before"), row.get("after"),
        row.get("approver_id"),
    ])


def _line_text(l, scaled: bool = False) -> str:
    """A journal line's fields separated by US (0x1f); the memo, the only free text, comes last so it cannot
    shift the others. Amounts as scaled integers (``scaled``: they already are, as read raw from the table)."""
    amount, amount_usd = l.get("amount"), l.get("amount_usd")
    if not scaled:
        amount, amount_usd = _scaled(amount), _scaled(amount_usd)
    return "\x1f".join((
        _iso(l.get("date")) or "", str(l.get("location_id")), str(l.get("account_id")), str(l.get("customer_id")),
        str(l.get("cost_centre_id")), str(l.get("currency")), str(amount), str(amount_usd), l.get("memo") or "",
    ))


def voucher_text(seq: int, voucher: dict, lines: Iterable[dict], *, scaled: bool = False) -> str:
    """The canonical text of a voucher and its journal lines (line order does not matter)."""
    line_texts = sorted(_line_text(l, scaled) for l in lines)
    return _canon([
        seq, voucher.get("document_id"), voucher.get("location_id"), _iso(voucher.get("date")),
        voucher.get("voucher_type"), voucher.get("number") or "", voucher.get("narration") or "", line_texts,
    ])


# ---------------------------------------------------------------- extending a chain


# named statements (admin/sql.py): each posting extends two chains, a read command's sign-in one
_HEAD_OF = Statement("chain.head_of")
_HEAD_INSERT = Statement("chain.head_insert")
_ADVANCE = Statement("chain.advance")


def head(session: Session, name: str) -> tuple[int, str]:
    """The chain's last position and hash, locked until the transaction ends."""
    row = _HEAD_OF.first(session, {"head_name": name})
    if row is None:  # the chain's first link: create its head (two writers at once: one insert wins)
        _HEAD_INSERT.execute(session, {"head_name": name})
        row = _HEAD_OF.first(session, {"head_name": name})
    return int(row[0]), row[1] or ""


def advance(session: Session, name: str, seq: int, hash_: str) -> None:
    _ADVANCE.execute(session, {"head_name": name, "head_seq": seq, "head_hash": hash_})


def chain_audit_rows(session: Session, rows: list[dict]) -> None:
    """Give each audit row (a dict of audit_log columns, about to be inserted) its place in the chain."""
    seq, previous = head(session, AUDIT)
    for row in rows:
        seq += 1
        previous = link_hash(previous, audit_text(seq, row))
        row["chain_seq"], row["chain_hash"] = seq, previous
    advance(session, AUDIT, seq, previous)


def chain_voucher(session: Session, voucher: dict, lines: list[dict]) -> None:
    """Give a voucher (dict of journal_voucher columns, about to be inserted) its place in the chain."""
    seq, previous = head(session, JOURNAL)
    seq += 1
    digest = link_hash(previous, voucher_text(seq, voucher, lines))
    voucher["chain_seq"], voucher["chain_hash"] = seq, digest
    advance(session, JOURNAL, seq, digest)
