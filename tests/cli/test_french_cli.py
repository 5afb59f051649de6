"""The shell in French (issue 14): ``--lang fr`` / SHOPTERM_LANG, a user's language set from the shell."""

from __future__ import annotations

import pytest

from shopterm.core import i18n
from tests.cli.test_print_cli import db, run, template  # noqa: F401 - fixtures

__all__ = ["db", "template"]


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_language("en")


def test_user_language_shown_and_set_from_the_shell(db):
    r = run("--db", db, "--user", "admin", "user", "language", "cashier")
    assert (r.exit_code, r.stdout) == (0, "cashier reads the shop's language (Shop Setup)\n")
    r = run("--db", db, "--user", "admin", "user", "language", "cashier", "FR")
    assert (r.exit_code, r.stdout) == (0, "cashier reads Français\n")
    r = run("--db", db, "--user", "admin", "user", "language", "cashier", "xx")
    assert r.exit_code == 1 and "Language: xx is not available (available: en, fr)" in r.stderr
    r = run("--db", db, "--user", "admin", "--lang", "fr", "user", "language", "cashier", "shop")
    assert (r.exit_code, r.stdout) == (0, "cashier lit la langue du point de vente (paramétrage)\n")
    r = run("--db", db, "--user", "cashier", "user", "language", "cashier", "en")
    assert r.exit_code == 1 and "admin" in r.stderr
