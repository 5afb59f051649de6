"""Per-phase probe for the keylat benches (never imported by shopterm; issue 13, the grid's page turn).

Run through ``bench/cpu_trace/sitecustomize.py``'s ``SHOPTERM_KEYTRACE_EXTRA``, which execs this file in
the app with ``log`` (appends one tab-separated line to the CPU trace)::

    CPU_TRACE_FILE=/tmp/t.trace SHOPTERM_KEYTRACE_EXTRA=bench/cpu_trace/phases.py \\
        bench/keylat_grid.sh --cpu --no-bare --lines 41 --rounds 3
    python3 bench/cpu_trace/phases_report.py /tmp/t.trace        # the page turns, phase by phase

Lines added to the trace (event-loop thread only; ``time.thread_time`` and ``perf_counter`` at the start):

- ``P  cpu  wall  name  cpu_ms  wall_ms  extra``: a phase — ``layout`` (``Screen._refresh_layout``,
  extra ``scroll=True`` for a scroll's), ``reflow``/``reflow_visible``, ``render`` (``render_update``),
  ``gc<generation>`` (``gc.callbacks``), the grid's ``top_up``/``mount_spare``/``draw_ahead``/``replenish``,
  and ``TURN`` when ``ItemGrid.scroll_to_row`` moved the rows (extra: old -> new top);
- ``A  name=count/ms ...``: counted calls summed since the last key or write (``style_apply``,
  ``update_nodes``, ``arrange_root``, ``render_content``).
"""

from __future__ import annotations

import gc
import threading
import time

from textual._compositor import Compositor
from textual.app import App
from textual.css.stylesheet import Stylesheet
from textual.drivers.linux_driver import LinuxDriver
from textual.screen import Screen
from textual.widget import Widget

log = globals()["log"]  # (given by sitecustomize.py)
_tt, _pc = time.thread_time, time.perf_counter
_main = threading.main_thread()
_counted: dict[str, list] = {}


def _stamp(name: str, t0: float, w0: float, extra: str = "") -> None:
    log(f"P\t{t0:.6f}\t{w0:.6f}\t{name}\t{(_tt() - t0) * 1000:.3f}\t{(_pc() - w0) * 1000:.3f}\t{extra}")


def _wrap(cls: type, attr: str, name: str, counted: bool = False, extra=None) -> None:  # type: ignore[no-untyped-def]
    original = getattr(cls, attr)

    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        if threading.current_thread() is not _main:
            return original(*args, **kwargs)
        t0, w0 = _tt(), _pc()
        try:
            return original(*args, **kwargs)
        finally:
            if counted:
                c = _counted.setdefault(name, [0, 0.0])
                c[0] += 1
                c[1] += _tt() - t0
            else:
                _stamp(name, t0, w0, extra(args, kwargs) if extra else "")

    setattr(cls, attr, wrapper)


_wrap(Screen, "_refresh_layout", "layout",
      extra=lambda a, k: f"scroll={k.get('scroll', a[2] if len(a) > 2 else False)}")
_wrap(Compositor, "reflow_visible", "reflow_visible")
_wrap(Compositor, "reflow", "reflow")
_wrap(Compositor, "render_update", "render")
_wrap(Compositor, "_arrange_root", "arrange_root", counted=True)
_wrap(Stylesheet, "apply", "style_apply", counted=True)
_wrap(Stylesheet, "update_nodes", "update_nodes", counted=True)
_wrap(Widget, "_render_content", "render_content", counted=True)

_gc: dict = {}


def _on_gc(phase: str, info: dict) -> None:
    if threading.current_thread() is not _main:
        return
    if phase == "start":
        _gc["t"] = (_tt(), _pc())
    elif "t" in _gc:
        t0, w0 = _gc.pop("t")
        _stamp(f"gc{info['generation']}", t0, w0, str(info.get("collected")))


gc.callbacks.append(_on_gc)


def _flush_counted() -> None:
    if _counted:
        log("A\t" + "\t".join(f"{k}={n}/{s * 1000:.2f}" for k, (n, s) in _counted.items()))
        _counted.clear()


_write = LinuxDriver.write


def _traced_write(self, data):  # type: ignore[no-untyped-def]
    _flush_counted()
    return _write(self, data)


LinuxDriver.write = _traced_write  # type: ignore[method-assign]
_on_event = App.on_event
_grid_done: list = []


def _grid_probes() -> None:
    from shopterm.widgets.item_grid import grid

    for attr, name in (("_top_up", "top_up"), ("_draw_spares_ahead", "draw_ahead"),
                       ("_replenish_spares", "replenish"), ("_mount_spare", "mount_spare")):
        _wrap(grid.ItemGrid, attr, name)
    scroll_to_row = grid.ItemGrid.scroll_to_row

    def traced(self, row, later=False):  # type: ignore[no-untyped-def]
        box = self.query_one("#grid-rows")
        top, t0, w0 = round(box.scroll_y), _tt(), _pc()
        result = scroll_to_row(self, row, later)
        if round(box.scroll_y) != top:
            _stamp("TURN", t0, w0, f"{top}->{round(box.scroll_y)}")
        return result

    grid.ItemGrid.scroll_to_row = traced


async def _traced_on_event(self, event):  # type: ignore[no-untyped-def]
    from textual import events

    if not _grid_done and "shopterm.widgets.item_grid.grid" in __import__("sys").modules:
        _grid_done.append(True)
        _grid_probes()
    if isinstance(event, events.Key):
        _flush_counted()
    return await _on_event(self, event)


App.on_event = _traced_on_event  # type: ignore[method-assign]
