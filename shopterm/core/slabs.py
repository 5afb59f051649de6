"""Discount slabs: an automatic document discount chosen by invoice value.

A slab table is a list of rows ``from_value – to_value: pct`` (USD). When the
user gives no flat discount, the row whose range holds the document subtotal
in USD supplies the flat-discount percent (DESIGN §4 step 3). Ranges are
inclusive at both ends (``from ≤ subtotal ≤ to``); ``to_value=None`` means no
upper bound ("1000+").

Because ranges are typed as whole numbers (0–99, 100–499, …) a subtotal such
as 99.50 falls *between* two rows; it takes the lower row (0–99). A subtotal
below every row, or above the last bounded row, gets no slab (``None``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from shopterm.core.errors import SlabError, SlabOverlapError
from shopterm.core.i18n import N_, _
from shopterm.core.money import HUNDRED, format_amount, plain_number, to_decimal

__all__ = ["SlabRange", "SlabError", "SlabOverlapError", "validate_ranges", "slab_pct"]


@dataclass(frozen=True, slots=True)
class SlabRange:
    """One slab row: ``from_value ≤ subtotal ≤ to_value`` gives ``pct`` %."""

    from_value: Decimal
    to_value: Decimal | None
    pct: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "from_value", to_decimal(self.from_value, field=N_("from value")))
        if self.to_value is not None:
            object.__setattr__(self, "to_value", to_decimal(self.to_value, field=N_("to value")))
        object.__setattr__(self, "pct", to_decimal(self.pct, field=N_("discount %")))

    def holds(self, value: Decimal) -> bool:
        return self.from_value <= value and (self.to_value is None or value <= self.to_value)

    def label(self) -> str:
        upper = "" if self.to_value is None else format_amount(self.to_value)
        return f"{format_amount(self.from_value)}–{upper}" if upper else f"{format_amount(self.from_value)}+"


def validate_ranges(ranges: Sequence[SlabRange]) -> None:
    """Refuse a bad slab table. Row numbers in messages are 1-based, in input order.

    Checks: from ≥ 0, from ≤ to, 0 ≤ pct ≤ 100, and no two rows overlap
    (ranges are inclusive, so 0–100 and 100–499 overlap at 100).
    """
    for row, r in enumerate(ranges, start=1):
        if r.from_value < 0:
            raise SlabError(_("row {row}: the from value must not be negative ({from_value})").format(row=row, from_value=plain_number(r.from_value)))
        if r.to_value is not None and r.from_value > r.to_value:
            raise SlabError(
                _("row {row}: the from value {from_value} is above the to value {to_value}").format(row=row, from_value=format_amount(r.from_value), to_value=format_amount(r.to_value))
            )
        if not (0 <= r.pct <= HUNDRED):
            raise SlabError(_("row {row}: the discount must be between 0 and 100 % ({pct})").format(row=row, pct=plain_number(r.pct)))
    ordered = sorted(enumerate(ranges, start=1), key=lambda item: item[1].from_value)
    for (row_a, a), (row_b, b) in zip(ordered, ordered[1:]):
        if a.to_value is None or a.to_value >= b.from_value:
            first, second = sorted((row_a, row_b))
            raise SlabOverlapError(
                _("rows {first} and {second} overlap ({range} and {range2})").format(first=first, second=second, range=ranges[first - 1].label(), range2=ranges[second - 1].label())
            )


def slab_pct(ranges: Sequence[SlabRange], subtotal_usd: Decimal) -> Decimal | None:
    """The slab percent for a USD subtotal, or ``None`` when no row applies.

    The row holding the subtotal wins; a subtotal in a gap between two rows
    takes the lower row; below the first row or above the last bounded row
    there is no slab. The table is validated first.
    """
    subtotal_usd = to_decimal(subtotal_usd, field=N_("subtotal"))
    validate_ranges(ranges)
    below = [r for r in ranges if r.from_value <= subtotal_usd]
    if not below:
        return None
    lower = max(below, key=lambda r: r.from_value)
    if lower.holds(subtotal_usd):
        return lower.pct
    if any(r.from_value > subtotal_usd for r in ranges):
        return lower.pct  # in a gap between two rows: the lower one
    return None
