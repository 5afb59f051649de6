"""Sales Order / Proforma (doc types ``SO`` / ``PF``; DESIGN §6, seed screen 02).

An order or proforma is a :class:`~.drafts.DocumentDraft` like an invoice: the
same header (type, date, customer, contact, currency, rate, sales person, free
offer, tax exempted), item grid and footer, previewed by the same build
(:meth:`SalesService.preview`: live totals, discount slabs, the Free Offers
lines). The differences:

- **Draft** saves it numberless and editable; **Save** confirms it: posted and
  numbered, *no journal*, no stock move, no batch needed. A confirmed order
  **reserves** stock: ``reserved = Σ (qty − qty_done)`` of the posted SO/PF/PI
  lines (free lines included), see :func:`.stock.reserved`.
- **Converting**: a sales (or provisional) invoice with ``order = NUMBER``
  takes the order's remaining lines when it has none of its own
  (:meth:`OrdersService.to_invoice` gives the screen the draft to load), and
  posting it raises the order lines' ``qty_done`` (invoiced), item by item in
  line order, paid lines by paid goods and free lines by free goods — the
  reservation falls by as much. When every paid line is invoiced, the order's
  free lines are released too (the invoice gave its own free offers).
- **State** (``document.extra["state"]``): ``open`` (nothing invoiced),
  ``partial`` (some lines or part of them invoiced), ``closed`` (everything
  invoiced: it cannot be invoiced or cancelled any more). The status stays
  ``posted``; a cancelled order has status ``cancelled``.
- **Cancel** (a manager, or anyone with a manager's approval): releases what
  is not yet invoiced. Needs the location's day open on the cancellation date.

The same ``state`` convention serves the provisional invoice (delivered
instead of invoiced). This module also holds the small helpers the other
documents of the sales module share (numbered-document lookup, approval for a
cancellation, JSON drafts for the documents that are not a ``DocumentDraft``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ...core.money import Currency, MoneyError, q2
from ...store.models import Customer, Document, DocumentLine, Item, Location, SalesPerson
from ..admin import audit
from ..context import Actor
from ..cash.day import require_open
from ..documents.drafts import DocumentDraft, DraftLine
from ..errors import ApprovalRequired, DayClosed, DayNotOpen, NotFound, PostedIsFinal, ShopError, ValidationError
from ..headless import Fields, handler
from ..documents.posting import PostResult, utcnow
from ..masters.base import free_text

if TYPE_CHECKING:
    from .. import Services
    from .invoice import DocumentRow, DocumentView, Preview

ORDER_TYPES = ("SO", "PF")
ORDER_KINDS = {"SO": "sales order", "PF": "proforma", "sales_order": "SO", "proforma": "PF"}
STATES = ("open", "partial", "closed")
ZQ = Decimal("0.000")


# ---------------------------------------------------------------- shared helpers


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
    from ..cash.day import find_location
    from .invoice import _to_date

    day = _to_date(date, services.today())
    loc = find_location(session, location, actor)
    try:
        require_open(session, loc.id, day)
    except (DayNotOpen, DayClosed) as exc:
        rule(exc)
    return day, loc


def currency_of(value: Any) -> Currency:
    """The document currency typed (blank: USD)."""
    try:
        return Currency.parse(value or "USD")
    except MoneyError:
        raise ValidationError(f"Currency: use USD or CDF (got {value!r})", field="currency") from None


def find_posted(session: Session, number: str, types: Sequence[str], what: str, fld: str) -> Document:
    """A numbered document of one of ``types``; refuses a blank number or an unknown one."""
    num = (number or "").strip().upper()
    if not num:
        raise ValidationError(f"{what} number is required", field=fld)
    doc = session.exec(select(Document).where(Document.number == num, col(Document.doc_type).in_(list(types)))).first()
    if doc is None:
        raise NotFound(f"{what} {num} not found", field=fld)
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


def after_invoicing(session: Session, order: Document, lines: Sequence[DocumentLine]) -> str:
    """An invoice took some of ``order``: once every paid line is invoiced, its free lines are
    released too (the invoice computed its own free offers), and the order is closed."""
    paid = [l for l in lines if not l.is_free]
    if paid and all(l.qty_done >= l.qty for l in paid):
        for l in lines:
            if l.is_free and l.qty_done < l.qty:
                l.qty_done = l.qty
                session.add(l)
    return refresh_state(session, order, lines)


def cancel_approver(services: "Services", session: Session, actor: Actor, approver: str | None,
                    approver_pin: str | None, what: str) -> Actor | None:
    """A manager may cancel; anyone else needs a manager's approval (name + PIN). Returns the approver."""
    approving = services.users.approval(session, actor, approver, approver_pin, permission="cancel",
                                        action=f"cancel {what}")
    if approving is None:
        raise ApprovalRequired(f"Cancelling a {what} needs a manager's approval", field="approver")
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


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def form_to_dict(form: Any) -> dict:
    """A JSON-safe dict of a dataclass draft (DeliveryDraft, ReturnDraft…): Decimals and dates as strings."""
    data = _plain(form)
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
                    what: str = "", fill: Callable[[Session, Document], None] | None = None) -> int:
    """Save (or re-save) a numberless draft of a non-``DocumentDraft`` document exactly as typed.

    ``fill(session, doc)`` may set further header columns for the list view (never raising)."""
    from ..cash.day import find_location
    from .invoice import SalesService, _to_date

    data = form_to_dict(form)
    with services.db.write() as session:
        doc = SalesService._draft_row(session, draft_id, doc_type) if draft_id else None
        before = dict(doc.extra.get("draft", {})) if doc else None
        loc = find_location(session, location, actor)
        day = _to_date(date, services.today())
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
    from .invoice import SalesService

    with services.db.read() as session:
        return dict(SalesService._draft_row(session, draft_id, doc_type).extra.get("draft", {}))


