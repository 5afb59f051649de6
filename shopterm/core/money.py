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

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Callable

from shopterm.core.i18n import _
from shopterm.core.i18n import decimal_mark as decimal_mark_of_language
from shopterm.core.i18n import localize_number

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
            raise MoneyError(_("unknown currency {value!r} (use USD or CDF)").format(value=value)) from None


BASE = Currency.USD
LOCAL = Currency.CDF


class MoneyError(ValueError):
    """A value that cannot be money, a quantity or a rate."""


#: Longest number text we read (a 12-digit amount with grouping and decimals fits easily).
MAX_NUMBER_TEXT = 40

#: Characters a typed number may group thousands with: space, no-break space, narrow no-break space.
GROUP_SPACES = (" ", "\u00a0", "\u202f")

_JSON_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_DIGITS = re.compile(r"\d+")


def to_decimal(value: object, *, field: str = "value", strict: bool = False) -> Decimal:
    """Turn an int, str or Decimal into a Decimal. Floats and garbage are refused.

    ``field`` names the field in the error message, so the cashier knows what
    to fix. A string is read as typed on a screen (:func:`read_typed`: ``2,50``
    and ``2.50`` are both 2.5, spaces group thousands) unless ``strict``, the
    JSON rule (:func:`read_strict`: digits and at most one ``.``, nothing else).
    """
    if isinstance(value, bool):
        raise MoneyError(_("{field}: expected a number, got {value!r}").format(field=_(field), value=value))
    if isinstance(value, float):
        raise MoneyError(_("{field}: floats are not accepted for money (got {value!r}); use a string").format(field=_(field), value=value))
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        result = read_strict(value, field=field) if strict else read_typed(value, field=field)
    else:
        raise MoneyError(_("{field}: expected a number, got {kind}").format(field=_(field), kind=type(value).__name__))
    if not result.is_finite():
        raise MoneyError(_("{field}: {value!r} is not a finite number").format(field=_(field), value=value))
    return result


def _shown(text: str) -> str:
    """The text as it may be quoted in a message (no control characters, not endless)."""
    cut = text if len(text) <= MAX_NUMBER_TEXT else text[:MAX_NUMBER_TEXT] + "…"
    return repr(cut)


def read_strict(text: str, *, field: str = "value") -> Decimal:
    """A number string from JSON: optional sign, digits, at most one ``.`` as decimal point.

    Nothing else is accepted — no ``,`` (``"2,50"`` is refused, not read as 250), no
    spaces inside, no ``_``, no exponent (``"1e30"``).
    """
    stripped = text.strip()
    if not stripped:
        raise MoneyError(_("{field}: a number is required").format(field=_(field)))
    if len(stripped) > MAX_NUMBER_TEXT:
        raise MoneyError(_("{field}: {stripped} is too long for a number (at most {limit} characters)").format(field=_(field), stripped=_shown(stripped), limit=MAX_NUMBER_TEXT))
    if not _JSON_NUMBER.fullmatch(stripped) or not stripped.isascii():
        if "," in stripped:  # one whole sentence per case: the reader's language translates it whole
            message = _("{field}: {text} is not a number (in JSON only '.' is a decimal point: write \"2.50\", not \"2,50\")")
        elif any(ch.isdigit() for ch in stripped):
            message = _("{field}: {text} is not a number (digits and one '.' only: no exponent, spaces or separators)")
        else:
            message = _("{field}: {text} is not a number")
        raise MoneyError(message.format(field=_(field), text=_shown(text)))
    return Decimal(stripped)


