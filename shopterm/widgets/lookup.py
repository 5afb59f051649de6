"""The F2 lookup dialog: type to filter, arrows to move, Enter picks, Esc cancels.

``LookupDialog(title, search, initial="")`` is a ``ModalScreen`` whose result
is the chosen row (any object with ``code``, ``name`` and ``detail``
attributes, e.g. ``services.LookupRow``) or ``None``.

``search(query) -> list[row]`` is called in a worker thread, lightly debounced
while the cashier types; at most :data:`MAX_ROWS` rows are shown. Rows are
drawn as one ``OptionList`` (cheap to repaint over SSH, DESIGN §14).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from shopterm.core.i18n import N_, _
from shopterm.widgets.dialogs import PickListDialog, move_highlight, pick_keys, titled_box
from shopterm.widgets.messages import MessageBar, describe_error
from shopterm.widgets.workers import Failed, Loaded, post_outcome

MAX_ROWS = 50
DEBOUNCE_SECONDS = 0.12


class Row(Protocol):
    code: str
    name: str
    detail: str


@dataclass(frozen=True, slots=True)
class RowLayout:
    """The columns of a list of rows: code, name and detail widths (the name gets what is left)."""

    code_w: int
    name_w: int
    detail_w: int

    def widened(self, other: RowLayout) -> RowLayout:
        """This layout, grown (never shrunk) to hold ``other``'s code and detail in the same width."""
        if other.code_w <= self.code_w and other.detail_w <= self.detail_w:
            return self
        code_w, detail_w = max(self.code_w, other.code_w), max(self.detail_w, other.detail_w)
        width = self.code_w + self.name_w + self.detail_w + 2
        return RowLayout(code_w, max(10, width - code_w - detail_w - 2), detail_w)


def row_layout(rows: Sequence[Row], width: int = 72) -> RowLayout:
    """One layout for all ``rows``: the code 12 columns (16 when a code is longer: document numbers
    stay whole), the widest detail whole while the name keeps 20 columns, the name the rest."""
    code_w = 12 if all(len(str(r.code)) < 12 for r in rows) else 16
    widest = max((len(str(getattr(r, "detail", "") or "")) for r in rows), default=0)
    detail_w = min(widest, max(24, width - code_w - 2 - 20))
    return RowLayout(code_w, max(10, width - code_w - detail_w - 2), detail_w)


def format_row(row: Row, width: int = 72, layout: RowLayout | None = None) -> Text:
    """``CODE      Name                    detail`` in fixed columns (``layout``: the list's, so every
    row's name starts and ends in the same columns; by default the row's own)."""
    lay = layout or row_layout([row], width)
    detail = str(getattr(row, "detail", "") or "")
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{str(row.code)[:lay.code_w]:<{lay.code_w}}", style="bold")
    name = str(row.name)
    if len(name) > lay.name_w:
        name = name[: lay.name_w - 1] + "…"
    text.append(f"{name:<{lay.name_w}}")
    if lay.detail_w and detail:
        if len(detail) > lay.detail_w:
            detail = detail[: lay.detail_w - 1] + "…"
        text.append("  " + detail, style="dim")
    return text


