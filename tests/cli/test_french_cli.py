"""The shell in French (issue 14): ``--lang fr`` / SHOPTERM_LANG, a user's language set from the shell."""

from __future__ import annotations

import pytest

from shopterm.core import i18n
from tests.cli.test_print_cli import NUMBER, db, run, template  # noqa: F401 - fixtures

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


def test_print_lang_fr_prints_a_french_facture(db, tmp_path):
    out = tmp_path / "f.txt"
    r = run("--db", db, "--user", "cashier", "print", NUMBER, "--lang", "fr", "--format", "text", "--output", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "FACTURE" in text and f"N° {NUMBER}" in text and "À PAYER CDF" in text and "156\u00a0400,00" in text
    assert r.stdout.startswith("Wrote ")  # the shell itself reads the reader's language (English here)
    r = run("--db", db, "--user", "cashier", "print", NUMBER, "--lang", "xx")
    assert r.exit_code == 1 and "xx" in r.stderr


def test_lang_fr_ledger_statement_prints_a_french_statement(db):
    r = run("--db", db, "--user", "manager", "--lang", "fr", "ledger", "statement", "C0002")
    assert r.exit_code == 0, r.output
    text = r.stdout
    for piece in ("Relevé de compte", "du 01/11/2026 au 23/11/2026", "Solde d'ouverture", "Solde de clôture",
                  "Débit USD", "54,86"):
        assert piece in text, (piece, text)
    en = run("--db", db, "--user", "manager", "ledger", "statement", "C0002").stdout
    assert "Customer statement" in en and "54.86" in en


def _main(capsys, *args: str) -> str:
    from shopterm.cli import main

    with pytest.raises(SystemExit) as done:
        main(list(args))
    assert done.value.code in (0, None)
    return capsys.readouterr().out


def test_help_reads_in_the_chosen_language(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    fr = " ".join(_main(capsys, "--lang", "fr", "ledger", "statement", "--help").split())
    for piece in ("Solde d'ouverture, écritures avec solde progressif", "Première date, AAAA-MM-JJ (incluse).",
                  "Un client (code), comme --customer.", "Options", "[par défaut : table]"):
        assert piece in fr, (piece, fr)
    monkeypatch.setenv("SHOPTERM_LANG", "fr")
    top = " ".join(_main(capsys, "--help").split())
    assert "Imprimer les documents comptabilisés." in top and "Commandes" in top
    monkeypatch.delenv("SHOPTERM_LANG")
    en = " ".join(_main(capsys, "ledger", "statement", "--help").split())
    assert "Opening balance, entries with running balance" in en and "[default: table]" in en
    assert "Usage: shopterm ledger statement" in en and "Show this message and exit." in en
    # Typer's and its Click's own words too ("Usage:", the --help option)
    assert "Utilisation : shopterm ledger statement" in fr and "Afficher cette aide et quitter." in fr


def test_shell_answers_in_french(db, tmp_path):
    r = run("--db", db, "--lang", "fr", "db", "verify")
    assert r.exit_code == 0, r.output
    assert "journal d'audit :" in r.stdout and "chaîne intacte" in r.stdout and "pièces" in r.stdout
    out = tmp_path / "f.pdf"
    r = run("--db", db, "--user", "cashier", "--lang", "fr", "print", NUMBER, "--output", str(out))
    assert r.exit_code == 0 and r.stdout == f"{NUMBER} écrit dans {out}\n"
    r = run("--db", db, "--user", "manager", "--lang", "fr", "ledger", "balances", "--format", "bad")
    assert r.exit_code == 1 and r.stderr == "erreur : --format doit être l'un de table, json, csv, xlsx, pdf, reçu 'bad'\n"


def test_a_usage_error_reads_in_french_to_the_help_hint(capsys, monkeypatch):
    """'Try 'shopterm -h' for help.' above Typer's error panel follows the language too."""
    from shopterm.cli import main

    monkeypatch.setenv("COLUMNS", "100")
    for lang, hint, panel in (("fr", "Essayez 'shopterm -h' pour l'aide.", "Commande inconnue"),
                              ("en", "Try 'shopterm -h' for help.", "No such command")):
        with pytest.raises(SystemExit) as done:
            main(["--lang", lang, "nosuch"])
        assert done.value.code == 2
        err = capsys.readouterr().err
        assert hint in err and panel in err, err


def test_lang_fr_balances_heads_its_currency_columns_as_entries_not_articles(db):
    """Balances' per-currency columns are the customer's entries (as the note below says), not
    "Art." (articles, the goods): the column and its note use the same word."""
    r = run("--db", db, "--user", "manager", "--lang", "fr", "ledger", "balances")
    assert r.exit_code == 0, r.output
    head = r.stdout.splitlines()[1].split()
    assert head[:2] == ["Client", "Nom"] and "Écr." in head and "Art." not in head, r.stdout
    assert "Écritures : celles de chaque monnaie" in r.stdout
    en = run("--db", db, "--user", "manager", "ledger", "balances").stdout
    assert en.splitlines()[1].split()[:3] == ["Customer", "Name", "Items"], en


def test_ageing_by_group_heads_its_first_column_group(db):
    for lang, word in (("en", "Group"), ("fr", "Groupe")):
        r = run("--db", db, "--user", "manager", "--lang", lang, "ledger", "ageing")
        assert r.exit_code == 0, r.output
        lines = r.stdout.splitlines()
        by_group = next(i for i, line in enumerate(lines) if "group" in line.lower() and i > 2)
        assert lines[by_group + 1].split()[0] == word, r.stdout


def test_lang_fr_statement_and_open_items_read_french_types_and_heads(db):
    """The statement's type column read "Sales invoice" in French; open items headed "Ouvrir"
    (the verb, open a document) and "Lettrer" (match, the verb) over amounts and match ids."""
    r = run("--db", db, "--user", "manager", "--lang", "fr", "ledger", "statement", "C0002")
    assert r.exit_code == 0, r.output
    assert "Sales invoice" not in r.stdout and "Facture" in r.stdout, r.stdout
    r = run("--db", db, "--user", "manager", "--lang", "fr", "ledger", "open-items", "--customer", "C0002")
    assert r.exit_code == 0, r.output
    head = r.stdout.splitlines()[1].split()
    assert "Ouvrir" not in head and "Lettrer" not in head, r.stdout
    assert head[-3:] == ["Ouvert", "USD", "Lettrage"], r.stdout
    csv = run("--db", db, "--user", "manager", "--lang", "fr", "ledger", "statement", "C0002", "--format", "csv")
    assert "Sales invoice" in csv.stdout  # a machine reads the CSV: English, as the data keeps it
