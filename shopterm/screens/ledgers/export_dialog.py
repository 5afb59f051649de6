"""Ctrl+O on a ledger report: write the whole report to a file, with a progress bar; Esc cancels.

::

    ╭ Export · Receivables at 2026-11-23 ─────────────────────────────────╮
    │ Writes the whole report: .csv, .xlsx, .pdf or .json by the name     │
    │ File* receivables-2026-11-23.csv                                    │
    │ ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━  1200/4000  0:00:03 │
    │ Reading…                                                            │
    ╰──────────────── Enter export · Esc close (while exporting: cancel) ─╯

The format follows the file name's ending. Enter reads the report with
``build(progress)`` (a service call reporting ``progress(done, total)`` between its
pages) in a thread, through :class:`~shopterm.widgets.progress.LongWork`, the CSV
import's mechanism; then ``services.ledger``'s :func:`save_report` lays it out (an
XLSX or PDF on the same bar, rows written / in all) and writes it to a temporary
file renamed at the end. Esc while it runs cancels: the service stops at
its next page, no file is written (an older file of that name stays as it was),
and the dialog closes with "Export cancelled: no file was written" for the screen
to show. The dialog's result is ``(kind, message)`` for the screen's message bar,
or None when closed before exporting.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Input, ProgressBar, Static

from shopterm.core.i18n import N_, _
from shopterm.widgets.dialogs import titled_box
from shopterm.widgets.messages import MessageBar, describe_error
from shopterm.widgets.progress import LongWork

__all__ = ["EXPORT_FORMATS", "ExportDialog"]

#: File endings and the format each writes.
EXPORT_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".pdf": "pdf", ".json": "json"}


class ExportDialog(ModalScreen[Any]):
    """Export a ledger report to a file (module docstring)."""

    BINDINGS = [Binding("escape", "close", N_("Close"), id="export.close")]

    def __init__(self, title: str, filename: str, build: Callable[[Callable[[int, int], None]], Any]) -> None:
        super().__init__()
        self.title_text = title
        self.filename = filename
        self.build = build
        self.work: LongWork | None = None
        self.written: Path | None = None

    def compose(self) -> ComposeResult:
        with titled_box(_("Export · {title}").format(title=self.title_text),
                        _("Enter export · Esc close (while exporting: cancel)"), id="export-box"):
            yield Static(_("Writes the whole report: .csv, .xlsx, .pdf or .json by the file name"),
                         id="export-hint", markup=False)
            with Horizontal(id="export-file-row"):
                yield Static(_("File") + "*", classes="import-label")
                yield Input(self.filename, id="export-path")
            with Horizontal(id="export-progress-row"):
                yield ProgressBar(total=None, show_eta=True, id="export-progress")  # %, time left
                yield Static("", id="export-counts", markup=False)  # done / in all
            yield MessageBar(id="export-message")

    def on_mount(self) -> None:
        self.work = LongWork(self, self.query_one("#export-progress", ProgressBar), group="ledger-export",
                             cancelled=N_("Export cancelled: no file was written"),
                             counts=self.query_one("#export-counts", Static))
        self.query_one("#export-path", Input).focus()

    @property
    def bar(self) -> MessageBar:
        return self.query_one("#export-message", MessageBar)

    @property
    def running(self) -> bool:
        return self.work is not None and self.work.running

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.start()

    def start(self) -> None:
        if self.work is None or self.work.running:
            return
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.bar.show_error(_("File: give the path of the file to write"))
            return
        path = Path(text).expanduser()
        fmt = EXPORT_FORMATS.get(path.suffix.lower())
        if fmt is None:
            self.bar.show_error(_("File: end the name with .csv, .xlsx, .pdf or .json"))
            return
        app = self.app
        services, actor, build, work = app.services, app.actor, self.build, self.work  # type: ignore[attr-defined]

        def export(progress: Callable[[int, int], None]) -> Path:
            from shopterm.services.ledger.exports import save_report

            report = build(progress)
            letterhead = services.ledger.letterhead(actor=actor) if fmt == "pdf" else None
            work.check()  # Esc after the last page: still no file
            if fmt in ("xlsx", "pdf"):  # laying out a big workbook or PDF takes long too: its rows on the bar
                app.call_from_thread(self.bar.show_info, _("Writing {file}…").format(file=path.name))
            return save_report(report, fmt, path, letterhead=letterhead, on_progress=progress)

        self.bar.show_info(_("Reading…"))
        work.start(export, self._written, self._failed)

    def _written(self, path: Path) -> None:
        self.written = path
        self.dismiss(("ok", _("wrote {file}").format(file=str(path))))

    def _failed(self, error: BaseException) -> None:
        if LongWork.was_cancelled(error):
            self.dismiss(("info", describe_error(error)[0]))
            return
        self.work.show(None, 0)  # type: ignore[union-attr]
        self.bar.show_error(describe_error(error)[0])
        self.query_one("#export-path", Input).focus()

    def action_close(self) -> None:
        if self.work is not None and self.work.cancel():  # Esc while exporting: stop, write nothing
            self.bar.show_info(_("Cancelling… no file will be written"))
            return
        self.dismiss(None)


def open_export(screen: Any, title: str, filename: str, build: Callable[[Callable[[int, int], None]], Any]) -> None:
    """Ctrl+O on a report screen: the dialog, then its outcome on the screen's message bar."""

    def outcome(result: tuple[str, str] | None) -> None:
        if not result:
            return
        kind, text = result
        (screen.show_ok if kind == "ok" else screen.show_info)(text)

    screen.app.push_screen(ExportDialog(title, filename, build), outcome)
