"""Prices from a markup on cost (the seed's Price Update "retail %" / "wholesale %").

A price update may give, instead of a price, a percentage over the item's last
purchase cost in USD: ``price = cost × (1 + % / 100)`` rounded to the cent, and
for a franc price converted at the day's system rate. The rule is pure: the
caller supplies the rate (the price-update service looks it up and refuses when
there is none).
"""

from __future__ import annotations

from decimal import Decimal

from shopterm.core.money import Currency, MoneyError, convert, q2

_D100 = Decimal("100")


def price_from_markup(cost_usd: Decimal, pct: Decimal, currency: Currency | str, rate: Decimal | None) -> Decimal:
    """``q2(cost × (1 + pct/100))`` in USD, converted at ``rate`` for a CDF price.

    >>> price_from_markup(Decimal("1.60"), Decimal("50"), "CDF", Decimal("2850"))
    Decimal('6840.00')
    """
    usd = q2(cost_usd * (1 + pct / _D100))
    ccy = Currency.parse(currency)
    if ccy is Currency.USD:
        return usd
    if rate is None:
        raise MoneyError("rate: a franc price needs the day's exchange rate")
    return convert(usd, Currency.USD, ccy, rate)
