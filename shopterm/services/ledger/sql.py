"""The customer balances' and the trial balance's statements (named statements, :mod:`shopterm.store.sqlrun`): written once
here as SQLAlchemy Core, run by :mod:`.totals` through SQLAlchemy (the app, the tests) or, for
``shopterm ledger balances`` on a SQLite file, on ``sqlite3`` without it.

The options that change the SQL are variants of their own: ``.all`` (every customer), ``.customer``
(one customer: ``customer_id``), ``.group`` (a customer group: ``group_id``), ``.customer_group``
(both). The USD total reads the
covering index (customer, date, id, amount_usd); the currency split only the rows in other currencies
(index on currency, customer, date, amounts).
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select

from .totals import OTHER_CURRENCIES
from ...store.tables import Account as A, AccountDay as AD, Customer as C, CustomerGroup as CG, LedgerEntry as LE
from ...store.tables import Location as L

VARIANTS = ("all", "customer", "group", "customer_group")

_LOCATION_COLS = (L.c.id, L.c.code, L.c.name, L.c.address, L.c.phone, L.c.tax_no, L.c.rccm_no)


def _conds(variant: str) -> list:
    conds = [LE.c.doc_date <= bindparam("at")]
    if variant in ("customer", "customer_group"):
        conds.append(LE.c.customer_id == bindparam("customer_id"))
    if variant in ("group", "customer_group"):
        conds.append(LE.c.customer_id.in_(select(C.c.id).where(C.c.group_id == bindparam("group_id"))))
    return conds


def _usd(variant: str):
    return lambda: (select(LE.c.customer_id, func.sum(LE.c.amount_usd)).where(*_conds(variant))
                    .group_by(LE.c.customer_id))


def _by_currency(variant: str):
    return lambda: (select(LE.c.customer_id, LE.c.currency, func.sum(LE.c.amount), func.sum(LE.c.amount_usd))
                    .where(LE.c.currency.in_(OTHER_CURRENCIES), *_conds(variant))
                    .group_by(LE.c.currency, LE.c.customer_id))


def _customers():
    return (select(C.c.id, C.c.code, C.c.name, CG.c.name.label("group"), C.c.credit_limit_usd, C.c.credit_days)
            .outerjoin(CG, CG.c.id == C.c.group_id))


STATEMENTS = {
    **{f"ledger.balances_usd.{v}": _usd(v) for v in VARIANTS},
    **{f"ledger.balances_by_currency.{v}": _by_currency(v) for v in VARIANTS},
    "ledger.customers.all": _customers,
    "ledger.customers.in": lambda: _customers().where(C.c.id.in_(bindparam("ids", expanding=True))),
    "ledger.group_named": lambda: select(CG.c.id, CG.c.name).where(func.lower(CG.c.name) == bindparam("name")),
    "ledger.customer_by_code": lambda: select(C.c.id).where(C.c.code == bindparam("code")),
    "ledger.customer_by_id": lambda: select(C.c.id).where(C.c.id == bindparam("id")),
    "ledger.location_by_code": lambda: select(*_LOCATION_COLS).where(L.c.code == bindparam("code")),
    "ledger.location_by_id": lambda: select(*_LOCATION_COLS).where(L.c.id == bindparam("id")),
    # the trial balance: the running balances per account and day, summed per account and currency
    "ledger.account_sums": lambda: (select(AD.c.account_id, AD.c.currency, func.sum(AD.c.amount), func.sum(AD.c.amount_usd))
                                    .where(AD.c.date <= bindparam("at")).group_by(AD.c.account_id, AD.c.currency)),
    "ledger.accounts": lambda: select(A.c.id, A.c.code, A.c.name, A.c.kind),
    "ledger.location_first_active": lambda: (select(*_LOCATION_COLS).where(L.c.inactive == False)  # noqa: E712
                                             .order_by(L.c.number).limit(1)),
}
