"""Typed inputs: money, quantity, rate, percent, date and code.

Each is a Textual :class:`~textual.widgets.Input` whose validator calls the
``shopterm.core.money`` parser of its kind, so the screen and the services
agree on what a valid number is. Values are ``Decimal`` or ``date``, never
``float``.

Behaviour shared by all of them (:class:`ShopInput`):

* Validation runs when the field is left (blur) or Enter is pressed; once a
  field is invalid it re-validates on every keystroke so the error clears as
  soon as it is fixed. Nothing typed is ever thrown away.
* An invalid value posts :class:`ShopInput.Invalid` (message names the field,
  e.g. ``"Price: 'abc' is not a number"``); a fixed one posts
  :class:`ShopInput.Valid`. Screens show these in their
  :class:`~shopterm.widgets.messages.MessageBar`; the app shows any that no
  screen handled as a notification.
* ``.decimal_value`` (``.date_value`` for dates, ``.code`` for codes) gives the
  parsed value, or ``None`` when empty or invalid.
* ``field_name`` is the service-side field name (``"price"``): a ``ShopError``
  with ``field="price"`` focuses this input.
* Disabled (a posted document's field), an empty one shows nothing: its hint
  ("optional", "slab", a date's pattern) is for typing (:class:`HintWhileOpen`;
  :class:`NoteInput` is a plain text field with that behaviour).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import Reactive
from textual.strip import Strip
from textual.validation import ValidationResult, Validator
from textual.widgets import Input

from shopterm.core import i18n, money
from shopterm.core.i18n import N_, _
from shopterm.widgets.messages import InputMessage, RowPicked


class _ParseValidator(Validator):
    """Adapts a ``parse(text)`` function that raises ``MoneyError``."""

    def __init__(self, owner: "ShopInput") -> None:
        super().__init__()
        self._owner = owner

    def validate(self, value: str) -> ValidationResult:
        try:
            self._owner.parse(value)
        except money.MoneyError as exc:
            return self.failure(str(exc), value)
        return self.success()


class HintWhileOpen:
    """Mix into an ``Input``: its placeholder shows only while it can be typed in; disabled and empty
    (a posted document), it shows nothing."""

    def render_line(self, y: int) -> Strip:
        if not self.value and self.placeholder and self.is_disabled:  # type: ignore[attr-defined]
            return Strip.blank(self.size.width, self.rich_style)  # type: ignore[attr-defined]
        return super().render_line(y)  # type: ignore[misc]


class NoteInput(HintWhileOpen, Input):
    """A free-text field (remarks, narration) whose hint goes when the document is posted."""


class ShopInput(HintWhileOpen, Input):
    """Base of the typed inputs. Subclasses implement :meth:`parse`.

    Args:
        value: initial text.
        label: the field's name as the cashier sees it ("Price"); used in
            messages. Defaults to a title-cased ``field_name``.
        field_name: the service-side field name ("price").
        required: an empty field is invalid when True.
        placeholder, id, classes, disabled, max_length: as for ``Input``.
    """

    DEFAULT_KIND: ClassVar[str] = "value"

    #: Textual's Input sets its virtual size (the text's width) on every keystroke,
    #: and a virtual size change lays out the whole screen (every widget measured and
    #: placed again: ~5-80 ms per key on a document screen, growing with its rows).
    #: An Input's virtual size only decides how far its text scrolls sideways, which
    #: reads the value directly; the Input lays itself out when its own width is
    #: ``auto``. So here the new size repaints the field and nothing else.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    class Invalid(InputMessage["ShopInput"]):
        """The field's text does not parse; ``message`` names the field."""

        def __init__(self, input: "ShopInput", message: str) -> None:
            super().__init__(input)
            self.message = message

    class Valid(InputMessage["ShopInput"]):
        """The field was invalid and is now fine."""

    def __init__(
        self,
        value: str | None = None,
        *,
        label: str | None = None,
        field_name: str | None = None,
        required: bool = False,
        placeholder: str = "",
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
        max_length: int = 0,
        **kwargs: Any,
    ) -> None:
        self.field_name = field_name or (id or "").removeprefix("field-").replace("-", "_") or None
        self.label = label or (self.field_name or self.DEFAULT_KIND).replace("_", " ").capitalize()
        self.required = required
        self.error: str | None = None
        self._quiet = False
        self._validated: str | None = None
        super().__init__(
            value,
            placeholder=placeholder,
            id=id,
            classes=classes,
            disabled=disabled,
            max_length=max_length,
            validators=[_ParseValidator(self)],
            validate_on=["blur", "submitted"],
            valid_empty=False,
            **kwargs,
        )

    # -- parsing -------------------------------------------------------------

    def parse(self, text: str) -> Any:
        """Parse ``text``; raise ``MoneyError`` naming ``self.label``. Empty → None."""
        text = text.strip()
        if not text:
            if self.required:
                raise money.MoneyError(_("{field}: required").format(field=self.label))
            return None
        return self._parse(text)

    def _parse(self, text: str) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def parsed_value(self) -> Any:
        """The parsed value, or None when empty or invalid."""
        try:
            return self.parse(self.value)
        except money.MoneyError:
            return None

    # -- validation and messages --------------------------------------------

    def validate(self, value: str) -> ValidationResult | None:
        result = super().validate(value)
        self._validated = value
        was_invalid = self.error is not None
        if result is not None and not result.is_valid:
            self.error = result.failure_descriptions[0]
            if not self._quiet:
                self.post_message(self.Invalid(self, self.error))
        else:
            self.error = None
            if was_invalid and not self._quiet:
                self.post_message(self.Valid(self))
        return result

    def check(self, *, quiet: bool = True) -> bool:
        """Validate now (e.g. before saving); True when the value is good.

        ``quiet`` (the default) posts no Invalid message: the caller reports
        the error (see ``ShopScreen.check_fields``, which shows the first one).
        """
        self._quiet = quiet
        try:
            self.validate(self.value)
        finally:
            self._quiet = False
        return self.error is None

    def _on_input_changed(self, event: Input.Changed) -> None:
        # Once an error is shown, re-check on every keystroke so it clears
        # as soon as the cashier fixes it.
        if event.input is self and self.error is not None and event.value != self._validated:
            self.validate(self.value)

    def set_value(self, value: object) -> None:
        """Put a value (Decimal, date, str) in the field, formatted for display."""
        self.value = "" if value is None else self.format(value)
        if self.error is not None:
            self.validate(self.value)

    def format(self, value: object) -> str:
        return str(value)


