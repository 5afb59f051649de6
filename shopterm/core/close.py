"""Shop Close: the end-of-day cash reconciliation (DESIGN §5, seed "Shop Close").

For each currency the till's expected closing balance is::

    sub_total = opening + cash_sales − cash_returns + receipts − payments
    closing   = sub_total + exchanged_in − exchanged_out + other_transfers

The manager counts the physical cash (directly or by denomination). The
``difference = closing − physical`` is positive for a **shortage** (less cash
than expected) and negative for an **excess**; ``excess_shortage`` is the same
figure from the till's point of view (``physical − closing``: positive =
excess, negative = shortage). The close posts the difference to the cash
shortage ledger.

A shortage strictly above the location's maximum allowed, in either currency,
needs a manager's approval. An unset maximum means no tolerance (any shortage
needs approval). An excess never does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from shopterm.core.errors import CloseError, DenominationError
from shopterm.core.i18n import N_, _, pgettext
from shopterm.core.money import Currency, MoneyError, format_amount, format_qty, parse_qty, parse_rate, plain_number, q2, to_decimal
from shopterm.core.units import check_qty_for_unit

__all__ = [
    "CloseFigures",
    "CloseSummary",
    "CloseError",
    "DenominationError",
    "DENOMINATIONS",
    "close_figures",
    "count_denominations",
    "count_value",
    "stock_short",
    "signed_qty",
    "read_count",
    "shortage_needs_approval",
    "difference_usd_value",
    "difference_word",
    "difference_words",
    "summarize_close",
]

#: Notes counted at the till, per currency (DESIGN §5).
DENOMINATIONS: dict[Currency, tuple[Decimal, ...]] = {
    Currency.USD: tuple(Decimal(n) for n in (1, 2, 5, 10, 20, 50, 100)),
    Currency.CDF: tuple(Decimal(n) for n in (50, 100, 200, 500, 1000, 5000, 10000, 20000)),
}


@dataclass(frozen=True, slots=True)
class CloseFigures:
    """The Shop Close details tab for one currency."""

    opening: Decimal
    cash_sales: Decimal
    cash_returns: Decimal
    receipts: Decimal
    payments: Decimal
    sub_total: Decimal
    exchanged_in: Decimal
    exchanged_out: Decimal
    other_transfers: Decimal
    closing: Decimal
    physical: Decimal
    difference: Decimal  # closing − physical: + shortage / − excess
    excess_shortage: Decimal  # physical − closing: + excess / − shortage
    currency: Currency = Currency.USD

    @property
    def shortage(self) -> Decimal:
        """The shortage (≥ 0)."""
        return max(self.difference, Decimal("0.00"))

    @property
    def excess(self) -> Decimal:
        """The excess (≥ 0)."""
        return max(-self.difference, Decimal("0.00"))


def _amount(value: object, field: str, *, signed: bool = False) -> Decimal:
    d = q2(to_decimal(value, field=field))
    if d < 0 and not signed:
        raise CloseError(_("{field} must not be negative ({d})").format(field=_(field), d=format_amount(d)))
    return d


def difference_words(difference: Decimal, *, counted: bool = True, qty: bool = False) -> str:
    """A close's difference in words beside the number, the one way every screen and print says it.

    The product's sign is DESIGN §5's ``difference = closing − physical`` (positive = short); the
    words carry no sign, so they never read against that figure: ``5.00 short``, ``3.00 over``,
    ``0.00 balanced``. Before any cash is typed or counted the difference is not claimed balanced:
    ``not counted``."""
    if not counted:
        return _("not counted")
    fmt = format_qty if qty else format_amount  # qty: a stock count's on hand − counted ("4 short")
    if difference > 0:
        return _("{amount} short").format(amount=fmt(difference))
    if difference < 0:
        return _("{amount} over").format(amount=fmt(-difference))
    return _("{amount} balanced").format(amount=fmt(difference))


def difference_word(difference: Decimal) -> str:
    """The direction of a difference alone, for a column too narrow for :func:`difference_words`
    (the 48-column printed close, under the signed figure): ``short``, ``over``, ``balanced``."""
    if difference > 0:
        return pgettext("close difference", "short")
    if difference < 0:
        return pgettext("close difference", "over")
    return pgettext("close difference", "balanced")


def close_figures(
    currency: Currency,
    *,
    opening: Decimal,
    cash_sales: Decimal = Decimal(0),
    cash_returns: Decimal = Decimal(0),
    receipts: Decimal = Decimal(0),
    payments: Decimal = Decimal(0),
    exchanged_in: Decimal = Decimal(0),
    exchanged_out: Decimal = Decimal(0),
    other_transfers: Decimal = Decimal(0),
    physical: Decimal = Decimal(0),
) -> CloseFigures:
    """Compute one currency's close figures.

    Movement totals are given as positive amounts (their sign comes from the
    formula); ``opening`` and ``other_transfers`` may be negative.
    """
    ccy = Currency.parse(currency)
    opening = _amount(opening, "opening balance", signed=True)
    cash_sales = _amount(cash_sales, "cash sales")
    cash_returns = _amount(cash_returns, "cash sales returns")
    receipts = _amount(receipts, "receipts")
    payments = _amount(payments, "payments")
    exchanged_in = _amount(exchanged_in, "money exchanged (+)")
    exchanged_out = _amount(exchanged_out, "money exchanged (-)")
    other_transfers = _amount(other_transfers, "other transfers", signed=True)
    physical = _amount(physical, f"physical cash ({ccy.value})")
    sub_total = opening + cash_sales - cash_returns + receipts - payments
    closing = sub_total + exchanged_in - exchanged_out + other_transfers
    difference = closing - physical
    return CloseFigures(
        opening=opening,
        cash_sales=cash_sales,
        cash_returns=cash_returns,
        receipts=receipts,
        payments=payments,
        sub_total=sub_total,
        exchanged_in=exchanged_in,
        exchanged_out=exchanged_out,
        other_transfers=other_transfers,
        closing=closing,
        physical=physical,
        difference=difference,
        excess_shortage=-difference,
        currency=ccy,
    )


def count_denominations(counts: Mapping[Decimal, int], currency: Currency) -> Decimal:
    """Total of a cash count ``{note value: number of notes}``.

    An unknown note, or a count that is negative or not a whole number, is a
    :class:`DenominationError`.
    """
    ccy = Currency.parse(currency)
    allowed = DENOMINATIONS[ccy]
    total = Decimal("0.00")
    for note, count in counts.items():
        value = to_decimal(note, field=N_("denomination"))
        if value not in allowed:
            notes = ", ".join(format(n, "f") for n in allowed)
            raise DenominationError(_("{currency} has no {note} note (use {notes})").format(currency=ccy.value, note=plain_number(value), notes=notes))
        if isinstance(count, bool) or not isinstance(count, int):
            raise DenominationError(
                _("{currency} {note}: the count must be a whole number (got {count!r})").format(currency=ccy.value, note=plain_number(value), count=count)
            )
        if count < 0:
            raise DenominationError(_("{currency} {note}: the count must not be negative ({count})").format(currency=ccy.value, note=plain_number(value), count=count))
        total += value * count
    return q2(total)


def shortage_needs_approval(
    difference_usd: Decimal,
    difference_cdf: Decimal,
    max_usd: Decimal | None,
    max_cdf: Decimal | None,
) -> bool:
    """True when a shortage (positive difference) is strictly above its maximum in either currency.

    ``None`` for a maximum means no tolerance: any shortage in that currency
    needs a manager.
    """
    difference_usd = to_decimal(difference_usd, field=N_("USD difference"))
    difference_cdf = to_decimal(difference_cdf, field=N_("CDF difference"))
    limit_usd = Decimal(0) if max_usd is None else to_decimal(max_usd, field=N_("max shortage USD"))
    limit_cdf = Decimal(0) if max_cdf is None else to_decimal(max_cdf, field=N_("max shortage CDF"))
    if limit_usd < 0 or limit_cdf < 0:
        raise CloseError("the maximum shortage allowed must not be negative")
    return difference_usd > limit_usd or difference_cdf > limit_cdf


def difference_usd_value(diff_usd: Decimal, diff_cdf: Decimal, rate: Decimal) -> Decimal:
    """Both differences together in USD: ``diff_usd + q2(diff_cdf / rate)``."""
    diff_usd = to_decimal(diff_usd, field=N_("USD difference"))
    diff_cdf = to_decimal(diff_cdf, field=N_("CDF difference"))
    rate = parse_rate(rate)
    return q2(diff_usd) + q2(diff_cdf / rate)


@dataclass(frozen=True, slots=True)
class CloseSummary:
    """Both currencies of a Shop Close, with what the close must decide."""

    usd: CloseFigures
    cdf: CloseFigures
    rate: Decimal
    difference_usd_value: Decimal  # both differences in USD (+ shortage)
    needs_approval: bool
    exchange_gain_usd: Decimal  # the day's exchange gain/loss (shown, not computed here)


def summarize_close(
    usd: CloseFigures,
    cdf: CloseFigures,
    rate: Decimal,
    *,
    max_shortage_usd: Decimal | None = None,
    max_shortage_cdf: Decimal | None = None,
    exchange_gain_usd: Decimal = Decimal(0),
) -> CloseSummary:
    """Combine the USD and CDF figures of a close."""
    if usd.currency is not Currency.USD or cdf.currency is not Currency.CDF:
        raise CloseError("currency mismatch: expected the USD figures then the CDF figures")
    rate = parse_rate(rate)
    return CloseSummary(
        usd=usd,
        cdf=cdf,
        rate=rate,
        difference_usd_value=difference_usd_value(usd.difference, cdf.difference, rate),
        needs_approval=shortage_needs_approval(usd.difference, cdf.difference, max_shortage_usd, max_shortage_cdf),
        exchange_gain_usd=q2(to_decimal(exchange_gain_usd, field=N_("exchange gain/loss"))),
    )


# -- Inventory Posting: a batch counted at the close ------------------------------------


def read_count(text: str, unit: str | None) -> Decimal | None:
    """A counted quantity as typed (``497``, ``1,5`` or ``1.5`` KG): None when blank (not
    counted: no adjustment). Refused (:class:`CloseError`) when it is not a number, negative,
    or finer than the item's unit allows (a BOX is counted whole)."""
    if not (text or "").strip():
        return None
    try:
        qty = parse_qty(text, field=N_("Counted"))
    except MoneyError as exc:  # its message names the field and says why
        raise CloseError(str(exc)) from None
    why = check_qty_for_unit(qty, unit)
    if why:
        raise CloseError(why)
    return qty


def count_value(difference: Decimal, unit_cost: Decimal) -> Decimal:
    """The cost value of a counted difference, to the cent: −3 × 1.60 = −4.80."""
    return q2(difference * unit_cost)


def stock_short(on_hand: Decimal, counted: Decimal, unit_cost: Decimal) -> tuple[Decimal, Decimal]:
    """A counted batch's difference as a person reads it beside the cash's: (quantity, value at cost).

    The cash difference is ``closing − physical`` (expected − counted, + = short, DESIGN §5); the stock
    difference shown on the Inventory Posting tab and the printed close reads the same way:
    ``on hand − counted`` (+ = short, − = over). 500 on hand, 497 counted at 1.60: ``(3, 4.80)``.
    (What is stored and exported keeps the stock move's sign, ``counted − on hand``.)"""
    short = on_hand - counted
    return short, count_value(short, unit_cost)


def signed_qty(qty: Decimal) -> str:
    """``+3`` / ``-2`` / ``0``: a difference quantity with its sign (the language's number format)."""
    text = format_qty(qty)
    return f"+{text}" if qty > 0 else text
