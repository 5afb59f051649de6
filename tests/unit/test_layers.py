"""The architecture's arrows (DESIGN §2), checked on every test run.

The contracts live in ``pyproject.toml`` under ``[tool.importlinter]``: core is
pure; services and the store never import Textual, screens, widgets or the CLI;
screens and widgets reach the database only through the services. A second test
checks the start-up hygiene the arrows buy: importing the services loads no
Textual (the headless commands and the tests use them without a terminal).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_services_load_without_textual():
    code = ("import sys, shopterm.services, shopterm.services.sales.invoice, shopterm.services.cash.till; "
            "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'shopterm.screens', "
            "'shopterm.widgets'))); print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_rate_is_shown_as_typed():
    """One rule for rates and percentages without trailing zeros (it had twelve copies)."""
    from decimal import Decimal as D

    from shopterm.core.money import format_rate

    assert format_rate(D("2850.000000")) == "2850"
    assert format_rate(D("2850.500000")) == "2850.5"
    assert format_rate(D("2850.5"), group=True) == "2,850.5"
    assert format_rate(D("5.0000")) == "5"
    assert format_rate(D("100")) == "100"
    assert format_rate(None) == ""
