#!/usr/bin/env python3
"""Keystroke latency of the Sales Invoice item grid, one figure per kind of key (issue 13).

Drives ``shopterm demo`` on a fresh temporary database in an 80×24 pseudo-terminal
with the primitives of ``keylat.py`` (found at ``../shared/tools/keylat.py`` from the
repository root, or ``KEYLAT=path``): signs in as the cashier, opens Sales Invoice
(Facture) from Ctrl+K (a new invoice: the walk-in customer, the focus in row 1's
item cell), then types LINES lines, each

    item code (each character: ``item_char``), Enter (``item_enter``: the item is
    resolved and its cells filled), a digit in Qty (``qty_digit``), the Enter(s)
    that end the line, the last of which opens the next row (``row_enter``)

and finally goes back up to the Qty cell of the last line and types a digit and
Backspace ROUNDS times (``qty_digit_N``: a digit with N lines in the grid).
In the same run, a bare Textual app with one Input (``bench/bare_input.py``)
answers typed digits: the anchor (``bare_input``).

Every key is timed from the write to the first and to the last byte of the
screen's answer (the answer ends after QUIET ms of silence) and its bytes are
counted. Prints p50/p95/max per kind; ``--json`` prints one JSON object.

    bench/keylat_grid.sh                 # 25 lines, 40 rounds
    GRID_LINES=10 ROUNDS=20 bench/keylat_grid.sh --json
    bench/keylat_grid.sh --cpu           # also cpu_<kind>: the app's event-loop CPU per key
                                         # (bench/cpu_trace/sitecustomize.py; load-independent)

LINE_END is the key(s) that end a line after the Qty digit (default: Enter, since
Enter in Qty ends the line on the invoice; ``LINE_END='\\r\\r\\r\\r'`` for a grid
where Enter walks through Price, Disc% and Flat first).
"""

from __future__ import annotations

import argparse
import fcntl
import importlib.util
import json
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: the demo shelf: a different item on each line (cycled)
CODES = ("PARA500", "AMOX250", "BAND01", "IBU400", "ORS01", "ARTE20", "METRO250", "CIPRO500", "VITC500",
         "ZINC20", "OMEP20", "SALB100", "SYR5ML", "GAUZE10")


def keylat_path() -> Path:
    """KEYLAT, else ``../shared/tools/keylat.py`` from the repository root (for a git
    worktree elsewhere: from the root of the main checkout it belongs to)."""
    if os.environ.get("KEYLAT"):
        return Path(os.environ["KEYLAT"])
    path = ROOT.parent / "shared" / "tools" / "keylat.py"
    if not path.is_file():
        try:
            common = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--path-format=absolute",
                                     "--git-common-dir"], capture_output=True, text=True, check=True).stdout.strip()
            path = Path(common).parent.parent / "shared" / "tools" / "keylat.py"
        except (OSError, subprocess.CalledProcessError):
            pass
    return path


