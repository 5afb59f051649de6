"""Shop Open (seed "Shop Open", DESIGN §5): the first transaction of the day.

Header fields (seed table): Doc Date* (defaults to today), Location* (the
user's), Document No (auto, assigned on save), Remarks (optional). Ctrl+S
opens the day through ``services.day.open_day``; the status bar then says
DAY OPEN. F3 lists the Shop Open records, F4 shows the history of the one
on screen.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input

from shopterm.screens._counter import AutoValue, CounterScreen, Defaults, Field, load_defaults, run_preview
from shopterm.screens.registry import CASHIER, ScreenEntry, register
from shopterm.widgets.inputs import CodeInput, DateInput

NOT_YET = "(assigned on save)"


class ShopOpenScreen(CounterScreen):
    """Open the shop for a date and location."""

    DOCUMENT_TITLE = "Shop Open"
    SUPPORTS = frozenset({"new", "save", "list", "history"})
    LIST_TITLE = "Shop Open records"
    DOC_TYPE = "OP"

    def __init__(self) -> None:
        super().__init__()
        self.defaults: Defaults | None = None
        self.document_id: int | None = None

    def compose_document(self) -> ComposeResult:
        yield Field("Doc date*", DateInput(id="field-date", label="Doc date", required=True))
        yield Field(
            "Location*",
            CodeInput(id="field-location", label="Location", required=True, lookup_kind="location",
                      classes="cf-code"),
            AutoValue(id="location-name", classes="cf-name"),
        )
        yield Field("Document No", AutoValue(NOT_YET, id="document-no"))
        yield Field("Remarks", Input(id="field-remarks", placeholder="optional", max_length=500))
        yield AutoValue("Ctrl+S opens the shop for this date; no sale, receipt or exchange is possible before.",
                        id="open-hint", classes="cf-hint")

    def on_mount(self) -> None:
        load_defaults(self, self._defaults_loaded)

    def _defaults_loaded(self, defaults: Defaults) -> None:
        self.defaults = defaults
        self._fill_defaults()

    def _fill_defaults(self) -> None:
        d = self.defaults
        if d is None:
            return
        date = self.query_one("#field-date", DateInput)
        if not date.value:
            date.set_value(d.calendar_today or d.today)
        location = self.query_one("#field-location", CodeInput)
        if not location.value:
            location.value = d.location  # its name follows (Input.Changed)
        self.dirty = False

    @on(CodeInput.Picked, "#field-location")
    def _location_picked(self, event: CodeInput.Picked) -> None:
        self.query_one("#location-name", AutoValue).set(event.row.name)

    @on(Input.Changed, "#field-location")
    def _location_typed(self, event: Input.Changed) -> None:
        code = event.value.strip().upper()
        label = self.query_one("#location-name", AutoValue)
        if not code:
            label.set("")
            return

        def find() -> str:
            rows = self.services.lookup("location", code, limit=20)
            return next((r.name for r in rows if r.code.upper() == code), "(not found: F2 to choose)")

        run_preview(self, find, label.set, group="location-name")

    # -- toolbar -------------------------------------------------------------

    def action_new(self) -> None:
        for widget_id in ("#field-date", "#field-location", "#field-remarks"):
            widget = self.query_one(widget_id, Input)
            widget.value = ""
            widget.disabled = False
        self.query_one("#document-no", AutoValue).set(NOT_YET)
        self.document_id = None
        self.posted = False
        self.set_document(None, "New")
        self._fill_defaults()
        self.dirty = False
        self.clear_message()
        self.query_one("#field-date", DateInput).focus()
        self.refresh_bindings()

    def action_save(self) -> None:
        if self.posted:
            self.show_info("This Shop Open is saved; Ctrl+N for a new one")
            return
        if not self.check_fields():
            return
        date = self.query_one("#field-date", DateInput).date_value
        location = self.query_one("#field-location", CodeInput).code
        remarks = self.query_one("#field-remarks", Input).value.strip()
        actor = self.actor
        self.run_service(
            lambda: self.services.day.open_day(actor, location=location, date=date, remarks=remarks),
            self._saved,
            busy_text="Opening the shop…",
        )

    def _saved(self, result: Any) -> None:
        self.posted = True
        self.document_id = result.document_id
        self.query_one("#document-no", AutoValue).set(result.number)
        for widget_id in ("#field-date", "#field-location", "#field-remarks"):
            self.query_one(widget_id, Input).disabled = True
        self.set_document(result.number, "Posted")
        self.dirty = False
        date = self.query_one("#field-date", DateInput).value
        self.show_ok(f"Shop open for {date}: {result.number}")
        self.refresh_status()
        self.refresh_bindings()

    def show_document(self, view: Any) -> None:
        self.posted = True
        self.document_id = view.id
        self.query_one("#field-date", DateInput).set_value(view.date)
        self.query_one("#field-location", CodeInput).value = view.location
        self.query_one("#field-remarks", Input).value = view.narration or ""
        for widget_id in ("#field-date", "#field-location", "#field-remarks"):
            self.query_one(widget_id, Input).disabled = True
        self.query_one("#document-no", AutoValue).set(view.number)
        self.set_document(view.number, view.status.capitalize())
        self.dirty = False
        self.refresh_bindings()


register(ScreenEntry(
    key="shop_open", title="Shop Open", group="Day", factory=lambda app: ShopOpenScreen(), roles=CASHIER,
    help="Open the shop for the day",
))
