"""Printing (services/printing.py, shopterm/printing): real posted documents printed as A4
PDF (read back with pypdf) and as 48-column text, the figures compared with the posted
document to the cent; re-prints marked and counted, audit rows, the print folder and the
print command, bad input with its exact message.

The day printed (AXP, 2026-11-23, rate 2850, CDF increment 100), figures by hand:

- SI1 credit, C0002 (Pharmacie du Fleuve), USD, the DESIGN §4 invoice: subtotal 50.47,
  flat 5 % 2.52, VAT 6.91, net 54.86 USD = 156,351.00 CDF, round off +49.00, payable 156,400 CDF.
- SI2 credit, C0002, CDF, no flat discount (explicit 0): 10 PARA500 at 2.20 × 2850 = 6,270.00
  → 62,700.00 + VAT 16 % 10,032.00; 4 BAND01 at 1.10 × 2850 = 3,135.00 → 12,540.00 (no VAT):
  subtotal 75,240.00, net 85,272.00 CDF (= 29.92 USD exactly), round off +28.00, payable
  85,300.00 CDF = 29.93 USD (85,300 / 2850 = 29.929…), the receivable booked at 29.93 USD.
- SI3 cash, CASH, USD, the §4 lines at retail prices (= the §4 prices): 54.86 USD; RC1 pays
  50 USD + 20,000 CDF → 156,400 − (142,500 + 20,000) → change 6,100 CDF.
"""

from __future__ import annotations

import io
import re
import stat
from decimal import Decimal as D
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select

from shopterm.printing.model import PrintDoc
from shopterm.printing.text import WIDTH, render_text
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import NotFound, PermissionDenied, PrintFailed, ValidationError
from shopterm.store.models import AuditLog, Batch, Customer, Document, Item, Location, ShopSetup, StockMove

from .conftest import DAY
from .test_cash import float_in, post_test_return

WORKED = [("PARA500", "B001", "10", "2.50", "10", "0"), ("AMOX250", "A001", "3", "7.99", "0", "1.00"),
          ("BAND01", "D001", "4", "1.25", "0", "0")]


def draft(lines=WORKED, **kw) -> DocumentDraft:
    args = dict(location="AXP", date=DAY, customer="C0002", sales_type="credit", currency="USD", rate="2850",
                sales_person="SP02", flat_discount_type="percent", flat_discount_value="5")
    args.update(kw)
    return DocumentDraft(lines=[DraftLine(*l) for l in lines], **args)


def letterhead(services) -> None:
    """The location's address and tax numbers, the customer's NRC and Impôt numbers."""
    with services.db.write() as s:
        loc = s.execute(select(Location).where(Location.code == "AXP")).scalar_one()
        loc.address, loc.phone = "12 Avenue du Commerce, Gombe, Kinshasa", "+243 81 555 0100"
        loc.tax_no, loc.rccm_no = "A1234567X", "CD/KIN/RCCM/14-B-1234"
        c = s.execute(select(Customer).where(Customer.code == "C0002")).scalar_one()
        c.nrc_no, c.impot_no, c.address = "NRC-0042", "A0987654Z", "7 Avenue du Fleuve, Kinshasa"


def squash(text: str) -> list[str]:
    """The text's lines with runs of spaces made one (so a test reads label and value)."""
    return [" ".join(line.split()) for line in text.splitlines()]


def pdf_text(data: bytes) -> str:
    assert data[:5] == b"%PDF-"
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def check_width(text: str) -> None:
    too_long = [line for line in text.splitlines() if len(line) > WIDTH]
    assert not too_long, too_long


@pytest.fixture
def shop(open_shop):
    letterhead(open_shop)
    return open_shop


def audit_rows(services, doc_number: str) -> list[tuple[str, str]]:
    with services.db.read() as s:
        doc_id = s.execute(select(Document.id).where(Document.number == doc_number)).scalar_one()
        return [(a.action, a.user_name) for a in s.execute(
            select(AuditLog).where(AuditLog.entity == "document", AuditLog.entity_id == doc_id,
                                   AuditLog.action.in_(("print", "reprint"))).order_by(AuditLog.id)).scalars()]


def print_count(services, number: str) -> tuple[int, dict]:
    with services.db.read() as s:
        doc = s.execute(select(Document).where(Document.number == number)).scalar_one()
        return doc.print_count, dict((doc.extra or {}).get("print_counts") or {})


# ---------------------------------------------------------------- the facture


