"""How finely an item's quantity may be split: the item master's unit decides.

A measured unit — weight, volume, length, area — sells in fractions up to the
quantity scale (3 decimals: ``1.250`` KG). Every other unit counts whole things
(``BOX``, ``PCS``, ``ROLL``, ``BOTTLE``, ``STRIP``…): a box is whole, so
``1.5`` BOX is refused rather than taking half a box out of stock.
"""

from __future__ import annotations

from decimal import Decimal

from shopterm.core.i18n import _
from .money import format_qty

#: Units that may be split, with the spellings met in item masters (upper case).
MEASURED_UNITS = frozenset({
    "KG", "KGS", "KILO", "G", "GR", "GRM", "GRAM", "GRAMS", "MG", "LB", "LBS", "OZ", "T", "TON",
    "L", "LT", "LTR", "LITRE", "LITER", "LITRES", "LITERS", "ML", "CL", "DL", "GAL",
    "M", "MTR", "METRE", "METER", "METRES", "METERS", "CM", "MM", "KM", "FT", "IN", "YD",
    "M2", "SQM", "M3", "CBM",
})


def qty_places(unit: str | None) -> int:
    """Decimal places a quantity of ``unit`` may have: 3 for a measured unit, 0 otherwise."""
    return 3 if (unit or "").strip().upper().rstrip(".") in MEASURED_UNITS else 0


def check_qty_for_unit(qty: Decimal, unit: str | None) -> str | None:
    """None when ``qty`` suits ``unit``; else why not (``"1.5 is not a whole number of BOX (a BOX is counted whole)"``)."""
    if qty_places(unit) or qty == qty.to_integral_value():  # the quantity scale (3 dp) is checked on parsing
        return None
    shown = (unit or "").strip().upper() or _("unit")
    return _("{qty} is not a whole number of {unit} (a {unit} is counted whole)").format(qty=format_qty(qty), unit=shown)
