"""A paged ledger view: one screenful of rows from SQL at a time (DESIGN §14).

``LedgerView(columns, fetch, *, backward=True, detail=None, status=None, markable=False)``

* ``columns`` — :class:`Column` s: what each cell shows (``get(row) -> str``),
  its title, alignment and *priority*. The view sizes every column to its
  title and the widest value seen, then shows the columns that fit the width
  (lowest priority number first, in their declared order); the others are
  shown for the selected row in the detail line, as ``Title value``. So a
  ledger fits 80 columns and a wider terminal shows more.
* ``fetch(request: PageRequest) -> ViewPage`` — runs in a worker thread and
  returns one page of rows. ``request.limit`` is the number of rows that fit;
  ``request.after`` (a key: rows strictly after it), ``request.before`` (the
  page that ends just before it) or ``request.last`` (the last page). A source
  that can only page forward (``backward=False``) never gets ``before`` or
  ``last``: the view remembers where each page started (PageUp goes back) and
  End walks forward in the worker, keeping only the last page.
* ``detail(row) -> str`` — the selected row's detail line (what does not fit);
  ``status(view) -> str`` — the last line (page, totals).

Keys (the view must have the focus): ↑/↓ move (the next or previous page is
fetched at the edge), PgDn/PgUp a page, Home/End the first/last page, Enter
posts :class:`LedgerView.Selected`, Space marks/unmarks the row when
``markable`` (posts :class:`LedgerView.MarksChanged`; ``can_mark(row)`` may refuse with a
reason: :class:`MarkRefused`). Messages:
:class:`Highlighted`, :class:`PageLoaded`, :class:`LoadFailed`.

The widget draws with Textual's line API: moving the cursor repaints the two
rows concerned and the detail line, not the whole view; a new page repaints
the view. Nothing but the current page is held (``view.rows``); marks are
kept by row id (``row_id(row)``) with the row itself, so they survive paging.
The cursor row is shown with ``>`` and marked rows with ``*``: no colour
needed.
"""

from __future__ import annotations

import textwrap
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from shopterm.core.i18n import N_, _, pgettext
from shopterm.core.money import format_amount
from shopterm.widgets.messages import ControlMessage
from shopterm.widgets.workers import run_in_thread

__all__ = [
    "Column",
    "LedgerView",
    "PageRequest",
    "ViewPage",
    "fmt_money",
    "list_source",
]

#: How far End may walk a forward-only source (pages of ``WALK_LIMIT`` rows).
WALK_LIMIT = 500
MAX_PENDING = 32


def fmt_money(value: Decimal | None, *, blank_zero: bool = False) -> str:
    """``1234.5`` → ``1,234.50``; None (and zero with ``blank_zero``) → ``""``."""
    if value is None or (blank_zero and value == 0):
        return ""
    return format_amount(value)


@dataclass(frozen=True)
class Column:
    """One column of the view.

    key: an id (also the row attribute read when ``get`` is not given).
    title: the heading (put the currency in it: ``"Debit USD"``).
    get: ``get(row) -> str``; default ``str(getattr(row, key))``.
    align: ``"left"`` or ``"right"`` (amounts).
    min_width: at least this wide (the title's width is always a minimum).
    max_width: longer values are cut with ``…``.
    priority: lower is more important; the least important columns move to
        the detail line first when the width is short.
    flex: takes the width left over (a name).
    context: the title's gettext context, where the same English word reads
        differently elsewhere ("Match": a column of match ids, not the key's verb).
    """

    key: str
    title: str
    get: Callable[[Any], str] | None = None
    align: str = "left"
    min_width: int = 0
    max_width: int = 40
    priority: int = 5
    flex: bool = False
    context: str | None = None

    @property
    def heading(self) -> str:
        """The title in the reader's language."""
        return pgettext(self.context, self.title) if self.context else _(self.title)

    def cell(self, row: Any) -> str:
        if self.get is not None:
            value = self.get(row)
        else:
            value = getattr(row, self.key, "")
        return "" if value is None else str(value)


@dataclass(frozen=True)
class PageRequest:
    after: Any = None
    before: Any = None
    last: bool = False
    limit: int = 20


