"""The item grid's rows and cells take the styles Textual's own stylesheet matching gives them,
though each column's are matched once and shared (widgets/shared_rules.py)."""

from __future__ import annotations

from shopterm.app import STYLESHEET
from shopterm.widgets import shared_rules
from shopterm.widgets.item_grid import SPARE_POOL, ItemGrid
from tests.ui.test_compositor import look_of
from tests.ui.test_item_grid import SIZE, Host
from tests.ui.waiting import wait_grid_at_rest, wait_until


class Styled(Host):  # the grid as the app draws it (its stylesheet)
    CSS_PATH = str(STYLESHEET)


async def test_rows_and_cells_look_as_textuals_own_matching_makes_them():
    app = Styled()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        grid.query_one("#grid-rows").styles.height = 5
        grid.spare_pool = SPARE_POOL
        await wait_grid_at_rest(pilot, grid)
        for n in range(1, 8):  # seven lines: page turns, spare rows used and replaced
            await pilot.press(*"BAND01", "enter")
            await wait_until(pilot, lambda: grid.lines[n - 1].defaults is not None)
            await pilot.press("1", "tab", "tab", "tab", "tab")
            await wait_until(pilot, lambda: screen.focused is grid.cell(n + 1, "item"))
            await wait_grid_at_rest(pilot, grid)
        await pilot.press("up", "up")  # the focus on line 6
        await wait_until(pilot, lambda: screen.focused is grid.cell(6, "item"))
        await wait_grid_at_rest(pilot, grid)
        await pilot.pause()

        stylesheet = app.stylesheet
        shared = stylesheet._shared_rules
        widgets = [w for row in grid._rows + grid._spares for w in (row, *row.widgets())]
        assert len(widgets) > 80
        assert 0 < len(shared) < len(widgets) / 2  # once per column and state (parts too), not per cell
        looks = {w: look_of(w) for w in widgets}
        assert looks[grid.cell(6, "item")] != looks[grid.cell(5, "item")]  # (the focused cell differs)
        del stylesheet.apply, stylesheet.replace_rules  # Textual's own matching from here
        for w in widgets:
            stylesheet.apply(w)
        assert {w: look_of(w) for w in widgets} == looks


async def test_a_new_parse_of_the_stylesheet_starts_an_empty_cache():
    app = Styled()
    async with app.run_test(size=SIZE) as pilot:
        grid = app.screen.query_one(ItemGrid)
        await wait_grid_at_rest(pilot, grid)
        shared = app.stylesheet._shared_rules
        kept = len(shared)
        assert kept > 2
        app.stylesheet.reparse()  # (what a theme's new variables do)
        shared_rules.install(app)  # (installed once: kept)
        app.stylesheet.apply(grid._spares[0])  # a spare row and its part (the line number's style)
        assert len(shared) == 2
