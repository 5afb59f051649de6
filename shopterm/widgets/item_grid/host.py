"""The mixin of a screen that hosts item grids."""

from __future__ import annotations

from shopterm.widgets.item_grid.cells import GridRow
from shopterm.widgets.item_grid.grid import ItemGrid
from shopterm.widgets.totals_footer import CompactChoice


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
