"""Pieces shared by the counter-day screens (Shop Open/Close, Sales Receipt,
Receipt/Payment (Shop), Currency Exchange). Not a menu screen: the registry
skips modules whose name starts with ``_``.

* :class:`Field` — one labelled row of a form (label column + widget(s)).
* :class:`AutoValue` — a read-only value the services fill in ("Auto" in the seed).
* :class:`ChoiceField` — a one-line choice (Receipt/Payment, USD/CDF…):
  Space or ←/→ switch, typing an option's first letter picks it.
* :func:`run_preview` — a per-keystroke service preview in a worker thread;
  only the latest call's result is applied.
* :func:`flag_unknown_code` — a code field left with a code nothing has: the
  message names the field, what was typed stays.
* :func:`amount` — amounts as the screens print them (``6,100.00``).
* :func:`load_defaults` — location code, business date and system rate for
  a new form, read off the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from shopterm.core import i18n, money
from shopterm.core.i18n import N_, _
from shopterm.core.money import format_amount
from shopterm.screens.base.document import DocumentScreen
from shopterm.widgets.inputs import CodeInput
from shopterm.widgets.workers import run_in_thread

if TYPE_CHECKING:
    import datetime as dt

    from textual.dom import DOMNode

    from shopterm.services import Services
    from shopterm.services.admin.audit import HistoryRow
    from shopterm.services.context import Actor
    from shopterm.services.documents.views import DocumentView
    from shopterm.widgets.document_list import ListQuery
    from shopterm.widgets.inputs import ShopInput


def amount(value: Decimal | None, *, signed: bool = False) -> str:
    """``6,100.00``; empty for None. ``signed`` puts a ``+`` before positive values."""
    if value is None:
        return ""
    text = format_amount(value)
    if signed and value > 0:
        text = "+" + text
    return text


def gain_text(value: Decimal | None) -> str:
    """``+5.26 gain`` / ``-3.10 loss`` / ``0.00``: said in words, not colour."""
    if value is None:
        return ""
    if value > 0:
        return _("{amount} gain").format(amount=amount(value, signed=True))
    if value < 0:
        return _("{amount} loss").format(amount=amount(value))
    return amount(value)


def amount_text(value: Decimal) -> str:
    """An amount as typed in a field: ``100.00`` (no separators; ``100,00`` in French)."""
    return i18n.localize_number(f"{value:.2f}")


def rate_text(value: Decimal | None) -> str:
    """A rate without trailing zeros (``2850``, ``2850.5``)."""
    return money.format_rate(value)


class Field(Horizontal):
    """A form row: a fixed-width label, then the field's widgets.

    ``Field("Doc date*", DateInput(...))``; the star marks a required field as
    the seed does. The label is never the only sign of state.
    """

    def __init__(self, label: str, *widgets: Widget, id: str | None = None, classes: str = "") -> None:
        super().__init__(id=id, classes=f"cf-row {classes}".strip())
        self._label = label
        self._field_widgets = widgets

    def compose(self) -> ComposeResult:
        yield Label(_(self._label), classes="cf-label")
        yield from self._field_widgets


class AutoValue(Static):
    """A value the system fills in; shows ``text`` as is (never focusable)."""

    def __init__(self, text: str = "", *, id: str | None = None, classes: str = "") -> None:
        super().__init__(text, id=id, classes=f"cf-auto {classes}".strip(), markup=False)
        self.text = text

    def set(self, text: str) -> None:
        if text == self.text:
            return  # no repaint for an unchanged value (cheap over SSH)
        self.text = text
        # A cell of fixed size repaints alone; only a value sized by its text needs a layout pass.
        width, height = self.styles.width, self.styles.height
        sized_by_text = width is None or width.is_auto or height is None or height.is_auto
        self.update(text, layout=sized_by_text)


class ChoiceField(Widget, can_focus=True):
    """A one-line choice among a few options, by keyboard.

    Space, ← and → move to the next/previous option; typing an option's
    hot letter (the first letter of its label unless given) picks it.
    Renders every option with the chosen one in brackets: ``[Receipt]  Payment``
    (the brackets say it, colour only helps). Posts :class:`ChoiceField.Changed`.
    """

    BINDINGS = [
        Binding("space,right", "step(1)", N_("Switch"), show=False),
        Binding("left", "step(-1)", show=False),
        Binding("enter", "advance", show=False),
    ]

    value: reactive[str] = reactive("")

    @dataclass
    class Changed(Message):
        choice: "ChoiceField"
        value: str

        @property
        def control(self) -> "ChoiceField":
            return self.choice

    def __init__(
        self,
        options: Sequence[tuple[str, str]],
        value: str | None = None,
        *,
        field_name: str | None = None,
        hot: Sequence[str] | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(id=id, classes=classes, disabled=disabled)
        self.options = list(options)
        # Option labels are marked with N_ where declared and read in the user's language here.
        self.hot = [h.lower() for h in hot] if hot else [_(label)[:1].lower() for _v, label in self.options]
        self.field_name = field_name or (id or "").removeprefix("field-").replace("-", "_") or None
        self.set_reactive(ChoiceField.value, value if value is not None else self.options[0][0])

    @property
    def label(self) -> str:
        return _(dict(self.options).get(self.value, self.value))

    def render(self) -> Text:
        text = Text(no_wrap=True)
        for i, (value, label) in enumerate(self.options):
            if i:
                text.append(" ")
            if value == self.value:
                text.append(f"[{_(label)}]", style="bold reverse" if self.has_focus else "bold")
            else:
                text.append(f" {_(label)} ", style="dim")
        return text

    def watch_value(self, old: str, new: str) -> None:
        if old != new:
            self.post_message(self.Changed(self, new))

    def action_step(self, step: int) -> None:
        values = [v for v, _ in self.options]
        index = values.index(self.value) if self.value in values else 0
        self.value = values[(index + step) % len(values)]

    def action_advance(self) -> None:
        """Enter: on to the next field, as in the inputs."""
        mover = getattr(self.screen, "_form_move", None)
        if mover is not None:
            mover(self, 1, wrap=False)

    def on_key(self, event: Any) -> None:
        char = (event.character or "").lower()
        if char and char in self.hot:
            event.stop()
            event.prevent_default()
            self.value = self.options[self.hot.index(char)][0]

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def run_preview(
    screen: DOMNode,
    call: Callable[[], Any],
    apply: Callable[[Any], None],
    on_error: Callable[[BaseException], None] | None = None,
    *,
    group: str = "preview",
) -> None:
    """Run ``call()`` (a service preview) in a thread; ``apply(result)`` on the loop.

    Exclusive per ``group``: a newer call makes older results be dropped, so
    what the cashier sees always follows the last keystroke.
    """

    run_in_thread(screen, call, apply, on_error or (lambda exc: None), group=group, exclusive=True)


@dataclass(frozen=True)
class PickRow:
    """A row of an F2 list built by a screen (``code``, ``name``, ``detail``), with its source."""

    code: str
    name: str
    detail: str = ""
    source: Any = None


@dataclass(frozen=True)
class Defaults:
    """What a new counter form starts with."""

    location: str
    today: dt.date  # the business date (the open day, else the calendar date)
    system_rate: Decimal | None
    day_open: bool
    calendar_today: dt.date | None = None  # services.today()


def read_defaults(services: Services, actor: Actor | None) -> Defaults:
    """In a worker thread: the user's location, the business date and its system rate."""
    status = services.status(actor)
    return Defaults(status.location_code, status.business_date, status.system_rate, status.day_open,
                    services.today())