# ---------------------------------------------------------------- the order lines


@dataclass(frozen=True, slots=True)
class OrderLine:
    """An order line and how far it is invoiced."""

    line_no: int
    item: str
    name: str
    unit: str
    qty: Decimal
    invoiced: Decimal  # qty_done
    remaining: Decimal
    price: Decimal
    discount_pct: Decimal
    line_flat: Decimal
    is_free: bool


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """A row of the invoice's "SO/Proforma No." dropdown."""

    number: str
    doc_type: str
    date: dt.date
    customer: str | None
    customer_name: str | None
    currency: str
    net: Decimal
    state: str
    remaining_qty: Decimal


def _order_lines(session: Session, order: Document) -> list[OrderLine]:
    rows = session.execute(
        sa_select(DocumentLine, Item.code, Item.name).join(Item, Item.id == DocumentLine.item_id)
        .where(DocumentLine.document_id == order.id).order_by(DocumentLine.line_no)
    ).all()
    return [OrderLine(l.line_no, code, name, l.unit, l.qty, l.qty_done, max(l.qty - l.qty_done, ZQ), l.price,
                      l.discount_pct, l.line_flat, l.is_free) for l, code, name in rows]


def order_draft_lines(session: Session, number: str) -> list[DraftLine]:
    """The grid an invoice converting order ``number`` starts with: its remaining paid lines.

    The line flat discount is prorated to the remaining quantity; free lines are
    left out (the invoice computes its own free offers). Unknown order: no lines
    (the invoice's order check then names the problem).
    """
    num = (number or "").strip().upper()
    order = session.exec(select(Document).where(Document.number == num,
                                                col(Document.doc_type).in_(ORDER_TYPES))).first()
    if order is None:
        return []
    out = []
    for l in _order_lines(session, order):
        if l.is_free or l.remaining <= 0:
            continue
        flat = l.line_flat if l.remaining == l.qty else q2(l.line_flat * l.remaining / l.qty)
        out.append(DraftLine(item=l.item, batch=None, qty=l.remaining, price=l.price, discount_pct=l.discount_pct,
                             flat_discount=flat))
    return out


# ---------------------------------------------------------------- the service


def _check_type(draft: DocumentDraft) -> None:
    if draft.doc_type not in ORDER_TYPES:
        raise ValidationError(f"Type: sales order (SO) or proforma (PF), not {draft.doc_type}", field="doc_type")


