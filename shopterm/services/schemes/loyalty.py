"""Loyalty points inside documents (DESIGN §9, seed: Loyalty Card master, Provisional
Invoice footer, Sales Return "Total Loyalty Points").

Points live in ``loyalty_transaction`` rows, signed, one kind each:

==========  ====  ==============================================================
``earn``     +    a sales or provisional invoice of a customer holding an active
                  card: ``floor(net USD / sales amount per point)``, the amount
                  per point of the card row for the customer's price category
                  (no row for that category: nothing earned)
``redeem``   −    points used on an invoice: their value, ``points × value per
                  point`` (USD), comes off the payable and is posted Dr 6300
``reverse``  −    points taken back: a return, those the net left no longer earns
                  (cumulative over the invoice's returns, so partial returns add
                  up to the point), a direct return, a cancelled invoice's earn
``restore``  +    redeemed points given back when the invoice that used them is
                  cancelled
==========  ====  ==============================================================

Points held = Σ points. A redemption may use at most the points held and only
when the card's frequency (days) has passed since the last redemption that
still stands (:func:`core.loyalty.check_redemption`).

The session helpers here are called by the sales build (earn/redeem on SI/PI),
the returns and the provisional-invoice cancellation; :class:`LoyaltyService`
(``services.loyalty``) answers the screens: points held, status, history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import bindparam, func, insert, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ...core import loyalty as core_loyalty
from ...core.errors import LoyaltyError
from ...core.money import MoneyError
from ...store.db import Prepared
from ...store.master_cache import MasterRead
from ...store.models import Customer, Document, LoyaltyCard, LoyaltyCardCategory, LoyaltyTransaction
from ..errors import ShopError, ValidationError
from ..documents.posting import LoyaltySpec, utcnow
from ..masters.base import resolve_customer

if TYPE_CHECKING:
    from .. import Services

Z = Decimal("0.00")
#: documents that earn and may redeem points
EARNING_TYPES = ("SI", "PI")
KINDS = ("earn", "redeem", "reverse", "restore")


@dataclass(frozen=True, slots=True)
class CardTerms:
    card_id: int
    name: str
    amount_per_point: Decimal | None  # USD of sales per point for the customer's price category; None: earns nothing
    value_per_point: Decimal  # USD per point redeemed
    frequency_days: int


@dataclass(frozen=True, slots=True)
class LoyaltyCalc:
    """A document's loyalty footer: Total Loyalty Points, Redemption points, Value/Points, Redemption Value."""

    card: str | None
    points_held: int  # before this document
    amount_per_point: Decimal | None
    value_per_point: Decimal
    frequency_days: int
    last_redemption: dt.date | None
    next_redemption: dt.date | None  # first date a redemption is allowed (None: any date)
    redemption_points: int = 0
    redemption_value: Decimal = Z  # USD
    points_earned: int = 0

    @property
    def points_after(self) -> int:
        return self.points_held - self.redemption_points + self.points_earned


NO_CARD = LoyaltyCalc(None, 0, None, Z, 0, None, None)


@dataclass(frozen=True, slots=True)
class LoyaltyStatus:
    customer: str
    card: str | None
    points: int
    value_usd: Decimal  # points × value per point (0 when negative or no card)
    amount_per_point: Decimal | None
    value_per_point: Decimal
    frequency_days: int
    last_redemption: dt.date | None
    next_redemption: dt.date | None


@dataclass(frozen=True, slots=True)
class LoyaltyEntry:
    date: dt.date
    kind: str
    points: int
    value_usd: Decimal
    doc_type: str | None
    number: str | None
    balance: int  # points held after this row (history is oldest first)


# ---------------------------------------------------------------- session helpers


def card_terms(session: Session, customer: Customer | None) -> CardTerms | None:
    """The customer's active loyalty card and its terms: the rule of the customer's Customer Category,
    else the rule of its price category."""
    if customer is None or not customer.loyalty_card_id:
        return None
    card = _CARD_TERMS.first_named(session, {"card": customer.loyalty_card_id})
    if card is None or card.inactive:
        return None
    per = None
    if customer.category_id is not None:  # the rule of the customer's Customer Category first (seed)
        per = _PER_POINT_OF_CATEGORY.scalar(session, {"card": card.id, "category": customer.category_id})
    if per is None:  # else the rule of its price category
        per = _PER_POINT_OF_PRICE_CATEGORY.scalar(session, {"card": card.id, "price_category": customer.price_category})
    return CardTerms(card.id, card.name, per if per is not None and per > 0 else None, card.value_per_point_usd,
                     int(card.redemption_frequency_days or 0))


def points_held(session: Session, customer_id: int) -> int:
    value = _POINTS_HELD.scalar(session, {"customer": customer_id})
    return int(value or 0)


def last_redemption(session: Session, customer_id: int) -> dt.date | None:
    """The date of the customer's last redemption that still stands (its document not cancelled)."""
    return _LAST_REDEMPTION.scalar(session, {"customer": customer_id})


