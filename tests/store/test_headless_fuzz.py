"""Fuzzing ``shopterm post`` (issue 10, "bad input: a clear message, never a traceback").

For every document type a valid document is mutated at one field — or one line's
field — with a hostile value: huge, tiny and exponent numbers (``"1e30"``,
``"1E-30"``, 5,000 digits), numbers with the wrong separators, JSON numbers,
unicode (lone surrogates, other scripts' digits), control characters (ESC, NUL,
OSC ``\\x1b]0;…\\x07``), deep nesting, unknown and 23-digit codes, 100k texts,
wrong types. Whatever the value, :func:`post_documents` answers with a clear
error (a message, the field) or a posted document — never an exception — and a
refused document leaves no row behind (documents, lines, journal, ledger,
stock moves, shop days, drafts all counted before and after).
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from shopterm.services.headless import JsonNumber, known_types, post_documents, post_text
from shopterm.store import models as m

from .conftest import actor, open_day

DAY = "2026-11-23"
HEAD = {"location": "AXP", "date": DAY}
TEMPLATES: dict[str, dict] = {
    "shop_open": {**HEAD},
    "shop_close": {**HEAD, "physical_usd": "0", "physical_cdf": "0", "remarks": "end"},
    "shop_receipt": {**HEAD, "particulars": "1900", "cost_centre": "SHOP", "currency": "USD", "rate": "2850",
                     "amount": "100", "narration": "Float"},
    "shop_payment": {**HEAD, "particulars": "6400", "cost_centre": "SHOP", "currency": "CDF", "amount": "2000",
                     "narration": "Cleaning"},
    "currency_exchange": {**HEAD, "currency": "USD", "amount_received": "5", "exchange_rate": "2800"},
    "sales_invoice": {**HEAD, "customer": "CASH", "sales_type": "cash", "currency": "USD", "rate": "2850",
                      "sales_person": "SP01", "contact_no": "+243810000009", "narration": "counter", "agent_commission": True,
                      "flat_discount": {"type": "percent", "value": "5"},
                      "lines": [{"item": "PARA500", "qty": "2", "price": "2.50", "discount_pct": "10"}]},
    "sales_order": {**HEAD, "customer": "C0001", "currency": "USD", "rate": "2850",
                    "lines": [{"item": "AMOX250", "qty": "1", "price": "7.20"}]},
    "proforma": {**HEAD, "customer": "C0001", "currency": "USD", "rate": "2850",
                 "lines": [{"item": "AMOX250", "qty": "1"}]},
    "provisional_invoice": {**HEAD, "customer": "C0001", "currency": "USD", "rate": "2850",
                            "lines": [{"item": "BAND01", "qty": "1"}]},
    "delivery_note": {**HEAD, "psi_no": "261101PI000001", "lines": [{"item": "BAND01", "qty": "1"}]},
    "sales_receipt": {"invoice": "261101SI000001", "rate": "2850", "received_usd": "1", "received_cdf": "2000"},
    "customer_payment": {**HEAD, "customer": "C0001", "amount": "1", "currency": "USD", "rate": "2850",
                         "reference": "bank", "narration": "on account"},
    "match": {"customer": "C0001", "entries": [{"entry": 1}, {"entry": 2}]},
    "unmatch": {"match": 1},
    "sales_return": {**HEAD, "based_on": "invoice", "invoice": "261101SI000001", "narration": "damaged",
                     "mobile": "+243810000001", "lines": [{"item": "PARA500", "qty": "1"}]},
    "direct_return": {**HEAD, "customer": "C0001", "currency": "USD", "rate": "2850", "narration": "old stock",
                      "mobile": "+243810000001", "address": "Kinshasa",
                      "lines": [{"item": "BAND01", "batch": "D001", "supplier": "SUP", "supplier_batch_no": "X1",
                                 "expiry": "2029-12-31", "qty": "1", "price": "1.10"}]},
    "stock_receipt": {**HEAD, "narration": "delivery",
                      "lines": [{"item": "BAND01", "batch": "D9", "qty": "5", "cost_usd": "0.70",
                                 "expiry": "2030-01-31"}]},
    "commission_payment": {**HEAD, "sales_person": "SP01", "currency": "USD", "rate": "2850",
                           "lines": [{"invoice": "261101SI000001", "amount_payable": "0.10"}]},
}

HOSTILE = [
    "1e30", "1E+999", "-1e-30", "1E-30", "0.0000001", "9" * 30, "9" * 5000, "NaN", "Infinity", "-0", "0x10",
    "\u0661\u0662", "2,50", "1 000", "1,500", "1_000", "", " ", "-5", "999999999999.995", "1000000000000",
    "\ud800", "x\udfff", "\x1b]0;owned\x07", "\x00", "A\x1b[31mB", "\x9b2J", "\u202eevil", "ZZZ999",
    "9" * 23, "c0001", "x" * 100_000, "é" * 5000, "PARA500", "B001", "2026-02-30", "9999-12-31",
    JsonNumber("1e400"), JsonNumber("2.5"), JsonNumber("7"), None, True, False, [], {}, [[]], {"a": [1]},
]


def deep(n: int):
    value: list = []
    for _ in range(n):
        value = [value]
    return value


hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2FFF), max_size=12),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.integers(min_value=-10**40, max_value=10**40).map(str),
    st.integers(min_value=1, max_value=3000).map(deep),
)


def paths(doc: dict) -> list[tuple]:
    """Every place a value sits: top-level keys, line keys, nested object keys, plus a new unknown key."""
    out: list[tuple] = [("__unknown__",)]
    for key, value in doc.items():
        out.append((key,))
        if isinstance(value, list):
            out.append((key, 0, "__unknown__"))
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    out.extend((key, i, k) for k in item)
        elif isinstance(value, dict):
            out.extend((key, k) for k in value)
    return out


def mutate(doc: dict, path: tuple, value) -> dict:
    doc = copy.deepcopy(doc)
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return doc


TABLES = (m.Document, m.DocumentLine, m.JournalLine, m.LedgerEntry, m.StockMove, m.ShopDay, m.Match)


def counts(shop) -> dict:
    with shop.db.read() as s:
        out = {t.__name__: s.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES}
        for name in ("Draft", "Batch", "Customer"):
            model = getattr(m, name, None)
            if model is not None:
                out[name] = s.execute(select(func.count()).select_from(model)).scalar_one()
        return out


@pytest.fixture
def fuzz_shop(services):
    """The demo-like shop with the day open, one cash invoice (261101SI000001) and one provisional
    invoice (261101PI000001) and 500,000 CDF in the till, so receipts, returns, deliveries, payments and
    exchanges have something to point at."""
    open_day(services)
    manager = actor(services, "manager")
    services.masters.create_supplier(manager, code="SUP", name="Pharma Supplies")  # for direct_return
    float_cdf = {"type": "shop_receipt", **TEMPLATES["shop_receipt"], "currency": "CDF", "amount": "500000"}
    out = post_documents(services, manager, [{"type": t, **TEMPLATES[t]} for t in ("sales_invoice", "provisional_invoice")]
                         + [float_cdf])
    assert out.ok, out.error
    return services


def test_templates_cover_every_document_type():
    assert set(TEMPLATES) == set(known_types())


def check(shop, who, doc) -> None:
    before = counts(shop)
    outcome = post_documents(shop, who, [doc])
    if outcome.ok:
        return
    err = outcome.error
    assert isinstance(err["error"], str) and err["error"], err
    assert err["code"], err
    json.dumps(err)  # the CLI prints it: plain JSON-able data
    assert counts(shop) == before, f"a refused document left rows behind: {err}"


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_hostile_field_gives_a_clear_error_or_a_posted_document(fuzz_shop, data):
    # shop_close is fuzzed per type below: once it posts, the day is closed for every later example
    type_name = data.draw(st.sampled_from(sorted(set(TEMPLATES) - {"shop_close"})), label="type")
    template = {"type": type_name, **TEMPLATES[type_name]}
    path = data.draw(st.sampled_from(paths(template)), label="path")
    value = data.draw(hostile, label="value")
    check(fuzz_shop, actor(fuzz_shop, "manager"), mutate(template, path, value))


@pytest.mark.parametrize("type_name", sorted(TEMPLATES))
def test_the_issue_examples_for_every_type(fuzz_shop, type_name):
    """The issue's own findings, applied to every field of every document type."""
    who = actor(fuzz_shop, "manager")
    template = {"type": type_name, **TEMPLATES[type_name]}
    for path in paths(template):
        for value in ("1e30", "9" * 23, "\ud800", "\x1b]0;owned\x07", "x" * 100_000, deep(20)):
            check(fuzz_shop, who, mutate(template, path, value))


