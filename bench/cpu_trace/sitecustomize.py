"""CPU of the event-loop thread per key, for the keylat benches (never imported by shopterm).

Loaded by Python at start-up when this folder is on ``PYTHONPATH`` and
``SHOPTERM_KEYTRACE=path`` is set (``keylat_grid.py --cpu`` does both for the
shopterm process). It stamps, in the event-loop thread, ``time.thread_time()``
and ``time.perf_counter()``:

- ``K`` when the app receives a key event (``App.on_event``), with the key;
- ``W`` on each write to the terminal (``LinuxDriver.write``: the frame handed to
  the writer thread), with its length.

One line per stamp, tab-separated, flushed at exit. ``keylat_grid.py`` matches the
n-th ``K`` to the n-th key it sent: a key's CPU is the loop thread's CPU from its
``K`` to the next key's ``K`` (everything the key caused, the later frames and
timers included; the bench waits for the screen to go quiet before the next key).

``SHOPTERM_KEYPROF=path`` also runs cProfile over the handling of the keys the
bench tags ``SHOPTERM_KEYPROF_TAG`` (e.g. ``row_enter``; the bench writes the tag of
each key to ``SHOPTERM_KEYTAG_FILE`` before sending it), from the key to the next
one, and writes the stats there at exit (``python -m pstats path``).
"""

from __future__ import annotations

import atexit
import os
import time

_PATH = os.environ.get("SHOPTERM_KEYTRACE")

if _PATH:
    _log: list[str] = []
    _prof_path = os.environ.get("SHOPTERM_KEYPROF")
    _prof_tag = os.environ.get("SHOPTERM_KEYPROF_TAG", "row_enter")
    _tag_file = os.environ.get("SHOPTERM_KEYTAG_FILE", "")
    _profiler = None
    _profiling = False
    _last_key = None
    if _prof_path:
        import cProfile

        _profiler = cProfile.Profile()

    def _flush() -> None:
        with open(_PATH, "w") as out:
            out.write("\n".join(_log) + "\n")
        if _profiler is not None:
            if _profiling:
                _profiler.disable()
            _profiler.dump_stats(_prof_path)

    atexit.register(_flush)

    def _on_term(signum, frame):  # type: ignore[no-untyped-def]
        _flush()
        os._exit(0)

    import signal

    signal.signal(signal.SIGTERM, _on_term)

    def _install() -> None:
        from textual import events
        from textual.app import App
        from textual.drivers.linux_driver import LinuxDriver

        on_event = App.on_event
        write = LinuxDriver.write

        async def traced_on_event(self, event):  # type: ignore[no-untyped-def]
            global _profiling, _last_key
            if isinstance(event, events.Key) and event is not _last_key:  # (a key bubbles back up to the app)
                _last_key = event
                if _profiler is not None:
                    if _profiling:
                        _profiler.disable()
                        _profiling = False
                    try:
                        with open(_tag_file) as f:
                            tag = f.read().strip()
                    except OSError:
                        tag = ""
                    if tag == _prof_tag:
                        _profiler.enable()
                        _profiling = True
                _log.append(f"K\t{time.thread_time():.6f}\t{time.perf_counter():.6f}\t{event.key}")
            return await on_event(self, event)

        def traced_write(self, data):  # type: ignore[no-untyped-def]
            _log.append(f"W\t{time.thread_time():.6f}\t{time.perf_counter():.6f}\t{len(data.encode())}")
            return write(self, data)

        App.on_event = traced_on_event  # type: ignore[method-assign]
        LinuxDriver.write = traced_write  # type: ignore[method-assign]
        extra = os.environ.get("SHOPTERM_KEYTRACE_EXTRA")  # more probes, e.g. per frame (a .py file)
        if extra:
            exec(compile(open(extra).read(), extra, "exec"), {"log": _log.append, "__name__": "probe"})

    # Textual is imported late by shopterm (after the CLI has parsed its arguments):
    # install the hooks when textual.app is first imported.
    import builtins
    import sys

    _real_import = builtins.__import__

    def _import(name, globals=None, locals=None, fromlist=(), level=0):  # type: ignore[no-untyped-def]
        module = _real_import(name, globals, locals, fromlist, level)
        app_module = sys.modules.get("textual.app")
        if (app_module is not None and not _installed
                and not getattr(getattr(app_module, "__spec__", None), "_initializing", False)):
            _installed.add("textual")
            builtins.__import__ = _real_import
            try:
                import textual.drivers.linux_driver  # noqa: F401

                _install()
            except Exception as exc:  # never break the app under test
                _log.append(f"E\t0\t0\t{exc!r}")
        return module

    _installed: set[str] = set()
    builtins.__import__ = _import
