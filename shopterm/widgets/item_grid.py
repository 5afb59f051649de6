"""The item grid of sales documents: type lines fast, see every figure at once.

Reusable by the invoice, orders, provisional invoices and returns: the columns
are given per document type (:data:`SALES_COLUMNS` is the invoice's). At 80
columns the grid shows the essential ones (S No, Item, Batch, Qty, Price,
Disc %, Flat, Net) and a two-line *detail strip* under the rows shows the rest
of the focused line (name, unit, pack size, current/reserved stock, batch
stock and expiry, price USD, gross, discount amount, flat share, tax)::

     #  Item          Batch     Qty       Price      Disc%  Flat     Net
     1  PARA500       B002      10        2.50       10     0        22.50
     2  ▏
    Paracetamol 500 mg (box 100) · BOX×100 · stock 600 res 0 · B002 100 exp 2027-01-31
    Price $ 2.50 · Gross 25.00 · Disc 2.50 · Flat share 1.12 · Tax 16% 3.42

Typing
------
* Item: a code, a barcode or part of a name. Leaving the cell (Enter, Tab,
  arrows) resolves it: only the exact code or barcode picks the item (never
  the only match of a name or a digit), else the F2
  :class:`~shopterm.widgets.lookup.LookupDialog` opens pre-filtered. The line's
  defaults (unit, pack size, stocks, FEFO batch, batch stock, price, price
  USD) are then loaded in a worker with :attr:`ItemGrid.line_defaults`.
* Enter/Tab go to the next cell (Enter on the item goes straight to Qty: the
  batch is chosen first-expiry-first; Tab or Shift+Tab reaches it); from the
  last cell to the next row. With :attr:`ItemGrid.enter_ends_line` (the
  counter flow, DESIGN §12) Enter in Qty, Price, Disc % or Flat ends the line:
  the next row's item cell takes the focus; Tab still walks every cell, and
  ``%`` typed in Qty or Price jumps to Disc % (``2%10``: 2 at 10 %).
* ``3*CODE`` (quantity first) in the item cell sets the quantity and, on
  Enter, ends the line. A barcode (only digits, 8 or more: EAN-8/13, UPC-A)
  + Enter is a scan: the line gets quantity 1 (unless ``N*`` came first) and
  the next row takes the focus, so a scanner's bursts add line after line. Shift+Tab goes back; ↑/↓ change row. There is
  always one blank row at the end, so keys typed ahead land in it.
* F2 on the batch cell lists the item's batches with their stock and expiry.
* Ctrl+Del or F8 (the host screen's ``action_delete_row``) deletes the row.

Keystroke path
--------------
A keystroke in a number cell parses that cell (``core.money``), updates the
line in memory and posts :class:`ItemGrid.LinesChanged`. No database call:
the host computes the totals with ``core.totals`` from
:meth:`ItemGrid.line_inputs` and hands them back with
:meth:`ItemGrid.show_totals`, which repaints only the figures whose text
changed (the Net cell of the line and the detail strip). Rows are never
rebuilt per keystroke.

Bad input (letters in Qty, a negative number, too many decimals) is reported
when the cell is left (``ShopInput.Invalid`` → the screen's message bar, e.g.
``Qty (line 2): 'abc' is not a number``); what was typed stays, and Enter on
a bad cell keeps the focus there.

Hosting
-------
A screen that hosts a grid mixes in :class:`ItemGridHost` *before* its base
screen class (it routes the priority Enter/Tab/Shift+Tab keys of
``FormNavigation`` into the grid, and shows :class:`ItemGrid.Failed`).
Attributes down: ``line_defaults``, ``location``, ``date``,
``read_only``; messages up: ``LinesChanged``, ``Failed``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from shopterm.core import i18n, money
from shopterm.core.i18n import N_, _
from shopterm.core.totals import LineInput
from shopterm.widgets.inputs import MoneyInput, PercentInput, QtyInput, ShopInput
from shopterm.widgets.inputs import CodeInput, DateInput
from shopterm.widgets.totals_footer import CompactChoice, Figure, fmt_amount, fmt_qty

__all__ = [
    "GridColumn",
    "GridLine",
    "ItemGrid",
    "ItemGridHost",
    "SALES_COLUMNS",
]

ZERO = Decimal(0)

#: a line-defaults read in flight (ItemGrid._defaults)
_PENDING = object()


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
#: whole screen and repaints every row: ~4 KB and tens of ms); keys that arrive in a
#: burst and fill lines never wait for a mount either. SPARE_ROWS are composed with
#: the grid; the pool is filled up to SPARE_POOL right after the grid is first shown
#: (a document rarely has more lines), and again when the keys have rested for
#: SPARE_IDLE seconds after a spare was used.
SPARE_ROWS = 3
SPARE_POOL = 30
SPARE_IDLE = 1.0

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

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)  # type: ignore[misc]
        row = getattr(self, "grid_row", None)
        if row is not None:
            row.grid._cell_value(self, value)  # type: ignore[arg-type]

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
        self.add_class("grid-cell", "no-advance", f"col-{column.key.replace('_', '-')}", "-valid")  # type: ignore[attr-defined]
        self.styles.width = column.width  # type: ignore[attr-defined]
        self.cursor_blink = False  # type: ignore[attr-defined]  # no repaint every 0.5 s over SSH


class _LookupRow:
    __slots__ = ("code", "name", "detail")

    def __init__(self, code: str, name: str, detail: str = "") -> None:
        self.code, self.name, self.detail = code, name, detail


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

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)  # type: ignore[misc]
        row = getattr(self, "grid_row", None)
        if row is not None:
            row.grid._cell_value(self, value)  # type: ignore[arg-type]

    def _setup_cell(self, row: "GridRow", column: GridColumn) -> None:
        super()._setup_cell(row, column)
        self.lookup_kind = column.key


_CELL_CLASSES.update({"text": TextCell, "date": DateCell, "code": CodeCell})


class GridRow(Horizontal):
    """One grid row: its cells and its :class:`GridLine`.

    A *spare* row is laid out after the last row but drawn empty (its cells' background
    transparent, an inline style: taking the row repaints it without restyling its
    cells from the stylesheet, as a class change would), and its cells are out of the
    focus chain until the grid takes it as a new row.
    """

    DEFAULT_CSS = "GridRow { height: 1; }"

    def __init__(self, grid: "ItemGrid", line: GridLine, number: int, *, spare: bool = False) -> None:
        super().__init__(classes="grid-row")
        self.grid = grid
        self.line = line
        self.number = number
        self.spare = spare
        self._cells_attached = False
        self.cells: dict[str, Widget] = {}
        for col in grid.columns:
            if col.kind == "sno":
                w: Widget = Figure("" if spare else str(number), classes="grid-sno")
                w.styles.width = col.width
            elif col.kind in ("figure", "info"):
                w = Figure("", classes="grid-figure grid-info" if col.kind == "info" else "grid-figure")
                w.styles.width = col.width
            else:
                cls = _CELL_CLASSES[col.kind]
                w = cls(line.text(col.key), label=_("{column} (line {number})").format(column=col.name, number=number),
                        field_name=col.key,
                        disabled=grid.read_only or (grid.fixed_rows and col.kind == "item"))
                w._setup_cell(self, col)  # type: ignore[attr-defined]
                if col.key in NUMBER_KEYS:
                    w.max_length = 16  # type: ignore[attr-defined]
                if spare:
                    w.styles.background = "transparent"
            self.cells[col.key] = w

    def compose(self) -> ComposeResult:
        if not self._cells_attached:
            yield from self.cells.values()

    def attach_cells(self) -> None:
        """Put the cells in the DOM now (the row itself just mounted), not when the row
        composes: a cell focused at once then has the screen's keys (Enter/Tab) in its
        binding chain even while the app is still handling a burst of typed-ahead keys."""
        self._cells_attached = True
        self.mount_all(list(self.cells.values()))

    def allow_focus_children(self) -> bool:
        return not self.spare and super().allow_focus_children()

    def unspare(self, number: int) -> None:
        """Become a shown row (a repaint of this row only: its size and place stay)."""
        self.spare = False
        for w in self.cells.values():
            if isinstance(w, Input):
                w.styles.background = None  # the stylesheet's colour again (a repaint)
        self.set_number(number)

    def cell(self, key: str) -> Widget | None:
        return self.cells.get(key)

    def editable_cells(self) -> list[ShopInput]:
        return [w for k, w in self.cells.items() if isinstance(w, ShopInput)]

    def set_number(self, number: int) -> None:
        self.number = number
        for col in self.grid.columns:
            w = self.cells[col.key]
            if col.kind == "sno":
                w.set(str(number))  # type: ignore[attr-defined]
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
            self.line.values[key] = _parse_cell(w, text)

    def set_figure(self, key: str, text: str) -> None:
        w = self.cells.get(key)
        if isinstance(w, Figure):
            w.set(text)


def _parse_cell(widget: Widget | None, text: str) -> Decimal | None:
    if not isinstance(widget, ShopInput):
        try:
            return money.to_decimal(text) if text.strip() else None
        except money.MoneyError:
            return None
    try:
        return widget.parse(text)
    except money.MoneyError:
        return None


def _fmt_number(value: Decimal | None, kind: str) -> str:
    if value is None:
        return ""
    if kind == "qty":
        return money.format_qty(value).replace(i18n.group_mark(), "")
    if kind == "money":
        return money.format_amount(money.q2(value))  # as the totals show it: 6,270.00 (6 270,00 in French)
    return money.format_rate(value)


# ---------------------------------------------------------------- the grid


class _Rows(VerticalScroll, can_focus=False, inherit_bindings=False):
    """The scrolling rows (the cells take the focus, never the container).

    No scrolling keys of its own: ↑/↓ reach the grid (row up/down) even when the
    rows overflow, and the grid scrolls to the focused row itself. The scrollbar
    is drawn only once the shown rows overflow (the spare rows after them would
    show it on an empty document); its column is kept either way, so showing it
    moves nothing."""

    DEFAULT_CSS = "_Rows { scrollbar-visibility: hidden; }"


class ItemGrid(Widget, can_focus=False):
    """The editable item grid (module docstring)."""

    BINDINGS = [
        Binding("up", "move_row(-1)", N_("Row up"), show=False),
        Binding("down", "move_row(1)", N_("Row down"), show=False),
        # Input does not bind Ctrl+Del, but a priority binding here also wins
        # over anything the host screen binds to it.
        Binding("ctrl+delete", "delete_row", N_("Delete row"), show=False, priority=True),
        # "2%10": from Qty (or Price) straight to Disc % (a priority binding: the cell would take the %)
        Binding("percent_sign", "to_discount", N_("Disc %"), show=False, priority=True),
    ]

    class LinesChanged(Message):
        """A line's item, batch or numbers changed (``line`` is its 1-based number; 0: many).

        ``by_user`` is False when the change came from loading defaults (not typing).
        """

        def __init__(self, grid: "ItemGrid", line: int, by_user: bool = True) -> None:
            super().__init__()
            self.grid = grid
            self.line = line
            self.by_user = by_user

        @property
        def control(self) -> "ItemGrid":
            return self.grid

    class Failed(Message):
        """Loading a line failed (unknown item, no price…): show it, focus the cell."""

        def __init__(self, grid: "ItemGrid", error: BaseException | str, line: int, key: str) -> None:
            super().__init__()
            self.grid = grid
            self.error = error
            self.line = line
            self.key = key

        @property
        def control(self) -> "ItemGrid":
            return self.grid

    def __init__(
        self,
        columns: Sequence[GridColumn] = SALES_COLUMNS,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns: tuple[GridColumn, ...] = tuple(columns)
        self.editable_keys: tuple[str, ...] = tuple(c.key for c in self.columns if c.editable)
        #: ``line_defaults(item_code) -> LineDefaults``, run in a worker thread.
        #: The host sets it from the header (location, customer, currency, rate…).
        self.line_defaults: Callable[[str], Any] | None = None
        #: ``on_change(line)``: called at once, in the keystroke's own turn, when the
        #: cashier changes a line (instead of posting LinesChanged, which reaches the
        #: host a few message hops later: a frame later on screen). Program fills
        #: (defaults, reloads, deletions) still post LinesChanged.
        self.on_change: Callable[[int], None] | None = None
        #: ``item_search(query) -> [row with code/name/detail]``, run in a worker thread.
        self.item_search: Callable[[str], Sequence[Any]] | None = None
        #: ``item_codes() -> {CODE or BARCODE: code}`` of the active items, run once when the
        #: grid mounts (in a worker thread; default: ``services.item_codes``). A typed code or
        #: a scan found in it resolves without a search, and its line defaults are read while
        #: the cashier still types (kept per document and header: :meth:`_defaults_for`).
        self.item_codes: Callable[[], Any] | None = None
        self._codes: dict[str, str] | None = None
        self._defaults: dict[str, Any] = {}  # code -> LineDefaults, or _PENDING while read
        self._defaults_loader: Any = None  # the line_defaults they were read with
        self._waiting: dict[str, list[tuple[GridRow, str]]] = {}  # code -> rows resolving it
        #: ``batch_search(item_code) -> [BatchStock]`` (batches with stock), in a worker thread.
        self.batch_search: Callable[[str], Sequence[Any]] | None = None
        self.location: str | None = None
        self.date: dt.date | None = None
        self._read_only = False
        self._rows: list[GridRow] = []  # the rows shown
        self._spares: list[GridRow] = []  # blank rows drawn empty after them (editable grids)
        self._spare_timer: Any = None
        self.spare_idle = SPARE_IDLE  #: seconds of rest before used spares are replaced
        self.spare_pool = SPARE_POOL  #: spare rows kept mounted
        self._detail_row: GridRow | None = None
        #: True once the cashier typed in a cell or deleted a row (the host's
        #: unsaved-changes check; program fills never set it). The host resets it.
        self.touched = False
        #: Lines come from another document (delivery note, sales return): the item
        #: cells are read-only and there is no blank row to type a new item in.
        self.fixed_rows = False
        #: The counter flow (DESIGN §12): Enter in Qty/Price/Disc %/Flat ends the line and
        #: the next row's item cell takes the focus (Tab still walks every cell).
        self.enter_ends_line = False

    # -- layout ------------------------------------------------------------------

    def on_mount(self) -> None:
        self.load_item_codes()
        self.call_after_refresh(self._replenish_spares)

    def compose(self) -> ComposeResult:
        yield Static(self._header_text(), id="grid-header", markup=False)
        with _Rows(id="grid-rows"):
            row = self._new_row(GridLine())
            self._rows.append(row)
            yield row
            self._spares = [self._new_row(GridLine(), spare=True) for _ in range(SPARE_ROWS)]
            yield from self._spares
        yield Figure("", id="grid-detail-1", classes="grid-detail")
        yield Figure("", id="grid-detail-2", classes="grid-detail")

    def _header_text(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        for col in self.columns:
            title = _(col.title)[: col.width]
            cell = title.rjust(col.width) if col.kind in ("figure", "info") else title.ljust(col.width)
            text.append(cell + " ")
        return text

    def _new_row(self, line: GridLine, *, spare: bool = False) -> GridRow:
        """A row (not yet in ``_rows``). A *spare* row is mounted empty after the last
        one, so that moving to a new row never waits for a mount (keys typed ahead)."""
        return GridRow(self, line, len(self._rows) + 1, spare=spare)

    def _reveal_spare(self) -> GridRow:
        """Take the first spare row as the new last row (synchronously: keys typed ahead
        go to a mounted cell, with the screen's keys). No layout: the row is already
        in place; used spares are replaced once the keys rest (:data:`SPARE_IDLE`): one
        is mounted now only when a burst of lines has used them all."""
        if not self._spares:  # read-only until now, or a burst used them all
            self._mount_spare()
        row = self._spares.pop(0)  # (IndexError only on a screen being closed)
        self._rows.append(row)
        row.unspare(len(self._rows))
        self._show_scrollbar()
        if self._spare_timer is not None:
            self._spare_timer.stop()
        self._spare_timer = self.set_timer(self.spare_idle, self._replenish_spares)
        return row

    def _show_scrollbar(self) -> None:
        """Draw the scrollbar when the shown rows overflow (a layout, once a document)."""
        box = self.query_one("#grid-rows", _Rows)
        height = box.scrollable_content_region.height
        wanted = "visible" if height and len(self._rows) > height else "hidden"
        if box.styles.scrollbar_visibility != wanted:
            box.styles.scrollbar_visibility = wanted

    def _replenish_spares(self) -> None:
        self._spare_timer = None
        if self._read_only or self.fixed_rows or not self.is_attached or self._closing:
            return
        missing = self.spare_pool - len(self._spares)
        if missing > 0:
            self._mount_spare(missing)

    def _mount_spare(self, count: int = 1) -> None:
        box = self.query_one("#grid-rows", _Rows)
        if not box.is_attached or box._closing or box._pruning:  # the screen is going away
            return
        spares = [self._new_row(GridLine(), spare=True) for _ in range(count)]
        self._spares.extend(spares)
        box.mount_all(spares)
        for spare in spares:
            if spare.is_attached:
                spare.attach_cells()

    @property
    def rows(self) -> list[GridRow]:
        return list(self._rows)

    @property
    def lines(self) -> list[GridLine]:
        return [r.line for r in self._rows]

    def row_of(self, widget: Widget | None) -> GridRow | None:
        row = getattr(widget, "grid_row", None)  # a cell (maybe not mounted yet: typed ahead)
        if isinstance(row, GridRow) and row.grid is self:
            return row
        node = widget
        while node is not None and node is not self:
            if isinstance(node, GridRow) and node.grid is self:
                return node
            node = node.parent  # type: ignore[assignment]
        return None

    def owns(self, widget: Widget | None) -> bool:
        return self.row_of(widget) is not None

    def cell(self, line: int, key: str) -> Widget | None:
        """The widget of line ``line`` (1-based), column ``key``."""
        if 1 <= line <= len(self._rows):
            return self._rows[line - 1].cell(key)
        return None

    def focus_cell(self, line: int, key: str = "item") -> bool:
        """Focus a cell (e.g. the one a service error names), its text selected so what is typed
        next replaces it (also when the focus was there already). False when there is none."""
        w = self.cell(line, key) or self.cell(line, "item")
        if w is not None and w.focusable:
            self._focus(w)
            if isinstance(w, Input):
                w.select_all()
            return True
        return False

    # -- attributes down ---------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return self._read_only

    @read_only.setter
    def read_only(self, value: bool) -> None:
        self._read_only = value
        for row in self._rows:
            for w in row.editable_cells():
                w.disabled = value
        if not value:
            if not self._spares and self.is_mounted:
                self._mount_spare(SPARE_ROWS)
                self.call_after_refresh(self._replenish_spares)
            self._ensure_trailing_blank()

    def line_inputs(self) -> list[LineInput]:
        """One ``core.totals.LineInput`` per row (an incomplete row counts as zero),
        so ``totals.lines[i]`` is row ``i``."""
        out = []
        for row in self._rows:
            line = row.line
            v = line.values
            if line.defaults is None or not line.item:
                key: tuple = (ZERO, ZERO, ZERO, ZERO, ZERO)
            else:
                key = (v.get("qty") or ZERO, v.get("price") or ZERO, v.get("discount_pct") or ZERO,
                       v.get("flat_discount") or ZERO, line.tax_rate)
            kept = line.line_input
            if kept is None or kept[0] != key:  # a line not changed by this key keeps its input
                kept = line.line_input = (key, LineInput(*key))
            out.append(kept[1])
        return out

    def draft_lines(self) -> list:
        """The rows as ``services.drafts.DraftLine`` (as typed; the list price as None)."""
        from shopterm.services.documents.drafts import DraftLine

        out = []
        for row in self._rows:
            line = row.line
            t = line.texts
            item = line.item or t.get("item", "").strip().upper()
            batch = t.get("batch", "").strip().upper() or None
            if "batch" not in self.editable_keys:
                batch = None  # no batch column (orders, provisional invoices): the FEFO default is not typed
            price: str | None = t.get("price", "").strip() or None
            if line.price_from_list and line.defaults is not None:
                price = None
            out.append(DraftLine(item=item, batch=batch, qty=t.get("qty", "").strip() or None, price=price,
                                 discount_pct=t.get("discount_pct", "").strip() or "0",
                                 flat_discount=t.get("flat_discount", "").strip() or "0"))
        while out and out[-1].is_blank():
            out.pop()
        return out

    async def set_lines(self, lines: Sequence[Any], *, read_only: bool = False) -> None:
        """Replace every row: ``DraftLine``s (a draft reopened; call :meth:`reload_defaults`
        after) or posted ``LineView``s (shown read-only with their stored figures)."""
        rows_box = self.query_one("#grid-rows", _Rows)
        await rows_box.remove_children()
        self._rows = []
        self._spares = []
        self._forget_defaults()  # a new document: stock read afresh
        self._read_only = read_only
        self._detail_row = None
        new_rows = []
        for src in lines:
            line = GridLine()
            if hasattr(src, "line_net"):  # a posted LineView
                line.view = src
                line.item = src.item or ""
                line.texts = {"item": src.item or "", "batch": src.batch or "",
                              "qty": _fmt_number(src.qty, "qty"), "price": _fmt_number(src.price, "money"),
                              "discount_pct": _fmt_number(src.discount_pct or None, "pct"),
                              "flat_discount": _fmt_number(src.line_flat or None, "money")}
            else:  # a DraftLine (saved codes: resolved by reload_defaults)
                line.item = str(src.item or "").strip().upper()
                line.texts = {"item": str(src.item or ""), "batch": str(src.batch or ""),
                              "qty": _text(src.qty), "price": _text(src.price),
                              "discount_pct": "" if _text(src.discount_pct) in ("", "0") else _text(src.discount_pct),
                              "flat_discount": "" if _text(src.flat_discount) in ("", "0", "0.00", "0,00") else _text(src.flat_discount)}
                line.price_from_list = src.price in (None, "")
                line.batch_auto = not src.batch
            line.shown = dict(line.texts)
            row = self._new_row(line)
            self._rows.append(row)
            new_rows.append(row)
        if (not read_only and not self.fixed_rows) or not new_rows:
            row = self._new_row(GridLine())
            self._rows.append(row)
            new_rows.append(row)
        if not read_only:
            self._spares = [self._new_row(GridLine(), spare=True) for _ in range(SPARE_ROWS)]
            new_rows.extend(self._spares)
        await rows_box.mount_all(new_rows)
        if not read_only:
            self.call_after_refresh(self._replenish_spares)
        for row in self._rows:
            for key in NUMBER_KEYS:
                row.line.values[key] = _parse_cell(row.cell(key), row.line.text(key))
            if row.line.view is not None:
                row.set_figure("line_net", fmt_amount(row.line.view.line_net))
                for col in self.columns:
                    if col.kind == "figure" and col.key != "line_net":
                        row.set_figure(col.key, fmt_amount(getattr(row.line.view, col.key, None)))
            self._paint_info(row)
        self._show_detail(self._rows[0] if self._rows else None)
        self.call_after_refresh(self._show_scrollbar)

    async def clear(self) -> None:
        """One blank row, editable."""
        await self.set_lines([], read_only=False)

    # -- messages from the cells -------------------------------------------------

    def _cell_value(self, cell: ShopInput, text: str) -> None:
        """A cell's value changed (called by the cell itself, in the same turn, so the
        line, the detail strip and the host's totals repaint in the same frame)."""
        row = getattr(cell, "grid_row", None)
        if row is None or row.grid is not self:
            return
        line = row.line
        key = cell.column.key  # type: ignore[attr-defined]
        typed = text != line.shown.get(key)
        line.texts[key] = text
        if self._spare_timer is not None:  # the keys have not rested yet
            self._spare_timer.reset()
        if typed:
            self.touched = True
        if key == "item":
            if text.strip():
                self._ensure_trailing_blank()
                if typed:
                    self._read_ahead(text)
            return
        if key == "batch":
            if typed:
                line.batch_auto = False
                self._changed(row.number)
            if row is self._detail_row:
                self._show_detail(row)
            return
        if key == "price" and typed:
            line.price_from_list = False
        value = _parse_cell(cell, text)
        if value != line.values.get(key) or (value is None and key not in line.values):
            line.values[key] = value
            if typed:  # a program fill reports its own change
                self._changed(row.number)

    def _changed(self, line: int) -> None:
        """A typed change: the host's ``on_change`` now (same frame), else LinesChanged."""
        if self.on_change is not None:
            self.on_change(line)
        else:
            self.post_message(self.LinesChanged(self, line))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        row = self.row_of(event.widget)
        if row is not None and row is not self._detail_row:
            self._show_detail(row)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        widget = event.widget
        row = getattr(widget, "grid_row", None)
        if row is None or row not in self._rows:
            return
        if isinstance(widget, ItemCell):
            self._item_left(row)
        elif isinstance(widget, BatchCell):
            text = widget.value.strip().upper()
            if text != widget.value:
                widget.value = text  # typed in lower case: shown as the code
        elif isinstance(widget, MoneyCell) and widget.column.key in NUMBER_KEYS:
            value = widget.decimal_value  # None when empty or refused (then left as typed)
            shown = _fmt_number(value, "money") if value is not None else widget.value
            if shown != widget.value:
                row.put(widget.column.key, shown)  # "0.5" → "0.50", "2500" → "2,500.00": as the totals

    # -- item resolution ---------------------------------------------------------

    def _item_left(self, row: GridRow) -> None:
        """The item cell was left: resolve what was typed if it changed."""
        line = row.line
        cell = row.cell("item")
        # The cell's own value: its Changed messages may still be on their way to the grid.
        text = (cell.value if isinstance(cell, Input) else line.text("item")).strip()
        if text and not self.fixed_rows:
            qty, code = split_qty_first(text)
            if qty is not None and (QTY_FIRST.match(text) or not line.text("qty").strip()):
                row.put("item", code)  # "3*PARA500": the quantity goes to its cell
                row.put("qty", qty)
                self.touched = True
                text = code
        if not text:
            if line.item:  # the item was erased: the line no longer counts
                line.item = ""
                line.defaults = None
                self.post_message(self.LinesChanged(self, row.number))
                if row is self._detail_row:
                    self._show_detail(row)
            resolved = getattr(self.screen, "error_resolved", None)
            if resolved is not None:
                resolved(cell)  # "nothing chosen for …": the text it named is gone
            return
        if text.upper() == line.item or text == line.resolving:
            return
        self._resolve(row, text)

    def _resolve(self, row: GridRow, text: str, *, exact: bool = False) -> None:
        line = row.line
        line.resolving = text
        code = text.upper() if exact else self.item_code(text)
        if code is not None and self.line_defaults is not None:
            self._defaults_for(row, text, code)
            return
        search = self.item_search or self._default_item_search
        load = self.line_defaults
        read_codes = self.item_codes or self._default_item_codes

        def work() -> tuple[str, Any]:
            # Only an exact code or barcode picks the item; anything else (a name, a lone digit,
            # even when one item matches) opens the list on it.
            wanted = text.upper()
            if exact:
                code = wanted
            else:
                try:
                    found = {str(k).upper(): str(v) for k, v in dict(read_codes()).items()}.get(wanted)
                except Exception:  # no item map here: an exact code in the search
                    found = None
                rows = [] if found else list(search(text))
                hit = found or next((str(r.code) for r in rows if str(r.code).upper() == wanted), None)
                if hit is None:
                    return "choose", rows
                code = hit
            if load is None:
                raise RuntimeError("the item grid has no line_defaults loader")
            return "loaded", load(code)

        def in_thread() -> None:
            try:
                result = work()
            except Exception as exc:  # shown by the host, never a traceback
                self.app.call_from_thread(self._resolve_failed, row, text, exc)
                return
            self.app.call_from_thread(self._resolved, row, text, *result)

        self.run_worker(in_thread, thread=True, group="grid-resolve", exit_on_error=False)

    def _alive(self, row: GridRow, text: str) -> bool:
        return row in self._rows and row.line.resolving == text

    def _resolved(self, row: GridRow, text: str, kind: str, payload: Any) -> None:
        if not self._alive(row, text):
            return
        line = row.line
        if kind == "choose":
            line.resolving = None
            self.open_item_lookup(row, text, nothing=not payload)
            return
        line.resolving = None
        self.apply_defaults(row, payload, new_item=True)
        resolved = getattr(self.screen, "error_resolved", None)
        if resolved is not None:
            resolved(row.cell("item"))  # "nothing chosen for …" of this cell is stale now

    def _resolve_failed(self, row: GridRow, text: str, exc: BaseException) -> None:
        if row not in self._rows:
            return
        row.line.resolving = None
        self.post_message(self.Failed(self, exc, row.number, "item"))

    def apply_defaults(self, row: GridRow, defaults: Any, *, new_item: bool = False) -> None:
        """Fill a line from its ``LineDefaults``: item, batch (unless typed), price
        (unless typed). Posts LinesChanged."""
        line = row.line
        if new_item and line.item and line.item != defaults.item:
            line.price_from_list = True
            line.batch_auto = True
        line.item = defaults.item
        line.defaults = defaults
        row.put("item", defaults.item)
        if line.batch_auto or not line.text("batch").strip():
            line.batch_auto = True
            row.put("batch", defaults.batch or "")
        if line.price_from_list or not line.text("price").strip():
            line.price_from_list = True
            row.put("price", _fmt_number(defaults.price, "money"))
            if defaults.price is None:
                self.post_message(self.Failed(
                    self, _("Line {number}: {item} has no price in the price list: type the price").format(
                        number=row.number, item=defaults.item),
                    row.number, "price"))
        default_disc = getattr(defaults, "discount_pct", None)
        if (default_disc and "discount_pct" in row.cells and line.view is None
                and not line.text("discount_pct").strip()):
            row.put("discount_pct", _fmt_number(default_disc, "pct"))  # the customer's default Disc %
        self._ensure_trailing_blank()
        self._paint_info(row)
        if new_item and self.on_change is not None:
            self.on_change(row.number)  # the item just picked: its figures in this frame
        else:
            self.post_message(self.LinesChanged(self, row.number, by_user=False))
        if row is self._detail_row:
            self._show_detail(row)

    def convert_typed_prices(self, convert: Callable[[Decimal], Decimal]) -> list[tuple[int, Decimal, Decimal]]:
        """Put ``convert(price)`` in every typed price cell (the currency or the rate changed): a price
        typed in one currency is never kept as a number in the other. List prices reload with
        :meth:`reload_defaults`. Returns ``(row number, before, after)`` per converted line."""
        changed: list[tuple[int, Decimal, Decimal]] = []
        for row in self._rows:
            line = row.line
            if line.view is not None or line.price_from_list:
                continue
            price = line.values.get("price")
            if price is None:
                continue
            after = money.q2(convert(price))
            row.put("price", _fmt_number(after, "money"))
            changed.append((row.number, price, after))
        if changed:
            self.post_message(self.LinesChanged(self, 0, by_user=False))
        return changed

    def reload_defaults(self) -> None:
        """Reload every line's defaults (the header changed: customer, currency, rate,
        date, additional %): list prices and FEFO batches follow; typed ones stay."""
        self._forget_defaults()
        load = self.line_defaults
        # Only resolved lines: an item still being typed is resolved when its cell is left.
        todo = [(row, row.line.item) for row in self._rows if row.line.view is None and row.line.item]
        if load is None or not todo:
            return

        def in_thread() -> None:
            results = []
            for row, code in todo:
                try:
                    results.append((row, code, load(code), None))
                except Exception as exc:
                    results.append((row, code, None, exc))
            self.app.call_from_thread(self._reloaded, results)

        self.run_worker(in_thread, thread=True, group="grid-reload", exclusive=True, exit_on_error=False)

    def _reloaded(self, results: list) -> None:
        for row, code, defaults, exc in results:
            if row not in self._rows:
                continue
            if exc is not None:
                self.post_message(self.Failed(self, exc, row.number, "item"))
                continue
            self.apply_defaults(row, defaults)
        self.post_message(self.LinesChanged(self, 0, by_user=False))

    # -- the item map and the line defaults read ahead ---------------------------

    def load_item_codes(self) -> None:
        """(Re)read the item map (:attr:`item_codes`) in a worker thread."""
        loader = self.item_codes or self._default_item_codes

        def in_thread() -> None:
            try:
                codes = {str(k).upper(): str(v) for k, v in dict(loader()).items()}
            except Exception:  # no map (no services): codes resolve by search
                return
            try:
                self.app.call_from_thread(setattr, self, "_codes", codes)
            except RuntimeError:  # the app has closed
                pass

        self.run_worker(in_thread, thread=True, group="grid-codes", exit_on_error=False)

    def _default_item_codes(self) -> Any:
        app: Any = self.app
        return app.services.item_codes()

    def item_code(self, text: str) -> str | None:
        """The item code of a typed code or barcode (``3*`` in front allowed), from the map
        (None: not an exact code, or the map is not read yet)."""
        if not self._codes:
            return None
        return self._codes.get(split_qty_first(text)[1].strip().upper())

    def _forget_defaults(self) -> None:
        """Drop the defaults read (a new document, or the header changed); rows still
        waiting for one are read again with the current loader."""
        waiting = self._waiting
        self._defaults = {}
        self._defaults_loader = self.line_defaults
        self._waiting = {}
        if self.line_defaults is None:
            return
        for code, rows in waiting.items():
            for row, text in rows:
                if self._alive(row, text):
                    self._defaults_for(row, text, code)

    def _read_ahead(self, text: str) -> None:
        """The item cell holds a known code: read its defaults now, before Enter."""
        code = self.item_code(text)
        if code is not None and self.line_defaults is not None:
            self._defaults_for(None, text, code)

    def _defaults_for(self, row: GridRow | None, text: str, code: str) -> None:
        """Fill ``row`` with ``code``'s defaults: at once when already read for this document
        and header, else when the read (started now or by :meth:`_read_ahead`) is done."""
        if self._defaults_loader is not self.line_defaults:  # the header changed: prices follow
            self._forget_defaults()
        known = self._defaults.get(code)
        if known is not None and known is not _PENDING:
            if row is not None:
                self._resolved(row, text, "loaded", known)
            return
        if row is not None:
            self._waiting.setdefault(code, []).append((row, text))
        if known is _PENDING:
            return
        self._defaults[code] = _PENDING
        load = self.line_defaults

        def in_thread() -> None:
            try:
                result: Any = load(code)  # type: ignore[misc]
            except Exception as exc:  # shown by the host when a row waits for it
                result = exc
            try:
                self.app.call_from_thread(self._defaults_read, load, code, result)
            except RuntimeError:  # the app has closed
                pass

        self.run_worker(in_thread, thread=True, group="grid-defaults", exit_on_error=False)

    def _defaults_read(self, load: Any, code: str, result: Any) -> None:
        if load is not self.line_defaults or load is not self._defaults_loader:
            # read with a header since changed: the rows waiting are read again
            if self._defaults_loader is not self.line_defaults:
                self._forget_defaults()
            return
        waiting = self._waiting.pop(code, [])
        if isinstance(result, Exception):
            self._defaults.pop(code, None)  # read again when asked again
            for row, text in waiting:
                if self._alive(row, text):
                    self._resolve_failed(row, text, result)
            return
        self._defaults[code] = result
        for row, text in waiting:
            self._resolved(row, text, "loaded", result)

    # -- lookups -----------------------------------------------------------------

    def _default_item_search(self, query: str) -> Sequence[Any]:
        app: Any = self.app
        return app.services.lookup("item", query, limit=50, actor=getattr(app, "actor", None))

    def open_item_lookup(self, row: GridRow, text: str, *, nothing: bool = False) -> None:
        """F2 (or an ambiguous item): the lookup dialog pre-filtered with ``text``."""
        from shopterm.widgets.lookup import LookupDialog

        if self._read_only:
            return
        search = self.item_search or self._default_item_search

        def picked(choice: Any) -> None:
            cell = row.cell("item")
            if row not in self._rows:
                return
            if choice is None:
                if cell is not None:
                    self.screen.set_focus(cell)
                if text and text.upper() != row.line.item:
                    self.post_message(self.Failed(
                        self, _("Item (line {number}): nothing chosen for {text!r}").format(number=row.number, text=text),
                        row.number, "item"))
                return
            row.put("item", str(choice.code))
            qty = row.cell("qty")
            if qty is not None:
                self.screen.set_focus(qty)
            self._ensure_trailing_blank()
            self._resolve(row, str(choice.code), exact=True)

        self.app.push_screen(LookupDialog(_("Find item (line {number})").format(number=row.number), search,
                                          initial=text), picked)

    def open_batch_lookup(self, row: GridRow) -> None:
        """F2 on the batch cell: the item's batches with stock and expiry."""
        from shopterm.widgets.lookup import LookupDialog

        if self._read_only:
            return
        item = row.line.item
        if not item:
            self.post_message(self.Failed(self, _("Batch (line {number}): choose the item first").format(
                                              number=row.number),
                                          row.number, "item"))
            return
        fetch = self.batch_search or self._default_batch_search
        on = self.date

        def search(query: str) -> list[_LookupRow]:
            q = query.strip().upper()
            out = []
            for b in fetch(item):
                if q and q not in b.code.upper():
                    continue
                expired = getattr(b, "expired", False) or (on is not None and b.expiry is not None and b.expiry < on)
                if b.expiry is None:
                    when = _("no expiry")
                elif expired:
                    when = _("EXPIRED {date}").format(date=i18n.format_date(b.expiry))
                else:
                    when = _("expires {date}").format(date=i18n.format_date(b.expiry))
                out.append(_LookupRow(b.code, when, _("stock {qty}").format(qty=money.format_qty(b.qty))))
            return out

        def picked(choice: Any) -> None:
            if row not in self._rows:
                return
            cell = row.cell("batch")
            if choice is not None:
                row.line.batch_auto = False
                row.put("batch", choice.code)
                self.post_message(self.LinesChanged(self, row.number))
                if row is self._detail_row:
                    self._show_detail(row)
            if cell is not None:
                self.screen.set_focus(cell)

        self.app.push_screen(LookupDialog(_("Batches of {item}").format(item=item), search, initial=""), picked)

    def _default_batch_search(self, item: str) -> Sequence[Any]:
        app: Any = self.app
        return app.services.stock.item_stock(item, self.location, self.date).batches

    # -- navigation (called by ItemGridHost on the priority keys) ----------------

    def navigate(self, step: int, *, enter: bool = False) -> bool:
        """Move from the focused cell. Returns False when the focus is not in the grid."""
        screen = self.screen
        cell = screen.focused
        row = self.row_of(cell)
        if row is None or not isinstance(cell, ShopInput):
            return False
        keys = [k for k in self.editable_keys if isinstance(row.cell(k), ShopInput)]
        if self.fixed_rows:
            return self._navigate_fixed(row, cell, step, enter)
        key = cell.column.key  # type: ignore[attr-defined]
        index = keys.index(key)
        r = self._rows.index(row)
        if enter:
            # Once the cell has taken the keys typed before Enter: a bad value keeps the focus.
            cell.call_later(self._check_after_enter, cell)
        if enter and key == "item" and "qty" in keys:
            if not self._has_content(row) and r == len(self._rows) - 1:
                self.leave(1)  # Enter on the empty last row: on to the footer
            elif self.enter_ends_line and split_qty_first(effective_text(cell))[0] is not None:
                self._next_line(row, r, keys)  # "3*CODE" or a scanned barcode: the line is complete
            else:
                if self._filled_now(cell):
                    # a code whose defaults were read ahead: its cells are filled now, in the
                    # frame that moves the focus to Qty, not when the cell's blur arrives
                    self._item_left(row)
                self._focus(row.cell("qty"))
            return True
        if enter and self.enter_ends_line and key in LINE_END_KEYS:
            self._next_line(row, r, keys)
            return True
        index += step
        if index >= len(keys):
            self._next_line(row, r, keys)
            return True
        if index < 0:
            if r > 0:
                self._focus(self._rows[r - 1].cell(keys[-1]))
            else:
                self.leave(-1)
            return True
        self._focus(row.cell(keys[index]))
        return True

    def _filled_now(self, cell: ShopInput) -> bool:
        """The item cell holds (all typed in) a known code whose defaults are already read."""
        if pending_text(cell) or self._defaults_loader is not self.line_defaults:
            return False
        code = self.item_code(cell.value)
        known = self._defaults.get(code) if code is not None else None
        return known is not None and known is not _PENDING

    def _next_line(self, row: GridRow, r: int, keys: list[str]) -> None:
        """End the line: the next row's first cell (a new row when this one has content)."""
        if r + 1 < len(self._rows):
            self._focus(self._rows[r + 1].cell(keys[0]))
        elif self._has_content(row):
            self._focus(self._reveal_spare().cell(keys[0]))
        else:
            self.leave(1)

    def action_to_discount(self) -> None:
        """``%`` in Qty or Price: on to the line's Disc % (the ``%`` itself is not typed)."""
        cell = self.screen.focused
        row = self.row_of(cell)
        key = getattr(getattr(cell, "column", None), "key", None)
        target = row.cell("discount_pct") if row is not None else None
        if key not in ("qty", "price") or not isinstance(target, ShopInput) or target.disabled:
            raise SkipAction()
        self._focus(target)

    def _has_content(self, row: GridRow) -> bool:
        """An item or a quantity is typed in the row, counting keys still on their way."""
        if row.line.item:
            return True
        return any(isinstance(w, Input) and effective_text(w).strip() for w in (row.cell("item"), row.cell("qty")))

    def _check_after_enter(self, cell: ShopInput) -> None:
        if not cell.check(quiet=False):
            self._focus(cell)

    def _focus(self, widget: Widget | None) -> None:
        if widget is not None and widget.focusable:
            self.screen.set_focus(widget, scroll_visible=False)
            row = self.row_of(widget)
            if row is not None:
                self.scroll_to_row(row)

    def scroll_to_row(self, row: GridRow, later: bool = False) -> None:
        """Scroll the rows just enough to show ``row`` and the row after it, at once
        (Textual's focus would centre it with an animation: a repaint of every row over
        several frames). The row after it (the next line, or the spare that becomes the
        new blank row) is then already on screen when it is filled: a widget repainted
        off screen makes Textual rebuild its map of every widget and repaint the whole
        screen at the next scroll."""
        box = self.query_one("#grid-rows", _Rows)
        try:
            y = self._rows.index(row)  # rows are one line each, in order
        except ValueError:
            return
        height = box.scrollable_content_region.height
        top = round(box.scroll_y)
        if height <= 0 or y >= box.virtual_size.height:  # not laid out yet (just mounted)
            if not later:
                self.call_after_refresh(self.scroll_to_row, row, True)
            return
        bottom = min(y + 1, len(self._rows) + len(self._spares) - 1) if height > 1 else y
        if y < top:
            box.scroll_to(y=y, animate=False, immediate=True)
        elif bottom >= top + height:
            # past the last row shown: turn the page, the focused row second from the top (the
            # line before it still shown), blank rows below. A scroll repaints every row shown;
            # by a page, the next ones come a page of lines later instead of on every line.
            least = bottom - height + 1
            page = min(y - 1, len(self._rows) + len(self._spares) - height) if height > 3 else least
            box.scroll_to(y=max(least, page), animate=False, immediate=True)

    def action_move_row(self, step: int) -> None:
        cell = self.screen.focused
        row = self.row_of(cell)
        if row is None or not hasattr(cell, "column"):
            raise SkipAction()
        r = self._rows.index(row) + step
        if 0 <= r < len(self._rows):
            self._focus(self._rows[r].cell(cell.column.key))  # type: ignore[union-attr]

    def leave(self, step: int) -> None:
        """Focus the first widget after (step 1) or before (-1) the grid."""
        chain = self.screen.focus_chain
        mine = [i for i, w in enumerate(chain) if self.owns(w)]
        if not mine:
            return
        i = (mine[-1] + 1) if step > 0 else (mine[0] - 1)
        if 0 <= i < len(chain):
            self.screen.set_focus(chain[i])

    def _ensure_trailing_blank(self) -> None:
        """Keep one blank row shown at the end."""
        if self.fixed_rows:
            return
        if self._read_only:
            return
        if self._rows and not self._has_content(self._rows[-1]):
            return
        self._reveal_spare()

    # -- rows --------------------------------------------------------------------

    def current_row(self) -> GridRow | None:
        return self.row_of(self.screen.focused) or self._detail_row

    def action_delete_row(self) -> None:
        if self.row_of(self.screen.focused) is None:
            raise SkipAction()
        self.delete_row()

    def delete_row(self, row: GridRow | None = None) -> None:
        """Delete the focused (or given) row; the trailing blank row is only cleared."""
        if self._read_only:
            return
        row = row or self.current_row()
        if row is None or row not in self._rows:
            return
        self.touched = True
        focused = self.screen.focused
        key = focused.column.key if self.row_of(focused) is row and hasattr(focused, "column") else "item"  # type: ignore[union-attr]
        r = self._rows.index(row)
        if self.fixed_rows:
            self._delete_fixed(row, r, key)
            return
        if row is self._rows[-1]:
            row.line.item = ""
            row.line.defaults = None
            row.line.price_from_list = row.line.batch_auto = True
            for k in self.editable_keys:
                row.put(k, "")
            for col in self.columns:
                if col.kind == "figure":
                    row.set_figure(col.key, "")
            row.line.figures_shown = None
            self._focus(row.cell(key))
        else:
            self._rows.remove(row)
            nxt = self._rows[r]
            self._focus(nxt.cell(key))
            row.remove()
            for i, other in enumerate(self._rows[r:], start=r + 1):
                other.set_number(i)
        self.post_message(self.LinesChanged(self, 0))
        self._show_detail(self.current_row())
        self.call_after_refresh(self._show_scrollbar)

    # -- fixed rows (lines from another document) -------------------------------

    def _navigate_fixed(self, row: GridRow, cell: ShopInput, step: int, enter: bool) -> bool:
        """Enter/Tab/Shift+Tab over the typed cells of fixed rows; past the last row: out of the grid."""
        if enter:
            cell.call_later(self._check_after_enter, cell)
        keys = [k for k in self.editable_keys
                if isinstance(row.cell(k), ShopInput) and not row.cell(k).disabled]  # type: ignore[union-attr]
        key = cell.column.key  # type: ignore[attr-defined]
        index = (keys.index(key) if key in keys else 0) + step
        r = self._rows.index(row)
        if 0 <= index < len(keys):
            self._focus(row.cell(keys[index]))
        elif index >= len(keys) and r + 1 < len(self._rows):
            # Enter goes down the same column (the quantity typed row after row, the next
            # row's batch left as it is); Tab walks every cell.
            below = self._rows[r + 1].cell(key) if enter else None
            editable = isinstance(below, ShopInput) and not below.disabled
            self._focus(below if editable else self._rows[r + 1].cell(keys[0]))
        elif index < 0 and r > 0:
            self._focus(self._rows[r - 1].cell(keys[-1]))
        else:
            self.leave(1 if index >= 0 else -1)
        return True

    def _delete_fixed(self, row: GridRow, r: int, key: str) -> None:
        """Take a line out (it is not delivered/returned now); the others move up."""
        self._rows.remove(row)
        row.remove()
        for i, other in enumerate(self._rows[r:], start=r + 1):
            other.set_number(i)
        if self._rows:
            nxt = self._rows[min(r, len(self._rows) - 1)]
            self._focus(nxt.cell(key) if key != "item" else nxt.editable_cells()[-1])
        self.post_message(self.LinesChanged(self, 0))
        self._show_detail(self.current_row())
        self.call_after_refresh(self._show_scrollbar)

    # -- figures -----------------------------------------------------------------

    def show_totals(self, totals: Any | None) -> None:
        """Repaint the read-only figures from ``core.totals.DocumentTotals`` (rows in order)."""
        line_totals = list(totals.lines) if totals is not None else []
        figure_cols = [c for c in self.columns if c.kind == "figure"]
        for i, row in enumerate(self._rows):
            line = row.line
            if line.view is not None:
                continue
            lt = line_totals[i] if i < len(line_totals) else None
            line.totals = lt
            counts = lt is not None and line.defaults is not None and line.item and line.values.get("qty")
            shown = (lt, bool(counts))
            if line.figures_shown != shown:  # only the lines whose figures changed are formatted
                line.figures_shown = shown
                for col in figure_cols:
                    row.set_figure(col.key, fmt_amount(getattr(lt, col.key)) if counts else "")
            self._paint_info(row)
        if self._detail_row is not None:
            self._show_detail(self._detail_row, figures_only=True)

    def _paint_info(self, row: GridRow) -> None:
        """Repaint a row's ``info`` columns (:func:`info_value`)."""
        for col in self.columns:
            if col.kind == "info":
                value = info_value(row.line, col.key)
                row.set_figure(col.key, fmt_qty(value) if col.key in INFO_QTY_KEYS else fmt_amount(value))

    def repaint_info(self) -> None:
        """Repaint every row's ``info`` columns (after the host changed ``line.info``)."""
        for row in self._rows:
            self._paint_info(row)

    def _show_detail(self, row: GridRow | None, *, figures_only: bool = False) -> None:
        self._detail_row = row
        try:
            top = self.query_one("#grid-detail-1", Figure)
            bottom = self.query_one("#grid-detail-2", Figure)
        except Exception:  # not composed yet
            return
        if row is None:
            top.set("")
            bottom.set("")
            return
        if not figures_only:
            top.set(detail_top(row.line, row.number, self.date))
        bottom.set(detail_bottom(row.line))

    def detail_text(self) -> tuple[str, str]:
        """The two detail lines as shown (tests)."""
        return (self.query_one("#grid-detail-1", Figure).text, self.query_one("#grid-detail-2", Figure).text)


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


# ---------------------------------------------------------------- the detail strip


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return i18n.localize_number(f"{value:f}")
    if isinstance(value, dt.date):
        return i18n.format_date(value)
    return str(value)


def _batch_info(line: GridLine) -> tuple[Decimal | None, dt.date | None]:
    d = line.defaults
    code = line.text("batch").strip().upper()
    if d is None or not code:
        return None, None
    if code == (d.batch or ""):
        return d.batch_stock, d.batch_expiry
    for b in getattr(d, "batches", ()) or ():
        if b.code.upper() == code:
            return b.qty, b.expiry
    return Decimal(0), None


def info_value(line: GridLine, key: str) -> Any:
    """An ``info`` column's value: ``line.info[key]`` when the host gave it, else from the
    line's defaults (``available_stock`` = current − reserved, ``current_stock``,
    ``reserved_stock``, ``batch_stock`` of the batch shown, ``price_usd``), else from a
    posted line's view; None (blank) when unknown."""
    if key in line.info:
        return line.info[key]
    d = line.defaults
    if d is not None:
        if key == "available_stock":
            return d.current_stock - d.reserved_stock
        if key == "batch_stock":
            return _batch_info(line)[0]
        if hasattr(d, key):
            return getattr(d, key)
    if line.view is not None:
        return getattr(line.view, key, None)
    return None


def detail_top(line: GridLine, number: int, on: dt.date | None = None) -> str:
    """Line 1 of the strip: name · unit × pack · stock · batch stock and expiry."""
    v = line.view
    if v is not None:
        exp = " " + _("exp {date}").format(date=i18n.format_date(v.batch_expiry)) if v.batch_expiry else ""
        return f"{number}: {v.name} · {v.unit} · " + _("batch {batch}").format(batch=v.batch or "-") + exp
    d = line.defaults
    if d is None:
        if line.resolving:
            return _("{number}: looking up {text!r}…").format(number=number, text=line.resolving)
        return _("{number}: code, barcode or name, Enter · 3*CODE qty first · Qty % → Disc · F2 list").format(
            number=number)
    parts = [f"{number}: {d.name}", f"{d.unit}×{fmt_qty(d.pack_size)}",
             _("stock {stock} res {reserved}").format(stock=fmt_qty(d.current_stock),
                                                     reserved=fmt_qty(d.reserved_stock))]
    code = line.text("batch").strip().upper()
    stock, expiry = _batch_info(line)
    if code:
        exp = " " + _("exp {date}").format(date=i18n.format_date(expiry)) if expiry else ""
        flag = " " + _("EXPIRED") if expiry is not None and on is not None and expiry < on else ""
        parts.append(f"{code} {fmt_qty(stock)}{exp}{flag}" if stock is not None else code)
    else:
        parts.append(_("no batch in stock"))
    return _fit_name(parts, DETAIL_WIDTH)


def detail_bottom(line: GridLine) -> str:
    """Line 2: price USD · gross · discount · flat share · tax (and a stock warning)."""
    v = line.view
    if v is not None:
        price, gross, disc, share, tax = _("Price $"), _("Gross"), _("Disc"), _("Flat share"), _("Tax")
        return (f"{price} {fmt_amount(v.price_usd)} · {gross} {fmt_amount(v.gross)} · "
                f"{disc} {fmt_amount(v.discount_amount)} · {share} {fmt_amount(v.flat_share)} · "
                f"{tax} {fmt_qty(v.tax_rate)}% {fmt_amount(v.tax_amount)}")
    d = line.defaults
    if d is None:
        return ""
    usd = line.values.get("price")
    price_usd = d.price_usd if line.price_from_list else None
    if price_usd is None and usd is not None and d.price is not None and d.price_usd is not None and d.price:
        price_usd = money.q2(usd * d.price_usd / d.price)
    lt = line.totals
    price, gross, disc, share, tax = _("Price $"), _("Gross"), _("Disc"), _("Flat share"), _("Tax")
    parts = [f"{price} {fmt_amount(price_usd) if price_usd is not None else '-'}"]
    if lt is not None:
        parts += [f"{gross} {fmt_amount(lt.gross)}", f"{disc} {fmt_amount(lt.discount_amount)}",
                  f"{share} {fmt_amount(lt.flat_share)}", f"{tax} {fmt_qty(d.tax_rate)}% {fmt_amount(lt.tax)}"]
    else:
        parts.append(f"{tax} {fmt_qty(d.tax_rate)}%")
    qty = line.values.get("qty")
    stock, _expiry = _batch_info(line)
    if qty is not None and stock is not None and qty > stock:
        # first: the warning is never cut
        parts.insert(0, _("only {qty} in batch").format(qty=fmt_qty(stock)))
    return _fit_short(parts, DETAIL_WIDTH)


#: The detail strip's width: the screen's 80 columns less its border and padding.
DETAIL_WIDTH = 78

#: Shorter labels for the detail strip when the whole line does not fit.
_SHORT = ((N_("Flat share"), N_("Flat")), (N_("Price $"), "$"), (N_("Gross"), N_("Gr")))


def _fit_name(parts: list[str], width: int) -> str:
    """Join; when too long, the item name (part 0, after ``N: ``) gives way with an ellipsis."""
    text = " · ".join(parts)
    over = len(text) - width
    if over > 0:
        head = parts[0]
        keep = max(len(head) - over - 1, min(len(head), 12))
        parts = [head[:keep] + "…", *parts[1:]]
        text = " · ".join(parts)
    return text[:width]


def _fit_short(parts: list[str], width: int) -> str:
    """Join; when too long: the short labels, then no zero discounts, then a tighter
    separator (the warning and the tax always stay whole)."""
    text = " · ".join(parts)
    for long, short in _SHORT:
        if len(text) <= width:
            return text
        parts = [p.replace(_(long) + " ", _(short) + " ") for p in parts]
        text = " · ".join(parts)
    if len(text) > width:
        zero = " " + money.format_amount(Decimal(0))
        parts = [p for p in parts if not (p.startswith((_("Disc") + " ", _("Flat") + " ")) and p.endswith(zero))]
        text = " · ".join(parts)
    if len(text) > width:
        text = "·".join(parts)
    return text[:width]


# ---------------------------------------------------------------- the host mixin


class ItemGridHost:
    """Mix into a ``ShopScreen`` that hosts :class:`ItemGrid` s (before the base class).

    Routes the screen's priority Enter/Tab/Shift+Tab into the grid when a cell
    has the focus, lets Enter on a :class:`CompactChoice` move on at once, and
    shows :class:`ItemGrid.Failed` in the message bar with the cell focused.
    """

    def _grid_of_focus(self) -> ItemGrid | None:
        # The focused cell's own row (or an ancestor row): no query of the screen's DOM,
        # which Textual's binding check runs several times per focus move.
        node = self.focused  # type: ignore[attr-defined]
        row = getattr(node, "grid_row", None)
        if isinstance(row, GridRow):
            return row.grid
        while node is not None and node is not self:
            if isinstance(node, GridRow):
                return node.grid
            node = node.parent
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        result = super().check_action(action, parameters)  # type: ignore[misc]
        if action == "lookup" and result is False:
            grid = self._grid_of_focus()
            if grid is None or grid.read_only:  # a posted document: no F2 anywhere
                return result
            # F2 stays in the footer (greyed) on the cells without a list: from cell to
            # cell and row to row the keys shown stay the same, so the footer is not
            # rebuilt (a mount and a layout of the whole screen) on every Enter.
            return None
        return result

    def action_form_enter(self) -> None:
        grid = self._grid_of_focus()
        if grid is not None and grid.navigate(1, enter=True):
            return
        if isinstance(self.focused, CompactChoice):  # type: ignore[attr-defined]
            self._form_move(self.focused, 1, wrap=False)  # type: ignore[attr-defined]
            return
        super().action_form_enter()  # type: ignore[misc]

    def action_form_next(self) -> None:
        grid = self._grid_of_focus()
        if grid is not None and grid.navigate(1):
            return
        super().action_form_next()  # type: ignore[misc]

    def action_form_previous(self) -> None:
        grid = self._grid_of_focus()
        if grid is not None and grid.navigate(-1):
            return
        super().action_form_previous()  # type: ignore[misc]

    def on_item_grid_failed(self, event: ItemGrid.Failed) -> None:
        # (a plain mixin: Textual finds the handler by its name, not by @on)
        event.stop()
        show = getattr(self, "show_error", None)
        if show is not None:
            show(event.error)
            self.error_source = event.grid.cell(event.line, event.key)  # type: ignore[attr-defined]
        event.grid.focus_cell(event.line, event.key)
