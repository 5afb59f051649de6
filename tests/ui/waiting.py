"""Waiting for a state in Pilot tests, never for a fixed time.

A Pilot test that asserts right after a key may run before a worker has
answered or a screen has mounted; one that sleeps a fixed time fails on a
loaded machine. :func:`wait_for` polls a condition between Textual's own
refreshes and returns as soon as it holds; it gives up only after ``timeout``
seconds of wall time (generous: a 2-core machine running other work can be
slow, and a passing test never waits that long).
"""

from __future__ import annotations

import time
from typing import Callable

TIMEOUT = 30.0


async def wait_for(pilot, condition: Callable[[], object], what: str | Callable[[], str] = "condition",
                   timeout: float = TIMEOUT) -> None:
    """Wait until ``condition()`` is true; ``what`` (text, or a function giving it) explains a failure."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            assert condition(), what() if callable(what) else f"waited {timeout:.0f} s for {what}"
            return
        await pilot.pause(0.02)


async def wait_until(pilot, condition: Callable[[], object], show: Callable[[], str] | None = None,
                     timeout: float = TIMEOUT) -> None:
    """:func:`wait_for` under the name some modules use; ``show`` describes the screen on failure."""
    await wait_for(pilot, condition, show if show is not None else "condition", timeout)


async def wait_grid_at_rest(pilot, grid, timeout: float = TIMEOUT) -> None:
    """Wait until an item grid has done what it does while the keys rest — its spare rows mounted
    and drawn ahead (``ItemGrid._draw_spares_ahead``) — and the screen has no layout, scroll or
    repaint waiting for its next refresh. On a loaded machine that work may still be running after
    ``pilot.pause()``; a test that counts the layouts its keys cause must not count it."""
    screen = grid.screen

    def at_rest() -> bool:
        return (len(grid._spares) >= grid.spare_pool and all(r.drawn_ahead for r in grid._spares)
                and not (screen._layout_required or screen._scroll_required
                         or screen._repaint_required or screen._recompose_required))

    await wait_for(pilot, at_rest, "the grid at rest (spares mounted and drawn, the screen laid out)", timeout)
