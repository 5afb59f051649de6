"""Matching in the customer ledger: the dialogs behind F7 Match, F8 Unmatch and Ctrl+R Pay.

Each dialog is a ``ModalScreen`` that runs its service call itself (in a
worker), shows a refusal in its own message line — keeping what was typed —
and closes with the service's result (``None`` on Esc):

* :class:`MatchDialog` — the marked entries (debits, credits, their open
  USD) and one amount: how much of the entry the match settles in part (the
  last, oldest-first, of the larger side), defaulting to what the service
  would take. Allocations are ``[(that entry, amount), (every other, None)]``:
  the service fills the rest oldest first (``services.ledger.match``).
* :class:`UnmatchDialog` — the match group(s) of the selected line with
  their entries and amounts; ↑/↓ choose one, Enter unmatches it.
* :class:`PaymentDialog` — "Record Payment" (seed pos-customers-guide):
  amount, currency, rate, method (cash / mobile / bank / cheque), reference;
  the service settles the oldest open invoices first.

:func:`plan_match` works out which entry is settled in part and its default
amount (the same oldest-first order as the service: due date, date, id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from shopterm.core import money
from shopterm.core.money import format_amount
from shopterm.screens.base.counter import ChoiceField
from shopterm.widgets.dialogs import titled_box
from shopterm.widgets.inputs import FORM_BINDINGS, FormNavigation, MoneyInput, RateInput
from shopterm.widgets.messages import MessageBar, describe_error
from shopterm.widgets.workers import run_in_thread
from shopterm.core import i18n
from shopterm.core.i18n import N_, _

if TYPE_CHECKING:
    from shopterm.services.ledger.entries import MatchInfo
    from shopterm.services.ledger.reports import LedgerRow

ZERO = Decimal("0.00")

__all__ = ["MatchDialog", "MatchPlan", "PaymentDialog", "PaymentRequest", "UnmatchDialog", "plan_match"]


def age_key(row: LedgerRow) -> tuple:
    return (row.due_date or row.date, row.date, row.entry_id)


@dataclass(frozen=True)
class MatchPlan:
    debits: tuple[LedgerRow, ...]  # oldest first
    credits: tuple[LedgerRow, ...]
    debit_total: Decimal  # open USD, ≥ 0
    credit_total: Decimal  # open USD, ≥ 0
    partial: LedgerRow  # the entry whose amount is asked (the last one of the larger side that takes part)
    default: Decimal  # what it takes when nothing is typed

    @property
    def total(self) -> Decimal:
        return min(self.debit_total, self.credit_total)


def plan_match(rows: Sequence[LedgerRow]) -> MatchPlan:
    """Which of the marked entries is settled in part, and by how much by default.

    Raises ``ValueError`` with a sentence for the user when there is nothing to match.
    """
    settled = [r for r in rows if r.open_usd == 0]
    if settled:
        raise ValueError(_("{number} is already fully matched: unmark it").format(number=settled[0].number))
    debits = tuple(sorted((r for r in rows if r.open_usd > 0), key=age_key))
    credits = tuple(sorted((r for r in rows if r.open_usd < 0), key=age_key))
    if not debits or not credits:
        raise ValueError(_("Mark at least one debit (an invoice) and one credit (a payment, a return) to match"))
    d_total = sum((r.open_usd for r in debits), ZERO)
    c_total = sum((-r.open_usd for r in credits), ZERO)
    larger, target = (debits, c_total) if d_total >= c_total else (credits, d_total)
    partial, take = larger[-1], abs(larger[-1].open_usd)
    left = target
    for r in larger:
        if left <= 0:
            break
        partial, take = r, min(abs(r.open_usd), left)
        left -= take
    return MatchPlan(debits, credits, d_total, c_total, partial, take)


class _ServiceDialog(FormNavigation, ModalScreen[Any]):
    """A dialog that posts through a service in a worker and closes with the result."""

    BINDINGS = [
        *FORM_BINDINGS,
        Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel"),
        Binding("ctrl+s", "submit", N_("OK"), id="dialog.submit", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.working = False

    @property
    def message_bar(self) -> MessageBar:
        return self.query_one(".lg-dialog-message", MessageBar)

    @staticmethod
    def row(label: str, field: Widget) -> Horizontal:
        """One labelled line of the dialog: the label, then its field."""
        return Horizontal(Label(label, classes="lg-dialog-label"), field, classes="lg-dialog-row")

    def action_cancel(self) -> None:
        if not self.working:
            self.dismiss(None)

    def action_submit(self) -> None:
        focused = self.focused
        if focused is not None:
            focused.call_later(self._submit)  # after the keys typed into the field
        else:
            self._submit()

    def _submit(self) -> None:  # pragma: no cover - overridden
        pass

    def run_post(self, call: Callable[[], Any]) -> None:
        if self.working:
            return
        self.working = True
        self.message_bar.show_info(_("Working…"))

        run_in_thread(self, call, self._post_done, self._post_failed, group="dialog-post")

    def _post_failed(self, exc: BaseException) -> None:
        self.working = False
        message, field = describe_error(exc)
        self.message_bar.show_error(message)
        if field:
            for w in self.query(Input):
                if getattr(w, "field_name", None) == field:
                    w.focus()
                    break

    def _post_done(self, result: Any) -> None:
        self.working = False
        self.dismiss(result)


# ---------------------------------------------------------------- match


class MatchDialog(_ServiceDialog):
    """F7: match the marked entries (module docstring). Result: the ``MatchResult``."""

    def __init__(self, customer: str, plan: MatchPlan, post: Callable[[list[tuple[int, Decimal | None]]], Any]) -> None:
        super().__init__()
        self.customer = customer
        self.plan = plan
        self._post = post

    def compose(self) -> ComposeResult:
        p = self.plan
        with titled_box(_("Match entries · {customer}").format(customer=self.customer),
                        _("Enter match · Esc cancel"), classes="lg-dialog"):
            yield Static(self._table(), classes="lg-dialog-body", markup=False)
            yield self.row(_("Amount of {number} to match, USD").format(number=p.partial.number),
                           MoneyInput(i18n.localize_number(f"{p.default:.2f}"), id="match-amount",
                                      label=_("Amount to match"), field_name="amount", required=True,
                                      classes="lg-dialog-input"))
            yield MessageBar(classes="lg-dialog-message")

    def _table(self) -> str:
        p = self.plan
        lines = [f"{'':2}{_('Number'):<15}{_('Date'):<11}{_('Type'):<20}{_('Open USD'):>12}"]
        for title, side in ((_("Debits (the customer owes)"), p.debits), (_("Credits (paid or returned)"), p.credits)):
            lines.append(title)
            for r in side:
                mark = "»" if r is p.partial else " "
                lines.append(f"{mark:<2}{r.number:<15}{i18n.format_date(r.date):<11}{_(r.type_label)[:19]:<20}"
                             f"{format_amount(r.open_usd):>12}")
        lines.append(_("Open: debits {debits}, credits {credits} USD; oldest first, » last (in part).").format(
            debits=format_amount(p.debit_total), credits=format_amount(p.credit_total)))
        return "\n".join(lines)

    def on_mount(self) -> None:
        field = self.query_one("#match-amount", MoneyInput)
        field.focus()
        field.action_end()
        total = self.plan.total
        self.message_bar.show_info(_("The match settles {amount} USD on each side by default.").format(
            amount=format_amount(total)))

    @on(Input.Submitted, "#match-amount")
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def action_form_enter(self) -> None:
        # Enter submits (after the keys already typed), it does not move on.
        self.action_submit()

    def _submit(self) -> None:
        field = self.query_one("#match-amount", MoneyInput)
        if not field.check():
            self.message_bar.show_error(field.error or _("Amount to match: invalid"))
            return
        amount = field.decimal_value
        if amount is None or amount <= 0:
            self.message_bar.show_error(_("Amount to match: must be greater than zero"))
            return
        p = self.plan
        allocations: list[tuple[int, Decimal | None]] = []
        for r in (*p.debits, *p.credits):
            allocations.append((r.entry_id, amount if r is p.partial else None))
        self.run_post(lambda: self._post(allocations))


# ---------------------------------------------------------------- unmatch


class UnmatchDialog(_ServiceDialog):
    """F8: undo a match group (a manager's action). Result: the ``MatchResult``."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel"),
        Binding("enter,ctrl+s", "submit", N_("Unmatch"), id="dialog.submit", priority=True),
        Binding("down", "choose(1)", show=False),
        Binding("up", "choose(-1)", show=False),
    ]

    def __init__(self, number: str, matches: Sequence[MatchInfo], post: Callable[[int], Any]) -> None:
        super().__init__()
        self.number = number
        self.matches = list(matches)
        self.choice = len(self.matches) - 1  # the latest match first
        self._post = post

    def compose(self) -> ComposeResult:
        keys = _("Enter unmatch · Esc cancel") + (" · " + _("↑↓ choose") if len(self.matches) > 1 else "")
        with titled_box(_("Unmatch · {number}").format(number=self.number), keys, classes="lg-dialog"):
            yield Static(self._text(), id="unmatch-body", classes="lg-dialog-body", markup=False)
            yield MessageBar(classes="lg-dialog-message")

    def _text(self) -> str:
        from shopterm.screens.ledgers._common import match_text

        lines = []
        for i, info in enumerate(self.matches):
            text = match_text(info)
            prefix = "> " if i == self.choice else "  "
            lines.append("\n".join(prefix + line if j == 0 else "  " + line for j, line in enumerate(text.split("\n"))))
        lines.append(_("The entries get their open balances back; the match stays in the history."))
        return "\n".join(lines)

    def on_mount(self) -> None:
        info = self.matches[self.choice]
        self.message_bar.show_warning(_("Unmatch match {id}? Enter: yes, Esc: no").format(id=info.match_id))

    def action_choose(self, step: int) -> None:
        if len(self.matches) < 2:
            return
        self.choice = (self.choice + step) % len(self.matches)
        self.query_one("#unmatch-body", Static).update(self._text())
        self.on_mount()

    def _submit(self) -> None:
        match_id = self.matches[self.choice].match_id
        self.run_post(lambda: self._post(match_id))


