"""Receipt / Payment (Shop) (seed "Receipt / Payment (Shop)"; the intro text of
the seed's "Currency Exchange" section describes it, DESIGN §13).

Money into or out of the till that is not a sales receipt: a float from head
office, petty expenses, transfers. Header fields (seed table): Location*,
Date*, Document Number (auto), Receipt/Payment*, Particulars* (F2: accounts),
Sub Ledger / Cost Center* (F2), Currency*, Ex Rate*, Amount*, Amount (CDF)
and Amount (USD) (auto, live), Narration* (mandatory), Cash Ledger and
Balance Cash (auto). The live figures come from
``services.cash.shop_entry_preview``; Ctrl+S posts with ``post_shop_entry``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label

from shopterm.core.i18n import N_, _
from shopterm.screens.base.counter import (
    AutoValue,
    ChoiceField,
    CounterScreen,
    Defaults,
    Field,
    amount,
    document_amount,
    run_preview,
    stored_amount,
)
from shopterm.screens.registry import register_screen
from shopterm.widgets.inputs import CodeInput, DateInput, MoneyInput, NoteInput, RateInput
from shopterm.widgets.messages import describe_error

if TYPE_CHECKING:
    from shopterm.services.cash.till import ShopEntryPreview
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import DocumentView


class ShopEntryScreen(CounterScreen):
    """A shop receipt (money in) or payment (money out) against an account."""

    DOCUMENT_TITLE = N_("Receipt / Payment (Shop)")
    SUPPORTS = frozenset({"new", "save", "save_print", "reprint", "list", "history", "voucher"})
    AUTO_FOCUS = "#field-particulars"
    LIST_TITLE = N_("Shop receipts and payments")
    DOC_TYPE = "RP"
    FORM_FIELDS = ("#field-location", "#field-date", "#field-kind", "#field-particulars", "#field-cost-centre",
                   "#field-currency", "#field-rate", "#field-amount", "#field-narration")
    FIRST_FIELD = "#field-particulars"

    def compose_document(self) -> ComposeResult:
        yield self.location_field()
        yield Field(_("Date*"), DateInput(id="field-date", label=_("Date"), required=True, classes="cf-short"))
        yield Field(_("Receipt/Payment*"), ChoiceField([("receipt", N_("Receipt")), ("payment", N_("Payment"))],
                                                       id="field-kind"))
        yield Field(
            _("Particulars*"),
            CodeInput(id="field-particulars", label=_("Particulars"), required=True, lookup_kind="account",
                      lookup_title=_("Particulars (account)"), classes="cf-code"),
            AutoValue("", id="particulars-name", classes="cf-name"),
        )
        yield Field(
            _("Sub Led./Cost Ctr*"),
            CodeInput(id="field-cost-centre", label=_("Cost centre"), field_name="cost_centre", required=True,
                      lookup_kind="cost_centre", lookup_title=_("Sub ledger / cost centre"), classes="cf-code"),
            AutoValue("", id="cost-centre-name", classes="cf-name"),
        )
        yield Field(_("Currency*"), ChoiceField([("CDF", "CDF"), ("USD", "USD")], id="field-currency"))
        yield Field(_("Ex Rate*"), RateInput(id="field-rate", label=_("Ex Rate"), required=True, classes="cf-short"))
        yield Field(_("Amount*"), MoneyInput(id="field-amount", label=_("Amount"), required=True, classes="cf-short"),
                    AutoValue("CDF", id="amount-currency"))
        yield Field(_("Amount (CDF)"), AutoValue("", id="amount-cdf", classes="cf-num"),
                    Label(_("Amount (USD)"), classes="cf-label2"), AutoValue("", id="amount-usd", classes="cf-num"))
        yield Field(_("Narration*"), NoteInput(id="field-narration", placeholder=_("why the money comes in or goes out"),
                                           max_length=500))
        yield Field(_("Cash Ledger"), AutoValue("", id="cash-ledger", classes="cf-num"),
                    Label(_("Balance Cash"), classes="cf-label2"), AutoValue("", id="balance-cash"))
        yield AutoValue("", id="entry-note", classes="cf-hint")

    def apply_defaults(self, defaults: Defaults) -> None:
        location = self.query_one("#field-location", CodeInput)
        if not location.value:
            location.value = defaults.location
        date = self.query_one("#field-date", DateInput)
        if not date.value:
            date.set_value(defaults.today)
        rate = self.query_one("#field-rate", RateInput)
        if not rate.value and defaults.system_rate is not None:
            rate.set_value(defaults.system_rate)
        self._preview()

    # -- names beside the codes ---------------------------------------------------

    @on(CodeInput.Picked, "#field-particulars")
    def _particulars_picked(self, event: CodeInput.Picked) -> None:
        self.query_one("#particulars-name", AutoValue).set(event.row.name)

    @on(CodeInput.Picked, "#field-cost-centre")
    def _centre_picked(self, event: CodeInput.Picked) -> None:
        self.query_one("#cost-centre-name", AutoValue).set(event.row.name)

    @on(Input.Changed, "#field-particulars")
    def _particulars_typed(self, event: Input.Changed) -> None:
        self.show_name_of("account", event.value, "#particulars-name")

    @on(Input.Changed, "#field-cost-centre")
    def _centre_typed(self, event: Input.Changed) -> None:
        self.show_name_of("cost_centre", event.value, "#cost-centre-name")

    # -- live figures ------------------------------------------------------------------

    @on(ChoiceField.Changed, "#field-currency")
    def _currency_changed(self, event: ChoiceField.Changed) -> None:
        self.query_one("#amount-currency", AutoValue).set(event.value)
        self._preview()

    @on(ChoiceField.Changed, "#field-kind")
    def _kind_changed(self, event: ChoiceField.Changed) -> None:
        self._preview()

    @on(Input.Changed, "#field-amount, #field-rate, #field-date, #field-location")
    def _figures_typed(self, event: Input.Changed) -> None:
        self._preview()

    def _preview(self) -> None:
        if self.posted:
            return
        location = self.query_one("#field-location", CodeInput).code
        date = self.query_one("#field-date", DateInput).date_value
        rate = self.query_one("#field-rate", RateInput).decimal_value
        amount_widget = self.query_one("#field-amount", MoneyInput)
        value = amount_widget.decimal_value
        if (amount_widget.value.strip() and value is None) or rate is None or date is None:
            return  # unfinished typing: keep the last figures
        currency = self.query_one("#field-currency", ChoiceField).value

        def call() -> ShopEntryPreview:
            return self.services.cash.shop_entry_preview(location=location, currency=currency, rate=rate,
                                                         amount=value if value is not None else "0", date=date)

        run_preview(self, call, self._show_preview, self._preview_failed)

    def _show_preview(self, p: ShopEntryPreview) -> None:
        self.query_one("#amount-cdf", AutoValue).set(amount(p.amount_cdf))
        self.query_one("#amount-usd", AutoValue).set(amount(p.amount_usd))
        self.query_one("#cash-ledger", AutoValue).set(p.cash_account)
        self.query_one("#balance-cash", AutoValue).set(f"{amount(p.balance_cash)} {p.currency.value}")
        note = ""
        if self.query_one("#field-kind", ChoiceField).value == "payment" and p.amount > p.balance_cash:
            note = _("Note: the till holds only {amount} {currency}; this payment would be refused.").format(
                amount=amount(p.balance_cash), currency=p.currency.value)
        self.query_one("#entry-note", AutoValue).set(note)

    def _preview_failed(self, exc: BaseException) -> None:
        message, _field = describe_error(exc)
        self.query_one("#entry-note", AutoValue).set(_("Error: {error}").format(error=message))

    # -- toolbar -------------------------------------------------------------------------

    def action_new(self) -> None:
        self.start_new()
        self.query_one("#field-kind", ChoiceField).value = "receipt"
        self.query_one("#field-currency", ChoiceField).value = "CDF"
        for widget_id in ("#particulars-name", "#cost-centre-name", "#amount-cdf", "#amount-usd", "#entry-note"):
            self.query_one(widget_id, AutoValue).set("")
        self.finish_new()

    def action_save(self) -> None:
        if not self.ready_to_save():
            return
        kind = self.query_one("#field-kind", ChoiceField).value
        location = self.query_one("#field-location", CodeInput).code
        date = self.query_one("#field-date", DateInput).date_value
        particulars = self.query_one("#field-particulars", CodeInput).code
        centre = self.query_one("#field-cost-centre", CodeInput).code
        currency = self.query_one("#field-currency", ChoiceField).value
        rate = self.query_one("#field-rate", RateInput).decimal_value
        value = self.query_one("#field-amount", MoneyInput).decimal_value
        narration = self.query_one("#field-narration", Input).value.strip()
        actor = self.actor
        def post(approver: str | None = None, pin: str | None = None) -> PostResult:
            return self.services.cash.post_shop_entry(
                actor, kind=kind, location=location, date=date, particulars=particulars, cost_centre=centre,
                currency=currency, rate=rate, amount=value, narration=narration, approver=approver, approver_pin=pin)

        self.run_service(post, self._saved, busy_text=_("Posting…"),
                         with_approval=lambda approval: (lambda: post(approval.name, approval.pin)))

    def _saved(self, result: PostResult) -> None:
        self.show_posted(result.number, document_id=result.document_id)
        kind = self.query_one("#field-kind", ChoiceField).label
        self.show_ok(_("{kind} {number} posted. Ctrl+N for the next one").format(kind=kind, number=result.number))
        location = self.query_one("#field-location", CodeInput).code
        currency = self.query_one("#field-currency", ChoiceField).value
        run_preview(self, lambda: self.services.cash.cash_balance(location, currency),
                    lambda held: self.query_one("#balance-cash", AutoValue).set(f"{amount(held)} {currency}"),
                    group="balance")
        self.print_if_asked()

    def show_document(self, view: DocumentView) -> None:
        extra = view.extra or {}
        self.posted = True  # no previews while the stored figures are put back
        self.query_one("#field-location", CodeInput).value = view.location
        self.query_one("#field-date", DateInput).set_value(view.date)
        self.query_one("#field-kind", ChoiceField).value = view.subtype or "receipt"
        self.query_one("#field-currency", ChoiceField).value = view.currency
        self.query_one("#field-rate", RateInput).set_value(view.rate)
        self.query_one("#field-amount", MoneyInput).set_value(document_amount(view))
        self.query_one("#field-narration", Input).value = view.narration
        particulars = next((j for j in view.journal if j.account != extra.get("cash_ledger")), None)
        if particulars is not None:
            self.query_one("#field-particulars", CodeInput).value = particulars.account
            self.query_one("#particulars-name", AutoValue).set(particulars.account_name)
        self.query_one("#amount-cdf", AutoValue).set(stored_amount(extra.get("amount_cdf")))
        self.query_one("#amount-usd", AutoValue).set(stored_amount(extra.get("amount_usd")))
        self.query_one("#cash-ledger", AutoValue).set(extra.get("cash_ledger", ""))
        after = stored_amount(extra.get("balance_cash_after"))
        self.query_one("#balance-cash", AutoValue).set(f"{after} {view.currency}")
        self.show_posted(view.number, view.status.capitalize(), view.id)


register_screen(ShopEntryScreen, "shop_entry", "Cash", N_("Money into or out of the till: head office float, expenses"))
