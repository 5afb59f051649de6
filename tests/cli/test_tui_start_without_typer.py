"""The terminal app (``shopterm``, ``shopterm demo``) starts without Typer; commands load it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
from shopterm import cli
import shopterm.app
tui = cli._tui_options(["demo", "--db", "/tmp/x.db"])
print("typer" in sys.modules, tui["demo"], tui["db"])
from shopterm.cli import DbOpt  # what the command modules import
import typer
print("typer" in sys.modules, DbOpt.__metadata__[0].__class__.__name__, cli.typer is typer)
"""


def test_the_app_opens_without_typer_and_the_command_types_load_it():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["False True /tmp/x.db", "True OptionInfo True"]


SIGN_IN_PROBE = """
import sys
import shopterm.app
print(sorted(m for m in ("shopterm.screens.home", "shopterm.screens.base.document", "shopterm.screens.registry",
                         "shopterm.screens.login", "shopterm.screens.base.footer") if m in sys.modules))
"""


def test_the_app_imports_the_sign_in_screen_and_not_the_menu():
    out = subprocess.run([sys.executable, "-c", SIGN_IN_PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['shopterm.screens.base.footer', 'shopterm.screens.login']"
