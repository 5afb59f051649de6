"""Customer-ledger and books reports, as plain data (DESIGN §8).

Modelled on PowerOffice Go's customer-ledger reporting: balances at a date,
open items at a date, a statement between two dates (voucher-type, last-changed
and "balance less than amount" filters), plus ageing, the Nexudus-style
general ledger of payments, the trial balance and an account register.

Every function here takes a session and returns frozen dataclasses; the
:class:`~shopterm.services.ledger.entries.LedgerService` checks permissions and opens
the session; :mod:`shopterm.printing.reports` renders the results. Sums are
SQL aggregates over indexed columns; the long lists (a customer's entries, the
general ledger, an account register) are keyset-paged on (date, id).

Conventions
-----------
- Amounts in USD are signed like the ledger: + the customer owes us. Rows also
  carry ``debit`` and ``credit`` (both ≥ 0) so they can be shown apart.
- "Balance at D" counts entries dated ≤ D. "Open at D" is an entry's amount
  less the matches dated ≤ D that were not unmatched on or before D.
- A running balance is the customer's whole balance after that entry — every
  entry counts, also those a filter hides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from sqlalchemy import and_, case, func, literal, or_, select, tuple_, union_all

from shopterm.core.i18n import N_
from ...core.text import postal_address
# the Core tables: the reports load no ORM, SQLModel or models (the read commands, tests/cli/test_read_commands.py)
from ...store.tables import (
    Account as A,
    AccountDay as AD,
    Customer as C,
    JournalLine as JL,
    JournalVoucher as JV,
    LedgerEntry as LE,
    Location as L,
    Match as M,
    MatchLine as ML,
    OpenDue as OD,
    OpenDueMonth as ODM,
    OpenMonth as OM,
)
from ...store.balances import customer_sum_before, since
# the reports a read command runs without SQLAlchemy (named statements): here under their old names
from .ageing import BUCKETS, AgeingReport, AgeingRow, ageing, bucket_index  # noqa: F401
from .totals import (OTHER_CURRENCIES, ZERO, BalanceRow, BalancesReport, TotalsAt, TrialBalanceReport,  # noqa: F401
                     TrialBalanceRow, _customer_filter, _customers, balances, customer_id, location_row, trial_balance)
from ...core.doctypes import DOC_TYPES
from ..errors import NotFound, ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..context import Actor

#: Payments and refunds: what the Nexudus-style general ledger shows by default.
PAYMENT_TYPES = ("RC", "CR")

Key = tuple[dt.date, int]
#: ``on_progress(done, total)`` between pages or steps of a long report (a progress bar); it may raise
#: ``Cancelled`` (Esc) to stop the report there — the same protocol as the CSV imports.
ProgressFn = Callable[[int, int], None]


def _steps(on_progress: ProgressFn | None, total: int) -> Callable[[int], None]:
    """``step(n)`` reports n of ``total`` steps done (nothing without a callback)."""
    return (lambda n: on_progress(n, total)) if on_progress is not None else (lambda n: None)


def type_label(voucher_type: str, amount_usd: Decimal) -> str:
    """The voucher type as a person reads it (sign tells a refund from a payment).

    English, as the data keeps it (the JSON/CSV exports too); every label is marked
    for the catalogue, so what shows it to a person translates it with ``_()``."""
    vt = voucher_type
    if vt in ("SI", "PI"):
        return (N_("Sales invoice") if vt == "SI" else N_("Provisional invoice")) if amount_usd >= 0 \
            else N_("Invoice reversal")
    if vt in ("SR", "RD"):
        return N_("Credit note/return") if amount_usd <= 0 else N_("Return reversal")
    if vt == "RC":
        return N_("Payment received") if amount_usd <= 0 else N_("Refund")
    if vt == "CR":
        return N_("Payment on account") if amount_usd <= 0 else N_("Payment reversal")
    return DOC_TYPES.get(vt, vt)


def check_voucher_types(types: Iterable[str] | None) -> tuple[str, ...] | None:
    """Voucher-type codes (SI, PI, SR, RD, RC, CR…), upper-cased; unknown codes refused."""
    if not types:
        return None
    out = []
    for t in types:
        for part in str(t).replace(",", " ").split():
            code = part.strip().upper()
            if code not in DOC_TYPES:
                raise ValidationError(
                    "Unknown voucher type {part!r} (use SI, PI, SR, RD, RC or CR)", field="voucher_types",
                    params={"part": part})
            out.append(code)
    return tuple(dict.fromkeys(out)) or None


# ---------------------------------------------------------------- reading a customer's sums


def customer_balance(session: Session, customer_id: int, at: dt.date | None = None) -> Decimal:
    """Σ USD of the customer's ledger entries dated ≤ ``at`` (all of them without ``at``): its sums
    per month before ``at``'s month (``customer_month``) and the entries of that month (covering index)."""
    return customer_sum_before(session, customer_id, at)


