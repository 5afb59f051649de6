"""The grid's columns, a line's state, its Input cells and a row of them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input

from shopterm.core import i18n, money
from shopterm.core.i18n import N_, _
from shopterm.widgets.inputs import CodeInput, DateInput, MoneyInput, PercentInput, QtyInput, ShopInput

if TYPE_CHECKING:
    from shopterm.widgets.item_grid.grid import ItemGrid

__all__ = [
    "BARCODE_SCAN",
    "INFO_QTY_KEYS",
    "LINE_END_KEYS",
    "NUMBER_KEYS",
    "QTY_FIRST",
    "SALES_COLUMNS",
    "SPARE_IDLE",
    "SPARE_POOL",
    "SPARE_ROWS",
    "SPARE_STEP",
    "BatchCell",
    "CodeCell",
    "DateCell",
    "GridColumn",
    "GridLine",
    "GridRow",
    "ItemCell",
    "MoneyCell",
    "PctCell",
    "QtyCell",
    "RowText",
    "TextCell",
    "effective_text",
    "pending_text",
    "split_qty_first",
]

ZERO = Decimal(0)


# ---------------------------------------------------------------- columns


@dataclass(frozen=True, slots=True)
class GridColumn:
    """One grid column.

    key: ``sno``, ``item``, ``batch``, ``qty``, ``price``, ``discount_pct``,
        ``flat_discount`` (typed), or a ``LineTotals`` attribute shown
        read-only (``line_net``, ``gross``, ``tax``…).
    title: the header text; also names the cell in messages.
    width: cells.
    kind: ``sno`` | ``item`` | ``batch`` | ``qty`` | ``money`` | ``pct`` | ``figure`` |
        ``info`` (read-only, from the line's ``info`` or its defaults: see
        :func:`info_value`; e.g. ``available_stock``, ``balance_qty``).
    """

    key: str
    title: str
    width: int
    kind: str
    label: str = ""  # the name in messages ("Disc %"); defaults to title

    @property
    def editable(self) -> bool:
        return self.kind in ("item", "batch", "qty", "money", "pct", "text", "date", "code")

    @property
    def name(self) -> str:
        # titles and labels are marked with N_ where the columns are declared
        return _(self.label or self.title)


SALES_COLUMNS: tuple[GridColumn, ...] = (
    GridColumn("sno", "#", 3, "sno"),
    GridColumn("item", N_("Item"), 14, "item"),
    GridColumn("batch", N_("Batch"), 9, "batch"),
    GridColumn("qty", N_("Qty"), 9, "qty"),
    GridColumn("price", N_("Price"), 10, "money"),
    GridColumn("discount_pct", N_("Disc%"), 6, "pct", N_("Disc %")),
    GridColumn("flat_discount", N_("Flat"), 8, "money", N_("Flat discount")),
    GridColumn("line_net", N_("Net"), 11, "figure"),
)

#: Blank rows kept mounted (and laid out) after the last row, drawn empty and out of
#: the focus chain: a new row is one of them numbered and made editable, which
#: repaints that row and lays nothing out (a mount or a display change lays out the
#: whole screen: tens of ms); keys that arrive in a burst and fill lines never wait for
#: a mount either. SPARE_ROWS are composed with the grid; the pool is filled up to
#: SPARE_POOL right after the grid is first shown. The invoice shows 7 rows and a page
#: turn shows up to 5 spares under the new row; with 7 the spare mounted to replace a used
#: one is always below the rows shown, so its mount writes nothing to the terminal. A used
#: spare is replaced SPARE_STEP at a time right after the frame of the Enter that ends a
#: line (ItemGrid._top_up), any others once the keys have rested SPARE_IDLE seconds.
#: Each row holds ~470 KiB (7 widgets): the pool was 30 rows, ~14 MiB of the demo's
#: memory with an invoice open. A burst of more lines than the pool mounts a row as it
#: goes (keys are not lost: tested).
SPARE_ROWS = 3
SPARE_POOL = 7
SPARE_IDLE = 1.0
SPARE_STEP = 1

#: the typed columns a DraftLine carries
NUMBER_KEYS = ("qty", "price", "discount_pct", "flat_discount")

#: ``3*CODE`` in the item cell: the quantity first
QTY_FIRST = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*\*\s*(\S.*?)\s*$")

#: what a scanner sends: only digits, 8 or more (EAN-8, UPC-A, EAN-13, ITF-14)
BARCODE_SCAN = re.compile(r"^\d{8,}$")

#: Enter in these cells ends the line (with ``enter_ends_line``)
LINE_END_KEYS = ("qty", "price", "discount_pct", "flat_discount")


def split_qty_first(text: str) -> tuple[str | None, str]:
    """``"3*PARA500"`` → ``("3", "PARA500")``; a scanned barcode alone → ``("1", code)``;
    anything else → ``(None, text)``."""
    m = QTY_FIRST.match(text)
    if m:
        return m.group(1), m.group(2)
    stripped = text.strip()
    if BARCODE_SCAN.match(stripped):
        return "1", stripped
    return None, stripped


#: ``info`` columns shown as quantities (the others as amounts)
INFO_QTY_KEYS = ("available_stock", "current_stock", "reserved_stock", "batch_stock", "balance_qty")


# ---------------------------------------------------------------- a line


@dataclass(eq=False)
class GridLine:
    """One row's state. ``texts`` are what the cells show; ``values`` the parsed numbers."""

    item: str = ""  # the resolved item code ("" until resolved)
    texts: dict[str, str] = field(default_factory=dict)
    values: dict[str, Decimal | None] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)  # last text put in a cell by the program
    defaults: Any = None  # services.sales.LineDefaults once loaded
    price_from_list: bool = True  # the price is the list price (not typed)
    batch_auto: bool = True  # the batch is the FEFO default (not typed)
    resolving: str | None = None  # the item text being resolved
    totals: Any = None  # core.totals.LineTotals of the last show_totals
    view: Any = None  # a posted line (services.sales.LineView): read-only display
    info: dict[str, Any] = field(default_factory=dict)  # host-given figures for ``info`` columns (balance qty…)
    line_input: Any = None  # (its values, the core.totals.LineInput made of them): kept between keys
    figures_shown: Any = None  # (totals, counts) the figure cells show

    def text(self, key: str) -> str:
        return self.texts.get(key, "")

    @property
    def is_blank(self) -> bool:
        return not any(self.texts.get(k, "").strip() for k in ("item", "qty")) and not self.item

    @property
    def tax_rate(self) -> Decimal:
        d = self.defaults
        return d.tax_rate if d is not None else ZERO


