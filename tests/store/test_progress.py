"""Long work reports its progress and can be stopped (issue 16): the CSV import calls
``on_progress(done, total)`` per row and, when the callback raises ``Cancelled`` (Esc on the
screen), rolls back — nothing of the file is written; the journal export reports lines done /
lines in all after each page."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from shopterm.services.errors import Cancelled
from shopterm.services.ledger.hledger import export_journal
from shopterm.services.masters.imports import ImportService
from shopterm.store.models import AuditLog, Customer, JournalLine

from .conftest import DAY
from .test_customer_seeds import DocumentDraft, DraftLine

HEADER = ("code,name,kind,category,group,price_category,credit_limit_usd,credit_days,mobile,email,address,"
          "sales_person,tax_exempt,free_offer,loyalty_card,locations")


def count(s, model) -> int:
    with s.db.read() as ss:
        return ss.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_cancelled_import_writes_nothing(services, manager, tmp_path):
    s = services
    rows = [f"C{500 + i},Pharmacie {i},credit,WH,Fleuve Group,wholesale,100,10,,,,SP01,no,no,,AXP" for i in range(5)]
    path = tmp_path / "c.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    before, audits = count(s, Customer), count(s, AuditLog)
    seen = []

    def progress(done, total):
        seen.append((done, total))
        if done == 3:  # three customers written in the transaction: Esc
            raise Cancelled("Import cancelled: nothing was imported")

    with pytest.raises(Cancelled):
        ImportService(s).run(manager, "customers", path, on_progress=progress)
    assert seen == [(0, 5), (1, 5), (2, 5), (3, 5)]
    assert (count(s, Customer), count(s, AuditLog)) == (before, audits)
    # the same file, not cancelled: every row, counted to the end
    seen.clear()
    result = ImportService(s).run(manager, "customers", path, on_progress=lambda d, t: seen.append((d, t)))
    assert result.created == 5 and seen[-1] == (5, 5) and count(s, Customer) == before + 5


def test_journal_export_reports_lines_done(open_shop, cashier, manager):
    s = open_shop
    for _ in range(3):
        s.sales.post_invoice(cashier, DocumentDraft(location="AXP", date=DAY, customer="C0001", sales_type="credit",
                                                    lines=[DraftLine("BAND01", "D001", "2")]))
    lines = count(s, JournalLine)
    assert lines > 0
    seen = []
    out = io.StringIO()
    export_journal(s, manager, "csv", out, on_progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (lines, lines)
    assert len(out.getvalue().splitlines()) == lines + 1  # the header and one row per line
