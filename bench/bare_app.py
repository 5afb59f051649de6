"""The anchor of the start-up rows: a bare Textual app showing one label and an input (no shopterm)."""

from textual.app import App, ComposeResult
from textual.widgets import Input, Label


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Label("User")
        yield Input(placeholder="PIN")


if __name__ == "__main__":
    Bare().run()
