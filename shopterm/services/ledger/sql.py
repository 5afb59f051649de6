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

from sqlalchemy import BigInteger, and_, bindparam, case, func, literal, null, select, type_coerce

from .totals import OTHER_CURRENCIES
from ...store.tables import Account as A, AccountDay as AD, Customer as C, CustomerGroup as CG, LedgerEntry as LE
from ...store.tables import Location as L, Match as M, OpenDue as OD, OpenDueMonth as ODM, OpenMonth as OM
from ...store.balances import kind_and_due, since

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


# ---------------------------------------------------------------- the ageing (services/ledger/ageing.py)
# parameters: at, t30 / t60 / t90 (at less 30, 60, 90 days), month_end (a month end kept), until (the
# same, for the matches since), customer_id; variants: kept at a month end or now, one customer or all


def _open_due_base(month: bool, one: bool):
    """The kept open amounts of the entries dated up to ``at``: per customer, kind, due date and
    date, at ``month_end`` (``open_due_month``) or now (``open_due``). Columns: customer_id, kind,
    due_date, o_usd."""
    t = ODM if month else OD
    q = select(t.c.customer_id, t.c.kind, t.c.due_date, t.c.open_usd.label("o_usd")).where(t.c.doc_date <= bindparam("at"))
    if month:
        q = q.where(t.c.month_end == bindparam("month_end"))
    if one:
        q = q.where(t.c.customer_id == bindparam("customer_id"))
    return q.subquery("open_due_at")


def _open_due_since(until: bool, one: bool):
    """What the matches dated or unmatched after ``at`` (up to ``until``) changed since, per entry
    dated up to ``at``, as rows like :func:`_open_due_base`'s."""
    d = since(bindparam("at"), [bindparam("customer_id")] if one else None, bindparam("until") if until else None)
    kind, due = kind_and_due()
    return (select(LE.c.customer_id, kind.label("kind"), due.label("due_date"), d.c.usd.label("o_usd"))
            .select_from(d).join(LE, LE.c.id == d.c.entry_id).where(LE.c.doc_date <= bindparam("at"))
            ).subquery("open_due_since")


def _ageing_parts(oa):
    o, due = oa.c.o_usd, oa.c.due_date

    def part(*conds):  # raw cents (an int from SQLite, an integral NUMERIC from PostgreSQL): summed as ints
        return type_coerce(func.sum(case((and_(*conds), o), else_=literal(0))), BigInteger())

    dated = oa.c.kind == "D"
    return (part(oa.c.kind == "C").label("credits"), part(dated, due >= bindparam("at")).label("not_due"),
            part(dated, due >= bindparam("t30")).label("b0"),
            part(dated, due < bindparam("t30"), due >= bindparam("t60")).label("b1"),
            part(dated, due < bindparam("t60"), due >= bindparam("t90")).label("b2"),
            part(dated, due < bindparam("t90")).label("b3")), part


def _ageing_kept(month: bool, one: bool):
    """A kept table's open amounts summed per customer into the ageing's parts, in its key order (no sort)."""
    oa = _open_due_base(month, one)
    parts, _part = _ageing_parts(oa)
    return select(oa.c.customer_id, null().label("loose_date"), *parts,
                  literal(0).label("debits")).group_by(oa.c.customer_id)


def _ageing_kept_loose(month: bool, one: bool):
    """The debits without a due date (a refund, an old reversal), per customer and date: they are due
    after the customer's credit days, bucketed by the caller."""
    oa = _open_due_base(month, one)
    parts, _part = _ageing_parts(oa)
    return (select(oa.c.customer_id, oa.c.due_date.label("loose_date"), *(literal(0).label(p.name) for p in parts),
                   type_coerce(func.sum(oa.c.o_usd), BigInteger()).label("debits"))
            .where(oa.c.kind == "L").group_by(oa.c.customer_id, oa.c.due_date))


def _ageing_since(until: bool, one: bool):
    """What the matches since ``at`` changed, summed as the kept tables' rows (one statement: read once)."""
    oa = _open_due_since(until, one)
    parts, part = _ageing_parts(oa)
    loose = oa.c.kind == "L"
    loose_date = case((loose, oa.c.due_date), else_=None)
    return (select(oa.c.customer_id, loose_date.label("loose_date"), *parts, part(loose).label("debits"))
            .group_by(oa.c.customer_id, loose_date))


def _match_after(column: str, until: bool, one: bool):
    """Whether a match is dated (or was unmatched) after ``at``, up to ``until``: one index search."""
    col = getattr(M.c, column)
    q = select(M.c.id).where(col > bindparam("at"))
    if until:
        q = q.where(col <= bindparam("until"))
    if one:
        q = q.where(M.c.customer_id == bindparam("customer_id"))
    return q.limit(1)


def _ageing_statements() -> dict:
    out = {"ledger.ageing.month_kept": lambda: select(func.min(OM.c.month_end)).where(OM.c.month_end >= bindparam("at"))}
    for who, one in (("all", False), ("customer", True)):
        for kept, month in (("now", False), ("month", True)):
            out[f"ledger.ageing.kept.{kept}.{who}"] = lambda m=month, o=one: _ageing_kept(m, o)
            out[f"ledger.ageing.kept_loose.{kept}.{who}"] = lambda m=month, o=one: _ageing_kept_loose(m, o)
            out[f"ledger.ageing.since.{kept}.{who}"] = lambda m=month, o=one: _ageing_since(m, o)
            for column in ("date", "unmatched_on"):
                out[f"ledger.ageing.matched_after.{column}.{kept}.{who}"] = (
                    lambda c=column, m=month, o=one: _match_after(c, m, o))
    return out


STATEMENTS = {
    **_ageing_statements(),
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