def test_deeply_nested_json_text_is_refused(fuzz_shop):
    out = post_text(fuzz_shop, actor(fuzz_shop, "manager"), "[" * 100_000 + "]" * 100_000)
    assert not out.ok and "nested too deeply" in out.error["error"]


def test_a_list_nested_100000_deep_is_refused_without_recursion(fuzz_shop):
    doc = {"type": "sales_invoice", **TEMPLATES["sales_invoice"], "lines": deep(100_000)}
    out = post_documents(fuzz_shop, actor(fuzz_shop, "manager"), [doc])
    assert not out.ok and "nested too deeply" in out.error["error"]


@pytest.mark.parametrize("number", ["2147483648", "1000000000000", JsonNumber("999999999999999")])
def test_a_row_number_past_what_the_store_holds_is_refused_by_name(fuzz_shop, number):
    """PostgreSQL's integer stops at 2,147,483,647: a bigger match or entry number is refused with
    the field named (or not found), the same on both stores, never a database error."""
    who = actor(fuzz_shop, "manager")
    for doc in (mutate({"type": "unmatch", **TEMPLATES["unmatch"]}, ("match",), number),
                mutate({"type": "match", **TEMPLATES["match"]}, ("entries", 0, "entry"), number)):
        before = counts(fuzz_shop)
        out = post_documents(fuzz_shop, who, [doc])
        assert not out.ok and "at most 2147483647" in out.error["error"], out.error
        assert counts(fuzz_shop) == before


