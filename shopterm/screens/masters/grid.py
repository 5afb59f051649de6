"""A small entry grid for master rows: customer locations, slab and promotion ranges,
loyalty categories, the 12 target months, price update lines, stock receipt lines.

``EntryGrid(columns, field_name=..., label=...)``: one header line, then one
line of typed inputs per row, each with its S No::

     #  From         To           Disc %
     1  0            99           0
     2  100          499          3

* Enter moves to the next cell (the screen's form navigation). A grid that
  takes new rows always ends with a blank row: typing in it adds the next
  blank one, so Enter from a row's last cell goes straight to a new row, even
  with keys typed ahead (``fixed`` grids — the 12 months — have no new rows).
* The screen's F8 (``delete_row``) deletes the row holding the focus
  (:meth:`delete_row_of`); the last row left is cleared instead.
* F2 on a reference cell opens the lookup (the cell is a ``RefInput``).
* ``auto`` columns are read-only values the screen fills (unit, current price…)
  with :meth:`set_cell`.
* :meth:`values` gives the rows as ``{column: text}`` (blank rows left out);
  :class:`EntryGrid.Changed` is posted on every keystroke in a cell.

Errors naming the grid's ``field_name`` focus it; ``row N`` in the message
focuses row N (:meth:`focus_row`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Static
from shopterm.core.i18n import _
from shopterm.widgets.inputs import DateInput
from shopterm.widgets.messages import ControlMessage

__all__ = ["EntryGrid", "GridCol", "GridRow", "row_number_in", "sent_text"]

_ROW_RE = re.compile(r"\b(?:rows?|lines?) (\d+)(?: and (\d+))?\b", re.IGNORECASE)


def row_number_in(message: str) -> int | None:
    """``row 2: …`` / ``Line 2: …`` → 2; ``rows 1 and 3 overlap`` → 3 (the later row); else None."""
    m = _ROW_RE.search(message or "")
    if not m:
        return None
    return int(m.group(2) or m.group(1))


def sent_text(widget: Input) -> str:
    """What a field sends to the services: its text as typed, but a date as ISO ``YYYY-MM-DD``
    (the services read ISO; a French reader types and sees 06/12/2026)."""
    if isinstance(widget, DateInput):
        typed = widget.date_value
        if typed is not None:
            return typed.isoformat()
    return widget.value.strip()


@dataclass(frozen=True)
class GridCol:
    """A grid column: ``name`` (the service's key), ``label``, ``kind`` (as a form field), ``width``."""

    name: str
    label: str
    kind: str = "text"
    width: int = 10
    lookup: str | None = None
    align: str = "<"
    choices: tuple[tuple[str, str], ...] = ()


class GridRow(Horizontal):
    """One row: its S No and one widget per column."""

    def __init__(self, grid: "EntryGrid", label: str | None = None) -> None:
        super().__init__(classes="eg-row")
        self.grid = grid
        self.label = label
        self.cells: dict[str, Widget] = {}
        for col in grid.columns:
            widget = grid.make_cell(col, self)
            widget.styles.width = col.width
            self.cells[col.name] = widget

    def compose(self) -> ComposeResult:
        yield Static("", classes="eg-sno", markup=False)
        if self.label is not None:
            yield Static(_(self.label), classes="eg-fixed", markup=False)
        yield from self.cells.values()

    @property
    def inputs(self) -> list[Widget]:
        return [w for w in self.cells.values() if w.focusable or isinstance(w, Input)]

    def set_number(self, n: int) -> None:
        self.query_one(".eg-sno", Static).update(f"{n:>2}")

    def is_blank(self) -> bool:
        return all(not w.value.strip() for w in self.cells.values() if isinstance(w, Input))


class EntryGrid(Vertical):
    """Rows of typed cells (module docstring)."""

    class Changed(ControlMessage["EntryGrid"]):
        """A cell of ``row`` (0-based) changed: ``column`` is its name."""

        def __init__(self, grid: "EntryGrid", row: int, column: str) -> None:
            super().__init__(grid)
            self.row = row
            self.column = column

        @property
        def grid(self) -> EntryGrid:
            return self.control

    def __init__(
        self,
        columns: Sequence[GridCol],
        *,
        field_name: str,
        label: str,
        fixed: Sequence[str] | None = None,
        fixed_label: str = "",
        fixed_width: int = 10,
        id: str | None = None,
        classes: str = "",
        cell_factory: Any = None,
    ) -> None:
        super().__init__(id=id, classes=f"entry-grid {classes}".strip())
        self.columns = list(columns)
        self.field_name = field_name
        self.label = label
        self.fixed = list(fixed) if fixed is not None else None
        self.fixed_label = fixed_label
        self.fixed_width = fixed_width
        self._cell_factory = cell_factory
        self._adding = False

    # -- building ------------------------------------------------------------

    def make_cell(self, col: GridCol, row: GridRow) -> Widget:
        if self._cell_factory is None:  # pragma: no cover - the screens always give one
            return Input(classes="eg-cell")
        widget = self._cell_factory(col, self)
        widget.add_class("eg-cell")
        if col.align == ">":
            widget.add_class("eg-num")
        return widget

    def compose(self) -> ComposeResult:
        yield Static(self._header(), classes="eg-header", markup=False)
        yield Vertical(classes="eg-rows")

    def _header(self) -> Text:
        text = Text(no_wrap=True, style="bold")
        text.append(" # ")
        if self.fixed is not None:
            text.append(f"{_(self.fixed_label):<{self.fixed_width}} ")
        for col in self.columns:
            label = _(col.label)[: col.width]
            text.append((f"{label:>{col.width}}" if col.align == ">" else f"{label:<{col.width}}") + " ")
        return text

    @property
    def rows_box(self) -> Vertical:
        return self.query_one(".eg-rows", Vertical)

    def on_mount(self) -> None:
        if self.fixed is not None:
            self.rows_box.mount_all([GridRow(self, label) for label in self.fixed])
        else:
            self.rows_box.mount(GridRow(self))
        self.call_after_refresh(self._renumber)

    @property
    def rows(self) -> list[GridRow]:
        return list(self.rows_box.query_children(GridRow))

    def _renumber(self) -> None:
        for i, row in enumerate(self.rows, start=1):
            row.set_number(i)

    @property
    def can_add(self) -> bool:
        return self.fixed is None

    # -- values ----------------------------------------------------------------

    def values(self, *, keep_blank: bool | None = None) -> list[dict[str, Any]]:
        """Each row as ``{column: value}`` (text for inputs, the value of a choice); blank rows left out."""
        keep = self.fixed is not None if keep_blank is None else keep_blank
        out = []
        for row in self.rows:
            if not keep and row.is_blank():
                continue
            values: dict[str, Any] = {}
            for col in self.columns:
                widget = row.cells[col.name]
                if col.kind == "auto":
                    continue
                values[col.name] = sent_text(widget) if isinstance(widget, Input) else getattr(widget, "value", "")
            out.append(values)
        return out

    async def set_rows(self, rows: Sequence[dict[str, Any]], *, formatter: Any = None) -> None:
        """Replace the rows (a fixed grid keeps its rows and takes the values in order).

        A grid that takes new rows always ends with a blank one, so Enter from the
        last cell moves straight into it (keys typed ahead land there too).
        """
        if self.fixed is None:
            await self.rows_box.remove_children()
            new = [GridRow(self) for _ in range(len(rows) + 1)]
            await self.rows_box.mount_all(new)
        targets = self.rows
        for i, row in enumerate(targets):
            values = rows[i] if i < len(rows) else {}
            for col in self.columns:
                self._put(row.cells[col.name], col, values.get(col.name), formatter)
        self._renumber()

    def _put(self, widget: Widget, col: GridCol, value: Any, formatter: Any) -> None:
        text = formatter(col.kind, value) if formatter is not None else ("" if value is None else str(value))
        if isinstance(widget, Input):
            widget.value = text
        elif col.kind in ("choice", "flag"):
            if text:
                widget.value = text  # type: ignore[attr-defined]
        elif hasattr(widget, "set"):
            widget.set(text)  # type: ignore[attr-defined]

    def set_cell(self, row: int, name: str, text: str) -> None:
        """Fill a cell (an auto value, or a computed input) of row ``row`` (0-based)."""
        rows = self.rows
        if not 0 <= row < len(rows):
            return
        widget = rows[row].cells[name]
        if isinstance(widget, Input):
            if widget.value != text:
                widget.value = text
        elif hasattr(widget, "set"):
            widget.set(text)  # type: ignore[attr-defined]

    def cell(self, row: int, name: str) -> Widget | None:
        rows = self.rows
        return rows[row].cells.get(name) if 0 <= row < len(rows) else None

    # -- rows ------------------------------------------------------------------

    def row_of(self, widget: Widget | None) -> GridRow | None:
        node = widget
        while node is not None and node is not self:
            if isinstance(node, GridRow) and node.grid is self:
                return node
            node = node.parent  # type: ignore[assignment]
        return None

    def index_of(self, widget: Widget | None) -> int | None:
        row = self.row_of(widget)
        return self.rows.index(row) if row is not None else None

    def is_last_cell(self, widget: Widget) -> bool:
        row = self.row_of(widget)
        if row is None or row is not self.rows[-1]:
            return False
        inputs = row.inputs
        return bool(inputs) and inputs[-1] is widget

    async def add_row(self, values: dict[str, Any] | None = None, *, focus: bool = True, formatter: Any = None) -> GridRow:
        row = GridRow(self)
        await self.rows_box.mount(row)
        if values:
            for col in self.columns:
                self._put(row.cells[col.name], col, values.get(col.name), formatter)
        self._renumber()
        if focus and row.inputs:
            row.inputs[0].focus()
        return row

    async def delete_row_of(self, widget: Widget | None) -> bool:
        """F8: delete the row holding ``widget`` (clear it when it is the only one)."""
        row = self.row_of(widget)
        if row is None or self.fixed is not None:
            return False
        rows = self.rows
        index = rows.index(row)
        if len(rows) == 1 or (row is rows[-1] and row.is_blank()):
            for w in row.cells.values():
                if isinstance(w, Input):
                    w.value = ""
                elif hasattr(w, "set"):
                    w.set("")  # type: ignore[attr-defined]
            if row.inputs:
                row.inputs[0].focus()
            return True
        target = rows[index + 1] if index + 1 < len(rows) else rows[index - 1]
        if target.inputs:
            target.inputs[0].focus()
        await row.remove()
        self._renumber()
        return True

    def focus_row(self, n: int | None = None, column: str | None = None) -> None:
        """Focus row ``n`` (1-based; default the first row): its ``column`` cell, else its first cell."""
        rows = self.rows
        if not rows:
            return
        i = min(max((n or 1) - 1, 0), len(rows) - 1)
        cell = rows[i].cells.get(column) if column else None
        if cell is not None and cell.focusable:
            cell.focus()
            cell.add_class("-error")
        elif rows[i].inputs:
            rows[i].inputs[0].focus()

    @property
    def focusable(self) -> bool:  # type: ignore[override]
        return False

    @on(Input.Changed)
    def _cell_changed(self, event: Input.Changed) -> None:
        row = self.row_of(event.input)
        if row is None:
            return
        rows = self.rows
        name = next((n for n, w in row.cells.items() if w is event.input), None)
        if name is not None:
            self.post_message(self.Changed(self, rows.index(row), name))
        if self.can_add and row is rows[-1] and not row.is_blank() and not self._adding:
            self._adding = True
            self.call_later(self._add_spare)

    async def _add_spare(self) -> None:
        """Keep a blank row at the end."""
        try:
            rows = self.rows
            if rows and not rows[-1].is_blank():
                await self.add_row(focus=False)
        finally:
            self._adding = False
