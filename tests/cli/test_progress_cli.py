"""The Rich progress bar of the headless commands: drawn on standard error in a terminal (the
bar, rows done / total, time left), nothing extra when standard error is piped."""

from __future__ import annotations

import io
import sys

from shopterm.commands.progress import terminal_progress
from tests.cli.test_print_cli import run, template, db  # noqa: F401


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_in_a_terminal_the_bar_shows_counts_and_time_left(monkeypatch):
    err = _Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    with terminal_progress("Importing c.csv") as progress:
        assert progress is not None
        for done in range(1, 4):
            progress(done, 3)
    text = err.getvalue()
    assert "Importing c.csv" in text and "3/3" in text and "left" in text


def test_piped_nothing_extra(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with terminal_progress("Importing c.csv") as progress:
        assert progress is None
    assert sys.stderr.getvalue() == ""


def test_import_and_journal_export_piped_print_only_their_result(db, tmp_path):  # noqa: F811
    sp = tmp_path / "sp.csv"
    sp.write_text("code,name\nSP07,Anne Mbala\n", encoding="utf-8")
    result = run("import", "sales-persons", str(sp), "--db", db, "--user", "manager")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "imported 1 sales person (1 new, 0 updated)\n", "")
    out = tmp_path / "j.csv"
    result = run("export", "journal", "--format", "csv", "--output", str(out), "--db", db, "--user", "manager")
    assert (result.exit_code, result.stderr) == (0, f"wrote {out}\n")
