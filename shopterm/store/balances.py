"""Running balances per account and day (table ``account_day``, DESIGN §14), stock
on hand per item, location and batch (table ``stock_balance``), and the customers'
open amounts per due date (table ``open_due``, the ageing's source) with their state at each
month end (``open_due_month``, the ageing at a past date).

Every journal line adds its amount to the row of its (account, location, day,
currency); the posting does it in the same transaction as the lines
(:func:`add_lines`), so the trial balance and a till's balance sum a few
thousand day rows instead of every journal line. :func:`rebuild` recomputes the
table from the journal (a database filled by another tool, a check).

The add is an upsert — ``INSERT … ON CONFLICT DO UPDATE`` on SQLite and
PostgreSQL (each dialect's own construct, the same SQL); elsewhere an UPDATE
then an INSERT for the days not there yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, and_, bindparam, case, delete, func, insert, literal, or_, select, union_all, update

from ..core.i18n import N_
from .db import N_SOME_FIGURES, Prepared, adding_up, checked_add, conflict_insert
# the Core tables (no ORM, SQLModel or models: the reports read through this module)
from .tables import AccountDay as AD, CustomerMonth as CM, JournalLine as JL, LedgerEntry as LE, Match as M
from .tables import MatchLine as ML, OpenDue as OD, OpenDueMonth as ODM, OpenMonth as OM, StockBalance as SB
from .tables import StockMove as SM

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
KEY = ("account_id", "location_id", "date", "currency")


def totals_of(lines: Iterable[Mapping]) -> dict[tuple[int, int, dt.date, str], tuple[Decimal, Decimal]]:
    """Journal lines (mappings with the journal_line columns) summed per (account, location, day, currency)."""
    out: dict[tuple[int, int, dt.date, str], tuple[Decimal, Decimal]] = {}
    for l in lines:
        key = (l["account_id"], l["location_id"], l["date"], l["currency"])
        amount, usd = out.get(key, (Decimal(0), Decimal(0)))
        out[key] = (amount + l["amount"], usd + l["amount_usd"])
    return out


def add_lines(session: Session, lines: Iterable[Mapping]) -> None:
    """Add journal lines about to be (or just) written to the running balances, in the caller's transaction."""
    sums = totals_of(lines)
    if not sums:
        return
    rows = [dict(zip(KEY, key), amount=a, amount_usd=u) for key, (a, u) in sorted(sums.items())]
    # one executemany: a voucher touches a handful of (account, day) rows
    _add_to_rows(session.connection(), AD, KEY, ("amount", "amount_usd"), rows)


def _add_to_rows(conn: Any, table: Any, key: Iterable[str], columns: Iterable[str], rows: list[dict]) -> None:
    """Add ``rows`` to ``table`` keyed by ``key``: each row's ``columns`` added to the stored row's
    (inserted when there is none), one executemany upsert on SQLite and PostgreSQL, in the caller's
    transaction (``conn``: its Session, or its Connection inside a mapper event). The running
    balances, stock on hand and open amounts all keep their sums this way."""
    key, columns = tuple(key), tuple(columns)
    dialect = dialect_of(conn)
    if dialect in ("sqlite", "postgresql"):
        with adding_up(_SUMS.get(table.name, N_SOME_FIGURES)):
            _upsert_stmt(dialect, table, key, columns).executemany(conn, rows)
        return
    for row in rows:  # pragma: no cover - neither SQLite nor PostgreSQL
        done = conn.execute(update(table).where(*(table.c[k] == row[k] for k in key))
                            .values({c: table.c[c] + row[c] for c in columns}))
        if done.rowcount == 0:
            conn.execute(insert(table).values(**row))


#: what a running sum past a BIGINT names (:class:`~shopterm.store.db.SumTooLarge`), per table
_SUMS = {
    "account_day": N_("An account's running balance"),
    "stock_balance": N_("The stock on hand of an item"),
    "customer_month": N_("A customer's balance"),
    "open_month": N_("A customer's open amounts"),
    "open_due": N_("A customer's open amounts"),
    "open_due_month": N_("A customer's open amounts"),
}


def dialect_of(conn: Any) -> str:
    """The dialect's name of a transaction's Session or Connection."""
    dialect = getattr(conn, "dialect", None)  # a Connection (a Session has none)
    return (dialect if dialect is not None else conn.get_bind().dialect).name


