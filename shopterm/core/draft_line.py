"""One line of a sales document as it was typed: what the item grid hands over.

The grid (a widget), the screens, the headless JSON and the services all speak
of a typed line the same way, so its shape lives here, below every one of them:
codes, not ids; numbers as the ``Decimal`` or the text typed. The services'
:class:`~shopterm.services.documents.drafts.DocumentDraft` holds a list of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["DraftLine", "Number", "is_blank_value"]

Number = Decimal | str | int | None


@dataclass(slots=True)
class DraftLine:
    """One grid row. ``price=None`` takes the price list; ``batch=None`` the batch that expires first."""

    item: str = ""
    batch: str | None = None
    qty: Number = None
    price: Number = None
    discount_pct: Number = None  # None: the customer's default line discount (0 for most)
    flat_discount: Number = "0"

    def is_blank(self) -> bool:
        """An untouched grid row (no item, no quantity): ignored."""
        return not (self.item or "").strip() and is_blank_value(self.qty) and is_blank_value(self.price)


def is_blank_value(value: object) -> bool:
    """Nothing typed: None or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())
