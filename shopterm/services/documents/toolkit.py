"""The document toolkit: what every transaction's service uses to read a form, keep a
draft, check its rules and take it to the posting path (DESIGN §1, §5, §6).

- :class:`Rules`: a build's broken rules, raised when posting, collected as a
  preview's warnings otherwise.
- :func:`day_and_location`, :func:`to_date`, :func:`currency_of`,
  :func:`rate_or_system`: the header every document has.
- :class:`Masters`: items, batches and prices read once per build.
- :func:`draft_row`, :func:`save_form_draft`, :func:`load_form_draft`,
  :func:`form_to_dict`, :func:`form_from_dict`: numberless drafts of any
  dataclass form (a :class:`~.drafts.DocumentDraft` has its own in the sales
  service).
- :func:`find_posted`, :func:`state_of`, :func:`refresh_state`,
  :func:`cancel_approver`, :func:`mark_cancelled`, :func:`reversal_of`: posted documents, their
  ``open``/``partial``/``closed`` state and their cancellation.
- :func:`voucher_rows`: the journal as F9 "Voucher Details" rows.

The posting itself is :mod:`.posting` (one path for every document).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from shopterm.core import narration as nt
from shopterm.core.doctypes import status_name
from shopterm.core.i18n import N_, _
from ...core.journal import JLine
from ...core.plain import plain
from ...core.money import Currency, MoneyError, parse_qty, parse_rate
from ...store.master_cache import MasterRead
from ...store.models import (Account, Batch, CostCentre, Customer, Document, DocumentLine, Item, JournalLine,
                              JournalVoucher, Location)
from ..admin import audit
from ..cash.day import check_open, find_location, system_rate_or_fail
from ..context import Actor
from ..errors import ApprovalRequired, DayClosed, DayNotOpen, InsufficientStock, NotFound, PostedIsFinal, ShopError, ValidationError
from ..masters.base import free_text
from ..schemes.pricing import PriceBook
from ..stock import default_batch, parse_date
from .drafts import DraftLine
from .posting import utcnow
from .views import JournalRow

if TYPE_CHECKING:
    from .. import Services

Z = Decimal("0.00")


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def code_of(value: Any) -> str:
    """A code as stored: trimmed, upper case."""
    return str(value or "").strip().upper()


def to_date(value: Any, default: dt.date) -> dt.date:
    """A typed date (blank: ``default``); a bad one names the ``date`` field."""
    return parse_date(value, "date") or default


def line_qty(value: Any, n: int) -> Decimal:
    """Line ``n``'s quantity as typed: a number greater than zero, else refused naming the ``qty`` field."""
    try:
        qty = parse_qty(value, field=N_("quantity"))
    except MoneyError as exc:
        raise ValidationError("Line {n}: {exc}", field="qty", line=n, params={"n": n, "exc": exc}) from None
    if qty <= 0:
        raise ValidationError("Line {n}: the quantity must be greater than zero", field="qty", line=n,
            params={"n": n})
    return qty


def rate_or_system(services: "Services", session: Session, rate: Any, on: dt.date) -> Decimal:
    """The exchange rate typed, or (blank) the system rate on ``on``."""
    if blank(rate):
        return system_rate_or_fail(services, session, on)
    try:
        return parse_rate(rate, field=N_("rate"))
    except MoneyError as exc:
        raise ValidationError("Exchange rate: {detail}", field="rate",
            params={"detail": re.split(r"\s?: ", str(exc), maxsplit=1)[-1]}) from None


class Rules:
    """A build's broken rules: raised at once when posting (``strict``), collected as the
    preview's warnings otherwise (each message once)."""

    def __init__(self, strict: bool):
        self.strict = strict
        self.warnings: list[str] = []

    def __call__(self, exc: ShopError) -> None:
        if self.strict:
            raise exc
        if exc.message not in self.warnings:
            self.warnings.append(exc.message)


