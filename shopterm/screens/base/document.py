"""Screen bases: :class:`ShopScreen` (status bar, message bar, service calls) and
:class:`DocumentScreen` (the toolbar keys of DESIGN §12).

A document screen subclasses :class:`DocumentScreen`, declares the toolbar
actions it supports, composes its body and implements those actions::

    class ShopOpenScreen(DocumentScreen):
        DOCUMENT_TITLE = "Shop Open"
        SUPPORTS = frozenset({"new", "save", "list", "history"})

        def compose_document(self) -> ComposeResult:
            yield DateInput(id="field-date", label="Doc date")
            ...

        def action_save(self) -> None:
            date = self.query_one("#field-date", DateInput)
            if not self.check_fields():
                return
            self.run_service(
                lambda: self.services.day.open(self.actor, date=date.date_value),
                self._saved,
            )

        def _saved(self, result) -> None:
            self.set_document(result.number, "Posted")
            self.show_ok(f"Shop opened: {result.number}")
            self.refresh_status()

    register(ScreenEntry("shop_open", "Shop Open", "Day",
                         factory=lambda app: ShopOpenScreen(), roles=CASHIER))

Unsupported toolbar actions are hidden from the footer (``check_action``
returns False); :meth:`DocumentScreen.action_state` may grey out a supported
one (return None) depending on the screen's state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import Worker

from shopterm.core.i18n import N_, _, pgettext
from shopterm.widgets import compositor
from shopterm.widgets.inputs import FORM_BINDINGS, FormNavigation, ShopInput
from shopterm.widgets.messages import MessageBar, describe_error, is_error, is_user_error
from shopterm.widgets.status_bar import StatusBar
from shopterm.widgets.workers import run_in_thread

from .footer import QuietFooter  # noqa: F401 (the screens' footer, also shown by the sign-in screen)

if TYPE_CHECKING:  # (no services here: widgets.master_list imports this module, and widgets never import services)
    from shopterm.widgets.approval import Approval

log = logging.getLogger(__name__)

STATE_CONTEXT = "document state"


def shown_state(state: str) -> str:
    """A document's state (``set_document(number, state)``) in the reader's language. The
    states have their own context: the title line's "New"/"Draft" are whole words, the
    footer's keys of the same English name are short."""
    return pgettext(STATE_CONTEXT, state)


def _marked_states() -> tuple[str, ...]:  # pragma: no cover - marks for the catalogue only
    return (pgettext("document state", "New"), pgettext("document state", "Draft"),
            pgettext("document state", "Posted"), pgettext("document state", "Cancelled"),
            pgettext("document state", "Confirmed"), pgettext("document state", "Approved"),
            pgettext("document state", "Inactive"), pgettext("document state", "Saved"),
            pgettext("document state", "Closed"))

T = TypeVar("T")

#: The toolbar actions (DESIGN §12) a DocumentScreen may support.
TOOLBAR_ACTIONS: frozenset[str] = frozenset(
    {"lookup", "new", "save", "draft", "save_print", "reprint", "list", "history", "voucher", "delete_row", "back"}
)


