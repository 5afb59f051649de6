"""The posting framework shared by every document (DESIGN §1, §6, §7).

A service builds a :class:`PostingPlan` — the document header, its lines, the
journal (from rules in ``core``), stock moves and loyalty points — and hands it
to :meth:`PostingService.post` inside its write transaction. ``post`` checks
the journal balances in USD, allocates the gapless number, and writes the
header, lines, voucher, journal lines, customer-ledger entries, stock moves,
loyalty rows and the audit row. Any error rolls the whole transaction back:
nothing is half-written and no number is used up.

Hot paths insert with Core statements (DESIGN §14).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session

from shopterm.core.doctypes import status_name
from ...core.journal import INVENTORY, JLine, UnbalancedJournalError, check_balanced, cost_of, without_zero
from ...core.text import bad_character
from ...store.models import (
    Account,
    CostCentre,
    Document,
    DocumentLine,
    JournalLine,
    JournalVoucher,
    LedgerEntry,
    Location,
    LoyaltyTransaction,
    StockMove,
)
from ...store import balances
from ...store.db import Prepared
from ...store.master_cache import MasterRead
from ...store.numbering import next_number
from ..admin import audit, chain
from ..context import Actor
from ..errors import NotFound, PostedIsFinal, UnbalancedJournal, ValidationError

if TYPE_CHECKING:
    from .. import Services


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(slots=True)
class StockSpec:
    item_id: int
    batch_id: int
    qty: Decimal  # signed
    unit_cost_usd: Decimal
    kind: str
    line_index: int | None = None  # index into plan.lines


@dataclass(slots=True)
class LoyaltySpec:
    customer_id: int
    kind: str  # earn | redeem | reverse
    points: int
    value_usd: Decimal = Decimal("0")


class HeaderValues:
    """A new document header as column values, for :class:`PostingPlan` ``doc`` on hot paths: no ORM
    object (building and filling a SQLModel ``Document`` cost ≈ 0.35 ms of a 10-line invoice's post).
    Its attributes are the ``document`` table's columns, the model's defaults unless named (the
    defaults are read from the model, never restated). Posting writes it with one INSERT and sets
    ``id``; it does not join the session: read the stored document back (``session.get``) to change it.
    """

    def __init__(self, **values):
        unknown = values.keys() - _DOC_NAMES
        missing = _DOC_REQUIRED - values.keys()
        if unknown or missing:
            raise TypeError(f"HeaderValues: no column {', '.join(sorted(unknown))}" if unknown
                            else f"HeaderValues: {', '.join(sorted(missing))} required")
        d = self.__dict__
        d.update(_DOC_DEFAULTS)
        for name, factory in _DOC_FACTORIES:
            d[name] = factory()
        d.update(values)


@dataclass(slots=True)
class PostingPlan:
    doc: "Document | HeaderValues"
    lines: "list[DocumentLine | dict]" = field(default_factory=list)  # objects, or line_row() dicts
    journal: list[JLine] = field(default_factory=list)
    stock: list[StockSpec] = field(default_factory=list)
    loyalty: list[LoyaltySpec] = field(default_factory=list)
    reference: str = ""  # shown on customer-ledger entries (e.g. the invoice a receipt settles)
    due_date: dt.date | None = None
    method: str = ""  # payment method for receipts
    approver: Actor | None = None
    summary: str = ""


@dataclass(frozen=True, slots=True)
class PostResult:
    document_id: int
    number: str
    ledger_entry_ids: tuple[int, ...]
    voucher_id: int | None
    #: the posted header as written (its totals, for a reply that need not read the document back)
    doc: "Document | HeaderValues | None" = field(default=None, compare=False, repr=False)


class AccountCache:
    """Account and cost-centre codes → ids, read once per transaction."""

    def __init__(self, session: Session, journal: "list[JLine] | None" = None):
        if journal is None:
            self.accounts = dict(session.execute(select(Account.code, Account.id)).all())
            self.centres = dict(session.execute(select(CostCentre.code, CostCentre.id)).all())
            return
        # only the codes the journal names: one small indexed read (two when a line has a cost centre)
        codes = sorted({line.account for line in journal})
        self.accounts = dict(_ACCOUNT_IDS.all(session, {"codes": codes}))
        centres = sorted({line.cost_centre for line in journal if line.cost_centre is not None})
        self.centres = dict(session.execute(select(CostCentre.code, CostCentre.id)
                                            .where(CostCentre.code.in_(centres))).all()) if centres else {}

    def account(self, code: str) -> int:
        try:
            return self.accounts[code]
        except KeyError:
            raise NotFound("Account {code} is not in the chart of accounts", field="account",
                params={"code": code}) from None

    def centre(self, code: str | None) -> int | None:
        if code is None:
            return None
        try:
            return self.centres[code]
        except KeyError:
            raise NotFound("Cost centre {code} not found", field="cost_centre", params={"code": code}) from None


_LINE_COLUMNS = tuple(c.name for c in DocumentLine.__table__.columns if c.name != "id")


def _declared_defaults(model) -> dict:
    """The columns' defaults as the model declares them, read from its fields: building a first instance
    of a model costs 20-40 ms of a command's start. Columns made by a factory or required are left out."""
    return {name: f.get_default() for name, f in model.model_fields.items()
            if f.default_factory is None and not f.is_required()}


_LINE_DEFAULTS = {c: v for c, v in {**_declared_defaults(DocumentLine), "document_id": 0, "line_no": 0}.items()
                  if c in _LINE_COLUMNS}


def line_row(**values) -> dict:
    """A document line as column values, for :class:`PostingPlan` ``lines`` on hot paths (no ORM object
    per line); unnamed columns take the model's defaults. After posting, ``row["id"]`` is its id."""
    row = dict(_LINE_DEFAULTS, extra={})
    row.update(values)
    return row


def line_id(line: "DocumentLine | dict") -> int | None:
    return line.get("id") if isinstance(line, dict) else line.id


def _insert_lines(session: Session, doc_id: int, lines: "list[DocumentLine | dict]") -> None:
    """Write a document's lines: new ones in one executemany, their ids read back in one query (ids
    grow in insertion order within the transaction). A new line object then joins the session as a
    persistent row (a later change to it is an UPDATE); a row dict gets ``id``. Line objects that are
    already in a session go through the ORM, first."""
    if not lines:
        return
    known = [l for l in lines if not isinstance(l, dict) and not sa_inspect(l).transient]
    if known:
        session.add_all(known)
        session.flush()
    new = [l for l in lines if isinstance(l, dict) or sa_inspect(l).transient]
    if not new:
        return
    _INSERT_LINES.executemany(session, [
        {c: l[c] for c in _LINE_COLUMNS} if isinstance(l, dict) else {c: getattr(l, c) for c in _LINE_COLUMNS}
        for l in new
    ])
    ids = _NEW_LINE_IDS.scalars(session, {"doc": doc_id, "n": len(new)})
    for line, new_id in zip(new, reversed(ids)):
        if isinstance(line, dict):
            line["id"] = new_id
            continue
        line.id = new_id
        make_transient_to_detached(line)
        session.add(line)


def _write_header(session: Session, doc: "Document | HeaderValues") -> None:
    """Write a document header: a new one (not in the session yet) with one compiled INSERT … RETURNING
    id, then joined to the session as a persistent row (a later change to it is an UPDATE), as
    :func:`_insert_lines` does with new line objects; one already in the session through the ORM. A
    :class:`HeaderValues` is only inserted (it gets its ``id``)."""
    if doc.__class__ is HeaderValues:
        values = doc.__dict__
        doc.id = _INSERT_DOCUMENT.scalar(session, {c: values[c] for c in _DOC_COLUMNS})
        return
    if not sa_inspect(doc).transient:
        session.add(doc)
        session.flush()
        return
    doc.id = _INSERT_DOCUMENT.scalar(session, {c: getattr(doc, c) for c in _DOC_COLUMNS})
    make_transient_to_detached(doc)
    session.add(doc)


# The posting's statements, compiled once per dialect and run on the transaction's DB-API cursor
# (store.db.Prepared): each posting only binds its rows.
_INSERT_VOUCHER = Prepared(insert(JournalVoucher.__table__).returning(JournalVoucher.__table__.c.id))
_INSERT_JOURNAL_LINE = Prepared(insert(JournalLine.__table__).returning(JournalLine.__table__.c.id))
_INSERT_ENTRY = Prepared(insert(LedgerEntry.__table__).returning(LedgerEntry.__table__.c.id))
_INSERT_PLAIN_LINES = Prepared(insert(JournalLine.__table__))
_INSERT_MOVES = Prepared(insert(StockMove.__table__))
_INSERT_LOYALTY = Prepared(insert(LoyaltyTransaction.__table__))
_INSERT_LINES = Prepared(insert(DocumentLine.__table__))
_DOC_COLUMNS = tuple(c.name for c in Document.__table__.columns if c.name != "id")
# a HeaderValues's defaults, from the model: fixed values, and the factories called per row (extra, timestamps)
_DOC_FACTORIES = tuple((name, f.default_factory) for name, f in Document.model_fields.items()
                       if f.default_factory is not None)
_DOC_DEFAULTS = _declared_defaults(Document)
_DOC_NAMES = frozenset(("id", *_DOC_COLUMNS))
_DOC_REQUIRED = _DOC_NAMES - _DOC_DEFAULTS.keys() - dict(_DOC_FACTORIES).keys()
_INSERT_DOCUMENT = Prepared(insert(Document.__table__).returning(Document.__table__.c.id))
_NEW_LINE_IDS = Prepared(select(DocumentLine.__table__.c.id).where(DocumentLine.__table__.c.document_id == bindparam("doc"))
                         .order_by(DocumentLine.__table__.c.id.desc()).limit(bindparam("n")))
_LOCATION_NUMBER = MasterRead(select(Location.__table__.c.number).where(Location.__table__.c.id == bindparam("id")))
_ACCOUNT_IDS = MasterRead(select(Account.code, Account.id).where(Account.code.in_(bindparam("codes", expanding=True))),
                          per=("codes", "code"))


class PostingService:
    def __init__(self, services: "Services"):
        self.s = services

    def post(self, session: Session, actor: Actor, plan: PostingPlan, *, with_journal: bool = True) -> PostResult:
        doc = plan.doc
        if doc.status != "draft":
            raise PostedIsFinal("{doc_type} {number} is already {status}; posted documents are final",
                params={"doc_type": doc.doc_type, "number": doc.number, "status": status_name(doc.status)})
        journal = without_zero(plan.journal)
        try:
            check_balanced(journal)
        except UnbalancedJournalError as exc:
            raise UnbalancedJournal(str(exc)) from None
        if plan.stock and with_journal and not any(l.account == INVENTORY for l in journal):
            # every stock move books its cost in the same voucher, whatever the sales value (DESIGN §6)
            cost = cost_of((abs(s.qty), s.unit_cost_usd) for s in plan.stock)
            if cost:
                raise UnbalancedJournal("{doc_type}: stock moves worth {cost} USD at cost, but no {inventory} Inventory line in its journal",
                    params={"doc_type": doc.doc_type, "cost": cost, "inventory": INVENTORY})
        # its number goes into the document's (a master: kept while none changed, store.master_cache)
        location = _LOCATION_NUMBER.first(session, {"id": doc.location_id})
        if location is None:
            raise NotFound("Location not found", field="location")
        for name in ("narration", "contact_no"):  # the last guard before the text is printed anywhere
            bad = bad_character(getattr(doc, name, None) or "", multiline=True)
            if bad is not None:
                raise ValidationError("{name}: control characters are not allowed ({bad}); type plain text", field=name,
                    params={"name": name.replace('_', ' ').capitalize(), "bad": bad})
        now = utcnow()
        was_draft = doc.id is not None
        doc.number = next_number(session, doc.doc_type, doc.location_id, location[0], doc.doc_date)
        doc.status = "posted"
        doc.posted_by = actor.user_id
        doc.posted_at = now
        doc.updated_at = now
        if doc.created_by is None:
            doc.created_by = actor.user_id
        if plan.approver is not None:
            doc.approved_by = plan.approver.user_id
        _write_header(session, doc)
        if was_draft:  # a draft being posted: its saved lines are replaced by the plan's
            session.execute(delete(DocumentLine).where(DocumentLine.document_id == doc.id))
        for i, line in enumerate(plan.lines, start=1):
            if isinstance(line, dict):
                line["document_id"] = doc.id
                line["line_no"] = line["line_no"] or i
            else:
                line.document_id = doc.id
                line.line_no = line.line_no or i
        _insert_lines(session, doc.id, plan.lines)

        voucher_id = None
        entry_ids: list[int] = []
        if with_journal and journal:
            voucher_id = self._write_journal(session, doc, journal, plan, now, entry_ids)
        if plan.stock:
            moves = [
                dict(
                    location_id=doc.location_id, item_id=s.item_id, batch_id=s.batch_id, date=doc.doc_date,
                    qty=s.qty, unit_cost_usd=s.unit_cost_usd, kind=s.kind, document_id=doc.id,
                    document_line_id=line_id(plan.lines[s.line_index]) if s.line_index is not None else None,
                    created_at=now,
                )
                for s in plan.stock
            ]
            _INSERT_MOVES.executemany(session, moves)
            balances.add_moves(session, moves)  # on hand per item/location/batch, same transaction
        loyalty_rows = [
            dict(customer_id=l.customer_id, document_id=doc.id, date=doc.doc_date, kind=l.kind,
                 points=l.points, value_usd=l.value_usd, created_at=now)
            for l in plan.loyalty if l.points
        ]
        if loyalty_rows:
            _INSERT_LOYALTY.executemany(session, loyalty_rows)
        audit.record(
            session, actor, "post", "document", doc.id,
            after={"number": doc.number, "type": doc.doc_type, "net": str(doc.net_amount), "currency": doc.currency,
                   "amount": str(doc.amount)},
            summary=plan.summary or f"posted {doc.doc_type} {doc.number}",
            approver_id=plan.approver.user_id if plan.approver else None,
        )
        return PostResult(doc.id, doc.number, tuple(entry_ids), voucher_id, doc)

    def write_voucher(self, session: Session, doc: Document, journal: list[JLine], *, narration: str = "",
                      reference: str = "", method: str = "", due_date: dt.date | None = None,
                      date: dt.date | None = None) -> tuple[int, list[int]]:
        """A further voucher for an already-posted document (cancellation reversal, approval, close),
        dated ``date`` (default: the document's date) — e.g. the day a document is cancelled."""
        journal = without_zero(journal)
        try:
            check_balanced(journal)
        except UnbalancedJournalError as exc:
            raise UnbalancedJournal(str(exc)) from None
        plan = PostingPlan(doc=doc, journal=journal, reference=reference, method=method, due_date=due_date)
        entry_ids: list[int] = []
        vid = self._write_journal(session, doc, journal, plan, utcnow(), entry_ids, narration=narration, date=date)
        return vid, entry_ids

    def _write_journal(self, session: Session, doc: Document, journal: list[JLine], plan: PostingPlan,
                       now: dt.datetime, entry_ids: list[int], narration: str | None = None,
                       date: dt.date | None = None) -> int:
        cache = AccountCache(session, journal)
        day = date or doc.doc_date
        if any(line.customer_id is not None for line in journal):  # before the entries: the month ends kept so far
            balances.keep_open_months(session, day)
        rows = [
            dict(
                location_id=doc.location_id, date=day,
                account_id=cache.account(line.account), customer_id=line.customer_id,
                cost_centre_id=cache.centre(line.cost_centre), currency=line.currency.value,
                amount=line.amount, amount_usd=line.amount_usd, memo=line.memo[:200],
            )
            for line in journal
        ]
        voucher = dict(
            document_id=doc.id, location_id=doc.location_id, date=day, voucher_type=doc.doc_type,
            number=doc.number, narration=(narration if narration is not None else doc.narration)[:500],
            created_at=now,
        )
        chain.chain_voucher(session, voucher, rows)  # its link in the journal's hash chain
        voucher_id = _INSERT_VOUCHER.scalar(session, voucher)
        plain = []
        opened: list[balances.OpenChange] = []
        for line, row in zip(journal, rows):
            row["voucher_id"] = voucher_id
            if line.customer_id is None:
                plain.append(row)
                continue
            jl_id = _INSERT_JOURNAL_LINE.scalar(session, row)
            entry_id = _INSERT_ENTRY.scalar(
                session, dict(
                    customer_id=line.customer_id, location_id=doc.location_id, journal_line_id=jl_id,
                    document_id=doc.id, voucher_type=doc.doc_type, number=doc.number or "",
                    reference=(plan.reference or line.memo)[:60], doc_date=day, due_date=plan.due_date,
                    currency=line.currency.value, amount=line.amount, amount_usd=line.amount_usd,
                    open_amount=line.amount, open_usd=line.amount_usd, is_open=line.amount_usd != 0,
                    method=plan.method, posted_at=now, changed_at=now,
                )
            )
            entry_ids.append(entry_id)
            opened.append((line.customer_id, line.amount_usd, plan.due_date, day, line.amount_usd))
        if plain:
            _INSERT_PLAIN_LINES.executemany(session, plain)
        balances.add_lines(session, rows)  # the running balances per account and day, same transaction
        balances.add_open(session, opened, day)  # the open amounts per customer and due date (the ageing's)
        balances.add_customer_months(session, [(c, day, usd) for c, usd, _due, _day, _ch in opened])  # balances
        return voucher_id