# ---------------------------------------------------------------- cells


class _Cell:
    """Mixed into the Input cells: which row and column the cell is."""

    grid_row: "GridRow"
    column: GridColumn
    _focus_restyle = False
    SHARED_RULES = True  # styles matched once per column and state (widgets/shared_rules.py)

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)  # type: ignore[misc]
        row = getattr(self, "grid_row", None)
        if row is not None:
            row.grid._cell_value(self, value)  # type: ignore[arg-type]

    def watch_has_focus(self, has_focus: bool) -> None:
        # Gaining or losing the focus restyles the cell (its background and bold), not its
        # parts (cursor, selection, placeholder: no stylesheet rule styles them by the
        # cell's focus). Textual matches the stylesheet for each part too, on every focus
        # move: more than half of the restyle. The parts keep the styles they have.
        self._focus_restyle = True
        try:
            super().watch_has_focus(has_focus)  # type: ignore[misc]
        finally:
            self._focus_restyle = False

    def _watch_selection(self, selection: Any) -> None:
        """Textual's, but only the focused cell moves the terminal's cursor to itself. Any other
        cell would too when its selection changes (a spare row's cells as they mount, a cell filled
        while the focus is elsewhere), asking the screen for the cell's place: right after a mount
        or a scroll, an arrangement of the whole screen (~5 ms in each spare row's top-up), and a
        cursor put where nothing is typed (the next frame would send it there)."""
        if self.has_focus:  # type: ignore[attr-defined]
            super()._watch_selection(selection)  # type: ignore[misc]
            return
        self.app.clear_selection()  # type: ignore[attr-defined]
        if not self._initial_value:  # type: ignore[attr-defined]
            self.scroll_to_region(Region(self._cursor_offset, 0, width=1, height=1),  # type: ignore[attr-defined]
                                  force=True, animate=False)

    def _get_component_classes(self) -> frozenset[str]:
        if self._focus_restyle:
            return frozenset()  # (see watch_has_focus)
        return super()._get_component_classes()  # type: ignore[misc]

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # "%" in Qty/Price is the grid's jump to Disc % (a number cell never takes it)
        if character == "%" and getattr(getattr(self, "column", None), "key", None) in ("qty", "price"):
            return False
        return super().check_consume_key(key, character)  # type: ignore[misc]

    def _setup_cell(self, row: "GridRow", column: GridColumn) -> None:
        self.grid_row = row
        self.column = column
        # "-valid" from the start: Input sets it on its first validation, a restyle of the
        # cell (and its parts) on the first key or fill of every new row
        # (a cell not mounted yet takes its styles when it mounts: matching the stylesheet now as
        # well, for each class added, was ~4 ms a cell, a third of a spare row's mount)
        self.add_class("grid-cell", "no-advance", f"col-{column.key.replace('_', '-')}", "-valid",  # type: ignore[attr-defined]
                       update=self.is_attached)  # type: ignore[attr-defined]
        self.styles.width = column.width  # type: ignore[attr-defined]
        self.cursor_blink = False  # type: ignore[attr-defined]  # no repaint every 0.5 s over SSH


