"""Long ledger work with progress at a million entries (issue 16): for each whole-ledger report, the
time with and without the progress callback, how many progress steps it gives, and the longest gap
between two steps — the longest an Esc can wait before the report stops (the cancel is checked at
each step).

    nice -n 19 .venv/bin/python bench/progress_bench.py --db /tmp/big.db   # a ledger_bench.py database

Not part of the test run; the database comes from ``bench/ledger_bench.py`` (``--entries``). Times are
CPU of this thread (``time.thread_time``) and wall, with the load average said beside them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TODAY = dt.date(2027, 1, 1)  # ledger_bench.py's last day


def measure(name: str, run) -> None:
    steps: list[float] = []

    def progress(done: int, total: int) -> None:
        steps.append(time.perf_counter())

    c0, w0 = time.thread_time(), time.perf_counter()
    run(None)
    plain_cpu, plain_wall = time.thread_time() - c0, time.perf_counter() - w0
    c0, w0 = time.thread_time(), time.perf_counter()
    run(progress)
    cpu, wall = time.thread_time() - c0, time.perf_counter() - w0
    marks = [w0, *steps, w0 + wall]
    gap = max(b - a for a, b in zip(marks, marks[1:]))
    print(f"{name:<44} plain {plain_cpu:6.2f} s CPU {plain_wall:6.2f} s wall | with progress {cpu:6.2f} s CPU "
          f"{wall:6.2f} s wall, {len(steps):5d} steps, longest gap {gap:5.2f} s  (load {os.getloadavg()[0]:.1f})",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a database made by bench/ledger_bench.py")
    parser.add_argument("--journal", action="store_true", help="also the whole journal export (minutes at 1M)")
    args = parser.parse_args()
    from shopterm.services import Services
    from shopterm.services.ledger.hledger import export_journal

    s = Services.open(f"sqlite:///{args.db}", today=TODAY)
    m = s.users.login("manager", "2222")
    month = TODAY.replace(day=1) - dt.timedelta(days=31)
    d1, d2 = month.replace(day=1), TODAY
    ledger = s.ledger
    measure("ageing, all customers", lambda p: ledger.ageing(m, TODAY, on_progress=p))
    measure("open items, all customers", lambda p: ledger.open_items(m, TODAY, on_progress=p))
    measure(f"statements of all customers {d1}..{d2}", lambda p: ledger.statement(m, d1, d2, on_progress=p))
    measure(f"general ledger, all, {d1}..{d2}",
            lambda p: ledger.general_ledger(m, None, d1, d2, True, on_progress=p))
    measure(f"register 1200, {d1}..{d2}", lambda p: ledger.account_register(m, "1200", d1, d2, on_progress=p))
    measure("trial balance", lambda p: ledger.trial_balance(m, TODAY, on_progress=p))
    if args.journal:
        measure("export journal (csv)", lambda p: export_journal(s, m, "csv", io.StringIO(), on_progress=p))


if __name__ == "__main__":
    main()
