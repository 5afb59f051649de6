"""Ledger reports and their exports: ageing, general ledger, trial balance, register; table, JSON, CSV,
XLSX and PDF read back; the hledger journal checked by hledger itself when it is installed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
from decimal import Decimal as D

import pytest
from sqlmodel import select

from shopterm.printing import reports as RP
from shopterm.services.errors import PermissionDenied, ValidationError
from shopterm.services.ledger.hledger import account_name, export_journal
from shopterm.store.models import Location

from .conftest import open_day
from .ledger_support import D2, D3, DAY, build_case, invoice, receipt

Z = D("0.00")


@pytest.fixture
def case(services, manager):
    with services.db.write() as s:
        loc = s.exec(select(Location).where(Location.code == "AXP")).one()
        loc.address = "12 Avenue du Commerce, Gombe, Kinshasa"
        loc.phone = "+243 81 555 0100"
        loc.tax_no = "A1234567B"
        s.add(loc)
    return build_case(services, manager)


# ---------------------------------------------------------------- ageing


def test_ageing_buckets_by_due_date_with_group_totals(case, services, manager):
    ag = services.ledger.ageing(manager, DAY)
    c1, c2 = ag.rows
    # C0001: SI2 120 open, due 10-31 → 23 days past due; SI3 80 due 12-20, not yet due: both in 0-30
    assert (c1.code, c1.buckets, c1.total, c1.overdue, c1.not_due, c1.credits) == (
        "C0001", (D("200.00"), Z, Z, Z), D("200.00"), D("120.00"), D("80.00"), Z)
    assert c1.flags == ("overdue",)
    # C0002: SI4 500 due 08-16 → 99 days: 90+; the unapplied credit note −40 counts in 0-30
    assert (c2.code, c2.buckets, c2.total, c2.credits, c2.over_limit) == (
        "C0002", (D("-40.00"), Z, Z, D("500.00")), D("460.00"), D("-40.00"), False)
    [grp] = ag.groups
    assert (grp.code, grp.buckets, grp.total) == ("Fleuve Group", (D("160.00"), Z, Z, D("500.00")), D("660.00"))
    assert ag.total.total == D("660.00") == services.ledger.balances(manager, DAY).total_usd
    # at 10-16: SI1 due 10-01 → 15 days; SI2 not due; RC1 unapplied; SI4 → 61 days: 61-90
    past = services.ledger.ageing(manager, dt.date(2026, 10, 16))
    assert [(r.code, r.buckets) for r in past.rows] == [
        ("C0001", (D("150.00"), Z, Z, Z)), ("C0002", (D("-40.00"), Z, D("500.00"), Z))]


def test_ageing_over_limit_flag(case, services, manager):
    invoice(services, manager, "C0002", "100.00", DAY)  # 460 + 100 > the 500 limit
    row = services.ledger.ageing(manager, DAY, customer="C0002").rows[0]
    assert row.over_limit and row.flags == ("overdue", "over limit")
    assert services.ledger.balances(manager, DAY, customer="C0002").rows[0].over_limit


def test_bucket_edges():
    from shopterm.services.ledger.reports import bucket_index

    assert [bucket_index(d) for d in (-5, 0, 30, 31, 60, 61, 90, 91, 400)] == [0, 0, 0, 1, 1, 2, 2, 3, 3]


# ---------------------------------------------------------------- general ledger, trial balance, register


def test_general_ledger_shows_payments_by_default(case, services, manager):
    gl = services.ledger.general_ledger(manager, "AXP", dt.date(2026, 8, 1), DAY)
    assert [(g.date, g.transaction_type, g.customer_code, g.method, g.credit, g.balance) for g in gl.rows] == [
        (D3, "Payment received", "C0001", "cash", D("150.00"), D("150.00")),
        (dt.date(2026, 11, 22), "Payment received", "C0001", "cash", D("30.00"), D("200.00"))]
    every = services.ledger.general_ledger(manager, "AXP", dt.date(2026, 8, 1), DAY, show_all=True)
    assert len(every.rows) == 7 and every.total_debit == D("880.00") and every.total_credit == D("220.00")
    assert [g.balance for g in every.rows if g.customer_code == "C0002"] == [D("500.00"), D("460.00")]
    page = services.ledger.general_ledger(manager, None, dt.date(2026, 8, 1), DAY, show_all=True, limit=4)
    assert len(page.rows) == 4 and page.next_key == page.rows[-1].key
    rest = services.ledger.general_ledger(manager, None, dt.date(2026, 8, 1), DAY, show_all=True,
                                          after_key=page.next_key)
    assert [r.entry_id for r in page.rows + rest.rows] == [r.entry_id for r in every.rows]


def test_trial_balance_and_register(case, services, manager):
    tb = services.ledger.trial_balance(manager, DAY)
    assert [(r.code, r.debit, r.credit) for r in tb.rows] == [
        ("1100", D("180.00"), Z), ("1200", D("660.00"), Z), ("4000", Z, D("880.00")), ("4010", D("40.00"), Z)]
    assert tb.total_debit == tb.total_credit == D("880.00")
    reg = services.ledger.account_register(manager, "1200", D2, DAY)
    assert reg.opening_balance == D("560.00")  # SI1 100 + SI4 500 − SR1 40
    assert [r.balance for r in reg.rows] == [D("760.00"), D("610.00"), D("690.00"), D("660.00")]
    assert reg.closing_balance == D("660.00")
    first = services.ledger.account_register(manager, "1200", D2, DAY, limit=2)
    more = services.ledger.account_register(manager, "1200", D2, DAY, after_key=first.next_key)
    assert more.opening_balance == D("610.00") and [r.balance for r in more.rows] == [D("690.00"), D("660.00")]
    with pytest.raises(Exception) as e:
        services.ledger.account_register(manager, "9999", D2, DAY)
    assert e.value.message == "Account 9999 is not in the chart of accounts"


# ---------------------------------------------------------------- renderings


def test_table_fits_80_columns_and_tells_debit_from_credit(case, services, manager):
    invoice(services, manager, "C0002", "1234567.89", DAY)
    reports = [services.ledger.balances(manager, DAY), services.ledger.open_items(manager, DAY),
               services.ledger.statement(manager, D2, DAY), services.ledger.ageing(manager, DAY),
               services.ledger.general_ledger(manager, "AXP", D2, DAY, show_all=True),
               services.ledger.trial_balance(manager, DAY),
               services.ledger.account_register(manager, "1200", D2, DAY)]
    for rep in reports:
        text = RP.render(rep, "table")
        assert max(len(line) for line in text.splitlines()) <= 80, text
    st = RP.render(services.ledger.statement(manager, D2, DAY, customer="C0002"), "table")
    assert "Debit USD" in st and "Credit USD" in st
    assert "1,234,567.89" in st and "1,235,027.89" in st  # thousands separators; closing 460 + 1,234,567.89
    lines = {line.split()[1] if len(line.split()) > 1 else "": line for line in st.splitlines()}
    assert lines["Opening"].rstrip().endswith("460.00")
    c1 = RP.render(services.ledger.statement(manager, D2, DAY, customer="C0001"), "table")
    receipt_line = next(line for line in c1.splitlines() if "RC000001" in line)
    header = next(line for line in c1.splitlines() if "Debit USD" in line)
    # the receipt's 150.00 sits under Credit, right-aligned, and Debit is blank
    assert receipt_line.index("150.00") + len("150.00") == header.index("Credit USD") + len("Credit USD")
    assert receipt_line[header.index("Debit USD"):header.index("Debit USD") + 9].strip() == ""


def test_json_amounts_are_strings(case, services, manager):
    data = json.loads(RP.render(services.ledger.statement(manager, D2, DAY, customer="C0001"), "json"))
    assert data["report"] == "StatementReport"
    sec = data["sections"][0]
    assert (sec["opening_balance"], sec["closing_balance"]) == ("100.00", "200.00")
    assert [(r["number"], r["debit"], r["credit"], r["balance"], r["match_ids"]) for r in sec["rows"]][1] == (
        "261001RC000001", "0.00", "150.00", "150.00", [case["M1"].match_id])
    ag = json.loads(RP.render(services.ledger.ageing(manager, DAY), "json"))
    assert ag["total"]["buckets"] == ["160.00", "0.00", "0.00", "500.00"]


def test_csv_reads_back(case, services, manager):
    text = RP.render(services.ledger.statement(manager, D2, DAY), "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    c1 = [r for r in rows if r["section"] == "C0001"]
    assert [(r["Type"], r["Debit USD"], r["Credit USD"], r["Balance USD"]) for r in c1] == [
        ("Opening balance", "", "", "100.00"),
        ("Sales invoice", "200.00", "0.00", "300.00"),
        ("Payment received", "0.00", "150.00", "150.00"),
        ("Sales invoice", "80.00", "0.00", "230.00"),
        ("Payment received", "0.00", "30.00", "200.00"),
        ("Total", "280.00", "180.00", ""),
        ("Closing balance", "", "", "200.00"),
    ]
    assert c1[2]["Match"] == str(case["M1"].match_id) and c1[1]["Match"] == f"{case['M1'].match_id} {case['M2'].match_id}"
    assert {r["section"] for r in rows} == {"C0001", "C0002"}
    bal = list(csv.DictReader(io.StringIO(RP.render(services.ledger.balances(manager, DAY), "csv"))))
    assert [(r["Customer"], r["Balance USD"]) for r in bal] == [("C0001", "200.00"), ("C0002", "460.00"),
                                                                  ("Total", "660.00")]


def test_xlsx_opens_with_openpyxl(case, services, manager):
    from openpyxl import load_workbook

    data = RP.render(services.ledger.statement(manager, D2, DAY), "xlsx")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["C0001", "C0002"]
    ws = wb["C0001"]
    assert ws["A1"].value == "Customer statement: C0001 Kinshasa Pharma"
    header = [c.value for c in ws[3]]
    assert header[:4] == ["Customer", "Date", "Type", "Number"]
    col = {h: i for i, h in enumerate(header)}
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    entries = [v for v in values if v[col["Type"]] in ("Sales invoice", "Payment received")]
    assert [D(str(v[col["Balance USD"]])).quantize(D("0.01")) for v in entries] == [
        D("300.00"), D("150.00"), D("230.00"), D("200.00")]
    assert entries[0][col["Date"]].date() == D2
    assert ws.cell(row=5, column=col["Debit USD"] + 1).number_format == "#,##0.00"
    ag = load_workbook(io.BytesIO(RP.render(services.ledger.ageing(manager, DAY), "xlsx")))
    assert ag.sheetnames == ["Customers", "Groups"]


def test_pdf_statement_has_letterhead_period_entries_and_ageing(case, services, manager):
    from pypdf import PdfReader

    st = services.ledger.statement(manager, D2, DAY)
    data = RP.render(st, "pdf", letterhead=services.ledger.letterhead("AXP"), ageing=services.ledger.ageing(manager, DAY))
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) == 2  # one customer per page
    text = pages[0].extract_text()
    for needle in ("Axpert", "12 Avenue du Commerce, Gombe, Kinshasa", "NIF A1234567B", "Customer statement",
                   "Kinshasa Pharma", "Period: 2026-10-01 to 2026-11-23", "Opening balance", "261001SI000001",
                   "Closing balance", "Ageing at 2026-11-23"):
        assert needle in text, needle
    assert "230.00" in text and "200.00" in text
    assert "Pharmacie du Fleuve" in pages[1].extract_text()
    other = PdfReader(io.BytesIO(RP.render(services.ledger.balances(manager, DAY), "pdf"))).pages[0].extract_text()
    assert "Customer balances" in other and "660.00" in other


def test_render_refuses_an_unknown_format(case, services, manager):
    with pytest.raises(ValidationError) as e:
        RP.render(services.ledger.balances(manager, DAY), "docx")
    assert e.value.message == "Format: one of table, json, csv, xlsx, pdf (got 'docx')"


# ---------------------------------------------------------------- hledger


def _hledger_case(services, manager, cashier):
    """The case, plus a CDF invoice and a CDF payment on account (so the CDF till has lines)."""
    e = build_case(services, manager)
    invoice(services, manager, "C0002", "100.00", D2, currency="CDF", amount="285000")
    open_day(services)
    services.ledger.record_payment(cashier, customer="C0002", amount="142500", currency="CDF", rate="2850")
    services.ledger.record_payment(cashier, customer="C0001", amount="12.34", method="bank")
    return e


def test_hledger_journal_text(services, manager, cashier):
    _hledger_case(services, manager, cashier)
    text = export_journal(services, manager, "hledger")
    assert "account assets:1100-cash-usd  ; type:A, code:1100" in text
    assert "2026-09-01 (260901SI000001) Sales invoice  ; type:SI" in text
    assert "assets:1200-accounts-receivable:C0001" in text
    cdf = next(line for line in text.splitlines() if line.strip().startswith("assets:1110-cash-cdf"))
    assert "50.00 USD" in cdf and "; CDF 142,500.00" in cdf
    with pytest.raises(PermissionDenied):
        export_journal(services, cashier, "hledger")
    with pytest.raises(ValidationError) as e:
        export_journal(services, manager, "ledger")
    assert e.value.message == "Format: one of hledger, csv (got 'ledger')"


def test_journal_csv_balances_per_voucher(services, manager, cashier):
    _hledger_case(services, manager, cashier)
    rows = list(csv.DictReader(io.StringIO(export_journal(services, manager, "csv"))))
    per_voucher: dict[str, D] = {}
    for r in rows:
        per_voucher[r["voucher_id"]] = per_voucher.get(r["voucher_id"], Z) + D(r["amount_usd"])
    assert set(per_voucher.values()) == {Z}
    till = [r for r in rows if r["account"] == "1110"]
    assert [(r["currency"], r["amount"], r["amount_usd"], r["debit_usd"]) for r in till] == [
        ("CDF", "142500.00", "50.00", "50.00")]


@pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger is not installed (apt-get install hledger)")
def test_hledger_reproduces_our_trial_balance(services, manager, cashier, tmp_path):
    _hledger_case(services, manager, cashier)
    path = tmp_path / "shop.journal"
    with open(path, "w", encoding="utf-8") as fh:
        export_journal(services, manager, "hledger", fh)
    out = subprocess.run(["hledger", "-f", str(path), "bal", "--flat", "--depth", "2", "-N", "-O", "csv"],
                         capture_output=True, text=True, check=True).stdout
    theirs = {}
    for row in list(csv.reader(io.StringIO(out)))[1:]:
        amount, commodity = row[1].split()
        assert commodity == "USD"
        theirs[row[0]] = D(amount.replace(",", ""))
    tb = services.ledger.trial_balance(manager, DAY)
    ours = {account_name(r.code, r.name, r.kind): r.balance for r in tb.rows}
    assert theirs == ours
    # and per customer, the receivable sub-accounts are the customer balances
    out = subprocess.run(["hledger", "-f", str(path), "bal", "--flat", "-N", "-O", "csv", "receivable"],
                         capture_output=True, text=True, check=True).stdout
    per_customer = {row[0].rsplit(":", 1)[1]: D(row[1].split()[0]) for row in list(csv.reader(io.StringIO(out)))[1:]}
    assert per_customer == {r.customer_code: r.balance_usd for r in services.ledger.balances(manager, DAY).rows}