def read_typed(text: str, *, field: str = "value") -> Decimal:
    """A number as a cashier types it on a screen (DESIGN §3).

    * ``2,50`` and ``2.50`` are both 2.5 (comma or point as decimal mark);
    * a space, U+00A0 or U+202F groups thousands: ``2 500,50`` = 2500.50;
    * with both marks the last one is the decimal mark: ``2,500.50`` and
      ``2.500,50`` = 2500.50; marks repeated (``1,234,567``) group thousands;
    * a text that reads two ways — one comma or point followed by exactly three
      digits after a 1–3 digit integer, e.g. ``1,500`` — is refused with both readings:
      only ``1.500`` with a point is read as the decimal 1.5 (a point is a decimal point
      unless repeated or followed by a comma);
    * anything else (letters, an exponent, ``_``) is refused: no character is dropped.
    """
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit() and len(stripped) <= MAX_NUMBER_TEXT:
        return Decimal(stripped)  # plain digits (a quantity, a rate, a 0) read one way in every language
    for sp in GROUP_SPACES[1:]:
        stripped = stripped.strip(sp)
    if not stripped:
        raise MoneyError(_("{field}: a number is required").format(field=_(field)))
    if len(stripped) > MAX_NUMBER_TEXT:
        raise MoneyError(_("{field}: {stripped} is too long for a number (at most {limit} characters)").format(field=_(field), stripped=_shown(stripped), limit=MAX_NUMBER_TEXT))
    sign = ""
    body = stripped
    if body[0] in "+-":
        sign, body = ("-" if body[0] == "-" else ""), body[1:].lstrip(" ")
    bad = [ch for ch in body if not (ch.isascii() and ch.isdigit()) and ch not in ".," and ch not in GROUP_SPACES]
    if bad or not body:
        raise MoneyError(_("{field}: {text} is not a number").format(field=_(field), text=_shown(text)))
    spaced = any(sp in body for sp in GROUP_SPACES)
    commas, points = body.count(","), body.count(".")

    def refuse() -> MoneyError:
        return MoneyError(_("{field}: {text} is not a number (use a comma or a point for decimals, spaces for thousands: 2 500,50)").format(field=_(field), text=_shown(text)))

    # Which mark is the decimal mark, which groups thousands?
    decimal_mark: str | None = None
    group_mark: str | None = None
    if commas and points:
        last = "," if body.rfind(",") > body.rfind(".") else "."
        decimal_mark, group_mark = last, ("." if last == "," else ",")
        if body.count(decimal_mark) != 1:
            raise refuse()
    elif commas > 1 or points > 1:
        group_mark = "," if commas > 1 else "."
    elif commas == 1 or points == 1:
        mark = "," if commas else "."
        whole, _sep, frac = body.partition(mark)
        whole_digits = whole
        for sp in GROUP_SPACES:
            whole_digits = whole_digits.replace(sp, "")
        # The mark a reader of this language could take for a thousands separator:
        # a comma in English (1,500), a point in French (1.500, where 1,5 is the decimal).
        ambiguous = (mark == ("." if decimal_mark_of_language() == "," else ",") and not spaced and len(frac) == 3 and frac.isdigit()
                     and 1 <= len(whole) <= 3 and whole.isdigit() and not whole.startswith("0"))
        if ambiguous:
            as_decimal = plain_number(Decimal(f"{sign}{whole}.{frac}").normalize())
            as_thousands = f"{sign}{whole}{frac}"
            raise MoneyError(_("{field}: {text} reads two ways — {as_decimal} or {as_thousands}; type {as_decimal} or {as_thousands} (or {sign}{whole} {frac})").format(field=_(field), text=_shown(text), as_decimal=as_decimal, as_thousands=as_thousands, sign=sign, whole=whole, frac=frac))
        decimal_mark = mark
    if spaced and group_mark is not None:
        raise refuse()  # two kinds of grouping in one number
    if decimal_mark is not None:
        whole, _sep, frac = body.partition(decimal_mark)
    else:
        whole, frac = body, ""
    if any(sp in frac for sp in GROUP_SPACES) or (frac and not _DIGITS.fullmatch(frac)):
        raise refuse()
    seps = list(GROUP_SPACES) + ([group_mark] if group_mark else [])
    if decimal_mark is not None and whole == "" and frac:
        groups = ["0"]
    else:
        pattern = "[" + re.escape("".join(seps)) + "]"
        groups = re.split(pattern, whole)
    if len(groups) > 1:
        if not (1 <= len(groups[0]) <= 3) or any(len(g) != 3 for g in groups[1:]) \
                or not all(_DIGITS.fullmatch(g) for g in groups):
            raise MoneyError(_("{field}: {text} is not a number (thousands are grouped by three digits: 2 500 000,50)").format(field=_(field), text=_shown(text)))
    elif not _DIGITS.fullmatch(groups[0]):
        raise refuse()
    if decimal_mark is not None and not frac and not "".join(groups):
        raise refuse()
    digits = "".join(groups)
    return Decimal(f"{sign}{digits}.{frac}" if frac else f"{sign}{digits}")


def _rounding(quantum: Decimal, rounding: str = ROUND_HALF_UP) -> Callable[[Decimal], Decimal]:
    """A function putting a Decimal to the places of ``quantum`` (half up unless ``rounding`` says);
    a float is refused."""
    def to_places(value: Decimal) -> Decimal:
        _no_float(value)
        return value.quantize(quantum, rounding=rounding)
    return to_places


#: Round to the cent, a quantity's thousandth, a rate's 6 or a percentage's 4 places, half up;
#: ``floor2``: down to the cent (towards minus infinity).
q2 = _rounding(CENT)
q_qty = _rounding(QTY_QUANTUM)
q_rate = _rounding(RATE_QUANTUM)
q_pct = _rounding(PCT_QUANTUM)
floor2 = _rounding(CENT, ROUND_FLOOR)


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


def parse_amount(value: object, *, field: str = "amount", allow_negative: bool = False,
                 strict: bool = False) -> Decimal:
    """A user-typed amount: at most 2 decimals, not negative unless allowed, below 10¹².

    Strings are read as typed on a screen unless ``strict`` (JSON): see :func:`to_decimal`.
    """
    d = _check_range(to_decimal(value, field=field, strict=strict), field, MAX_AMOUNT, allow_negative)
    if d != d.quantize(CENT, rounding=ROUND_DOWN):
        raise MoneyError(_("{field}: at most 2 decimal places ({d})").format(field=_(field), d=plain_number(d)))
    return d


