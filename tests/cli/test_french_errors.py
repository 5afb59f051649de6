"""Headless errors in the requested language (issue 14): ``--lang fr`` / ``SHOPTERM_LANG=fr``
give the French ``"error"``; ``"code"`` and the English ``"message_id"`` stay the same, and so
do the keys and the document type names."""

from __future__ import annotations

import json

import pytest

from shopterm.cli import make_app
from shopterm.core import i18n
from tests import backend
from tests.cli.conftest import with_pin
from typer.testing import CliRunner

DAY = "2026-11-23"
ENV = {"SHOPTERM_DB": None, "SHOPTERM_USER": None, "SHOPTERM_PIN": None, "SHOPTERM_TODAY": DAY, "SHOPTERM_LANG": None}
SHOP_OPEN = {"type": "shop_open", "location": "AXP", "date": DAY}


@pytest.fixture(autouse=True)
def english_after():
    """--lang sets the process's language: put English back for the next test."""
    yield
    i18n.set_language("en")


def run(*args: str, input: str | None = None, env: dict | None = None):
    runner = CliRunner(env={**ENV, **with_pin(args, env)})
    result = runner.invoke(make_app(list(args)), list(args), input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def _build_demo(url: str) -> None:
    result = run("demo", "--no-tui", "--db", backend.db_arg(url))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> str:
    return backend.make_template("demo", tmp_path_factory, _build_demo)


@pytest.fixture
def demo_db(demo_template, tmp_path) -> str:
    return backend.db_arg(backend.clone(demo_template, tmp_path, "demo.db"))


def post_twice(db: str, *lang_args: str, env: dict | None = None) -> dict:
    result = run(*lang_args, "post", "-", "--db", db, "--user", "cashier", input=json.dumps([SHOP_OPEN, SHOP_OPEN]),
                 env=env)
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def test_post_error_in_french_with_the_same_code_and_message_id(demo_db, demo_template, tmp_path):
    english = post_twice(demo_db)
    assert english["error"] == "The shop AXP is already open for 2026-11-23"
    french_db = backend.db_arg(backend.clone(demo_template, tmp_path, "fr.db"))
    french = post_twice(french_db, "--lang", "fr")
    assert french["error"] == "La caisse AXP est déjà ouverte pour le 23/11/2026"
    for key in ("code", "message_id", "field", "index", "type"):
        assert french[key] == english[key], key
    assert french["code"] == "day_already_open"
    assert french["message_id"] == "The shop {code} is already open for {date}"
    # what was posted before the refusal: keys, numbers and type names stay as they are
    assert french["posted"] == english["posted"] == [{"type": "shop_open", "number": "261101OP000001", "totals": {}}]


def test_shopterm_lang_gives_french_errors_too(demo_db):
    french = post_twice(demo_db, env={"SHOPTERM_LANG": "fr"})
    assert french["error"] == "La caisse AXP est déjà ouverte pour le 23/11/2026"
    assert french["code"] == "day_already_open"


def test_a_refused_credential_reads_in_french_with_its_code(demo_db):
    doc = json.dumps(SHOP_OPEN)
    result = run("--lang", "fr", "--user", "cashier", "--pin", "0000", "post", "-", "--db", demo_db, input=doc)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "error": "Utilisateur inconnu ou PIN erroné (encore 2 essais)", "field": "pin", "code": "auth",
        "message_id": "Unknown user or wrong PIN ({left} tries left)"}


def test_a_bad_document_in_french_names_the_field(demo_db):
    text = '{"type": "shop_close", "location": "AXP", "date": "2026-11-23", "physical_usd": 150.00}'
    result = run("--lang", "fr", "post", "-", "--db", demo_db, "--user", "manager", input=text)
    assert result.exit_code == 1
    err = json.loads(result.stdout)
    assert err["error"] == ("shop_close : 'physical_usd' doit être un texte comme \"2.50\", pas le nombre JSON 150.00 "
                            "(montants, quantités et taux sont des textes)")
    assert (err["field"], err["code"], err["type"]) == ("physical_usd", "invalid", "shop_close")
