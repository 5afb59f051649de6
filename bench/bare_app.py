"""The anchor of the start-up rows: a bare Textual app showing one label and an input (no shopterm)."""

from textual.app import App, ComposeResult
from textual.widgets import Input, Label, Static


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("Sign in to open the till.")  # the text the start-up rows wait for
        yield Label("User")
        yield Input(placeholder="your user name")
        yield Label("PIN")
        yield Input(placeholder="PIN", password=True)


if __name__ == "__main__":
    Bare().run()
