"""Esc on a running CSV import cancels it: the import stops at its next progress step, inside
its transaction, which rolls back — none of the file's customers exist afterwards. The test
holds the import at its first row (a gate in the progress callback) so Esc lands mid-import."""

from __future__ import annotations

import threading

from textual.widgets import ProgressBar

from tests.ui.test_masters_customers import app_for, open_master, shop  # noqa: F401
from tests.ui.waiting import wait_for

HEADER = ("code,name,kind,category,group,price_category,credit_limit_usd,credit_days,mobile,email,address,"
          "sales_person,tax_exempt,free_offer,loyalty_card,locations")


async def test_esc_cancels_a_running_import_and_nothing_is_written(shop, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    rows = [f"C{400 + i},Pharmacie {i},credit,WH,Fleuve Group,wholesale,100,10,,,,SP01,no,no,,AXP" for i in range(40)]
    (tmp_path / "c.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    before = shop.masters.list_customers(status="all").total
    reached, go = threading.Event(), threading.Event()
    real = shop.masters.import_csv

    def gated(actor, kind, path, on_progress=None, **kw):
        def progress(done, total):
            if done == 1:  # inside the transaction, one customer written: hold here until Esc
                reached.set()
                go.wait(30)
            on_progress(done, total)
        return real(actor, kind, path, on_progress=progress, **kw)

    monkeypatch.setattr(shop.masters, "import_csv", gated)
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_master(pilot, app, "customer")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ImportDialog", "import dialog")
        dialog = app.screen
        assert dialog.query_one("#import-progress", ProgressBar).show_eta  # time left shown
        await pilot.press(*"c.csv", "enter")
        await wait_for(pilot, reached.is_set, "import at row 1")
        await pilot.press("escape")
        await wait_for(pilot, lambda: dialog.cancel_requested, "cancel asked")
        assert app.screen is dialog  # Esc cancels the import, it does not leave it running
        go.set()
        await wait_for(pilot, lambda: not dialog.running, "stopped")
        assert dialog.query_one("#import-message").text == "Import cancelled: nothing was imported"
        assert dialog.result is None
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ != "ImportDialog", "closed")
    assert shop.masters.list_customers(status="all").total == before
