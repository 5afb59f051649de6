"""Journal lines and the one rule every voucher obeys: it balances in USD.

A :class:`JLine` is one debit (positive) or credit (negative) on an account,
given by its code. Its USD amount is what the books keep; ``currency`` and
``amount`` record the transaction currency, so the CDF cash account keeps an
exact CDF balance (DESIGN §3). Lines on the receivable account carry the
customer, which makes them customer-ledger entries (DESIGN §8).

Default chart of accounts (DESIGN §7) is :data:`DEFAULT_CHART`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Iterable, Sequence

from .i18n import N_, _
from .money import Currency, MoneyError, plain_number, q2

CASH_USD = "1100"
CASH_CDF = "1110"
BANK_CLEARING = "1150"  # bank / mobile money / cheques received, before they reach the bank
RECEIVABLE = "1200"
INVENTORY = "1300"
HEAD_OFFICE = "1900"
VAT = "2100"
SALES = "4000"
SALES_RETURNS = "4010"
ROUND_OFF = "4100"
EXCHANGE = "4200"
COGS = "5000"
SHRINKAGE = "5100"
COMMISSION = "6100"
PROMOTION = "6200"
LOYALTY = "6300"
SHOP_EXPENSES = "6400"
SHORTAGE = "6900"
OPENING_EQUITY = "3000"

#: (code, name, kind, cash currency)
DEFAULT_CHART: tuple[tuple[str, str, str, str | None], ...] = (
    (CASH_USD, N_("Cash USD"), "asset", "USD"),
    (CASH_CDF, N_("Cash CDF"), "asset", "CDF"),
    (BANK_CLEARING, N_("Bank/mobile money"), "asset", None),
    (RECEIVABLE, N_("Accounts receivable"), "asset", None),
    (INVENTORY, N_("Inventory"), "asset", None),
    (HEAD_OFFICE, N_("Head office current account"), "asset", None),
    (VAT, N_("VAT payable"), "liability", None),
    (OPENING_EQUITY, N_("Opening balances"), "equity", None),
    (SALES, N_("Sales"), "income", None),
    (SALES_RETURNS, N_("Sales returns"), "income", None),
    (ROUND_OFF, N_("Round off"), "income", None),
    (EXCHANGE, N_("Exchange gain/loss"), "income", None),
    (COGS, N_("Cost of goods sold"), "expense", None),
    (SHRINKAGE, N_("Inventory shrinkage"), "expense", None),
    (COMMISSION, N_("Commission expense"), "expense", None),
    (PROMOTION, N_("Promotion (free goods)"), "expense", None),
    (LOYALTY, N_("Loyalty redemption"), "expense", None),
    (SHOP_EXPENSES, N_("Shop expenses"), "expense", None),
    (SHORTAGE, N_("Cash shortage/excess"), "expense", None),
)


_DEFAULT_NAMES = {code: name for code, name, _kind, _ccy in DEFAULT_CHART}


def account_label(code: str, name: str | None) -> str:
    """An account's name as a person reads it: a default chart account still under its default
    (English, stored) name reads in the reader's language ('Ventes'); a name the shop gave is shown
    as stored. Exports and JSON keep the stored name."""
    name = name or ""
    return _(name) if name and _DEFAULT_NAMES.get(code) == name else name


def default_accounts_named(query: str) -> list[tuple[str, str]]:
    """``(code, stored name)`` of the default chart's accounts whose name, as the reader reads it,
    contains ``query`` (any case): a French manager finds 'Ventes' by typing 'vent' though 'Sales'
    is stored. Only an account still under that stored name reads so (:func:`account_label`)."""
    q = query.strip().casefold()
    return [(code, name) for code, name in _DEFAULT_NAMES.items() if q and q in _(name).casefold()]


class UnbalancedJournalError(MoneyError):
    """A voucher whose debits and credits differ in USD."""


@dataclass(frozen=True, slots=True)
class JLine:
    account: str
    amount_usd: Decimal  # signed: debit +, credit −
    currency: Currency = Currency.USD
    amount: Decimal | None = None  # signed, in ``currency``; defaults to amount_usd for USD lines
    customer_id: int | None = None
    cost_centre: str | None = None
    memo: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.amount_usd, Decimal) or (self.amount is not None and not isinstance(self.amount, Decimal)):
            raise MoneyError("journal amounts must be Decimal")
        object.__setattr__(self, "currency", Currency.parse(self.currency))
        object.__setattr__(self, "amount_usd", q2(self.amount_usd))
        if self.amount is None:
            if self.currency is not Currency.USD:
                raise MoneyError(_("a {currency} journal line needs its {currency} amount").format(currency=self.currency.value))
            object.__setattr__(self, "amount", self.amount_usd)
        else:
            object.__setattr__(self, "amount", q2(self.amount))

    @property
    def is_debit(self) -> bool:
        return self.amount_usd > 0


def debit(account: str, usd: Decimal, currency: Currency = Currency.USD, amount: Decimal | None = None, **kw) -> JLine:
    return JLine(account, usd, currency, amount, **kw)


def credit(account: str, usd: Decimal, currency: Currency = Currency.USD, amount: Decimal | None = None, **kw) -> JLine:
    return JLine(account, -usd, currency, None if amount is None else -amount, **kw)


def total_usd(lines: Iterable[JLine]) -> Decimal:
    return sum((line.amount_usd for line in lines), Decimal("0"))


def check_balanced(lines: Sequence[JLine]) -> None:
    diff = total_usd(lines)
    if diff != 0:
        detail = ", ".join(f"{l.account} {l.amount_usd:+}" for l in lines)
        raise UnbalancedJournalError(_("journal does not balance: off by {diff} USD ({detail})").format(
            diff=plain_number(diff), detail=detail))


def without_zero(lines: Iterable[JLine]) -> list[JLine]:
    """Drop lines with nothing on them (a 0.00 VAT line, no round off…)."""
    return [l for l in lines if l.amount_usd != 0 or (l.amount or 0) != 0]


def balance_into(lines: Sequence[JLine], account: str, *, limit: Decimal = Decimal("0.05"), memo: str = "conversion rounding") -> list[JLine]:
    """Put a residual of at most ``limit`` USD (cent rounding of conversions) on ``account``.

    A larger residual is a bug in the caller's rules and raises.
    """
    diff = total_usd(lines)
    if diff == 0:
        return list(lines)
    if abs(diff) > limit:
        check_balanced(lines)
    return [*lines, JLine(account, -diff, memo=memo)]


def cost_of(moves: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """The cost a document books for its stock moves, ``(qty, unit cost USD)`` each: Σ qty × cost over the
    document, rounded to the cent once (DESIGN §6: every stock move books its cost). Rounding each line
    instead let 5,000 lines of 0.001 × 1.60 (0.0016 each) take 5 boxes out at a booked cost of 0.00;
    together they cost 8.00."""
    return q2(sum((q * c for q, c in moves), Decimal("0")))


def merge_same(lines: Iterable[JLine]) -> list[JLine]:
    """Combine lines that differ only in amount (same account, currency, customer, cost centre, memo)."""
    out: dict[tuple, JLine] = {}
    for line in lines:
        key = (line.account, line.currency, line.customer_id, line.cost_centre, line.memo)
        if key in out:
            prev = out[key]
            out[key] = replace(prev, amount_usd=prev.amount_usd + line.amount_usd, amount=prev.amount + line.amount)
        else:
            out[key] = line
    return list(out.values())
