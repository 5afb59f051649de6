"""The Textual app: wires the services, the login, the home menu and the palette.

``ShoptermApp(services, actor=None)``

* ``services`` — a ``shopterm.services.Services`` object, or a zero-argument
  callable returning one. A callable is run in a worker thread while the login
  screen waits for the PIN, so start-up does not pay for importing the store.
* ``actor`` — skip the login (tests, ``--user`` with a trusted session).

Screens reach the services as ``app.services`` (from worker threads only) and
the signed-in user as ``app.actor``. Everything else lives in the screens and
widgets.
"""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from shopterm.core.i18n import N_, _
from shopterm.core.i18n import current as current_language
from shopterm.core.i18n import set_language
from shopterm.screens.login import LoginScreen
from shopterm.widgets.collector import REST_S, RestingCollector
from shopterm.widgets.inputs import ShopInput
from shopterm.widgets.messages import describe_error
from shopterm.widgets.typeahead import TypeaheadApp


#: Seconds after start-up before the services open and the whole stylesheet is read (see ``on_mount``).
OPEN_SERVICES_AFTER_S = 0.3

#: Seconds after sign-in before the objects made so far are set aside from the garbage collector
#: (:func:`set_aside_startup_objects`).
SET_ASIDE_AFTER_S = 1.0
_set_aside = False


def set_aside_startup_objects() -> None:
    """Once per process, after sign-in: collect, then move every object made so far (the modules,
    classes and tables of Textual, SQLAlchemy, the services and the stylesheet) out of the
    garbage collector's reach (``gc.freeze``). A full collection went over all of them, ~160 ms
    on this machine, at whatever key it fell on (one in a few hundred: a row Enter in the grid
    bench, an item character in earlier ones); it now goes over what was made since. Objects
    set aside are never collected: only what exists at that moment, once (nothing is left of the
    sign-in screen once collected)."""
    global _set_aside
    if _set_aside:
        return
    _set_aside = True
    gc.collect()
    gc.freeze()


#: The one stylesheet (DESIGN §2). Start-up parses only its part above :data:`SIGN_IN_CSS_END` (what
#: the sign-in screen uses); the rest is read once the sign-in screen shows, and in any case before
#: any other screen does (:meth:`ShoptermApp.load_whole_stylesheet`).
STYLESHEET = Path(__file__).with_name("shopterm.tcss")
SIGN_IN_CSS_END = "/* ---- Above: what the sign-in screen uses"


def stylesheet_parts(path: Path = STYLESHEET) -> tuple[str, str]:
    """``(the sign-in screen's part, the rest)`` of the stylesheet. The rest keeps the file's line
    numbers (a CSS error names the right line): the lines above it are blank but for the ``$variable``
    declarations, which it uses too."""
    text = path.read_text(encoding="utf-8")
    cut = text.find(SIGN_IN_CSS_END)
    if cut < 0:
        return text, ""
    head = text[:cut]
    variables = "\n".join(line if line.lstrip().startswith("$") else "" for line in head.split("\n"))
    return head, variables + text[cut:]


def _home_screen() -> Any:
    """The home menu's screen class, imported when first shown (or by the services' worker while the
    sign-in screen waits): the terminal app's start imports what the sign-in screen needs only."""
    from shopterm.screens.home import HomeScreen

    return HomeScreen


class ScreenCommands(Provider):
    """Ctrl+K: jump to any registered screen by name."""

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        app = self.app
        actor = getattr(app, "actor", None)
        if actor is None:
            return []
        from shopterm.screens import registry

        registry.discover()
        commands: list[tuple[str, Callable[[], Any], str]] = [
            (e.shown_title, partial(app.open_entry, e.key), e.shown_help)  # type: ignore[attr-defined]
            for e in registry.entries(actor.role)
        ]
        commands.append((_("Home"), app.go_home, _("Back to the menu")))  # type: ignore[attr-defined]
        commands.append((_("Log out"), partial(app.run_action, "logout"), _("Sign out of shopterm")))
        return commands

    async def discover(self) -> Hits:
        for title, command, help in self._commands():
            yield DiscoveryHit(title, command, help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, command, help in self._commands():
            score = matcher.match(f"{title} {help}")
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help)