@dataclass(frozen=True)
class ViewPage:
    """What ``fetch`` returns: the rows, and the keys to go on from.

    ``next_key``: pass as ``after`` for the next page (None: this is the
    last); ``prev_key``: pass as ``before`` for the previous page (None: this
    is the first; a forward-only source leaves it None). ``info``: anything
    the screen wants back (opening balance, totals).
    """

    rows: tuple[Any, ...]
    next_key: Any = None
    prev_key: Any = None
    info: Any = None


def list_source(rows: Sequence[Any]) -> Callable[[PageRequest], ViewPage]:
    """A ``fetch`` over rows already in memory (a short report): keys are indexes."""
    data = list(rows)

    def fetch(req: PageRequest) -> ViewPage:
        n = len(data)
        if req.last:
            start = max(0, n - req.limit)
        elif req.before is not None:
            start = max(0, req.before - req.limit)
        elif req.after is not None:
            start = req.after + 1
        else:
            start = 0
        end = min(n, start + req.limit)
        if req.before is not None and not req.last:
            end = min(n, req.before)
        page = tuple(data[start:end])
        return ViewPage(page, end - 1 if end < n and page else None, start if start > 0 and page else None)

    return fetch


def _default_row_id(row: Any) -> Any:
    key = getattr(row, "key", None)
    return key if key is not None else id(row)


def _default_row_key(row: Any) -> Any:
    return getattr(row, "key", None)


@dataclass
class _Load:
    request: PageRequest
    cursor: str  # "keep", "first", "last"
    walk: bool = False  # End on a forward-only source
    token: int = 0


@dataclass
class _Layout:
    columns: list[Column] = field(default_factory=list)  # shown, in order
    widths: dict[str, int] = field(default_factory=dict)
    hidden: list[Column] = field(default_factory=list)


class _ViewMessage(ControlMessage["LedgerView"]):
    """A message from a :class:`LedgerView` (``control`` is the view)."""


