"""Customer balances at a date, the trial balance, and whose ledger and which letterhead a report reads:
the rules a read command runs without SQLAlchemy.

Their statements are named statements (written once as SQLAlchemy Core in :mod:`.sql`,
:mod:`shopterm.store.sqlrun`): on a Core connection or ORM session (the app, the tests, the other
reports of :mod:`.reports`, which imports these under their old names) they run through SQLAlchemy;
for ``shopterm ledger balances`` on a SQLite file, on ``sqlite3``. Either way the rows come back as the
same Python values and this code makes the report from them, once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Generic, Iterable, TypeVar

from shopterm.core.i18n import N_
from ...core.money import Currency
from ...store.convert import from_scaled
from ...store.sqlrun import Statement
from ..errors import NotFound
from ..lookup import customer_by, location_by

if TYPE_CHECKING:
    from ..context import Actor

ZERO = Decimal("0.00")

#: The currencies other than the books' USD (their amounts are summed apart).
OTHER_CURRENCIES = tuple(c.value for c in Currency if c is not Currency.USD)

RowT = TypeVar("RowT")
T = TypeVar("T")

_CUSTOMER_BY_CODE = Statement("ledger.customer_by_code")
_CUSTOMER_BY_ID = Statement("ledger.customer_by_id")
_LOCATION_BY_CODE = Statement("ledger.location_by_code")
_LOCATION_BY_ID = Statement("ledger.location_by_id")
_LOCATION_FIRST = Statement("ledger.location_first_active")
_GROUP_NAMED = Statement("ledger.group_named")
_CUSTOMERS_ALL = Statement("ledger.customers.all")
_CUSTOMERS_IN = Statement("ledger.customers.in")
#: per variant (every customer, one customer, a group, both): the USD sums, the sums in other currencies
_ACCOUNT_SUMS = Statement("ledger.account_sums")
_ACCOUNTS = Statement("ledger.accounts")
_VARIANTS = {(False, False): "all", (True, False): "customer", (False, True): "group", (True, True): "customer_group"}
_USD = {v: Statement(f"ledger.balances_usd.{v}") for v in _VARIANTS.values()}
_BY_CURRENCY = {v: Statement(f"ledger.balances_by_currency.{v}") for v in _VARIANTS.values()}


# ---------------------------------------------------------------- whose ledger, which letterhead


def customer_id(conn: Any, customer: int | str) -> int:
    """A customer's id by id, by code (case-insensitive) or by its number typed as text, as
    ``masters.base.resolve_customer`` finds it: the same rule (``services.lookup``), in one indexed read."""
    return customer_by(customer,
                       by_code=lambda code: _CUSTOMER_BY_CODE.scalar(conn, {"code": code}),
                       by_id=lambda cid: _CUSTOMER_BY_ID.scalar(conn, {"id": cid}))


def location_row(conn: Any, code: str | None, actor: "Actor | None" = None) -> Any:
    """The location by code; without a code, the actor's location, else the first active one (the
    rule of ``masters.base.find_location``, ``services.lookup``): a row of id, code, name, address,
    phone, tax_no, rccm_no."""
    return location_by(
        code, actor,
        by_code=lambda c: _LOCATION_BY_CODE.first_named(conn, {"code": c}),
        by_id=lambda i: _LOCATION_BY_ID.first_named(conn, {"id": i}),
        first_active=lambda: _LOCATION_FIRST.first_named(conn))


# ---------------------------------------------------------------- balances at a date


@dataclass(frozen=True, slots=True)
class BalanceRow:
    customer_id: int
    customer_code: str
    customer_name: str
    group: str
    balance_usd: Decimal
    by_currency: dict[str, Decimal]  # Σ of the entries in each currency, in that currency
    credit_limit_usd: Decimal
    over_limit: bool


@dataclass(frozen=True, slots=True)
class TotalsAt(Generic[RowT]):
    """A report of customers' amounts as they stood at a date: its rows, their total in USD and per currency."""

    at: dt.date
    rows: tuple[RowT, ...]
    total_usd: Decimal
    total_by_currency: dict[str, Decimal]


@dataclass(frozen=True, slots=True)
class BalancesReport(TotalsAt[BalanceRow]):
    group: str | None = None
    title: str = N_("Customer balances")


