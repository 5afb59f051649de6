"""``shopterm ledger …`` and ``shopterm export journal`` on a real database file."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from shopterm.cli import make_app
from tests import backend
from tests.cli.conftest import with_pin

DAY = "2026-11-23"
ENV = {"SHOPTERM_DB": None, "SHOPTERM_USER": None, "SHOPTERM_PIN": None, "SHOPTERM_TODAY": DAY}


def run(*args: str, env: dict | None = None):
    runner = CliRunner(env={**ENV, **with_pin(args, env)})
    result = runner.invoke(make_app(list(args)), list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def _build_ledger_case(url: str) -> None:
    from shopterm.services import Services
    from tests.store.conftest import actor, seed_demo_like
    from tests.store.ledger_support import DAY as day, build_case

    services = Services.open(url, today=day)
    seed_demo_like(services)
    build_case(services, actor(services, "manager"))
    services.db.dispose()


@pytest.fixture(scope="module")
def ledger_template(tmp_path_factory) -> str:
    """The demo-like shop of tests/store with the ledger case of tests/store/ledger_support."""
    return backend.make_template("ledger", tmp_path_factory, _build_ledger_case)


@pytest.fixture
def db(ledger_template, tmp_path) -> str:
    return backend.db_arg(backend.clone(ledger_template, tmp_path))


def test_balances_json(db):
    r = run("--db", db, "--user", "manager", "ledger", "balances", "--at", "2026-10-16", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [(x["customer_code"], x["balance_usd"]) for x in data["rows"]] == [("C0001", "150.00"), ("C0002", "460.00")]
    r = run("ledger", "balances", "--group", "Fleuve Group", "--customer", "C0002", "--format", "csv",
            "--db", db, "--user", "admin")
    assert r.exit_code == 0, r.output
    assert list(csv.reader(io.StringIO(r.stdout)))[1][:2] == ["C0002", "Pharmacie du Fleuve"]


def test_open_items_table_and_default_date(db):
    r = run("--db", db, "--user", "manager", "ledger", "open-items", "--customer", "C0001")
    assert r.exit_code == 0, r.output
    assert "261001SI000001" in r.stdout and "261101SI000001" in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    past = run("--db", db, "--user", "manager", "ledger", "open-items", "--at", "2026-10-16", "--format", "json")
    assert [x["open_usd"] for x in json.loads(past.stdout)["rows"]] == ["100.00", "200.00", "-150.00", "500.00",
                                                                        "-40.00"]


def test_statement_filters_and_csv(db):
    r = run("--db", db, "--user", "manager", "ledger", "statement", "--from", "2026-10-01", "--to", DAY,
            "--customer", "C0001", "--voucher-type", "RC", "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(x["Type"], x["Balance USD"]) for x in rows] == [
        ("Opening balance", "100.00"), ("Payment received", "150.00"), ("Payment received", "200.00"),
        ("Total", ""), ("Closing balance", "200.00")]
    r = run("--db", db, "--user", "manager", "ledger", "statement", "--from", "2026-10-01", "--to", DAY,
            "--customer", "C0001", "--partly-settled", "--changed-since", "2000-01-01T00:00:00", "--format", "json")
    assert [x["number"] for x in json.loads(r.stdout)["sections"][0]["rows"]] == [
        "261001SI000001", "261001RC000001", "261101RC000001"]


def test_ageing_xlsx_and_statement_pdf_files(db, tmp_path):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    out = tmp_path / "ageing.xlsx"
    r = run("--db", db, "--user", "manager", "ledger", "ageing", "--at", DAY, "--format", "xlsx", "--output", str(out))
    assert r.exit_code == 0, r.output
    assert f"wrote {out}" in r.stderr
    ws = load_workbook(out)["Customers"]
    assert [c.value for c in ws[4]][:1] == ["C0001"]
    pdf = tmp_path / "st.pdf"
    r = run("--db", db, "--user", "manager", "ledger", "statement", "--from", "2026-10-01", "--to", DAY,
            "--customer", "C0001", "--format", "pdf", "-o", str(pdf))
    assert r.exit_code == 0, r.output
    text = PdfReader(pdf).pages[0].extract_text()
    assert "Axpert" in text and "Kinshasa Pharma" in text and "Ageing at 2026-11-23" in text
    piped = run("--db", db, "--user", "manager", "ledger", "ageing", "--format", "pdf")  # stdout is not a terminal
    assert piped.exit_code == 0 and piped.stdout_bytes.startswith(b"%PDF")


def test_other_reports(db):
    for args in (("general-ledger", "--from", "2026-08-01", "--all"), ("trial-balance",),
                 ("register", "1200", "--from", "2026-10-01")):
        r = run("--db", db, "--user", "manager", "ledger", *args, "--format", "json")
        assert r.exit_code == 0, r.output
    tb = json.loads(run("--db", db, "--user", "manager", "ledger", "trial-balance", "--format", "json").stdout)
    assert (tb["total_debit"], tb["total_credit"]) == ("880.00", "880.00")


def test_errors_are_one_clear_line(db):
    r = run("--db", db, "--user", "cashier", "ledger", "balances")
    assert r.exit_code == 1
    assert r.stderr == "error: Viewing customer ledgers needs a manager; cashier is a cashier\n"
    r = run("--db", db, "--user", "manager", "ledger", "balances", "--at", "2026-13-01")
    assert r.stderr == "error: --at must be a date YYYY-MM-DD, got '2026-13-01'\n"
    r = run("--db", db, "--user", "manager", "ledger", "ageing", "--format", "docx")
    assert r.stderr == "error: --format must be one of table, json, csv, xlsx, pdf, got 'docx'\n"
    r = run("--db", db, "--user", "manager", "ledger", "statement", "--voucher-type", "ZZ")
    assert r.stderr == "error: Unknown voucher type 'ZZ' (use SI, PI, SR, RD, RC or CR)\n"
    r = run("--db", db, "--user", "manager", "ledger", "statement", "--changed-since", "yesterday")
    assert r.stderr == ("error: --changed-since must be a timestamp such as 2026-11-23T08:00:00, "
                        "got 'yesterday'\n")
    r = run("--db", db, "--user", "manager", "ledger", "balances", "--customer", "C9999")
    assert r.stderr == "error: Customer C9999 not found\n"
    r = run("--db", db, "ledger", "balances")
    assert r.stderr == "error: this command needs the acting user: --user NAME (or SHOPTERM_USER)\n"


def test_export_journal(db, tmp_path):
    r = run("--db", db, "--user", "manager", "export", "journal")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("; shopterm journal export")
    assert "2026-10-15 (261001RC000001) Sales receipt" in r.stdout
    out = tmp_path / "j.csv"
    r = run("--db", db, "--user", "manager", "export", "journal", "--format", "csv", "--output", str(out))
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 14  # 7 vouchers of 2 lines
    assert sum((Decimal(x["amount_usd"]) for x in rows), Decimal(0)) == 0
    r = run("--db", db, "--user", "manager", "export", "journal", "--format", "ledger")
    assert r.exit_code == 1 and r.stderr == "error: --format must be one of hledger, csv, got 'ledger'\n"
    r = run("--db", db, "--user", "cashier", "export", "journal")
    assert r.stderr == "error: Exporting the journal needs a manager; cashier is a cashier\n"


# ---------------------------------------------------------------- progress (issue 16)


def test_reports_show_progress_only_in_a_terminal_and_never_with_json(db, tmp_path, monkeypatch):
    from shopterm.commands import progress

    # piped (the runner's standard error is no terminal): the report, and nothing else
    r = run("--db", db, "--user", "manager", "ledger", "general-ledger", "--all", "--from", "2026-08-01",
            "--format", "csv")
    assert r.exit_code == 0 and r.stderr == "" and len(r.stdout.splitlines()) == 1 + 7 + 1  # head, 7 entries, total
    monkeypatch.setattr(progress, "in_terminal", lambda: True)  # a person watching standard error
    out = tmp_path / "reg.csv"
    r = run("--db", db, "--user", "manager", "ledger", "register", "1200", "--from", "2026-08-01",
            "--format", "csv", "--output", str(out))
    assert r.exit_code == 0, r.output
    assert "Reading the account register" in r.stderr and "7/7" in r.stderr and "left" in r.stderr  # 7 lines
    assert r.stderr.rstrip().endswith(f"wrote {out}")
    assert sum(1 for line in out.read_text().splitlines() if "SI0" in line or "RC0" in line or "SR0" in line) == 7
    assert [p.name for p in tmp_path.iterdir()].count("reg.csv") == 1
    # the report piped into another program (| less): no bar drawn over it
    r = run("--db", db, "--user", "manager", "ledger", "statement", "--from", "2026-10-01", "--format", "csv")
    assert (r.exit_code, r.stderr) == (0, "") and r.stdout.startswith("section,")
    monkeypatch.setattr(progress, "stdout_piped", lambda: False)  # to the terminal, or redirected to a file
    r = run("--db", db, "--user", "manager", "ledger", "statement", "--from", "2026-10-01", "--format", "csv")
    assert "Reading the statements" in r.stderr and "2/2" in r.stderr  # C0001 and C0002
    assert r.stdout.startswith("section,")  # the report itself on standard output, untouched
    r = run("--db", db, "--user", "manager", "ledger", "general-ledger", "--all", "--from", "2026-08-01",
            "--format", "csv")
    assert "Reading the general ledger" in r.stderr and "2/2" in r.stderr  # C0001's and C0002's balances
    out = tmp_path / "gl.xlsx"
    r = run("--db", db, "--user", "manager", "ledger", "general-ledger", "--all", "--from", "2026-08-01",
            "--format", "xlsx", "--output", str(out))
    assert "Writing the XLSX file" in r.stderr and "8/8" in r.stderr  # 7 entries and the total row laid out
    assert out.read_bytes()[:2] == b"PK"
    r = run("--db", db, "--user", "manager", "ledger", "ageing", "--format", "json")
    assert (r.exit_code, r.stderr) == (0, "") and json.loads(r.stdout)["report"] == "AgeingReport"


def test_an_export_stopped_midway_leaves_no_file(db, tmp_path, monkeypatch):
    from shopterm.services.ledger import hledger

    def interrupted(*args, **kwargs):  # Ctrl+C after the first lines were written
        out = args[1]
        out.write("; shopterm journal export\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(hledger, "write_hledger", interrupted)
    out = tmp_path / "out"
    out.mkdir()
    r = run("--db", db, "--user", "manager", "export", "journal", "--output", str(out / "shop.journal"))
    assert r.exit_code != 0 and list(out.iterdir()) == []