def day_and_location(services: "Services", session: Session, location: str | None, date: Any,
                     actor: Actor | None, rule: Rules) -> tuple[dt.date, Location]:
    """The document's date (default: the business date) and location; its day must be open."""
    day = to_date(date, services.today())
    loc = find_location(session, location, actor)
    try:
        check_open(session, loc.id, day)
    except (DayNotOpen, DayClosed) as exc:
        rule(exc)
    return day, loc


def currency_of(value: Any) -> Currency:
    """The document currency typed (blank: USD)."""
    try:
        return Currency.parse(value or "USD")
    except MoneyError:
        raise ValidationError("Currency: use USD or CDF (got {value!r})", field="currency",
            params={"value": value}) from None


def find_posted(session: Session, number: str, types: Sequence[str], what: str, fld: str) -> Document:
    """A numbered document of one of ``types``; refuses a blank number or an unknown one."""
    num = (number or "").strip().upper()
    if not num:
        raise ValidationError("{what} number is required", field=fld, params={"what": _(what)})
    doc = session.exec(select(Document).where(Document.number == num, col(Document.doc_type).in_(list(types)))).first()
    if doc is None:
        raise NotFound("{what} {number} not found", field=fld, params={"what": _(what), "number": num})
    return doc


def state_of(lines: Iterable[DocumentLine]) -> str:
    """``open`` / ``partial`` / ``closed`` from the lines' ``qty_done`` against their ``qty``."""
    lines = list(lines)
    if lines and all(l.qty_done >= l.qty for l in lines):
        return "closed"
    if any(l.qty_done > 0 for l in lines):
        return "partial"
    return "open"


def refresh_state(session: Session, doc: Document, lines: Sequence[DocumentLine] | None = None) -> str:
    """Store the document's state (orders: invoiced; provisional invoices: delivered)."""
    if lines is None:
        lines = session.exec(select(DocumentLine).where(DocumentLine.document_id == doc.id)).all()
    state = state_of(lines)
    if (doc.extra or {}).get("state") != state:
        doc.extra = {**(doc.extra or {}), "state": state}
        doc.updated_at = utcnow()
        session.add(doc)
    return state


# a document's masters, read on every posting: compiled once and kept per process while no master changed (store.master_cache); each call binds its
# codes; they come back as rows with the tables' columns as attributes (item.code, batch.expiry), not as
# ORM objects — a build only reads them
_IT, _BT = Item.__table__, Batch.__table__
_ITEMS_OF_CODES = MasterRead(sa_select(_IT).where(_IT.c.code.in_(bindparam("codes", expanding=True))),
                             per=("codes", "code"))
_BATCHES_OF = MasterRead(sa_select(_BT).where(_BT.c.item_id.in_(bindparam("items", expanding=True)),
                                            _BT.c.code.in_(bindparam("codes", expanding=True))))


