"""Customer ledger (Ledgers → Customer ledger; DESIGN §8, seeds gpos-customer-ledger,
nexudus-ledgers, poweroffice-go-customer-ledger-api, pos-customers-guide).

::

    Customer Ledger · C0001 Kinshasa Pharma
    Customer C0001      Kinshasa Pharma                         Owes us 197.51 USD
    From yyyy-mm-dd  To yyyy-mm-dd  Type SI RC…   Find number or reference
    Changed since yyyy-mm-dd hh:mm  [ ] Open only (F6) Marked Dr 200.00 Cr 50.00
      Date       Type    Number         Debit USD Credit USD Balance USD Open USD
      2026-08-01 Invoice 260801SI000001    100.00                 100.00     0.00
     *2026-09-20 Invoice 260901SI000001    200.00                 300.00   200.00
     *2026-10-05 Payment 261001RC000001                50.00      250.00   -50.00
    > 2026-11-10 Return  261101SR000001                80.00      170.00   -80.00
      ...
      Credit note/return · not matched · changed 2026-11-23 21:48 · Ref SR
    Page 1 · all shown · balance 0.00 → 197.51 USD
    Spc Mark F6 Open only F7 Match ^R Pay F4 Hist F9 Vchr F8 Unmatch Esc Back

The customer is chosen by code, or by name or phone with F2; another screen
opens it with a code (``CustomerLedgerScreen("C0001")``, or
:func:`open_customer_ledger`). The balance at the top is the customer's
whole balance: positive, the customer owes us; negative, a credit (said in
words). Filters: dates, voucher types (codes ``SI RC CR SR RD PI``),
changed since (local time), a search over number and reference, and F6
"open items only".

Rows come a page at a time from ``services.ledger.entries`` (keyset paging,
running balance from the service). Enter (or F9) shows the line's voucher —
Dr/Cr lines, the document and, on a matched line, its match group(s). F4:
the document's history.

Matching (:mod:`.matching`): Space marks/unmarks a line, F7 matches the marked
lines (the amount of the one settled in part is asked), F8 unmatches the
selected line's match group (confirmed), Ctrl+R records a payment on account,
settling the oldest open invoices first. After each, the page and the balance
are read again.
"""

from __future__ import annotations

import dataclasses

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from shopterm.core import i18n
from shopterm.core.i18n import N_, _, pgettext
from shopterm.core.money import format_amount
from shopterm.core.payments import method_label, reference_label
from shopterm.screens.ledgers._common import (
    END_KEY,
    DateTimeInput,
    FilterRow,
    LedgerScreen,
    balance_words,
    local_time,
    on_loop,
    short_type,
    show_entry_voucher,
    usd,
)
from shopterm.screens.ledgers.matching import MatchDialog, PaymentDialog, PaymentRequest, UnmatchDialog, plan_match
from shopterm.screens.registry import MANAGER, ScreenEntry, register
from shopterm.widgets.inputs import CodeInput, DateInput
from shopterm.widgets.ledger_view import Column, LedgerView, PageRequest, ViewPage, fmt_money

if TYPE_CHECKING:
    from shopterm.services.admin.audit import HistoryRow
    from shopterm.services import Status
    from shopterm.services.ledger.entries import MatchInfo, PaymentResult
    from shopterm.services.ledger.matching import MatchResult
    from shopterm.services.ledger.reports import LedgerRow
    from shopterm.services.mail import Sent
    from shopterm.services.masters.customers import CustomerInfo
    from shopterm.services.printing import Printed

COLUMNS = [
    Column("date", N_("Date"), lambda r: i18n.format_date(r.date), priority=1, min_width=10),
    Column("type", N_("Type"), lambda r: short_type(r.type_label), priority=3, min_width=7),
    Column("number", N_("Number"), priority=1, min_width=14),
    Column("reference", N_("Ref"), lambda r: reference_label(r.reference), priority=8, max_width=16),
    Column("debit", N_("Debit USD"), lambda r: fmt_money(r.debit, blank_zero=True), align="right", priority=1),
    Column("credit", N_("Credit USD"), lambda r: fmt_money(r.credit, blank_zero=True), align="right", priority=1),
    Column("balance", N_("Balance USD"), lambda r: fmt_money(r.balance), align="right", priority=2),
    Column("open", N_("Open USD"), lambda r: fmt_money(r.open_usd), align="right", priority=2),
    Column("match", "Match", lambda r: ",".join(str(m) for m in r.match_ids), priority=6, max_width=12,
           context="report column"),  # the match ids (pgettext("report column", "Match"): Lettrage)
]


