"""Posting speed: a 10-line sales invoice through the services, and ``shopterm post`` of a list.

    .venv/bin/python bench/post_bench.py                 # 300 invoices through SalesService.post_invoice
    .venv/bin/python bench/post_bench.py --profile 40    # cProfile of 40 posts, top entries
    .venv/bin/python bench/post_bench.py --batch 1000    # also `shopterm post` of 1,000 invoices in one list
    .venv/bin/python bench/post_bench.py --json
    .venv/bin/python bench/post_bench.py --phases        # thread CPU per phase of a post (inclusive)
    .venv/bin/python bench/post_bench.py --account 300   # a post's CPU split: SQLite, Prepared, the session, the rest
    .venv/bin/python bench/post_bench.py --tail          # the slowest posts: CPU, collections, WAL resets
    .venv/bin/python bench/post_bench.py --tail --inline-checkpoints   # as before the background checkpoints

Builds the demo shop in a temporary file, receives 100,000 units of each
sellable batch, opens the day, then posts credit invoices to C0001 with ten
lines (ten items, batch given, list price, one a CDF-priced customer category…)
and times each ``post_invoice`` call. The anchor is the same rows (header, 10
lines, 10 stock moves, voucher, journal lines, ledger entry, audit row, the
number sequence) written with raw ``sqlite3`` in one transaction on a copy of
the database, measured in the same run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ITEMS = [("PARA500", "B001"), ("AMOX250", "A001"), ("BAND01", "D001"), ("IBU400", "I001"), ("ORS01", "R001"),
         ("ARTE20", "L001"), ("METRO250", "M001"), ("CIPRO500", "C001"), ("VITC500", "V001"), ("ZINC20", "Z001")]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def setup(path: Path):
    import datetime as dt

    from shopterm.services import Services
    from shopterm.services.admin.demo import ensure_demo
    from shopterm.services.admin.users import actor_of
    from shopterm.store.models import User
    from sqlmodel import select

    today = dt.date(2026, 11, 23)
    services = Services.open(f"sqlite:///{path}", today=today)
    ensure_demo(services, today)
    with services.db.read() as s:
        manager = actor_of(s.exec(select(User).where(User.name == "manager")).one())
        cashier = actor_of(s.exec(select(User).where(User.name == "cashier")).one())
    services.stock.receive(manager, location="AXP", date=today,
                           lines=[{"item": i, "batch": b, "qty": "100000", "cost_usd": "0.50"} for i, b in ITEMS])
    services.day.open_day(cashier, location="AXP", date=today)
    # C0001's limit is not what is timed: raise it so no invoice needs an approval.
    with services.db.write() as s:
        s.connection().exec_driver_sql("UPDATE customer SET credit_limit_usd = 100000000000 WHERE code='C0001'")
    return services, cashier, today


def draft(today):
    from shopterm.services.documents.drafts import DocumentDraft, DraftLine

    return DocumentDraft(location="AXP", date=today, customer="C0001", sales_type="credit", currency="USD",
                         rate="2850", sales_person="SP01", flat_discount_type="percent", flat_discount_value="5",
                         lines=[DraftLine(i, b, "1", None, "0", "0") for i, b in ITEMS])


def doc_json(today, n):
    return [{"type": "sales_invoice", "location": "AXP", "date": today.isoformat(), "customer": "C0001",
             "sales_type": "credit", "currency": "USD", "rate": "2850", "sales_person": "SP01",
             "flat_discount": {"type": "percent", "value": "5"},
             "lines": [{"item": i, "batch": b, "qty": "1"} for i, b in ITEMS]} for _ in range(n)]


def raw_anchor(path: Path, rounds: int) -> list[float]:
    """The same 29+ rows an invoice writes, with raw sqlite3, one transaction each (WAL, synchronous=NORMAL)."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA foreign_keys=ON")
    doc_cols = [r[1] for r in con.execute("PRAGMA table_info(document)")]
    src = con.execute("SELECT * FROM document WHERE doc_type='SI' ORDER BY id DESC LIMIT 1").fetchone()
    doc_row = dict(zip(doc_cols, src))
    doc_id_src = doc_row["id"]

    def rows_of(table, where, arg):
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
        return cols, [dict(zip(cols, r)) for r in con.execute(f"SELECT * FROM {table} WHERE {where}", (arg,))]

    lcols, lines = rows_of("document_line", "document_id=?", doc_id_src)
    mcols, moves = rows_of("stock_move", "document_id=?", doc_id_src)
    vcols, vouchers = rows_of("journal_voucher", "document_id=?", doc_id_src)
    jcols, jlines = rows_of("journal_line", "voucher_id=?", vouchers[0]["id"])
    ecols, entries = rows_of("ledger_entry", "document_id=?", doc_id_src)
    acols, audits = rows_of("audit_log", "entity='document' AND entity_id=?", doc_id_src)

    def ins(table, cols, row):
        cs = [c for c in cols if c != "id"]
        cur = con.execute(f"INSERT INTO {table} ({','.join(cs)}) VALUES ({','.join('?' * len(cs))})",
                          [row[c] for c in cs])
        return cur.lastrowid

    def insmany(table, cols, rows):
        cs = [c for c in cols if c != "id"]
        con.executemany(f"INSERT INTO {table} ({','.join(cs)}) VALUES ({','.join('?' * len(cs))})",
                        [[r[c] for c in cs] for r in rows])

    times = []
    for k in range(rounds):
        t = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.execute("UPDATE number_sequence SET last_value = last_value + 1 WHERE doc_type='SI'")
        d = dict(doc_row, number=f"RAW{k:08d}")
        did = ins("document", doc_cols, d)
        insmany("document_line", lcols, [dict(l, document_id=did) for l in lines])
        insmany("stock_move", mcols, [dict(m, document_id=did, document_line_id=None) for m in moves])
        con.executemany("INSERT INTO stock_balance (item_id, location_id, batch_id, qty) VALUES (?,?,?,?) "
                        "ON CONFLICT (item_id, location_id, batch_id) DO UPDATE SET qty = qty + excluded.qty",
                        [(m["item_id"], m["location_id"], m["batch_id"], m["qty"]) for m in moves])
        # the hash chains: their heads move (the hash itself is computed in Python, as shopterm does)
        con.execute("UPDATE chain_head SET seq = seq + 1 WHERE name IN ('journal', 'audit')")
        vid = ins("journal_voucher", vcols, dict(vouchers[0], document_id=did, number=d["number"], chain_seq=None))
        jl_ids = []
        for j in jlines:
            jl_ids.append(ins("journal_line", jcols, dict(j, voucher_id=vid)))
        for e in entries:
            ins("ledger_entry", ecols, dict(e, document_id=did, journal_line_id=jl_ids[0], number=d["number"]))
        for a in audits:
            ins("audit_log", acols, dict(a, entity_id=did, chain_seq=None))
        con.execute("COMMIT")
        times.append((time.perf_counter() - t) * 1000)
    con.close()
    return times