def test_design_invoice_text_matches_the_posted_figures(shop, cashier):
    number = shop.sales.post_invoice(cashier, draft()).number
    assert number == "261101SI000001"
    p = shop.printing.render(number, format="text")
    check_width(p.text)
    assert p.format == "text" and p.data == p.text.encode("utf-8")
    assert (p.copy, p.duplicate, p.usd, p.kind) == (1, False, False, "facture")
    lines = squash(p.text)
    # letterhead and the customer's numbers
    assert "AXPERT" in lines and "12 Avenue du Commerce, Gombe, Kinshasa" in lines
    assert "FACTURE" in lines and "No 261101SI000001" in lines
    assert any("NIF A1234567X" in l for l in lines) and any("RCCM CD/KIN/RCCM/14-B-1234" in l for l in lines)
    for row in ("Name Pharmacie du Fleuve", "Code C0002", "NRC No NRC-0042", "Impôt No A0987654Z",
                "Sale Credit sale, due 2026-12-08", "Sales person SP02 Marie Kabila",
                "Currency USD, rate 2,850.00 CDF/USD"):
        assert row in lines, row
    # the lines: qty, price, discount, net
    assert "10 2.50 -2.50 22.50" in lines
    assert "3 7.99 -1.00 22.97" in lines
    assert "4 1.25 5.00" in lines
    # the footer, in USD then in CDF at the document rate
    footer = lines[lines.index("Total qty 17"):]
    assert footer[:12] == [
        "Total qty 17", "Gross amount 53.97", "Line discounts -3.50", "Subtotal 50.47", "Flat discount 5% -2.52",
        "VAT 16% 6.91", "NET AMOUNT USD 54.86", "PAYABLE USD 54.86", "At 2,850.00 CDF/USD:",
        "Net amount CDF 156,351.00", "Round off CDF 49.00", "PAYABLE CDF 156,400.00",
    ]
    assert not any("DUPLICATE" in l for l in lines)


def test_design_invoice_pdf_reads_back(shop, cashier):
    number = shop.sales.post_invoice(cashier, draft()).number
    p = shop.printing.render(number)  # pdf by default
    assert p.format == "pdf"
    text = pdf_text(p.data)
    assert len(pypdf.PdfReader(io.BytesIO(p.data)).pages) == 1
    flat = " ".join(text.split())
    for want in ("Axpert", "FACTURE", "No 261101SI000001", "Pharmacie du Fleuve", "Impôt No A0987654Z",
                 "NRC No NRC-0042", "NIF A1234567X", "RCCM CD/KIN/RCCM/14-B-1234",
                 "Subtotal 50.47", "Flat discount 5% -2.52", "VAT 16% 6.91", "Net amount USD 54.86",
                 "Net amount CDF 156,351.00", "Round off CDF 49.00", "Payable CDF 156,400.00",
                 "Payable USD 54.86", "22.50", "22.97"):
        assert want in flat, want


def test_cdf_invoice_in_usd_prints_the_books(shop, cashier):
    lines = [("PARA500", "B001", "10", None, "0", "0"), ("BAND01", "D001", "4", None, "0", "0")]
    number = shop.sales.post_invoice(cashier, draft(lines, currency="CDF", flat_discount_type="amount",
                                                    flat_discount_value="0")).number
    v = shop.sales.document(number)
    assert (v.totals.net, v.totals.round_off_cdf, v.totals.payable, v.totals.payable_usd) == (
        D("85272.00"), D("28.00"), D("85300.00"), D("29.93"))
    receivable_usd = next(j.amount_usd for j in v.journal if j.account == "1200")
    assert receivable_usd == D("29.93")
    # as posted: CDF, then USD at the rate
    plain = squash(shop.printing.render(number, format="text").text)
    for row in ("10 6,270.00 62,700.00", "4 3,135.00 12,540.00", "Subtotal 75,240.00", "VAT 16% 10,032.00",
                "NET AMOUNT CDF 85,272.00", "Round off CDF 28.00", "PAYABLE CDF 85,300.00",
                "Net amount USD 29.92", "PAYABLE USD 29.93"):
        assert row in plain, row
    # print in USD: only USD amounts; the payable is the receivable booked
    p = shop.printing.render(number, format="text", usd=True)
    check_width(p.text)
    usd = squash(p.text)
    for row in ("Amounts in USD (document in CDF, rate", "10 2.20 22.00", "4 1.10 4.40", "Subtotal 26.40",
                "VAT 16% 3.52", "NET AMOUNT USD 29.92", "Round off USD 0.01", "PAYABLE USD 29.93"):
        assert any(l.startswith(row) for l in usd), row
    assert not re.search(r"\b(85,|62,700|6,270|12,540)", p.text)
    assert not any("CDF" in l for l in usd if not l.startswith(("Amounts in", "2,850.00)")))
    pdf = " ".join(pdf_text(shop.printing.render(number, usd=True).data).split())
    assert "Payable USD 29.93" in pdf and "Net amount USD 29.92" in pdf and "85,300" not in pdf
    # the document's own "Print in USD?" is the default
    flagged = shop.sales.post_invoice(cashier, draft(lines, currency="CDF", flat_discount_type="amount",
                                                     flat_discount_value="0", print_usd=True)).number
    assert shop.printing.render(flagged, format="text").usd is True
    assert shop.printing.render(flagged, format="text", usd=False).usd is False


