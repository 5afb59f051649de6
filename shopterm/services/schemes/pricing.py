"""Prices, discount slabs and promotions as in force on a date (DESIGN §4, §9).

Session helpers for the posting services and the item grid:

- :func:`list_price` / :func:`price_for` — the price list row for an item at a
  location (latest ``effective_from`` ≤ date); the customer's price category
  picks the retail or wholesale column. With no row in the document currency,
  the other currency's price is converted at the document rate.
- :func:`slab_pct` — the active discount slab for the location (latest
  ``doc_date`` ≤ date) applied to a USD subtotal (``core.slabs``).
- :func:`promotion_for` — the active promotion scheme of an item at a location.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from ...core.money import Currency
from ...core.promotions import PromoRange
from ...core.promotions import free_qty as _free_qty
from ...core.slabs import SlabRange
from ...core.slabs import slab_pct as _slab_pct
from ...core.totals import default_price
from ...store.master_cache import MasterRead
from ...store.models import (
    Account,
    CostCentre,
    DiscountSlab,
    DiscountSlabLocation,
    DiscountSlabRange,
    Price,
    Promotion,
    PromotionLocation,
    PromotionRange,
)

PRICE_CATEGORIES = ("retail", "wholesale")


@dataclass(frozen=True, slots=True)
class ListPrice:
    """A price-list price before conversion: the amount and the currency it is kept in."""

    price: Decimal
    currency: Currency
    effective_from: dt.date


@dataclass(frozen=True, slots=True)
class PromotionInfo:
    promotion_id: int
    scheme_no: str
    reason: str
    ranges: tuple[PromoRange, ...]
    expense_account: str | None  # account code; None: the default promotion account
    cost_centre: str | None

    def free_qty(self, qty: Decimal) -> Decimal:
        return _free_qty(self.ranges, qty)


def _row(session: Session, item_id: int, location_id: int, currency: str, on: dt.date) -> Price | None:
    return session.exec(
        select(Price)
        .where(Price.item_id == item_id, Price.location_id == location_id, Price.currency == currency,
               Price.effective_from <= on)
        .order_by(col(Price.effective_from).desc())
        .limit(1)
    ).first()


def _pick(row: Price, price_category: str) -> Decimal | None:
    """The category's column; a zero wholesale price means "not set" and falls back to retail."""
    value = row.wholesale_price if price_category == "wholesale" else row.retail_price
    if not value:
        value = row.retail_price
    return value if value else None


def list_price(session: Session, item_id: int, location_id: int, currency: Currency | str, price_category: str,
               on: dt.date) -> ListPrice | None:
    """The price-list price in ``currency`` if there is one, else in the other currency (unconverted)."""
    ccy = Currency.parse(currency)
    for c in (ccy, ccy.other):
        row = _row(session, item_id, location_id, c.value, on)
        if row is not None:
            value = _pick(row, price_category)
            if value is not None:
                return ListPrice(value, c, row.effective_from)
    return None


def price_for(session: Session, item_id: int, location_id: int, currency: Currency | str, price_category: str,
              on: dt.date, rate: Decimal | None = None, additional_pct: Decimal = Decimal(0)) -> Decimal | None:
    """The default unit price in the document currency (DESIGN §4.1), or ``None`` when none is set.

    A price kept only in the other currency is converted at ``rate`` (needed then;
    without it the result is ``None``). ``additional_pct`` loads the price.
    """
    ccy = Currency.parse(currency)
    found = list_price(session, item_id, location_id, ccy, price_category, on)
    if found is None or (found.currency is not ccy and rate is None):
        return None
    return default_price(found.price, found.currency, ccy, rate if rate is not None else Decimal(1), additional_pct)


class PriceBook:
    """The price-list rows in force on ``on`` for many items at one location, read in one query.

    ``price_for`` answers as :func:`price_for` does for one of the items (a posting
    with ten lines reads the price list once, not twenty times).
    """

    def __init__(self, session: Session, item_ids, location_id: int, on: dt.date):
        self.rows: dict[tuple[int, str], Any] = {}  # Price's columns as a row (no ORM object per price)
        ids = sorted(set(item_ids))
        if not ids:
            return
        found = _PRICES_IN_FORCE.named(session, {"items": ids, "loc": location_id, "on": on})
        for row in found:  # newest first: the first row of each (item, currency) is the one in force
            self.rows.setdefault((row.item_id, row.currency), row)

    def list_price(self, item_id: int, currency: Currency | str, price_category: str) -> ListPrice | None:
        ccy = Currency.parse(currency)
        for c in (ccy, ccy.other):
            row = self.rows.get((item_id, c.value))
            if row is not None:
                value = _pick(row, price_category)
                if value is not None:
                    return ListPrice(value, c, row.effective_from)
        return None

    def price_for(self, item_id: int, currency: Currency | str, price_category: str, rate: Decimal | None = None,
                  additional_pct: Decimal = Decimal(0)) -> Decimal | None:
        ccy = Currency.parse(currency)
        found = self.list_price(item_id, ccy, price_category)
        if found is None or (found.currency is not ccy and rate is None):
            return None
        return default_price(found.price, found.currency, ccy, rate if rate is not None else Decimal(1),
                             additional_pct)


