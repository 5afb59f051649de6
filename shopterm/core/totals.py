"""Document totals for sales orders, proformas, invoices and returns (DESIGN §4).

Per line, in the document currency::

    gross           = q2(qty × price)
    discount_amount = q2(gross × discount% / 100)
    line_net        = gross − discount_amount − line_flat      (never negative)

Per document::

    subtotal  = Σ line_net
    flat      = q2(subtotal × pct / 100) | the amount | the slab percent
    shares    = allocate(flat, [line_net…])                     (add up to flat)
    line_tax  = q2((line_net − share) × tax_rate / 100)         (0 if exempt)
    net       = subtotal − flat + Σ line_tax

``net`` is expressed in both currencies at the document rate. A CDF document
is receivable in cash, so its receivable is ``net_cdf`` brought to the CDF cash
increment (``round_off_cdf`` is the adjustment). A USD document's receivable is
its net; the CDF rounding is still reported, for a customer paying in francs.
The loyalty redemption value (always USD) is deducted to give the payable.

Every amount is rounded once, half up, to the cent, at the step that names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from shopterm.core.allocation import allocate
from shopterm.core.errors import TotalsError
from shopterm.core.i18n import N_, _
from shopterm.core.money import (
    HUNDRED,
    ZERO,
    Currency,
    convert,
    format_amount,
    parse_rate,
    plain_number,
    q2,
    round_to_increment,
    to_decimal,
)
from shopterm.core.slabs import SlabRange
from shopterm.core.slabs import slab_pct as _slab_pct

__all__ = [
    "LineInput",
    "LineTotals",
    "DocumentTotals",
    "TotalsError",
    "FlatType",
    "compute_totals",
    "default_price",
    "DEFAULT_TAX_RATE",
]

FlatType = Literal["percent", "amount"]
FLAT_TYPES = ("percent", "amount")
DEFAULT_TAX_RATE = Decimal("16")


@dataclass(frozen=True, slots=True)
class LineInput:
    """One item line as typed: quantity, unit price and the line's discounts."""

    qty: Decimal
    price: Decimal
    discount_pct: Decimal = Decimal(0)
    flat_discount: Decimal = Decimal(0)
    tax_rate: Decimal = DEFAULT_TAX_RATE

    def __post_init__(self) -> None:
        for name in ("qty", "price", "discount_pct", "flat_discount", "tax_rate"):
            object.__setattr__(self, name, to_decimal(getattr(self, name), field=name))


@dataclass(frozen=True, slots=True)
class LineTotals:
    """The computed amounts of one line (document currency)."""

    gross: Decimal
    discount_amount: Decimal
    line_flat: Decimal
    line_net: Decimal
    flat_share: Decimal
    taxable: Decimal
    tax: Decimal

    @property
    def total(self) -> Decimal:
        """What the line contributes to the net: taxable + tax."""
        return self.taxable + self.tax


@dataclass(frozen=True, slots=True)
class DocumentTotals:
    """The footer of a sales document (amounts in the document currency unless named)."""

    lines: tuple[LineTotals, ...]
    total_qty: Decimal
    total_gross: Decimal
    total_discount: Decimal  # line % discounts + line flat discounts
    subtotal: Decimal
    flat_type: str | None  # "percent" | "amount" | None
    flat_pct: Decimal | None  # the percent used (typed or from the slab)
    flat_amount: Decimal
    flat_from_slab: bool
    tax: Decimal
    net: Decimal
    net_usd: Decimal
    net_cdf: Decimal
    round_off_cdf: Decimal  # round_to_increment(net_cdf) − net_cdf
    receivable: Decimal  # USD doc: net; CDF doc: net_cdf rounded to the increment
    receivable_usd: Decimal  # USD booked value of the receivable
    redemption_value: Decimal  # loyalty redemption, USD
    payable: Decimal  # receivable − redemption (document currency)
    payable_usd: Decimal
    payable_cdf: Decimal  # rounded to the CDF cash increment
    currency: Currency = Currency.USD
    rate: Decimal = Decimal(1)

    @property
    def net_sales(self) -> Decimal:
        """Sales revenue before tax: subtotal − flat discount (document currency)."""
        return self.subtotal - self.flat_amount


