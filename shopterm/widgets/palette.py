"""Ctrl+K's palette in the user's language.

Textual's :class:`~textual.command.CommandPalette` writes "No matches found" in
English when a search finds no screen; this one writes it through the
catalogue. Everything else is Textual's palette as it is (the search line's
placeholder is given by the app).
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from shopterm.core.i18n import _


class ShopCommandPalette(CommandPalette):
    """The palette, its "no matches" line translated."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual 8's own countdown (pinned in pyproject), with the line through the catalogue.
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(_("No matches found"), style="not bold")), disabled=True,
                           id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)
