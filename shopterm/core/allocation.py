"""Allocation of an amount over weights, exact to the cent.

A document flat discount is spread over the lines in proportion to their
``line_net`` (DESIGN §4 step 4). Each exact share is rounded *down* to the
cent; the cents left over go, one each, to the shares with the largest
remainders (ties: the earlier index). The shares therefore add up exactly to
the total and none is negative.

The arithmetic is exact, in integers (each weight as its exact ratio over one
common denominator), so the result does not depend on the decimal context's
precision: share i is ⌊cents × wᵢ / Σw⌋ and its remainder (cents × wᵢ) mod Σw,
the same figures and order as with fractions, several times cheaper.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from shopterm.core.errors import AllocationError
from shopterm.core.i18n import N_, _
from shopterm.core.money import CENT, plain_number, to_decimal

__all__ = ["allocate", "AllocationError"]


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` (at most 2 dp, not negative) over ``weights`` (each ≥ 0).

    >>> allocate(Decimal("2.52"), [Decimal("22.50"), Decimal("22.97"), Decimal("5.00")])
    [Decimal('1.12'), Decimal('1.15'), Decimal('0.25')]

    All-zero (or no) weights are only accepted with a zero total: every share
    is then zero. A positive total with nothing to carry it is an error.
    """
    total = to_decimal(total, field=N_("total"))
    ws = [to_decimal(w, field=f"weight {i + 1}") for i, w in enumerate(weights)]
    if total < 0:
        raise AllocationError(_("cannot allocate a negative amount ({total})").format(total=plain_number(total)))
    if total != total.quantize(CENT):
        raise AllocationError(_("cannot allocate {total}: at most 2 decimal places").format(total=plain_number(total)))
    for i, w in enumerate(ws):
        if w < 0:
            raise AllocationError(_("weight {n} is negative ({w})").format(n=i + 1, w=plain_number(w)))
    cents = int(total / CENT)
    if cents == 0:  # nothing to share (no flat discount: every keystroke of a document)
        return [Decimal("0.00") for _ in ws]
    ratios = [w.as_integer_ratio() for w in ws]  # exact: w = n / d, d a product of 2s and 5s
    common = math.lcm(*(d for _n, d in ratios)) if ratios else 1
    scaled = [n * (common // d) for n, d in ratios]  # the weights over one denominator, as integers
    weight_sum = sum(scaled)
    if weight_sum == 0:
        if cents:
            raise AllocationError(_("cannot allocate {total}: there is nothing to allocate it to").format(total=plain_number(total)))
        return [Decimal("0.00") for _ in ws]

    parts = [divmod(cents * w, weight_sum) for w in scaled]  # (share in cents rounded down, remainder)
    floors = [q for q, _r in parts]
    leftover = cents - sum(floors)
    # Largest remainder first; equal remainders keep index order (stable sort).
    order = sorted(range(len(ws)), key=lambda i: parts[i][1], reverse=True)
    for i in order[:leftover]:
        floors[i] += 1
    return [(Decimal(n) * CENT) for n in floors]
