"""Currency exchange at the counter: francs for dollars or dollars for francs.

A customer hands over ``amount_received`` in one currency and gets
``amount_given`` in the other, at a negotiated ``actual_rate``. The books value
both cash movements at the day's ``system_rate`` (DESIGN §7)::

    Dr cash <received currency>   received_usd_value = amount_received at system rate
    Cr cash <given currency>      given_usd_value    = amount_given at system rate
    Cr/Dr exchange gain/loss      gain_usd           = received_usd_value − given_usd_value

``gain_usd`` is positive when the shop gains. ``gain_cdf`` is the same gain
measured in francs at the system rate, computed directly in CDF (not by
multiplying the rounded USD gain): for a CDF receipt it is
``amount_received − q2(amount_given × system_rate)``, for a USD receipt
``q2(amount_received × system_rate) − amount_given``. In the DESIGN §11
example (300,000 CDF in at 3,000, 100 USD out, system rate 2,850) that is
exactly 15,000 CDF, while the USD gain is 105.26 − 100.00 = 5.26.

``expected_given`` is what the actual rate says should be handed out; a
cashier can compare it with the amount typed. When ``amount_given`` is not
supplied it defaults to ``expected_given``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shopterm.core.i18n import N_
from shopterm.core.errors import ExchangeError
from shopterm.core.money import Currency, convert, parse_amount, parse_rate, q2

__all__ = ["ExchangeCalc", "ExchangeError", "exchange", "compute_exchange"]


@dataclass(frozen=True, slots=True)
class ExchangeCalc:
    """Figures of one Currency Exchange document."""

    amount_received: Decimal  # in currency_received
    amount_given: Decimal  # in currency_given
    received_usd_value: Decimal  # at the system rate
    given_usd_value: Decimal  # at the system rate
    gain_usd: Decimal  # + gain / − loss
    gain_cdf: Decimal  # + gain / − loss, in CDF at the system rate
    expected_given: Decimal  # amount_received converted at the actual rate
    currency_received: Currency = Currency.CDF
    currency_given: Currency = Currency.USD
    system_rate: Decimal = Decimal(1)
    actual_rate: Decimal = Decimal(1)

    @property
    def cash_usd_in(self) -> Decimal:
        """Net USD movement of the till (negative when dollars are given)."""
        if self.currency_received is Currency.USD:
            return self.amount_received
        return -self.amount_given

    @property
    def cash_cdf_in(self) -> Decimal:
        """Net CDF movement of the till (negative when francs are given)."""
        if self.currency_received is Currency.CDF:
            return self.amount_received
        return -self.amount_given


def exchange(
    currency_received: Currency,
    amount_received: Decimal,
    system_rate: Decimal,
    actual_rate: Decimal,
    amount_given: Decimal | None = None,
) -> ExchangeCalc:
    """Compute a currency exchange; both amounts must be greater than zero."""
    received_ccy = Currency.parse(currency_received)
    given_ccy = received_ccy.other
    amount_received = q2(parse_amount(amount_received, field=N_("amount received")))
    system_rate = parse_rate(system_rate, field=N_("system rate"))
    actual_rate = parse_rate(actual_rate, field=N_("exchange rate"))
    if amount_received == 0:
        raise ExchangeError("the amount received must be greater than zero")
    expected_given = convert(amount_received, received_ccy, given_ccy, actual_rate)
    if amount_given is None:
        amount_given = expected_given
    amount_given = q2(parse_amount(amount_given, field=N_("amount given")))
    if amount_given == 0:
        raise ExchangeError("the amount given must be greater than zero")

    received_usd_value = convert(amount_received, received_ccy, Currency.USD, system_rate)
    given_usd_value = convert(amount_given, given_ccy, Currency.USD, system_rate)
    received_cdf_value = convert(amount_received, received_ccy, Currency.CDF, system_rate)
    given_cdf_value = convert(amount_given, given_ccy, Currency.CDF, system_rate)
    return ExchangeCalc(
        amount_received=amount_received,
        amount_given=amount_given,
        received_usd_value=received_usd_value,
        given_usd_value=given_usd_value,
        gain_usd=received_usd_value - given_usd_value,
        gain_cdf=received_cdf_value - given_cdf_value,
        expected_given=expected_given,
        currency_received=received_ccy,
        currency_given=given_ccy,
        system_rate=system_rate,
        actual_rate=actual_rate,
    )


#: Alias, for callers that prefer a verb-noun name.
compute_exchange = exchange
