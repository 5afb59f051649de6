"""Reading the customer ledger and the books: the reports every screen, command and test uses.

:class:`LedgerReads` checks the reader's permission, opens a Core connection (a read transaction)
and runs the report queries of :mod:`shopterm.services.ledger.reports`. It loads no ORM, SQLModel,
pydantic or model class, so ``shopterm ledger balances`` (and every read command) runs without them;
:class:`~shopterm.services.ledger.entries.LedgerService` (the TUI's ``services.ledger``) is built on it,
so the screens read through the same methods. The balances, the trial balance, the letterhead
(:mod:`.totals`) and the ageing (:mod:`.ageing`) run on named statements (``self.db.reads()``): for ``shopterm ledger balances`` on a SQLite file that is a
plain ``sqlite3`` connection, and SQLAlchemy is not imported at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import islice
from functools import wraps
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from . import totals
from .totals import BalancesReport, TrialBalanceReport, one_step
from ..context import Actor
from ..errors import ValidationError
from ...core.i18n import N_

if TYPE_CHECKING:
    from .ageing import AgeingReport
    from .reports import AccountRegister, GeneralLedgerReport, OpenItemsReport
    from .reports import StatementReport
    from .. import Services

# the reports on SQLAlchemy Core (reports.py, exports.py) are imported by the methods that run them: the
# balances and the letterhead (totals.py) run on named statements, without SQLAlchemy in a read command


def _adds_up(what: str) -> Callable:
    """A report whose sums pass a BIGINT says so, naming ``what`` (an ``N_`` text): the same message on
    both stores and both read paths (:class:`~shopterm.store.db.SumTooLarge`), never a traceback."""
    def wrap(method: Callable) -> Callable:
        @wraps(method)
        def run(*args, **kwargs):
            from ...store.db import adding_up

            with adding_up(what):
                return method(*args, **kwargs)
        return run
    return wrap


@dataclass(frozen=True, slots=True)
class Letterhead:
    name: str
    address: str
    phone: str
    tax_no: str
    rccm_no: str
    location_code: str


class LedgerReads:
    """The ledger's reports (each in one read transaction on a Core connection)."""

    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    @_adds_up(N_("The customers' balances"))
    def balances(self, actor: Actor, at: dt.date | None = None, customer: int | str | None = None,
                 group: str | None = None, *, on_progress: R.ProgressFn | None = None) -> BalancesReport:
        """Each customer's balance at ``at`` (inclusive), in USD and per currency.
        ``on_progress(done, total)`` (as every report here): 0 of 1 step, then 1 of 1."""
        actor.require("ledgers", "Viewing customer ledgers")
        with self.db.reads() as conn:  # named statements: on sqlite3 in a read command, else SQLAlchemy Core
            cid = totals.customer_id(conn, customer) if customer not in (None, "") else None
            return one_step(on_progress, lambda: totals.balances(conn, at or self.s.today(), cid, group))

    @_adds_up(N_("The open items"))
    def open_items(self, actor: Actor, at: dt.date | None = None, customer: int | str | None = None, *,
                   on_progress: R.ProgressFn | None = None, chunk: int | None = None) -> OpenItemsReport:
        """The open items as they stood at ``at``, with the matches that counted then.
        ``on_progress(customers done, customers in all)`` after each ``chunk`` of customers (default
        ``reports.OPEN_ITEMS_CHUNK``)."""
        actor.require("ledgers", "Viewing customer ledgers")
        from . import reports as R
        with self.db.connect() as session:
            cid = R.customer_id(session, customer) if customer not in (None, "") else None
            return R.open_items(session, at or self.s.today(), cid, on_progress=on_progress,
                                chunk=chunk or R.OPEN_ITEMS_CHUNK)

    def open_item_pages(self, actor: Actor, at: dt.date | None = None, customer: int | str | None = None,
                        page: int = 50) -> Iterator[list[R.OpenItem]]:
        """The open items at ``at`` streamed page by page (``page`` rows each) from one read transaction:
        the first page comes after reading a few customers, not the whole ledger."""
        actor.require("ledgers", "Viewing customer ledgers")
        from . import reports as R
        with self.db.connect() as session:
            cid = R.customer_id(session, customer) if customer not in (None, "") else None
            batch: list[R.OpenItem] = []
            for item in R.iter_open_items(session, at or self.s.today(), cid):
                batch.append(item)
                if len(batch) >= page:
                    yield batch
                    batch = []
            if batch:
                yield batch

    @_adds_up(N_("The open items"))
    def open_items_page(self, actor: Actor, at: dt.date | None = None, after_key: R.OpenKey | None = None,
                        limit: int = 50) -> tuple[tuple[R.OpenItem, ...], R.OpenKey | None]:
        """A screenful of every customer's open items at ``at`` (customer code, date order) after
        ``after_key``, and the key to go on from (None: the last page). Each page reads only the
        customers it shows (and one more to know there is more)."""
        actor.require("ledgers", "Viewing customer ledgers")
        from . import reports as R
        if limit < 1:
            raise ValidationError("limit must be at least 1", field="limit")
        with self.db.connect() as session:
            stream = R.iter_open_items(session, at or self.s.today(), after_key=after_key)
            try:
                items = list(islice(stream, limit + 1))
            finally:
                stream.close()  # the customers' cursor, before the read transaction ends
        rows = tuple(items[:limit])
        return rows, (rows[-1].key if len(items) > limit else None)

    @_adds_up(N_("The statement's balances"))
    def statement(self, actor: Actor, date_from: dt.date, date_to: dt.date, customer: int | str | None = None,
                  voucher_types: Sequence[str] | None = None, changed_since: dt.datetime | None = None,
                  partly_settled: bool = False, *, on_progress: R.ProgressFn | None = None) -> StatementReport:
        """Opening balance, entries with running balance, closing balance (per customer).
        ``on_progress(customers done, customers in all)``."""
        actor.require("ledgers", "Viewing customer ledgers")
        from . import reports as R
        with self.db.connect() as session:
            cid = R.customer_id(session, customer) if customer not in (None, "") else None
            return R.statement(session, date_from, date_to, cid, voucher_types, changed_since, partly_settled,
                               on_progress=on_progress)

    @_adds_up(N_("The ageing's totals"))
    def ageing(self, actor: Actor, at: dt.date | None = None, customer: int | str | None = None, *,
               on_progress: R.ProgressFn | None = None) -> AgeingReport:
        """Open balances by days past due (0-30, 31-60, 61-90, 90+), per customer and customer group.
        ``on_progress``: one grouped pass, 0 of 1 then 1 of 1."""
        actor.require("ledgers", "Viewing customer ledgers")
        from .ageing import ageing

        with self.db.reads() as conn:  # named statements, as the balances
            cid = totals.customer_id(conn, customer) if customer not in (None, "") else None
            return one_step(on_progress, lambda: ageing(conn, at or self.s.today(), cid))

    @_adds_up(N_("The general ledger's balances"))
    def general_ledger(self, actor: Actor, location: str | None = None, date_from: dt.date | None = None,
                       date_to: dt.date | None = None, show_all: bool = False, after_key: R.Key | None = None,
                       limit: int | None = None, before_key: R.Key | None = None, *,
                       on_progress: R.ProgressFn | None = None) -> GeneralLedgerReport:
        """Payments and refunds at a location (all customer transactions with ``show_all``).

        Keyset-paged like :meth:`entries`: ``after_key`` (a report's ``next_key``) pages forward,
        ``before_key`` (its ``prev_key``) back. ``on_progress(customers done, customers in all)`` as
        each customer's running balance is worked out."""
        actor.require("ledgers", "Viewing customer ledgers")
        from . import reports as R
        today = self.s.today()
        with self.db.connect() as session:
            loc_id = loc_code = None
            if location:
                loc = R.location_row(session, location)
                loc_id, loc_code = loc.id, loc.code
            return R.general_ledger(session, loc_id, loc_code, date_from or today.replace(day=1), date_to or today,
                                    show_all, after_key, limit, before_key, on_progress=on_progress)

    @_adds_up(N_("The accounts' balances"))
    def trial_balance(self, actor: Actor, at: dt.date | None = None, *,
                      on_progress: R.ProgressFn | None = None) -> TrialBalanceReport:
        actor.require("ledgers", "Viewing the books")
        with self.db.reads() as conn:  # named statements, as the balances
            return one_step(on_progress, lambda: totals.trial_balance(conn, at or self.s.today()))

    @_adds_up(N_("The account's balances"))
    def account_register(self, actor: Actor, account: str, date_from: dt.date, date_to: dt.date,
                         after_key: R.Key | None = None, limit: int | None = None,
                         before_key: R.Key | None = None, *, on_progress: R.ProgressFn | None = None,
                         page: int | None = None) -> AccountRegister:
        """The whole register (no ``limit``) with ``on_progress`` is read ``page`` lines at a time."""
        actor.require("ledgers", "Viewing the books")
        from . import reports as R
        from .exports import EXPORT_PAGE, whole_register

        with self.db.connect() as session:
            if on_progress is not None and limit is None and after_key is None and before_key is None:
                return whole_register(session, account, date_from, date_to, on_progress, page or EXPORT_PAGE)
            return R.account_register(session, account, date_from, date_to, after_key, limit, before_key)

    def letterhead(self, location: str | None = None, actor: Actor | None = None) -> Letterhead:
        """The shop's name and address for printed statements."""
        with self.db.reads() as conn:
            loc = totals.location_row(conn, location, actor)
            return Letterhead(loc.name, loc.address, loc.phone, loc.tax_no, loc.rccm_no, loc.code)
