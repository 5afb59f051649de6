"""Sales Commission Payment (seed screen 11): commission to a sales person, from the till.

Layout at 80×24::

    AXP Axpert │ 2026-11-23 │ DAY OPEN │ manager (manager) │ 1 USD = 2,850 CDF
    Sales Commission Payment · New
    Loc AXP    Date 2026-11-23  No —                 Approved? No
    Sales person SP01   Jean Mukendi          Ccy USD Rate 2850
    Expense 6100 · Cash 1100 · Balance cash 1,250.00 USD
     #  Invoice No     Date       Customer      Base $       Local FC   Payable
     1  261101SI000001 2026-11-23 C0001          54.86     156,351.00   [ 2.00 ]
     …                                     (the sales person's invoices)
    261101SI000001 · Kinshasa Pharma · no commission paid on it yet
    Total 2.00 USD     Narration [                                          ]
    Save keeps a draft: nothing is posted. F10 Approve_Save posts it.

Fields (seed): Location, Sales Person Name (F2), Currency, Exchange Rate (to
USD), Expense Ledger and Cash Ledger (auto: 6100 and the Shop Setup's cash
account of the currency), Balance Cash (auto: what the till holds), Approved?
(auto: ticked by Approve_Save), Voucher Number (auto), Voucher Date; the grid
of the sales person's invoices: Invoice No, Invoice Date, Customer Name,
Invoice Amount Base (USD) and Local (CDF), Amount Payable (typed); the footer's
Total Amount (auto) and Narration.

Keys: Ctrl+S **Save** = a draft, numberless, *not posted* (the screen says
so); **F10 Approve_Save** numbers and posts it (Dr 6100 / Cr cash) and ticks
Approved? — a manager at once, a cashier with a manager's approval (the PIN
dialog). Commission already paid on an invoice asks for F10 again before it
is paid twice. F3 list (drafts and approved), F4 history, F9 voucher
details, Ctrl+N new, Esc back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Static

from shopterm.core.i18n import N_, _, format_date, localize_number, ngettext
from shopterm.screens.base.header import currency, date, header_row, location, number, rate, sales_person
from shopterm.screens.base.document import DocumentScreen
from shopterm.screens.base.mixins import Background, DebouncedPreview, DocumentDialogs, ShopDay, list_filters
from shopterm.screens.registry import register_screen
from shopterm.widgets.inputs import CodeInput, MoneyInput, NoteInput
from shopterm.widgets.totals_footer import CompactChoice, Figure, fmt_amount

if TYPE_CHECKING:
    from shopterm.services import Status
    from shopterm.services.context import Actor
    from collections.abc import Callable

    from shopterm.services.documents.posting import PostResult
    from shopterm.services.sales.commission import (CommissionCandidate, CommissionDraft, CommissionPreview,
                                                    CommissionView)
    from shopterm.widgets.approval import Approval

__all__ = ["CommissionPaymentScreen", "CommissionRow"]

ZERO = Decimal(0)
SAVE_NOTE = N_("Save (Ctrl+S) keeps a draft: nothing is posted. F10 Approve_Save posts it (manager).")


class _Candidate:
    """A grid row's invoice when only its number is known (a draft's line not listed any more)."""

    def __init__(self, number: str) -> None:
        self.number = number
        self.date: dt.date | None = None
        self.customer = self.customer_name = None
        self.base_usd = self.local_cdf = None
        self.paid_by: tuple[str, ...] = ()


class CommissionRow(Horizontal):
    """One invoice of the sales person: figures, and the Amount Payable typed."""

    DEFAULT_CSS = "CommissionRow { height: 1; }"

    def __init__(self, number: int, cand: CommissionCandidate, amount: str = "", *, read_only: bool = False) -> None:
        super().__init__(classes="cp-row")
        self.number = number
        self.cand = cand
        self.amount = MoneyInput(amount, label=_("Amount payable (line {number})").format(number=number),
                                 field_name="amount_payable",
                                 classes="cp-amount", disabled=read_only, max_length=14)

    @property
    def invoice(self) -> str:
        return self.cand.number

    def compose(self) -> ComposeResult:
        c = self.cand
        yield Figure(str(self.number), classes="cp-sno")
        yield Figure(c.number, classes="cp-invoice")
        yield Figure(format_date(c.date) if c.date else "", classes="cp-date")
        yield Figure(str(c.customer or "")[:8], classes="cp-customer")
        yield Figure(fmt_amount(c.base_usd), classes="cp-money")
        yield Figure(fmt_amount(c.local_cdf), classes="cp-big")
        yield self.amount


def repeat_text(invoice: str, paid_by: tuple[str, ...]) -> str:
    """The double-payment warning, on one line."""
    return _("Already paid on {invoice} ({numbers}): F10 again pays it twice").format(
        invoice=invoice, numbers=", ".join(paid_by))


def _candidate_detail(c: CommissionCandidate) -> str:
    name = c.customer_name or c.customer or ""
    paid = (_("commission already paid by {numbers}").format(numbers=", ".join(c.paid_by)) if c.paid_by
            else _("no commission paid on it yet"))
    return f"{c.number} · {name} · {paid}"


class CommissionPaymentScreen(DocumentDialogs, ShopDay, Background, DebouncedPreview, DocumentScreen):
    """The Sales Commission Payment entry screen (module docstring)."""

    NUMBER_WIDGET = "#cp-number"
    DOCUMENT_TITLE = N_("Sales Commission Payment")
    SUPPORTS = frozenset({"new", "save", "reprint", "list", "history", "voucher"})
    AUTO_FOCUS = "#field-sales-person"

    BINDINGS = [
        Binding("f10", "approve_save", N_("Approve_Save"), id="commission.approve", key_display="F10"),
    ]

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.sales_person: str | None = None
        self.view: CommissionView | None = None  # once approved / opened
        self.preview: CommissionPreview | None = None
        self.rows: list[CommissionRow] = []
        self._sent: list[CommissionRow] = []
        self._pending_sp: str | None = None
        self._confirm_repeat = False
        self._warning: str | None = None

    # -- layout ----------------------------------------------------------------------------

    def compose_document(self) -> ComposeResult:
        with Vertical(id="cp-header"):
            yield header_row(location(), date(N_("Voucher date")), number("cp-number"),
                             Static(_("Approved? No"), id="cp-approved", markup=False))
            yield header_row(sales_person(), Static("", id="cp-sp-name", markup=False), currency(), rate())
            yield Static("", id="cp-ledgers", markup=False)
        heads = (_("Invoice No"), _("Date"), _("Customer"), _("Base $"), _("Local FC"), _("Payable"))
        yield Static(Text(f" {'#':<3}{heads[0][:14]:<15}{heads[1][:10]:<11}{heads[2][:8]:<9}{heads[3]:>10} "
                          f"{heads[4]:>13} {heads[5]:>9}", no_wrap=True), id="cp-grid-header")
        yield VerticalScroll(id="cp-rows")
        yield Static("", id="cp-detail", markup=False)
        with Horizontal(id="cp-footer"):
            yield Static(_("Total"), classes="inv-label")
            yield Figure("", id="cp-total")
            yield Static(_("Narration"), classes="inv-label")
            yield NoteInput(id="field-narration", placeholder=_("optional"), max_length=500)
        yield Static(_(SAVE_NOTE), id="cp-note", markup=False)

    def field(self, name: str) -> Any:
        return self.query_one(f"#field-{name}")

    # -- start ---------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.load_shop_day()
        super().on_mount()

    def shop_day_loaded(self, status: Status) -> None:
        if status.system_rate is not None:
            self.field("rate").set_value(status.system_rate)

    def location_typed(self) -> str | None:
        return self.field("location").value.strip().upper() or self.location_code

    # -- unsaved changes: every Input, the rows included --------------------------------------------

    def _snapshot(self) -> dict[int, str]:
        return {id(w): w.value for w in self.query("#cp-header Input, #cp-rows Input, #cp-footer Input")}

    # -- the sales person → the invoices ------------------------------------------------------------

    def on_descendant_blur(self, event: Any) -> None:
        widget = event.widget
        if self.view is not None:
            return
        if getattr(widget, "id", "") == "field-sales-person":
            code = widget.value.strip().upper()
            if code and code != self.sales_person and code != self._pending_sp:
                self._load_sales_person(code)

    @on(CodeInput.Picked, "#field-sales-person")
    def _sp_picked(self, event: CodeInput.Picked) -> None:
        event.stop()
        self._load_sales_person(str(event.row.code))

    def _load_sales_person(self, code: str, amounts: dict[str, str] | None = None) -> None:
        self._pending_sp = code
        location = self.location_typed()

        def work() -> tuple[str, list[CommissionCandidate]]:
            services = self.services
            rows = services.lookup("sales_person", code, actor=self.actor)
            name = next((r.name for r in rows if r.code == code), "")
            return name, services.commission.commission_candidates(code, location)

        def done(result: tuple[str, list[CommissionCandidate]]) -> None:
            if self._pending_sp != code:
                return
            self._pending_sp = None
            name, candidates = result
            self.sales_person = code
            self.field("sales-person").value = code
            self.query_one("#cp-sp-name", Static).update(Text(name, no_wrap=True, overflow="ellipsis"))
            self.call_later(self._fill_rows, candidates, amounts or {})

        def failed(exc: BaseException) -> bool:
            self._pending_sp = None
            return False

        self.background(work, done, on_error=failed)

    async def _fill_posted_rows(self, candidates: list[CommissionCandidate], amounts: dict[str, str]) -> None:
        """The posted voucher's rows, read-only: what is shown is saved (Esc leaves at once)."""
        try:
            await self._fill_rows(candidates, amounts, read_only=True)
            self.mark_clean()
        finally:
            self.release_keys("posted-rows")

    async def _fill_rows(self, candidates: list[CommissionCandidate], amounts: dict[str, str], *,
                         read_only: bool = False) -> None:
        box = self.query_one("#cp-rows", VerticalScroll)
        await box.remove_children()
        listed = {c.number for c in candidates}
        cands = list(candidates) + [_Candidate(n) for n in amounts if n not in listed]
        self.rows = [CommissionRow(i, c, amounts.get(c.number, ""), read_only=read_only)
                     for i, c in enumerate(cands, start=1)]
        await box.mount_all(self.rows)
        if not self.rows:
            self.query_one("#cp-detail", Static).update(
                _("{person} has no posted invoice at {location}").format(
                    person=self.sales_person or _("This sales person"), location=self.location_typed()))
        elif read_only:
            self.query_one("#cp-detail", Static).update(
                ngettext("{count} invoice paid on this voucher", "{count} invoices paid on this voucher",
                         len(self.rows)).format(count=len(self.rows)))
        else:
            self.query_one("#cp-detail", Static).update(
                ngettext("{count} invoice: type the Amount Payable on those paid now",
                         "{count} invoices: type the Amount Payable on those paid now",
                         len(self.rows)).format(count=len(self.rows)))
        if not read_only:
            if self.rows:
                self.rows[0].amount.focus()
            self.schedule_preview()

    def row_of(self, widget: Any) -> CommissionRow | None:
        node = widget
        while node is not None:
            if isinstance(node, CommissionRow):
                return node
            node = node.parent
        return None

    def on_descendant_focus(self, event: Any) -> None:
        super().on_descendant_focus(event)
        row = self.row_of(event.widget)
        if row is not None:
            self.query_one("#cp-detail", Static).update(_candidate_detail(row.cand))

    # -- the preview: total, balance cash, repeats ---------------------------------------------------

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._confirm_repeat = False
        if self.view is None and (self.row_of(event.input) is not None or event.input.id == "field-rate"):
            self.schedule_preview()

    @on(CompactChoice.Changed, "#field-currency")
    def _currency_changed(self, event: CompactChoice.Changed) -> None:
        if self.view is None:
            self.dirty = True
            self.schedule_preview()

    def preview_wanted(self) -> bool:
        return super().preview_wanted() and bool(self.sales_person)

    def preview_job(self) -> Callable[[], CommissionPreview]:
        draft = self.build_draft()
        actor = self.actor
        return lambda: self.services.commission.preview(draft, actor)

    def preview_shown(self, p: CommissionPreview) -> None:
        self.query_one("#cp-total", Figure).set(f"{fmt_amount(p.total)} {p.currency}")
        cash = p.cash_account or "-"
        enough = "" if p.enough_cash else " · " + _("NOT ENOUGH CASH")
        self.query_one("#cp-ledgers", Static).update(
            _("Expense {expense} · Cash {cash} · Balance cash {balance} {currency}").format(
                expense=p.expense_account, cash=cash, balance=fmt_amount(p.balance_cash), currency=p.currency)
            + enough)
        quiet = ("Add at least one invoice", _("Add at least one invoice"))
        warnings = [w for w in p.warnings if not w.startswith(quiet)] + [
            repeat_text(l.invoice, l.paid_by) for l in p.lines if l.paid_by]
        if self.message_bar.kind == "error":
            return  # a refused save or a bad field stays until the cashier acts
        if warnings:
            more = " " + _("(+{count} more)").format(count=len(warnings) - 1) if len(warnings) > 1 else ""
            self.message_bar.show_warning(warnings[0] + more)
            self._warning = self.message_bar.text
        elif self._warning is not None:
            if self.message_bar.text == self._warning:
                self.message_bar.clear()
            self._warning = None

    # -- the draft -------------------------------------------------------------------------------------

    def build_draft(self) -> CommissionDraft:
        from shopterm.services.sales.commission import CommissionDraft, CommissionLine

        self._sent = [r for r in self.rows if r.amount.value.strip()]
        date = self.field("date")
        return CommissionDraft(
            location=self.location_typed(), date=date.date_value or date.value.strip() or None,
            sales_person=self.field("sales-person").value.strip().upper(),
            currency=self.field("currency").value, rate=self.field("rate").value.strip() or None,
            narration=self.field("narration").value,
            lines=[CommissionLine(r.invoice, r.amount.value.strip()) for r in self._sent])

    # -- toolbar -----------------------------------------------------------------------------------------

    def action_state(self, action: str) -> bool | None:
        if self.view is not None and action == "save":
            return False
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "approve_save":
            return self.view is None
        return super().check_action(action, parameters)

    def _final(self) -> bool:
        if self.view is not None:
            number = self.view.document.number
            self.message_bar.show_warning(
                _("{number} is approved and posted: posted documents are final. Ctrl+N for a new one").format(
                    number=number))
            return True
        return False

    def _form(self) -> tuple[Any, int | None, Actor | None] | None:
        """(draft, draft id, actor) of what is typed; None (and why said) when it cannot be saved."""
        if self._final() or not self.check_fields():
            return None
        return self.build_draft(), self.draft_id, self.actor

    def action_save(self) -> None:
        """Save: a draft — numberless, nothing posted."""
        form = self._form()
        if form is None:
            return
        draft, draft_id, actor = form

        def done(new_id: int) -> None:
            from shopterm.services.sales.commission import NOT_POSTING_HINT

            self.draft_saved(new_id, _("Draft #{id} · not posted").format(id=new_id))
            self.query_one("#cp-note", Static).update(_(NOT_POSTING_HINT))
            self.show_ok(_("Saved as draft #{id}: nothing is posted yet. F10 Approve_Save posts it").format(id=new_id))

        self.run_service(lambda: self.services.commission.save(actor, draft, draft_id), done, busy_text=_("Saving…"))

    def action_approve_save(self) -> None:
        """Approve_Save: number and post it, Approved? ticked (a manager, or a manager's approval)."""
        form = self._form()
        if form is None:
            return
        draft, draft_id, actor = form
        repeats = [l for l in self.preview.lines if l.paid_by] if self.preview is not None else []
        if repeats and not self._confirm_repeat:
            self._confirm_repeat = True
            self.message_bar.show_warning(repeat_text(repeats[0].invoice, repeats[0].paid_by))
            return
        confirm = self._confirm_repeat

        def post(approver: str | None = None, pin: str | None = None) -> tuple[PostResult, CommissionView]:
            services = self.services
            result = services.commission.approve_save(actor, draft, draft_id, approver=approver, approver_pin=pin,
                                                      confirm_repeat=confirm)
            return result, services.commission.document(result.document_id)

        def with_approval(approval: Approval) -> Callable[[], tuple[PostResult, CommissionView]]:
            return lambda: post(approval.name, approval.pin)

        def on_error(exc: BaseException) -> bool:
            if getattr(exc, "code", "") == "commission_repeat" and not confirm:
                self._confirm_repeat = True
                self.message_bar.show_warning(
                    _("Commission already paid: F10 again pays it again ({reason})").format(reason=exc)[:200])
                return True
            self._confirm_repeat = False
            return False

        self.run_service(post, self._approved, busy_text=_("Posting…"), on_error=on_error, with_approval=with_approval)

    def _approved(self, result: tuple[Any, Any]) -> None:
        post, view = result
        self._confirm_repeat = False
        self.call_later(self._show_view, view)
        self.refresh_status()
        doc = view.document
        if doc.approved_by:
            text = _("Commission {number} posted: {amount} {currency} paid, approved by {user}")
        else:
            text = _("Commission {number} posted: {amount} {currency} paid, approved")
        self.show_ok(text.format(number=post.number, amount=fmt_amount(view.total), currency=doc.currency,
                                 user=doc.approved_by))

    def discard_warning(self) -> str:
        return _("Unsaved changes: press {key} again to discard them (Ctrl+S keeps a draft)")

    async def reset(self) -> None:
        self.view = None
        self.draft_id = None
        self.preview = None
        self.sales_person = None
        self._pending_sp = None
        self._confirm_repeat = False
        self._set_enabled(True)
        for name in ("sales-person", "narration"):
            self.field(name).value = ""
        self.field("currency").set_value("USD")
        if self.system_rate is not None:
            self.field("rate").set_value(self.system_rate)
        if self.location_code:
            self.field("location").value = self.location_code
        if self.business_date:
            self.field("date").set_value(self.business_date)
        for wid, text in (("#cp-number", "—"), ("#cp-approved", _("Approved? No")), ("#cp-sp-name", ""),
                          ("#cp-ledgers", ""), ("#cp-detail", ""), ("#cp-note", _(SAVE_NOTE))):
            self.query_one(wid, Static).update(text)
        self.query_one("#cp-total", Figure).set("")
        await self.query_one("#cp-rows", VerticalScroll).remove_children()
        self.rows = []
        self.set_document(None, "New")
        self.mark_clean()
        self.field("sales-person").focus()

    def _set_enabled(self, enabled: bool) -> None:
        for widget in self.query("#cp-header Input, #cp-header CompactChoice, #cp-footer Input"):
            widget.disabled = not enabled

    def action_list(self) -> None:
        location = self.location_typed()
        self.open_documents(N_("Commission payments"),
                            lambda q: self.services.commission.list_documents(**list_filters(q, location)),
                            lambda draft_id: self.services.commission.load_draft(draft_id),
                            lambda doc_id: self.services.commission.document(doc_id))

    def action_history(self) -> None:
        self.show_history(self.view.document.id if self.view is not None else self.draft_id)

    def action_voucher(self) -> None:
        if self.view is not None:
            self.show_journal(self.view.document.number, self.view.document.journal)
            return
        if not self.sales_person:
            self.show_error(_("Sales person is required"), field="sales_person")
            return
        draft = self.build_draft()
        actor = self.actor
        self.show_voucher_preview(lambda: self.services.commission.preview(draft, actor),
                                  N_("Not posted: Approve_Save (F10) posts this journal."))

    # -- showing a draft or an approved voucher ------------------------------------------------------------

    async def _show_draft(self, draft_id: int, draft: CommissionDraft) -> None:
        from shopterm.services.sales.commission import NOT_POSTING_HINT

        await self.reset()
        self.draft_id = draft_id
        self.field("location").value = draft.location or self.location_code or ""
        self.field("date").set_value(draft.date or self.business_date)
        self.field("currency").set_value(draft.currency or "USD")
        self.field("rate").set_value(draft.rate if draft.rate not in (None, "") else (self.system_rate or ""))
        self.field("narration").value = draft.narration or ""
        self.field("sales-person").value = draft.sales_person or ""
        self.query_one("#cp-number", Static).update(_("Draft #{id}").format(id=draft_id))
        self.query_one("#cp-note", Static).update(_(NOT_POSTING_HINT))
        self.set_document(None, _("Draft #{id} · not posted").format(id=draft_id))
        amounts = {str(l.invoice).upper(): "" if l.amount_payable is None else str(l.amount_payable)
                   for l in draft.lines if not l.is_blank()}
        if draft.sales_person:
            self._load_sales_person(draft.sales_person.upper(), amounts)
        self.call_after_refresh(self.mark_clean)

    async def _show_view(self, view: CommissionView) -> None:
        """An approved (posted) voucher, read-only; a draft opened by number shows its hint."""
        doc = view.document
        self.view = view
        self.draft_id = None
        self.sales_person = doc.sales_person
        self.field("location").value = doc.location
        self.field("date").set_value(doc.date)
        self.field("sales-person").value = doc.sales_person or ""
        self.field("currency").set_value(doc.currency)
        self.field("rate").set_value(doc.rate)
        self.field("narration").value = doc.narration or ""
        self._set_enabled(False)
        self.query_one("#cp-number", Static).update(doc.number or _("Draft #{id}").format(id=doc.id))
        approver = " " + _("(by {user})").format(user=doc.approved_by) if doc.approved_by else ""
        self.query_one("#cp-approved", Static).update(
            (_("Approved? Yes") if view.approved else _("Approved? No")) + approver)
        extra = doc.extra or {}
        self.query_one("#cp-ledgers", Static).update(
            _("Expense {expense} · Cash {cash} · Balance cash after {balance} {currency}").format(
                expense=extra.get("expense_ledger", "6100"), cash=extra.get("cash_ledger", "-"),
                balance=fmt_amount(Decimal(str(extra.get("balance_cash_after", "0")))), currency=doc.currency))
        self.query_one("#cp-note", Static).update(view.hint or _("Approved and posted: Dr commission expense / Cr cash"))
        self.query_one("#cp-total", Figure).set(f"{fmt_amount(view.total)} {doc.currency}")
        amounts = {n: localize_number(f"{a:f}") for n, a in view.lines}
        sp = doc.sales_person
        location = doc.location

        def work() -> list[CommissionCandidate]:
            return self.services.commission.commission_candidates(sp, location) if sp else []

        def done(cands: list[CommissionCandidate]) -> None:

            wanted = [c for c in cands if c.number in amounts]
            self.call_later(self._fill_posted_rows, wanted, amounts)

        def failed(exc: BaseException) -> bool:
            self.release_keys("posted-rows")
            return True

        self.hold_keys("posted-rows")  # Esc typed at once must see the voucher whole (and clean)
        self.background(work, done, on_error=failed)
        self.mark_clean()
        self.set_document(doc.number, "Approved" if view.approved else doc.status.capitalize())
        self.set_focus(None)
        self.refresh_bindings()

    # -- errors: a line's field focuses its row ---------------------------------------------------------------

    def show_error(self, error: BaseException | str, field: str | None = None) -> None:
        line = (getattr(error, "details", None) or {}).get("line") if isinstance(error, BaseException) else None
        if line and 1 <= int(line) <= len(self._sent):
            super().show_error(error, field="__none__")
            self._sent[int(line) - 1].amount.focus()
            return
        super().show_error(error, field)


register_screen(CommissionPaymentScreen, "commission_payment", "Cash",
                N_("Commission to a sales person: Save is a draft, Approve_Save (manager) posts"))
