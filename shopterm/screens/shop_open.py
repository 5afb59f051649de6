"""Shop Open (seed "Shop Open", DESIGN §5): the first transaction of the day.

Header fields (seed table): Doc Date* (defaults to today), Location* (the
user's), Document No (auto, assigned on save), Remarks (optional). Ctrl+S
opens the day through ``services.day.open_day``; the status bar then says
DAY OPEN. F3 lists the Shop Open records, F4 shows the history of the one
on screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input

from shopterm.core.i18n import N_, _
from shopterm.screens.base.counter import NOT_YET, AutoValue, CounterScreen, Defaults, Field
from shopterm.screens.registry import register_screen
from shopterm.widgets.inputs import CodeInput, DateInput, NoteInput

if TYPE_CHECKING:
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import DocumentView


class ShopOpenScreen(CounterScreen):
    """Open the shop for a date and location."""

    DOCUMENT_TITLE = N_("Shop Open")
    SUPPORTS = frozenset({"new", "save", "list", "history"})
    LIST_TITLE = N_("Shop Open records")
    DOC_TYPE = "OP"
    SAVED_TEXT = N_("This Shop Open is saved; Ctrl+N for a new one")
    FORM_FIELDS = ("#field-date", "#field-location", "#field-remarks")
    FIRST_FIELD = "#field-date"

    def compose_document(self) -> ComposeResult:
        yield Field(_("Doc date*"), DateInput(id="field-date", label=_("Doc date"), required=True))
        yield Field(
            _("Location*"),
            CodeInput(id="field-location", label=_("Location"), required=True, lookup_kind="location",
                      classes="cf-code"),
            AutoValue(id="location-name", classes="cf-name"),
        )
        yield Field(_("Document No"), AutoValue(_(NOT_YET), id="document-no"))
        yield Field(_("Remarks"), NoteInput(id="field-remarks", placeholder=_("optional"), max_length=500))
        yield AutoValue(_("Ctrl+S opens the shop for this date; no sale, receipt or exchange is possible before."),
                        id="open-hint", classes="cf-hint")

    def apply_defaults(self, defaults: Defaults) -> None:
        date = self.query_one("#field-date", DateInput)
        if not date.value:
            date.set_value(defaults.calendar_today or defaults.today)
        location = self.query_one("#field-location", CodeInput)
        if not location.value:
            location.value = defaults.location  # its name follows (Input.Changed)

    @on(CodeInput.Picked, "#field-location")
    def _location_picked(self, event: CodeInput.Picked) -> None:
        self.query_one("#location-name", AutoValue).set(event.row.name)

    @on(Input.Changed, "#field-location")
    def _location_typed(self, event: Input.Changed) -> None:
        self.show_name_of("location", event.value, "#location-name")

    # -- toolbar -------------------------------------------------------------

    def action_new(self) -> None:
        self.start_new()
        self.finish_new()

    def action_save(self) -> None:
        if not self.ready_to_save():
            return
        date = self.query_one("#field-date", DateInput).date_value
        location = self.query_one("#field-location", CodeInput).code
        remarks = self.query_one("#field-remarks", Input).value.strip()
        actor = self.actor
        self.run_service(
            lambda: self.services.day.open_day(actor, location=location, date=date, remarks=remarks),
            self._saved,
            busy_text=_("Opening the shop…"),
        )

    def _saved(self, result: PostResult) -> None:
        self.show_posted(result.number, document_id=result.document_id)
        date = self.query_one("#field-date", DateInput).value
        self.show_ok(_("Shop open for {date}: {number}").format(date=date, number=result.number))
        self.refresh_status()

    def show_document(self, view: DocumentView) -> None:
        self.query_one("#field-date", DateInput).set_value(view.date)
        self.query_one("#field-location", CodeInput).value = view.location
        self.query_one("#field-remarks", Input).value = view.narration or ""
        self.show_posted(view.number, view.status.capitalize(), view.id)


register_screen(ShopOpenScreen, "shop_open", "Day", N_("Open the shop for the day"))
