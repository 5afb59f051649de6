"""The whole counter day of tests/store/test_counter_day.py, posted through
``shopterm post`` as JSON, gives the same numbers: the same document numbers,
the same balance on every account, the same customer balances and the same
close figures as the services called directly (issue "The counter day": "the
same day posted through shopterm post gives the same numbers")."""

from __future__ import annotations

import json
from decimal import Decimal as D

from typer.testing import CliRunner

from shopterm.cli import make_app
from tests.cli.conftest import with_pin
import tests.store.test_counter_day as counter_day
from tests import backend
from tests.store.conftest import _copy_services, _template, actor
from tests.store.test_counter_day import account_totals, cash_cdf_amount, customer_balances, unbalanced_vouchers

DAY = "2026-11-23"
ENV = {"SHOPTERM_DB": None, "SHOPTERM_USER": None, "SHOPTERM_PIN": None, "SHOPTERM_TODAY": DAY}

CASHIER_DOCS = [
    {"type": "shop_open", "location": "AXP", "date": DAY},
    {"type": "shop_receipt", "location": "AXP", "date": DAY, "particulars": "1900", "cost_centre": "SHOP",
     "currency": "USD", "rate": "2850", "amount": "100", "narration": "Float from head office"},
    {"type": "shop_receipt", "location": "AXP", "date": DAY, "particulars": "1900", "cost_centre": "SHOP",
     "currency": "CDF", "rate": "2850", "amount": "300000", "narration": "Float from head office"},
    {"type": "sales_invoice", "location": "AXP", "date": DAY, "customer": "CASH", "sales_type": "cash",
     "currency": "USD", "rate": "2850", "sales_person": "SP01", "flat_discount": {"type": "percent", "value": "5"},
     "lines": [{"item": "PARA500", "qty": "10", "price": "2.50", "discount_pct": "10"},
               {"item": "AMOX250", "qty": "3", "price": "7.99", "flat_discount": "1.00"},
               {"item": "BAND01", "qty": "4", "price": "1.25"}]},
    {"type": "sales_receipt", "invoice": "261101SI000001", "rate": "2850", "received_usd": "50",
     "received_cdf": "20000"},
    {"type": "sales_invoice", "location": "AXP", "date": DAY, "customer": "CASH", "sales_type": "cash",
     "currency": "CDF", "rate": "2850", "sales_person": "SP01", "lines": [{"item": "BAND01", "qty": "10"}]},
    {"type": "sales_receipt", "invoice": "261101SI000002", "rate": "2850", "received_usd": "20"},
    {"type": "sales_invoice", "location": "AXP", "date": DAY, "customer": "CASH", "sales_type": "cash",
     "currency": "USD", "rate": "2850", "sales_person": "SP02", "lines": [{"item": "AMOX250", "qty": "2"}]},
    {"type": "sales_receipt", "invoice": "261101SI000003", "rate": "2850", "received_usd": "10",
     "received_cdf": "10000"},
    {"type": "sales_invoice", "location": "AXP", "date": DAY, "customer": "C0001", "sales_type": "credit",
     "currency": "USD", "rate": "2850", "lines": [{"item": "PARA500", "batch": "B001", "qty": "100"}]},
    {"type": "shop_payment", "location": "AXP", "date": DAY, "particulars": "6400", "cost_centre": "SHOP",
     "currency": "CDF", "amount": "20000", "narration": "Cleaning"},
    {"type": "currency_exchange", "location": "AXP", "date": DAY, "currency": "USD", "amount_received": "50",
     "exchange_rate": "2800"},
]
MANAGER_DOCS = [{"type": "shop_close", "location": "AXP", "date": DAY, "physical_usd": "228", "physical_cdf": "142000"}]


def post(db: str, user: str, docs) -> list[dict]:
    args = ["post", "-", "--db", db, "--user", user]
    runner = CliRunner(env={**ENV, **with_pin(args)})
    result = runner.invoke(make_app(args), args, input=json.dumps(docs))
    assert result.exit_code == 0, result.stdout
    return json.loads(result.stdout)


def summary(db: str) -> dict:
    args = ["day", "summary", "--db", db, "--user", "manager", "--location", "AXP", "--date", DAY, "--format", "json"]
    runner = CliRunner(env={**ENV, **with_pin(args)})
    result = runner.invoke(make_app(args), args)
    assert result.exit_code == 0, result.stdout
    return json.loads(result.stdout)


def test_the_counter_day_through_post_gives_the_same_numbers(tmp_path_factory, tmp_path):
    template = _template(tmp_path_factory)
    direct = _copy_services(template, tmp_path / "direct")
    counter_day.test_a_whole_counter_day(direct, actor(direct, "cashier"), actor(direct, "manager"))

    headless = _copy_services(template, tmp_path / "headless")
    db = backend.db_arg(headless.db.url)
    headless.db.dispose()
    posted = post(db, "cashier", CASHIER_DOCS) + post(db, "manager", MANAGER_DOCS)
    assert [d["number"] for d in posted] == [
        "261101OP000001", "261101RP000001", "261101RP000002",
        "261101SI000001", "261101RC000001", "261101SI000002", "261101RC000002",
        "261101SI000003", "261101RC000003", "261101SI000004",
        "261101RP000003", "261101CE000001", "261101CL000001",
    ]

    assert account_totals(headless) == account_totals(direct)
    assert account_totals(headless)["1100"] == D("228.00")
    assert customer_balances(headless) == customer_balances(direct) == {"C0001": D("247.54"), "CASH": D("5.03")}
    assert cash_cdf_amount(headless) == cash_cdf_amount(direct) == D("142000.00")
    assert unbalanced_vouchers(headless) == []

    direct_db = backend.db_arg(direct.db.url)
    direct.db.dispose()
    assert summary(db) == summary(direct_db)
    closed = summary(db)
    assert closed["status"] == "closed"