class Masters:
    """Masters read once per build (the grid previews on every keystroke)."""

    def __init__(self, session: Session):
        self.session = session
        self.items: dict[str, Item | None] = {}
        self.batches: dict[tuple[int, str], Batch | None] = {}
        self.prices: PriceBook | None = None

    def prefetch(self, lines: "list[DraftLine]", location_id: int, on: dt.date) -> None:
        """Read the lines' items, their typed batches and their price-list rows in three queries."""
        codes = {code_of(dl.item) for dl in lines if not dl.is_blank()} - {""} - set(self.items)
        if codes:
            found = {i.code: i for i in _ITEMS_OF_CODES.named(self.session, {"codes": sorted(codes)})}
            for c in codes:
                self.items[c] = found.get(c)
        wanted = {(self.items[code_of(dl.item)].id, code_of(dl.batch)) for dl in lines
                  if not dl.is_blank() and self.items.get(code_of(dl.item)) is not None and code_of(dl.batch)}
        wanted -= set(self.batches)
        if wanted:
            rows = _BATCHES_OF.named(self.session, {"items": sorted({i for i, _ in wanted}),
                                                    "codes": sorted({c for _, c in wanted})})
            found_b = {(b.item_id, b.code): b for b in rows}
            for key in wanted:
                self.batches[key] = found_b.get(key)
        self.prices = PriceBook(self.session, [i.id for i in self.items.values() if i is not None], location_id, on)

    def item(self, code: str) -> Item | None:
        if code not in self.items:
            self.items[code] = self.session.exec(select(Item).where(Item.code == code)).first()
        return self.items[code]

    def batch(self, item_id: int, code: str) -> Batch | None:
        key = (item_id, code)
        if key not in self.batches:
            self.batches[key] = self.session.exec(
                select(Batch).where(Batch.item_id == item_id, Batch.code == code)).first()
        return self.batches[key]

    def line_batch(self, n: int, item: Item, typed: Any, location: Location, on: dt.date,
                   rule: Callable[[ShopError], None], *, first_expiry: bool = True) -> Batch | None:
        """Line ``n``'s batch of ``item``: the one typed, else (``first_expiry``) the batch at ``location``
        that expires first on ``on``. An unknown batch, or no stock to take one from, breaks a ``rule``."""
        typed_code = code_of(typed)
        if typed_code:
            batch = self.batch(item.id, typed_code)
            if batch is None:
                rule(NotFound("Line {n}: batch {batch} of {code} not found", field="batch", line=n,
                    params={"n": n, "batch": typed_code, "code": item.code}))
            return batch
        if not first_expiry:
            return None
        fefo = default_batch(self.session, item.id, location.id, on)
        if fefo is None:
            rule(InsufficientStock("Line {n}: no stock of {code} at {location}: receive it first", field="batch",
                                   line=n, params={"n": n, "code": item.code, "location": location.code}))
            return None
        return self.batch(item.id, fefo.code)


def draft_row(session: Session, draft_id: int, doc_type: str | None) -> Document:
    """A saved draft to edit, post or discard (``doc_type`` None: any); a posted one is final."""
    doc = session.get(Document, draft_id)
    if doc is None:
        raise NotFound("Draft {draft_id} not found", field="draft", params={"draft_id": draft_id})
    if doc.status != "draft":
        raise PostedIsFinal("{doc_type} {number} is already {status}; posted documents are final",
                            field="draft",
            params={"doc_type": doc.doc_type, "number": doc.number, "status": status_name(doc.status)})
    if doc_type is not None and doc.doc_type != doc_type:
        raise ValidationError("Draft {draft_id} is a {doc_type}, not a {wanted}", field="draft",
            params={"draft_id": draft_id, "doc_type": doc.doc_type, "wanted": doc_type})
    return doc


def voucher_rows(session: Session, journal: list[JLine]) -> tuple[JournalRow, ...]:
    """A journal as F9 "Voucher Details" rows: account names and customer codes read in two queries."""
    names = dict(session.execute(sa_select(Account.code, Account.name)).all())
    codes = {}
    ids = {l.customer_id for l in journal if l.customer_id}
    if ids:
        codes = dict(session.execute(sa_select(Customer.id, Customer.code).where(col(Customer.id).in_(ids))).all())
    return tuple(
        JournalRow(l.account, names.get(l.account, ""), l.amount_usd if l.amount_usd > 0 else Z,
                   -l.amount_usd if l.amount_usd < 0 else Z, l.currency.value, l.amount, l.amount_usd,
                   codes.get(l.customer_id), l.memo)
        for l in journal
    )


def cancel_approver(services: "Services", session: Session, actor: Actor, approver: str | None,
                    approver_pin: str | None, what: str) -> Actor | None:
    """A manager may cancel; anyone else needs a manager's approval (name + PIN). Returns the approver."""
    approving = services.users.approval(session, actor, approver, approver_pin, permission="cancel",
                                        action=f"cancel {what}")
    if approving is None:
        raise ApprovalRequired("Cancelling a {what} needs a manager's approval", field="approver",
            params={"what": _(what)})
    return approving


def mark_cancelled(session: Session, actor: Actor, doc: Document, approving: Actor | None, reason: str,
                   date: dt.date) -> None:
    before = audit.snapshot(doc)
    now = utcnow()
    doc.status = "cancelled"
    doc.cancelled_by = actor.user_id
    doc.cancelled_at = now
    doc.updated_at = now
    doc.extra = {**(doc.extra or {}), "cancelled_on": date.isoformat(), "cancel_reason": reason}
    if approving is not None:
        doc.approved_by = approving.user_id
    session.add(doc)
    session.flush()
    audit.record(session, actor, "cancel", "document", doc.id, before=before, after=doc,
                 summary=f"cancelled {doc.doc_type} {doc.number}" + (f": {reason}" if reason else ""),
                 approver_id=approving.user_id if approving else None)