def load_keylat():
    path = keylat_path()
    if not path.is_file():
        sys.exit(f"keylat_grid: keylat.py not found at {path} (set KEYLAT=path)")
    spec = importlib.util.spec_from_file_location("keylat", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def drain(fd: int, quiet_s: float, limit_s: float, sink: list, cap_s: float = 10.0):
    """keylat's drain (read until no byte for quiet_s; None times when nothing came within
    limit_s), capped at cap_s in all: a screen that never goes quiet cannot hang the run."""
    start = time.perf_counter()
    first = last = None
    n = 0
    while True:
        now = time.perf_counter()
        wait = quiet_s if last is not None else limit_s - (now - start)
        wait = min(wait, cap_s - (now - start))
        if wait <= 0:
            break
        r, _, _ = select.select([fd], [], [], wait)
        if not r:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        t = time.perf_counter()
        first = first or t
        last = t
        n += len(data)
        sink.append(data)
    return first, last, n


class Pty:
    """A command in a pseudo-terminal, keys timed with keylat's drain()."""

    def __init__(self, kl, cmd: list[str], cols: int, rows: int, quiet_ms: float, env_extra: dict | None = None) -> None:
        self.kl = kl
        self.quiet = quiet_ms / 1000
        env = dict(os.environ, TERM=os.environ.get("TERM", "xterm-256color"), COLUMNS=str(cols), LINES=str(rows),
                   **(env_extra or {}))
        self.sent: list[str | None] = []  # the tag of every key sent, in order (None: not measured)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(cmd[0], cmd, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.seen: list[bytes] = []
        self.samples: dict[str, list[tuple[float, float, int]]] = {}
        self.trace = bool(os.environ.get("TRACE"))
        self.marks: list[tuple[int, str | None, bytes]] = []  # (offset in the output, tag, key)

    def _tag(self, tag: str | None) -> None:
        """Tell the traced app which key comes next (its profiler picks one kind of key)."""
        path = os.environ.get("SHOPTERM_KEYTAG_FILE")
        if path:
            Path(path).write_text(tag or "")

    def wait_for(self, text: str, timeout: float = 60) -> None:
        t0 = time.perf_counter()
        while text.encode() not in b"".join(self.seen)[-200000:]:
            if time.perf_counter() - t0 > timeout:
                sys.exit(f"keylat_grid: {text!r} never appeared")
            drain(self.fd, 0.05, 0.5, self.seen)

    def settle(self, quiet_s: float = 0.3) -> None:
        drain(self.fd, quiet_s, 2, self.seen)

    def type(self, spec: str, quiet_s: float = 0.25) -> None:
        """Keys not measured: each waits for quiet_s of silence."""
        for k in self.kl.keys(spec):
            self.sent.append(None)
            self._tag(None)
            os.write(self.fd, k)
            drain(self.fd, quiet_s, 3, self.seen)

    def press(self, tag: str | None, spec: str, quiet_ms: float | None = None) -> None:
        """Each key of ``spec`` measured under ``tag`` (None: not recorded); its answer
        ends after ``quiet_ms`` (default QUIET) of silence."""
        quiet = self.quiet if quiet_ms is None else quiet_ms / 1000
        for k in self.kl.keys(spec):
            self.sent.append(tag)
            self._tag(tag)
            sent = time.perf_counter()
            os.write(self.fd, k)
            if os.environ.get("DUMP"):
                self.marks.append((sum(map(len, self.seen)), tag, k))
            first, last, n = drain(self.fd, quiet, 3, self.seen)
            if self.trace:
                took = "no answer" if first is None else f"{(last - sent) * 1000:.1f} ms {n} B"
                print(f"keylat_grid: {tag or '-'} {k!r}: {took}", file=sys.stderr)
            if tag is not None and first is not None:
                self.samples.setdefault(tag, []).append(((first - sent) * 1000, (last - sent) * 1000, n))

    def close(self) -> None:
        if os.environ.get("DUMP"):  # the raw terminal output, to look at a run that went wrong
            Path(os.environ["DUMP"]).write_bytes(b"".join(self.seen))
            Path(os.environ["DUMP"] + ".keys").write_text(
                "\n".join(f"{off}\t{tag}\t{key!r}" for off, tag, key in self.marks))
        try:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        except OSError:
            pass


def summary(kl, samples: list[tuple[float, float, int]]) -> dict:
    firsts = [s[0] for s in samples]
    lasts = [s[1] for s in samples]
    sizes = [s[2] for s in samples]
    return {"presses": len(samples),
            "first_ms": {"p50": round(kl.pct(firsts, 50), 1), "p95": round(kl.pct(firsts, 95), 1),
                         "max": round(max(firsts or [0]), 1)},
            "last_ms": {"p50": round(kl.pct(lasts, 50), 1), "p95": round(kl.pct(lasts, 95), 1),
                        "max": round(max(lasts or [0]), 1)},
            "bytes": {"p50": kl.pct(sizes, 50), "p95": kl.pct(sizes, 95), "max": max(sizes or [0])}}


def run_grid(kl, a, shopterm: str, db: str, trace: str | None = None) -> dict[str, list]:
    env = None
    if trace:  # the loop thread's CPU per key (bench/cpu_trace/sitecustomize.py)
        here = str(ROOT / "bench" / "cpu_trace")
        env = {"SHOPTERM_KEYTRACE": trace,
               "PYTHONPATH": os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)}
    p = Pty(kl, [shopterm, "demo", "--db", db], a.cols, a.rows, a.quiet, env)
    try:
        p.wait_for("Sign in")  # (shopterm demo prints "PIN" before the TUI starts)
        p.settle()
        # sign in, open the invoice from Ctrl+K, pick the client: each step waits for the
        # screen to show its result (a loaded machine can be slow to filter the palette)
        p.type("cashier\r1111\r")
        p.settle(1.0)
        p.type("\x0bFacture")
        p.settle(0.5)
        p.seen.clear()
        p.type("\r")
        # a new invoice opens on the walk-in customer with the focus in row 1's item cell
        p.wait_for("Walk-In Customer")
        p.settle(1.0)
        line_end = a.line_end.encode().decode("unicode_escape")
        for n in range(1, a.lines + 1):
            code = CODES[(n - 1) % len(CODES)]
            if n == 1:  # the first item loads the item map / imports: not measured
                p.type(code + "\r")
            else:
                p.press("item_char", code)
                # the item is looked up off the event loop: its cells are filled a frame or
                # more after the focus moved to Qty; a long silence window catches that frame
                p.press("item_enter", "\r", a.fill_quiet)
            p.press("qty_digit_1" if n == 1 else "qty_digit", "2")
            ends = kl.keys(line_end)
            for i, k in enumerate(ends):
                p.press("row_enter" if i == len(ends) - 1 else "cell_enter", k.decode())
        # back to the last line's Qty: Up (item cell of line N), Enter (Qty)
        p.type("{UP}\r", 0.3)
        for _ in range(a.rounds):
            p.press(f"qty_digit_{a.lines}", "5\x7f")
        return p.samples
    finally:
        p.close()
        if trace:
            time.sleep(0.5)  # the traced app writes its stamps as it ends
            cpu_per_key(p.sent, trace, p.samples)


