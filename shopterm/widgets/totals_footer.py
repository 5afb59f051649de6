"""The totals footer of a sales document, and two small field widgets it uses.

:class:`TotalsFooter` shows every footer field of the seed's sales screens
(Total Qty, Total Gross, Total Discount, Flat Discount Type / % / Amount,
Total Tax, Net Amount, Net USD, Net CDF, Total Round Off (CDF), Payable
Amount, Payable F.C., Payable $, Narration) in four lines at 78 columns::

    Qty      17 Gross        53.97 Disc          3.50 Flat %   5              2.52
    Tax        6.91 Net         54.86 Net $        54.86 Net FC     156,351.00
    Rnd FC    +49.00 Payable      54.86 Pay FC  156,400.00 Pay $        54.86
    Narration [                                                            ]

It computes nothing: :meth:`TotalsFooter.show` takes a
``core.totals.DocumentTotals`` (or the stored totals of a posted document) and
repaints only the figures whose text changed (each figure is its own
one-line widget, updated without a layout pass: a keystroke in the grid costs
a few dozen bytes per changed figure, DESIGN §14).

The flat discount is typed here: the type (percent/amount) is a
:class:`CompactChoice` (Space, ←/→, or ``%``/``a`` while in the value; the host
screen may bind a key to :meth:`TotalsFooter.toggle_flat_type`), the value a
:class:`FlatValueInput` that parses as a percentage or an amount according to
the type. An empty value means "no flat discount typed": the discount slab
applies (the amount then shows ``slab``). Changes are posted as
:class:`TotalsFooter.FlatChanged`.

:class:`CompactChoice` is a one-line focusable choice (cash/credit, USD/CDF,
No/Yes) that shows only the chosen label (so it fits a dense 80-column
header) and never opens a drop-down: Space or →/← cycle, a typed first letter
picks, Enter moves on. (``screens.base.counter.ChoiceField`` is the roomier
variant that shows every option.)
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Static

from shopterm.core import money
from shopterm.core.i18n import N_, _
from shopterm.widgets.inputs import NoteInput, ShopInput
from shopterm.widgets.messages import ControlMessage

__all__ = ["CompactChoice", "Figure", "FlatValueInput", "TotalsFooter", "fmt_amount", "fmt_qty"]


def fmt_amount(value: Decimal | None) -> str:
    """``1234.5`` → ``1,234.50``; None → empty."""
    return "" if value is None else money.format_amount(value)


def fmt_qty(value: Decimal | None) -> str:
    return "" if value is None else money.format_qty(value)


class Figure(Static):
    """A one-line read-only value that repaints only when its text changes."""

    DEFAULT_CSS = "Figure { height: 1; }"

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(text, id=id, classes=classes, markup=False)
        self.text = text

    def set(self, text: str) -> None:
        if text != self.text:
            self.text = text
            # A fixed-size cell: no layout pass, just this region repainted.
            self.update(text, layout=False)


class CompactChoice(Widget, can_focus=True):
    """Pick one of a few values with the keyboard; shows the chosen label.

    Args:
        choices: ``[(value, label), …]``.
        value: the initial value (default: the first).
        field_name: the service-side field name (errors focus this widget).
        label: the name in messages.

    Keys: Space / → next, ← previous, a typed character picks the first
    choice whose label starts with it (again: the next one), Enter moves to
    the next field. Posts :class:`CompactChoice.Changed`.
    """

    DEFAULT_CSS = """
    CompactChoice { height: 1; width: 8; }
    """

    BINDINGS = [
        Binding("space,right", "cycle(1)", N_("Next choice"), show=False),
        Binding("left", "cycle(-1)", N_("Previous choice"), show=False),
        Binding("enter", "advance", show=False),
    ]

    class Changed(ControlMessage["CompactChoice"]):
        """The choice became ``value``."""

        def __init__(self, field: "CompactChoice", value: str) -> None:
            super().__init__(field)
            self.value = value

    def __init__(
        self,
        choices: Sequence[tuple[str, str]],
        value: str | None = None,
        *,
        field_name: str | None = None,
        label: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(id=id, classes=classes, disabled=disabled)
        if not choices:
            raise ValueError("CompactChoice needs at least one choice")
        self.choices = list(choices)
        self.field_name = field_name or (id or "").removeprefix("field-").replace("-", "_") or None
        self.label = label or (self.field_name or "choice").replace("_", " ").capitalize()
        values = [v for v, _ in self.choices]
        self._index = values.index(value) if value in values else 0

    @property
    def value(self) -> str:
        return self.choices[self._index][0]

    @property
    def display_label(self) -> str:
        # Choice labels are marked with N_ where declared and read in the user's language here.
        return _(self.choices[self._index][1])

    def set_value(self, value: str, *, notify: bool = False) -> None:
        """Choose ``value`` (ignored when it is not a choice)."""
        values = [v for v, _ in self.choices]
        if value in values and values.index(value) != self._index:
            self._index = values.index(value)
            self.refresh()
            if notify:
                self.post_message(self.Changed(self, self.value))

    def render(self) -> Text:
        return Text(self.display_label, no_wrap=True, overflow="crop")

    def action_cycle(self, step: int) -> None:
        self._index = (self._index + step) % len(self.choices)
        self.refresh()
        self.post_message(self.Changed(self, self.value))

    def action_advance(self) -> None:
        mover = getattr(self.screen, "_form_move", None)
        if mover is not None:
            mover(self, 1, wrap=False)
        else:
            self.screen.focus_next()

    def on_key(self, event: events.Key) -> None:
        char = (event.character or "").lower()
        if not char or not char.isprintable() or char == " ":
            return
        n = len(self.choices)
        for step in range(1, n + 1):
            i = (self._index + step) % n
            if _(self.choices[i][1]).lower().startswith(char) or self.choices[i][0].lower().startswith(char):
                event.stop()
                event.prevent_default()
                if i != self._index:
                    self._index = i
                    self.refresh()
                    self.post_message(self.Changed(self, self.value))
                return


class FlatValueInput(ShopInput):
    """The document flat discount: a percentage or an amount, by ``flat_type``.

    Typing ``%`` switches the type to percent and ``a`` or ``$`` to amount
    (the character is not inserted).
    """

    DEFAULT_KIND = "flat discount"

    def __init__(self, value: str | None = None, *, flat_type: str = "percent", **kwargs: Any) -> None:
        self.flat_type = flat_type
        kwargs.setdefault("max_length", 16)
        super().__init__(value, **kwargs)

    def _parse(self, text: str) -> Decimal:
        if self.flat_type == "percent":
            return money.parse_pct(text.removesuffix("%"), field=_("Flat discount %"))
        return money.parse_amount(text, field=_("Flat discount amount"))

    @property
    def decimal_value(self) -> Decimal | None:
        return self.parsed_value

    async def _on_key(self, event: events.Key) -> None:
        char = event.character
        if char in ("%", "a", "A", "$"):
            event.stop()
            event.prevent_default()
            footer = next((a for a in self.ancestors if isinstance(a, TotalsFooter)), None)
            if footer is not None:
                footer.set_flat_type("percent" if char == "%" else "amount", notify=True)
        # otherwise Input._on_key (next in the MRO) inserts the character


class TotalsFooter(Widget):
    """The document footer (module docstring). ``show(totals)`` repaints the figures."""

    class FlatChanged(ControlMessage["TotalsFooter"]):
        """The cashier changed the flat discount type or value.

        ``value`` is the parsed Decimal, or None when empty (slab) or invalid
        (``valid`` False; the field shows its error when left).
        """

        def __init__(self, footer: "TotalsFooter", flat_type: str, value: Decimal | None, valid: bool) -> None:
            super().__init__(footer)
            self.flat_type = flat_type
            self.value = value
            self.valid = valid

    FIGURES: tuple[tuple[str, str, str], ...] = (
        # (key, label, css class for the width)
        ("total_qty", N_("Qty"), "w-qty"),
        ("total_gross", N_("Gross"), "w-amt"),
        ("total_discount", N_("Disc"), "w-amt"),
        ("tax", N_("Tax"), "w-amt"),
        ("net", N_("Net"), "w-amt"),
        ("net_usd", N_("Net $"), "w-amt"),
        ("net_cdf", N_("Net FC"), "w-big"),
        ("round_off_cdf", N_("Rnd FC"), "w-rnd"),
        ("payable", N_("Payable"), "w-amt tf-strong"),
        ("payable_cdf", N_("Pay FC"), "w-big tf-strong"),
        ("payable_usd", N_("Pay $"), "w-amt tf-strong"),
    )

    def __init__(self, *, id: str | None = None, classes: str | None = None,
                 payable_labels: tuple[str, str, str] | None = None) -> None:
        """``payable_labels``: the (marked) labels of Payable, Pay FC and Pay $ when the figure is something
        else (a return's credit)."""
        super().__init__(id=id, classes=classes)
        self._payable_labels = payable_labels
        self._figures: dict[str, Figure] = {}
        self._read_only = False

    def compose(self) -> ComposeResult:
        labels = {k: (lbl, w) for k, lbl, w in self.FIGURES}
        if self._payable_labels is not None:
            for key, label in zip(("payable", "payable_cdf", "payable_usd"), self._payable_labels):
                labels[key] = (label, labels[key][1])

        def pair(key: str) -> ComposeResult:
            label, width = labels[key]
            yield Static(_(label), classes="tf-label", markup=False)
            fig = Figure(id=f"tf-{key.replace('_', '-')}", classes=f"tf-value {width}")
            self._figures[key] = fig
            yield fig

        with Horizontal(classes="tf-row"):
            for key in ("total_qty", "total_gross", "total_discount"):
                yield from pair(key)
            yield Static(_("Flat"), classes="tf-label", markup=False)
            yield CompactChoice([("percent", "%"), ("amount", N_("amt"))], id="field-flat-discount-type",
                              field_name="flat_discount_type", label=_("Flat discount type"), classes="tf-flat-type")
            yield FlatValueInput(id="field-flat-discount-value", field_name="flat_discount_value",
                                 label=_("Flat discount %"), placeholder=_("slab"), classes="tf-flat-value")
            fig = Figure(id="tf-flat-amount", classes="tf-value w-flat")
            self._figures["flat_amount"] = fig
            yield fig
        with Horizontal(classes="tf-row"):
            for key in ("tax", "net", "net_usd", "net_cdf"):
                yield from pair(key)
        with Horizontal(classes="tf-row"):
            for key in ("round_off_cdf", "payable", "payable_cdf", "payable_usd"):
                yield from pair(key)
        with Horizontal(classes="tf-row"):
            yield Static(_("Narration"), classes="tf-label", markup=False)
            yield NoteInput(id="field-narration", placeholder=_("free text"), max_length=500, classes="tf-narration")

    # -- attributes down -----------------------------------------------------------

    @property
    def flat_type_field(self) -> CompactChoice:
        return self.query_one("#field-flat-discount-type", CompactChoice)

    @property
    def flat_value_field(self) -> FlatValueInput:
        return self.query_one("#field-flat-discount-value", FlatValueInput)

    @property
    def narration_field(self) -> Input:
        return self.query_one("#field-narration", Input)

    @property
    def flat_type(self) -> str:
        return self.flat_type_field.value

    @property
    def flat_text(self) -> str:
        """The flat discount as typed ("" = the slab applies)."""
        return self.flat_value_field.value.strip()

    @property
    def flat_value(self) -> Decimal | None:
        return self.flat_value_field.decimal_value

    @property
    def narration(self) -> str:
        return self.narration_field.value

    def set_flat(self, flat_type: str | None, value: Decimal | str | None) -> None:
        """Put a flat discount in the fields (no message posted)."""
        self.set_flat_type(flat_type or "percent", notify=False)
        field = self.flat_value_field
        field.set_value("" if value is None else (_plain(value) if isinstance(value, Decimal) else str(value)))

    def set_narration(self, text: str) -> None:
        self.narration_field.value = text or ""

    def set_flat_type(self, flat_type: str, *, notify: bool = True) -> None:
        field = self.flat_value_field
        field.flat_type = flat_type
        field.label = _("Flat discount %") if flat_type == "percent" else _("Flat discount amount")
        choice = self.flat_type_field
        changed = choice.value != flat_type
        choice.set_value(flat_type)
        if field.error is not None or field.value.strip():
            field.check(quiet=False)
        if notify and changed:
            self._post_flat()

    def toggle_flat_type(self) -> None:
        """Switch percent ↔ amount (a key of the host screen calls this)."""
        if self._read_only:
            return
        self.set_flat_type("amount" if self.flat_type == "percent" else "percent")

    @property
    def read_only(self) -> bool:
        return self._read_only

    @read_only.setter
    def read_only(self, value: bool) -> None:
        self._read_only = value
        self.flat_type_field.disabled = value
        self.flat_value_field.disabled = value
        self.narration_field.disabled = value

    def show(self, totals: Any | None) -> None:
        """Repaint the figures from a DocumentTotals / stored totals (None: blanks)."""
        figs = self._figures
        if totals is None:
            for fig in figs.values():
                fig.set("")
            return
        figs["total_qty"].set(fmt_qty(totals.total_qty))
        for key in ("total_gross", "total_discount", "tax", "net", "net_usd", "net_cdf", "payable",
                    "payable_cdf", "payable_usd"):
            figs[key].set(fmt_amount(getattr(totals, key)))
        figs["round_off_cdf"].set(_signed(totals.round_off_cdf))
        flat = fmt_amount(totals.flat_amount)
        if getattr(totals, "flat_from_slab", False) and not self.flat_text:
            pct = getattr(totals, "flat_pct", None)
            if pct is not None and len(flat) + len(money.format_qty(pct)) + 2 <= 12:
                flat = f"{money.format_qty(pct)}% {flat}"
        figs["flat_amount"].set(flat)

    def figure(self, key: str) -> str:
        """The text shown for a figure (tests)."""
        return self._figures[key].text

    # -- messages up ---------------------------------------------------------------

    @on(CompactChoice.Changed, "#field-flat-discount-type")
    def _type_changed(self, event: CompactChoice.Changed) -> None:
        event.stop()
        self.set_flat_type(event.value, notify=False)
        self._post_flat()

    @on(Input.Changed, "#field-flat-discount-value")
    def _value_changed(self, event: Input.Changed) -> None:
        self._post_flat()

    def _post_flat(self) -> None:
        field = self.flat_value_field
        text = field.value.strip()
        try:
            value = field.parse(text) if text else None
            valid = True
        except money.MoneyError:
            value, valid = None, False
        self.post_message(self.FlatChanged(self, self.flat_type, value, valid))


def _plain(value: Decimal) -> str:
    """``5.0000`` → ``5``, ``2.50`` → ``2.5`` (as a cashier would type it)."""
    return money.format_rate(value)


def _signed(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = money.format_amount(value)
    return f"+{text}" if value > 0 else text
