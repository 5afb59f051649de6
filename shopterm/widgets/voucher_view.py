"""Read-only dialogs of every document screen: F9 voucher details and F4 history.

``VoucherView(title, rows, note="")`` shows journal lines — any objects with
``account``, ``account_name``, ``debit``, ``credit`` (USD), ``currency``,
``amount``, ``customer`` and ``memo`` (``services.sales.JournalRow``; a
preview's voucher before saving, the posted journal after) — with the Dr/Cr
totals and whether they balance, in words::

    Acct  Account              Cust        Debit $     Credit $  Amount
    1200  Accounts receivable  C0001         54.86               USD 54.86
    4000  Sales                                          47.95   USD 47.95
    ...
          Total                              …            …      balanced

``HistoryView(title, rows)`` shows audit rows (``services.audit.HistoryRow``:
``at``, ``user_name``, ``action``, ``summary``), oldest first.

Both are ``ModalScreen`` s: Esc, Enter, F4 or F9 close; ↑/↓/PgUp/PgDn scroll.
The text is drawn once (one Static), so opening one costs a single repaint.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from shopterm.core import money
from shopterm.core import narration
from shopterm.core.journal import account_label
from shopterm.core.i18n import N_, _, format_datetime
from shopterm.widgets.dialogs import row_keys, titled_box

__all__ = ["HistoryView", "VoucherView", "render_voucher", "render_history"]

ZERO = Decimal("0.00")


def _amt(value: Decimal | None) -> str:
    return "" if value is None or value == 0 else money.format_amount(value)


def render_voucher(rows: Sequence[Any], width: int = 74) -> Text:
    """The journal as fixed columns, with totals and the balance in words."""
    text = Text(no_wrap=True, overflow="ellipsis")
    name_w = max(10, width - 5 - 1 - 7 - 12 - 12 - 1 - 16 - 1)
    acct, account, cust, debit_h, credit_h, amount_h = (_("Acct"), _("Account"), _("Cust"), _("Debit $"),
                                                        _("Credit $"), _("Amount"))
    text.append(f"{acct:<5} {account:<{name_w}} {cust:<7}{debit_h:>12}{credit_h:>12} {amount_h:<16}\n",
                style="bold")
    debit = credit = ZERO
    for r in rows:
        debit += r.debit or ZERO
        credit += r.credit or ZERO
        name = account_label(str(r.account), str(r.account_name or ""))  # a default account in the reader's language
        if len(name) > name_w:
            name = name[: name_w - 1] + "…"
        cust = str(r.customer or "")[:7]
        amount = f"{r.currency} {money.format_amount(abs(r.amount))}" if r.amount is not None else ""
        text.append(f"{r.account:<5} {name:<{name_w}} {cust:<7}{_amt(r.debit):>12}{_amt(r.credit):>12} {amount:<16}\n")
        memo = narration.shown(str(getattr(r, "memo", "") or ""))  # a generated memo in the reader's language
        if memo:
            text.append(f"{'':<6}{memo[: width - 6]}\n", style="dim")
    state = _("balanced") if debit == credit else _("NOT BALANCED by {amount}").format(
        amount=money.format_amount(abs(debit - credit)))
    total = _("Total")
    text.append(f"{'':<5} {total:<{name_w}} {'':<7}{money.format_amount(debit):>12}"
                f"{money.format_amount(credit):>12} {state}", style="bold")
    return text


def render_history(rows: Sequence[Any], width: int = 74) -> Text:
    text = Text(no_wrap=False)
    if not rows:
        text.append(_("No history yet: the document has not been saved."))
        return text
    for r in rows:
        at = r.at
        when = format_datetime(at.astimezone()) if hasattr(at, "astimezone") else str(at)
        text.append(f"{when}  ", style="bold")
        text.append(f"{r.user_name:<10} {r.action:<8} ")
        text.append(f"{r.summary}\n")
    return text


class _ViewDialog(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,enter,f9,f4", "close", N_("Close"), id="view.close"),
        *row_keys("scroll"),
    ]

    def __init__(self, title: str, body: Text, note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.note = note

    def compose(self) -> ComposeResult:
        with titled_box(self.title_text, _("Esc close · ↑↓ scroll"), classes="view-box"):
            with VerticalScroll(classes="view-scroll"):
                yield Static(self.body, classes="view-body", markup=False)
            if self.note:
                yield Static(self.note, classes="view-note", markup=False)

    def action_scroll(self, lines: int) -> None:
        self.query_one(".view-scroll", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)

    @property
    def text(self) -> str:
        """The plain text shown (tests)."""
        return self.body.plain + ("\n" + self.note if self.note else "")


class VoucherView(_ViewDialog):
    """F9: the Dr/Cr lines of a document (module docstring)."""

    def __init__(self, title: str, rows: Sequence[Any], note: str = "") -> None:
        super().__init__(title, render_voucher(rows), note)
        self.rows = list(rows)


class HistoryView(_ViewDialog):
    """F4: who did what to a document, oldest first."""

    def __init__(self, title: str, rows: Sequence[Any], note: str = "") -> None:
        super().__init__(title, render_history(rows), note)
        self.rows = list(rows)