def test_the_services_answer_not_found_for_a_match_or_entry_number_past_the_store(fuzz_shop):
    from shopterm.services.errors import NotFound

    who = actor(fuzz_shop, "manager")
    with pytest.raises(NotFound, match="Match 1000000000000 not found"):
        fuzz_shop.ledger.unmatch(who, 10**12)
    with pytest.raises(NotFound, match="Ledger entry 1000000000000 not found"):
        fuzz_shop.ledger.match(who, "C0001", [1, 10**12])


@pytest.mark.parametrize("customer", ["2147483648", "99999999999999999999"])
def test_a_customer_number_past_the_store_is_not_found(fuzz_shop, customer):
    """A customer is a code; digits that are no code are tried as the customer's number, which
    on PostgreSQL stops at 2,147,483,647 (CI's fuzz found "2147483648")."""
    doc = mutate({"type": "match", **TEMPLATES["match"]}, ("customer",), customer)
    out = post_documents(fuzz_shop, actor(fuzz_shop, "manager"), [doc])
    assert not out.ok and out.error["field"] == "customer" and "not found" in out.error["error"], out.error


def test_a_document_or_token_number_past_the_store_is_not_found(fuzz_shop):
    from shopterm.services.errors import NotFound

    with pytest.raises(NotFound, match="Document 2147483648 not found"):
        fuzz_shop.sales.document(2147483648)
    with pytest.raises(NotFound, match="API token 99999999999 not found"):
        fuzz_shop.users.revoke_token(actor(fuzz_shop, "admin"), "99999999999")


