"""The anchor of the keystroke benchmarks: a bare Textual app with one Input.

Prints nothing of its own but the Input's placeholder ``READY``; keys typed
into it cost what Textual itself costs on this machine at the same moment.
"""

from textual.app import App, ComposeResult
from textual.widgets import Input


class Bare(App):
    def compose(self) -> ComposeResult:
        yield Input(placeholder="READY")


if __name__ == "__main__":
    Bare().run()
