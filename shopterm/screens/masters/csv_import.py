"""The seed's "CSV Import" button: a dialog that imports a CSV file with a progress bar.

``ImportDialog(kind, title)`` — ``kind`` is a :data:`services.imports.COLUMNS`
key (``customers``, ``items``, ``prices``, ``sales-persons``, ``suppliers``, ``stock``). The
dialog shows the expected columns, asks the file path, and Enter runs
``services.masters.import_csv(actor, kind, path, on_progress=…)`` in a worker
thread; a ProgressBar follows ``on_progress(done, total)``. Then it shows
either the summary (``imported 3 customers (2 new, 1 updated)``) or every bad
row with its number and reason in a scrollable list — a file with any bad row
imports nothing (the service's rule). Esc closes; while the import runs, Esc
cancels it: the next progress step stops it inside its transaction, which rolls
back, so nothing is half-imported. The result is the ``ImportResult`` (or None
when nothing ran or it was cancelled).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from shopterm.widgets.dialogs import move_highlight, row_keys, titled_box
from shopterm.widgets.messages import MessageBar, describe_error
from shopterm.widgets.progress import LongWork
from shopterm.core.i18n import N_, _

if TYPE_CHECKING:
    from shopterm.services.masters.imports import ImportResult

__all__ = ["ImportDialog"]

#: The columns of each kind (DESIGN §11), shown before the file is read (no services import at start-up).
COLUMNS_HELP = {
    "sales-persons": "code, name",
    "suppliers": "code, name",
    "items": "code, name, unit, pack_size, tax_rate, cost_usd",
    "customers": "code, name, kind, category, group, price_category, credit_limit_usd, credit_days, mobile, email, "
                 "address, sales_person, tax_exempt, free_offer, loyalty_card, locations "
                 "[, city, province, country, tax_id, discount_pct]",
    "prices": "location, item, currency, retail_price, wholesale_price, effective_from",
    "stock": "location, item, batch, qty, cost_usd, expiry, supplier, supplier_batch, mfg_date",
}


class ImportDialog(ModalScreen["ImportResult | None"]):
    """Import a CSV file (module docstring)."""

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="import.close"),
        *row_keys("move"),
    ]

    def __init__(self, kind: str, title: str, *, path: str = "") -> None:
        super().__init__()
        self.kind = kind
        self.title_text = title
        self.initial_path = path
        self.result: ImportResult | None = None
        self.work: LongWork | None = None
        self.lines: list[str] = []

    @property
    def running(self) -> bool:
        return self.work is not None and self.work.running

    @property
    def cancel_requested(self) -> bool:
        return self.work is not None and self.work.cancel_requested

    def compose(self) -> ComposeResult:
        with titled_box(self.title_text, _("Enter import · Esc close (while importing: cancel)"), id="import-box"):
            yield Static(_("Columns: {columns}").format(columns=COLUMNS_HELP.get(self.kind, '')), id="import-columns",
                         markup=False)
            with Horizontal(id="import-file-row"):
                yield Static(_("File") + "*", classes="import-label")
                yield Input(self.initial_path, placeholder=_("path of the .csv file (UTF-8, header row)"),
                            id="import-path")
            with Horizontal(id="import-progress-row"):
                yield ProgressBar(total=None, show_eta=True, id="import-progress")  # %, time left
                yield Static("", id="import-counts", markup=False)  # rows done / in all
            yield OptionList(id="import-rows")
            yield MessageBar(id="import-message")

    def on_mount(self) -> None:
        self.work = LongWork(self, self.query_one("#import-progress", ProgressBar), group="csv-import",
                             cancelled=N_("Import cancelled: nothing was imported"),
                             counts=self.query_one("#import-counts", Static))
        self.query_one("#import-rows", OptionList).can_focus = False
        self.query_one("#import-path", Input).focus()
        self.query_one("#import-message", MessageBar).show_info(
            _("Nothing is imported from a file with a bad row: every bad row is listed"))

    @property
    def bar(self) -> MessageBar:
        return self.query_one("#import-message", MessageBar)

    @on(Input.Submitted, "#import-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.start()

    def start(self) -> None:
        if self.running:
            return
        path = self.query_one("#import-path", Input).value.strip()
        if not path:
            self.bar.show_error(_("File: give the path of the CSV file"))
            return
        self.query_one("#import-rows", OptionList).clear_options()
        self.bar.show_info(_("Importing {file}").format(file=path) + "…")
        services, actor, kind = self.app.services, self.app.actor, self.kind  # type: ignore[attr-defined]
        assert self.work is not None
        # a cancel raises inside the import's transaction: it rolls back
        self.work.start(lambda progress: services.masters.import_csv(actor, kind, path, on_progress=progress),
                        self._finished, self._failed)

    def _failed(self, error: BaseException) -> None:
        if LongWork.was_cancelled(error):
            self.work.show(None, 0)  # type: ignore[union-attr]
            self.bar.show_info(describe_error(error)[0])
        else:
            self.bar.show_error(describe_error(error)[0])
        self.query_one("#import-path", Input).focus()

    def _finished(self, result: ImportResult) -> None:
        options = self.query_one("#import-rows", OptionList)
        self.result = result
        if result.errors:
            self.lines = [str(bad) for bad in result.errors]
            options.set_options(Option(Text(line)) for line in self.lines)
            options.highlighted = 0
            self.bar.show_error(_("{summary} (↑↓ to read them)").format(summary=result.summary()))
        else:
            self.lines = [result.summary(), *result.warnings]
            options.set_options(Option(Text(line)) for line in self.lines)
            self.work.show(result.total, result.total)  # type: ignore[union-attr]
            self.bar.show_ok(result.summary())

    def action_move(self, delta: int) -> None:
        move_highlight(self.query_one("#import-rows", OptionList), len(self.lines), delta)

    def action_close(self) -> None:
        if self.work is not None and self.work.cancel():  # Esc while importing: cancel (nothing is written)
            self.bar.show_info(_("Cancelling… nothing will be imported"))
            return
        self.dismiss(self.result)
