#!/usr/bin/env python3
"""PageDown in the customer ledger's statement page, as a manager feels it (issue 13's
"statement page, TUI PageDown" row).

Drives ``shopterm --db LEDGER_DB`` (the 1M-entry ledger that ``bench/ledger_bench.py``
generates, which has the manager/2222 user) in an 80×24 pseudo-terminal with
``keylat.py`` (``../shared/tools/keylat.py`` from the repository root, or ``KEYLAT=``):
signs in as the manager, opens Customer Ledger from Ctrl+K, picks the customer with the
most entries, then presses PageDown COUNT times. Each press is timed from the write to the
first and to the last byte of the screen's answer, and its bytes are counted.

    .venv/bin/python bench/keylat_statement.py --db /tmp/big.db            # 40 presses
    .venv/bin/python bench/keylat_statement.py --db /tmp/big.db --json

The sign-in writes its audit entry into the database; nothing else is changed.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))
from keylat_grid import keylat_path  # noqa: E402

PAGE_DOWN = "\\x1b[6~"


def big_customer(db: Path) -> tuple[str, int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(
            "select c.code, n from customer c join (select customer_id, count(*) n from ledger_entry "
            "group by customer_id order by n desc limit 1) e on e.customer_id = c.id").fetchone()
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    code, n = big_customer(a.db)
    cmd = [sys.executable, str(keylat_path()), "--json", "--ready", "PIN",
           "--setup", f"manager\\t2222\\r\\x0bCustomer Ledger\\r{code}\\r", "--setup-ready", "PgDn for more",
           "--key", PAGE_DOWN, "--count", str(a.count), "--timeout", "60",
           "--", str(ROOT / ".venv" / "bin" / "shopterm"), "--db", str(a.db)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    line = next((x for x in reversed(out.stdout.splitlines()) if x.startswith("{")), None)
    if line is None:
        sys.exit(f"keylat gave no figures: {out.stdout[-500:]} {out.stderr[-800:]}")
    res = json.loads(line) | {"customer": code, "entries": n}
    if a.json:
        print(json.dumps(res))
        return
    f, d, b = res["first_byte_ms"], res["repaint_done_ms"], res["bytes"]
    print(f"PageDown in {code}'s statement ({n:,} entries), {res['presses']} presses")
    print(f"first byte p50 {f['p50']} ms, p95 {f['p95']}; repaint done p50 {d['p50']} ms, p95 {d['p95']}, "
          f"max {d['max']}; {b['p50']} B p50, {b['max']} B max")


if __name__ == "__main__":
    main()