def test_usd_invoice_printed_in_usd_has_no_cdf_amounts(shop, cashier):
    number = shop.sales.post_invoice(cashier, draft()).number
    text = shop.printing.render(number, format="text", usd=True).text
    lines = squash(text)
    assert "NET AMOUNT USD 54.86" in lines and "PAYABLE USD 54.86" in lines
    assert "156,4" not in text and "156,351" not in text and "Round off CDF" not in text


# ---------------------------------------------------------------- printing, re-printing, the audit


def test_print_writes_counts_and_marks_reprints(shop, cashier, manager):
    number = shop.sales.post_invoice(cashier, draft()).number
    folder = Path(shop.printing.data_dir()) / "prints" / "AXP"
    first = shop.printing.print(cashier, number)
    assert first.path == folder / f"{number}.pdf" and first.path.read_bytes() == first.data
    assert (first.copy, first.duplicate) == (1, False)
    assert first.message() == f"Printed {number} to {folder / (number + '.pdf')}"
    assert "DUPLICATE" not in pdf_text(first.data)
    second = shop.printing.print(cashier, number, format="text")
    assert second.path == folder / f"{number}-copy1.txt"
    assert (second.copy, second.copies, second.reprint_no, second.duplicate) == (2, 2, 1, True)
    lines = squash(second.path.read_text(encoding="utf-8"))
    assert lines.count("*** DUPLICATE — RE-PRINT 1 ***") == 2  # top and bottom
    third = shop.printing.print(manager, number)
    assert third.path.name == f"{number}-copy2.pdf"
    assert "DUPLICATE — RE-PRINT 2" in pdf_text(third.data)
    assert print_count(shop, number) == (3, {})
    assert audit_rows(shop, number) == [("print", "cashier"), ("reprint", "cashier"), ("reprint", "manager")]
    with shop.db.read() as s:
        doc_id = s.execute(select(Document.id).where(Document.number == number)).scalar_one()
        last = s.execute(select(AuditLog).where(AuditLog.entity_id == doc_id, AuditLog.entity == "document")
                         .order_by(AuditLog.id.desc())).scalars().first()
    assert last.before == {"print_count": 2, "kind": "facture"}
    assert last.after["print_count"] == 3 and last.after["format"] == "pdf"
    assert last.summary == f"re-printed {number} (facture, pdf, copy 3) to {third.path}"
    # rendering is a preview: not counted, marked as the next print would be
    preview = shop.printing.render(number, format="text")
    assert preview.duplicate and "*** DUPLICATE — RE-PRINT 3 ***" in preview.text
    assert not shop.printing.render(number, format="text", reprint=False).duplicate
    assert print_count(shop, number) == (3, {})


def test_print_to_an_output_file_and_to_the_setup_folder(shop, cashier, tmp_path):
    number = shop.sales.post_invoice(cashier, draft()).number
    out = tmp_path / "exports" / "facture.pdf"
    p = shop.printing.print(cashier, number, output=out)
    assert p.path == out and "Payable CDF 156,400.00" in " ".join(pdf_text(out.read_bytes()).split())
    with shop.db.write() as s:
        setup = s.execute(select(ShopSetup)).scalars().first()
        setup.print_dir = "counter-prints"  # relative: under the data dir
    p2 = shop.printing.print(cashier, number, format="text")
    assert p2.path == Path(shop.printing.data_dir()) / "counter-prints" / f"{number}-copy1.txt"
    stdout = shop.printing.print(cashier, number, format="text", output="-")
    assert stdout.path is None and stdout.reprint_no == 2
    assert print_count(shop, number) == (3, {})
    assert audit_rows(shop, number) == [("print", "cashier"), ("reprint", "cashier"), ("reprint", "cashier")]


def test_delivery_print_of_an_invoice_is_counted_apart(shop, cashier):
    number = shop.sales.post_invoice(cashier, draft()).number
    shop.printing.print(cashier, number)
    d = shop.printing.print(cashier, number, kind="delivery", format="text")
    assert (d.kind, d.duplicate, d.path.name) == ("delivery", False, f"{number}-delivery.txt")
    check_width(d.text)
    lines = squash(d.text)
    assert "DELIVERY NOTE" in lines and f"Invoice No {number}" in lines and "Name Pharmacie du Fleuve" in lines
    assert "10 BOX" in lines and "3 BOX" in lines and "4 ROLL" in lines and "TOTAL QTY 17" in lines
    assert any(l.startswith("Delivered by: ___") for l in lines)
    assert "Received in good order by (name, date):" in lines
    assert not any(re.search(r"\b54\.86\b|2\.50", l) for l in lines)  # no prices on a challan
    again = shop.printing.print(cashier, number, kind="delivery")
    assert again.duplicate and "DUPLICATE — RE-PRINT 1" in pdf_text(again.data)
    assert print_count(shop, number) == (1, {"delivery": 2})


# ---------------------------------------------------------------- the cash receipt and the other documents


