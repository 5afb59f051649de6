"""Whole-ledger reports and their exports show progress and can be stopped (issue 16): each report calls
``on_progress(done, total)`` between its pages (customers, rows) or steps, the callback may raise
``Cancelled`` to stop it there, and a report file is written whole (a temporary file renamed at the end)
or not at all. Small page sizes drive the counts here; the big ledger is for the bench."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from shopterm.services.errors import Cancelled
from shopterm.services.ledger.exports import atomic_output, save_report, write_file
from shopterm.store.models import Customer

from .ledger_support import D2, DAY, build_case


@pytest.fixture
def case(services, manager):
    return build_case(services, manager)


def counts():
    seen: list[tuple[int, int]] = []
    return seen, lambda done, total: seen.append((done, total))


def test_general_ledger_counts_customers_and_the_register_reads_page_by_page(case, services, manager):
    seen, progress = counts()
    whole = services.ledger.general_ledger(manager, "AXP", dt.date(2026, 8, 1), DAY, show_all=True)
    counted = services.ledger.general_ledger(manager, "AXP", dt.date(2026, 8, 1), DAY, show_all=True,
                                             on_progress=progress)
    assert seen == [(0, 2), (1, 2), (2, 2)]  # C0001's and C0002's running balances
    assert counted == whole and (counted.total_debit, counted.total_credit) == (D("880.00"), D("220.00"))
    seen, progress = counts()
    reg = services.ledger.account_register(manager, "1200", D2, DAY, on_progress=progress, page=3)
    assert seen == [(0, 4), (3, 4), (4, 4)]  # 4 lines, 3 a page
    assert reg.rows == services.ledger.account_register(manager, "1200", D2, DAY).rows
    assert [r.balance for r in reg.rows] == [D("760.00"), D("610.00"), D("690.00"), D("660.00")]
    assert (reg.opening_balance, reg.closing_balance, reg.next_key) == (D("560.00"), D("660.00"), None)


def test_customer_reports_count_customers_done(case, services, manager):
    with services.db.read() as s:
        customers = s.execute(select(func.count()).select_from(Customer)).scalar_one()
    seen, progress = counts()
    items = services.ledger.open_items(manager, DAY, on_progress=progress, chunk=1)
    assert seen == [(n, customers) for n in range(customers + 1)]  # one customer a query
    assert items.rows == services.ledger.open_items(manager, DAY).rows
    seen, progress = counts()
    st = services.ledger.statement(manager, D2, DAY, on_progress=progress)
    assert seen == [(0, 2), (1, 2), (2, 2)]  # C0001 and C0002 have entries by the date
    assert [s.customer_code for s in st.sections] == ["C0001", "C0002"]
    for report in ("ageing", "balances", "trial_balance"):  # one grouped pass each
        seen, progress = counts()
        getattr(services.ledger, report)(manager, DAY, on_progress=progress)
        assert seen == [(0, 1), (1, 1)], report


def test_cancel_stops_the_report_at_its_next_page(case, services, manager):
    seen = []

    def esc_after_first_page(done, total):
        seen.append((done, total))
        if done >= 1:
            raise Cancelled("Export cancelled: no file was written")

    with pytest.raises(Cancelled):
        services.ledger.account_register(manager, "1200", D2, DAY, on_progress=esc_after_first_page, page=1)
    assert seen == [(0, 4), (1, 4)]  # no page read after Esc


def test_a_cancelled_export_leaves_no_file_and_keeps_the_older_one(case, services, manager, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "ageing.csv"

    def cancelled(done, total):
        raise Cancelled("Export cancelled: no file was written")

    with pytest.raises(Cancelled), atomic_output(target) as fh:
        fh.write("code,name\n")  # half a file written…
        services.ledger.ageing(manager, DAY, on_progress=cancelled)  # …then Esc
    assert list(tmp_path.iterdir()) == []  # neither the file nor its temporary
    write_file(target, "older\n")
    with pytest.raises(Cancelled), atomic_output(target) as fh:
        fh.write("new")
        raise Cancelled("Export cancelled: no file was written")
    assert target.read_text() == "older\n" and [p.name for p in tmp_path.iterdir()] == ["ageing.csv"]
    # not cancelled: the whole report, in place of the older file
    save_report(services.ledger.ageing(manager, DAY), "csv", target)
    lines = target.read_text().splitlines()
    assert lines[0].startswith("section,Customer,Name,Group,0-30") and any(",C0002," in line for line in lines)
    assert [p.name for p in tmp_path.iterdir()] == ["ageing.csv"]


def test_a_report_file_that_cannot_be_written_is_a_clear_error(case, services, manager, tmp_path):
    from shopterm.services.errors import ValidationError

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(ValidationError) as e:
        save_report(services.ledger.trial_balance(manager, DAY), "csv", tmp_path / "no" / "tb.csv")
    assert e.value.field == "output" and "cannot write" in e.value.message
    with pytest.raises(ValidationError) as e:
        save_report(services.ledger.trial_balance(manager, DAY), "docx", tmp_path / "tb.docx")
    assert e.value.field == "format"
    assert list(tmp_path.iterdir()) == []


def test_laying_out_an_xlsx_or_pdf_counts_rows_and_a_cancel_writes_nothing(case, services, manager, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    gl = services.ledger.general_ledger(manager, "AXP", dt.date(2026, 8, 1), DAY, show_all=True)
    seen, progress = counts()
    save_report(gl, "xlsx", out / "gl.xlsx", on_progress=progress)
    assert seen == [(0, 8), (8, 8)]  # 7 entries and the total row
    st = services.ledger.statement(manager, D2, DAY)
    seen, progress = counts()
    save_report(st, "pdf", out / "st.pdf", on_progress=progress)
    assert seen == [(0, 4), (4, 4)]  # C0001's 4 entries in the period (C0002: opening and closing only)
    assert sorted(p.name for p in out.iterdir()) == ["gl.xlsx", "st.pdf"]

    def esc(done, total):
        raise Cancelled("Export cancelled: no file was written")

    with pytest.raises(Cancelled):
        save_report(st, "pdf", out / "again.pdf", on_progress=esc)
    assert sorted(p.name for p in out.iterdir()) == ["gl.xlsx", "st.pdf"]
