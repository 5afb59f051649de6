"""Sales Return (``SR``) against an invoice or a delivery note, and Direct Return (``RD``)
without one (DESIGN §6, §7; seed screens 06 and 07).

Sales return
    "Return Based On" is ``invoice`` (a sales invoice SI, or a provisional
    invoice PI) or ``delivery_note`` (DN). :meth:`ReturnsService.returnable`
    lists only the documents with something left to return; any other number
    gets the seed's "Invoice No. … not in Sales Return: already fully returned
    or wrong customer". Customer, currency, rate, sales person and tax come
    from the original. What may be returned, per line of the basis:

    ============  ======================================  =====================
    basis         balance qty                             stock back into
    ============  ======================================  =====================
    SI            sold − returned                         the invoice line's batch
    DN            delivered on the DN line − returned     the DN line's batch
    PI            delivered − returned (over its DNs)     a batch delivered for it
    ============  ======================================  =====================

    A return line returns one batch (none typed: the basis line's, or for a PI
    the first batch delivered with a balance); ``qty ≤ balance`` ("Quantity 12
    exceeds the balance 8 of line 2"). Narration is required.

    Amounts: each returned line takes the original line's gross, discount,
    line flat, flat-discount share and tax in proportion to the returned
    quantity (the original's rounding is kept: the return that completes a line
    takes exactly what the earlier returns left). The loyalty redemption of
    the original is shared the same way by net. The credit given is
    ``net − redemption share`` (a CDF original: brought to the cash increment;
    the return completing the original takes exactly what is left of its
    payable).

    Journal, at the original's rate::

        Dr 4010 Sales returns   returned net sales (subtotal − flat share)
        Dr 2100 VAT             returned tax
        Cr 6300 Loyalty         redemption share (if any)
        Cr 1200 Receivable      the credit (customer sub-ledger)
        ±  4100 Round off       CDF cash rounding / conversion cents
        Dr 1300 / Cr 5000       at the original cost (free goods: Cr the promotion account)

    Stock comes back (kind ``return``); the original lines' ``qty_returned``
    rise (a DN-based return: the DN line's and its PI line's). Loyalty points
    earned on the original that the net left no longer earns are reversed
    (cumulative over its returns, :func:`.loyalty.reversed_on_return`). The
    credit entry is matched against the original's open entry; what the
    original no longer owes stays a credit balance, refunded through
    :meth:`CashService.post_refund` or used on the next invoice.

Direct return
    No original: customer, sales person, currency, rate, credit sale, tax
    exempted, mobile and address (required), optional original invoice date;
    lines with item, batch (new or known), supplier, supplier batch no,
    manufacturing and expiry date (required), qty, price. A new batch is
    created; a known one must carry the same expiry. Stock in (kind
    ``direct_return``) at the item's cost; the journal is an invoice's
    reversed (Dr 4010, Dr 2100, Cr 1200, round off, Dr 1300 / Cr 5000); the
    credit stays on the customer's ledger. Points worth the net are taken back
    (at most the points held).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from shopterm.core import narration as nt
from shopterm.core.doctypes import status_name
from shopterm.core.i18n import N_, _
from ...core import loyalty as core_loyalty
from ...core.errors import TotalsError
from ...core.journal import (COGS, INVENTORY, LOYALTY, RECEIVABLE, ROUND_OFF, SALES, SALES_RETURNS, VAT, JLine,
                             UnbalancedJournalError, balance_into, cost_of, credit, debit, without_zero)
from ...core.money import Currency, MoneyError, format_amount, format_qty, parse_amount, q2, round_to_increment, to_usd
from ...core.totals import LineInput, compute_totals
from ...store.models import (Batch, Customer, Document, DocumentLine, Item, LedgerEntry, Location, SalesPerson,
                             StockMove, Supplier)
from ..admin import audit
from ..context import Actor
from ..cash.day import find_location
from ..errors import InactiveRecord, NotFound, UnbalancedJournal, ValidationError
from ..headless import Fields, handler
from ..schemes.loyalty import card_terms, points_held, reversed_on_return
from ..documents.drafts import ItemQtyRow
from ..documents.views import PostedRef
from ..documents.toolkit import code_of as _code
from ..documents.toolkit import (Masters, Rules, currency_of, day_and_location, draft_row, find_posted,
                                 form_from_dict, line_qty, load_form_draft, rate_or_system, save_form_draft,
                                 voucher_rows)
from ..documents.posting import LoyaltySpec, PostingPlan, PostResult, StockSpec
from ..schemes.promotions import cost_journal
from ..stock import parse_date
from ...core.text import ADDRESS_MAX, CONTACT_MAX
from ...core.units import check_qty_for_unit
from ..masters.base import free_text

if TYPE_CHECKING:
    from .. import Services
    from ..documents.views import DocumentRow, DocumentView, JournalRow

USD, CDF = Currency.USD, Currency.CDF
Z = Decimal("0.00")
ZQ = Decimal("0.000")
Number = Decimal | str | int | None
BASES = {"invoice": ("SI", "PI"), "delivery_note": ("DN",)}
TYPE_NAMES = {"SI": N_("sales invoice"), "PI": N_("provisional invoice"), "DN": N_("delivery note")}


NOT_RETURNABLE = N_("Invoice No. {number} not in Sales Return: already fully returned or wrong customer")


def not_returnable(number: str) -> str:
    return _(NOT_RETURNABLE).format(number=number)


# ---------------------------------------------------------------- inputs and results


@dataclass(slots=True)
class ReturnLine(ItemQtyRow):
    """A return grid row; ``line`` is the line of the basis document (None: the first line of
    the item with a balance); ``batch`` None: the basis line's batch."""

    item: str = ""
    qty: Number = None
    batch: str | None = None
    line: int | None = None