def _cash_sale(services, cashier) -> tuple[str, str]:
    inv = services.sales.post_invoice(cashier, draft(customer="CASH", sales_type="cash", sales_person="SP01")).number
    rc = services.cash.post_receipt(cashier, invoice=inv, received_usd="50", received_cdf="20000").number
    return inv, rc


def test_receipt_prints_the_facture_with_received_and_change(shop, cashier):
    inv, rc = _cash_sale(shop, cashier)
    p = shop.printing.render(rc, format="text")
    check_width(p.text)
    lines = squash(p.text)
    assert (p.kind, p.number) == ("receipt", rc)
    for row in ("FACTURE / CASH RECEIPT", f"No {rc}", f"Invoice No {inv}", "Rate (taux) 2,850.00 CDF/USD",
                "Name Walk-In Customer", "Sale Cash sale", "10 2.50 -2.50 22.50", "NET AMOUNT USD 54.86",
                "PAYABLE CDF 156,400.00", "USD CDF", "Invoice 54.86 156,400.00", "RECEIVED 50.00 20,000.00",
                "Returned 0.00 6,100.00", "BALANCE 0.00 0.00"):
        assert row in lines, row
    pdf = " ".join(pdf_text(shop.printing.render(rc).data).split())
    assert "Received 50.00 20,000.00" in pdf and "Returned 0.00 6,100.00" in pdf and "Subtotal 50.47" in pdf
    # in USD: 50 + 20,000 / 2850 = 57.02 received, 6,100 / 2850 = 2.14 returned
    usd = squash(shop.printing.render(rc, format="text", usd=True).text)
    for row in ("Invoice USD 54.86", "RECEIVED USD 57.02", "Returned USD 2.14", "BALANCE USD 0.00"):
        assert row in usd, row
    # the invoice itself now shows what was paid and the change
    paid = squash(shop.printing.render(inv, format="text").text)
    assert f"PAID ({rc})" in paid and "RECEIVED 50.00 20,000.00" in paid and "Change 0.00 6,100.00" in paid
    printed = shop.printing.print(cashier, rc, format="text")
    assert printed.path.name == f"{rc}.txt" and print_count(shop, rc) == (1, {})
    assert print_count(shop, inv) == (0, {})


def test_refund_shop_entries_exchange_and_close(shop, cashier, manager):
    float_in(shop, cashier, "USD", "200")
    rp = float_in(shop, cashier, "CDF", "100000")
    text = shop.printing.render(rp, format="text").text
    check_width(text)
    lines = squash(text)
    for row in ("CASH RECEIPT VOUCHER", "Particulars 1900 Head office current account", "Cost centre SHOP Shop",
                "AMOUNT CDF 100,000.00", "Amount USD 35.09", "Float from head office"):
        assert any(l.startswith(row) for l in lines), row
    assert squash(shop.printing.render(rp, format="text", usd=True).text).count("AMOUNT USD 35.09") == 1
    pay = shop.cash.post_shop_entry(cashier, kind="payment", particulars="6400", cost_centre="SHOP", currency="CDF",
                                    amount="10000", narration="Cleaning products for the shop floor").number
    assert "CASH PAYMENT VOUCHER" in squash(shop.printing.render(pay, format="text").text)
    # exchange: 300,000 CDF in at 3000 → 100 USD out; valued at 2850: 105.26 − 100.00 = 5.26 USD gain
    ce = shop.cash.post_exchange(cashier, currency="CDF", amount_received="300000", exchange_rate="3000",
                                 amount_given="100").number
    ex = squash(shop.printing.render(ce, format="text").text)
    for row in ("CURRENCY EXCHANGE", "Rate applied 3,000.00 CDF/USD", "System rate 2,850.00 CDF/USD",
                "RECEIVED CDF 300,000.00", "GIVEN USD 100.00", "Gain / loss USD 5.26"):
        assert row in ex, row
    ex_usd = squash(shop.printing.render(ce, format="text", usd=True).text)
    assert "RECEIVED (USD VALUE) 105.26" in ex_usd and not any("300,000" in l for l in ex_usd)
    # refund of a 10 USD return: 28,500 CDF out
    ret = post_test_return(shop, cashier, amount="10.00")
    rf = shop.cash.post_refund(cashier, sales_return=ret, returned_cdf="28500").number
    refund = squash(shop.printing.render(rf, format="text").text)
    for row in ("REFUND", f"Return No {ret}", "Refund due 10.00 28,500.00", "REFUNDED 0.00 28,500.00",
                "Balance 0.00 0.00"):
        assert row in refund, row
    assert "SALES RETURN" in squash(shop.printing.render(ret, format="text").text)
    # close: USD 200 − 100 = 100; CDF 100,000 − 10,000 + 300,000 − 28,500 = 361,500
    denoms = {"USD": {"100": 1}, "CDF": {"20000": 18, "1000": 1, "500": 1}}
    cl = shop.day.close_day(manager, denominations=denoms).number
    with pytest.raises(PermissionDenied, match="Printing a shop close needs a manager"):
        shop.printing.print(cashier, cl)
    p = shop.printing.print(manager, cl, format="text")
    check_width(p.text)
    close = squash(p.text)
    for row in ("SHOP CLOSE SUMMARY", "Opening balance 0.00 0.00", "Receipts (+) 200.00 100,000.00",
                "Payments (-) 0.00 10,000.00", "Exchanged (+) 0.00 300,000.00",
                "Exchanged (-) 100.00 0.00", "Cash returns (-) 0.00 28,500.00", "Sub total 200.00 61,500.00",
                "CLOSING BALANCE 100.00 361,500.00", "PHYSICAL CASH 100.00 361,500.00",
                "DIFFERENCE (+SHORT) 0.00 0.00", "Excess/shortage balanced balanced", "DENOMINATIONS USD", "Note Count Amount", "100.00 1 100.00", "DENOMINATIONS CDF", "20,000.00 18 360,000.00",
                "1,000.00 1 1,000.00", "500.00 1 500.00", "TOTAL 361,500.00", "DIFFERENCE (USD VALUE) 0.00 balanced",
                "Exchange gain / loss USD 5.26"):
        assert row in close, "\n".join(close)
    pdf = " ".join(pdf_text(shop.printing.render(cl).data).split())
    assert "Closing balance 100.00 361,500.00" in pdf and "20,000.00 18 360,000.00" in pdf


