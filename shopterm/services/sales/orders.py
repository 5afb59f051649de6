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
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Sequence

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from shopterm.core.doctypes import status_name
from shopterm.core.i18n import N_
from ...core.money import q2
from ...store.models import Customer, Document, DocumentLine, Item, Location, SalesPerson
from ..context import Actor
from ..cash.day import check_open
from ..documents.drafts import DocumentDraft, DraftLine
from ..documents.fields import draft_from_fields, draft_reply, totals_out
from ..errors import PostedIsFinal, ValidationError
from ..headless import Fields, handler
from ..documents.posting import PostResult
from ..documents.views import PostedRef
from ..documents.toolkit import cancel_approver, find_posted, mark_cancelled, refresh_state

if TYPE_CHECKING:
    from .. import Services
    from ..documents.views import DocumentRow, DocumentView, Preview

ORDER_TYPES = ("SO", "PF")
ORDER_KINDS = {"SO": "sales order", "PF": "proforma", "sales_order": "SO", "proforma": "PF"}
STATES = ("open", "partial", "closed")
ZQ = Decimal("0.000")


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
class OpenOrder(PostedRef):
    """A row of the invoice's "SO/Proforma No." dropdown."""

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
        raise ValidationError("Type: sales order (SO) or proforma (PF), not {doc_type}", field="doc_type",
            params={"doc_type": draft.doc_type})


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
        return self.s.sales.post_reserving(actor, draft, draft_id)

    # -- cancel ----------------------------------------------------------------------
    def cancel(self, actor: Actor, number: str, *, approver: str | None = None, approver_pin: str | None = None,
               reason: str = "", date: dt.date | None = None) -> str:
        """Cancel a confirmed order/proforma: what is not yet invoiced is released. Returns the number."""
        actor.require("sell", "Cancelling an order")
        day = date or self.s.today()
        with self.db.write() as session:
            approving = cancel_approver(self.s, session, actor, approver, approver_pin, N_("sales order"))
            doc = find_posted(session, number, ORDER_TYPES, N_("Order/proforma"), "number")
            if doc.status == "cancelled":
                raise PostedIsFinal("Order/proforma {number} is already cancelled", field="number",
                    params={"number": doc.number})
            if doc.status != "posted":
                raise ValidationError("Order/proforma {number} is not confirmed", field="number",
                    params={"number": doc.number})
            if (doc.extra or {}).get("state") == "closed":
                raise ValidationError("Order/proforma {number} is fully invoiced: nothing left to cancel",
                                      field="number", params={"number": doc.number})
            check_open(session, doc.location_id, day)
            mark_cancelled(session, actor, doc, approving, (reason or "").strip(), day)
            return doc.number

    # -- converting --------------------------------------------------------------------
    def order_lines(self, number: str) -> list[OrderLine]:
        """Each line of an order: ordered, invoiced (qty_done) and remaining quantities."""
        with self.db.read() as session:
            return _order_lines(session, find_posted(session, number, ORDER_TYPES, N_("Order/proforma"), "order"))

    def state(self, number: str) -> str:
        """``open`` / ``partial`` / ``closed``, or ``cancelled``."""
        with self.db.read() as session:
            doc = find_posted(session, number, ORDER_TYPES, N_("Order/proforma"), "order")
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
            raise ValidationError("An order converts into a sales (SI) or provisional (PI) invoice, not {doc_type}",
                                  field="doc_type", params={"doc_type": doc_type})
        with self.db.read() as session:
            doc = find_posted(session, number, ORDER_TYPES, N_("Order/proforma"), "order")
            if doc.status != "posted":
                raise ValidationError("Order/proforma {number} is {status}: only a confirmed one can be invoiced", field="order",
                    params={"number": doc.number, "status": status_name(doc.status)})
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
            raise ValidationError("Type: SO or PF, not {doc_type}", field="doc_type", params={"doc_type": doc_type})
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

        f = Fields(doc, required=["customer", "lines"],
                   optional=[k for k in ORDER_FIELDS if k not in ("customer", "lines")])
        draft = draft_from_fields(f, doc_type)
        if f.draft:
            return draft_reply(services.orders, actor, draft)
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
    "after_invoicing",
    "order_draft_lines",
]
