"""The footer of every screen: the keys of the focused widget and its screen, in the reader's language.

Its own module (not ``document.py``) so the sign-in screen shows it without importing the signed-in
screens' base: the terminal app's start imports what the sign-in screen needs and nothing more.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from shopterm.core.i18n import _


class QuietFooter(Footer):
    """A Footer that rebuilds its keys only when the keys shown actually change.

    Textual refreshes the bindings on every focus move, and the stock Footer then
    recomposes all its keys (a mount and a layout of the whole screen: ~100 ms per
    Enter on a 2-core machine, and a repaint over SSH). Moving between fields whose
    keys are the same costs nothing here; when only a key's greyed state changes,
    that key is restyled in place (a repaint of the key, no layout).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown_keys: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            active = screen.active_bindings
            keys = tuple((key, b.binding.action, b.binding.description) for key, b in active.items() if b.binding.show)
            if self._bindings_ready and keys == self._shown_keys:
                enabled = {b.binding.action: b.enabled for b in active.values() if b.binding.show}
                for footer_key in self.query(FooterKey):
                    if footer_key.action in enabled:
                        greyed = not enabled[footer_key.action]
                        footer_key._disabled = greyed  # as Footer.compose does: the click rings
                        footer_key.set_class(greyed, "-disabled")
                return
            self._shown_keys = keys
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        # Bindings are declared once, in English (marked with N_); each key reads in the
        # language of the user signed in now.
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = _(widget.description)
                if widget.tooltip:
                    widget.tooltip = _(str(widget.tooltip))
            yield widget
