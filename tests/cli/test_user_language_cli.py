"""Headless commands read in the signed-in user's language (README "Languages"): one rule with the
terminal app. ``--lang`` / ``SHOPTERM_LANG`` when given; else, once signed in, the user's own language,
else the shop's. Machine formats (JSON, CSV) stay neutral whatever the language."""

from __future__ import annotations

import csv
import io
import json

import pytest

from shopterm.core import i18n
from tests.cli.test_ledger_cli import db, ledger_template, run  # noqa: F401  (fixtures)
from tests.cli.test_trust_cli import sql


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_language("en")


def _reads_french(db: str, user: str = "manager") -> None:
    sql(db, f"UPDATE \"user\" SET language = 'fr' WHERE name = '{user}'")


def test_a_french_manager_reads_french_tables_and_neutral_json(db):  # noqa: F811
    _reads_french(db)
    args = ("--db", db, "--user", "manager", "ledger")
    fr = run(*args, "balances", "--at", "2026-10-16")
    assert fr.exit_code == 0, fr.output
    assert [line.rstrip() for line in fr.stdout.splitlines()[:7]] == [
        "Soldes clients",
        "Client Nom                 Écr. USD Solde USD Alerte",
        "─" * 52,
        "C0001  Kinshasa Pharma       150,00    150,00",
        "C0002  Pharmacie du Fleuve   460,00    460,00",
        "Total                        610,00    610,00",
        "au 16/10/2026"]
    tb = run(*args, "trial-balance")
    assert [line.rstrip() for line in tb.stdout.splitlines()][:2] == ["Balance", "Compte Nom                Débit USD Crédit USD"]
    assert "Total                        880,00     880,00" in tb.stdout
    # machine formats stay neutral
    data = json.loads(run(*args, "balances", "--at", "2026-10-16", "--format", "json").stdout)
    assert [(x["customer_code"], x["balance_usd"]) for x in data["rows"]] == [("C0001", "150.00"), ("C0002", "460.00")]
    table = list(csv.reader(io.StringIO(run(*args, "balances", "--at", "2026-10-16", "--format", "csv").stdout)))
    assert table[0][:2] == ["Customer", "Name"] and table[1][0] == "C0001" and "150.00" in table[1]
    # an error after the sign-in reads French too; --lang en (or SHOPTERM_LANG) wins over the user's
    assert run(*args, "balances", "--customer", "C9999").stderr == "erreur : Client C9999 introuvable\n"
    en = run("--lang", "en", *args, "balances", "--at", "2026-10-16")
    assert en.stdout.startswith("Customer balances") and "150.00" in en.stdout
    env = run(*args, "balances", "--at", "2026-10-16", env={"SHOPTERM_LANG": "en"})
    assert env.stdout.startswith("Customer balances")


def test_an_english_user_of_a_french_shop_and_a_token(db):  # noqa: F811
    """The shop's language (Shop Setup) for a user with none of their own; an API token signs its user in
    with that user's language too (it gave none: English tables for a French manager)."""
    sql(db, "UPDATE shop_setup SET language = 'fr'")
    assert run("--db", db, "--user", "cashier", "ledger", "balances").exit_code == 1  # (a cashier reads no ledger)
    assert run("--db", db, "--user", "manager", "ledger", "balances").stdout.startswith("Soldes clients")
    sql(db, "UPDATE \"user\" SET language = 'en' WHERE name = 'manager'")
    assert run("--db", db, "--user", "manager", "ledger", "balances").stdout.startswith("Customer balances")
    _reads_french(db)
    issued = run("--db", db, "--user", "admin", "user", "token", "create", "manager")
    token = issued.stdout.split()[0]
    got = run("--db", db, "ledger", "balances", env={"SHOPTERM_TOKEN": token})
    assert got.exit_code == 0 and got.stdout.startswith("Soldes clients"), got.output


def test_shopterm_post_read_without_typer_follows_the_same_rule(db, tmp_path, monkeypatch, capsys):  # noqa: F811
    """``shopterm post FILE`` is read without Typer (a faster start): the same rule, the user's language
    after the sign-in unless SHOPTERM_LANG says otherwise; the JSON's keys and message_id stay English."""
    from shopterm import cli

    _reads_french(db)
    doc = tmp_path / "bad.json"
    doc.write_text(json.dumps([{"type": "customer_payment", "location": "AXP", "date": "2026-11-23",
                                "customer": "C9999", "currency": "USD", "amount": "5", "method": "cash"}]))
    for key in ("SHOPTERM_DB", "SHOPTERM_USER", "SHOPTERM_PIN", "SHOPTERM_TOKEN", "SHOPTERM_LANG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SHOPTERM_TODAY", "2026-11-23")
    closed = "Shop is not open for {code} on {date}: run Shop Open first"  # the case's day is not open
    for env_lang, error in ((None, "La caisse n'est pas ouverte pour AXP le 23/11/2026 : faites d'abord "
                                   "l'ouverture de caisse"),
                            ("en", "Shop is not open for AXP on 2026-11-23: run Shop Open first")):
        if env_lang:
            monkeypatch.setenv("SHOPTERM_LANG", env_lang)
        with pytest.raises(SystemExit):
            cli.main(["--db", db, "--user", "manager", "--pin", "2222", "post", str(doc)])
        out = json.loads(capsys.readouterr().out)
        assert (out["error"], out["message_id"], out["code"]) == (error, closed, "day_not_open"), out
