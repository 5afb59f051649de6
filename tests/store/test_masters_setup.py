"""Chart of accounts, cost centres, locations and shop setup (seed Sales Masters 07, DESIGN §9)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shopterm.core.journal import CASH_USD, credit, debit
from shopterm.services.errors import Duplicate, InUse, NotFound, PermissionDenied, ValidationError
from shopterm.services.documents.posting import PostingPlan
from shopterm.store import models as m

from .conftest import DAY


def test_setup_masters_need_an_admin(services, manager):
    with pytest.raises(PermissionDenied, match="Shop setup needs an admin; manager is a manager"):
        services.masters.save_shop_setup(manager, "AXP", cash_customer="CASH")
    with pytest.raises(PermissionDenied, match="Locations needs an admin"):
        services.masters.create_location(manager, code="BRA", name="Branch", number=2)
    with pytest.raises(PermissionDenied, match="The chart of accounts needs an admin"):
        services.masters.create_account(manager, code="6500", name="Rent", kind="expense")
    # cost centres are ordinary masters
    assert services.masters.create_cost_centre(manager, code="adm", name="Administration").code == "ADM"


def test_accounts(services, admin):
    masters = services.masters
    acct = masters.create_account(admin, code="6500", name="Rent", kind="Expense")
    assert (acct.code, acct.kind, acct.currency) == ("6500", "expense", None)
    with pytest.raises(Duplicate, match="Account 6500 already exists"):
        masters.create_account(admin, code="6500", name="Rent 2", kind="expense")
    with pytest.raises(ValidationError, match=r"Account kind: one of asset, liability, equity, income, expense \('cost'\)"):
        masters.create_account(admin, code="6600", name="X", kind="cost")
    with pytest.raises(ValidationError, match="currency: 'EUR' is not USD or CDF"):
        masters.create_account(admin, code="1120", name="Cash EUR", kind="asset", currency="EUR")
    assert masters.update_account(admin, "6500", name="Shop rent").name == "Shop rent"
    assets = masters.list_accounts(kind="asset").rows
    assert {"1100", "1110", "1200", "1300", "1900"} <= {a.code for a in assets}
    assert {a.kind for a in assets} == {"asset"}
    assert [a.code for a in masters.list_accounts(search="650").rows] == ["6500"]
    masters.delete(admin, "account", "6500")  # never used
    with pytest.raises(NotFound):
        masters.get_account("6500")


def test_used_account_cannot_be_deleted_nor_change_kind(services, admin):
    masters = services.masters
    masters.create_account(admin, code="4500", name="Other income", kind="income")
    with services.db.write() as s:
        doc = m.Document(doc_type="RP", location_id=1, doc_date=DAY, amount=D("5"), amount_usd=D("5"))
        services.posting.post(s, admin, PostingPlan(doc=doc, journal=[debit(CASH_USD, D("5")), credit("4500", D("5"))]))
    with pytest.raises(InUse, match=r"Account 4500 is used \(journal entries\): deactivate it instead of deleting it"):
        masters.delete(admin, "account", "4500")
    with pytest.raises(ValidationError, match="Account 4500 has entries: its kind cannot change"):
        masters.update_account(admin, "4500", kind="expense")
    with pytest.raises(InUse, match=r"Account 1100 is used \(.*shop setups.*\)"):
        masters.delete(admin, "account", "1100")
    masters.deactivate(admin, "account", "4500")
    assert masters.get_account("4500").inactive is True


def test_locations(services, admin):
    masters = services.masters
    loc = masters.create_location(admin, code="bra", name="Branch", number="2", address="Av. Kasa-Vubu",
                                  phone="+243 81 555 0000", tax_no="A0700", rccm_no="CD/KIN/1", cdf_increment="50")
    assert (loc.code, loc.number, loc.cdf_increment, loc.usd_increment, loc.has_setup) == (
        "BRA", 2, D("50.00"), D("0.01"), False)
    with pytest.raises(Duplicate, match="Location number 2 is already used by BRA") as exc:
        masters.create_location(admin, code="GOM", name="Goma", number=2)
    assert exc.value.field == "number"
    with pytest.raises(Duplicate, match="Location AXP already exists"):
        masters.create_location(admin, code="AXP", name="Again", number=3)
    for number, message in (("0", "number: must be at least 1 (0)"), ("100", "number: must be at most 99 (100)"),
                            ("x", "number: 'x' is not a whole number")):
        with pytest.raises(ValidationError) as exc:
            masters.create_location(admin, code="GOM", name="Goma", number=number)
        assert (exc.value.field, exc.value.message) == ("number", message)
    with pytest.raises(ValidationError, match=r"cdf_increment: must be greater than zero \(0.00\)"):
        masters.create_location(admin, code="GOM", name="Goma", number=3, cdf_increment="0")
    assert masters.update_location(admin, "BRA", number=5).number == 5
    assert [x.code for x in masters.list_locations().rows] == ["AXP", "BRA"]


def test_location_number_fixed_once_documents_are_numbered(services, admin, manager):
    masters = services.masters
    masters.update_prices(manager, location="AXP", currency="USD", effective_from=DAY,
                          rows=[{"item": "BAND01", "retail_price": "1.30", "wholesale_price": "1.15"}])
    with pytest.raises(ValidationError, match="Location AXP has numbered documents: its number cannot change"):
        masters.update_location(admin, "AXP", number=7)


def test_last_active_location_stays(services, admin):
    with pytest.raises(ValidationError, match="The last active location cannot be deactivated"):
        services.masters.deactivate(admin, "location", "AXP")


def test_shop_setup(services, admin, manager):
    masters = services.masters
    masters.create_location(admin, code="BRA", name="Branch", number=2)
    with pytest.raises(NotFound, match="Location BRA has no Shop Setup yet"):
        masters.get_shop_setup("BRA")
    with pytest.raises(ValidationError, match="Cash customer CASH is not assigned to location BRA"):
        masters.save_shop_setup(admin, "BRA", cash_customer="CASH")
    cash = masters.create_customer(manager, kind="cash", location="BRA", category="RE", group="WALK-IN",
                                   name="Branch walk-in")
    with pytest.raises(ValidationError, match=r"Cash ledger \(local\): account 1100 holds USD, not CDF"):
        masters.save_shop_setup(admin, "BRA", cash_customer=cash.code, cash_ledger_local="1100",
                                cash_ledger_base="1110")
    with pytest.raises(ValidationError, match=r"Cash ledger \(base\): account 4000 is not an asset account"):
        masters.save_shop_setup(admin, "BRA", cash_customer=cash.code, cash_ledger_base="4000")
    with pytest.raises(ValidationError, match="max_shortage_usd: 'five' is not a number"):
        masters.save_shop_setup(admin, "BRA", cash_customer=cash.code, max_shortage_usd="five")
    setup = masters.save_shop_setup(admin, "BRA", cash_customer=cash.code, max_shortage_usd="3",
                                    max_shortage_cdf="8000", cdf_increment="500", print_command="lp -d counter")
    assert (setup.location, setup.cash_customer, setup.cash_ledger_local, setup.cash_ledger_base,
            setup.shortage_ledger) == ("BRA", cash.code, "1110", "1100", "6900")
    assert (setup.max_shortage_usd, setup.max_shortage_cdf, setup.cdf_increment, setup.print_command) == (
        D("3.00"), D("8000.00"), D("500.00"), "lp -d counter")
    # what the day and sales services read
    info = services.setup.info("BRA")
    assert (info.cash_customer_id, info.max_shortage_cdf, info.cdf_increment) == (cash.id, D("8000.00"), D("500.00"))
    again = masters.save_shop_setup(admin, "BRA", cash_customer=cash.code, max_shortage_usd="4")
    assert again.id == setup.id and again.max_shortage_usd == D("4.00") and again.print_command == "lp -d counter"
    assert [h.action for h in masters.history("shop_setup", "BRA")] == ["create", "update"]
    assert [s.location for s in masters.list_shop_setups()] == ["AXP", "BRA"]


def test_shop_setup_records_stay_active(services, admin):
    with pytest.raises(ValidationError, match="Account 1110 is a ledger of the Shop Setup of AXP: "
                                              "change the Shop Setup first"):
        services.masters.deactivate(admin, "account", "1110")


def test_rate_history_reads_the_audit_log(services, manager):
    import datetime as dt

    services.setup.set_rate(manager, dt.date(2026, 11, 24), "2900")
    services.setup.set_rate(manager, dt.date(2026, 11, 24), "2910.5")
    rows = services.setup.rate_history(dt.date(2026, 11, 24))
    assert [(r.action, r.user_name) for r in rows] == [("create", "manager"), ("update", "manager")]
    assert rows[1].changes() == [("rate", "2900.000000", "2910.500000")]
    with pytest.raises(NotFound, match="No rate on 2026-12-25"):
        services.setup.rate_history(dt.date(2026, 12, 25))