def test_every_text_print_fits_48_columns_with_long_names_and_big_amounts(shop, cashier, manager):
    """A 120-character item name and a CDF amount of 17 characters: wrapped / moved, never cut off."""
    long_name = "Amoxicilline + acide clavulanique 875 mg / 125 mg comprimés pelliculés, boîte de 14 (Pharmacie du Fleuve)"
    with shop.db.write() as s:
        loc = s.execute(select(Location).where(Location.code == "AXP")).scalar_one()
        item = Item(code="AMOXCLAV875125", name=long_name, unit="BOX", tax_rate=D("16"), cost_usd=D("1"))
        s.add(item)
        s.flush()
        b = Batch(item_id=item.id, code="LONGBATCH-2026-11-XYZ", expiry=DAY.replace(year=2028), cost_usd=D("1"))
        s.add(b)
        s.flush()
        s.add(StockMove(location_id=loc.id, item_id=item.id, batch_id=b.id, date=DAY, qty=D("99999"),
                        unit_cost_usd=D("1"), kind="receipt"))
    big = shop.sales.post_invoice(cashier, draft([("AMOXCLAV875125", "LONGBATCH-2026-11-XYZ", "99999",
                                                   "9999999.99", "12.5", "0")], customer="CASH", sales_type="cash",
                                                 currency="CDF", flat_discount_type="amount",
                                                 flat_discount_value="0")).number
    inv, rc = _cash_sale(shop, cashier)
    credit = shop.sales.post_invoice(cashier, draft()).number
    numbers = [big, inv, rc, credit, float_in(shop, cashier, "CDF", "100000")]
    numbers.append(shop.cash.post_exchange(cashier, currency="USD", amount_received="10").number)
    texts = []
    for n in numbers:
        for usd in (False, True):
            texts.append(shop.printing.render(n, format="text", usd=usd).text)
    texts.append(shop.printing.render(credit, format="text", kind="delivery").text)
    texts.append(shop.printing.render(big, format="text", kind="delivery").text)
    texts.append(shop.printing.statement(manager, "C0002", write=False, format="text").text)
    for t in texts:
        check_width(t)
    big_text = shop.printing.render(big, format="text").text
    v = shop.sales.document(big)
    # the net does not fit its column: it is printed on a line of its own, whole
    assert len(format(v.totals.net, ",.2f")) > 16
    assert f"{v.lines[0].line_net:,.2f}" in big_text and f"{v.totals.payable:,.2f}" in big_text
    assert "comprimés pelliculés" in big_text.replace("\n", " ")
    # the PDF of the same document has everything too
    pdf = " ".join(pdf_text(shop.printing.render(big).data).split())
    assert f"{v.totals.payable:,.2f}" in pdf and "Impôt" not in pdf  # the cash customer has none


# ---------------------------------------------------------------- orders, provisional invoices, delivery notes, returns, commission


def test_order_and_proforma_print(shop, cashier):
    for kind, title in (("SO", "SALES ORDER"), ("PF", "PROFORMA INVOICE")):
        number = shop.orders.confirm(cashier, draft(doc_type=kind, sales_type=None)).number
        p = shop.printing.render(number, format="text")
        check_width(p.text)
        lines = squash(p.text)
        assert title in lines and "NET AMOUNT USD 54.86" in lines and "TOTAL CDF 156,400.00" in lines
        assert "Impôt No A0987654Z" in lines