def sum_before(session: Session, customer_id: int, key: tuple[dt.date, int], *, inclusive: bool = False) -> Decimal:
    """Σ USD of the customer's entries before (or up to) ``key`` = (date, id) in ledger order: its
    sums per month before the key's month and the entries of that month before the key."""
    k = tuple_(LE.c.doc_date, LE.c.id)
    return customer_sum_before(session, customer_id, key[0],
                                        k <= tuple_(*key) if inclusive else k < tuple_(*key))


def active_match_ids(session: Session, entry_ids: Iterable[int], at: dt.date | None = None) -> dict[int, tuple[int, ...]]:
    """entry id → ids of the matches holding it (now, or as they stood at ``at``)."""
    ids = list(entry_ids)
    if not ids:
        return {}
    out: dict[int, list[int]] = {}
    for chunk in _chunks(ids, 500):
        stmt = select(ML.c.entry_id, ML.c.match_id).join(M, M.c.id == ML.c.match_id).where(ML.c.entry_id.in_(chunk))
        if at is None:
            stmt = stmt.where(M.c.unmatched_on.is_(None))
        else:
            stmt = stmt.where(M.c.date <= at, or_(M.c.unmatched_on.is_(None), M.c.unmatched_on > at))
        for entry_id, match_id in session.execute(stmt.order_by(ML.c.match_id)):
            out.setdefault(entry_id, []).append(match_id)
    return {k: tuple(v) for k, v in out.items()}


def _chunks(seq: Sequence[int], n: int):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


# ---------------------------------------------------------------- whose ledger, which letterhead


# customer_id and location_row: .totals (named statements, no SQLAlchemy), imported above


# ---------------------------------------------------------------- rows


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One customer-ledger entry as a statement line."""

    entry_id: int
    customer_id: int
    customer_code: str
    customer_name: str
    date: dt.date
    due_date: dt.date | None
    voucher_type: str
    type_label: str
    number: str
    reference: str
    currency: str
    amount: Decimal  # signed, in ``currency``
    amount_usd: Decimal  # signed
    debit: Decimal  # USD, ≥ 0
    credit: Decimal  # USD, ≥ 0
    balance: Decimal  # the customer's USD balance after this entry
    open_usd: Decimal  # signed; what is not matched yet
    open_amount: Decimal
    method: str
    match_ids: tuple[int, ...]
    changed_at: dt.datetime
    location_code: str = ""

    @property
    def key(self) -> Key:
        return (self.date, self.entry_id)


@dataclass(frozen=True, slots=True)
class Page:
    """A screenful of one customer's ledger (keyset-paged on (date, id))."""

    rows: tuple[LedgerRow, ...]
    opening_balance: Decimal  # the balance before the first row (every earlier entry counted)
    closing_balance: Decimal  # the balance after the last row
    next_key: Key | None  # pass as ``after_key`` for the next page (None: this is the last)
    prev_key: Key | None  # pass as ``before_key`` for the previous page (None: this is the first)

    @property
    def has_more(self) -> bool:
        return self.next_key is not None

    @property
    def has_previous(self) -> bool:
        return self.prev_key is not None


def row_of(r, balance: Decimal, match_ids: tuple[int, ...]) -> LedgerRow:
    amt = r.amount_usd
    return LedgerRow(
        entry_id=r.id, customer_id=r.customer_id, customer_code=r.customer_code, customer_name=r.customer_name,
        date=r.doc_date, due_date=r.due_date, voucher_type=r.voucher_type, type_label=type_label(r.voucher_type, amt),
        number=r.number, reference=r.reference, currency=r.currency, amount=r.amount, amount_usd=amt,
        debit=amt if amt > 0 else ZERO, credit=-amt if amt < 0 else ZERO, balance=balance, open_usd=r.open_usd,
        open_amount=r.open_amount, method=r.method, match_ids=match_ids, changed_at=r.changed_at,
        location_code=r.location_code,
    )