# read on every sale to a customer: compiled once (store.db.Prepared), each call binds its ids
_LCC = LoyaltyCardCategory
_LC = LoyaltyCard.__table__
_CARD_TERMS = MasterRead(sa_select(_LC.c.id, _LC.c.name, _LC.c.inactive, _LC.c.value_per_point_usd,
                                 _LC.c.redemption_frequency_days).where(_LC.c.id == bindparam("card")))
_PER_POINT_OF_CATEGORY = MasterRead(select(_LCC.sales_amount_per_point).where(
    _LCC.card_id == bindparam("card"), _LCC.customer_category_id == bindparam("category")))
_PER_POINT_OF_PRICE_CATEGORY = MasterRead(select(_LCC.sales_amount_per_point).where(
    _LCC.card_id == bindparam("card"), col(_LCC.customer_category_id).is_(None),
    _LCC.price_category == bindparam("price_category")))
_POINTS_HELD = Prepared(sa_select(func.sum(LoyaltyTransaction.points))
                        .where(LoyaltyTransaction.customer_id == bindparam("customer")))
_LAST_REDEMPTION = Prepared(
    sa_select(func.max(LoyaltyTransaction.date)).select_from(LoyaltyTransaction)
    .outerjoin(Document, Document.id == LoyaltyTransaction.document_id)
    .where(LoyaltyTransaction.customer_id == bindparam("customer"), LoyaltyTransaction.kind == "redeem",
           or_(col(LoyaltyTransaction.document_id).is_(None), Document.status != "cancelled"))
)