def test_provisional_invoice_delivery_note_returns_and_commission(shop, cashier, manager):
    from shopterm.services.sales.commission import CommissionDraft, CommissionLine
    from shopterm.services.sales.returns import DirectReturnDraft, DirectReturnLine, ReturnDraft, ReturnLine
    from shopterm.store.models import Supplier

    with shop.db.write() as s:
        s.add(Supplier(code="SUP01", name="Pharmakina SA"))
    float_in(shop, cashier, "USD", "100")  # commission is paid from the till
    pi = shop.provisional.post(cashier, draft([(i, None, q, p, d, f) for i, _, q, p, d, f in WORKED],
                                              doc_type="PI")).number
    dn = shop.provisional.post_delivery(cashier, shop.provisional.delivery_draft(pi)).number
    inv = shop.sales.post_invoice(cashier, draft(agent_commission=True)).number
    # return 2 of the 10 PARA500: gross 5.00, 10 % 0.50, net 4.50, flat share 1.12 × 2/10 = 0.22,
    # VAT 16 % of 4.28 = 0.68: credit 4.96 USD = 14,136.00 CDF → 14,100 CDF
    sr = shop.returns.post(cashier, ReturnDraft(based_on="invoice", invoice=inv, narration="Damaged boxes",
                                                lines=[ReturnLine("PARA500", "2", "B001")])).number
    # 5 BAND01 at 1.10 (no VAT): 5.50 USD = 15,675.00 CDF → 15,700 CDF
    rd = shop.returns.post_direct(cashier, DirectReturnDraft(
        customer="C0002", address="7 Avenue du Fleuve", narration="Old stock from before the system",
        lines=[DirectReturnLine("BAND01", "D009", "SUP01", "PK-778", "2028-05-31", "5", "1.10", "2026-05-01")])).number
    cp = shop.commission.approve_save(manager, CommissionDraft(
        sales_person="SP02", lines=[CommissionLine(inv, "2.50"), CommissionLine(pi, "1.25")])).number
    expected = {
        pi: ("FACTURE PROVISOIRE", "NET AMOUNT USD 54.86", "PAYABLE CDF 156,400.00", "Impôt No A0987654Z"),
        dn: ("DELIVERY NOTE", f"PSI No {pi}", "PARA500 Batch B002 exp 2027-01-31", "10 BOX", "4 ROLL",
             "TOTAL QTY 17", "Received in good order by (name, date):"),
        sr: ("SALES RETURN", f"Return of Invoice {inv}", "2 2.50 -0.50 4.50", "Flat discount -0.22", "VAT 16% 0.68",
             "NET AMOUNT USD 4.96", "AMOUNT CREDITED USD 4.96", "Net amount CDF 14,136.00", "Round off CDF -36.00",
             "AMOUNT CREDITED CDF 14,100.00", "REASON",
             "Damaged boxes"),
        rd: ("SALES RETURN (DIRECT)", "5 1.10 5.50", "NET AMOUNT USD 5.50", "Round off CDF 25.00",
             "AMOUNT CREDITED CDF 15,700.00", "Old stock from before the system"),
        cp: ("COMMISSION PAYMENT VOUCHER", "Sales person SP02 Marie Kabila", "Approved Yes (manager)",
             f"{inv} 2026-11-23", "C0002 Pharmacie du Fleuve", "54.86 2.50", "54.86 1.25", "TOTAL USD 3.75"),
    }
    for number, rows in expected.items():
        text = shop.printing.render(number, format="text").text
        check_width(text)
        check_width(shop.printing.render(number, format="text", usd=True).text)
        lines = squash(text)
        for row in rows:
            assert row in lines, (number, row, lines)
    rd_text = " ".join(shop.printing.render(rd, format="text").text.split())
    assert "Supplier SUP01 Pharmakina SA" in rd_text and "Supp. batch PK-778" in rd_text
    assert "DELIVERY NOTE" in squash(shop.printing.render(pi, format="text", kind="delivery").text)
    for number, want in ((sr, "Amount credited CDF 14,100.00"), (cp, "Total USD 3.75"), (dn, f"PSI No {pi}")):
        assert want in " ".join(pdf_text(shop.printing.render(number).data).split())
    printed = shop.printing.print(cashier, dn, format="text")
    assert printed.kind == "delivery" and printed.path.name == f"{dn}.txt"  # a DN's own print: no suffix