_UPSERTS: dict[tuple, Any] = {}


def _upsert_stmt(dialect: str, table: Any, key: tuple[str, ...], columns: tuple[str, ...]) -> Prepared:
    """The dialect's ``INSERT … ON CONFLICT (key) DO UPDATE SET c = c + excluded.c`` (a sum past a BIGINT
    stops it on both stores: :func:`~shopterm.store.db.checked_add`), built and
    compiled once per table (:class:`~shopterm.store.db.Prepared`): each posting only binds its rows,
    one executemany."""
    memo = (dialect, table.name, key, columns)
    stmt = _UPSERTS.get(memo)
    if stmt is None:
        stmt = conflict_insert(dialect, table)
        stmt = Prepared(stmt.on_conflict_do_update(index_elements=list(key),
                                                   set_={c: checked_add(dialect, table.c[c], stmt.excluded[c])
                                                         for c in columns}))
        _UPSERTS[memo] = stmt
    return stmt


def rebuild(session: Session) -> int:
    """Recompute every running balance from the journal lines; returns the number of day rows."""
    session.execute(delete(AD))
    grouped = (select(JL.c.account_id, JL.c.location_id, JL.c.date, JL.c.currency,
                      func.sum(JL.c.amount), func.sum(JL.c.amount_usd))
               .group_by(JL.c.account_id, JL.c.location_id, JL.c.date, JL.c.currency))
    session.execute(insert(AD).from_select([*KEY, "amount", "amount_usd"], grouped))
    return session.execute(select(func.count()).select_from(AD)).scalar_one()


def recomputed(session: Session) -> dict[tuple[int, int, dt.date, str], tuple[Decimal, Decimal]]:
    """The running balances as the journal gives them now (for checks and tests), zero days left out."""
    out = {}
    for aid, lid, day, ccy, amount, usd in session.execute(
        select(JL.c.account_id, JL.c.location_id, JL.c.date, JL.c.currency,
               func.sum(JL.c.amount), func.sum(JL.c.amount_usd))
        .group_by(JL.c.account_id, JL.c.location_id, JL.c.date, JL.c.currency)
    ):
        out[(aid, lid, day, ccy)] = (_money(amount), _money(usd))
    return out


def stored(session: Session) -> dict[tuple[int, int, dt.date, str], tuple[Decimal, Decimal]]:
    """The maintained running balances (for checks and tests)."""
    return {(r.account_id, r.location_id, r.date, r.currency): (r.amount, r.amount_usd)
            for r in session.execute(select(AD))}


def _money(value) -> Decimal:
    """A SUM over a scaled column: already money (exactly 2 decimals), or the raw scaled integer —
    an ``int`` from SQLite, an integral ``Decimal`` (NUMERIC) from PostgreSQL."""
    if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
        return value
    return (Decimal(int(value or 0)) / 100).quantize(Decimal("0.01"))


# ---------------------------------------------------------------- stock on hand (table stock_balance)

STOCK_KEY = ("item_id", "location_id", "batch_id")


def add_moves(session: Session, moves: Iterable[Mapping]) -> None:
    """Add stock moves about to be (or just) written to the on-hand balances, in the caller's
    transaction: one upsert row per (item, location, batch)."""
    sums: dict[tuple[int, int, int], Decimal] = {}
    for m in moves:
        key = (m["item_id"], m["location_id"], m["batch_id"])
        sums[key] = sums.get(key, Decimal(0)) + m["qty"]
    if not sums:
        return
    rows = [dict(zip(STOCK_KEY, key), qty=q) for key, q in sorted(sums.items())]
    _upsert_stock(session.connection(), rows)


def _upsert_stock(conn, rows: list[dict]) -> None:
    _add_to_rows(conn, SB, STOCK_KEY, ("qty",), rows)


def move_added(mapper: Any, connection: Any, move: Any) -> None:  # noqa: ARG001
    """A move written as an ORM object (fixtures, imports) keeps the balance too: registered on
    ``StockMove``'s "after_insert" when the models are imported (at the end of models.py); the
    posting writes its moves with one Core executemany and calls :func:`add_moves` itself."""
    _upsert_stock(connection, [dict(item_id=move.item_id, location_id=move.location_id,
                                    batch_id=move.batch_id, qty=move.qty)])


