"""F2 on an account field: the default chart's accounts read, and are found, in the reader's
language (their names are stored in English); a name the shop gave stays as typed."""

from __future__ import annotations

import pytest
from sqlmodel import select

from shopterm.core import i18n
from shopterm.core.journal import CASH_USD
from shopterm.store import models as m


@pytest.fixture
def french():
    i18n.set_language("fr")
    yield
    i18n.set_language("en")


def shown(rows, code: str) -> str:
    return next(r.name for r in rows if r.code == code)


def test_default_accounts_read_in_english_by_default(services, manager):
    rows = services.lookup("account", "", limit=100, actor=manager)
    assert shown(rows, "4000") == "Sales" and shown(rows, "6400") == "Shop expenses"
    assert [r.code for r in services.lookup("account", "expenses", actor=manager)] == ["6400"]


def test_default_accounts_read_and_are_found_in_french(services, manager, french):
    rows = services.lookup("account", "", limit=100, actor=manager)
    assert shown(rows, "4000") == "Ventes" and shown(rows, "6400") == "Frais du magasin"
    # found by the name the manager reads, and still by the stored one and the code
    assert "4000" in [r.code for r in services.lookup("account", "vent", actor=manager)]
    assert [r.code for r in services.lookup("account", "frais du mag", actor=manager)] == ["6400"]
    assert [r.code for r in services.lookup("account", "shop exp", actor=manager)] == ["6400"]
    cash = services.lookup("cash_account:USD", "", actor=manager)
    assert [(r.code, r.name, r.detail) for r in cash][:1] == [(CASH_USD, "Caisse USD", "USD")]


def test_a_name_the_shop_gave_stays_as_typed(services, manager, french):
    with services.db.write() as s:
        acct = s.exec(select(m.Account).where(m.Account.code == "6400")).one()
        acct.name = "Loyer et charges"
    rows = services.lookup("account", "", limit=100, actor=manager)
    assert shown(rows, "6400") == "Loyer et charges"
    assert services.lookup("account", "frais du mag", actor=manager) == []
