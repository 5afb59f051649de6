"""Business-rule errors.

One exception class per rule, each with a message a cashier understands and,
where it applies, the ``field`` to fix. Screens show ``message`` and focus
``field``; the CLI prints ``{"error": message, "field": field, "code": code}``.
Nothing here is a catch-all: code catches :class:`ShopError` only at the edge
(a screen, a CLI command), never to hide a rule.
"""

from __future__ import annotations


class ShopError(Exception):
    code = "error"

    def __init__(self, message: str, *, field: str | None = None, **details: object):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def as_dict(self) -> dict:
        out: dict = {"error": self.message, "code": self.code}
        if self.field:
            out["field"] = self.field
        return out


class ValidationError(ShopError):
    code = "invalid"


class NotFound(ShopError):
    code = "not_found"


class Duplicate(ShopError):
    code = "duplicate"


class InactiveRecord(ShopError):
    code = "inactive"


class AuthError(ShopError):
    code = "auth"


class LockedOut(AuthError):
    code = "locked_out"

    def __init__(self, message: str, *, seconds_left: int):
        super().__init__(message)
        self.seconds_left = seconds_left


class PermissionDenied(ShopError):
    code = "permission"


class ApprovalRequired(ShopError):
    """The operation may go ahead with a manager's approval (name + PIN)."""

    code = "approval_required"


class ApprovalDenied(ShopError):
    code = "approval_denied"


class SetupMissing(ShopError):
    code = "setup_missing"


class DayNotOpen(ShopError):
    code = "day_not_open"


class DayClosed(ShopError):
    code = "day_closed"


class DayAlreadyOpen(ShopError):
    code = "day_already_open"


class PreviousDayOpen(ShopError):
    code = "previous_day_open"


class InsufficientStock(ShopError):
    code = "insufficient_stock"


class ExpiredBatch(ShopError):
    code = "expired_batch"


class CreditLimitExceeded(ApprovalRequired):
    code = "credit_limit"


class ShortageAboveTolerance(ApprovalRequired):
    code = "shortage"


class PriceNeedsApproval(ApprovalRequired):
    """A zero price, a price below the item's cost, or lines that come to a zero payable."""

    code = "price_approval"


class RateNeedsApproval(ApprovalRequired):
    """A document rate further from the system rate than Shop Setup's tolerance."""

    code = "rate_approval"


class InsufficientCash(ShopError):
    code = "insufficient_cash"


class PostedIsFinal(ShopError):
    code = "posted"


class UnbalancedJournal(ShopError):
    code = "unbalanced"


class PossibleDuplicate(ShopError):
    """A new customer whose name or phone matches existing ones: confirm to create anyway.

    ``matches`` lists the codes of the customers that look the same.
    """

    code = "possible_duplicate"

    def __init__(self, message: str, *, matches: list[str] | tuple[str, ...] = (), field: str | None = "name"):
        super().__init__(message, field=field)
        self.matches = tuple(matches)


class InUse(ShopError):
    """A record used in documents (or by other records) cannot be deleted: deactivate it instead."""

    code = "in_use"


class PrintFailed(ShopError):
    """The print command failed (not found, non-zero exit, timed out) or the print file could not be written."""

    code = "print_failed"


class ChainBroken(ShopError):
    """The books' hash chain does not match: a row was changed, added or removed outside shopterm."""

    code = "chain_broken"
