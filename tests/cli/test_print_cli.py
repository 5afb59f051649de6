"""``shopterm print``: a posted document printed from a shell — the print folder, --output
FILE and -, --usd, --delivery, --statement, the re-print mark, and one-line errors."""

from __future__ import annotations

import io

import pypdf
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from shopterm.cli import make_app
from tests import backend
from tests.cli.conftest import with_pin

DAY = "2026-11-23"
ENV = {"SHOPTERM_DB": None, "SHOPTERM_USER": None, "SHOPTERM_PIN": None, "SHOPTERM_TODAY": DAY}
NUMBER = "261101SI000001"


def run(*args: str):
    runner = CliRunner(env={**ENV, **with_pin(args)})
    result = runner.invoke(make_app(list(args)), list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def _build(url: str) -> None:
    from shopterm.services import Services
    from shopterm.services.documents.drafts import DocumentDraft, DraftLine
    from tests.store.conftest import DAY as day, actor, open_day, seed_demo_like

    services = Services.open(url, today=day)
    seed_demo_like(services)
    open_day(services)
    cashier = actor(services, "cashier")
    lines = [DraftLine("PARA500", "B001", "10", "2.50", "10", "0"), DraftLine("AMOX250", "A001", "3", "7.99", "0", "1.00"),
             DraftLine("BAND01", "D001", "4", "1.25", "0", "0")]
    d = DocumentDraft(location="AXP", date=day, customer="C0002", sales_type="credit", currency="USD", rate="2850",
                      sales_person="SP02", flat_discount_type="percent", flat_discount_value="5", lines=lines)
    assert services.sales.post_invoice(cashier, d).number == NUMBER
    services.sales.save_draft(cashier, d)  # document id 2: a draft
    services.db.dispose()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> str:
    """The demo-like shop with the DESIGN §4 invoice posted for C0002 (USD, payable 156,400 CDF) and a draft."""
    return backend.make_template("print", tmp_path_factory, _build)


@pytest.fixture
def db(template, tmp_path) -> str:
    url = backend.clone(template, tmp_path)
    if backend.PG:  # no database folder to print beside: the Shop Setup names the test's folder
        from shopterm.services import Services
        from shopterm.store.models import ShopSetup

        services = Services.open(url, upgrade=False)
        with services.db.write() as s:
            s.execute(select(ShopSetup)).scalars().first().print_dir = str(tmp_path / "prints" / "AXP")
        services.db.dispose()
    return backend.db_arg(url)


def pdf_text(data: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).split())


def test_print_to_the_print_folder_then_reprint_to_a_file(db, tmp_path):
    r = run("--db", db, "--user", "cashier", "print", NUMBER)
    assert r.exit_code == 0, r.output
    path = tmp_path / "prints" / "AXP" / f"{NUMBER}.pdf"
    assert r.stdout.strip() == f"Printed {NUMBER} to {path}"
    text = pdf_text(path.read_bytes())
    for want in ("FACTURE", "Pharmacie du Fleuve", "Subtotal 50.47", "Flat discount 5% -2.52", "VAT 16% 6.91",
                 "Net amount USD 54.86", "Payable CDF 156,400.00"):
        assert want in text, want
    assert "DUPLICATE" not in text
    out = tmp_path / "again.txt"
    r = run("print", NUMBER, "--format", "text", "--output", str(out), "--db", db, "--user", "cashier")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == f"Wrote {NUMBER} (re-print 1) to {out}"
    body = out.read_text(encoding="utf-8")
    assert "*** DUPLICATE — RE-PRINT 1 ***" in body
    assert max(len(line) for line in body.splitlines()) <= 48
    squashed = [" ".join(l.split()) for l in body.splitlines()]
    assert "NET AMOUNT USD 54.86" in squashed and "PAYABLE CDF 156,400.00" in squashed


def test_text_to_stdout_in_usd_and_the_delivery_note(db):
    r = run("--db", db, "--user", "cashier", "print", NUMBER, "-f", "text", "--usd", "-o", "-")
    assert r.exit_code == 0, r.output
    lines = [" ".join(l.split()) for l in r.stdout.splitlines()]
    assert "NET AMOUNT USD 54.86" in lines and "PAYABLE USD 54.86" in lines
    assert "156,400" not in r.stdout and "156,351" not in r.stdout
    assert max(len(l) for l in r.stdout.splitlines()) <= 48
    r = run("--db", db, "--user", "cashier", "print", NUMBER, "--delivery", "-f", "text", "-o", "-")
    assert r.exit_code == 0, r.output
    assert "DELIVERY NOTE" in r.stdout and "DUPLICATE" not in r.stdout  # counted apart from the facture
    r = run("--db", db, "--user", "cashier", "print", NUMBER, "-o", "-")  # the second facture print: a PDF
    assert r.exit_code == 0
    assert "DUPLICATE — RE-PRINT 1" in pdf_text(r.stdout_bytes)


def test_print_command_from_the_shop_setup(db, tmp_path):
    from shopterm.services import Services
    from shopterm.store.models import ShopSetup

    paper = tmp_path / "paper.txt"
    services = Services.open(db)
    with services.db.write() as s:
        s.execute(select(ShopSetup)).scalars().first().print_command = f"cat > {paper}"
    services.db.dispose()
    r = run("--db", db, "--user", "cashier", "print", NUMBER, "--format", "text")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == f"Printed {NUMBER} on 'cat > {paper}'"
    assert "PAYABLE CDF" in paper.read_text(encoding="utf-8")
    services = Services.open(db)
    with services.db.write() as s:
        s.execute(select(ShopSetup)).scalars().first().print_command = "false"
    services.db.dispose()
    r = run("--db", db, "--user", "cashier", "print", NUMBER, "--format", "text")
    assert r.exit_code == 1
    assert r.stderr.strip() == "error: Print command 'false' failed (exit 1): no message"


def test_statement(db):
    r = run("--db", db, "--user", "manager", "print", "C0002", "--statement", "--from", "2026-11-01", "--to", DAY,
            "-f", "text", "-o", "-")
    assert r.exit_code == 0, r.output
    lines = [" ".join(l.split()) for l in r.stdout.splitlines()]
    assert "Customer C0002 Pharmacie du Fleuve" in lines and "CLOSING BALANCE USD 54.86" in lines
    r = run("--db", db, "--user", "manager", "print", "C0002", "--statement")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip().startswith("Printed statement-C0002-2026-11-01-2026-11-23 to ")
    r = run("--db", db, "--user", "cashier", "print", "C0002", "--statement")
    assert r.exit_code == 1 and "Printing a customer statement needs a manager" in r.stderr


@pytest.mark.parametrize("args, message", [
    (["print", "261101SI000099"], "error: Document 261101SI000099 not found"),
    (["print", "2"], "error: Drafts cannot be printed: save it first"),
    (["print", NUMBER, "--format", "docx"], "error: --format must be pdf or text, got 'docx'"),
    (["print", NUMBER, "--from", "2026-11-01"], "error: --from/--to are for --statement"),
    (["print", NUMBER, "--statement", "--delivery"], "error: --statement and --delivery cannot be used together"),
    (["print", " "], "error: Give the document number to print (or a customer code with --statement)"),
])
def test_bad_input_is_one_line(db, args, message):
    r = run("--db", db, "--user", "cashier", *args)
    assert r.exit_code == 1
    assert r.stderr.strip() == message and "Traceback" not in r.output
