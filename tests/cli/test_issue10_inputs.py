"""``shopterm post`` and the input rules of issue 10 (helper A's part).

Each test posts JSON through :func:`post_text` — exactly what ``shopterm post``
runs — on the demo-like shop of tests/store/conftest.py (AXP day 2026-11-23
open, system rate 2850, PARA500 retail 2.50 / cost 1.60, unit BOX).
"""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from shopterm.services.headless import post_text
from shopterm.store import models as m
from tests import backend
from tests.store.conftest import _copy_services, _template, actor, open_day


@pytest.fixture
def shop(tmp_path_factory, tmp_path):
    svc = _copy_services(_template(tmp_path_factory), tmp_path)
    open_day(svc)
    yield svc
    svc.db.dispose()


def post(shop, docs, user: str = "cashier"):
    return post_text(shop, actor(shop, user), json.dumps(docs))


def invoice(**overrides) -> dict:
    doc = {"type": "sales_invoice", "location": "AXP", "date": "2026-11-23", "customer": "CASH",
           "sales_type": "cash", "currency": "USD", "rate": "2850", "sales_person": "SP01",
           "lines": [{"item": "PARA500", "qty": "2", "price": "2.50"}]}
    doc.update(overrides)
    return doc


def documents(shop) -> int:
    with shop.db.read() as s:
        return s.execute(select(func.count()).select_from(m.Document)).scalar_one()


def test_json_comma_in_a_price_is_an_error_naming_the_field(shop):
    """Main dropped the comma: "2,50" posted a price of 250.00 (2 × 250 = 500.00 + 16 % tax).
    Now "2,50" is refused, naming lines[0].price, and no document is written; "2.50" posts
    2 × 2.50 = 5.00, tax 16 % = 0.80, net 5.80."""
    out = post(shop, [invoice(lines=[{"item": "PARA500", "qty": "2", "price": "2,50"}])])
    assert not out.ok
    assert out.error["field"] == "lines[0].price"
    assert "'2,50' is not a number" in out.error["error"] and "only '.' is a decimal point" in out.error["error"]
    assert documents(shop) == 0
    out = post(shop, [invoice(lines=[{"item": "PARA500", "qty": "1,5", "price": "2.50"}])])
    assert out.error["field"] == "lines[0].qty"
    ok = post(shop, [invoice()])
    assert ok.ok, ok.error
    assert shop.sales.document(ok.posted[0]["number"]).totals.net == D("5.80")


# ---------------------------------------------------------------- item 6: the shop day

def run_cli(*args: str, input: str | None = None):
    from typer.testing import CliRunner

    from shopterm.cli import make_app
    from tests.cli.conftest import with_pin

    env = {"SHOPTERM_DB": None, "SHOPTERM_USER": None, "SHOPTERM_PIN": None, "SHOPTERM_TODAY": "2026-11-23"}
    return CliRunner(env={**env, **with_pin(args)}).invoke(make_app(list(args)), list(args), input=input)


def test_summary_of_a_closed_day_whose_shortage_was_approved(tmp_path_factory, tmp_path):
    """Float 100 USD in, 90 USD counted: a 10.00 USD shortage, above the 5.00 USD maximum. The manager
    approves it at the close; the closed day's summary then says who approved it, not that an approval
    is still needed (main printed "a manager's approval is needed" and needs_approval true)."""
    svc = _copy_services(_template(tmp_path_factory), tmp_path)
    db = backend.db_arg(svc.db.url)
    svc.db.dispose()
    docs = [{"type": "shop_open", "location": "AXP", "date": "2026-11-23"},
            {"type": "shop_receipt", "location": "AXP", "date": "2026-11-23", "particulars": "1900",
             "cost_centre": "SHOP", "currency": "USD", "rate": "2850", "amount": "100", "narration": "Float"}]
    r = run_cli("post", "-", "--db", db, "--user", "cashier", input=json.dumps(docs))
    assert r.exit_code == 0, r.stdout
    close = {"type": "shop_close", "location": "AXP", "date": "2026-11-23", "physical_usd": "90",
             "physical_cdf": "0", "approver": "manager", "approver_pin": "2222"}
    r = run_cli("post", "-", "--db", db, "--user", "manager", input=json.dumps([close]))
    assert r.exit_code == 0, r.stdout
    r = run_cli("day", "summary", "--db", db, "--date", "2026-11-23")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert f"{'Difference (+ short)':<26}{'10.00':>22}{'0.00':>22}" in lines
    assert "Shortage above the maximum allowed: approved by manager" in lines
    assert not any("approval is needed" in line for line in lines)
    r = run_cli("day", "summary", "--db", db, "--date", "2026-11-23", "--format", "json")
    data = json.loads(r.stdout)
    assert (data["status"], data["needs_approval"], data["approved_by"]) == ("closed", False, "manager")


