"""After sign-in the objects made so far are set aside from the garbage collector, once per process
(app.set_aside_startup_objects): a full collection no longer goes over them at some key."""

from __future__ import annotations

from shopterm import app as app_module


def test_startup_objects_are_collected_then_set_aside_once(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(app_module, "_set_aside", False)
    monkeypatch.setattr(app_module.gc, "collect", lambda *a: calls.append("collect") or 0)
    monkeypatch.setattr(app_module.gc, "freeze", lambda: calls.append("freeze"))
    app_module.set_aside_startup_objects()
    assert calls == ["collect", "freeze"]  # garbage first: what is set aside is never collected
    app_module.set_aside_startup_objects()  # a second sign-in (or app) in the same process
    assert calls == ["collect", "freeze"]


async def test_signing_in_sets_the_objects_aside_a_moment_later(monkeypatch):
    from shopterm.screens.login import LoginScreen

    set_aside: list[bool] = []
    monkeypatch.setattr(app_module, "SET_ASIDE_AFTER_S", 0.01)
    monkeypatch.setattr(app_module, "set_aside_startup_objects", lambda: set_aside.append(True))
    app = app_module.ShoptermApp.__new__(app_module.ShoptermApp)
    timers: list = []
    app.set_timer = lambda delay, callback: timers.append((delay, callback))  # type: ignore[method-assign]
    app.switch_screen = lambda screen: None  # type: ignore[method-assign]
    app.start_language = "en"

    class Actor:
        language = "en"

    app._signed_in(LoginScreen.SignedIn(Actor()))
    assert [d for d, _cb in timers] == [0.01]
    timers[0][1]()
    assert set_aside == [True]
