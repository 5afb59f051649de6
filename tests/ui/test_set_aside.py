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


async def test_signing_in_sets_the_objects_aside_a_moment_later(services, clean_registry, monkeypatch):
    from shopterm.screens.home import HomeScreen
    from tests.ui.waiting import wait_until

    set_aside: list[bool] = []
    monkeypatch.setattr(app_module, "SET_ASIDE_AFTER_S", 0.01)
    monkeypatch.setattr(app_module, "set_aside_startup_objects", lambda: set_aside.append(True))
    app = app_module.ShoptermApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"cashier", "enter", *"1111", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen) and set_aside == [True])
