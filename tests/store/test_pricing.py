"""Pricing (services/pricing.py): the price list as in force on a date, the currency
fallback at the document rate, discount slabs per location and date, promotions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from shopterm.core.money import Currency
from shopterm.core.promotions import PromoRange
from shopterm.services.schemes import pricing
from shopterm.store.models import (
    Account,
    DiscountSlab,
    DiscountSlabLocation,
    DiscountSlabRange,
    Item,
    Location,
    Price,
    Promotion,
    PromotionLocation,
    PromotionRange,
)

from .conftest import DAY

RATE = D("2850")


def item_id(s, code: str) -> int:
    return s.execute(select(Item.id).where(Item.code == code)).scalar_one()


def add_price(services, item: str, currency: str, retail: str, wholesale: str, effective: dt.date,
              location_id: int = 1) -> None:
    with services.db.write() as s:
        s.add(Price(location_id=location_id, item_id=item_id(s, item), currency=currency, retail_price=D(retail),
                    wholesale_price=D(wholesale), effective_from=effective))


def price(services, item: str, currency: str = "USD", category: str = "retail", on: dt.date = DAY,
          rate: D | None = RATE, add: D = D(0), location_id: int = 1):
    with services.db.read() as s:
        return pricing.price_for(s, item_id(s, item), location_id, currency, category, on, rate, add)


def test_category_picks_the_column(services):
    assert price(services, "PARA500") == D("2.50")
    assert price(services, "PARA500", category="wholesale") == D("2.20")


def test_latest_effective_price_on_the_date(services):
    add_price(services, "PARA500", "USD", "2.75", "2.40", dt.date(2026, 12, 1))
    assert price(services, "PARA500") == D("2.50")  # 2026-11-23: the January price
    assert price(services, "PARA500", on=dt.date(2026, 12, 1)) == D("2.75")
    assert price(services, "PARA500", category="wholesale", on=dt.date(2027, 3, 1)) == D("2.40")
    assert price(services, "PARA500", on=dt.date(2025, 12, 31)) is None  # before any price


def test_other_currency_price_converted_at_the_document_rate(services):
    # only a USD price: a CDF document converts it, 2.50 × 2850 = 7,125.00; 2.20 × 2731.5 = 6,009.30
    assert price(services, "PARA500", "CDF") == D("7125.00")
    assert price(services, "PARA500", "CDF", "wholesale", rate=D("2731.5")) == D("6009.30")
    assert price(services, "PARA500", "CDF", rate=None) is None  # no rate, no conversion
    # a CDF price of its own wins on a CDF document
    add_price(services, "PARA500", "CDF", "7000", "6500", dt.date(2026, 11, 1))
    assert price(services, "PARA500", "CDF") == D("7000.00")
    # a CDF-only item on a USD document: 5,700 / 2850 = 2.00
    add_price(services, "BAND01", "CDF", "5700", "0", dt.date(2026, 11, 1))
    with services.db.write() as s:  # drop BAND01's USD price
        s.execute(Price.__table__.delete().where(Price.item_id == item_id(s, "BAND01"), Price.currency == "USD"))
    assert price(services, "BAND01", "USD") == D("2.00")
    # a zero wholesale price means "not set": the retail price applies
    assert price(services, "BAND01", "USD", "wholesale") == D("2.00")


def test_additional_pct_loads_the_price_once(services):
    # 2.50 × 2850 × 1.10 = 7,837.50 (one rounding); 7.99 × 1.125 = 8.98875 → 8.99
    assert price(services, "PARA500", "CDF", add=D("10")) == D("7837.50")
    assert price(services, "AMOX250", add=D("12.5")) == D("8.99")


def test_prices_are_per_location(services):
    with services.db.write() as s:
        s.add(Location(code="GOM", name="Goma", number=2))
    assert price(services, "PARA500", location_id=2) is None
    add_price(services, "PARA500", "USD", "2.90", "2.60", dt.date(2026, 1, 1), location_id=2)
    assert price(services, "PARA500", location_id=2) == D("2.90")
    with services.db.read() as s:
        lp = pricing.list_price(s, item_id(s, "PARA500"), 2, Currency.CDF, "retail", DAY)
    assert lp == pricing.ListPrice(D("2.90"), Currency.USD, dt.date(2026, 1, 1))


# ---------------------------------------------------------------- discount slabs


@pytest.mark.parametrize("subtotal, pct", [
    ("0", "0"), ("50", "0"), ("99", "0"), ("99.50", "0"), ("100", "3"), ("150", "3"), ("499.99", "3"),
    ("500", "5"), ("999", "5"), ("1000", "8"), ("25000", "8"),
])
def test_demo_slab(services, subtotal, pct):
    with services.db.read() as s:
        assert pricing.slab_pct(s, 1, DAY, D(subtotal)) == D(pct)


def _slab(services, doc_no: str, doc_date: dt.date, ranges, *, location_id: int = 1, inactive: bool = False):
    with services.db.write() as s:
        slab = DiscountSlab(doc_no=doc_no, doc_date=doc_date, inactive=inactive)
        s.add(slab)
        s.flush()
        s.add(DiscountSlabLocation(slab_id=slab.id, location_id=location_id))
        for lo, hi, pct in ranges:
            s.add(DiscountSlabRange(slab_id=slab.id, from_value=D(lo), to_value=None if hi is None else D(hi),
                                    pct=D(pct)))


def test_latest_active_slab_for_the_location_wins(services):
    _slab(services, "DS0002", dt.date(2026, 12, 1), [("0", None, "10")])  # not yet in force on DAY
    _slab(services, "DS0003", dt.date(2026, 11, 1), [("0", None, "2")], inactive=True)  # inactive
    with services.db.read() as s:
        assert pricing.slab_pct(s, 1, DAY, D("150")) == D("3")
        assert pricing.slab_pct(s, 1, dt.date(2026, 12, 1), D("150")) == D("10")
        assert pricing.slab_pct(s, 1, dt.date(2025, 6, 1), D("150")) is None  # before any slab
        assert pricing.slab_pct(s, 2, DAY, D("150")) is None  # no slab at that location


# ---------------------------------------------------------------- promotions


def test_promotion_for_an_item_at_a_location(services):
    with services.db.write() as s:
        promo_acct = s.execute(select(Account.id).where(Account.code == "6200")).scalar_one()
        p = Promotion(scheme_no="PR0001", item_id=item_id(s, "BAND01"), reason="Launch", scheme_date=dt.date(2026, 11, 1),
                      expense_account_id=promo_acct)
        s.add(p)
        s.flush()
        s.add(PromotionLocation(promotion_id=p.id, location_id=1))
        s.add_all([PromotionRange(promotion_id=p.id, min_qty=D("10"), max_qty=D("19"), free_qty=D("1")),
                   PromotionRange(promotion_id=p.id, min_qty=D("20"), max_qty=D("0"), free_qty=D("3"))])
    with services.db.read() as s:
        band = item_id(s, "BAND01")
        info = pricing.promotion_for(s, band, 1, DAY)
        assert (info.scheme_no, info.reason, info.expense_account, info.cost_centre) == ("PR0001", "Launch", "6200", None)
        assert info.ranges == (PromoRange(D("10"), D("19"), D("1")), PromoRange(D("20"), None, D("3")))
        assert [info.free_qty(D(q)) for q in ("9", "10", "19", "20", "500")] == [D(0), D("1"), D("1"), D("3"), D("3")]
        assert pricing.promotion_for(s, band, 1, dt.date(2026, 10, 31)) is None  # before the scheme date
        assert pricing.promotion_for(s, item_id(s, "PARA500"), 1, DAY) is None
