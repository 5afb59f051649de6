"""The editable item grid: rows of cells, typing, item resolution, navigation, figures."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import events
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive
from textual.scrollbar import ScrollBar
from textual.widget import Widget
from textual.widgets import Input, Static

from shopterm.core import i18n, money
from shopterm.core.draft_line import DraftLine
from shopterm.core.i18n import N_, _
from shopterm.core.totals import LineInput
from shopterm.widgets import shared_rules
from shopterm.widgets.inputs import ShopInput
from shopterm.widgets.item_grid.cells import (
    INFO_QTY_KEYS,
    LINE_END_KEYS,
    NUMBER_KEYS,
    QTY_FIRST,
    SALES_COLUMNS,
    SPARE_IDLE,
    SPARE_POOL,
    SPARE_STEP,
    SPARE_ROWS,
    ZERO,
    BatchCell,
    GridColumn,
    GridLine,
    GridRow,
    ItemCell,
    MoneyCell,
    as_text,
    effective_text,
    format_cell,
    parse_cell,
    pending_text,
    split_qty_first,
)
from shopterm.widgets.item_grid.detail import detail_bottom, detail_top, info_value
from shopterm.widgets.totals_footer import Figure, fmt_amount, fmt_qty

#: a line-defaults read in flight (ItemGrid._defaults)
_PENDING = object()

#: spare rows drawn ahead per call, and the pause between calls (:meth:`ItemGrid._draw_spares_ahead`)
DRAW_AHEAD_ROWS = 2
DRAW_AHEAD_PAUSE = 0.02
DRAW_AHEAD_TRIES = 20

#: seconds from the frame of the key that ended a line to the mount of a spare row in place of
#: the one it used (:meth:`ItemGrid._top_up_soon`)
TOP_UP_DELAY = 0.015

#: the most event-loop turns a focus move's frames are held (:meth:`ItemGrid._one_frame`)
SETTLE_TURNS = 40


class _LookupRow:
    __slots__ = ("code", "name", "detail")

    def __init__(self, code: str, name: str, detail: str = "") -> None:
        self.code, self.name, self.detail = code, name, detail


class _GridMessage(Message):
    """A message from the grid (its ``control``) about its line ``line`` (1-based; 0: many)."""

    control = property(lambda self: self.grid)

    def __init__(self, grid: "ItemGrid", line: int) -> None:
        super().__init__()
        self.grid, self.line = grid, line


# ---------------------------------------------------------------- the grid


class _Rows(VerticalScroll, can_focus=False, inherit_bindings=False):
    """The scrolling rows (the cells take the focus, never the container).

    No scrolling keys of its own: ↑/↓ reach the grid (row up/down) even when the
    rows overflow, and the grid scrolls to the focused row itself. The scrollbar
    is drawn only once the shown rows overflow (the spare rows after them would
    show it on an empty document); its column is kept either way, so showing it
    moves nothing."""

    DEFAULT_CSS = "_Rows { scrollbar-visibility: hidden; }"

    #: The rows' height (a row mounted, one removed) decides only how far they scroll: the
    #: scrollbars follow it (``_scroll_update``) and show or hide with their own layout. Textual
    #: lays out the whole screen again when it changes and repaints every row shown.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> "_Rows":
        """A layout asked of the rows (a row mounted or removed) lays them out without repainting
        the rows container: it draws nothing of its own under its rows, and the compositor
        repaints what a layout moves (``widgets/compositor.py``). Textual's repaint of it would
        write every row shown again (~3 KB for a spare row mounted out of sight)."""
        if layout and not regions and not recompose:
            repaint = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    #: the height the scrollbar measures the rows by (:meth:`bar_extent`), set when the rows scroll
    _bar_extent: int | None = None

    def bar_extent(self) -> int:
        """What the scrollbar's thumb measures: the lines and the page of blank rows a page turn
        shows below the last one, not the spare rows mounted after them (mounting one when the
        keys rest would repaint the scrollbar; they are blank rows, not content)."""
        grid = self.parent
        lines = len(getattr(grid, "_rows", ()))
        height = self.scrollable_content_region.height
        return max(lines + height - 2, round(self.scroll_y) + height, height)

    def _bar_virtual(self, height: int) -> int:
        # a layout (a spare row mounted) keeps the scrollbar as the last scroll left it (not capped by
        # the rows mounted: while used spares are replaced, each mount would move the thumb)
        if self._bar_extent is None:
            self._bar_extent = self.bar_extent()
        return self._bar_extent

    def _scroll_update(self, virtual_size: Size) -> None:
        """Textual's, but the scrollbar is repainted only when what it shows changed (Textual
        repaints it on every layout that resized anything in the rows), measured by bar_extent."""
        if self.show_horizontal_scrollbar:
            super()._scroll_update(Size(virtual_size.width, self._bar_virtual(virtual_size.height)))
            return
        self._refresh_scrollbars()
        if self.show_vertical_scrollbar and self.styles.scrollbar_size_vertical:
            scrollbar = self.vertical_scrollbar
            scrollbar.window_virtual_size = self._bar_virtual(virtual_size.height)  # (reactives: a
            scrollbar.window_size = self.container_size.height - self.scrollbar_size_horizontal  # change repaints)
        self.scroll_x = self.validate_scroll_x(self.scroll_x)
        self.scroll_y = self.validate_scroll_y(self.scroll_y)

    def _arrange_scrollbars(self, region: Region) -> Any:
        show_vertical, show_horizontal = self.scrollbars_enabled
        if show_horizontal or not (show_vertical and self.scrollbar_size_vertical):
            yield from super()._arrange_scrollbars(region)
            return
        window_region, scrollbar_region = region.split_vertical(region.width - self.scrollbar_size_vertical)
        if scrollbar_region:  # (Textual's, measuring by bar_extent)
            scrollbar = self.vertical_scrollbar
            scrollbar.window_virtual_size = self._bar_virtual(self.virtual_size.height)
            scrollbar.window_size = window_region.height
            yield scrollbar, scrollbar_region

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """A scroll while the scrollbar is hidden does not move the scrollbar: Textual would
        repaint it, and a widget that is not drawn has no place in the compositor's map of
        what is shown, so asking for its size arranges the whole screen again (every row,
        the spares too: 8–14 ms of a page turn). :meth:`ItemGrid._show_scrollbar` puts it
        where the rows are when it shows it."""
        if self.styles.scrollbar_visibility == "hidden":
            if round(old_value) != round(new_value):
                self._refresh_scroll()
            return
        if round(old_value) != round(new_value):  # the rows scroll: the scrollbar is repainted anyway
            self._bar_extent = self.bar_extent()
            if self.show_vertical_scrollbar:
                self.vertical_scrollbar.window_virtual_size = self._bar_extent
        super().watch_scroll_y(old_value, new_value)


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

    class LinesChanged(_GridMessage):
        """A line's item, batch or numbers changed (``line`` is its 1-based number; 0: many).

        ``by_user`` is False when the change came from loading defaults (not typing).
        """

        def __init__(self, grid: "ItemGrid", line: int, by_user: bool = True) -> None:
            super().__init__(grid, line)
            self.by_user = by_user

    class Failed(_GridMessage):
        """Loading a line failed (unknown item, no price…): show it, focus the cell."""

        def __init__(self, grid: "ItemGrid", error: BaseException | str, line: int, key: str) -> None:
            super().__init__(grid, line)
            self.error = error
            self.key = key

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
        #: ``asked_together([(item, batch, qty) …]) -> ({item: Σ qty}, {(item, batch): Σ qty})``: the
        #: host's stock rule (services.stock), so a line's stock warning counts every line of its item
        #: and batch, as the posting does (None: each line alone).
        self.asked_together: Callable[[Any], tuple[dict, dict]] | None = None
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
        self._draw_ahead_tries = 0
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
        self._holding = False  # the frames are held for a focus move (_one_frame)
        self._top_up_after_frame = False  # a used spare row to replace once the held frame is drawn
        self._mounting: Any = None  # the top-up's mount, its frames held until it is in (_top_up)
        self._release: Any = None

    # -- layout ------------------------------------------------------------------

    def on_mount(self) -> None:
        shared_rules.install(self.app)  # the rows' and cells' styles matched once (widgets/shared_rules.py)
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
        in place; a used spare is replaced after the frame of the Enter that ends a line
        (:meth:`_next_line`), the rest once the keys rest (:data:`SPARE_IDLE`): one is
        mounted now only when a burst of lines has used them all."""
        if not self._spares:  # read-only until now, or a burst used them all
            self._mount_spare()
        row = self._spares.pop(0)  # (IndexError only on a screen being closed)
        self._rows.append(row)
        row.unspare(len(self._rows))
        if self._spare_timer is not None:
            self._spare_timer.stop()
        self._spare_timer = self.set_timer(self.spare_idle, self._replenish_spares)
        return row

    def _show_scrollbar(self) -> None:
        """Draw the scrollbar when the shown rows overflow (a layout of the whole screen, once a
        document: done when the keys rest, by :meth:`_replenish_spares`, not on the Enter that
        opens the row past the bottom)."""
        box = self.query_one("#grid-rows", _Rows)
        height = box.scrollable_content_region.height
        wanted = "visible" if height and len(self._rows) > height else "hidden"
        if box.styles.scrollbar_visibility != wanted:
            if wanted == "visible" and box.show_vertical_scrollbar:
                # not moved while hidden; set without a repaint (the layout that shows it draws it)
                box._bar_extent = box.bar_extent()
                box.vertical_scrollbar.set_reactive(ScrollBar.position, box.scroll_y)
                box.vertical_scrollbar.set_reactive(
                    ScrollBar.window_virtual_size, box._bar_extent)
            box.styles.scrollbar_visibility = wanted

    def _replenish_spares(self) -> None:
        """Mount the spare rows missing from the pool (when the grid is first shown, and when the
        keys rest) and draw them ahead. A mount lays the screen out once and writes nothing to the
        terminal (the rows below those shown: ``_Rows.refresh``, ``_Rows.bar_extent``,
        ``widgets/compositor.py``)."""
        self._spare_timer = None
        if not self.is_attached or self._closing:
            return
        self._show_scrollbar()
        if self._read_only or self.fixed_rows:
            return
        missing = self.spare_pool - len(self._spares)
        if missing > 0:
            self._mount_spare(missing)
        else:
            self._draw_spares_ahead()

    def _top_up_soon(self) -> None:
        """The line's frame is drawn: the top-up a moment later (:data:`TOP_UP_DELAY`), once the
        terminal writer has sent it (a thread of its own, which needs the interpreter back)."""
        self.set_timer(TOP_UP_DELAY, lambda: self._top_up())

    def _top_up(self) -> None:
        """Replace a used spare row (:data:`SPARE_STEP`), called once the frame of the Enter that
        ended a line is written: the cashier turns to the next item then (a scan or a code typed:
        the keys typed ahead go to the spares still mounted), and the mount's CPU (a row of cells
        made and styled, one arrangement of the screen) comes before them, not in a key's answer.
        Mounted while the keys rest (a fixed delay) it fell on the next keys instead: the Qty typed
        after an item's Enter."""
        if not self.is_attached or self._closing or self._read_only or self.fixed_rows:
            return
        missing = self.spare_pool - len(self._spares)
        if missing <= 0:
            return
        # The row and its cells mount as two awaits: the screen laid out after each (two arrangements
        # of every widget, ~10 ms more). Its frames are held until both are in: one layout.
        app, screen = self.app, self.screen
        hold = app.batch_update()
        hold.__enter__()
        try:
            mounts = self._mount_spare(min(missing, SPARE_STEP))
        except BaseException:
            hold.__exit__(None, None, None)
            raise

        async def mounted() -> None:
            try:
                for mount in mounts or ():
                    await mount
            finally:
                hold.__exit__(None, None, None)
                screen.check_idle()

        self._mounting = asyncio.get_running_loop().create_task(mounted())

    def _mount_spare(self, count: int = 1) -> list:
        box = self.query_one("#grid-rows", _Rows)
        if not box.is_attached or box._closing or box._pruning:  # the screen is going away
            return
        spares = [self._new_row(GridLine(), spare=True) for _ in range(count)]
        self._spares.extend(spares)
        mounts = [box.mount_all(spares)]
        for spare in spares:  # (in the same layout as the rows: one arrangement of the screen)
            if spare.is_attached:
                mounts.append(spare.attach_cells())
        self.call_after_refresh(self._draw_spares_ahead)
        return mounts

    def _draw_spares_ahead(self) -> None:
        """Draw the spare rows' lines now, while the keys rest, into each widget's line cache.

        A page turn shows up to a page of spare rows that were never on screen: drawn for
        the first time in the Enter's own frame, each cell computing its styles (~0.4 ms a
        widget: 20–30 ms for the rows a page turn shows). Drawn ahead, the turn takes their
        lines from the cache, as for the rows that were already shown. What is drawn is what
        Textual draws (its own ``render_lines``, cached per line until the widget changes); a
        few rows a call, so a key that arrives meanwhile waits a few ms at most."""
        if not self.is_attached or self._closing:
            return
        done = 0
        for row in self._spares:
            if row.drawn_ahead or not row.is_attached:
                continue
            widgets = [row, *row.widgets()]
            if not all(w.is_attached for w in widgets):
                continue
            if not row.outer_size.width or not row.outer_size.height:  # just mounted: not laid out yet
                if self._draw_ahead_tries < DRAW_AHEAD_TRIES:  # (a grid not shown: the next rest)
                    self._draw_ahead_tries += 1
                    self.set_timer(DRAW_AHEAD_PAUSE * 5, self._draw_spares_ahead)
                return
            self._draw_ahead_tries = 0
            for w in widgets:
                # the size the last layout gave it, less its gutter (``Widget.size`` asks the screen
                # for its place: a widget refreshed below the rows shown, a spare just mounted, has
                # Textual arrange the whole screen again to find it, ~5 ms)
                width, height = Region(0, 0, *w.outer_size).shrink(w.styles.gutter).size
                if height:
                    w.render_lines(Region(0, 0, width, height))
            row.drawn_ahead = True
            done += 1
            if done == DRAW_AHEAD_ROWS:
                self.set_timer(DRAW_AHEAD_PAUSE, self._draw_spares_ahead)
                return

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
        if widget is None:
            return None
        return next((node for node in widget.ancestors_with_self
                     if isinstance(node, GridRow) and node.grid is self), None)

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
        """A posted document's lines (:meth:`set_lines` with ``read_only``; :meth:`clear` ends it)."""
        return self._read_only

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
        """The rows as ``core.draft_line.DraftLine`` (as typed; the list price as None)."""
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
                              "qty": format_cell(src.qty, "qty"), "price": format_cell(src.price, "money"),
                              "discount_pct": format_cell(src.discount_pct or None, "pct"),
                              "flat_discount": format_cell(src.line_flat or None, "money")}
            else:  # a DraftLine (saved codes: resolved by reload_defaults)
                line.item = str(src.item or "").strip().upper()
                line.texts = {"item": str(src.item or ""), "batch": str(src.batch or ""),
                              "qty": as_text(src.qty), "price": as_text(src.price),
                              "discount_pct": "" if as_text(src.discount_pct) in ("", "0") else as_text(src.discount_pct),
                              "flat_discount": "" if as_text(src.flat_discount) in ("", "0", "0.00", "0,00") else as_text(src.flat_discount)}
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
                row.line.values[key] = parse_cell(row.cell(key), row.line.text(key))
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
        value = parse_cell(cell, text)
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
            shown = format_cell(value, "money") if value is not None else widget.value
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
            row.put("price", format_cell(defaults.price, "money"))
            if defaults.price is None:
                self.post_message(self.Failed(
                    self, _("Line {number}: {item} has no price in the price list: type the price").format(
                        number=row.number, item=defaults.item),
                    row.number, "price"))
        default_disc = getattr(defaults, "discount_pct", None)
        if (default_disc and "discount_pct" in row.cells and line.view is None
                and not line.text("discount_pct").strip()):
            row.put("discount_pct", format_cell(default_disc, "pct"))  # the customer's default Disc %
        self._ensure_trailing_blank()
        self._paint_info(row)
        if new_item and self.on_change is not None:
            self.on_change(row.number)  # the item just picked: its figures in this frame
        else:
            self.post_message(self.LinesChanged(self, row.number, by_user=False))
        if row is self._detail_row:
            self._show_detail(row)

    def convert_typed_prices(self, convert: Callable[[Decimal], Decimal]) -> list[tuple[int, str, Decimal, Decimal]]:
        """Put ``convert(amount)`` in every typed price cell and every line's flat discount (the
        currency or the rate changed): an amount typed in one currency is never kept as a number in
        the other. List prices reload with :meth:`reload_defaults`. Returns ``(row number, column,
        before, after)`` per converted cell."""
        changed: list[tuple[int, str, Decimal, Decimal]] = []
        for row in self._rows:
            line = row.line
            if line.view is not None:
                continue
            for key in ("price", "flat_discount"):
                before = line.values.get(key)
                if not before or (key == "price" and line.price_from_list):
                    continue
                after = money.q2(convert(before))
                row.put(key, format_cell(after, "money"))
                changed.append((row.number, key, before, after))
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
            return
        if len(self._spares) < self.spare_pool:
            # after this Enter's frame (:meth:`_top_up`); while the frames are held, Textual runs
            # "after refresh" callbacks before the frame: they are asked for when the hold ends
            if self._holding:
                self._top_up_after_frame = True
            else:
                self.call_after_refresh(self._top_up_soon)

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
            self._one_frame()
            self.screen.set_focus(widget, scroll_visible=False)
            row = self.row_of(widget)
            if row is not None:
                self.scroll_to_row(row)

    def _one_frame(self) -> None:
        """Draw what a focus move sets off in one frame, not two or three.

        A move restyles the cell left and the cell entered as each takes its Blur/Focus,
        the detail strip follows when the focus event has bubbled up to the grid, and the
        key footer when Textual refreshes the bindings after the move: each repaints as its
        own widget goes idle, and the screen drew whatever was ready at its next tick, the
        rest a tick (or more) later. The app's frames are held (``App.batch_update``) until
        the event loop has nothing left to run for this key, at most :data:`SETTLE_TURNS`
        turns, then drawn at once."""
        if self._holding or not self.is_attached:
            return
        app, screen = self.app, self.screen
        hold = app.batch_update()
        hold.__enter__()
        self._holding = True

        async def release() -> None:
            loop = asyncio.get_running_loop()
            try:
                for _turn in range(SETTLE_TURNS):
                    await asyncio.sleep(0)
                    if not getattr(loop, "_ready", True):  # (CPython) nothing else is ready: all done
                        break
            finally:
                self._holding = False
                hold.__exit__(None, None, None)
                screen.check_idle()  # the screen draws what is waiting
                if self._top_up_after_frame:
                    self._top_up_after_frame = False
                    self.call_after_refresh(self._top_up_soon)

        self._release = asyncio.get_running_loop().create_task(release())

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
        bottom.set(detail_bottom(row.line, self._asked_with_others(row.line)))

    def _asked_with_others(self, line: GridLine) -> tuple[Any, Any] | None:
        """What the document asks of ``line``'s item and batch over all its lines (the host's rule)."""
        rule = self.asked_together
        if rule is None or not line.item or getattr(line.defaults, "available_stock", None) is None:
            return None
        items, batches = rule((l.item, l.text("batch").strip().upper() or None, l.values.get("qty"))
                              for l in self.lines if l.item)
        return items.get(line.item), batches.get((line.item, line.text("batch").strip().upper()))

    def detail_text(self) -> tuple[str, str]:
        """The two detail lines as shown (tests)."""
        return (self.query_one("#grid-detail-1", Figure).text, self.query_one("#grid-detail-2", Figure).text)
