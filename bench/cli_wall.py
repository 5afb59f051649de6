"""Where the wall time of one ``shopterm`` command goes: CPU, waiting for a CPU, waiting for the disk.

    .venv/bin/python bench/cli_wall.py ledger balances --db X --user manager --pin 2222

Runs the command in this process (as the ``shopterm`` script would) and prints one JSON line:
``wall_s``, ``cpu_s`` (user + system), ``runq_s`` (time runnable but waiting for a CPU, from
/proc/self/schedstat: other processes on a shared machine), ``io_s`` (block I/O delay, from
/proc/self/stat when the kernel accounts it) and ``other_s`` (the rest: sleeps, locks, subprocesses).
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from contextlib import redirect_stdout

T0 = time.perf_counter()
C0 = os.times()


def _schedstat() -> tuple[float, float]:
    try:
        run, wait, _ = open("/proc/self/schedstat").read().split()
        return int(run) / 1e9, int(wait) / 1e9
    except (OSError, ValueError):
        return float("nan"), float("nan")


def _blkio_s() -> float:
    try:
        fields = open("/proc/self/stat").read().rsplit(")", 1)[1].split()
        return int(fields[39]) / os.sysconf("SC_CLK_TCK")  # delayacct_blkio_ticks (field 42)
    except (OSError, ValueError, IndexError):
        return float("nan")


def main() -> None:
    _, wait0 = _schedstat()
    code = 0
    with redirect_stdout(io.StringIO()):
        try:
            from shopterm.cli import main as shopterm

            shopterm(sys.argv[1:])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    wall = time.perf_counter() - T0
    c = os.times()
    cpu = (c.user - C0.user) + (c.system - C0.system)
    _, wait1 = _schedstat()
    runq = wait1 - wait0
    blk = _blkio_s()
    print(json.dumps({"exit": code, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "runq_s": round(runq, 3),
                      "io_s": round(blk, 3), "other_s": round(max(0.0, wall - cpu - runq - (blk if blk == blk else 0)), 3)}))


if __name__ == "__main__":
    main()
