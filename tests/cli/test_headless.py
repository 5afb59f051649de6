"""The ``shopterm post`` framework: strict fields, the handler registry, the dispatcher."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from shopterm.core.money import Currency
from shopterm.services import headless
from shopterm.services.errors import ApprovalRequired, ValidationError
from shopterm.services.headless import (
    Fields,
    JsonNumber,
    get_handler,
    handler,
    jsonable,
    known_types,
    parse_json,
    post_documents,
    post_text,
    take,
)


def err(fn) -> tuple[str, str | None]:
    with pytest.raises(ValidationError) as e:
        fn()
    return e.value.message, e.value.field


# ---------------------------------------------------------------- JSON


def test_numbers_are_kept_as_their_literal_text():
    data = parse_json('{"a": 2.50, "b": 10, "c": "2.50", "d": 1e400}')
    assert data == {"a": "2.50", "b": "10", "c": "2.50", "d": "1e400"}
    assert isinstance(data["a"], JsonNumber) and isinstance(data["b"], JsonNumber)
    assert not isinstance(data["c"], JsonNumber)


def test_malformed_json_names_line_and_column():
    assert err(lambda: parse_json('[\n  {"type": "x",}\n]')) == (
        "malformed JSON at line 2 column 16: Expecting property name enclosed in double quotes", None)
    assert err(lambda: parse_json("")) == ("malformed JSON at line 1 column 1: Expecting value", None)
    assert err(lambda: parse_json('{"a": NaN}')) == ("malformed JSON: NaN is not allowed", None)


# ---------------------------------------------------------------- Fields


INVOICE = {"type": "sales_invoice", "customer": "C0001", "date": "2026-11-23", "rate": "2850", "currency": "usd",
           "flat_discount": {"type": "percent", "value": "5"},
           "lines": [{"item": "PARA500", "qty": "10", "price": "2.50", "discount_pct": "10"}]}
REQ = ["customer"]
OPT = ["date", "rate", "currency", "flat_discount", "lines", "sales_type"]


def test_fields_read_every_kind_of_value():
    f = Fields(INVOICE, REQ, OPT)
    assert f.str("customer") == "C0001"
    assert f.date("date") == dt.date(2026, 11, 23)
    assert f.rate("rate") == D("2850")
    assert f.currency("currency") is Currency.USD
    assert f.str("sales_type", "cash") == "cash"  # absent: the default
    assert f.amount("missing_amount") is None
    flat = f.obj("flat_discount", ["type", "value"])
    assert (flat.choice("type", ["percent", "amount"]), flat.pct("value")) == ("percent", D("5"))
    (line,) = f.list("lines", ["item", "qty"], ["price", "discount_pct", "batch"])
    assert (line.str("item"), line.qty("qty"), line.amount("price"), line.pct("discount_pct")) == (
        "PARA500", D("10"), D("2.50"), D("10"))
    assert line.str("batch") is None
    assert (f.draft, f.approver, f.approver_pin) == (False, None, None)
    assert "customer" in f and "sales_type" not in f


def test_unknown_and_missing_fields():
    assert err(lambda: Fields({**INVOICE, "custmer": "C1"}, REQ, OPT)) == (
        "unknown field 'custmer' in sales_invoice", "custmer")
    assert err(lambda: Fields({"type": "sales_invoice"}, REQ, OPT)) == ("sales_invoice: 'customer' is required",
                                                                         "customer")
    assert err(lambda: Fields({"type": "sales_invoice", "customer": "  "}, REQ, OPT)) == (
        "sales_invoice: 'customer' is required", "customer")
    f = Fields(INVOICE, REQ, OPT)
    assert err(lambda: f.list("lines", ["item", "qty", "batch"], ["price", "discount_pct"])) == ("sales_invoice lines[0]: 'batch' is required",
                                                                      "lines[0].batch")
    assert err(lambda: f.list("lines", ["item", "qty"], ["price"])) == (
        "unknown field 'discount_pct' in sales_invoice lines[0]", "lines[0].discount_pct")
    assert err(lambda: f.obj("flat_discount", ["type"])) == ("unknown field 'value' in sales_invoice flat_discount",
                                                             "flat_discount.value")


def test_draft_and_approval_fields_are_common_unless_turned_off():
    doc = {"type": "x", "draft": True, "approver": "manager", "approver_pin": "2222"}
    f = Fields(doc)
    assert (f.draft, f.approver, f.approver_pin) == (True, "manager", "2222")
    assert err(lambda: Fields(doc, allow_draft=False)) == ("unknown field 'draft' in x", "draft")
    assert err(lambda: Fields({"type": "x", "approver": "m"}, allow_approval=False)) == (
        "unknown field 'approver' in x", "approver")
    assert err(lambda: Fields({"type": "x", "draft": "yes"}).draft) == ("x: 'draft' must be true or false, got a string",
                                                                       "draft")


@pytest.mark.parametrize(
    ("text", "getter", "message"),
    [
        ('{"type": "t", "v": 2.50}', "amount",
         "t: 'v' must be a string such as \"2.50\", not the JSON number 2.50 (amounts, quantities and rates are strings)"),
        ('{"type": "t", "v": 10}', "qty",
         "t: 'v' must be a string such as \"10\", not the JSON number 10 (amounts, quantities and rates are strings)"),
        ('{"type": "t", "v": 2850.5}', "rate",
         "t: 'v' must be a string such as \"2850\", not the JSON number 2850.5 (amounts, quantities and rates are strings)"),
        ('{"type": "t", "v": true}', "amount", "t: 'v' must be a string such as \"2.50\", got true/false"),
        ('{"type": "t", "v": "1.005"}', "amount", "t: v: at most 2 decimal places (1.005)"),
        ('{"type": "t", "v": "-3"}', "amount", "t: v: must not be negative (-3)"),
        ('{"type": "t", "v": "abc"}', "amount", "t: v: 'abc' is not a number"),
        ('{"type": "t", "v": "1.0001"}', "qty", "t: v: at most 3 decimal places (1.0001)"),
        ('{"type": "t", "v": "0"}', "rate", "t: v: the exchange rate must be greater than zero"),
        ('{"type": "t", "v": "101"}', "pct", "t: v: a percentage must be between 0 and 100 (101)"),
        ('{"type": "t", "v": "23/11/2026"}', "date", "t: 'v' must be a date YYYY-MM-DD, got '23/11/2026'"),
        ('{"type": "t", "v": "EUR"}', "currency", "t: 'v' must be USD or CDF, got 'EUR'"),
        ('{"type": "t", "v": 12}', "str", "t: 'v' must be a string, got a number"),
        ('{"type": "t", "v": "x"}', "int", "t: 'v' must be a whole number, got 'x'"),
        ('{"type": "t", "v": -1}', "int", "t: 'v' must be at least 0, got -1"),
        ('{"type": "t", "v": {"a": 1}}', "list", "t: 'v' must be a list, got an object"),
    ],
)
def test_bad_values_name_the_field(text, getter, message):
    f = Fields(parse_json(text), optional=["v"])
    assert err(lambda: getattr(f, getter)("v")) == (message, "v")


def test_negative_amounts_when_allowed_and_counts_from_json_integers():
    f = Fields(parse_json('{"type": "t", "a": "-3.50", "n": 30, "s": "15"}'), optional=["a", "n", "s"])
    assert f.amount("a", allow_negative=True) == D("-3.50")
    assert (f.int("n"), f.int("s")) == (30, 15)


def test_python_callers_may_pass_decimals_and_dates():
    f = Fields({"type": "t", "a": D("1.25"), "d": dt.date(2026, 11, 23)}, optional=["a", "d"])
    assert (f.amount("a"), f.date("d")) == (D("1.25"), dt.date(2026, 11, 23))
    assert err(lambda: Fields({"type": "t", "a": 1.25}, optional=["a"]).amount("a")) == (
        "t: 'a' must be a string such as \"2.50\", got float", "a")


def test_take_is_fields():
    assert isinstance(take({"type": "t", "a": "1"}, ["a"]), Fields)
    assert err(lambda: take("nope")) == ("document: expected a JSON object, got a string", None)


def test_list_min_items():
    f = Fields({"type": "t", "lines": []}, optional=["lines"])
    assert err(lambda: f.list("lines", min_items=1)) == ("t: 'lines' needs at least 1 entry", "lines")
    assert Fields({"type": "t"}, optional=["lines"]).list("lines") == []


# ---------------------------------------------------------------- registry and dispatch


@pytest.fixture
def echo_handlers(monkeypatch):
    """Two test document types; the real registry is restored afterwards."""
    headless.load_handlers()  # the service modules register into the real registry first
    registry = dict(headless._HANDLERS)
    monkeypatch.setattr(headless, "_HANDLERS", registry)
    calls: list[dict] = []

    @handler("test_echo")
    def _echo(services, actor, doc):
        f = Fields(doc, ["amount"], ["fail"])
        amount = f.amount("amount")
        if f.bool("fail"):
            raise ApprovalRequired("Credit limit exceeded: a manager's approval is needed", field="approver")
        calls.append(doc)
        return {"number": f"N{len(calls)}", "totals": {"net": amount, "date": dt.date(2026, 11, 23)}, "status": "posted"}

    @handler("test_draft")
    def _draft(services, actor, doc):
        return {"number": None, "totals": {}}

    return calls


def test_post_documents_one_by_one(echo_handlers):
    outcome = post_text(None, None, '[{"type": "test_echo", "amount": "2.5"}, {"type": "test_draft"}]')
    assert outcome.ok
    assert outcome.output() == [
        {"type": "test_echo", "number": "N1", "totals": {"net": "2.5", "date": "2026-11-23"}, "status": "posted"},
        {"type": "test_draft", "number": None, "totals": {}},
    ]


def test_post_stops_at_the_first_rejected_document(echo_handlers):
    docs = parse_json('[{"type": "test_echo", "amount": "1"}, {"type": "test_echo", "amount": "2", "fail": true},'
                      ' {"type": "test_echo", "amount": "3"}]')
    outcome = post_documents(None, None, docs)
    assert not outcome.ok
    assert outcome.output() == {
        "error": "Credit limit exceeded: a manager's approval is needed", "field": "approver",
        "code": "approval_required", "message_id": "Credit limit exceeded: a manager's approval is needed",
        "index": 1, "type": "test_echo",
        "posted": [{"type": "test_echo", "number": "N1", "totals": {"net": "1", "date": "2026-11-23"},
                    "status": "posted"}],
    }
    assert len(echo_handlers) == 1  # the third was never tried


def test_a_document_without_type(echo_handlers):
    outcome = post_text(None, None, '{"amount": "1"}')
    assert outcome.error == {"error": "every document needs a \"type\" (e.g. \"sales_invoice\")", "field": "type",
                             "code": "invalid", "message_id": "every document needs a \"type\" (e.g. \"sales_invoice\")",
                             "index": 0, "type": None, "posted": []}


def test_unknown_type_lists_known_types(echo_handlers):
    message, field = err(lambda: get_handler("test_ecko"))
    assert field == "type"
    assert message.startswith("unknown document type 'test_ecko'; known types: ")
    assert "test_draft, test_echo" in message
    assert {"test_echo", "test_draft"} <= set(known_types())


def test_the_service_modules_register_their_types():
    types = set(known_types())
    assert {"shop_open", "shop_close"} <= types


def test_each_type_is_found_in_the_module_that_registers_it():
    """``get_handler`` imports only the module HANDLER_OF_TYPE names for a type: the map must name
    every registered type's own module (a new handler added without it would still be found, by
    loading them all, but a wrong module would not)."""
    headless.load_handlers()
    registered = {t: fn.__module__.removeprefix("shopterm.services.") for t, fn in headless._HANDLERS.items()}
    assert headless.HANDLER_OF_TYPE == registered
    assert set(headless.HANDLER_OF_TYPE.values()) <= set(headless.HANDLER_MODULES)


def test_jsonable_keeps_decimals_exact_and_refuses_floats():
    assert jsonable({"a": D("0.10"), "b": [D("1E+2")], "c": None}) == {"a": "0.10", "b": ["1E+2"], "c": None}
    with pytest.raises(TypeError, match="float in a result"):
        jsonable({"a": 0.1})
