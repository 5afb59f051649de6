"""Printing posted documents (seed: every "Print", "Save and Print", "Re-Print",
"Print Facture", "Print Delivery" and "PDF" button).

``services.printing``:

* :meth:`PrintService.render` — a document as it would print now: the A4 PDF
  (``format="pdf"``) or the 48-column text (``format="text"``). Nothing is
  written or counted.
* :meth:`PrintService.print` — render, then write the file to the location's
  print folder (Shop Setup "print folder", default ``<data dir>/prints/<LOCATION>/``;
  the data dir is the shop database's folder) or to ``output``; when the Shop
  Setup has a print command (e.g. ``lp -d counter``) run it too: a PDF's path is
  appended (or replaces ``{file}``), text goes to its standard input. Then count
  the print (``document.print_count``) and audit it (``print``, or ``reprint``
  after the first). A failing command is a :class:`PrintFailed` and nothing is counted.
* :meth:`PrintService.statement` — a customer statement (the A4 PDF of
  :func:`services.reports.statement_pdf`, or 48 columns of text).

A re-print (the document was printed before) carries ``DUPLICATE — RE-PRINT n``
at the top and the bottom; its file is ``<number>-copy<n>.pdf``. "Print Delivery"
of an invoice (``kind="delivery"``) is counted apart from the facture (in
``document.extra["print_counts"]``), so the first delivery note of an invoice is
an original.

"Print in USD" (``usd=True``; ``None`` takes the document's own flag): every
amount in USD, the posted USD figures where they exist (see :mod:`shopterm.printing.documents`).
Drafts are never printed ("Drafts cannot be printed: save it first").
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from shopterm.core.doctypes import doc_type_name
from shopterm.core import i18n
from shopterm.core.i18n import _
from shopterm.core.text import postal_address
from ..printing import documents as D
from ..printing.model import PrintDoc, Shop
from ..store.db import create_private_file, make_private_dir
from ..store.models import (Account, Batch, CostCentre, Customer, Document, DocumentLine, Location, SalesPerson,
                            ShopSetup, Supplier, User)
from .admin import audit
from .admin.users import language_code
from .context import Actor
from .errors import NotFound, PrintFailed, ValidationError

if TYPE_CHECKING:
    from . import Services

FORMATS = ("pdf", "text")
#: What each document type prints as (RC: ``receipt``, or ``refund`` for a refund).
NATURAL_KIND = {"SO": "facture", "PF": "facture", "SI": "facture", "PI": "facture", "SR": "facture",
                "RD": "facture", "DN": "delivery", "RC": "receipt", "RP": "shop_entry", "CE": "exchange",
                "CP": "commission", "CR": "payment", "CL": "close"}
#: Other prints of a document (counted apart): "Print Delivery" of an invoice.
OTHER_KINDS = {("SI", "delivery"), ("PI", "delivery")}
#: Who may print what: the permission that makes the document.
PERMISSION = {"SO": "sell", "PF": "sell", "SI": "sell", "PI": "sell", "DN": "sell", "SR": "sell", "RD": "sell",
              "RC": "receive", "RP": "receive", "CE": "receive", "CP": "receive", "CR": "receive", "CL": "close_day"}
COMMAND_TIMEOUT = 120


@dataclass(frozen=True, slots=True)
class Printed:
    """One print: what was (or would be) printed and where it went."""

    number: str
    kind: str  # facture | delivery | receipt | refund | shop_entry | exchange | commission | payment | close | statement
    format: str  # pdf | text
    data: bytes  # the PDF, or the text in UTF-8
    text: str  # the 48-column text layout (also for a PDF print: a preview)
    copy: int  # 1: the original; 2: the first re-print…
    duplicate: bool
    usd: bool
    path: Path | None = None  # the file written (print)
    command: str = ""  # the print command run, if any
    command_output: str = ""

    @property
    def copies(self) -> int:
        """How many times the document has been printed, this print included."""
        return self.copy

    @property
    def reprint_no(self) -> int:
        return self.copy - 1

    @property
    def path_or_bytes(self) -> Path | bytes:
        return self.path if self.path is not None else self.data

    def message(self) -> str:
        """One line for the message bar / the shell."""
        what = _("{number} (re-print {copy})").format(number=self.number, copy=self.reprint_no) \
            if self.duplicate else self.number
        if self.command:
            if self.command_output:
                return _("Printed {what} on '{command}': {output}").format(
                    what=what, command=self.command, output=self.command_output)
            return _("Printed {what} on '{command}'").format(what=what, command=self.command)
        if self.path is not None:
            return _("Printed {what} to {path}").format(what=what, path=self.path)
        return _("Rendered {what}").format(what=what)


def _d(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal("0")


def _format(value: str | None) -> str:
    f = (value or "pdf").strip().lower()
    if f in ("txt", "thermal"):
        f = "text"
    if f not in FORMATS:
        raise ValidationError("Format: pdf or text (got {value!r})", field="format", params={"value": value})
    return f


def mark_for(reprint_no: int, cancelled: bool = False) -> str:
    parts = []
    if cancelled:
        parts.append(_("CANCELLED"))
    if reprint_no > 0:
        parts.append(_("DUPLICATE \u2014 RE-PRINT {n}").format(n=reprint_no))
    return " / ".join(parts)


@dataclass(slots=True)
class _Job:
    """A document gathered for printing."""

    doc_id: int
    number: str
    doc_type: str
    kind: str
    counter: str  # "main" (document.print_count) or the other kind's name
    count: int  # prints so far of this kind
    location_code: str
    print_dir: str
    print_command: str
    source: D.Source
    print_format: str = "pdf"  # the Shop Setup's layout for prints from the screens
    language: str = "en"  # the customer's language, else the shop's (Shop Setup)


class PrintService:
    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    # ------------------------------------------------------------ public API
    def render(self, number: str | int, *, format: str = "pdf", usd: bool | None = None,
               reprint: bool | None = None, kind: str | None = None, actor: Actor | None = None,
               lang: str | None = None) -> Printed:
        """The document as it would print now (nothing written, nothing counted).

        ``reprint``: None marks it a duplicate if it was printed before; True/False force the mark on/off.
        ``lang``: the language printed (default: the customer's, else the shop's).
        """
        fmt = _format(format)
        lang = language_code(lang, field="lang") or None
        job = self._gather(number, kind, usd)
        if reprint is None:
            n = job.count
        else:
            n = max(job.count, 1) if reprint else 0
        return self._render(job, fmt, n, actor, lang)

    def document(self, number: str | int, *, usd: bool | None = None, reprint: bool | None = None,
                 kind: str | None = None, lang: str | None = None) -> PrintDoc:
        """The neutral :class:`PrintDoc` (for a preview on screen)."""
        job = self._gather(number, kind, usd)
        n = job.count if reprint is None else (max(job.count, 1) if reprint else 0)
        return self._build(job, n, None, lang)

    def print(self, actor: Actor, number: str | int, *, format: str | None = "pdf", usd: bool | None = None,
              kind: str | None = None, output: str | os.PathLike | None = None, command: bool = True,
              lang: str | None = None) -> Printed:
        """Print a posted document: write it (print folder or ``output``), run the print command
        (not with ``output``, nor with ``command=False``: the screens' PDF key only writes the
        file), count and audit the print. Returns where it went.

        ``output="-"``: nothing is written; the caller sends ``Printed.data`` on (standard output).
        ``format=None``: the location's Shop Setup layout (A4 PDF, or 48-column text for a thermal printer)."""
        lang = language_code(lang, field="lang") or None
        job = self._gather(number, kind, usd)
        fmt = _format(format or job.print_format)
        actor.require(PERMISSION[job.doc_type], _("Printing a {kind}").format(kind=doc_type_name(job.doc_type).lower()))
        printed = self._render(job, fmt, job.count, actor, lang)
        suffix = "" if job.kind == NATURAL_KIND[job.doc_type] else f"-{job.kind}"
        copy = f"-copy{job.count}" if job.count else ""
        printed = self._deliver(printed, output, job.location_code, job.print_dir,
                                job.print_command if command else "", f"{job.number}{suffix}{copy}")
        self._count(actor, job, printed)
        return printed

    def statement(self, actor: Actor, customer: str, date_from: dt.date | None = None,
                  date_to: dt.date | None = None, *, format: str = "pdf", location: str | None = None,
                  output: str | os.PathLike | None = None, write: bool = True, lang: str | None = None) -> Printed:
        """A customer statement: the A4 PDF of reports.statement_pdf, or 48 columns of text.
        Written to the print folder (or ``output``) unless ``write`` is False; audited on the customer.
        ``lang``: the language printed (default: the customer's, else the shop's)."""
        from ..printing.reports import statement_pdf

        fmt = _format(format)
        actor.require("ledgers", "Printing a customer statement")
        code = (customer or "").strip().upper()
        if not code:
            raise ValidationError("Customer: give the customer's code", field="customer")
        lang = language_code(lang, field="lang") or None
        d2 = date_to or self.s.today()
        d1 = date_from or d2.replace(day=1)
        with self.db.read() as session:
            from .masters.base import find_location

            loc = find_location(session, location, actor)
            shop = Shop(loc.name, loc.address, loc.phone, loc.tax_no, loc.rccm_no, loc.code)
            setup = session.execute(select(ShopSetup).where(ShopSetup.location_id == loc.id)).scalars().first()
            cust = session.execute(select(Customer).where(Customer.code == code)).scalars().first()
        language = lang or (cust.language if cust is not None else "") or (setup.language if setup else "") or "en"
        from ..printing.text import render_text

        with i18n.use(language):
            report = self.s.ledger.statement(actor, d1, d2, code)
            ageing = self.s.ledger.ageing(actor, d2, code)
            footer = self._footer(actor)
            text = "\n".join(render_text(doc) for doc in D.statement(report, shop, ageing, footer=footer))
            data = statement_pdf(report, shop, ageing) if fmt == "pdf" else text.encode("utf-8")
        name = f"statement-{code}-{d1.isoformat()}-{d2.isoformat()}"
        printed = Printed(name, "statement", fmt, data, text, 1, False, True)
        if not write:
            return printed
        printed = self._deliver(printed, output, loc.code, setup.print_dir if setup else "",
                                setup.print_command if setup else "", name)
        with self.db.write() as session:
            audit.record(session, actor, "print", "customer", cust.id if cust else None,
                         summary=f"statement {code} {d1} to {d2} ({fmt}) to "
                                 f"{printed.command or printed.path or 'standard output'}")
        return printed

    def save_file(self, actor: Actor, name: str, data: bytes, location: str | None = None) -> Path:
        """Write ``data`` as ``name`` into the print folder of ``location`` (default: the actor's),
        owner-only like every print, and return where it went (exports from the screens)."""
        from .masters.base import find_location

        with self.db.read() as session:
            loc = find_location(session, location, actor)
            setup = session.execute(select(ShopSetup).where(ShopSetup.location_id == loc.id)).scalars().first()
            folder = self.print_folder(loc.code, setup.print_dir if setup else "")
        path = folder / name
        self._write(path, data, private=True)
        return path.resolve()

    def data_dir(self) -> Path:
        """The shop's data folder: the SQLite database's folder, else the user's data directory."""
        url = self.db.url or ""
        if url.startswith("sqlite:///"):
            path = url.split("sqlite:///", 1)[1].split("?", 1)[0]
            if path and path != ":memory:" and not path.startswith("file:"):
                return Path(path).expanduser().absolute().parent
        from platformdirs import user_data_dir

        return Path(user_data_dir("shopterm", appauthor=False))

    def print_folder(self, location_code: str, print_dir: str = "") -> Path:
        """Where prints of a location go: its Shop Setup's print folder (relative: under the data
        dir), else ``<data dir>/prints/<LOCATION>``."""
        if print_dir and print_dir.strip():
            p = Path(print_dir.strip()).expanduser()
            return p if p.is_absolute() else self.data_dir() / p
        return self.data_dir() / "prints" / location_code

    # ------------------------------------------------------------ gathering
    def _gather(self, number: str | int, kind: str | None, usd: bool | None) -> _Job:
        if number is None or (isinstance(number, str) and not number.strip()):
            raise ValidationError("Document number: give the number to print", field="number")
        view = self.s.sales.document(number)
        if view.status == "draft" or not view.number:
            raise ValidationError("Drafts cannot be printed: save it first", field="number")
        doc_type = view.doc_type
        if doc_type not in NATURAL_KIND:
            raise ValidationError("A {kind} has no print", field="number",
                params={"kind": doc_type_name(doc_type).lower()})
        natural = NATURAL_KIND[doc_type]
        if doc_type == "RC" and view.subtype == "refund":
            natural = "refund"
        wanted = (kind or "").strip().lower()
        if wanted in ("", "document", natural) or (wanted == "facture" and natural == "receipt"):
            the_kind, counter = natural, "main"
        elif (doc_type, wanted) in OTHER_KINDS:
            the_kind, counter = wanted, wanted
        else:
            raise ValidationError("{kind} {number} cannot be printed as a {wanted}",
                                  field="kind",
                params={"kind": doc_type_name(doc_type), "number": view.number, "wanted": wanted})
        related_invoice: int | None = None
        with self.db.read() as session:
            doc = session.get(Document, view.id)
            loc = session.get(Location, doc.location_id)
            shop = Shop(loc.name, loc.address, loc.phone, loc.tax_no, loc.rccm_no, loc.code)
            setup = session.execute(select(ShopSetup).where(ShopSetup.location_id == loc.id)).scalars().first()
            count = doc.print_count if counter == "main" else int(((doc.extra or {}).get("print_counts") or {})
                                                                  .get(counter, 0))
            src = doc.source_id and session.get(Document, doc.source_id)
            raw = {"loyalty_points": doc.loyalty_points, "redemption_points": doc.redemption_points,
                   "redemption_value_usd": doc.redemption_value_usd, "approved": doc.approved,
                   "invoice_date": (doc.extra or {}).get("invoice_date")}
            fields: dict[str, Any] = dict(
                customer=self._party(session, doc.customer_id), sales_person=self._sales_person(session, doc),
                source_number=src.number if src else "", source_date=src.doc_date if src else None, raw=raw,
                approved_by=self._user(session, doc.approved_by),
            )
            if doc_type in ("SI", "PI") and the_kind == "facture":
                fields["payments"] = self._payments(session, doc.id)
            if doc_type == "RD":
                fields["batches"] = self._batches(session, doc.id)
            if doc_type == "RP":
                acc = session.get(Account, doc.account_id) if doc.account_id else None
                cc = session.get(CostCentre, doc.cost_centre_id) if doc.cost_centre_id else None
                fields["account"] = f"{acc.code} {acc.name}" if acc else ""
                fields["cost_centre"] = f"{cc.code} {cc.name}" if cc else ""
            if doc_type == "CP":
                fields["commission"] = self._commission(session, doc.id)
            if the_kind == "receipt" and src is not None:
                related_invoice = src.id
                fields["customer"] = self._party(session, src.customer_id)
                fields["sales_person"] = self._sales_person(session, src)
                fields["raw"] = {"loyalty_points": src.loyalty_points, "redemption_points": src.redemption_points,
                                 "redemption_value_usd": src.redemption_value_usd}
            use_usd = doc.print_usd if usd is None else bool(usd)
            job_location = loc.code
            print_dir = setup.print_dir if setup else ""
            print_command = setup.print_command if setup else ""
            shop_language = (setup.language if setup else "") or "en"
        if the_kind == "receipt":
            if related_invoice is None:
                raise NotFound("The invoice of receipt {number} is missing", field="number",
                    params={"number": view.number})
            fields["invoice"] = self.s.sales.document(related_invoice)
        if doc_type == "CL":
            fields["close"] = self.s.day.summary(job_location, view.date)
        source = D.Source(the_kind, view, shop, usd=use_usd, **fields)
        customer = fields.get("customer")
        language = (customer.language if customer is not None else "") or shop_language or "en"
        return _Job(view.id, view.number, doc_type, the_kind, counter, count, job_location, print_dir or "",
                    print_command or "", source, (setup.print_format if setup else "") or "pdf", language)

    @staticmethod
    def _party(session, customer_id: int | None) -> D.Party | None:
        if not customer_id:
            return None
        c = session.get(Customer, customer_id)
        if c is None:
            return None
        return D.Party(c.code, c.name, postal_address(c.address, c.city, c.province, c.country), c.mobile,
                       c.nrc_no, c.impot_no, c.kind, c.language or "")

    @staticmethod
    def _sales_person(session, doc: Document) -> str:
        if not doc.sales_person_id:
            return ""
        sp = session.get(SalesPerson, doc.sales_person_id)
        return f"{sp.code} {sp.name}" if sp else ""

    @staticmethod
    def _user(session, user_id: int | None) -> str:
        if not user_id:
            return ""
        u = session.get(User, user_id)
        return u.name if u else ""

    @staticmethod
    def _payments(session, invoice_id: int) -> tuple[D.Payment, ...]:
        rows = session.execute(
            select(Document).where(Document.source_id == invoice_id, Document.doc_type == "RC",
                                   Document.status == "posted", Document.subtype == "receipt")
            .order_by(Document.id)
        ).scalars().all()
        out = []
        for r in rows:
            x = r.extra or {}
            out.append(D.Payment(r.number or "", r.doc_date, r.rate, _d(x.get("received_usd")),
                                 _d(x.get("received_cdf")), _d(x.get("returned_usd")), _d(x.get("returned_cdf")),
                                 _d(x.get("balance_usd")), _d(x.get("balance_cdf"))))
        return tuple(out)

    @staticmethod
    def _batches(session, document_id: int) -> dict:
        """Direct return lines: line_no → (supplier name, supplier batch no, mfg date), from the line as
        typed (its ``extra``), else from the batch master."""
        rows = session.execute(
            select(DocumentLine.line_no, DocumentLine.extra, Supplier.name, Batch.supplier_batch_no, Batch.mfg_date)
            .select_from(DocumentLine)
            .outerjoin(Batch, Batch.id == DocumentLine.batch_id)
            .outerjoin(Supplier, Supplier.id == Batch.supplier_id)
            .where(DocumentLine.document_id == document_id)
        ).all()
        names = dict(session.execute(select(Supplier.code, Supplier.name)).all())
        out = {}
        for line_no, extra, supplier, sbatch, mfg in rows:
            x = extra or {}
            code = x.get("supplier")
            name = f"{code} {names[code]}" if code in names else (code or supplier or "")
            out[line_no] = (name, x.get("supplier_batch_no") or sbatch or "", x.get("mfg_date") or mfg)
        return out

    @staticmethod
    def _commission(session, document_id: int) -> tuple[D.CommissionLine, ...]:
        lines = session.execute(
            select(DocumentLine).where(DocumentLine.document_id == document_id).order_by(DocumentLine.line_no)
        ).scalars().all()
        out = []
        for l in lines:
            inv = session.get(Document, l.ref_document_id) if l.ref_document_id else None
            cust = session.get(Customer, inv.customer_id) if inv is not None and inv.customer_id else None
            x = l.extra or {}
            out.append(D.CommissionLine(
                inv.number if inv is not None else str(x.get("invoice") or ""),
                inv.doc_date if inv is not None else None,
                (f"{cust.code} {cust.name}" if cust else str(x.get("customer") or "")),
                inv.net_usd if inv is not None else _d(x.get("invoice_amount_base")),
                inv.net_cdf if inv is not None else _d(x.get("invoice_amount_local")),
                l.amount,
            ))
        return tuple(out)

    # ------------------------------------------------------------ rendering and output
    @staticmethod
    def _footer(actor: Actor | None) -> str:
        now = i18n.format_datetime(dt.datetime.now())
        if actor:
            return _("Printed {when} by {name} - shopterm").format(when=now, name=actor.name)
        return _("Printed {when} - shopterm").format(when=now)

    def _build(self, job: _Job, reprint_no: int, actor: Actor | None, lang: str | None = None) -> PrintDoc:
        cancelled = job.source.view.status == "cancelled"
        with i18n.use(lang or job.language):
            src = replace(job.source, mark=mark_for(reprint_no, cancelled), footer=self._footer(actor))
            return D.build(src)

    def _render(self, job: _Job, fmt: str, reprint_no: int, actor: Actor | None, lang: str | None = None) -> Printed:
        from ..printing.text import render_text

        doc = self._build(job, reprint_no, actor, lang)
        with i18n.use(lang or job.language):
            text = render_text(doc)
            if fmt == "pdf":
                from ..printing.pdf import render_pdf

                data = render_pdf(doc)
            else:
                data = text.encode("utf-8")
        return Printed(job.number, job.kind, fmt, data, text, reprint_no + 1, reprint_no > 0, job.source.usd)

    def _deliver(self, printed: Printed, output: str | os.PathLike | None, location_code: str, print_dir: str,
                 print_command: str, name: str) -> Printed:
        """Where a print goes: ``output`` ("-": nowhere, the caller sends the bytes), else the print
        folder as ``name.pdf|txt`` and then the print command, if there is one."""
        command = out_text = ""
        path: Path | None = None
        if output is not None and str(output) != "-":
            path = Path(output).expanduser()
            self._write(path, printed.data)
        elif output is None:
            path = self.print_folder(location_code, print_dir) / f"{name}.{'pdf' if printed.format == 'pdf' else 'txt'}"
            self._write(path, printed.data, private=True)
            if (print_command or "").strip():
                command = print_command.strip()
                out_text = run_print_command(command, path, printed.data if printed.format == "text" else None)
        return replace(printed, path=path.resolve() if path is not None else None, command=command,
                       command_output=out_text)

    @staticmethod
    def _write(path: Path, data: bytes, *, private: bool = False) -> None:
        """Write a print; in the print folder (``private``) the folders are 0700 and the file 0600."""
        try:
            if private:
                make_private_dir(path.parent)
                create_private_file(path)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as exc:
            raise PrintFailed("Cannot write {path}: {reason}", field="output",
                params={"path": path, "reason": exc.strerror or exc}) from None

    def _count(self, actor: Actor, job: _Job, printed: Printed) -> None:
        with self.db.write() as session:
            doc = session.get(Document, job.doc_id)
            if job.counter == "main":
                before = doc.print_count
                doc.print_count = before + 1
            else:
                extra = dict(doc.extra or {})
                counts = dict(extra.get("print_counts") or {})
                before = int(counts.get(job.counter, 0))
                counts[job.counter] = before + 1
                extra["print_counts"] = counts
                doc.extra = extra
            session.add(doc)
            where = (f"'{printed.command}'" if printed.command
                     else str(printed.path) if printed.path is not None else "standard output")
            what = job.kind + (", USD" if printed.usd else "")
            action = "reprint" if printed.duplicate else "print"
            audit.record(session, actor, action, "document", doc.id,
                         before={"print_count": before, "kind": job.kind},
                         after={"print_count": before + 1, "kind": job.kind, "format": printed.format,
                                "usd": printed.usd, "path": str(printed.path) if printed.path else None,
                                "command": printed.command},
                         summary=(f"{'re-printed' if printed.duplicate else 'printed'} {job.number} ({what}, "
                                  f"{printed.format}{', copy ' + str(printed.copy) if printed.duplicate else ''}) "
                                  f"to {where}"))