def cpu_per_key(sent: list[str | None], trace: str, samples: dict[str, list]) -> None:
    """Add ``cpu_<tag>`` samples: the loop thread's CPU (ms) from each key to the next."""
    try:
        rows = [line.split("\t") for line in Path(trace).read_text().splitlines() if line]
    except OSError:
        print("keylat_grid: no CPU trace written", file=sys.stderr)
        return
    keys = [float(r[1]) for r in rows if r[0] == "K"]
    if len(keys) != len(sent):
        print(f"keylat_grid: CPU trace has {len(keys)} keys for {len(sent)} sent: not used", file=sys.stderr)
        return
    for i, tag in enumerate(sent):
        if tag is None or i + 1 >= len(keys):
            continue
        samples.setdefault(f"cpu_{tag}", []).append(((keys[i + 1] - keys[i]) * 1000, 0.0, 0))


def run_bare(kl, a) -> list:
    p = Pty(kl, [sys.executable if not a.python else a.python, str(ROOT / "bench" / "bare_input.py")],
            a.cols, a.rows, a.quiet)
    try:
        p.wait_for("READY")
        p.settle()
        for _ in range(a.rounds):
            p.press("bare_input", "5\x7f")
        return p.samples.get("bare_input", [])
    finally:
        p.close()


ORDER = ("bare_input", "item_char", "item_enter", "qty_digit_1", "qty_digit", "cell_enter", "row_enter")
GOALS = {"row_enter": "<= 33 ms p95, <= 8 KB", "item_enter": "<= 33 ms p95", "item_char": "<= 33 ms p95, <= 2 KB",
         "qty_digit": "<= 33 ms p95 whatever the line count"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=int(os.environ.get("GRID_LINES", 25)))
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", 40)))
    ap.add_argument("--quiet", type=float, default=float(os.environ.get("QUIET", 120)),
                    help="ms of silence that ends the answer to a key")
    ap.add_argument("--fill-quiet", type=float, default=float(os.environ.get("FILL_QUIET", 400)),
                    help="ms of silence that ends the answer to Enter on an item (its cells filled)")
    ap.add_argument("--line-end", default=os.environ.get("LINE_END", r"\r"))
    ap.add_argument("--cols", type=int, default=80)
    ap.add_argument("--rows", type=int, default=24)
    ap.add_argument("--python", default=os.environ.get("PYTHON", ""), help="python for the bare Textual app")
    ap.add_argument("--no-bare", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cpu", action="store_true", default=bool(os.environ.get("CPU")),
                    help="also the event-loop thread's CPU per key (cpu_<key> rows: ms from the key to the next)")
    a = ap.parse_args()
    kl = load_keylat()
    shopterm = os.environ.get("SHOPTERM") or str(ROOT / ".venv" / "bin" / "shopterm")
    if not a.python:
        venv_python = ROOT / ".venv" / "bin" / "python"
        a.python = str(venv_python) if venv_python.exists() else sys.executable
    tmp = tempfile.mkdtemp(prefix="keylat-grid-")
    try:
        db = os.path.join(tmp, "demo.db")
        subprocess.run([shopterm, "demo", "--db", db, "--no-tui"], check=True, stdout=subprocess.DEVNULL)
        samples: dict[str, list] = {}
        if not a.no_bare:
            samples["bare_input"] = run_bare(kl, a)
        samples.update(run_grid(kl, a, shopterm, db, (os.environ.get("CPU_TRACE_FILE") or os.path.join(tmp, "cpu.trace")) if a.cpu else None))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    tags = [t for t in ORDER if t in samples] + sorted(t for t in samples if t not in ORDER)
    result = {t: summary(kl, samples[t]) for t in tags}
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    if a.json:
        print(json.dumps(result))
        return
    print(f"{'key':16} {'n':>4} {'first p50':>10} {'last p50':>9} {'last p95':>9} {'max':>7} "
          f"{'B p50':>6} {'B max':>6}  goal")
    for t in tags:
        r = result[t]
        if t.startswith("cpu_"):  # the loop thread's CPU per key: p50 / p95 / max
            print(f"{t:16} {r['presses']:>4} {'CPU ms':>10} {r['first_ms']['p50']:>9} {r['first_ms']['p95']:>9} "
                  f"{r['first_ms']['max']:>7}")
            continue
        goal = GOALS.get("qty_digit" if t.startswith("qty_digit") else t, "")
        print(f"{t:16} {r['presses']:>4} {r['first_ms']['p50']:>10} {r['last_ms']['p50']:>9} "
              f"{r['last_ms']['p95']:>9} {r['last_ms']['max']:>7} {r['bytes']['p50']:>6} {r['bytes']['max']:>6}  {goal}")
    print(f"load average {result['load_average']}; times in ms to the first/last byte of the answer; "
          f"B = bytes written for the key")


if __name__ == "__main__":
    main()
