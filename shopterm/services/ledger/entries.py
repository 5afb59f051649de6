"""The customer ledger: statements, balances, matching, payments on account (DESIGN §8).

:class:`LedgerService` is what the screens and the CLI call. Reading needs the
"ledgers" permission (managers and admins); matching and unmatching need
"match"; recording a payment on account needs "receive" (a cashier takes the
money at the till).

The matching primitives are free functions in :mod:`.ledger_match`, re-exported
here, so other services call them inside their own transaction::

    from shopterm.services.ledger.entries import apply_credit, match_entries, settle_oldest, unmatch

    match_entries(session, actor, customer_id, [(invoice_entry, None), (receipt_entry, Decimal("30"))], date, "auto")
    apply_credit(session, customer_id, invoice_entry_id, actor=actor)   # after posting an invoice
    settle_oldest(session, actor, customer_id, credit_entry_id, date)   # a credit on the oldest debits
    unmatch(session, actor, match_id, date)

Matches are written by :func:`shopterm.services.cash.till.apply_match` (explicit
amounts in both currencies); :func:`match_entries` works out those amounts from
the rules (partial matches, oldest first) and calls it.

The reports are plain data from :mod:`.ledger_reports`; :mod:`.reports` renders
them as a Rich table, JSON, CSV, XLSX or PDF.

Payment on account (``record_payment``, document type CR): Dr cash (the
location's USD or CDF cash ledger) for a cash payment, Dr 1150 Bank/mobile
money for mobile, bank and cheque payments; Cr 1200 receivable for the
customer. The payment then settles the customer's oldest open debits (due
date, then date), each in the invoice's own currency (a payment in the other
currency converted at the payment's rate): 90,000 CDF against a 250,000 CDF
invoice leaves exactly 160,000.00 CDF open. The receivable is credited with
the invoices' booked USD of what it settles plus the rest at the payment's
rate; the difference to the cash received is the exchange gain/loss, on 4200
in the same voucher. What is left stays a credit (a negative open item) that
:func:`apply_credit` uses on the next invoice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlmodel import Session

from shopterm.core import narration as nt
from shopterm.core.i18n import N_
from ...core.journal import BANK_CLEARING, RECEIVABLE, credit, debit
from ...core.money import Currency, MoneyError, parse_amount, parse_rate, q2, q_rate, to_usd
from ...store.models import Customer, CustomerLocation, Document, LedgerEntry, Location, Match, MatchLine
from . import reports as R
from .reading import Letterhead, LedgerReads  # noqa: F401 (Letterhead re-exported)
from ..context import Actor
from ..errors import InactiveRecord, NotFound, ValidationError
from .matching import (
    Allocation,
    MatchedLine,
    MatchResult,
    active_match_ids,
    apply_credit,
    match_entries,
    customer_balance,
    earliest_match_date,
    plan_payment,
    settle_oldest,
    unmatch,
    write_payment_match,
)
from .reports import (
    AccountRegister,
    AgeingReport,
    BalancesReport,
    GeneralLedgerReport,
    LedgerRow,
    OpenItemsReport,
    Page,
    StatementReport,
    TrialBalanceReport,
    type_label,
)
from ...core.text import REFERENCE_MAX
from ...core.payments import ON_ACCOUNT
from ..masters.base import find_location, free_text, resolve_customer
from ..documents.approvals import approve_rate

if TYPE_CHECKING:
    from .. import Services

PAYMENT_METHODS = ("cash", "mobile", "bank", "cheque")
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class PaymentResult:
    document_id: int
    number: str
    entry_id: int
    customer_code: str
    currency: str
    amount: Decimal
    amount_usd: Decimal
    settled: tuple[MatchedLine, ...]  # the debits it settled (oldest first)
    settled_usd: Decimal
    unapplied_usd: Decimal  # left as a credit on the customer's account (at the payment's rate)
    match_id: int | None
    exchange_usd: Decimal = Decimal("0.00")  # on 4200 in the payment's voucher: + a gain, − a loss


@dataclass(frozen=True, slots=True)
class MatchInfo:
    """A match as history shows it."""

    match_id: int
    customer_code: str
    date: dt.date
    kind: str
    created_by: int | None
    created_at: dt.datetime
    unmatched_on: dt.date | None
    lines: tuple[tuple[int, str, Decimal], ...]  # (entry id, number, amount_usd)


class LedgerService(LedgerReads):
    """The customer ledger: its reports (:class:`~shopterm.services.ledger.reading.LedgerReads`, Core only)
    and the writes (payments, matches)."""

    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    # ------------------------------------------------------------ statement rows
    def entries(self, actor: Actor, customer: int | str, *, date_from: dt.date | None = None,
                date_to: dt.date | None = None, voucher_types: Sequence[str] | None = None, open_only: bool = False,
                changed_since: dt.datetime | None = None, search: str | None = None, partly_settled: bool = False,
                after_key: R.Key | None = None, before_key: R.Key | None = None, limit: int = 100) -> Page:
        """One page of a customer's ledger in (date, id) order, with running balance.

        ``after_key`` (the previous page's ``next_key``) pages forward,
        ``before_key`` (a page's ``prev_key``) pages back. ``opening_balance`` is
        the customer's balance before the page's first row, an indexed SUM.
        """
        actor.require("ledgers", "Viewing customer ledgers")
        vts = R.check_voucher_types(voucher_types)
        with self.db.read() as session:
            c = resolve_customer(session, customer)
            return R.ledger_page(session, c.id, date_from=date_from, date_to=date_to, voucher_types=vts,
                                 open_only=open_only, changed_since=changed_since, search=search,
                                 partly_settled=partly_settled, after_key=after_key, before_key=before_key,
                                 limit=limit)

    def balance(self, actor: Actor, customer: int | str, at: dt.date | None = None) -> Decimal:
        """The customer's USD balance (entries dated ≤ ``at``; all without it)."""
        actor.require("ledgers", "Viewing customer ledgers")
        with self.db.read() as session:
            return customer_balance(session, resolve_customer(session, customer).id, at)

    def entry(self, actor: Actor, entry_id: int) -> LedgerRow:
        actor.require("ledgers", "Viewing customer ledgers")
        with self.db.read() as session:
            r = session.execute(R.entry_select().where(R.LE.c.id == entry_id)).first()
            if r is None:
                raise NotFound("Ledger entry {entry_id} not found", field="entry", params={"entry_id": entry_id})
            bal = R.sum_before(session, r.customer_id, (r.doc_date, r.id), inclusive=True)
            return R.row_of(r, bal, active_match_ids(session, [r.id]).get(r.id, ()))

    def match_info(self, actor: Actor, match_id: int) -> MatchInfo:
        actor.require("ledgers", "Viewing customer ledgers")
        with self.db.read() as session:
            m = session.get(Match, match_id)
            if m is None:
                raise NotFound("Match {match_id} not found", field="match", params={"match_id": match_id})
            lines = session.execute(
                select(MatchLine.entry_id, LedgerEntry.number, MatchLine.amount_usd)
                .join(LedgerEntry, LedgerEntry.id == MatchLine.entry_id)
                .where(MatchLine.match_id == match_id).order_by(MatchLine.id)
            ).all()
            code = session.get(Customer, m.customer_id).code
            return MatchInfo(m.id, code, m.date, m.kind, m.created_by, m.created_at, m.unmatched_on,
                             tuple((a, b, c) for a, b, c in lines))

    # ------------------------------------------------------------ matching
    def match(self, actor: Actor, customer: int | str, entries: Iterable[Allocation | int],
              date: dt.date | None = None) -> MatchResult:
        """Match a customer's entries by hand: ``[(entry_id, amount_usd or None), …]`` (rules: :mod:`.ledger_match`)."""
        actor.require("match", "Matching ledger entries")
        allocs = [(e, None) if isinstance(e, int) else (int(e[0]), e[1]) for e in entries]
        with self.db.write() as session:
            c = resolve_customer(session, customer)
            return match_entries(session, actor, c.id, allocs, date or self.s.today(), "manual")

    def unmatch(self, actor: Actor, match_id: int, date: dt.date | None = None) -> MatchResult:
        """Undo a match (a manager's action): the entries' open balances come back; the match stays in history."""
        actor.require("match", "Unmatching ledger entries")
        with self.db.write() as session:
            return unmatch(session, actor, match_id, date or self.s.today())

    # ------------------------------------------------------------ payment on account
    def record_payment(self, actor: Actor, *, customer: int | str, amount: Decimal | str,
                       location: str | None = None, date: dt.date | None = None, currency: str | Currency = "USD",
                       rate: Decimal | str | None = None, method: str = "cash", reference: str = "",
                       narration: str = "", approver: str | None = None,
                       approver_pin: str | None = None) -> PaymentResult:
        """A payment on account (CR): into cash or the bank/mobile clearing account, off the receivable,
        then settling the customer's oldest open invoices first."""
        actor.require("receive", "Recording a customer payment")
        method = (method or "").strip().lower()
        if method not in PAYMENT_METHODS:
            raise ValidationError("Payment method: one of {payment_methods} (got {method!r})",
                                  field="method",
                params={"payment_methods": ', '.join(PAYMENT_METHODS), "method": method})
        try:
            ccy = Currency.parse(currency)
        except MoneyError:
            raise ValidationError("Currency: USD or CDF (got {currency!r})", field="currency",
                params={"currency": currency}) from None
        try:
            value = q2(parse_amount(amount, field=N_("amount")))
        except MoneyError as exc:
            raise ValidationError(str(exc), field="amount") from None
        if value <= 0:
            raise ValidationError("amount: must be greater than zero", field="amount")
        the_rate = None
        if rate is not None and str(rate).strip() != "":
            try:
                the_rate = q_rate(parse_rate(rate, field=N_("rate")))
            except MoneyError as exc:
                raise ValidationError(str(exc), field="rate") from None
        day = date or self.s.today()
        from ..cash.day import check_open, find_location, setup_info, system_rate_or_fail

        with self.db.write() as session:
            loc = find_location(session, location, actor)
            info = setup_info(self.s, session, loc)
            check_open(session, loc.id, day)
            c = resolve_customer(session, customer)
            self._check_customer(session, c, loc)
            approving = None
            if the_rate is None:
                the_rate = system_rate_or_fail(self.s, session, day)
            else:
                approving = approve_rate(self.s, session, actor, loc.id, day, the_rate, approver, approver_pin)
            if approving is None and approver:
                approving = self.s.users.verify_approver(session, approver, approver_pin, "payment on account")
            usd = to_usd(value, ccy, the_rate)
            if usd <= 0:
                raise ValidationError("amount: {value} {ccy} is less than one US cent", field="amount",
                    params={"value": value, "ccy": ccy.value})
            if method == "cash":
                account = info.cash_usd_account if ccy is Currency.USD else info.cash_cdf_account
            else:
                account = BANK_CLEARING
            # what it settles, planned before the voucher so the exchange difference is in it (DESIGN §8)
            plan = plan_payment(session, c.id, ccy, value, usd, the_rate, day)
            memo = nt.stored(nt.PAYMENT_ON_ACCOUNT, method=method)
            journal = [
                debit(account, usd, ccy, value, memo=memo),
                credit(RECEIVABLE, usd, ccy, value, customer_id=c.id, memo=memo),
            ]
            journal += plan.exchange_lines(c.id)  # the invoices booked more (a loss) or less (a gain)
            doc = Document(doc_type="CR", location_id=loc.id, doc_date=day, customer_id=c.id, currency=ccy.value,
                           rate=the_rate, subtype=method, amount=value, amount_usd=usd,
                           narration=free_text(narration, field="narration"), extra={"method": method, "reference": reference})
            from ..documents.posting import PostingPlan

            result = self.s.posting.post(session, actor, PostingPlan(
                doc=doc, journal=journal, approver=approving, reference=free_text(reference, field="reference", max_len=REFERENCE_MAX, default=ON_ACCOUNT), method=method,
                summary=f"payment on account from {c.code}: {value} {ccy.value} ({method})"))
            entry_id = result.ledger_entry_ids[0]
            m = write_payment_match(session, actor, c.id, result.ledger_entry_ids, plan, day)
            settled = tuple(l for l in m.lines if l.entry_id not in result.ledger_entry_ids) if m else ()
            return PaymentResult(result.document_id, result.number, entry_id, c.code, ccy.value, value, usd, settled,
                                 plan.others_usd, usd - plan.used_usd, m.match_id if m else None,
                                 -plan.exchange_usd)

    @staticmethod
    def _check_customer(session: Session, c: Customer, loc: Location) -> None:
        if c.inactive:
            raise InactiveRecord("Customer {code} is inactive", field="customer", params={"code": c.code})
        if c.kind == "cash":
            raise ValidationError("{code} {name} is a cash customer: payments on account are for credit customers",
                                  field="customer", params={"code": c.code, "name": c.name})
        assigned = session.execute(select(CustomerLocation.location_id).where(CustomerLocation.customer_id == c.id)).all()
        if assigned and loc.id not in {a[0] for a in assigned}:
            raise ValidationError("Customer {code} is not assigned to location {loc_code}", field="customer",
                params={"code": c.code, "loc_code": loc.code})

    # ------------------------------------------------------------ reports


# ---------------------------------------------------------------- headless (DESIGN §11)

from ..headless import Fields, handler  # noqa: E402


@handler("customer_payment")
def _post_customer_payment(services: "Services", actor: Actor, doc: dict) -> dict:
    f = Fields(doc, required=["customer", "amount"],
               optional=["location", "date", "currency", "rate", "method", "reference", "narration"],
               allow_draft=False)
    result = services.ledger.record_payment(
        actor, customer=f.str("customer"), amount=f.amount("amount"), location=f.str("location"),
        date=f.date("date"), currency=f.currency("currency", Currency.USD), rate=f.rate("rate"),
        method=f.choice("method", PAYMENT_METHODS, "cash"), reference=f.str("reference", ""),
        narration=f.str("narration", ""), approver=f.approver, approver_pin=f.approver_pin)
    return {"number": result.number,
            "totals": {"amount": result.amount, "currency": result.currency, "amount_usd": result.amount_usd,
                       "settled_usd": result.settled_usd, "unapplied_usd": result.unapplied_usd,
                       "exchange_usd": result.exchange_usd},
            "match_id": result.match_id,
            "settled": [{"number": l.number, "amount_usd": l.amount_usd} for l in result.settled]}


def _entry_ref(services: "Services", session: Session, customer_id: int, f: Fields) -> int:
    if "entry" in f:
        return f.int("entry", minimum=1)
    number = f.str("number")
    if not number:
        raise ValidationError("{where}: give 'entry' (a ledger entry id) or 'number' (a document number)",
                              field=f.path, params={"where": f.where})
    ids = session.execute(select(LedgerEntry.id).where(LedgerEntry.customer_id == customer_id,
                                                       LedgerEntry.number == number.upper())).scalars().all()
    if not ids:
        raise NotFound("{where}: no ledger entry {number} for this customer", field=f.path + ".number",
            params={"where": f.where, "number": number})
    if len(ids) > 1:
        raise ValidationError("{where}: {number} has {count} ledger entries; give 'entry' (one of {entries})", field=f.path + ".number",
            params={"where": f.where, "number": number, "count": len(ids), "entries": ', '.join(map(str, ids))})
    return ids[0]


@handler("match")
def _post_match(services: "Services", actor: Actor, doc: dict) -> dict:
    f = Fields(doc, required=["customer", "entries"], optional=["date"], allow_draft=False, allow_approval=False)
    lines = f.list("entries", optional=["entry", "number", "amount_usd"], min_items=2)
    with services.db.read() as session:
        c = resolve_customer(session, f.str("customer"))
        code = c.code
        allocs = [(_entry_ref(services, session, c.id, lf), lf.amount("amount_usd")) for lf in lines]
    result = services.ledger.match(actor, code, allocs, f.date("date"))
    return {"number": None, "match_id": result.match_id, "totals": {"amount_usd": result.total_usd},
            "lines": [{"number": l.number, "amount_usd": l.amount_usd, "open_usd": l.open_usd_after}
                      for l in result.lines]}


@handler("unmatch")
def _post_unmatch(services: "Services", actor: Actor, doc: dict) -> dict:
    f = Fields(doc, required=["match"], optional=["date"], allow_draft=False, allow_approval=False)
    result = services.ledger.unmatch(actor, f.int("match", minimum=1), f.date("date"))
    return {"number": None, "match_id": result.match_id, "totals": {"amount_usd": result.total_usd},
            "unmatched_on": result.unmatched_on}


__all__ = [
    "Allocation",
    "LedgerService",
    "Letterhead",
    "MatchInfo",
    "MatchResult",
    "MatchedLine",
    "PAYMENT_METHODS",
    "PaymentResult",
    "active_match_ids",
    "apply_credit",
    "match_entries",
    "customer_balance",
    "earliest_match_date",
    "resolve_customer",
    "settle_oldest",
    "type_label",
    "unmatch",
]
