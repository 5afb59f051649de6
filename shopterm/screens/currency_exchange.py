"""Currency Exchange (seed "Currency Exchange"; the intro text of the seed's
"Sales Commission Payment" section describes it, DESIGN §13).

Francs for dollars or dollars for francs at a negotiated rate. Header fields
(seed table): Location*, Document Number (auto), Currency* (received),
Amount Received, Exchange Rate (CDF-System) (auto), Exchange Rate (CDF)*
(the actual rate), Amount Given* (default: the amount received at the actual
rate; editable), Gain / Loss $ and Gain / Loss CDF (auto, live), Narration,
Date*, Balance Cash (auto). Figures come from
``services.cash.exchange_preview``; Ctrl+S posts with ``post_exchange``. F7
cancels the exchange on screen (posts the reversal): a manager at once,
anyone else with a manager's approval.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input

from shopterm.core.i18n import N_, _, localize_number
from shopterm.screens.base.counter import (
    AutoValue,
    ChoiceField,
    CounterScreen,
    Defaults,
    Field,
    amount,
    amount_text,
    decimal_text,
    document_amount,
    gain_text,
    rate_text,
    run_preview,
)
from shopterm.screens.registry import register_first, register_screen
from shopterm.widgets.inputs import CodeInput, DateInput, MoneyInput, NoteInput, RateInput
from shopterm.widgets.messages import describe_error

if TYPE_CHECKING:
    from collections.abc import Callable
    from decimal import Decimal

    from shopterm.services.cash.till import ExchangePreview
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import DocumentView
    from shopterm.widgets.approval import Approval


class CurrencyExchangeScreen(CounterScreen):
    """Exchange cash with a customer; the gain or loss against the system rate is booked."""

    DOCUMENT_TITLE = N_("Currency Exchange")
    SUPPORTS = frozenset({"new", "save", "save_print", "reprint", "list", "history", "voucher"})
    AUTO_FOCUS = "#field-amount-received"
    LIST_TITLE = N_("Currency exchanges")
    DOC_TYPE = "CE"
    SAVED_TEXT = N_("This exchange is saved; Ctrl+N for a new one")
    FORM_FIELDS = ("#field-location", "#field-date", "#field-currency", "#field-amount-received",
                   "#field-exchange-rate", "#field-amount-given", "#field-narration")
    FIRST_FIELD = "#field-amount-received"

    BINDINGS = [
        Binding("f7", "cancel_exchange", N_("Cancel"), id="exchange.cancel", key_display="F7"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cancelled = False
        self.given_typed = False  # the cashier typed the amount given: stop filling it in
        self._given_filled: str | None = None

    def compose_document(self) -> ComposeResult:
        yield self.location_field()
        yield Field(_("Date*"), DateInput(id="field-date", label=_("Date"), required=True, classes="cf-short"))
        yield Field(_("Currency*"), ChoiceField([("CDF", "CDF"), ("USD", "USD")], id="field-currency"),
                    AutoValue(_("received from the customer"), id="currency-note", classes="cf-name"))
        yield Field(_("Amount received*"),
                    MoneyInput(id="field-amount-received", label=_("Amount received"), field_name="amount_received",
                               required=True, classes="cf-short"),
                    AutoValue("CDF", id="received-currency"))
        yield Field(_("Rate (CDF-System)"), AutoValue("", id="system-rate"))
        yield Field(_("Exchange rate*"),
                    RateInput(id="field-exchange-rate", label=_("Exchange rate"), field_name="exchange_rate",
                              required=True, classes="cf-short"),
                    AutoValue(_("CDF per 1 USD"), classes="cf-name"))
        yield Field(_("Amount given*"),
                    MoneyInput(id="field-amount-given", label=_("Amount given"), field_name="amount_given",
                               required=True, classes="cf-short"),
                    AutoValue("USD", id="given-currency"),
                    AutoValue("", id="expected-given", classes="cf-name"))
        yield Field(_("Gain / Loss $"), AutoValue("", id="gain-usd"))
        yield Field(_("Gain / Loss CDF"), AutoValue("", id="gain-cdf"))
        yield Field(_("Narration"), NoteInput(id="field-narration", placeholder=_("optional"), max_length=500))
        yield Field(_("Balance Cash"), AutoValue("", id="balance-cash"))
        yield AutoValue("", id="exchange-note", classes="cf-hint")

    def apply_defaults(self, defaults: Defaults) -> None:
        location = self.query_one("#field-location", CodeInput)
        if not location.value:
            location.value = defaults.location
        date = self.query_one("#field-date", DateInput)
        if not date.value:
            date.set_value(defaults.today)
        rate = self.query_one("#field-exchange-rate", RateInput)
        if not rate.value and defaults.system_rate is not None:
            rate.set_value(defaults.system_rate)
        self.query_one("#system-rate", AutoValue).set(rate_text(defaults.system_rate))
        self._preview()

    # -- live figures ----------------------------------------------------------------

    @on(ChoiceField.Changed, "#field-currency")
    def _currency_changed(self, event: ChoiceField.Changed) -> None:
        other = "USD" if event.value == "CDF" else "CDF"
        self.query_one("#received-currency", AutoValue).set(event.value)
        self.query_one("#given-currency", AutoValue).set(other)
        if not self.given_typed:
            self._fill_given("")
        self._preview()

    @on(Input.Changed, "#field-amount-given")
    def _given_typed(self, event: Input.Changed) -> None:
        if self.posted or event.value == self._given_filled:
            return  # our own default, not the cashier's typing
        self._given_filled = None
        # Emptied while the cashier is in the field: still their typing (the default
        # comes back only when they leave it empty).
        self.given_typed = bool(event.value.strip()) or event.input.has_focus
        self._preview()

    def on_descendant_blur(self, event: Any) -> None:
        widget = event.widget
        if getattr(widget, "id", None) == "field-amount-given" and not widget.value.strip() and not self.posted:
            self.given_typed = False
            self._preview()

    @on(Input.Changed, "#field-amount-received, #field-exchange-rate, #field-date, #field-location")
    def _figures_typed(self, event: Input.Changed) -> None:
        if not self.posted:
            self._preview()

    def _preview(self) -> None:
        if self.posted:
            return
        location = self.query_one("#field-location", CodeInput).code
        date = self.query_one("#field-date", DateInput).date_value
        received_widget = self.query_one("#field-amount-received", MoneyInput)
        received = received_widget.decimal_value
        rate = self.query_one("#field-exchange-rate", RateInput).decimal_value
        given_widget = self.query_one("#field-amount-given", MoneyInput)
        given = given_widget.decimal_value if self.given_typed else None
        if date is None or rate is None or (self.given_typed and given is None):
            return  # unfinished typing: keep the last figures
        if received is None or received == 0:
            self._clear_figures()
            return
        currency = self.query_one("#field-currency", ChoiceField).value

        def call() -> ExchangePreview:
            return self.services.cash.exchange_preview(location=location, date=date, currency=currency,
                                                       amount_received=received, exchange_rate=rate,
                                                       amount_given=given)

        run_preview(self, call, self._show_preview, self._preview_failed)

    def _show_preview(self, p: ExchangePreview) -> None:
        calc = p.calc
        self.query_one("#system-rate", AutoValue).set(rate_text(p.system_rate))
        if not self.given_typed:
            self._fill_given(amount_text(calc.expected_given))
        self.query_one("#expected-given", AutoValue).set(
            _("at {rate}: {amount}").format(rate=rate_text(calc.actual_rate), amount=amount(calc.expected_given)))
        self.query_one("#gain-usd", AutoValue).set(gain_text(calc.gain_usd))
        self.query_one("#gain-cdf", AutoValue).set(gain_text(calc.gain_cdf))
        ccy = calc.currency_given.value
        self.query_one("#balance-cash", AutoValue).set(_("{amount} {currency} (the currency given)").format(
            amount=amount(p.balance_given), currency=ccy))
        note = "" if p.enough_cash else (
            _("Note: the till holds only {amount} {currency}; this exchange would be refused.").format(
                amount=amount(p.balance_given), currency=ccy))
        self.query_one("#exchange-note", AutoValue).set(note)
        if self.message_bar.kind == "error":
            self.clear_message()

    def _preview_failed(self, exc: BaseException) -> None:
        message, _field = describe_error(exc)
        self.query_one("#exchange-note", AutoValue).set(_("Error: {error}").format(error=message))

    def _clear_figures(self) -> None:
        for widget_id in ("#gain-usd", "#gain-cdf", "#expected-given", "#exchange-note"):
            self.query_one(widget_id, AutoValue).set("")
        if not self.given_typed:
            self._fill_given("")

    def _fill_given(self, text: str) -> None:
        """Put the default amount given in its field (not counted as the cashier's typing)."""
        given = self.query_one("#field-amount-given", MoneyInput)
        if given.value != text:
            self._given_filled = text
            given.value = text

    # -- toolbar --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_exchange":
            return True if (self.posted and not self.cancelled and self.document_number) else False
        return super().check_action(action, parameters)

    def action_new(self) -> None:
        self.start_new()
        self.cancelled = self.given_typed = False
        self._armed = None
        self.query_one("#field-currency", ChoiceField).value = "CDF"
        self._clear_figures()
        self.query_one("#balance-cash", AutoValue).set("")
        self.finish_new()

    def action_save(self) -> None:
        if not self.ready_to_save():
            return
        location = self.query_one("#field-location", CodeInput).code
        date = self.query_one("#field-date", DateInput).date_value
        currency = self.query_one("#field-currency", ChoiceField).value
        received = self.query_one("#field-amount-received", MoneyInput).decimal_value
        rate = self.query_one("#field-exchange-rate", RateInput).decimal_value
        given = self.query_one("#field-amount-given", MoneyInput).decimal_value
        narration = self.query_one("#field-narration", Input).value.strip()
        actor = self.actor
        def post(approver: str | None = None, pin: str | None = None) -> PostResult:
            return self.services.cash.post_exchange(
                actor, location=location, date=date, currency=currency, amount_received=received,
                exchange_rate=rate, amount_given=given, narration=narration, approver=approver, approver_pin=pin)

        self.run_service(post, self._saved, busy_text=_("Posting…"),
                         with_approval=lambda approval: (lambda: post(approval.name, approval.pin)))

    def _saved(self, result: PostResult) -> None:
        self.show_posted(result.number, document_id=result.document_id)
        self.show_ok(_("Exchange {number} posted. Ctrl+N for the next one, F7 cancels it").format(number=result.number))
        self._refresh_balance()
        self.print_if_asked()

    def _refresh_balance(self) -> None:
        location = self.query_one("#field-location", CodeInput).code
        given = self.query_one("#given-currency", AutoValue).text

        def show(held: Decimal) -> None:
            self.query_one("#balance-cash", AutoValue).set(_("{amount} {currency} (the currency given)").format(
                amount=amount(held), currency=given))

        run_preview(self, lambda: self.services.cash.cash_balance(location, given), show, group="balance")

    def action_cancel_exchange(self) -> None:
        number = self.document_number
        if not (self.posted and number) or self.cancelled:
            return
        if not self.pressed_again("cancel", _("Cancel exchange {number}? Press F7 again to post the reversal")
                                  .format(number=number)):
            return
        actor = self.actor
        cash = lambda: self.services.cash  # noqa: E731 - read in the worker thread

        def retry(approval: Approval) -> Callable[[], str]:
            return lambda: cash().cancel_exchange(actor, number, approver=approval.name, approver_pin=approval.pin)

        self.run_service(lambda: cash().cancel_exchange(actor, number), self._cancelled,
                         busy_text=_("Cancelling…"), with_approval=retry)

    def _cancelled(self, number: str) -> None:
        self.cancelled = True
        self.set_document(number, "Cancelled")
        self.show_ok(_("Exchange {number} cancelled: the reversal is posted").format(number=number))
        self._refresh_balance()
        self.refresh_bindings()

    def show_document(self, view: DocumentView) -> None:
        extra = view.extra or {}
        self.posted = True  # no previews while the stored figures are put back
        self.cancelled = view.status == "cancelled"
        self.given_typed = True
        self.query_one("#field-location", CodeInput).value = view.location
        self.query_one("#field-date", DateInput).set_value(view.date)
        self.query_one("#field-currency", ChoiceField).value = view.currency
        self.query_one("#field-amount-received", MoneyInput).set_value(document_amount(view))
        self.query_one("#field-exchange-rate", RateInput).value = localize_number(extra.get("exchange_rate", ""))
        self.query_one("#field-amount-given", MoneyInput).value = localize_number(extra.get("amount_given", ""))
        self.query_one("#field-narration", Input).value = view.narration
        self.query_one("#system-rate", AutoValue).set(rate_text(decimal_text(extra.get("system_rate"))))
        self.query_one("#gain-usd", AutoValue).set(gain_text(decimal_text(extra.get("gain_usd"))))
        self.query_one("#gain-cdf", AutoValue).set(gain_text(decimal_text(extra.get("gain_cdf"))))
        self.query_one("#expected-given", AutoValue).set("")
        self.query_one("#exchange-note", AutoValue).set("")
        self.show_posted(view.number, view.status.capitalize(), view.id)
        self._refresh_balance()


# The Cash menu follows the seed's day: Sales Receipt, Receipt / Payment (Shop), then Currency Exchange.
register_first("sales_receipt", "shop_entry")
register_screen(CurrencyExchangeScreen, "currency_exchange", "Cash",
                N_("Change francs for dollars or dollars for francs"))