def statements_of(services, post) -> list[tuple[str, object]]:
    """Every SQL statement ``post()`` sends, with its (first row of) parameters: those SQLAlchemy runs
    (its ``before_cursor_execute`` event) and those run on the DB-API cursor by ``store.db.Prepared``."""
    from sqlalchemy import event

    from shopterm.store import db as store_db

    seen = []
    listener = lambda conn, cur, stmt, params, ctx, many: seen.append((stmt, params))  # noqa: E731
    bind = store_db._Form.bind

    def traced(form, rows):
        sql, bound = bind(form, rows)
        if sql is not None:
            seen.append((sql, bound[0] if bound else ()))
        return sql, bound

    event.listen(services.db.engine, "before_cursor_execute", listener)
    store_db._Form.bind = traced
    try:
        post()
    finally:
        event.remove(services.db.engine, "before_cursor_execute", listener)
        store_db._Form.bind = bind
    return seen


def print_plans(services, cashier, d) -> None:
    """Each SELECT of one post (SQLite) with its query plan: a SCAN of a table that grows is a finding."""
    seen = statements_of(services, lambda: services.sales.post_invoice(cashier, d))
    with services.db.engine.connect() as conn:
        for stmt, params in seen:
            if not stmt.lstrip().upper().startswith("SELECT"):
                continue
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + stmt, params).all()
            print(" ".join(stmt.split())[:110])
            for row in plan:
                print("    ", row[-1])


