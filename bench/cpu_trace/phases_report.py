#!/usr/bin/env python3
"""The page turns of a trace written with ``bench/cpu_trace/phases.py``, phase by phase (ms).

    python3 bench/cpu_trace/phases_report.py TRACE [--all]    # --all: every Enter, not only the turns

Per Enter: the loop thread's CPU and the wall from the key to its first write (the frame), the Enter's own
work before the scroll's layout, Textual's reflow of what is shown, the frame's render, the collections
inside the frame, the bytes written.
"""

from __future__ import annotations

import statistics
import sys


def keys(path: str) -> list[dict]:
    out: list[dict] = []
    for line in open(path).read().splitlines():
        row = line.split("\t")
        if row[0] == "K":
            out.append({"key": row[3], "cpu": float(row[1]), "wall": float(row[2]), "events": []})
        elif out and line:
            out[-1]["events"].append(row)
    return out


def main() -> None:
    every = "--all" in sys.argv
    path = next(a for a in sys.argv[1:] if not a.startswith("-"))
    frames: dict[str, list[float]] = {"turn": [], "other": []}
    for i, k in enumerate(keys(path)):
        writes = [e for e in k["events"] if e[0] == "W"]
        if k["key"] != "enter" or not writes:
            continue
        cpu_at, wall_at = float(writes[0][1]), float(writes[0][2])
        phases = [e for e in k["events"] if e[0] == "P" and float(e[1]) < cpu_at]
        turn = any(e[3] == "TURN" for e in phases)
        frames["turn" if turn else "other"].append((cpu_at - k["cpu"]) * 1000)
        if not (turn or every):
            continue

        def total(name: str) -> float:
            return sum(float(e[4]) for e in phases if e[3] == name)

        layouts = [e for e in phases if e[3] == "layout"]
        before = (float(layouts[0][1]) - k["cpu"]) * 1000 if layouts else (cpu_at - k["cpu"]) * 1000
        collected = sum(float(e[4]) for e in phases if e[3].startswith("gc"))
        print(f"#{i:<4d} {'turn' if turn else '    '} frame CPU {(cpu_at - k['cpu']) * 1000:5.1f} "
              f"wall {(wall_at - k['wall']) * 1000:5.1f} | Enter before the layout {before:5.1f} "
              f"reflow {total('reflow_visible'):5.1f} render {total('render'):5.1f} gc {collected:4.1f} "
              f"| {writes[0][3]} B")
    for kind, values in frames.items():
        if values:
            print(f"{kind}: {len(values)} Enters, frame CPU p50 {statistics.median(values):.1f} max {max(values):.1f}")


if __name__ == "__main__":
    main()