def entry_detail(row: LedgerRow) -> str:
    """The selected line's detail: full type, its own currency, due date, method, when it changed."""
    parts = [_(row.type_label)]
    if row.currency != "USD":
        parts.append(_("{amount} {currency}, open {open}").format(
            amount=format_amount(abs(row.amount)), currency=row.currency, open=format_amount(row.open_amount)))
    if row.due_date:
        parts.append(_("due {date}").format(date=i18n.format_date(row.due_date)))
    if row.method:
        parts.append(method_label(row.method))
    if not row.match_ids:
        parts.append(_("not matched") if row.open_usd == row.amount_usd else "")
    parts.append(_("changed {when}").format(when=local_time(row.changed_at)))
    return " · ".join(p for p in parts if p)


def ledger_status(view: LedgerView) -> str:
    """The status line: the balance before and after the page shown."""
    info = view.shown_info
    if info is None:
        return ""
    return _("balance {opening} → {closing} USD").format(opening=format_amount(info.opening_balance),
                                                         closing=format_amount(info.closing_balance))


class CustomerLedgerScreen(LedgerScreen):
    """A customer's ledger with matching (module docstring)."""

    DOCUMENT_TITLE = N_("Customer Ledger")
    SUPPORTS = frozenset({"history", "voucher"})
    AUTO_FOCUS = None  # on_mount chooses: the view when a customer is given, else the customer field
    FILTER_IDS = ("field-from", "field-to", "field-types", "field-search", "field-changed")
    CODE_FIELD = "field-customer"

    BINDINGS = [
        Binding("f6", "toggle_open", N_("Open"), id="ledger.open_only", key_display="F6"),
        Binding("f7", "match", N_("Match"), id="ledger.match", key_display="F7"),
        Binding("f8", "unmatch", N_("Unmatch"), id="ledger.unmatch", key_display="F8"),
        Binding("ctrl+r", "payment", N_("Pay"), id="ledger.payment", key_display="^R"),
        Binding("ctrl+p", "print_statement", N_("Stmt"), id="ledger.statement", key_display="^P"),
        # not in the footer (it would push Esc off 80 columns): ^P's message names it, README lists it
        Binding("ctrl+g", "email_statement", N_("Mail"), id="ledger.email", key_display="^G", show=False),
        Binding("f5", "reload", N_("Reload"), id="ledger.reload", show=False),
    ]

    def __init__(self, customer: str | None = None) -> None:
        super().__init__()
        self._short_keys()
        self.initial_customer = (customer or "").strip().upper() or None
        self.customer: CustomerInfo | None = None  # the customer shown
        self.balance: Decimal | None = None
        self.open_only = False

    def _short_keys(self) -> None:
        """This footer has the most keys: its own keys take the short words of its language here
        (``pgettext("ledger key", …)``), so the whole footer fits 80 columns in French too."""
        short = {"ledger.open_only": pgettext("ledger key", "Open"), "ledger.match": pgettext("ledger key", "Match"),
                 "ledger.unmatch": pgettext("ledger key", "Unmatch"), "ledger.payment": pgettext("ledger key", "Pay"),
                 "ledger.statement": pgettext("ledger key", "Stmt")}
        table = self._bindings.key_to_bindings
        for key, bindings in table.items():
            table[key] = [dataclasses.replace(b, description=short[b.id]) if b.id in short else b for b in bindings]

    # -- layout --------------------------------------------------------------------

    def compose_document(self) -> ComposeResult:
        yield FilterRow(
            (N_("Customer"), CodeInput(self.initial_customer, id="field-customer", label=_("Customer"),
                                       field_name="customer", lookup_kind="customer",
                                       lookup_title=_("Find customer (code, name or phone)"), classes="lg-code")),
            Static(_("F2: find by name or phone"), id="customer-name", classes="lg-name", markup=False),
            Static("", id="ledger-balance", classes="lg-balance", markup=False),
        )
        types = Input(id="field-types", placeholder="SI RC…", classes="lg-types")
        types.field_name = "voucher_types"  # type: ignore[attr-defined]  # a refused type focuses this field
        yield FilterRow(
            (N_("From"), DateInput(id="field-from", label=_("From date"), field_name="date_from", classes="lg-date")),
            (N_("To"), DateInput(id="field-to", label=_("To date"), field_name="date_to", classes="lg-date")),
            (N_("Type"), types),
            (N_("Find"), Input(id="field-search", placeholder=_("number or reference"), classes="lg-search")),
        )
        yield FilterRow(
            (N_("Changed since"), DateTimeInput(id="field-changed", label=_("Changed since"), field_name="changed_since",
                                            classes="lg-datetime")),
            Static(self._open_text(), id="open-only", classes="lg-toggle", markup=False),
            Static("", id="marked-info", classes="lg-marked", markup=False),
        )
        yield LedgerView(COLUMNS, detail=entry_detail, status=ledger_status, row_id=lambda r: r.entry_id,
                         markable=True, can_mark=lambda r: _("{number} is fully matched: nothing open to match").format(number=r.number)
                         if r.open_usd == 0 else None,
                         empty_text=N_("No entries (choose a customer, or widen the filters)."),
                         id="ledger-view")

    def on_mount(self) -> None:
        super().on_mount()
        if self.initial_customer:
            self.focus_view()
            self.load_customer(self.initial_customer)
        else:
            self.query_one("#field-customer", CodeInput).focus()

    def _open_text(self) -> str:
        return _("[{mark}] Open only (F6)").format(mark="x" if self.open_only else " ")

    # -- the customer ----------------------------------------------------------------

    def code_chosen(self, code: str) -> None:
        self.load_customer(code)

    def code_shown(self, text: str) -> bool:
        return self.customer is not None and text.strip().upper() == self.customer.code

    def load_customer(self, code: str) -> None:
        actor = self.actor

        def load() -> tuple[CustomerInfo, Decimal]:
            services = self.services
            info = services.masters.get_customer(code)
            return info, services.ledger.balance(actor, info.code)

        def failed(exc: BaseException) -> None:
            from shopterm.widgets.messages import is_error

            field = self.query_one("#field-customer", CodeInput)
            if is_error(exc, "NotFound"):
                # not a code: maybe a name or a phone — search for it (F2)
                self.show_info(_("No customer code {code}: searching names and phones").format(code=code))
                field.focus()
                field.action_lookup()
                return
            self.show_error(exc)
            field.focus()

        on_loop(self, load, self._customer_loaded, failed, group="customer")

    def _customer_loaded(self, result: tuple[CustomerInfo, Decimal]) -> None:
        info, balance = result
        changed = self.customer is None or self.customer.code != info.code
        self.customer = info
        field = self.query_one("#field-customer", CodeInput)
        if field.value.strip().upper() != info.code:
            field.value = info.code
        field.remove_class("-error")
        self.query_one("#customer-name", Static).update(info.name)
        self.query_one("#doc-title", Static).update(self._title_text())
        self._show_balance(balance)
        self.clear_message()
        self.remember_filters()
        self.view.set_source(self._fetcher(), keep_marks=not changed)
        self.focus_view()

    def _title_text(self) -> str:
        if self.customer is None:
            return _(self.DOCUMENT_TITLE)
        return f"{_(self.DOCUMENT_TITLE)} · {self.customer.code} {self.customer.name}"

    def _show_balance(self, balance: Decimal) -> None:
        self.balance = balance
        limit = getattr(self.customer, "credit_limit_usd", None)
        text = balance_words(balance)
        if limit and balance > limit:
            text += " · OVER LIMIT"
        self.query_one("#ledger-balance", Static).update(text)

    # -- filters ----------------------------------------------------------------------

    def _fetcher(self):
        actor, code = self.actor, self.customer.code
        date_from = self.query_one("#field-from", DateInput).date_value
        date_to = self.query_one("#field-to", DateInput).date_value
        types = self.query_one("#field-types", Input).value.strip() or None
        search = self.query_one("#field-search", Input).value.strip() or None
        changed = self.query_one("#field-changed", DateTimeInput).datetime_value
        open_only = self.open_only

        def fetch(req: PageRequest) -> ViewPage:
            before = END_KEY if req.last else req.before
            page = self.services.ledger.entries(
                actor, code, date_from=date_from, date_to=date_to, voucher_types=[types] if types else None,
                open_only=open_only, changed_since=changed, search=search, after_key=req.after,
                before_key=before, limit=req.limit)
            return ViewPage(page.rows, page.next_key, page.prev_key, page)

        return fetch

    def apply_filters(self) -> None:
        if self.customer is None:
            return
        self.remember_filters()
        self.view.set_source(self._fetcher(), keep_marks=True)

    def action_toggle_open(self) -> None:
        self.open_only = not self.open_only
        self.query_one("#open-only", Static).update(self._open_text())
        self.apply_filters()

    def action_reload(self) -> None:
        self.refresh_customer()

    def refresh_customer(self) -> None:
        """Read the balance and the page again (after a match, an unmatch, a payment)."""
        if self.customer is None:
            return
        actor, code = self.actor, self.customer.code
        on_loop(self, lambda: self.services.ledger.balance(actor, code), self._show_balance, group="balance")
        self.view.reload()

    # -- keys that need a line --------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("match", "unmatch", "payment", "toggle_open", "reload", "print_statement"):
            return True if self.customer is not None else None
        return super().check_action(action, parameters)

    def action_state(self, action: str) -> bool | None:
        if action in ("history", "voucher"):
            return True if self.customer is not None else None
        return True

    @on(LedgerView.Selected, "#ledger-view")
    def _selected(self, event: LedgerView.Selected) -> None:
        event.stop()
        row = event.row
        show_entry_voucher(self, row.number, row.match_ids)

    def action_voucher(self) -> None:
        row = self.line_or_say()
        if row is None:
            return
        show_entry_voucher(self, row.number, row.match_ids)

    def action_history(self) -> None:
        row = self.line_or_say()
        if row is None:
            return
        number = row.number

        def load() -> list[HistoryRow]:
            sales = self.services.sales
            return sales.history(sales.document(number).id)

        self.open_history(load, title=_("History · {title} {key}").format(title=_("Document"), key=number))

    @on(LedgerView.MarkRefused, "#ledger-view")
    def _mark_refused(self, event: LedgerView.MarkRefused) -> None:
        event.stop()
        self.show_error(event.reason)

    @on(LedgerView.MarksChanged, "#ledger-view")
    def _marks_changed(self, event: LedgerView.MarksChanged) -> None:
        event.stop()
        rows = list(event.marked.values())
        if not rows:
            text = ""
        else:
            dr = sum((r.open_usd for r in rows if r.open_usd > 0), Decimal(0))
            cr = sum((-r.open_usd for r in rows if r.open_usd < 0), Decimal(0))
            text = _("Marked Dr {debit} Cr {credit}").format(debit=format_amount(dr), credit=format_amount(cr))
        self.query_one("#marked-info", Static).update(text)

    # -- matching ------------------------------------------------------------------------

    def action_match(self) -> None:
        if self.customer is None:
            return
        rows = list(self.view.marked.values())
        if len(rows) < 2:
            self.show_error(_("Mark the lines to match with Space (at least a debit and a credit), then F7"))
            return
        try:
            plan = plan_match(rows)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        actor, code, day = self.actor, self.customer.code, self._today()
        self.app.push_screen(
            MatchDialog(code, plan, lambda allocs: self.services.ledger.match(actor, code, allocs, day)),
            self._matched)

    def _matched(self, result: MatchResult | None) -> None:
        if result is None:
            return
        self.view.clear_marks()
        parts = ", ".join(f"{l.number} {format_amount(abs(l.amount_usd))}" for l in result.lines)
        self.show_ok(_("Match {id}: {amount} USD ({parts})").format(id=result.match_id,
                                                                   amount=format_amount(result.total_usd), parts=parts))
        self.refresh_customer()

    def action_unmatch(self) -> None:
        row = self.line_or_say()
        if row is None:
            return
        if not row.match_ids:
            self.show_error(_("{number} is not matched").format(number=row.number))
            return
        actor, number, ids = self.actor, row.number, row.match_ids

        def load() -> list[MatchInfo]:
            return [self.services.ledger.match_info(actor, m) for m in ids]

        def loaded(matches: list[MatchInfo]) -> None:
            self.app.push_screen(
                UnmatchDialog(number, matches, lambda mid: self.services.ledger.unmatch(actor, mid, self._today())),
                self._unmatched)

        self.run_service(load, loaded, busy_text=None)

    def _unmatched(self, result: MatchResult | None) -> None:
        if result is None:
            return
        self.show_ok(_("Match {id} undone: {amount} USD open again").format(id=result.match_id,
                                                                           amount=format_amount(result.total_usd)))
        self.refresh_customer()

    def _today(self) -> dt.date | None:
        return getattr(self.app, "business_date", None)

    # -- statement ---------------------------------------------------------------------

    def action_print_statement(self) -> None:
        """Print the customer statement (A4 PDF with the ageing summary) for the dates shown:
        From/To when typed, else the month to the business date."""
        if self.customer is None or not self.check_fields():
            return
        actor, code = self.actor, self.customer.code
        date_from = self.query_one("#field-from", DateInput).date_value
        date_to = self.query_one("#field-to", DateInput).date_value

        def run() -> Printed:
            return self.services.printing.statement(actor, code, date_from, date_to or self.app.business_date)

        self.run_service(run, lambda printed: self.show_ok(printed.message() + " · " + _("^G emails it")),
                         busy_text=_("Printing…"))

    def action_email_statement(self) -> None:
        """^G: email the statement of the dates shown (as ^P prints it) to the customer's email
        (or one typed)."""
        if self.customer is None or not self.check_fields():
            return
        actor, code = self.actor, self.customer.code
        date_from = self.query_one("#field-from", DateInput).date_value
        date_to = self.query_one("#field-to", DateInput).date_value or self.app.business_date

        def address() -> str:
            return self.services.masters.get_customer(code).email

        def ask(to: str) -> None:
            from shopterm.screens.email_dialog import EmailDialog

            def send(addr: str) -> Sent:
                return self.services.mail.email_statement(actor, code, date_from, date_to, to=addr)

            self.app.push_screen(EmailDialog(_("Statement {code}").format(code=code), to, send), self._emailed)

        self.run_service(address, ask, busy_text=None)

    def _emailed(self, sent: Sent | None) -> None:
        if sent is not None:
            self.show_ok(_("Sent {file} to {to} through {server}").format(
                file=sent.attachment, to=sent.to, server=sent.server))

    # -- payment on account --------------------------------------------------------------

    def action_payment(self) -> None:
        if self.customer is None:
            return
        actor, code = self.actor, self.customer.code

        def load() -> Status:
            return self.services.status(actor)

        def loaded(status: Status) -> None:
            date = status.business_date

            def post(req: PaymentRequest) -> PaymentResult:
                return self.services.ledger.record_payment(
                    actor, customer=code, amount=req.amount, location=status.location_code or None, date=date,
                    currency=req.currency, rate=req.rate, method=req.method, reference=req.reference)

            self.app.push_screen(PaymentDialog(code, self.customer.name, self.balance, status.system_rate, date, post),
                                 self._paid)

        self.run_service(load, loaded, busy_text=None)

    def _paid(self, result: PaymentResult | None) -> None:
        if result is None:
            return
        settled = ", ".join(f"{l.number} {format_amount(abs(l.amount_usd))}" for l in result.settled)
        if settled and result.unapplied_usd:
            text = _("Payment {number}: {amount} {currency}; settled {settled}; {credit} left as credit")
        elif settled:
            text = _("Payment {number}: {amount} {currency}; settled {settled}")
        elif result.unapplied_usd:
            text = _("Payment {number}: {amount} {currency}; nothing open to settle; {credit} left as credit")
        else:
            text = _("Payment {number}: {amount} {currency}; nothing open to settle")
        self.show_ok(text.format(number=result.number, amount=format_amount(result.amount), currency=result.currency,
                                 settled=settled, credit=usd(result.unapplied_usd)))
        self.refresh_customer()


def open_customer_ledger(app: Any, code: str) -> None:
    """Open the customer ledger of ``code`` on top of the current screen (from any screen)."""
    app.push_screen(CustomerLedgerScreen(code))


register(ScreenEntry(
    key="customer_ledger", title=N_("Customer ledger"), group="Ledgers", factory=lambda app: CustomerLedgerScreen(),
    roles=MANAGER, help=N_("A customer's transactions, balance, matching, payments on account; Ctrl+P: the statement"),
))