class OrdersService:
    """``services.orders``: Sales Order / Proforma."""

    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    # -- entry ---------------------------------------------------------------------
    def preview(self, draft: DocumentDraft, actor: Actor | None = None) -> "Preview":
        """Live totals (slabs included), Free Offers lines and warnings; writes nothing."""
        _check_type(draft)
        return self.s.sales.preview(draft, actor)

    def save_draft(self, actor: Actor, draft: DocumentDraft, draft_id: int | None = None) -> int:
        _check_type(draft)
        return self.s.sales.save_draft(actor, draft, draft_id)

    def load_draft(self, draft_id: int) -> DocumentDraft:
        return self.s.sales.load_draft(draft_id)

    def confirm(self, actor: Actor, draft: DocumentDraft, draft_id: int | None = None) -> PostResult:
        """Save: the order is confirmed — numbered, posted (no journal), reserving its lines."""
        actor.require("sell", "Sales orders")
        _check_type(draft)
        if draft.order:
            raise ValidationError("An order cannot convert another order", field="order")
        if draft.redemption_points not in (None, "", 0, "0"):
            raise ValidationError("Redemption points: points are redeemed on a sales or provisional invoice",
                                  field="redemption_points")
        sales = self.s.sales
        with self.db.write() as session:
            existing = sales._draft_row(session, draft_id, draft.doc_type) if draft_id else None
            b = sales._build(session, draft, strict=True, actor=actor)
            result = sales._post(session, actor, b, existing, stock_kind=None)
            doc = session.get(Document, result.document_id)
            doc.extra = {**doc.extra, "state": "open"}
            session.add(doc)
            return result

    # -- cancel ----------------------------------------------------------------------
    def cancel(self, actor: Actor, number: str, *, approver: str | None = None, approver_pin: str | None = None,
               reason: str = "", date: dt.date | None = None) -> str:
        """Cancel a confirmed order/proforma: what is not yet invoiced is released. Returns the number."""
        actor.require("sell", "Cancelling an order")
        day = date or self.s.today()
        with self.db.write() as session:
            approving = cancel_approver(self.s, session, actor, approver, approver_pin, "sales order")
            doc = find_posted(session, number, ORDER_TYPES, "Order/proforma", "number")
            if doc.status == "cancelled":
                raise PostedIsFinal(f"Order/proforma {doc.number} is already cancelled", field="number")
            if doc.status != "posted":
                raise ValidationError(f"Order/proforma {doc.number} is not confirmed", field="number")
            if (doc.extra or {}).get("state") == "closed":
                raise ValidationError(f"Order/proforma {doc.number} is fully invoiced: nothing left to cancel",
                                      field="number")
            require_open(session, doc.location_id, day)
            mark_cancelled(session, actor, doc, approving, (reason or "").strip(), day)
            return doc.number

    # -- converting --------------------------------------------------------------------
    def order_lines(self, number: str) -> list[OrderLine]:
        """Each line of an order: ordered, invoiced (qty_done) and remaining quantities."""
        with self.db.read() as session:
            return _order_lines(session, find_posted(session, number, ORDER_TYPES, "Order/proforma", "order"))

    def state(self, number: str) -> str:
        """``open`` / ``partial`` / ``closed``, or ``cancelled``."""
        with self.db.read() as session:
            doc = find_posted(session, number, ORDER_TYPES, "Order/proforma", "order")
            return "cancelled" if doc.status == "cancelled" else (doc.extra or {}).get("state", "open")

    def open_orders(self, customer: str | None = None, location: str | None = None, *,
                    limit: int = 200) -> list[OpenOrder]:
        """Confirmed orders/proformas with something left to invoice, oldest first."""
        from ..cash.day import find_location

        with self.db.read() as session:
            loc = find_location(session, location)
            stmt = (sa_select(Document, Customer.code, Customer.name)
                    .outerjoin(Customer, Customer.id == Document.customer_id)
                    .where(col(Document.doc_type).in_(ORDER_TYPES), Document.status == "posted",
                           Document.location_id == loc.id))
            if customer:
                stmt = stmt.where(Customer.code == customer.strip().upper())
            out = []
            for doc, code, name in session.execute(stmt.order_by(Document.doc_date, Document.id)).all():
                state = (doc.extra or {}).get("state", "open")
                if state == "closed":
                    continue
                left = sum((l.remaining for l in _order_lines(session, doc)), ZQ)
                out.append(OpenOrder(doc.number, doc.doc_type, doc.doc_date, code, name, doc.currency,
                                     doc.net_amount, state, left))
                if len(out) >= limit:
                    break
            return out

    def to_invoice(self, number: str, doc_type: str = "SI", *, date: dt.date | None = None) -> DocumentDraft:
        """The invoice draft converting an order: its header and remaining lines, ``order`` set."""
        if doc_type not in ("SI", "PI"):
            raise ValidationError(f"An order converts into a sales (SI) or provisional (PI) invoice, not {doc_type}",
                                  field="doc_type")
        with self.db.read() as session:
            doc = find_posted(session, number, ORDER_TYPES, "Order/proforma", "order")
            if doc.status != "posted":
                raise ValidationError(f"Order/proforma {doc.number} is {doc.status}: only a confirmed one can be "
                                      "invoiced", field="order")
            cust = session.get(Customer, doc.customer_id) if doc.customer_id else None
            sp = session.get(SalesPerson, doc.sales_person_id) if doc.sales_person_id else None
            loc = session.get(Location, doc.location_id)
            flat_type = doc.flat_discount_type or None
            flat_value = None
            if flat_type == "percent" and not (doc.extra or {}).get("flat_from_slab"):
                flat_value = doc.flat_pct
            elif flat_type == "amount":
                flat_value = doc.flat_discount_value
            else:
                flat_type = None
            return DocumentDraft(
                location=loc.code if loc else None, doc_type=doc_type, date=date or self.s.today(),
                customer=cust.code if cust else "", currency=doc.currency, rate=doc.rate,
                sales_person=sp.code if sp else None, contact_no=doc.contact_no,
                additional_price_pct=doc.additional_price_pct, free_offer=doc.free_offer, print_usd=doc.print_usd,
                tax_exempt=doc.tax_exempt, flat_discount_type=flat_type, flat_discount_value=flat_value,
                narration=doc.narration, order=doc.number, lines=order_draft_lines(session, doc.number),
            )

    # -- search and view -----------------------------------------------------------------
    def list_documents(self, doc_type: str | None = None, **kw: Any) -> "list[DocumentRow]":
        """F3 / list view of orders and proformas (``doc_type`` SO or PF; None: both)."""
        if doc_type is not None and doc_type not in ORDER_TYPES:
            raise ValidationError(f"Type: SO or PF, not {doc_type}", field="doc_type")
        if doc_type is not None:
            return self.s.sales.list_documents(doc_type, **kw)
        rows = self.s.sales.list_documents("SO", **kw) + self.s.sales.list_documents("PF", **kw)
        rows.sort(key=lambda r: (r.date, r.id), reverse=True)
        return rows[: kw.get("limit", 50)]

    def document(self, number_or_id: str | int) -> "DocumentView":
        """The order with its lines (``qty_done`` = invoiced) and ``extra["state"]``."""
        return self.s.sales.document(number_or_id)


