"""Screen mixins shared by the document screens: :class:`Background` (a read in a
thread, its answer back on the event loop) and :class:`DebouncedPreview` (the
services' preview a moment after the typing stops), and :func:`list_filters` (the
F3 dialog's query as the services' ``list_documents`` keywords)."""

from __future__ import annotations

from typing import Any, ClassVar

from shopterm.widgets.document_list import ListQuery
from shopterm.widgets.workers import run_in_thread

__all__ = ["Background", "DebouncedPreview", "list_filters"]


def list_filters(q: ListQuery, location: str | None) -> dict[str, Any]:
    """The F3 dialog's query as the services' ``list_documents`` keywords."""
    return dict(location=location, date_from=q.date_from, date_to=q.date_to, number=q.number or None,
                customer=q.customer or None, status=q.status, limit=q.limit, offset=q.offset)


class Background:
    """Screen mixin: ``background(work, done, on_error=)`` runs ``work()`` in a thread (a
    read that must not block Save's single-flight ``run_service``) and ``done(result)`` back on
    the event loop; an error is shown (``show_error``) unless ``on_error(exc)`` returns True.
    ``hold_keys=True``: keys typed meanwhile wait until ``done`` has filled the form (a
    customer's defaults), so they land after it, not under it."""

    def background(self, work: Any, done: Any, *, on_error: Any = None, hold_keys: bool = False) -> None:
        reason = f"background-{id(work)}"
        if hold_keys:
            self.hold_keys(reason)  # type: ignore[attr-defined]

        def finished(fn: Any, *args: Any) -> None:
            try:
                fn(*args)
            finally:
                if hold_keys:
                    self.release_keys(reason)  # type: ignore[attr-defined]

        run_in_thread(self, work, lambda result: finished(done, result),
                      lambda exc: finished(self._background_failed, exc, on_error), group="background")

    def _background_failed(self, exc: BaseException, on_error: Any) -> None:
        if on_error is not None and on_error(exc):
            return
        self.show_error(exc)  # type: ignore[attr-defined]


class DebouncedPreview:
    """Screen mixin: the services preview a moment after the typing stops.

    ``schedule_preview()`` after each change; the host says whether a preview is
    wanted now (:meth:`preview_wanted`), gives the call to run in a worker
    (:meth:`preview_job`, None: nothing to preview) and shows the answer
    (:meth:`preview_shown`); a stale answer (the typing went on) is dropped.
    Needs ``background`` (:class:`Background`, or the invoice screen's).
    """

    PREVIEW_DELAY: ClassVar[float] = 0.3
    _preview_timer: Any = None
    _preview_seq: int = 0
    preview: Any = None

    def preview_wanted(self) -> bool:
        return getattr(self, "view", None) is None and self.is_mounted  # type: ignore[attr-defined]

    def schedule_preview(self) -> None:
        if not self.preview_wanted():
            return
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(self.PREVIEW_DELAY, self._run_preview)  # type: ignore[attr-defined]

    def _run_preview(self) -> None:
        self._preview_timer = None
        if not self.preview_wanted():
            return
        job = self.preview_job()
        if job is None:
            return
        self._preview_seq += 1
        seq = self._preview_seq

        def done(preview: Any) -> None:
            if seq == self._preview_seq and self.preview_wanted():
                self.preview = preview
                self.preview_shown(preview)

        def failed(exc: BaseException) -> bool:
            if seq == self._preview_seq:
                self.preview_failed(exc)
            return True

        self.background(job, done, on_error=failed)  # type: ignore[attr-defined]

    def preview_job(self) -> Any:
        """The zero-argument call to run in the worker (read the screen here), or None."""
        return None

    def preview_shown(self, preview: Any) -> None:
        pass

    def preview_failed(self, exc: BaseException) -> None:
        """A preview that raised (a rule that stops the arithmetic): nothing shown by default."""