def _money(value: Any) -> Decimal:
    """A SUM of amounts (typed by its column: exactly 2 places) as Decimal; nothing summed is 0.00."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
        return value
    return from_scaled(value, 2)


def _customer_filter(session: Any, group: str | None):
    if not group:
        return None, None
    gid = _GROUP_NAMED.first_named(session, {"name": group.strip().lower()})
    if gid is None:
        raise NotFound("Customer group {group} not found", field="group", params={"group": group})
    return gid.id, gid.name


def balances(session: Any, at: dt.date, customer_id: int | None = None, group: str | None = None) -> BalancesReport:
    group_id, group_name = _customer_filter(session, group)
    # the variant the options make: every customer, one customer, a group, one customer of a group
    params: dict[str, Any] = {"at": at}
    if customer_id is not None:
        params["customer_id"] = customer_id
    if group_id is not None:
        params["group_id"] = group_id
    variant = _VARIANTS[customer_id is not None, group_id is not None]
    sums: dict[int, tuple[Decimal, dict[str, Decimal]]] = {}
    for cid, usd in _USD[variant].all(session, params):
        usd = _money(usd)
        sums[cid] = (usd, {"USD": usd})
    for cid, ccy, amount, usd in _BY_CURRENCY[variant].all(session, params):
        total, by = sums[cid]
        by[ccy] = by.get(ccy, ZERO) + _money(amount)
        by["USD"] -= _money(usd)
    if customer_id is not None and customer_id not in sums:
        sums[customer_id] = (ZERO, {})
    info = _customers(session, sums.keys())
    rows = []
    for cid, (usd, by) in sums.items():
        if customer_id is None and usd == 0 and not any(by.values()):
            continue
        code, name, grp, limit, _days = info[cid]
        rows.append(BalanceRow(cid, code, name, grp, usd, {k: v for k, v in sorted(by.items()) if v} or {"USD": ZERO},
                               limit, bool(limit and usd > limit)))
    rows.sort(key=lambda r: r.customer_code)
    tot_by: dict[str, Decimal] = {}
    for r in rows:
        for k, v in r.by_currency.items():
            tot_by[k] = tot_by.get(k, ZERO) + v
    return BalancesReport(at, tuple(rows), sum((r.balance_usd for r in rows), ZERO), dict(sorted(tot_by.items())),
                          group_name)


def _customers(session: Any, ids: Iterable[int]) -> dict[int, tuple[str, str, str, Decimal, int]]:
    ids = list(ids)
    out = {}
    # many customers (a whole-ledger report): one pass over the customers, no long IN lists
    if len(ids) > 500:
        chunks = [_CUSTOMERS_ALL.all(session)]
    else:
        chunks = [_CUSTOMERS_IN.all(session, {"ids": ids[i:i + 500]}) for i in range(0, len(ids), 500)]
    for rows in chunks:
        for cid, code, name, group, limit, days in rows:
            out[cid] = (code, name, group or "", limit, days or 0)
    return out


# ---------------------------------------------------------------- the trial balance


@dataclass(frozen=True, slots=True)
class TrialBalanceRow:
    code: str
    name: str
    kind: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # signed, debit +
    by_currency: dict[str, Decimal]


@dataclass(frozen=True, slots=True)
class TrialBalanceReport:
    at: dt.date
    rows: tuple[TrialBalanceRow, ...]
    total_debit: Decimal
    total_credit: Decimal
    title: str = N_("Trial balance")


def trial_balance(session: Any, at: dt.date) -> TrialBalanceReport:
    """Balances of every account at ``at``, summed from the running balances per account and day
    (``account_day``, one row per account, location, day and currency) rather than every journal line."""
    sums: dict[int, tuple[Decimal, dict[str, Decimal]]] = {}
    for aid, ccy, amount, usd in _ACCOUNT_SUMS.all(session, {"at": at}):
        usd = _money(usd)
        total, by = sums.get(aid, (ZERO, {"USD": ZERO}))
        if ccy == "USD":
            by["USD"] += usd
        else:
            by[ccy] = by.get(ccy, ZERO) + _money(amount)
        sums[aid] = (total + usd, by)
    accounts = {r.id: r for r in _ACCOUNTS.named(session)}
    rows = []
    for aid, (usd, by) in sums.items():
        a = accounts[aid]
        if usd == 0 and not any(by.values()):
            continue
        rows.append(TrialBalanceRow(a.code, a.name, a.kind, usd if usd > 0 else ZERO, -usd if usd < 0 else ZERO, usd,
                                    {k: v for k, v in sorted(by.items()) if v} or {"USD": ZERO}))
    rows.sort(key=lambda r: r.code)
    return TrialBalanceReport(at, tuple(rows), sum((r.debit for r in rows), ZERO), sum((r.credit for r in rows), ZERO))


def one_step(on_progress: "Callable[[int, int], None] | None", build: Callable[[], T]) -> T:
    """A report made in one pass (one grouped SQL sum): 0 of 1 before it, 1 of 1 after."""
    if on_progress is None:
        return build()
    on_progress(0, 1)
    report = build()
    on_progress(1, 1)
    return report