def items_with_promotion(session: Session, item_ids, location_id: int, on: dt.date) -> set[int]:
    """Which of the items have an active promotion at the location on ``on`` (one query)."""
    ids = sorted(set(item_ids))
    if not ids:
        return set()
    return set(_WITH_PROMOTION.scalars(session, {"items": ids, "loc": location_id, "on": on}))


# read on every posting: compiled once, kept per process while no master changed (store.master_cache)
_PRICES_IN_FORCE = MasterRead(select(Price.item_id, Price.currency, Price.retail_price, Price.wholesale_price,
                                   Price.effective_from)
                            .where(col(Price.item_id).in_(bindparam("items", expanding=True)),
                                   Price.location_id == bindparam("loc"), Price.effective_from <= bindparam("on"))
                            .order_by(col(Price.effective_from).desc(), col(Price.id).desc()),
                            per=("items", "item_id"))
_WITH_PROMOTION = MasterRead(select(Promotion.item_id)
                           .join(PromotionLocation, PromotionLocation.promotion_id == Promotion.id)
                           .where(col(Promotion.item_id).in_(bindparam("items", expanding=True)),
                                  PromotionLocation.location_id == bindparam("loc"),
                                  Promotion.inactive == False, Promotion.scheme_date <= bindparam("on"))  # noqa: E712
                           .distinct(), per=("items", "item_id"))


def _in_force(session: Session, scheme: Any, held_at: Any, key: Any, dated: Any, location_id: int, on: dt.date,
              *where: Any) -> Any:
    """The scheme (a slab, a promotion) in force at the location on ``on``: active, held there (``held_at``,
    its location rows, point to it through ``key``), dated (``dated``) on or before ``on`` — the latest."""
    return session.exec(
        select(scheme)
        .join(held_at, key == scheme.id)
        .where(*where, held_at.location_id == location_id, scheme.inactive == False, dated <= on)  # noqa: E712
        .order_by(col(dated).desc(), col(scheme.id).desc())
        .limit(1)
    ).first()


def _ranges(session: Session, model: Any, key: Any, scheme_id: int, order: Any) -> list:
    """A scheme's range rows (``key`` points to the scheme), in ``order``."""
    return session.exec(select(model).where(key == scheme_id).order_by(order)).all()


def slab_ranges(session: Session, location_id: int, on: dt.date) -> list[SlabRange] | None:
    """The ranges of the active slab for the location on ``on`` (latest doc date), or ``None``."""
    slab = _in_force(session, DiscountSlab, DiscountSlabLocation, DiscountSlabLocation.slab_id, DiscountSlab.doc_date,
                     location_id, on)
    if slab is None:
        return None
    rows = _ranges(session, DiscountSlabRange, DiscountSlabRange.slab_id, slab.id, DiscountSlabRange.from_value)
    return [SlabRange(r.from_value, r.to_value, r.pct) for r in rows]


def slab_pct(session: Session, location_id: int, on: dt.date, subtotal_usd: Decimal) -> Decimal | None:
    """The slab percent for a USD subtotal, or ``None`` (no active slab, or no row applies)."""
    ranges = slab_ranges(session, location_id, on)
    if not ranges:
        return None
    return _slab_pct(ranges, subtotal_usd)


def promotion_for(session: Session, item_id: int, location_id: int, on: dt.date) -> PromotionInfo | None:
    """The item's active promotion at the location on ``on`` (latest scheme date), or ``None``."""
    promo = _in_force(session, Promotion, PromotionLocation, PromotionLocation.promotion_id, Promotion.scheme_date,
                      location_id, on, Promotion.item_id == item_id)
    if promo is None:
        return None
    ranges = _ranges(session, PromotionRange, PromotionRange.promotion_id, promo.id, PromotionRange.min_qty)
    account = session.get(Account, promo.expense_account_id).code if promo.expense_account_id else None
    centre = session.get(CostCentre, promo.cost_centre_id).code if promo.cost_centre_id else None
    # a range row with max_qty 0 is an open-ended last tier ("10+")
    return PromotionInfo(promo.id, promo.scheme_no, promo.reason,
                         tuple(PromoRange(r.min_qty, r.max_qty if r.max_qty else None, r.free_qty) for r in ranges),
                         account, centre)


__all__ = [
    "ListPrice",
    "PriceBook",
    "items_with_promotion",
    "PRICE_CATEGORIES",
    "PromotionInfo",
    "list_price",
    "price_for",
    "promotion_for",
    "slab_pct",
    "slab_ranges",
]