def reversal_of(session: Session, doc: Document) -> list[JLine]:
    """Every journal line of ``doc`` with its sign turned (a cancellation's voucher)."""
    rows = session.execute(
        sa_select(Account.code, JournalLine.currency, JournalLine.amount, JournalLine.amount_usd,
                  JournalLine.customer_id, CostCentre.code, JournalLine.memo)
        .join(JournalVoucher, JournalLine.voucher_id == JournalVoucher.id)
        .join(Account, JournalLine.account_id == Account.id)
        .outerjoin(CostCentre, JournalLine.cost_centre_id == CostCentre.id)
        .where(JournalVoucher.document_id == doc.id).order_by(JournalLine.id)
    ).all()
    return [JLine(code, -usd, Currency.parse(ccy), -amt, customer_id=cust, cost_centre=cc, memo=nt.stored(nt.CANCEL, memo=memo)[:200])
            for code, ccy, amt, usd, cust, cc, memo in rows]


def form_to_dict(form: Any) -> dict:
    """A JSON-safe dict of a dataclass draft (DeliveryDraft, ReturnDraft…): Decimals and dates as strings."""
    data = plain(form)
    data.pop("approver_pin", None)  # never stored
    return data


def form_from_dict(cls: type, data: dict, line_cls: type | None = None) -> Any:
    """The inverse of :func:`form_to_dict` (unknown keys ignored; ``date`` fields back to dates)."""
    names = {f.name: f for f in fields(cls)}
    kw = {}
    for k, v in data.items():
        if k not in names or k == "approver_pin":
            continue
        if k == "lines" and line_cls is not None:
            line_names = {f.name for f in fields(line_cls)}
            v = [line_cls(**{lk: lv for lk, lv in row.items() if lk in line_names}) for row in v or []]
        kw[k] = v
    return cls(**kw)


def save_form_draft(services: "Services", actor: Actor, doc_type: str, form: Any, draft_id: int | None, *,
                    location: str | None, date: Any, customer: str | None = None, narration: str = "",
                    what: str = "", fill: Callable[[Session, Document], None] | None = None,
                    as_dict: Callable[[Any], dict] | None = None) -> int:
    """Save (or re-save) a numberless draft of any document exactly as typed.

    ``fill(session, doc)`` may set further header columns for the list view (never raising);
    ``as_dict``: how the form is kept (default :func:`form_to_dict`)."""

    data = (as_dict or form_to_dict)(form)
    with services.db.write() as session:
        doc = draft_row(session, draft_id, doc_type) if draft_id else None
        before = dict(doc.extra.get("draft", {})) if doc else None
        loc = find_location(session, location, actor)
        day = to_date(date, services.today())
        if doc is None:
            doc = Document(doc_type=doc_type, status="draft", location_id=loc.id, doc_date=day,
                           created_by=actor.user_id)
        doc.location_id, doc.doc_date = loc.id, day
        code = (customer or "").strip().upper()
        cust = session.exec(select(Customer).where(Customer.code == code)).first() if code else None
        doc.customer_id = cust.id if cust else None
        doc.narration = free_text(narration, field="narration")
        doc.extra = {"draft": data}
        doc.updated_at = utcnow()
        if fill is not None:
            fill(session, doc)
        session.add(doc)
        session.flush()
        audit.record(session, actor, "update" if before is not None else "create", "document", doc.id,
                     before=before, after=data,
                     summary=f"draft {doc_type}{' ' + what if what else ''} {'updated' if before is not None else 'saved'}")
        return doc.id


def load_form_draft(services: "Services", draft_id: int, doc_type: str) -> dict:
    with services.db.read() as session:
        return dict(draft_row(session, draft_id, doc_type).extra.get("draft", {}))