def rebuild_stock(session: Session) -> int:
    """Recompute every on-hand balance from the stock moves; returns the number of rows."""
    session.execute(delete(SB))
    grouped = (select(SM.c.item_id, SM.c.location_id, SM.c.batch_id, func.sum(SM.c.qty))
               .group_by(SM.c.item_id, SM.c.location_id, SM.c.batch_id))
    session.execute(insert(SB).from_select([*STOCK_KEY, "qty"], grouped))
    return session.execute(select(func.count()).select_from(SB)).scalar_one()


def recomputed_stock(session: Session) -> dict[tuple[int, int, int], Decimal]:
    """On hand as the moves give it now (for checks and tests), zero balances left out."""
    out = {}
    for item, loc, batch, qty in session.execute(
        select(SM.c.item_id, SM.c.location_id, SM.c.batch_id, func.sum(SM.c.qty))
        .group_by(SM.c.item_id, SM.c.location_id, SM.c.batch_id)
    ):
        q = _qty_of(qty)
        if q:
            out[(item, loc, batch)] = q
    return out


def stored_stock(session: Session) -> dict[tuple[int, int, int], Decimal]:
    """The maintained on-hand balances (for checks and tests), zero balances left out."""
    return {(r.item_id, r.location_id, r.batch_id): r.qty for r in session.execute(select(SB)) if r.qty}


def _qty_of(value) -> Decimal:
    """A SUM over a scaled quantity column (3 decimals), as :func:`_money` for money."""
    if isinstance(value, Decimal) and value.as_tuple().exponent == -3:
        return value
    return (Decimal(int(value or 0)) / 1000).quantize(Decimal("0.001"))


# ---------------------------------------------------------------- open amounts per due date (table open_due)

OPEN_KEY = ("customer_id", "kind", "due_date", "doc_date")
MONTH_KEY = ("month_end", *OPEN_KEY)
CM_KEY = ("customer_id", "month")

#: One change of an entry's open USD amount: (customer id, the entry's amount_usd, due date, date, change).
OpenChange = tuple[int, Decimal, "dt.date | None", dt.date, Decimal]


def open_key(customer_id: int, amount_usd: Decimal, due_date: dt.date | None,
             doc_date: dt.date) -> tuple[int, str, dt.date, dt.date]:
    """The ``open_due`` row an entry's open amount counts in: debits by due date (``D``; ``L``
    by their date when they have no due date), credits by their date (``C``). An entry's open
    amount keeps its amount's sign, so an entry stays in one row for good."""
    if amount_usd < 0:
        return (customer_id, "C", doc_date, doc_date)
    if due_date is None:
        return (customer_id, "L", doc_date, doc_date)
    return (customer_id, "D", due_date, doc_date)


def add_open(session: Session, changes: Iterable[OpenChange], on: dt.date) -> None:
    """Add changes of entries' open amounts (a posting's new entries, a match, an unmatch) dated
    ``on`` to ``open_due`` in the caller's transaction: one upsert, then the rows come to zero
    deleted. The month ends kept in ``open_due_month`` from ``on`` (and the entry's date) on get
    the same change."""
    sums: dict[tuple[int, str, dt.date, dt.date], Decimal] = {}
    for customer_id, amount_usd, due_date, doc_date, change in changes:
        if change:
            key = open_key(customer_id, amount_usd, due_date, doc_date)
            sums[key] = sums.get(key, Decimal(0)) + change
    _upsert_open(session, [dict(zip(OPEN_KEY, key), open_usd=v) for key, v in sorted(sums.items()) if v])
    if not sums:
        return
    months = _MONTHS_KEPT_FROM.scalars(session, {"on": on})
    rows = [dict(zip(MONTH_KEY, (m, *key)), open_usd=v) for key, v in sorted(sums.items()) if v
            for m in months if m >= key[3]]
    _upsert_months(session, rows)


_LAST_MONTH_KEPT = Prepared(select(func.max(OM.c.month_end)))
_MONTHS_KEPT_FROM = Prepared(select(OM.c.month_end).where(OM.c.month_end >= bindparam("on")).order_by(OM.c.month_end))


