"""Open items of every customer (Ledgers → Open items; DESIGN §8 "open items at a date").

::

    Open items · at 2026-11-23
    At [2026-11-23]
      Cust   Date       Number         Type      Due         Days   Open USD
    > C0001  2026-10-01 261101SI000004 Invoice   2026-10-31    23     120.00
      C0001  2026-11-02 261101RC000002 Payment   2026-11-02    21     -40.00
      Kinshasa Pharma · Sales invoice 150.00 USD · open 120.00 · 23 days past due

Every entry open at the date (default: the business date) as it stood then —
matches dated after it, or undone by then, do not count — customer by
customer in code order, then by date. The list is read a screenful at a time
(``services.ledger.open_items_page``): the first page comes after reading the
first customers only, not the whole ledger. Enter opens the customer's ledger;
Ctrl+O writes the whole list to a file (.csv, .xlsx, .pdf, .json).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from shopterm.core import i18n
from shopterm.core.i18n import N_, _
from shopterm.core.money import format_amount
from shopterm.screens.ledgers._common import AtDateScreen, FilterRow, short_type
from shopterm.screens.registry import MANAGER, ScreenEntry, register
from shopterm.widgets.ledger_view import Column, LedgerView, PageRequest, ViewPage, fmt_money

if TYPE_CHECKING:
    from shopterm.services.context import Actor
    from shopterm.services.ledger.reports import OpenItem, OpenItemsReport


def _date(value: dt.date | None) -> str:
    return i18n.format_date(value) if value else ""


COLUMNS = [
    Column("customer_code", N_("Customer"), priority=1, max_width=10),
    Column("date", N_("Date"), lambda r: _date(r.date), priority=1, min_width=10),
    Column("number", N_("Number"), priority=2, max_width=16),
    Column("type", N_("Type"), lambda r: short_type(r.type_label), priority=3, max_width=8),
    Column("due", N_("Due"), lambda r: _date(r.due_date), priority=2, min_width=10),
    Column("days", N_("Days"), lambda r: str(r.days_past_due), align="right", priority=3),
    Column("open", N_("Open USD"), lambda r: fmt_money(r.open_usd), align="right", priority=1),
]


DETAIL_WIDTH = 78  # the detail line at 80 columns (its 2-column indent off)


def open_item_detail(row: OpenItem) -> str:
    """Name · type amount · open · days late (or the due date). When that is longer than the line
    (French is longer), the customer's name (its code is a column) gives way, never the date."""
    rest = [f"{_(row.type_label)} {format_amount(row.amount)} {row.currency}",
            _("open {amount}").format(amount=format_amount(row.open_amount))]
    if row.days_past_due > 0:
        rest.append(_("{days} days past due").format(days=row.days_past_due))
    else:
        rest.append(_("due {date}").format(date=_date(row.due_date)))
    tail = " · ".join(rest)
    room = DETAIL_WIDTH - len(tail) - len(" · ")
    name = row.customer_name or ""
    if len(name) > room:
        name = name[:room - 1].rstrip() + "…" if room >= 6 else ""
    return f"{name} · {tail}" if name else tail


class OpenItemsScreen(AtDateScreen):
    """Every customer's open items at a date, a screenful at a time (module docstring)."""

    DOCUMENT_TITLE = N_("Open items")
    EXPORT_TITLE, EXPORT_NAME = N_("Open items at {date}"), "open-items"
    BINDINGS = [
        Binding("ctrl+o", "export", N_("Export"), id="open_items.export", key_display="^O"),
        Binding("f5", "reload", N_("Reload"), id="open_items.reload", show=False),
    ]

    def compose_document(self) -> ComposeResult:
        yield FilterRow(self.at_field())
        yield self.progress_bar()
        yield LedgerView(COLUMNS, detail=open_item_detail, detail_lines=1,
                         empty_text=N_("Reading every customer's open items…"), id="open-items-view")

    def report_at(self, actor: Actor, at: dt.date | None, progress: Callable[[Any], Any]) -> OpenItemsReport:
        """The whole list, for Ctrl+O (the screen itself reads a page at a time)."""
        return self.services.ledger.open_items(actor, at, on_progress=progress)

    def apply_filters(self) -> None:
        self.remember_filters()
        at, actor = self.at, self.actor
        self.query_one("#doc-title", Static).update(_("{title} · at {date}").format(
            title=_(self.DOCUMENT_TITLE), date=i18n.format_date(at) if at else "…"))
        self.view.empty_text = N_("Reading every customer's open items…")

        def fetch(req: PageRequest) -> ViewPage:
            rows, next_key = self.services.ledger.open_items_page(actor, at, req.after, req.limit)
            return ViewPage(rows, next_key)

        self.view.set_source(fetch, backward=False)

    @on(LedgerView.PageLoaded, "#open-items-view")
    def _first_page_read(self, event: LedgerView.PageLoaded) -> None:
        if self.view.empty_text != "No open item at this date.":
            self.view.empty_text = N_("No open item at this date.")
            self.view.refresh()

    def action_reload(self) -> None:
        self.apply_filters()

    @on(LedgerView.Selected, "#open-items-view")
    def _selected(self, event: LedgerView.Selected) -> None:
        event.stop()
        from shopterm.screens.ledgers.customer_ledger import open_customer_ledger

        open_customer_ledger(self.app, event.row.customer_code)


register(ScreenEntry(
    key="open_items", title=N_("Open items"), group="Ledgers", factory=lambda app: OpenItemsScreen(),
    roles=MANAGER, help=N_("Every customer's open items at a date, a screenful at a time"),
))
