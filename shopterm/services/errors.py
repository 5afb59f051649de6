"""Business-rule errors.

One exception class per rule, each with a message a cashier understands and,
where it applies, the ``field`` to fix. Screens show ``message`` and focus
``field``; the CLI prints ``{"error": message, "field": field, "code": code}``.
Nothing here is a catch-all: code catches :class:`ShopError` only at the edge
(a screen, a CLI command), never to hide a rule.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from shopterm.core.i18n import _, format_date, localize_number


def render_message(message_id: str, params: dict[str, Any] | None) -> str:
    """``message_id`` in the current language with its parameters filled in.

    Numbers and dates among the parameters are written the reader's way, a
    Decimal with the places it has (``2 500,50`` and ``05/12/2026`` in French). Without parameters the id is only
    translated (a message already formatted by the caller stays as it is when the
    catalogue does not know it)."""
    text = _(message_id)
    if not params:
        return text
    shown = {key: _shown(value) for key, value in params.items()}
    try:
        return text.format(**shown)
    except (KeyError, IndexError, ValueError):
        return message_id.format(**shown)


def _shown(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        # grouped, with the places it has (2500.50 → 2,500.50 / 2 500,50; a rate 2.5 stays 2.5)
        if not value.is_finite() or abs(value.adjusted()) > 30:
            return str(value)
        return localize_number(f"{value:,f}")
    if isinstance(value, dt.date):
        return format_date(value)
    return value


class ShopError(Exception):
    """A rule was broken. ``message`` is read in the reader's language.

    Raise with a message id (the English text, with ``{named}`` fields) and its
    parameters, so the same error reads in French on a French screen and in
    English in an English shell::

        raise NotFound("Unknown customer {code}", field="customer", params={"code": code})

    ``message_id`` and ``params`` stay as raised (stable, for the JSON ``code`` /
    tests); ``message`` and ``str()`` render them in the current language."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, params: dict[str, Any] | None = None,
                 **details: object):
        self.message_id = message
        self.params = dict(params or {})
        super().__init__(message)
        self.field = field
        self.details = details

    @property
    def message(self) -> str:
        return render_message(self.message_id, self.params)

    def __str__(self) -> str:
        return self.message

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

    def __init__(self, message: str, *, seconds_left: int, params: dict[str, Any] | None = None):
        super().__init__(message, params=params)
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

    def __init__(self, message: str, *, matches: list[str] | tuple[str, ...] = (), field: str | None = "name",
                 params: dict[str, Any] | None = None):
        super().__init__(message, field=field, params=params)
        self.matches = tuple(matches)


class InUse(ShopError):
    """A record used in documents (or by other records) cannot be deleted: deactivate it instead."""

    code = "in_use"


class Cancelled(ShopError):
    """The user cancelled a long operation (Esc on its progress bar): nothing was written."""

    code = "cancelled"


class MailFailed(ShopError):
    """An email could not be sent (no server set, server unreachable, recipient refused, sign-in refused)."""

    code = "mail_failed"


class PrintFailed(ShopError):
    """The print command failed (not found, non-zero exit, timed out) or the print file could not be written."""

    code = "print_failed"


class ChainBroken(ShopError):
    """The books' hash chain does not match: a row was changed, added or removed outside shopterm."""

    code = "chain_broken"


class DatabaseBusy(ShopError):
    """Another program held the database's write lock past the busy timeout (SQLite's "database is
    locked"): nothing was written; trying again later works."""

    code = "busy"


class DatabaseFull(ShopError):
    """SQLite could not write for want of disk space ("database or disk is full"): nothing was written."""

    code = "disk_full"


class Interrupted(ShopError):
    """The person running a list stopped it (Ctrl+C) between two documents: the ones before it are
    posted, it and the rest are not."""

    code = "interrupted"
