"""The shop day: Shop Open, Shop Close, and the one check every transaction makes (DESIGN §5).

* :meth:`DayService.open_day` — one Shop Open (document ``OP``) per location and
  date, only with a Shop Setup, never while an earlier day of the location is
  still open, never again after the date was closed.
* :func:`require_open` — the shared check: a transaction dated D at location L
  needs L's day D open (and not yet closed).
* :meth:`DayService.close_figures` — the Shop Close screen's tabs (details per
  currency, inventory, summary, voucher details) from SQL aggregates over the
  day's journal lines and stock moves; the arithmetic is :mod:`core.close`.
* :meth:`DayService.close_day` — the manager counts the till (typed or by
  denomination); the difference ``closing − physical`` is posted to the
  shortage ledger (document ``CL``), a shortage above the setup's maximum needs
  a manager's approval, and the day is closed for good.

Where the cash of the day comes from, per currency (the cash ledgers of the
location's Shop Setup; every movement is the *net* change of the till per
document, in that currency's own amount):

==========================  ====================================================
cash sales (+)              receipts (RC) against cash invoices/provisional invoices
cash sales returns (−)      refunds (RC, subtype ``refund``)
receipts (+)                shop receipts (RP receipt), receipts against credit
                            invoices, customer payments (CR)
payments (−)                shop payments (RP payment), commission payments (CP)
money exchanged (+)/(−)     currency exchanges (CE), by the sign of each document
other transfers             anything else that touched the till
==========================  ====================================================

The close's own voucher (CL) is not a movement of the day: it is the difference.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Mapping

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from shopterm.core import narration as nt
from shopterm.core.i18n import N_, _
from ...core import close as core_close
from ...core.journal import EXCHANGE, INVENTORY, SHRINKAGE, JLine
from ...core.money import (Currency, MoneyError, format_amount, format_qty, parse_amount, parse_qty, parse_rate, q2,
                           to_decimal)
from ...store.db import Prepared
from ...store.master_cache import MasterRead
from ...store.models import (
    DocumentLine,
    Account,
    AccountDay,
    Batch,
    Customer,
    Document,
    Item,
    JournalLine,
    JournalVoucher,
    LedgerEntry,
    Location,
    ShopDay,
    ShopSetup,
    StockBalance,
    StockMove,
    User,
)
from ...core.doctypes import DOC_TYPES
from ...core.units import check_qty_for_unit
from ..admin import audit, chain
from ..context import Actor
from ..errors import (
    ApprovalRequired,
    ChainBroken,
    DayAlreadyOpen,
    DayClosed,
    DayNotOpen,
    InactiveRecord,
    NotFound,
    PreviousDayOpen,
    SetupMissing,
    ShortageAboveTolerance,
    ValidationError,
)
from ..headless import Fields, JsonNumber, handler
from ..documents.approvals import rate_approvals
from ..documents.posting import PostingPlan, PostResult, StockSpec, utcnow
from ..masters.base import find_location, free_text  # find_location: re-exported (its home before)

if TYPE_CHECKING:
    from .. import Services
    from ..admin.setup import SetupInfo

USD, CDF = Currency.USD, Currency.CDF
Z = Decimal("0.00")

#: Document types whose "total" is the payable (sales documents); others use ``amount_usd``.
_SALES_DOCS = ("SO", "PF", "SI", "PI", "SR", "RD", "DN")


# ---------------------------------------------------------------- shared checks


def require_setup(session: Session, loc: Location) -> None:
    """SetupMissing with the cashier's message unless the location has its Shop Setup (one indexed read)."""
    has = _HAS_SETUP.first(session, {"loc": loc.id})
    if has is None:
        raise SetupMissing("Shop Setup is missing for {code}: complete Shop Setup first", field="location",
            params={"code": loc.code})


def setup_info(services: "Services", session: Session, loc: Location) -> "SetupInfo":
    """The location's Shop Setup, or SetupMissing with the cashier's message."""
    require_setup(session, loc)
    return services.setup.setup_for(session, loc)


# every transaction's checks: built once, each call binds its values
_HAS_SETUP = MasterRead(select(ShopSetup.id).where(ShopSetup.location_id == bindparam("loc")))
_SD = ShopDay.__table__
_DAY_OF = Prepared(select(_SD.c.id, _SD.c.status).where(_SD.c.location_id == bindparam("loc"),
                                                        _SD.c.date == bindparam("date")))


def require_open(session: Session, location_id: int, date: dt.date) -> ShopDay:
    """:func:`check_open`, and the open day's row (to read or change it)."""
    return session.get(ShopDay, check_open(session, location_id, date))


def check_open(session: Session, location_id: int, date: dt.date) -> int:
    """Every transaction's check: the location's day ``date`` is open (DESIGN §5); returns its id.

    Raises :class:`DayNotOpen` when there was no Shop Open for that date and
    :class:`DayClosed` when Shop Close is done for it.
    """
    day = _DAY_OF.first_named(session, {"loc": location_id, "date": date})
    if day is None or day.status != "open":
        loc = session.get(Location, location_id)
        code = loc.code if loc else str(location_id)
        if day is None:
            raise DayNotOpen("Shop is not open for {code} on {date}: run Shop Open first", field="date",
                params={"code": code, "date": date})
        raise DayClosed("Shop Close is done for {code} on {date}: no more transactions on that date", field="date",
            params={"code": code, "date": date})
    return day.id


def system_rate_or_fail(services: "Services", session: Session, date: dt.date) -> Decimal:
    rate = services.system_rate(session, date)
    if rate is None:
        raise SetupMissing("No system exchange rate on or before {date}: set one in Exchange rates", field="rate",
            params={"date": date})
    return rate


def account_ids(session: Session, *codes: str) -> dict[str, int]:
    rows = session.execute(select(Account.code, Account.id).where(col(Account.code).in_(codes))).all()
    found = dict(rows)
    for c in codes:
        if c not in found:
            raise NotFound("Account {code} is not in the chart of accounts", field="account", params={"code": c})
    return found


