"""Sign in with user name + PIN (DESIGN §10).

Enter on the name moves to the PIN; Enter on the PIN signs in. A wrong PIN
shows the service's message and clears the PIN (the name stays). After too many
wrong tries the service refuses with ``LockedOut``; the screen shows the
seconds left, counting down, and lets the cashier type again when it is over.

On success the screen posts :class:`LoginScreen.SignedIn`; the app handles it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Label, Static

from shopterm.core.i18n import N_, _
from shopterm.core.lockout import SECONDS_SHOWN
from shopterm.screens.base.footer import QuietFooter
from shopterm.widgets.dialogs import titled_box
from shopterm.widgets.inputs import FORM_BINDINGS, FormNavigation
from shopterm.widgets.messages import MessageBar, describe_error

if TYPE_CHECKING:
    from shopterm.services.context import Actor


def _version() -> str:
    try:
        from shopterm import __version__

        return __version__
    except ImportError:  # an editable install that sees shopterm as a namespace
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("shopterm")
        except PackageNotFoundError:
            return "dev"


class LoginScreen(FormNavigation, Screen):
    """The first screen. Needs ``app.services``; posts ``SignedIn(actor)``."""

    AUTO_FOCUS = "#login-user"
    BINDINGS = [*FORM_BINDINGS, Binding("ctrl+q", "app.quit", N_("Quit"), id="login.quit", priority=True)]

    class SignedIn(Message):
        def __init__(self, actor: Actor) -> None:
            super().__init__()
            self.actor = actor

    class _Result(Message):
        def __init__(self, actor: Actor | None = None, error: BaseException | None = None) -> None:
            super().__init__()
            self.actor = actor
            self.error = error

    def __init__(self, user: str = "", name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._pin_entered = False
        self._initial_user = user
        self.busy = False
        self.seconds_left = 0
        self._countdown: Timer | None = None

    def compose(self) -> ComposeResult:
        with Center(id="login-center"):
            with titled_box("shopterm", f"v{_version()}", id="login-box"):
                texts = self._texts()
                yield Static(texts["#login-intro"], id="login-intro")
                yield Label(texts["#login-user-label"], id="login-user-label", classes="field-label")
                yield Input(self._initial_user, placeholder=_("your user name"), id="login-user", max_length=40)
                yield Label(texts["#login-pin-label"], id="login-pin-label", classes="field-label")
                yield Input(placeholder=_("PIN"), password=True, id="login-pin", max_length=12)
                yield MessageBar(id="login-message")
                yield Static(texts["#login-help"], id="login-help")
        # Translates the keys' descriptions (the language of --lang / SHOPTERM_LANG here).
        yield QuietFooter(compact=True, show_command_palette=False)

    @staticmethod
    def _texts() -> dict[str, str]:
        return {"#login-intro": _("Sign in to open the till."), "#login-user-label": _("User"),
                "#login-pin-label": _("PIN"), "#login-help": _("Enter: next / sign in   Ctrl+Q: quit")}

    def relabel(self) -> None:
        """The language changed (the shop's, read once the database is open): every text again, in
        place — what is typed and where the cursor is stay."""
        for selector, text in self._texts().items():
            self.query_one(selector, Static).update(text)
        self.query_one("#login-user", Input).placeholder = _("your user name")
        self.query_one("#login-pin", Input).placeholder = _("PIN")
        self.refresh_bindings()  # the footer's key descriptions

    def on_mount(self) -> None:
        if self._initial_user:
            self.query_one("#login-pin", Input).focus()

    @property
    def message_bar(self) -> MessageBar:
        return self.query_one("#login-message", MessageBar)

    @on(Input.Submitted, "#login-user")
    def _user_done(self, event: Input.Submitted) -> None:
        event.stop()
        user = self.query_one("#login-user", Input)
        if not event.value.strip():
            self.message_bar.show_error(_("User: type your user name"))
            self.set_focus(user)
            return
        if self.focused is user:
            self.set_focus(self.query_one("#login-pin", Input))

    # -- keys typed while signing in wait for the menu (shopterm.widgets.typeahead) --

    @property
    def keys_ready(self) -> bool:
        return self.is_mounted and not self.busy and not self._pin_entered

    def action_form_enter(self) -> None:
        if self.focused is self.query_one("#login-pin", Input):
            self._pin_entered = True  # until the sign-in has answered: keys after it go to the menu
        super().action_form_enter()

    def _keys_go_on(self) -> None:
        self._pin_entered = False
        resume = getattr(self.app, "resume_keys", None)
        if resume is not None:
            self.app.call_later(resume)

    @on(Input.Submitted, "#login-pin")
    def _pin_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()
        if not self.busy:  # refused before asking (empty PIN, paused): keys go on here
            self._keys_go_on()

    def submit(self) -> None:
        if self.busy or self.seconds_left > 0:
            return
        user = self.query_one("#login-user", Input)
        pin = self.query_one("#login-pin", Input)
        name = user.value.strip()
        if not name:
            self.message_bar.show_error(_("User: type your user name"))
            user.focus()
            return
        if not pin.value:
            self.message_bar.show_error(_("PIN: type your PIN"))
            pin.focus()
            return
        self.busy = True
        self.message_bar.show_info(_("Signing in…"))
        self._login(name, pin.value)

    @work(thread=True, exclusive=True, group="login")
    def _login(self, name: str, pin: str) -> None:
        try:
            actor = self.app.services.users.login(name, pin)  # type: ignore[attr-defined]
        except Exception as exc:
            self.post_message(self._Result(error=exc))
            return
        self.post_message(self._Result(actor=actor))

    @on(_Result)
    def _result(self, event: _Result) -> None:
        self.busy = False
        pin = self.query_one("#login-pin", Input)
        if event.error is None:
            pin.value = ""
            self.message_bar.show_ok(_("Welcome, {name}").format(name=event.actor.name))
            self.post_message(self.SignedIn(event.actor))  # the menu replaces this screen: it takes the keys
            return
        self._keys_go_on()
        pin.value = ""
        seconds = getattr(event.error, "seconds_left", None)
        if seconds is not None and int(seconds) <= SECONDS_SHOWN:  # counted down; a longer lockout says
            self._pause(int(seconds))  # for how many minutes or until when, and another user may sign in
            return
        message, _field = describe_error(event.error)
        self.message_bar.show_error(message)
        pin.focus()

    # -- the pause after too many wrong tries ------------------------------

    def _pause(self, seconds: int) -> None:
        self.seconds_left = max(1, seconds)
        for widget in self.query(Input):
            widget.disabled = True
        self._show_pause()
        if self._countdown is not None:
            self._countdown.stop()
        self._countdown = self.set_interval(1.0, self._tick)

    def _show_pause(self) -> None:
        self.message_bar.show_error(_("Too many wrong PINs. Wait {seconds} s before trying again.").format(
            seconds=self.seconds_left))

    def _tick(self) -> None:
        self.seconds_left -= 1
        if self.seconds_left > 0:
            self._show_pause()
            return
        self.seconds_left = 0
        if self._countdown is not None:
            self._countdown.stop()
            self._countdown = None
        for widget in self.query(Input):
            widget.disabled = False
        self.message_bar.show_info(_("You may try again."))
        self.query_one("#login-pin", Input).focus()