def test_a_day_later_than_today_cannot_be_opened(shop):
    """Today is 2026-11-23 (the machine's date, fixed by the test): opening 2026-11-24 is refused and
    writes nothing; main opened it and the TUI's business date jumped to the 24th."""
    out = post(shop, [{"type": "shop_open", "location": "AXP", "date": "2026-11-24"}], user="cashier")
    assert not out.ok
    assert (out.error["error"], out.error["field"]) == (
        "The shop cannot be opened for 2026-11-24: that is later than today (2026-11-23)", "date")
    with shop.db.read() as s:
        assert s.execute(select(func.count()).select_from(m.ShopDay)
                         .where(m.ShopDay.date > shop.today())).scalar_one() == 0
    assert documents(shop) == 0


# ---------------------------------------------------------------- item 5: bad input, clear messages

def test_huge_numbers_are_refused_with_the_field_and_the_maximum(shop):
    """Main: "1e30" as a price or received_cdf raised decimal.InvalidOperation (rounded before the range
    check). Now JSON numbers are plain digits, and a plain 10^12 is above the stated maximum."""
    out = post(shop, [invoice(lines=[{"item": "PARA500", "qty": "2", "price": "1e30"}])])
    assert out.error["field"] == "lines[0].price" and "'1e30' is not a number" in out.error["error"]
    out = post(shop, [invoice(lines=[{"item": "PARA500", "qty": "2", "price": "1000000000000"}])])
    assert out.error["error"] == ("sales_invoice lines[0]: price: 1000000000000 is above the maximum "
                                  "999,999,999,999.99")
    out = post(shop, [invoice(lines=[{"item": "PARA500", "qty": "1000000000", "price": "2.50"}])])
    assert out.error["error"] == "sales_invoice lines[0]: qty: 1000000000 is above the maximum 999,999,999.999"
    ok = post(shop, [invoice()])
    number = ok.posted[0]["number"]
    out = post(shop, [{"type": "sales_receipt", "invoice": number, "rate": "2850", "received_cdf": "1e30"}])
    assert out.error["field"] == "received_cdf"
    assert documents(shop) == 1


def test_a_23_digit_customer_code_is_not_found_not_an_overflow(shop):
    """Main: OverflowError in ledger.resolve_customer (int(code) does not fit SQLite's 64 bits)."""
    code = "9" * 23
    out = post(shop, [{"type": "customer_payment", "customer": code, "amount": "1", "currency": "USD",
                       "rate": "2850"}])
    assert (out.error["error"], out.error["field"], out.error["code"]) == (
        f"Customer {code} not found", "customer", "not_found")


def test_nesting_surrogates_and_control_characters_are_refused(shop):
    """Main: 100,000 '[' → RecursionError; "\\ud800" → UnicodeEncodeError; an OSC sequence in a
    narration reached the printed receipt."""
    out = post_text(shop, actor(shop, "cashier"), "[" * 100_000 + "]" * 100_000)
    assert out.error["error"] == "malformed JSON: nested too deeply (at most 16 levels)"
    out = post(shop, [invoice(narration="\ud800")])
    assert (out.error["field"], out.error["error"]) == (
        "narration", "sales_invoice: narration: control characters are not allowed (U+D800)")
    out = post(shop, [invoice(narration="paid \x1b]0;owned\x07")])
    assert out.error["error"] == "sales_invoice: narration: control characters are not allowed (U+001B)"
    out = post(shop, [invoice(customer="CA\x00SH")])
    assert out.error["field"] == "customer"
    assert documents(shop) == 0