class ItemCell(_Cell, ShopInput):
    """The item cell: a code or part of a name (free text until resolved)."""

    DEFAULT_KIND = "item"

    def _parse(self, text: str) -> str:
        return text.strip()

    @property
    def can_lookup(self) -> bool:
        return not self.disabled

    def action_lookup(self) -> None:
        grid = self.grid_row.grid
        grid.open_item_lookup(self.grid_row, self.value.strip())


class BatchCell(_Cell, ShopInput):
    """The batch cell; F2 lists the item's batches with stock and expiry."""

    DEFAULT_KIND = "batch"

    def _parse(self, text: str) -> str:
        code = text.strip().upper()
        if not all(c.isalnum() or c in "-_./" for c in code):
            raise money.MoneyError(_("{field}: {text!r} is not a valid batch code").format(field=self.label, text=text))
        return code

    @property
    def can_lookup(self) -> bool:
        return not self.disabled

    def action_lookup(self) -> None:
        self.grid_row.grid.open_batch_lookup(self.grid_row)


class QtyCell(_Cell, QtyInput):
    pass


class MoneyCell(_Cell, MoneyInput):
    pass


class PctCell(_Cell, PercentInput):
    pass


_CELL_CLASSES: dict[str, type] = {"item": ItemCell, "batch": BatchCell, "qty": QtyCell, "money": MoneyCell,
                                  "pct": PctCell}


class TextCell(_Cell, ShopInput):
    """Free text (a supplier's batch number)."""

    DEFAULT_KIND = "text"

    def _parse(self, text: str) -> str:
        return text.strip()


