"""F3: search and list a screen's documents (posted and drafts).

``DocumentListDialog(title, search)`` is a ``ModalScreen`` whose result is the
chosen row or ``None``. ``search(query: ListQuery) -> [row]`` runs in a worker
thread (lightly debounced while the cashier types) and returns rows with
``id``, ``number`` (None for a draft), ``status``, ``date``, ``customer``,
``customer_name``, ``currency`` and ``payable`` — e.g.
``services.sales.list_documents("SI", …)`` rows::

    From [2026-11-01] To [          ] No [        ] Customer [        ] All
    261101SI000002  2026-11-23  C0002   Pharmacie du Fl…    612.40 USD posted
    Draft #7        2026-11-23  C0001   Kinshasa Pharma      54.86 USD draft

Keys: Tab/Shift+Tab between the filters, ↑/↓ (PgUp/PgDn) move in the list —
reaching the end loads the next page —, Enter opens the highlighted row,
Esc closes. Only one page of rows (50) is held at a time per load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from shopterm.core import money
from shopterm.core.i18n import N_, _, format_date, ngettext, pgettext
from shopterm.widgets.inputs import DateInput, FORM_BINDINGS, FormNavigation
from shopterm.widgets.dialogs import PickListDialog, pick_keys, titled_box
from shopterm.widgets.messages import MessageBar, describe_error
from shopterm.widgets.totals_footer import CompactChoice
from shopterm.widgets.workers import Failed, Loaded, post_outcome

__all__ = ["DocumentListDialog", "ListQuery", "format_document_row"]

PAGE = 50

#: A row's status as the services give it, translated where shown.
STATUSES = (N_("posted"), N_("draft"), N_("cancelled"), N_("confirmed"), N_("approved"))
DEBOUNCE_SECONDS = 0.15


@dataclass(frozen=True, slots=True)
class ListQuery:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    number: str = ""
    customer: str = ""
    status: str | None = None  # None: all; "posted"; "draft"
    offset: int = 0
    limit: int = PAGE


def format_document_row(row: Any, width: int = 72) -> Text:
    """One list line: number (or draft id), date, customer, amount, status."""
    number = row.number or _("Draft #{id}").format(id=row.id)
    cust = str(row.customer or "")[:7]
    name = str(row.customer_name or "")
    amount = f"{money.format_amount(row.payable)} {row.currency}"
    name_w = max(8, width - 15 - 12 - 8 - 16 - 7)
    if len(name) > name_w:
        name = name[: name_w - 1] + "…"
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{number:<15}", style="bold" if row.number else "italic")
    text.append(f"{format_date(row.date):<12}{cust:<8}{name:<{name_w}}{amount:>16} ")
    text.append(_(str(row.status)), style="bold" if row.status != "posted" else "")
    return text


class DocumentListDialog(FormNavigation, PickListDialog):
    """Pick a document (module docstring). Result: the row, or None on Esc."""

    ENTER_ADVANCES = False
    ROWS = "#doclist-rows"
    BINDINGS = [
        *[b for b in FORM_BINDINGS if b.key != "enter"],
        *pick_keys("doclist", N_("Open")),
    ]

    def __init__(
        self,
        title: str,
        search: Callable[[ListQuery], Sequence[Any]],
        *,
        initial: ListQuery | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self._search = search
        self._initial = initial or ListQuery()
        self._today = today
        self.rows: list[Any] = []
        self._timer = None
        self._query: ListQuery | None = None
        self._more = False
        self._pick_when_loaded = False

    def compose(self) -> ComposeResult:
        q = self._initial
        with titled_box(self.title_text, _("Enter open · Tab filters · Esc close"), id="doclist-box"):
            with Horizontal(id="doclist-filters"):
                yield Static(_("From"), classes="doclist-label")
                yield DateInput(q.date_from, id="doclist-from", label=_("From date"),
                                today=(lambda: self._today) if self._today else None)
                yield Static(_("To"), classes="doclist-label")
                yield DateInput(q.date_to, id="doclist-to", label=_("To date"),
                                today=(lambda: self._today) if self._today else None)
                yield Static(pgettext("document number", "No"), classes="doclist-label")
                yield Input(q.number, id="doclist-number", placeholder=_("number"))
                yield Static(_("Cust"), classes="doclist-label")
                yield Input(q.customer, id="doclist-customer", placeholder=_("code/name"))
                yield CompactChoice([("", _("All")), ("posted", _("Posted")), ("draft", _("Drafts"))], q.status or "",
                                  id="doclist-status", label=_("Status"))
            yield OptionList(id="doclist-rows")
            yield MessageBar(id="doclist-message")

    def on_mount(self) -> None:
        self.query_one("#doclist-rows", OptionList).can_focus = False
        self.query_one("#doclist-number", Input).focus()
        self._run(self._read_query())

    # -- the query ---------------------------------------------------------------

    def _read_query(self) -> ListQuery | None:
        start = self.query_one("#doclist-from", DateInput)
        end = self.query_one("#doclist-to", DateInput)
        bar = self.query_one("#doclist-message", MessageBar)
        for field in (start, end):
            if not field.check():
                bar.show_error(field.error or _("{field}: invalid").format(field=field.label))
                return None
        status = self.query_one("#doclist-status", CompactChoice).value or None
        return ListQuery(start.date_value, end.date_value, self.query_one("#doclist-number", Input).value.strip(),
                         self.query_one("#doclist-customer", Input).value.strip(), status, 0, PAGE)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._schedule()

    @on(CompactChoice.Changed)
    def _status_changed(self, event: CompactChoice.Changed) -> None:
        event.stop()
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, lambda: self._run(self._read_query()))

    def _run(self, query: ListQuery | None) -> None:
        if query is None:
            return
        self._query = query
        self._load(query)

    @work(thread=True, exclusive=True, group="doclist")
    def _load(self, query: ListQuery) -> None:
        post_outcome(self, query, lambda: list(self._search(query)))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.query != self._query:
            return
        options = self.query_one("#doclist-rows", OptionList)
        width = max(40, options.size.width - 2) if options.size.width else 72
        new = list(event.rows)
        self._more = len(new) >= event.query.limit
        if event.query.offset == 0:
            self.rows = new
            options.set_options(Option(format_document_row(r, width)) for r in new)
            options.highlighted = 0 if new else None
        else:
            keep = options.highlighted
            self.rows.extend(new)
            options.add_options(Option(format_document_row(r, width)) for r in new)
            options.highlighted = keep
        bar = self.query_one("#doclist-message", MessageBar)
        if self.rows:
            count = len(self.rows)  # "1 affiché", "2 affichés"
            bar.show_info((ngettext("{count} shown (more below)", "{count} shown (more below)", count) if self._more
                           else ngettext("{count} shown", "{count} shown", count)).format(count=count))
        else:
            bar.show_warning(_("No document matches"))
        if self._pick_when_loaded:
            self._pick_when_loaded = False
            self._pick()

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self._pick_when_loaded = False
        self.query_one("#doclist-message", MessageBar).show_error(describe_error(event.error)[0])

    # -- keys --------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        options = self.query_one("#doclist-rows", OptionList)
        if not self.rows:
            return
        current = options.highlighted if options.highlighted is not None else 0
        target = current + delta
        if target >= len(self.rows) and self._more and self._query is not None:
            self._more = False
            nxt = replace(self._query, offset=len(self.rows))
            self._query = nxt
            self._load(nxt)
        options.highlighted = max(0, min(len(self.rows) - 1, target))

    def action_pick(self) -> None:
        focused = self.focused
        if focused is not None:
            focused.call_later(self._pick_checked)
        else:
            self._pick_checked()

    def _pick_checked(self) -> None:
        query = self._read_query()
        if query is None:
            return
        if self._query is None or replace(query, offset=0) != replace(self._query, offset=0):
            # Enter typed before the debounced search ran: search now, open the first row.
            if self._timer is not None:
                self._timer.stop()
            self._pick_when_loaded = True
            self._run(query)
            return
        self._pick()

    def _pick(self) -> None:
        row = self.highlighted_row
        if row is None:
            self.query_one("#doclist-message", MessageBar).show_warning(_("Nothing selected"))
            return
        self.dismiss(row)