# ---------------------------------------------------------------- payment on account


@dataclass(frozen=True)
class PaymentRequest:
    amount: Decimal
    currency: str
    rate: Decimal | None
    method: str
    reference: str


METHODS = [("cash", N_("Cash")), ("mobile", N_("Mobile")), ("bank", N_("Bank")), ("cheque", N_("Cheque"))]


class PaymentDialog(_ServiceDialog):
    """Ctrl+R "Record Payment": a payment on account. Result: the ``PaymentResult``.

    ``post(PaymentRequest)`` runs in a worker (``services.ledger.record_payment``).
    """

    def __init__(self, customer: str, name: str, balance: Decimal | None, rate: Decimal | None,
                 date: dt.date | None, post: Callable[[PaymentRequest], Any]) -> None:
        super().__init__()
        self.customer = customer
        self.customer_name = name
        self.balance = balance
        self.rate = rate
        self.date = date
        self._post = post

    def compose(self) -> ComposeResult:
        from shopterm.screens.ledgers._common import balance_words

        title = _("Record payment · {customer} {name}").format(customer=self.customer, name=self.customer_name)
        with titled_box(title[:60], _("Enter next · ^S record · Esc cancel"), classes="lg-dialog lg-payment"):
            owed = balance_words(self.balance) if self.balance is not None else ""
            if self.date:
                text = _("{owed}. The payment on {date} settles the oldest open invoices first.").format(
                    owed=owed, date=i18n.format_date(self.date))
            else:
                text = _("{owed}. The payment settles the oldest open invoices first.").format(owed=owed)
            yield Static(text, classes="lg-dialog-body", markup=False)
            yield self.row(_("Amount") + "*", MoneyInput(id="pay-amount", label=_("Amount"), field_name="amount",
                                                         required=True, classes="lg-dialog-input"))
            yield self.row(_("Currency"), ChoiceField([("USD", "USD"), ("CDF", "CDF")], id="pay-currency",
                                                      field_name="currency", hot=["u", "c"]))
            yield self.row(_("Rate CDF/USD"), RateInput(money.format_rate(self.rate), id="pay-rate", label=_("Rate"),
                                                        field_name="rate", classes="lg-dialog-input"))
            yield self.row(_("Method"), ChoiceField([(v, _(label)) for v, label in METHODS], id="pay-method",
                                                    field_name="method", hot=["c", "m", "b", "q"]))
            yield self.row(_("Reference"), Input(id="pay-reference", placeholder=_("cheque / transaction no"),
                                                 max_length=60, classes="lg-dialog-input"))
            yield MessageBar(classes="lg-dialog-message")

    def on_mount(self) -> None:
        self.query_one("#pay-amount", MoneyInput).focus()

    def action_form_enter(self) -> None:
        focused = self.focused
        if isinstance(focused, ChoiceField):
            self._form_move(focused, 1, wrap=False)
            return
        if focused is not None and focused.id == "pay-reference":
            self.action_submit()  # Enter on the last field records
            return
        super().action_form_enter()

    def _submit(self) -> None:
        amount = self.query_one("#pay-amount", MoneyInput)
        rate = self.query_one("#pay-rate", RateInput)
        for field in (amount, rate):
            if not field.check():
                self.message_bar.show_error(field.error or _("{field}: invalid").format(field=field.label))
                field.focus()
                return
        value = amount.decimal_value
        if value is None or value <= 0:
            self.message_bar.show_error(_("Amount: must be greater than zero"))
            amount.focus()
            return
        request = PaymentRequest(
            value,
            self.query_one("#pay-currency", ChoiceField).value,
            rate.decimal_value,
            self.query_one("#pay-method", ChoiceField).value,
            self.query_one("#pay-reference", Input).value.strip(),
        )
        self.run_post(lambda: self._post(request))
