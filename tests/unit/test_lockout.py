"""How long a lockout has left, as a person reads it (core/lockout.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from shopterm.core import i18n
from shopterm.core.lockout import APPROVAL, SIGNIN, TOKEN, lockout_message

NOW = dt.datetime(2026, 11, 23, 8, 0, 0, tzinfo=dt.timezone.utc)
SEEN = dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc) - dt.timedelta(seconds=2274389698)


def _shown(message: str, params: dict) -> str:
    from shopterm.services.errors import render_message

    return render_message(message, params)


@pytest.fixture
def french():
    i18n.set_language("fr")
    yield
    i18n.set_language("en")


def test_seconds_then_minutes_then_until_when():
    assert _shown(*lockout_message(SIGNIN, 30, NOW)) == "Too many wrong PINs: wait 30 s"
    assert _shown(*lockout_message(SIGNIN, 120, NOW)) == "Too many wrong PINs: wait 120 s"
    assert _shown(*lockout_message(SIGNIN, 121, NOW)) == "Too many wrong PINs: wait 3 min"  # rounded up
    assert _shown(*lockout_message(SIGNIN, 7200, NOW)) == "Too many wrong PINs: wait 120 min"
    # the 2099-01-01 00:00 UTC lockout of a read command: 2,274,389,698 s before it
    seen = SEEN
    until = dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc).astimezone()  # the machine's local time
    assert _shown(*lockout_message(SIGNIN, 2274389698, seen)) == (
        f"Too many wrong PINs: locked until {until:%Y-%m-%d} at {until:%H:%M}")
    assert _shown(*lockout_message(TOKEN, 7201, NOW, name="manager")).startswith(
        "Too many wrong credentials for manager: locked until ")
    assert _shown(*lockout_message(APPROVAL, 600, NOW, name="manager")) == (
        "Approval refused: manager is locked after wrong PINs: wait 10 min")
    # past year 9999: the last moment there is, not an OverflowError
    assert lockout_message(SIGNIN, 10**12, NOW)[1]["date"].year == 9999


def test_in_french(french):
    until = dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc).astimezone()
    seen = SEEN
    assert _shown(*lockout_message(SIGNIN, 2274389698, seen)) == (
        f"Trop de PIN erronés : bloqué jusqu'au {until:%d/%m/%Y} à {until:%H:%M}")
    assert _shown(*lockout_message(SIGNIN, 1500, NOW)) == "Trop de PIN erronés : attendez 25 min"