@dataclass(frozen=True, slots=True)
class _Page:
    """One page of rows in (date, id) order, with the keys of the pages after and before it (None: none)."""

    rows: list
    next_key: Key | None
    prev_key: Key | None


def _keyset_page(session: Session, stmt: Any, base: Sequence[Any], date_col: Any, id_col: Any,
                 after_key: Key | None, before_key: Key | None, limit: int | None) -> _Page:
    """The rows of ``stmt`` (a select to which the conditions are added) under ``base``, ordered by
    (``date_col``, ``id_col``): after ``after_key``, or (with ``limit``) the page that ends just before
    ``before_key``; ``limit`` rows at most (None: all). The keys of the next and the previous page are
    looked for with one index search each."""
    k = tuple_(date_col, id_col)
    conds = list(base)
    if after_key is not None:
        conds.append(k > tuple_(*after_key))
    backwards = before_key is not None and after_key is None and limit is not None
    if before_key is not None:
        conds.append(k < tuple_(*before_key))
    stmt = stmt.where(*conds)
    stmt = stmt.order_by(date_col.desc(), id_col.desc()) if backwards else stmt.order_by(date_col, id_col)
    if limit is not None:
        stmt = stmt.limit(limit + 1)
    fetched = session.execute(stmt).all()
    more = limit is not None and len(fetched) > limit
    rows = fetched[:limit] if limit is not None else fetched
    if backwards:
        rows = rows[::-1]
    next_key = prev_key = None
    if rows:
        first = (getattr(rows[0], date_col.name), rows[0].id)
        last = (getattr(rows[-1], date_col.name), rows[-1].id)

        def exists(cond) -> bool:
            return session.execute(select(id_col).where(*base, cond).limit(1)).first() is not None

        if backwards:
            prev_key = first if more else None
            next_key = last if exists(k > tuple_(*last)) else None
        else:
            next_key = last if more else None
            prev_key = first if (after_key is not None and exists(k < tuple_(*first))) else None
    return _Page(rows, next_key, prev_key)


def entry_select():
    return (
        select(LE, C.c.code.label("customer_code"), C.c.name.label("customer_name"), L.c.code.label("location_code"))
        .join(C, C.c.id == LE.c.customer_id)
        .join(L, L.c.id == LE.c.location_id)
    )


def _filters(*, date_from=None, date_to=None, voucher_types=None, open_only=False, changed_since=None, search=None,
             partly_settled=False) -> tuple[list, bool]:
    """WHERE conditions for ledger entries; and whether they can skip entries inside the date range."""
    conds: list = []
    gaps = False
    if date_from is not None:
        conds.append(LE.c.doc_date >= date_from)
    if date_to is not None:
        conds.append(LE.c.doc_date <= date_to)
    if voucher_types:
        conds.append(LE.c.voucher_type.in_(voucher_types))
        gaps = True
    if open_only:
        conds.append(LE.c.is_open == True)  # noqa: E712
        gaps = True
    if changed_since is not None:
        conds.append(LE.c.changed_at >= as_utc(changed_since))
        gaps = True
    if search:
        like = f"%{search.strip().lower()}%"
        conds.append(or_(func.lower(LE.c.number).like(like), func.lower(LE.c.reference).like(like)))
        gaps = True
    if partly_settled:
        # "balance less than amount": partly or fully settled entries
        conds.append(or_(and_(LE.c.amount_usd > 0, LE.c.open_usd < LE.c.amount_usd),
                         and_(LE.c.amount_usd < 0, LE.c.open_usd > LE.c.amount_usd)))
        gaps = True
    return conds, gaps


def as_utc(ts: dt.datetime) -> dt.datetime:
    """Timestamps are kept in UTC: an aware one is converted, a naive one is taken as UTC."""
    if ts.tzinfo is None:
        return ts.replace(tzinfo=dt.timezone.utc)
    return ts.astimezone(dt.timezone.utc)