def load_defaults(screen: DocumentScreen, apply: Callable[[Defaults], None]) -> None:
    """Read :class:`Defaults` off the event loop and hand them to ``apply``."""
    run_preview(screen, lambda: read_defaults(screen.services, screen.actor), apply,
                lambda exc: screen.show_error(exc), group="defaults")


# -- the screen base -----------------------------------------------------------------


#: What the number field says before the document is posted.
NOT_YET = N_("(assigned on save)")


def stored_amount(text: Any) -> str:
    """A stored amount string (``"6100.00"``) as shown (``6,100.00``); empty when missing."""
    return amount(decimal_text(text))


class CounterScreen(DocumentScreen):
    """A counter-day document screen.

    * The defaults (:class:`Defaults`) are read once when it opens and given to
      :meth:`apply_defaults` (again after Ctrl+N).
    * ``FORM_FIELDS`` (ids) are the editable fields: cleared by :meth:`start_new`,
      locked by :meth:`show_posted`; ``NUMBER_ID`` shows the document number,
      ``FIRST_FIELD`` takes the focus on a new form.
    * Enter leaves a :class:`ChoiceField` at once (typeahead-safe, like the
      inputs); Ctrl+S is greyed once posted; F4 needs a saved document, F9 (with
      "voucher" in SUPPORTS) shows a posted one's journal; F3
      lists the screen's ``DOC_TYPE`` and hands the pick to :meth:`show_document`.
    * Ctrl+P (with "save_print" in SUPPORTS) saves, then prints: the screen's
      ``_saved`` calls :meth:`print_if_asked` once the document is posted; on a
      posted document Ctrl+P prints it again. F12 ("reprint") re-prints
      :meth:`print_number` (DocumentScreen's default).
    """

    DOC_TYPE: str = ""
    LIST_TITLE: str = ""
    FORM_FIELDS: tuple[str, ...] = ()
    NUMBER_ID: str = "#document-no"
    FIRST_FIELD: str = ""
    #: What Ctrl+S says on a posted document (marked with N_).
    SAVED_TEXT: str = N_("This entry is saved; Ctrl+N for a new one")

    def __init__(self) -> None:
        super().__init__()
        self.posted = False
        self.document_id: int | None = None
        self.defaults: Defaults | None = None
        self.print_after_save = False  # Ctrl+P: print once the save has posted

    def on_mount(self) -> None:
        load_defaults(self, self._got_defaults)

    def _got_defaults(self, defaults: Defaults) -> None:
        self.defaults = defaults
        self.apply_defaults(defaults)
        self.dirty = False

    def apply_defaults(self, defaults: Defaults) -> None:
        """Fill the empty fields that have a default (location, date, rate…)."""

    def location_field(self, number_label: str = N_("Document No")) -> Field:
        """The form's first row: Location* (F2 lists them) and the document number (``NUMBER_ID``),
        "not yet" until it is posted; ``number_label`` is marked with N_."""
        return Field(
            _("Location*"),
            CodeInput(id="field-location", label=_("Location"), required=True, lookup_kind="location",
                      classes="cf-code"),
            Label(_(number_label), classes="cf-label2"),
            AutoValue(_(NOT_YET), id=self.NUMBER_ID.removeprefix("#")),
        )

    def ready_to_save(self, fields: Iterable[ShopInput] | None = None) -> bool:
        """Ctrl+S may go on: not on a posted document (``SAVED_TEXT`` says so), and every typed
        field (``fields``; all by default) is valid, else the first error is shown."""
        if self.posted:
            self.show_info(_(self.SAVED_TEXT))
            return False
        return self.check_fields(fields)

    def form_fields(self) -> list[Widget]:
        return [self.query_one(i) for i in self.FORM_FIELDS]

    def start_new(self) -> None:
        """Ctrl+N, first half: an empty, editable form without a number (the screen resets its own parts next)."""
        self.posted = False
        self.document_id = None
        for widget in self.form_fields():
            widget.disabled = False
            if isinstance(widget, Input):
                widget.value = ""
        self.query_one(self.NUMBER_ID, AutoValue).set(_(NOT_YET))
        self.set_document(None, "New")

    def finish_new(self) -> None:
        """Ctrl+N, second half: the defaults in, nothing unsaved, the first field focused."""
        if self.defaults is not None:
            self.apply_defaults(self.defaults)
        self.dirty = False
        self.clear_message()
        if self.FIRST_FIELD:
            self.query_one(self.FIRST_FIELD).focus()
        self.refresh_bindings()

    def show_name_of(self, kind: str, typed: str, target: str) -> None:
        """The name beside a typed code (``kind`` as in ``services.lookup``; an exact code match)."""
        code = typed.strip().upper()
        label = self.query_one(target, AutoValue)
        if not code:
            label.set("")
            return

        def find() -> str:
            rows = self.services.lookup(kind, code, limit=20)
            return next((r.name for r in rows if r.code.upper() == code), _("(not found: F2 to choose)"))

        run_preview(self, find, label.set, group=f"name-{target}")

    def show_posted(self, number: str | None, state: str = "Posted", document_id: int | None = None) -> None:
        """A posted document on screen: its number, the fields locked, nothing unsaved."""
        self.posted = True
        if document_id is not None:
            self.document_id = document_id
        self.query_one(self.NUMBER_ID, AutoValue).set(number or "")
        for widget in self.form_fields():
            widget.disabled = True
        self.set_document(number, state)
        self.dirty = False
        self.refresh_bindings()

    def action_form_enter(self) -> None:
        focused = self.focused
        if isinstance(focused, ChoiceField):
            self._form_move(focused, 1, wrap=False)
            return
        super().action_form_enter()

    # -- Ctrl+P: save and print ---------------------------------------------------

    def action_save_print(self) -> None:
        """Ctrl+P: save, then print what was posted; on a posted document, print it again."""
        if self.posted:
            self.print_posted(reprint=True)
            return
        self.print_after_save = True
        self.action_save()
        if not self.busy:  # the save stopped before posting (a field error): nothing to print later
            self.print_after_save = False

    def print_if_asked(self) -> None:
        """Call at the end of the screen's ``_saved``: prints when the save came from Ctrl+P."""
        if self.print_after_save:
            self.print_after_save = False
            self.print_posted(keep_message=True)

    def print_number(self) -> str | None:
        return self.document_number if self.posted else None

    def show_error(self, error: BaseException | str, field: str | None = None) -> None:
        self.print_after_save = False  # the save failed (or was refused): no print follows
        super().show_error(error, field)

    def action_state(self, action: str) -> bool | None:
        if action == "save" and self.posted:
            return None
        if action in ("history", "voucher") and not (self.posted if action == "voucher" else self.document_number):
            return None
        return True

    def action_list(self) -> None:
        open_document_list(self, self.DOC_TYPE, self.LIST_TITLE or self.DOCUMENT_TITLE, self._listed)

    def _listed(self, row: ListedDocument | None) -> None:
        if row is None:
            return
        number = row.number
        self.run_service(lambda: self.services.sales.document(number), self.show_document)

    def show_document(self, view: DocumentView) -> None:
        """Show a posted document chosen in the F3 list (read-only)."""

    def action_voucher(self) -> None:
        """F9 (with "voucher" in SUPPORTS): the journal the document on screen posted."""
        number = self.document_number if self.posted else None
        if not number:
            return
        from shopterm.widgets.voucher_view import VoucherView

        def shown(view: DocumentView) -> None:
            self.app.push_screen(VoucherView(_("Voucher {number}").format(number=number), view.journal))

        self.run_service(lambda: self.services.sales.document(number), shown)

    def action_history(self) -> None:
        """F4: who posted (and cancelled) the document on screen, and when."""
        document_id, number = self.document_id, self.document_number
        if document_id is None and not number:
            return

        def load() -> list[HistoryRow]:
            sales = self.services.sales
            return sales.history(document_id if document_id is not None else sales.document(number).id)

        self.open_history(load)


