"""Email a posted invoice or a customer statement, the PDF attached (issue 16; POS guide:
"Invoice can be emailed").

Standard library only (``smtplib``, ``email``). The server is Shop Setup's (host, port,
STARTTLS/SSL/none, user, from-address); ``smtp_host``/``smtp_port`` given to a call, else the
environment's ``SHOPTERM_SMTP_HOST``/``SHOPTERM_SMTP_PORT``, come first. The password is
never in the database nor in a print: ``SHOPTERM_SMTP_PASSWORD``, else the file
``smtp-password`` in the shop's data folder (beside the SQLite file), which must be readable by
its owner only (0600).

One send = the whole message built first (PDF rendered, recipient checked), then one SMTP
transaction: the server takes the message whole or not at all, so nothing is half-sent. Every
attempt is audited on the document (or the customer): sent, to whom, through which server, or
the failure and why. Nothing is sent while a database transaction is open.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
import stat
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import select

from ..core.money import format_amount
from ..store.models import Customer, Document, Location, ShopSetup
from .admin import audit
from .context import Actor
from .errors import MailFailed, NotFound, ValidationError
from .masters.base import email_of

if TYPE_CHECKING:
    from . import Services

PASSWORD_ENV = "SHOPTERM_SMTP_PASSWORD"
HOST_ENV, PORT_ENV = "SHOPTERM_SMTP_HOST", "SHOPTERM_SMTP_PORT"
PASSWORD_FILE = "smtp-password"
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
TIMEOUT = 30  # seconds for the connection and each SMTP reply
EMAILED_TYPES = ("SI", "PI")  # invoices: the facture and the provisional invoice


@dataclass(frozen=True, slots=True)
class Server:
    host: str
    port: int
    security: str  # none | starttls | ssl
    user: str
    sender: str
    password: str | None

    @property
    def shown(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Sent:
    """What was sent: shown on screen and printed by ``shopterm email``."""

    to: str
    subject: str
    attachment: str  # file name of the PDF
    server: str  # host:port
    size: int  # bytes of the PDF

    @property
    def message(self) -> str:
        return f"Sent {self.attachment} to {self.to} through {self.server}"


@dataclass(frozen=True, slots=True)
class _Outgoing:
    to: str
    subject: str
    body: str
    filename: str
    pdf: bytes
    entity: str
    entity_id: int | None
    location_code: str
    what: str  # "invoice 261101SI000001" for the audit line


class MailService:
    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    # ------------------------------------------------------------ public API
    def email_document(self, actor: Actor, number: str, *, to: str | None = None, smtp_host: str | None = None,
                       smtp_port: int | str | None = None) -> Sent:
        """Email a posted invoice (SI or PI) as its A4 PDF to the customer's email (or ``to``)."""
        actor.require("sell", "Emailing an invoice")
        code = (number or "").strip().upper()
        if not code:
            raise ValidationError("Document number: give the number of the invoice to email", field="number")
        with self.db.read() as session:
            doc = session.exec(select(Document).where(Document.number == code)).first()
            if doc is None:
                raise NotFound("Document {number} not found", field="number", params={"number": code})
            if doc.doc_type not in EMAILED_TYPES:
                raise ValidationError("{number} is not an invoice: only invoices and provisional invoices are "
                                      "emailed", field="number", params={"number": code})
            if doc.status != "posted":
                raise ValidationError("{number} is {status}: only a posted invoice is emailed", field="number",
                                      params={"number": code, "status": doc.status})
            cust = session.get(Customer, doc.customer_id) if doc.customer_id else None
            loc = session.get(Location, doc.location_id)
            recipient = self._recipient(to, cust)
            shop, currency, amount, doc_id, doc_type = loc.name, doc.currency, doc.payable, doc.id, doc.doc_type
        pdf = self.s.printing.render(code, format="pdf", reprint=False).data
        title = "Provisional invoice" if doc_type == "PI" else "Invoice"
        subject = f"{title} {code} — {shop}"
        body = (f"Dear customer,\n\nPlease find attached {title.lower()} {code} for "
                f"{format_amount(amount)} {currency}.\n\n{shop}\n")
        out = _Outgoing(recipient, subject, body, f"{code}.pdf", pdf, "document", doc_id, loc.code,
                        f"invoice {code}")
        return self._send(actor, out, loc.code, smtp_host, smtp_port)

    def email_statement(self, actor: Actor, customer: str, date_from: dt.date | None = None,
                        date_to: dt.date | None = None, *, to: str | None = None, smtp_host: str | None = None,
                        smtp_port: int | str | None = None, location: str | None = None) -> Sent:
        """Email a customer's statement (the A4 PDF of ``printing.statement``) for a period."""
        actor.require("ledgers", "Emailing a customer statement")
        code = (customer or "").strip().upper()
        if not code:
            raise ValidationError("Customer: give the customer's code", field="customer")
        with self.db.read() as session:
            cust = session.exec(select(Customer).where(Customer.code == code)).first()
            if cust is None:
                raise NotFound("Customer {code} not found", field="customer", params={"code": code})
            recipient = self._recipient(to, cust)
            cust_id, name = cust.id, cust.name
        printed = self.s.printing.statement(actor, code, date_from, date_to, format="pdf", location=location,
                                            write=False)
        with self.db.read() as session:
            from .masters.base import find_location

            loc = find_location(session, location, actor)
            shop, loc_code = loc.name, loc.code
        d2 = date_to or self.s.today()
        d1 = date_from or d2.replace(day=1)
        subject = f"Statement {code} {d1.isoformat()} to {d2.isoformat()} — {shop}"
        body = (f"Dear {name},\n\nPlease find attached your statement from {d1.isoformat()} to "
                f"{d2.isoformat()}.\n\n{shop}\n")
        filename = f"statement-{code}-{d1.isoformat()}-{d2.isoformat()}.pdf"
        out = _Outgoing(recipient, subject, body, filename, printed.data, "customer", cust_id, loc_code,
                        f"statement {code} {d1.isoformat()} to {d2.isoformat()}")
        return self._send(actor, out, loc_code, smtp_host, smtp_port)

    def server(self, location: str | None = None, *, smtp_host: str | None = None,
               smtp_port: int | str | None = None, actor: Actor | None = None) -> Server:
        """The SMTP server a send would use (the password is read, never shown)."""
        with self.db.read() as session:
            from .masters.base import find_location

            loc = find_location(session, location, actor)
            setup = session.exec(select(ShopSetup).where(ShopSetup.location_id == loc.id)).first()
        host = (smtp_host or os.environ.get(HOST_ENV) or (setup.smtp_host if setup else "") or "").strip()
        if not host:
            raise MailFailed("No mail server: set SMTP host in Shop Setup, or give --smtp-host "
                             "(or SHOPTERM_SMTP_HOST)", field="smtp_host")
        security = (setup.smtp_security if setup else "") or "starttls"
        raw_port = smtp_port if smtp_port not in (None, "") else (os.environ.get(PORT_ENV) or None)
        if raw_port is None:
            port = (setup.smtp_port if setup and setup.smtp_port else 0) or DEFAULT_PORTS.get(security, 587)
        else:
            try:
                port = int(str(raw_port).strip())
            except ValueError:
                raise ValidationError("SMTP port: {value!r} is not a port number", field="smtp_port",
                                      params={"value": str(raw_port)}) from None
            if not 0 < port < 65536:
                raise ValidationError("SMTP port: {value} is not a port number (1 to 65535)", field="smtp_port",
                                      params={"value": port})
        sender = (setup.smtp_from if setup else "") or ""
        if not sender:
            raise MailFailed("No sender address: set From address in Shop Setup", field="smtp_from")
        return Server(host, port, security, (setup.smtp_user if setup else "") or "", sender, self._password())

    def password_file(self) -> Path:
        """Where the SMTP password may be kept: ``smtp-password`` in the shop's data folder."""
        return self.s.printing.data_dir() / PASSWORD_FILE

    # ------------------------------------------------------------ inside
    def _password(self) -> str | None:
        env = os.environ.get(PASSWORD_ENV)
        if env:
            return env
        path = self.password_file()
        if not path.exists():
            return None
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise MailFailed("{path} can be read by others (mode {mode}): chmod 600 it", field="smtp_password",
                             params={"path": str(path), "mode": oct(mode)})
        return path.read_text(encoding="utf-8").strip("\r\n") or None

    @staticmethod
    def _recipient(to: str | None, cust: Customer | None) -> str:
        if to is not None and to.strip():
            return email_of(to.strip(), field="to")
        if cust is not None and cust.email:
            return cust.email
        who = cust.code if cust is not None else "the document"
        raise ValidationError("No email address: {who} has none on file; type one (--to)", field="to",
                              params={"who": who})

    def _send(self, actor: Actor, out: _Outgoing, location: str, smtp_host: str | None,
              smtp_port: int | str | None) -> Sent:
        try:
            server = self.server(location, smtp_host=smtp_host, smtp_port=smtp_port, actor=actor)
        except MailFailed as exc:
            self._audit(actor, out, None, exc.message)
            raise
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = server.sender, out.to, out.subject
        msg["Date"], msg["Message-ID"] = formatdate(localtime=True), make_msgid(domain="shopterm")
        msg.set_content(out.body)
        msg.add_attachment(out.pdf, maintype="application", subtype="pdf", filename=out.filename)
        try:
            _deliver(server, msg)
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            reason = _reason(exc)
            self._audit(actor, out, server, reason)
            raise MailFailed("Not sent to {to} through {server}: {reason}. Nothing was sent.", field="smtp_host",
                             params={"to": out.to, "server": server.shown, "reason": reason}) from None
        self._audit(actor, out, server, None)
        return Sent(out.to, out.subject, out.filename, server.shown, len(out.pdf))

    def _audit(self, actor: Actor, out: _Outgoing, server: Server | None, failure: str | None) -> None:
        via = f" through {server.shown}" if server is not None else ""
        summary = (f"emailed {out.what} ({out.filename}, {len(out.pdf)} bytes) to {out.to}{via}" if failure is None
                   else f"email of {out.what} to {out.to}{via} failed: {failure}")
        with self.db.write() as session:
            audit.record(session, actor, "email" if failure is None else "email_failed", out.entity, out.entity_id,
                         after={"to": out.to, "subject": out.subject, "server": server.shown if server else None,
                                "sent": failure is None}, summary=summary[:500])


def _deliver(server: Server, msg: EmailMessage) -> None:
    """One SMTP session: connect, secure, sign in, send the whole message, quit."""
    context = ssl.create_default_context()
    if server.security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
    with smtp:
        smtp.ehlo()
        if server.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if server.user:
            if server.password is None:
                raise smtplib.SMTPAuthenticationError(535, f"no password for {server.user} "
                                                           f"({PASSWORD_ENV} or the {PASSWORD_FILE} file)".encode())
            smtp.login(server.user, server.password)
        refused = smtp.send_message(msg)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "the server refused the recipient " + ", ".join(exc.recipients)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"sign-in refused ({text})"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "the server does not offer STARTTLS (set SMTP security to SSL or None)"
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"the server answered {exc.smtp_code} {text}"
    if isinstance(exc, ssl.SSLError):
        return f"secure connection failed ({exc.reason or exc})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "no answer (timed out)"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


__all__ = ["MailFailed", "MailService", "Sent", "Server"]