def _running(session: Session, customer_id: int, rows: Sequence, opening: Decimal, gaps: bool) -> list[Decimal]:
    """The customer's balance after each row (rows in ledger order, one customer).

    ``opening`` is the balance before the first row; with ``gaps`` (rows a
    filter may have skipped) it is recomputed from the index and the skipped
    entries between the rows are added in.
    """
    if not rows:
        return []
    if not gaps:
        return list(accumulate((r.amount_usd for r in rows), initial=opening))[1:]
    first, last = (rows[0].doc_date, rows[0].id), (rows[-1].doc_date, rows[-1].id)
    opening = sum_before(session, customer_id, first)
    k = tuple_(LE.c.doc_date, LE.c.id)
    all_rows = session.execute(
        select(LE.c.id, LE.c.amount_usd).where(LE.c.customer_id == customer_id, k >= tuple_(*first), k <= tuple_(*last))
        .order_by(LE.c.doc_date, LE.c.id)
    ).all()
    after: dict[int, Decimal] = {}
    bal = opening
    for entry_id, amt in all_rows:
        bal += amt
        after[entry_id] = bal
    return [after[r.id] for r in rows]


def ledger_page(session: Session, customer_id: int, *, date_from: dt.date | None = None,
                date_to: dt.date | None = None, voucher_types: Sequence[str] | None = None, open_only: bool = False,
                changed_since: dt.datetime | None = None, search: str | None = None, partly_settled: bool = False,
                after_key: Key | None = None, before_key: Key | None = None, limit: int = 100) -> Page:
    if limit < 1:
        raise ValidationError("limit must be at least 1", field="limit")
    conds, gaps = _filters(date_from=date_from, date_to=date_to, voucher_types=voucher_types, open_only=open_only,
                           changed_since=changed_since, search=search, partly_settled=partly_settled)
    base = [LE.c.customer_id == customer_id, *conds]
    page = _keyset_page(session, entry_select(), base, LE.c.doc_date, LE.c.id, after_key, before_key, limit)
    rows = page.rows
    if rows:
        opening = sum_before(session, customer_id, (rows[0].doc_date, rows[0].id))
        balances = _running(session, customer_id, rows, opening, gaps)
        mids = active_match_ids(session, [r.id for r in rows])
        out = tuple(row_of(r, b, mids.get(r.id, ())) for r, b in zip(rows, balances))
        return Page(out, opening, balances[-1], page.next_key, page.prev_key)
    if after_key is not None:
        opening = sum_before(session, customer_id, after_key, inclusive=True)
    elif before_key is not None:
        opening = sum_before(session, customer_id, before_key)
    elif date_from is not None:
        opening = _balance(session, customer_id, date_from - dt.timedelta(days=1))
    else:
        opening = ZERO
    return Page((), opening, opening, None, None)


def _balance(session: Session, customer_id: int, at: dt.date) -> Decimal:
    value = session.execute(
        select(func.sum(LE.c.amount_usd)).where(LE.c.customer_id == customer_id, LE.c.doc_date <= at)
    ).scalar()
    return value if value is not None else ZERO


# ---------------------------------------------------------------- balances at a date


# BalanceRow, TotalsAt, BalancesReport, balances and _customers: .totals (a read command runs them without
# SQLAlchemy), imported above


# ---------------------------------------------------------------- open items at a date


@dataclass(frozen=True, slots=True)
class OpenItem:
    entry_id: int
    customer_id: int
    customer_code: str
    customer_name: str
    date: dt.date
    due_date: dt.date  # the entry's due date, else its date + the customer's credit days
    days_past_due: int  # at the report date; ≤ 0 when not yet due
    voucher_type: str
    type_label: str
    number: str
    reference: str
    currency: str
    amount: Decimal
    amount_usd: Decimal
    open_amount: Decimal  # as it stood at the date
    open_usd: Decimal
    match_ids: tuple[int, ...]  # the matches that counted at the date

    @property
    def key(self) -> "OpenKey":
        """Where the list of every customer's open items goes on from (customer code, date, id)."""
        return (self.customer_code, self.date, self.entry_id)


@dataclass(frozen=True, slots=True)
class OpenItemsReport(TotalsAt[OpenItem]):
    title: str = N_("Open items")


