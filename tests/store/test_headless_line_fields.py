"""A rule a document's service refuses on one line names that line in ``shopterm post``'s answer
(``lines[1].item``), as the JSON reading does for a malformed line (``lines[0].qty``)."""

from __future__ import annotations

from shopterm.services.headless import post_documents
from tests.store.conftest import DAY


def invoice(*lines: dict) -> dict:
    return {"type": "sales_invoice", "customer": "CASH", "location": "AXP", "date": DAY.isoformat(),
            "currency": "USD", "sales_person": "SP01", "lines": list(lines)}


def test_an_unknown_item_on_the_second_line_names_that_line(open_shop, cashier):
    out = post_documents(open_shop, cashier, invoice({"item": "BAND01", "qty": "1"}, {"item": "NOPE9", "qty": "1"}))
    assert not out.ok
    assert (out.error["field"], out.error["code"]) == ("lines[1].item", "not_found")
    assert "NOPE9" in out.error["error"]
    assert out.posted == []


def test_too_little_stock_on_the_first_line_names_its_qty(open_shop, cashier):
    out = post_documents(open_shop, cashier, invoice({"item": "BAND01", "qty": "99999999"}))
    assert not out.ok
    assert out.error["field"] == "lines[0].qty"


def test_a_header_rule_keeps_its_field(open_shop, cashier):
    out = post_documents(open_shop, cashier, {**invoice({"item": "BAND01", "qty": "1"}), "customer": "NOBODY"})
    assert not out.ok
    assert out.error["field"] == "customer"
