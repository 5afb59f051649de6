"""How long a lockout after wrong PINs has left, as a person reads it (pure, standard library only).

A lockout of the usual 30 s is counted in seconds; one set longer (by an admin, or by a clock that
was wrong) in minutes up to two hours, and past that as the date and time it ends, in the machine's
local time: "wait 2274389698 s" said nothing a person could use. Each message that tells of a lockout
(sign-in, API token, a manager's approval) has the three forms, :data:`SIGNIN`, :data:`TOKEN`,
:data:`APPROVAL`; :func:`lockout_message` picks one and its parameters (the date is a ``date``, written
the reader's way where the message is shown).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .i18n import N_

#: up to this many seconds left: "wait 30 s" (the terminal app counts it down)
SECONDS_SHOWN = 120
#: up to this many minutes left: "wait 25 min"; past it, the end's date and time
MINUTES_SHOWN = 120

SIGNIN = (N_("Too many wrong PINs: wait {locked} s"), N_("Too many wrong PINs: wait {minutes} min"),
          N_("Too many wrong PINs: locked until {date} at {time}"))
TOKEN = (N_("Too many wrong credentials for {name}: wait {locked} s"),
         N_("Too many wrong credentials for {name}: wait {minutes} min"),
         N_("Too many wrong credentials for {name}: locked until {date} at {time}"))
APPROVAL = (N_("Approval refused: {name} is locked after wrong PINs: wait {locked} s"),
            N_("Approval refused: {name} is locked after wrong PINs: wait {minutes} min"),
            N_("Approval refused: {name} is locked after wrong PINs until {date} at {time}"))


def lockout_message(forms: tuple[str, str, str], seconds: int, now: dt.datetime,
                    **params: Any) -> tuple[str, dict[str, Any]]:
    """The message id of ``forms`` for ``seconds`` left at ``now`` (an aware time) and its parameters
    (``params`` plus ``locked`` seconds, ``minutes`` rounded up, or the local ``date`` and ``time``)."""
    if seconds <= SECONDS_SHOWN:
        return forms[0], {**params, "locked": seconds}
    minutes = -(-seconds // 60)
    if minutes <= MINUTES_SHOWN:
        return forms[1], {**params, "minutes": minutes}
    try:
        until = (now + dt.timedelta(seconds=seconds)).astimezone()
    except OverflowError:  # past year 9999: the last moment there is
        until = dt.datetime.max
    return forms[2], {**params, "date": until.date(), "time": f"{until:%H:%M}"}
