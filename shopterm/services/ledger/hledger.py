"""The whole journal as an hledger journal, or as CSV (DESIGN §8, §11).

``export_journal(services, actor, "hledger")`` writes one transaction per
voucher, in posting order::

    2026-11-23 (261101SI000001) Sales invoice  ; type:SI
        assets:1200-accounts-receivable:C0001        54.86 USD
        revenues:4000-sales                         -47.95 USD
        liabilities:2100-vat-payable                 -6.91 USD

Accounts are named ``<kind>:<code>-<name>`` (kinds: assets, liabilities,
equity, revenues, expenses), with the customer as a sub-account of the
receivable, and declared up front with ``account`` directives (hledger type
tags), so ``hledger bal --depth 2`` lists the same accounts as our trial
balance.

**Amounts are in USD, the books' currency.** A CDF line keeps its CDF amount
as a comment (``; CDF -156,400.00 at 2850``) rather than as a cost
(``-156400 CDF @@ 54.86 USD``): with a cost, plain ``hledger bal`` would show the
cash account in CDF and reproduce our USD balances only with ``-B``; with the
comment, plain ``hledger bal`` reproduces them exactly, and every transaction
balances to the cent because each voucher balances in USD.

``"csv"``: one row per journal line (voucher, date, account, customer,
currency amount, USD amount, debit, credit, memo).

Lines are streamed from the database in batches, so a large journal never sits
in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Callable, Iterator, TextIO

from sqlalchemy import func, select, tuple_

from ...store.models import Account, Customer, JournalLine, JournalVoucher, Location
from ..context import Actor
from ..errors import ValidationError
from ...core.doctypes import DOC_TYPES

if TYPE_CHECKING:
    from .. import Services

EXPORT_FORMATS = ("hledger", "csv")
KIND_ROOT = {"asset": "assets", "liability": "liabilities", "equity": "equity", "income": "revenues",
             "expense": "expenses"}
HLEDGER_TYPE = {"asset": "A", "liability": "L", "equity": "E", "income": "R", "expense": "X"}
CSV_COLUMNS = ("voucher_id", "date", "number", "voucher_type", "location", "account", "account_name", "customer",
               "currency", "amount", "amount_usd", "debit_usd", "credit_usd", "memo")

JL = JournalLine.__table__
JV = JournalVoucher.__table__
A = Account.__table__
C = Customer.__table__
L = Location.__table__


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def account_name(code: str, name: str, kind: str) -> str:
    """``1100`` "Cash USD" asset → ``assets:1100-cash-usd``."""
    return f"{KIND_ROOT.get(kind, 'assets')}:{code}-{_slug(name)}"


def _clean(text: str) -> str:
    """A description or comment on one line, without ';' (which would start a comment)."""
    return " ".join(str(text or "").replace(";", ",").split())


def _usd(value: Decimal) -> str:
    return f"{value:.2f} USD"


def _lines(session, batch: int = 5000, on_progress: Callable[[int, int], None] | None = None) -> Iterator:
    """Every journal line, page by page (keyset); ``on_progress(lines done, lines in all)`` after each page."""
    total = session.execute(select(func.count()).select_from(JL)).scalar_one() if on_progress else 0
    done = 0
    stmt = (
        select(JL.c.id, JL.c.voucher_id, JL.c.date, JL.c.currency, JL.c.amount, JL.c.amount_usd, JL.c.memo,
               JV.c.number, JV.c.voucher_type, JV.c.narration, A.c.code.label("account"),
               A.c.name.label("account_name"), A.c.kind, C.c.code.label("customer"), L.c.code.label("location"),
               JV.c.document_id)
        .join(JV, JV.c.id == JL.c.voucher_id).join(A, A.c.id == JL.c.account_id).join(L, L.c.id == JL.c.location_id)
        .outerjoin(C, C.c.id == JL.c.customer_id)
        .order_by(JL.c.voucher_id, JL.c.id)
    )
    last = None
    while True:
        q = stmt if last is None else stmt.where(tuple_(JL.c.voucher_id, JL.c.id) > tuple_(*last))
        rows = session.execute(q.limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = (rows[-1].voucher_id, rows[-1].id)
        if on_progress is not None:
            done += len(rows)
            on_progress(done, max(total, done))


def write_hledger(session, out: TextIO, *, generated: dt.datetime | None = None,
                  on_progress: Callable[[int, int], None] | None = None) -> int:
    """Write the journal in hledger format; returns the number of transactions."""
    when = (generated or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    out.write(f"; shopterm journal export, {when}\n")
    out.write("; amounts in USD (the books' currency); CDF amounts of CDF lines as comments\n\n")
    for code, name, kind in session.execute(select(A.c.code, A.c.name, A.c.kind).order_by(A.c.code)):
        out.write(f"account {account_name(code, name, kind)}  ; type:{HLEDGER_TYPE.get(kind, 'A')}, code:{code}\n")
    out.write("\n")
    count = 0
    current = None
    for r in _lines(session, on_progress=on_progress):
        if r.voucher_id != current:
            if current is not None:
                out.write("\n")
            current = r.voucher_id
            count += 1
            desc = _clean(r.narration or DOC_TYPES.get(r.voucher_type, r.voucher_type))
            out.write(f"{r.date.isoformat()} ({r.number}) {desc}  ; type:{r.voucher_type}, voucher:{r.voucher_id}\n")
        acct = account_name(r.account, r.account_name, r.kind)
        if r.customer:
            acct += f":{_slug(r.customer).upper()}"
        comment = []
        if r.currency != "USD":
            comment.append(f"{r.currency} {r.amount:,.2f}")
        if r.memo:
            comment.append(_clean(r.memo))
        tail = f"  ; {', '.join(comment)}" if comment else ""
        out.write(f"    {acct:<48}  {_usd(r.amount_usd):>16}{tail}\n")
    if current is not None:
        out.write("\n")
    return count


def write_csv(session, out: TextIO, *, on_progress: Callable[[int, int], None] | None = None) -> int:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    n = 0
    for r in _lines(session, on_progress=on_progress):
        usd = r.amount_usd
        w.writerow((r.voucher_id, r.date.isoformat(), r.number, r.voucher_type, r.location, r.account, r.account_name,
                    r.customer or "", r.currency, f"{r.amount:.2f}", f"{usd:.2f}", f"{usd:.2f}" if usd > 0 else "",
                    f"{-usd:.2f}" if usd < 0 else "", r.memo))
        n += 1
    return n


def export_journal(services: "Services", actor: Actor, format: str = "hledger", out: TextIO | None = None, *,
                   on_progress: Callable[[int, int], None] | None = None) -> str | None:
    """The whole journal as ``hledger`` or ``csv`` text: written to ``out``, or returned when ``out`` is None.
    ``on_progress(lines done, lines in all)`` after each page of lines (a progress bar)."""
    actor.require("ledgers", "Exporting the journal")
    fmt = (format or "").strip().lower()
    if fmt not in EXPORT_FORMATS:
        raise ValidationError("Format: one of {export_formats} (got {format!r})", field="format",
            params={"export_formats": ', '.join(EXPORT_FORMATS), "format": format})
    target = out if out is not None else io.StringIO()
    with services.db.read() as session:
        if fmt == "hledger":
            write_hledger(session, target, on_progress=on_progress)
        else:
            write_csv(session, target, on_progress=on_progress)
    return target.getvalue() if out is None else None


__all__ = ["EXPORT_FORMATS", "account_name", "export_journal", "write_csv", "write_hledger"]
