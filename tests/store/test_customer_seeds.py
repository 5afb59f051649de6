"""Issue 16, customers: the address (city, province, country from Shop Setup, tax ID) on the
master, in the CSV and on prints; the customer's default line discount % on new lines.

Figures by hand (C0002 Pharmacie du Fleuve, wholesale, USD, rate 2850):
- 10 PARA500 at 2.20 with the customer's 12.5 % default: gross 22.00, discount 2.75, net 19.25,
  VAT 16 % 3.08 → 22.33 USD.
- the same line with Disc % typed "0": 22.00 + VAT 3.52 = 25.52 USD.
"""

from __future__ import annotations

import io
from decimal import Decimal as D

import pypdf
import pytest

from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import ValidationError
from shopterm.services.masters.imports import COLUMNS, OPTIONAL_COLUMNS, ImportService

from .conftest import DAY, actor


def squash(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def pdf_words(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).split())


def setup_country(s, country="DR Congo"):
    admin = actor(s, "admin")
    st = s.masters.get_shop_setup("AXP")
    s.masters.save_shop_setup(admin, "AXP", cash_customer=st.cash_customer, default_country=country)


def test_address_fields_and_the_country_from_shop_setup(services, manager):
    s = services
    setup_country(s)
    assert s.masters.get_shop_setup("AXP").default_country == "DR Congo"
    c = s.masters.create_customer(manager, name="Pharmacie Limete", category="WH", group="Fleuve Group",
                                  sales_person="SP01", locations=["AXP"], address="7 avenue Kabambare",
                                  city="Limete", province="Kinshasa", impot_no="A1112223B", discount_pct="12.5")
    assert (c.city, c.province, c.country, c.impot_no, c.discount_pct) == (
        "Limete", "Kinshasa", "DR Congo", "A1112223B", D("12.5000"))
    typed = s.masters.create_customer(manager, name="Pharmacie Goma", category="WH", group="Fleuve Group",
                                      sales_person="SP01", locations=["AXP"], city="Goma", country="Rwanda")
    assert typed.country == "Rwanda"  # typed wins over the default
    # an update keeps the country it has, even when Shop Setup's changes
    setup_country(s, "Congo")
    assert s.masters.update_customer(manager, c.code, city="Gombe").country == "DR Congo"
    with pytest.raises(ValidationError) as e:
        s.masters.update_customer(manager, c.code, discount_pct="101")
    assert e.value.field == "discount_pct"
    with pytest.raises(ValidationError) as e:
        s.masters.update_customer(manager, c.code, city="x" * 81)
    assert e.value.field == "city"


def test_csv_export_has_the_address_columns_and_reimports_unchanged(services, manager, tmp_path):
    s = services
    s.masters.update_customer(manager, "C0002", address="4 boulevard du 30 Juin", city="Gombe", province="Kinshasa",
                              country="DR Congo", impot_no="A0987654Z", discount_pct="7.5")
    data = ImportService(s).export(manager, "customers", "csv")
    header, *rows = data.decode("utf-8-sig").splitlines()
    assert header.split(",") == [*COLUMNS["customers"], *OPTIONAL_COLUMNS["customers"]]
    assert header.endswith("city,province,country,tax_id,discount_pct")
    c2 = next(r for r in rows if r.startswith("C0002,"))
    assert c2.endswith(",Gombe,Kinshasa,DR Congo,A0987654Z,7.5")
    path = tmp_path / "customers.csv"
    path.write_bytes(data)
    before = s.masters.get_customer("C0002")
    result = ImportService(s).run(manager, "customers", path)
    assert result.ok, result.errors
    after = s.masters.get_customer("C0002")
    assert (after.city, after.province, after.country, after.impot_no, after.discount_pct) == (
        before.city, before.province, before.country, before.impot_no, D("7.5000"))
    # a row with a bad discount names the column and imports nothing
    path.write_text(header + "\n" + c2[: c2.rindex(",")] + ",150\n", encoding="utf-8")
    bad = ImportService(s).run(manager, "customers", path)
    assert not bad.ok and "discount_pct" in str(bad.errors[0])
    assert s.masters.get_customer("C0002").discount_pct == D("7.5000")


def test_prints_carry_the_city_province_country_and_tax_id(open_shop, cashier, manager):
    s = open_shop
    s.masters.update_customer(manager, "C0002", address="4 boulevard du 30 Juin", city="Gombe", province="Kinshasa",
                              country="DR Congo", impot_no="A0987654Z")
    number = s.sales.post_invoice(cashier, DocumentDraft(location="AXP", date=DAY, customer="C0002",
                                                         sales_type="credit", sales_person="SP02",
                                                         lines=[DraftLine("PARA500", "B001", "10")])).number
    text = squash(s.printing.render(number, format="text").text)
    at = text.index("Address 4 boulevard du 30 Juin, Gombe,")
    assert text[at + 1] == "Kinshasa, DR Congo"  # 48 columns: wrapped
    assert "Impôt No A0987654Z" in text
    pdf = pdf_words(s.printing.render(number).data)
    assert "4 boulevard du 30 Juin, Gombe, Kinshasa, DR Congo" in pdf and "A0987654Z" in pdf
    st = s.printing.statement(manager, "C0002", DAY, DAY, write=False)
    pdf = pdf_words(st.data)
    assert "4 boulevard du 30 Juin, Gombe, Kinshasa, DR Congo" in pdf