def _open_at(at: dt.date, columns, customer_ids: Sequence[int] | None = None):
    """Entries open at ``at`` with their open amounts then (``o_usd``, ``o_amt``), as one UNION ALL:
    the entries open now (index on is_open) and the closed ones a later match or unmatch had left
    open at ``at``. ``columns`` are ledger_entry columns to carry along. Rows may still be zero
    at ``at`` (an entry opened by a later unmatch): the caller drops them."""
    d = since(at, customer_ids)
    parts = []
    for now_open in (True, False):
        o_usd = LE.c.open_usd + func.coalesce(d.c.usd, 0) if now_open else LE.c.open_usd + d.c.usd
        o_amt = LE.c.open_amount + func.coalesce(d.c.amt, 0) if now_open else LE.c.open_amount + d.c.amt
        q = select(*columns, o_usd.label("o_usd"), o_amt.label("o_amt"))
        q = q.outerjoin(d, d.c.entry_id == LE.c.id) if now_open else q.join(d, d.c.entry_id == LE.c.id)
        # doc_date through coalesce(): the planner then reads the open entries by ix_le_open rather
        # than every entry up to the date by a date index
        q = q.where(LE.c.is_open == now_open, func.coalesce(LE.c.doc_date, LE.c.doc_date) <= at)
        if customer_ids is not None:
            q = q.where(LE.c.customer_id.in_(customer_ids))
        parts.append(q)
    return union_all(*parts).subquery("open_at")


#: Customers per query when open items are streamed, and rows per page read from its cursor.
OPEN_ITEMS_CHUNK = 40
OPEN_ITEMS_PAGE = 200


def _counted_match_ids(session: Session, at: dt.date, entry_ids: Sequence[int]) -> dict[int, list[int]]:
    """The matches that counted at ``at`` for these entries (one indexed query per page)."""
    mids: dict[int, list[int]] = {}
    if not entry_ids:
        return mids
    counted = [M.c.date <= at, or_(M.c.unmatched_on.is_(None), M.c.unmatched_on > at)]
    for entry_id, match_id in session.execute(
        select(ML.c.entry_id, ML.c.match_id).join(M, M.c.id == ML.c.match_id)
        .where(ML.c.entry_id.in_(list(entry_ids)), *counted).order_by(ML.c.match_id)
    ):
        mids.setdefault(entry_id, []).append(match_id)
    return mids


#: An open item's place in the list of every customer's: (customer code, date, entry id).
OpenKey = tuple[str, dt.date, int]


def iter_open_items(session: Session, at: dt.date, customer_id: int | None = None,
                    chunk: int = OPEN_ITEMS_CHUNK, page: int = OPEN_ITEMS_PAGE, *,
                    on_progress: ProgressFn | None = None, after_key: OpenKey | None = None) -> Iterator[OpenItem]:
    """The open items as they stood at ``at``, customer by customer (code order), then by date
    (``after_key``: those after that item, for the next page of a screen).

    A few customers per query, sorted in SQL and read from the cursor ``page`` rows at a time
    (the matches that counted are read per page too), so the first page is out after one sort
    in SQLite, not after building the whole ledger's rows in Python."""
    after_cid = None
    if customer_id is not None:
        order = [customer_id]
    elif after_key is not None:
        order = list(session.execute(select(C.c.id).where(C.c.code >= after_key[0]).order_by(C.c.code)).scalars())
        after_cid = session.execute(select(C.c.id).where(C.c.code == after_key[0])).scalar()
    else:
        order = list(session.execute(select(C.c.id).order_by(C.c.code)).scalars())
    amount_usd_type, amount_type = LE.c.amount_usd, LE.c.amount
    cols = [LE.c.id, LE.c.customer_id, LE.c.doc_date, LE.c.due_date, LE.c.voucher_type, LE.c.number,
            LE.c.reference, LE.c.currency, LE.c.amount, LE.c.amount_usd]
    i, size = 0, 1
    if on_progress is not None:
        on_progress(0, len(order))  # customers done / customers in all
    while i < len(order):
        # 1, 2, 4 … customers per query up to ``chunk``: the first page waits for one customer's sort only
        ids = order[i:i + size]
        i, size = i + size, min(chunk, size * 2)
        info = _customers(session, ids)
        o = _open_at(at, cols, ids)
        place = case({cid: n for n, cid in enumerate(ids)}, value=o.c.customer_id) if len(ids) > 1 else literal(0)
        stmt = select(o).order_by(place, o.c.doc_date, o.c.id)
        if after_cid is not None and after_cid in ids:  # the page goes on inside this customer
            stmt = stmt.where(or_(o.c.customer_id != after_cid,
                                  tuple_(o.c.doc_date, o.c.id) > tuple_(after_key[1], after_key[2])))
        result = session.execute(stmt, execution_options={"yield_per": page})
        for part in result.partitions(page):
            rows = [r for r in part if _dec(r.o_usd, amount_usd_type) != 0]
            mids = _counted_match_ids(session, at, [r.id for r in rows])
            for r in rows:
                code, name, _group, _limit, days = info.get(r.customer_id, ("", "", "", ZERO, 0))
                open_usd = _dec(r.o_usd, amount_usd_type)
                open_amt = _dec(r.o_amt, amount_type)
                amount, amount_usd = _dec(r.amount, amount_type), _dec(r.amount_usd, amount_usd_type)
                due = r.due_date or (r.doc_date + dt.timedelta(days=days or 0))
                yield OpenItem(r.id, r.customer_id, code, name, r.doc_date, due, (at - due).days, r.voucher_type,
                               type_label(r.voucher_type, amount_usd), r.number, r.reference, r.currency, amount,
                               amount_usd, open_amt, open_usd, tuple(mids.get(r.id, ())))
        if on_progress is not None:
            on_progress(i, len(order))


