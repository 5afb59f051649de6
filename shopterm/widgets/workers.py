"""The one way a screen or widget runs blocking work (a service call) off the event loop.

:func:`run_in_thread` runs ``call()`` in a thread worker of the node and hands the
result to ``done`` — or the exception to ``failed`` — back on the event loop, so
database work never blocks the keys and no handler runs in a thread. Widgets whose
answer is a message use Textual's ``@work(thread=True)`` and ``post_message``
instead (thread-safe on its own).
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from textual.message import Message
from textual.worker import Worker, get_current_worker

T = TypeVar("T")

__all__ = ["Failed", "Loaded", "post_outcome", "run_in_thread"]


def run_in_thread(node: Any, call: Callable[[], T], done: Callable[[T], Any],
                  failed: Callable[[BaseException], Any], *, group: str, exclusive: bool = False) -> Worker:
    """Run ``call()`` in a thread worker of ``node``; then ``done(result)``, or ``failed(exc)``
    when it raised, on the event loop.

    ``exclusive``: a newer call in the same ``group`` cancels this one, and a cancelled call's
    answer (or one arriving after ``node`` left the screen) is dropped, so what is shown follows
    the last keystroke.
    """

    def in_thread() -> None:
        worker = get_current_worker()
        try:
            result = call()
        except Exception as exc:  # handled on the event loop, never a traceback
            node.app.call_from_thread(_deliver, node, worker, exclusive, failed, exc)
            return
        node.app.call_from_thread(_deliver, node, worker, exclusive, done, result)

    return node.run_worker(in_thread, thread=True, group=group, exclusive=exclusive, exit_on_error=False)


class Loaded(Message):
    """What a list dialog's search found for ``query``: its ``rows`` (or a page of them)."""

    def __init__(self, query: Any, rows: Any) -> None:
        super().__init__()
        self.query = query
        self.rows = rows


class Failed(Message):
    """The search raised ``error`` (the dialog shows it, never a traceback)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


def post_outcome(node: Any, query: Any, call: Callable[[], Any]) -> None:
    """Inside a ``@work(thread=True, exclusive=True)`` search method of a list dialog: ``call()``,
    then post :class:`Loaded` ``(query, result)`` — or :class:`Failed` when it raised — to
    ``node``, unless a newer search cancelled this worker meanwhile (its answer is stale)."""
    worker = get_current_worker()
    try:
        result = call()
    except Exception as exc:  # shown by the dialog, never a traceback
        if not worker.is_cancelled:
            node.post_message(Failed(exc))
        return
    if not worker.is_cancelled:
        node.post_message(Loaded(query, result))


def _deliver(node: Any, worker: Any, drop_stale: bool, fn: Callable[[Any], Any], value: Any) -> None:
    if drop_stale and (worker.is_cancelled or not node.is_mounted):
        return
    fn(value)