def compute_totals(
    lines: Sequence[LineInput],
    *,
    currency: Currency,
    rate: Decimal,
    flat_type: str | None = None,
    flat_value: Decimal | None = None,
    slab_pct: Decimal | None = None,
    tax_exempt: bool = False,
    cdf_increment: Decimal = Decimal("100"),
    redemption_value: Decimal = Decimal(0),
    slabs: Sequence[SlabRange] | None = None,
) -> DocumentTotals:
    """Compute every footer figure of a document (DESIGN §4).

    Flat discount: ``flat_type`` ``"percent"`` (``flat_value`` is the %) or
    ``"amount"`` (``flat_value`` is the amount in the document currency). When
    the user gives none (``flat_value`` is ``None``), the slab percent applies:
    ``slab_pct`` if the caller already chose it, or looked up in ``slabs`` with
    the subtotal in USD. An explicit 0 overrides the slab.

    Raises :class:`TotalsError` naming the line or field at fault.
    """
    currency = Currency.parse(currency)
    rate = parse_rate(rate)
    cdf_increment = to_decimal(cdf_increment, field=N_("CDF cash increment"))
    if cdf_increment <= 0:
        raise TotalsError("the CDF cash increment must be greater than zero")
    redemption_value = to_decimal(redemption_value, field=N_("redemption value"))
    if redemption_value < 0:
        raise TotalsError("the loyalty redemption value must not be negative")
    if slab_pct is not None:
        slab_pct = to_decimal(slab_pct, field=N_("slab discount %"))
    if flat_value is not None:
        flat_value = to_decimal(flat_value, field=N_("flat discount"))
    if flat_type is not None and flat_type not in FLAT_TYPES:
        raise TotalsError(_("flat discount type must be 'percent' or 'amount' (got {flat_type!r})").format(flat_type=flat_type))
    if flat_value is not None and flat_type is None:
        raise TotalsError("flat discount: choose a type (percent or amount)")
    if slab_pct is not None and slabs is not None:
        raise TotalsError("give either slab_pct or slabs, not both")

    # 1–2. Lines (each line's figures are remembered: a keystroke changes one line, and
    # the other lines' figures are not worked out again on every key).
    partial: list[tuple[Decimal, Decimal, Decimal, Decimal, Decimal]] = []
    for n, line in enumerate(lines, start=1):
        if not isinstance(line, LineInput):
            raise TotalsError(_("line {n}: expected a LineInput, got {kind}").format(n=n, kind=type(line).__name__))
        partial.append(_line_figures(n, line))

    subtotal = sum((p[3] for p in partial), Decimal("0.00"))

    # 3. Document flat discount.
    flat_pct: Decimal | None = None
    from_slab = False
    used_type: str | None = flat_type if flat_value is not None else None
    if flat_value is not None and flat_type == "percent":
        if not (0 <= flat_value <= HUNDRED):
            raise TotalsError(_("flat discount: a percentage must be between 0 and 100 ({flat_value})").format(flat_value=plain_number(flat_value)))
        flat_pct = flat_value
        flat_amount = q2(subtotal * flat_value / HUNDRED)
    elif flat_value is not None:  # amount
        if flat_value < 0:
            raise TotalsError(_("flat discount must not be negative ({flat_value})").format(flat_value=plain_number(flat_value)))
        if flat_value != q2(flat_value):
            raise TotalsError(_("flat discount: at most 2 decimal places ({flat_value})").format(flat_value=plain_number(flat_value)))
        flat_amount = flat_value
    else:
        if slabs is not None:
            slab_pct = _slab_pct(slabs, convert(subtotal, currency, Currency.USD, rate))
        if slab_pct is not None:
            if not (0 <= slab_pct <= HUNDRED):
                raise TotalsError(_("slab discount must be between 0 and 100 % ({slab_pct})").format(slab_pct=plain_number(slab_pct)))
            used_type, flat_pct, from_slab = "percent", slab_pct, True
            flat_amount = q2(subtotal * slab_pct / HUNDRED)
        else:
            flat_amount = Decimal("0.00")
    if flat_amount > subtotal:
        raise TotalsError(
            _("the flat discount {flat_amount} exceeds the subtotal {subtotal}").format(flat_amount=format_amount(flat_amount), subtotal=format_amount(subtotal))
        )

    # 4. Allocation; 5. tax.
    shares = allocate(flat_amount, [p[3] for p in partial])
    line_totals = [_line_totals(p, share, tax_exempt) for p, share in zip(partial, shares)]

    tax_total = sum((lt.tax for lt in line_totals), Decimal("0.00"))

    # 6. Net, both currencies, cash rounding, redemption.
    net = subtotal - flat_amount + tax_total
    net_usd = convert(net, currency, Currency.USD, rate)
    net_cdf = convert(net, currency, Currency.CDF, rate)
    rounded_cdf = round_to_increment(net_cdf, cdf_increment)
    round_off_cdf = rounded_cdf - net_cdf
    if currency is Currency.CDF:
        receivable = rounded_cdf
        receivable_usd = q2(rounded_cdf / rate)
        redemption_doc = convert(redemption_value, Currency.USD, Currency.CDF, rate)
    else:
        receivable = net
        receivable_usd = net
        redemption_doc = q2(redemption_value)
    payable = receivable - redemption_doc
    if payable < 0:
        raise TotalsError(
            _("the loyalty redemption ({redemption_doc} {currency}) exceeds the amount due ({receivable} {currency})").format(redemption_doc=format_amount(redemption_doc), currency=currency.value, receivable=format_amount(receivable))
        )
    payable_usd = convert(payable, currency, Currency.USD, rate)
    payable_cdf = round_to_increment(convert(payable, currency, Currency.CDF, rate), cdf_increment)

    return DocumentTotals(
        lines=tuple(line_totals),
        total_qty=sum((line.qty for line in lines), ZERO),
        total_gross=sum((p[0] for p in partial), Decimal("0.00")),
        total_discount=sum((p[1] + p[2] for p in partial), Decimal("0.00")),
        subtotal=subtotal,
        flat_type=used_type,
        flat_pct=flat_pct,
        flat_amount=flat_amount,
        flat_from_slab=from_slab,
        tax=tax_total,
        net=net,
        net_usd=net_usd,
        net_cdf=net_cdf,
        round_off_cdf=round_off_cdf,
        receivable=receivable,
        receivable_usd=receivable_usd,
        redemption_value=q2(redemption_value),
        payable=payable,
        payable_usd=payable_usd,
        payable_cdf=payable_cdf,
        currency=currency,
        rate=rate,
    )


