"""Sales Receipt / Return (seed "Sales Receipt / Return", DESIGN §7).

Collect cash in CDF and/or USD against an open invoice (Type "Sales
Invoice"), or pay a refund out against a sales return (Type "Refund").

Header (seed table): Location, Receipt No (auto), Recu Taux (the receipt
rate, default the system rate), Invoice No (F2: open invoices, cash invoices
first), Type, Customer (auto), Taux Difference (auto), Print in USD?.
Footer: rows CDF and USD, columns Invoice / Received / Returned / Balance.
The cashier types Received (Returned, for a refund); every keystroke asks
``services.cash.receipt_preview`` (``refund_preview``) in a worker, so the
change and the balance on screen are the services' own figures. A partial
payment is allowed: the screen says that the balance stays open.

Tendering (DESIGN §12 "Counter flow"): ``SalesReceiptScreen(tender=number)``
is what Ctrl+S on a cash Sales Invoice opens. The invoice is already chosen,
the focus is in the first amount (CDF received, then Enter to USD), the change
shows as it is typed; once the receipt posts the screen closes with a
:class:`TenderResult` and the invoice screen starts the next customer's
invoice. Esc leaves the invoice posted and unpaid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Input, Label

from shopterm.core.i18n import N_, _, format_date
from shopterm.screens.base.counter import (
    AutoValue,
    ChoiceField,
    CounterScreen,
    Defaults,
    Field,
    PickRow,
    amount,
    decimal_text,
    rate_text,
    run_preview,
    stored_amount,
)
from shopterm.screens.registry import register_screen
from shopterm.widgets.inputs import CodeInput, MoneyInput, RateInput
from shopterm.widgets.messages import describe_error
from shopterm.widgets.print_action import PDF_BINDING, PdfKey

if TYPE_CHECKING:
    from shopterm.core.cash import ReceiptCalc, RefundCalc
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import DocumentView


RECEIPT, REFUND = "receipt", "refund"


@dataclass(frozen=True)
class TenderResult:
    """What tendering hands back to the invoice screen once the receipt is posted."""

    invoice: str
    receipt: str
    change_cdf: Decimal  # the change handed back, in CDF
    balance_cdf: Decimal  # what stays open on the invoice (a partial payment), in CDF
    message: str  # what the cashier reads: "Receipt … posted · give 400.00 CDF change"
    print_invoice: bool = False  # Ctrl+P: print the invoice (with its payment)


class SalesReceiptScreen(PdfKey, CounterScreen):
    """Cash against an invoice, or a refund against a sales return."""

    BINDINGS = [PDF_BINDING]  # Ctrl+O: the A4 PDF of the posted document

    DOCUMENT_TITLE = N_("Sales Receipt / Return")
    SUPPORTS = frozenset({"new", "save", "save_print", "reprint", "list", "history", "voucher"})
    AUTO_FOCUS = "#field-invoice"
    LIST_TITLE = N_("Sales receipts and refunds")
    DOC_TYPE = "RC"
    SAVED_TEXT = N_("This receipt is saved; Ctrl+N for a new one")
    FORM_FIELDS = ("#field-location", "#field-type", "#field-invoice", "#field-rate", "#field-print-usd",
                   "#field-received-cdf", "#field-received-usd", "#field-returned-cdf", "#field-returned-usd")
    NUMBER_ID = "#receipt-no"
    FIRST_FIELD = "#field-invoice"

    def __init__(self, tender: str | None = None) -> None:
        super().__init__()
        self.calc: ReceiptCalc | RefundCalc | None = None  # the last ReceiptCalc / RefundCalc shown
        self.loaded_number: str | None = None  # the invoice/return the footer is about
        self.tender = tender  # tendering a cash sale just posted: its invoice number (module docstring)
        if tender:
            self.AUTO_FOCUS = "#field-received-cdf"

    # -- layout ----------------------------------------------------------------

    def compose_document(self) -> ComposeResult:
        yield self.location_field(N_("Receipt No"))
        # hot letters: the labels' first letters (S/R in English, F/R in French)
        yield Field(_("Type*"), ChoiceField([(RECEIPT, N_("Sales Invoice")), (REFUND, N_("Refund"))],
                                            id="field-type"))
        yield Field(
            _("Invoice No*"),
            CodeInput(id="field-invoice", label=_("Invoice No"), field_name="invoice", required=True,
                      search=self._search_documents, lookup_title=_("Open invoices (cash first)"), classes="cf-doc"),
            AutoValue(_("F2: open invoices"), id="invoice-info", classes="cf-name"),
        )
        yield Field(_("Customer"), AutoValue("", id="customer", classes="cf-name"))
        yield Field(
            _("Recu Taux*"),
            RateInput(id="field-rate", label=_("Recu Taux"), field_name="rate", required=True, classes="cf-short"),
            Label(_("Taux difference"), classes="cf-label2"),
            AutoValue("", id="taux-difference"),
        )
        yield Field(_("Print in USD?"), ChoiceField([("no", N_("No")), ("yes", N_("Yes"))], id="field-print-usd"))
        with Grid(id="receipt-footer"):
            for n, text in enumerate(("", _("Invoice"), _("Received"), _("Returned"), _("Balance"))):
                yield Label(text, classes="rf-head", id="rf-head-due" if n == 1 else None)
            for ccy in ("cdf", "usd"):
                yield Label(ccy.upper(), classes="rf-ccy")
                yield AutoValue("", id=f"invoice-{ccy}", classes="rf-num")
                yield MoneyInput(id=f"field-received-{ccy}", label=_("{currency} received").format(currency=ccy.upper()),
                                 field_name=f"received_{ccy}", classes="rf-input")
                # a refund receives nothing: this blank keeps the Received column (the grid stays square)
                yield AutoValue("", id=f"received-{ccy}", classes="rf-num -hidden")
                yield AutoValue("", id=f"returned-{ccy}", classes="rf-num")
                yield MoneyInput(id=f"field-returned-{ccy}", label=_("{currency} returned").format(currency=ccy.upper()),
                                 field_name=f"returned_{ccy}", classes="rf-input -hidden")
                yield AutoValue("", id=f"balance-{ccy}", classes="rf-num")
        yield AutoValue(_("Choose the invoice (F2), then type the cash received in CDF and/or USD."),
                        id="receipt-note", classes="cf-hint")

    def apply_defaults(self, defaults: Defaults) -> None:
        location = self.query_one("#field-location", CodeInput)
        if not location.value:
            location.value = defaults.location
        rate = self.query_one("#field-rate", RateInput)
        if not rate.value and defaults.system_rate is not None:
            rate.set_value(defaults.system_rate)
        if self.tender and not self.posted:
            invoice = self.query_one("#field-invoice", CodeInput)
            if not invoice.value:
                invoice.value = self.tender
                self._load_document()

    # -- what the fields mean in each mode ----------------------------------------

    @property
    def mode(self) -> str:
        return self.query_one("#field-type", ChoiceField).value

    @on(ChoiceField.Changed, "#field-type")
    def _type_changed(self, event: ChoiceField.Changed) -> None:
        refund = event.value == REFUND
        doc = self.query_one("#field-invoice", CodeInput)
        doc.field_name = "return" if refund else "invoice"
        doc.label = _("Return No") if refund else _("Invoice No")
        doc.lookup_title = _("Sales returns") if refund else _("Open invoices (cash first)")
        row = doc.parent
        if row is not None:
            row.query_one(".cf-label", Label).update(_("Return No*") if refund else _("Invoice No*"))
        # a refund's first column is what the return credits, not an invoice
        self.query_one("#rf-head-due", Label).update(_("Refund due") if refund else _("Invoice"))
        for ccy in ("cdf", "usd"):
            received = self.query_one(f"#field-received-{ccy}", MoneyInput)
            returned = self.query_one(f"#field-returned-{ccy}", MoneyInput)
            received.set_class(refund, "-hidden")
            self.query_one(f"#received-{ccy}", AutoValue).set_class(not refund, "-hidden")
            returned.set_class(not refund, "-hidden")
            self.query_one(f"#returned-{ccy}", AutoValue).set_class(refund, "-hidden")
            if not self.posted:  # (a posted document being shown keeps its figures)
                (returned if not refund else received).value = ""  # the other mode's column is zero
        self.query_one("#field-print-usd", ChoiceField).disabled = refund or self.posted
        if self.posted:
            return
        doc.value = ""
        self._clear_figures()
        self.query_one("#invoice-info", AutoValue).set(_("F2: sales returns") if refund else _("F2: open invoices"))
        self.query_one("#receipt-note", AutoValue).set(
            _("Choose the sales return (F2), then type the refund handed out in CDF and/or USD.") if refund
            else _("Choose the invoice (F2), then type the cash received in CDF and/or USD."))

    def _search_documents(self, query: str) -> list[PickRow]:
        """F2 on Invoice No (runs in a worker thread)."""
        q = query.strip().upper()
        location = self.query_one("#field-location", CodeInput).code
        services = self.services
        if self.mode == REFUND:
            rows = []
            for doc_type in ("SR", "RD"):
                rows += services.sales.list_documents(doc_type, location=location, number=q or None,
                                                      status="posted", limit=50)
            return [PickRow(r.number or "", r.customer_name or "",
                            f"{format_date(r.date)} {r.currency} {amount(r.payable)}", r)
                    for r in rows]
        rows = services.cash.open_invoices(location)
        out = []
        for r in rows:
            if q and q not in r.number and q not in r.customer_code.upper() and q not in r.customer_name.upper():
                continue
            detail = (_("cash {amount} {currency} open") if r.sales_type == "cash"
                      else _("credit {amount} {currency} open")).format(amount=amount(r.open_amount),
                                                                         currency=r.currency)
            out.append(PickRow(r.number, r.customer_name, detail, r))
        return out

    # -- loading the invoice and the live footer -------------------------------------

    @on(CodeInput.Picked, "#field-invoice")
    def _document_picked(self, event: CodeInput.Picked) -> None:
        self._load_document()

    def field_after_pick(self, field: Any) -> Any:
        """After F2 picks the invoice (return): the first amount, where the cash is typed next."""
        if getattr(field, "id", None) != "field-invoice":
            return None
        return self.query_one("#field-returned-cdf" if self.mode == REFUND else "#field-received-cdf")

    @on(Input.Submitted, "#field-invoice")
    def _document_entered(self, event: Input.Submitted) -> None:
        self._load_document()

    def on_descendant_blur(self, event: Any) -> None:
        if getattr(event.widget, "id", None) == "field-invoice":
            self._load_document()

    @on(Input.Changed, "#field-invoice")
    def _document_typed(self, event: Input.Changed) -> None:
        if event.value.strip().upper() != (self.loaded_number or ""):
            self.loaded_number = None

    def _load_document(self) -> None:
        if self.posted:
            return
        number = self.query_one("#field-invoice", CodeInput).code
        if not number or number == self.loaded_number:
            return
        refund = self.mode == REFUND

        rate = self.query_one("#field-rate", RateInput).decimal_value

        def read() -> tuple[DocumentView, ReceiptCalc | RefundCalc]:
            # the cash service first: it says what is wrong with the number (unknown, paid, not an invoice)
            cash = self.services.cash
            calc = cash.refund_preview(number, rate) if refund else cash.receipt_preview(number, rate)
            return self.services.sales.document(number), calc

        def loaded(result: tuple[DocumentView, ReceiptCalc | RefundCalc]) -> None:
            view, _calc = result
            if self.query_one("#field-invoice", CodeInput).code != number:
                return
            self.loaded_number = number
            customer = f"{view.customer or ''} {view.customer_name or ''}".strip()
            self.query_one("#customer", AutoValue).set(customer)
            if refund:
                info = _("sales return of {date}, {currency}")
            elif view.sales_type == "cash":
                info = _("cash invoice of {date}, {currency}")
            elif view.sales_type == "credit":
                info = _("credit invoice of {date}, {currency}")
            else:
                info = _("invoice of {date}, {currency}")
            self.query_one("#invoice-info", AutoValue).set(info.format(date=format_date(view.date),
                                                                       currency=view.currency))
            self._preview()

        def failed(exc: BaseException) -> None:
            self.loaded_number = None
            self._clear_figures()
            self.show_error(exc, field="invoice")

        run_preview(self, read, loaded, failed, group="load-document")

    @on(Input.Changed, ".rf-input")
    def _amount_typed(self, event: Input.Changed) -> None:
        if not self.posted:
            self._preview()

    @on(Input.Changed, "#field-rate")
    def _rate_typed(self, event: Input.Changed) -> None:
        if not self.posted:
            self._preview()

    def _typed_amount(self, widget_id: str) -> Decimal | None | bool:
        """A typed amount: Decimal, None when empty, False when it does not parse."""
        widget = self.query_one(widget_id, MoneyInput)
        if not widget.value.strip():
            return None
        value = widget.decimal_value
        return False if value is None else value

    def _preview(self) -> None:
        number = self.loaded_number
        if not number:
            return
        rate_widget = self.query_one("#field-rate", RateInput)
        rate = rate_widget.decimal_value
        if rate is None:
            return  # an unfinished rate: keep the last figures
        refund = self.mode == REFUND
        prefix = "returned" if refund else "received"
        usd = self._typed_amount(f"#field-{prefix}-usd")
        cdf = self._typed_amount(f"#field-{prefix}-cdf")
        if usd is False or cdf is False:
            return
        usd = usd or Decimal(0)
        cdf = cdf or Decimal(0)
        cash = self.services_cash_preview(number, rate, usd, cdf, refund)
        run_preview(self, cash, self._show_calc, self._preview_failed)

    def services_cash_preview(self, number: str, rate: Decimal, usd: Decimal, cdf: Decimal, refund: bool):
        def call() -> ReceiptCalc | RefundCalc:
            cash = self.services.cash
            if refund:
                return cash.refund_preview(number, rate, usd, cdf)
            return cash.receipt_preview(number, rate, usd, cdf)

        return call

    def _preview_failed(self, exc: BaseException) -> None:
        message, _field = describe_error(exc)
        self.query_one("#receipt-note", AutoValue).set(_("Error: {error}").format(error=message))
        self.message_bar.show_error(message)

    def _show_calc(self, calc: ReceiptCalc | RefundCalc) -> None:
        self.calc = calc
        refund = self.mode == REFUND
        if self.message_bar.kind == "error":
            self.clear_message()
        taux = getattr(calc, "taux_difference", None)
        self.query_one("#taux-difference", AutoValue).set(rate_text(taux) if taux is not None else "0")
        if refund:
            self.query_one("#invoice-cdf", AutoValue).set(amount(calc.refund_cdf))
            self.query_one("#invoice-usd", AutoValue).set(amount(calc.refund_usd))
        else:
            self.query_one("#invoice-cdf", AutoValue).set(amount(calc.invoice_cdf))
            self.query_one("#invoice-usd", AutoValue).set(amount(calc.invoice_usd))
            self.query_one("#returned-cdf", AutoValue).set(amount(calc.returned_cdf))
            self.query_one("#returned-usd", AutoValue).set(amount(calc.returned_usd))
        self.query_one("#balance-cdf", AutoValue).set(amount(calc.balance_cdf))
        self.query_one("#balance-usd", AutoValue).set(amount(calc.balance_usd))
        self.query_one("#receipt-note", AutoValue).set(self._note(calc, refund))

    @staticmethod
    def _note(calc: ReceiptCalc | RefundCalc, refund: bool) -> str:
        handed = calc.returned_total_cdf if refund else calc.received_total_cdf
        if handed == 0:
            return (_("Type the refund handed out in CDF and/or USD.") if refund
                    else _("Type the cash received in CDF and/or USD."))
        if refund:
            if calc.fully_settled:
                return _("Refund in full: nothing more is owed to the customer.")
            return _("Partial refund: {cdf} CDF ({usd} USD) is still owed to the customer.").format(
                cdf=amount(calc.balance_cdf), usd=amount(calc.balance_usd))
        if calc.fully_settled:
            if calc.returned_cdf:
                return _("Paid in full: give {amount} CDF change.").format(amount=amount(calc.returned_cdf))
            return _("Paid in full: no change to give.")
        return _("Partial payment: the balance of {cdf} CDF ({usd} USD) stays open on the invoice.").format(
            cdf=amount(calc.balance_cdf), usd=amount(calc.balance_usd))

    @staticmethod
    def _posted_note(extra: dict, refund: bool) -> str:
        """What a posted receipt/refund did, from its stored figures."""
        cdf, usd = stored_amount(extra.get("balance_cdf")), stored_amount(extra.get("balance_usd"))
        if refund:
            return (_("Refunded in full.") if extra.get("fully_settled")
                    else _("Partly refunded: {cdf} CDF ({usd} USD) still owed.").format(cdf=cdf, usd=usd))
        if not extra.get("fully_settled"):
            return _("Partial payment: {cdf} CDF ({usd} USD) stayed open on the invoice.").format(cdf=cdf, usd=usd)
        change = decimal_text(extra.get("returned_cdf"))
        if change:
            return _("Paid in full; {amount} CDF change given.").format(amount=stored_amount(extra.get("returned_cdf")))
        return _("Paid in full.")

    def _clear_figures(self) -> None:
        self.calc = None
        self.loaded_number = None
        for widget_id in ("#customer", "#taux-difference", "#invoice-cdf", "#invoice-usd", "#returned-cdf",
                          "#returned-usd", "#balance-cdf", "#balance-usd"):
            self.query_one(widget_id, AutoValue).set("")

    # -- toolbar -------------------------------------------------------------------

    def action_new(self) -> None:
        self.start_new()
        self.query_one("#field-type", ChoiceField).value = RECEIPT
        self.query_one("#field-print-usd", ChoiceField).value = "no"
        self._clear_figures()
        self.query_one("#invoice-info", AutoValue).set(_("F2: open invoices"))
        self.query_one("#receipt-note", AutoValue).set(
            _("Choose the invoice (F2), then type the cash received in CDF and/or USD."))
        self.finish_new()

    def action_save(self) -> None:
        refund = self.mode == REFUND
        prefix = "returned" if refund else "received"
        fields = [self.query_one("#field-invoice", CodeInput), self.query_one("#field-rate", RateInput),
                  self.query_one(f"#field-{prefix}-cdf", MoneyInput), self.query_one(f"#field-{prefix}-usd", MoneyInput)]
        if not self.ready_to_save(fields):
            return
        number = fields[0].code
        rate = fields[1].decimal_value
        cdf = fields[2].decimal_value or Decimal(0)
        usd = fields[3].decimal_value or Decimal(0)
        print_usd = self.query_one("#field-print-usd", ChoiceField).value == "yes"
        actor = self.actor

        def post(approver: str | None = None, pin: str | None = None) -> PostResult:
            cash = self.services.cash
            if refund:
                return cash.post_refund(actor, sales_return=number, rate=rate, returned_usd=usd, returned_cdf=cdf,
                                        approver=approver, approver_pin=pin)
            return cash.post_receipt(actor, invoice=number, rate=rate, received_usd=usd, received_cdf=cdf,
                                     print_usd=print_usd, approver=approver, approver_pin=pin)

        # a rate far from the system rate asks a manager (the approval dialog), then posts
        self.run_service(post, self._saved, busy_text=_("Posting…"),
                         with_approval=lambda approval: (lambda: post(approval.name, approval.pin)))

    def _saved(self, result: PostResult) -> None:
        self.show_posted(result.number, document_id=result.document_id)
        calc = self.calc
        refund = self.mode == REFUND
        said = ""
        if calc is not None and not calc.fully_settled:
            said = _("{amount} CDF stays open").format(amount=amount(calc.balance_cdf))
        elif calc is not None and not refund and calc.returned_cdf:
            said = _("give {amount} CDF change").format(amount=amount(calc.returned_cdf))
        if self.tender and not refund:
            change = calc.returned_cdf if calc is not None else Decimal(0)
            balance = calc.balance_cdf if calc is not None and not calc.fully_settled else Decimal(0)
            printing = self.print_after_save
            self.print_after_save = False
            self.dismiss(TenderResult(self.tender, result.number, change, balance,
                                      _("Receipt {number} posted · {said} · next customer").format(
                                          number=result.number, said=said or _("paid in full, no change")),
                                      printing))
            return
        if refund:
            posted = (_("Refund {number} posted; {said} (Ctrl+N: next)") if said
                      else _("Refund {number} posted (Ctrl+N: next)"))
        else:
            posted = (_("Receipt {number} posted; {said} (Ctrl+N: next)") if said
                      else _("Receipt {number} posted (Ctrl+N: next)"))
        self.show_ok(posted.format(number=result.number, said=said))
        self.print_if_asked()

    def action_back(self) -> None:
        """Esc; when tendering, back to the invoice (posted, not paid) through the callback."""
        if not self.tender or self.posted:
            super().action_back()
            return
        if not self._confirm_back and self.is_dirty():
            self._confirm_back = True
            self.message_bar.show_warning(_("Cash typed: press Esc again to leave the invoice unpaid"))
            return
        self.dismiss(None)

    # -- printing: the invoice is printed from this screen ---------------------------

    def print_number(self) -> str | None:
        """A receipt prints its invoice (seed: "the invoice is printed directly from this screen",
        with the payment on it); a refund prints the refund slip."""
        if not (self.posted and self.document_number):
            return None
        if self.mode == REFUND:
            return self.document_number
        return self.query_one("#field-invoice", CodeInput).code or self.document_number

    def print_usd(self) -> bool | None:
        """The screen's "Print in USD?" (a refund prints as posted)."""
        if self.mode == REFUND:
            return None
        return self.query_one("#field-print-usd", ChoiceField).value == "yes"

    def show_document(self, view: DocumentView) -> None:
        """A posted receipt/refund, read-only, from its stored figures."""
        extra = view.extra or {}
        refund = view.subtype == REFUND
        self.posted = True  # no previews while the stored figures are put back
        self.query_one("#field-type", ChoiceField).value = REFUND if refund else RECEIPT
        self.query_one("#field-location", CodeInput).value = view.location
        self.query_one("#field-invoice", CodeInput).value = extra.get("return" if refund else "invoice", "")
        self.query_one("#field-rate", RateInput).set_value(view.rate)
        self.query_one("#field-print-usd", ChoiceField).value = "yes" if view.print_usd else "no"
        self.query_one("#customer", AutoValue).set(f"{view.customer or ''} {view.customer_name or ''}".strip())
        taux = decimal_text(extra.get("taux_difference"))
        self.query_one("#taux-difference", AutoValue).set(rate_text(taux) if taux is not None else "")
        self.query_one("#invoice-info", AutoValue).set(_("sales return") if refund else _("invoice settled"))
        self.query_one("#receipt-note", AutoValue).set(self._posted_note(extra, refund))
        prefix = "returned" if refund else "received"
        for ccy in ("cdf", "usd"):
            # as the other columns show it (100,000.00; it read 100000.00): posted, it is not typed in
            self.query_one(f"#field-{prefix}-{ccy}", MoneyInput).value = stored_amount(extra.get(f"{prefix}_{ccy}"))
            self.query_one(f"#returned-{ccy}", AutoValue).set(stored_amount(extra.get(f"returned_{ccy}")))
            self.query_one(f"#balance-{ccy}", AutoValue).set(stored_amount(extra.get(f"balance_{ccy}")))
            key = f"refund_{ccy}" if refund else f"invoice_{ccy}"
            self.query_one(f"#invoice-{ccy}", AutoValue).set(stored_amount(extra.get(key)))
        self.show_posted(view.number, view.status.capitalize(), view.id)


register_screen(SalesReceiptScreen, "sales_receipt", "Cash", N_("Take cash for an invoice, or refund a sales return"))
