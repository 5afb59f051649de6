"""Customer-ledger benchmark at a million entries (DESIGN §1 "ledgers stay fast at a million entries", §14).

Generates a shop database with N ledger entries over three years for C
customers — 52 % invoices (one in five in CDF), 45 % receipts (each pays the
customer's oldest open invoice and is matched to it, or is a payment on account
when nothing is open), 3 % credit notes; one voucher and two journal lines per
entry — then times the ledger's reads the way the screens and the CLI make
them. One customer has 5 % of the entries, 1 % of the customers 20 %.

    .venv/bin/python bench/ledger_bench.py                     # 1,000,000 entries, 2,000 customers
    .venv/bin/python bench/ledger_bench.py --entries 200000    # quicker
    .venv/bin/python bench/ledger_bench.py --db /tmp/big.db --reuse   # time again without regenerating

Not part of the test run. Rows are written with raw ``sqlite3`` executemany
(scaled integers, ISO dates) for speed; the schema comes from the migrations.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sqlite3
import statistics
import sys
import time
from collections import deque
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

START = dt.date(2024, 1, 1)
DAYS = 3 * 365
TODAY = START + dt.timedelta(days=DAYS)


def generate(path: Path, entries: int, customers: int, seed: int = 7) -> None:
    from shopterm.services import Services

    if path.exists():
        path.unlink()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    services = Services.open(f"sqlite:///{path}", today=TODAY)
    services.setup.init_shop(location_code="AXP", location_name="Axpert", rate="2850", admin_pin="9999",
                             rate_date=START)
    services.users.create(None, "manager", "2222", "manager", location="AXP")
    services.db.dispose()

    rnd = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    cur = con.cursor()
    acc = dict(cur.execute("select code, id from account"))
    group = cur.execute("select id from customer_group where name='WALK-IN'").fetchone()[0]
    cat = cur.execute("select id from customer_category limit 1").fetchone()[0]
    now = "2026-11-23 08:00:00.000000"
    first_cust = cur.execute("select coalesce(max(id), 0) from customer").fetchone()[0] + 1
    given = ("id, code, name, kind, category_id, group_id, existing_vendor, supplier_name, credit_limit_usd, credit_days,"
             " national_id, price_category, nrc_no, impot_no, address, mobile, email, tax_exempt, free_offer, inactive,"
             " created_at, updated_at")
    # columns the master gained since (NOT NULL, filled by the models' defaults): blank text or zero
    more = [(name, "''" if "CHAR" in (kind or "").upper() or "TEXT" in (kind or "").upper() else "0")
            for _, name, kind, notnull, default, _pk in cur.execute("pragma table_info(customer)")
            if notnull and default is None and name not in {c.strip() for c in given.split(",")}]
    cur.executemany(
        f"insert into customer ({given}{''.join(', ' + n for n, _ in more)}) values"
        " (?, ?, ?, 'credit', ?, ?, 0, '', ?, ?, '', 'wholesale', '', '', '', '', '', 0, 0, 0, ?, ?"
        f"{''.join(', ' + v for _, v in more)})",
        [(first_cust + i, f"B{i:05d}", f"Bench customer {i}", cat, group, 500000, 30, now, now)
         for i in range(customers)],
    )
    ids = [first_cust + i for i in range(customers)]
    # a skewed load: the first customer gets 5 % of the entries, the next 1 % get 20 %, the rest share the rest
    big = ids[0]
    busy = ids[1:max(2, customers // 100)]
    open_inv: dict[int, deque] = {c: deque() for c in ids}

    le_rows, jv_rows, jl_rows, m_rows, ml_rows = [], [], [], [], []
    closed: list[tuple[int]] = []  # invoices a receipt settled (already written): closed at the next flush
    match_id = 0
    jl_id = 0
    seq = 0

    def flush() -> None:
        cur.executemany("insert into journal_voucher (id, document_id, location_id, date, voucher_type, number,"
                        " narration, created_at) values (?, NULL, 1, ?, ?, ?, '', ?)", jv_rows)
        cur.executemany("insert into journal_line (id, voucher_id, location_id, date, account_id, customer_id,"
                        " cost_centre_id, currency, amount, amount_usd, memo) values (?, ?, 1, ?, ?, ?, NULL, ?,"
                        " ?, ?, '')", jl_rows)
        cur.executemany("insert into ledger_entry (id, customer_id, location_id, journal_line_id, document_id,"
                        " voucher_type, number, reference, doc_date, due_date, currency, amount, amount_usd,"
                        " open_amount, open_usd, is_open, method, posted_at, changed_at) values"
                        " (?, ?, 1, ?, NULL, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", le_rows)
        cur.executemany("insert into match (id, customer_id, date, kind, created_by, created_at) values"
                        " (?, ?, ?, 'auto', NULL, ?)", m_rows)
        cur.executemany("insert into match_line (match_id, entry_id, amount, amount_usd) values (?, ?, ?, ?)", ml_rows)
        cur.executemany("update ledger_entry set open_amount = 0, open_usd = 0, is_open = 0 where id = ?", closed)
        for rows in (le_rows, jv_rows, jl_rows, m_rows, ml_rows, closed):
            rows.clear()

    t0 = time.perf_counter()
    for i in range(1, entries + 1):
        r = rnd.random()
        cust = big if r < 0.05 else (rnd.choice(busy) if r < 0.25 else rnd.choice(ids))
        day = START + dt.timedelta(days=(i * DAYS) // entries)
        dstr = day.isoformat()
        kind = rnd.random()
        ccy = "USD"
        if kind < 0.52:  # an invoice; one in five in CDF at 2850
            vt, amount = "SI", rnd.randint(100, 500_000)  # cents
            other = acc["4000"]
            if rnd.random() < 0.2:
                ccy = "CDF"
        elif kind < 0.97:  # a receipt: pays the customer's oldest open invoice, else on account
            vt, other = "RC", acc["1100"]
            if open_inv[cust]:
                amount = -open_inv[cust][0][1]
                ccy = open_inv[cust][0][2]
            else:
                amount = -rnd.randint(100, 200_000)
        else:
            vt, amount, other = "SR", -rnd.randint(100, 50_000), acc["4010"]
        amount_ccy = amount * 2850 if ccy == "CDF" else amount
        seq += 1
        number = f"{day:%y%m}01{vt}{seq:08d}"
        jv_rows.append((i, dstr, vt, number, now))
        jl_id += 1
        jl_rows.append((jl_id, i, dstr, acc["1200"], cust, ccy, amount_ccy, amount))
        jl_id += 1
        jl_rows.append((jl_id, i, dstr, acc["1110"] if (vt == "RC" and ccy == "CDF") else other, None, ccy,
                        -amount_ccy, -amount))
        open_amt, open_ccy, is_open = amount, amount_ccy, 1
        if vt == "RC" and open_inv[cust] and open_inv[cust][0][1] == -amount:
            inv_id, inv_amt, inv_ccy = open_inv[cust].popleft()
            match_id += 1
            m_rows.append((match_id, cust, dstr, now))
            ml_rows.append((match_id, inv_id, inv_amt * 2850 if inv_ccy == "CDF" else inv_amt, inv_amt))
            ml_rows.append((match_id, i, amount_ccy, amount))
            open_amt, open_ccy, is_open = 0, 0, 0
            closed.append((inv_id,))
        due = (day + dt.timedelta(days=30)).isoformat() if vt == "SI" else None
        le_rows.append((i, cust, jl_id - 1, vt, number, dstr, due, ccy, amount_ccy, amount, open_ccy, open_amt,
                        is_open, "cash" if vt == "RC" else "", now, now))
        if vt == "SI":
            open_inv[cust].append((i, amount, ccy))
        if i % 50_000 == 0:
            flush()
            print(f"  {i:>9,} entries  {time.perf_counter() - t0:6.1f} s", flush=True)
    flush()
    # the running balances per account and day the posting keeps (shopterm.store.balances)
    cur.execute("insert into account_day (account_id, location_id, date, currency, amount, amount_usd)"
                " select account_id, location_id, date, currency, sum(amount), sum(amount_usd) from journal_line"
                " group by account_id, location_id, date, currency")
    con.commit()
    con.close()
    fill_open_due(path)
    fill_open_months(path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("ANALYZE")
    con.commit()
    con.close()
    print(f"generated {entries:,} entries, {match_id:,} matches for {customers:,} customers "
          f"in {time.perf_counter() - t0:.1f} s; file {path.stat().st_size / 1e6:.0f} MB")


def fill_open_due(path: Path) -> int:
    """The open amounts per customer and due date the posting and matching keep (``open_due``),
    summed from the generated entries (``store.balances.rebuild_open``); the table is created
    first in a database generated before it existed."""
    from sqlalchemy.orm import Session

    from shopterm.store import balances
    from shopterm.store.db import make_engine
    from shopterm.store.models import OpenDue

    engine = make_engine(f"sqlite:///{path}")
    OpenDue.__table__.create(engine, checkfirst=True)
    with Session(engine) as s, s.begin():
        n = balances.rebuild_open(s)
    engine.dispose()
    return n


def fill_open_months(path: Path) -> int:
    """The sums per customer and month the posting keeps (``customer_month``) and the open
    amounts at every month end the posting, matching and unmatching keep
    (``open_due_month``, the ageing at a past date), from the first entry's month to the month
    before the last entry (``store.balances.rebuild_open_months``); the tables are created first in
    a database generated before they existed."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from shopterm.store import balances
    from shopterm.store.db import make_engine
    from shopterm.store.models import CustomerMonth, LedgerEntry, OpenDueMonth, OpenMonth

    engine = make_engine(f"sqlite:///{path}")
    OpenMonth.__table__.create(engine, checkfirst=True)
    OpenDueMonth.__table__.create(engine, checkfirst=True)
    CustomerMonth.__table__.create(engine, checkfirst=True)
    with Session(engine) as s, s.begin():
        balances.rebuild_customer_months(s)  # the sums per customer and month (balances at a date)
        first, last = s.execute(select(func.min(LedgerEntry.doc_date), func.max(LedgerEntry.doc_date))).one()
        months = []
        m = balances.month_end_before(first.replace(day=28) + dt.timedelta(days=8))
        while m < last:
            months.append(m)
            m = balances.next_month_end(m)
        n = balances.rebuild_open_months(s, months)
    engine.dispose()
    return n