def test_cancelled_exchange_payment_on_account_and_the_receipts_own_usd_flag(shop, cashier, manager):
    float_in(shop, cashier, "CDF", "500000")
    ce = shop.cash.post_exchange(cashier, currency="USD", amount_received="20").number  # 57,000 CDF out
    shop.cash.cancel_exchange(manager, ce, reason="Customer changed his mind")
    p = shop.printing.render(ce, format="text")
    assert "*** CANCELLED ***" in p.text and "GIVEN CDF 57,000.00" in squash(p.text)
    shop.printing.print(cashier, ce)
    assert "*** CANCELLED / DUPLICATE — RE-PRINT 1 ***" in shop.printing.render(ce, format="text").text
    inv = shop.sales.post_invoice(cashier, draft()).number
    pay = shop.ledger.record_payment(cashier, customer="C0002", amount="28500", currency="CDF", method="cash",
                                     reference="Cheque 0042").number
    lines = squash(shop.printing.render(pay, format="text").text)
    for row in ("RECEIPT", "Method cash", "Reference Cheque 0042", "Name Pharmacie du Fleuve",
                "AMOUNT CDF 28,500.00", "USD value 10.00"):
        assert row in lines, row
    assert "AMOUNT USD 10.00" in squash(shop.printing.render(pay, format="text", usd=True).text)
    cash_inv = shop.sales.post_invoice(cashier, draft(customer="CASH", sales_type="cash", sales_person="SP01")).number
    rc = shop.cash.post_receipt(cashier, invoice=cash_inv, received_usd="60", print_usd=True).number
    p = shop.printing.render(rc, format="text")
    assert p.usd and "RECEIVED USD 60.00" in squash(p.text) and "156,400" not in p.text
    assert inv


# ---------------------------------------------------------------- the print command