def test_a_close_with_ten_digits_of_notes_is_refused_by_name(fuzz_shop):
    doc = {"type": "shop_close", **TEMPLATES["shop_close"], "denominations": {"CDF": {"5000": "1000000000"}}}
    out = post_documents(fuzz_shop, actor(fuzz_shop, "manager"), [doc])
    assert not out.ok and out.error["field"] == "denominations.CDF.5000", out.error
    assert "too many" in out.error["error"]


@pytest.mark.parametrize("number", ["99999999999", "999999999999999", "9999999999999999", "1" * 60,
                                    JsonNumber("1" * 30)])
def test_a_whole_number_too_large_gets_one_message_whatever_its_digits(fuzz_shop, number):
    """11 to 15 digits said 'at most 2147483647', 16 and more 'too large (at most 15 digits)': one message
    now, naming the field and the bound (too small alike); a number longer than 24 characters is cut in it."""
    def cut(text: str) -> str:
        return text if len(text) <= 24 else text[:23] + "…"

    for sent, want in ((str(number), "must be at most 2147483647"), ("-" + str(number), "must be at least 1")):
        doc = mutate({"type": "unmatch", **TEMPLATES["unmatch"]}, ("match",), sent)
        out = post_documents(fuzz_shop, actor(fuzz_shop, "manager"), [doc])
        assert not out.ok and out.error["field"] == "match", out.error
        assert out.error["error"] == f"unmatch: 'match' {want}, got {cut(sent)}", out.error


def test_figures_past_what_the_store_holds_are_refused_by_name_on_both_stores(fuzz_shop):
    """Each field within its own bound, the figures they make past the store's columns. A stock receipt
    of 999,999,999 at 999,999,999,999.99 USD (~10^21 USD: past a BIGINT of cents) crashed with
    OverflowError on SQLite and 'bigint out of range' on PostgreSQL. A cash sale of 1,000,000 at
    1,000,000 USD to a card holder posted on SQLite, and crashed on PostgreSQL: its 92,000,000,000
    loyalty points are past an INTEGER. Both are refused on both stores, naming the column; nothing written."""
    manager = actor(fuzz_shop, "manager")
    huge = {"type": "stock_receipt", **TEMPLATES["stock_receipt"],
            "lines": [{"item": "BAND01", "batch": "D9", "qty": "999999999", "cost_usd": "999999999999.99",
                       "expiry": "2030-01-31"}]}
    before = counts(fuzz_shop)
    out = post_documents(fuzz_shop, manager, [huge])
    assert not out.ok, out.posted
    assert (out.error["error"], out.error["field"]) == ("total_gross: too large a figure to store", "total_gross"), out.error
    assert out.error["message_id"] == "{field}: too large a figure to store"  # the English id, as every refusal's
    assert counts(fuzz_shop) == before
    stock = {"type": "stock_receipt", **TEMPLATES["stock_receipt"],
             "lines": [{"item": "BAND01", "batch": "D9", "qty": "1000000", "cost_usd": "0.01", "expiry": "2030-01-31"}]}
    assert post_documents(fuzz_shop, manager, [stock]).ok
    with fuzz_shop.db.write() as s:  # C0001 (wholesale) earns a point per 10 USD, as a retail customer does
        card = s.execute(select(m.Customer.loyalty_card_id).where(m.Customer.code == "C0001")).scalar_one()
        s.add(m.LoyaltyCardCategory(card_id=card, price_category="wholesale", sales_amount_per_point=Decimal("10")))
    sale = {"type": "sales_invoice", **TEMPLATES["sales_invoice"], "customer": "C0001", "flat_discount": None,
            "lines": [{"item": "BAND01", "batch": "D9", "qty": "1000000", "price": "1000000"}]}
    del sale["flat_discount"]
    before = counts(fuzz_shop)
    out = post_documents(fuzz_shop, manager, [sale])
    assert not out.ok, out.posted
    assert (out.error["error"], out.error["field"]) == ("loyalty_points: too large a figure to store",
                                                        "loyalty_points"), out.error
    assert counts(fuzz_shop) == before