class _DecimalInput(ShopInput):
    """A number: ``_parse`` reads the text (a ``core.money`` reader), ``_show`` writes a Decimal back
    as it is typed; ``allow_negative`` is for the readers that take a sign (amount, quantity)."""

    def __init__(self, value: str | None = None, *, allow_negative: bool = False, **kwargs: Any) -> None:
        self.allow_negative = allow_negative
        super().__init__(value, **kwargs)

    @property
    def decimal_value(self) -> Decimal | None:
        """The value as a Decimal, or None when empty or invalid."""
        return self.parsed_value

    def _show(self, value: Decimal) -> str:
        return str(value)

    def format(self, value: object) -> str:
        return self._show(value) if isinstance(value, Decimal) else str(value)


class MoneyInput(_DecimalInput):
    """An amount: at most 2 decimals, not negative unless ``allow_negative``."""

    DEFAULT_KIND = "amount"

    def _parse(self, text: str) -> Decimal:
        return money.parse_amount(text, field=self.label, allow_negative=self.allow_negative)

    def _show(self, value: Decimal) -> str:
        return i18n.localize_number(f"{money.q2(value):f}")

    def watch_disabled(self, disabled: bool) -> None:
        super().watch_disabled(disabled)
        if disabled:  # a posted document's amount reads as its figures do: 28,500.00, not 28500 as typed
            self._show_figure()

    def _on_blur(self, event) -> None:  # type: ignore[override]
        # left: the amount reads as the figures beside it (102,000.00 / 102 000,00, not 102000 as typed),
        # and reads back the same on return; once, on leaving, not per key. A grid's money cell is
        # shown by its grid, through its row (ItemGrid.on_descendant_blur).
        if getattr(self, "grid_row", None) is None:
            self._show_figure()
        super()._on_blur(event)

    def _show_figure(self) -> None:
        """The amount formatted in the reader's language (left as typed when empty or refused); the
        same figure, so no Changed message: nothing was typed."""
        amount = self.parsed_value
        shown = money.format_amount(amount) if amount is not None else self.value
        if shown != self.value:
            with self.prevent(Input.Changed):
                self.value = shown


class QtyInput(_DecimalInput):
    """A quantity: at most 3 decimals, not negative unless ``allow_negative``."""

    DEFAULT_KIND = "qty"

    def _parse(self, text: str) -> Decimal:
        return money.parse_qty(text, field=self.label, allow_negative=self.allow_negative)

    def _show(self, value: Decimal) -> str:
        return money.format_qty(value).replace(i18n.group_mark(), "")


