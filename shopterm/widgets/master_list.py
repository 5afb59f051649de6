"""F3 list view of a master: type to search, filter by status, sort, page from SQL.

``MasterListDialog(title, columns, load, ...)`` is a ``ModalScreen`` whose
result is ``(action, row)`` — ``action`` is ``"open"`` for Enter, or the
name of an extra key (e.g. ``"details"``) — or ``None`` on Esc.

``load(query: MasterQuery) -> page`` runs in a worker thread and returns a
``services.masters.Page`` (``rows``, ``total``, ``offset``), e.g.
``lambda q: services.masters.list_customers(search=q.search, status=q.status,
sort=q.sort, limit=q.limit, offset=q.offset)``. Only one page (about a screen
of rows, DESIGN §14) is held: moving past the last row loads the next page,
past the first the previous one::

    Search [kin        ]  F7 Status: Active   F8 Sort: Name
    Code    Name                       Mobile          Purchases $  Status
    C0001   Kinshasa Pharma            +243810000001      1,234.00
    Rows 1–1 of 1

Keys: typing goes to the search box (lightly debounced), ↑/↓ PgUp/PgDn move,
F7 cycles active → inactive → all, F8 cycles the sorts the service supports,
Enter opens the highlighted row, extra keys (given by the screen) act on it,
Esc closes. Nothing is shown by colour alone: inactive rows say "inactive".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from shopterm.core import money
from shopterm.core.i18n import N_, _, format_date
from shopterm.widgets.dialogs import PickListDialog, pick_keys, titled_box
from shopterm.widgets.messages import MessageBar, describe_error
from shopterm.widgets.workers import Failed, Loaded, post_outcome

__all__ = ["ListColumn", "MasterListDialog", "MasterQuery", "STATUSES", "format_cell", "format_row"]

PAGE = 15
DEBOUNCE_SECONDS = 0.15
STATUSES: tuple[tuple[str, str], ...] = (("active", N_("Active")), ("inactive", N_("Inactive")), ("all", N_("All")))


@dataclass(frozen=True, slots=True)
class MasterQuery:
    search: str = ""
    status: str = "active"
    sort: str = ""
    offset: int = 0
    limit: int = PAGE


@dataclass(frozen=True)
class ListColumn:
    """One column: ``header``, ``value`` (attribute name or ``fn(row)``), ``width``, ``align`` ("<" or ">")."""

    header: str
    value: str | Callable[[Any], Any]
    width: int = 10
    align: str = "<"

    def get(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        return getattr(row, self.value, "")


def format_cell(value: Any) -> str:
    """A value as a list cell: amounts with separators, booleans and None in words."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else ""
    if isinstance(value, Decimal):
        exp = value.as_tuple().exponent
        if isinstance(exp, int) and exp == -2:
            return money.format_amount(value)
        if isinstance(exp, int) and exp == -3:
            return money.format_qty(value)
        return money.format_rate(value)
    if hasattr(value, "isoformat"):
        return format_date(value)
    return str(value)


def _fit(text: str, width: int, align: str) -> str:
    if len(text) > width:
        text = text[: max(0, width - 1)] + "…"
    return f"{text:>{width}}" if align == ">" else f"{text:<{width}}"


def format_row(columns: Sequence[ListColumn], row: Any) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    inactive = bool(getattr(row, "inactive", False))
    for i, col in enumerate(columns):
        cell = _fit(format_cell(col.get(row)), col.width, col.align)
        out.append(cell + " ", style="bold" if i == 0 else ("dim" if inactive else ""))
    return out


def format_header(columns: Sequence[ListColumn]) -> Text:
    # Column heads are marked with N_ where declared and read in the user's language here.
    return Text("".join(_fit(_(c.header), c.width, c.align) + " " for c in columns), no_wrap=True, style="bold")


