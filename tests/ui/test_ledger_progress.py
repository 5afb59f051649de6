"""Long ledger work on screen (issue 16): the receivables screen shows a progress bar with counts while
the ageing is read and Esc cancels the reading (the screen stays, says so, F5 reads again); Ctrl+O
exports the report with a progress bar in its dialog, Esc cancels and no file is left, and Enter
without Esc writes the file. The service is held at a progress step by a gate so Esc lands mid-run
(the ledger of tests/ui/test_ledgers.py: total 850.00 USD, C0001 250.00, C0002 600.00)."""

from __future__ import annotations

import csv
import threading

from textual.widgets import ProgressBar

from tests.ui.test_ledgers import manager_app, open_from_menu, shop, text_of  # noqa: F401
from tests.ui.waiting import wait_for


def gate_ageing(monkeypatch, services, hold_at: tuple[int, int]):
    """Hold ``services.ledger.ageing`` at its progress step ``hold_at`` until ``go`` is set."""
    reached, go = threading.Event(), threading.Event()
    real = services.ledger.ageing

    def gated(actor, at=None, customer=None, *, on_progress=None):
        def progress(done, total):
            if on_progress is not None:
                on_progress(done, total)  # the bar moves (and Esc raises Cancelled here)
            if (done, total) == hold_at and not go.is_set():
                reached.set()
                go.wait(30)
                if on_progress is not None:
                    on_progress(done, total)  # the next step after Esc: cancelled here
        return real(actor, at, customer, on_progress=progress)

    monkeypatch.setattr(services.ledger, "ageing", gated)
    return reached, go


async def test_the_receivables_show_progress_while_read_and_esc_cancels(shop, monkeypatch):  # noqa: F811
    reached, go = gate_ageing(monkeypatch, shop, (0, 1))
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_menu(pilot, app, "receivables")
        await wait_for(pilot, reached.is_set, "ageing at its first step")
        row = screen.query_one("#lg-progress-row")
        await wait_for(pilot, lambda: row.display and text_of(screen, "#lg-progress-counts") == "0/1", "bar shown")
        assert screen.query_one("#lg-progress", ProgressBar).show_eta  # time left
        assert screen.message_bar.text == "Reading the balances… Esc cancels"
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen._report_work.cancel_requested, "cancel asked")
        assert app.screen is screen  # Esc cancels the reading; it does not leave the screen
        go.set()
        await wait_for(pilot, lambda: not screen.reading, "stopped")
        assert not row.display and screen.report is None
        assert screen.message_bar.text == "Cancelled: the report was not read · F5 reads it again"
        await pilot.press("f5")  # the screen is usable: read again, to the end this time
        await wait_for(pilot, lambda: screen.report is not None, "read again")
        assert text_of(screen, "#receivables-total") == "Total 850.00 USD" and not row.display
        await pilot.press("escape")  # nothing running: Esc is Back again
        await wait_for(pilot, lambda: app.screen is not screen, "back")


async def test_export_shows_progress_esc_leaves_no_file_and_enter_writes_it(shop, tmp_path,  # noqa: F811
                                                                            monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_menu(pilot, app, "receivables")
        await wait_for(pilot, lambda: screen.report is not None, "ageing loaded")
        assert "^O Export" in " ".join(f"{k.key_display} {k.description}" for k in screen.query("FooterKey"))
        reached, go = gate_ageing(monkeypatch, shop, (1, 1))
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ExportDialog", "export dialog")
        dialog = app.screen
        path = dialog.query_one("#export-path")
        assert path.value == "receivables-2026-11-23.csv"
        target = out / "ageing.csv"
        path.value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, reached.is_set, "export at its last step")
        await wait_for(pilot, lambda: text_of(dialog, "#export-counts") == "1/1", "counts shown")
        assert dialog.query_one("#export-progress", ProgressBar).percentage == 1.0
        await pilot.press("escape")
        await wait_for(pilot, lambda: dialog.work.cancel_requested, "cancel asked")
        assert app.screen is dialog and dialog.running  # it stops at its next step, then closes
        go.set()
        await wait_for(pilot, lambda: app.screen is screen, "dialog closed")
        assert screen.message_bar.text == "Export cancelled: no file was written"
        assert list(out.iterdir()) == []  # no file, no temporary left
        # again, not cancelled: the whole report in the file
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ExportDialog", "export dialog again")
        app.screen.query_one("#export-path").value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "written")
        assert screen.message_bar.text == f"wrote {target}"
    rows = list(csv.reader(target.open(encoding="utf-8")))
    totals = {(r[0], r[1]): r[8] for r in rows[1:]}
    assert totals[("Customers", "C0001")] == "250.00" and totals[("Customers", "C0002")] == "600.00"
    assert totals[("Customers", "TOTAL")] == "850.00"
    assert [p.name for p in out.iterdir()] == ["ageing.csv"]


async def test_export_refuses_a_name_without_a_known_ending(shop, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_menu(pilot, app, "trial_balance")
        await wait_for(pilot, lambda: screen.report is not None, "trial balance loaded")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ExportDialog", "export dialog")
        dialog = app.screen
        dialog.query_one("#export-path").value = "tb.docx"
        await pilot.press("enter")
        assert dialog.query_one("#export-message").text == "File: end the name with .csv, .xlsx, .pdf or .json"
        await pilot.press("escape")  # nothing running: Esc closes
        await wait_for(pilot, lambda: app.screen is screen, "closed")
    assert [p.name for p in tmp_path.iterdir() if p.suffix in (".docx", ".partial")] == []
