"""Settling customer-ledger entries in the invoice's currency (DESIGN §7, §8).

A debit (an invoice: the customer owes us) is settled by credits (a payment, a
return, a receipt) **in the debit's own currency**: a credit in the other
currency is converted at the credit's own rate (the settlement's rate). So a
90,000 CDF payment against a 250,000 CDF invoice settles exactly 90,000 CDF
and leaves 160,000.00 CDF open, whatever the two rates.

Each entry gives up the *booked* USD of the part it settles (its share of its
open USD; all of it when the whole open amount goes). The debits' USD and the
credits' USD then differ by the exchange difference the voucher that settles
them books on 4200::

    invoice 250,000 CDF at 2,850 → booked 87.72 USD
    payment  90,000 CDF at 2,900 → booked 31.03 USD
    the invoice's booked USD of 90,000 CDF: q2(87.72 × 90,000 / 250,000) = 31.58
    exchange_usd = 31.58 − 31.03 = 0.55 (a loss: Dr 4200 0.55 / Cr 1200 0.55)

Entries are paired in the order given (the caller sorts them: fixed amounts
first, then oldest first), so the smaller side is used up and the larger side
settled partly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Sequence

from .money import Currency, q2

_Z = Decimal("0.00")

__all__ = ["OpenEntry", "Settlement", "booked_share", "convert_at", "settle"]


@dataclass(frozen=True, slots=True)
class OpenEntry:
    """One open ledger entry taking part in a settlement (magnitudes, not signs)."""

    key: int
    currency: Currency
    open_amount: Decimal  # what is open, in its currency
    open_usd: Decimal  # the booked USD of that open amount
    rate: Decimal  # CDF per USD of its document: the rate a settlement by it converts at
    limit: Decimal | None = None  # at most this much of it (its currency), e.g. a typed amount
    limit_usd: Decimal | None = None  # the USD that goes with ``limit`` when it is used in full

    @property
    def capacity(self) -> Decimal:
        return self.open_amount if self.limit is None else min(self.limit, self.open_amount)


@dataclass(frozen=True, slots=True)
class Settlement:
    """Per entry key: (amount in its currency, booked USD) settled; magnitudes."""

    debits: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)
    credits: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)

    @property
    def debit_usd(self) -> Decimal:
        return sum((u for _, u in self.debits.values()), _Z)

    @property
    def credit_usd(self) -> Decimal:
        return sum((u for _, u in self.credits.values()), _Z)

    @property
    def exchange_usd(self) -> Decimal:
        """Booked USD settled on the debits minus on the credits: + is an exchange loss, − a gain."""
        return self.debit_usd - self.credit_usd


def convert_at(amount: Decimal, frm: Currency, to: Currency, rate: Decimal) -> Decimal:
    """``amount`` of ``frm`` in ``to`` at ``rate`` (CDF per USD), to the cent."""
    if frm is to:
        return amount
    return q2(amount * rate) if to is Currency.CDF else q2(amount / rate)


def booked_share(part: Decimal, whole: Decimal, booked: Decimal) -> Decimal:
    """The booked USD of ``part`` out of ``whole`` (all of it when part == whole)."""
    if part >= whole:
        return booked
    if whole == 0:
        return _Z
    return q2(booked * part / whole)


def _usd_of(e: OpenEntry, taken: Decimal) -> Decimal:
    if e.limit is not None and e.limit_usd is not None and taken == e.limit:
        return e.limit_usd
    return booked_share(taken, e.open_amount, e.open_usd)


def settle(debits: Sequence[OpenEntry], credits: Sequence[OpenEntry]) -> Settlement:
    """Pair ``debits`` with ``credits`` in order, each debit settled in its own currency."""
    d_left = [d.capacity for d in debits]
    c_left = [c.capacity for c in credits]
    d_taken = [_Z] * len(debits)
    c_taken = [_Z] * len(credits)
    i = j = 0
    while i < len(debits) and j < len(credits):
        if d_left[i] <= 0:
            i += 1
            continue
        if c_left[j] <= 0:
            j += 1
            continue
        d, c = debits[i], credits[j]
        conv = convert_at(c_left[j], c.currency, d.currency, c.rate)
        if conv <= 0:  # less than a cent of the debit's currency: it settles nothing
            j += 1
            continue
        if conv <= d_left[i]:
            d_take, c_take = conv, c_left[j]
        else:
            d_take = d_left[i]
            c_take = min(convert_at(d_take, d.currency, c.currency, c.rate), c_left[j])
        d_left[i] -= d_take
        c_left[j] -= c_take
        d_taken[i] += d_take
        c_taken[j] += c_take
    out = Settlement()
    for e, t in zip(debits, d_taken):
        if t > 0:
            out.debits[e.key] = (t, _usd_of(e, t))
    for e, t in zip(credits, c_taken):
        if t > 0:
            out.credits[e.key] = (t, _usd_of(e, t))
    return out
