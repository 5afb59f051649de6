"""Sales Receipt / Refund: cash in two currencies against one invoice (DESIGN §7).

The customer pays an invoice's open amount with US dollars, Congolese francs,
or both, at the receipt rate ("Recu Taux", CDF per USD). Everything is compared
in francs at the receipt rate, because change is given in francs:

* ``due_cdf``      — the open amount in CDF at the receipt rate (exact, 2 dp);
* ``invoice_cdf``  — ``due_cdf`` brought to the CDF cash increment (shown);
* ``received``     — ``received_cdf + q2(received_usd × rate)``.

**Settled or not.** What is left, ``due_cdf − received``, is brought to the
increment. If that is zero (the remainder is below half an increment — e.g.
the 49 CDF of the DESIGN §4 example — or the customer overpaid), or if the
money received covers the open amount in the invoice's own currency, the
invoice is fully settled and the remainder is written off to round off.
Otherwise the receipt is a partial payment and the rest stays open: a USD
invoice is settled by ``received_usd + q2(received_cdf / rate)`` dollars, a CDF
invoice by the francs received.

**Change.** ``floor_to_increment(received − invoice_cdf)`` in CDF: the shop
never hands out more than it owes; a surplus below the increment (paid 6,150
too much, 6,100 given) is kept as a round-off gain.

**Journal (USD).** Post the *net* till movement per currency: Dr cash USD
``cash_usd_in``; Dr (or Cr) cash CDF ``cash_cdf_in`` valued at
``q2(cash_cdf_in / rate)``; Cr receivable ``settled_usd`` (the invoice's booked
USD for the part settled); then exchange gain/loss ``exchange_diff_usd`` (the
settled amount valued at the receipt rate against its booked USD) and round
off ``round_off_usd`` (everything else: the sub-increment remainders). Gains
are positive (credits). By construction::

    cash_usd_in + q2(cash_cdf_in / rate) == settled_usd + exchange_diff_usd + round_off_usd

A refund (after a sales return) is the mirror image: nothing is received, the
refund is handed out, and the receivable is debited.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shopterm.core.errors import ReceiptError, RefundExceedsDueError
from shopterm.core.i18n import N_, _
from shopterm.core.money import (
    ZERO,
    Currency,
    floor_to_increment,
    format_amount,
    parse_amount,
    parse_rate,
    q2,
    round_to_increment,
    to_decimal,
)

__all__ = [
    "ReceiptCalc",
    "RefundCalc",
    "ReceiptError",
    "RefundExceedsDueError",
    "receipt",
    "refund",
]

_Z = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class ReceiptCalc:
    """The footer of a Sales Receipt and the figures its journal needs."""

    invoice_cdf: Decimal  # open amount in CDF at the receipt rate, rounded to the increment
    invoice_usd: Decimal  # open amount in USD at the receipt rate
    taux_difference: Decimal  # receipt rate − invoice rate
    received_total_cdf: Decimal  # received_cdf + q2(received_usd × rate)
    returned_cdf: Decimal  # change given in CDF (multiple of the increment)
    returned_usd: Decimal  # change given in USD (0 unless change_in=USD)
    balance_cdf: Decimal  # still open after this receipt, CDF (rounded to the increment)
    balance_usd: Decimal  # still open after this receipt, USD
    settled_amount: Decimal  # part of the open amount settled, invoice currency
    settled_usd: Decimal  # booked USD of the receivable settled
    cash_usd_in: Decimal  # net till movement, USD
    cash_cdf_in: Decimal  # net till movement, CDF (negative when change exceeds CDF received)
    exchange_diff_usd: Decimal  # + gain / − loss
    round_off_usd: Decimal  # + gain / − loss
    fully_settled: bool
    invoice_currency: Currency = Currency.USD
    rate: Decimal = Decimal(1)
    received_usd: Decimal = _Z
    received_cdf: Decimal = _Z

    @property
    def cash_value_usd(self) -> Decimal:
        """The till movement valued in USD, as the journal posts it."""
        return self.cash_usd_in + q2(self.cash_cdf_in / self.rate)


@dataclass(frozen=True, slots=True)
class RefundCalc:
    """A cash refund to the customer after a sales return."""

    refund_due: Decimal  # the return's open credit, in its currency
    refund_usd: Decimal  # refund_due in USD at the refund rate
    refund_cdf: Decimal  # refund_due in CDF at the refund rate, rounded to the increment
    returned_usd: Decimal
    returned_cdf: Decimal
    returned_total_cdf: Decimal  # returned_cdf + q2(returned_usd × rate)
    balance_usd: Decimal  # credit still owed to the customer, USD
    balance_cdf: Decimal  # the same in CDF, rounded to the increment
    settled_amount: Decimal  # part of the credit refunded, return currency
    settled_usd: Decimal  # booked USD of the credit refunded (Dr receivable)
    cash_usd_in: Decimal  # ≤ 0: USD leaving the till
    cash_cdf_in: Decimal  # ≤ 0: CDF leaving the till
    exchange_diff_usd: Decimal  # + gain / − loss
    round_off_usd: Decimal  # + gain / − loss
    fully_settled: bool
    refund_currency: Currency = Currency.USD
    rate: Decimal = Decimal(1)
    received_usd: Decimal = _Z  # always 0 on a refund
    received_cdf: Decimal = _Z

    @property
    def cash_value_usd(self) -> Decimal:
        return self.cash_usd_in + q2(self.cash_cdf_in / self.rate)


def _settlement(settled_amount: Decimal, settled_usd: Decimal, cash_usd_in: Decimal, cash_cdf_in: Decimal,
                exchange_diff_usd: Decimal, round_off_usd: Decimal, fully: bool) -> dict:
    """The figures a receipt and a refund both give: what is settled, the till movement, the differences."""
    return dict(settled_amount=settled_amount, settled_usd=settled_usd, cash_usd_in=cash_usd_in,
                cash_cdf_in=cash_cdf_in, exchange_diff_usd=exchange_diff_usd, round_off_usd=round_off_usd,
                fully_settled=fully)


def _increment(value: object, field: str) -> Decimal:
    d = to_decimal(value, field=field)
    if d <= 0:
        raise ReceiptError(_("{field} must be greater than zero").format(field=_(field)))
    return d


def _in_cdf(amount: Decimal, ccy: Currency, rate: Decimal) -> Decimal:
    return amount if ccy is Currency.CDF else q2(amount * rate)


def _in_usd(amount: Decimal, ccy: Currency, rate: Decimal) -> Decimal:
    return amount if ccy is Currency.USD else q2(amount / rate)


def _booked_share(part: Decimal, whole: Decimal, booked: Decimal) -> Decimal:
    """Booked USD of ``part`` out of ``whole`` (all of it when part == whole)."""
    if part == whole:
        return booked
    return q2(booked * part / whole)


def receipt(
    invoice_currency: Currency,
    open_amount: Decimal,
    open_usd: Decimal,
    rate: Decimal,
    invoice_rate: Decimal,
    received_usd: Decimal = Decimal(0),
    received_cdf: Decimal = Decimal(0),
    cdf_increment: Decimal = Decimal("100"),
    *,
    change_in: Currency = Currency.CDF,
    usd_increment: Decimal = Decimal("0.01"),
) -> ReceiptCalc:
    """Compute a Sales Receipt against an invoice's open amount.

    ``open_amount`` is what the invoice still owes, in its own currency;
    ``open_usd`` is that open amount's booked USD (its share of the invoice's
    receivable at the invoice rate). ``rate`` is the receipt rate.
    Change is given in CDF unless ``change_in=Currency.USD`` (then it is
    the USD surplus floored to ``usd_increment``).
    """
    ccy = Currency.parse(invoice_currency)
    change_in = Currency.parse(change_in)
    open_amount = q2(parse_amount(open_amount, field=N_("invoice open amount")))
    open_usd = q2(parse_amount(open_usd, field=N_("invoice open amount (USD)")))
    rate = parse_rate(rate, field=N_("receipt rate"))
    invoice_rate = parse_rate(invoice_rate, field=N_("invoice rate"))
    received_usd = q2(parse_amount(received_usd, field=N_("USD received")))
    received_cdf = q2(parse_amount(received_cdf, field=N_("CDF received")))
    inc = _increment(cdf_increment, "the CDF cash increment")
    usd_inc = _increment(usd_increment, "the USD cash increment")
    if open_amount == 0:
        raise ReceiptError("this invoice has nothing left to pay")

    due_cdf = _in_cdf(open_amount, ccy, rate)
    invoice_cdf = round_to_increment(due_cdf, inc)
    invoice_usd = _in_usd(open_amount, ccy, rate)
    received_total_cdf = received_cdf + q2(received_usd * rate)

    remaining_cdf = due_cdf - received_total_cdf
    # What the money received pays off, in the invoice's currency.
    paid = received_usd + q2(received_cdf / rate) if ccy is Currency.USD else received_total_cdf
    returned_cdf = returned_usd = _Z
    if round_to_increment(remaining_cdf, inc) <= 0 or paid >= open_amount:
        fully = True
        settled_amount, settled_usd = open_amount, open_usd
        balance_cdf = balance_usd = _Z
        if change_in is Currency.CDF:
            surplus = received_total_cdf - invoice_cdf
            returned_cdf = floor_to_increment(surplus, inc) if surplus > 0 else _Z
        else:
            surplus_usd = received_usd + received_cdf / rate - invoice_usd
            returned_usd = floor_to_increment(surplus_usd, usd_inc) if surplus_usd > 0 else _Z
    else:
        fully = False
        settled_amount = paid
        settled_usd = _booked_share(settled_amount, open_amount, open_usd)
        remaining = open_amount - settled_amount
        balance_usd = _in_usd(remaining, ccy, rate)
        balance_cdf = round_to_increment(remaining_cdf, inc)

    cash_usd_in = received_usd - returned_usd
    cash_cdf_in = received_cdf - returned_cdf
    settled_at_rate = _in_usd(settled_amount, ccy, rate)
    exchange_diff_usd = settled_at_rate - settled_usd
    round_off_usd = cash_usd_in + q2(cash_cdf_in / rate) - settled_at_rate

    return ReceiptCalc(
        invoice_cdf=invoice_cdf,
        invoice_usd=invoice_usd,
        taux_difference=rate - invoice_rate,
        received_total_cdf=received_total_cdf,
        returned_cdf=returned_cdf,
        returned_usd=returned_usd,
        balance_cdf=balance_cdf,
        balance_usd=balance_usd,
        **_settlement(settled_amount, settled_usd, cash_usd_in, cash_cdf_in, exchange_diff_usd, round_off_usd, fully),
        invoice_currency=ccy,
        rate=rate,
        received_usd=received_usd,
        received_cdf=received_cdf,
    )


def refund(
    return_amount: Decimal,
    return_currency: Currency,
    rate: Decimal,
    returned_usd: Decimal = Decimal(0),
    returned_cdf: Decimal = Decimal(0),
    *,
    return_usd: Decimal | None = None,
    cdf_increment: Decimal = Decimal("100"),
) -> RefundCalc:
    """Compute a cash refund of a sales return's open credit.

    On screen the Received column is 0 and Returned holds the refund. The
    value handed out may not exceed the refund due: in CDF terms, the due
    amount or, if higher, the due amount brought to the cash increment (so
    156,351 CDF due may be paid with 156,400); when only dollars are handed
    out, the due amount in USD. Handing out less leaves the rest owed to the
    customer, unless it is below half an increment (written off).

    ``return_usd`` is the booked USD of the open credit (default: its value
    at ``rate``, i.e. no exchange difference).
    """
    ccy = Currency.parse(return_currency)
    return_amount = q2(parse_amount(return_amount, field=N_("refund due")))
    rate = parse_rate(rate, field=N_("refund rate"))
    returned_usd = q2(parse_amount(returned_usd, field=N_("USD returned")))
    returned_cdf = q2(parse_amount(returned_cdf, field=N_("CDF returned")))
    inc = _increment(cdf_increment, "the CDF cash increment")
    if return_amount == 0:
        raise ReceiptError("this return has nothing left to refund")
    booked = (
        _in_usd(return_amount, ccy, rate)
        if return_usd is None
        else q2(parse_amount(return_usd, field=N_("refund due (USD)")))
    )

    due_cdf = _in_cdf(return_amount, ccy, rate)
    refund_cdf = round_to_increment(due_cdf, inc)
    refund_usd = _in_usd(return_amount, ccy, rate)
    returned_total_cdf = returned_cdf + q2(returned_usd * rate)

    if returned_cdf == 0 and returned_usd > 0:
        if returned_usd > refund_usd:
            raise RefundExceedsDueError(
                _("the amount returned ({returned} USD) exceeds the refund due ({refund} USD)").format(returned=format_amount(returned_usd), refund=format_amount(refund_usd))
            )
    elif returned_total_cdf > max(refund_cdf, due_cdf):
        raise RefundExceedsDueError(
            _("the amount returned ({returned} CDF) exceeds the refund due ({refund} CDF)").format(returned=format_amount(returned_total_cdf), refund=format_amount(max(refund_cdf, due_cdf)))
        )

    remaining_cdf = due_cdf - returned_total_cdf
    paid = returned_usd + q2(returned_cdf / rate) if ccy is Currency.USD else returned_total_cdf
    if round_to_increment(remaining_cdf, inc) <= 0 or paid >= return_amount:
        fully = True
        settled_amount, settled_usd = return_amount, booked
        balance_cdf = balance_usd = _Z
    else:
        fully = False
        settled_amount = paid
        settled_usd = _booked_share(settled_amount, return_amount, booked)
        balance_usd = _in_usd(return_amount - settled_amount, ccy, rate)
        balance_cdf = round_to_increment(remaining_cdf, inc)

    cash_usd_in = ZERO - returned_usd
    cash_cdf_in = ZERO - returned_cdf
    settled_at_rate = _in_usd(settled_amount, ccy, rate)
    # The credit was booked at settled_usd; paying it out at a lower value is a gain.
    exchange_diff_usd = settled_usd - settled_at_rate
    round_off_usd = settled_at_rate - (returned_usd + q2(returned_cdf / rate))

    return RefundCalc(
        refund_due=return_amount,
        refund_usd=refund_usd,
        refund_cdf=refund_cdf,
        returned_usd=returned_usd,
        returned_cdf=returned_cdf,
        returned_total_cdf=returned_total_cdf,
        balance_usd=balance_usd,
        balance_cdf=balance_cdf,
        **_settlement(settled_amount, settled_usd, cash_usd_in, cash_cdf_in, exchange_diff_usd, round_off_usd, fully),
        refund_currency=ccy,
        rate=rate,
    )
