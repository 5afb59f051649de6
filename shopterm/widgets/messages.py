"""The one-line message area every screen shows, and how errors reach it.

DESIGN §1: "Bad input gets a clear error, never a traceback, and loses nothing
the user already typed." A screen composes one :class:`MessageBar`; anything
that goes wrong (a field that does not parse, a business rule refused by a
service) is shown there as a plain sentence. The bar never relies on colour
alone: errors are prefixed with ``Error:``, confirmations with ``OK:``.

:func:`describe_error` turns any exception into ``(message, field)`` without
importing the services package at start-up.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.widget import Widget
    from textual.widgets import Input

from shopterm.core.i18n import N_, _

Kind = Literal["error", "info", "ok", "warning"]
W = TypeVar("W", bound="Widget")
I = TypeVar("I", bound="Input")  # noqa: E741


class ControlMessage(Message, Generic[W]):
    """A message about one widget, its ``control``: what ``@on(Message, "#id")`` matches."""

    def __init__(self, control: W) -> None:
        super().__init__()
        self._control = control

    @property
    def control(self) -> W:
        return self._control


class InputMessage(ControlMessage[I]):
    """A message about one input field: ``input`` (its ``control``)."""

    @property
    def input(self) -> I:
        return self._control


class RowPicked(InputMessage[I]):
    """A row was chosen in the field's lookup dialog; the field already holds its code."""

    def __init__(self, input: I, row: Any) -> None:
        super().__init__(input)
        self.row = row

_PREFIX: dict[str, str] = {"error": N_("Error: "), "warning": N_("Note: "), "ok": N_("OK: "), "info": ""}


class MessageBar(Static):
    """A single line that shows the latest error or confirmation.

    ``show_error(text)``, ``show_ok(text)``, ``show_info(text)``,
    ``show_warning(text)`` and ``clear()``. The bar keeps the text until
    something else replaces it; ``kind`` tells tests what is shown.
    """

    DEFAULT_CSS = """
    MessageBar { height: auto; min-height: 1; max-height: 3; width: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self.text = ""
        self.kind: Kind | None = None

    def show(self, text: str, kind: Kind = "info") -> None:
        text = shorten_quoted(text)
        self.text = text
        self.kind = kind
        for k in _PREFIX:
            self.set_class(k == kind, f"-{k}")
        self.update(Text(_(_PREFIX[kind]) + text))

    def show_error(self, text: str) -> None:
        self.show(text, "error")

    def show_warning(self, text: str) -> None:
        self.show(text, "warning")

    def show_ok(self, text: str) -> None:
        self.show(text, "ok")

    def show_info(self, text: str) -> None:
        self.show(text, "info")

    def clear(self) -> None:
        self.text = ""
        self.kind = None
        for k in _PREFIX:
            self.remove_class(f"-{k}")
        self.update("")


#: A quoted value longer than this is shown cut (its start and an ellipsis): an error
#: must fit the message bar at 80 columns, not repeat a 200-character paste.
QUOTED_MAX = 24

_QUOTED = re.compile("(?<!\\w)'([^'\\n]{%d,})'(?!\\w)|(?<!\\w)\"([^\"\\n]{%d,})\"(?!\\w)"
                     % (QUOTED_MAX + 1, QUOTED_MAX + 1))


def shorten_quoted(text: str) -> str:
    """``Code: 'AAAA…(200)' is not a valid code`` → ``Code: 'AAAAAAAAAAAAAAAAAAAA…' is not …``."""

    def cut(m: re.Match[str]) -> str:
        quote = "'" if m.group(1) is not None else '"'
        value = m.group(1) if m.group(1) is not None else m.group(2)
        return f"{quote}{value[:QUOTED_MAX - 4]}…{quote}"

    return _QUOTED.sub(cut, text)


def _loaded_error_class(name: str) -> type | None:
    """A class from ``shopterm.services.errors`` if that module is loaded.

    Never imports it: if the services were never imported, no error of theirs
    can exist, and importing them on the event loop would stall the screen.
    """
    module = sys.modules.get("shopterm.services.errors")
    return getattr(module, name, None) if module is not None else None


def is_user_error(exc: BaseException) -> bool:
    """True for errors a cashier can act on (a business rule, a bad number)."""
    from shopterm.core.money import MoneyError

    if isinstance(exc, MoneyError):
        return True
    store_db = sys.modules.get("shopterm.store.db")
    if store_db is not None and isinstance(exc, store_db.UnstorableText):  # a NUL, a figure too large: refused, nothing written
        return True
    shop_error = _loaded_error_class("ShopError")
    return shop_error is not None and isinstance(exc, shop_error)


def is_error(exc: BaseException, name: str) -> bool:
    """``isinstance(exc, shopterm.services.errors.<name>)`` without importing services."""
    cls = _loaded_error_class(name)
    return cls is not None and isinstance(exc, cls)


def describe_error(exc: BaseException) -> tuple[str, str | None]:
    """``(message, field)`` for any exception, fit for the message bar.

    A business error (``ShopError``) gives its own message and field; a
    ``MoneyError`` its text; anything else is an unexpected fault, shown as
    one line (the traceback goes to the log, never to the cashier).
    """
    if is_user_error(exc):
        message = getattr(exc, "message", None) or str(exc)
        return message, getattr(exc, "field", None)
    store_db = sys.modules.get("shopterm.store.db")
    if store_db is not None and store_db.sum_overflow(exc):  # a sum past a BIGINT that no service named
        return str(store_db.SumTooLarge()), None
    text = str(exc) or type(exc).__name__
    return _("Unexpected problem ({kind}): {text}").format(kind=type(exc).__name__, text=text), None