# ---------------------------------------------------------------- the print command

_SHELL_TOKENS = set("|&;<>()")


def _needs_shell(command: str) -> bool:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:
        return False
    return any(t and set(t) <= _SHELL_TOKENS for t in tokens)


def run_print_command(command: str, path: Path, stdin: bytes | None) -> str:
    """Run the Shop Setup's print command. ``stdin`` given (text): piped to the command;
    else (PDF) the file's path is appended, or replaces ``{file}``. A command with shell
    syntax (``cat > out.txt``, pipes) runs through ``/bin/sh`` with the path as ``$1``.
    Returns the command's first line of output; raises :class:`PrintFailed`."""
    has_placeholder = "{file}" in command
    try:
        if _needs_shell(command):
            script = command.replace("{file}", '"$1"') if has_placeholder else (
                command if stdin is not None else f'{command} "$1"')
            argv = ["/bin/sh", "-c", script, "shopterm-print", str(path)]
        else:
            parts = shlex.split(command)
            if has_placeholder:
                argv = [p.replace("{file}", str(path)) for p in parts]
            else:
                argv = parts + ([] if stdin is not None else [str(path)])
    except ValueError as exc:
        raise PrintFailed("Print command {command!r} cannot be read: {exc}", field="print_command",
            params={"command": command, "exc": exc}) from None
    if not argv:
        raise PrintFailed("The print command is empty", field="print_command")
    try:
        proc = subprocess.run(argv, input=stdin, capture_output=True, timeout=COMMAND_TIMEOUT, check=False)
    except FileNotFoundError:
        raise PrintFailed("Print command not found: {command} (check Shop Setup)", field="print_command",
            params={"command": argv[0]}) from None
    except PermissionError:
        raise PrintFailed("Print command {command} cannot be run (permission denied)",
                          field="print_command", params={"command": argv[0]}) from None
    except subprocess.TimeoutExpired:
        raise PrintFailed("Print command {command!r} did not finish in {seconds} s",
                          field="print_command",
            params={"command": command, "seconds": COMMAND_TIMEOUT}) from None
    out = (proc.stdout or b"").decode("utf-8", "replace").strip()
    err = (proc.stderr or b"").decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        detail = (err or out).splitlines()[0] if (err or out) else "no message"
        raise PrintFailed("Print command {command!r} failed (exit {returncode}): {detail}",
                          field="print_command",
            params={"command": command, "returncode": proc.returncode, "detail": detail})
    return out.splitlines()[0] if out else ""


__all__ = ["FORMATS", "PrintService", "Printed", "mark_for", "run_print_command"]