def decimal_text(text: Any) -> Decimal | None:
    """A stored amount string (``"6100.00"``) as a Decimal; None when empty."""
    return Decimal(str(text)) if text not in (None, "") else None


# -- the shared dialogs (F3 list, F4 history) ----------------------------------------


@dataclass(frozen=True)
class ListedDocument:
    """A row of the F3 list for the counter documents (``DocumentListDialog`` shows ``payable``
    and ``currency``: here the document's own amount — a receipt's, an exchange's…)."""

    id: int
    doc_type: str
    number: str | None
    status: str
    date: dt.date
    customer: str | None
    customer_name: str | None
    currency: str
    payable: Decimal


def document_amount(view: DocumentView) -> Decimal:
    """A counter document's own amount (``Document.amount``) from a ``services.sales`` view."""
    totals = view.totals
    value = getattr(totals, "amount", None)
    return value if value is not None else totals.receivable  # StoredTotals keeps doc.amount there


def list_counter_documents(services: Services, doc_type: str, query: ListQuery, location: str | None = None,
                           describe: Callable[[DocumentView], str] | None = None) -> list[ListedDocument]:
    """In a worker thread: one page of ``doc_type`` documents for the F3 list, newest first.

    ``services.sales.list_documents`` rows carry a sales document's payable; the counter
    documents keep their figure in ``amount``, read from each document's view. ``describe(view)``
    gives the name column of a document without a customer (a close's rate and ledgers).
    """
    rows = services.sales.list_documents(
        doc_type, location=location, date_from=query.date_from, date_to=query.date_to,
        number=query.number or None, customer=query.customer or None, status=query.status,
        limit=query.limit, offset=query.offset)
    out = []
    for r in rows:
        view = services.sales.document(r.id)
        name = describe(view) if describe is not None else r.customer_name
        out.append(ListedDocument(r.id, r.doc_type, r.number, r.status, r.date, r.customer, name,
                                  view.currency, document_amount(view)))
    return out