def cash_held(session: Session, location_id: int, account_id: int, currency: Currency,
              *, before: dt.date | None = None, on_or_before: dt.date | None = None) -> Decimal:
    """The till: Σ journal_line.amount of a cash account at a location, in its own currency,
    read from the running balances per account and day (``account_day``: one row a day)."""
    stmt = select(func.sum(AccountDay.amount)).where(
        AccountDay.account_id == account_id, AccountDay.location_id == location_id,
        AccountDay.currency == currency.value,
    )
    if before is not None:
        stmt = stmt.where(AccountDay.date < before)
    if on_or_before is not None:
        stmt = stmt.where(AccountDay.date <= on_or_before)
    value = session.execute(stmt).scalar()
    return q2(value) if value is not None else Z


def _money(value: Any, field_name: str) -> Decimal:
    try:
        return q2(parse_amount(value, field=field_name))
    except MoneyError as exc:
        raise ValidationError(str(exc), field=field_name) from None


def _s(value: Decimal) -> str:
    return format(value, "f")


# ---------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class StockLine:
    item_code: str
    item_name: str
    batch_code: str
    kind: str
    qty: Decimal


@dataclass(frozen=True, slots=True)
class CountLine:
    """A batch the Inventory Posting tab may count: what the books hold and its unit cost (USD)."""

    item_code: str
    item_name: str
    batch_code: str
    unit: str
    on_hand: Decimal
    unit_cost_usd: Decimal


@dataclass(frozen=True, slots=True)
class CountedBatch:
    """A batch counted on the Inventory Posting tab: what the books held, what was counted, the
    difference and its value at cost (USD) — as typed before the close, as posted after it."""

    item_code: str
    item_name: str
    batch_code: str
    on_hand: Decimal
    counted: Decimal
    difference: Decimal
    value_usd: Decimal


@dataclass(frozen=True, slots=True)
class DocTypeTotal:
    doc_type: str
    name: str
    count: int
    total_usd: Decimal
    cancelled: int = 0


@dataclass(frozen=True, slots=True)
class UnpaidInvoice:
    number: str
    customer_code: str
    customer_name: str
    currency: str
    amount: Decimal
    open_amount: Decimal


@dataclass(frozen=True, slots=True)
class VoucherLine:
    account: str
    account_name: str
    currency: str
    amount: Decimal  # signed, debit +
    amount_usd: Decimal  # signed, debit +


@dataclass(frozen=True, slots=True)
class CloseSummary:
    """Everything the Shop Close screen shows, and what ``shopterm day summary`` prints."""

    location_code: str
    date: dt.date
    status: str  # not_open | open | closed
    rate: Decimal
    usd: core_close.CloseFigures
    cdf: core_close.CloseFigures
    counted: bool  # physical cash given (else physical = closing, difference 0)
    difference_usd_value: Decimal  # both differences in USD at the day's rate (+ shortage)
    needs_approval: bool
    max_shortage_usd: Decimal
    max_shortage_cdf: Decimal
    exchange_gain_usd: Decimal  # the day's exchange gain (+) / loss (−)
    cash_usd_account: str
    cash_cdf_account: str
    inventory: tuple[StockLine, ...] = ()
    documents: tuple[DocTypeTotal, ...] = ()
    unpaid_cash_invoices: tuple[UnpaidInvoice, ...] = ()
    voucher: tuple[VoucherLine, ...] = ()
    denominations: dict = field(default_factory=dict)
    open_number: str | None = None
    close_number: str | None = None
    approved_by: str | None = None  # the manager who approved a closed day's shortage
    rate_needs_approval: bool = False  # the rate typed is further from the system rate than the tolerance
    system_rate: Decimal | None = None  # the day's system rate (the rate's default)
    stock_count: tuple[CountedBatch, ...] = ()  # the Inventory Posting counts (typed, or as posted)

    def figures(self, currency: Currency | str) -> core_close.CloseFigures:
        return self.usd if Currency.parse(currency) is USD else self.cdf

    def as_dict(self) -> dict:
        """JSON-ready (amounts as strings)."""

        def fig(f: core_close.CloseFigures) -> dict:
            return {k: _s(getattr(f, k)) for k in (
                "opening", "cash_sales", "cash_returns", "receipts", "payments", "sub_total", "exchanged_in",
                "exchanged_out", "other_transfers", "closing", "physical", "difference", "excess_shortage")}

        return {
            "location": self.location_code,
            "date": self.date.isoformat(),
            "status": self.status,
            "rate": _s(self.rate),
            "open_number": self.open_number,
            "close_number": self.close_number,
            "cash_ledger_usd": self.cash_usd_account,
            "cash_ledger_cdf": self.cash_cdf_account,
            "counted": self.counted,
            "details": {"USD": fig(self.usd), "CDF": fig(self.cdf)},
            "difference_usd_value": _s(self.difference_usd_value),
            "needs_approval": self.needs_approval,
            "approved_by": self.approved_by,
            "max_shortage_usd": _s(self.max_shortage_usd),
            "max_shortage_cdf": _s(self.max_shortage_cdf),
            "exchange_gain_usd": _s(self.exchange_gain_usd),
            "denominations": self.denominations,
            "rate_needs_approval": self.rate_needs_approval,
            "stock_count": [{"item": c.item_code, "name": c.item_name, "batch": c.batch_code,
                             "on_hand": _s(c.on_hand), "counted": _s(c.counted), "difference": _s(c.difference),
                             "value_usd": _s(c.value_usd)} for c in self.stock_count],
            "inventory": [{"item": s.item_code, "name": s.item_name, "batch": s.batch_code, "kind": s.kind,
                           "qty": _s(s.qty)} for s in self.inventory],
            "documents": [{"type": d.doc_type, "name": d.name, "count": d.count, "total_usd": _s(d.total_usd),
                           "cancelled": d.cancelled} for d in self.documents],
            "unpaid_cash_invoices": [{"number": u.number, "customer": u.customer_code, "name": u.customer_name,
                                      "currency": u.currency, "amount": _s(u.amount),
                                      "open_amount": _s(u.open_amount)} for u in self.unpaid_cash_invoices],
            "voucher": [{"account": v.account, "name": v.account_name, "currency": v.currency,
                         "amount": _s(v.amount), "amount_usd": _s(v.amount_usd)} for v in self.voucher],
        }


@dataclass
class _Moves:
    cash_sales: Decimal = Z
    cash_returns: Decimal = Z
    receipts: Decimal = Z
    payments: Decimal = Z
    exchanged_in: Decimal = Z
    exchanged_out: Decimal = Z
    other_transfers: Decimal = Z


