"""Loyalty points: earn on sales, redeem for money off, reverse on returns.

A loyalty card (DESIGN §9) says how many USD of sales earn one point
(``amount_per_point``, per customer category), what one point is worth when
redeemed (``value_per_point``, USD) and how many days must pass between two
redemptions (``frequency_days``). The demo card "Standard": 10 USD per point,
1 point = 0.10 USD, every 30 days.

* Points earned are whole points, rounded down: 54.86 USD earns 5 points.
* A return takes back the points the invoice no longer earns: the invoice keeps
  what the net left after all its returns earns, ``floor(left / amount per
  point)`` (:func:`points_kept`), never more than it earned. 198.04 USD earned
  19 points; 7.42 USD returned leaves 190.62 USD, still 19 points: none is
  taken back. When the card's terms are no longer those the invoice earned by,
  in proportion to the returned net, rounded half up (:func:`points_reversed`).
* A redemption may use at most the points held, and only when
  ``frequency_days`` have passed since the last one.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from shopterm.core.errors import InsufficientPointsError, LoyaltyError, RedemptionTooSoonError
from shopterm.core.i18n import N_, _, format_date, ngettext
from shopterm.core.money import MoneyError, plain_number, q2, to_decimal

__all__ = [
    "LoyaltyError",
    "InsufficientPointsError",
    "RedemptionTooSoonError",
    "points_earned",
    "redemption_value",
    "check_redemption",
    "next_redemption_date",
    "points_kept",
    "points_reversed",
]


def _points(value: object, field: str) -> int:
    if isinstance(value, float):
        raise MoneyError(_("{field}: floats are not accepted (got {value!r})").format(field=_(field), value=value))
    if isinstance(value, bool) or not isinstance(value, int):
        raise LoyaltyError(_("{field}: points must be a whole number (got {value!r})").format(field=_(field), value=value))
    if value < 0:
        raise LoyaltyError(_("{field}: points must not be negative ({value})").format(field=_(field), value=value))
    return value


def points_earned(sales_amount_usd: Decimal, amount_per_point: Decimal) -> int:
    """Whole points earned on a sale: ``floor(sales / amount_per_point)``."""
    sales = to_decimal(sales_amount_usd, field=N_("sales amount"))
    per_point = to_decimal(amount_per_point, field=N_("sales amount per point"))
    if per_point <= 0:
        raise LoyaltyError("the sales amount per point must be greater than zero")
    if sales < 0:
        raise LoyaltyError(_("the sales amount must not be negative ({sales})").format(sales=plain_number(sales)))
    return int((sales / per_point).to_integral_value(rounding=ROUND_FLOOR))


def redemption_value(points: int, value_per_point: Decimal) -> Decimal:
    """USD value of redeeming ``points``: ``q2(points × value_per_point)``."""
    points = _points(points, "points")
    value = to_decimal(value_per_point, field=N_("value per point"))
    if value < 0:
        raise LoyaltyError(_("the value per point must not be negative ({value})").format(value=plain_number(value)))
    return q2(points * value)


def next_redemption_date(last_redemption_date: date | None, frequency_days: int | None) -> date | None:
    """First date a redemption is allowed again (``None``: any date)."""
    if last_redemption_date is None or not frequency_days:
        return None
    return last_redemption_date + timedelta(days=_points(frequency_days, "redemption frequency (days)"))


def check_redemption(
    points_requested: int,
    points_held: int,
    last_redemption_date: date | None,
    today: date,
    frequency_days: int | None,
) -> None:
    """Refuse a redemption that asks for too many points or comes too soon.

    Raises :class:`InsufficientPointsError` ("only 12 points held") or
    :class:`RedemptionTooSoonError` ("points can be redeemed again on
    2026-12-20"). Returns ``None`` when the redemption is allowed.
    """
    requested = _points(points_requested, "points requested")
    held = _points(points_held, "points held")
    if requested == 0:
        raise LoyaltyError("enter the number of points to redeem")
    if requested > held:
        raise InsufficientPointsError(ngettext("only {held} point held", "only {held} points held", held).format(held=held))
    allowed_from = next_redemption_date(last_redemption_date, frequency_days)
    if allowed_from is not None and today < allowed_from:
        raise RedemptionTooSoonError(_("points can be redeemed again on {allowed_from}").format(allowed_from=format_date(allowed_from)))


def points_reversed(points_earned: int, returned_net: Decimal, original_net: Decimal) -> int:
    """Points taken back by a return: ``round_half_up(earned × returned / original)``, ≤ earned."""
    earned = _points(points_earned, "points earned")
    returned = to_decimal(returned_net, field=N_("returned amount"))
    original = to_decimal(original_net, field=N_("invoice amount"))
    if returned < 0:
        raise LoyaltyError(_("the returned amount must not be negative ({returned})").format(returned=plain_number(returned)))
    if earned == 0 or returned == 0:
        return 0
    if original <= 0:
        raise LoyaltyError("the invoice amount must be greater than zero to reverse points")
    share = (Decimal(earned) * returned / original).to_integral_value(rounding=ROUND_HALF_UP)
    return min(earned, int(share))


def points_kept(earned: int, net_left: Decimal, amount_per_point: Decimal) -> int:
    """Points an invoice keeps once part of it is returned: what the net left earns, at most ``earned``."""
    earned = _points(earned, "points earned")
    left = to_decimal(net_left, field=N_("amount left"))
    if left < 0:
        raise LoyaltyError(_("the amount left must not be negative ({left})").format(left=plain_number(left)))
    return min(earned, points_earned(left, amount_per_point))
