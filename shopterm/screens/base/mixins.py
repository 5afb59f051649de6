"""Screen mixins shared by the document screens: :class:`Background` (a read in a
thread, its answer back on the event loop), :class:`DebouncedPreview` (the
services' preview a moment after the typing stops), :class:`DocumentDialogs` (the
F3 list, F4 history and F9 voucher of a draft or posted document),
:class:`PostedDocument` (Ctrl+S / Ctrl+P / Ctrl+D / F8 of a document posted in one
go), and :func:`list_filters` (the F3 dialog's query as the services'
``list_documents`` keywords)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from shopterm.core.errors import TotalsError
from shopterm.core.i18n import N_, _
from shopterm.core.money import MoneyError
from shopterm.widgets.document_list import DocumentListDialog, ListQuery
from shopterm.widgets.item_grid import ItemGrid
from shopterm.widgets.print_action import print_document
from shopterm.widgets.totals_footer import TotalsFooter
from shopterm.widgets.voucher_view import HistoryView, VoucherView
from shopterm.widgets.workers import run_in_thread

if TYPE_CHECKING:
    from decimal import Decimal

    from shopterm.core.totals import DocumentTotals
    from datetime import date

    from shopterm.services import Services, Status
    from shopterm.services.context import Actor
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import DocumentRow, DocumentView, Preview
    from shopterm.widgets.approval import Approval
    from textual.timer import Timer

_T = TypeVar("_T")

__all__ = ["Background", "DebouncedPreview", "DocumentDialogs", "GridForm", "PostedDocument", "ShopDay", "list_filters"]


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

    def background(self, work: Callable[[], _T], done: Callable[[_T], object], *,
                   on_error: Callable[[BaseException], bool] | None = None, hold_keys: bool = False) -> None:
        reason = f"background-{id(work)}"
        if hold_keys:
            self.hold_keys(reason)  # type: ignore[attr-defined]

        def finished(fn: Callable[..., object], *args: object) -> None:
            try:
                fn(*args)
            finally:
                if hold_keys:
                    self.release_keys(reason)  # type: ignore[attr-defined]

        run_in_thread(self, work, lambda result: finished(done, result),
                      lambda exc: finished(self._background_failed, exc, on_error), group="background")

    def _background_failed(self, exc: BaseException, on_error: Callable[[BaseException], bool] | None) -> None:
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
    _preview_timer: Timer | None = None
    _preview_seq: int = 0
    preview: Any = None

    def preview_wanted(self) -> bool:
        """A draft on a screen still open (a dialog over it counts as open). A screen just left
        is still mounted while its widgets are taken down: a preview then would look for its
        grid and fields as they go."""
        screen: Any = self
        return (getattr(self, "view", None) is None and screen.is_mounted
                and screen in screen.app.screen_stack)

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

    def preview_job(self) -> Callable[[], Any] | None:
        """The zero-argument call to run in the worker (read the screen here), or None."""
        return None

    def preview_shown(self, preview: Any) -> None:
        pass

    def preview_failed(self, exc: BaseException) -> None:
        """A preview that raised (a rule that stops the arithmetic): nothing shown by default."""


class DocumentDialogs:
    """Screen mixin (with :class:`Background`, on a ``DocumentScreen``): the F3 list, F4 history
    and F9 voucher dialogs of a document that is a draft (``draft_id``) or posted (``view``)."""

    location_code: str | None = None  # the signed-in location (the default of the Loc field)
    business_date: date | None = None  # its business date (the F3 list's "today")
    view: Any = None  # the posted document shown (None: a new one or a draft)

    def open_documents(self, title: str, search: Callable[[ListQuery], Any], load_draft: Callable[[int], Any],
                       load_view: Callable[[int], Any]) -> None:
        """F3 (a second press over unsaved typing): the list dialog of ``title`` (marked with
        ``N_``), ``search(query)`` in a worker. The row picked opens: a draft through
        ``load_draft(id)`` into ``_show_draft``, a posted document through ``load_view(id)`` into
        ``_show_view`` (both called in a worker)."""
        screen: Any = self
        if not screen._confirmed("list", "F3"):
            return

        def picked(row: DocumentRow | None) -> None:
            if row is None:
                return
            if row.status == "draft":
                screen.run_service(lambda: load_draft(row.id),
                                   lambda d: screen.call_later(screen._show_draft, row.id, d), busy_text=_("Opening…"))
            else:
                screen.run_service(lambda: load_view(row.id),
                                   lambda v: screen.call_later(screen._show_view, v), busy_text=_("Opening…"))

        screen.app.push_screen(DocumentListDialog(_(title), search, today=screen.business_date), picked)

    def show_history(self, doc_id: int | None, number: str | None = None) -> None:
        """F4: the audit rows of document ``doc_id`` (None: nothing saved yet, an empty list)."""
        screen: Any = self
        title = _("History of {number}").format(number=number) if number else _("History")
        if doc_id is None:
            screen.app.push_screen(HistoryView(title, []))
            return
        screen.background(lambda: screen.services.sales.history(doc_id),
                          lambda rows: screen.app.push_screen(HistoryView(title, rows)))

    def show_journal(self, number: str | None, journal: Sequence[Any]) -> None:
        """F9 on a posted document: its journal."""
        title = _("Voucher {number}").format(number=number or "").strip()
        self.app.push_screen(VoucherView(title, journal))  # type: ignore[attr-defined]

    def show_voucher_preview(self, preview: Callable[[], Preview],
                             note: str = N_("Not saved yet: the journal as it would post.")) -> None:
        """F9 before saving: the journal as it would post, from ``preview()`` (run in a worker);
        ``note`` (marked with ``N_``) heads it, with the preview's first warnings."""
        screen: Any = self

        def shown(result: Preview) -> None:
            text = _(note)
            if result.warnings:
                text += " " + _("Note: {warnings}").format(warnings="; ".join(result.warnings[:3]))
            screen.app.push_screen(VoucherView(_("Voucher details (preview)"), result.voucher, text))

        screen.background(preview, shown)


