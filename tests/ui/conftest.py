"""Fixtures for the Pilot tests: a real shop database, and a clean screen registry."""

from __future__ import annotations

import datetime as dt

import pytest

from shopterm.screens import registry

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def services(tmp_path):
    """A shop at location AXP "Axpert" with users cashier/1111, manager/2222, admin/9999."""
    from shopterm.services import Services

    s = Services.open(f"sqlite:///{tmp_path}/t.db", today=TODAY)
    s.setup.init_shop(location_code="AXP", location_name="Axpert", rate="2850", admin_pin="9999")
    admin = s.users.login("admin", "9999")
    s.users.create(admin, "cashier", "1111", "cashier", location="AXP")
    s.users.create(admin, "manager", "2222", "manager", location="AXP")
    return s


@pytest.fixture
def clean_registry(monkeypatch):
    """An empty screen registry that does not import the real screen modules."""
    monkeypatch.setattr(registry, "_ENTRIES", {})
    monkeypatch.setattr(registry, "_import_errors", {})
    monkeypatch.setattr(registry, "_discovered", True)
    return registry