class LedgerView(Widget, can_focus=True):
    """A paged, keyboard-driven ledger (see the module docstring)."""

    DEFAULT_CSS = """
    LedgerView {
        height: 1fr;
        width: 1fr;
    }
    LedgerView > .ledger-view--header { text-style: bold underline; }
    LedgerView > .ledger-view--cursor { background: $primary-muted; text-style: bold; }
    LedgerView:focus > .ledger-view--cursor { background: $primary; text-style: bold; }
    LedgerView > .ledger-view--marked { text-style: bold; }
    LedgerView > .ledger-view--detail { color: $text-muted; }
    LedgerView > .ledger-view--status { color: $text-muted; text-style: italic; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "ledger-view--header",
        "ledger-view--cursor",
        "ledger-view--marked",
        "ledger-view--detail",
        "ledger-view--status",
    }

    BINDINGS = [
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("pagedown", "page(1)", N_("Page"), show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("home", "first", show=False),
        Binding("end", "last", show=False),
        Binding("enter", "select", N_("Open"), id="ledger.open", show=False),
        Binding("space", "mark", N_("Mark"), id="ledger.mark", key_display="Spc"),
    ]

    # -- messages ------------------------------------------------------------------
    # Each carries the view (``control``) and one value; handlers are matched by exact type.

    class Highlighted(_ViewMessage):
        """The cursor moved to ``row``."""

        def __init__(self, view: "LedgerView", row: Any) -> None:
            super().__init__(view)
            self.row = row

    class Selected(Highlighted):
        """Enter on ``row``."""

    class MarkRefused(Highlighted):
        """Space on a row that cannot be marked (``can_mark`` gave the ``reason``)."""

        def __init__(self, view: "LedgerView", row: Any, reason: str) -> None:
            super().__init__(view, row)
            self.reason = reason

    class PageLoaded(_ViewMessage):
        def __init__(self, view: "LedgerView", page: ViewPage) -> None:
            super().__init__(view)
            self.page = page

    class LoadFailed(_ViewMessage):
        def __init__(self, view: "LedgerView", error: BaseException) -> None:
            super().__init__(view)
            self.error = error

    class MarksChanged(_ViewMessage):
        def __init__(self, view: "LedgerView", marked: dict[Any, Any]) -> None:
            super().__init__(view)
            self.marked = marked

    # -- construction --------------------------------------------------------------

    def __init__(
        self,
        columns: Sequence[Column],
        fetch: Callable[[PageRequest], ViewPage] | None = None,
        *,
        backward: bool = True,
        detail: Callable[[Any], str] | None = None,
        status: Callable[["LedgerView"], str] | None = None,
        row_id: Callable[[Any], Any] | None = None,
        row_key: Callable[[Any], Any] | None = None,
        markable: bool = False,
        can_mark: Callable[[Any], str | None] | None = None,
        detail_lines: int = 2,
        empty_text: str = N_("Nothing to show."),
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = list(columns)
        self._fetch = fetch
        self.backward = backward
        self._detail = detail
        self._status = status
        self.row_id = row_id or _default_row_id
        self.row_key = row_key or _default_row_key
        self._first_waiting = False
        self.markable = markable
        self.can_mark = can_mark
        self.detail_lines = detail_lines
        self._empty_text = empty_text
        self.rows: list[Any] = []
        self.page: ViewPage | None = None
        self.cursor = 0
        self.page_number = 0  # 1 = first page; 0 = not known (after End)
        self.marked: dict[Any, Any] = {}
        self.fetching = False
        self.error: str | None = None
        self._request: PageRequest | None = None  # the request that gave the current page
        self._starts: list[PageRequest] = []  # forward-only: requests of the pages before this one
        self._pending: deque[tuple[str, int]] = deque()
        self._token = 0
        #: the page after the one shown, read while the manager looks at this one:
        #: (token of the load it follows, its request, the page). PgDn/↓ at the edge shows it
        #: without a round trip; any other load (filters, reload, End) makes it stale.
        self._ahead: tuple[int, PageRequest, ViewPage] | None = None
        self._widths: dict[str, int] = {}
        self._layout = _Layout()
        self._limit = 0
        self.fetch_count = 0  # pages fetched (tests, benchmarks)

    # -- public API ----------------------------------------------------------------

    @property
    def empty_text(self) -> str:
        """What the view says when there are no rows (e.g. "Reading…" while a report is computed)."""
        return self._empty_text

    @empty_text.setter
    def empty_text(self, text: str) -> None:
        self._empty_text = text
        if not self.rows and self.size.height:
            self.refresh(Region(0, 1, self.size.width, 1))

    @property
    def row_count(self) -> int:
        """How many rows fit (the page size)."""
        return max(1, self.size.height - 2 - self.detail_lines) if self.size.height else 10

    @property
    def cursor_row(self) -> Any:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    @property
    def shown_info(self) -> Any:
        """The report figures of the page shown (``ViewPage.info``), or None while no row is shown."""
        page = self.page
        return page.info if page is not None and self.rows else None

    @property
    def has_next(self) -> bool:
        return self.page is not None and self.page.next_key is not None

    @property
    def has_previous(self) -> bool:
        if self.page is None:
            return False
        if self.backward:
            return self.page.prev_key is not None
        return bool(self._starts)

    def set_source(self, fetch: Callable[[PageRequest], ViewPage], *, backward: bool = True,
                   keep_marks: bool = False, keep_position: bool = False) -> None:
        """A new query (other filters, another customer): start again at the first page
        (``keep_position``: the same figures read again, stay on the page shown)."""
        self._fetch = fetch
        self.backward = backward
        if not keep_marks and self.marked:
            self.marked = {}
            self.post_message(self.MarksChanged(self, {}))
        if keep_position and self._request is not None:
            self.reload()
            return
        self._widths = {}
        self.first()

    def first(self) -> None:
        """Load the first page."""
        self._starts = []
        self._pending.clear()
        self.page_number = 1
        if not self.size.height:
            self._first_waiting = True  # loaded once the size (the page size) is known
            return
        self._load(_Load(PageRequest(limit=self._page_limit()), "first"))

    def reload(self) -> None:
        """Fetch the current page again (after a change), keeping the cursor where it was."""
        if self._request is None:
            self.first()
            return
        self._load(_Load(replace(self._request, limit=self._page_limit()), "keep"))

    def clear_marks(self) -> None:
        if self.marked:
            self.marked = {}
            self.refresh()
            self.post_message(self.MarksChanged(self, {}))

    def visible_text(self) -> str:
        """The view as plain text, one line per screen line (tests)."""
        return "\n".join(self.render_line(y).text.rstrip() for y in range(self.size.height))

    def row_texts(self) -> list[str]:
        """The shown rows as plain text (tests)."""
        layout = self._layout
        return [self._row_text(r, layout) for r in self.rows]

    # -- loading ---------------------------------------------------------------------

    def _page_limit(self) -> int:
        return self.row_count

    def _load(self, load: _Load) -> None:
        if self._fetch is None:
            return
        self._token += 1
        load.token = self._token
        self.fetching = True
        self.error = None
        self._refresh_status()
        fetch = self._fetch

        run_in_thread(self, lambda: self._walk(fetch, load) if load.walk else fetch(load.request),
                      lambda page: self._loaded(load, page), lambda exc: self._failed(load, exc),  # shown by the screen
                      group="ledger-view", exclusive=True)

    def _walk(self, fetch: Callable[[PageRequest], ViewPage], load: _Load) -> ViewPage:
        """End on a forward-only source: step through in big pages, keep the last screenful."""
        limit = load.request.limit
        after = load.request.after
        tail: list[Any] = []
        page = fetch(PageRequest(after=after, limit=WALK_LIMIT))
        while True:
            tail = (tail + list(page.rows))[-(limit * 2):]
            if page.next_key is None:
                break
            page = fetch(PageRequest(after=page.next_key, limit=WALK_LIMIT))
        rows = tail[-limit:] if tail else []
        # where the last page starts: after the row before it
        before_rows = tail[: len(tail) - len(rows)]
        start_key = self._key_of(before_rows[-1]) if before_rows else after
        load.request = PageRequest(after=start_key, limit=limit)
        return ViewPage(tuple(rows), None, None, page.info)

    def _key_of(self, row: Any) -> Any:
        return self.row_key(row)

    def _loaded(self, load: _Load, page: ViewPage) -> None:
        if load.token != self._token:
            return
        self.fetching = False
        self.fetch_count += 1
        if load.walk:
            self.page_number = 0
        self._request = load.request
        self.page = page
        old = self.cursor
        self.rows = list(page.rows)
        # a marked row shown again: keep its freshest figures
        for r in self.rows:
            rid = self.row_id(r)
            if rid in self.marked:
                self.marked[rid] = r
        if load.cursor == "first":
            self.cursor = 0
        elif load.cursor == "last":
            self.cursor = max(0, len(self.rows) - 1)
        else:
            self.cursor = min(old, max(0, len(self.rows) - 1))
        self._relayout()
        self.refresh()
        self.post_message(self.PageLoaded(self, page))
        if self.rows:
            self.post_message(self.Highlighted(self, self.cursor_row))
        self._run_pending()
        if not self.fetching:
            self._read_ahead()

    def _read_ahead(self) -> None:
        """Read the next page in the background, so PgDn shows it at once."""
        self._ahead = None
        page, fetch = self.page, self._fetch
        if page is None or page.next_key is None or fetch is None:
            return
        token = self._token
        request = PageRequest(after=page.next_key, limit=self._page_limit())

        def keep(ahead: ViewPage) -> None:
            if token == self._token:
                self._ahead = (token, request, ahead)

        run_in_thread(self, lambda: fetch(request), keep, lambda exc: None,  # the real load says why
                      group="ledger-view-ahead", exclusive=True)

    def _failed(self, load: _Load, exc: BaseException) -> None:
        if load.token != self._token:
            return
        self.fetching = False
        self._pending.clear()
        from shopterm.widgets.messages import describe_error

        self.error = describe_error(exc)[0]
        self.refresh()
        self.post_message(self.LoadFailed(self, exc))

    def _run_pending(self) -> None:
        while self._pending and not self.fetching:
            name, arg = self._pending.popleft()
            getattr(self, f"_do_{name}")(arg)

    def _queue(self, name: str, arg: int = 0) -> None:
        if self.fetching:
            if len(self._pending) < MAX_PENDING:
                self._pending.append((name, arg))
            return
        getattr(self, f"_do_{name}")(arg)

    # -- navigation ------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self._queue("move", delta)

    def action_page(self, delta: int) -> None:
        self._queue("page", delta)

    def action_first(self) -> None:
        self._queue("first")

    def action_last(self) -> None:
        self._queue("last")

    def _do_first(self, _arg: int = 0) -> None:
        self.first()

    def _do_last(self, _arg: int = 0) -> None:
        if self.page is not None and self.page.next_key is None and self.rows:
            self._set_cursor(len(self.rows) - 1)
            return
        limit = self._page_limit()
        if self.backward:
            self.page_number = 0
            self._starts = []
            self._load(_Load(PageRequest(last=True, limit=limit), "last"))
        else:
            if self._request is not None:
                self._starts.append(self._request)
            after = self.page.next_key if self.page is not None else None
            self._load(_Load(PageRequest(after=after, limit=limit), "last", walk=True))

    def _do_move(self, delta: int) -> None:
        target = self.cursor + delta
        if 0 <= target < len(self.rows):
            self._set_cursor(target)
        elif target >= len(self.rows) and self.has_next:
            self._next_page("first")
        elif target < 0 and self.has_previous:
            self._previous_page("last")

    def _do_page(self, delta: int) -> None:
        if delta > 0:
            if self.has_next:
                self._next_page("keep")
            elif self.rows:
                self._set_cursor(len(self.rows) - 1)
        else:
            if self.has_previous:
                self._previous_page("keep")
            elif self.rows:
                self._set_cursor(0)

    def _next_page(self, cursor: str) -> None:
        assert self.page is not None
        if self._request is not None:
            self._starts.append(self._request)
        if self.page_number:
            self.page_number += 1
        request = PageRequest(after=self.page.next_key, limit=self._page_limit())
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == self._token and ahead[1] == request:
            self._token += 1
            self._loaded(_Load(request, cursor, token=self._token), ahead[2])
            return
        self._load(_Load(request, cursor))

    def _previous_page(self, cursor: str) -> None:
        assert self.page is not None
        if self.page_number > 1:
            self.page_number -= 1
        if self.backward:
            self._load(_Load(PageRequest(before=self.page.prev_key, limit=self._page_limit()), cursor))
        else:
            request = self._starts.pop()
            self._load(_Load(replace(request, limit=self._page_limit()), cursor))

    def _set_cursor(self, index: int) -> None:
        if index == self.cursor:
            return
        old = self.cursor
        self.cursor = index
        width = self.size.width
        self.refresh(Region(0, 1 + old, width, 1), Region(0, 1 + index, width, 1), self._detail_region())
        self.post_message(self.Highlighted(self, self.cursor_row))

    def _detail_region(self) -> Region:
        return Region(0, 1 + self.row_count, self.size.width, self.detail_lines)

    def action_select(self) -> None:
        if self.fetching:
            return
        row = self.cursor_row
        if row is not None:
            self.post_message(self.Selected(self, row))

    def action_mark(self) -> None:
        if not self.markable or self.fetching:
            return
        row = self.cursor_row
        if row is None:
            return
        rid = self.row_id(row)
        if rid in self.marked:
            del self.marked[rid]
        else:
            reason = self.can_mark(row) if self.can_mark is not None else None
            if reason:
                self.post_message(self.MarkRefused(self, row, reason))
                return
            self.marked[rid] = row
        width = self.size.width
        self.refresh(Region(0, 1 + self.cursor, width, 1))
        self.post_message(self.MarksChanged(self, dict(self.marked)))
        if self.cursor + 1 < len(self.rows):
            self._set_cursor(self.cursor + 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "mark":
            return self.markable
        return True

    # -- size and layout ---------------------------------------------------------------

    def on_mount(self) -> None:
        if self._fetch is not None and self._request is None and not self.fetching:
            self.first()  # a source given at construction: show its first page

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()
        limit = self._page_limit()
        if self._first_waiting and self.size.height:
            self._first_waiting = False
            self.first()
        elif self._request is not None and limit != self._limit:
            self.reload()
        self._limit = limit
        self.refresh()

    def _relayout(self) -> None:
        for c in self.columns:
            width = max(cell_len(c.heading), c.min_width, self._widths.get(c.key, 0))
            for r in self.rows:
                width = max(width, min(c.max_width, cell_len(c.cell(r))))
            self._widths[c.key] = width
        total = self.size.width or 80
        avail = total - 2  # the cursor and mark characters
        chosen: list[Column] = []
        used = 0
        for c in sorted(self.columns, key=lambda c: c.priority):
            need = (self._widths[c.key] if not c.flex else max(c.min_width, 4)) + (1 if chosen else 0)
            if used + need <= avail:
                chosen.append(c)
                used += need
        shown = [c for c in self.columns if c in chosen]
        widths = {c.key: self._widths[c.key] for c in shown}
        flex = [c for c in shown if c.flex]
        if flex:
            spare = avail - used
            for c in flex:
                widths[c.key] = max(c.min_width, 4) + spare // len(flex)
        self._layout = _Layout(shown, widths, [c for c in self.columns if c not in chosen])

    # -- drawing ---------------------------------------------------------------------

    def _cells(self, values: list[str], layout: _Layout) -> str:
        parts = []
        for c, v in zip(layout.columns, values):
            w = layout.widths[c.key]
            if cell_len(v) > w:
                v = set_cell_size(v, w - 1) + "…" if w > 1 else v[:w]
            parts.append(v.rjust(w) if c.align == "right" else set_cell_size(v, w))
        return " ".join(parts)

    def _row_text(self, row: Any, layout: _Layout) -> str:
        return self._cells([c.cell(row) for c in layout.columns], layout)

    def _style(self, name: str | None = None) -> Style:
        base = self.rich_style
        if name is None:
            return base
        return base + self.get_component_rich_style(name, partial=True)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        rows = self.row_count
        layout = self._layout
        if y == 0:
            # Column titles are marked with N_ where declared, read in the user's language here.
            text = "  " + self._cells([c.heading for c in layout.columns], layout)
            return self._strip(text, width, self._style("ledger-view--header"))
        if 1 <= y <= rows:
            i = y - 1
            if i >= len(self.rows):
                if i == 0 and not self.rows:
                    msg = _("Loading…") if self.fetching else (
                        _("Error: {error}").format(error=self.error) if self.error else _(self.empty_text))
                    return self._strip("  " + msg, width, self._style())
                return Strip.blank(width, self._style())
            row = self.rows[i]
            marked = self.row_id(row) in self.marked
            prefix = (">" if i == self.cursor else " ") + ("*" if marked else " ")
            style = self._style("ledger-view--cursor") if i == self.cursor else (
                self._style("ledger-view--marked") if marked else self._style())
            return self._strip(prefix + self._row_text(row, layout), width, style)
        d = y - 1 - rows
        if 0 <= d < self.detail_lines:
            lines = self._detail_text(width)
            text = lines[d] if d < len(lines) else ""
            return self._strip(text, width, self._style("ledger-view--detail"))
        if y == rows + 1 + self.detail_lines:
            return self._strip(self.status_text(), width, self._style("ledger-view--status"))
        return Strip.blank(width, self._style())

    def _strip(self, text: str, width: int, style: Style) -> Strip:
        return Strip([Segment(set_cell_size(text, width), style)], width)

    def detail_text(self) -> str:
        """The selected row's detail (the hidden columns and the screen's own detail)."""
        row = self.cursor_row
        if row is None:
            return ""
        parts = []
        if self._detail is not None:
            own = self._detail(row)
            if own:
                parts.append(own)
        for c in self._layout.hidden:
            value = c.cell(row)
            if value:
                parts.append(f"{c.heading} {value}")
        return " · ".join(parts)

    def _detail_text(self, width: int) -> list[str]:
        text = self.detail_text()
        if not text:
            return []
        lines = textwrap.wrap(text, max(10, width - 2), break_long_words=True)
        lines = ["  " + line for line in lines[: self.detail_lines]]
        return lines

    def status_text(self) -> str:
        if self.fetching:
            state = _("Loading…")
        elif self.error:
            state = _("Error: {error}").format(error=self.error)
        elif self.page is None:
            return ""
        else:
            where = _("Page {number}").format(number=self.page_number) if self.page_number else _("Last page")
            more = []
            if self.has_previous:
                more.append("PgUp")
            if self.has_next:
                more.append("PgDn")
            state = where + " · " + (_("{keys} for more").format(keys="/".join(more)) if more else _("all shown"))
            if self.marked:
                state += " · " + _("{count} marked").format(count=len(self.marked))
        if self._status is not None:
            extra = self._status(self)
            if extra:
                return f"{state} · {extra}"
        return state

    def _refresh_status(self) -> None:
        if self.size.height:
            self.refresh(Region(0, self.size.height - 1, self.size.width, 1))

    def on_focus(self) -> None:
        if self.size.height:
            self.refresh(Region(0, 1 + self.cursor, self.size.width, 1))

    def on_blur(self) -> None:
        self.on_focus()