def phases(services, cashier, d, n: int) -> None:
    """Thread CPU per phase of a post, inclusive (a phase's figure holds the phases it calls), mean of ``n``."""
    import collections
    import functools

    from shopterm.services.documents import posting
    from shopterm.services.documents import toolkit
    from shopterm.services.sales import invoice

    spent: collections.Counter = collections.Counter()
    undo = []

    def timed(owner, name, label=None):
        f = getattr(owner, name)

        @functools.wraps(f)
        def run(*args, **kw):
            t = time.thread_time()
            try:
                return f(*args, **kw)
            finally:
                spent[label or name] += time.thread_time() - t

        setattr(owner, name, run)
        undo.append((owner, name, f))

    for name in ("find_location", "check_open", "free_goods", "on_hand_of_batches", "check_available",
                 "redemption_for", "compute_totals", "outstanding_usd", "rate_approvals"):
        timed(invoice, name)
    for name in ("build", "_customer", "_line", "post_built"):
        timed(invoice.SalesService, name)
    timed(toolkit.Masters, "prefetch")
    timed(posting.PostingService, "post", "posting.post")
    timed(posting.PostingService, "_write_journal")
    for name in ("_write_header", "_insert_lines", "next_number"):
        timed(posting, name)
    timed(posting.audit, "record", "audit.record")
    timed(posting.chain, "chain_voucher")
    timed(posting.balances, "add_moves")
    timed(services.db.engine.dialect, "do_commit", "COMMIT (sqlite3)")
    total = 0.0
    try:
        for _ in range(n):
            t = time.thread_time()
            services.sales.post_invoice(cashier, d)
            total += time.thread_time() - t
    finally:
        for owner, name, f in reversed(undo):
            setattr(owner, name, f)
    print(f"post_invoice {total / n * 1000:.2f} ms thread CPU per post (mean of {n}, timed phases included)")
    for name, sec in spent.most_common():
        print(f"  {name:20} {sec / n * 1000:.3f}")