class ShoptermApp(TypeaheadApp, App[None]):
    """The shopterm terminal app. Keys typed ahead wait for the screen that takes
    them, one at a time and in order (:class:`~shopterm.widgets.typeahead.TypeaheadApp`)."""

    TITLE = "shopterm"
    COMMAND_PALETTE_BINDING = "ctrl+k"
    COMMANDS = {ScreenCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", N_("Quit"), id="app.quit", priority=True, show=False),
        Binding("ctrl+k", "command_palette", N_("Go to"), id="app.palette", priority=True, show=False),
    ]

    def __init__(self, services: Any, *, actor: Any = None, user: str = "", shop_language: bool = False) -> None:
        super().__init__()
        self._typeahead_init()
        sign_in_css, self._css_rest = stylesheet_parts()
        if not hasattr(App, "_load_screen_css"):  # another Textual: no hook before a screen shows
            sign_in_css, self._css_rest = STYLESHEET.read_text(encoding="utf-8"), ""
        self.stylesheet.add_source(sign_in_css, read_from=(str(STYLESHEET), ""))
        self._services: Any = None
        self._services_error: BaseException | None = None
        self._services_ready = threading.Event()
        if hasattr(services, "users"):
            self._services = services
            self._services_ready.set()
            self._open_services: Callable[[], Any] | None = None
        else:
            self._open_services = services
        self.actor: Any = actor
        # The language of the sign-in screen (--lang / SHOPTERM_LANG, else the shop's once the services
        # are open: ``shop_language``); once signed in, a user's own, else this one when given, else the shop's.
        self.start_language = current_language()
        self._shop_language = shop_language
        if actor is not None and getattr(actor, "language", ""):
            set_language(actor.language)
        self.initial_user = user
        self.last_status: Any = None
        #: full garbage collections held back while keys come, run when they rest (widgets/collector.py)
        self.collector = RestingCollector()

    # -- services ------------------------------------------------------------

    @property
    def services(self) -> Any:
        """The services facade. Call from worker threads: it waits until opened."""
        self._services_ready.wait()
        if self._services_error is not None:
            raise self._services_error
        return self._services

    @work(thread=True, exclusive=True, group="open-services")
    def _open_services_worker(self) -> None:
        try:
            assert self._open_services is not None
            self._services = self._open_services()
            _home_screen()  # the menu's modules, while the PIN is typed (not on the way to the sign-in screen)
            if self._shop_language:
                self.call_from_thread(self._use_shop_language, self._services.setup.shop_language())
        except BaseException as exc:  # shown on the login screen
            self._services_error = exc
            message, _field = describe_error(exc)
            self.call_from_thread(self.notify, _("Cannot open the shop database: {message}").format(message=message),
                                  severity="error", timeout=30)
        finally:
            self._services_ready.set()

    def _use_shop_language(self, language: str) -> None:
        """No --lang / SHOPTERM_LANG: the sign-in screen (and logging out) read in the shop's language."""
        if not language or language == self.start_language:
            return
        self.start_language = language
        if self.actor is None:
            set_language(language)
            if isinstance(self.screen, LoginScreen):
                self.screen.relabel()

    def remember_status(self, status: Any) -> None:
        """Called by status bars; new screens render this at once."""
        self.last_status = status

    @property
    def business_date(self) -> date | None:
        status = self.last_status
        return getattr(status, "business_date", None) if status is not None else None

    # -- screens -------------------------------------------------------------

    def load_whole_stylesheet(self) -> None:
        """Add the stylesheet's rules below the sign-in screen's part (once; they match none of its
        widgets): when the sign-in screen has shown, or before another screen does."""
        rest, self._css_rest = self._css_rest, ""
        if rest:
            self.stylesheet.add_source(rest, read_from=(str(STYLESHEET), "after the sign-in screen"))
            self.stylesheet.update(self)

    def _load_screen_css(self, screen: Any) -> None:
        # Textual 8 calls this before a screen is installed, pushed or switched to ("_default" is the
        # screen under all others, before the sign-in screen).
        if self._css_rest and not isinstance(screen, LoginScreen) and screen.id != "_default":
            self.load_whole_stylesheet()
        super()._load_screen_css(screen)

    def on_mount(self) -> None:
        self.collector.install()
        self.set_interval(REST_S / 2, self.collector.tick)
        self.set_timer(OPEN_SERVICES_AFTER_S, self.load_whole_stylesheet)
        if self._open_services is not None:
            # Once the sign-in screen is on the terminal: importing the store holds the GIL for a few
            # hundred ms and would delay its first paint. A PIN typed sooner waits for the services.
            self.set_timer(OPEN_SERVICES_AFTER_S, self._open_services_worker)
        if self.actor is not None:
            self.push_screen(_home_screen()())
        else:
            self.push_screen(LoginScreen(user=self.initial_user))

    def on_unmount(self) -> None:
        """Quitting: the drafts this app held open are released at once (draft_holds.py)."""
        self.collector.uninstall()
        held = getattr(self, "_draft_hold_keeper", None)
        if held is not None:
            held.release_all_now()

    @on(LoginScreen.SignedIn)
    def _signed_in(self, event: LoginScreen.SignedIn) -> None:
        self.actor = event.actor
        # From here on every screen reads in the user's language: their own; else the one given for
        # this run (--lang / SHOPTERM_LANG); else the shop's.
        own = getattr(event.actor, "own_language", "")
        if own or self._shop_language:
            set_language(own or getattr(event.actor, "language", "") or self.start_language)
        else:
            set_language(self.start_language)
        self.switch_screen(_home_screen()())
        self.set_timer(SET_ASIDE_AFTER_S, set_aside_startup_objects)

    async def on_event(self, event: Any) -> None:
        if isinstance(event, events.Key):
            self.collector.key_arrived()
        await super().on_event(event)

    def open_entry(self, key: str) -> None:
        """Open the registered screen ``key`` on top of the current one."""
        from shopterm.screens import registry

        entry = registry.get(key)
        if entry is None or self.actor is None or self.actor.role not in entry.roles:
            self.notify(_("{key}: not available").format(key=key), severity="warning")
            return
        try:
            screen = entry.factory(self)
        except Exception as exc:
            message, _field = describe_error(exc)
            self.notify(_("{title} could not open: {message}").format(title=entry.shown_title, message=message),
                        severity="error")
            return
        self.push_screen(screen)

    async def go_home(self) -> None:
        """Pop back to the home menu."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, _home_screen()):
            await self.pop_screen()

    async def action_logout(self) -> None:
        await self.go_home()
        self.actor = None
        self.last_status = None
        set_language(self.start_language)
        await self.switch_screen(LoginScreen())

    def action_command_palette(self) -> None:
        """Ctrl+K: the palette, its search line in the user's language."""
        from shopterm.widgets.palette import ShopCommandPalette

        if self.use_command_palette and not ShopCommandPalette.is_open(self):
            self.push_screen(ShopCommandPalette(id="--command-palette", placeholder=_("Go to a screen…")))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("command_palette", "logout") and self.actor is None:
            return False
        return True

    # -- keys shown the way a cashier reads them ----------------------------

    def get_key_display(self, binding: Binding) -> str:
        if binding.key_display:
            return binding.key_display
        key = binding.key.split(",")[0]
        parts = key.split("+")
        base = parts[-1]
        names = {"escape": "Esc", "enter": "Enter", "delete": "Del", "tab": "Tab", "up": "↑", "down": "↓"}
        if base in names:
            base = names[base]
        elif base.startswith("f") and base[1:].isdigit():
            base = base.upper()
        elif len(base) == 1:
            base = base.upper()
        if "ctrl" in parts[:-1]:
            return f"^{base}"
        if "shift" in parts[:-1]:
            return f"Shift+{base}"
        return base

    # -- fallbacks -----------------------------------------------------------

    @on(ShopInput.Invalid)
    def _unhandled_invalid(self, event: ShopInput.Invalid) -> None:
        """A field error no screen showed (e.g. in a bare dialog)."""
        self.notify(event.message, severity="error")
