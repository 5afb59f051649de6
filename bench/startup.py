"""Start-up time and memory of a terminal app in an 80x24 pseudo-terminal.

    python bench/startup.py --ready PIN -- .venv/bin/shopterm demo --db X
    python bench/startup.py --ready PIN --then 'cashier|\\r|1111\\r@Menu|\\x0b|Facture|\\r' --then-ready Payable -- ...

Prints JSON: ``ready_s`` (launch to the first screen showing --ready), ``cpu_s`` (the CPU time
the process had used by then: user + system, to compare under load), ``rss_mib`` (the
process's peak resident memory, VmHWM, when ready), and with --then the peak after those
keys (``then_rss_mib``, e.g. with an invoice open). The median of --runs launches.
Keys understand \\r \\t \\x0b like keylat.py (../shared/tools/keylat.py).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time


def peak_rss_mib(pid: int) -> float:
    """VmHWM of the process and its children that are python (the app runs in the launched process)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_s(pid: int) -> float:
    """User + system CPU time the process has used so far (/proc/PID/stat), to compare under load."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def run_once(cmd, ready: str, then: str, then_ready: str, timeout: float) -> dict:
    env = dict(os.environ, TERM=os.environ.get("TERM", "xterm-256color"), COLUMNS="80", LINES="24")
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(cmd[0], cmd, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = bytearray()

    def wait_for(text: str, start: int = 0) -> float:
        while text.encode() not in seen[start:]:
            if time.perf_counter() - t0 > timeout:
                tail = bytes(seen[-3000:]).decode("utf-8", "replace")
                raise SystemExit(f"startup: {text!r} never appeared; the screen's last output: {tail!r}")
            r, _, _ = select.select([fd], [], [], 0.02)
            if r:
                try:
                    seen.extend(os.read(fd, 65536))
                except OSError:
                    raise SystemExit(f"startup: the app ended before {text!r} appeared")
        return time.perf_counter() - t0

    def settle(quiet: float = 0.3, longest: float = 2.0) -> None:
        """Read until ``quiet`` s pass without output (a blinking cursor never stops: ``longest`` s at most)."""
        end = time.perf_counter() + longest
        while time.perf_counter() < end:
            r, _, _ = select.select([fd], [], [], quiet)
            if not r:
                return
            try:
                seen.extend(os.read(fd, 65536))
            except OSError:
                return

    out = {}
    try:
        out["ready_s"] = wait_for(ready)
        out["cpu_s"] = cpu_s(pid)
        # the shell's `shopterm` script execs python: the pid is the app's own process
        out["rss_mib"] = peak_rss_mib(pid)
        if then:
            settle()
            mark = len(seen)
            for step in then.split("|"):  # steps typed whole, each followed by a quiet moment
                if step.startswith("~"):  # "~S": pause S seconds (let a slow machine move the focus)
                    time.sleep(float(step[1:]))
                    continue
                keys, _, wait_text = step.partition("@")  # "keys@TEXT": then wait until TEXT shows
                here = len(seen)
                os.write(fd, keys.encode().decode("unicode_escape").encode())
                if wait_text:
                    wait_for(wait_text, here)
                time.sleep(0.3)
                settle(0.4)
            if then_ready:
                wait_for(then_ready, mark)
            settle(0.5)
            out["then_rss_mib"] = peak_rss_mib(pid)
    finally:
        os.kill(pid, signal.SIGTERM)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        os.close(fd)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready", required=True)
    ap.add_argument("--then", default="")
    ap.add_argument("--then-ready", default="")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    runs = [run_once(cmd, a.ready, a.then, a.then_ready, a.timeout) for _ in range(a.runs)]
    res = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}
    res["runs"] = len(runs)
    print(json.dumps(res))


if __name__ == "__main__":
    sys.exit(main())