# ---------------------------------------------------------------- headless

ORDER_FIELDS = ["location", "date", "customer", "currency", "rate", "sales_person", "contact_no",
                "additional_price_pct", "free_offer", "print_usd", "tax_exempt", "flat_discount", "narration", "lines",
                "sales_type"]


def _post_order(doc_type: str):
    def post(services: "Services", actor: Actor, doc: dict) -> dict:
        from .invoice import draft_from_fields, totals_out

        f = Fields(doc, required=["customer", "lines"],
                   optional=[k for k in ORDER_FIELDS if k not in ("customer", "lines")])
        draft = draft_from_fields(f, doc_type)
        if f.draft:
            draft_id = services.orders.save_draft(actor, draft)
            p = services.orders.preview(draft, actor)
            return {"number": None, "draft_id": draft_id, "totals": totals_out(p.totals, draft.currency),
                    "warnings": p.warnings}
        result = services.orders.confirm(actor, draft)
        view = services.sales.document(result.document_id)
        return {"number": result.number, "totals": totals_out(view.totals, view.currency),
                "free_qty": sum((l.qty for l in view.lines if l.is_free), ZQ)}

    post.__name__ = f"_post_{doc_type.lower()}"
    return post


handler("sales_order")(_post_order("SO"))
handler("proforma")(_post_order("PF"))


__all__ = [
    "ORDER_TYPES",
    "OpenOrder",
    "OrderLine",
    "OrdersService",
    "Rules",
    "after_invoicing",
    "cancel_approver",
    "currency_of",
    "find_posted",
    "form_from_dict",
    "form_to_dict",
    "load_form_draft",
    "day_and_location",
    "mark_cancelled",
    "order_draft_lines",
    "refresh_state",
    "save_form_draft",
    "state_of",
]