def month_end_before(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


def next_month_end(month_end: dt.date) -> dt.date:
    return month_end_before((month_end + dt.timedelta(days=1)).replace(day=28) + dt.timedelta(days=8))


def keep_open_months(session: Session, on: dt.date) -> list[dt.date]:
    """Before a posting, match or unmatch dated ``on`` (in its transaction, before it changes
    anything): the month ends before ``on`` not kept yet get their ``open_due_month`` rows, from
    ``open_due`` and the matches that changed since (every one after the last month end kept; only
    the one before ``on`` when none is). One indexed read when they are there. Returns the month
    ends written."""
    target = month_end_before(on)
    last = _LAST_MONTH_KEPT.scalar(session)
    if last is not None and last >= target:
        return []
    months = [target]
    if last is not None:
        months = []
        m = last
        while m < target:
            m = next_month_end(m)
            months.append(m)
    for m in months:
        session.execute(insert(OM).values(month_end=m))
        session.execute(insert(ODM).from_select([*MONTH_KEY, "open_usd"], _open_at_month(m)))
    return months


def _open_at_month(month_end: dt.date):
    """``open_due`` as it stood at ``month_end``: its rows dated up to then, plus what the matches
    dated or unmatched after it changed since (per entry)."""
    kind, due = kind_and_due()
    d = since(month_end)
    now = select(OD.c.customer_id, OD.c.kind, OD.c.due_date, OD.c.doc_date, OD.c.open_usd.label("o")).where(
        OD.c.doc_date <= month_end)
    later = (select(LE.c.customer_id, kind.label("kind"), due.label("due_date"), LE.c.doc_date, d.c.usd.label("o"))
             .select_from(d).join(LE, LE.c.id == d.c.entry_id).where(LE.c.doc_date <= month_end))
    u = union_all(now, later).subquery("open_then")
    return (select(literal(month_end, Date()), u.c.customer_id, u.c.kind, u.c.due_date, u.c.doc_date, func.sum(u.c.o))
            .group_by(u.c.customer_id, u.c.kind, u.c.due_date, u.c.doc_date).having(func.sum(u.c.o) != 0))


def since(at: dt.date, customer_ids: Iterable[int] | None = None, until: dt.date | None = None):
    """Per entry, what the matches dated or unmatched after ``at`` (up to ``until``; None: up to
    now) changed since: the entry's open amount at ``at`` is its open amount at ``until`` (now:
    kept by every match and unmatch) plus this. Columns entry_id, usd, amt.

    A match counted at ``until`` but not at ``at`` (dated after it, not unmatched by ``until``)
    had taken its line off; one counted at ``at`` but not at ``until`` (unmatched in between) had
    it on. Only matches dated or unmatched in between are read (indexed by date and by unmatch
    date)."""
    if until is None:
        on_then = M.c.unmatched_on.is_(None)
        dated, unmatched = M.c.date > at, M.c.unmatched_on > at
    else:
        on_then = or_(M.c.unmatched_on.is_(None), M.c.unmatched_on > until)
        dated = and_(M.c.date > at, M.c.date <= until)
        unmatched = and_(M.c.unmatched_on > at, M.c.unmatched_on <= until)
    took = and_(M.c.date > at, on_then)
    usd = case((took, ML.c.amount_usd), (M.c.date <= at, -ML.c.amount_usd), else_=literal(0))
    amt = case((took, ML.c.amount), (M.c.date <= at, -ML.c.amount), else_=literal(0))
    if customer_ids is not None:  # a few customers: their matches, by the customer index
        later = [select(M.c.id).where(M.c.customer_id.in_(list(customer_ids)), or_(dated, unmatched))]
    else:  # every customer: two branches, each led by its own index (an OR scanned every match line)
        later = [select(M.c.id).where(dated), select(M.c.id).where(unmatched, M.c.date <= at)]
    ids = (union_all(*later) if len(later) > 1 else later[0]).subquery("later_matches")
    q = (select(ML.c.entry_id.label("entry_id"), func.sum(usd).label("usd"), func.sum(amt).label("amt"))
         .select_from(ids).join(M, M.c.id == ids.c.id).join(ML, ML.c.match_id == M.c.id))
    return q.group_by(ML.c.entry_id).subquery("since")


def move_open(session: Session, from_ids: Iterable[int], to_id: int) -> None:
    """The open amounts and monthly sums of customers merged into another (their entries move to
    it), in the caller's transaction: their rows (open amounts now and at each month end kept, sums
    per month) are added to its rows and deleted."""
    ids = list(from_ids)
    for table, key, value, upsert in ((OD, OPEN_KEY, "open_usd", _upsert_open),
                                      (ODM, MONTH_KEY, "open_usd", _upsert_months),
                                      (CM, CM_KEY, "amount_usd", _add_months)):
        rows = [dict(r._mapping) for r in session.execute(select(table).where(table.c.customer_id.in_(ids)))]
        if not rows:
            continue
        session.execute(delete(table).where(table.c.customer_id.in_(ids)))
        sums: dict[tuple, Decimal] = {}
        for r in rows:
            k = tuple(to_id if c == "customer_id" else r[c] for c in key)
            sums[k] = sums.get(k, Decimal(0)) + r[value]
        upsert(session, [dict(zip(key, k), **{value: v}) for k, v in sorted(sums.items()) if v])


def add_customer_months(session: Session, entries: Iterable[tuple[int, dt.date, Decimal]]) -> None:
    """Add new ledger entries (customer id, date, amount_usd) to their customer's sum of the month
    (``customer_month``), in the posting's transaction."""
    sums: dict[tuple[int, dt.date], Decimal] = {}
    for customer_id, day, usd in entries:
        if usd:
            k = (customer_id, day.replace(day=1))
            sums[k] = sums.get(k, Decimal(0)) + usd
    _add_months(session, [dict(zip(CM_KEY, k), amount_usd=v) for k, v in sorted(sums.items()) if v])


def _add_months(session: Session, rows: list[dict]) -> None:
    if rows:
        _add_to_rows(session.connection(), CM, CM_KEY, ("amount_usd",), rows)


def customer_sum_before(session: Session, customer_id: int, day: dt.date | None, cond=None) -> Decimal:
    """Σ USD of the customer's entries dated before ``day``'s month (from ``customer_month``) plus
    those of its month that meet ``cond`` (a condition on ledger_entry; None: the whole month up to
    ``day``); ``day`` None: every entry. One statement, two indexed reads."""
    if day is None:
        value = session.execute(select(func.sum(CM.c.amount_usd)).where(CM.c.customer_id == customer_id)).scalar()
        return value if value is not None else Decimal("0.00")
    month = day.replace(day=1)
    before = select(func.sum(CM.c.amount_usd)).where(CM.c.customer_id == customer_id, CM.c.month < month)
    within = select(func.sum(LE.c.amount_usd)).where(LE.c.customer_id == customer_id, LE.c.doc_date >= month,
                                                     cond if cond is not None else LE.c.doc_date <= day)
    a, b = session.execute(select(before.scalar_subquery(), within.scalar_subquery())).one()
    return _money(a or 0) + _money(b or 0)


def rebuild_customer_months(session: Session) -> int:
    """Recompute ``customer_month`` from the ledger entries; returns the number of rows."""
    session.execute(delete(CM))
    _add_months(session, [dict(zip(CM_KEY, k), amount_usd=v) for k, v in sorted(recomputed_customer_months(session).items())])
    return session.execute(select(func.count()).select_from(CM)).scalar_one()


def recomputed_customer_months(session: Session) -> dict[tuple[int, dt.date], Decimal]:
    """``customer_month`` worked from the ledger entries (for checks and tests), zero months left out."""
    sums: dict[tuple[int, dt.date], Decimal] = {}
    for cid, day, usd in session.execute(select(LE.c.customer_id, LE.c.doc_date, LE.c.amount_usd)):
        k = (cid, day.replace(day=1))
        sums[k] = sums.get(k, Decimal(0)) + usd
    return {k: v for k, v in sums.items() if v}


def stored_customer_months(session: Session) -> dict[tuple[int, dt.date], Decimal]:
    """The maintained ``customer_month`` rows (for checks and tests), zero months left out."""
    return {(r.customer_id, r.month): r.amount_usd for r in session.execute(select(CM)) if r.amount_usd}


def _upsert_open(session: Session, rows: list[dict], table=OD, key: tuple[str, ...] = OPEN_KEY) -> None:
    """Add ``rows`` (keys and open_usd) to open_due (or ``table``); the rows that come to zero are deleted."""
    if not rows:
        return
    conn = session.connection()
    _add_to_rows(conn, table, key, ("open_usd",), rows)
    _DELETE_ZERO[table.name].executemany(conn, [{f"k_{k}": row[k] for k in key} for row in rows])


#: the open_due (and open_due_month) rows that came to zero, by key (built once: see :func:`_upsert_stmt`)
_DELETE_ZERO = {t.name: Prepared(delete(t).where(*(t.c[k] == bindparam(f"k_{k}") for k in key), t.c.open_usd == 0))
                for t, key in ((OD, OPEN_KEY), (ODM, MONTH_KEY))}


def _upsert_months(session: Session, rows: list[dict]) -> None:
    _upsert_open(session, rows, ODM, MONTH_KEY)


def kind_and_due():
    """An entry's ``open_due`` kind and due date as SQL (see :func:`open_key`)."""
    kind = case((LE.c.amount_usd < 0, literal("C")), (LE.c.due_date.is_(None), literal("L")), else_=literal("D"))
    due = case((and_(LE.c.amount_usd >= 0, LE.c.due_date.is_not(None)), LE.c.due_date), else_=LE.c.doc_date)
    return kind, due


def _open_grouped():
    kind, due = kind_and_due()
    return (select(LE.c.customer_id, kind.label("kind"), due.label("due_date"), LE.c.doc_date,
                   func.sum(LE.c.open_usd).label("open_usd"))
            .where(LE.c.is_open == True, LE.c.open_usd != 0)  # noqa: E712
            .group_by(LE.c.customer_id, kind, due, LE.c.doc_date))


def rebuild_open(session: Session) -> int:
    """Recompute ``open_due`` from the entries' open amounts; returns the number of rows."""
    session.execute(delete(OD))
    session.execute(insert(OD).from_select([*OPEN_KEY, "open_usd"], _open_grouped()))
    return session.execute(select(func.count()).select_from(OD)).scalar_one()


def recomputed_open(session: Session) -> dict[tuple[int, str, dt.date, dt.date], Decimal]:
    """``open_due`` as the entries' open amounts give it now (for checks and tests)."""
    return {(r.customer_id, r.kind, r.due_date, r.doc_date): _money(r.open_usd)
            for r in session.execute(_open_grouped())}


def stored_open(session: Session) -> dict[tuple[int, str, dt.date, dt.date], Decimal]:
    """The maintained ``open_due`` rows (for checks and tests)."""
    return {(r.customer_id, r.kind, r.due_date, r.doc_date): r.open_usd for r in session.execute(select(OD))}


def rebuild_open_months(session: Session, month_ends: Iterable[dt.date]) -> int:
    """Write ``open_due_month`` afresh for these month ends (a database filled by another tool);
    returns the number of rows."""
    session.execute(delete(ODM))
    session.execute(delete(OM))
    for m in sorted(set(month_ends)):
        session.execute(insert(OM).values(month_end=m))
        session.execute(insert(ODM).from_select([*MONTH_KEY, "open_usd"], _open_at_month(m)))
    return session.execute(select(func.count()).select_from(ODM)).scalar_one()


def recomputed_open_months(session: Session) -> dict[tuple[dt.date, int, str, dt.date, dt.date], Decimal]:
    """``open_due_month`` worked from scratch for every month end kept: per entry dated up to it,
    its amount less its lines in the matches that counted then (dated up to it, not unmatched by
    then), summed per key (for checks and tests)."""
    kind, due = kind_and_due()
    out = {}
    for m in session.execute(select(OM.c.month_end)).scalars().all():
        settled = (select(ML.c.entry_id, func.sum(ML.c.amount_usd).label("usd")).join(M, M.c.id == ML.c.match_id)
                   .where(M.c.date <= m, or_(M.c.unmatched_on.is_(None), M.c.unmatched_on > m))
                   .group_by(ML.c.entry_id).subquery())
        left = func.sum(LE.c.amount_usd - func.coalesce(settled.c.usd, 0))
        for r in session.execute(select(LE.c.customer_id, kind.label("kind"), due.label("due_date"), LE.c.doc_date,
                                        left.label("o")).outerjoin(settled, settled.c.entry_id == LE.c.id)
                                 .where(LE.c.doc_date <= m).group_by(LE.c.customer_id, kind, due, LE.c.doc_date)):
            if r.o:
                out[(m, r.customer_id, r.kind, r.due_date, r.doc_date)] = _money(r.o)
    return out


def stored_open_months(session: Session) -> dict[tuple[dt.date, int, str, dt.date, dt.date], Decimal]:
    """The maintained ``open_due_month`` rows (for checks and tests)."""
    return {(r.month_end, r.customer_id, r.kind, r.due_date, r.doc_date): r.open_usd for r in session.execute(select(ODM))}
