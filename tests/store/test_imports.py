"""CSV import (DESIGN §11): whole file checked first, all rows or none, re-import updates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import func
from sqlmodel import select

from shopterm.services.errors import PermissionDenied, ValidationError
from shopterm.services.masters.imports import COLUMNS, ImportService
from shopterm.store import models as m

from .conftest import DAY

CUSTOMERS_HEADER = ",".join(COLUMNS["customers"])

GOOD_CUSTOMERS = f"""{CUSTOMERS_HEADER}
C0101,Hôpital Saint-Joseph,credit,INSTITUTIONAL,Saint-Joseph Group,wholesale,2500,45,+243 815 111 222,achats@hsj.cd,"Av. Lukusa 4, Gombe",SP01,yes,no,,AXP
C0102,Clinique Ngaliema,credit,WH,Saint-Joseph Group,wholesale,1000.50,30,,,,SP02,no,yes,Standard,AXP
C0103,Mama Kalala,cash,RETAIL,WALK-IN,retail,0,0,0999 000 111,,,,no,no,,AXP
"""


def write(tmp_path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def count(services, model) -> int:
    with services.db.read() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def importer(services):
    return ImportService(services)


# ---------------------------------------------------------------- customers


def test_customers_good_file_then_reimport_updates(services, importer, manager, tmp_path):
    path = write(tmp_path, "customers.csv", GOOD_CUSTOMERS)
    seen = []
    result = importer.run(manager, "customers", path, on_progress=lambda done, total: seen.append((done, total)))
    assert result.ok and (result.total, result.created, result.updated) == (3, 3, 0)
    assert result.summary() == "imported 3 customers (3 new, 0 updated)"
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]
    c = services.masters.get_customer("C0101")
    assert (c.name, c.kind, c.category_name, c.group, c.price_category) == (
        "Hôpital Saint-Joseph", "credit", "INSTITUTIONAL", "Saint-Joseph Group", "wholesale")
    assert (c.credit_limit_usd, c.credit_days, c.mobile, c.email, c.address) == (
        D("2500.00"), 45, "+243 815 111 222", "achats@hsj.cd", "Av. Lukusa 4, Gombe")
    assert (c.sales_person, c.tax_exempt, c.free_offer, c.loyalty_card, c.locations) == (
        "SP01", True, False, None, ("AXP",))
    c2 = services.masters.get_customer("C0102")
    assert (c2.category, c2.credit_limit_usd, c2.loyalty_card, c2.free_offer) == ("WH", D("1000.50"), "Standard", True)
    cash = services.masters.get_customer("C0103")
    assert (cash.kind, cash.location, cash.category, cash.sales_person) == ("cash", "AXP", "RE", None)
    # the category and the group named in the file were created
    assert services.masters.get_category("INSTITUTIONAL").name == "INSTITUTIONAL"
    assert services.masters.get_group("saint-joseph group").name == "Saint-Joseph Group"

    n_customers, n_categories, n_groups = (count(services, m.Customer), count(services, m.CustomerCategory),
                                           count(services, m.CustomerGroup))
    changed = GOOD_CUSTOMERS.replace("2500,45", "3000,60")
    again = importer.run(manager, "customers", write(tmp_path, "again.csv", changed))
    assert again.summary() == "imported 3 customers (0 new, 3 updated)"
    assert (count(services, m.Customer), count(services, m.CustomerCategory), count(services, m.CustomerGroup)) == (
        n_customers, n_categories, n_groups)
    c = services.masters.get_customer("C0101")
    assert (c.credit_limit_usd, c.credit_days) == (D("3000.00"), 60)
    assert [h.action for h in services.masters.history("customer", "C0101")] == ["create", "update"]


def test_customers_bad_file_imports_nothing_and_lists_every_bad_row(services, importer, manager, tmp_path):
    text = f"""{CUSTOMERS_HEADER}