def test_the_customers_default_discount_fills_new_lines(open_shop, cashier, manager):
    s = open_shop
    s.masters.update_customer(manager, "C0002", discount_pct="12.5")
    assert s.sales.line_defaults("PARA500", "AXP", customer_code="C0002").discount_pct == D("12.5000")
    assert s.sales.line_defaults("PARA500", "AXP", customer_code="C0001").discount_pct == D("0")

    def post(disc=None, doc="SI"):
        line = DraftLine("PARA500", "B001", "10") if disc is None else DraftLine("PARA500", "B001", "10",
                                                                                 discount_pct=disc)
        d = DocumentDraft(location="AXP", date=DAY, customer="C0002", sales_type="credit", sales_person="SP02",
                          lines=[line])
        return s.sales.post_invoice(cashier, d)

    r = post()
    v = s.sales.document(r.number)
    assert (v.lines[0].discount_pct, v.lines[0].discount_amount, v.totals.net) == (D("12.5000"), D("2.75"),
                                                                                   D("22.33"))
    r = post("0")  # typed: the default is only a default
    assert s.sales.document(r.number).totals.net == D("25.52")
    # the order and the provisional invoice take it too
    od = DocumentDraft(location="AXP", date=DAY, customer="C0002", sales_person="SP02", doc_type="SO",
                       lines=[DraftLine("PARA500", "B001", "10")])
    assert s.orders.preview(od).lines[0].discount_pct == D("12.5000")
    pd = DocumentDraft(location="AXP", date=DAY, customer="C0002", sales_type="credit", sales_person="SP02",
                       doc_type="PI", lines=[DraftLine("PARA500", "B001", "10")])
    assert s.provisional.preview(pd).totals.net == D("22.33")


# ---------------------------------------------------------------- Contact No (seed: required on SO/PF, SI, PI)


def test_contact_no_defaults_to_the_mobile_and_is_required(open_shop, cashier, manager, admin):
    s = open_shop
    line = [DraftLine("BAND01", "D001", "2")]
    # the customer's mobile
    r = s.sales.post_invoice(cashier, DocumentDraft(location="AXP", date=DAY, customer="C0002", sales_type="credit",
                                                    sales_person="SP02", lines=line))
    assert s.sales.document(r.number).contact_no == "+243810000002"
    # the walk-in customer has no mobile: the shop's phone (Location master), so a counter sale types nothing
    assert s.sales.customer_info("CASH", "AXP").contact == "+243810000000"
    r = s.sales.post_invoice(cashier, DocumentDraft(location="AXP", date=DAY, customer="CASH", sales_type="cash",
                                                    sales_person="SP01", lines=line))
    assert s.sales.document(r.number).contact_no == "+243810000000"
    # a shop without a phone (`shopterm init` without --phone): the walk-in's cash sale, order and
    # provisional invoice go through with no Contact No (nobody has a number to type)
    s.masters.update_location(admin, "AXP", phone="")
    assert s.sales.customer_info("CASH", "AXP").contact == ""
    r = s.sales.post_invoice(cashier, DocumentDraft(location="AXP", date=DAY, customer="CASH", sales_type="cash",
                                                    sales_person="SP01", lines=line))
    assert (s.sales.document(r.number).contact_no, s.sales.document(r.number).totals.net) == ("", D("2.50"))
    for doc_type, svc in (("SO", s.orders.confirm), ("PI", s.provisional.post)):
        d = DocumentDraft(location="AXP", date=DAY, customer="CASH", sales_type="cash", sales_person="SP01",
                          doc_type=doc_type, lines=line)
        assert not [w for w in s.sales.preview(d).warnings if "Contact No" in w], doc_type
        assert s.sales.document(svc(cashier, d).number).contact_no == "", doc_type
    # a credit customer without a mobile: refused on the invoice, the order and the provisional invoice
    s.masters.update_customer(manager, "C0002", mobile="")
    for doc_type, svc in (("SI", s.sales.post_invoice), ("SO", s.orders.confirm), ("PI", s.provisional.post)):
        d = DocumentDraft(location="AXP", date=DAY, customer="C0002", sales_type="credit", sales_person="SP02",
                          doc_type=doc_type, lines=line)
        with pytest.raises(ValidationError) as e:
            svc(cashier, d)
        assert (e.value.message, e.value.field) == (
            "Contact No is required: type the customer's number (C0002 has no mobile)", "contact_no"), doc_type
    # the preview warns instead of refusing, and a typed number posts
    d = DocumentDraft(location="AXP", date=DAY, customer="C0002", sales_type="credit", sales_person="SP02",
                      lines=line)
    assert any("Contact No is required" in w for w in s.sales.preview(d).warnings)
    d.contact_no = "+243 99 123 4567"
    assert s.sales.document(s.sales.post_invoice(cashier, d).number).contact_no == "+243 99 123 4567"