def test_print_command_gets_the_text_on_stdin_and_the_pdf_path(shop, cashier, tmp_path):
    number = shop.sales.post_invoice(cashier, draft()).number
    out = tmp_path / "printer" / "paper.txt"
    out.parent.mkdir()
    with shop.db.write() as s:
        s.execute(select(ShopSetup)).scalars().first().print_command = f"cat > {out}"
    p = shop.printing.print(cashier, number, format="text")
    assert out.read_text(encoding="utf-8") == p.text and p.command == f"cat > {out}"
    assert p.path.exists()  # the print folder keeps a copy
    assert p.message() == f"Printed {number} on 'cat > {out}'"
    script = tmp_path / "lp.sh"
    script.write_text('#!/bin/sh\ncp "$1" "$(dirname "$0")/got.pdf"\necho "request id is counter-7 (1 file(s))"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    with shop.db.write() as s:
        s.execute(select(ShopSetup)).scalars().first().print_command = str(script)
    p2 = shop.printing.print(cashier, number)
    assert (tmp_path / "got.pdf").read_bytes() == p2.data == p2.path.read_bytes()
    assert p2.command_output == "request id is counter-7 (1 file(s))"
    assert p2.message() == f"Printed {number} (re-print 1) on '{script}': request id is counter-7 (1 file(s))"
    with shop.db.write() as s:
        s.execute(select(ShopSetup)).scalars().first().print_command = f"cp {{file}} {tmp_path / 'placed.pdf'}"
    p3 = shop.printing.print(cashier, number)
    assert (tmp_path / "placed.pdf").read_bytes() == p3.data
    assert print_count(shop, number) == (3, {})


def test_a_failing_print_command_is_a_clear_error_and_counts_nothing(shop, cashier):
    number = shop.sales.post_invoice(cashier, draft()).number
    for command, message in (
        ("false", "Print command 'false' failed (exit 1): no message"),
        ("sh -c 'echo paper jam >&2; exit 3'", "Print command \"sh -c 'echo paper jam >&2; exit 3'\" failed "
                                                "(exit 3): paper jam"),
        ("no-such-printer-xyz -d counter", "Print command not found: no-such-printer-xyz (check Shop Setup)"),
    ):
        with shop.db.write() as s:
            s.execute(select(ShopSetup)).scalars().first().print_command = command
        with pytest.raises(PrintFailed) as e:
            shop.printing.print(cashier, number, format="text")
        assert e.value.message == message and e.value.field == "print_command"
    assert print_count(shop, number) == (0, {}) and audit_rows(shop, number) == []


# ---------------------------------------------------------------- bad input


def test_bad_input_is_refused_with_its_message(shop, cashier, manager):
    with pytest.raises(NotFound, match="^Document 261101SI000099 not found$"):
        shop.printing.render("261101SI000099")
    with pytest.raises(NotFound, match="^Document 261101SI000099 not found$"):
        shop.printing.print(cashier, "261101SI000099")
    draft_id = shop.sales.save_draft(cashier, draft())
    with pytest.raises(ValidationError, match="^Drafts cannot be printed: save it first$"):
        shop.printing.print(cashier, draft_id)
    with pytest.raises(ValidationError, match="^Document number: give the number to print$"):
        shop.printing.render("  ")
    number = shop.sales.post_invoice(cashier, draft()).number
    with pytest.raises(ValidationError, match=r"^Format: pdf or text \(got 'docx'\)$"):
        shop.printing.render(number, format="docx")
    rp = float_in(shop, cashier, "CDF", "1000")
    with pytest.raises(ValidationError, match=f"^Shop receipt/payment {rp} cannot be printed as a delivery$"):
        shop.printing.render(rp, kind="delivery")
    with pytest.raises(PermissionDenied, match="Printing a customer statement needs a manager"):
        shop.printing.statement(cashier, "C0002")
    with pytest.raises(ValidationError, match="^Customer: give the customer's code$"):
        shop.printing.statement(manager, " ")
    assert print_count(shop, number) == (0, {})


# ---------------------------------------------------------------- the statement


def test_customer_statement_pdf_reuses_the_report_and_text_fits(shop, cashier, manager):
    shop.sales.post_invoice(cashier, draft())
    p = shop.printing.statement(manager, "C0002")
    assert p.path.name == "statement-C0002-2026-11-01-2026-11-23.pdf" and p.path.read_bytes() == p.data
    pdf = " ".join(pdf_text(p.data).split())
    assert "Customer statement" in pdf and "C0002 Pharmacie du Fleuve" in pdf and "54.86" in pdf
    assert "Ageing at 2026-11-23" in pdf
    t = shop.printing.statement(manager, "C0002", format="text", write=False)
    check_width(t.text)
    lines = squash(t.text)
    for row in ("CUSTOMER STATEMENT", "Customer C0002 Pharmacie du Fleuve", "Period 2026-11-01 to 2026-11-23",
                "Opening balance 0.00", "2026-11-23 Sales invoice", "54.86 54.86", "CLOSING BALANCE USD 54.86",
                "0-30 days 54.86", "TOTAL DUE USD 54.86"):
        assert row in lines, row
    with shop.db.read() as s:
        rows = s.execute(select(AuditLog.action, AuditLog.entity).where(AuditLog.summary.like("statement C0002%"))
                         ).all()
    assert rows == [("print", "customer")]


# ---------------------------------------------------------------- the layouts alone


def test_text_layout_wraps_and_never_exceeds_the_width():
    from shopterm.printing.model import Column, Fields, ItemRow, Items, Note, Shop, Signatures, Table, Total, Totals

    shop = Shop("Pharmacie du Fleuve et Grande Droguerie de la Gombe, succursale de Limete", "x" * 130,
                "+243 81 000 0000", "NIF-" + "9" * 40, "RCCM-" + "8" * 40)
    doc = PrintDoc("Un titre très long pour une facture qui ne tient pas sur une ligne", "261101SI000001", shop, (
        Fields((("A label that is much too long for its column", "v" * 100), ("Short", "w " * 40))),
        Items((Column("Qty", 7), Column("Price", 11), Column("Disc", 11), Column("Net", 16)),
              (ItemRow("n" * 150, ("1,000,000.5", "99,999,999.99", "-1.00", "99,999,999,999.99"), "d" * 90),)),
        Table((Column("", 16), Column("USD", 14), Column("CDF", 16)),
              (("A very long label for a table row", "1.00", "2.00"), ("x", "123,456,789,012.00", "1"))),
        Totals((Total("L" * 60, "1" * 60), Total("Payable", "1,234,567,890,123.45", strong=True))),
        Note("word " * 50 + "z" * 70), Signatures(("S" * 60, "Cashier")),
    ), mark="DUPLICATE — RE-PRINT 12", footer="f" * 100)
    text = render_text(doc)
    check_width(text)
    assert "1,234,567,890,123.45" in text and "99,999,999,999.99" in text and "123,456,789,012.00" in text
    assert render_text(doc, 32).count("\n") > text.count("\n")
    check_width_32 = [l for l in render_text(doc, 32).splitlines() if len(l) > 32]
    assert check_width_32 == []
    from shopterm.printing.pdf import render_pdf

    pdf = " ".join(pdf_text(render_pdf(doc)).split())
    assert "Pharmacie du Fleuve" in pdf and "DUPLICATE — RE-PRINT 12" in pdf and "1,234,567,890,123.45" in pdf


# ---------------------------------------------------------------- the screens' helper


def test_print_document_helper_runs_the_service_and_reports_in_the_message_bar(shop, cashier):
    from shopterm.widgets.print_action import print_document

    class FakeScreen:  # what print_document uses of a ShopScreen; run_service runs at once
        def __init__(self):
            self.services, self.actor, self.messages = shop, cashier, []

        def show_ok(self, text):
            self.messages.append(("ok", text))

        def show_error(self, text):
            self.messages.append(("error", text))

        def run_service(self, call, on_done, busy_text=None):
            self.messages.append(("info", busy_text))
            on_done(call())
            return "worker"

    number = shop.sales.post_invoice(cashier, draft()).number
    screen = FakeScreen()
    assert print_document(screen, None) is None
    assert screen.messages == [("error", "Drafts cannot be printed: save it first")]
    screen.messages.clear()
    got = []
    assert print_document(screen, number, on_done=got.append) == "worker"
    assert print_document(screen, number, reprint=True, kind="delivery", format="text") == "worker"
    folder = Path(shop.printing.data_dir()) / "prints" / "AXP"
    assert screen.messages == [
        ("info", f"Printing {number}…"), ("ok", f"Printed {number} to {folder / (number + '.pdf')}"),
        ("info", f"Re-printing {number}…"), ("ok", f"Printed {number} to {folder / (number + '-delivery.txt')}"),
    ]
    assert got[0].copy == 1 and print_count(shop, number) == (1, {"delivery": 1})