def account(services, cashier, d, n: int) -> None:
    """Where a post's thread CPU goes: SQLite's own work (each statement's execute/executemany and fetch on
    the DB-API cursor, the COMMIT), ``Prepared``'s binding and row reading, an empty write transaction
    (SQLAlchemy's session, the pool, BEGIN IMMEDIATE, COMMIT), the rest being the rules' Python. Each
    timed call's own timer cost is measured and taken off."""
    import collections
    import types

    from shopterm.store import db as store_db

    def per_post(fn, k):
        t = time.thread_time()
        for _ in range(k):
            fn()
        return (time.thread_time() - t) / k * 1000

    def post():
        services.sales.post_invoice(cashier, d)

    def empty():
        with services.db.write() as s:
            s.connection()

    total = per_post(post, n)
    tx = per_post(empty, 2000)
    spent: collections.Counter = collections.Counter()
    calls: collections.Counter = collections.Counter()

    def timed(name, f, *args):
        t = time.thread_time()
        try:
            return f(*args)
        finally:
            spent[name] += time.thread_time() - t
            calls[name] += 1

    class Cursor:  # the DB-API cursor, its statements timed (the rows' fetch is timed with Prepared's reading)
        def __init__(self, cur):
            self.cur = cur

        def execute(self, sql, params=()):
            return timed("SQLite statements", self.cur.execute, sql, params)

        def executemany(self, sql, rows):
            return timed("SQLite statements", self.cur.executemany, sql, rows)

        @property
        def description(self):
            return self.cur.description

        def fetchall(self):
            return self.cur.fetchall()

        def close(self):
            self.cur.close()

    class Driver:
        def __init__(self, con):
            self.con = con

        def cursor(self):
            return Cursor(self.con.cursor())

    run, bind, rows = store_db.Prepared._run, store_db._Form.bind, store_db._Form.rows
    dialect = services.db.engine.dialect
    commit = dialect.do_commit

    class OnConnection:  # a statement given the Connection (the running sums, the number): its cursor timed too
        def __init__(self, conn):
            self.conn, self.dialect = conn, conn.dialect
            self.connection = types.SimpleNamespace(driver_connection=Driver(conn.connection.driver_connection))

        def execute(self, *args):
            return self.conn.execute(*args)

    def run_timed(self, conn, params, many):
        if not store_db._is_orm_session(conn):
            return run(self, OnConnection(conn), params, many)
        held = conn.info.get(store_db._HELD)
        if held is not None and not isinstance(held[2], Driver):
            conn.info[store_db._HELD] = (held[0], held[1], Driver(held[2]))
        return run(self, conn, params, many)

    store_db.Prepared._run = run_timed
    store_db._Form.bind = lambda form, r: timed("Prepared binding", bind, form, r)
    store_db._Form.rows = lambda form, cur: timed("Prepared rows (SQLite's fetch included)", rows, form, cur)
    dialect.do_commit = lambda con: timed("SQLite COMMIT", commit, con)
    try:
        wrapped = per_post(post, n)
    finally:
        store_db.Prepared._run, store_db._Form.bind, store_db._Form.rows = run, bind, rows
        dialect.do_commit = commit
    probe: collections.Counter = collections.Counter()
    for _ in range(100_000):
        timed_t = time.thread_time()
        probe["x"] += time.thread_time() - timed_t
    per_call = probe["x"] / 100_000  # what a timed span reads with nothing inside it
    print(f"post_invoice {total:.3f} ms thread CPU per post (mean of {n}); {wrapped:.3f} with the timers")
    for name, sec in spent.items():
        print(f"  {name:38} {(sec - calls[name] * per_call) / n * 1000:.3f}  ({calls[name] / n:.0f} calls a post)")
    print(f"  an empty write transaction (session, pool, BEGIN IMMEDIATE, COMMIT of nothing) {tx:.3f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--profile", type=int, default=0)
    ap.add_argument("--batch", type=int, default=0, help="also time `shopterm post` of a list of N invoices")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--sql", action="store_true", help="count the SQL statements of one post")
    ap.add_argument("--plans", action="store_true", help="EXPLAIN QUERY PLAN of every SELECT one post runs")
    ap.add_argument("--phases", type=int, default=0, help="thread CPU per phase of a post, mean of N posts")
    ap.add_argument("--account", type=int, default=0,
                    help="thread CPU of a post split: SQLite, Prepared's binding and rows, the session, mean of N")
    ap.add_argument("--tail", action="store_true",
                    help="print the slowest posts: wall, thread CPU, garbage collections, whether the WAL restarted")
    ap.add_argument("--inline-checkpoints", action="store_true",
                    help="no background WAL checkpoints: SQLite's automatic one runs inside a commit, as before")
    a = ap.parse_args()
    if a.inline_checkpoints:
        from shopterm.store.db import Checkpoints

        Checkpoints.EVERY = 10**9  # none in the background
        Checkpoints.BACKSTOP_PAGES = 1000  # SQLite's default automatic checkpoint, inside a commit
    tmp = Path(tempfile.mkdtemp(prefix="postbench"))
    try:
        path = tmp / "bench.db"
        services, cashier, today = setup(path)
        d = draft(today)
        for _ in range(10):  # warm up (imports, first-use caches)
            services.sales.post_invoice(cashier, d)
        out = {}
        if a.sql:
            stmts = statements_of(services, lambda: services.sales.post_invoice(cashier, d))
            out["statements"] = len(stmts)
            for s_, _params in stmts:
                print(" ".join(s_.split())[:160], file=sys.stderr)
        if a.plans:
            print_plans(services, cashier, d)
        if a.phases:
            phases(services, cashier, d, a.phases)
        if a.account:
            account(services, cashier, d, a.account)
        if a.profile:
            pr = cProfile.Profile(time.process_time)  # CPU time: the machine is shared
            pr.enable()
            for _ in range(a.profile):
                services.sales.post_invoice(cashier, d)
            pr.disable()
            buf = io.StringIO()
            pstats.Stats(pr, stream=buf).sort_stats("cumulative").print_stats(40)
            print(buf.getvalue())
            buf = io.StringIO()
            pstats.Stats(pr, stream=buf).sort_stats("tottime").print_stats(25)
            print(buf.getvalue())
        times, cpu, notes = [], [], []
        gcs: list = []
        wal = Path(f"{path}-wal")

        def wal_salt() -> bytes:  # changes when the log restarts after a complete checkpoint
            with open(wal, "rb") as fh:
                return fh.read(24)[16:24]

        def on_gc(phase, info):
            if phase == "start":
                on_gc.t = time.perf_counter()
            else:
                gcs.append((info["generation"], (time.perf_counter() - on_gc.t) * 1000))

        if a.tail:
            import gc

            gc.callbacks.append(on_gc)
        for i in range(a.count):
            salt, n_gc = (wal_salt(), len(gcs)) if a.tail else (None, 0)
            t, c = time.perf_counter(), time.thread_time()
            services.sales.post_invoice(cashier, d)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.thread_time() - c) * 1000)
            if a.tail:
                notes.append((i, gcs[n_gc:], wal_salt() != salt))
        if a.tail:
            gc.callbacks.remove(on_gc)
            print("slowest posts (wall ms, thread CPU ms, collections (generation, ms), the log restarted):")
            for k in sorted(range(len(times)), key=lambda k: -times[k])[:12]:
                i, collected, restarted = notes[k]
                print(f"  #{i:4} wall {times[k]:6.2f}  cpu {cpu[k]:6.2f}  gc {[(g, round(ms, 2)) for g, ms in collected]}"
                      f"  {'log restarted' if restarted else ''}")
            restarts = [i for i, _c, r in notes if r]
            print(f"the log restarted {len(restarts)} times in {a.count} posts; thread CPU p99 {pct(cpu, 99):.2f} ms")
            # the post before a restart is the one whose commit copied the log (SQLite's automatic checkpoint)
            before = [i - 1 for i in restarts if i > 0]
            rest = [k for k in range(len(times)) if k not in set(before)]
            if before:
                print(f"posts before a restart: wall p50 {pct([times[k] for k in before], 50):.2f} ms, "
                      f"CPU p50 {pct([cpu[k] for k in before], 50):.2f} ms; the others: wall p50 "
                      f"{pct([times[k] for k in rest], 50):.2f}, CPU p50 {pct([cpu[k] for k in rest], 50):.2f}")
        out["post_ms"] = {"p50": round(pct(times, 50), 2), "p99": round(pct(times, 99), 2), "n": len(times),
                          "cpu_p50": round(pct(cpu, 50), 2), "cpu_p99": round(pct(cpu, 99), 2)}
        services.db.dispose()
        raw_db = tmp / "raw.db"
        shutil.copyfile(path, raw_db)
        for ext in ("-wal", "-shm"):
            if Path(str(path) + ext).exists():
                shutil.copyfile(str(path) + ext, str(raw_db) + ext)
        raw = raw_anchor(raw_db, max(a.count, 100))
        out["raw_ms"] = {"p50": round(pct(raw, 50), 3), "p99": round(pct(raw, 99), 3)}
        if a.batch:
            listfile = tmp / "batch.json"
            listfile.write_text(json.dumps(doc_json(today, a.batch)))
            shopterm = str(ROOT / ".venv" / "bin" / "shopterm")
            env = dict(os.environ, SHOPTERM_TODAY=today.isoformat(), SHOPTERM_PIN="1111")  # the demo cashier's PIN
            t, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            proc = subprocess.run([shopterm, "post", str(listfile), "--db", str(path), "--user", "cashier"],
                                  capture_output=True, text=True, env=env)
            wall = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)  # the command's own CPU
            if proc.returncode != 0:
                print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
                raise SystemExit("shopterm post failed")
            out["batch"] = {"documents": a.batch, "seconds": round(wall, 2), "per_s": round(a.batch / wall),
                            "cpu_s": round(cpu, 2)}
        if a.json:
            print(json.dumps(out))
        else:
            for k, v in out.items():
                print(f"{k:10} {v}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