class MasterListDialog(PickListDialog):
    """The F3 list of a master (module docstring)."""

    ROWS = "#mlist-rows"
    BINDINGS = [
        *pick_keys("mlist", N_("Open"), close=N_("Close"), page="page", named=False),
        Binding("f7", "cycle_status", N_("Status"), id="mlist.status"),
        Binding("f8", "cycle_sort", N_("Sort"), id="mlist.sort"),
    ]

    def __init__(
        self,
        title: str,
        columns: Sequence[ListColumn],
        load: Callable[[MasterQuery], Any],
        *,
        sorts: Sequence[tuple[str, str]] = (),
        status: str = "active",
        search: str = "",
        extra_keys: Sequence[tuple[str, str, str]] = (),
        page_size: int = PAGE,
        statuses: Sequence[tuple[str, str]] = STATUSES,
        placeholder: str = N_("code or name"),
    ) -> None:
        """``extra_keys``: ``(key, action, description)`` — the key dismisses with ``(action, row)``."""
        super().__init__()
        self.title_text = title
        self.columns = list(columns)
        self._load_fn = load
        self.sorts = list(sorts)
        self.statuses = list(statuses)
        self.placeholder = _(placeholder)
        self.extra = {action: (key, desc) for key, action, desc in extra_keys}
        for key, action, desc in extra_keys:
            self._bindings.bind(key, f"extra('{action}')", desc)
        self.query_state = MasterQuery(search, status, self.sorts[0][0] if self.sorts else "", 0, page_size)
        self.rows: list[Any] = []
        self.total = 0
        self._shown: MasterQuery | None = None
        self._timer = None
        self._pending: tuple[str, Any] | None = None  # a pick waiting for the load in flight
        self._highlight_last = False

    def compose(self) -> ComposeResult:
        with titled_box(self.title_text, _("Enter open · Esc close"), id="mlist-box"):
            with Horizontal(id="mlist-filters"):
                yield Static(_("Search"), classes="mlist-label")
                yield Input(self.query_state.search, placeholder=self.placeholder, id="mlist-search")
                yield Static("", id="mlist-state", markup=False)
            yield Static(format_header(self.columns), id="mlist-header")
            yield OptionList(id="mlist-rows")
            yield MessageBar(id="mlist-message")
        from shopterm.screens.base.document import QuietFooter  # translates the keys; a screen base

        yield QuietFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#mlist-rows", OptionList).can_focus = False
        self.query_one("#mlist-search", Input).focus()
        self._show_state()
        self._run(self.query_state)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cycle_sort":
            return len(self.sorts) > 1
        if action == "cycle_status":
            return len(self.statuses) > 1
        return True

    # -- state line -------------------------------------------------------------

    def _label(self, options: Sequence[tuple[str, str]], value: str) -> str:
        return _(dict(options).get(value, value))

    def _show_state(self) -> None:
        q = self.query_state
        parts = []
        if len(self.statuses) > 1:
            parts.append(_("Status: {status}").format(status=self._label(self.statuses, q.status)))
        if len(self.sorts) > 1:
            parts.append(_("Sort: {sort}").format(sort=self._label(self.sorts, q.sort)))
        self.query_one("#mlist-state", Static).update("  ".join(parts))

    # -- loading -----------------------------------------------------------------

    @on(Input.Changed, "#mlist-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_state = replace(self.query_state, search=event.value.strip(), offset=0)
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, lambda: self._run(self.query_state))

    def _run(self, query: MasterQuery) -> None:
        self.query_state = query
        self._load(query)

    @work(thread=True, exclusive=True, group="mlist")
    def _load(self, query: MasterQuery) -> None:
        post_outcome(self, query, lambda: self._load_fn(query))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.query != self.query_state:
            return  # a newer query is on its way
        page = event.rows
        self._shown = event.query
        self.rows = list(page.rows)
        self.total = int(getattr(page, "total", len(self.rows)))
        options = self.query_one("#mlist-rows", OptionList)
        options.set_options(Option(format_row(self.columns, r)) for r in self.rows)
        if self.rows:
            options.highlighted = len(self.rows) - 1 if self._highlight_last else 0
        self._highlight_last = False
        bar = self.query_one("#mlist-message", MessageBar)
        if self.rows:
            first = event.query.offset + 1
            last = event.query.offset + len(self.rows)
            rows = (_("Rows {first}–{last} of {total} · PgDn more") if last < self.total
                    else _("Rows {first}–{last} of {total}"))
            bar.show_info(rows.format(first=first, last=last, total=self.total))
        else:
            status = self._label(self.statuses, event.query.status).lower()
            if event.query.search:
                bar.show_warning(_("No records ({status}) matching {search!r}").format(
                    status=status, search=event.query.search))
            else:
                bar.show_warning(_("No records ({status})").format(status=status))
        if self._pending is not None:
            action, _row = self._pending
            self._pending = None
            self._finish(action)

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self._pending = None
        self.query_one("#mlist-message", MessageBar).show_error(describe_error(event.error)[0])

    # -- keys --------------------------------------------------------------------

    def action_cycle_status(self) -> None:
        values = [v for v, _ in self.statuses]
        i = values.index(self.query_state.status) if self.query_state.status in values else 0
        self._run(replace(self.query_state, status=values[(i + 1) % len(values)], offset=0))
        self._show_state()

    def action_cycle_sort(self) -> None:
        values = [v for v, _ in self.sorts]
        if not values:
            return
        i = values.index(self.query_state.sort) if self.query_state.sort in values else 0
        self._run(replace(self.query_state, sort=values[(i + 1) % len(values)], offset=0))
        self._show_state()

    def action_move(self, delta: int) -> None:
        options = self.query_one("#mlist-rows", OptionList)
        if not self.rows or self._shown is None:
            return
        current = options.highlighted if options.highlighted is not None else 0
        target = current + delta
        q = self._shown
        if target >= len(self.rows) and q.offset + len(self.rows) < self.total:
            self._run(replace(q, offset=q.offset + q.limit))
            return
        if target < 0 and q.offset > 0:
            self._highlight_last = True
            self._run(replace(q, offset=max(0, q.offset - q.limit)))
            return
        options.highlighted = max(0, min(len(self.rows) - 1, target))

    def action_page(self, step: int) -> None:
        q = self._shown
        if q is None:
            return
        offset = q.offset + step * q.limit
        if 0 <= offset < self.total and offset != q.offset:
            self._run(replace(q, offset=offset))
        else:
            options = self.query_one("#mlist-rows", OptionList)
            if self.rows:
                options.highlighted = 0 if step < 0 else len(self.rows) - 1

    def action_pick(self) -> None:
        self._act("open")

    def action_extra(self, action: str) -> None:
        self._act(action)

    def _act(self, action: str) -> None:
        # Enter is a priority binding: the search box first takes the keys typed before it.
        self.query_one("#mlist-search", Input).call_later(self._act_now, action)

    def _act_now(self, action: str) -> None:
        if self._shown is None or self._shown.search != self.query_state.search or self._timer_pending():
            # typed ahead of the debounced search: search now, act on the first row when it arrives
            if self._timer is not None:
                self._timer.stop()
            self._pending = (action, None)
            self._run(replace(self.query_state, offset=0))
            return
        self._finish(action)

    def _timer_pending(self) -> bool:
        return self._shown is not None and replace(self._shown, offset=0) != replace(self.query_state, offset=0)

    def _finish(self, action: str) -> None:
        row = self.highlighted_row
        if row is None:
            self.query_one("#mlist-message", MessageBar).show_warning(_("Nothing selected"))
            return
        self.dismiss((action, row))
