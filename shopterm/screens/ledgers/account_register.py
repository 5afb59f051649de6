"""Account register (Ledgers → Account register): one account's journal lines with a
running balance.

::

    Account Register · 1100 Cash USD
    Account [1100    ] Cash USD              From [2026-11-01] To [2026-11-23]
      Date       Number          Cust   Debit USD Credit USD Balance USD
    > 2026-11-23 261101RC000001  C0001      50.00                  50.00
      Sales receipt · 50.00 USD · at AXP
      Page 1 · all shown · opening 0.00 → 50.00 USD

The account is chosen by code, F2 finds it by name. The opening balance is
the account's balance before the period (or before the page); rows come a
page at a time from ``services.ledger.account_register`` (keyset, both ways). Enter shows the voucher.
Ctrl+O writes the whole period to a file (.csv, .xlsx, .pdf, .json) with a progress bar; Esc
cancels it and no file is left.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from shopterm.core.journal import account_label
from shopterm.core.money import format_amount
from shopterm.screens.ledgers._common import END_KEY, FilterRow, LedgerScreen, VoucherOnEnter, load_status
from shopterm.screens.registry import MANAGER, ScreenEntry, register
from shopterm.widgets.inputs import CodeInput, DateInput
from shopterm.widgets.ledger_view import Column, LedgerView, PageRequest, ViewPage, fmt_money
from shopterm.core import i18n, narration
from shopterm.core.i18n import N_, _

if TYPE_CHECKING:
    from shopterm.services import Status
    from shopterm.services.ledger.reports import RegisterRow

COLUMNS = [
    Column("date", N_("Date"), lambda r: i18n.format_date(r.date), priority=1, min_width=10),
    Column("number", N_("Number"), priority=1, min_width=14),
    Column("customer", N_("Cust"), lambda r: r.customer_code, priority=3, max_width=8),
    Column("debit", N_("Debit USD"), lambda r: fmt_money(r.debit, blank_zero=True), align="right", priority=1),
    Column("credit", N_("Credit USD"), lambda r: fmt_money(r.credit, blank_zero=True), align="right", priority=1),
    Column("balance", N_("Balance USD"), lambda r: fmt_money(r.balance), align="right", priority=2),
    Column("memo", N_("Memo"), lambda r: narration.shown(r.memo), priority=7, flex=True, min_width=8, max_width=40),
]


def register_detail(row: RegisterRow) -> str:
    parts = [f"{format_amount(abs(row.amount))} {row.currency}", _("at {location}").format(location=row.location_code)]
    return " · ".join(p for p in parts if p)


class AccountRegisterScreen(VoucherOnEnter, LedgerScreen):
    """One account's lines with running balance (module docstring)."""

    DOCUMENT_TITLE = N_("Account Register")
    SUPPORTS = frozenset({"voucher"})
    AUTO_FOCUS = None
    FILTER_IDS = ("field-from", "field-to")
    BINDINGS = [Binding("ctrl+o", "export", N_("Export"), id="register.export", key_display="^O")]
    CODE_FIELD = "field-account"

    def __init__(self, account: str | None = None, *, date_to: dt.date | None = None) -> None:
        super().__init__()
        self.initial_account = (account or "").strip() or None
        self.initial_to = date_to
        self.account: str | None = None
        self.account_name = ""

    def compose_document(self) -> ComposeResult:
        yield FilterRow(
            (N_("Account"), CodeInput(self.initial_account, id="field-account", label=_("Account"), field_name="account",
                                  lookup_kind="account", lookup_title=_("Find account"), classes="lg-code")),
            Static(_("F2: find by name"), id="account-name", classes="lg-name", markup=False),
            (N_("From"), DateInput(id="field-from", label=_("From date"), field_name="date_from", classes="lg-date")),
            (N_("To"), DateInput(id="field-to", label=_("To date"), field_name="date_to", classes="lg-date")),
        )
        yield LedgerView(COLUMNS, detail=register_detail, status=self._status, detail_lines=1,
                         empty_text=N_("No lines in this period (choose an account with F2)."), id="register-view")

    def on_mount(self) -> None:
        super().on_mount()
        if self.initial_account:
            self.focus_view()
        else:
            self.query_one("#field-account", CodeInput).focus()
        load_status(self, self._status_loaded)

    def _status_loaded(self, status: Status) -> None:
        day = self.initial_to or status.business_date
        self.query_one("#field-from", DateInput).set_value(day.replace(day=1))
        self.query_one("#field-to", DateInput).set_value(day)
        if self.initial_account:
            self.use_account(self.initial_account)

    def _status(self, view: LedgerView) -> str:
        page = view.page
        if page is None or page.info is None:
            return ""
        r = page.info
        return _("opening {opening} → {closing} USD").format(opening=format_amount(r.opening_balance),
                                                            closing=format_amount(r.closing_balance))

    def code_chosen(self, code: str) -> None:
        self.use_account(code)

    def use_account(self, code: str) -> None:
        self.account = code
        self.apply_filters()
        self.focus_view()

    def export_request(self) -> tuple[str, str, Any] | None:
        actor, code = self.actor, self.account
        date_from = self.query_one("#field-from", DateInput).date_value
        date_to = self.query_one("#field-to", DateInput).date_value
        if not code or date_from is None or date_to is None:
            return None
        return (_("Account {code} from {start} to {end}").format(
                    code=code, start=i18n.format_date(date_from), end=i18n.format_date(date_to)),
                f"register-{code}-{date_from.isoformat()}-{date_to.isoformat()}.csv",
                lambda progress: self.services.ledger.account_register(actor, code, date_from, date_to,
                                                                       on_progress=progress))

    def apply_filters(self) -> None:
        if not self.account:
            return
        self.remember_filters()
        actor, code = self.actor, self.account
        date_from = self.query_one("#field-from", DateInput).date_value
        date_to = self.query_one("#field-to", DateInput).date_value
        if date_from is None or date_to is None:
            self.show_error(_("From and To dates are required"), field="date_from")
            return

        def fetch(req: PageRequest) -> ViewPage:
            report = self.services.ledger.account_register(actor, code, date_from, date_to, after_key=req.after,
                                                           limit=req.limit,
                                                           before_key=END_KEY if req.last else req.before)
            return ViewPage(report.rows, report.next_key, report.prev_key, report)

        self.view.set_source(fetch)

    @on(LedgerView.PageLoaded, "#register-view")
    def _page(self, event: LedgerView.PageLoaded) -> None:
        report = event.page.info
        if report is None:
            return
        self.account_name = account_label(report.account_code, report.account_name)
        self.query_one("#account-name", Static).update(self.account_name)
        self.query_one("#doc-title", Static).update(
            f"{_(self.DOCUMENT_TITLE)} · {report.account_code} {self.account_name}")
        self.clear_message()


register(ScreenEntry(
    key="account_register", title=N_("Account register"), group="Ledgers", factory=lambda app: AccountRegisterScreen(),
    roles=MANAGER, help=N_("One account's journal lines with a running balance (account by F2)"),
))
