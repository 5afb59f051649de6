"""Running balances per account and day (table ``account_day``, DESIGN §14), stock
on hand per item, location and batch (table ``stock_balance``), and the customers'
open amounts per due date (table ``open_due``, the ageing's source).

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

from typing import Any

from sqlalchemy import and_, bindparam, case, delete, event, func, insert, literal, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .models import AccountDay, JournalLine, LedgerEntry, OpenDue, StockBalance, StockMove

AD = AccountDay.__table__
JL = JournalLine.__table__
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
    dialect = (conn.dialect if isinstance(conn, Connection) else conn.get_bind().dialect).name
    if dialect in ("sqlite", "postgresql"):
        conn.execute(_upsert_stmt(dialect, table, key, columns), rows)
        return
    for row in rows:  # pragma: no cover - neither SQLite nor PostgreSQL
        done = conn.execute(update(table).where(*(table.c[k] == row[k] for k in key))
                            .values({c: table.c[c] + row[c] for c in columns}))
        if done.rowcount == 0:
            conn.execute(insert(table).values(**row))


_UPSERTS: dict[tuple, Any] = {}


def _upsert_stmt(dialect: str, table: Any, key: tuple[str, ...], columns: tuple[str, ...]) -> Any:
    """The dialect's ``INSERT … ON CONFLICT (key) DO UPDATE SET c = c + excluded.c``, built once per
    table: a statement object reused keeps its cache key, so SQLAlchemy neither rebuilds nor re-hashes
    it on every posting (the rows are executemany parameters)."""
    memo = (dialect, table.name, key, columns)
    stmt = _UPSERTS.get(memo)
    if stmt is None:
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as upsert
        else:
            from sqlalchemy.dialects.postgresql import insert as upsert
        stmt = upsert(table)
        stmt = stmt.on_conflict_do_update(index_elements=list(key),
                                          set_={c: table.c[c] + stmt.excluded[c] for c in columns})
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

SB = StockBalance.__table__
SM = StockMove.__table__
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


@event.listens_for(StockMove, "after_insert")
def move_added(mapper: Any, connection: Any, move: StockMove) -> None:  # noqa: ARG001
    """A move written as an ORM object (fixtures, imports) keeps the balance too: registered
    when this module is imported (``Database.write`` does, before any write); the posting writes
    its moves with one Core executemany and calls :func:`add_moves` itself."""
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

OD = OpenDue.__table__
LE = LedgerEntry.__table__
OPEN_KEY = ("customer_id", "kind", "due_date", "doc_date")

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


def add_open(session: Session, changes: Iterable[OpenChange]) -> None:
    """Add changes of entries' open amounts (a posting's new entries, a match, an unmatch) to
    ``open_due`` in the caller's transaction: one upsert, then the rows come to zero deleted."""
    sums: dict[tuple[int, str, dt.date, dt.date], Decimal] = {}
    for customer_id, amount_usd, due_date, doc_date, change in changes:
        if change:
            key = open_key(customer_id, amount_usd, due_date, doc_date)
            sums[key] = sums.get(key, Decimal(0)) + change
    _upsert_open(session, [dict(zip(OPEN_KEY, key), open_usd=v) for key, v in sorted(sums.items()) if v])


def move_open(session: Session, from_ids: Iterable[int], to_id: int) -> None:
    """The open amounts of customers merged into another (their entries move to it), in the
    caller's transaction: their rows are added to its rows and deleted."""
    ids = list(from_ids)
    rows = [dict(r._mapping) for r in session.execute(select(OD).where(OD.c.customer_id.in_(ids)))]
    if not rows:
        return
    session.execute(delete(OD).where(OD.c.customer_id.in_(ids)))
    sums: dict[tuple, Decimal] = {}
    for r in rows:
        key = (to_id, r["kind"], r["due_date"], r["doc_date"])
        sums[key] = sums.get(key, Decimal(0)) + r["open_usd"]
    _upsert_open(session, [dict(zip(OPEN_KEY, key), open_usd=v) for key, v in sorted(sums.items()) if v])


def _upsert_open(session: Session, rows: list[dict]) -> None:
    """Add ``rows`` (open_due keys and open_usd) to open_due; the rows that come to zero are deleted."""
    if not rows:
        return
    _add_to_rows(session.connection(), OD, OPEN_KEY, ("open_usd",), rows)
    session.connection().execute(_DELETE_ZERO_OPEN, [{f"k_{k}": row[k] for k in OPEN_KEY} for row in rows])


#: the open_due rows that came to zero, by key (built once: see :func:`_upsert_stmt`)
_DELETE_ZERO_OPEN = delete(OD).where(*(OD.c[k] == bindparam(f"k_{k}") for k in OPEN_KEY), OD.c.open_usd == 0)


def _open_grouped():
    kind = case((LE.c.amount_usd < 0, literal("C")), (LE.c.due_date.is_(None), literal("L")), else_=literal("D"))
    due = case((and_(LE.c.amount_usd >= 0, LE.c.due_date.is_not(None)), LE.c.due_date), else_=LE.c.doc_date)
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
