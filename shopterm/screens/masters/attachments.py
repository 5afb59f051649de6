"""The Attachment tab of Sales Promotion and Discount Slabs (seed), as a dialog (Ctrl+G on a
saved record): the files attached (name, size, SHA-256, who, when), a path to attach one more,
and keys to save one out or open it with the system viewer.

Layout (78 × 21)::

    ╭─ Attachments · Sales Promotion SP000001 ────────────────────────────────╮
    │ File  /home/shop/offre-fournisseur.pdf                                   │
    │ #  Name                          Size      SHA-256       By        Date  │
    │ 1  offre-fournisseur.pdf         12.4 KB   3f9a0c1b22e4  manager   …     │
    │ …                                                                        │
    │ Attached offre-fournisseur.pdf (12.4 KB)                                 │
    ╰─ Enter attach · ↑↓ choose · F6 save out · F7 open · Esc close ──────────╯

The files are stored in the database (``services.masters.attach``); saving out writes to the
shop's ``attachments`` folder beside the database; opening uses ``xdg-open`` when the system has
it (otherwise the message says where the file was saved). Every step is audited on the record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from shopterm.core.i18n import N_, _
from shopterm.widgets.dialogs import move_highlight, titled_box
from shopterm.widgets.messages import MessageBar, describe_error
from shopterm.widgets.workers import run_in_thread

from shopterm.services.masters.attachments import size_text  # the one wording of a file size

if TYPE_CHECKING:
    from shopterm.services import Services
    from shopterm.services.masters.attachments import AttachmentInfo, OpenedAttachment

__all__ = ["AttachmentsDialog"]

T = TypeVar("T")


class AttachmentsDialog(ModalScreen[None]):
    """Attach, list, save out and open the files of one record (module docstring)."""

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="attach.close"),
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("f6", "save_out", N_("Save out"), id="attach.save", key_display="F6"),
        Binding("f7", "open", N_("Open"), id="attach.open", key_display="F7"),
    ]

    def __init__(self, entity: str, key: str, title: str) -> None:
        super().__init__()
        self.entity, self.key, self.title_text = entity, key, title
        self.rows: list[AttachmentInfo] = []

    def compose(self) -> ComposeResult:
        with titled_box(self.title_text, _("Enter attach · ↑↓ choose · F6 save out · F7 open · Esc close"),
                        id="attach-box"):
            with Horizontal(id="attach-file-row"):
                yield Static(_("File"), classes="import-label")
                yield Input(placeholder=_("path of the file to attach (at most 5 MB)"), id="attach-path")
            yield Static(self._head(), id="attach-head", markup=False)
            yield OptionList(id="attach-rows")
            yield MessageBar(id="attach-message")

    @staticmethod
    def _head() -> str:
        return f"{'#':<3}{_('Name'):<30}{_('Size'):>9}  {_('SHA-256'):<13}{_('By'):<10}{_('Date'):<10}"

    def on_mount(self) -> None:
        self.query_one("#attach-rows", OptionList).can_focus = False
        self.query_one("#attach-path", Input).focus()
        self._reload()

    @property
    def bar(self) -> MessageBar:
        return self.query_one("#attach-message", MessageBar)

    @property
    def services(self) -> Services:
        return self.app.services  # type: ignore[attr-defined]

    def _run(self, work: Callable[[], T], done: Callable[[T], Any]) -> None:
        run_in_thread(self, work, done, self._failed, group="attachments")

    def _failed(self, exc: BaseException) -> None:
        self.bar.show_error(describe_error(exc)[0])

    def _reload(self, then: Callable[[], object] | None = None) -> None:
        entity, key = self.entity, self.key
        self._run(lambda: self.services.masters.attachments(entity, key), lambda rows: self._show(rows, then))

    def _show(self, rows: list[AttachmentInfo], then: Callable[[], object] | None = None) -> None:
        self.rows = list(rows)
        options = self.query_one("#attach-rows", OptionList)
        options.clear_options()
        for n, a in enumerate(self.rows, start=1):
            name = a.name if len(a.name) <= 29 else a.name[:28] + "…"
            options.add_option(Option(f"{n:<3}{name:<30}{size_text(a.size):>9}  {a.sha256[:12]:<13}"
                                      f"{a.created_by[:9]:<10}{a.created_at.date().isoformat():<10}"))
        if self.rows:
            options.highlighted = len(self.rows) - 1
        elif then is None:
            self.bar.show_info(_("No file attached yet: type a path and Enter"))
        if then is not None:
            then()

    @on(Input.Submitted, "#attach-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = event.value.strip()
        actor, entity, key = self.app.actor, self.entity, self.key  # type: ignore[attr-defined]

        def done(info: AttachmentInfo) -> None:
            self.query_one("#attach-path", Input).value = ""
            self._reload(lambda: self.bar.show_ok(_("Attached {name} ({size})").format(name=info.name,
                                                                                       size=size_text(info.size))))

        self._run(lambda: self.services.masters.attach(actor, entity, key, path), done)

    def _chosen(self) -> AttachmentInfo | None:
        index = self.query_one("#attach-rows", OptionList).highlighted
        if index is None or not (0 <= index < len(self.rows)):
            self.bar.show_info(_("No file attached yet: type a path and Enter"))
            return None
        return self.rows[index]

    def action_move(self, step: int) -> None:
        move_highlight(self.query_one("#attach-rows", OptionList), len(self.rows), step)

    def action_save_out(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        actor = self.app.actor  # type: ignore[attr-defined]
        self._run(lambda: self.services.masters.save_attachment(actor, chosen.id),
                  lambda path: self.bar.show_ok(_("Saved {name} to {path}").format(name=chosen.name, path=path)))

    def action_open(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        actor = self.app.actor  # type: ignore[attr-defined]

        def done(opened: OpenedAttachment) -> None:
            if opened.viewer:
                self.bar.show_ok(_("Opened {name} with {viewer}").format(name=chosen.name, viewer=opened.viewer))
            else:
                self.bar.show_info(_("No system viewer (xdg-open) here: {name} saved to {path}").format(
                    name=chosen.name, path=opened.path))

        self._run(lambda: self.services.masters.open_attachment(actor, chosen.id), done)

    def action_close(self) -> None:
        self.dismiss(None)
