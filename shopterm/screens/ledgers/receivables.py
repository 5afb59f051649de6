"""Receivables overview (Ledgers → Receivables; DESIGN §8 ageing, seed poweroffice
"customer balances at a given date").

::

    Receivables · at 2026-11-23
    At [2026-11-23]  [Customers] Groups (F6)      Total 1,234.56 USD
      Code  Name            0-30    31-60    61-90      90+  Total USD Flags
    > C0001 Kinshasa Ph…   80.00   120.00     0.00     0.00     200.00 OD
      TOTAL Total  …
      Kinshasa Pharma · group Fleuve Group · OVERDUE 120.00 USD · limit 5,000.00
      Page 1 · all shown · OD overdue, OL over credit limit

Every customer's balance at the date (default: the business date), split by
days past due — 0-30, 31-60, 61-90, 90+, by due date (the entry's, else its
date + the customer's credit days); not yet due and unapplied credits count
in 0-30 (``services.ledger.ageing``). Overdue and over-limit customers are
flagged with ``OD``/``OL`` and said in words on the detail line. F6 switches
to the customer-group totals (Enter on a group lists its customers). Enter on
a customer opens their ledger; coming back reads the figures again.

While the figures are read a progress bar shows under the filters; Esc then
cancels the reading (the screen stays, says so; F5 reads again). Ctrl+O
writes the report to a file (.csv, .xlsx, .pdf, .json) with a progress bar,
Esc cancelling with no file left (:mod:`.export_dialog`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from shopterm.core.money import format_amount
from shopterm.screens.ledgers._common import AtDateScreen, FilterRow
from shopterm.screens.registry import MANAGER, ScreenEntry, register
from shopterm.widgets.ledger_view import Column, LedgerView, fmt_money, list_source
from shopterm.core import i18n
from shopterm.core.i18n import N_, _

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from shopterm.services.context import Actor
    from shopterm.services.ledger.reports import AgeingReport, AgeingRow


def flags(row: AgeingRow) -> str:
    return " ".join(f for f, on_ in (("OD", row.is_overdue), ("OL", row.over_limit)) if on_)


def ageing_detail(row: AgeingRow) -> str:
    if row.code == "TOTAL":
        return _("All customers: overdue {overdue} USD, not yet due {not_due}, unapplied credits {credits}").format(
            overdue=format_amount(row.overdue), not_due=format_amount(row.not_due), credits=format_amount(row.credits))
    parts = [row.name]
    if row.group and row.group != row.name:
        parts.append(_("group {group}").format(group=row.group))
    if row.is_overdue:
        parts.append(_("OVERDUE {amount} USD").format(amount=format_amount(row.overdue)))
    if row.not_due:
        parts.append(_("not yet due {amount}").format(amount=format_amount(row.not_due)))
    if row.credits:
        parts.append(_("unapplied credit {amount}").format(amount=format_amount(-row.credits)))
    if row.over_limit:
        parts.append(_("OVER the credit limit of {amount}").format(amount=format_amount(row.credit_limit_usd)))
    elif row.credit_limit_usd:
        parts.append(_("limit {amount}").format(amount=format_amount(row.credit_limit_usd)))
    return " · ".join(parts)


def _bucket(i: int):
    return lambda r: fmt_money(r.buckets[i])


MONEY = 9  # 99,999.99 without moving the columns


COLUMNS = [
    Column("code", N_("Code"), priority=1, max_width=10),
    Column("name", N_("Name"), priority=4, flex=True, min_width=8, max_width=40),
    Column("b0", N_("0-30"), _bucket(0), align="right", priority=1, min_width=MONEY),
    Column("b1", N_("31-60"), _bucket(1), align="right", priority=1, min_width=MONEY),
    Column("b2", N_("61-90"), _bucket(2), align="right", priority=1, min_width=MONEY),
    Column("b3", N_("90+"), _bucket(3), align="right", priority=1, min_width=MONEY),
    Column("total", N_("Total USD"), lambda r: fmt_money(r.total), align="right", priority=1),
    Column("flags", N_("Flags"), flags, priority=2),
]


class ReceivablesScreen(AtDateScreen):
    """Every customer's balance at a date by ageing bucket (module docstring)."""

    DOCUMENT_TITLE = N_("Receivables")
    EXPORT_TITLE, EXPORT_NAME = N_("Receivables at {date}"), "receivables"
    BINDINGS = [
        Binding("f6", "toggle_groups", N_("Groups"), id="receivables.groups", key_display="F6"),
        Binding("ctrl+o", "export", N_("Export"), id="receivables.export", key_display="^O"),
        Binding("f5", "reload", N_("Reload"), id="receivables.reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: AgeingReport | None = None
        self.show_groups = False
        self.group_filter: str | None = None

    def compose_document(self) -> ComposeResult:
        yield FilterRow(
            self.at_field(),
            Static(self._mode_text(), id="receivables-mode", classes="lg-toggle", markup=False),
            Static("", id="receivables-total", classes="lg-balance", markup=False),
        )
        yield self.progress_bar()
        yield LedgerView(COLUMNS, detail=ageing_detail, status=self._status, detail_lines=2,
                         empty_text=N_("No customer has a balance at this date."), id="receivables-view")

    def _mode_text(self) -> str:
        if self.show_groups:
            return _(" Customers [Groups] (F6)")
        if self.group_filter:
            return _("[Customers of {group}] Groups (F6)").format(group=self.group_filter)
        return _("[Customers] Groups (F6)")

    def _status(self, view: LedgerView) -> str:
        enter = _("Enter: its customers") if self.show_groups else _("Enter: the ledger")
        return enter + " · " + _("OD overdue, OL over credit limit")

    # -- data ---------------------------------------------------------------------------

    def apply_filters(self, *, keep_position: bool = False) -> None:
        self.remember_filters()
        at = self.at
        self.query_one("#doc-title", Static).update(_("{title} · at {date}").format(
            title=_(self.DOCUMENT_TITLE), date=i18n.format_date(at) if at else "…"))
        self.view.empty_text = N_("Reading every customer's open items…")
        self.show_info(_("Reading the balances…") + " " + _("Esc cancels"))
        self.read_at(lambda report: self._loaded(report, keep_position))

    def report_at(self, actor: Actor, at: dt.date | None, progress: Callable[[Any], Any]) -> AgeingReport:
        return self.services.ledger.ageing(actor, at, on_progress=progress)

    def _loaded(self, report: AgeingReport, keep_position: bool = False) -> None:
        self.report = report
        self.view.empty_text = N_("No customer has a balance at this date.")
        if self.message_bar.text == _("Reading the balances…") + " " + _("Esc cancels"):
            self.clear_message()
        self.query_one("#receivables-total", Static).update(
            _("Total {amount} USD").format(amount=format_amount(report.total.total)))
        self._show_rows(keep_position)

    def _show_rows(self, keep_position: bool = False) -> None:
        report = self.report
        if report is None:
            return
        if self.show_groups:
            rows = [*report.groups, report.total]
        else:
            rows = [r for r in report.rows if self.group_filter is None or r.group == self.group_filter]
            rows.append(report.total)
        self.query_one("#receivables-mode", Static).update(self._mode_text())
        self.view.set_source(list_source(rows), keep_position=keep_position)

    def action_toggle_groups(self) -> None:
        self.show_groups = not self.show_groups
        self.group_filter = None
        self._show_rows()

    @on(LedgerView.Selected, "#receivables-view")
    def _selected(self, event: LedgerView.Selected) -> None:
        event.stop()
        if event.row.code != "TOTAL":  # the totals line: nothing to open
            self.open_row(event.row)

    def open_row(self, row: AgeingRow) -> None:
        """A group: its customers; a customer: their ledger."""
        if self.show_groups:
            self.show_groups = False
            self.group_filter = row.group
            self._show_rows()
            return
        from shopterm.screens.ledgers.customer_ledger import open_customer_ledger

        open_customer_ledger(self.app, row.code)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if self.exporting:  # back from the export dialog: the figures did not change, its message stays
            self.exporting = False
            return
        if self.report is not None:
            self.apply_filters(keep_position=True)  # back from a customer's ledger: payments may have changed the figures


register(ScreenEntry(
    key="receivables", title=N_("Receivables (ageing)"), group="Ledgers", factory=lambda app: ReceivablesScreen(),
    roles=MANAGER, help=N_("Every customer's balance at a date by 0-30/31-60/61-90/90+ days; group totals"),
))
