"""Full garbage collections when the keys rest, not at whatever key one falls on.

Python collects its oldest generation (a *full* collection) after every ten collections of the
middle one. With the invoice open that goes over its ~400 widgets and their styles, caches and
message queues: 15–92 ms of CPU, about four times in a 25-line invoice, at whatever key it falls
on (the row Enter and item character maxima of the grid bench). The sign-in's ``gc.freeze``
(``app.set_aside_startup_objects``) cannot take the invoice's widgets too: a frozen object is
never collected, and a document's rows (replaced on every new document) and a closed screen are
cycles of widgets, so their memory would be kept for good; an unfreeze would put the start-up
objects back under the collector as well (one freeze for the whole process).

:class:`RestingCollector` holds full collections back while keys come: Python's own threshold for
them is raised :data:`HOLD_FACTOR` times (a safety net: a collection still runs when keys never
rest), and when a full collection is due by Python's usual count and no key came for
:data:`REST_S`, it runs then. Nothing is frozen: a closed screen's widgets are collected at the
next rest."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

#: seconds without a key before a due full collection runs
REST_S = 1.0
#: Python's own full collection waits for this many times its usual count (keys that never rest)
HOLD_FACTOR = 10


class RestingCollector:
    """Run the full collections Python would run, when the keys rest (module docstring).

    ``install()`` once the app runs (the app calls :meth:`key_arrived` on every key and
    :meth:`tick` from a timer, every :data:`REST_S` or so), ``uninstall()`` when it ends:
    the thresholds and ``gc.callbacks`` are the process's, shared by every app in it (tests)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.last_key = clock()
        self.middle = 0  #: collections of the middle generation since the last full one
        self.due_after = 10  #: Python's own count (its third threshold), read at install
        self.collected = 0  #: full collections run at rest (tests)
        self._threshold: tuple[int, int, int] | None = None

    @property
    def installed(self) -> bool:
        return self._threshold is not None

    @property
    def due(self) -> bool:
        return self.middle >= self.due_after

    def install(self) -> None:
        if self._threshold is not None:
            return
        self._threshold = gc.get_threshold()
        young, middle, full = self._threshold
        self.due_after = max(1, full)
        gc.set_threshold(young, middle, self.due_after * HOLD_FACTOR)
        gc.callbacks.append(self._on_collection)

    def uninstall(self) -> None:
        if self._threshold is None:
            return
        if self._on_collection in gc.callbacks:
            gc.callbacks.remove(self._on_collection)
        gc.set_threshold(*self._threshold)
        self._threshold = None

    def _on_collection(self, phase: str, info: dict[str, Any]) -> None:
        # (any thread, inside the collector: count only)
        if phase != "stop":
            return
        generation = info.get("generation")
        if generation == 1:
            self.middle += 1
        elif generation == 2:
            self.middle = 0

    def key_arrived(self) -> None:
        self.last_key = self._clock()

    def tick(self) -> bool:
        """Run a due full collection when no key came for :data:`REST_S`. True when it ran."""
        if self._threshold is None or not self.due or self._clock() - self.last_key < REST_S:
            return False
        gc.collect()
        self.middle = 0
        self.collected += 1
        return True
