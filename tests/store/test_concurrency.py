"""Several tills on one database at once, on SQLite and on PostgreSQL (SHOPTERM_TEST_DB).

- Processes (``multiprocessing``) post invoices, provisional invoices, orders and their
  conversion, deliveries, receipts, returns, refunds and cancellations against the same
  items for a few seconds; then every invariant of test_sales_module_property.py holds,
  numbers are unique and gapless per series, and no batch's stock ever went below zero
  (the running sum of its moves, in the order they were written).
- Two tills selling the same last units: the second one's stock check waits for the
  first one's post, and is refused.
- The first number of a month taken by two tills at once: the second waits, then gets 2.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from collections import defaultdict
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import InsufficientStock, ShopError
from shopterm.store.models import Batch, Document, Location, NumberSequence, StockMove

from tests import backend

from .conftest import DAY, actor, open_day
from .test_sales_module_property import CUSTOMERS, ITEMS, _check, _prepare, _run

PROCESSES = 4
SECONDS = 4.0  # each till posts for this long, and at least MIN_OPS documents (a loaded machine is slow)
MIN_OPS = 8


def _random_op(rnd: random.Random):
    """One operation in the shapes of test_sales_module_property.op_st."""
    cust = rnd.choice(list(CUSTOMERS))
    lines = [(rnd.choice(ITEMS), rnd.randint(1, 40)) for _ in range(rnd.randint(1, 3))]
    ccy = rnd.choice(["USD", "CDF"])
    pick = rnd.randint(0, 7)
    kind = rnd.choices(["si", "pi", "so", "convert", "dn", "sr", "rd", "pay", "refund", "cancel"],
                       weights=[6, 2, 1, 1, 1, 3, 1, 4, 1, 1])[0]
    if kind == "si":
        return ("si", cust, lines, ccy, rnd.choice([None, "5", "0"]))
    if kind == "pi":
        return ("pi", cust, lines, ccy, rnd.choice([0, 0, 2]))
    if kind == "so":
        return ("so", cust, lines, rnd.choice(["SO", "PF"]))
    if kind == "convert":
        return ("convert", pick, rnd.random() < 0.5)
    if kind == "dn":
        return ("dn", pick, rnd.randint(1, 100))
    if kind == "sr":
        return ("sr", rnd.choice(["SI", "PI", "DN"]), pick, rnd.randint(1, 100))
    if kind == "rd":
        return ("rd", cust, rnd.choice(ITEMS), rnd.randint(1, 5), ccy)
    if kind == "pay":
        return ("pay", pick)
    if kind == "refund":
        return ("refund", pick)
    return ("cancel", rnd.choice(["PI", "SO"]), pick)


def _till(url: str, seed: int, ready, results) -> None:
    """One till (a process): random documents for SECONDS once every till is ready.
    Puts (posted, refused, unexpected errors) on ``results``."""
    from shopterm.services import Services

    services = Services.open(url, upgrade=False, today=DAY)
    services.sales, services.cash, services.returns  # noqa: B018  (import them before the start)
    rnd = random.Random(seed)
    posted = refused = 0
    errors: list[str] = []
    ready.wait(120)  # all tills start together
    deadline = time.monotonic() + SECONDS
    try:
        while (time.monotonic() < deadline or posted + refused < MIN_OPS) and len(errors) < 5:
            op = _random_op(rnd)
            try:
                _run(services, op)
                posted += 1
            except ShopError:
                refused += 1  # a rule said no (stock, nothing left to return…): nothing written
            except Exception as exc:  # a database error is a bug: report it
                errors.append(f"{op[0]}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        services.db.dispose()
        results.put((posted, refused, errors))


def test_tills_posting_at_once_keep_the_books(services):
    _prepare(services)
    url = services.db.url
    services.db.dispose()
    ctx = multiprocessing.get_context("spawn")
    ready, queue = ctx.Barrier(PROCESSES), ctx.Queue()
    tills = [ctx.Process(target=_till, args=(url, 1000 + i, ready, queue)) for i in range(PROCESSES)]
    for p in tills:
        p.start()
    results = [queue.get(timeout=300) for _ in tills]
    for p in tills:
        p.join(60)
    assert [p.exitcode for p in tills] == [0] * PROCESSES
    errors = [e for _, _, errs in results for e in errs]
    assert errors == []
    assert all(p > 0 and p + r >= MIN_OPS for p, r, _ in results), results  # every till posted

    _check(services)
    with services.db.read() as s:
        # numbers unique and gapless per series (type, location, month)
        series: dict[tuple[str, int, str], list[int]] = defaultdict(list)
        for doc_type, loc, number in s.execute(select(Document.doc_type, Document.location_id, Document.number)
                                               .where(Document.number.is_not(None))):
            series[(doc_type, loc, number[:4])].append(int(number[-6:]))
        assert series
        for key, seqs in series.items():
            assert sorted(seqs) == list(range(1, len(seqs) + 1)), key
        counters = {(r.doc_type, r.location_id, r.period): r.last_value
                    for r in s.execute(select(NumberSequence)).scalars()}
        assert counters == {k: len(v) for k, v in series.items()}
        # stock never below zero: the running sum of each batch's moves, in writing order
        running: dict[int, D] = defaultdict(D)
        for batch_id, qty in s.execute(select(StockMove.batch_id, StockMove.qty).order_by(StockMove.id)):
            running[batch_id] += qty
            assert running[batch_id] >= 0, (batch_id, running[batch_id])


def test_two_tills_selling_the_last_units_at_once(open_shop, monkeypatch):
    """Both tills check batch A001 (200 boxes) for 150: the second check must see the first
    till's post. Each till, having checked, waits (up to 2 s) for the other to have checked too:
    when the checks are serialised with the posts, the other cannot, and the wait times out."""
    import shopterm.services.sales.invoice as sales

    checked = threading.Barrier(2, timeout=2)
    original = sales.check_batch
    calls: list[int] = []

    def check_then_wait(*args, **kwargs):
        held = original(*args, **kwargs)
        calls.append(1)
        try:
            checked.wait()
        except threading.BrokenBarrierError:
            pass
        return held

    monkeypatch.setattr(sales, "check_batch", check_then_wait)
    cashier = actor(open_shop, "cashier")
    outcomes: list[object] = []

    def till() -> None:
        draft = DocumentDraft(location="AXP", date=DAY, customer="CASH", sales_type="cash", currency="USD",
                              sales_person="SP03", lines=[DraftLine("AMOX250", "A001", "150")])
        try:
            outcomes.append(open_shop.sales.post_invoice(cashier, draft).number)
        except ShopError as exc:
            outcomes.append(exc)

    tills = [threading.Thread(target=till) for _ in range(2)]
    for t in tills:
        t.start()
    for t in tills:
        t.join(30)
    assert len(outcomes) == 2 and len(calls) >= 1  # the stock check ran (and was waited in)
    assert "261101SI000001" in outcomes
    refused = [o for o in outcomes if isinstance(o, ShopError)]
    assert len(refused) == 1 and isinstance(refused[0], InsufficientStock)
    assert refused[0].message == "Insufficient stock: batch A001 of AMOX250 holds 50, 150 asked"
    with open_shop.db.read() as s:
        a001 = s.execute(select(Batch.id).where(Batch.code == "A001")).scalar_one()
        assert s.execute(select(func.sum(StockMove.qty)).where(StockMove.batch_id == a001)).scalar_one() == D("50.000")


@pytest.mark.skipif(not backend.PG, reason="PostgreSQL only: SQLite's writers already queue at BEGIN IMMEDIATE")
def test_the_first_number_of_a_month_from_two_connections_at_once(services):
    """Outside the write lock too: the counter row is made by an upsert, so a second
    transaction asking for the month's first number waits for the first one, then gets 2."""
    from shopterm.store.numbering import next_number

    engine = services.db.engine
    with Session(engine) as first:
        loc = first.execute(select(Location).where(Location.code == "AXP")).scalar_one()
        assert next_number(first, "SI", loc.id, loc.number, DAY) == "261101SI000001"  # not committed yet
        got: list[object] = []

        def second_till() -> None:
            with Session(engine) as second:
                try:
                    got.append(next_number(second, "SI", loc.id, loc.number, DAY))
                    second.commit()
                except Exception as exc:
                    got.append(exc)

        t = threading.Thread(target=second_till)
        t.start()
        # wait for the state: the second transaction is waiting on a lock held by the first
        for _ in range(500):
            with engine.connect() as conn:
                if conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                     "AND datname = current_database()")).scalar():
                    break
            t.join(0.01)
        else:
            pytest.fail("the second transaction never waited for the first")
        first.commit()
        t.join(30)
    assert got == ["261101SI000002"]
