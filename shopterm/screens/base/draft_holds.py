"""The drafts this app shows on its screens, held in the database so that other tills (and a
customer merge) know they are open (issue 16; services/documents/holds.py).

A :class:`~shopterm.screens.base.document.DocumentScreen` that shows a saved draft sets its
``draft_id``; the screen's keeper (one per app, :func:`keeper`) brings the database in line off
the event loop: the hold is taken, dropped when the screen shows another document or leaves, and
refreshed every :data:`REFRESH_S` seconds while the app runs; when the app quits its holds go. A hold
is advisory: when the database cannot be reached the next refresh tries again, and a till that
crashed holds nothing once its holds are stale.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.timer import Timer

__all__ = ["DraftHoldKeeper", "REFRESH_S", "keeper", "till_name"]

#: How often a running app refreshes its holds: well inside the services' ``holds.STALE``
#: (5 minutes), after which a till that stopped refreshing holds nothing.
REFRESH_S = 60


def till_name() -> str:
    """This till as other tills read it: ``SHOPTERM_TILL``, else the host name and the terminal
    (several cashiers signed in over SSH to one server are told apart by their terminal)."""
    named = os.environ.get("SHOPTERM_TILL", "").strip()
    if named:
        return named[:60]
    host = socket.gethostname() or "?"
    try:
        tty = os.ttyname(0).removeprefix("/dev/")
    except OSError:
        tty = ""
    return (f"{host}/{tty}" if tty else host)[:60]


class DraftHoldKeeper:
    """The holds of one running app: ``set(screen, draft_id)`` from the event loop; the database
    follows in a worker thread, always to the latest wanted state."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.holder = uuid.uuid4().hex
        self.till = till_name()
        self._wanted: dict[int, int] = {}  # id(screen) -> the draft it shows
        self._synced: frozenset[int] = frozenset()
        self._state = threading.Lock()  # guards _wanted (event loop) against the worker's read
        self._db = threading.Lock()  # one sync at a time
        self._timer: Timer | None = None

    @property
    def wanted(self) -> frozenset[int]:
        with self._state:
            return frozenset(self._wanted.values())

    @property
    def synced(self) -> frozenset[int]:
        return self._synced

    def set(self, screen: Screen, draft_id: int | None) -> None:

        with self._state:
            if draft_id is None:
                self._wanted.pop(id(screen), None)
            else:
                self._wanted[id(screen)] = draft_id
        self.schedule()

    def schedule(self) -> None:
        """Bring the database in line (and refresh what is held) in a worker."""
        app = self.app
        if not app.is_running or getattr(app, "actor", None) is None:
            return
        if not self.wanted and not self._synced:
            return
        if self._timer is None:
            self._timer = app.set_interval(REFRESH_S, self.schedule, name="draft-holds")
        app.run_worker(self._sync, thread=True, group="draft-holds", exit_on_error=False)

    def _sync(self) -> None:
        with self._db:
            wanted = self.wanted  # the latest, whichever worker runs first
            actor = getattr(self.app, "actor", None)
            if actor is None:
                return
            try:
                self.app.services.holds.sync(actor, self.holder, self.till, wanted)
            except Exception:  # advisory: the next refresh tries again (a crashed till's holds go stale)
                return
            self._synced = wanted

    def release_all_now(self) -> None:
        """The app quits: drop its holds at once (nothing else runs then)."""
        if not self._synced:
            return
        try:
            self.app.services.holds.release_all(self.holder)
        except Exception:  # the holds go stale on their own
            pass
        self._synced = frozenset()


def keeper(app: Any) -> DraftHoldKeeper:
    """The app's keeper, made on first use."""
    found = getattr(app, "_draft_hold_keeper", None)
    if found is None:
        found = DraftHoldKeeper(app)
        app._draft_hold_keeper = found
    return found