def test_control_characters_typed_into_a_service_are_refused_too(shop):
    """The screens call the services directly: the same rule holds there (names and narrations)."""
    from shopterm.services.documents.drafts import DocumentDraft, DraftLine
    from shopterm.services.errors import ValidationError

    draft = DocumentDraft(location="AXP", customer="CASH", sales_person="SP01", narration="a\x1b[2Jb",
                          lines=[DraftLine(item="PARA500", qty="2")])
    with pytest.raises(ValidationError) as exc:
        shop.sales.post_invoice(actor(shop, "cashier"), draft)
    assert (exc.value.message, exc.value.field) == (
        "narration: control characters are not allowed (U+001B); type plain text", "narration")
    with pytest.raises(ValidationError) as exc:
        shop.masters.create_item(actor(shop, "manager"), code="EVIL1", name="Gauze \x1b]0;x\x07")
    assert "control characters are not allowed (U+001B)" in exc.value.message
    assert documents(shop) == 0


def test_long_texts_are_refused_with_the_limit_not_cut(shop):
    """Main cut a 100,000-character narration to 500 and a 5,000-character contact to 40, silently."""
    out = post(shop, [invoice(narration="n" * 100_000)])
    assert (out.error["error"], out.error["field"]) == (
        "narration: at most 500 characters (got 100,000)", "narration")
    out = post(shop, [invoice(contact_no="9" * 5000)])
    assert (out.error["error"], out.error["field"]) == (
        "Contact no: at most 40 characters (got 5,000)", "contact_no")
    assert documents(shop) == 0
    ok = post(shop, [invoice(narration="n" * 500, contact_no="+243 81 000 0009")])
    assert ok.ok, ok.error


def test_a_wrong_approver_pin_is_refused_even_when_no_approval_was_needed(shop):
    """A 5.80 USD cash sale needs no approval; main ignored a wrong approver_pin and posted."""
    out = post(shop, [invoice(approver="manager", approver_pin="0000")])
    assert (out.error["code"], out.error["field"]) == ("approval_denied", "approver_pin")
    assert documents(shop) == 0
    ok = post(shop, [invoice(approver="manager", approver_pin="2222")])
    assert ok.ok, ok.error


# ---------------------------------------------------------------- item 4 on every document with a rate

def test_far_rates_need_a_manager_on_receipts_payments_and_exchanges(shop):
    """System rate 2850, tolerance 10 % (2565–3135 pass). The cashier's documents at a far rate are
    refused with the field named and nothing written; the manager's name and PIN post them."""
    ok = post(shop, [invoice()])  # 5.80 USD cash invoice
    number = ok.posted[0]["number"]
    far = [
        ({"type": "sales_receipt", "invoice": number, "rate": "3500", "received_usd": "5.80"}, "rate",
         "Exchange rate 3500 is 22.81 % from the system rate 2850"),  # 650 / 2850 = 22.807 %
        ({"type": "customer_payment", "customer": "C0001", "amount": "10", "currency": "USD",
          "rate": "0.000001"}, "rate", "Exchange rate 0.000001 is 100.00 % from the system rate 2850"),
        ({"type": "shop_receipt", "location": "AXP", "date": "2026-11-23", "particulars": "1900",
          "cost_centre": "SHOP", "currency": "CDF", "rate": "28500", "amount": "100000", "narration": "Float"},
         "rate", "Exchange rate 28500 is 900.00 % from the system rate 2850"),
        ({"type": "currency_exchange", "location": "AXP", "date": "2026-11-23", "currency": "USD",
          "amount_received": "1", "exchange_rate": "2000"}, "exchange_rate",
         "Exchange rate 2000 is 29.82 % from the system rate 2850"),  # 850 / 2850 = 29.824 %
    ]
    before = documents(shop)
    for doc, field, message in far:
        out = post(shop, [doc])
        assert (out.error["code"], out.error["field"]) == ("rate_approval", field), out.error
        assert out.error["error"].startswith(message)
        assert out.error["error"].endswith("(tolerance 10 %) — a manager's approval is needed")
    assert documents(shop) == before
    out = post(shop, [{**doc, "approver": "manager", "approver_pin": "2222"} for doc, _, _ in far[1:]])
    assert out.ok, out.error
    assert documents(shop) == before + 3
