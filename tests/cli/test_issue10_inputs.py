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