def _figures(ccy: Currency, opening: Decimal, m: _Moves, physical: Decimal) -> core_close.CloseFigures:
    """core.close's arithmetic; a category that nets negative (e.g. CDF change larger than the CDF
    received on the day's cash sales) is passed to core as its opposite category and shown signed."""
    adj = dataclasses.replace(m)
    if adj.cash_sales < 0:
        adj.cash_returns, adj.cash_sales = adj.cash_returns - adj.cash_sales, Z
    if adj.cash_returns < 0:
        adj.cash_sales, adj.cash_returns = adj.cash_sales - adj.cash_returns, Z
    if adj.receipts < 0:
        adj.payments, adj.receipts = adj.payments - adj.receipts, Z
    if adj.payments < 0:
        adj.receipts, adj.payments = adj.receipts - adj.payments, Z
    fig = core_close.close_figures(
        ccy, opening=opening, cash_sales=adj.cash_sales, cash_returns=adj.cash_returns, receipts=adj.receipts,
        payments=adj.payments, exchanged_in=adj.exchanged_in, exchanged_out=adj.exchanged_out,
        other_transfers=adj.other_transfers, physical=physical,
    )
    return dataclasses.replace(fig, cash_sales=m.cash_sales, cash_returns=m.cash_returns, receipts=m.receipts,
                               payments=m.payments)


# ---------------------------------------------------------------- the service


