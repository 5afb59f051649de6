"""The till: Sales Receipt / Refund, Receipt / Payment (Shop), Currency Exchange (DESIGN §5–§8).

* :meth:`CashService.post_receipt` — cash in USD and/or CDF against a posted
  sales or provisional invoice (document ``RC``); change is given in CDF
  (:mod:`core.cash`); the receipt's customer-ledger entry is matched with the
  invoice's at once (:func:`apply_match`). A partial payment leaves the
  invoice open.
* :meth:`CashService.post_refund` — a cash refund of a sales return's credit
  (``RC``, subtype ``refund``), matched against the return.
* :meth:`CashService.post_shop_entry` — money into or out of the till against
  a particulars account and cost centre (``RP``); a payment larger than the
  cash held in its currency is refused.
* :meth:`CashService.post_exchange` / :meth:`cancel_exchange` — francs for
  dollars or dollars for francs (``CE``), valued at the system rate, the
  difference to exchange gain/loss; a cancellation posts the reversal.

The cash ledgers are the location's Shop Setup's (USD: base, CDF: local); the
till holds, per currency, Σ ``journal_line.amount`` of its cash ledger.

Matching (DESIGN §8) goes through :func:`apply_match`, shared with the ledger's
manual match.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import insert, select, update
from sqlmodel import Session, col

from shopterm.core import narration as nt
from shopterm.core.i18n import N_, _
from ...core import cash as core_cash
from ...core import exchange as core_exchange
from ...core.journal import EXCHANGE, RECEIVABLE, ROUND_OFF, JLine
from ...core.money import Currency, MoneyError, format_amount, parse_amount, parse_rate, q2, q_rate
from ...store.models import (
    Account,
    CostCentre,
    Customer,
    Document,
    LedgerEntry,
    Location,
    Match,
    MatchLine,
)
from ...store import balances
from ..admin import audit
from ..context import Actor
from .day import CDF, USD, Z, account_ids, cash_held, check_open, find_location, setup_info, system_rate_or_fail
from ..errors import InactiveRecord, InsufficientCash, NotFound, PostedIsFinal, ValidationError
from ..headless import Fields, handler
from ..documents.posting import PostingPlan, PostResult, utcnow
from ..masters.base import free_text
from ..documents.approvals import approve_rate
from ..documents.toolkit import cancel_approver, mark_cancelled, reversal_of

if TYPE_CHECKING:
    from .. import Services
    from ..admin.setup import SetupInfo

#: Invoices a sales receipt may settle; returns a refund may pay out.
INVOICE_TYPES = ("SI", "PI")
RETURN_TYPES = ("SR", "RD")


# ---------------------------------------------------------------- matching


def apply_match(session: Session, actor: Actor | None, customer_id: int,
                allocations: Iterable[tuple[int, Decimal, Decimal]], date: dt.date, kind: str = "auto") -> int:
    """Match customer-ledger entries against each other (DESIGN §8); returns the match id.

    ``allocations`` are ``(entry_id, amount, amount_usd)``: how much of each
    entry the match settles, signed like the entry (an invoice +, a receipt −),
    ``amount`` in the entry's own currency. The USD amounts must add up to zero.
    Each entry's ``open_amount``/``open_usd`` goes down by its allocation;
    ``is_open`` and ``changed_at`` follow. Writes Match + MatchLines and an
    audit row, inside the caller's transaction.
    """
    allocs = [(int(e), q2(Decimal(a)), q2(Decimal(u))) for e, a, u in allocations]
    if len(allocs) < 2:
        raise ValidationError("A match needs at least two ledger entries", field="entries")
    ids = [e for e, _, _ in allocs]
    if len(set(ids)) != len(ids):
        raise ValidationError("A ledger entry appears twice in one match", field="entries")
    total_usd = sum((u for _, _, u in allocs), Z)
    if total_usd != 0:
        raise ValidationError("A match must balance in USD: off by {total_usd}", field="entries",
            params={"total_usd": format_amount(total_usd)})
    le = LedgerEntry.__table__.c
    rows = {r.id: r for r in session.execute(
        select(le.id, le.customer_id, le.number, le.currency, le.open_amount, le.open_usd, le.amount_usd, le.due_date,
               le.doc_date).where(le.id.in_(ids))
    ).all()}
    for entry_id, amount, amount_usd in allocs:
        row = rows.get(entry_id)
        if row is None:
            raise NotFound("Ledger entry {entry_id} not found", field="entries", params={"entry_id": entry_id})
        if row.customer_id != customer_id:
            raise ValidationError("Entry {number} belongs to another customer", field="entries",
                params={"number": row.number})
        if amount == 0 and amount_usd == 0:
            raise ValidationError("Entry {number}: nothing to match", field="entries", params={"number": row.number})
        for part, open_ in ((amount, row.open_amount), (amount_usd, row.open_usd)):
            if part != 0 and open_ != 0 and (part > 0) != (open_ > 0):
                raise ValidationError("Entry {number}: the amount to match must have the entry's sign ({sign})", field="entries",
                    params={"number": row.number, "sign": _("debit") if open_ > 0 else _("credit")})
            if part != 0 and (open_ == 0 or abs(part) > abs(open_)):
                raise ValidationError(
                    "Entry {number}: {part} is more than its open balance {open}", field="entries",
                    params={"number": row.number, "part": format_amount(abs(part)), "open": format_amount(abs(open_))})
    balances.keep_open_months(session, date)  # before the match: the month ends kept so far
    now = utcnow()
    match_id = session.execute(
        insert(Match.__table__).values(customer_id=customer_id, date=date, kind=kind,
                                       created_by=actor.user_id if actor else None, created_at=now)
        .returning(Match.__table__.c.id)
    ).scalar_one()
    session.execute(insert(MatchLine.__table__),
                    [dict(match_id=match_id, entry_id=e, amount=a, amount_usd=u) for e, a, u in allocs])
    for entry_id, amount, amount_usd in allocs:
        row = rows[entry_id]
        new_open, new_usd = row.open_amount - amount, row.open_usd - amount_usd
        session.execute(update(LedgerEntry.__table__).where(le.id == entry_id).values(
            open_amount=new_open, open_usd=new_usd, is_open=(new_open != 0 or new_usd != 0), changed_at=now))
    balances.add_open(session, [(rows[e].customer_id, rows[e].amount_usd, rows[e].due_date, rows[e].doc_date, -u)
                                for e, _a, u in allocs], date)  # the ageing's open amounts per due date, same transaction
    audit.record(session, actor, "match", "match", match_id,
                 after={"customer_id": customer_id, "date": date, "kind": kind,
                        "lines": [{"entry": rows[e].number, "entry_id": e, "amount": a, "amount_usd": u}
                                  for e, a, u in allocs]},
                 summary=f"{kind} match of " + ", ".join(rows[e].number for e in ids))
    return match_id


# ---------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    number: str
    doc_type: str
    date: dt.date
    customer_code: str
    customer_name: str
    sales_type: str
    currency: str
    rate: Decimal
    amount: Decimal
    open_amount: Decimal
    open_usd: Decimal


@dataclass(frozen=True, slots=True)
class ShopEntryPreview:
    currency: Currency
    rate: Decimal
    amount: Decimal
    amount_cdf: Decimal
    amount_usd: Decimal
    cash_account: str
    balance_cash: Decimal  # in ``currency``


@dataclass(frozen=True, slots=True)
class ExchangePreview:
    calc: core_exchange.ExchangeCalc
    system_rate: Decimal
    balance_given: Decimal  # the till's cash in the currency given
    enough_cash: bool


def _amount(value: Any, fld: str, *, default: str | None = None) -> Decimal:
    if value is None and default is not None:
        value = default
    try:
        return q2(parse_amount(value, field=fld))
    except MoneyError as exc:
        raise ValidationError(str(exc), field=fld) from None


def _rate(value: Any, fld: str = "rate") -> Decimal:
    try:
        return q_rate(parse_rate(value, field=fld))
    except MoneyError as exc:
        raise ValidationError(str(exc), field=fld) from None


def _currency(value: Any, fld: str = "currency") -> Currency:
    try:
        return Currency.parse(value)
    except MoneyError:
        raise ValidationError("Currency: USD or CDF, not {value!r}", field=fld, params={"value": value}) from None


def _cash_pair(usd: Any, cdf: Any, way: str, *, required: str | None = None) -> tuple[Decimal, Decimal]:
    """The cash ``received`` or ``returned`` (``way``) in USD and in CDF, blank meaning 0; with ``required``
    (the message), both 0 is refused."""
    in_usd = _amount(usd, f"{way}_usd", default="0")
    in_cdf = _amount(cdf, f"{way}_cdf", default="0")
    if required and in_usd == 0 and in_cdf == 0:
        raise ValidationError(required, field=f"{way}_usd")
    return in_usd, in_cdf


def _s(value: Decimal) -> str:
    return format(value, "f")


def _settled_extra(calc: core_cash.ReceiptCalc | core_cash.RefundCalc) -> dict[str, Any]:
    """What a receipt and a refund both keep of their settlement (the document's ``extra``)."""
    return {
        "returned_usd": _s(calc.returned_usd), "returned_cdf": _s(calc.returned_cdf),
        "balance_usd": _s(calc.balance_usd), "balance_cdf": _s(calc.balance_cdf),
        "settled_amount": _s(calc.settled_amount), "settled_usd": _s(calc.settled_usd),
        "exchange_diff_usd": _s(calc.exchange_diff_usd), "round_off_usd": _s(calc.round_off_usd),
        "fully_settled": calc.fully_settled,
    }


def _insufficient(ccy: Currency, held: Decimal, asked: Decimal, fld: str = "amount") -> InsufficientCash:
    return InsufficientCash(
        "Not enough {ccy} in the till: {held} held, {asked} asked", field=fld,
        params={"ccy": ccy.value, "held": format_amount(held), "asked": format_amount(asked)})


# ---------------------------------------------------------------- the service


class CashService:
    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    # -- helpers -------------------------------------------------------------
    @staticmethod
    def _cash_account(setup: "SetupInfo", ccy: Currency) -> str:
        return setup.cash_usd_account if ccy is USD else setup.cash_cdf_account

    def _held(self, session: Session, loc: Location, setup: "SetupInfo", ccy: Currency) -> Decimal:
        code = self._cash_account(setup, ccy)
        return cash_held(session, loc.id, account_ids(session, code)[code], ccy)

    def _rate_for(self, session: Session, rate: Any, date: dt.date, fld: str = "rate") -> Decimal:
        if rate is None or (isinstance(rate, str) and not rate.strip()):
            return system_rate_or_fail(self.s, session, date)
        return _rate(rate, fld)

    def cash_balance(self, location: str | None = None, currency: Currency | str = CDF) -> Decimal:
        """"Balance Cash": what the till holds in ``currency`` (its cash ledger's balance)."""
        ccy = _currency(currency)
        with self.db.read() as session:
            loc = find_location(session, location)
            return self._held(session, loc, setup_info(self.s, session, loc), ccy)

    # -- invoices and their open balance ------------------------------------------
    @staticmethod
    def _document(session: Session, number: str, types: tuple[str, ...], what: str, fld: str) -> Document:
        number = (number or "").strip().upper()
        if not number:
            raise ValidationError("{what} number is required", field=fld, params={"what": _(what)})
        doc = session.execute(
            select(Document).where(Document.number == number, col(Document.doc_type).in_(types))
        ).scalars().first()
        if doc is None:
            raise NotFound("{what} {number} not found", field=fld, params={"what": _(what), "number": number})
        if doc.status == "cancelled":
            raise PostedIsFinal("{what} {number} is cancelled", field=fld, params={"what": _(what), "number": number})
        if doc.status != "posted":
            raise ValidationError("{what} {number} is not posted", field=fld, params={"what": _(what), "number": number})
        return doc

    @staticmethod
    def _entry(session: Session, doc: Document, *, credit: bool) -> LedgerEntry | None:
        """The document's own open receivable entry (debit for an invoice, credit for a return)."""
        cond = LedgerEntry.amount < Z if credit else LedgerEntry.amount > Z
        stmt = select(LedgerEntry).where(LedgerEntry.document_id == doc.id, LedgerEntry.voucher_type == doc.doc_type,
                                         cond)
        entries = session.execute(stmt.order_by(LedgerEntry.id)).scalars().all()
        if not entries:
            raise ValidationError("{number} has no customer-ledger entry to settle", field="invoice",
                params={"number": doc.number})
        for e in entries:
            if e.is_open and e.open_amount != 0:
                return e
        return None

    def _target(self, session: Session, number: str, *, refund: bool) -> tuple[Document, LedgerEntry]:
        """The invoice a receipt settles (or the return a refund pays out) and its open ledger entry."""
        if refund:
            doc = self._document(session, number, RETURN_TYPES, N_("Sales return"), "return")
            done = N_("Sales return {number} is already fully refunded")
        else:
            doc = self._document(session, number, INVOICE_TYPES, N_("Invoice"), "invoice")
            done = N_("Invoice {number} is already fully paid")
        entry = self._entry(session, doc, credit=refund)
        if entry is None:
            raise ValidationError(done, field="return" if refund else "invoice", params={"number": doc.number})
        return doc, entry

    def _till(self, session: Session, doc: Document, date: dt.date, what: str) -> tuple[Location, "SetupInfo"]:
        """The location of ``doc`` with its setup; its day ``date`` must be open and not before ``doc``."""
        loc = session.get(Location, doc.location_id)
        setup = setup_info(self.s, session, loc)
        check_open(session, loc.id, date)
        if date < doc.doc_date:
            raise ValidationError("The {what} date {date} is before {number} ({doc_date})", field="date",
                params={"what": _(what), "date": date, "number": doc.number, "doc_date": doc.doc_date})
        return loc, setup

    def _settling(self, session: Session, actor: Actor, number: str, cash: tuple[Decimal, Decimal], *,
                  refund: bool, date: dt.date, rate: Any, approver: str | None, approver_pin: str | None) -> tuple[
            Document, LedgerEntry, Location, "SetupInfo", Decimal, Actor | None,
            core_cash.ReceiptCalc | core_cash.RefundCalc]:
        """What a receipt (or a ``refund``) of ``cash`` (USD, CDF) settles and where: the invoice (return)
        ``number`` and its open ledger entry, its till (open on ``date``), the rate typed or the system rate,
        the approver a rate outside the tolerance needs, and the settlement (refused when it settles nothing)."""
        doc, entry = self._target(session, number, refund=refund)
        loc, setup = self._till(session, doc, date, N_("refund") if refund else N_("receipt"))
        the_rate = self._rate_for(session, rate, date)
        approving = approve_rate(self.s, session, actor, loc.id, date, the_rate, approver, approver_pin)
        if refund:
            calc = self._refund_calc(session, doc, entry, the_rate, *cash)
            if calc.settled_amount == 0:
                raise ValidationError("The amount returned is too small to refund any of the return",
                                      field="returned_usd")
        else:
            calc = self._receipt_calc(session, doc, entry, the_rate, *cash)
            if calc.settled_amount == 0:
                raise ValidationError("The amount received is too small to settle any of the invoice",
                                      field="received_usd")
        return doc, entry, loc, setup, the_rate, approving, calc

    def open_invoices(self, location: str | None = None, customer: str | None = None, *,
                      limit: int = 200) -> list[OpenInvoice]:
        """F2 on Invoice No: posted invoices with an open balance, cash invoices first, oldest first."""
        with self.db.read() as session:
            loc = find_location(session, location)
            stmt = (
                select(Document.number, Document.doc_type, Document.doc_date, Customer.code, Customer.name,
                       Document.sales_type, LedgerEntry.currency, Document.rate, LedgerEntry.amount,
                       LedgerEntry.open_amount, LedgerEntry.open_usd)
                .join(LedgerEntry, (LedgerEntry.document_id == Document.id)
                      & (LedgerEntry.voucher_type == Document.doc_type))
                .join(Customer, LedgerEntry.customer_id == Customer.id)
                .where(Document.location_id == loc.id, col(Document.doc_type).in_(INVOICE_TYPES),
                       Document.status == "posted", LedgerEntry.is_open == True,  # noqa: E712
                       LedgerEntry.amount > Z)
            )
            if customer:
                stmt = stmt.where(Customer.code == customer.strip().upper())
            rows = session.execute(stmt.order_by(Document.doc_date, Document.number).limit(limit)).all()
        out = [OpenInvoice(*r) for r in rows]
        out.sort(key=lambda r: 0 if r.sales_type == "cash" else 1)  # stable: keeps date order within each
        return out

    def _receipt_calc(self, session: Session, invoice: Document, entry: LedgerEntry, rate: Decimal,
                      received_usd: Decimal, received_cdf: Decimal) -> core_cash.ReceiptCalc:
        loc = session.get(Location, invoice.location_id)
        try:
            return core_cash.receipt(Currency.parse(entry.currency), entry.open_amount, entry.open_usd, rate,
                                     invoice.rate, received_usd, received_cdf, loc.cdf_increment,
                                     usd_increment=loc.usd_increment)
        except MoneyError as exc:
            raise ValidationError(str(exc), field="received_usd") from None

    def receipt_preview(self, invoice_number: str, rate: Any = None, received_usd: Any = "0",
                        received_cdf: Any = "0", *, date: dt.date | None = None) -> core_cash.ReceiptCalc:
        """The Sales Receipt footer while the cashier types (Invoice/Received/Returned/Balance per currency)."""
        r_usd, r_cdf = _cash_pair(received_usd, received_cdf, "received")
        with self.db.read() as session:
            invoice, entry = self._target(session, invoice_number, refund=False)
            the_rate = self._rate_for(session, rate, date or self.s.today())
            return self._receipt_calc(session, invoice, entry, the_rate, r_usd, r_cdf)

    # -- sales receipt -------------------------------------------------------------
    def post_receipt(self, actor: Actor, *, invoice: str, rate: Any = None, received_usd: Any = "0",
                     received_cdf: Any = "0", date: dt.date | None = None, print_usd: bool = False,
                     narration: str = "", approver: str | None = None, approver_pin: str | None = None) -> PostResult:
        actor.require("receive", "Sales Receipt")
        cash = _cash_pair(received_usd, received_cdf, "received",
                          required=N_("Enter the amount received in USD or CDF"))
        date = date or self.s.today()
        with self.db.write() as session:
            inv, entry, loc, setup, the_rate, approving, calc = self._settling(
                session, actor, invoice, cash, refund=False, date=date, rate=rate, approver=approver,
                approver_pin=approver_pin)
            ccy = Currency.parse(entry.currency)
            customer_id = entry.customer_id
            journal = [
                JLine(setup.cash_usd_account, calc.cash_usd_in, USD, calc.cash_usd_in, memo=nt.CASH_RECEIVED),
                JLine(setup.cash_cdf_account, q2(calc.cash_cdf_in / the_rate), CDF, calc.cash_cdf_in,
                      memo=nt.CASH_RECEIVED_LESS_CHANGE),
                JLine(RECEIVABLE, -calc.settled_usd, ccy, -calc.settled_amount, customer_id=customer_id,
                      memo=nt.stored(nt.RECEIPT_OF, number=inv.number)),
                JLine(EXCHANGE, -calc.exchange_diff_usd, memo=nt.EXCHANGE_DIFFERENCE),
                JLine(ROUND_OFF, -calc.round_off_usd, memo=nt.ROUND_OFF),
            ]
            extra = {
                "invoice": inv.number, "invoice_rate": _s(inv.rate), "taux_difference": _s(calc.taux_difference),
                "invoice_cdf": _s(calc.invoice_cdf), "invoice_usd": _s(calc.invoice_usd),
                "received_usd": _s(calc.received_usd), "received_cdf": _s(calc.received_cdf),
                "received_total_cdf": _s(calc.received_total_cdf), **_settled_extra(calc),
            }
            doc = Document(doc_type="RC", subtype="receipt", location_id=loc.id, doc_date=date,
                           customer_id=customer_id, currency=ccy.value, rate=the_rate, source_id=inv.id,
                           sales_type=inv.sales_type, print_usd=print_usd, amount=calc.settled_amount,
                           amount_usd=calc.cash_value_usd, narration=free_text(narration, field="narration", default=nt.stored(nt.RECEIPT_FOR, number=inv.number)),
                           extra=extra)
            result = self.s.posting.post(session, actor, PostingPlan(
                doc=doc, journal=journal, reference=inv.number, method="cash", approver=approving,
                summary=f"receipt for {inv.number}: {calc.received_usd} USD + {calc.received_cdf} CDF, "
                        f"change {calc.returned_cdf} CDF",
            ))
            apply_match(session, actor, customer_id,
                        [(entry.id, calc.settled_amount, calc.settled_usd),
                         (result.ledger_entry_ids[0], -calc.settled_amount, -calc.settled_usd)], date, "auto")
            return result

    # -- refund ---------------------------------------------------------------------
    def refund_preview(self, sales_return: str, rate: Any = None, returned_usd: Any = "0", returned_cdf: Any = "0",
                       *, date: dt.date | None = None) -> core_cash.RefundCalc:
        t_usd, t_cdf = _cash_pair(returned_usd, returned_cdf, "returned")
        with self.db.read() as session:
            ret, entry = self._target(session, sales_return, refund=True)
            the_rate = self._rate_for(session, rate, date or self.s.today())
            return self._refund_calc(session, ret, entry, the_rate, t_usd, t_cdf)

    @staticmethod
    def _refund_calc(session: Session, ret: Document, entry: LedgerEntry, rate: Decimal, t_usd: Decimal,
                     t_cdf: Decimal) -> core_cash.RefundCalc:
        loc = session.get(Location, ret.location_id)
        try:
            return core_cash.refund(-entry.open_amount, Currency.parse(entry.currency), rate, t_usd, t_cdf,
                                    return_usd=-entry.open_usd, cdf_increment=loc.cdf_increment)
        except MoneyError as exc:
            raise ValidationError(str(exc), field="returned_cdf") from None

    def post_refund(self, actor: Actor, *, sales_return: str, rate: Any = None, returned_usd: Any = "0",
                    returned_cdf: Any = "0", date: dt.date | None = None, narration: str = "",
                    approver: str | None = None, approver_pin: str | None = None) -> PostResult:
        actor.require("receive", "Refund")
        t_usd, t_cdf = _cash_pair(returned_usd, returned_cdf, "returned",
                                  required=N_("Enter the amount returned in USD or CDF"))
        date = date or self.s.today()
        with self.db.write() as session:
            ret, entry, loc, setup, the_rate, approving, calc = self._settling(
                session, actor, sales_return, (t_usd, t_cdf), refund=True, date=date, rate=rate, approver=approver,
                approver_pin=approver_pin)
            for ccy, out in ((USD, t_usd), (CDF, t_cdf)):
                if out > 0:
                    held = self._held(session, loc, setup, ccy)
                    if out > held:
                        raise _insufficient(ccy, held, out, f"returned_{ccy.value.lower()}")
            ccy = Currency.parse(entry.currency)
            customer_id = entry.customer_id
            journal = [
                JLine(RECEIVABLE, calc.settled_usd, ccy, calc.settled_amount, customer_id=customer_id,
                      memo=nt.stored(nt.REFUND_OF, number=ret.number)),
                JLine(setup.cash_usd_account, calc.cash_usd_in, USD, calc.cash_usd_in, memo=nt.CASH_REFUNDED),
                JLine(setup.cash_cdf_account, q2(calc.cash_cdf_in / the_rate), CDF, calc.cash_cdf_in,
                      memo=nt.CASH_REFUNDED),
                JLine(EXCHANGE, -calc.exchange_diff_usd, memo=nt.EXCHANGE_DIFFERENCE),
                JLine(ROUND_OFF, -calc.round_off_usd, memo=nt.ROUND_OFF),
            ]
            extra = {
                "return": ret.number, "refund_due": _s(calc.refund_due), "refund_usd": _s(calc.refund_usd),
                "refund_cdf": _s(calc.refund_cdf), "received_usd": "0.00", "received_cdf": "0.00",
                **_settled_extra(calc),
            }
            doc = Document(doc_type="RC", subtype="refund", location_id=loc.id, doc_date=date,
                           customer_id=customer_id, currency=ccy.value, rate=the_rate, source_id=ret.id,
                           amount=calc.settled_amount, amount_usd=-calc.cash_value_usd,
                           narration=free_text(narration, field="narration", default=nt.stored(nt.REFUND_FOR, number=ret.number)), extra=extra)
            result = self.s.posting.post(session, actor, PostingPlan(
                doc=doc, journal=journal, reference=ret.number, method="cash", approver=approving,
                summary=f"refund for {ret.number}: {calc.returned_usd} USD + {calc.returned_cdf} CDF",
            ))
            apply_match(session, actor, customer_id,
                        [(entry.id, -calc.settled_amount, -calc.settled_usd),
                         (result.ledger_entry_ids[0], calc.settled_amount, calc.settled_usd)], date, "auto")
            return result

    # -- receipt / payment (shop) ---------------------------------------------------------
    def shop_entry_preview(self, *, location: str | None = None, currency: Currency | str = CDF, rate: Any = None,
                           amount: Any = "0", date: dt.date | None = None) -> ShopEntryPreview:
        """Amount ~ (CDF), Amount ~ (USD), Cash Ledger and Balance Cash of the screen."""
        ccy = _currency(currency)
        value = _amount(amount, "amount", default="0")
        with self.db.read() as session:
            loc = find_location(session, location)
            setup = setup_info(self.s, session, loc)
            the_rate = self._rate_for(session, rate, date or self.s.today())
            return ShopEntryPreview(
                ccy, the_rate, value, value if ccy is CDF else q2(value * the_rate),
                value if ccy is USD else q2(value / the_rate), self._cash_account(setup, ccy),
                self._held(session, loc, setup, ccy),
            )

    def post_shop_entry(self, actor: Actor, *, kind: str, location: str | None = None, date: dt.date | None = None,
                        particulars: str, cost_centre: str, currency: Currency | str, rate: Any = None,
                        amount: Any, narration: str, approver: str | None = None,
                        approver_pin: str | None = None) -> PostResult:
        actor.require("receive", "Receipt / Payment (Shop)")
        kind = (kind or "").strip().lower()
        if kind not in ("receipt", "payment"):
            raise ValidationError("Receipt / Payment: choose receipt or payment", field="kind")
        ccy = _currency(currency)
        value = _amount(amount, "amount")
        if value <= 0:
            raise ValidationError("Amount must be greater than zero", field="amount")
        narration = free_text(narration, field="narration")
        if not narration:
            raise ValidationError("Narration is required", field="narration")
        date = date or self.s.today()
        with self.db.write() as session:
            loc = find_location(session, location, actor)
            setup = setup_info(self.s, session, loc)
            check_open(session, loc.id, date)
            code = (particulars or "").strip()
            if not code:
                raise ValidationError("Particulars: choose an account", field="particulars")
            account = session.execute(select(Account).where(Account.code == code)).scalars().first()
            if account is None:
                raise NotFound("Particulars: account {code} not found", field="particulars", params={"code": code})
            if account.inactive:
                raise InactiveRecord("Particulars: account {code} is inactive", field="particulars",
                    params={"code": code})
            if account.currency is not None or code in (setup.cash_usd_account, setup.cash_cdf_account):
                raise ValidationError("Particulars: {code} is a cash account; choose the other side of the entry",
                                      field="particulars", params={"code": code})
            if code == RECEIVABLE:
                raise ValidationError("Particulars: {code} is the customer receivable; use Sales Receipt",
                                      field="particulars", params={"code": code})
            centre_code = (cost_centre or "").strip().upper()
            if not centre_code:
                raise ValidationError("Sub Ledger / Cost Center is required", field="cost_centre")
            centre = session.execute(select(CostCentre).where(CostCentre.code == centre_code)).scalars().first()
            if centre is None:
                raise NotFound("Cost centre {centre_code} not found", field="cost_centre",
                    params={"centre_code": centre_code})
            if centre.inactive:
                raise InactiveRecord("Cost centre {centre_code} is inactive", field="cost_centre",
                    params={"centre_code": centre_code})
            the_rate = self._rate_for(session, rate, date)
            approving = approve_rate(self.s, session, actor, loc.id, date, the_rate, approver, approver_pin)
            value_usd = value if ccy is USD else q2(value / the_rate)
            value_cdf = value if ccy is CDF else q2(value * the_rate)
            held = self._held(session, loc, setup, ccy)
            if kind == "payment" and value > held:
                raise _insufficient(ccy, held, value)
            sign = Decimal(1) if kind == "receipt" else Decimal(-1)
            cash_code = self._cash_account(setup, ccy)
            journal = [
                JLine(cash_code, sign * value_usd, ccy, sign * value, memo=narration[:200]),
                JLine(code, -sign * value_usd, ccy, -sign * value, cost_centre=centre_code, memo=narration[:200]),
            ]
            doc = Document(doc_type="RP", subtype=kind, location_id=loc.id, doc_date=date, currency=ccy.value,
                           rate=the_rate, amount=value, amount_usd=value_usd, account_id=account.id,
                           cost_centre_id=centre.id, narration=narration[:500],
                           extra={"amount_cdf": _s(value_cdf), "amount_usd": _s(value_usd), "cash_ledger": cash_code,
                                  "balance_cash_before": _s(held),
                                  "balance_cash_after": _s(held + sign * value)})
            return self.s.posting.post(session, actor, PostingPlan(
                doc=doc, journal=journal, approver=approving,
                summary=f"shop {kind} {value} {ccy.value} {code}: {narration}"[:300]))

    # -- currency exchange ------------------------------------------------------------------
    def _exchange_calc(self, session: Session, date: dt.date, currency: Any, amount_received: Any,
                       exchange_rate: Any, amount_given: Any) -> core_exchange.ExchangeCalc:
        ccy = _currency(currency)
        received = _amount(amount_received, "amount_received")
        system = system_rate_or_fail(self.s, session, date)
        actual = system if exchange_rate is None or exchange_rate == "" else _rate(exchange_rate, "exchange_rate")
        given = None if amount_given is None or amount_given == "" else _amount(amount_given, "amount_given")
        if received <= 0:
            raise ValidationError("Amount received must be greater than zero", field="amount_received")
        if given is not None and given <= 0:
            raise ValidationError("Amount given must be greater than zero", field="amount_given")
        try:
            return core_exchange.exchange(ccy, received, system, actual, given)
        except MoneyError as exc:
            raise ValidationError(str(exc), field="amount_given") from None

    def exchange_preview(self, *, location: str | None = None, date: dt.date | None = None,
                         currency: Currency | str = CDF, amount_received: Any = "0", exchange_rate: Any = None,
                         amount_given: Any = None) -> ExchangePreview:
        """System rate, expected amount given, Gain/Loss $ and CDF, and the till's cash in the currency given."""
        with self.db.read() as session:
            loc = find_location(session, location)
            setup = setup_info(self.s, session, loc)
            calc = self._exchange_calc(session, date or self.s.today(), currency, amount_received, exchange_rate,
                                       amount_given)
            held = self._held(session, loc, setup, calc.currency_given)
            return ExchangePreview(calc, calc.system_rate, held, calc.amount_given <= held)

    def post_exchange(self, actor: Actor, *, location: str | None = None, date: dt.date | None = None,
                      currency: Currency | str, amount_received: Any, exchange_rate: Any = None,
                      amount_given: Any = None, narration: str = "", approver: str | None = None,
                      approver_pin: str | None = None) -> PostResult:
        actor.require("receive", "Currency Exchange")
        date = date or self.s.today()
        with self.db.write() as session:
            loc = find_location(session, location, actor)
            setup = setup_info(self.s, session, loc)
            check_open(session, loc.id, date)
            calc = self._exchange_calc(session, date, currency, amount_received, exchange_rate, amount_given)
            approving = approve_rate(self.s, session, actor, loc.id, date, calc.actual_rate, approver, approver_pin,
                                     field="exchange_rate")
            held = self._held(session, loc, setup, calc.currency_given)
            if calc.amount_given > held:
                raise _insufficient(calc.currency_given, held, calc.amount_given, "amount_given")
            rc, gc = calc.currency_received, calc.currency_given
            journal = [
                JLine(self._cash_account(setup, rc), calc.received_usd_value, rc, calc.amount_received,
                      memo=nt.stored(nt.EXCHANGE_RECEIVED, currency=rc.value)),
                JLine(self._cash_account(setup, gc), -calc.given_usd_value, gc, -calc.amount_given,
                      memo=nt.stored(nt.EXCHANGE_GIVEN, currency=gc.value)),
                JLine(EXCHANGE, -calc.gain_usd, memo=nt.EXCHANGE_GAIN_LOSS),
            ]
            doc = Document(doc_type="CE", location_id=loc.id, doc_date=date, currency=rc.value, rate=calc.actual_rate,
                           amount=calc.amount_received, amount_usd=calc.received_usd_value,
                           narration=free_text(narration, field="narration"),
                           extra={"currency_given": gc.value, "amount_given": _s(calc.amount_given),
                                  "system_rate": _s(calc.system_rate), "exchange_rate": _s(calc.actual_rate),
                                  "expected_given": _s(calc.expected_given),
                                  "received_usd_value": _s(calc.received_usd_value),
                                  "given_usd_value": _s(calc.given_usd_value),
                                  "gain_usd": _s(calc.gain_usd), "gain_cdf": _s(calc.gain_cdf)})
            return self.s.posting.post(session, actor, PostingPlan(
                doc=doc, journal=journal, approver=approving,
                summary=f"exchange {calc.amount_received} {rc.value} for {calc.amount_given} {gc.value}"))

    def cancel_exchange(self, actor: Actor, number: str, *, approver: str | None = None,
                        approver_pin: str | None = None, reason: str = "") -> str:
        """Cancel a posted currency exchange: a reversal voucher, the document marked cancelled.

        A manager may cancel; anyone else needs a manager's approval. Returns the number.
        """
        actor.require("receive", "Cancelling a currency exchange")
        with self.db.write() as session:
            approving = cancel_approver(self.s, session, actor, approver, approver_pin, N_("currency exchange"))
            number = (number or "").strip().upper()
            doc = session.execute(
                select(Document).where(Document.number == number, Document.doc_type == "CE")
            ).scalars().first()
            if doc is None:
                raise NotFound("Currency exchange {number} not found", field="number", params={"number": number})
            if doc.status == "cancelled":
                raise PostedIsFinal("Currency exchange {number} is already cancelled", field="number",
                    params={"number": number})
            if doc.status != "posted":
                raise ValidationError("Currency exchange {number} is not posted", field="number",
                    params={"number": number})
            loc = session.get(Location, doc.location_id)
            setup = setup_info(self.s, session, loc)
            check_open(session, loc.id, doc.doc_date)
            received = Currency.parse(doc.currency)
            held = self._held(session, loc, setup, received)
            if doc.amount > held:
                raise _insufficient(received, held, doc.amount)
            self.s.posting.write_voucher(session, doc, reversal_of(session, doc),
                                         narration=nt.stored(nt.CANCELLATION, number=number, reason=reason)[:500])
            mark_cancelled(session, actor, doc, approving, reason, self.s.today())
            return number


# ---------------------------------------------------------------- headless


def _common_rate(f: Fields, name: str = "rate") -> Decimal | None:
    return f.rate(name)


@handler("sales_receipt")
def _post_sales_receipt(services: "Services", actor: Actor, doc: dict) -> dict:
    f = Fields(doc, optional=["invoice", "return", "rate", "received_usd", "received_cdf", "returned_usd",
                              "returned_cdf", "date", "print_usd", "narration", "location"],
               allow_draft=False)
    has_invoice, has_return = "invoice" in f, "return" in f
    if has_invoice == has_return:
        raise ValidationError("sales_receipt: give either 'invoice' (a receipt) or 'return' (a refund)",
                              field="invoice")
    if has_invoice:
        for bad in ("returned_usd", "returned_cdf"):
            if bad in f:
                raise ValidationError("sales_receipt: {bad!r} is for a refund ('return'); the change is computed",
                                      field=bad, params={"bad": bad})
        result = services.cash.post_receipt(
            actor, invoice=f.str("invoice"), rate=_common_rate(f), received_usd=f.amount("received_usd", Decimal(0)),
            received_cdf=f.amount("received_cdf", Decimal(0)), date=f.date("date"), print_usd=f.bool("print_usd"),
            narration=f.str("narration", "") or "", approver=f.approver, approver_pin=f.approver_pin)
    else:
        for bad in ("received_usd", "received_cdf", "print_usd"):
            if bad in f:
                raise ValidationError("sales_receipt: {bad!r} is for a receipt ('invoice'); a refund takes 'returned_usd'/'returned_cdf'", field=bad,
                    params={"bad": bad})
        result = services.cash.post_refund(
            actor, sales_return=f.str("return"), rate=_common_rate(f),
            returned_usd=f.amount("returned_usd", Decimal(0)), returned_cdf=f.amount("returned_cdf", Decimal(0)),
            date=f.date("date"), narration=f.str("narration", "") or "", approver=f.approver,
            approver_pin=f.approver_pin)
    with services.db.read() as session:
        extra = session.get(Document, result.document_id).extra
    keys = ("received_usd", "received_cdf", "returned_usd", "returned_cdf", "balance_usd", "balance_cdf",
            "settled_amount", "exchange_diff_usd", "round_off_usd")
    return {"number": result.number, "totals": {k: extra[k] for k in keys if k in extra}}


def _shop_entry(kind: str):
    def post(services: "Services", actor: Actor, doc: dict) -> dict:
        f = Fields(doc, required=["particulars", "cost_centre", "currency", "amount", "narration"],
                   optional=["location", "date", "rate"], allow_draft=False)
        result = services.cash.post_shop_entry(
            actor, kind=kind, location=f.str("location"), date=f.date("date"), particulars=f.str("particulars"),
            cost_centre=f.str("cost_centre"), currency=f.currency("currency"), rate=f.rate("rate"),
            amount=f.amount("amount"), narration=f.str("narration"), approver=f.approver,
            approver_pin=f.approver_pin)
        with services.db.read() as session:
            d = session.get(Document, result.document_id)
            totals = {"amount": d.amount, "currency": d.currency, "amount_usd": d.extra["amount_usd"],
                      "amount_cdf": d.extra["amount_cdf"]}
        return {"number": result.number, "totals": totals}

    post.__name__ = f"_post_shop_{kind}"
    return post


handler("shop_receipt")(_shop_entry("receipt"))
handler("shop_payment")(_shop_entry("payment"))


@handler("currency_exchange")
def _post_currency_exchange(services: "Services", actor: Actor, doc: dict) -> dict:
    f = Fields(doc, required=["currency", "amount_received"],
               optional=["location", "date", "exchange_rate", "amount_given", "narration"],
               allow_draft=False)
    result = services.cash.post_exchange(
        actor, location=f.str("location"), date=f.date("date"), currency=f.currency("currency"),
        amount_received=f.amount("amount_received"), exchange_rate=f.rate("exchange_rate"),
        amount_given=f.amount("amount_given"), narration=f.str("narration", "") or "",
        approver=f.approver, approver_pin=f.approver_pin)
    with services.db.read() as session:
        d = session.get(Document, result.document_id)
        e = d.extra
        totals = {"amount_received": d.amount, "currency_received": d.currency, "amount_given": e["amount_given"],
                  "currency_given": e["currency_given"], "system_rate": e["system_rate"], "gain_usd": e["gain_usd"],
                  "gain_cdf": e["gain_cdf"]}
    return {"number": result.number, "totals": totals}


__all__ = [
    "CashService",
    "ExchangePreview",
    "OpenInvoice",
    "ShopEntryPreview",
    "apply_match",
]
