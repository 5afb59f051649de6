"""Keys typed ahead are never lost and never land in the wrong field.

Textual hands a key to the focused widget's own queue and lets it bubble up
to the app, where the (non-priority) bindings run. Keys that arrive in one
burst (over SSH, from a paste, a barcode scanner) are all handed out before
the first is handled, so:

* a key that opens a screen (menu key, F2, Ctrl+S → tendering, Esc) lets the
  keys after it land in the old screen, or in a screen that has no focus yet;
* a key handled by a binding (Backspace, Space on a choice, Esc) runs *after*
  the printable keys and the Enter that followed it, in whatever field has
  the focus by then.

:class:`TypeaheadApp` (an App mixin) serialises the keys: it hands out one
key, waits until that key has been handled (stopped by a widget, or bubbled
to the app and its bindings run), then hands out the next. While the screen
on top does not take keys yet — it is mounting, loading, saving — the keys
wait in order and are replayed to whatever has the focus once it is ready.

A screen says whether it takes keys with a ``keys_ready`` attribute (see
``ShopScreen.hold_keys``); a screen without one takes keys once mounted. A
screen that becomes ready calls :meth:`TypeaheadApp.resume_keys`.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from textual import events

#: How often a key not yet handled is looked at: if the widget it went to is gone
#: (removed under it), the next key goes; a busy but live widget is waited for, up to
#: :data:`KEY_MAX_WAIT` (a slow terminal under load must not reorder keys).
KEY_TIMEOUT = 0.5
KEY_MAX_WAIT = 5.0


class QueuedKey(events.Key):
    """A key handed out by :class:`TypeaheadApp`; tells the app when it is done."""

    def __init__(self, key: str, character: str | None, app: "TypeaheadApp") -> None:
        super().__init__(key, character)
        self._typeahead_app = app
        self._to_app = False
        self._finished = False

    def copy(self) -> events.Key:
        return events.Key(self.key, self.character)

    def stop(self, stop: bool = True) -> "QueuedKey":
        super().stop(stop)
        if stop and not self._finished:
            # Finished once the handler that stopped it returns (unless it
            # still bubbles to the app, where the bindings finish it).
            asyncio.get_running_loop().call_soon(self._stopped)
        return self

    def _stopped(self) -> None:
        if not self._to_app:
            self.finish()

    def _bubble_to(self, widget: Any) -> None:
        if widget is self._typeahead_app:
            self._to_app = True
        super()._bubble_to(widget)

    def finish(self) -> None:
        if not self._finished:
            self._finished = True
            self._typeahead_app._key_finished(self)


QueuedKey.handler_name = "on_key"


class TypeaheadApp:
    """App mixin: one key at a time, held while the screen on top is not ready."""

    def _typeahead_init(self) -> None:
        self._typeahead: deque[events.Key] = deque()
        self._key_in_flight: QueuedKey | None = None
        self._key_timer: asyncio.TimerHandle | None = None
        self._pumping = False

    @property
    def typeahead_pending(self) -> int:
        """Keys received and not yet handled, counting those still in the app's queue (tests)."""
        queued = sum(1 for m in getattr(self._message_queue, "values", ()) if isinstance(m, events.Key))  # type: ignore[attr-defined]
        return queued + len(self._typeahead) + (self._key_in_flight is not None)

    def keys_ready(self) -> bool:
        screen = self.screen  # type: ignore[attr-defined]
        ready = getattr(screen, "keys_ready", None)
        if ready is None:
            return bool(screen.is_mounted)
        return bool(ready)

    def resume_keys(self) -> None:
        """A screen became ready: hand out the keys that waited (on the app's loop)."""
        if self._typeahead:
            self.call_later(self._pump_keys)  # type: ignore[attr-defined]

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not isinstance(event, QueuedKey) and not event.is_forwarded:
            self._typeahead.append(event)
            await self._pump_keys()
            return
        await super().on_event(event)  # type: ignore[misc]

    async def _pump_keys(self) -> None:
        if self._pumping:
            return
        self._pumping = True
        try:
            while self._typeahead and self._key_in_flight is None:
                if not self.keys_ready():
                    screen = self.screen  # type: ignore[attr-defined]
                    if getattr(screen, "keys_ready", None) is None:
                        # a plain screen (dialog) still mounting: look again once it is
                        screen.call_later(self.resume_keys)
                    return
                raw = self._typeahead.popleft()
                key = QueuedKey(raw.key, raw.character, self)
                key._sender = raw._sender
                self._key_in_flight = key
                target = self.focused or self.screen  # type: ignore[attr-defined]
                await super().on_event(key)  # type: ignore[misc]
                if not key.is_forwarded:
                    key.finish()  # a priority binding handled it
                elif self._key_in_flight is key:
                    self._arm_key_timer(key, target, 0.0)
        finally:
            self._pumping = False

    def _arm_key_timer(self, key: QueuedKey, target: Any, waited: float) -> None:
        loop = asyncio.get_running_loop()
        self._key_timer = loop.call_later(KEY_TIMEOUT, self._key_overdue, key, target, waited + KEY_TIMEOUT)

    def _key_overdue(self, key: QueuedKey, target: Any, waited: float) -> None:
        if self._key_in_flight is not key:
            return
        alive = bool(getattr(target, "is_attached", False)) and not getattr(target, "_closing", True)
        if alive and waited < KEY_MAX_WAIT:
            self._arm_key_timer(key, target, waited)
        else:
            key.finish()

    def _key_finished(self, key: QueuedKey) -> None:
        if self._key_in_flight is not key:
            return
        self._key_in_flight = None
        if self._key_timer is not None:
            self._key_timer.cancel()
            self._key_timer = None
        if self._typeahead:
            self.call_later(self._pump_keys)  # type: ignore[attr-defined]

    async def _on_key(self, event: events.Key) -> None:
        try:
            await super()._on_key(event)  # type: ignore[misc]
        finally:
            event.prevent_default()  # App._on_key ran here; the dispatcher must not run it again
            if isinstance(event, QueuedKey):
                event.finish()