C0101,Good One,credit,WH,Fleuve Group,wholesale,100,30,,,,SP01,no,no,,AXP
C0102,Bad Limit,credit,WH,Fleuve Group,wholesale,abc,30,,,,SP01,no,no,,AXP
C0103,,credit,WH,Fleuve Group,retail,0,x,,bad-email,,SP01,maybe,no,,AXP

C0105,Unknown Person,credit,WH,Fleuve Group,retail,0,0,,,,SP99,no,no,,AXP
C0106,No Location,credit,WH,Fleuve Group,retail,0,0,,,,SP01,no,no,,
C0101,Twice,credit,WH,Fleuve Group,retail,0,0,,,,SP01,no,no,,AXP
C0108,Nowhere,credit,WH,Fleuve Group,vip,0,0,,,,SP01,no,no,,ZZZ
C0109,No Card,credit,WH,New Group,retail,0,0,,,,SP01,no,no,Platinum,AXP
"""
    before = count(services, m.Customer), count(services, m.CustomerGroup), count(services, m.AuditLog)
    result = importer.run(manager, "customers", write(tmp_path, "bad.csv", text))
    assert not result.ok and result.created == result.updated == 0
    assert [str(e) for e in result.errors] == [
        "row 3: credit_limit_usd: 'abc' is not a number",
        "row 4: name: a value is required; credit_days: 'x' is not a whole number; "
        "email: 'bad-email' is not an email address (name@example.com); tax_exempt: 'maybe' is not yes/no",
        "row 6: sales_person: Sales person SP99 not found",
        "row 7: locations: at least one location code is required (separate codes with ;)",
        "row 8: code C0101 is already on row 2",
        "row 9: price_category: one of retail, wholesale ('vip')",
        "row 10: loyalty_card: Loyalty card Platinum not found",
    ]
    assert result.summary() == "nothing imported: 7 bad rows in the file"
    # nothing imported, not even the good row nor the group of row 10
    assert (count(services, m.Customer), count(services, m.CustomerGroup), count(services, m.AuditLog)) == before


def test_database_errors_of_later_rows_are_all_found(services, importer, manager, tmp_path):
    text = f"""{CUSTOMERS_HEADER}
C0101,One,credit,WH,Fleuve Group,retail,0,0,,,,SP01,no,no,,AXP
C0102,Two,credit,WH,Fleuve Group,retail,0,0,,,,SP01,no,no,,ZZZ
C0103,Three,credit,WH,Fleuve Group,retail,0,0,,,,SP01,no,no,,AXP
C0104,Four,cash,WH,Fleuve Group,retail,10,0,,,,,no,no,,AXP
"""
    result = importer.run(manager, "customers", write(tmp_path, "c.csv", text))
    assert [str(e) for e in result.errors] == [
        "row 3: locations: Location ZZZ not found",
        "row 5: credit_limit_usd: A cash customer has no credit limit",
    ]
    with services.db.read() as s:
        assert s.exec(select(m.Customer).where(m.Customer.code.in_(["C0101", "C0103"]))).first() is None


def test_blank_code_takes_the_next_code_and_duplicates_warn(services, importer, manager, tmp_path):
    text = f"""{CUSTOMERS_HEADER}