class PostedDocument:
    """Screen mixin (on a ``DocumentScreen`` with :class:`Background`): a document posted in one go
    from the form. Ctrl+S posts (:meth:`post_call` in a worker, then the posted document is shown),
    Ctrl+P posts and prints, or re-prints a posted one; Ctrl+D keeps a numberless draft
    (:meth:`save_draft_call`); F8 takes a grid row out. ``APPROVALS``: a refusal that needs a
    manager's approval opens the approval dialog and posts again with the approver.

    F4 shows the document's history, F9 its journal (posted) or the journal as it would post
    (:meth:`preview_call` on :meth:`voucher_draft`).

    Hooks: :meth:`post_call`, :meth:`post_draft` (the draft to post), :meth:`ready_to_post`
    (False, the error shown, when something is missing), :meth:`save_draft_call`,
    :meth:`draft_to_keep`, :meth:`saved_message`, :meth:`preview_call`, :meth:`voucher_draft`.
    Needs ``view``, ``draft_id``, ``grid``, ``build_draft`` and ``_show_view`` on the screen."""

    DOC_WORD: ClassVar[str] = N_("Document")  # "Order", "Delivery note" (messages; marked with N_)
    APPROVALS: ClassVar[bool] = False
    _print_after_save: bool = False
    last_post: PostResult | None = None

    def post_call(self, services: Services, actor: Actor | None, draft: Any, draft_id: int | None) -> PostResult:
        """(worker) Post ``draft`` (replacing draft ``draft_id``)."""
        raise NotImplementedError

    def post_draft(self) -> Any:
        return self.build_draft()  # type: ignore[attr-defined]

    def ready_to_post(self) -> bool:
        return True

    def save_draft_call(self, services: Services, actor: Actor | None, draft: Any, draft_id: int | None) -> int:
        """(worker) Keep ``draft`` as a numberless draft; its id."""
        return services.sales.save_draft(actor, draft, draft_id)

    def draft_to_keep(self) -> Any:
        return self.build_draft()  # type: ignore[attr-defined]

    def action_save(self) -> None:
        self._save(print_after=False)

    def action_save_print(self) -> None:
        """Ctrl+P: save and print; on a posted document, a re-print."""
        screen: Any = self
        if screen.view is not None and screen.view.number:
            print_document(screen, screen.view.number, reprint=True)
            return
        self._save(print_after=True)

    def _save(self, *, print_after: bool) -> None:
        screen: Any = self
        if screen._posted_is_final() or not screen.check_fields() or not self.ready_to_post():
            return
        self._print_after_save = print_after
        draft = self.post_draft()
        draft_id = screen.draft_id
        actor = screen.actor

        def post(d: Any) -> tuple[PostResult, DocumentView]:
            services = screen.services
            result = self.post_call(services, actor, d, draft_id)
            return result, services.sales.document(result.document_id)

        def with_approval(approval: Approval) -> Callable[[], tuple[PostResult, DocumentView]]:

            return lambda: post(replace(draft, approver=approval.name, approver_pin=approval.pin))

        screen.run_service(lambda: post(draft), self._posted, busy_text=_("Saving…"),
                           with_approval=with_approval if self.APPROVALS else None)

    def _posted(self, result: tuple[PostResult, DocumentView]) -> None:
        screen: Any = self
        post, view = result
        self.last_post = post
        screen.call_later(screen._show_view, view)
        screen.refresh_status()
        screen.show_ok(self.saved_message(post, view))
        if self._print_after_save:
            self._print_after_save = False
            print_document(screen, post.number)

    def saved_message(self, post: PostResult, view: DocumentView) -> str:
        return _("{word} {number} saved. Ctrl+N for the next one").format(word=_(self.DOC_WORD), number=post.number)

    def action_draft(self) -> None:
        screen: Any = self
        if screen._posted_is_final():
            return
        draft = self.draft_to_keep()
        draft_id = screen.draft_id
        actor = screen.actor

        def done(new_id: int) -> None:
            screen.draft_saved(new_id)
            screen.show_ok(_("Draft #{id} saved (no number yet): reopen it with F3").format(id=new_id))

        screen.run_service(lambda: self.save_draft_call(screen.services, actor, draft, draft_id), done,
                           busy_text=_("Saving…"))

    def action_delete_row(self) -> None:
        screen: Any = self
        if screen._posted_is_final():
            return
        screen.grid.delete_row()

    def preview_call(self, services: Services, draft: Any, actor: Actor | None) -> Preview:
        """(worker) The figures and journal ``draft`` would post (F9 before saving)."""
        return services.sales.preview(draft, actor)

    def voucher_draft(self) -> Any:
        """The draft F9 previews (None: not yet, the reason shown)."""
        return self.build_draft()  # type: ignore[attr-defined]

    def action_history(self) -> None:
        screen: Any = self
        view = screen.view
        screen.show_history(view.id if view is not None else screen.draft_id, view.number if view is not None else None)

    def action_voucher(self) -> None:
        """F9: the posted journal, or the journal as the draft would post."""
        screen: Any = self
        if screen.view is not None:
            screen.show_journal(screen.view.number, screen.view.journal)
            return
        draft = self.voucher_draft()
        if draft is None:
            return
        actor = screen.actor
        screen.show_voucher_preview(lambda: self.preview_call(screen.services, draft, actor))