def open_document_list(screen: DocumentScreen, doc_type: str, title: str,
                       on_pick: Callable[[ListedDocument | None], None],
                       describe: Callable[[DocumentView], str] | None = None) -> None:
    """F3: the list/search of ``doc_type`` documents; ``on_pick(row)`` gets the chosen row (or None)."""
    try:
        from shopterm.widgets.document_list import DocumentListDialog
    except ImportError:  # the shared list dialog has not landed
        screen.show_info(_("{title}: the list view is not available yet").format(title=_(title)))
        return
    defaults = getattr(screen, "defaults", None)
    today = getattr(defaults, "today", None)

    def search(query: ListQuery) -> list[ListedDocument]:
        return list_counter_documents(screen.services, doc_type, query, describe=describe)

    screen.app.push_screen(DocumentListDialog(_(title), search, today=today), on_pick)



def flag_unknown_code(screen: DocumentScreen, widget: ShopInput, kind: str) -> None:

    """``widget`` (a code field of lookup ``kind``) was left: when no record has exactly the code
    typed, the message bar says so naming the field and the field is marked; what was typed stays.
    A known code clears that error. Looked up off the event loop."""
    code = widget.value.strip().upper()
    if not code:
        return
    services, actor = screen.services, getattr(screen, "actor", None)

    def find() -> bool:
        rows = services.lookup(kind, code, limit=50, actor=actor)
        return any(str(r.code).upper() == code for r in rows)

    def apply(found: bool) -> None:
        if widget.value.strip().upper() != code or not widget.is_attached:
            return  # typed again meanwhile: checked when left again
        if found:
            screen.error_resolved(widget)
            return
        widget.add_class("-error")
        screen.message_bar.show_error(_("{field}: no code {code} (F2 lists them)").format(
            field=_(widget.label), code=code))
        screen.error_source = widget

    run_preview(screen, find, apply, group=f"known-{widget.id}")