@lru_cache(maxsize=4096)
def _line_figures(n: int, line: LineInput) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
    """Line ``n``'s gross, discount, flat, net and tax rate (steps 1–2; checked)."""
    _check_line(n, line)
    gross = q2(line.qty * line.price)
    discount_amount = q2(gross * line.discount_pct / HUNDRED)
    line_flat = q2(line.flat_discount)
    line_net = gross - discount_amount - line_flat
    if line_net < 0:
        raise TotalsError(_("line {n}: discounts exceed the gross amount").format(n=n))
    return gross, discount_amount, line_flat, line_net, line.tax_rate


@lru_cache(maxsize=4096)
def _line_totals(figures: tuple[Decimal, Decimal, Decimal, Decimal, Decimal], share: Decimal,
                 tax_exempt: bool) -> LineTotals:
    """A line's totals once its share of the flat discount is known (step 5)."""
    gross, discount_amount, line_flat, line_net, tax_rate = figures
    taxable = line_net - share
    tax = Decimal("0.00") if tax_exempt else q2(taxable * tax_rate / HUNDRED)
    return LineTotals(gross, discount_amount, line_flat, line_net, share, taxable, tax)


def _check_line(n: int, line: LineInput) -> None:
    if line.qty < 0:
        raise TotalsError(_("line {n}: the quantity must not be negative ({qty})").format(n=n, qty=plain_number(line.qty)))
    if line.price < 0:
        raise TotalsError(_("line {n}: the price must not be negative ({price})").format(n=n, price=plain_number(line.price)))
    if not (0 <= line.discount_pct <= HUNDRED):
        raise TotalsError(_("line {n}: the discount must be between 0 and 100 % ({discount_pct})").format(n=n, discount_pct=plain_number(line.discount_pct)))
    if line.flat_discount < 0:
        raise TotalsError(_("line {n}: the flat discount must not be negative ({flat_discount})").format(n=n, flat_discount=plain_number(line.flat_discount)))
    if not (0 <= line.tax_rate <= HUNDRED):
        raise TotalsError(_("line {n}: the tax rate must be between 0 and 100 % ({tax_rate})").format(n=n, tax_rate=plain_number(line.tax_rate)))


def default_price(
    base_price: Decimal,
    base_currency: Currency,
    doc_currency: Currency,
    rate: Decimal,
    additional_pct: Decimal = Decimal(0),
) -> Decimal:
    """The default unit price on a document (DESIGN §4 step 1).

    The price-list price (in ``base_currency``) is converted to the document
    currency at the document ``rate`` and loaded by the header's "Additional
    Price %"; the result is rounded once, half up, to the cent.
    """
    base_price = to_decimal(base_price, field=N_("price"))
    base_currency = Currency.parse(base_currency)
    doc_currency = Currency.parse(doc_currency)
    rate = parse_rate(rate)
    additional_pct = to_decimal(additional_pct, field=N_("additional price %"))
    if base_price < 0:
        raise TotalsError(_("the price must not be negative ({base_price})").format(base_price=plain_number(base_price)))
    if additional_pct < -HUNDRED:
        raise TotalsError(_("additional price % must not be below -100 ({additional_pct})").format(additional_pct=plain_number(additional_pct)))
    value = base_price
    if base_currency is not doc_currency:
        value = value * rate if base_currency is Currency.USD else value / rate
    return q2(value * (HUNDRED + additional_pct) / HUNDRED)