class ShopScreen(FormNavigation, Screen):
    """Base of every signed-in screen: status bar, message bar, footer, workers.

    * ``compose_body()`` yields the screen's content (between the status bar
      and the message bar).
    * ``run_service(call, on_done)`` runs ``call()`` in a worker thread and
      hands the result to ``on_done`` on the event loop; a business error is
      shown in the message bar and focuses its field; an
      ``ApprovalRequired`` error opens the approval dialog when
      ``with_approval`` is given, then retries.
    * ``ShopInput.Invalid`` from any field is shown in the message bar.
    """

    SHOW_PALETTE_KEY: ClassVar[bool] = False
    BINDINGS = [*FORM_BINDINGS]

    #: Textual repaints the whole screen when the focus moves (``Screen.focused`` is a
    #: repainting reactive): ~6 KB per Enter/Tab over SSH. The widgets that gain and
    #: lose the focus repaint themselves (their :focus styles); the rest need not.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        compositor.install(self)  # a frame renders only the widgets under what changed
        self.busy = False
        self._idle_queue: list[Callable[[], Any]] = []
        self._key_holds: set[str] = {"mount"}
        self.error_source: Widget | None = None  # the field the error shown is about
        self._shown_bindings: tuple | None = None

    # -- the key footer --------------------------------------------------------
    # Textual refreshes the bindings after every focus change, and the key footer
    # then rebuilds itself (~5 KB and tens of ms per Tab at 80×24). From field to
    # field the keys shown rarely change: publish only when they do.

    def _bindings_signature(self) -> tuple:
        try:
            active = self.active_bindings
        except Exception:  # not composed yet
            return ()
        return tuple((key, ab.binding.action, ab.binding.description, ab.binding.show, ab.binding.key_display,
                      ab.enabled, ab.tooltip) for key, ab in active.items())

    def refresh_bindings(self) -> None:
        signature = self._bindings_signature()
        if signature != self._shown_bindings:
            self._shown_bindings = signature
            super().refresh_bindings()

    # -- keys typed ahead (see shopterm.widgets.typeahead) -------------------

    @property
    def keys_ready(self) -> bool:
        """False while the screen mounts, loads or saves: typed keys wait, in order."""
        return self.is_mounted and not self._key_holds

    def hold_keys(self, reason: str) -> None:
        """Keys typed from now on wait until :meth:`release_keys` (same ``reason``)."""
        self._key_holds.add(reason)

    def release_keys(self, reason: str) -> None:
        """End a :meth:`hold_keys`; the keys that waited go to the focused field.

        They go once the app has run what was asked of it before (a ``widget.focus()``
        is itself a callback on the app's queue), so they land where the focus went."""
        if reason in self._key_holds:
            self._key_holds.discard(reason)
            if not self._key_holds:
                self._key_holds.add("settling")
                self.app.call_later(self._keys_settled)

    def _keys_settled(self) -> None:
        self._key_holds.discard("settling")
        if not self._key_holds:
            resume = getattr(self.app, "resume_keys", None)
            if resume is not None:
                resume()

    def call_later_holding(self, callback: Callable[..., Any], *args: Any) -> None:
        """``call_later(callback, *args)``; keys typed meanwhile wait until it has run (e.g.
        a record being shown: what is typed next goes into the form it fills, not under it)."""
        reason = f"later-{id(callback)}-{len(self._key_holds)}"
        self.hold_keys(reason)

        async def run() -> None:
            try:
                result = callback(*args)
                if hasattr(result, "__await__"):
                    await result
            finally:
                self.release_keys(reason)

        self.call_later(run)

    def _on_mount(self) -> None:
        # After the screen's own on_mount (focus, first loads) and one refresh.
        self.call_after_refresh(self.release_keys, "mount")

    # -- layout --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with Vertical(id="body"):
            yield from self.compose_body()
        yield MessageBar(id="message")
        yield QuietFooter(compact=True, show_command_palette=self.SHOW_PALETTE_KEY)

    def compose_body(self) -> ComposeResult:
        yield from ()

    # -- shortcuts -----------------------------------------------------------

    @property
    def services(self) -> Any:
        """The app's services. Use from worker threads only (may block until opened)."""
        return self.app.services  # type: ignore[attr-defined]

    @property
    def actor(self) -> Any:
        return self.app.actor  # type: ignore[attr-defined]

    @property
    def message_bar(self) -> MessageBar:
        return self.query_one("#message", MessageBar)

    def show_ok(self, text: str) -> None:
        self.message_bar.show_ok(text)

    def show_info(self, text: str) -> None:
        self.message_bar.show_info(text)

    def clear_message(self) -> None:
        self.message_bar.clear()

    def refresh_status(self) -> None:
        """Re-read location/date/day/rate into the status bar (after a post)."""
        for bar in self.query(StatusBar):
            bar.refresh_status()

    # -- errors --------------------------------------------------------------

    def show_error(self, error: BaseException | str, field: str | None = None) -> None:
        """Show an error; focus the named field (a ShopError's ``.field``)."""
        if isinstance(error, BaseException):
            message, err_field = describe_error(error)
            field = field or err_field
            if not is_user_error(error):
                log.error("unexpected error", exc_info=error)
        else:
            message = error
        self.message_bar.show_error(message)
        self.error_source = None
        if field:
            widget = self.find_field(field)
            if widget is not None:
                self.error_source = widget
                widget.add_class("-error")
                if widget.focusable:
                    widget.focus()

    def error_resolved(self, widget: Widget | None) -> None:
        """``widget`` now holds a good value (e.g. a valid pick): its error, if it is
        the one shown, goes away (a stale error never stays)."""
        if widget is None:
            return
        widget.remove_class("-error")
        if self.message_bar.kind == "error" and getattr(self, "error_source", None) is widget:
            self.message_bar.clear()
            self.error_source = None

    def find_field(self, field: str) -> Widget | None:
        """The widget for a service-side field name: ``id`` ``field``,
        ``field-<field>``, or a ShopInput whose ``field_name`` is ``field``."""
        wanted = {field, f"field-{field}", f"field-{field.replace('_', '-')}"}
        for widget in self.query("*"):
            if widget.id in wanted or getattr(widget, "field_name", None) == field:
                return widget
        return None

    def check_fields(self, fields: Iterable[ShopInput] | None = None) -> bool:
        """Validate typed fields (all ShopInputs by default); show the first error."""
        first: ShopInput | None = None
        for widget in fields if fields is not None else self.query(ShopInput):
            if not widget.check() and first is None:
                first = widget
        if first is not None:
            self.message_bar.show_error(first.error or _("{field}: invalid").format(field=first.label))
            first.focus()
            return False
        return True

    @on(ShopInput.Invalid)
    def _field_invalid(self, event: ShopInput.Invalid) -> None:
        event.stop()
        self.message_bar.show_error(event.message)

    @on(ShopInput.Valid)
    def _field_valid(self, event: ShopInput.Valid) -> None:
        event.stop()
        event.input.remove_class("-error")
        if self.message_bar.kind == "error":
            self.message_bar.clear()

    # -- services off the event loop ----------------------------------------

    def run_service(
        self,
        call: Callable[[], T],
        on_done: Callable[[T], Any] | None = None,
        *,
        busy_text: str | None = N_("Working…"),
        on_error: Callable[[BaseException], bool] | None = None,
        with_approval: Callable[[Any], Callable[[], T]] | None = None,
    ) -> Worker | None:
        """Run ``call()`` in a thread; ``on_done(result)`` back on the event loop.

        ``on_error(exc)`` may handle an error first (return True when it did).
        ``with_approval(approval)`` builds the retry call when the service
        raises ``ApprovalRequired``: the approval dialog is shown and, if a
        manager approves, the retry runs. Returns None (and does nothing)
        while another service call of this screen is still running.
        """
        if self.busy:
            self.message_bar.show_info(_("Still working…"))
            return None
        busy_text = _(busy_text) if busy_text else busy_text
        self.busy = True
        self.hold_keys("service")
        if busy_text:
            self.message_bar.show_info(busy_text)

        return run_in_thread(self, call, lambda result: self._service_done(result, on_done, busy_text),
                             lambda exc: self._service_failed(exc, on_done, on_error, with_approval), group="service")

    def when_idle(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` now, or once the service call under way has ended (in order).

        For what must not be lost because the screen happens to be busy, such as
        opening the record picked in a list while the form still loads."""
        if not self.busy:
            callback()
        else:
            self._idle_queue.append(callback)

    def _run_when_idle(self) -> None:
        while self._idle_queue and not self.busy:
            self._idle_queue.pop(0)()

    def _service_done(self, result: T, on_done: Callable[[T], Any] | None, busy_text: str | None) -> None:
        self.busy = False
        try:
            if busy_text and self.message_bar.text == busy_text:
                self.message_bar.clear()
            if on_done is not None:
                on_done(result)
        finally:
            self._service_ended()

    def _service_failed(
        self,
        exc: BaseException,
        on_done: Callable[[Any], Any] | None,
        on_error: Callable[[BaseException], bool] | None,
        with_approval: Callable[[Any], Callable[[], Any]] | None,
    ) -> None:
        self.busy = False
        try:
            if on_error is not None and on_error(exc):
                return
            if with_approval is not None and _is_approval_required(exc):
                from shopterm.widgets.approval import ApprovalDialog

                action = (getattr(exc, "details", None) or {}).get("action") or getattr(exc, "code", "approve")

                def approved(approval: Approval | None) -> None:
                    if approval is None:
                        self.show_error(exc)
                        return
                    self.run_service(with_approval(approval), on_done, on_error=on_error)

                self.app.push_screen(ApprovalDialog(str(action), describe_error(exc)[0]), approved)
                return
            self.show_error(exc)
        finally:
            self._service_ended()

    def _service_ended(self) -> None:
        if not self.busy:  # the callback may have started the next call
            self.release_keys("service")
            self._run_when_idle()


def _is_approval_required(exc: BaseException) -> bool:
    return is_error(exc, "ApprovalRequired")


class DocumentScreen(ShopScreen):
    """A transaction or master screen with the toolbar keys of DESIGN §12.

    Class attributes:
        DOCUMENT_TITLE: shown in the title line ("Sales Invoice").
        SUPPORTS: the toolbar actions this screen implements, from
            :data:`TOOLBAR_ACTIONS` ("back" and "lookup" are always there).

    Override ``compose_document()`` and the ``action_*`` methods named in
    SUPPORTS (``action_new``, ``action_save``, ``action_draft``,
    ``action_save_print``, ``action_list``, ``action_history``,
    ``action_voucher``, ``action_delete_row``). ``action_state(action)`` may
    return None to grey out a supported action for now.

    "reprint" (F12) has a default: it prints :meth:`print_number` (the posted
    document's number) again; the key is hidden while there is none.
    :meth:`print_posted` is the printing helper for Ctrl+P too.

    Esc goes back; if ``dirty`` (a field changed since the last
    :meth:`mark_clean`, or ``dirty = True`` was set) the first Esc warns and a
    second Esc discards. Set ``dirty = False`` (same as ``mark_clean()``) after
    New, Save, filling defaults and loading a document.
    """

    DOCUMENT_TITLE: ClassVar[str] = ""
    SUPPORTS: ClassVar[frozenset[str]] = frozenset()
    #: The widget that shows the document's number ("Draft #12" for a saved draft).
    NUMBER_WIDGET: ClassVar[str] = ""
    #: The key whose second press was asked for ("new", "list"…), see :meth:`_confirmed`.
    _confirm: str | None = None
    #: The action whose second press is awaited, see :meth:`pressed_again`.
    _armed: str | None = None
    #: The saved draft shown (see :attr:`draft_id`).
    _shown_draft: int | None = None

    BINDINGS = [
        Binding("f2", "lookup", N_("Find"), id="doc.lookup", key_display="F2"),
        Binding("ctrl+n", "new", N_("New"), id="doc.new", key_display="^N"),
        Binding("ctrl+s", "save", N_("Save"), id="doc.save", key_display="^S"),
        # Input binds Ctrl+D itself (delete right), so Draft must be a priority
        # binding; it runs after the keys already typed into the focused field.
        Binding("ctrl+d", "after_typing('draft')", N_("Draft"), id="doc.draft", priority=True, key_display="^D"),
        Binding("ctrl+p", "save_print", N_("Print"), id="doc.save_print", key_display="^P"),
        # Re-print is F12, not Ctrl+R: Ctrl+R is the customer ledger's "Pay" key.
        Binding("f12", "reprint", N_("Dup"), id="doc.reprint", key_display="F12"),  # "Dup": the copy says DUPLICATE; fits 80 columns
        Binding("f3", "list", N_("List"), id="doc.list", key_display="F3"),
        Binding("f4", "history", N_("Hist"), id="doc.history", key_display="F4"),
        Binding("f9", "voucher", N_("Vchr"), id="doc.voucher", key_display="F9"),
        Binding("f8", "delete_row", N_("Del"), id="doc.delete_row", key_display="F8"),
        Binding("ctrl+delete", "delete_row", N_("Del"), show=False),
        Binding("escape", "back", N_("Back"), id="doc.back", key_display="Esc"),
    ]

    _OVERRIDABLE = ("new", "save", "draft", "save_print", "list", "history", "voucher", "delete_row")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        unknown = set(cls.SUPPORTS) - TOOLBAR_ACTIONS
        if unknown:
            raise TypeError(f"{cls.__name__}.SUPPORTS has unknown actions {sorted(unknown)}")
        missing = [
            a for a in cls._OVERRIDABLE if a in cls.SUPPORTS and getattr(cls, f"action_{a}") is getattr(DocumentScreen, f"action_{a}")
            and not (a == "new" and cls.reset is not DocumentScreen.reset)  # the default Ctrl+N resets
        ]
        if missing:
            raise TypeError(f"{cls.__name__} supports {missing} but does not implement action_{missing[0]}")

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._dirty_flag = False
        self._clean: dict[int, str] = {}
        self._confirm_back = False
        self.document_number: str | None = None
        self.document_state: str = "New"

    def compose_body(self) -> ComposeResult:
        yield Static(self._title_text(), id="doc-title", markup=False)
        with Vertical(id="document"):
            yield from self.compose_document()

    def compose_document(self) -> ComposeResult:
        yield from ()

    def _title_text(self) -> str:
        parts = [_(self.DOCUMENT_TITLE) or type(self).__name__]
        if self.document_number:
            parts.append(self.document_number)
        return " ".join(parts) + f" · {shown_state(self.document_state)}"

    def set_document(self, number: str | None, state: str) -> None:
        """Update the title line: number (None for a new/draft document) and state."""
        self.document_number = number
        self.document_state = state
        self.query_one("#doc-title", Static).update(self._title_text())

    # -- which keys show -------------------------------------------------

    #: Footer order of the toolbar keys (other shown keys come first).
    TOOLBAR_ORDER: ClassVar[tuple[str, ...]] = (
        "f2", "ctrl+n", "ctrl+s", "ctrl+d", "ctrl+p", "f12", "ctrl+o", "f3", "f4", "f9", "f8", "escape",
    )

    @property
    def active_bindings(self) -> dict[str, Any]:
        bindings = super().active_bindings
        order = {key: i for i, key in enumerate(self.TOOLBAR_ORDER)}
        return dict(sorted(bindings.items(), key=lambda kv: order.get(kv[0], -1)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "after_typing" and parameters:
            action = str(parameters[0])
        if action == "lookup":
            return self._focused_lookup() is not None
        if action in TOOLBAR_ACTIONS and action != "back" and action not in self.SUPPORTS:
            return False
        if action == "reprint" and not self.print_number():
            return False  # nothing posted yet: the key is not shown at all (never a dead key)
        if action in TOOLBAR_ACTIONS:
            return self.action_state(action)
        return True

    def action_state(self, action: str) -> bool | None:
        """True (enabled), None (shown greyed) or False (hidden) for a supported action."""
        return True

    def _focused_lookup(self) -> Widget | None:
        focused = self.focused
        if focused is None or not hasattr(focused, "action_lookup"):
            return None
        if getattr(focused, "can_lookup", True) is False:
            return None
        return focused

    def on_descendant_focus(self, event: Any) -> None:
        self._confirm_back = False
        self._armed = None
        self.refresh_bindings()

    def pressed_again(self, action: str, warning: str) -> bool:
        """A key that cannot be taken back (F7 cancel): its first press shows ``warning`` and gives
        False; the next press of it gives True, unless the focus moved (or :attr:`_armed` was
        cleared) in between."""
        if self._armed != action:
            self._armed = action
            self.message_bar.show_warning(warning)
            return False
        self._armed = None
        return True

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        self._confirm_back = False

    # -- the saved draft shown: held open for other tills ----------------------

    @property
    def draft_id(self) -> int | None:
        """The saved draft this screen shows (None: a new or a posted document). Setting it holds
        the draft open in the database (draft_holds.py), so a customer merge on any till knows;
        the hold goes when the screen shows something else or leaves."""
        return self._shown_draft

    @draft_id.setter
    def draft_id(self, value: int | None) -> None:
        if value == self._shown_draft:
            return
        self._shown_draft = value
        from .draft_holds import keeper

        keeper(self.app).set(self, value)

    def on_unmount(self) -> None:
        if self._shown_draft is not None:
            from .draft_holds import keeper

            self._shown_draft = None
            keeper(self.app).set(self, None)

    # -- unsaved changes ------------------------------------------------------

    def on_mount(self) -> None:
        self.call_after_refresh(self.mark_clean)

    def _snapshot(self) -> dict[int, str]:
        # Blank fields are left out: a blank field mounted after the load (a count cell, a
        # new grid row) is nothing typed.
        return {id(w): w.value for w in self.query(Input) if w.value}

    def mark_clean(self) -> None:
        """Call after New, Save or loading a document: what is shown is saved."""
        self._dirty_flag = False
        self._clean = self._snapshot()

    @property
    def dirty(self) -> bool:
        """True when a field differs from the last :meth:`mark_clean`, or after
        ``dirty = True`` (e.g. a grid row changed). ``dirty = False`` is
        :meth:`mark_clean`."""
        return self._dirty_flag or self._snapshot() != self._clean

    @dirty.setter
    def dirty(self, value: bool) -> None:
        if value:
            self._dirty_flag = True
        else:
            self.mark_clean()

    def is_dirty(self) -> bool:
        return self.dirty

    # -- toolbar actions (override the ones in SUPPORTS) ---------------------

    def action_after_typing(self, action: str) -> None:
        """Run ``action_<action>`` once the focused field has taken the keys typed before it."""
        method = getattr(self, f"action_{action}")
        focused = self.focused
        if focused is not None:
            focused.call_later(method)
        else:
            method()

    def action_lookup(self) -> None:
        """F2: delegate to the focused field (a CodeInput or a grid cell)."""
        target = self._focused_lookup()
        if target is not None:
            target.action_lookup()  # type: ignore[attr-defined]

    # -- the document's life cycle: New, draft saved, a second press discards ------------------

    def _confirmed(self, action: str, what: str) -> bool:
        """A second press of the same key goes ahead with unsaved changes (the first one warns)."""
        if not self.is_dirty() or self._confirm == action:
            if self._confirm is not None:
                self.message_bar.clear()  # the "press … again" warning is answered
            self._confirm = None
            return True
        self._confirm = action
        self.message_bar.show_warning(self.discard_warning().format(key=what))
        return False

    def discard_warning(self) -> str:
        """The first press's warning, a template with ``{key}`` (the key to press again), in the
        reader's language: whether and how the typing can be kept instead (one whole sentence)."""
        if getattr(self, "view", None) is not None:
            return _("Unsaved changes: press {key} again to discard them")
        return _("Unsaved changes: press {key} again to discard them (Ctrl+D keeps a draft)")

    def action_new(self) -> None:
        """Ctrl+N: a blank document (:meth:`reset`); a second press discards unsaved typing."""
        if not self._confirmed("new", "Ctrl+N"):
            return
        self.call_later(self.reset)

    async def reset(self) -> None:
        """A blank document with its header defaults (the screens that use the default Ctrl+N)."""
        raise NotImplementedError

    def _posted_is_final(self) -> bool:
        """True (and says so) when the document shown is posted: Save and Draft do nothing then."""
        view = getattr(self, "view", None)
        if view is None:
            return False
        self.message_bar.show_warning(
            _("{number} is {status}: posted documents are final. Ctrl+N for a new one").format(
                number=view.number or _("This document"), status=_(view.status)))
        return True

    def draft_saved(self, draft_id: int, state: str | None = None) -> None:
        """A numberless draft was saved: it is the document shown now (F3 reopens it)."""
        self.draft_id = draft_id
        self.mark_clean()
        if self.NUMBER_WIDGET:
            self.query_one(self.NUMBER_WIDGET, Static).update(_("Draft #{id}").format(id=draft_id))
        self.set_document(None, state or _("Draft #{id}").format(id=draft_id))

    def action_reprint(self) -> None:
        """F12 (when "reprint" is in SUPPORTS): print the posted document again (marked DUPLICATE)."""
        self.print_posted(reprint=True)

    # -- printing (Ctrl+P / F12) ------------------------------------------------------

    def print_number(self) -> str | None:
        """The posted document F12 and Ctrl+P print (None: nothing to print, F12 hidden)."""
        return self.document_number

    def print_usd(self) -> bool | None:
        """"Print in USD": True/False, or None for the document's own flag."""
        return None

    def print_posted(self, *, reprint: bool = False, kind: str | None = None, keep_message: bool = False,
                     number: str | None = None) -> Worker | None:
        """Print :meth:`print_number` in a worker (see :func:`~shopterm.widgets.print_action.print_document`).
        ``keep_message``: the message shown now (e.g. "… posted; give 1,000.00 CDF change") stays,
        the print's outcome is added after it. ``number``: print that one instead of :meth:`print_number`."""
        from shopterm.widgets.print_action import print_document

        before = self.message_bar.text if keep_message else ""

        def after_print(printed: Any) -> None:

            self.show_ok(f"{before} · {printed.message()}")
        return print_document(self, number or self.print_number(), reprint=reprint, kind=kind, usd=self.print_usd(),
                              on_done=after_print if before else None)

    def _toolbar_action(self) -> None:
        """A toolbar action of DESIGN §12: a screen that names it in SUPPORTS implements it
        (checked when the class is made, :meth:`__init_subclass__`)."""
        raise NotImplementedError

    action_save = action_draft = action_save_print = _toolbar_action
    action_list = action_history = action_voucher = action_delete_row = _toolbar_action

    # -- shared dialogs for F4 / F9 -----------------------------------------

    def open_history(self, load: Callable[[], Any], title: str | None = None) -> None:
        """F4 helper: ``load()`` (run in a worker) returns audit HistoryRows."""
        from shopterm.widgets.history import HistoryDialog

        self.app.push_screen(HistoryDialog(title or _("History · {title}").format(title=self._title_text()), load))

    def open_voucher(self, load: Callable[[], Any], title: str | None = None) -> None:
        """F9 helper: ``load()`` (run in a worker) returns journal lines."""
        from shopterm.widgets.history import VoucherDialog

        self.app.push_screen(VoucherDialog(title or _("Voucher · {title}").format(title=self._title_text()), load))

    def action_back(self) -> None:
        """Esc: leave the screen; warn once if there is unsaved typing."""
        if not self._confirm_back and self.is_dirty():
            self._confirm_back = True
            self.message_bar.show_warning(
                _("Unsaved changes: press Esc again to discard or Ctrl+D to keep a draft") if "draft" in self.SUPPORTS
                else _("Unsaved changes: press Esc again to discard"))
            return
        self.app.pop_screen()
