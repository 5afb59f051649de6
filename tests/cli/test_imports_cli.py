"""``shopterm import sales-persons|items|customers|prices|stock FILE.csv`` (DESIGN §11)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from shopterm.cli import make_app
from tests import backend
from tests.cli.conftest import with_pin

DAY = "2026-11-23"
ENV = {"SHOPTERM_DB": None, "SHOPTERM_USER": None, "SHOPTERM_PIN": None, "SHOPTERM_TODAY": DAY}


def run(*args: str, env: dict | None = None):
    runner = CliRunner(env={**ENV, **with_pin(args, env)})
    result = runner.invoke(make_app(list(args)), list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback is a bug: show it
    return result


def _build_shop(url: str) -> None:
    result = run("init", "--db", backend.db_arg(url), "--location-code", "AXP", "--location-name", "Axpert",
                 "--rate", "2850", "--admin-pin", "9999")
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def shop_template(tmp_path_factory) -> str:
    return backend.make_template("imports", tmp_path_factory, _build_shop)


@pytest.fixture
def db(shop_template, tmp_path) -> str:
    return backend.db_arg(backend.clone(shop_template, tmp_path))


def csv_file(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_sales_persons_items_customers_prices_and_stock(db, tmp_path):
    sp = csv_file(tmp_path, "sp.csv", "code,name\nSP01,Jean Mukendi\nSP02,Marie Kabila\n")
    result = run("import", "sales-persons", sp, "--db", db, "--user", "admin")
    assert (result.exit_code, result.stdout) == (0, "imported 2 sales persons (2 new, 0 updated)\n")
    result = run("--db", db, "--user", "admin", "import", "sales-persons", sp)  # global options work too
    assert result.stdout == "imported 2 sales persons (0 new, 2 updated)\n"

    items = csv_file(tmp_path, "items.csv", "code,name,unit,pack_size,tax_rate,cost_usd\n"
                                            "PARA500,Paracetamol 500 mg,BOX,100,16,1.60\n")
    assert run("import", "items", items, "--db", db, "--user", "admin").stdout == "imported 1 item (1 new, 0 updated)\n"

    customers = csv_file(tmp_path, "customers.csv",
                         "code,name,kind,category,group,price_category,credit_limit_usd,credit_days,mobile,email,"
                         "address,sales_person,tax_exempt,free_offer,loyalty_card,locations\n"
                         "C0001,Kinshasa Pharma,credit,WHOLESALE,Fleuve Group,wholesale,5000,30,+243810000001,,,"
                         "SP01,no,no,,AXP\n")
    result = run("import", "customers", customers, "--db", db, "--user", "admin")
    assert (result.exit_code, result.stdout) == (0, "imported 1 customer (1 new, 0 updated)\n")

    prices = csv_file(tmp_path, "prices.csv", "location,item,currency,retail_price,wholesale_price,effective_from\n"
                                              "AXP,PARA500,USD,2.50,2.20,2026-11-01\n")
    assert run("import", "prices", prices, "--db", db, "--user", "admin").stdout == \
        "imported 1 price (1 new, 0 updated)\n"

    stock = csv_file(tmp_path, "stock.csv", "location,item,batch,qty,cost_usd,expiry,supplier,supplier_batch,mfg_date\n"
                                            "AXP,PARA500,B001,500,1.60,2027-06-30,,,\n")
    result = run("import", "stock", stock, "--db", db, "--user", "admin")
    assert (result.exit_code, result.stdout) == (
        0, "imported 1 stock line in 1 stock receipt (261101GR000001)\n")
    again = run("import", "stock", stock, "--db", db, "--user", "admin")
    assert again.exit_code == 1 and "already imported" in again.stdout
    forced = run("import", "stock", stock, "--force", "--db", db, "--user", "admin")
    assert forced.stdout == "imported 1 stock line in 1 stock receipt (261101GR000002)\n"


def test_bad_rows_are_listed_in_a_table_and_exit_1(db, tmp_path):
    path = csv_file(tmp_path, "items.csv", "code,name,unit,pack_size,tax_rate,cost_usd\n"
                                           "GOOD1,Good item,PCS,1,16,1.00\n"
                                           "BAD1,Bad item,PCS,1,16,abc\n"
                                           "BAD2,,PCS,0,16,1\n")
    result = run("import", "items", path, "--db", db, "--user", "admin")
    assert result.exit_code == 1
    out = result.stdout
    assert "items.csv: nothing imported: 2 bad rows in the file" in out
    assert "Row" in out and "Problem" in out
    assert "cost_usd: 'abc' is not a number" in out
    assert "name: a value is required; pack_size: must be greater than zero" in out
    lines = [line for line in out.splitlines() if "│" in line]
    assert any(line.split("│")[1].strip() == "3" for line in lines)  # row numbers (header = row 1)
    assert any(line.split("│")[1].strip() == "4" for line in lines)
    assert max(len(line) for line in out.splitlines()) <= 80
    # nothing imported
    result = run("import", "items", csv_file(tmp_path, "ok.csv", "code,name,unit,pack_size,tax_rate,cost_usd\n"
                                                                 "GOOD1,Good item,PCS,1,16,1.00\n"),
                 "--db", db, "--user", "admin")
    assert result.stdout == "imported 1 item (1 new, 0 updated)\n"


def test_missing_file_unknown_user_and_permissions(db, tmp_path):
    result = run("import", "customers", str(tmp_path / "none.csv"), "--db", db, "--user", "admin")
    assert result.exit_code == 1 and "none.csv not found" in result.stderr
    sp = csv_file(tmp_path, "sp.csv", "code,name\nSP01,Jean\n")
    result = run("import", "sales-persons", sp, "--db", db)
    assert result.exit_code == 1 and "--user NAME" in result.stderr
    result = run("import", "sales-persons", sp, "--db", db, "--user", "ghost", "--pin", "1234")
    assert result.exit_code == 1 and result.stderr == "error: Unknown user or wrong PIN\n"


CUSTOMERS_CSV = (
    "code,name,kind,category,group,price_category,credit_limit_usd,credit_days,mobile,email,"
    "address,sales_person,tax_exempt,free_offer,loyalty_card,locations,language,city,province,country,tax_id,"
    "discount_pct\r\n"
    "C0001,Kinshasa Pharma,credit,WH,Fleuve Group,wholesale,5000.00,30,+243810000001,achats@kinpharma.cd,"
    "\"12, av. du Commerce, Gombe\",SP01,no,yes,,AXP,fr,Kinshasa,Kinshasa,DR Congo,A0987654Z,7.5\r\n"
    "CASH,Walk-In Customer,cash,RE,WALK-IN,retail,0.00,0,,,,,yes,no,,AXP,,,,,,0\r\n")


def test_customers_export_in_the_import_columns_and_re_import(db, tmp_path):
    """The export is the import's own file: same header, one row per customer by code, flags as yes/no,
    locations joined by ';' — so exporting, re-importing and exporting again changes nothing."""
    assert run("import", "sales-persons", csv_file(tmp_path, "sp.csv", "code,name\nSP01,Jean Mukendi\n"),
               "--db", db, "--user", "admin").exit_code == 0
    source = tmp_path / "in.csv"
    source.write_bytes(CUSTOMERS_CSV.encode())
    first = run("import", "customers", str(source), "--db", db, "--user", "admin")
    assert first.stdout == "imported 2 customers (1 new, 1 updated)\n"  # init made the walk-in customer
    # categories named WH/RE were created from the import with those codes: the export names them the same way
    exported = run("export", "customers", "--db", db, "--user", "admin")
    assert exported.exit_code == 0, exported.output
    assert exported.stdout.replace("\r\n", "\n") == CUSTOMERS_CSV.replace("\r\n", "\n")
    out = tmp_path / "out.csv"
    assert run("export", "customers", "--output", str(out), "--db", db, "--user", "admin").exit_code == 0
    again = run("import", "customers", str(out), "--db", db, "--user", "admin")
    assert again.stdout == "imported 2 customers (0 new, 2 updated)\n"
    assert out.read_bytes() == CUSTOMERS_CSV.encode()


def test_customers_export_as_a_workbook_and_its_refusals(db, tmp_path):
    from openpyxl import load_workbook

    assert run("import", "sales-persons", csv_file(tmp_path, "sp.csv", "code,name\nSP01,Jean Mukendi\n"),
               "--db", db, "--user", "admin").exit_code == 0
    source = tmp_path / "in.csv"
    source.write_bytes(CUSTOMERS_CSV.encode())
    assert run("import", "customers", str(source), "--db", db, "--user", "admin").exit_code == 0
    book = tmp_path / "customers.xlsx"
    result = run("export", "customers", "--format", "xlsx", "--output", str(book), "--db", db, "--user", "admin")
    assert (result.exit_code, result.stderr) == (0, f"wrote {book}\n")
    rows = [list(r) for r in load_workbook(book).active.iter_rows(values_only=True)]
    assert rows[0][:3] == ["code", "name", "kind"] and len(rows[0]) == 22 and rows[0][16] == "language"
    assert rows[0][17:] == ["city", "province", "country", "tax_id", "discount_pct"]
    assert rows[1][:2] == ["C0001", "Kinshasa Pharma"] and rows[1][6] == "5000.00" and rows[1][8] == "+243810000001"
    assert rows[1][16:] == ["fr", "Kinshasa", "Kinshasa", "DR Congo", "A0987654Z", "7.5"]
    assert rows[2][0] == "CASH" and rows[2][15] == "AXP"
    # a workbook is not text; an unknown format is named
    result = run("export", "customers", "--format", "xlsx", "--db", db, "--user", "admin")
    assert result.exit_code == 1 and "--format xlsx needs --output FILE" in result.stderr
    result = run("export", "customers", "--format", "pdf", "--db", db, "--user", "admin")
    assert result.exit_code == 1 and "format: one of csv, xlsx, got 'pdf'" in result.stderr


def test_suppliers_import_then_a_stock_file_naming_an_unknown_supplier_names_its_rows(db, tmp_path):
    suppliers = csv_file(tmp_path, "suppliers.csv", "code,name\nPK,Pharmakina\nSHALINA,Shalina Healthcare\n")
    result = run("import", "suppliers", suppliers, "--db", db, "--user", "admin")
    assert (result.exit_code, result.stdout) == (0, "imported 2 suppliers (2 new, 0 updated)\n")
    assert run("import", "suppliers", suppliers, "--db", db, "--user", "admin").stdout == \
        "imported 2 suppliers (0 new, 2 updated)\n"
    bad = csv_file(tmp_path, "bad.csv", "code,name\nPK,\nPK2,Pharmakina 2\nPK2,Again\n")
    result = run("import", "suppliers", bad, "--db", db, "--user", "admin")
    assert result.exit_code == 1
    assert "name: a value is required" in result.stdout and "code PK2 is already on row 3" in result.stdout
    items = csv_file(tmp_path, "items.csv", "code,name,unit,pack_size,tax_rate,cost_usd\n"
                                            "PARA500,Paracetamol 500 mg,BOX,100,16,1.60\n")
    assert run("import", "items", items, "--db", db, "--user", "admin").exit_code == 0
    stock = csv_file(tmp_path, "stock.csv", "location,item,batch,qty,cost_usd,expiry,supplier,supplier_batch,mfg_date\n"
                                            "AXP,PARA500,B001,500,1.60,2027-06-30,PK,PK-1,\n"
                                            "AXP,PARA500,B002,100,1.60,2027-01-31,ZENUFA,Z-9,\n")
    result = run("import", "stock", stock, "--db", db, "--user", "admin")
    assert result.exit_code == 1 and "Supplier ZENUFA not found" in result.stdout
    assert [line.split("│")[1].strip() for line in result.stdout.splitlines()
            if line.startswith("│") and "ZENUFA" in line] == ["3"]


def test_sales_targets_export_from_the_shell(db, tmp_path):
    from shopterm.services import Services
    from shopterm.store.db import normalise_url

    svc = Services.open(normalise_url(db))
    try:
        admin = svc.users.login("admin", "9999")
        svc.masters.save_target(admin, kind="location", financial_year=2026, location="AXP",
                                months=[("1", "10")] * 12)
    finally:
        svc.db.dispose()
    result = run("export", "targets", "--kind", "location", "--year", "2026", "--db", db, "--user", "admin")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 13 and lines[3] == "location,2026,AXP,3,March,1.000,10.00,0.000,0.00,0.00"
    result = run("export", "targets", "--kind", "nobody", "--year", "2026", "--db", db, "--user", "admin")
    assert result.exit_code == 1 and "kind" in result.stderr.lower()


def test_bad_rows_table_reads_french(db, tmp_path):
    from shopterm.core import i18n

    path = csv_file(tmp_path, "items.csv", "code,name,unit,pack_size,tax_rate,cost_usd\n"
                                           "BAD1,Bad item,PCS,1,16,abc\n")
    try:
        result = run("--lang", "fr", "import", "items", path, "--db", db, "--user", "admin")
    finally:
        i18n.set_language("en")
    assert result.exit_code == 1
    heads = next(line for line in result.stdout.splitlines() if "┃" in line and line.strip("┃ ━┏┓┳"))
    assert [h.strip() for h in heads.split("┃")[1:-1]] == ["Ligne", "Problème"], result.stdout
    assert "cost_usd : 'abc' n'est pas un nombre" in result.stdout
