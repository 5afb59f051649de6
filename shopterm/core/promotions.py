"""Sales promotions: free goods by quantity range.

A promotion scheme for an item is a table of quantity ranges, each giving a
free quantity ("buy 10–20, get 1 free"). Ranges are inclusive at both ends
(``min_qty ≤ qty ≤ max_qty``); ``max_qty=None`` means no upper bound. A
quantity outside every range earns nothing; there is no "lower range"
fallback as there is for discount slabs, because a promotion tier is a
promise for exactly the quantities it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from shopterm.core.errors import PromoOverlapError, PromotionError
from shopterm.core.i18n import N_, _
from shopterm.core.money import format_qty, plain_number, to_decimal

__all__ = ["PromoRange", "PromotionError", "PromoOverlapError", "validate_ranges", "free_qty"]


@dataclass(frozen=True, slots=True)
class PromoRange:
    """Selling ``min_qty`` to ``max_qty`` (inclusive) gives ``free_qty`` free."""

    min_qty: Decimal
    max_qty: Decimal | None
    free_qty: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "min_qty", to_decimal(self.min_qty, field=N_("minimum qty")))
        if self.max_qty is not None:
            object.__setattr__(self, "max_qty", to_decimal(self.max_qty, field=N_("maximum qty")))
        object.__setattr__(self, "free_qty", to_decimal(self.free_qty, field=N_("free qty")))

    def holds(self, qty: Decimal) -> bool:
        return self.min_qty <= qty and (self.max_qty is None or qty <= self.max_qty)

    def label(self) -> str:
        if self.max_qty is None:
            return f"{format_qty(self.min_qty)}+"
        return f"{format_qty(self.min_qty)}–{format_qty(self.max_qty)}"


def validate_ranges(ranges: Sequence[PromoRange]) -> None:
    """Refuse a bad range table (row numbers 1-based, in input order).

    Checks: min ≥ 0, min ≤ max, free ≥ 0, and no two ranges share a quantity.
    """
    for row, r in enumerate(ranges, start=1):
        if r.min_qty < 0:
            raise PromotionError(_("row {row}: the minimum qty must not be negative ({min_qty})").format(row=row, min_qty=plain_number(r.min_qty)))
        if r.max_qty is not None and r.min_qty > r.max_qty:
            raise PromotionError(
                _("row {row}: the minimum qty {min_qty} is above the maximum qty {max_qty}").format(row=row, min_qty=format_qty(r.min_qty), max_qty=format_qty(r.max_qty))
            )
        if r.free_qty < 0:
            raise PromotionError(_("row {row}: the free qty must not be negative ({free_qty})").format(row=row, free_qty=plain_number(r.free_qty)))
    ordered = sorted(enumerate(ranges, start=1), key=lambda item: item[1].min_qty)
    for (row_a, a), (row_b, b) in zip(ordered, ordered[1:]):
        if a.max_qty is None or a.max_qty >= b.min_qty:
            first, second = sorted((row_a, row_b))
            raise PromoOverlapError(
                _("rows {first} and {second} overlap ({range} and {range2})").format(first=first, second=second, range=ranges[first - 1].label(), range2=ranges[second - 1].label())
            )


def free_qty(ranges: Sequence[PromoRange], qty: Decimal) -> Decimal:
    """The free quantity for selling ``qty``: the range holding it, else 0."""
    qty = to_decimal(qty, field=N_("qty"))
    validate_ranges(ranges)
    for r in ranges:
        if r.holds(qty):
            return r.free_qty
    return Decimal(0)
