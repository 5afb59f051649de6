"""``shopterm email``: the DESIGN §4 invoice (261101SI000001, C0002, 54.86 USD, payable
156,400.00 CDF) and C0002's statement sent to a local SMTP server the test starts."""

from __future__ import annotations

import email
import email.policy
import io

import pypdf
import pytest
from sqlalchemy import select

from tests import backend
from tests.cli.test_print_cli import NUMBER, run, template  # noqa: F401 - the shared template fixture
from tests.store.test_email import Inbox, _free_port

from aiosmtpd.controller import Controller


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def db(template, tmp_path, monkeypatch) -> str:  # noqa: F811
    for name in ("SHOPTERM_SMTP_HOST", "SHOPTERM_SMTP_PORT", "SHOPTERM_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    url = backend.clone(template, tmp_path)
    from shopterm.services import Services
    from shopterm.store.models import ShopSetup

    services = Services.open(url, upgrade=False)
    with services.db.write() as s:
        setup = s.execute(select(ShopSetup)).scalars().first()
        setup.smtp_from, setup.smtp_security = "shop@axpert.example", "none"
        setup.print_dir = str(tmp_path / "prints" / "AXP")
    services.db.dispose()
    return backend.db_arg(url)


def words(msg) -> str:
    part = next(p for p in msg.walk() if p.get_content_type() == "application/pdf")
    reader = pypdf.PdfReader(io.BytesIO(part.get_payload(decode=True)))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_email_an_invoice_and_a_statement(db, smtp):
    inbox, port = smtp
    result = run("email", NUMBER, "--to", "achats@fleuve.example", "--smtp-host", "127.0.0.1", "--smtp-port",
                 str(port), "--db", db, "--user", "cashier")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Sent {NUMBER}.pdf to achats@fleuve.example through 127.0.0.1:{port}\n"
    msg = email.message_from_bytes(inbox.received[0][2].as_bytes(), policy=email.policy.default)
    assert inbox.received[0][1] == ["achats@fleuve.example"] and msg["Subject"] == f"Invoice {NUMBER} — Axpert"
    text = words(msg)
    assert "54.86" in text and "156,400.00" in text
    # the statement, the server from the environment
    from typer.testing import CliRunner

    from shopterm.cli import make_app
    from tests.cli.conftest import with_pin
    from tests.cli.test_print_cli import ENV

    args = ["email", "--statement", "C0002", "--from", "2026-11-01", "--until", "2026-11-30", "--to",
            "boss@fleuve.example", "--db", db, "--user", "manager"]
    env = {**ENV, **with_pin(args), "SHOPTERM_SMTP_HOST": "127.0.0.1", "SHOPTERM_SMTP_PORT": str(port)}
    result = CliRunner(env=env).invoke(make_app(args), args)
    assert result.exit_code == 0, result.output
    assert inbox.received[1][1] == ["boss@fleuve.example"]
    assert inbox.received[1][2]["Subject"] == "Statement C0002 2026-11-01 to 2026-11-30 — Axpert"
    assert NUMBER in words(inbox.received[1][2]) and "54.86" in words(inbox.received[1][2])


def test_email_failures_are_clear_and_exit_1(db, smtp):
    inbox, port = smtp
    result = run("email", NUMBER, "--db", db, "--user", "cashier", "--smtp-host", "127.0.0.1", "--smtp-port",
                 str(port))
    assert result.exit_code == 1 and "No email address: C0002 has none on file; type one (--to)" in result.stderr
    result = run("email", NUMBER, "--to", "x@refused.example", "--smtp-host", "127.0.0.1", "--smtp-port", str(port),
                 "--db", db, "--user", "cashier")
    assert result.exit_code == 1
    assert "the server refused the recipient x@refused.example. Nothing was sent." in result.stderr
    result = run("email", NUMBER, "--to", "a@b.example", "--db", db, "--user", "cashier")
    assert result.exit_code == 1 and "No mail server" in result.stderr
    assert inbox.received == []
