"""Fixtures for the Pilot tests: a real shop database, and a clean screen registry."""

from __future__ import annotations

import datetime as dt

import pytest

from shopterm.screens import registry
from tests import backend

TODAY = dt.date(2026, 11, 23)


def _build_shop(url: str) -> None:
    from shopterm.services import Services

    s = Services.open(url, today=TODAY)
    s.setup.init_shop(location_code="AXP", location_name="Axpert", rate="2850", admin_pin="9999")
    admin = s.users.login("admin", "9999")
    s.users.create(admin, "cashier", "1111", "cashier", location="AXP")
    s.users.create(admin, "manager", "2222", "manager", location="AXP")
    s.db.dispose()


@pytest.fixture
def services(tmp_path_factory, tmp_path):
    """A shop at location AXP "Axpert" with users cashier/1111, manager/2222, admin/9999
    (built once per worker, copied for each test)."""
    from shopterm.services import Services

    s = Services.open(backend.clone(backend.make_template("ui-shop", tmp_path_factory, _build_shop), tmp_path),
                      upgrade=False, today=TODAY)
    yield s
    s.db.dispose()


@pytest.fixture
def clean_registry(monkeypatch):
    """An empty screen registry that does not import the real screen modules."""
    monkeypatch.setattr(registry, "_ENTRIES", {})
    monkeypatch.setattr(registry, "_MODULES", {})
    monkeypatch.setattr(registry, "_import_errors", {})
    monkeypatch.setattr(registry, "_discovered", True)
    return registry
