"""Sales documents: the Sales Invoice (Facture, doc type ``SI``) and what it shares
with orders, proformas, provisional invoices and returns (DESIGN §4, §6, §7).

The screen (and ``shopterm post``) hands over a :class:`~.drafts.DocumentDraft`
— codes and typed values. One function, :meth:`SalesService.build`, resolves
it against the masters (read once per call), computes the totals with
:func:`core.totals.compute_totals` and the journal, and checks every rule. It
runs in two modes:

- *preview* (``strict=False``): nothing is written; a broken rule that does not
  stop the arithmetic (day not open, stock, expiry, credit limit, inactive
  records…) becomes a warning. The grid calls it on each keystroke, F9 shows
  its journal before saving.
- *post* (``strict=True``): inside the posting transaction, the first broken
  rule raises its :class:`~.errors.ShopError` and nothing is written.

Invoice journal (DESIGN §7)::

    Dr 1200 Receivable   receivable (customer sub-ledger; CDF doc: the CDF amount rounded
                         to the cash increment, booked at q2(cdf / rate) USD)
    Cr 4000 Sales        subtotal − flat discount
    Cr 2100 VAT          Σ line tax
    Cr 4100 Round off    CDF doc: the cash rounding, and the cents of USD conversion
    Dr 5000 COGS / Cr 1300 Inventory   Σ q2(qty × batch cost)

Stock moves −qty per line (kind ``sale``); the ledger entry is due on the
document date + the customer's credit days (a cash sale: the document date).

Shared with the other documents (services ``orders``, ``provisional``): only a
sales invoice moves stock, so only its lines need a batch with stock (orders,
proformas and provisional invoices take a batch only when one is typed); an
order or proforma posts no journal. Free offers (:mod:`.promotions`) and
loyalty points (:mod:`.loyalty`) are computed in the same build: a loyalty
redemption is Dr 6300 and lowers the receivable to the payable; free goods
leave stock with an invoice (kind ``free``) at cost, Dr promotion / Cr 1300.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from shopterm.core import narration as nt
from shopterm.core.doctypes import status_name
from shopterm.core.i18n import N_, _
from ...core.errors import TotalsError
from ...core.journal import (COGS, INVENTORY, LOYALTY, RECEIVABLE, ROUND_OFF, SALES, VAT, JLine, UnbalancedJournalError,
                             balance_into, cost_of, credit, debit, without_zero)
from ...core.money import (Currency, MoneyError, format_amount, format_qty, parse_amount, parse_pct, parse_qty, q2,
                           to_usd)
from ...core.slabs import SlabRange
from ...core.totals import DocumentTotals, LineInput, LineTotals, compute_totals
from ...store.db import Prepared
from ...store import master_cache
from ...store.master_cache import MasterRead
from ...store.types import MAX_INTEGER
from ...store.models import (Account, Batch, Customer, CustomerLocation, CustomerMonth, Document, DocumentLine, Item,
                             JournalLine, JournalVoucher, Location, LoyaltyCard, SalesPerson, ShopSetup, User)
from ..admin import audit
from ..context import Actor
from ..cash.day import check_open, find_location, require_setup
from ..documents.drafts import DocumentDraft, DraftLine, draft_from_dict, draft_to_dict
from ..documents.fields import FLAT_TYPES, HEADER_FIELDS, SALES_TYPES, draft_from_fields, draft_reply, totals_out
from ..documents.toolkit import code_of as _code
from ..documents.toolkit import Masters, draft_row, rate_or_system, save_form_draft, to_date, voucher_rows
from ..documents.views import (CustomerInfo, DocumentRow, DocumentView, JournalRow, LineView, Preview, PreviewLine,
                               StoredTotals)
from ..errors import (ApprovalRequired, CreditLimitExceeded, DayClosed, DayNotOpen, ExpiredBatch, InactiveRecord,
                      InsufficientStock, NotFound, PriceNeedsApproval, SetupMissing, ShopError, UnbalancedJournal,
                      ValidationError)
from ..headless import Fields, handler
from ..schemes.loyalty import LoyaltyCalc, loyalty_specs, redemption_for, with_earned
from ..documents.posting import HeaderValues, PostingPlan, PostResult, StockSpec, line_row
from ..schemes.pricing import price_for, slab_ranges
from ..schemes.promotions import FreeGood, free_goods, free_goods_journal, free_line_rows
from ..stock import (BatchStock, StockAsk, available, batches, check_available, check_batch, on_hand,
                    on_hand_of_batches, on_hand_of_items, reservations, reserved)
from ...core.text import CONTACT_MAX
from ..documents.approvals import rate_approvals
from ...core.units import check_qty_for_unit
from ..masters.base import free_text

if TYPE_CHECKING:
    from .. import Services

USD, CDF = Currency.USD, Currency.CDF
Z = Decimal("0.00")
ZQ = Decimal("0.000")
ORDER_TYPES = ("SO", "PF")
#: documents whose lines leave stock when posted (batch mandatory, stock checked)
STOCK_OUT_TYPES = ("SI",)
#: documents whose credit sale raises the customer's receivable (credit-limit check)
RECEIVABLE_TYPES = ("SI", "PI")


# ---------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class LineDefaults:
    """What the item grid fills when an item is typed."""

    item: str
    name: str
    unit: str
    pack_size: Decimal
    tax_rate: Decimal
    current_stock: Decimal
    reserved_stock: Decimal
    batch: str | None  # first expiry, not expired, with stock (FEFO)
    batch_expiry: dt.date | None
    batch_stock: Decimal
    price: Decimal | None  # document currency, loaded by the additional %; None: no price set
    price_usd: Decimal | None
    batches: tuple[BatchStock, ...] = ()
    discount_pct: Decimal = Decimal(0)  # the customer's default line discount %
    # what the document may take or reserve (on hand − reserved by others, the posting's rule), when
    # asked for a document that takes stock; the order it invoices holds nothing against it
    available_stock: Decimal | None = None


@dataclass(frozen=True, slots=True)
class InvoiceDefaults:
    """What a new invoice starts with at the counter (DESIGN §12 "Counter flow")."""

    location: str
    customer: CustomerInfo | None  # the location's walk-in cash customer (Shop Setup); None: none set
    sales_type: str  # cash | credit (the customer's kind)
    currency: str  # Shop Setup's default currency
    sales_person: str | None  # the signed-in user's own sales person, else the walk-in customer's
    own_sales_person: str | None = None  # the signed-in user's own sales person only


@dataclass(frozen=True, slots=True)
class ItemChoice:
    """A row of the F2 item list: the price for this document and the stock available."""

    code: str
    name: str
    detail: str  # "2.50 USD · avail 600 BOX" as shown beside the name
    barcode: str | None
    price: Decimal | None
    available: Decimal


@dataclass(frozen=True, slots=True)
class TotalsContext:
    """What a screen needs to recompute a document's totals in memory (``core.totals``) on
    every keystroke, read once per location and date (the item grid makes no database call)."""

    location: str
    date: dt.date
    rate: Decimal | None  # the system rate on the date
    cdf_increment: Decimal
    slabs: tuple[SlabRange, ...]  # the active discount slab's ranges (empty: none)


# ---------------------------------------------------------------- the build (shared by preview and post)

#: The documents whose seed screen marks Contact No* (required).
CONTACT_REQUIRED = ("SI", "PI", "SO", "PF")


def default_contact(cust: Customer, location: Location | None) -> str:
    """A document's Contact No when none is typed: the customer's mobile; for a cash (walk-in)
    customer without one, the shop's own phone (Location master), so the counter sale needs no typing
    (and none at all when the shop has no phone: the walk-in's Contact No is not required)."""
    if cust.mobile:
        return cust.mobile
    if cust.kind == "cash" and location is not None:
        return location.phone or ""
    return ""



@dataclass(slots=True)
class _Line:
    n: int
    item: Item
    batch: Batch | None
    qty: Decimal
    price: Decimal
    price_usd: Decimal
    from_list: bool
    discount_pct: Decimal
    flat: Decimal
    tax_rate: Decimal
    unit_cost: Decimal


@dataclass(slots=True)
class Built:
    draft: DocumentDraft
    date: dt.date
    location: Location
    currency: Currency
    rate: Decimal
    customer: Customer | None
    sales_person: SalesPerson | None
    sales_type: str
    contact_no: str
    additional_pct: Decimal
    tax_exempt: bool
    flat_type: str | None
    flat_value: Decimal | None
    lines: list[_Line]
    totals: DocumentTotals
    journal: list[JLine]
    warnings: list[str]
    due_date: dt.date
    outstanding_usd: Decimal = Z
    approver: Actor | None = None
    order: Document | None = None
    free: list[FreeGood] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    loyalty: LoyaltyCalc | None = None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _line_err(n: int, exc: MoneyError, field_name: str) -> ValidationError:
    return ValidationError("Line {n}: {exc}", field=field_name, line=n, params={"n": n, "exc": exc})


def customer_at(session: Session, customer: Customer, location: Location) -> bool:
    """A customer may transact at its assigned locations (a cash customer: its own location too)."""
    if customer.location_id == location.id:
        return True
    return _ASSIGNED.first(session, {"customer": customer.id, "loc": location.id}) is not None


def outstanding_usd(session: Session, customer_id: int) -> Decimal:
    """What the customer owes (USD): Σ customer-ledger amounts, read from their sums per month
    (``customer_month``, kept with the entries in the same transaction): a few rows a year, not every
    entry the customer ever had."""
    value = _OUTSTANDING.scalar(session, {"customer": customer_id})
    return Z if value is None else value


# read on every posting: built once, each call binds its ids
_ASSIGNED = MasterRead(sa_select(CustomerLocation.customer_id).where(CustomerLocation.customer_id == bindparam("customer"),
                                                                   CustomerLocation.location_id == bindparam("loc")))
# the build's customer and sales person: rows with the tables' columns as attributes (the build only reads them)
_CUSTOMER_OF_CODE = MasterRead(sa_select(Customer.__table__).where(Customer.__table__.c.code == bindparam("code")))
_SALES_PERSON_OF_CODE = MasterRead(sa_select(SalesPerson.__table__)
                                 .where(SalesPerson.__table__.c.code == bindparam("code")))
_ANY_ACTIVE_SALES_PERSON = sa_select(SalesPerson.id).where(SalesPerson.inactive.is_(False)).limit(1)
_OUTSTANDING = Prepared(sa_select(func.sum(CustomerMonth.amount_usd))
                        .where(CustomerMonth.customer_id == bindparam("customer")))


def invoice_journal(totals: DocumentTotals, customer_id: int | None, cogs_usd: Decimal, *,
                    memo: str = "") -> list[JLine]:
    """The journal of a sales invoice (module docstring); balances in USD."""
    ccy, rate = totals.currency, totals.rate
    net_sales = totals.net_sales
    redeemed = debit(LOYALTY, totals.redemption_value, memo=nt.LOYALTY_REDEMPTION)
    if ccy is USD:
        lines = [
            debit(RECEIVABLE, totals.payable_usd, customer_id=customer_id, memo=memo),
            redeemed,
            credit(SALES, net_sales, memo=memo),
            credit(VAT, totals.tax, memo=memo),
        ]
    else:
        lines = [
            debit(RECEIVABLE, totals.payable_usd, CDF, totals.payable, customer_id=customer_id, memo=memo),
            redeemed,
            credit(SALES, to_usd(net_sales, CDF, rate), CDF, net_sales, memo=memo),
            credit(VAT, to_usd(totals.tax, CDF, rate), CDF, totals.tax, memo=memo),
            credit(ROUND_OFF, to_usd(totals.round_off_cdf, CDF, rate), CDF, totals.round_off_cdf, memo=nt.CASH_ROUNDING),
        ]
        balanced = balance_into(lines, ROUND_OFF)
        if len(balanced) > len(lines):  # fold the conversion cents into the one round-off line
            lines[-1] = replace(lines[-1], amount_usd=lines[-1].amount_usd + balanced[-1].amount_usd)
    lines += [debit(COGS, cogs_usd, memo=memo), credit(INVENTORY, cogs_usd, memo=memo)]
    return without_zero(lines)


#: what an approval was for, in the approver's audit row
APPROVAL_ACTIONS = {"credit_limit": "credit limit", "price_approval": "price below cost",
                    "rate_approval": "exchange rate"}


#: How a refusal that a manager may approve ends (stripped when several are shown as one).
APPROVAL_TAIL = N_(" — a manager's approval is needed")


def _without_approval_tail(message: str) -> str:
    for tail in (_(APPROVAL_TAIL), APPROVAL_TAIL):
        if message.endswith(tail):
            return message[: -len(tail)]
    return message


def price_approvals(lines: "list[_Line]", totals: Any, ccy: Currency,
                    redemption_value: Decimal) -> list[ApprovalRequired]:
    """The lines sold at a zero price or below their cost, and a payable of zero for lines of value.

    Each needs a manager's approval (DESIGN §10); free goods are separate lines and never ask.
    The cost is the batch's (else the item's) USD cost per unit; a CDF price is compared at the
    document's rate.
    """
    out: list[ApprovalRequired] = []
    for l in lines:
        if l.qty <= 0:
            continue
        if l.price <= 0:
            out.append(PriceNeedsApproval(
                "Line {n}: {code} at a price of {price} {ccy} — a manager's approval is needed", field="price", line=l.n,
                params={"n": l.n, "code": l.item.code, "price": format_amount(l.price), "ccy": ccy.value}))
        elif l.price_usd < l.unit_cost:
            shown = f"{format_amount(l.price)} {ccy.value}" + (f" ({format_amount(l.price_usd)} USD)"
                                                               if ccy is not USD else "")
            out.append(PriceNeedsApproval(
                "Line {n}: {code} at {shown} is below its cost {unit_cost} USD — a manager's approval is needed", field="price", line=l.n,
                params={"n": l.n, "code": l.item.code, "shown": shown, "unit_cost": format_amount(l.unit_cost)}))
    if not out and lines and any(l.qty > 0 for l in lines) and totals.payable <= 0 and redemption_value <= 0:
        out.append(PriceNeedsApproval(
            "The lines come to a payable of {payable} {ccy} — a manager's approval is needed", field="price", line=lines[0].n,
            params={"payable": format_amount(totals.payable), "ccy": ccy.value}))
    return out


class SalesService:
    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    # -- header and grid helpers ---------------------------------------------------
    def customer_info(self, code: str, location: str | None = None) -> CustomerInfo:
        """The header's auto-fill. Refuses an unknown or inactive customer, or one not at the location."""
        with self.db.read() as session:
            loc = find_location(session, location)
            cust = self._customer(session, code, loc, strict=True, warn=[])
            return self._customer_info(session, cust, location=loc)

    def _customer_info(self, session: Session, cust: Customer, outstanding: Decimal | None = None, *,
                       location: Location | None = None) -> CustomerInfo:
        owed = outstanding_usd(session, cust.id) if outstanding is None else outstanding
        card = session.get(LoyaltyCard, cust.loyalty_card_id) if cust.loyalty_card_id else None
        sp = session.get(SalesPerson, cust.sales_person_id) if cust.sales_person_id else None
        return CustomerInfo(cust.id, cust.code, cust.name, cust.kind, default_contact(cust, location),
                            cust.credit_limit_usd,
                            cust.credit_days, owed, cust.credit_limit_usd - owed, cust.price_category,
                            cust.tax_exempt, cust.free_offer, card.name if card else None, sp.code if sp else None,
                            cust.inactive, cust.discount_pct)

    def new_invoice_defaults(self, actor: Actor | None, location: str | None = None) -> InvoiceDefaults:
        """A new invoice's header: the walk-in cash customer and the currency from the location's
        Shop Setup, the signed-in user's own sales person."""
        with self.db.read() as session:
            loc = find_location(session, location, actor)
            setup = session.exec(select(ShopSetup).where(ShopSetup.location_id == loc.id)).first()
            info = None
            if setup is not None and setup.cash_customer_id:
                cust = session.get(Customer, setup.cash_customer_id)
                if cust is not None and not cust.inactive:
                    info = self._customer_info(session, cust, location=loc)
            sp = self.s.users.sales_person_of(session, actor)
            currency = (setup.default_currency if setup is not None else None) or "USD"
            sales_type = "credit" if info is not None and info.kind == "credit" else "cash"
            return InvoiceDefaults(loc.code, info, sales_type, currency, sp.code if sp else (
                info.sales_person if info is not None else None), sp.code if sp else None)

    def item_choices(self, query: str, location: str | None = None, customer_code: str | None = None,
                     currency: Currency | str = "USD", rate: Decimal | str | None = None,
                     date: dt.date | None = None, limit: int = 50) -> list[ItemChoice]:
        """The F2 item list (and the grid's code/barcode resolution): active items whose code,
        barcode or name holds ``query``, each with its price for the customer and currency and
        the stock available at the location (on hand − reserved). An exact code or barcode
        comes first; a barcode that matches exactly is the only row."""
        q = (query or "").strip()
        on = date or self.s.today()
        try:
            ccy = Currency.parse(currency)
        except MoneyError:
            raise ValidationError("Currency: use USD or CDF", field="currency") from None
        with self.db.read() as session:
            loc = find_location(session, location)
            active = Item.inactive == False  # noqa: E712
            rows: list[Item] = []
            if q:
                rows = list(session.exec(select(Item).where(active, Item.barcode == q)).all())
            if not rows:
                stmt = select(Item).where(active)
                if q:
                    like = f"%{q}%"
                    stmt = stmt.where(or_(col(Item.code).ilike(like), col(Item.name).ilike(like),
                                          col(Item.barcode).ilike(like)))
                rows = list(session.exec(stmt.order_by(Item.code).limit(limit)).all())
                exact = [r for r in rows if r.code.upper() == q.upper()]
                rows = exact + [r for r in rows if r not in exact]
            category = "retail"
            if customer_code:
                cust = session.exec(select(Customer).where(Customer.code == _code(customer_code))).first()
                if cust is not None:
                    category = cust.price_category
            try:
                the_rate: Decimal | None = rate_or_system(self.s, session, rate, on)
            except ShopError:  # no system rate: prices kept in the other currency show as "no price"
                the_rate = None
            ids = [item.id for item in rows]
            held = on_hand_of_items(session, loc.id, ids)  # available = on hand − reserved (DESIGN §6)
            held_back, _orders = reservations(session, loc.id, ids)
            out = []
            for item in rows:
                price = price_for(session, item.id, loc.id, ccy, category, on, the_rate)
                avail = held.get(item.id, Decimal(0)) - held_back.get(item.id, Decimal(0))
                shown = f"{format_amount(price)} {ccy.value}" if price is not None else _("no price")
                detail = _("{price} · avail {qty} {unit}").format(price=shown, qty=format_qty(avail), unit=item.unit)
                out.append(ItemChoice(item.code, item.name, detail, item.barcode, price, avail))
            return out

    def line_defaults(self, item_code: str, location: str | None = None, customer_code: str | None = None,
                      currency: Currency | str = "USD", rate: Decimal | str | None = None,
                      date: dt.date | None = None, additional_pct: Decimal | str = "0", *,
                      takes_stock: bool = False, order: str | None = None) -> LineDefaults:
        """Unit, pack size, tax, stock, the FEFO batch and the price list price for a typed item.

        ``takes_stock``: for a document that takes or reserves stock, ``available_stock`` is what
        its posting allows (:func:`.stock.available`); ``order`` (SO/PF No) is the order it invoices,
        whose own reservation is not against it (an unknown or closed order: none)."""
        code = _code(item_code)
        on = date or self.s.today()
        try:
            ccy = Currency.parse(currency)
        except MoneyError:
            raise ValidationError("Currency: use USD or CDF", field="currency") from None
        try:
            add = parse_pct(additional_pct if not _blank(additional_pct) else "0", field="additional_price_pct")
        except MoneyError as exc:
            raise ValidationError(str(exc), field="additional_price_pct") from None
        with self.db.read() as session:
            loc = find_location(session, location)
            item = session.exec(select(Item).where(Item.code == code)).first()
            if item is None:
                raise NotFound("Item {code} not found", field="item", params={"code": code})
            if item.inactive:
                raise InactiveRecord("Item {code} is inactive", field="item", params={"code": code})
            the_rate = rate_or_system(self.s, session, rate, on)
            category = "retail"
            disc = Decimal(0)
            if customer_code:
                cust = session.exec(select(Customer).where(Customer.code == _code(customer_code))).first()
                if cust is not None:
                    category, disc = cust.price_category, cust.discount_pct
            stock = batches(session, item.id, loc.id, on)
            first = next((b for b in stock if not b.expired), None)
            price = price_for(session, item.id, loc.id, ccy, category, on, the_rate, add)
            price_usd = None if price is None else (price if ccy is USD else to_usd(price, ccy, the_rate))
            free_to_take = None
            if takes_stock:
                own: tuple[int, ...] = ()
                if not _blank(order):
                    try:
                        own = (self._find_order(session, order, None, loc).id,)
                    except ShopError:  # the posting refuses it: no reservation of its own
                        pass
                free_to_take = available(session, loc.id, item.id, own_documents=own)
            return LineDefaults(item.code, item.name, item.unit, item.pack_size, item.tax_rate,
                                on_hand(session, item.id, loc.id), reserved(session, item.id, loc.id),
                                first.code if first else None, first.expiry if first else None,
                                first.qty if first else ZQ, price, price_usd, tuple(stock), disc, free_to_take)

    # -- preview -------------------------------------------------------------------
    def preview(self, draft: DocumentDraft, actor: Actor | None = None) -> Preview:
        """Totals, journal and warnings for the draft as typed; writes nothing."""
        with self.db.read() as session:
            master_cache.use(session)
            b = self.build(session, draft, strict=False, actor=actor)
            return self._preview_of(session, b)

    def _preview_of(self, session: Session, b: Built) -> Preview:
        lines = tuple(
            PreviewLine(l.n, l.item.code, l.item.name, l.item.unit, l.batch.code if l.batch else None,
                        l.batch.expiry if l.batch else None, l.qty, l.price, l.price_usd, l.from_list,
                        l.discount_pct, l.tax_rate, l.unit_cost, lt)
            for l, lt in zip(b.lines, b.totals.lines)
        )
        info = self._customer_info(session, b.customer, b.outstanding_usd) if b.customer else None
        return Preview(b.totals, b.journal, b.warnings, lines, voucher_rows(session, b.journal), info,
                       b.due_date, b.rate, tuple(f.view() for f in b.free), tuple(b.hints), b.loyalty)

    # -- drafts --------------------------------------------------------------------
    def save_draft(self, actor: Actor, draft: DocumentDraft, draft_id: int | None = None) -> int:
        """Save (or re-save) a numberless draft exactly as typed; returns its id."""
        actor.require("sell", "Saving a sales document")

        def fill(session: Session, doc: Document) -> None:
            doc.subtype = (draft.invoice_type or "")[:20]
            try:  # the footer figures for the list view, when the draft computes
                b = self.build(session, draft, strict=False, actor=actor)
            except (ShopError, MoneyError):
                return
            self._fill_header(doc, b)

        return save_form_draft(self.s, actor, draft.doc_type, draft, draft_id, location=draft.location,
                               date=draft.date, customer=draft.customer, narration=draft.narration, fill=fill,
                               as_dict=draft_to_dict)

    def load_draft(self, draft_id: int) -> DocumentDraft:
        with self.db.read() as session:
            doc = draft_row(session, draft_id, None)
            return draft_from_dict(doc.extra.get("draft", {}))

    def discard_draft(self, actor: Actor, draft_id: int) -> None:
        """Delete a draft (drafts may be edited and discarded freely; posted documents never)."""
        actor.require("sell", "Discarding a draft")
        with self.db.write() as session:
            doc = draft_row(session, draft_id, None)
            before = dict(doc.extra.get("draft", {}))
            session.execute(DocumentLine.__table__.delete().where(DocumentLine.document_id == doc.id))
            session.delete(doc)
            audit.record(session, actor, "delete", "document", draft_id, before=before,
                         summary=f"draft {doc.doc_type} discarded")

    # -- posting ---------------------------------------------------------------------
    def post_invoice(self, actor: Actor, draft: DocumentDraft, draft_id: int | None = None) -> PostResult:
        """Post a Sales Invoice: all or nothing (DESIGN §1). ``draft_id`` posts a saved draft."""
        actor.require("sell", "Sales invoices")
        if draft.doc_type != "SI":
            raise ValidationError("post_invoice posts sales invoices (SI), not {doc_type}", field="doc_type",
                params={"doc_type": draft.doc_type})
        with self.db.write() as session:
            master_cache.use(session)  # the masters kept per process, while the database says none changed
            existing = draft_row(session, draft_id, "SI") if draft_id else None
            b = self.build(session, draft, strict=True, actor=actor)
            return self.post_built(session, actor, b, existing, stock_kind="sale")

    def post_reserving(self, actor: Actor, draft: DocumentDraft, draft_id: int | None = None) -> PostResult:
        """Post an order, a proforma or a provisional invoice (the caller checked its type and
        permission): numbered, no stock move, its lines reserved, its state ``open``."""
        with self.db.write() as session:
            master_cache.use(session)
            existing = draft_row(session, draft_id, draft.doc_type) if draft_id else None
            b = self.build(session, draft, strict=True, actor=actor)
            result = self.post_built(session, actor, b, existing, stock_kind=None)
            doc = session.get(Document, result.document_id)
            doc.extra = {**doc.extra, "state": "open"}
            session.add(doc)
            return result

    def post_built(self, session: Session, actor: Actor, b: Built, existing: Document | None, *,
              stock_kind: str | None) -> PostResult:
        # a new header as column values (no ORM object on the hot path); a saved draft stays its row
        doc = existing or HeaderValues(doc_type=b.draft.doc_type, location_id=b.location.id, doc_date=b.date,
                                       created_by=actor.user_id)
        self._fill_header(doc, b)
        doc.extra = {k: v for k, v in doc.extra.items() if k != "draft"}
        doc.extra.update({"due_date": b.due_date.isoformat(), "flat_from_slab": b.totals.flat_from_slab})
        if b.order is not None:
            doc.source_id = b.order.id
            doc.extra["order"] = b.order.number
        if b.approver is not None:
            doc.approved = True
            doc.extra["approval"] = "credit limit"
        lines = [self._line_row(i, l, lt, b) for i, (l, lt) in enumerate(zip(b.lines, b.totals.lines), start=1)]
        paid = len(lines)
        lines += free_line_rows(b.free, paid + 1)
        stock = []
        if stock_kind:
            stock = [StockSpec(l.item.id, l.batch.id, -l.qty, l.unit_cost, stock_kind, i)
                     for i, l in enumerate(b.lines)]
            stock += [StockSpec(f.item.id, f.batch.id, -f.qty, f.unit_cost, "free", paid + j)
                      for j, f in enumerate(b.free) if f.batch is not None]
        if b.order is not None:
            self._consume_order(session, b, lines)
        cust = b.customer.code if b.customer else "-"
        # "A customer's credit is used on the next invoice" (DESIGN §8), settled in the invoice's
        # currency: planned first, so the exchange difference is in the invoice's own voucher
        journal, credit_use = b.journal, None
        receivable = next((j for j in b.journal if j.account == RECEIVABLE and j.customer_id is not None), None)
        if b.customer is not None and receivable is not None and receivable.amount_usd > 0:
            from ..ledger.matching import plan_settlement

            credit_use = plan_settlement(session, b.customer.id, receivable.currency, receivable.amount,
                                         receivable.amount_usd, b.rate, b.date, new_is_debit=True)
            journal = [*journal, *credit_use.exchange_lines(b.customer.id)]
        plan = PostingPlan(
            doc=doc, lines=lines, journal=journal, stock=stock, due_date=b.due_date, approver=b.approver,
            loyalty=loyalty_specs(b.loyalty, b.customer.id if b.customer else None),
            summary=(f"{b.draft.doc_type} for {cust}: {format_amount(b.totals.receivable)} {b.currency.value}"
                     f"{' (credit limit approved by ' + b.approver.name + ')' if b.approver else ''}"),
        )
        result = self.s.posting.post(session, actor, plan)
        if credit_use is not None and result.ledger_entry_ids:
            from ..ledger.matching import write_planned_match

            write_planned_match(session, actor, b.customer.id, result.ledger_entry_ids, credit_use, b.date, "auto")
        return result

    @staticmethod
    def _fill_header(doc: "Document | HeaderValues", b: Built) -> None:
        t = b.totals
        d = b.draft
        doc.location_id, doc.doc_date = b.location.id, b.date
        doc.customer_id = b.customer.id if b.customer else None
        doc.sales_person_id = b.sales_person.id if b.sales_person else None
        doc.currency, doc.rate = b.currency.value, b.rate
        doc.subtype = (d.invoice_type or "")[:20]
        doc.sales_type = b.sales_type
        doc.contact_no = free_text(b.contact_no, field="contact_no", label=N_("Contact no"), max_len=CONTACT_MAX)
        doc.additional_price_pct = b.additional_pct
        doc.agent_commission, doc.free_offer, doc.print_usd = bool(d.agent_commission), bool(d.free_offer), bool(d.print_usd)
        doc.tax_exempt = b.tax_exempt
        doc.flat_discount_type = b.flat_type or ""
        doc.flat_discount_value = b.flat_value if b.flat_type == "amount" and b.flat_value is not None else Z
        doc.total_qty, doc.total_gross, doc.total_discount = t.total_qty, t.total_gross, t.total_discount
        doc.subtotal, doc.flat_pct, doc.flat_amount = t.subtotal, t.flat_pct or Decimal(0), t.flat_amount
        doc.tax_amount, doc.net_amount, doc.net_usd, doc.net_cdf = t.tax, t.net, t.net_usd, t.net_cdf
        doc.round_off_cdf = t.round_off_cdf
        doc.payable, doc.payable_usd, doc.payable_cdf = t.payable, t.payable_usd, t.payable_cdf
        doc.amount, doc.amount_usd = t.receivable, t.receivable_usd
        doc.narration = free_text(d.narration, field="narration")
        doc.approved_by = b.approver.user_id if b.approver else None
        doc.total_free_qty = sum((f.qty for f in b.free), ZQ)
        if b.loyalty is not None:
            doc.loyalty_points, doc.redemption_points = b.loyalty.points_earned, b.loyalty.redemption_points
            doc.redemption_value_usd = b.loyalty.redemption_value

    @staticmethod
    def _line_row(i: int, l: _Line, lt: LineTotals, b: Built) -> dict:
        return line_row(
            line_no=i, item_id=l.item.id, batch_id=l.batch.id if l.batch else None, unit=l.item.unit, qty=l.qty,
            price=l.price, price_usd=l.price_usd, gross=lt.gross, discount_pct=l.discount_pct,
            discount_amount=lt.discount_amount, line_flat=lt.line_flat, line_net=lt.line_net,
            flat_share=lt.flat_share, tax_rate=l.tax_rate, tax_amount=lt.tax, unit_cost_usd=l.unit_cost,
        )

    # -- the order hook ------------------------------------------------------------
    def _find_order(self, session: Session, number: str, b_customer: Customer | None, loc: Location) -> Document:
        num = _code(number)
        order = session.exec(select(Document).where(Document.number == num,
                                                    col(Document.doc_type).in_(ORDER_TYPES))).first()
        if order is None:
            raise NotFound("Order/proforma {number} not found", field="order", params={"number": num})
        if order.status != "posted":
            raise ValidationError("Order/proforma {number} is {status}: only a confirmed one can be invoiced",
                                  field="order", params={"number": num, "status": status_name(order.status)})
        if (order.extra or {}).get("state") == "closed":
            raise ValidationError("Order/proforma {number} is fully invoiced", field="order", params={"number": num})
        if order.location_id != loc.id:
            raise ValidationError("Order/proforma {number} belongs to another location", field="order",
                params={"number": num})
        if b_customer is not None and order.customer_id != b_customer.id:
            other = session.get(Customer, order.customer_id) if order.customer_id else None
            raise ValidationError("Order/proforma {number} is for {other}, not {code}", field="order",
                params={"number": num, "other": other.code if other else _("another customer"), "code": b_customer.code})
        return order

    @staticmethod
    def _consume_order(session: Session, b: Built, lines: "list[DocumentLine | dict]") -> None:
        """Mark the order's lines invoiced (qty_done), item by item in line order: releases the reservation."""
        open_lines = session.exec(select(DocumentLine).where(DocumentLine.document_id == b.order.id)
                                  .order_by(DocumentLine.line_no)).all()
        for line in lines:
            row = line if isinstance(line, dict) else None
            need = row["qty"] if row is not None else line.qty
            item_id = row["item_id"] if row is not None else line.item_id
            is_free = row["is_free"] if row is not None else line.is_free
            for ol in open_lines:
                if need <= 0:
                    break
                if ol.item_id != item_id or ol.is_free != is_free:  # free goods consume free lines
                    continue
                left = ol.qty - ol.qty_done
                if left <= 0:
                    continue
                take = min(left, need)
                ol.qty_done = ol.qty_done + take
                need -= take
                if row is not None:
                    if row["source_line_id"] is None:
                        row["source_line_id"] = ol.id
                elif line.source_line_id is None:
                    line.source_line_id = ol.id
                session.add(ol)
        from .orders import after_invoicing

        after_invoicing(session, b.order, open_lines)

    # -- the build -------------------------------------------------------------------
    def _customer(self, session: Session, code: Any, loc: Location, *, strict: bool, warn: list[str]) -> Customer | None:
        def rule(exc: ShopError) -> None:
            if strict:
                raise exc
            warn.append(exc.message)

        c = _code(code)
        if not c:
            rule(ValidationError("Customer is required", field="customer"))
            return None
        cust = _CUSTOMER_OF_CODE.first_named(session, {"code": c})
        if cust is None:
            rule(NotFound("Customer {code} not found", field="customer", params={"code": c}))
            return None
        if cust.inactive:
            rule(InactiveRecord("Customer {code} is inactive", field="customer", params={"code": c}))
        if not customer_at(session, cust, loc):
            rule(ValidationError("Customer {code} is not assigned to location {location}", field="customer",
                params={"code": c, "location": loc.code}))
        return cust

    def build(self, session: Session, draft: DocumentDraft, *, strict: bool, actor: Actor | None = None) -> Built:
        warn: list[str] = []

        def rule(exc: ShopError) -> None:
            """A broken rule: raised when posting, a warning in a preview."""
            if strict:
                raise exc
            if exc.message not in warn:
                warn.append(exc.message)

        m = Masters(session)
        date = to_date(draft.date, self.s.today())
        loc = find_location(session, draft.location, actor, row=True)  # read only: a plain row
        moves_stock = draft.doc_type in STOCK_OUT_TYPES
        if not _blank(draft.order) and all(dl.is_blank() for dl in draft.lines):
            from .orders import order_draft_lines  # converting an order: its remaining lines

            draft = replace(draft, lines=order_draft_lines(session, draft.order))
        if loc.inactive:
            rule(InactiveRecord("Location {code} is inactive", field="location", params={"code": loc.code}))
        try:
            require_setup(session, loc)  # the build needs no field of it: only that it exists
        except SetupMissing as exc:
            rule(exc)
        try:
            check_open(session, loc.id, date)
        except (DayNotOpen, DayClosed) as exc:
            rule(exc)

        try:
            ccy = Currency.parse(draft.currency or "USD")
        except MoneyError:
            raise ValidationError("Currency: use USD or CDF (got {currency!r})", field="currency",
                params={"currency": draft.currency}) from None
        rate = rate_or_system(self.s, session, draft.rate, date)

        cust = self._customer(session, draft.customer, loc, strict=strict, warn=warn)
        sales_type = (draft.sales_type or "").strip().lower() or ("cash" if cust is None or cust.kind == "cash" else "credit")
        if sales_type not in SALES_TYPES:
            raise ValidationError("Sales type: cash or credit (got {sales_type!r})", field="sales_type",
                params={"sales_type": draft.sales_type})
        if cust is not None and cust.kind == "cash" and sales_type == "credit":
            rule(ValidationError("{code} is a cash customer: a credit sale needs a credit customer",
                                 field="sales_type", params={"code": cust.code}))

        sp = None
        sp_code = _code(draft.sales_person)
        if sp_code:
            sp = _SALES_PERSON_OF_CODE.first_named(session, {"code": sp_code})
            if sp is None:
                rule(NotFound("Sales person {code} not found", field="sales_person", params={"code": sp_code}))
        elif cust is not None and cust.sales_person_id:
            sp = session.get(SalesPerson, cust.sales_person_id)
        if sp is None and not sp_code:
            if session.execute(_ANY_ACTIVE_SALES_PERSON).first() is None:  # a fresh shop: say where to add one
                rule(ValidationError("No sales person yet: a manager adds one in Masters → Sales Person",
                                     field="sales_person"))
            else:
                rule(ValidationError("Sales person is required", field="sales_person"))
        if sp is not None and sp.inactive:
            rule(InactiveRecord("Sales person {code} is inactive", field="sales_person", params={"code": sp.code}))

        try:
            add_pct = parse_pct("0" if _blank(draft.additional_price_pct) else draft.additional_price_pct,
                                field=N_("Additional price %"))
        except MoneyError as exc:
            raise ValidationError(str(exc), field="additional_price_pct") from None
        tax_exempt = bool(draft.tax_exempt) or bool(cust and cust.tax_exempt)
        category = cust.price_category if cust else "retail"

        flat_type = (draft.flat_discount_type or "").strip().lower() or None
        flat_value: Decimal | None = None
        if flat_type is not None and flat_type not in FLAT_TYPES:
            raise ValidationError("Flat discount type: percent or amount (got {flat_discount_type!r})",
                                  field="flat_discount_type", params={"flat_discount_type": draft.flat_discount_type})
        if not _blank(draft.flat_discount_value):
            if flat_type is None:
                raise ValidationError("Flat discount: choose a type (percent or amount)", field="flat_discount_type")
            try:
                flat_value = (parse_pct(draft.flat_discount_value, field=N_("Flat discount %")) if flat_type == "percent"
                              else parse_amount(draft.flat_discount_value, field=N_("Flat discount amount")))
            except MoneyError as exc:
                raise ValidationError(str(exc), field="flat_discount_value") from None
        else:
            flat_type = None  # nothing typed: the discount slab applies

        order = None  # the SO/PF being converted: checked before its lines
        if not _blank(draft.order):
            try:
                order = self._find_order(session, draft.order, cust, loc)
            except ShopError as exc:
                rule(exc)

        # -- lines
        m.prefetch(draft.lines, loc.id, date)
        lines: list[_Line] = []
        for n, dl in enumerate(draft.lines, start=1):
            if dl.is_blank():
                continue
            lines.append(self._line(session, m, n, dl, loc, ccy, rate, date, category, add_pct, tax_exempt,
                                    strict, rule, moves_stock=moves_stock,
                                    default_disc=cust.discount_pct if cust is not None else Z))
        if not lines:
            rule(ValidationError("Add at least one item line", field="lines"))
        free, hints = free_goods(session, customer=cust, location=loc, date=date, lines=lines,
                                 moves_stock=moves_stock, rule=rule, ticked=bool(draft.free_offer))

        # stock: the lines (free goods too) that use the same batch together
        per_batch: OrderedDict[int, list[_Line]] = OrderedDict()
        for l in ([*lines, *free] if moves_stock else []):
            if l.batch is not None:
                per_batch.setdefault(l.batch.id, []).append(l)
        held = on_hand_of_batches(session, loc.id, {g[0].batch.id: g[0].item.id for g in per_batch.values()})
        for group in per_batch.values():
            first = group[0]
            try:
                check_batch(session, first.item, first.batch, loc, sum((l.qty for l in group), ZQ), date,
                            held=held[first.batch.id])
            except (ExpiredBatch, InsufficientStock) as exc:
                exc.details["line"] = first.n
                rule(exc)
        # available = on hand − what others reserve; an order being invoiced uses its own reservation
        check_available(session, loc, [StockAsk(l.item, l.batch, l.qty, l.n) for l in [*lines, *free]],
                        own_documents=(order.id,) if order is not None else (), rule=rule, batch_held=held)

        # totals
        inputs = [LineInput(l.qty, l.price, l.discount_pct, l.flat, l.tax_rate) for l in lines]
        slabs = slab_ranges(session, loc.id, date) if flat_type is None else None
        loyalty = redemption_for(session, cust, draft.redemption_points, date, draft.doc_type, rule)
        try:
            totals = compute_totals(inputs, currency=ccy, rate=rate, flat_type=flat_type, flat_value=flat_value,
                                    tax_exempt=tax_exempt, cdf_increment=loc.cdf_increment, slabs=slabs or None,
                                    redemption_value=loyalty.redemption_value)
        except TotalsError as exc:
            text = str(exc)
            raise ValidationError(text[:1].upper() + text[1:], field="redemption_points" if "redemption" in text
                                  else "flat_discount_value") from None
        loyalty = with_earned(loyalty, totals.net_usd, draft.doc_type)

        cogs = cost_of((l.qty, l.unit_cost) for l in lines) if moves_stock else Z
        try:
            journal = [] if draft.doc_type in ORDER_TYPES else (
                invoice_journal(totals, cust.id if cust else None, cogs)
                + (free_goods_journal(free) if moves_stock else []))
        except UnbalancedJournalError as exc:
            raise UnbalancedJournal(str(exc)) from None

        # what needs a manager's approval: the credit limit, a zero or below-cost price, the rate
        owed = outstanding_usd(session, cust.id) if cust is not None else Z
        needs: list[ApprovalRequired] = []
        if (cust is not None and sales_type == "credit" and draft.doc_type in RECEIVABLE_TYPES
                and owed + totals.receivable_usd > cust.credit_limit_usd):
            needs.append(CreditLimitExceeded(
                "Credit limit exceeded: {code} owes {owed}, limit {limit}, available {available}, this invoice {receivable} — a manager's approval is needed",
                field="customer",
                params={"code": cust.code, "owed": format_amount(owed), "limit": format_amount(cust.credit_limit_usd), "available": format_amount(cust.credit_limit_usd - owed), "receivable": format_amount(totals.receivable_usd)},
            ))
        if draft.doc_type not in ORDER_TYPES:
            needs += price_approvals(lines, totals, ccy, loyalty.redemption_value)
        if not _blank(draft.rate):
            needs += rate_approvals(session, self.s, loc.id, date, rate)
        action = ", ".join(dict.fromkeys(APPROVAL_ACTIONS.get(exc.code, exc.code) for exc in needs)) \
            or "sales document"
        # an approver given is always checked, needed or not: a wrong PIN is never ignored
        approver = self.s.users.verify_approver(session, draft.approver, draft.approver_pin, action) \
            if strict and draft.approver else None
        if needs and approver is None:
            # else a signed-in manager (unless Shop Setup asks for a PIN anyway)
            approver = self.s.users.approval(session, actor, None, None, location_id=loc.id, action=action)
            if approver is None:
                rule(needs[0] if len(needs) == 1 else type(needs[0])(
                    N_("{reasons} — a manager's approval is needed"), field=needs[0].field,
                    line=needs[0].details.get("line"),
                    params={"reasons": " · ".join(_without_approval_tail(exc.message) for exc in needs)}))

        due = date + dt.timedelta(days=cust.credit_days) if cust is not None and sales_type == "credit" else date
        contact = (draft.contact_no or "").strip() or (default_contact(cust, loc) if cust else "")
        if not contact and draft.doc_type in CONTACT_REQUIRED and cust is not None and cust.kind != "cash":
            # the seed marks Contact No* on the order, the invoice and the provisional invoice; a cash
            # (walk-in) customer is anyone at the counter: their number is the shop's phone when the
            # shop has one, else none — a counter sale never waits for a number nobody has
            rule(ValidationError("Contact No is required: type the customer's number ({code} has no mobile)",
                                 field="contact_no", params={"code": cust.code}))
        return Built(draft, date, loc, ccy, rate, cust, sp, sales_type, contact, add_pct, tax_exempt, flat_type,
                      flat_value, lines, totals, journal, warn, due, owed, approver, order, free, hints, loyalty)

    def _line(self, session: Session, m: Masters, n: int, dl: DraftLine, loc: Location, ccy: Currency,
              rate: Decimal, date: dt.date, category: str, add_pct: Decimal, tax_exempt: bool, strict: bool,
              rule, *, moves_stock: bool = True, default_disc: Decimal = Z) -> _Line:
        code = _code(dl.item)
        if not code:
            raise ValidationError("Line {n}: item is required", field="item", line=n, params={"n": n})
        item = m.item(code)
        if item is None:
            raise NotFound("Line {n}: item {code} not found", field="item", line=n, params={"n": n, "code": code})
        if item.inactive:
            rule(InactiveRecord("Line {n}: item {code} is inactive", field="item", line=n,
                params={"n": n, "code": code}))
        if _blank(dl.qty):
            rule(ValidationError("Line {n}: the quantity is required", field="qty", line=n, params={"n": n}))
            qty = ZQ
        else:
            try:
                qty = parse_qty(dl.qty, field=N_("quantity"), allow_negative=True)
            except MoneyError as exc:
                raise _line_err(n, exc, "qty") from None
            if qty <= 0:
                rule(ValidationError("Line {n}: the quantity must be greater than zero", field="qty", line=n,
                    params={"n": n}))
                qty = max(qty, ZQ)
            whole = check_qty_for_unit(qty, item.unit)
            if whole is not None:
                raise ValidationError("Line {n}: {code}: {whole}", field="qty", line=n,
                    params={"n": n, "code": code, "whole": whole})
        try:
            # an omitted Disc % takes the customer's default line discount (as the grid fills it)
            disc = default_disc if _blank(dl.discount_pct) else parse_pct(dl.discount_pct, field=N_("discount %"))
        except MoneyError as exc:
            raise _line_err(n, exc, "discount_pct") from None
        try:
            flat = parse_amount("0" if _blank(dl.flat_discount) else dl.flat_discount, field=N_("flat discount"))
        except MoneyError as exc:
            raise _line_err(n, exc, "flat_discount") from None
        from_list = _blank(dl.price)
        if from_list:
            price = (m.prices.price_for(item.id, ccy, category, rate, add_pct) if m.prices is not None
                     else price_for(session, item.id, loc.id, ccy, category, date, rate, add_pct))
            if price is None:
                rule(ValidationError("Line {n}: no price for {code} at {location} in {ccy} on {date}: set one in Price Update", field="price", line=n,
                    params={"n": n, "code": code, "location": loc.code, "ccy": ccy.value, "date": date}))
                price = Z
        else:
            try:
                price = parse_amount(dl.price, field=N_("price"))
            except MoneyError as exc:
                raise _line_err(n, exc, "price") from None
        gross = q2(qty * price)
        discounts = q2(gross * disc / 100) + flat
        if discounts > gross:
            raise ValidationError("Line {n}: the discounts ({discounts}) exceed the gross amount {gross}", field="flat_discount" if flat else "discount_pct", line=n,
                params={"n": n, "discounts": format_amount(discounts), "gross": format_amount(gross)})

        # orders, proformas and provisional invoices take no batch unless one is typed
        batch = m.line_batch(n, item, dl.batch, loc, date, rule, first_expiry=moves_stock)
        price_usd = price if ccy is USD else to_usd(price, ccy, rate)
        unit_cost = batch.cost_usd if batch is not None else item.cost_usd
        return _Line(n, item, batch, qty, price, price_usd, from_list, disc, flat,
                     Decimal(0) if tax_exempt else item.tax_rate, unit_cost)

    # -- for the screens: in-memory totals context, history ---------------------------
    def totals_context(self, location: str | None = None, date: dt.date | None = None,
                       actor: Actor | None = None) -> TotalsContext:
        """The CDF cash increment, discount slabs and system rate the grid's in-memory totals use."""
        on = date or self.s.today()
        with self.db.read() as session:
            loc = find_location(session, location, actor)
            return TotalsContext(loc.code, on, self.s.system_rate(session, on), loc.cdf_increment,
                                 tuple(slab_ranges(session, loc.id, on) or ()))

    def history(self, document_id: int) -> list[audit.HistoryRow]:
        """F4 View History: the audit rows of a document (draft or posted), oldest first."""
        with self.db.read() as session:
            return audit.history(session, "document", int(document_id))

    # -- search and view ---------------------------------------------------------------
    def list_documents(self, doc_type: str | None = "SI", *, location: str | None = None,
                       date_from: dt.date | None = None, date_to: dt.date | None = None, number: str | None = None,
                       customer: str | None = None, status: str | None = None, limit: int = 50,
                       offset: int = 0) -> list[DocumentRow]:
        """F3 search / list view: newest first. ``number`` and ``customer`` match a part of the
        number, or of the customer's code or name."""
        limit = max(1, min(int(limit), 500))
        offset = max(0, int(offset))
        with self.db.read() as session:
            stmt = (
                sa_select(Document, Location.code, Customer.code, Customer.name)
                .join(Location, Location.id == Document.location_id)
                .outerjoin(Customer, Customer.id == Document.customer_id)
            )
            if doc_type:
                stmt = stmt.where(Document.doc_type == doc_type)
            if location:
                stmt = stmt.where(Location.code == _code(location))
            if date_from:
                stmt = stmt.where(Document.doc_date >= date_from)
            if date_to:
                stmt = stmt.where(Document.doc_date <= date_to)
            if number:
                stmt = stmt.where(col(Document.number).ilike(f"%{number.strip()}%"))
            if customer:
                like = f"%{customer.strip()}%"
                stmt = stmt.where(or_(col(Customer.code).ilike(like), col(Customer.name).ilike(like)))
            if status:
                stmt = stmt.where(Document.status == status)
            stmt = stmt.order_by(col(Document.doc_date).desc(), col(Document.id).desc()).limit(limit).offset(offset)
            return [
                DocumentRow(d.id, d.doc_type, d.number, d.status, d.doc_date, lcode, ccode, cname, d.sales_type,
                            d.currency, d.net_amount, d.net_usd, d.payable, d.narration)
                for d, lcode, ccode, cname in session.execute(stmt).all()
            ]

    def document(self, number_or_id: str | int) -> DocumentView:
        """One document (posted or draft) with its lines, totals and journal."""
        with self.db.read() as session:
            if isinstance(number_or_id, int) or (isinstance(number_or_id, str) and number_or_id.strip().isdigit()
                                                 and len(number_or_id.strip()) < 10):
                doc = session.get(Document, int(number_or_id)) if 0 < int(number_or_id) <= MAX_INTEGER else None
            else:
                doc = session.exec(select(Document).where(Document.number == number_or_id.strip().upper())).first()
            if doc is None:
                raise NotFound("Document {number_or_id} not found", field="number",
                    params={"number_or_id": number_or_id})
            return self._view(session, doc)

    def _view(self, session: Session, doc: Document) -> DocumentView:
        def code_of(model, id_, attr="code"):
            if id_ is None:
                return None
            row = session.get(model, id_)
            return getattr(row, attr) if row else None

        cust = session.get(Customer, doc.customer_id) if doc.customer_id else None
        rows = session.execute(
            sa_select(DocumentLine, Item.code, Item.name, Batch.code, Batch.expiry)
            .outerjoin(Item, Item.id == DocumentLine.item_id)
            .outerjoin(Batch, Batch.id == DocumentLine.batch_id)
            .where(DocumentLine.document_id == doc.id)
            .order_by(DocumentLine.line_no)
        ).all()
        lines = tuple(
            LineView(l.line_no, icode, iname or "", bcode, bexp, l.unit, l.qty, l.is_free, l.price, l.price_usd,
                     l.gross, l.discount_pct, l.discount_amount, l.line_flat, l.line_net, l.flat_share, l.tax_rate,
                     l.tax_amount, l.unit_cost_usd, l.qty_done, l.qty_returned)
            for l, icode, iname, bcode, bexp in rows
        )
        jrows = session.execute(
            sa_select(JournalLine, Account.code, Account.name, Customer.code)
            .join(JournalVoucher, JournalVoucher.id == JournalLine.voucher_id)
            .join(Account, Account.id == JournalLine.account_id)
            .outerjoin(Customer, Customer.id == JournalLine.customer_id)
            .where(JournalVoucher.document_id == doc.id)
            .order_by(JournalLine.voucher_id, JournalLine.id)
        ).all()
        journal = tuple(
            JournalRow(acode, aname, j.amount_usd if j.amount_usd > 0 else Z, -j.amount_usd if j.amount_usd < 0 else Z,
                       j.currency, j.amount, j.amount_usd, ccode, j.memo)
            for j, acode, aname, ccode in jrows
        )
        extra = dict(doc.extra or {})
        due = extra.get("due_date")
        totals = stored_totals(doc)
        return DocumentView(
            doc.id, doc.doc_type, doc.number, doc.status, doc.subtype, code_of(Location, doc.location_id) or "",
            doc.doc_date, cust.code if cust else None, cust.name if cust else None,
            code_of(SalesPerson, doc.sales_person_id), doc.sales_type, doc.currency, doc.rate, doc.contact_no,
            doc.additional_price_pct, doc.agent_commission, doc.free_offer, doc.print_usd, doc.tax_exempt,
            doc.narration, dt.date.fromisoformat(due) if due else None, extra.get("order"),
            code_of(User, doc.created_by, "name"), code_of(User, doc.posted_by, "name"),
            code_of(User, doc.approved_by, "name"), doc.posted_at, totals, lines, journal, extra,
        )


def stored_totals(doc: "Document | HeaderValues") -> StoredTotals:
    """A posted header's totals as stored: each figure at its column's scale (``12.50``, qty ``1.000``),
    whether ``doc`` was read back or is the header the posting just wrote."""
    def stored(name: str) -> Decimal:
        value = getattr(doc, name)
        return value.quantize(_COLUMN_QUANTUM[name]) if isinstance(value, Decimal) else value

    extra = doc.extra or {}
    return StoredTotals(stored("total_qty"), stored("total_gross"), stored("total_discount"), stored("subtotal"),
                        doc.flat_discount_type, stored("flat_pct"), stored("flat_amount"),
                        bool(extra.get("flat_from_slab")), stored("tax_amount"), stored("net_amount"),
                        stored("net_usd"), stored("net_cdf"), stored("round_off_cdf"), stored("amount"),
                        stored("amount_usd"), stored("payable"), stored("payable_usd"), stored("payable_cdf"))


_COLUMN_QUANTUM = {c.name: Decimal(1).scaleb(-c.type.scale) for c in Document.__table__.columns
                   if hasattr(c.type, "scale") and isinstance(c.type.scale, int)}


# ---------------------------------------------------------------- headless

@handler("sales_invoice")
def _post_sales_invoice(services: "Services", actor: Actor, doc: dict) -> dict:
    required = ["customer"] if "order" in doc else ["lines"]
    f = Fields(doc, required=required, optional=[k for k in HEADER_FIELDS if k not in required])
    draft = draft_from_fields(f, "SI")
    if "order" not in doc and any(k not in doc for k in ("customer", "currency", "sales_person")):
        # omitted header fields take the counter's defaults, as on screen (DESIGN §11, §12): the walk-in
        # customer and the currency of Shop Setup, the acting user's own sales person (read only
        # when one is omitted: a batch of complete documents does not read them for each one)
        d = services.sales.new_invoice_defaults(actor, draft.location)
        changes: dict[str, Any] = {}
        if "customer" not in doc and d.customer is not None:
            changes["customer"] = d.customer.code
        if "currency" not in doc:
            changes["currency"] = d.currency
        if "sales_person" not in doc:
            sp = d.own_sales_person or (d.sales_person if "customer" not in doc else None)
            if sp:
                changes["sales_person"] = sp
        draft = replace(draft, **changes) if changes else draft
    if f.draft:
        return draft_reply(services.sales, actor, draft)
    result = services.sales.post_invoice(actor, draft)
    # the header just written holds the stored totals: the reply does not read the invoice back
    return {"number": result.number, "totals": totals_out(stored_totals(result.doc), result.doc.currency)}


__all__ = [
    "DocumentDraft",
    "DraftLine",
    "LineDefaults",
    "STOCK_OUT_TYPES",
    "SalesService",
    "TotalsContext",
    "customer_at",
    "invoice_journal",
    "outstanding_usd",
]