def open_items(session: Session, at: dt.date, customer_id: int | None = None, *,
               on_progress: ProgressFn | None = None, chunk: int = OPEN_ITEMS_CHUNK) -> OpenItemsReport:
    """The open items as they stood at ``at`` (matches dated after ``at``, or unmatched by then, do not count)."""
    rows = []
    total = ZERO
    by: dict[str, Decimal] = {}
    for item in iter_open_items(session, at, customer_id, chunk, on_progress=on_progress):
        rows.append(item)
        total += item.open_usd
        by[item.currency] = by.get(item.currency, ZERO) + item.open_amount
    return OpenItemsReport(at, tuple(rows), total, dict(sorted(by.items())))


def _dec(value, column) -> Decimal:
    """A SUM as Decimal. A sum typed by its column comes back scaled (exactly ``scale``
    decimals); an untyped one comes back as the raw scaled integer — an ``int`` from
    SQLite, an integral ``Decimal`` (NUMERIC) from PostgreSQL — and is scaled here."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal) and value.as_tuple().exponent == -column.type.scale:
        return value
    return column.type.process_result_value(value, None)


# ---------------------------------------------------------------- statement


@dataclass(frozen=True, slots=True)
class StatementSection:
    customer_id: int
    customer_code: str
    customer_name: str
    address: str
    opening_balance: Decimal  # at the day before ``date_from``
    rows: tuple[LedgerRow, ...]
    closing_balance: Decimal  # at ``date_to``
    total_debit: Decimal  # of the rows shown
    total_credit: Decimal


@dataclass(frozen=True, slots=True)
class StatementReport:
    date_from: dt.date
    date_to: dt.date
    sections: tuple[StatementSection, ...]
    voucher_types: tuple[str, ...] | None = None
    changed_since: dt.datetime | None = None
    partly_settled: bool = False
    title: str = N_("Customer statement")

    @property
    def filtered(self) -> bool:
        return bool(self.voucher_types or self.changed_since or self.partly_settled)


def statement(session: Session, date_from: dt.date, date_to: dt.date, customer_id: int | None = None,
              voucher_types: Sequence[str] | None = None, changed_since: dt.datetime | None = None,
              partly_settled: bool = False, *, on_progress: ProgressFn | None = None) -> StatementReport:
    """Opening balance, entries with running balance, closing balance, per customer.

    Without filters, opening + Σ entries = closing. With filters the hidden
    entries still count in the running and closing balances. ``on_progress(customers done,
    customers in all)`` after each customer's section.
    """
    if date_to < date_from:
        raise ValidationError("The period ends ({date_to}) before it starts ({date_from})", field="date_to",
            params={"date_to": date_to, "date_from": date_from})
    vts = check_voucher_types(voucher_types)
    conds, gaps = _filters(date_from=date_from, date_to=date_to, voucher_types=vts, changed_since=changed_since,
                           partly_settled=partly_settled)
    # opening and closing per customer: one grouped SUM
    sums = (
        select(LE.c.customer_id,
               func.sum(case((LE.c.doc_date < date_from, LE.c.amount_usd), else_=literal(0))).label("opening"),
               func.sum(LE.c.amount_usd).label("closing"),
               func.sum(case((LE.c.doc_date >= date_from, 1), else_=0)).label("n"))
        .where(LE.c.doc_date <= date_to).group_by(LE.c.customer_id)
    )
    if customer_id is not None:
        sums = sums.where(LE.c.customer_id == customer_id)
    totals = {r.customer_id: (_dec(r.opening, LE.c.amount_usd), _dec(r.closing, LE.c.amount_usd), r.n)
              for r in session.execute(sums)}
    if customer_id is not None and customer_id not in totals:
        totals[customer_id] = (ZERO, ZERO, 0)
    stmt = entry_select().where(*conds).order_by(LE.c.customer_id, LE.c.doc_date, LE.c.id)
    if customer_id is not None:
        stmt = stmt.where(LE.c.customer_id == customer_id)
    by_customer: dict[int, list] = {}
    for r in session.execute(stmt):
        by_customer.setdefault(r.customer_id, []).append(r)
    info = {r.id: r for r in session.execute(select(C.c.id, C.c.code, C.c.name, C.c.address, C.c.city,
                                                    C.c.province, C.c.country)
                                             .where(C.c.id.in_(list(totals))))} if totals else {}
    sections = []
    step = _steps(on_progress, len(totals))
    for done, cid in enumerate(sorted(totals, key=lambda i: info[i].code)):
        step(done)  # the customers before this one are done
        opening, closing, n = totals[cid]
        rows = by_customer.get(cid, [])
        if customer_id is None and not rows and opening == 0 and closing == 0:
            continue
        if customer_id is None and (vts or changed_since or partly_settled) and not rows:
            continue
        balances = _running(session, cid, rows, opening, gaps)
        mids = active_match_ids(session, [r.id for r in rows])
        out = tuple(row_of(r, b, mids.get(r.id, ())) for r, b in zip(rows, balances))
        c = info[cid]
        sections.append(StatementSection(cid, c.code, c.name, postal_address(c.address, c.city, c.province, c.country),
                                         opening, out, closing,
                                         sum((x.debit for x in out), ZERO), sum((x.credit for x in out), ZERO)))
    step(len(totals))
    return StatementReport(date_from, date_to, tuple(sections), vts, changed_since, partly_settled)


# ---------------------------------------------------------------- ageing


# AgeingRow, AgeingReport, bucket_index and ageing: .ageing (a read command runs them without SQLAlchemy;
# their statements are in .sql)


# ---------------------------------------------------------------- general ledger (Nexudus)


@dataclass(frozen=True, slots=True)
class GLRow:
    entry_id: int
    date: dt.date
    reference: str  # the invoice it settles (or the document's own reference)
    number: str
    transaction_type: str
    voucher_type: str
    customer_code: str
    customer_name: str
    method: str
    location_code: str
    currency: str
    amount: Decimal  # signed, in ``currency``
    amount_usd: Decimal  # signed
    debit: Decimal
    credit: Decimal
    balance: Decimal  # the customer's balance after this transaction

    @property
    def key(self) -> Key:
        return (self.date, self.entry_id)


@dataclass(frozen=True, slots=True)
class GeneralLedgerReport:
    date_from: dt.date
    date_to: dt.date
    location_code: str | None
    show_all: bool
    rows: tuple[GLRow, ...]
    total_debit: Decimal
    total_credit: Decimal
    next_key: Key | None = None
    title: str = N_("General ledger")
    prev_key: Key | None = None  # pass as ``before_key`` for the page before (None: the first page)


def general_ledger(session: Session, location_id: int | None, location_code: str | None, date_from: dt.date,
                   date_to: dt.date, show_all: bool = False, after_key: Key | None = None,
                   limit: int | None = None, before_key: Key | None = None, *,
                   on_progress: ProgressFn | None = None) -> GeneralLedgerReport:
    """``after_key`` pages forward; ``before_key`` (with ``limit``) gives the page that ends just before it.
    ``on_progress(customers done, customers in all)`` as each customer's running balance is worked out."""
    conds = [LE.c.doc_date >= date_from, LE.c.doc_date <= date_to]
    if location_id is not None:
        conds.append(LE.c.location_id == location_id)
    if not show_all:
        conds.append(LE.c.voucher_type.in_(PAYMENT_TYPES))
    page = _keyset_page(session, entry_select(), conds, LE.c.doc_date, LE.c.id, after_key, before_key, limit)
    rows = page.rows
    # the customer's running balance: per customer, the sum before its first row + its entries up to each row
    by_cust: dict[int, list] = {}
    for r in rows:
        by_cust.setdefault(r.customer_id, []).append(r)
    bal: dict[int, Decimal] = {}
    step = _steps(on_progress, len(by_cust))
    for done, (cid, rs) in enumerate(by_cust.items()):
        step(done)
        for r, b in zip(rs, _running(session, cid, rs, ZERO, True)):
            bal[r.id] = b
    step(len(by_cust))
    out = []
    for r in rows:
        amt = r.amount_usd
        out.append(GLRow(r.id, r.doc_date, r.reference, r.number, type_label(r.voucher_type, amt), r.voucher_type,
                         r.customer_code, r.customer_name, r.method, r.location_code, r.currency, r.amount, amt,
                         amt if amt > 0 else ZERO, -amt if amt < 0 else ZERO, bal[r.id]))
    return GeneralLedgerReport(date_from, date_to, location_code, show_all, tuple(out),
                               sum((r.debit for r in out), ZERO), sum((r.credit for r in out), ZERO), page.next_key,
                               prev_key=page.prev_key)


