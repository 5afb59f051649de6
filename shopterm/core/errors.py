"""Errors raised by the pure business rules in :mod:`shopterm.core`.

Every error here is a :class:`~shopterm.core.money.MoneyError` and therefore a
:class:`ValueError`, so a caller may catch one type for "the input breaks a
rule". Messages are written for a cashier: they name the line, row or amount
to fix and never mention Python.
"""

from __future__ import annotations

from shopterm.core.money import MoneyError


class CoreError(MoneyError):
    """Base class: an input breaks a business rule."""


class AllocationError(CoreError):
    """An amount cannot be allocated over the given weights."""


class TotalsError(CoreError):
    """A document's lines or discounts cannot produce valid totals."""


class SlabError(CoreError):
    """A discount-slab table is invalid."""


class SlabOverlapError(SlabError):
    """Two discount-slab rows cover the same value."""


class PromotionError(CoreError):
    """A sales-promotion range table is invalid."""


class PromoOverlapError(PromotionError):
    """Two promotion ranges cover the same quantity."""


class ReceiptError(CoreError):
    """A sales receipt or refund cannot be computed from its inputs."""


class RefundExceedsDueError(ReceiptError):
    """More money is handed back than the refund due."""


class ExchangeError(CoreError):
    """A currency exchange cannot be computed from its inputs."""


class CloseError(CoreError):
    """Shop-close figures are invalid."""


class DenominationError(CloseError):
    """A cash count names an unknown note or a negative count."""


class LoyaltyError(CoreError):
    """A loyalty earn/redeem/reverse request is invalid."""


class InsufficientPointsError(LoyaltyError):
    """More points are requested than the customer holds."""


class RedemptionTooSoonError(LoyaltyError):
    """The card's redemption frequency has not elapsed yet."""


__all__ = [
    "AllocationError",
    "CloseError",
    "CoreError",
    "DenominationError",
    "ExchangeError",
    "InsufficientPointsError",
    "LoyaltyError",
    "MoneyError",
    "PromoOverlapError",
    "PromotionError",
    "ReceiptError",
    "RedemptionTooSoonError",
    "RefundExceedsDueError",
    "SlabError",
    "SlabOverlapError",
    "TotalsError",
]