def timed(label: str, fn, repeat: int = 5) -> tuple[str, float, float, str]:
    """Median wall and CPU (``time.process_time``: this process only, whatever else loads the
    machine) in ms."""
    times, cpus = [], []
    result = None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return label, statistics.median(times) * 1000, statistics.median(cpus) * 1000, _describe(result)


def _describe(result) -> str:
    if result is None:
        return ""
    if isinstance(result, Decimal):
        return f"{result:,.2f}"
    rows = getattr(result, "rows", None)
    if rows is not None:
        return f"{len(rows):,} rows"
    sections = getattr(result, "sections", None)
    if sections is not None:
        return f"{sum(len(s.rows) for s in sections):,} rows"
    if isinstance(result, int):
        return f"{result:,}"
    if isinstance(result, list):
        return f"{len(result):,} rows"
    return ""


def run_reads(path: Path, *, export_too: bool = True, as_json: bool = False) -> None:
    from sqlalchemy import select, text

    from shopterm.services import Services
    from shopterm.services.ledger.hledger import write_hledger
    from shopterm.services.admin.users import actor_of
    from shopterm.store.models import User

    import sqlite3 as _sqlite

    with _sqlite.connect(path) as con:  # a database generated before open_due existed: fill it once
        if con.execute("select 1 from sqlite_master where name = 'open_due'").fetchone() is None:
            print(f"open_due: {fill_open_due(path):,} rows", file=sys.stderr)
        if con.execute("select 1 from sqlite_master where name = 'customer_month'").fetchone() is None:
            print(f"open_due_month: {fill_open_months(path):,} rows", file=sys.stderr)
    services = Services.open(f"sqlite:///{path}", today=TODAY)
    with services.db.read() as s:
        manager = actor_of(s.execute(select(User).where(User.name == "manager")).scalars().one())
        big = s.execute(text("select customer_id, count(*) n from ledger_entry group by customer_id "
                             "order by n desc limit 1")).one()
        small = s.execute(text("select customer_id from ledger_entry group by customer_id "
                               "order by count(*) limit 1")).scalar()
        total = s.execute(text("select count(*) from ledger_entry")).scalar()
    L = services.ledger
    mid = START + dt.timedelta(days=DAYS // 2)
    first = L.entries(manager, big.customer_id, limit=50)
    middle_key = None
    with services.db.read() as s:
        row = s.execute(text("select doc_date, id from ledger_entry where customer_id = :c and doc_date >= :d "
                             "order by doc_date, id limit 1"), {"c": big.customer_id, "d": mid.isoformat()}).one()
        middle_key = (dt.date.fromisoformat(row[0]), row[1])
    results = [
        timed(f"entries: first page of 50 (customer with {big.n:,} entries)",
              lambda: L.entries(manager, big.customer_id, limit=50)),
        timed("entries: a page in the middle (after_key)",
              lambda: L.entries(manager, big.customer_id, after_key=middle_key, limit=50)),
        timed("entries: next page after that", lambda: L.entries(manager, big.customer_id,
                                                                   after_key=first.next_key, limit=50)),
        timed("entries: last page (before_key at the end)",
              lambda: L.entries(manager, big.customer_id, before_key=(TODAY + dt.timedelta(days=1), 10**12),
                                limit=50)),
        timed("entries: filtered (RC only), middle page",
              lambda: L.entries(manager, big.customer_id, voucher_types=["RC"], after_key=middle_key, limit=50)),
        timed("balance of the big customer at a date", lambda: L.balance(manager, big.customer_id, mid)),
        timed("balance of a small customer", lambda: L.balance(manager, small)),
        timed("statement, big customer, one month",
              lambda: L.statement(manager, mid, mid + dt.timedelta(days=30), big.customer_id)),
        timed("open items, big customer, today", lambda: L.open_items(manager, TODAY, big.customer_id)),
        timed("open items, big customer, a year ago",
              lambda: L.open_items(manager, TODAY - dt.timedelta(days=365), big.customer_id)),
        timed("balances at a date, all customers", lambda: L.balances(manager, mid), repeat=3),
        timed("open items, all customers, today", lambda: L.open_items(manager, TODAY), repeat=3),
        timed("open items, all customers, today: first page of 50 (streamed)",
              lambda: next(L.open_item_pages(manager, TODAY, page=50))),
        timed("open items, all customers, a year ago: first page of 50",
              lambda: next(L.open_item_pages(manager, TODAY - dt.timedelta(days=365), page=50))),
        timed("ageing, all customers", lambda: L.ageing(manager, TODAY), repeat=3),
        timed("ageing, all customers, a year ago", lambda: L.ageing(manager, TODAY - dt.timedelta(days=365)),
              repeat=3),
        timed("general ledger, payments, one week, page of 100",
              lambda: L.general_ledger(manager, "AXP", mid, mid + dt.timedelta(days=7), limit=100)),
        timed("trial balance", lambda: L.trial_balance(manager, TODAY), repeat=3),
        timed("account register 1200, one day, page of 100",
              lambda: L.account_register(manager, "1200", mid, mid, limit=100)),
    ]

    def export() -> int:
        with services.db.read() as s:
            return write_hledger(s, io.StringIO())

    if export_too:
        results.append(timed("hledger export of the whole journal", export, repeat=1))
    if as_json:
        import json

        out = {label: round(ms, 2) for label, ms, _cpu, _ in results}
        out["cpu"] = {label: round(cpu, 2) for label, _ms, cpu, _ in results}
        out["load"] = round(os.getloadavg()[0], 1)
        print(json.dumps(out))
        services.db.dispose()
        return
    print(f"\n{total:,} ledger entries in {path} ({path.stat().st_size / 1e6:.0f} MB)\n")
    print(f"load average {os.getloadavg()[0]:.1f} (wall times grow with it; CPU times much less)")
    print(f"{'operation':<62}{'wall ms':>10}{'CPU ms':>10}  result")
    for label, ms, cpu, desc in results:
        print(f"{label:<62}{ms:>10.1f}{cpu:>10.1f}  {desc}")
    with services.db.read() as s:
        plan = s.execute(text("explain query plan select sum(amount_usd) from ledger_entry "
                              "where customer_id = :c and (doc_date, id) < (:d, :i)"),
                         {"c": big.customer_id, "d": middle_key[0].isoformat(), "i": middle_key[1]}).all()
    print("\nopening-balance query plan:", "; ".join(r[-1] for r in plan))
    services.db.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--customers", type=int, default=2_000)
    ap.add_argument("--db", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "shopterm-ledger-bench.db"))
    ap.add_argument("--reuse", action="store_true", help="time an existing database without regenerating it")
    ap.add_argument("--no-export", action="store_true", help="leave out the hledger export (~40 s at 1M)")
    ap.add_argument("--json", action="store_true", help="print the timings as one JSON object (for run_all.sh)")
    args = ap.parse_args()
    path = Path(args.db)
    if not (args.reuse and path.exists()):
        generate(path, args.entries, args.customers)
    run_reads(path, export_too=not args.no_export, as_json=args.json)


if __name__ == "__main__":
    main()
