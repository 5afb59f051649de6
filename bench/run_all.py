"""Every row of issue 13's table, measured now, beside its goal and its anchor measured in the same run.

    bench/run_all.sh                     # everything (the 1M-entry ledger is generated once, ~10 min, then reused)
    bench/run_all.sh --quick             # fewer rounds, a 100,000-entry ledger
    LEDGER_DB=/tmp/big.db bench/run_all.sh

Not part of the test run. Each row runs in its own process; the machine's load is printed
with the results (figures on a shared machine are best compared with their anchor).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PY = str(BIN / "python")
SHOPTERM = str(BIN / "shopterm")
KEYLAT = Path(os.environ.get("KEYLAT") or ROOT.parent / "shared" / "tools" / "keylat.py")  # ../shared/tools/ beside the repo


def run_json(args: list[str], env: dict | None = None, timeout: float = 3600) -> dict:
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)
    for line in reversed(proc.stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"{' '.join(args)} gave no JSON: {proc.stdout[-800:]} {proc.stderr[-1500:]}")


def wall_of(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(args, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


ROWS: list[tuple[str, str, str, str, str]] = []


def row(what: str, now: str, anchor: str, goal: str, met: bool | None) -> None:
    ROWS.append((what, now, anchor, goal, "yes" if met else ("no" if met is not None else "-")))
    print(f"  {what}: {now} | {anchor} | goal {goal} | {ROWS[-1][4]}", file=sys.stderr, flush=True)


class section:
    """A group of rows: an error in it becomes one 'failed' row and the run goes on."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is not None and not isinstance(exc, KeyboardInterrupt):
            row(self.name, f"failed: {str(exc).splitlines()[0][:160]}", "", "", None)
            return True
        return False


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--batch", type=int, default=0, help="invoices in the `shopterm post` list (default 1,000)")
    a = ap.parse_args()
    runs = 3 if a.quick else 5
    tmp = Path(tempfile.mkdtemp(prefix="shopterm-bench-"))
    load_before = os.getloadavg()
    try:
        # -- the item grid (keystrokes): helper scripts beside this one, driven through keylat.py
        if KEYLAT.exists():
            for script in sorted(Path(__file__).parent.glob("keylat_*.sh")):
                try:
                    r = run_json(["bash", str(script), "--json"], env=dict(os.environ, KEYLAT=str(KEYLAT)), timeout=900)
                    row(f"grid: {script.stem} (repaint done)", f"{r['repaint_done_ms']['p50']} ms p50, "
                        f"{r['repaint_done_ms']['p95']} ms p95, {r['bytes']['p95']} B p95", "", "<= 33 ms p95",
                        r["repaint_done_ms"]["p95"] <= 33)
                except Exception as exc:  # noqa: BLE001 - report and go on
                    row(f"grid: {script.stem}", f"failed: {str(exc)[:120]}", "", "<= 33 ms p95", None)
        else:
            row("grid keystrokes", f"keylat.py not found at {KEYLAT}", "", "<= 33 ms p95", None)

        # -- posting
        with section("posting"):
            count = 100 if a.quick else 300
            p = run_json([PY, "bench/post_bench.py", "--count", str(count), "--batch", str(a.batch or (300 if a.quick else 1000)),
                          "--json"])
            raw = p["raw_ms"]["p50"]
            row("post a 10-line sales invoice through the services", f"{p['post_ms']['p50']} ms p50 "
                f"({p['post_ms']['p99']} p99; CPU {p['post_ms']['cpu_p50']} ms)", f"raw sqlite3 same rows {raw} ms p50",
                f"<= 3x raw ({3 * raw:.2f} ms), p99 <= 5 ms", p["post_ms"]["p50"] <= 3 * raw and p["post_ms"]["p99"] <= 5)
            b = p["batch"]
            row(f"shopterm post of {b['documents']:,} invoices in one list", f"{b['seconds']} s ({b['per_s']} documents/s)",
                "", ">= 1,000 documents/s", b["per_s"] >= 1000)

        # -- start-up
        with section("start-up"):
            demo = tmp / "demo.db"
            subprocess.run([SHOPTERM, "demo", "--no-tui", "--db", str(demo)], capture_output=True, check=True)
            bare = run_json([PY, "bench/startup.py", "--runs", str(runs), "--ready", "Sign in", "--", PY, "bench/bare_app.py"])
            tui = run_json([PY, "bench/startup.py", "--runs", str(runs), "--ready", "Sign in", "--", SHOPTERM, "--db", str(demo)])
            anchor = f"bare Textual app {bare['ready_s']} s, {bare['rss_mib']:.0f} MiB"
            row("TUI start to the sign-in screen (existing DB)", f"{tui['ready_s']} s, {tui['rss_mib']:.0f} MiB", anchor,
                "<= 1.5x bare", tui["ready_s"] <= 1.5 * bare["ready_s"] and tui["rss_mib"] <= 1.5 * bare["rss_mib"])
            d = run_json([PY, "bench/startup.py", "--runs", str(max(1, runs - 2)), "--timeout", "120", "--ready", "Sign in",
                          "--then", "cashier|\\r|~2|1111|~1|\\r@Menu|~1|\\x0b|~1|Facture|~1|\\r", "--then-ready", "Payable", "--",
                          SHOPTERM, "demo", "--db", str(demo)])
            row("shopterm demo on an existing demo DB to sign-in", f"{d['ready_s']} s, {d['rss_mib']:.0f} MiB; "
                f"{d['then_rss_mib']:.0f} MiB peak with an invoice open", anchor, "<= 1.5x bare, <= 100 MiB",
                d["ready_s"] <= 1.5 * bare["ready_s"] and d["then_rss_mib"] <= 100)

        # -- one CLI command: wall, CPU, waiting for a CPU
        with section("shopterm ledger balances"):
            env = dict(os.environ, SHOPTERM_PIN="2222")
            cli = [run_json([PY, "bench/cli_wall.py", "ledger", "balances", "--db", str(demo), "--user", "manager"],
                            env=env) for _ in range(runs)]
            med = {k: statistics.median(c[k] for c in cli) for k in ("wall_s", "cpu_s", "runq_s", "io_s", "other_s")}
            textual = wall_of([PY, "-c", "from textual.app import App"], runs)
            start = wall_of([PY, "-c", "pass"], runs)
            row("shopterm ledger balances on the demo DB", f"{med['wall_s'] + start:.2f} s wall for {med['cpu_s']:.2f} s "
                f"CPU; {med['runq_s']:.2f} s waiting for a CPU, {med['io_s']:.2f} s disk, {med['other_s']:.2f} s other",
                f"python -c 'from textual.app import App' {textual:.2f} s", "<= 0.3 s wall",
                med["wall_s"] + start <= 0.3)

        # -- the ledger at a million entries
        with section("ledger at 1M"):
            entries = 100_000 if a.quick else 1_000_000
            db = Path(os.environ.get("LEDGER_DB", Path(tempfile.gettempdir()) / f"shopterm-ledger-{entries}.db"))
            args = [PY, "bench/ledger_bench.py", "--entries", str(entries), "--db", str(db), "--no-export", "--json"]
            if db.exists():
                args.append("--reuse")
            L = run_json(args, timeout=7200)
            n = f"{entries // 1000:,}k" if entries < 1_000_000 else "1M"
            first = L["open items, all customers, today: first page of 50 (streamed)"]
            row(f"open items of all customers at a date, {n} entries",
                f"first page {first:.0f} ms (a year ago {L['open items, all customers, a year ago: first page of 50']:.0f}"
                f" ms); whole report {L['open items, all customers, today']:.0f} ms", "", "<= 200 ms (streamed)",
                first <= 200)
            row(f"receivables ageing, {n}", f"{L['ageing, all customers']:.0f} ms (a year ago "
                f"{L['ageing, all customers, a year ago']:.0f} ms)", "", "<= 200 ms", L["ageing, all customers"] <= 200)
            row(f"trial balance, {n}", f"{L['trial balance']:.1f} ms", "", "<= 50 ms", L["trial balance"] <= 50)
            row(f"balance of one customer at a date, {n}", f"{L['balance of the big customer at a date']:.1f} ms "
                "in-process", "", "keep (1.9 ms before)", L["balance of the big customer at a date"] <= 5)
            row("statement page (in-process, big customer, middle page)",
                f"{L['entries: a page in the middle (after_key)']:.1f} ms", "", "keep (1.3-6 ms)",
                L["entries: a page in the middle (after_key)"] <= 10)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()
    w = [max(len(r[i]) for r in ROWS + [("what", "now", "anchor (same run)", "goal", "met")]) for i in range(5)]
    head = ("what", "now", "anchor (same run)", "goal", "met")
    print(f"shopterm benchmarks, {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores; load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after")
    print(" | ".join(h.ljust(w[i]) for i, h in enumerate(head)))
    print("-+-".join("-" * x for x in w))
    for r in ROWS:
        print(" | ".join(c.ljust(w[i]) for i, c in enumerate(r)))


if __name__ == "__main__":
    main()
