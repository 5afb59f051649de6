"""General ledger (Ledgers → General ledger; seed nexudus-ledgers).

::

    General Ledger · AXP · payments and refunds
    From [2026-11-01] To [2026-11-23] Location [AXP     ] [ ] Show all (F6)
      Date       Invoice ref    Type     Cust   Debit USD Credit USD Balance USD
    > 2026-11-23 261101SI000001 Payment  C0001              54.86        0.00
      261101RC000001 · Kinshasa Pharma · cash · 156,400.00 CDF
      Page 1 · all shown · page Dr 0.00 Cr 54.86 USD

All the customer transactions recorded at a location, with the invoice
reference, transaction type, customer, payment method, date and the
customer's balance after it. Like Nexudus, only payments and refunds are
shown by default; F6 "Show all" adds invoices, returns and the rest. Rows come
a page at a time from ``services.ledger.general_ledger`` (keyset, both ways).
Enter shows the voucher. Ctrl+O writes the whole period to a file (.csv, .xlsx,
.pdf, .json) with a progress bar; Esc cancels it and no file is left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from shopterm.core.money import format_amount
from shopterm.core.payments import method_label, reference_label
from shopterm.screens.ledgers._common import END_KEY, FilterRow, LedgerScreen, VoucherOnEnter, short_type
from shopterm.screens.registry import MANAGER, ScreenEntry, register
from shopterm.widgets.inputs import CodeInput, DateInput
from shopterm.widgets.ledger_view import Column, LedgerView, PageRequest, ViewPage, fmt_money
from shopterm.core import i18n
from shopterm.core.i18n import N_, _

if TYPE_CHECKING:
    from shopterm.services import Status
    from shopterm.services.ledger.reports import GLRow

COLUMNS = [
    Column("date", N_("Date"), lambda r: i18n.format_date(r.date), priority=1, min_width=10),
    Column("reference", N_("Invoice ref"), lambda r: reference_label(r.reference) or r.number, priority=1, max_width=16),
    Column("type", N_("Type"), lambda r: short_type(r.transaction_type), priority=2),
    Column("customer", N_("Cust"), lambda r: r.customer_code, priority=1, max_width=8),
    Column("method", N_("Method"), lambda r: method_label(r.method), priority=5, max_width=8),
    Column("debit", N_("Debit USD"), lambda r: fmt_money(r.debit, blank_zero=True), align="right", priority=1),
    Column("credit", N_("Credit USD"), lambda r: fmt_money(r.credit, blank_zero=True), align="right", priority=1),
    Column("balance", N_("Balance USD"), lambda r: fmt_money(r.balance), align="right", priority=3),
    Column("number", N_("Number"), priority=6),
]


def gl_detail(row: GLRow) -> str:
    parts = [_(row.transaction_type), row.customer_name]
    if row.currency != "USD":
        parts.append(f"{format_amount(abs(row.amount))} {row.currency}")
    parts.append(_("at {location}").format(location=row.location_code))
    return " · ".join(p for p in parts if p)


def gl_status(view: LedgerView) -> str:
    """The status line: the page's debits and credits."""
    info = view.shown_info
    if info is None:
        return ""
    return _("page Dr {debit} Cr {credit} USD").format(debit=format_amount(info.total_debit),
                                                      credit=format_amount(info.total_credit))


class GeneralLedgerScreen(VoucherOnEnter, LedgerScreen):
    """The location's customer transactions (module docstring)."""

    DOCUMENT_TITLE = N_("General Ledger")
    SUPPORTS = frozenset({"voucher"})
    AUTO_FOCUS = None
    FILTER_IDS = ("field-from", "field-to", "field-location")
    STATUS_DATES = (("#field-from", "month"), ("#field-to", "day"))

    BINDINGS = [
        Binding("f6", "toggle_all", N_("Show all"), id="gl.show_all", key_display="F6"),
        Binding("ctrl+o", "export", N_("Export"), id="gl.export", key_display="^O"),
        Binding("f5", "reload", N_("Reload"), id="gl.reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_all = False
        self.ready = False

    def compose_document(self) -> ComposeResult:
        yield FilterRow(
            (N_("From"), DateInput(id="field-from", label=_("From date"), field_name="date_from", classes="lg-date")),
            (N_("To"), DateInput(id="field-to", label=_("To date"), field_name="date_to", classes="lg-date")),
            (N_("Location"), CodeInput(id="field-location", label=_("Location"), field_name="location",
                                   lookup_kind="location", classes="lg-code")),
            Static(self._toggle_text(), id="show-all", classes="lg-toggle", markup=False),
        )
        yield LedgerView(COLUMNS, detail=gl_detail, status=gl_status, detail_lines=2,
                         empty_text=N_("No transactions in this period."), id="gl-view")

    def on_mount(self) -> None:
        super().on_mount()
        self.open_with_status()

    def status_loaded(self, status: Status) -> None:
        location = self.query_one("#field-location", CodeInput)
        if status.location_code and not location.value:
            location.value = status.location_code
        self.ready = True
        super().status_loaded(status)

    def _toggle_text(self) -> str:
        return _("[{mark}] Show all (F6)").format(mark="x" if self.show_all else " ")

    def export_request(self) -> tuple[str, str, Any] | None:
        if not self.ready:
            return None
        actor, show_all = self.actor, self.show_all
        date_from = self.query_one("#field-from", DateInput).date_value
        date_to = self.query_one("#field-to", DateInput).date_value
        location = self.query_one("#field-location", CodeInput).code
        if date_from is None or date_to is None:
            return None
        return (_("General ledger from {start} to {end}").format(start=i18n.format_date(date_from),
                                                                 end=i18n.format_date(date_to)),
                f"general-ledger-{date_from.isoformat()}-{date_to.isoformat()}.csv",
                lambda progress: self.services.ledger.general_ledger(actor, location, date_from, date_to, show_all,
                                                                     on_progress=progress))

    def apply_filters(self) -> None:
        if not self.ready:
            return
        self.remember_filters()
        actor = self.actor
        date_from = self.query_one("#field-from", DateInput).date_value
        date_to = self.query_one("#field-to", DateInput).date_value
        location = self.query_one("#field-location", CodeInput).code
        show_all = self.show_all
        what = _("all transactions") if show_all else _("payments and refunds")
        where = location or _("all locations")
        self.query_one("#doc-title", Static).update(f"{_(self.DOCUMENT_TITLE)} · {where} · {what}")

        def fetch(req: PageRequest) -> ViewPage:
            report = self.services.ledger.general_ledger(actor, location, date_from, date_to, show_all,
                                                         after_key=req.after, limit=req.limit,
                                                         before_key=END_KEY if req.last else req.before)
            return ViewPage(report.rows, report.next_key, report.prev_key, report)

        self.view.set_source(fetch)

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.query_one("#show-all", Static).update(self._toggle_text())
        self.apply_filters()

    def action_reload(self) -> None:
        self.view.reload()


register(ScreenEntry(
    key="general_ledger", title=N_("General ledger"), group="Ledgers", factory=lambda app: GeneralLedgerScreen(),
    roles=MANAGER, help=N_("Payments and refunds at the location (F6: every transaction)"),
))