class RateInput(_DecimalInput):
    """An exchange rate, CDF per 1 USD: greater than zero, at most 6 decimals."""

    DEFAULT_KIND = "rate"

    def _parse(self, text: str) -> Decimal:
        return money.parse_rate(text, field=self.label)

    def _show(self, value: Decimal) -> str:
        return money.format_rate(value)


class PercentInput(_DecimalInput):
    """A percentage between 0 and 100, at most 4 decimals."""

    DEFAULT_KIND = "percent"

    def _parse(self, text: str) -> Decimal:
        return money.parse_pct(text.removesuffix("%"), field=self.label)


_RELATIVE = re.compile(r"^([+-])\s*(\d{1,4})$")


class DateInput(ShopInput):
    """A date typed as ``yyyy-mm-dd``; ``t`` is today, ``+N``/``-N`` days from today.

    "Today" is the business date when the app knows it (``app.business_date``),
    else the calendar date; pass ``today=`` to override. Shortcuts are expanded
    to the ISO date when the field is left or Enter is pressed.
    """

    DEFAULT_KIND = "date"

    def __init__(self, value: str | date | None = None, *, today: Callable[[], date] | None = None, **kwargs: Any) -> None:
        self._today = today
        kwargs.setdefault("placeholder", i18n.date_hint().lower())
        kwargs.setdefault("max_length", 10)
        super().__init__(i18n.format_date(value) if isinstance(value, date) else value, **kwargs)

    def today(self) -> date:
        if self._today is not None:
            return self._today()
        try:
            business = getattr(self.app, "business_date", None)
        except Exception:  # no active app (unit use)
            business = None
        if isinstance(business, date):
            return business
        return date.today()

    def _parse(self, text: str) -> date:
        low = text.lower()
        if low in ("t", "today", _("today")):
            return self.today()
        m = _RELATIVE.match(low)
        if m:
            days = int(m.group(2)) * (1 if m.group(1) == "+" else -1)
            return self.today() + timedelta(days=days)
        try:
            return i18n.parse_date(text)
        except ValueError:
            raise money.MoneyError(
                _("{field}: {text!r} is not a date (use {hint}, t for today, +1/-1 for days)").format(
                    field=self.label, text=text, hint=i18n.date_hint().lower())
            ) from None

    @property
    def date_value(self) -> date | None:
        """The date, or None when empty or invalid."""
        return self.parsed_value

    def format(self, value: object) -> str:
        return i18n.format_date(value) if isinstance(value, date) else str(value)

    def expand(self) -> None:
        """Replace a shortcut (``t``, ``+1``) by the ISO date it stands for."""
        text = self.value.strip()
        if text and not re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}", text):
            parsed = self.parsed_value
            if parsed is not None:
                self.value = i18n.format_date(parsed)

    def _on_blur(self, event) -> None:  # type: ignore[override]
        self.expand()
        super()._on_blur(event)

    async def action_submit(self) -> None:
        self.expand()
        await super().action_submit()


_CODE_OK = re.compile(r"^[A-Z0-9][A-Z0-9_./-]*$")