# ---------------------------------------------------------------- trial balance, account register


# TrialBalanceRow, TrialBalanceReport and trial_balance: .totals (a read command runs them without SQLAlchemy)


@dataclass(frozen=True, slots=True)
class RegisterRow:
    line_id: int
    date: dt.date
    voucher_type: str
    number: str
    memo: str
    customer_code: str
    location_code: str
    currency: str
    amount: Decimal
    debit: Decimal
    credit: Decimal
    balance: Decimal  # USD, the account's balance after this line

    @property
    def key(self) -> Key:
        return (self.date, self.line_id)


@dataclass(frozen=True, slots=True)
class AccountRegister:
    account_code: str
    account_name: str
    date_from: dt.date
    date_to: dt.date
    opening_balance: Decimal  # before the first row
    rows: tuple[RegisterRow, ...]
    closing_balance: Decimal  # after the last row
    next_key: Key | None = None
    title: str = N_("Account register")
    prev_key: Key | None = None  # pass as ``before_key`` for the page before (None: the first page)


def account_register(session: Session, account_code: str, date_from: dt.date, date_to: dt.date,
                     after_key: Key | None = None, limit: int | None = None,
                     before_key: Key | None = None, opening: Decimal | None = None) -> AccountRegister:
    """``after_key`` pages forward; ``before_key`` (with ``limit``) gives the page that ends just before it.
    ``opening``: the balance at ``after_key`` when the caller knows it (the previous page's closing), not summed again."""
    acc = session.execute(select(A.c.id, A.c.code, A.c.name).where(A.c.code == account_code.strip())).first()
    if acc is None:
        raise NotFound("Account {account_code} is not in the chart of accounts", field="account",
            params={"account_code": account_code})
    k = tuple_(JL.c.date, JL.c.id)
    start = after_key
    backwards = before_key is not None and after_key is None and limit is not None

    def sum_where(*cond) -> Decimal:
        value = session.execute(select(func.sum(JL.c.amount_usd)).where(JL.c.account_id == acc.id, *cond)).scalar()
        return value if value is not None else ZERO

    base = [JL.c.account_id == acc.id, JL.c.date >= date_from, JL.c.date <= date_to]
    stmt = (
        select(JL, JV.c.voucher_type, JV.c.number, C.c.code.label("customer_code"), L.c.code.label("location_code"))
        .join(JV, JV.c.id == JL.c.voucher_id).join(L, L.c.id == JL.c.location_id)
        .outerjoin(C, C.c.id == JL.c.customer_id)
    )
    page = _keyset_page(session, stmt, base, JL.c.date, JL.c.id, start, before_key, limit)
    rows = page.rows
    if backwards and rows:
        opening = sum_where(k < tuple_(rows[0].date, rows[0].id))
    elif start is not None:
        opening = opening if opening is not None else sum_where(k <= tuple_(*start))
    else:
        opening = sum_where(JL.c.date < date_from)
    out = []
    bal = opening
    for r in rows:
        bal += r.amount_usd
        out.append(RegisterRow(r.id, r.date, r.voucher_type, r.number, r.memo, r.customer_code or "",
                               r.location_code, r.currency, r.amount, r.amount_usd if r.amount_usd > 0 else ZERO,
                               -r.amount_usd if r.amount_usd < 0 else ZERO, bal))
    return AccountRegister(acc.code, acc.name, date_from, date_to, opening, tuple(out), bal, page.next_key,
                           prev_key=page.prev_key)