class LookupDialog(PickListDialog):
    """Pick one row from ``search`` results. Result: the row, or None on Esc."""

    ROWS = "#lookup-rows"
    BINDINGS = pick_keys("lookup", N_("Pick"))

    def __init__(
        self,
        title: str,
        search: Callable[[str], Sequence[Row]],
        *,
        initial: str = "",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.title_text = title
        self._search = search
        self._initial = initial
        self.rows: list[Row] = []
        self.loaded_query: str | None = None  # the query the rows shown answer
        self._timer = None
        self._last_query: str | None = None
        self._pick_when_loaded = False
        self._layout: RowLayout | None = None  # the columns of the rows shown (kept across searches)
        self._layout_width = 0

    def compose(self) -> ComposeResult:
        with titled_box(self.title_text, _("Enter pick · Esc cancel"), id="lookup-box"):
            yield Input(self._initial, placeholder=_("type to filter"), id="lookup-query")
            yield OptionList(id="lookup-rows")
            yield MessageBar(id="lookup-message")

    @property
    def keys_ready(self) -> bool:
        """Keys typed after Enter wait while the pick waits for its search (shopterm.widgets.typeahead)."""
        return self.is_mounted and not self._pick_when_loaded

    def _resume_keys(self) -> None:
        resume = getattr(self.app, "resume_keys", None)
        if resume is not None:
            resume()

    def on_mount(self) -> None:
        self.call_after_refresh(self._resume_keys)
        self.query_one("#lookup-rows", OptionList).can_focus = False
        self.query_one("#lookup-query", Input).focus()
        self._run_search(self._initial)

    # -- searching ----------------------------------------------------------

    @on(Input.Changed, "#lookup-query")
    def _query_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if event.value.strip() == self._last_query:
            return  # what is listed already answers it (the field showing its initial text)
        self._timer = self.set_timer(DEBOUNCE_SECONDS, lambda: self._run_search(event.value))

    def _run_search(self, query: str) -> None:
        query = query.strip()
        self._last_query = query
        self._search_worker(query)

    @work(thread=True, exclusive=True, group="lookup-search")
    def _search_worker(self, query: str) -> None:
        post_outcome(self, query, lambda: list(self._search(query))[:MAX_ROWS])

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.query != self._last_query:
            return  # a newer query is on its way
        same_rows = list(event.rows) == self.rows
        self.rows = list(event.rows)
        self.loaded_query = event.query
        options = self.query_one("#lookup-rows", OptionList)
        kept = options.highlighted if same_rows else None
        width = max(20, options.size.width - 2) if options.size.width else 72
        # one layout for the dialog: the name column keeps its place from one search to the next (it
        # followed each row's detail, and the list jumped as the cashier typed); it only grows to fit
        layout = row_layout(self.rows, width)
        if self._layout is not None and self._layout_width == width:
            layout = self._layout.widened(layout)
        self._layout, self._layout_width = layout, width
        options.set_options(Option(format_row(row, width, layout)) for row in self.rows)
        bar = self.query_one("#lookup-message", MessageBar)
        if self._pick_when_loaded:
            self._pick_when_loaded = False
            self._resume_keys()
            if self.rows:
                self.dismiss(self.rows[0])
                return
        if self.rows:
            # The same rows again (a query typed further that narrows nothing): the row the
            # cashier moved to stays highlighted.
            options.highlighted = kept if kept is not None and kept < len(self.rows) else 0
            found = (_("{count} found (first {max}; type more to narrow)") if len(self.rows) >= MAX_ROWS
                     else _("{count} found"))
            bar.show_info(found.format(count=len(self.rows), max=MAX_ROWS))
        else:
            bar.show_warning(_("Nothing matches {query!r}").format(query=event.query) if event.query
                             else _("Nothing to choose from"))

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self._pick_when_loaded = False
        self._resume_keys()
        message, _field = describe_error(event.error)
        self.query_one("#lookup-message", MessageBar).show_error(message)

    # -- keys ---------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        move_highlight(self.query_one("#lookup-rows", OptionList), len(self.rows), delta)

    @on(OptionList.OptionSelected, "#lookup-rows")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick()

    def action_pick(self) -> None:
        # Enter is a priority binding: let the query field take the keys typed
        # before it first, then pick. An app that hands out keys one at a time
        # (shopterm.widgets.typeahead) has given them all already: pick now, so the
        # keys typed after Enter find the dialog closed.
        if hasattr(self.app, "typeahead_pending"):
            self._pick()
        else:
            self.query_one("#lookup-query", Input).call_later(self._pick)

    def _pick(self) -> None:
        query = self.query_one("#lookup-query", Input).value.strip()
        if query != self._last_query:
            # Enter typed before the debounced search ran: search now and
            # pick the first row when it arrives.
            if self._timer is not None:
                self._timer.stop()
            self._pick_when_loaded = True
            self._run_search(query)
            return
        if self.loaded_query != query:
            # Enter typed as the dialog opened (F2 then Enter at once), before the first rows came:
            # pick the first row when they come (asked again: a failed search has no answer coming)
            self._pick_when_loaded = True
            self._run_search(query)
            return
        row = self.highlighted_row
        if row is None:
            self.query_one("#lookup-message", MessageBar).show_warning(_("Nothing selected"))
            return
        self.dismiss(row)
