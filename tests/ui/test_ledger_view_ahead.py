"""The ledger view reads the next page while the manager looks at one, so PgDn shows it
without a round trip; a page read before the figures changed is never shown."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from textual.app import App, ComposeResult

from shopterm.widgets.ledger_view import Column, LedgerView, PageRequest, ViewPage, list_source
from tests.ui.waiting import wait_for


@dataclass(frozen=True)
class Row:
    key: int
    number: str


def rows(prefix: str, n: int = 60) -> list[Row]:
    return [Row(i, f"{prefix}{i:03d}") for i in range(n)]


class CountingSource:
    """A list source that counts the pages asked of it (from any thread)."""

    def __init__(self, data: list[Row]) -> None:
        self.fetch = list_source(data)
        self.asked: list[PageRequest] = []
        self.lock = threading.Lock()

    def __call__(self, request: PageRequest) -> ViewPage:
        with self.lock:
            self.asked.append(request)
        return self.fetch(request)


class ViewApp(App):
    def __init__(self, source: CountingSource) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        yield LedgerView([Column("number", "Number")], self.source, id="view")

    def on_mount(self) -> None:
        view = self.query_one(LedgerView)
        view.focus()
        view.first()


async def shown_and_read_ahead(pilot, app: ViewApp) -> tuple[LedgerView, int]:
    """Wait for the first page and the one after it read ahead; the view and its page size."""
    view = app.query_one(LedgerView)
    await wait_for(pilot, lambda: view.rows and view._ahead is not None, "first page and the next read ahead")
    return view, len(view.rows)


async def test_page_down_shows_the_page_read_ahead_at_once() -> None:
    source = CountingSource(rows("A"))
    app = ViewApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        view, per_page = await shown_and_read_ahead(pilot, app)
        assert [r.number for r in view.rows][:2] == ["A000", "A001"]
        assert len(source.asked) == 2  # the page shown and the one after it
        await pilot.press("pagedown")
        # no worker to wait for: the page is there when the key has been handled
        assert not view.fetching
        assert view.rows[0].number == f"A{per_page:03d}"
        assert view.page_number == 2
        assert view.rows == list(source.fetch(PageRequest(after=per_page - 1, limit=per_page)).rows)
        # and the one after that is read ahead in turn
        await wait_for(pilot, lambda: view._ahead is not None, "third page read ahead")
        await pilot.press("pagedown")
        assert view.rows[0].number == f"A{2 * per_page:03d}"
        await pilot.press("pageup")
        await wait_for(pilot, lambda: view.rows[0].number == f"A{per_page:03d}", "back one page")
        assert view.page_number == 2


async def test_a_page_read_before_new_figures_is_not_shown() -> None:
    source = CountingSource(rows("A"))
    app = ViewApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        view, per_page = await shown_and_read_ahead(pilot, app)
        # the figures change (a payment posted, other filters): the page read ahead is stale
        fresh = CountingSource(rows("B"))
        view.set_source(fresh)
        await wait_for(pilot, lambda: view.rows and view.rows[0].number == "B000", "the new first page")
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: view.rows and view.rows[0].number == f"B{per_page:03d}", "the new second page")
        assert all(r.number.startswith("B") for r in view.rows)


async def test_the_last_page_reads_nothing_ahead() -> None:
    source = CountingSource(rows("A", 5))
    app = ViewApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(LedgerView)
        await wait_for(pilot, lambda: len(view.rows) == 5, "the only page")
        await pilot.pause()
        assert view._ahead is None and len(source.asked) == 1