,Kinshasa Pharma,credit,WH,Fleuve Group,retail,0,0,,,,SP01,no,no,,AXP
,Brand New,credit,WH,Fleuve Group,retail,0,0,,,,SP01,no,no,,AXP
"""
    result = importer.run(manager, "customers", write(tmp_path, "c.csv", text))
    assert result.summary() == "imported 2 customers (2 new, 0 updated)"
    assert result.warnings == (
        "row 2: Kinshasa Pharma looks like C0001 Kinshasa Pharma (same name): imported anyway, please check",)
    assert services.masters.get_customer("C0004").name == "Brand New"


# ---------------------------------------------------------------- file and header problems


@pytest.mark.parametrize("text, reason", [
    ("", "the file is empty: a header row is required (code, name)"),
    ("code,name,colour\nSP09,X,red\n", "unknown column 'colour' (expected: code, name)"),
    ("code\nSP09\n", "missing column name (expected: code, name)"),
    ("code,name,name\nSP09,X,Y\n", "repeated column name (expected: code, name)"),
    ("code,name\n", "the file has a header but no rows"),
])
def test_header_problems(services, importer, manager, tmp_path, text, reason):
    result = importer.run(manager, "sales-persons", write(tmp_path, "sp.csv", text))
    row = 2 if "no rows" in reason else 1
    assert [str(e) for e in result.errors] == [f"row {row}: {reason}"]


def test_not_utf8_and_ragged_rows(services, importer, manager, tmp_path):
    result = importer.run(manager, "sales-persons", write(tmp_path, "sp.csv", "code,name\nSP09,Éric\n", "latin-1"))
    assert [str(e) for e in result.errors] == [
        "row 1: the file is not UTF-8 text (byte 0xc9 at position 15); save it as CSV UTF-8"]
    result = importer.run(manager, "sales-persons", write(tmp_path, "sp2.csv", "code,name\nSP09,Eric,extra\nSP10\n"))
    assert [str(e) for e in result.errors] == ["row 2: has 3 cells, the header has 2",
                                               "row 3: has 1 cells, the header has 2"]


def test_bom_header_spacing_and_file_objects(services, importer, manager, tmp_path):
    import io

    data = "\ufeffCode , Name\r\nsp09,Eric Ilunga\r\n".encode("utf-8")
    result = importer.run(manager, "sales-persons", io.BytesIO(data))
    assert result.summary() == "imported 1 sales person (1 new, 0 updated)"
    assert services.masters.get_sales_person("SP09").name == "Eric Ilunga"
    with pytest.raises(ValidationError, match="unknown import 'vendors'; one of sales-persons, suppliers, items"):
        importer.run(manager, "vendors", data)
    with pytest.raises(ValidationError, match="file .*nope.csv not found"):
        importer.run(manager, "items", tmp_path / "nope.csv")


def test_import_needs_a_manager(services, importer, cashier, tmp_path):
    with pytest.raises(PermissionDenied, match="Importing customers needs a manager"):
        importer.run(cashier, "customers", write(tmp_path, "c.csv", GOOD_CUSTOMERS))


# ---------------------------------------------------------------- sales persons, items, prices


def test_sales_persons_and_items(services, importer, manager, tmp_path):
    r = importer.run(manager, "sales-persons", write(tmp_path, "sp.csv", "code,name\nSP01,Jean M. Mukendi\nSP04,Anne\n"))
    assert r.summary() == "imported 2 sales persons (1 new, 1 updated)"
    sp = services.masters.get_sales_person("SP01")
    assert (sp.name, sp.mobile) == ("Jean M. Mukendi", "+243990000001")  # the mobile is kept

    items = ("code,name,unit,pack_size,tax_rate,cost_usd\n"
             "PARA500,Paracetamol 500 mg (box 100),BOX,100,16,1.65\n"
             "ORS01,Oral rehydration salts,SACHET,,,0.12\n")
    r = importer.run(manager, "items", write(tmp_path, "items.csv", items))
    assert r.summary() == "imported 2 items (1 new, 1 updated)"
    ors = services.masters.get_item("ORS01")
    assert (ors.unit, ors.pack_size, ors.tax_rate, ors.cost_usd) == ("SACHET", D("1.000"), D("16.0000"), D("0.12"))
    assert services.masters.get_item("PARA500").cost_usd == D("1.65")
    bad = ("code,name,unit,pack_size,tax_rate,cost_usd\n"
           "X1,Bad pack,PCS,0,16,1\nX2,Bad tax,PCS,1,160,1\nX3,Bad cost,PCS,1,16,1.234\n")
    r = importer.run(manager, "items", write(tmp_path, "bad.csv", bad))
    assert [str(e) for e in r.errors] == [
        "row 2: pack_size: must be greater than zero (0.000)",
        "row 3: tax_rate: a percentage must be between 0 and 100 (160)",
        "row 4: cost_usd: at most 2 decimal places (1.234)",
    ]


def test_prices_keyed_by_location_item_currency_date(services, importer, manager, tmp_path):
    text = ("location,item,currency,retail_price,wholesale_price,effective_from\n"
            "AXP,PARA500,USD,2.60,2.30,2026-12-01\n"
            "AXP,AMOX250,CDF,23000,20500,\n")
    r = importer.run(manager, "prices", write(tmp_path, "p.csv", text))
    assert r.summary() == "imported 2 prices (2 new, 0 updated)"
    masters = services.masters
    assert masters.current_price(location="AXP", item="AMOX250", currency="CDF") == D("23000.00")  # today
    assert masters.current_price(location="AXP", item="PARA500", currency="USD") == D("2.50")  # scheduled
    assert masters.current_price(location="AXP", item="PARA500", currency="USD", on=dt.date(2026, 12, 1)) == D("2.60")
    n = count(services, m.Price)
    r = importer.run(manager, "prices", write(tmp_path, "p2.csv", text.replace("2.60", "2.65")))
    assert r.summary() == "imported 2 prices (0 new, 2 updated)"
    assert count(services, m.Price) == n
    assert masters.current_price(location="AXP", item="PARA500", currency="USD", on=dt.date(2026, 12, 1)) == D("2.65")
    bad = ("location,item,currency,retail_price,wholesale_price,effective_from\n"
           "AXP,PARA500,EUR,1,1,2026-12-01\nAXP,NOPE,USD,1,1,2026-12-01\nAXP,PARA500,USD,0,1,01/12/2026\n"
           "AXP,AMOX250,USD,9,8,2026-12-01\naxp,amox250,usd,9,8,2026-12-01\n")
    r = importer.run(manager, "prices", write(tmp_path, "bad.csv", bad))
    assert [str(e) for e in r.errors] == [
        "row 2: currency: 'EUR' is not USD or CDF",
        "row 3: item: Item NOPE not found",
        "row 4: retail_price: must be greater than zero (0.00); "
        "effective_from: '01/12/2026' is not a date (YYYY-MM-DD)",
        "row 6: the price of AMOX250 at AXP in USD from 2026-12-01 is already on row 5",
    ]
    assert count(services, m.Price) == n


# ---------------------------------------------------------------- stock


STOCK = ("location,item,batch,qty,cost_usd,expiry,supplier,supplier_batch,mfg_date\n"
         "AXP,PARA500,B003,200,1.70,2027-09-30,PK,PK-778,2025-09-01\n"
         "AXP,BAND01,D002,50,0.72,2030-01-31,PK,,\n"
         "AXP,PARA500,B001,20,1.60,,,,\n")


def test_stock_import_posts_receipts(services, importer, manager, tmp_path):
    services.masters.create_supplier(manager, code="PK", name="Pharmakina")
    path = write(tmp_path, "stock.csv", STOCK)
    r = importer.run(manager, "stock", path)
    assert r.ok and r.documents == ("261101GR000001", "261101GR000002")  # one receipt per supplier
    assert r.summary() == ("imported 3 stock lines in 2 stock receipts (261101GR000001, 261101GR000002)")
    batches = {b.code: b for b in services.masters.batches("PARA500")}
    assert (batches["B003"].stock, batches["B003"].expiry, batches["B003"].supplier,
            batches["B003"].supplier_batch_no) == (D("200.000"), dt.date(2027, 9, 30), "PK", "PK-778")
    assert batches["B001"].stock == D("520.000")
    assert services.masters.get_item("PARA500").cost_usd == D("1.60")  # the last line received
    with services.db.read() as s:
        grs = s.exec(select(m.Document).where(m.Document.doc_type == "GR").order_by(m.Document.id)).all()
        assert [(g.doc_date, g.net_usd) for g in grs] == [(DAY, D("376.00")), (DAY, D("32.00"))]  # 340+36, 32
    # the same file again is refused (stock is not keyed)
    again = importer.run(manager, "stock", path)
    assert not again.ok and len(again.errors) == 1
    assert str(again.errors[0]).startswith("row 1: this file was already imported on 2026-")
    assert "by manager (261101GR000001, 261101GR000002): nothing imported" in str(again.errors[0])
    assert importer.run(manager, "stock", path, force=True).documents == ("261101GR000003", "261101GR000004")


def test_bad_stock_file_posts_nothing(services, importer, manager, tmp_path):
    text = ("location,item,batch,qty,cost_usd,expiry,supplier,supplier_batch,mfg_date\n"
            "AXP,PARA500,B003,200,1.70,2027-09-30,,,\n"
            "AXP,PARA500,B001,10,1.60,2028-01-01,,,\n"
            "AXP,NOPE,X1,1,1,,,,\n"
            "AXP,BAND01,D003,0,0.70,,,,\n"
            "AXP,BAND01,D004,5,0.70,2029-01-01,ZZ,,2030-01-01\n"
            "AXP,PARA500,B003,5,1.70,2027-10-31,,,\n")
    r = importer.run(manager, "stock", write(tmp_path, "stock.csv", text))
    assert [str(e) for e in r.errors] == [
        "row 3: expiry: batch B001 of PARA500 has expiry 2027-06-30, not 2028-01-01",
        "row 4: item: Item NOPE not found",
        "row 5: qty: must be greater than zero (0.000)",
        "row 6: mfg_date: the manufacturing date is after the expiry date",
        "row 7: expiry: batch B003 of PARA500 has another expiry on row 2",
    ]
    text = text.replace("AXP,BAND01,D003,0,", "AXP,BAND01,D003,1,").replace(",2030-01-01\n", ",\n")
    r = importer.run(manager, "stock", write(tmp_path, "stock2.csv", text))
    assert [e.row for e in r.errors] == [3, 4, 6, 7]
    assert str(r.errors[2]) == "row 6: supplier: Supplier ZZ not found"
    with services.db.read() as s:
        assert s.exec(select(m.Document).where(m.Document.doc_type == "GR")).first() is None
        assert s.exec(select(m.Batch).where(m.Batch.code == "B003")).first() is None


def test_stock_of_an_inactive_item_is_refused(services, importer, manager, tmp_path):
    services.masters.create_item(manager, code="OLD", name="Old item")
    services.masters.deactivate(manager, "item", "OLD")
    text = ("location,item,batch,qty,cost_usd,expiry,supplier,supplier_batch,mfg_date\n"
            "AXP,PARA500,B009,1,1.60,,,,\n"
            "AXP,OLD,O1,1,1,,,,\n")
    r = importer.run(manager, "stock", write(tmp_path, "s.csv", text))
    assert [str(e) for e in r.errors] == ["row 3: item: Item OLD is inactive"]


def test_a_stock_file_naming_an_unknown_supplier_names_every_row_and_posts_nothing(services, importer, manager,
                                                                                   tmp_path):
    services.masters.create_supplier(manager, code="PK", name="Pharmakina")
    text = ("location,item,batch,qty,cost_usd,expiry,supplier,supplier_batch,mfg_date\n"
            "AXP,PARA500,B003,200,1.70,2027-09-30,PK,PK-1,\n"
            "AXP,PARA500,B004,10,1.70,2027-09-30,ZENUFA,Z-1,\n"
            "AXP,BAND01,D003,5,0.70,,pk,,\n"
            "AXP,BAND01,D004,5,0.70,,ZENUFA,Z-2,\n")
    r = importer.run(manager, "stock", write(tmp_path, "stock.csv", text))
    assert [str(e) for e in r.errors] == ["row 3: supplier: Supplier ZENUFA not found",
                                          "row 5: supplier: Supplier ZENUFA not found"]
    with services.db.read() as s:
        assert s.exec(select(m.Document).where(m.Document.doc_type == "GR")).first() is None
