"""Trial balance (Ledgers → Trial balance): every account's balance at a date.

::

    Trial Balance · at 2026-11-23 · balanced
    At [2026-11-23]                                   Dr 1,234.56 = Cr 1,234.56
      Account Name                     Debit USD  Credit USD        CDF
    > 1100    Cash USD                   150.00
      1110    Cash CDF                   189.47               540,000.00
      TOTAL   Total                    1,234.56    1,234.56

Debits and credits in separate columns (USD, the books' currency); the CDF
column is the account's balance in francs where it has any. Enter opens the
account's register up to that date. Ctrl+O writes it to a file (.csv, .xlsx,
.pdf, .json); while figures are read, a progress bar shows and Esc cancels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from shopterm.core.journal import account_label
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
    from shopterm.services.ledger.reports import TrialBalanceReport, TrialBalanceRow


@dataclass(frozen=True)
class _TotalRow:
    debit: Decimal
    credit: Decimal
    code: str = "TOTAL"
    name: str = "Total"
    kind: str = ""
    balance: Decimal = Decimal("0.00")
    by_currency: dict = field(default_factory=dict)


def _cdf(row: TrialBalanceRow | _TotalRow) -> str:
    value = row.by_currency.get("CDF")
    return fmt_money(value) if value is not None else ""


COLUMNS = [
    Column("code", N_("Account"), priority=1, max_width=8),
    Column("name", N_("Name"), lambda r: account_label(r.code, r.name), priority=2, flex=True, min_width=10,
           max_width=40),
    Column("debit", N_("Debit USD"), lambda r: fmt_money(r.debit, blank_zero=True), align="right", priority=1),
    Column("credit", N_("Credit USD"), lambda r: fmt_money(r.credit, blank_zero=True), align="right", priority=1),
    Column("cdf", N_("Balance CDF"), _cdf, align="right", priority=3),
]


def tb_detail(row: TrialBalanceRow | _TotalRow) -> str:
    if row.code == "TOTAL":
        state = _("balanced") if row.debit == row.credit else _("OUT OF BALANCE by {amount}").format(
            amount=format_amount(abs(row.debit - row.credit)))
        return _("Total debits {debit}, credits {credit} USD: {state}").format(
            debit=format_amount(row.debit), credit=format_amount(row.credit), state=state)
    side = "debit" if row.balance > 0 else "credit" if row.balance < 0 else "nil"
    side = {"debit": _("debit balance"), "credit": _("credit balance"), "nil": _("nil balance")}[side]
    return _("{code} {name} ({kind}) · {side} · Enter: its register").format(code=row.code,
                                                                          name=account_label(row.code, row.name),
                                                                          kind=_(row.kind.capitalize()), side=side)


class TrialBalanceScreen(AtDateScreen):
    """Every account at a date (module docstring)."""

    DOCUMENT_TITLE = N_("Trial Balance")
    EXPORT_TITLE, EXPORT_NAME = N_("Trial balance at {date}"), "trial-balance"
    BINDINGS = [
        Binding("ctrl+o", "export", N_("Export"), id="tb.export", key_display="^O"),
        Binding("f5", "reload", N_("Reload"), id="tb.reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: TrialBalanceReport | None = None

    def compose_document(self) -> ComposeResult:
        yield FilterRow(
            self.at_field(),
            Static("", id="tb-total", classes="lg-name", markup=False),
        )
        yield self.progress_bar()
        yield LedgerView(COLUMNS, detail=tb_detail, detail_lines=1, empty_text=N_("Nothing posted by this date."),
                         id="tb-view")

    def apply_filters(self) -> None:
        self.remember_filters()
        self.view.empty_text = N_("Adding up the accounts…")
        self.read_at(self._loaded)

    def report_at(self, actor: Actor, at: dt.date | None, progress: Callable[[Any], Any]) -> TrialBalanceReport:
        return self.services.ledger.trial_balance(actor, at, on_progress=progress)

    def _loaded(self, report: TrialBalanceReport) -> None:
        self.report = report
        self.view.empty_text = N_("Nothing posted by this date.")
        balanced = report.total_debit == report.total_credit
        state = _("balanced") if balanced else _("OUT OF BALANCE")
        self.query_one("#doc-title", Static).update(_("{title} · at {date} · {state}").format(
            title=_(self.DOCUMENT_TITLE), date=i18n.format_date(report.at), state=state))
        self.query_one("#tb-total", Static).update(
            f"Dr {format_amount(report.total_debit)} {'=' if balanced else '≠'} Cr {format_amount(report.total_credit)} USD")
        rows = [*report.rows, _TotalRow(report.total_debit, report.total_credit)]
        self.view.set_source(list_source(rows))

    @on(LedgerView.Selected, "#tb-view")
    def _selected(self, event: LedgerView.Selected) -> None:
        event.stop()
        if event.row.code == "TOTAL":  # the totals line: nothing to open
            return
        from shopterm.screens.ledgers.account_register import AccountRegisterScreen

        self.app.push_screen(AccountRegisterScreen(event.row.code, date_to=self.at))


register(ScreenEntry(
    key="trial_balance", title=N_("Trial balance"), group="Ledgers", factory=lambda app: TrialBalanceScreen(),
    roles=MANAGER, help=N_("Every account's debit or credit balance at a date"),
))
