"""Read-only dialogs for the F4 and F9 toolbar keys.

``HistoryDialog(title, load)`` — F4 "View History": ``load()`` returns audit
rows (``services.audit.HistoryRow``: ``at``, ``user_name``, ``action``,
``summary``, and ``changes()`` → ``[(field, before, after)]``), e.g.
``lambda: services.masters.history("customer", "C0001")``.

``VoucherDialog(title, load)`` — F9 "Voucher details": ``load()`` returns
journal lines, each with ``account`` (code), ``name`` (account name),
``currency``, ``amount`` (signed, debit +, in ``currency``), ``amount_usd``
(signed) and optionally ``memo``. Debits and credits are shown in separate
columns with their USD totals, so a balanced voucher is visible at a glance.

Both load in a worker thread and close with Esc (or the key that opened them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from shopterm.core import narration
from shopterm.core.i18n import N_, _, format_datetime, ngettext
from shopterm.core.money import format_amount
from shopterm.widgets.dialogs import row_keys, titled_box
from shopterm.widgets.messages import MessageBar, describe_error
from shopterm.widgets.workers import Failed, Loaded, post_outcome

MAX_ROWS = 500


def _short(value: Any, width: int = 18) -> str:
    text = "—" if value is None or value == "" else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


class _ReadOnlyDialog(ModalScreen[None]):
    """Shared frame: a title, a scrolling body, a message line; Esc closes."""

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="readonly.close"),
        Binding("f4,f9", "close", show=False),
        *row_keys("scroll"),
    ]

    def __init__(self, title: str, load: Callable[[], Sequence[Any]]) -> None:
        super().__init__()
        self.title_text = title
        self._load = load
        self.rows: list[Any] = []

    def compose(self) -> ComposeResult:
        with titled_box(self.title_text, _("↑↓ scroll · Esc close"), classes="readonly-box"):
            with VerticalScroll(classes="readonly-scroll"):
                yield Static("", classes="readonly-body")
            yield MessageBar(classes="readonly-message")

    def on_mount(self) -> None:
        self.query_one(".readonly-scroll").can_focus = False
        self.query_one(".readonly-message", MessageBar).show_info(_("Loading…"))
        self._fetch()

    @work(thread=True, exclusive=True, group="readonly-load")
    def _fetch(self) -> None:
        post_outcome(self, None, lambda: list(self._load())[:MAX_ROWS])

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.query_one(".readonly-message", MessageBar).show_error(describe_error(event.error)[0])

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        bar = self.query_one(".readonly-message", MessageBar)
        self.rows = list(event.rows)
        body = self.query_one(".readonly-body", Static)
        if not self.rows:
            body.update(self.empty_text())
            bar.clear()
            return
        body.update(self.render_rows(self.rows))
        bar.show_info(self.summary(self.rows))

    def empty_text(self) -> str:
        return _("Nothing recorded.")

    def render_rows(self, rows: list[Any]) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def summary(self, rows: list[Any]) -> str:
        return ngettext("{count} row", "{count} rows", len(rows)).format(count=len(rows))

    def action_scroll(self, lines: int) -> None:
        self.query_one(".readonly-scroll", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)


class HistoryDialog(_ReadOnlyDialog):
    """F4: who did what to this record, oldest first, with field changes."""

    def empty_text(self) -> str:
        return _("No history: this record has not been saved yet.")

    def render_rows(self, rows: list[Any]) -> Table:
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False, header_style="bold")
        table.add_column(_("When"), no_wrap=True, width=16)
        table.add_column(_("Who"), no_wrap=True, width=10)
        table.add_column(_("What"), no_wrap=True, width=9)
        table.add_column(_("Details"), ratio=1)
        for row in rows:
            when = getattr(row, "at", None)
            if when is not None and when.tzinfo is not None:
                when = when.astimezone()  # stored in UTC, shown in the shop's local time
            at = format_datetime(when) if when is not None else ""
            details = Text(str(getattr(row, "summary", "") or ""))
            changes = row.changes() if hasattr(row, "changes") else []
            for field, before, after in changes[:12]:
                details.append(f"\n  {field}: {_short(before)} → {_short(after)}", style="dim")
            if len(changes) > 12:
                details.append("\n  " + _("… {count} more fields").format(count=len(changes) - 12), style="dim")
            table.add_row(at, str(row.user_name), str(getattr(row, "shown_action", row.action)), details)
        return table

    def summary(self, rows: list[Any]) -> str:
        return ngettext("{count} entry", "{count} entries", len(rows)).format(count=len(rows))


class VoucherDialog(_ReadOnlyDialog):
    """F9: the journal lines a posted document wrote (Dr / Cr, USD totals)."""

    def empty_text(self) -> str:
        return _("No voucher: drafts and unposted documents have no journal.")

    def render_rows(self, rows: list[Any]) -> Table:
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False, header_style="bold", show_footer=True)
        total_dr = sum((Decimal(r.amount_usd) for r in rows if r.amount_usd > 0), Decimal(0))
        total_cr = sum((-Decimal(r.amount_usd) for r in rows if r.amount_usd < 0), Decimal(0))
        table.add_column(_("Account"), no_wrap=True, width=6, footer="")
        table.add_column(_("Name"), ratio=1, no_wrap=True, footer=_("Total USD"))
        table.add_column(_("Ccy amount"), justify="right", no_wrap=True, width=16, footer="")
        table.add_column(_("Dr USD"), justify="right", no_wrap=True, width=12, footer=format_amount(total_dr))
        table.add_column(_("Cr USD"), justify="right", no_wrap=True, width=12, footer=format_amount(total_cr))
        for r in rows:
            usd = Decimal(r.amount_usd)
            name = str(getattr(r, "name", "") or "")
            memo = narration.shown(str(getattr(r, "memo", "") or ""))
            if memo:
                name = f"{name} · {memo}"
            ccy_amount = f"{format_amount(abs(Decimal(r.amount)))} {r.currency}"
            table.add_row(
                str(r.account),
                name,
                ccy_amount,
                format_amount(usd) if usd > 0 else "",
                format_amount(-usd) if usd < 0 else "",
            )
        return table

    def summary(self, rows: list[Any]) -> str:
        balance = sum((Decimal(r.amount_usd) for r in rows), Decimal(0))
        count = len(rows)
        if balance == 0:
            return ngettext("{count} line, balanced", "{count} lines, balanced", count).format(count=count)
        return ngettext("{count} line, OUT OF BALANCE by {amount} USD", "{count} lines, OUT OF BALANCE by {amount} USD",
                        count).format(count=count, amount=format_amount(balance))
