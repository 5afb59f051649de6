"""``shopterm day summary|open|close`` and the headless shop-day and till documents
(shop_open, shop_receipt, shop_payment, currency_exchange, sales_receipt, shop_close)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from shopterm.cli import make_app
from tests.cli.conftest import with_pin

DAY = "2026-11-23"
ENV = {"SHOPTERM_DB": None, "SHOPTERM_USER": None, "SHOPTERM_PIN": None, "SHOPTERM_TODAY": DAY}


def run(*args: str, input: str | None = None):
    runner = CliRunner(env={**ENV, **with_pin(args)})
    result = runner.invoke(make_app(list(args)), list(args), input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def post(db: str, user: str, docs) -> tuple[int, object]:
    result = run("post", "-", "--db", db, "--user", user, input=json.dumps(docs))
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def shop(tmp_path) -> str:
    import datetime as dt

    from shopterm.services import Services
    from tests.store.conftest import seed_demo_like

    from tests import backend

    url = backend.new_url(tmp_path)
    services = Services.open(url, today=dt.date(2026, 11, 23))
    seed_demo_like(services)
    services.db.dispose()
    return backend.db_arg(url)


DAY_DOCS = [
    {"type": "shop_open", "location": "AXP", "date": DAY},
    {"type": "shop_receipt", "location": "AXP", "date": DAY, "particulars": "1900", "cost_centre": "SHOP",
     "currency": "USD", "rate": "2850", "amount": "100", "narration": "Float from head office"},
    {"type": "shop_receipt", "location": "AXP", "date": DAY, "particulars": "1900", "cost_centre": "SHOP",
     "currency": "CDF", "rate": "2850", "amount": "300000", "narration": "Float from head office"},
    {"type": "currency_exchange", "location": "AXP", "date": DAY, "currency": "CDF", "amount_received": "300000",
     "exchange_rate": "3000", "amount_given": "100"},
    {"type": "shop_payment", "location": "AXP", "date": DAY, "particulars": "6400", "cost_centre": "SHOP",
     "currency": "CDF", "amount": "20000", "narration": "Cleaning"},
]


def test_a_day_through_post_then_summary_and_close(shop):
    code, out = post(shop, "cashier", DAY_DOCS)
    assert code == 0, out
    assert [(d["type"], d["number"]) for d in out] == [
        ("shop_open", "261101OP000001"), ("shop_receipt", "261101RP000001"), ("shop_receipt", "261101RP000002"),
        ("currency_exchange", "261101CE000001"), ("shop_payment", "261101RP000003")]
    assert out[3]["totals"] == {"amount_received": "300000.00", "currency_received": "CDF", "amount_given": "100.00",
                                "currency_given": "USD", "system_rate": "2850.000000", "gain_usd": "5.26",
                                "gain_cdf": "15000.00"}
    assert out[4]["totals"] == {"amount": "20000.00", "currency": "CDF", "amount_usd": "7.02",
                                "amount_cdf": "20000.00"}

    result = run("day", "summary", "--db", shop, "--location", "AXP", "--date", DAY, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "open" and data["counted"] is False
    assert data["details"]["USD"] == {
        "opening": "0.00", "cash_sales": "0.00", "cash_returns": "0.00", "receipts": "100.00", "payments": "0.00",
        "sub_total": "100.00", "exchanged_in": "0.00", "exchanged_out": "100.00", "other_transfers": "0.00",
        "closing": "0.00", "physical": "0.00", "difference": "0.00", "excess_shortage": "0.00"}
    cdf = data["details"]["CDF"]
    assert (cdf["receipts"], cdf["payments"], cdf["exchanged_in"], cdf["closing"]) == (
        "300000.00", "20000.00", "300000.00", "580000.00")
    assert data["exchange_gain_usd"] == "5.26"

    # a shortage of 20,000 CDF is above the 10,000 allowed; this shop wants a PIN even from a manager
    from shopterm.services import Services
    from tests.store.conftest import ask_pin_always

    services = Services.open(shop, upgrade=False)
    ask_pin_always(services)
    services.db.dispose()
    close = {"type": "shop_close", "location": "AXP", "date": DAY, "physical_usd": "0", "physical_cdf": "560000"}
    code, err = post(shop, "manager", [close])
    assert code == 1
    assert err["error"] == ("Cash shortage of 20,000.00 CDF is above the maximum allowed of 10,000.00 CDF: "
                            "a manager's approval is needed")
    assert (err["code"], err["field"]) == ("shortage", "approver")
    code, out = post(shop, "manager", [{**close, "approver": "manager", "approver_pin": "2222"}])
    assert code == 0, out
    assert out[0]["number"] == "261101CL000001"
    assert out[0]["totals"] == {"physical_usd": "0.00", "physical_cdf": "560000.00", "closing_usd": "0.00",
                                "closing_cdf": "580000.00", "difference_usd": "0.00", "difference_cdf": "20000.00",
                                "rate": "2850.000000", "cash_ledger_usd": "1100", "cash_ledger_cdf": "1110"}

    result = run("day", "summary", "--db", shop, "--date", DAY)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.splitlines()[0] == "Shop day AXP 2026-11-23: closed (261101CL000001)"
    lines = text.splitlines()
    assert f"{'':<26}{'USD':>22}{'CDF':>22}" in lines
    assert f"{'Closing balance':<26}{'0.00':>22}{'580,000.00':>22}" in lines
    assert f"{'Physical cash':<26}{'0.00':>22}{'560,000.00':>22}" in lines
    assert f"{'Difference (+ short)':<26}{'0.00':>22}{'20,000.00':>22}" in lines
    # the same difference in words: 580,000 expected − 560,000 counted = 20,000 CDF short
    assert f"{'Cash excess/shortage':<26}{'0.00 balanced':>22}{'20,000.00 short':>22}" in lines
    assert f"{'Exchange gain/loss (USD)':<26}{'5.26':>22}" in lines
    assert f"  RP  {'Shop receipt/payment':<24}{3:>6}{'212.28':>16} USD" in lines  # 100 + 105.26 (+ 7.02)
    assert f"  6900  {'Cash shortage/excess':<26}{'20,000.00':>16} CDF{'7.02':>14} USD" in lines
    assert max(len(line) for line in text.splitlines()) <= 80


def test_day_open_and_close_commands(shop):
    result = run("day", "open", "--db", shop, "--user", "cashier", "--remarks", "Morning")
    assert (result.exit_code, result.stdout) == (0, "Shop open: 261101OP000001\n")
    result = run("day", "open", "--db", shop, "--user", "cashier")
    assert (result.exit_code, result.stderr) == (1, "error: The shop AXP is already open for 2026-11-23\n")
    result = run("day", "close", "--db", shop, "--user", "cashier", "--physical-usd", "0", "--physical-cdf", "0")
    assert (result.exit_code, result.stderr) == (1, "error: Shop Close needs a manager; cashier is a cashier\n")
    result = run("day", "close", "--db", shop, "--user", "manager", "--physical-usd", "0", "--physical-cdf", "0")
    assert (result.exit_code, result.stdout) == (0, "Shop closed: 261101CL000001\n")


def test_summary_bad_options(shop):
    result = run("day", "summary", "--db", shop, "--format", "xml")
    assert result.exit_code == 1
    assert result.stderr == "error: --format must be one of table, json, got 'xml'\n"
    result = run("day", "summary", "--db", shop, "--date", "23/11/2026", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"error": "--date must be a date YYYY-MM-DD, got '23/11/2026'",
                                         "field": "date", "code": "invalid",
                                         "message_id": "--date must be a date YYYY-MM-DD, got {value!r}"}
    result = run("day", "summary", "--db", shop, "--location", "KIN")
    assert (result.exit_code, result.stderr) == (1, "error: Location KIN not found\n")
    result = run("day", "summary", "--db", shop)
    assert result.exit_code == 0 and "Shop day AXP 2026-11-23: not open" in result.stdout


def test_headless_receipt_and_refusals(shop):
    code, out = post(shop, "cashier", [
        {"type": "shop_open", "date": DAY},
        {"type": "sales_invoice", "location": "AXP", "date": DAY, "customer": "CASH", "sales_type": "cash",
         "currency": "USD", "rate": "2850", "sales_person": "SP01",
         "flat_discount": {"type": "percent", "value": "5"},
         "lines": [{"item": "PARA500", "batch": "B001", "qty": "10", "price": "2.50", "discount_pct": "10"},
                   {"item": "AMOX250", "qty": "3", "price": "7.99", "flat_discount": "1.00"},
                   {"item": "BAND01", "qty": "4", "price": "1.25"}]},
    ])
    assert code == 0, out
    invoice = out[1]["number"]
    code, out = post(shop, "cashier", [{"type": "sales_receipt", "invoice": invoice, "rate": "2850",
                                        "received_usd": "50", "received_cdf": "20000"}])
    assert code == 0, out
    assert out[0]["number"] == "261101RC000001"
    assert out[0]["totals"] == {"received_usd": "50.00", "received_cdf": "20000.00", "returned_usd": "0.00",
                                "returned_cdf": "6100.00", "balance_usd": "0.00", "balance_cdf": "0.00",
                                "settled_amount": "54.86", "exchange_diff_usd": "0.00", "round_off_usd": "0.02"}

    code, err = post(shop, "cashier", [{"type": "sales_receipt", "invoice": invoice, "received_usd": "1"}])
    assert (code, err["error"]) == (1, f"Invoice {invoice} is already fully paid")
    code, err = post(shop, "cashier", [{"type": "sales_receipt", "invoice": invoice, "received_usd": 50}])
    assert code == 1 and "'received_usd' must be a string" in err["error"]
    code, err = post(shop, "cashier", [{"type": "sales_receipt", "received_usd": "1"}])
    assert err["error"] == "sales_receipt: give either 'invoice' (a receipt) or 'return' (a refund)"
    code, err = post(shop, "cashier", [{"type": "shop_payment", "particulars": "6400", "cost_centre": "SHOP",
                                        "currency": "CDF", "amount": "100000", "narration": "Rent"}])
    assert err["error"] == "Not enough CDF in the till: 13,900.00 held, 100,000.00 asked"
    assert err["code"] == "insufficient_cash"
    code, err = post(shop, "cashier", [{"type": "shop_receipt", "particulars": "1900", "cost_centre": "SHOP",
                                        "currency": "USD", "amount": "1", "narration": "x", "naration": "typo"}])
    assert err["error"] == "unknown field 'naration' in shop_receipt"
    code, err = post(shop, "manager", [{"type": "shop_close", "physical_usd": "50",
                                        "denominations": {"CDF": {"5000": 2, "1000": "3", "500": 1, "100": 4}}}])
    assert code == 0, err  # 10,000 + 3,000 + 500 + 400 = 13,900: exact


@pytest.fixture
def english_after():
    yield
    from shopterm.core import i18n

    i18n.set_language("en")


def test_day_summary_table_reads_in_french_and_its_json_stays_neutral(shop, english_after):
    """The same closed day as above, counted right (0 USD, 580,000 CDF): the table's labels are French and
    its figures French-shaped (U+00A0 groups thousands, comma decimals); the JSON does not change."""
    from shopterm.core import i18n
    from shopterm.core.doctypes import doc_type_name

    nb = "\u00a0"
    code, out = post(shop, "cashier", DAY_DOCS)
    assert code == 0, out
    result = run("day", "close", "--db", shop, "--user", "manager", "--physical-usd", "0", "--physical-cdf", "580000")
    assert (result.exit_code, result.stdout) == (0, "Shop closed: 261101CL000001\n")
    english = run("day", "summary", "--db", shop, "--date", DAY, "--format", "json").stdout
    assert run("--lang", "fr", "day", "summary", "--db", shop, "--date", DAY, "--format", "json").stdout == english

    result = run("--lang", "fr", "day", "summary", "--db", shop, "--date", DAY)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Journée AXP du 23/11/2026 : clôturé (261101CL000001)"
    assert lines[1] == "Taux 2850 CDF par USD ; caisses 1100 (USD), 1110 (CDF)"
    assert f"{'Solde de clôture':<26}{'0,00':>22}{'580' + nb + '000,00':>22}" in lines
    assert f"{'Caisse physique':<26}{'0,00':>22}{'580' + nb + '000,00':>22}" in lines
    assert f"{'Écart (+ manquant)':<26}{'0,00':>22}{'0,00':>22}" in lines
    assert f"{'Gain/perte change (USD)':<26}{'5,26':>22}" in lines  # 300,000 / 2,850 - 100
    i18n.set_language("fr")
    assert f"  RP  {doc_type_name('RP'):<24}{3:>6}{'212,28':>16} USD" in lines  # 100 + 105.26 + 7.02
    assert "Documents" in lines and "Shop" not in result.stdout and "balance" not in result.stdout
    assert max(len(line) for line in lines) <= 80