def parse_qty(value: object, *, field: str = "qty", allow_negative: bool = False, strict: bool = False) -> Decimal:
    """A quantity: at most 3 decimals, below 10⁹."""
    d = _check_range(to_decimal(value, field=field, strict=strict), field, MAX_QTY, allow_negative)
    if d != d.quantize(QTY_QUANTUM, rounding=ROUND_DOWN):
        raise MoneyError(_("{field}: at most 3 decimal places ({d})").format(field=_(field), d=plain_number(d)))
    return d


def parse_rate(value: object, *, field: str = "rate", strict: bool = False) -> Decimal:
    """An exchange rate (CDF per USD): above zero, at most 6 decimals, below 10⁹."""
    d = to_decimal(value, field=field, strict=strict)
    if d <= 0:
        raise MoneyError(_("{field}: the exchange rate must be greater than zero").format(field=_(field)))
    d = _check_range(d, field, MAX_RATE, False)
    if d != d.quantize(RATE_QUANTUM, rounding=ROUND_DOWN):
        raise MoneyError(_("{field}: at most 6 decimal places ({d})").format(field=_(field), d=plain_number(d)))
    return d


def parse_pct(value: object, *, field: str = "percent", strict: bool = False) -> Decimal:
    """A percentage between 0 and 100, at most 4 decimals."""
    d = to_decimal(value, field=field, strict=strict)
    if d < 0 or d > HUNDRED:
        raise MoneyError(_("{field}: a percentage must be between 0 and 100 ({d})").format(field=_(field), d=plain_number(d)))
    if d != d.quantize(PCT_QUANTUM, rounding=ROUND_DOWN):
        raise MoneyError(_("{field}: at most 4 decimal places ({d})").format(field=_(field), d=plain_number(d)))
    return d


def _plain(d: Decimal) -> str:
    """A Decimal in plain digits for a message (never ``1E+30``; very long ones cut)."""
    if abs(d.adjusted()) > 30:
        return f"{d:.3E}"
    text = f"{d:f}"
    return text if len(text) <= MAX_NUMBER_TEXT else text[:MAX_NUMBER_TEXT] + "…"


def plain_number(value: object) -> str:
    """A number quoted in a message, digits as given (``2500.50``; ``2500,50`` in French,
    never ``1E+30``); anything else as its text."""
    if isinstance(value, Decimal) and value.is_finite():
        return localize_number(_plain(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return str(value)


def _check_range(d: Decimal, field: str, limit: Decimal, allow_negative: bool) -> Decimal:
    """Refuse a negative (unless allowed) or a value beyond ``limit``, before any rounding.

    The range is checked first, so a huge value (``1E+30``) is refused with the limit
    instead of overflowing the decimal context while it is rounded.
    """
    if d < 0 and not allow_negative:
        raise MoneyError(_("{field}: must not be negative ({d})").format(field=_(field), d=plain_number(d)))
    if abs(d) > limit:
        raise MoneyError(_("{field}: {d} is above the maximum {limit}").format(field=_(field), d=plain_number(d), limit=format_amount(limit, _places(limit))))
    return d


def _places(limit: Decimal) -> int:
    return max(0, -limit.as_tuple().exponent)  # type: ignore[operator]


def _no_float(*values: object) -> None:
    for v in values:
        if not isinstance(v, Decimal):
            raise MoneyError(_("expected Decimal, got {kind} ({v!r})").format(kind=type(v).__name__, v=v))


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
            raise MoneyError(_("cannot combine money with {kind}").format(kind=type(other).__name__))
        if other.currency is not self.currency:
            raise MoneyError(_("currency mismatch: {currency} and {other}").format(currency=self.currency.value, other=other.currency.value))

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
    """``1234567.5`` → ``1,234,567.50`` (``1 234 567,50`` in French): thousands grouped,
    fixed places, in the current language's marks (:mod:`shopterm.core.i18n`)."""
    _no_float(amount)
    return localize_number(f"{amount:,.{places}f}")


def format_money(amount: Decimal, currency: Currency | str) -> str:
    return f"{format_amount(amount)} {Currency.parse(currency).value}"


def format_qty(qty: Decimal) -> str:
    _no_float(qty)
    text = f"{qty:,.3f}".rstrip("0").rstrip(".")
    return localize_number(text) if text else "0"


def format_rate(value: Decimal | None, *, group: bool = False) -> str:
    """A rate, percentage or other decimal as a person would type it: no trailing
    zeros (``2850.000000`` → ``2850``, ``2.50`` → ``2.5``, ``5.0000`` → ``5``);
    ``group=True`` groups thousands (``2,850.5``). ``None`` gives ``""``."""
    if value is None:
        return ""
    _no_float(value)
    text = f"{value:,f}" if group else f"{value:f}"
    return localize_number(text.rstrip("0").rstrip(".") if "." in text else text)