@dataclass(slots=True)
class ReturnDraft:
    location: str | None = None
    date: dt.date | str | None = None
    based_on: str = "invoice"  # invoice | delivery_note
    invoice: str = ""  # the SI/PI (or DN) number
    customer: str = ""  # optional: the customer chosen on screen (a check)
    mobile: str = ""
    address: str = ""
    print_usd: bool = False
    narration: str = ""
    lines: list[ReturnLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReturnableDoc(PostedRef):
    net: Decimal
    qty: Decimal  # sold (SI, DN) or delivered (PI)
    returned: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class ReturnableLine:
    line_no: int
    item: str
    name: str
    unit: str
    batch: str | None  # SI/DN line's batch (a PI line: None)
    is_free: bool
    qty: Decimal  # sold / delivered
    returned: Decimal
    balance: Decimal
    price: Decimal
    discount_pct: Decimal


@dataclass(frozen=True, slots=True)
class ReturnPreviewLine:
    line: int
    basis_line: int
    item: str
    name: str
    unit: str
    batch: str | None
    is_free: bool
    balance: Decimal
    qty: Decimal
    price: Decimal
    gross: Decimal
    discount_amount: Decimal  # % discount + line flat
    flat_share: Decimal
    tax: Decimal
    net: Decimal
    unit_cost_usd: Decimal


@dataclass(frozen=True, slots=True)
class ReturnPreview:
    based_on: str
    invoice: str | None
    original: str | None
    customer: str | None
    currency: str
    rate: Decimal
    lines: tuple[ReturnPreviewLine, ...]
    total_qty: Decimal  # Total Paid Qty
    total_free_qty: Decimal
    gross: Decimal
    discount: Decimal
    flat_discount: Decimal
    tax: Decimal
    round_off: Decimal
    net: Decimal
    net_usd: Decimal
    net_cdf: Decimal
    redemption_usd: Decimal
    credit: Decimal  # what the customer is credited (document currency)
    credit_usd: Decimal
    loyalty_points: int  # reversed
    available_points: int
    journal: list[JLine]
    voucher: tuple["JournalRow", ...]
    warnings: list[str]
    credit_cdf: Decimal = Decimal(0)  # the credit in francs, to the cash increment (the posted payable_cdf)

    @property
    def ok(self) -> bool:
        return not self.warnings


@dataclass(slots=True)
class _Part:
    line: DocumentLine  # the line whose qty_returned rises (SI line, DN line)
    qty: Decimal


@dataclass(slots=True)
class _RLine:
    n: int
    basis: DocumentLine
    fin: DocumentLine
    item: Item
    batch: Batch | None
    qty: Decimal
    balance: Decimal
    parts: list[_Part]
    unit_cost: Decimal
    gross: Decimal = Z
    discount: Decimal = Z
    line_flat: Decimal = Z
    share: Decimal = Z
    tax: Decimal = Z

    @property
    def line_net(self) -> Decimal:
        return self.gross - self.discount - self.line_flat

    @property
    def net(self) -> Decimal:
        return self.line_net - self.share + self.tax

    @property
    def cost(self) -> Decimal:
        return q2(self.qty * self.unit_cost)


@dataclass(frozen=True, slots=True)
class ReturnFigures:
    """A sales return's totals in the original's currency (``*_usd``: in USD), as posted on
    its header: what it takes back (``net``) and what the customer is credited (``credit``,
    after the loyalty redemption returned and the CDF rounding)."""

    total_qty: Decimal  # paid lines
    total_free_qty: Decimal
    gross: Decimal
    discount: Decimal  # line discounts and line flat discounts
    subtotal: Decimal
    flat: Decimal  # the document flat discount's share
    tax: Decimal
    net: Decimal
    net_usd: Decimal
    net_cdf: Decimal
    round_off: Decimal
    redemption_usd: Decimal
    credit: Decimal
    credit_usd: Decimal
    credit_cdf: Decimal


@dataclass(slots=True)
class _SR:
    draft: ReturnDraft
    date: dt.date
    location: Location
    basis: Document | None
    original: Document | None
    customer: Customer | None
    lines: list[_RLine]
    figures: ReturnFigures
    journal: list[JLine]
    points: int
    final: bool
    warnings: list[str]


def _part(value: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    if whole == 0:
        return Z
    return q2(value * part / whole)


# ---------------------------------------------------------------- balances


def _basis_lines(session: Session, basis: Document) -> list[DocumentLine]:
    return list(session.exec(select(DocumentLine).where(DocumentLine.document_id == basis.id)
                             .order_by(DocumentLine.line_no)).all())


def _dn_lines_for(session: Session, pi_line: DocumentLine) -> list[DocumentLine]:
    """The posted delivery-note lines that delivered ``pi_line``, oldest first."""
    return list(session.exec(
        select(DocumentLine).join(Document, Document.id == DocumentLine.document_id)
        .where(DocumentLine.source_line_id == pi_line.id, Document.doc_type == "DN", Document.status == "posted")
        .order_by(DocumentLine.id)).all())


def line_balance(basis: Document, line: DocumentLine) -> Decimal:
    if basis.doc_type == "PI":
        return max(line.qty_done - line.qty_returned, ZQ)
    return max(line.qty - line.qty_returned, ZQ)


def _returnable_docs(session: Session, based_on: str, loc: Location, customer: str | None,
                     number: str | None = None, limit: int = 200) -> list[ReturnableDoc]:
    types = BASES[based_on]
    stmt = (sa_select(Document, Customer.code, Customer.name)
            .join(Customer, Customer.id == Document.customer_id)
            .where(col(Document.doc_type).in_(types), Document.status == "posted", Document.location_id == loc.id))
    if customer:
        stmt = stmt.where(Customer.code == _code(customer))
    if number:
        stmt = stmt.where(Document.number == _code(number))
    out = []
    for doc, code, name in session.execute(stmt.order_by(Document.doc_date, Document.id)).all():
        qty_col = DocumentLine.qty_done if doc.doc_type == "PI" else DocumentLine.qty
        q, r = session.execute(sa_select(func.sum(qty_col), func.sum(DocumentLine.qty_returned))
                               .where(DocumentLine.document_id == doc.id)).one()
        q, r = q or ZQ, r or ZQ
        if q - r <= 0:
            continue
        out.append(ReturnableDoc(doc.number, doc.doc_type, doc.doc_date, code, name, doc.currency, doc.net_amount,
                                 q, r, q - r))
        if len(out) >= limit:
            break
    return out


# ---------------------------------------------------------------- the service


class ReturnsService:
    """``services.returns``: Sales Return and Direct Return."""

    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    # ============================================================ sales return: lookups
    def returnable(self, based_on: str = "invoice", customer: str | None = None, location: str | None = None, *,
                   limit: int = 200) -> list[ReturnableDoc]:
        """The Invoice No. dropdown: posted SI/PI (or DN) with something left to return, oldest first."""
        based_on = _based_on(based_on)
        with self.db.read() as session:
            return _returnable_docs(session, based_on, find_location(session, location), customer, limit=limit)

    def return_lines(self, based_on: str, number: str) -> list[ReturnableLine]:
        """The basis document's lines with sold/delivered, returned and balance quantities."""
        based_on = _based_on(based_on)
        with self.db.read() as session:
            basis = find_posted(session, number, BASES[based_on], N_("Invoice No."), "invoice")
            rows = session.execute(
                sa_select(DocumentLine, Item.code, Item.name, Batch.code)
                .join(Item, Item.id == DocumentLine.item_id).outerjoin(Batch, Batch.id == DocumentLine.batch_id)
                .where(DocumentLine.document_id == basis.id).order_by(DocumentLine.line_no)
            ).all()
            return [ReturnableLine(l.line_no, code, name, l.unit, bcode if basis.doc_type != "PI" else None, l.is_free,
                                   l.qty_done if basis.doc_type == "PI" else l.qty, l.qty_returned,
                                   line_balance(basis, l), l.price, l.discount_pct)
                    for l, code, name, bcode in rows]

    # ============================================================ sales return: entry
    def preview(self, draft: ReturnDraft, actor: Actor | None = None) -> ReturnPreview:
        with self.db.read() as session:
            sr = self._build(session, draft, strict=False, actor=actor)
            return self._preview_of(session, sr)

    def save_draft(self, actor: Actor, draft: ReturnDraft, draft_id: int | None = None) -> int:
        actor.require("sell", "Saving a sales return")
        return save_form_draft(self.s, actor, "SR", draft, draft_id, location=draft.location, date=draft.date,
                               customer=draft.customer, narration=draft.narration, what=_code(draft.invoice))

    def load_draft(self, draft_id: int) -> ReturnDraft:
        return form_from_dict(ReturnDraft, load_form_draft(self.s, draft_id, "SR"), ReturnLine)

    def post(self, actor: Actor, draft: ReturnDraft, draft_id: int | None = None) -> PostResult:
        """Post a sales return (all or nothing): reversal, stock back, loyalty, ledger match."""
        actor.require("sell", "Sales returns")
        from ..ledger.matching import plan_settlement, write_planned_match
        with self.db.write() as session:
            existing = draft_row(session, draft_id, "SR") if draft_id else None
            sr = self._build(session, draft, strict=True, actor=actor)
            orig, basis, f = sr.original, sr.basis, sr.figures
            doc = existing or Document(doc_type="SR", location_id=sr.location.id, doc_date=sr.date,
                                       created_by=actor.user_id)
            cust = sr.customer
            doc.location_id, doc.doc_date, doc.subtype = sr.location.id, sr.date, _based_on(draft.based_on)
            doc.customer_id, doc.sales_person_id = orig.customer_id, orig.sales_person_id
            doc.currency, doc.rate, doc.sales_type, doc.tax_exempt = orig.currency, orig.rate, orig.sales_type, orig.tax_exempt
            doc.print_usd = bool(draft.print_usd)
            mobile = (draft.mobile or "").strip() or (cust.mobile if cust else "")
            address = (draft.address or "").strip() or (cust.address if cust else "")
            doc.contact_no = free_text(mobile, field="mobile", label=N_("Mobile"), max_len=CONTACT_MAX)
            doc.source_id = orig.id
            doc.total_qty, doc.total_free_qty = f.total_qty, f.total_free_qty
            doc.total_gross, doc.total_discount, doc.subtotal = f.gross, f.discount, f.subtotal
            doc.flat_amount, doc.tax_amount, doc.net_amount = f.flat, f.tax, f.net
            doc.net_usd, doc.net_cdf, doc.round_off_cdf = f.net_usd, f.net_cdf, f.round_off
            doc.loyalty_points, doc.redemption_value_usd = sr.points, f.redemption_usd
            doc.payable, doc.payable_usd, doc.payable_cdf = f.credit, f.credit_usd, f.credit_cdf
            doc.amount, doc.amount_usd = f.credit, f.credit_usd
            doc.narration = free_text(draft.narration, field="narration")
            doc.extra = {"based_on": doc.subtype, "invoice": basis.number, "original": orig.number,
                         "mobile": free_text(mobile, field="mobile", label=N_("Mobile"), max_len=CONTACT_MAX),
                         "address": free_text(address, field="address", label=N_("Address"), max_len=ADDRESS_MAX), "final": sr.final}
            rows, stock = [], []
            for i, l in enumerate(sr.lines):
                rows.append(DocumentLine(
                    line_no=i + 1, item_id=l.item.id, batch_id=l.batch.id if l.batch else None, unit=l.fin.unit,
                    qty=l.qty, is_free=l.fin.is_free, price=l.fin.price, price_usd=l.fin.price_usd, gross=l.gross,
                    discount_pct=l.fin.discount_pct, discount_amount=l.discount, line_flat=l.line_flat,
                    line_net=l.line_net, flat_share=l.share, tax_rate=l.fin.tax_rate, tax_amount=l.tax,
                    unit_cost_usd=l.unit_cost, source_line_id=l.fin.id,
                    extra={"basis_line": l.basis.id, "parts": [[p.line.id, str(p.qty)] for p in l.parts]},
                ))
                if l.batch is not None:
                    stock.append(StockSpec(l.item.id, l.batch.id, l.qty, l.unit_cost, "return", i))
                l.fin.qty_returned = l.fin.qty_returned + l.qty
                session.add(l.fin)
                for p in l.parts:
                    if p.line.id != l.fin.id:
                        p.line.qty_returned = p.line.qty_returned + p.qty
                        session.add(p.line)
            loyalty = [LoyaltySpec(orig.customer_id, "reverse", -sr.points)] if sr.points else []
            # the credit settles what is open of its invoice, in the invoice's currency, with any exchange
            # difference in the return's own voucher (DESIGN §8)
            journal, settles = sr.journal, None
            receivable = next((j for j in sr.journal if j.account == RECEIVABLE and j.customer_id is not None
                               and j.amount_usd < 0), None)
            open_entry = session.exec(
                select(LedgerEntry).where(LedgerEntry.document_id == orig.id, LedgerEntry.voucher_type == orig.doc_type,
                                          LedgerEntry.amount > 0, LedgerEntry.is_open == True)  # noqa: E712
                .order_by(LedgerEntry.id)).first()
            if receivable is not None and open_entry is not None:
                settles = plan_settlement(session, orig.customer_id, receivable.currency, -receivable.amount,
                                          -receivable.amount_usd, doc.rate, sr.date, new_is_debit=False,
                                          only=[open_entry.id])
                journal = [*journal, *settles.exchange_lines(orig.customer_id)]
            result = self.s.posting.post(session, actor, PostingPlan(
                doc=doc, lines=rows, journal=journal, stock=stock, loyalty=loyalty, reference=orig.number,
                due_date=sr.date,
                summary=f"SR for {cust.code if cust else '-'} against {basis.number}: credit "
                        f"{format_amount(f.credit)} {orig.currency}"))
            if settles is not None and result.ledger_entry_ids:
                write_planned_match(session, actor, orig.customer_id, result.ledger_entry_ids, settles, sr.date,
                                    "auto")
            return result

    # -- the build ------------------------------------------------------------------
    def _build(self, session: Session, draft: ReturnDraft, *, strict: bool, actor: Actor | None) -> _SR:
        rule = Rules(strict)
        warn = rule.warnings
        based_on = _based_on(draft.based_on)
        date, loc = day_and_location(self.s, session, draft.location, draft.date, actor, rule)
        basis = _find_basis(session, draft.invoice, based_on)
        orig = session.get(Document, basis.source_id) if basis.doc_type == "DN" else basis
        number = basis.number
        if basis.location_id != loc.id:
            raise ValidationError("Invoice No. {number} belongs to another location", field="invoice",
                params={"number": number})
        if orig is None or orig.status != "posted":
            raise ValidationError("Invoice No. {number}: its invoice is {status}",
                                  field="invoice",
                params={"number": number, "status": status_name(orig.status) if orig else _("missing")})
        cust = session.get(Customer, orig.customer_id)
        if draft.customer and (cust is None or cust.code != _code(draft.customer)):
            raise ValidationError(NOT_RETURNABLE, field="invoice", params={"number": number})
        if not _returnable_docs(session, based_on, loc, None, number=number):
            raise ValidationError(NOT_RETURNABLE, field="invoice", params={"number": number})
        if date < basis.doc_date:
            rule(ValidationError("The return date {date} is before {number} ({doc_date})", field="date",
                params={"date": date, "number": number, "doc_date": basis.doc_date}))
        if not (draft.narration or "").strip():
            rule(ValidationError("Narration is required: enter the reason for the return", field="narration"))

        blines = _basis_lines(session, basis)
        items = {l.item_id: session.get(Item, l.item_id) for l in blines}
        left = {l.id: line_balance(basis, l) for l in blines}
        m = Masters(session)
        dn_left: dict[int, Decimal] = {}
        lines: list[_RLine] = []
        for n, rl in enumerate(draft.lines, start=1):
            if rl.is_blank():
                continue
            icode = _code(rl.item)
            if not icode:
                raise ValidationError("Line {n}: item is required", field="item", line=n, params={"n": n})
            qty = line_qty(rl.qty, n)
            of_item = [l for l in blines if items[l.item_id] is not None and items[l.item_id].code == icode]
            if not of_item:
                raise ValidationError("Line {n}: {item} is not on {kind} {number}",
                                      field="item", line=n,
                    params={"n": n, "item": icode, "kind": _(TYPE_NAMES[basis.doc_type]), "number": number})
            if rl.line not in (None, ""):
                bl = next((l for l in of_item if l.line_no == int(rl.line)), None)
                if bl is None:
                    raise ValidationError("Line {n}: line {line} of {number} is not {item}", field="line", line=n,
                        params={"n": n, "line": rl.line, "number": number, "item": icode})
            else:
                bl = next((l for l in of_item if left[l.id] > 0), of_item[0])
            item = items[bl.item_id]
            whole = check_qty_for_unit(qty, item.unit)
            if whole is not None:
                raise ValidationError("Line {n}: {code}: {whole}", field="qty", line=n,
                    params={"n": n, "code": item.code, "whole": whole})
            bcode = _code(rl.batch)
            parts: list[_Part] = []
            if basis.doc_type == "PI":
                dls = [d for d in _dn_lines_for(session, bl)]
                for d in dls:
                    dn_left.setdefault(d.id, d.qty - d.qty_returned)
                with_left = [d for d in dls if dn_left[d.id] > 0]
                if bcode:
                    batch = m.batch(item.id, bcode)
                    if batch is None:
                        raise NotFound("Line {n}: batch {batch} of {item} not found", field="batch", line=n,
                            params={"n": n, "batch": bcode, "item": icode})
                    with_left = [d for d in with_left if d.batch_id == batch.id]
                    if not with_left:
                        rule(ValidationError("Line {n}: batch {batch} was not delivered on line {line} of {number} (or is fully returned)", field="batch", line=n,
                            params={"n": n, "batch": bcode, "line": bl.line_no, "number": number}))
                else:
                    batch = session.get(Batch, with_left[0].batch_id) if with_left else None
                    with_left = [d for d in with_left if batch is not None and d.batch_id == batch.id]
                balance = min(left[bl.id], sum((dn_left[d.id] for d in with_left), ZQ))
                need = qty
                for d in with_left:
                    take = min(dn_left[d.id], need)
                    if take > 0:
                        parts.append(_Part(d, take))
                        dn_left[d.id] -= take
                        need -= take
                unit_cost = with_left[0].unit_cost_usd if with_left else bl.unit_cost_usd
                fin = bl
            else:
                batch = session.get(Batch, bl.batch_id) if bl.batch_id else None
                if bcode and (batch is None or batch.code != bcode):
                    rule(ValidationError("Line {n}: batch {batch} is not the batch of line {line} of {number} ({actual})", field="batch", line=n,
                        params={"n": n, "batch": bcode, "line": bl.line_no, "number": number, "actual": batch.code if batch else _("none")}))
                balance = left[bl.id]
                parts.append(_Part(bl, qty))
                unit_cost = bl.unit_cost_usd
                fin = bl if basis.doc_type == "SI" else session.get(DocumentLine, bl.source_line_id)
            if qty > balance:
                rule(ValidationError("Quantity {qty} exceeds the balance {balance} of line {n}",
                                     field="qty", line=n,
                    params={"qty": format_qty(qty), "balance": format_qty(balance), "n": n}))
            left[bl.id] = left[bl.id] - qty
            lines.append(_RLine(n, bl, fin, item, batch, qty, balance, parts, unit_cost))
        if not lines:
            rule(ValidationError("Add at least one item line to return", field="lines"))

        _share_amounts(session, lines)
        figures, final, journal = _figures(session, orig, lines, loc)
        net_usd = figures.net_usd
        points = reversed_on_return(session, orig, net_usd)
        return _SR(draft, date, loc, basis, orig, cust, lines, figures, journal, points, final, warn)

    def _preview_of(self, session: Session, sr: _SR) -> ReturnPreview:
        f = sr.figures
        lines = tuple(
            ReturnPreviewLine(l.n, l.basis.line_no, l.item.code, l.item.name, l.fin.unit,
                              l.batch.code if l.batch else None, l.fin.is_free, l.balance, l.qty, l.fin.price,
                              l.gross, l.discount + l.line_flat, l.share, l.tax, l.net, l.unit_cost)
            for l in sr.lines
        )
        orig = sr.original
        held = points_held(session, orig.customer_id) if orig and orig.customer_id else 0
        return ReturnPreview(_based_on(sr.draft.based_on), sr.basis.number if sr.basis else None,
                             orig.number if orig else None, sr.customer.code if sr.customer else None,
                             orig.currency if orig else "USD", orig.rate if orig else Decimal(1), lines,
                             f.total_qty, f.total_free_qty, f.gross, f.discount, f.flat, f.tax,
                             f.round_off, f.net, f.net_usd, f.net_cdf, f.redemption_usd, f.credit,
                             f.credit_usd, sr.points, held, sr.journal,
                             voucher_rows(session, sr.journal), sr.warnings, f.credit_cdf)

    # ============================================================ direct return
    def preview_direct(self, draft: "DirectReturnDraft", actor: Actor | None = None) -> "DirectReturnPreview":
        with self.db.read() as session:
            rd = self._build_direct(session, draft, strict=False, actor=actor)
            return DirectReturnPreview(rd.totals, rd.journal, voucher_rows(session, rd.journal),
                                       rd.points, rd.new_batches, rd.warnings)

    def save_direct_draft(self, actor: Actor, draft: "DirectReturnDraft", draft_id: int | None = None) -> int:
        actor.require("sell", "Saving a direct return")
        return save_form_draft(self.s, actor, "RD", draft, draft_id, location=draft.location, date=draft.date,
                               customer=draft.customer, narration=draft.narration)

    def load_direct_draft(self, draft_id: int) -> "DirectReturnDraft":
        return form_from_dict(DirectReturnDraft, load_form_draft(self.s, draft_id, "RD"), DirectReturnLine)

    def post_direct(self, actor: Actor, draft: "DirectReturnDraft", draft_id: int | None = None) -> PostResult:
        actor.require("sell", "Direct returns")
        with self.db.write() as session:
            existing = draft_row(session, draft_id, "RD") if draft_id else None
            rd = self._build_direct(session, draft, strict=True, actor=actor)
            t = rd.totals
            created: list[Batch] = []
            for l in rd.lines:
                if l.batch is None:  # a new batch: created with the return
                    l.batch = Batch(item_id=l.item.id, code=l.batch_code, expiry=l.expiry, mfg_date=l.mfg_date,
                                    supplier_id=l.supplier.id, supplier_batch_no=l.supplier_batch_no,
                                    cost_usd=l.item.cost_usd)
                    session.add(l.batch)
                    session.flush()
                    created.append(l.batch)
            doc = existing or Document(doc_type="RD", location_id=rd.location.id, doc_date=rd.date,
                                       created_by=actor.user_id)
            doc.location_id, doc.doc_date = rd.location.id, rd.date
            doc.customer_id, doc.sales_person_id = rd.customer.id, rd.sales_person.id
            doc.currency, doc.rate, doc.tax_exempt = rd.currency.value, rd.rate, rd.tax_exempt
            doc.sales_type = "credit" if draft.credit_sale else "cash"
            doc.contact_no = free_text(rd.mobile, field="mobile", label=N_("Mobile"), max_len=CONTACT_MAX)
            doc.total_qty, doc.total_gross, doc.total_discount = t.total_qty, t.total_gross, t.total_discount
            doc.subtotal, doc.tax_amount, doc.net_amount = t.subtotal, t.tax, t.net
            doc.net_usd, doc.net_cdf, doc.round_off_cdf = t.net_usd, t.net_cdf, t.round_off_cdf
            doc.payable, doc.payable_usd, doc.payable_cdf = t.payable, t.payable_usd, t.payable_cdf
            doc.amount, doc.amount_usd = t.receivable, t.receivable_usd
            doc.loyalty_points = rd.points
            doc.narration = free_text(draft.narration, field="narration")
            doc.extra = {"mobile": free_text(rd.mobile, field="mobile", label=N_("Mobile"), max_len=CONTACT_MAX),
                         "address": free_text(rd.address, field="address", label=N_("Address"), max_len=ADDRESS_MAX),
                         "invoice_date": rd.invoice_date.isoformat() if rd.invoice_date else None,
                         "location_batch": bool(draft.location_batch)}
            rows, stock = [], []
            for i, (l, lt) in enumerate(zip(rd.lines, t.lines)):
                rows.append(DocumentLine(
                    line_no=i + 1, item_id=l.item.id, batch_id=l.batch.id, unit=l.item.unit, qty=l.qty, price=l.price,
                    price_usd=l.price if rd.currency is USD else to_usd(l.price, rd.currency, rd.rate),
                    gross=lt.gross, line_net=lt.line_net, tax_rate=l.tax_rate, tax_amount=lt.tax,
                    unit_cost_usd=l.item.cost_usd,
                    extra={"supplier": l.supplier.code, "supplier_batch_no": l.supplier_batch_no,
                           "expiry": l.expiry.isoformat() if l.expiry else None,
                           "mfg_date": l.mfg_date.isoformat() if l.mfg_date else None, "new_batch": l.is_new},
                ))
                stock.append(StockSpec(l.item.id, l.batch.id, l.qty, l.item.cost_usd, "direct_return", i))
            loyalty = [LoyaltySpec(rd.customer.id, "reverse", -rd.points)] if rd.points else []
            result = self.s.posting.post(session, actor, PostingPlan(
                doc=doc, lines=rows, journal=rd.journal, stock=stock, loyalty=loyalty, due_date=rd.date,
                summary=f"RD for {rd.customer.code}: credit {format_amount(t.receivable)} {rd.currency.value}"))
            for b in created:
                audit.record(session, actor, "create", "batch", b.id, after=b,
                             summary=f"batch {b.code} by direct return {result.number}")
            return result

    def _build_direct(self, session: Session, draft: "DirectReturnDraft", *, strict: bool,
                      actor: Actor | None) -> "_RD":
        from .invoice import customer_at

        rule = Rules(strict)
        warn = rule.warnings
        date, loc = day_and_location(self.s, session, draft.location, draft.date, actor, rule)
        code = _code(draft.customer)
        if not code:
            raise ValidationError("Customer is required", field="customer")
        cust = session.exec(select(Customer).where(Customer.code == code)).first()
        if cust is None:
            raise NotFound("Customer {code} not found", field="customer", params={"code": code})
        if cust.inactive:
            rule(InactiveRecord("Customer {code} is inactive", field="customer", params={"code": code}))
        if not customer_at(session, cust, loc):
            rule(ValidationError("Customer {code} is not assigned to location {loc_code}", field="customer",
                params={"code": code, "loc_code": loc.code}))
        sp_code = _code(draft.sales_person)
        sp = None
        if sp_code:
            sp = session.exec(select(SalesPerson).where(SalesPerson.code == sp_code)).first()
            if sp is None:
                raise NotFound("Sales person {code} not found", field="sales_person", params={"code": sp_code})
        elif cust.sales_person_id:
            sp = session.get(SalesPerson, cust.sales_person_id)
        if sp is None:
            raise ValidationError("Sales person is required", field="sales_person")
        invoice_date = parse_date(draft.invoice_date, "invoice_date")
        if invoice_date is not None and invoice_date > date:
            rule(ValidationError("Invoice date {invoice_date} is after the return date {date}", field="invoice_date",
                params={"invoice_date": invoice_date, "date": date}))
        ccy = currency_of(draft.currency)
        rate = rate_or_system(self.s, session, draft.rate, date)  # blank: the system rate
        mobile = (draft.mobile or "").strip() or cust.mobile
        address = (draft.address or "").strip() or cust.address
        if not mobile:
            rule(ValidationError("Mobile No is required", field="mobile"))
        if not address:
            rule(ValidationError("Address is required", field="address"))
        tax_exempt = bool(draft.tax_exempt) or cust.tax_exempt

        lines: list[_DRLine] = []
        for n, dl in enumerate(draft.lines, start=1):
            if dl.is_blank():
                continue
            lines.append(self._direct_line(session, n, dl, date, tax_exempt, rule))
        if not lines:
            rule(ValidationError("Add at least one item line to return", field="lines"))
        if draft.location_batch:
            for l in lines:
                held = l.batch is not None and session.execute(
                    sa_select(StockMove.id).where(StockMove.batch_id == l.batch.id,
                                                  StockMove.location_id == loc.id).limit(1)).first() is not None
                if not held:
                    rule(ValidationError(
                        "Line {n}: batch {batch} of {item} is not a batch of {loc}: with Location Batch Flag the "
                        "goods go back only into a batch this location holds (F2 lists them)",
                        field="batch", line=l.n, params={"n": l.n, "batch": l.batch_code, "item": l.item.code,
                                                          "loc": loc.code}))
        seen: dict[tuple[int, str], _DRLine] = {}
        for l in lines:
            key = (l.item.id, l.batch_code)
            first = seen.setdefault(key, l)
            if first is not l and (first.expiry != l.expiry):
                rule(ValidationError("Line {n}: batch {batch_code} of {code} has expiry {expiry} on line {first_n}", field="expiry", line=l.n,
                    params={"n": l.n, "batch_code": l.batch_code, "code": l.item.code, "expiry": first.expiry, "first_n": first.n}))
        inputs = [LineInput(l.qty, l.price, Decimal(0), Decimal(0), l.tax_rate) for l in lines]
        try:
            totals = compute_totals(inputs, currency=ccy, rate=rate, flat_type="amount", flat_value=Decimal(0),
                                    tax_exempt=tax_exempt, cdf_increment=loc.cdf_increment)
        except TotalsError as exc:
            raise ValidationError(str(exc), field="lines") from None
        from .invoice import invoice_journal

        cost = cost_of((l.qty, l.item.cost_usd) for l in lines)
        try:
            journal = [replace(j, account=SALES_RETURNS if j.account == SALES else j.account, amount_usd=-j.amount_usd,
                               amount=None if j.amount is None else -j.amount, memo=nt.DIRECT_RETURN)
                       for j in invoice_journal(totals, cust.id, cost)]
        except UnbalancedJournalError as exc:
            raise UnbalancedJournal(str(exc)) from None
        points = 0
        terms = card_terms(session, cust)
        if terms is not None and terms.amount_per_point is not None and totals.net_usd > 0:
            points = min(core_loyalty.points_earned(totals.net_usd, terms.amount_per_point),
                         max(points_held(session, cust.id), 0))
        return _RD(draft, date, loc, cust, sp, ccy, rate, tax_exempt, mobile or "", address or "", invoice_date,
                   lines, totals, journal, points, tuple(l.batch_code for l in lines if l.is_new), warn)

    @staticmethod
    def _direct_line(session: Session, n: int, dl: "DirectReturnLine", date: dt.date, tax_exempt: bool,
                     rule) -> "_DRLine":
        icode = _code(dl.item)
        if not icode:
            raise ValidationError("Line {n}: item is required", field="item", line=n, params={"n": n})
        item = session.exec(select(Item).where(Item.code == icode)).first()
        if item is None:
            raise NotFound("Line {n}: item {item} not found", field="item", line=n, params={"n": n, "item": icode})
        if item.inactive:
            rule(InactiveRecord("Line {n}: item {item} is inactive", field="item", line=n,
                params={"n": n, "item": icode}))
        bcode = _code(dl.batch)
        if not bcode:
            raise ValidationError("Line {n}: batch is required", field="batch", line=n, params={"n": n})
        if len(bcode) > 30:
            raise ValidationError("Line {n}: batch code is longer than 30 characters", field="batch", line=n,
                params={"n": n})
        scode = _code(dl.supplier)
        if not scode:
            raise ValidationError("Line {n}: supplier is required", field="supplier", line=n, params={"n": n})
        sup = session.exec(select(Supplier).where(Supplier.code == scode)).first()
        if sup is None:
            raise NotFound("Line {n}: supplier {supplier} not found", field="supplier", line=n,
                params={"n": n, "supplier": scode})
        if sup.inactive:
            rule(InactiveRecord("Line {n}: supplier {supplier} is inactive", field="supplier", line=n,
                params={"n": n, "supplier": scode}))
        sbn = free_text(dl.supplier_batch_no, field="supplier_batch_no", label=_("Line {n}: supplier batch no").format(n=n),
                        max_len=40)
        if not sbn:
            raise ValidationError("Line {n}: supplier batch no is required", field="supplier_batch_no", line=n,
                params={"n": n})
        expiry = parse_date(dl.expiry, "expiry", n)
        if expiry is None:
            raise ValidationError("Line {n}: expiry date is required", field="expiry", line=n, params={"n": n})
        mfg = parse_date(dl.mfg_date, "mfg_date", n)
        if mfg is not None and mfg > expiry:
            rule(ValidationError("Line {n}: the manufacturing date {mfg} is after the expiry {expiry}",
                                 field="mfg_date", line=n, params={"n": n, "mfg": mfg, "expiry": expiry}))
        qty = line_qty(dl.qty, n)
        whole = check_qty_for_unit(qty, item.unit)
        if whole is not None:
            raise ValidationError("Line {n}: {code}: {whole}", field="qty", line=n,
                params={"n": n, "code": item.code, "whole": whole})
        try:
            price = parse_amount(dl.price, field=N_("price"))
        except MoneyError as exc:
            raise ValidationError("Line {n}: {exc}", field="price", line=n, params={"n": n, "exc": exc}) from None
        batch = session.exec(select(Batch).where(Batch.item_id == item.id, Batch.code == bcode)).first()
        if batch is not None and batch.expiry != expiry:
            have = batch.expiry.isoformat() if batch.expiry else "no expiry"
            rule(ValidationError("Line {n}: batch {batch} of {item} has expiry {have}, not {expiry}",
                                 field="expiry", line=n,
                params={"n": n, "batch": bcode, "item": icode, "have": have, "expiry": expiry}))
        return _DRLine(n, item, bcode, batch, batch is None, sup, sbn, expiry, mfg, qty, price,
                       Decimal(0) if tax_exempt else item.tax_rate)

    # ============================================================ search and view
    def list_documents(self, doc_type: str = "SR", **kw: Any) -> "list[DocumentRow]":
        if doc_type not in ("SR", "RD"):
            raise ValidationError("Type: SR or RD, not {doc_type}", field="doc_type", params={"doc_type": doc_type})
        return self.s.sales.list_documents(doc_type, **kw)

    def document(self, number_or_id: str | int) -> "DocumentView":
        """A return with its lines, totals, journal; ``extra`` holds based_on, invoice, original, mobile, address."""
        return self.s.sales.document(number_or_id)


# ---------------------------------------------------------------- amounts


def _share_amounts(session: Session, lines: list[_RLine]) -> None:
    """Each line's share of its original line, keeping the original's rounding (see the module doc)."""
    done: dict[int, dict[str, Decimal]] = {}
    keys = ("qty", "gross", "discount_amount", "line_flat", "flat_share", "tax_amount")
    for l in lines:
        fin = l.fin
        if fin.id not in done:
            row = session.execute(
                sa_select(func.sum(DocumentLine.qty), func.sum(DocumentLine.gross),
                          func.sum(DocumentLine.discount_amount), func.sum(DocumentLine.line_flat),
                          func.sum(DocumentLine.flat_share), func.sum(DocumentLine.tax_amount))
                .join(Document, Document.id == DocumentLine.document_id)
                .where(DocumentLine.source_line_id == fin.id, Document.doc_type == "SR", Document.status == "posted")
            ).one()
            done[fin.id] = {k: (v if v is not None else (ZQ if k == "qty" else Z)) for k, v in zip(keys, row)}
        prev = done[fin.id]
        completes = prev["qty"] + l.qty >= fin.qty
        values = {}
        for k, attr in (("gross", "gross"), ("discount_amount", "discount"), ("line_flat", "line_flat"),
                        ("flat_share", "share"), ("tax_amount", "tax")):
            whole = getattr(fin, k)
            value = whole - prev[k] if completes else _part(whole, l.qty, fin.qty)
            setattr(l, attr, value)
            values[k] = value
        prev["qty"] += l.qty
        for k, v in values.items():
            prev[k] += v


def _figures(session: Session, orig: Document, lines: list[_RLine],
             loc: Location) -> tuple[ReturnFigures, bool, list[JLine]]:
    ccy = Currency.parse(orig.currency)
    rate = orig.rate
    gross = sum((l.gross for l in lines), Z)
    discount = sum((l.discount + l.line_flat for l in lines), Z)
    subtotal = sum((l.line_net for l in lines), Z)
    flat = sum((l.share for l in lines), Z)
    tax = sum((l.tax for l in lines), Z)
    net = subtotal - flat + tax
    net_usd = net if ccy is USD else q2(net / rate)
    net_cdf = net if ccy is CDF else q2(net * rate)

    # does this return complete the original (every paid line fully returned)?
    returning: dict[int, Decimal] = {}
    for l in lines:
        returning[l.fin.id] = returning.get(l.fin.id, ZQ) + l.qty
    orig_lines = session.exec(select(DocumentLine).where(DocumentLine.document_id == orig.id)).all()
    final = bool(lines) and all(ol.qty_returned + returning.get(ol.id, ZQ) >= ol.qty for ol in orig_lines
                                if not ol.is_free)
    prev_red, prev_credit = session.execute(
        sa_select(func.sum(Document.redemption_value_usd), func.sum(Document.amount))
        .where(Document.source_id == orig.id, Document.doc_type == "SR", Document.status == "posted")
    ).one()
    prev_red, prev_credit = prev_red or Z, prev_credit or Z
    red_total = orig.redemption_value_usd or Z
    if final:
        red = red_total - prev_red
    else:
        red = min(_part(red_total, net, orig.net_amount), red_total - prev_red)
    red_doc = red if ccy is USD else q2(red * rate)
    due = net - red_doc
    if final:
        credit_amt = orig.payable - prev_credit
    elif ccy is CDF:
        credit_amt = round_to_increment(due, loc.cdf_increment)
    else:
        credit_amt = due
    credit_amt = max(credit_amt, Z)
    credit_usd = credit_amt if ccy is USD else q2(credit_amt / rate)
    credit_cdf = round_to_increment(credit_amt if ccy is CDF else q2(credit_amt * rate), loc.cdf_increment)
    # A CDF return books its cash rounding; a USD return only reports the CDF rounding of its credit (Pay FC),
    # for a refund in francs, as a USD invoice and a delivery note report theirs (nothing is booked).
    round_off = credit_amt - due if ccy is CDF else credit_cdf - q2(credit_amt * rate)

    sales_r = subtotal - flat
    memo = nt.stored(nt.RETURN_OF, number=orig.number)
    if ccy is USD:
        journal = [debit(SALES_RETURNS, sales_r, memo=memo), debit(VAT, tax, memo=memo)]
    else:
        journal = [debit(SALES_RETURNS, to_usd(sales_r, CDF, rate), CDF, sales_r, memo=memo),
                   debit(VAT, to_usd(tax, CDF, rate), CDF, tax, memo=memo)]
    journal.append(credit(LOYALTY, red, memo=nt.LOYALTY_REDEMPTION_RETURNED))
    cust_id = orig.customer_id
    if ccy is USD:
        journal.append(credit(RECEIVABLE, credit_usd, customer_id=cust_id, memo=memo))
    else:
        journal.append(credit(RECEIVABLE, credit_usd, CDF, credit_amt, customer_id=cust_id, memo=memo))
        journal.append(debit(ROUND_OFF, to_usd(round_off, CDF, rate), CDF, round_off, memo=nt.CASH_ROUNDING))
    try:
        balanced = balance_into(journal, ROUND_OFF)
    except UnbalancedJournalError as exc:
        raise UnbalancedJournal(str(exc)) from None
    if len(balanced) > len(journal) and ccy is CDF:  # fold the conversion cents into the one round-off line
        journal[-1] = replace(journal[-1], amount_usd=journal[-1].amount_usd + balanced[-1].amount_usd)
    else:
        journal = balanced
    paid_cost = cost_of((l.qty, l.unit_cost) for l in lines if not l.fin.is_free)
    journal += [debit(INVENTORY, paid_cost, memo=memo), credit(COGS, paid_cost, memo=memo)]
    for l in lines:
        if l.fin.is_free:
            x = l.fin.extra or {}
            journal += [_reversed(j) for j in cost_journal(x.get("account") or "", x.get("cost_centre"), l.cost,
                                                            nt.stored(nt.FREE_OFFER_RETURNED, item=l.item.code))]
    figures = ReturnFigures(total_qty=sum((l.qty for l in lines if not l.fin.is_free), ZQ),
                            total_free_qty=sum((l.qty for l in lines if l.fin.is_free), ZQ), gross=gross, discount=discount,
                            subtotal=subtotal, flat=flat, tax=tax, net=net, net_usd=net_usd, net_cdf=net_cdf,
                            round_off=round_off, redemption_usd=red, credit=credit_amt, credit_usd=credit_usd,
                            credit_cdf=credit_cdf)
    return figures, final, without_zero(journal)


def _reversed(line: JLine) -> JLine:
    """The same journal line with its sign turned (a free-goods cost posting reversed)."""
    return replace(line, amount_usd=-line.amount_usd, amount=None if line.amount is None else -line.amount)


def _based_on(value: str | None) -> str:
    v = (value or "invoice").strip().lower().replace(" ", "_")
    if v not in BASES:
        raise ValidationError("Return Based On: invoice or delivery_note, not {value!r}", field="based_on",
            params={"value": value})
    return v


def _find_basis(session: Session, number: str, based_on: str) -> Document:
    num = _code(number)
    if not num:
        raise ValidationError("Invoice No. is required", field="invoice")
    doc = session.exec(select(Document).where(Document.number == num,
                                              col(Document.doc_type).in_(["SI", "PI", "DN"]))).first()
    if doc is None:
        raise NotFound("Invoice No. {number} not found", field="invoice", params={"number": num})
    if doc.doc_type not in BASES[based_on]:
        other = "delivery_note" if doc.doc_type == "DN" else "invoice"
        raise ValidationError("Invoice No. {number} is a {kind}: choose Return Based On = {other}",
                              field="based_on",
            params={"number": num, "kind": _(TYPE_NAMES[doc.doc_type]), "other": other})
    if doc.status == "cancelled":
        raise ValidationError("Invoice No. {number} is cancelled", field="invoice", params={"number": num})
    if doc.status != "posted":
        raise ValidationError("Invoice No. {number} is not posted", field="invoice", params={"number": num})
    return doc


# ---------------------------------------------------------------- direct return types


@dataclass(slots=True)
class DirectReturnLine(ItemQtyRow):
    item: str = ""
    batch: str = ""
    supplier: str = ""
    supplier_batch_no: str = ""
    expiry: dt.date | str | None = None
    qty: Number = None
    price: Number = None
    mfg_date: dt.date | str | None = None


@dataclass(slots=True)
class DirectReturnDraft:
    location: str | None = None
    date: dt.date | str | None = None
    customer: str = ""
    sales_person: str | None = None  # None: the customer's
    invoice_date: dt.date | str | None = None
    currency: str = "USD"
    rate: Number = None  # None: the system rate
    credit_sale: bool = True
    tax_exempt: bool = False
    mobile: str = ""  # blank: the customer's (required)
    address: str = ""  # blank: the customer's (required)
    narration: str = ""  # Notes
    lines: list[DirectReturnLine] = field(default_factory=list)
    #: seed "Location Batch Flag": the goods go back only into batches this location has held
    #: (a batch with stock moves here); no new batch is created by the return
    location_batch: bool = False


@dataclass(frozen=True, slots=True)
class DirectReturnPreview:
    totals: Any  # core.totals.DocumentTotals (receivable = the credit)
    journal: list[JLine]
    voucher: tuple["JournalRow", ...]
    loyalty_points: int  # reversed
    new_batches: tuple[str, ...]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return not self.warnings


@dataclass(slots=True)
class _DRLine:
    n: int
    item: Item
    batch_code: str
    batch: Batch | None
    is_new: bool
    supplier: Supplier
    supplier_batch_no: str
    expiry: dt.date
    mfg_date: dt.date | None
    qty: Decimal
    price: Decimal
    tax_rate: Decimal


@dataclass(slots=True)
class _RD:
    draft: DirectReturnDraft
    date: dt.date
    location: Location
    customer: Customer
    sales_person: SalesPerson
    currency: Currency
    rate: Decimal
    tax_exempt: bool
    mobile: str
    address: str
    invoice_date: dt.date | None
    lines: list[_DRLine]
    totals: Any
    journal: list[JLine]
    points: int
    new_batches: tuple[str, ...]
    warnings: list[str]


# ---------------------------------------------------------------- headless


@handler("sales_return")
def _post_sales_return(services: "Services", actor: Actor, doc: dict) -> dict:
    # based_on omitted: the screen's default, an invoice (DESIGN §11: omitted fields take the screen's defaults)
    f = Fields(doc, required=["invoice", "narration", "lines"],
               optional=["based_on", "location", "date", "customer", "mobile", "address", "print_usd"],
               allow_approval=False)
    lines = [ReturnLine(item=lf.str("item"), qty=lf.qty("qty"), batch=lf.str("batch"), line=lf.int("line", minimum=1))
             for lf in f.list("lines", required=["item", "qty"], optional=["batch", "line"], min_items=1)]
    draft = ReturnDraft(location=f.str("location"), date=f.date("date"),
                        based_on=f.choice("based_on", tuple(BASES), "invoice"), invoice=f.str("invoice"),
                        customer=f.str("customer", "") or "", mobile=f.str("mobile", "") or "",
                        address=f.str("address", "") or "", print_usd=f.bool("print_usd"),
                        narration=f.str("narration", "") or "", lines=lines)
    if f.draft:
        return {"number": None, "draft_id": services.returns.save_draft(actor, draft), "totals": {}}
    result = services.returns.post(actor, draft)
    with services.db.read() as session:
        d = session.get(Document, result.document_id)
        totals = {"currency": d.currency, "total_qty": d.total_qty, "free_qty": d.total_free_qty,
                  "gross": d.total_gross, "tax": d.tax_amount, "net": d.net_amount, "net_usd": d.net_usd,
                  "credit": d.amount, "credit_usd": d.amount_usd, "loyalty_points": d.loyalty_points}
    return {"number": result.number, "totals": totals}


@handler("direct_return")
def _post_direct_return(services: "Services", actor: Actor, doc: dict) -> dict:
    f = Fields(doc, required=["customer", "lines"],
               optional=["location", "date", "sales_person", "invoice_date", "currency", "rate", "credit_sale",
                         "tax_exempt", "mobile", "address", "narration", "location_batch"], allow_approval=False)
    lines = [DirectReturnLine(item=lf.str("item"), batch=lf.str("batch"), supplier=lf.str("supplier"),
                              supplier_batch_no=lf.str("supplier_batch_no", "") or "", expiry=lf.date("expiry"),
                              qty=lf.qty("qty"), price=lf.amount("price"), mfg_date=lf.date("mfg_date"))
             for lf in f.list("lines", required=["item", "batch", "supplier", "supplier_batch_no", "expiry", "qty",
                                                 "price"], optional=["mfg_date"], min_items=1)]
    currency = f.currency("currency", USD)
    draft = DirectReturnDraft(location=f.str("location"), date=f.date("date"), customer=f.str("customer"),
                              sales_person=f.str("sales_person"), invoice_date=f.date("invoice_date"),
                              currency=currency.value, rate=f.rate("rate"), credit_sale=f.bool("credit_sale", True),
                              tax_exempt=f.bool("tax_exempt"), mobile=f.str("mobile", "") or "",
                              address=f.str("address", "") or "", narration=f.str("narration", "") or "",
                              lines=lines, location_batch=f.bool("location_batch"))
    if f.draft:
        return {"number": None, "draft_id": services.returns.save_direct_draft(actor, draft), "totals": {}}
    result = services.returns.post_direct(actor, draft)
    with services.db.read() as session:
        d = session.get(Document, result.document_id)
        totals = {"currency": d.currency, "total_qty": d.total_qty, "gross": d.total_gross, "tax": d.tax_amount,
                  "net": d.net_amount, "credit": d.amount, "credit_usd": d.amount_usd,
                  "loyalty_points": d.loyalty_points}
    return {"number": result.number, "totals": totals}


__all__ = [
    "BASES",
    "DirectReturnDraft",
    "DirectReturnLine",
    "DirectReturnPreview",
    "ReturnDraft",
    "ReturnLine",
    "ReturnPreview",
    "ReturnPreviewLine",
    "ReturnableDoc",
    "ReturnableLine",
    "ReturnsService",
    "line_balance",
    "not_returnable",
]