class DateCell(_Cell, DateInput):
    """A date (yyyy-mm-dd; t today, +N/-N days)."""

    def __init__(self, value: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("placeholder", "")  # a column of "yyyy-mm-dd" is noise: the header says it
        super().__init__(value, **kwargs)


class CodeCell(_Cell, CodeInput):
    """A master code whose F2 lists the master named by the column key (``supplier``)."""

    def _setup_cell(self, row: "GridRow", column: GridColumn) -> None:
        super()._setup_cell(row, column)
        self.lookup_kind = column.key


_CELL_CLASSES.update({"text": TextCell, "date": DateCell, "code": CodeCell})


#: the columns a row draws itself (:class:`RowText`), and the blank after each
READ_ONLY_GAP = {"sno": 1, "figure": 0, "info": 1}


class RowText:
    """A read-only column of a row (the line number, a figure, an info value).

    Drawn by the row itself (:meth:`GridRow.render_line`), not a widget: every widget of a
    row is placed and drawn again on each page turn and holds ~60 KB, and these columns only
    show a text. ``text`` is what it shows; :meth:`set` repaints that column of the row."""

    __slots__ = ("row", "column", "x", "text")
    focusable = False

    def __init__(self, row: "GridRow", column: GridColumn, x: int, text: str = "") -> None:
        self.row, self.column, self.x, self.text = row, column, x, text

    def set(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.row.refresh(Region(self.x, 0, self.column.width, 1))

    def cell_text(self) -> str:
        """The text as the column shows it: the line number to the left, figures to the right."""
        width = self.column.width
        text = self.text[:width]
        return text.ljust(width) if self.column.kind == "sno" else text.rjust(width)


class GridRow(Horizontal):
    """One grid row: its cells and its :class:`GridLine`.

    The typed columns are Input cells; the read-only ones (number, figures, info) are drawn
    by the row under its cells (:class:`RowText`), the cells placed around them.

    A *spare* row is laid out after the last row but drawn empty (its cells' background
    transparent, an inline style: taking the row repaints it without restyling its
    cells from the stylesheet, as a class change would), and its cells are out of the
    focus chain until the grid takes it as a new row.
    """

    COMPONENT_CLASSES = {"grid-row--sno"}
    SHARED_RULES = True  # (widgets/shared_rules.py)
    #: A row is one line high whatever its cells hold: a change of its virtual size (its first
    #: layout, a spare mounted) has nothing to lay out. Textual's lays out the whole screen a
    #: second time right after the layout that set it (~20-30 ms with the invoice's rows).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    DEFAULT_CSS = """
    GridRow { height: 1; }
    GridRow > .grid-row--sno { color: $text-muted; }
    """

    def __init__(self, grid: "ItemGrid", line: GridLine, number: int, *, spare: bool = False) -> None:
        super().__init__(classes="grid-row")
        self.grid = grid
        self.line = line
        self.number = number
        self.spare = spare
        self.drawn_ahead = False  # its lines drawn into the cache before it is shown (ItemGrid._draw_spares_ahead)
        self._cells_attached = False
        self.cells: dict[str, Widget | RowText] = {}
        self._texts: list[RowText] = []
        x = 0  # where the next column starts
        end = 0  # where the layout puts the next cell (after the last cell and its blank)
        for col in grid.columns:
            if col.kind in READ_ONLY_GAP:
                text = RowText(self, col, x, "" if spare or col.kind != "sno" else str(number))
                self._texts.append(text)
                self.cells[col.key] = text
                x += col.width + READ_ONLY_GAP[col.kind]
                continue
            cls = _CELL_CLASSES[col.kind]
            w = cls(line.text(col.key), label=_("{column} (line {number})").format(column=col.name, number=number),
                    field_name=col.key,
                    disabled=grid.read_only or (grid.fixed_rows and col.kind == "item"))
            w._setup_cell(self, col)  # type: ignore[attr-defined]
            if x > end:  # read-only columns before it: the cell starts after them
                w.styles.margin = (0, 1, 0, x - end + (1 if end else 0))
            if col.key in NUMBER_KEYS:
                w.max_length = 16  # type: ignore[attr-defined]
            if spare:
                w.styles.background = "transparent"
            self.cells[col.key] = w
            x += col.width + 1  # (.grid-cell: a blank after each cell)
            end = x

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> "GridRow":
        """A spare row's cells mounting ask it for a layout (Textual's mount does, of the parent):
        done without repainting the row, which draws nothing of its own while spare. Textual's
        repaint asks the screen where the row is, and a spare below the rows shown is in no map
        of what is shown after a scroll: the whole screen arranged again (~5 ms of each top-up,
        :meth:`ItemGrid._top_up`). The layout repaints what it shows differently
        (``widgets/compositor.py``); the row repaints when it is taken (:meth:`unspare`)."""
        if layout and self.spare and not regions and not recompose:
            repaint = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def widgets(self) -> list[Widget]:
        """The row's cell widgets (the typed columns)."""
        return [w for w in self.cells.values() if isinstance(w, Widget)]

    def compose(self) -> ComposeResult:
        if not self._cells_attached:
            yield from self.widgets()

    def attach_cells(self) -> Any:
        """Put the cells in the DOM now (the row itself just mounted), not when the row
        composes: a cell focused at once then has the screen's keys (Enter/Tab) in its
        binding chain even while the app is still handling a burst of typed-ahead keys.
        Returns the mount (awaitable)."""
        self._cells_attached = True
        return self.mount_all(self.widgets())

    def render_line(self, y: int) -> Strip:
        """The row's own line under its cells: the read-only columns' texts."""
        width = self.size.width
        base = self.rich_style
        segments: list[Segment] = []
        x = 0
        for t in self._texts:
            if not t.text or t.x >= width:
                continue
            if t.x > x:
                segments.append(Segment(" " * (t.x - x), base))
            style = self.get_component_rich_style("grid-row--sno") if t.column.kind == "sno" else base
            text = t.cell_text()[: width - t.x]
            segments.append(Segment(text, style))
            x = t.x + len(text)
        if x < width:
            segments.append(Segment(" " * (width - x), base))
        return Strip(segments, width)

    def allow_focus_children(self) -> bool:
        return not self.spare and super().allow_focus_children()

    def unspare(self, number: int) -> None:
        """Become a shown row (a repaint of this row only: its size and place stay)."""
        self.spare = False
        for w in self.cells.values():
            if isinstance(w, Input):
                w.styles.background = None  # the stylesheet's colour again (a repaint)
        self.set_number(number)

    def cell(self, key: str) -> Widget | RowText | None:
        return self.cells.get(key)

    def editable_cells(self) -> list[ShopInput]:
        return [w for k, w in self.cells.items() if isinstance(w, ShopInput)]

    def set_number(self, number: int) -> None:
        self.number = number
        for col in self.grid.columns:
            w = self.cells[col.key]
            if isinstance(w, RowText):
                if col.kind == "sno":
                    w.set(str(number))
            elif isinstance(w, ShopInput):
                w.label = _("{column} (line {number})").format(column=col.name, number=number)

    def put(self, key: str, text: str) -> None:
        """Show ``text`` in a typed cell (a program change, not typing)."""
        w = self.cells.get(key)
        self.line.texts[key] = text
        self.line.shown[key] = text
        if isinstance(w, Input) and w.value != text:
            w.value = text
            if w.has_focus:
                w.select_all()  # the cashier is here (typed ahead): what they type replaces the fill
            if isinstance(w, ShopInput) and w.error is not None:
                w.validate(text)
        if key in NUMBER_KEYS:
            self.line.values[key] = parse_cell(w, text)

    def set_figure(self, key: str, text: str) -> None:
        w = self.cells.get(key)
        if isinstance(w, RowText):
            w.set(text)


def parse_cell(widget: Widget | None, text: str) -> Decimal | None:
    if not isinstance(widget, ShopInput):
        try:
            return money.to_decimal(text) if text.strip() else None
        except money.MoneyError:
            return None
    try:
        return widget.parse(text)
    except money.MoneyError:
        return None


def format_cell(value: Decimal | None, kind: str) -> str:
    if value is None:
        return ""
    if kind == "qty":
        return money.format_qty(value).replace(i18n.group_mark(), "")
    if kind == "money":
        return money.format_amount(money.q2(value))  # as the totals show it: 6,270.00 (6 270,00 in French)
    return money.format_rate(value)


# ---------------------------------------------------------------- typed-ahead keys


def pending_text(widget: Widget) -> str:
    """The printable keys already sent to ``widget`` that it has not processed yet.

    Enter/Tab are priority bindings run by the app as each key arrives; when keys
    come in a burst (SSH, a paste, a barcode scanner) the app handles the whole
    burst before the focused cell has taken its characters, so a decision made
    on Enter ("is this row empty?") must count them.
    """
    queue = widget._message_queue  # type: ignore[attr-defined]
    pending = getattr(queue, "values", None)  # textual._queue.Queue (Textual 8)
    if pending is None:
        pending = getattr(queue, "_queue", None)  # an asyncio.Queue
    if pending is None:  # another Textual: only what the widget holds counts
        return ""
    queued = list(pending)
    return "".join(m.character for m in queued
                   if isinstance(m, events.Key) and m.is_printable and m.character)


def effective_text(widget: Input) -> str:
    """What an Input will hold once the keys sent to it are in (appended: a good
    enough guess to tell empty from not empty)."""
    return widget.value + pending_text(widget)


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return i18n.localize_number(f"{value:f}")
    if isinstance(value, dt.date):
        return i18n.format_date(value)
    return str(value)