def _points_of(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        raise ValidationError("Redemption points: a whole number of points", field="redemption_points")
    if isinstance(value, int):
        points = value
    elif isinstance(value, Decimal) and value == value.to_integral_value():
        points = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        points = int(value.strip())
    else:
        raise ValidationError("Redemption points: a whole number of points, not {value!r}",
                              field="redemption_points", params={"value": value})
    if points < 0:
        raise ValidationError("Redemption points must not be negative", field="redemption_points")
    return points


def redemption_for(session: Session, customer: Customer | None, points: Any, date: dt.date, doc_type: str,
                   rule: Callable[[ShopError], None]) -> LoyaltyCalc:
    """The loyalty footer before the totals: the card, points held and the redemption asked for.

    A broken redemption rule goes through ``rule`` (raised when posting, a warning in a
    preview, where the redemption is then left out of the totals).
    """
    asked = _points_of(points)
    if customer is None:
        if asked:
            rule(ValidationError("Redemption points: choose the customer first", field="redemption_points"))
        return NO_CARD
    terms = card_terms(session, customer)
    held = points_held(session, customer.id)
    if terms is None:
        if asked:
            rule(ValidationError("Redemption points: {code} has no loyalty card",
                                 field="redemption_points", params={"code": customer.code}))
        return replace(NO_CARD, points_held=held)
    last = last_redemption(session, customer.id)
    calc = LoyaltyCalc(terms.name, held, terms.amount_per_point, terms.value_per_point, terms.frequency_days, last,
                       core_loyalty.next_redemption_date(last, terms.frequency_days))
    if not asked:
        return calc
    if doc_type not in EARNING_TYPES:
        rule(ValidationError("Redemption points: points are redeemed on a sales or provisional invoice",
                             field="redemption_points"))
        return calc
    try:
        core_loyalty.check_redemption(asked, max(held, 0), last, date, terms.frequency_days)
        value = core_loyalty.redemption_value(asked, terms.value_per_point)
    except (LoyaltyError, MoneyError) as exc:
        rule(ValidationError("Redemption points: {exc}", field="redemption_points", params={"exc": exc}))
        return calc
    return replace(calc, redemption_points=asked, redemption_value=value)


def with_earned(calc: LoyaltyCalc, net_usd: Decimal, doc_type: str) -> LoyaltyCalc:
    """The points the document earns on its net USD (SI and PI of a customer with a card)."""
    if calc.card is None or calc.amount_per_point is None or doc_type not in EARNING_TYPES or net_usd <= 0:
        return calc
    return replace(calc, points_earned=core_loyalty.points_earned(net_usd, calc.amount_per_point))


def loyalty_specs(calc: LoyaltyCalc | None, customer_id: int | None) -> list[LoyaltySpec]:
    """The rows an invoice posts: its earn (+) and its redemption (−)."""
    if calc is None or customer_id is None:
        return []
    out = []
    if calc.points_earned:
        out.append(LoyaltySpec(customer_id, "earn", calc.points_earned))
    if calc.redemption_points:
        out.append(LoyaltySpec(customer_id, "redeem", -calc.redemption_points, calc.redemption_value))
    return out


def reversed_on_return(session: Session, original: Document, returned_net_usd: Decimal) -> int:
    """Points a new return of ``returned_net_usd`` takes back from ``original`` (an SI or PI).

    Cumulative: the points reversed by all the original's returns, this one included, are what
    the invoice no longer earns, ``earned − points_kept(earned, invoice net − Σ returned net)`` at
    the customer's card terms when they still give the invoice its points (else in proportion,
    ``points_reversed``); this return takes what its predecessors have not.
    """
    earned = int(original.loyalty_points or 0)
    if earned <= 0 or returned_net_usd <= 0 or original.net_usd <= 0:
        return 0
    prev_net, prev_points = session.execute(
        sa_select(func.sum(Document.net_usd), func.sum(Document.loyalty_points))
        .where(Document.source_id == original.id, Document.doc_type == "SR", Document.status == "posted")
    ).one()
    prev_net = prev_net or Z
    prev_points = int(prev_points or 0)
    returned = min(prev_net + returned_net_usd, original.net_usd)
    terms = card_terms(session, session.get(Customer, original.customer_id)) if original.customer_id else None
    per_point = terms.amount_per_point if terms is not None else None
    if per_point is not None and core_loyalty.points_earned(original.net_usd, per_point) == earned:
        total = earned - core_loyalty.points_kept(earned, original.net_usd - returned, per_point)
    else:  # the card's terms changed since the invoice: in proportion
        total = core_loyalty.points_reversed(earned, returned, original.net_usd)
    return max(total - prev_points, 0)


def write_rows(session: Session, document: Document, specs: list[LoyaltySpec], date: dt.date) -> None:
    """Loyalty rows for an already-posted document (cancellation), inside the caller's transaction."""
    rows = [dict(customer_id=s.customer_id, document_id=document.id, date=date, kind=s.kind, points=s.points,
                 value_usd=s.value_usd, created_at=utcnow()) for s in specs if s.points]
    if rows:
        session.execute(insert(LoyaltyTransaction.__table__), rows)


def cancellation_specs(session: Session, document: Document) -> list[LoyaltySpec]:
    """What cancelling ``document`` gives back: its earn reversed, its redemption restored."""
    rows = session.execute(
        sa_select(LoyaltyTransaction.customer_id, LoyaltyTransaction.kind, LoyaltyTransaction.points,
                  LoyaltyTransaction.value_usd).where(LoyaltyTransaction.document_id == document.id)
    ).all()
    out = []
    for customer_id, kind, points, value in rows:
        if kind == "earn":
            out.append(LoyaltySpec(customer_id, "reverse", -points))
        elif kind == "redeem":
            out.append(LoyaltySpec(customer_id, "restore", -points, value))
    return out


# ---------------------------------------------------------------- the service


class LoyaltyService:
    """``services.loyalty``: a customer's points, card terms and history."""

    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    def points(self, customer: int | str) -> int:
        """Points held now (Σ of the customer's loyalty rows)."""
        with self.db.read() as session:
            return points_held(session, resolve_customer(session, customer).id)

    def status(self, customer: int | str, on: dt.date | None = None) -> LoyaltyStatus:
        """"Loyaltycard" and "Available Points" of the screens, with the card's terms."""
        with self.db.read() as session:
            c = resolve_customer(session, customer)
            held = points_held(session, c.id)
            terms = card_terms(session, c)
            if terms is None:
                return LoyaltyStatus(c.code, None, held, Z, None, Z, 0, None, None)
            last = last_redemption(session, c.id)
            value = core_loyalty.redemption_value(held, terms.value_per_point) if held > 0 else Z
            return LoyaltyStatus(c.code, terms.name, held, value, terms.amount_per_point, terms.value_per_point,
                                 terms.frequency_days, last,
                                 core_loyalty.next_redemption_date(last, terms.frequency_days))

    def history(self, customer: int | str, *, limit: int = 100, offset: int = 0) -> list[LoyaltyEntry]:
        """The customer's loyalty rows, oldest first, with the running balance."""
        limit = max(1, min(int(limit), 1000))
        offset = max(0, int(offset))
        lt = LoyaltyTransaction
        with self.db.read() as session:
            c = resolve_customer(session, customer)
            rows = session.execute(
                sa_select(lt.id, lt.date, lt.kind, lt.points, lt.value_usd, Document.doc_type, Document.number)
                .select_from(lt).outerjoin(Document, Document.id == lt.document_id)
                .where(lt.customer_id == c.id).order_by(lt.date, lt.id).limit(limit).offset(offset)
            ).all()
            if not rows:
                return []
            first_id, first_date = rows[0][0], rows[0][1]
            before = session.execute(
                sa_select(func.sum(lt.points)).where(
                    lt.customer_id == c.id,
                    or_(lt.date < first_date, (lt.date == first_date) & (lt.id < first_id)))
            ).scalar()
            balance = int(before or 0)
            out = []
            for _id, date, kind, points, value, doc_type, number in rows:
                balance += points
                out.append(LoyaltyEntry(date, kind, points, value, doc_type, number, balance))
            return out


__all__ = [
    "CardTerms",
    "EARNING_TYPES",
    "LoyaltyCalc",
    "LoyaltyEntry",
    "LoyaltyService",
    "LoyaltyStatus",
    "NO_CARD",
    "card_terms",
    "cancellation_specs",
    "last_redemption",
    "loyalty_specs",
    "points_held",
    "redemption_for",
    "reversed_on_return",
    "with_earned",
    "write_rows",
]