class DayService:
    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    # -- shop open -------------------------------------------------------------
    def open_day(self, actor: Actor, *, location: str | None = None, date: dt.date | None = None,
                 remarks: str = "") -> PostResult:
        actor.require("open_day", "Shop Open")
        today = self.s.today()
        date = date or today
        if date > today:
            raise ValidationError("The shop cannot be opened for {date}: that is later than today ({today})",
                                  field="date", params={"date": date, "today": today})
        with self.db.write() as session:
            loc = find_location(session, location, actor)
            setup = setup_info(self.s, session, loc)
            same = session.execute(
                select(ShopDay).where(ShopDay.location_id == loc.id, ShopDay.date == date)
            ).scalars().first()
            if same is not None:
                if same.status == "open":
                    raise DayAlreadyOpen("The shop {code} is already open for {date}", field="date",
                        params={"code": loc.code, "date": date})
                raise DayClosed("Shop Close is done for {code} on {date}: that date cannot be opened again",
                                field="date", params={"code": loc.code, "date": date})
            earlier = session.execute(
                select(ShopDay).where(ShopDay.location_id == loc.id, ShopDay.status == "open", ShopDay.date < date)
                .order_by(ShopDay.date)
            ).scalars().first()
            if earlier is not None:
                raise PreviousDayOpen("Close the previous day first: {code} is still open for {date}",
                                      field="date", params={"code": loc.code, "date": earlier.date})
            later = session.execute(
                select(ShopDay).where(ShopDay.location_id == loc.id, ShopDay.date > date)
                .order_by(col(ShopDay.date).desc())
            ).scalars().first()
            if later is not None:
                raise ValidationError(
                    "{code} was already opened for {date}: an earlier date cannot be opened", field="date",
                    params={"code": loc.code, "date": later.date})
            ids = account_ids(session, setup.cash_usd_account, setup.cash_cdf_account)
            opening_usd = cash_held(session, loc.id, ids[setup.cash_usd_account], USD, before=date)
            opening_cdf = cash_held(session, loc.id, ids[setup.cash_cdf_account], CDF, before=date)
            doc = Document(doc_type="OP", location_id=loc.id, doc_date=date, narration=free_text(remarks, field="remarks"),
                           extra={"opening_usd": _s(opening_usd), "opening_cdf": _s(opening_cdf)})
            result = self.s.posting.post(session, actor, PostingPlan(doc=doc, summary=f"shop open {loc.code} {date}"))
            day = ShopDay(location_id=loc.id, date=date, status="open", open_document_id=result.document_id,
                          opened_by=actor.user_id, opened_at=utcnow())
            session.add(day)
            session.flush()
            audit.record(session, actor, "open", "shop_day", day.id, after={"location": loc.code, "date": date,
                                                                         "status": "open", "document": result.number},
                         summary=f"shop {loc.code} opened for {date}")
            return result

    def require_open(self, session: Session, location_id: int, date: dt.date) -> ShopDay:
        return require_open(session, location_id, date)

    def open_date(self, location: str | None = None) -> dt.date | None:
        """The earliest open day of the location (None when no day is open)."""
        with self.db.read() as session:
            loc = find_location(session, location)
            return self._open_date(session, loc)

    @staticmethod
    def _open_date(session: Session, loc: Location) -> dt.date | None:
        return session.execute(
            select(ShopDay.date).where(ShopDay.location_id == loc.id, ShopDay.status == "open").order_by(ShopDay.date)
        ).scalars().first()

    def is_open(self, location: str | None, date: dt.date) -> bool:
        with self.db.read() as session:
            loc = find_location(session, location)
            try:
                check_open(session, loc.id, date)
            except (DayNotOpen, DayClosed):
                return False
            return True

    # -- figures -----------------------------------------------------------------
    def close_figures(self, location: str | None = None, date: dt.date | None = None, *,
                      physical_usd: Any = None, physical_cdf: Any = None,
                      denominations: Mapping | None = None, rate: Any = None, cash_ledger_usd: Any = None,
                      cash_ledger_cdf: Any = None, counts: "list[Mapping[str, Any]] | None" = None) -> CloseSummary:
        """The Shop Close tabs for a day. Without physical cash (typed or counted), an open day shows
        physical = closing (difference 0); a closed day shows what was counted. ``rate`` and the
        cash ledgers (blank: the day's system rate and the Shop Setup's ledgers) and the Inventory
        Posting ``counts`` are checked as :meth:`close_day` checks them; the voucher shows what the
        close would post. A closed day shows its own rate, ledgers, counts and voucher."""
        phys_usd, phys_cdf, denoms = _physical(physical_usd, physical_cdf, denominations, required=False)
        with self.db.read() as session:
            loc = find_location(session, location)
            date = date or self._open_date(session, loc) or self.s.today()
            return self._summary(session, loc, date, phys_usd, phys_cdf, denoms, rate=rate,
                                 ledgers=(cash_ledger_usd, cash_ledger_cdf), counts=counts)

    def count_sheet(self, location: str | None = None) -> tuple[CountLine, ...]:
        """The Inventory Posting tab's lines: every batch holding stock at the location (by item
        and batch code) with its quantity on hand and the cost a counted difference posts at."""
        with self.db.read() as session:
            loc = find_location(session, location)
            rows = session.execute(
                select(Item.code, Item.name, Batch.code, Item.unit, StockBalance.qty, Batch.cost_usd, Item.cost_usd)
                .join(Item, StockBalance.item_id == Item.id).join(Batch, StockBalance.batch_id == Batch.id)
                .where(StockBalance.location_id == loc.id, StockBalance.qty != 0)
                .order_by(Item.code, Batch.code)
            ).all()
        return tuple(CountLine(code, name, batch, unit or "", qty, bcost if bcost else icost)
                     for code, name, batch, unit, qty, bcost, icost in rows)

    def summary(self, location: str | None = None, date: dt.date | None = None) -> CloseSummary:
        """``shopterm day summary``: the figures of an open or closed day."""
        return self.close_figures(location, date)

    def _summary(self, session: Session, loc: Location, date: dt.date, phys_usd: Decimal | None,
                 phys_cdf: Decimal | None, denoms: dict, *, rate: Any = None, ledgers: tuple[Any, Any] = (None, None),
                 counts: Any = None, counted_stock: "list | None" = None) -> CloseSummary:
        setup = setup_info(self.s, session, loc)
        day = session.execute(
            select(ShopDay).where(ShopDay.location_id == loc.id, ShopDay.date == date)
        ).scalars().first()
        status = "not_open" if day is None else day.status
        close_doc = session.get(Document, day.close_document_id) if day is not None and day.close_document_id else None
        open_doc = session.get(Document, day.open_document_id) if day is not None and day.open_document_id else None
        system = self.s.system_rate(session, date)
        stock_count: tuple[CountedBatch, ...] = ()
        if close_doc is not None:
            # a closed day: the rate, cash ledgers and counts it was closed with
            extra = close_doc.extra or {}
            rate = close_doc.rate or system_rate_or_fail(self.s, session, date)
            cash_usd = extra.get("cash_ledger_usd") or setup.cash_usd_account
            cash_cdf = extra.get("cash_ledger_cdf") or setup.cash_cdf_account
            stock_count = _posted_counts(session, extra.get("stock_count") or ())
            rate_off = False
        else:
            rate = close_rate(self.s, session, date, rate)
            cash_usd, cash_cdf = cash_ledgers(session, setup, *ledgers)
            if counted_stock is None:
                counted_stock = _counted_stock(session, loc.id, counts) if counts else []
            stock_count = tuple(CountedBatch(i.code, i.name, b.code, q - d, q, d, core_close.count_value(d, c))
                                for i, b, q, d, c in counted_stock)
            rate_off = bool(rate_approvals(session, self.s, loc.id, date, rate))
        ids = account_ids(session, cash_usd, cash_cdf, setup.shortage_account, EXCHANGE)
        usd_acc, cdf_acc = ids[cash_usd], ids[cash_cdf]

        opening = {USD: cash_held(session, loc.id, usd_acc, USD, before=date),
                   CDF: cash_held(session, loc.id, cdf_acc, CDF, before=date)}
        moves = self._moves(session, loc.id, date, {usd_acc: USD, cdf_acc: CDF})

        counted = phys_usd is not None or phys_cdf is not None
        if not counted and close_doc is not None:
            extra = close_doc.extra or {}
            phys_usd = Decimal(extra.get("physical_usd", "0"))
            phys_cdf = Decimal(extra.get("physical_cdf", "0"))
            denoms = extra.get("denominations", {}) or {}
            counted = True
        figs = {}
        for ccy, phys in ((USD, phys_usd), (CDF, phys_cdf)):
            if phys is None:
                probe = _figures(ccy, opening[ccy], moves[ccy], Z)
                phys = max(probe.closing, Z)
            figs[ccy] = _figures(ccy, opening[ccy], moves[ccy], phys)
        gain = session.execute(
            select(func.sum(JournalLine.amount_usd)).where(
                JournalLine.account_id == ids[EXCHANGE], JournalLine.location_id == loc.id, JournalLine.date == date)
        ).scalar()
        summary = core_close.summarize_close(
            figs[USD], figs[CDF], rate, max_shortage_usd=setup.max_shortage_usd,
            max_shortage_cdf=setup.max_shortage_cdf, exchange_gain_usd=-(gain or Z),
        )
        needs_approval = summary.needs_approval
        approved_by = None
        if close_doc is not None and close_doc.approved_by is not None:
            approved_by = session.execute(select(User.name).where(User.id == close_doc.approved_by)).scalar()
        if close_doc is not None and (close_doc.approved or approved_by):
            needs_approval = False  # the day is closed: its shortage was approved when it was closed
        if close_doc is not None:
            voucher = self._posted_voucher(session, close_doc.id)
        else:
            names: dict[str, str] = {}
            voucher = tuple(
                VoucherLine(l.account, names.setdefault(l.account, _account_name(session, l.account)),
                            l.currency.value, l.amount, l.amount_usd)
                for l in close_journal(figs[USD], figs[CDF], rate, setup.shortage_account, cash_usd, cash_cdf)
                + stock_count_journal(counted_stock or ())
            )
        return CloseSummary(
            location_code=loc.code, date=date, status=status, rate=rate, usd=figs[USD], cdf=figs[CDF],
            counted=counted, difference_usd_value=summary.difference_usd_value,
            needs_approval=needs_approval, max_shortage_usd=setup.max_shortage_usd,
            max_shortage_cdf=setup.max_shortage_cdf, exchange_gain_usd=summary.exchange_gain_usd,
            cash_usd_account=cash_usd, cash_cdf_account=cash_cdf,
            rate_needs_approval=rate_off, system_rate=system, stock_count=stock_count,
            inventory=self._inventory(session, loc.id, date), documents=self._documents(session, loc.id, date),
            unpaid_cash_invoices=self._unpaid_cash(session, loc.id, date), voucher=voucher,
            denominations=denoms, open_number=open_doc.number if open_doc else None,
            close_number=close_doc.number if close_doc else None, approved_by=approved_by,
        )

    @staticmethod
    def _moves(session: Session, location_id: int, date: dt.date, accounts: dict[int, Currency]) -> dict[Currency, _Moves]:
        """Net cash movement per document and currency, sorted into the close's categories."""
        rows = session.execute(
            select(JournalVoucher.document_id, JournalVoucher.voucher_type, JournalLine.account_id,
                   func.sum(JournalLine.amount))
            .join(JournalVoucher, JournalLine.voucher_id == JournalVoucher.id)
            .where(JournalLine.location_id == location_id, JournalLine.date == date,
                   col(JournalLine.account_id).in_(list(accounts)))
            .group_by(JournalVoucher.document_id, JournalVoucher.voucher_type, JournalLine.account_id)
        ).all()
        doc_ids = {r[0] for r in rows if r[0] is not None}
        info: dict[int, tuple[str, str, str]] = {}
        if doc_ids:
            src = aliased(Document)
            for did, dtype, subtype, src_sales_type in session.execute(
                select(Document.id, Document.doc_type, Document.subtype, src.sales_type)
                .outerjoin(src, and_(Document.source_id == src.id))
                .where(col(Document.id).in_(doc_ids))
            ).all():
                info[did] = (dtype, subtype or "", src_sales_type or "")
        # net per (document, currency)
        net: dict[tuple, Decimal] = {}
        for did, vtype, acc, total in rows:
            key = (did, vtype, accounts[acc])
            net[key] = net.get(key, Z) + (total or Z)
        out = {USD: _Moves(), CDF: _Moves()}
        for (did, vtype, ccy), amount in net.items():
            if amount == 0:
                continue
            dtype, subtype, src_sales_type = info.get(did, (vtype, "", ""))
            m = out[ccy]
            if dtype == "CL":
                continue
            if dtype == "RC" and subtype == "refund":
                m.cash_returns -= amount
            elif dtype == "RC":
                if src_sales_type == "credit":
                    m.receipts += amount
                else:
                    m.cash_sales += amount
            elif dtype == "RP" and subtype == "payment":
                m.payments -= amount
            elif dtype == "RP" or dtype == "CR":
                m.receipts += amount
            elif dtype == "CP":
                m.payments -= amount
            elif dtype == "CE":
                if amount > 0:
                    m.exchanged_in += amount
                else:
                    m.exchanged_out -= amount
            else:
                m.other_transfers += amount
        return out

    @staticmethod
    def _inventory(session: Session, location_id: int, date: dt.date) -> tuple[StockLine, ...]:
        rows = session.execute(
            select(Item.code, Item.name, Batch.code, StockMove.kind, func.sum(StockMove.qty))
            .join(Item, StockMove.item_id == Item.id).join(Batch, StockMove.batch_id == Batch.id)
            .where(StockMove.location_id == location_id, StockMove.date == date)
            .group_by(Item.code, Item.name, Batch.code, StockMove.kind)
            .order_by(Item.code, Batch.code, StockMove.kind)
        ).all()
        return tuple(StockLine(code, name, batch, kind, qty) for code, name, batch, kind, qty in rows)

    @staticmethod
    def _documents(session: Session, location_id: int, date: dt.date) -> tuple[DocTypeTotal, ...]:
        rows = session.execute(
            select(Document.doc_type, Document.status, func.count(), func.sum(Document.payable_usd),
                   func.sum(Document.net_usd), func.sum(Document.amount_usd))
            .where(Document.location_id == location_id, Document.doc_date == date, Document.status != "draft")
            .group_by(Document.doc_type, Document.status)
        ).all()
        agg: dict[str, list] = {}
        for dtype, status, count, payable, net, amount in rows:
            a = agg.setdefault(dtype, [0, Z, 0])
            if status == "cancelled":
                a[2] += count
                continue
            a[0] += count
            if dtype in _SALES_DOCS:
                a[1] += (payable or Z) if (payable or Z) != 0 else (net or Z)
            else:
                a[1] += amount or Z
        order = list(DOC_TYPES)
        return tuple(
            DocTypeTotal(t, DOC_TYPES.get(t, t), a[0], q2(a[1]), a[2])
            for t, a in sorted(agg.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
        )

    @staticmethod
    def _unpaid_cash(session: Session, location_id: int, date: dt.date) -> tuple[UnpaidInvoice, ...]:
        rows = session.execute(
            select(Document.number, Customer.code, Customer.name, LedgerEntry.currency, LedgerEntry.amount,
                   LedgerEntry.open_amount)
            .join(LedgerEntry, and_(LedgerEntry.document_id == Document.id,
                                    LedgerEntry.voucher_type == Document.doc_type))
            .join(Customer, LedgerEntry.customer_id == Customer.id)
            .where(Document.location_id == location_id, Document.doc_date == date,
                   col(Document.doc_type).in_(("SI", "PI")), Document.sales_type == "cash",
                   Document.status == "posted", LedgerEntry.is_open == True, LedgerEntry.amount > Z)  # noqa: E712
            .order_by(Document.number)
        ).all()
        return tuple(UnpaidInvoice(*r) for r in rows)

    @staticmethod
    def _posted_voucher(session: Session, document_id: int) -> tuple[VoucherLine, ...]:
        rows = session.execute(
            select(Account.code, Account.name, JournalLine.currency, JournalLine.amount, JournalLine.amount_usd)
            .join(JournalVoucher, JournalLine.voucher_id == JournalVoucher.id)
            .join(Account, JournalLine.account_id == Account.id)
            .where(JournalVoucher.document_id == document_id).order_by(JournalLine.id)
        ).all()
        return tuple(VoucherLine(*r) for r in rows)

    # -- shop close --------------------------------------------------------------
    def close_day(self, actor: Actor, *, location: str | None = None, date: dt.date | None = None,
                  physical_usd: Any = None, physical_cdf: Any = None, denominations: Mapping | None = None,
                  approver: str | None = None, approver_pin: str | None = None, remarks: str = "",
                  counts: "list[Mapping[str, Any]] | None" = None, rate: Any = None,
                  cash_ledger_usd: Any = None, cash_ledger_cdf: Any = None) -> PostResult:
        """Close the day. ``counts`` (the Inventory Posting tab): the counted quantity of batches,
        ``[{"item": "PARA500", "batch": "B001", "qty": "497"}]``; each difference to the stock on
        hand moves the batch and posts at the batch's cost, Dr 5100 inventory shrinkage / Cr 1300
        inventory (a surplus the reverse), and any difference needs a manager's approval.

        The header (seed): ``rate`` — Exchange Rate (to CDF), blank for the day's system rate; a rate
        further from it than the Shop Setup tolerance needs a manager's approval — and the Cash
        Ledger (USD) / (CDF), blank for the Shop Setup's. The till reconciled is those ledgers':
        the day's figures are read from them, the shortage/excess posts against them (the CDF
        valued at the rate), and the close keeps all three."""
        actor.require("close_day", "Shop Close")
        phys_usd, phys_cdf, denoms = _physical(physical_usd, physical_cdf, denominations, required=True)
        with self.db.write() as session:
            loc = find_location(session, location, actor)
            setup = setup_info(self.s, session, loc)
            date = date or self._open_date(session, loc) or self.s.today()
            day = require_open(session, loc.id, date)
            broken = chain.verify_day(session, loc.id, date, day.opened_at)
            if broken:
                raise ChainBroken("Shop Close refused: the books show tampering — {broken}. Run 'shopterm db verify'",
                    params={"broken": broken})
            counted = _counted_stock(session, loc.id, counts)
            fig = self._summary(session, loc, date, phys_usd, phys_cdf, denoms, rate=rate,
                                ledgers=(cash_ledger_usd, cash_ledger_cdf), counted_stock=counted)
            adjusting = any(c[3] != 0 for c in counted)
            action = ("shop close shortage" if fig.needs_approval else "shop close exchange rate"
                      if fig.rate_needs_approval else "shop close inventory adjustment")
            approving = self.s.users.approval(session, actor, approver, approver_pin, location_id=loc.id,
                                              action=action) \
                if fig.needs_approval or adjusting or fig.rate_needs_approval \
                else self.s.users.verify_approver(session, approver, approver_pin)
            if fig.rate_needs_approval and approving is None:
                raise rate_approvals(session, self.s, loc.id, date, fig.rate)[0]
            if adjusting and approving is None:
                raise ApprovalRequired("Inventory Posting: the counted stock differs from the stock on hand "
                                      "({differences}): a manager's approval is needed", field="approver",
                                      params={"differences": ", ".join(
                                          f"{item.code} {batch.code} {core_close.difference_words(-diff, qty=True)}"
                                          for item, batch, _q, diff, _c in counted if diff != 0)})
            if fig.needs_approval and approving is None:
                parts = []
                for f, limit in ((fig.usd, setup.max_shortage_usd), (fig.cdf, setup.max_shortage_cdf)):
                    if f.difference > limit:
                        parts.append(_("{difference} {ccy} is above the maximum allowed of {limit} {ccy}").format(
                            difference=format_amount(f.difference), ccy=f.currency.value, limit=format_amount(limit)))
                raise ShortageAboveTolerance("Cash shortage of {shortages}: a manager's approval is needed",
                                             field="approver", params={"shortages": _(" and ").join(parts)})
            journal = close_journal(fig.usd, fig.cdf, fig.rate, setup.shortage_account, fig.cash_usd_account,
                                    fig.cash_cdf_account) + stock_count_journal(counted)
            rows, stock = [], []
            for item, batch, qty, diff, cost in counted:
                if diff == 0:
                    continue
                stock.append(StockSpec(item.id, batch.id, diff, cost, "adjust", len(rows)))
                rows.append(DocumentLine(line_no=len(rows) + 1, item_id=item.id, batch_id=batch.id, unit=item.unit,
                                         qty=qty, unit_cost_usd=cost, extra={"counted": str(qty), "difference": str(diff)}))
            extra = {
                "rate": _s(fig.rate),
                "physical_usd": _s(fig.usd.physical), "physical_cdf": _s(fig.cdf.physical),
                "difference_usd": _s(fig.usd.difference), "difference_cdf": _s(fig.cdf.difference),
                "difference_usd_value": _s(fig.difference_usd_value),
                "exchange_gain_usd": _s(fig.exchange_gain_usd),
                "denominations": denoms,
                "figures": fig.as_dict()["details"],
                "system_rate": _s(fig.system_rate) if fig.system_rate is not None else None,
                "cash_ledger_usd": fig.cash_usd_account, "cash_ledger_cdf": fig.cash_cdf_account,
                "stock_count": [{"item": i.code, "batch": b.code, "on_hand": _s(q - d), "counted": _s(q),
                                 "difference": _s(d),
                                 "value_usd": _s(core_close.count_value(d, c))} for i, b, q, d, c in counted],
            }
            doc = Document(doc_type="CL", location_id=loc.id, doc_date=date, currency="USD", rate=fig.rate,
                           amount=fig.difference_usd_value, amount_usd=fig.difference_usd_value,
                           narration=free_text(remarks, field="remarks"), extra=extra, approved=approving is not None)
            result = self.s.posting.post(session, actor, PostingPlan(
                doc=doc, journal=journal, approver=approving, lines=rows, stock=stock,
                summary=f"shop close {loc.code} {date}: difference {fig.usd.difference} USD, {fig.cdf.difference} CDF"
                        f" at {fig.rate}, cash ledgers {fig.cash_usd_account}/{fig.cash_cdf_account}",
            ))
            before = audit.snapshot(day)
            day.status = "closed"
            day.closed_by = actor.user_id
            day.closed_at = utcnow()
            day.close_document_id = result.document_id
            session.add(day)
            session.flush()
            audit.record(session, actor, "close", "shop_day", day.id, before=before, after=day,
                         summary=f"shop {loc.code} closed for {date} ({result.number})",
                         approver_id=approving.user_id if approving else None)
            return result


def _counted_stock(session: Session, location_id: int, counts: Any) -> list[tuple[Item, Batch, Decimal, Decimal,
                                                                                  Decimal]]:
    """The Inventory Posting tab's counts: (item, batch, counted, counted − on hand, unit cost)."""
    from ..stock import on_hand

    out = []
    seen: set[int] = set()
    for n, c in enumerate(counts or (), start=1):
        code = str(c.get("item") or "").strip().upper()
        item = session.execute(select(Item).where(Item.code == code)).scalar()
        if item is None:
            raise NotFound("Inventory Posting row {n}: item {item} not found", field="counts",
                           params={"n": n, "item": code})
        bcode = str(c.get("batch") or "").strip().upper()
        batch = session.execute(select(Batch).where(Batch.item_id == item.id, Batch.code == bcode)).scalar()
        if batch is None:
            raise NotFound("Inventory Posting row {n}: batch {batch} of {item} not found", field="counts",
                           params={"n": n, "batch": bcode, "item": code})
        if batch.id in seen:
            raise ValidationError("Inventory Posting row {n}: batch {batch} of {item} is counted twice",
                                  field="counts", params={"n": n, "batch": bcode, "item": code})
        seen.add(batch.id)
        try:
            qty = parse_qty(c.get("qty"), field="qty")
        except MoneyError as exc:
            raise ValidationError("Inventory Posting row {n}: {exc}", field="counts",
                                  params={"n": n, "exc": exc}) from None
        if qty < 0:
            raise ValidationError("Inventory Posting row {n}: a counted quantity is not negative", field="counts",
                                  params={"n": n})
        why = check_qty_for_unit(qty, item.unit)
        if why:
            raise ValidationError("Inventory Posting row {n}: {exc}", field="counts", params={"n": n, "exc": why})
        diff = qty - on_hand(session, item.id, location_id, batch.id)
        out.append((item, batch, qty, diff, batch.cost_usd if batch.cost_usd else item.cost_usd))
    return out


def close_journal(usd: core_close.CloseFigures, cdf: core_close.CloseFigures, rate: Decimal,
                  shortage_account: str, cash_usd_account: str, cash_cdf_account: str) -> list[JLine]:
    """The close's cash lines: a shortage Dr shortage ledger / Cr the cash ledger of its currency, an
    excess the reverse; the CDF valued in USD at the close's rate."""
    lines: list[JLine] = []
    for f, cash_account in ((usd, cash_usd_account), (cdf, cash_cdf_account)):
        if f.difference == 0:
            continue
        value = f.difference if f.currency is USD else q2(f.difference / rate)
        memo = nt.CASH_SHORTAGE if f.difference > 0 else nt.CASH_EXCESS
        lines.append(JLine(shortage_account, value, f.currency, f.difference, memo=memo))
        lines.append(JLine(cash_account, -value, f.currency, -f.difference, memo=memo))
    return lines


def stock_count_journal(counted: Any) -> list[JLine]:
    """The Inventory Posting lines: per counted batch that differs, its value at cost — a shortage
    Dr 5100 shrinkage / Cr 1300 inventory, a surplus the reverse."""
    lines: list[JLine] = []
    for item, batch, _qty, diff, cost in counted:
        if diff == 0:
            continue
        value = core_close.count_value(diff, cost)  # a shortage is negative: Cr inventory, Dr shrinkage
        # the memo says it as the Inventory Posting tab does (short / over), in plain digits whatever the language
        memo = nt.stored(nt.STOCK_COUNT_SHORT if diff < 0 else nt.STOCK_COUNT_OVER, item=item.code, batch=batch.code,
                         qty=format(abs(diff).normalize(), "f"))
        lines += [JLine(INVENTORY, value, USD, value, memo=memo), JLine(SHRINKAGE, -value, USD, -value, memo=memo)]
    return lines


def close_rate(services: "Services", session: Session, date: dt.date, rate: Any) -> Decimal:
    """The close's Exchange Rate (to CDF): as typed, or (blank) the day's system rate."""
    if rate is None or (isinstance(rate, str) and not rate.strip()):
        return system_rate_or_fail(services, session, date)
    try:
        return parse_rate(rate, field=N_("Exchange rate (to CDF)"))
    except MoneyError as exc:
        raise ValidationError(str(exc), field="rate") from None


#: The close's cash ledger fields: (currency, field, label).
CASH_LEDGER_FIELDS = ((USD, "cash_ledger_usd", N_("Cash Ledger (USD)")), (CDF, "cash_ledger_cdf", N_("Cash Ledger (CDF)")))


def cash_ledgers(session: Session, setup: "SetupInfo", usd: Any = None, cdf: Any = None) -> tuple[str, str]:
    """The close's Cash Ledger (USD) and (CDF) codes: as typed, or (blank) the Shop Setup's. One typed
    must be an active cash account (an account that holds a currency) of its own currency."""
    out: list[str] = []
    for (ccy, fld, label), typed, default in zip(CASH_LEDGER_FIELDS, (usd, cdf),
                                                 (setup.cash_usd_account, setup.cash_cdf_account)):
        code = str(typed or "").strip()
        if not code or code.upper() == default.upper():
            out.append(default)
            continue
        acct = session.execute(select(Account).where(Account.code == code)).scalars().first() \
            or session.execute(select(Account).where(Account.code == code.upper())).scalars().first()
        if acct is None:
            raise NotFound("{label}: account {code} is not in the chart of accounts (F2 lists the cash accounts)",
                           field=fld, params={"label": _(label), "code": code.upper()})
        if acct.inactive:
            raise InactiveRecord("{label}: account {code} is inactive", field=fld,
                                 params={"label": _(label), "code": acct.code})
        if not acct.currency:
            raise ValidationError("{label}: account {code} {name} is not a cash account (F2 lists the cash accounts)",
                                  field=fld, params={"label": _(label), "code": acct.code, "name": acct.name})
        if acct.currency != ccy.value:
            raise ValidationError("{label}: account {code} holds {currency}, not {wanted}", field=fld,
                                  params={"label": _(label), "code": acct.code, "currency": acct.currency,
                                          "wanted": ccy.value})
        out.append(acct.code)
    return out[0], out[1]


def _posted_counts(session: Session, stored: Any) -> tuple[CountedBatch, ...]:
    """A closed day's Inventory Posting counts, as the close stored them."""
    codes = {str(c.get("item") or "") for c in stored}
    names = dict(session.execute(select(Item.code, Item.name).where(col(Item.code).in_(codes))).all()) if codes else {}
    out = []
    for c in stored:
        counted, diff = Decimal(str(c.get("counted") or "0")), Decimal(str(c.get("difference") or "0"))
        out.append(CountedBatch(str(c.get("item") or ""), names.get(str(c.get("item") or ""), ""),
                                str(c.get("batch") or ""), counted - diff, counted, diff,
                                Decimal(str(c.get("value_usd") or "0"))))
    return tuple(out)


def _account_name(session: Session, code: str) -> str:
    return session.execute(select(Account.name).where(Account.code == code)).scalar() or code


def _physical(physical_usd: Any, physical_cdf: Any, denominations: Mapping | None, *,
              required: bool) -> tuple[Decimal | None, Decimal | None, dict]:
    """Physical cash per currency, typed or counted by denomination (both: they must agree)."""
    denoms_in = dict(denominations or {})
    counts: dict[Currency, dict] = {}
    for key, notes in denoms_in.items():
        try:
            ccy = Currency.parse(key)
        except MoneyError:
            raise ValidationError("Denominations: unknown currency {key!r} (use USD or CDF)",
                                  field="denominations", params={"key": key}) from None
        if not isinstance(notes, Mapping):
            raise ValidationError("Denominations {ccy}: expected note → count", field="denominations",
                params={"ccy": ccy.value})
        counts[ccy] = dict(notes)
    out: dict[Currency, Decimal | None] = {}
    denoms: dict = {}
    for ccy, typed in ((USD, physical_usd), (CDF, physical_cdf)):
        fld = f"physical_{ccy.value.lower()}"
        value = None if typed is None or (isinstance(typed, str) and not typed.strip()) else _money(typed, fld)
        if ccy in counts:
            try:
                counted = core_close.count_denominations(
                    {to_decimal(k, field=N_("denomination")): v for k, v in counts[ccy].items()}, ccy)
            except MoneyError as exc:
                raise ValidationError("Denominations: {exc}", field="denominations", params={"exc": exc}) from None
            denoms[ccy.value] = {format(to_decimal(k), "f"): v for k, v in counts[ccy].items() if v}
            if value is not None and value != counted:
                raise ValidationError(
                    "Physical cash ({ccy}) {amount} does not match the denomination count {counted}", field=fld,
                    params={"ccy": ccy.value, "amount": format_amount(value), "counted": format_amount(counted)})
            value = counted
        if value is None and required:
            raise ValidationError("Physical cash ({ccy}) is required: type it or count it by denomination",
                                  field=fld, params={"ccy": ccy.value})
        out[ccy] = value
    return out[USD], out[CDF], denoms


# ---------------------------------------------------------------- headless


@handler("shop_open")
def _post_shop_open(services: "Services", actor: Actor, doc: dict) -> dict:
    f = Fields(doc, optional=["location", "date", "remarks"], allow_draft=False, allow_approval=False)
    result = services.day.open_day(actor, location=f.str("location"), date=f.date("date"),
                                   remarks=f.str("remarks", "") or "")
    return {"number": result.number, "totals": {}}


def _denominations_of(f: Fields) -> dict | None:
    obj = f.raw("denominations")
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise ValidationError("shop_close: 'denominations' must be an object such as {\"USD\": {\"100\": 1}}",
                              field="denominations")
    out: dict = {}
    for ccy, notes in obj.items():
        if not isinstance(notes, dict):
            raise ValidationError("shop_close: denominations {ccy!r} must be an object of note: count",
                                  field="denominations." + str(ccy), params={"ccy": ccy})
        out[ccy] = {}
        for note, count in notes.items():
            text = str(count) if isinstance(count, (JsonNumber, str)) else None
            if isinstance(count, bool) or text is None or not text.strip().isascii() or not text.strip().isdigit():
                raise ValidationError("shop_close: denominations {ccy} {note}: the count must be a whole number, got {count!r}", field="denominations." + str(ccy) + "." + str(note),
                    params={"ccy": ccy, "note": note, "count": count})
            if len(text.strip()) > 9:
                raise ValidationError("shop_close: denominations {ccy} {note}: {count} notes is too many (at most 999999999)",
                    field="denominations." + str(ccy) + "." + str(note), params={"ccy": ccy, "note": note, "count": text.strip()[:40]})
            out[ccy][note] = int(text)
    return out


@handler("shop_close")
def _post_shop_close(services: "Services", actor: Actor, doc: dict) -> dict:
    f = Fields(doc, optional=["location", "date", "physical_usd", "physical_cdf", "denominations", "remarks",
                              "counts", "rate", "cash_ledger_usd", "cash_ledger_cdf"], allow_draft=False)
    counts = [{"item": cf.str("item"), "batch": cf.str("batch"), "qty": cf.qty("qty")}
              for cf in f.list("counts", required=["item", "batch", "qty"])] if "counts" in doc else None
    result = services.day.close_day(
        actor, location=f.str("location"), date=f.date("date"), physical_usd=f.amount("physical_usd"),
        physical_cdf=f.amount("physical_cdf"), denominations=_denominations_of(f), approver=f.approver,
        approver_pin=f.approver_pin, remarks=f.str("remarks", "") or "", counts=counts, rate=f.rate("rate"),
        cash_ledger_usd=f.str("cash_ledger_usd"), cash_ledger_cdf=f.str("cash_ledger_cdf"),
    )
    with services.db.read() as session:
        extra = session.get(Document, result.document_id).extra
    return {"number": result.number, "totals": {
        "physical_usd": extra["physical_usd"], "physical_cdf": extra["physical_cdf"],
        "closing_usd": extra["figures"]["USD"]["closing"], "closing_cdf": extra["figures"]["CDF"]["closing"],
        "difference_usd": extra["difference_usd"], "difference_cdf": extra["difference_cdf"],
        "rate": extra["rate"], "cash_ledger_usd": extra["cash_ledger_usd"], "cash_ledger_cdf": extra["cash_ledger_cdf"],
    }}


__all__ = [
    "CloseSummary",
    "CountedBatch",
    "DayService",
    "DocTypeTotal",
    "StockLine",
    "UnpaidInvoice",
    "VoucherLine",
    "cash_held",
    "cash_ledgers",
    "close_journal",
    "close_rate",
    "find_location",
    "require_open",
    "setup_info",
    "stock_count_journal",
]
