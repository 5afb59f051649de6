"""Email an invoice or a statement (issue 16): a real SMTP conversation with a local server
(aiosmtpd) started by the test, which keeps what it receives; the test reads the recipient,
the subject and the amounts in the attached PDF.

The invoice (C0002 Pharmacie du Fleuve, USD, rate 2850): 10 PARA500 at 2.20 = 22.00 + VAT 16 %
3.52 = 25.52 USD = 72,732.00 CDF, payable 72,700.00 CDF (round off −32.00).
"""

from __future__ import annotations

import email
import email.policy
import io
import socket
from email.message import Message

import pypdf
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import PermissionDenied, ValidationError
from shopterm.services.errors import MailFailed
from shopterm.store.models import AuditLog

from .conftest import DAY, actor


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.endswith("@refused.example"):
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def _auth(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"shop", b"s3cret")
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), authenticator=_auth,
                            auth_require_tls=False)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    for name in ("SHOPTERM_SMTP_HOST", "SHOPTERM_SMTP_PORT", "SHOPTERM_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


def mail_setup(s, port, *, user=""):
    admin = actor(s, "admin")
    st = s.masters.get_shop_setup("AXP")
    s.masters.save_shop_setup(admin, "AXP", cash_customer=st.cash_customer, smtp_host="127.0.0.1", smtp_port=port,
                              smtp_security="none", smtp_user=user, smtp_from="shop@axpert.example")


def pdf_words(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).split())


def attachment(msg: Message) -> tuple[str, bytes]:
    parts = [p for p in msg.walk() if p.get_content_type() == "application/pdf"]
    assert len(parts) == 1
    return parts[0].get_filename(), parts[0].get_payload(decode=True)


def invoice(s, cashier) -> str:
    return s.sales.post_invoice(cashier, DocumentDraft(location="AXP", date=DAY, customer="C0002", sales_type="credit",
                                                       sales_person="SP02",
                                                       lines=[DraftLine("PARA500", "B001", "10")])).number


def audits(s, action):
    with s.db.read() as ss:
        return [a.summary for a in ss.execute(select(AuditLog).where(AuditLog.action == action)).scalars()]


def test_invoice_and_statement_sent_with_their_pdf(open_shop, cashier, manager, smtp):
    s = open_shop
    inbox, port = smtp
    mail_setup(s, port)
    s.masters.update_customer(manager, "C0002", email="achats@fleuve.example")
    number = invoice(s, cashier)
    sent = s.mail.email_document(cashier, number)
    assert (sent.to, sent.attachment, sent.server) == ("achats@fleuve.example", f"{number}.pdf", f"127.0.0.1:{port}")
    sender, rcpts, msg = inbox.received[0]
    assert (sender, rcpts) == ("shop@axpert.example", ["achats@fleuve.example"])
    assert msg["Subject"] == f"Invoice {number} — Axpert" and msg["To"] == "achats@fleuve.example"
    name, pdf = attachment(msg)
    words = pdf_words(pdf)
    assert name == f"{number}.pdf" and "Pharmacie du Fleuve" in words
    assert "25.52" in words and "72,732.00" in words and "72,700.00" in words
    assert audits(s, "email") == [f"emailed invoice {number} ({number}.pdf, {len(pdf)} bytes) to "
                                  f"achats@fleuve.example through 127.0.0.1:{port}"]
    # a typed address wins; the statement of the day: one invoice, closing balance 25.52
    sent = s.mail.email_statement(manager, "C0002", DAY, DAY, to="Boss@Fleuve.example")
    _, rcpts, msg = inbox.received[1]
    assert rcpts == ["boss@fleuve.example"] and msg["Subject"] == "Statement C0002 2026-11-23 to 2026-11-23 — Axpert"
    words = pdf_words(attachment(msg)[1])
    assert number in words and "25.52" in words
    assert len(audits(s, "email")) == 2


def test_refusals_and_failures_send_nothing_and_are_audited(open_shop, cashier, manager, smtp, tmp_path,
                                                            monkeypatch):
    s = open_shop
    inbox, port = smtp
    number = invoice(s, cashier)
    # no server set anywhere
    with pytest.raises(MailFailed) as e:
        s.mail.email_document(cashier, number, to="a@b.example")
    assert e.value.field == "smtp_host" and "No mail server" in e.value.message
    mail_setup(s, port)
    with pytest.raises(ValidationError) as e:  # C0002 has no email on file
        s.mail.email_document(cashier, number)
    assert (e.value.message, e.value.field) == ("No email address: C0002 has none on file; type one (--to)", "to")
    with pytest.raises(ValidationError) as e:
        s.mail.email_document(cashier, number, to="not an address")
    assert e.value.field == "to"
    with pytest.raises(PermissionDenied):
        s.mail.email_statement(cashier, "C0002", to="a@b.example")
    # the server refuses the recipient: a clear message, nothing delivered, the failure audited
    with pytest.raises(MailFailed) as e:
        s.mail.email_document(cashier, number, to="x@refused.example")
    assert e.value.message == (f"Not sent to x@refused.example through 127.0.0.1:{port}: the server refused the "
                               "recipient x@refused.example. Nothing was sent.")
    assert inbox.received == []
    assert len(audits(s, "email_failed")) == 2
    # nobody listening on the port given on the command line
    with pytest.raises(MailFailed) as e:
        s.mail.email_document(cashier, number, to="a@b.example", smtp_port=1)
    assert "connection refused" in e.value.message.lower() or "Nothing was sent" in e.value.message
    # signing in: the password from the 0600 file beside the database, a wrong one refused
    mail_setup(s, port, user="shop")
    secret = s.mail.password_file()
    secret.write_text("wrong\n")
    secret.chmod(0o644)
    with pytest.raises(MailFailed) as e:
        s.mail.email_document(cashier, number, to="a@b.example")
    assert e.value.field == "smtp_password" and "chmod 600" in e.value.message
    secret.chmod(0o600)
    with pytest.raises(MailFailed) as e:
        s.mail.email_document(cashier, number, to="a@b.example")
    assert "sign-in refused" in e.value.message
    secret.write_text("s3cret\n")
    assert s.mail.email_document(cashier, number, to="a@b.example").to == "a@b.example"
    # the environment's password and server come first
    monkeypatch.setenv("SHOPTERM_SMTP_PASSWORD", "s3cret")
    secret.unlink()
    monkeypatch.setenv("SHOPTERM_SMTP_PORT", str(port))
    assert s.mail.email_document(cashier, number, to="c@d.example").server == f"127.0.0.1:{port}"
    assert [r for _, r, _ in inbox.received] == [["a@b.example"], ["c@d.example"]]
    order = s.orders.confirm(cashier, DocumentDraft(location="AXP", date=DAY, customer="C0002", sales_person="SP02",
                                                    doc_type="SO", lines=[DraftLine("BAND01", None, "1")])).number
    with pytest.raises(ValidationError) as e:  # only invoices
        s.mail.email_document(cashier, order, to="a@b.example")
    assert (e.value.message, e.value.field) == (
        f"{order} is not an invoice: only invoices and provisional invoices are emailed", "number")
