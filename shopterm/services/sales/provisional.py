"""Provisional Invoice (``PI``) and Delivery Note (``DN``): bill now, deliver later
(DESIGN §6, §7; seed screens 04 and 05).

Provisional invoice
    A :class:`~.drafts.DocumentDraft` built by the sales build like an invoice
    (header, grid, slabs, free offers, credit limit), with the loyalty footer:
    Total Loyalty Points (earned on the net USD), Redemption points, Value per
    point, Redemption Value, Payable CDF/USD. Posting writes the receivable and
    the revenue like an invoice (Dr 1200 payable, Dr 6300 redemption, Cr 4000,
    Cr 2100, round off) but moves **no stock** and posts **no cost** yet: its
    lines (free lines included) **reserve** stock until delivered
    (``qty − qty_done``). State (``extra["state"]``): ``open`` → ``partial`` →
    ``closed`` as deliveries come in (:func:`.orders.refresh_state`).

    **Cancel** needs a manager (or a manager's approval) and is allowed only
    while nothing is delivered and nothing paid or matched: a reversal voucher
    dated the cancellation day (its customer-ledger entry matched against the
    invoice's), status ``cancelled`` (the reservation is released), loyalty
    earned reversed and redeemed points restored.

Delivery note
    Against one open provisional invoice of the customer (PSI No). Each line
    delivers part of a PI line: ``qty ≤ balance`` (PI qty − delivered), batch
    mandatory (the first-expiry batch when none is typed), partial deliveries
    allowed. Posting moves the stock out (kind ``delivery``; free lines kind
    ``free``), posts the **cost only** — Dr 5000 / Cr 1300 at batch cost, free
    goods Dr the scheme's promotion account / Cr 1300 — and raises the PI
    lines' ``qty_done``; the PI closes when everything is delivered. The DN's
    footer figures are the delivered share of the PI's (for the printout): no
    revenue, no customer-ledger entry.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from shopterm.core import narration as nt
from shopterm.core.i18n import N_, _
from ...core.journal import COGS, INVENTORY, JLine, UnbalancedJournalError, check_balanced, cost_of, credit, debit
from ...core.money import Currency, format_amount, format_qty, q2, round_to_increment
from ...store.models import Batch, Customer, Document, DocumentLine, Item, LedgerEntry, Location
from ..context import Actor
from ..cash.day import check_open, find_location
from ..documents.drafts import DocumentDraft, ItemQtyRow
from ..errors import ExpiredBatch, InsufficientStock, NotFound, PostedIsFinal, UnbalancedJournal, ValidationError
from ..headless import Fields, handler
from ..schemes.loyalty import cancellation_specs, write_rows
from ..documents.toolkit import code_of as _code
from ..documents.toolkit import (Masters, Rules, cancel_approver, day_and_location, draft_row, find_posted,
                                 form_from_dict, line_qty, load_form_draft, mark_cancelled, refresh_state, reversal_of,
                                 save_form_draft, voucher_rows)
from ..documents.posting import PostingPlan, PostResult, StockSpec
from ..schemes.promotions import cost_journal
from ..stock import StockAsk, check_available, check_batch, on_hand
from ...core.text import CONTACT_MAX
from ...core.units import check_qty_for_unit
from ..masters.base import free_text

if TYPE_CHECKING:
    from .. import Services
    from ..documents.views import DocumentRow, DocumentView, JournalRow, Preview

USD, CDF = Currency.USD, Currency.CDF
Z = Decimal("0.00")
ZQ = Decimal("0.000")
Number = Decimal | str | int | None

PSI_EMPTY = N_("PSI No. dropdown empty: no open Provisional Invoice for this customer — raise a Provisional Invoice "
             "first")


# ---------------------------------------------------------------- inputs and results


@dataclass(slots=True)
class DeliveryLine(ItemQtyRow):
    """A delivery grid row: the item, the batch (None: first expiry), the quantity; ``line``
    is the PI line it delivers (None: the first line of that item with a balance)."""

    item: str = ""
    qty: Number = None
    batch: str | None = None
    line: int | None = None


@dataclass(slots=True)
class DeliveryDraft:
    location: str | None = None
    date: dt.date | str | None = None
    customer: str = ""
    psi_no: str = ""
    contact_no: str = ""
    credit_sale: bool | None = None  # None: as on the provisional invoice
    narration: str = ""
    lines: list[DeliveryLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class OpenPSI:
    """A row of the PSI No. dropdown."""

    number: str
    date: dt.date
    customer: str
    currency: str
    net: Decimal
    payable: Decimal
    qty: Decimal
    delivered: Decimal
    balance: Decimal
    state: str


@dataclass(frozen=True, slots=True)
class PSILine:
    line_no: int
    item: str
    name: str
    unit: str
    is_free: bool
    qty: Decimal
    delivered: Decimal
    returned: Decimal
    balance: Decimal  # qty − delivered
    price: Decimal
    discount_pct: Decimal


@dataclass(frozen=True, slots=True)
class DeliveryPreviewLine:
    line: int  # grid row
    psi_line: int
    item: str
    name: str
    unit: str
    is_free: bool
    batch: str | None
    batch_expiry: dt.date | None
    batch_stock: Decimal
    balance: Decimal  # before this delivery
    qty: Decimal
    price: Decimal
    gross: Decimal
    discount_amount: Decimal
    line_flat: Decimal
    flat_share: Decimal
    tax: Decimal
    net: Decimal
    unit_cost_usd: Decimal
    cost_usd: Decimal


@dataclass(frozen=True, slots=True)
class DeliveryPreview:
    psi_no: str | None
    customer: str | None
    currency: str
    rate: Decimal
    lines: tuple[DeliveryPreviewLine, ...]
    total_qty: Decimal
    total_free_qty: Decimal
    gross: Decimal
    discount: Decimal
    flat_discount: Decimal
    tax: Decimal
    net: Decimal
    net_usd: Decimal
    net_cdf: Decimal
    redemption_value_usd: Decimal
    payable: Decimal
    payable_usd: Decimal
    payable_cdf: Decimal
    cost_usd: Decimal
    journal: list[JLine]
    voucher: tuple["JournalRow", ...]
    warnings: list[str]
    round_off_cdf: Decimal = Decimal("0.00")  # the CDF payable brought to the cash increment (seed: Total Round Off)

    @property
    def ok(self) -> bool:
        return not self.warnings


@dataclass(slots=True)
class _DLine:
    n: int
    pl: DocumentLine
    item: Item
    batch: Batch | None
    qty: Decimal
    balance: Decimal
    gross: Decimal
    discount: Decimal
    line_flat: Decimal
    share: Decimal
    tax: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross - self.discount - self.line_flat - self.share + self.tax

    @property
    def unit_cost(self) -> Decimal:
        return self.batch.cost_usd if self.batch is not None else self.pl.unit_cost_usd

    @property
    def cost(self) -> Decimal:
        return q2(self.qty * self.unit_cost)


@dataclass(slots=True)
class _DN:
    draft: DeliveryDraft
    date: dt.date
    location: Location
    customer: Customer | None
    pi: Document | None
    lines: list[_DLine]
    journal: list[JLine]
    warnings: list[str]


def share(value: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """``value`` × part / whole to the cent (the whole when part = whole)."""
    if part == whole:
        return value
    if whole == 0:
        return Z
    return q2(value * part / whole)


# ---------------------------------------------------------------- the service


class ProvisionalService:
    """``services.provisional``: Provisional Invoice and Delivery Note."""

    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    # ============================================================ provisional invoice
    @staticmethod
    def _check_type(draft: DocumentDraft) -> None:
        if draft.doc_type != "PI":
            raise ValidationError("A provisional invoice has type PI, not {doc_type}", field="doc_type",
                params={"doc_type": draft.doc_type})

    def preview(self, draft: DocumentDraft, actor: Actor | None = None) -> "Preview":
        """Totals, loyalty footer (``preview.loyalty``), Free Offers lines, journal and warnings."""
        self._check_type(draft)
        return self.s.sales.preview(draft, actor)

    def save_draft(self, actor: Actor, draft: DocumentDraft, draft_id: int | None = None) -> int:
        self._check_type(draft)
        return self.s.sales.save_draft(actor, draft, draft_id)

    def load_draft(self, draft_id: int) -> DocumentDraft:
        return self.s.sales.load_draft(draft_id)

    def post(self, actor: Actor, draft: DocumentDraft, draft_id: int | None = None) -> PostResult:
        """Post a provisional invoice: receivable and revenue, loyalty; reserves its lines."""
        actor.require("sell", "Provisional invoices")
        self._check_type(draft)
        return self.s.sales.post_reserving(actor, draft, draft_id)

    def cancel(self, actor: Actor, number: str, *, approver: str | None = None, approver_pin: str | None = None,
               reason: str = "", date: dt.date | None = None) -> str:
        """Cancel a provisional invoice nothing of which is delivered or paid (see the module doc)."""
        actor.require("sell", "Cancelling a provisional invoice")
        day = date or self.s.today()
        with self.db.write() as session:
            approving = cancel_approver(self.s, session, actor, approver, approver_pin, N_("provisional invoice"))
            pi = find_posted(session, number, ("PI",), N_("Provisional invoice"), "number")
            if pi.status == "cancelled":
                raise PostedIsFinal("Provisional invoice {number} is already cancelled", field="number",
                    params={"number": pi.number})
            if pi.status != "posted":
                raise ValidationError("Provisional invoice {number} is not posted", field="number",
                    params={"number": pi.number})
            lines = session.exec(select(DocumentLine).where(DocumentLine.document_id == pi.id)).all()
            if any(l.qty_done > 0 for l in lines):
                dns = session.exec(select(Document.number).where(Document.source_id == pi.id, Document.doc_type == "DN",
                                                                 Document.status == "posted")).all()
                raise ValidationError("Provisional invoice {number} is delivered ({deliveries}): it can no longer be cancelled", field="number",
                    params={"number": pi.number, "deliveries": ', '.join(dns)})
            entries = session.exec(select(LedgerEntry).where(LedgerEntry.document_id == pi.id,
                                                             LedgerEntry.voucher_type == "PI")).all()
            if any(e.open_usd != e.amount_usd or e.open_amount != e.amount for e in entries):
                raise ValidationError("Provisional invoice {number} has receipts or credits matched to it: it can no longer be cancelled", field="number",
                    params={"number": pi.number})
            check_open(session, pi.location_id, day)
            if day < pi.doc_date:
                raise ValidationError("The cancellation date {day} is before {number} ({doc_date})",
                                      field="date", params={"day": day, "number": pi.number, "doc_date": pi.doc_date})
            reversal = reversal_of(session, pi)
            reason = (reason or "").strip()
            narration = (nt.stored(nt.CANCELLATION, number=pi.number, reason=reason) if reason
                         else nt.stored(nt.CANCELLATION_NO_REASON, number=pi.number))
            _, entry_ids = self.s.posting.write_voucher(
                session, pi, reversal, narration=narration[:500],
                reference=pi.number, date=day)
            from ..cash.till import apply_match

            for entry, rev_id in zip(entries, entry_ids):
                apply_match(session, actor, entry.customer_id,
                            [(entry.id, entry.open_amount, entry.open_usd), (rev_id, -entry.open_amount, -entry.open_usd)],
                            day, "auto")
            write_rows(session, pi, cancellation_specs(session, pi), day)
            _release_order(session, pi, lines)
            mark_cancelled(session, actor, pi, approving, reason, day)
            return pi.number

    # ============================================================ PSI No.
    def open_psi(self, customer: str, location: str | None = None) -> list[OpenPSI]:
        """The customer's provisional invoices with something left to deliver, oldest first
        (empty: the seed's "PSI No. dropdown empty", :data:`PSI_EMPTY`)."""
        with self.db.read() as session:
            loc = find_location(session, location)
            return _open_psi(session, _code(customer), loc)

    def psi_lines(self, psi_no: str) -> list[PSILine]:
        """The PI's lines with delivered, returned and balance quantities."""
        with self.db.read() as session:
            pi = find_posted(session, psi_no, ("PI",), N_("Provisional invoice"), "psi_no")
            return _psi_lines(session, pi)

    def delivery_draft(self, psi_no: str, *, date: dt.date | None = None) -> DeliveryDraft:
        """A delivery note of everything left to deliver on ``psi_no`` (the grid the screen loads)."""
        with self.db.read() as session:
            pi = find_posted(session, psi_no, ("PI",), N_("Provisional invoice"), "psi_no")
            cust = session.get(Customer, pi.customer_id)
            loc = session.get(Location, pi.location_id)
            lines = [DeliveryLine(item=l.item, qty=l.balance, line=l.line_no) for l in _psi_lines(session, pi)
                     if l.balance > 0]
            return DeliveryDraft(location=loc.code, date=date or self.s.today(), customer=cust.code if cust else "",
                                 psi_no=pi.number, contact_no=pi.contact_no, lines=lines)

    # ============================================================ delivery note
    def preview_delivery(self, draft: DeliveryDraft, actor: Actor | None = None) -> DeliveryPreview:
        with self.db.read() as session:
            dn = self._build_dn(session, draft, strict=False, actor=actor)
            return self._dn_preview(session, dn)

    def save_delivery_draft(self, actor: Actor, draft: DeliveryDraft, draft_id: int | None = None) -> int:
        actor.require("sell", "Saving a delivery note")
        return save_form_draft(self.s, actor, "DN", draft, draft_id, location=draft.location, date=draft.date,
                               customer=draft.customer, narration=draft.narration, what=_code(draft.psi_no))

    def load_delivery_draft(self, draft_id: int) -> DeliveryDraft:
        return form_from_dict(DeliveryDraft, load_form_draft(self.s, draft_id, "DN"), DeliveryLine)

    def post_delivery(self, actor: Actor, draft: DeliveryDraft, draft_id: int | None = None) -> PostResult:
        """Post a delivery note (all or nothing)."""
        actor.require("sell", "Delivery notes")
        with self.db.write() as session:
            existing = draft_row(session, draft_id, "DN") if draft_id else None
            dn = self._build_dn(session, draft, strict=True, actor=actor)
            pi = dn.pi
            t = _dn_totals(dn)
            doc = existing or Document(doc_type="DN", location_id=dn.location.id, doc_date=dn.date,
                                       created_by=actor.user_id)
            sales_type = pi.sales_type if draft.credit_sale is None else ("credit" if draft.credit_sale else "cash")
            doc.location_id, doc.doc_date = dn.location.id, dn.date
            doc.customer_id, doc.sales_person_id = pi.customer_id, pi.sales_person_id
            doc.currency, doc.rate, doc.sales_type, doc.tax_exempt = pi.currency, pi.rate, sales_type, pi.tax_exempt
            doc.contact_no = free_text(draft.contact_no, field="contact_no", label=N_("Contact no"), max_len=CONTACT_MAX,
                                       default=pi.contact_no)
            doc.source_id = pi.id
            doc.total_qty, doc.total_free_qty = t["total_qty"], t["total_free_qty"]
            doc.total_gross, doc.total_discount, doc.subtotal = t["gross"], t["discount"], t["subtotal"]
            doc.flat_amount, doc.tax_amount, doc.net_amount = t["flat"], t["tax"], t["net"]
            doc.net_usd, doc.net_cdf = t["net_usd"], t["net_cdf"]
            doc.redemption_value_usd = t["redemption_usd"]
            doc.payable, doc.payable_usd, doc.payable_cdf = t["payable"], t["payable_usd"], t["payable_cdf"]
            doc.round_off_cdf = t["round_off_cdf"]
            doc.amount_usd = t["cost_usd"]
            doc.narration = free_text(draft.narration, field="narration")
            doc.extra = {"psi_no": pi.number, "cost_usd": str(t["cost_usd"])}
            rows, stock = [], []
            for i, l in enumerate(dn.lines):
                rows.append(DocumentLine(
                    line_no=i + 1, item_id=l.item.id, batch_id=l.batch.id, unit=l.pl.unit, qty=l.qty,
                    is_free=l.pl.is_free, price=l.pl.price, price_usd=l.pl.price_usd, gross=l.gross,
                    discount_pct=l.pl.discount_pct, discount_amount=l.discount, line_flat=l.line_flat,
                    line_net=l.gross - l.discount - l.line_flat, flat_share=l.share, tax_rate=l.pl.tax_rate,
                    tax_amount=l.tax, unit_cost_usd=l.unit_cost, source_line_id=l.pl.id,
                    extra=dict(l.pl.extra or {}) if l.pl.is_free else {},
                ))
                stock.append(StockSpec(l.item.id, l.batch.id, -l.qty, l.unit_cost,
                                       "free" if l.pl.is_free else "delivery", i))
                l.pl.qty_done = l.pl.qty_done + l.qty
                session.add(l.pl)
            cust = session.get(Customer, pi.customer_id)
            result = self.s.posting.post(session, actor, PostingPlan(
                doc=doc, lines=rows, journal=dn.journal, stock=stock,
                summary=f"DN for {cust.code if cust else '-'} against {pi.number}: {format_qty(t['total_qty'])} "
                        f"delivered, cost {format_amount(t['cost_usd'])} USD"))
            refresh_state(session, pi)
            return result

    # -- the build ------------------------------------------------------------------
    def _build_dn(self, session: Session, draft: DeliveryDraft, *, strict: bool, actor: Actor | None) -> _DN:
        rule = Rules(strict)
        warn = rule.warnings
        date, loc = day_and_location(self.s, session, draft.location, draft.date, actor, rule)
        code = _code(draft.customer)
        if not code:
            raise ValidationError("Customer is required", field="customer")
        cust = session.exec(select(Customer).where(Customer.code == code)).first()
        if cust is None:
            raise NotFound("Customer {code} not found", field="customer", params={"code": code})
        psi = _code(draft.psi_no)
        if not psi:
            if not _open_psi(session, code, loc):
                raise ValidationError(PSI_EMPTY, field="psi_no")
            raise ValidationError("PSI No. is required: choose one of the customer's open provisional invoices",
                                  field="psi_no")
        pi = find_posted(session, psi, ("PI",), N_("Provisional invoice"), "psi_no")
        if pi.status == "cancelled":
            raise ValidationError("PSI No. {number} is cancelled", field="psi_no", params={"number": pi.number})
        if pi.status != "posted":
            raise ValidationError("PSI No. {number} is not posted", field="psi_no", params={"number": pi.number})
        if pi.customer_id != cust.id:
            other = session.get(Customer, pi.customer_id)
            raise ValidationError("PSI No. {number} is for {other}, not {code}", field="psi_no",
                params={"number": pi.number, "other": other.code if other else _("another customer"), "code": cust.code})
        if pi.location_id != loc.id:
            raise ValidationError("PSI No. {number} belongs to another location", field="psi_no",
                params={"number": pi.number})
        if (pi.extra or {}).get("state") == "closed":
            raise ValidationError("PSI No. {number} is fully delivered", field="psi_no", params={"number": pi.number})
        if date < pi.doc_date:
            rule(ValidationError("The delivery date {date} is before {number} ({doc_date})", field="date",
                params={"date": date, "number": pi.number, "doc_date": pi.doc_date}))

        pl_rows = session.exec(select(DocumentLine).where(DocumentLine.document_id == pi.id)
                               .order_by(DocumentLine.line_no)).all()
        items = {r.id: session.get(Item, r.item_id) for r in pl_rows}
        left = {r.id: r.qty - r.qty_done for r in pl_rows}
        m = Masters(session)
        lines: list[_DLine] = []
        for n, dl in enumerate(draft.lines, start=1):
            if dl.is_blank():
                continue
            icode = _code(dl.item)
            if not icode:
                raise ValidationError("Line {n}: item is required", field="item", line=n, params={"n": n})
            qty = line_qty(dl.qty, n)
            of_item = [r for r in pl_rows if items[r.id] is not None and items[r.id].code == icode]
            if not of_item:
                raise ValidationError("Line {n}: {item} is not on provisional invoice {number}", field="item",
                                      line=n, params={"n": n, "item": icode, "number": pi.number})
            if dl.line not in (None, ""):
                pl = next((r for r in of_item if r.line_no == int(dl.line)), None)
                if pl is None:
                    raise ValidationError("Line {n}: line {line} of {number} is not {item}", field="line",
                                          line=n,
                        params={"n": n, "line": dl.line, "number": pi.number, "item": icode})
            else:
                pl = next((r for r in of_item if left[r.id] > 0), of_item[0])
            balance = left[pl.id]
            if qty > balance:
                rule(ValidationError("Quantity {qty} exceeds the balance {max} of line {n}", field="qty", line=n,
                    params={"qty": format_qty(qty), "max": format_qty(max(balance, ZQ)), "n": n}))
            left[pl.id] = balance - qty
            item = items[pl.id]
            whole = check_qty_for_unit(qty, item.unit)
            if whole is not None:
                raise ValidationError("Line {n}: {code}: {whole}", field="qty", line=n,
                    params={"n": n, "code": item.code, "whole": whole})
            batch = m.line_batch(n, item, dl.batch, loc, date, rule)
            lines.append(_DLine(n, pl, item, batch, qty, balance, share(pl.gross, qty, pl.qty),
                                share(pl.discount_amount, qty, pl.qty), share(pl.line_flat, qty, pl.qty),
                                share(pl.flat_share, qty, pl.qty), share(pl.tax_amount, qty, pl.qty)))
        if not lines:
            rule(ValidationError("Add at least one item line", field="lines"))
        per_batch: OrderedDict[int, list[_DLine]] = OrderedDict()
        for l in lines:
            if l.batch is not None:
                per_batch.setdefault(l.batch.id, []).append(l)
        for group in per_batch.values():
            first = group[0]
            try:
                check_batch(session, first.item, first.batch, loc, sum((l.qty for l in group), ZQ), date)
            except (ExpiredBatch, InsufficientStock) as exc:
                exc.details["line"] = first.n
                rule(exc)
        # the provisional invoice's own reservation is this delivery's; others' are not (DESIGN §6)
        if pi is not None:
            check_available(session, loc, [StockAsk(l.item, l.batch, l.qty, l.n) for l in lines],
                            own_documents=(pi.id,), rule=rule)
        paid_cost = cost_of((l.qty, l.unit_cost) for l in lines if not l.pl.is_free)
        memo = nt.stored(nt.DELIVERY_AGAINST, number=pi.number)
        journal = [debit(COGS, paid_cost, memo=memo), credit(INVENTORY, paid_cost, memo=memo)] if paid_cost else []
        for l in lines:
            if l.pl.is_free:
                x = l.pl.extra or {}
                journal += cost_journal(x.get("account") or "", x.get("cost_centre"), l.cost,
                                        nt.stored(nt.FREE_OFFER_DELIVERED, scheme=x.get('scheme', ''), item=l.item.code, number=pi.number))
        try:
            check_balanced(journal)
        except UnbalancedJournalError as exc:
            raise UnbalancedJournal(str(exc)) from None
        return _DN(draft, date, loc, cust, pi, lines, journal, warn)

    def _dn_preview(self, session: Session, dn: _DN) -> DeliveryPreview:
        t = _dn_totals(dn)
        lines = tuple(
            DeliveryPreviewLine(l.n, l.pl.line_no, l.item.code, l.item.name, l.pl.unit, l.pl.is_free,
                                l.batch.code if l.batch else None, l.batch.expiry if l.batch else None,
                                on_hand(session, l.item.id, dn.location.id, l.batch.id) if l.batch else ZQ,
                                l.balance, l.qty, l.pl.price, l.gross, l.discount, l.line_flat, l.share, l.tax, l.net,
                                l.unit_cost, l.cost)
            for l in dn.lines
        )
        pi = dn.pi
        return DeliveryPreview(pi.number if pi else None, dn.customer.code if dn.customer else None,
                               pi.currency if pi else "USD", pi.rate if pi else Decimal(1), lines, t["total_qty"],
                               t["total_free_qty"], t["gross"], t["discount"], t["flat"], t["tax"], t["net"],
                               t["net_usd"], t["net_cdf"], t["redemption_usd"], t["payable"], t["payable_usd"],
                               t["payable_cdf"], t["cost_usd"], dn.journal,
                               voucher_rows(session, dn.journal), dn.warnings, t["round_off_cdf"])

    # ============================================================ search and view
    def list_documents(self, doc_type: str = "PI", **kw: Any) -> "list[DocumentRow]":
        if doc_type not in ("PI", "DN"):
            raise ValidationError("Type: PI or DN, not {doc_type}", field="doc_type", params={"doc_type": doc_type})
        return self.s.sales.list_documents(doc_type, **kw)

    def document(self, number_or_id: str | int) -> "DocumentView":
        """A PI (lines' ``qty_done`` = delivered, ``extra["state"]``) or a DN (``extra["psi_no"]``)."""
        return self.s.sales.document(number_or_id)

    def state(self, number: str) -> str:
        with self.db.read() as session:
            pi = find_posted(session, number, ("PI",), N_("Provisional invoice"), "number")
            return "cancelled" if pi.status == "cancelled" else (pi.extra or {}).get("state", "open")


# ---------------------------------------------------------------- helpers


def _psi_lines(session: Session, pi: Document) -> list[PSILine]:
    rows = session.execute(
        sa_select(DocumentLine, Item.code, Item.name).join(Item, Item.id == DocumentLine.item_id)
        .where(DocumentLine.document_id == pi.id).order_by(DocumentLine.line_no)
    ).all()
    return [PSILine(l.line_no, code, name, l.unit, l.is_free, l.qty, l.qty_done, l.qty_returned,
                    max(l.qty - l.qty_done, ZQ), l.price, l.discount_pct) for l, code, name in rows]


def _open_psi(session: Session, customer_code: str, loc: Location) -> list[OpenPSI]:
    stmt = (sa_select(Document, Customer.code).join(Customer, Customer.id == Document.customer_id)
            .where(Document.doc_type == "PI", Document.status == "posted", Document.location_id == loc.id,
                   Customer.code == customer_code)
            .order_by(Document.doc_date, Document.id))
    out = []
    for pi, code in session.execute(stmt).all():
        if (pi.extra or {}).get("state") == "closed":
            continue
        lines = _psi_lines(session, pi)
        qty = sum((l.qty for l in lines), ZQ)
        done = sum((l.delivered for l in lines), ZQ)
        if qty - done <= 0:
            continue
        out.append(OpenPSI(pi.number, pi.doc_date, code, pi.currency, pi.net_amount, pi.payable, qty, done,
                           qty - done, (pi.extra or {}).get("state", "open")))
    return out


def _dn_totals(dn: _DN) -> dict:
    pi = dn.pi
    lines = dn.lines
    gross = sum((l.gross for l in lines), Z)
    discount = sum((l.discount + l.line_flat for l in lines), Z)
    subtotal = sum((l.gross - l.discount - l.line_flat for l in lines), Z)
    flat = sum((l.share for l in lines), Z)
    tax = sum((l.tax for l in lines), Z)
    net = subtotal - flat + tax
    ccy = Currency.parse(pi.currency) if pi else USD
    rate = pi.rate if pi else Decimal(1)
    net_usd = net if ccy is USD else q2(net / rate)
    net_cdf = net if ccy is CDF else q2(net * rate)
    redemption = share(pi.redemption_value_usd, net, pi.net_amount) if pi and pi.redemption_value_usd else Z
    red_doc = redemption if ccy is USD else q2(redemption * rate)
    payable = max(net - red_doc, Z)
    payable_usd = payable if ccy is USD else q2(payable / rate)
    exact_cdf = payable if ccy is CDF else q2(payable * rate)
    payable_cdf = round_to_increment(exact_cdf, dn.location.cdf_increment)
    return dict(total_qty=sum((l.qty for l in lines), ZQ),
                total_free_qty=sum((l.qty for l in lines if l.pl.is_free), ZQ), gross=gross, discount=discount,
                subtotal=subtotal, flat=flat, tax=tax, net=net, net_usd=net_usd, net_cdf=net_cdf,
                redemption_usd=redemption, payable=payable, payable_usd=payable_usd, payable_cdf=payable_cdf,
                round_off_cdf=payable_cdf - exact_cdf,
                cost_usd=sum((l.cost for l in lines), Z))


def _release_order(session: Session, pi: Document, lines: list[DocumentLine]) -> None:
    """A cancelled PI that converted an order gives the order its quantities back."""
    if pi.source_id is None:
        return
    order = session.get(Document, pi.source_id)
    if order is None or order.doc_type not in ("SO", "PF") or order.status != "posted":
        return
    for l in lines:
        if l.source_line_id is None:
            continue
        ol = session.get(DocumentLine, l.source_line_id)
        if ol is not None and ol.document_id == order.id:
            ol.qty_done = max(ol.qty_done - l.qty, ZQ)
            session.add(ol)
    session.flush()
    refresh_state(session, order)


# ---------------------------------------------------------------- headless


@handler("provisional_invoice")
def _post_provisional_invoice(services: "Services", actor: Actor, doc: dict) -> dict:
    from ..documents.fields import HEADER_FIELDS, draft_from_fields, draft_reply, totals_out

    required = ["customer"] if "order" in doc else ["customer", "lines"]
    f = Fields(doc, required=required, optional=[k for k in HEADER_FIELDS if k not in required])
    draft = draft_from_fields(f, "PI")
    if f.draft:
        return draft_reply(services.provisional, actor, draft)
    result = services.provisional.post(actor, draft)
    view = services.sales.document(result.document_id)
    totals = totals_out(view.totals, view.currency)
    with services.db.read() as session:
        d = session.get(Document, result.document_id)
        totals.update(loyalty_points=d.loyalty_points, redemption_points=d.redemption_points,
                      redemption_value_usd=d.redemption_value_usd)
    return {"number": result.number, "totals": totals}


@handler("delivery_note")
def _post_delivery_note(services: "Services", actor: Actor, doc: dict) -> dict:
    f = Fields(doc, required=["psi_no"], optional=["location", "date", "customer", "contact_no", "credit_sale",
                                                   "narration", "lines"], allow_approval=False)
    psi_no = f.str("psi_no")
    line_fields = f.list("lines", required=["item", "qty"], optional=["batch", "line"])
    if line_fields:
        lines = [DeliveryLine(item=lf.str("item"), qty=lf.qty("qty"), batch=lf.str("batch"),
                              line=lf.int("line", minimum=1)) for lf in line_fields]
    else:  # omitted: everything left to deliver, first-expiry batches
        lines = services.provisional.delivery_draft(psi_no).lines
    customer = f.str("customer")
    if not customer:
        with services.db.read() as session:
            pi = find_posted(session, psi_no, ("PI",), N_("Provisional invoice"), "psi_no")
            c = session.get(Customer, pi.customer_id)
            customer = c.code if c else ""
    draft = DeliveryDraft(location=f.str("location"), date=f.date("date"), customer=customer, psi_no=psi_no,
                          contact_no=f.str("contact_no", "") or "",
                          credit_sale=f.bool("credit_sale") if "credit_sale" in f else None,
                          narration=f.str("narration", "") or "", lines=lines)
    if f.draft:
        draft_id = services.provisional.save_delivery_draft(actor, draft)
        return {"number": None, "draft_id": draft_id, "totals": {}}
    result = services.provisional.post_delivery(actor, draft)
    with services.db.read() as session:
        d = session.get(Document, result.document_id)
        pi = session.get(Document, d.source_id)
        totals = {"total_qty": d.total_qty, "free_qty": d.total_free_qty, "net": d.net_amount,
                  "currency": d.currency, "cost_usd": d.amount_usd}
        state = (pi.extra or {}).get("state")
    return {"number": result.number, "totals": totals, "psi_state": state}


__all__ = [
    "DeliveryDraft",
    "DeliveryLine",
    "DeliveryPreview",
    "DeliveryPreviewLine",
    "OpenPSI",
    "PSILine",
    "PSI_EMPTY",
    "ProvisionalService",
    "share",
]
