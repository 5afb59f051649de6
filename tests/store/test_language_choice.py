"""The language each person reads, chosen in the masters (issue 14): a user's own (blank: the
shop's), the Shop Setup's, a customer's (what is printed for them; blank: the shop's).
Every language is checked against the catalogues there are; nothing is saved when it is refused."""

from __future__ import annotations

import pytest

from shopterm.core import i18n
from shopterm.services.errors import ValidationError


def _user(services, admin, name):
    return next(u for u in services.users.list(admin) if u.name == name)


def test_a_user_reads_their_own_language_else_the_shops(services, admin):
    info = services.users.create(admin, "marie", "4321", "cashier", location="AXP", language="FR")
    assert info.language == "fr"
    assert services.users.login("marie", "4321").language == "fr"
    # the cashier has none of their own: the shop's (English), then the shop switches to French
    assert _user(services, admin, "cashier").language == ""
    assert services.users.login("cashier", "1111").language == "en"
    services.masters.save_shop_setup(admin, "AXP", cash_customer="CASH", language="fr_CD.UTF-8")
    assert services.masters.get_shop_setup("AXP").language == "fr"
    assert services.users.login("cashier", "1111").language == "fr"
    # marie back to the shop's, the cashier to English of their own
    assert services.users.update(admin, "marie", language="").language == ""
    assert services.users.update(admin, "cashier", language="en").language == "en"
    assert services.users.login("cashier", "1111").language == "en"
    assert services.users.login("marie", "4321").language == "fr"
    # an update that does not name the language keeps it
    assert services.users.update(admin, "cashier", full_name="Caissier Un").language == "en"


def test_a_language_without_a_catalogue_is_refused_and_named(services, admin):
    with pytest.raises(ValidationError, match=r"Language: xx is not available \(available: en, fr\)") as err:
        services.users.create(admin, "paul", "4321", "cashier", language="xx")
    assert err.value.field == "language"
    assert "paul" not in {u.name for u in services.users.list(admin)}
    with pytest.raises(ValidationError) as err:
        services.users.update(admin, "cashier", language="de")
    assert err.value.field == "language"
    assert _user(services, admin, "cashier").language == ""
    with pytest.raises(ValidationError) as err:
        services.masters.save_shop_setup(admin, "AXP", cash_customer="CASH", language="sw")
    assert err.value.field == "language"
    assert services.masters.get_shop_setup("AXP").language == "en"
    with pytest.raises(ValidationError) as err:
        services.masters.update_customer(admin, "C0001", language="ln")
    assert err.value.field == "language"
    # the refusal reads in the reader's language
    with i18n.use("fr"):
        assert str(err.value) == "Langue : ln n'est pas disponible (disponibles : en, fr)"


def test_shop_setup_language_blank_is_english_and_kept_when_not_given(services, admin):
    services.masters.save_shop_setup(admin, "AXP", cash_customer="CASH", language="fr")
    services.masters.save_shop_setup(admin, "AXP", cash_customer="CASH", max_shortage_usd="5")
    assert services.masters.get_shop_setup("AXP").language == "fr"
    services.masters.save_shop_setup(admin, "AXP", cash_customer="CASH", language="")
    assert services.masters.get_shop_setup("AXP").language == "en"


def test_a_customers_language(services, manager):
    assert services.masters.get_customer("C0001").language == ""
    assert services.masters.update_customer(manager, "C0001", language="Fr").language == "fr"
    assert services.masters.update_customer(manager, "C0001", mobile="+243810000009").language == "fr"
    assert services.masters.update_customer(manager, "C0001", language="").language == ""


def test_the_customers_csv_carries_the_language_and_an_old_file_keeps_it(services, admin):
    from shopterm.services.masters.imports import COLUMNS

    header = ",".join(COLUMNS["customers"])
    row = "C0001,Kinshasa Pharma,credit,WH,Fleuve Group,wholesale,5000,30,,,,SP01,no,no,,AXP"
    result = services.masters.import_csv(admin, "customers", (f"{header},language\n{row},FR\n").encode())
    assert result.ok and services.masters.get_customer("C0001").language == "fr"
    # a file without the column (written before it existed) keeps the customer's language
    assert services.masters.import_csv(admin, "customers", f"{header}\n{row}\n".encode()).ok
    assert services.masters.get_customer("C0001").language == "fr"
    bad = services.masters.import_csv(admin, "customers", (f"{header},language\n{row},xx\n").encode())
    assert not bad.ok and "xx is not available" in bad.errors[0].reason
    assert services.masters.get_customer("C0001").language == "fr"
    from shopterm.services.masters.imports import ImportService

    exported = ImportService(services).export(admin, "customers", "csv").decode("utf-8").splitlines()
    # the language after the documented columns, then the address and discount ones (issue 16)
    assert exported[0].endswith(",locations,language,city,province,country,tax_id,discount_pct")
    assert next(line for line in exported if line.startswith("C0001,")).endswith(",fr,,,,,0")
