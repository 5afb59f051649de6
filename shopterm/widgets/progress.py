"""Long work with a progress bar and Esc to cancel (issue 16): the one mechanism of the CSV import
dialog, the ledger exports and the whole-ledger reports a screen waits for.

::

    work = LongWork(screen, screen.query_one(ProgressBar), group="export",
                    cancelled=N_("Export cancelled: no file was written"))
    work.start(lambda progress: services.ledger.ageing(actor, at, on_progress=progress), done, failed)
    …
    work.cancel()  # Esc while it runs

``call(progress)`` runs in a thread (:func:`~shopterm.widgets.workers.run_in_thread`); the service
calls ``progress(done, total)`` between its pages — the bar follows (rows or customers done / in
all, and the time left), at most about fifty repaints — and once :meth:`LongWork.cancel` was asked,
the next call raises :class:`~shopterm.services.errors.Cancelled` inside the service, which stops
there (an import's transaction rolls back; a report file is not written). ``done(result)`` or
``failed(exc)`` then run on the event loop; a cancel reaches ``failed`` as that Cancelled error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import ProgressBar, Static

from shopterm.widgets.workers import run_in_thread

__all__ = ["LongWork"]

#: Repaints of the bar over a whole run, at most (each costs a frame over SSH).
STEPS = 50


class LongWork:
    """One long call at a time on ``node`` with its ``bar`` (module docstring)."""

    def __init__(self, node: Any, bar: ProgressBar, *, group: str, cancelled: str,
                 counts: Static | None = None) -> None:
        self.node = node
        self.bar = bar
        self.counts = counts  # "done/in all" beside the bar (the bar itself shows % and time left)
        self.group = group
        self.cancelled = cancelled  # the message id of the Cancelled error (marked with N_ by the caller)
        self.running = False
        self.cancel_requested = False

    def start(self, call: Callable[[Callable[[int, int], None]], Any], done: Callable[[Any], Any],
              failed: Callable[[BaseException], Any]) -> bool:
        """Run ``call(progress)``; False (nothing started) while another run is under way."""
        if self.running:
            return False
        self.running = True
        self.cancel_requested = False
        self.show(None, 0)
        last = [-1]
        app = self.node.app

        def progress(count: int, total: int) -> None:
            self.check()
            if count == total or count - last[0] >= max(1, total // STEPS):
                last[0] = count
                app.call_from_thread(self.show, total, count)

        def ended(then: Callable[[Any], Any]) -> Callable[[Any], Any]:
            def end(value: Any) -> Any:
                self.running = False
                return then(value)
            return end

        run_in_thread(self.node, lambda: call(progress), ended(done), ended(failed), group=self.group)
        return True

    def show(self, total: int | None, count: int) -> None:
        """The bar at ``count`` of ``total`` (None: not known yet), and the counts beside it."""
        self.bar.update(total=None if total is None else max(total, 1), progress=count)
        if self.counts is not None:
            self.counts.update("" if total is None else f"{count}/{total}")

    def check(self) -> None:
        """Raise Cancelled when Esc asked to stop (called by ``progress``; a caller may call it
        before a last step that progress does not cover, e.g. before writing the file)."""
        if self.cancel_requested:
            from shopterm.services.errors import Cancelled

            raise Cancelled(self.cancelled, field="file")

    def cancel(self) -> bool:
        """Esc: ask the running call to stop at its next step; False when nothing runs."""
        if not self.running:
            return False
        self.cancel_requested = True
        return True

    @staticmethod
    def was_cancelled(error: BaseException) -> bool:
        return getattr(error, "code", None) == "cancelled"