class CodeInput(ShopInput):
    """A master code (customer, item, account…): upper-cased, no spaces.

    ``lookup_kind`` (``"customer"``, ``"item"``, ``"batch:PARA500"``…) makes F2
    open a :class:`~shopterm.widgets.lookup.LookupDialog` over
    ``services.lookup(kind, query)``; the picked row's code is put in the
    field and :class:`CodeInput.Picked` is posted with the whole row, so the
    screen can show the name beside it. ``lookup_kind`` may be changed at any
    time (e.g. the batch lookup follows the item).
    """

    DEFAULT_KIND = "code"

    BINDINGS = [Binding("f2", "lookup", N_("Find"), id="lookup", key_display="F2")]

    class Picked(RowPicked["CodeInput"]):
        """A row was chosen in the lookup dialog; the field already holds its code."""

    def __init__(
        self,
        value: str | None = None,
        *,
        lookup_kind: str | None = None,
        lookup_title: str | None = None,
        search: Callable[[str], list] | None = None,
        **kwargs: Any,
    ) -> None:
        self.lookup_kind = lookup_kind
        self.lookup_title = lookup_title
        self._search = search
        kwargs.setdefault("max_length", 32)
        super().__init__(value, **kwargs)

    def _parse(self, text: str) -> str:
        code = text.strip().upper()
        if not _CODE_OK.match(code):
            raise money.MoneyError(_("{field}: {text!r} is not a valid code (letters, digits, - _ . /)").format(
                field=self.label, text=text))
        return code

    @property
    def code(self) -> str | None:
        """The upper-cased code, or None when empty or invalid."""
        return self.parsed_value

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "lookup":
            return self.can_lookup
        return True

    @property
    def can_lookup(self) -> bool:
        return self._search is not None or self.lookup_kind is not None

    def search(self, query: str) -> list:
        """Rows matching ``query`` (runs in a worker thread)."""
        if self._search is not None:
            return self._search(query)
        services = self.app.services  # type: ignore[attr-defined]
        actor = getattr(self.app, "actor", None)
        return services.lookup(self.lookup_kind, query, limit=50, actor=actor)

    def action_lookup(self) -> None:
        """F2: open the lookup dialog seeded with what is typed."""
        if not self.can_lookup:
            return
        from shopterm.widgets.lookup import LookupDialog

        title = self.lookup_title or _("Find {field}").format(field=self.label.lower())

        screen = self.screen
        hold = getattr(screen, "hold_keys", None)
        if hold is not None:
            # Keys typed after the pick wait until the focus has moved on.
            hold("lookup")

        def picked(row: Any) -> None:
            try:
                if row is None:
                    self.focus()
                    return
                self.value = row.code
                if self.error is not None:
                    self.validate(self.value)
                self.post_message(self.Picked(self, row))
                self.focus_next_field()
            finally:
                release = getattr(screen, "release_keys", None)
                if release is not None:
                    release("lookup")

        self.app.push_screen(LookupDialog(title, self.search, initial=self.value.strip()), picked)

    def focus_next_field(self) -> None:
        """After a pick: on to the next field (what is typed next is not appended to the code).
        A screen may name it: ``screen.field_after_pick(input)`` returns a widget (or None)."""
        chooser = getattr(self.screen, "field_after_pick", None)
        target = chooser(self) if chooser is not None else None
        if target is not None and target.focusable:
            self.screen.set_focus(target)  # now: the keys typed after the pick go there
            return
        mover = getattr(self.screen, "_form_move", None)
        if mover is not None:
            mover(self, 1, wrap=False)
        else:
            self.focus()


# -- typeahead-safe form keys ----------------------------------------------------
#
# Textual hands each key to the *focused widget's* queue. When a cashier types
# "cashier⏎1111⏎" faster than the screen repaints (over SSH keys arrive in one
# packet; a barcode scanner always does this), an Input that moves focus in its
# Submitted handler has already been handed "1111" — they land in the wrong
# field. The fix: Enter/Tab/Shift+Tab are *priority* bindings, run by the app
# before the next key is handed out, so the focus moves at once; the old
# field's Submitted message is still posted, in order, after the keys it was
# given.

FORM_BINDINGS = [
    Binding("enter", "form_enter", show=False, priority=True),
    Binding("tab", "form_next", show=False, priority=True),
    Binding("shift+tab", "form_previous", show=False, priority=True),
]


class FormNavigation:
    """Screen mixin; add ``*FORM_BINDINGS`` to the screen's ``BINDINGS``.

    * Enter in an Input: the Input's ``Submitted`` is posted after the keys it
      already received, and the focus moves to the next focusable widget
      (never wrapping around). ``ENTER_ADVANCES = False`` keeps the focus.
    * Tab / Shift+Tab: next / previous focusable widget, at once.
    * An Input with the class ``no-advance`` (or any non-Input widget) gets
      Enter as usual.
    """

    ENTER_ADVANCES: ClassVar[bool] = True

    def _form_field(self) -> Input | None:
        focused = self.focused  # type: ignore[attr-defined]
        if isinstance(focused, Input) and not focused.has_class("no-advance"):
            return focused
        return None

    def action_form_enter(self) -> None:
        from textual.actions import SkipAction

        field = self._form_field()
        if field is None:
            raise SkipAction()
        field.call_later(field.action_submit)
        if self.ENTER_ADVANCES:
            self._form_move(field, 1, wrap=False)

    def action_form_next(self) -> None:
        self._form_move(self.focused, 1, wrap=True)  # type: ignore[attr-defined]

    def action_form_previous(self) -> None:
        self._form_move(self.focused, -1, wrap=True)  # type: ignore[attr-defined]

    def _form_move(self, current: Any, step: int, *, wrap: bool) -> None:
        chain = self.focus_chain  # type: ignore[attr-defined]
        if not chain:
            return
        if current not in chain:
            target = chain[0] if step > 0 else chain[-1]
        else:
            index = chain.index(current) + step
            if not 0 <= index < len(chain):
                if not wrap:
                    return
                index %= len(chain)
            target = chain[index]
        self.set_focus(target)  # type: ignore[attr-defined]
