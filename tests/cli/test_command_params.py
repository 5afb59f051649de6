"""Command-line values are read without pydantic, exactly as Typer's own adapters read them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer._coercion import build_runtime_param as typer_build
from typer._coercion import resolve_type_descriptor
from typer.models import OptionInfo

from shopterm import cli
from shopterm.commands import params

ROOT = Path(__file__).resolve().parents[2]

VALUES = {
    str: ["", "x", " 2026-12-05 ", "C0001", "é", "--", "0"],
    bool: ["", "1", "0", "true", "False", "YES", "no", " on ", "off", "t", "F", "y", "N", "maybe", "2", True, False],
    int: ["0", "7", "-3", "+12", " 5", "5 ", "1.0", "1.5", "1_000", "x", "", "99999999999999999999", 4],
    list[str]: [["a", "b"], ("x",), [], "single"],
}


def _outcome(runtime, value):
    import click

    ctx = click.Context(click.Command("x"))
    try:
        return ("ok", runtime._coerce_value(value, param=None, ctx=ctx))
    except Exception as exc:  # the error Typer gives is what the user sees: compare it too
        return ("error", type(exc).__name__, str(exc))


@pytest.mark.parametrize("annotation", list(VALUES), ids=lambda a: getattr(a, "__name__", repr(a)))
def test_a_plain_reading_equals_typers_own(annotation):
    cli._load_typer()
    descriptor = resolve_type_descriptor(annotation, OptionInfo())
    plain = typer.core.build_runtime_param(descriptor)
    own = typer_build(descriptor)
    assert type(plain).__name__ == "PlainParam" and type(own).__name__ != "PlainParam"
    for value in VALUES[annotation]:
        assert _outcome(plain, value) == _outcome(own, value), value


def test_other_types_keep_typers_reading():
    assert params.reader_for(Path) is None and params.reader_for(float) is None
    cli._load_typer()
    descriptor = resolve_type_descriptor(int, OptionInfo(min=1))
    assert type(typer.core.build_runtime_param(descriptor)).__name__ != "PlainParam"


PROBE = """
import sys
from shopterm.cli import main
try:
    main(["ledger", "balances", "--db", sys.argv[1], "--user", "manager", "--format", "nope"])
except SystemExit as exc:
    print("exit", exc.code)
print("pydantic" in sys.modules, "typer" in sys.modules)
"""


def test_a_command_line_is_read_without_pydantic(tmp_path):
    out = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "none.db")], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["exit 1", "False True"], out.stderr
    assert "--format must be one of table, json, csv, xlsx, pdf" in out.stderr