class GridForm:
    """Screen mixin (before the ``DocumentScreen``): a document form whose lines are an item grid
    (``#grid``) over a totals footer (``#totals``), under a header (``HEADER``). Unsaved changes
    are the header's and footer's fields (by snapshot) and the grid's own ``touched`` flag."""

    HEADER: ClassVar[str] = "#inv-header"

    @property
    def grid(self) -> ItemGrid:
        return self.query_one("#grid", ItemGrid)  # type: ignore[attr-defined]

    @property
    def footer_totals(self) -> TotalsFooter:
        return self.query_one("#totals", TotalsFooter)  # type: ignore[attr-defined]

    def _snapshot(self) -> dict[int, str]:
        return {id(w): w.value for w in self.query(f"{self.HEADER} Input, #totals Input")}  # type: ignore[attr-defined]

    def mark_clean(self) -> None:
        super().mark_clean()  # type: ignore[misc]
        for grid in self.query(ItemGrid):  # type: ignore[attr-defined]
            grid.touched = False

    def is_dirty(self) -> bool:
        return super().is_dirty() or any(grid.touched for grid in self.query(ItemGrid))  # type: ignore[misc, attr-defined]

    _totals_error: str | None = None  # the rule the lines break, shown as a warning
    totals: DocumentTotals | None = None  # the figures on screen

    def live_totals(self, compute: Callable[[], DocumentTotals]) -> DocumentTotals | None:
        """Per keystroke: ``compute()`` (``core.totals``, no database call) shown in the footer and
        the grid's line figures. A rule the lines break (None returned) is a warning that goes
        once they no longer break it."""
        bar = self.message_bar  # type: ignore[attr-defined]
        try:
            totals = compute()
        except (TotalsError, MoneyError) as exc:
            text = str(exc)
            self._totals_error = text[:1].upper() + text[1:]
            bar.show_warning(self._totals_error)
            return None
        if self._totals_error is not None:
            if bar.text == self._totals_error:
                bar.clear()
            self._totals_error = None
        self.totals = totals
        self.footer_totals.show(totals)
        self.grid.show_totals(totals)
        return totals

    def _set_header_enabled(self, enabled: bool) -> None:
        """The header's fields editable (a new document or a draft) or not (posted)."""
        for widget in self.query(f"{self.HEADER} Input, {self.HEADER} CompactChoice"):  # type: ignore[attr-defined]
            widget.disabled = not enabled


class ShopDay:
    """Screen mixin (with :class:`Background`, on a ``DocumentScreen`` with ``field(name)``): the
    signed-in location, its business date and system rate, read off the event loop when the screen
    mounts (:meth:`load_shop_day`) into ``location_code``, ``business_date``, ``system_rate`` and
    the Loc and Date fields; then :meth:`shop_day_loaded`, and the form is clean (defaults are not
    typing)."""

    system_rate: Decimal | None = None

    def load_shop_day(self) -> None:
        screen: Any = self
        actor = screen.actor

        def done(status: Status) -> None:
            screen.location_code = status.location_code
            screen.business_date = status.business_date
            self.system_rate = status.system_rate
            screen.field("location").value = status.location_code
            screen.field("date").set_value(status.business_date)
            self.shop_day_loaded(status)
            screen.mark_clean()

        screen.background(lambda: screen.services.status(actor), done)

    def shop_day_loaded(self, status: Status) -> None:
        """After the location, date and rate are known (the screens fill more)."""
