"""The status bar: location, business date, day open/closed, user and system rate.

``StatusBar()`` reads ``services.status(actor)`` in a worker thread when it is
mounted and whenever :meth:`StatusBar.refresh_status` is called (a screen
calls it after posting a shop open/close or a rate change). It renders the
app's last known status at once, so a new screen never flickers.

Posts :class:`StatusBar.Updated` (bubbling) with the new status.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import Static

from shopterm.core import money
from shopterm.core.i18n import N_, _, format_date

#: A user's role as stored, translated where shown.
ROLES = (N_("cashier"), N_("manager"), N_("admin"))
from shopterm.widgets.messages import describe_error

if TYPE_CHECKING:
    import datetime as dt


class ShownStatus(Protocol):
    """What the bar shows of ``services.status(actor)`` (the services' ``Status``; widgets never import the
    services)."""

    @property
    def location_code(self) -> str: ...
    @property
    def location_name(self) -> str: ...
    @property
    def business_date(self) -> dt.date: ...
    @property
    def day_open(self) -> bool: ...
    @property
    def user_name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def system_rate(self) -> Decimal | None: ...


def format_rate(rate: Decimal | None) -> str:
    if rate is None:
        return _("no rate")
    return money.format_rate(rate, group=True)


def render_status(status: ShownStatus, width: int = 80) -> Text:
    """One line; day state in words (not colour alone). When it is wider than ``width`` (French:
    ``CAISSE OUVERTE``, ``(caissier)``), the location's name is left out, never the rate."""
    text = _status_line(status, with_name=True)
    if text.cell_len > width and status.location_name:
        text = _status_line(status, with_name=False)
    return text


def _status_line(status: ShownStatus, *, with_name: bool) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f" {status.location_code}", style="bold")
    if status.location_name and with_name:
        text.append(f" {status.location_name}")
    text.append(" │ ")
    text.append(format_date(status.business_date) if status.business_date else _("no date"))
    text.append(" │ ")
    if status.day_open:
        text.append(_("DAY OPEN"), style="bold")
    else:
        text.append(_("DAY CLOSED"), style="bold reverse")
    text.append(" │ ")
    text.append(f"{status.user_name} ({_(str(status.role))})")
    text.append(" │ ")
    text.append(f"1 USD = {format_rate(status.system_rate)} CDF")
    return text


class StatusBar(Static):
    """One line at the top of every screen.

    Args:
        source: ``() -> Status``, called in a worker thread. Defaults to
            ``app.services.status(app.actor)``.
    """

    class Updated(Message):
        def __init__(self, status: ShownStatus) -> None:
            super().__init__()
            self.status = status

    class _Failed(Message):
        def __init__(self, error: BaseException) -> None:
            super().__init__()
            self.error = error

    def __init__(
        self,
        source: Callable[[], ShownStatus] | None = None,
        *,
        id: str | None = "status-bar",
        classes: str | None = None,
    ) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self._source = source
        self.status: ShownStatus | None = None
        self.text = ""

    def on_mount(self) -> None:
        cached = getattr(self.app, "last_status", None)
        if cached is not None:
            self._show(cached)
        else:
            self.update(Text(" …", no_wrap=True))
        self.refresh_status()

    def refresh_status(self) -> None:
        """Re-read the status from the services (off the event loop)."""
        self._fetch()

    @work(thread=True, exclusive=True, group="status-bar")
    def _fetch(self) -> None:
        try:
            if self._source is not None:
                status = self._source()
            else:
                status = self.app.services.status(self.app.actor)  # type: ignore[attr-defined]
        except Exception as exc:
            self.post_message(self._Failed(exc))
            return
        self.post_message(self.Updated(status))

    @on(Updated)
    def _updated(self, event: Updated) -> None:
        # Let it bubble to the screen too.
        self._show(event.status)
        remember = getattr(self.app, "remember_status", None)
        if remember is not None:
            remember(event.status)

    @on(_Failed)
    def _failed(self, event: _Failed) -> None:
        event.stop()
        message, _field = describe_error(event.error)
        self.text = " " + _("status unavailable: {message}").format(message=message)
        self.add_class("-error")
        self.update(Text(self.text, no_wrap=True, overflow="ellipsis"))

    def _show(self, status: ShownStatus) -> None:
        self.status = status
        rendered = render_status(status, self.size.width or 80)
        self.text = rendered.plain
        self.remove_class("-error")
        self.set_class(not status.day_open, "-closed")
        self.update(rendered)
