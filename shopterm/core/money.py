"""Exact money in two currencies.

The books are kept in US dollars (USD, the *base* currency); the till also holds
Congolese francs (CDF, the *local* currency). A rate is always "CDF per 1 USD",
e.g. ``Decimal("2850")``.

Every amount is a :class:`~decimal.Decimal`; floats are refused everywhere,
because ``0.1 + 0.2`` is not ``0.3`` and a till must balance to the cent.

Scales (DESIGN §3): amounts 2 dp, quantities 3 dp, rates 6 dp, percentages
4 dp, all rounded half up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import Enum

ZERO = Decimal("0")
CENT = Decimal("0.01")
QTY_QUANTUM = Decimal("0.001")
RATE_QUANTUM = Decimal("0.000001")
PCT_QUANTUM = Decimal("0.0001")
HUNDRED = Decimal("100")

#: Largest amount we accept anywhere (fits comfortably in a 64-bit scaled int).
MAX_AMOUNT = Decimal("999999999999.99")
MAX_QTY = Decimal("999999999.999")
MAX_RATE = Decimal("999999999.999999")


class Currency(str, Enum):
    """The two currencies of the shop."""

    USD = "USD"
    CDF = "CDF"

    @property
    def other(self) -> "Currency":
        return Currency.CDF if self is Currency.USD else Currency.USD

    @classmethod
    def parse(cls, value: object) -> "Currency":
        if isinstance(value, Currency):
            return value
        text = str(value or "").strip().upper()
        try:
            return cls(text)
        except ValueError:
            raise MoneyError(f"unknown currency {value!r} (use USD or CDF)") from None


BASE = Currency.USD
LOCAL = Currency.CDF


class MoneyError(ValueError):
    """A value that cannot be money, a quantity or a rate."""


def to_decimal(value: object, *, field: str = "value") -> Decimal:
    """Turn an int, str or Decimal into a Decimal. Floats and garbage are refused.

    ``field`` names the field in the error message, so the cashier knows what
    to fix.
    """
    if isinstance(value, bool):
        raise MoneyError(f"{field}: expected a number, got {value!r}")
    if isinstance(value, float):
        raise MoneyError(f"{field}: floats are not accepted for money (got {value!r}); use a string")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        if not text:
            raise MoneyError(f"{field}: a number is required")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"{field}: {value!r} is not a number") from None
    else:
        raise MoneyError(f"{field}: expected a number, got {type(value).__name__}")
    if not result.is_finite():
        raise MoneyError(f"{field}: {value!r} is not a finite number")
    return result


def q2(value: Decimal) -> Decimal:
    """Round to the cent, half up."""
    _no_float(value)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def q_qty(value: Decimal) -> Decimal:
    _no_float(value)
    return value.quantize(QTY_QUANTUM, rounding=ROUND_HALF_UP)


def q_rate(value: Decimal) -> Decimal:
    _no_float(value)
    return value.quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)


def q_pct(value: Decimal) -> Decimal:
    _no_float(value)
    return value.quantize(PCT_QUANTUM, rounding=ROUND_HALF_UP)


def floor2(value: Decimal) -> Decimal:
    """Round down to the cent (towards minus infinity)."""
    _no_float(value)
    return value.quantize(CENT, rounding=ROUND_FLOOR)


def round_to_increment(value: Decimal, increment: Decimal) -> Decimal:
    """Nearest multiple of ``increment``, half up (cash rounding)."""
    _no_float(value, increment)
    if increment <= 0:
        raise MoneyError("cash increment must be positive")
    return q2((value / increment).quantize(Decimal(1), rounding=ROUND_HALF_UP) * increment)


def floor_to_increment(value: Decimal, increment: Decimal) -> Decimal:
    """Largest multiple of ``increment`` not above ``value`` (change is never over-given)."""
    _no_float(value, increment)
    if increment <= 0:
        raise MoneyError("cash increment must be positive")
    return q2((value / increment).quantize(Decimal(1), rounding=ROUND_FLOOR) * increment)


def parse_amount(value: object, *, field: str = "amount", allow_negative: bool = False) -> Decimal:
    """A user-typed amount: at most 2 decimals, not negative unless allowed, not huge."""
    d = to_decimal(value, field=field)
    if d != d.quantize(CENT, rounding=ROUND_DOWN) and d.as_tuple().exponent < -2:
        raise MoneyError(f"{field}: at most 2 decimal places ({value})")
    return _check_range(d, field, MAX_AMOUNT, allow_negative)


def parse_qty(value: object, *, field: str = "qty", allow_negative: bool = False) -> Decimal:
    d = to_decimal(value, field=field)
    if d.as_tuple().exponent < -3 and d != d.quantize(QTY_QUANTUM):
        raise MoneyError(f"{field}: at most 3 decimal places ({value})")
    return _check_range(d, field, MAX_QTY, allow_negative)


def parse_rate(value: object, *, field: str = "rate") -> Decimal:
    d = to_decimal(value, field=field)
    if d <= 0:
        raise MoneyError(f"{field}: the exchange rate must be greater than zero")
    if d.as_tuple().exponent < -6 and d != d.quantize(RATE_QUANTUM):
        raise MoneyError(f"{field}: at most 6 decimal places ({value})")
    return _check_range(d, field, MAX_RATE, False)


def parse_pct(value: object, *, field: str = "percent") -> Decimal:
    d = to_decimal(value, field=field)
    if d < 0 or d > HUNDRED:
        raise MoneyError(f"{field}: a percentage must be between 0 and 100 ({value})")
    if d.as_tuple().exponent < -4 and d != d.quantize(PCT_QUANTUM):
        raise MoneyError(f"{field}: at most 4 decimal places ({value})")
    return d


def _check_range(d: Decimal, field: str, limit: Decimal, allow_negative: bool) -> Decimal:
    if d < 0 and not allow_negative:
        raise MoneyError(f"{field}: must not be negative ({d})")
    if abs(d) > limit:
        raise MoneyError(f"{field}: {d} is too large")
    return d


def _no_float(*values: object) -> None:
    for v in values:
        if not isinstance(v, Decimal):
            raise MoneyError(f"expected Decimal, got {type(v).__name__} ({v!r})")


def convert(amount: Decimal, from_ccy: Currency, to_ccy: Currency, rate: Decimal) -> Decimal:
    """Convert an amount between USD and CDF at ``rate`` (CDF per USD), rounded to the cent."""
    _no_float(amount, rate)
    from_ccy, to_ccy = Currency.parse(from_ccy), Currency.parse(to_ccy)
    if from_ccy is to_ccy:
        return q2(amount)
    if rate <= 0:
        raise MoneyError("the exchange rate must be greater than zero")
    if from_ccy is Currency.USD:
        return q2(amount * rate)
    return q2(amount / rate)


def to_usd(amount: Decimal, ccy: Currency, rate: Decimal) -> Decimal:
    return convert(amount, ccy, Currency.USD, rate)


def to_cdf(amount: Decimal, ccy: Currency, rate: Decimal) -> Decimal:
    return convert(amount, ccy, Currency.CDF, rate)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency. Arithmetic across currencies is an error."""

    amount: Decimal
    currency: Currency

    def __post_init__(self) -> None:
        _no_float(self.amount)
        object.__setattr__(self, "currency", Currency.parse(self.currency))

    @classmethod
    def of(cls, amount: object, currency: Currency | str) -> "Money":
        return cls(q2(to_decimal(amount)), Currency.parse(currency))

    def _same(self, other: "Money") -> None:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine money with {type(other).__name__}")
        if other.currency is not self.currency:
            raise MoneyError(f"currency mismatch: {self.currency.value} and {other.currency.value}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal) -> "Money":
        _no_float(factor)
        return Money(q2(self.amount * factor), self.currency)

    def to(self, currency: Currency | str, rate: Decimal) -> "Money":
        currency = Currency.parse(currency)
        return Money(convert(self.amount, self.currency, currency, rate), currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


def format_amount(amount: Decimal, places: int = 2) -> str:
    """``1234567.5`` → ``1,234,567.50`` (thousands separators, fixed places)."""
    _no_float(amount)
    return f"{amount:,.{places}f}"


def format_money(amount: Decimal, currency: Currency | str) -> str:
    return f"{format_amount(amount)} {Currency.parse(currency).value}"


def format_qty(qty: Decimal) -> str:
    _no_float(qty)
    text = f"{qty:,.3f}".rstrip("0").rstrip(".")
    return text or "0"
