"""Pilot tests, keys only at 80×24, of the customer master screens on the demo-like shop
(tests/store/conftest.py: C0001 Kinshasa Pharma and C0002 Pharmacie du Fleuve in "Fleuve Group",
CASH Walk-In Customer; sales persons SP01–SP03; categories RE/WH; loyalty card "Standard").

The helpers here (``shop``, ``open_master``, ``wait_for``…) are shared by the other
test_masters_* modules.
"""

from __future__ import annotations

import io
from decimal import Decimal as D
from pathlib import Path

import pytest
from textual.widgets import Footer

from shopterm.app import ShoptermApp
from shopterm.screens import registry
from shopterm.screens.masters.customers import render_group_summary
from tests.store import conftest as store
from tests.ui.waiting import wait_for

DAY = store.DAY


@pytest.fixture
def shop(tmp_path_factory, tmp_path):
    svc = store._copy_services(store._template(tmp_path_factory), tmp_path)
    yield svc
    svc.db.dispose()


async def open_master(pilot, app, key: str):
    """From the home menu: the screen's hotkey, else Ctrl+K and its title (keys only)."""
    await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "home screen")
    registry.discover()
    entry = registry.get(key)
    hotkey = {e.key: k for k, e in registry.hotkeys().items()}.get(key)
    if hotkey:
        await pilot.press(hotkey)
    else:
        await pilot.press("ctrl+k", *entry.title, "enter")
    await wait_for(pilot, lambda: getattr(app.screen, "DOCUMENT_TITLE", None) == entry.title and
                   app.screen.focused is not None and getattr(app.screen, "keys_ready", True),
                   f"{key} screen ready (its blank form shown, the first field focused)")
    await pilot.pause()
    return app.screen


def footer(screen) -> str:
    keys = screen.query_one(Footer).query("FooterKey")
    return " ".join(f"{k.key_display} {k.description}" for k in keys)


def focused_field(screen) -> str | None:
    return getattr(screen.focused, "field_name", None)


async def type_in(pilot, *texts: str) -> None:
    """Each text then Enter (an empty text is just Enter)."""
    for text in texts:
        await pilot.press(*text, "enter")


def as_text(renderable, width: int = 76) -> str:
    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def app_for(svc, user: str = "manager") -> ShoptermApp:
    return ShoptermApp(svc, actor=store.actor(svc, user))


# ---------------------------------------------------------------- create


async def test_create_a_credit_customer_with_keys_only(shop):
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "customer")
        assert focused_field(screen) == "code"
        assert "F6 Code" in footer(screen) and "^S Save" in footer(screen) and "^O CSV" in footer(screen)
        await pilot.press("f6")  # the seed's "…" button
        await wait_for(pilot, lambda: screen.widget("code").value == "C0003", "next code")
        await pilot.press("enter")
        assert focused_field(screen) == "category"
        await type_in(pilot, "WH", "Lubum Pharma", "Fleuve Group")
        assert focused_field(screen) == "price_category"
        await pilot.press("w", "enter")  # Wholesale by its first letter
        assert focused_field(screen) == "control_account"
        assert screen.widget("control_account").value == "1200"
        await type_in(pilot, "", "SP03", "750", "20", "Standard", "ID1", "NRC7", "A12", "0815550101", "a@lu.cd",
                      "1 av. Kasa", "Lubumbashi", "Haut-Katanga", "", "5")
        assert focused_field(screen) == "existing_vendor"
        await pilot.press("enter")  # vendor: no
        await pilot.press("enter")  # supplier: none
        await pilot.press("y", "enter")  # tax exempt
        await pilot.press("enter", "enter", "enter")  # free offer no, inactive no, prints in: the shop's
        assert focused_field(screen) == "locations"
        assert screen.grid("locations").values() == [{"location": "AXP"}]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, "saved")
        assert screen.message_bar.text == "Customer C0003 created"
        assert screen.key == "C0003" and screen.document_state == "Saved"
        assert screen.widget("code").disabled  # a code never changes
        assert screen.query_one("#mf-sales_person-hint").text == "Paul Tshisekedi"
    c = shop.masters.get_customer("C0003")
    assert (c.name, c.kind, c.category, c.group, c.price_category, c.control_account) == (
        "Lubum Pharma", "credit", "WH", "Fleuve Group", "wholesale", "1200")
    assert (c.sales_person, c.credit_limit_usd, c.credit_days, c.loyalty_card) == ("SP03", D("750.00"), 20, "Standard")
    assert (c.national_id, c.nrc_no, c.impot_no, c.mobile, c.email, c.address) == (
        "ID1", "NRC7", "A12", "0815550101", "a@lu.cd", "1 av. Kasa")
    # the country left blank: Shop Setup's (none set here)
    assert (c.city, c.province, c.country, c.discount_pct) == ("Lubumbashi", "Haut-Katanga", "", D("5.0000"))
    assert (c.tax_exempt, c.free_offer, c.inactive, c.existing_vendor, c.locations) == (True, False, False, False, ("AXP",))
    assert [h.action for h in shop.masters.history("customer", "C0003")] == ["create"]


async def test_a_required_field_left_empty_is_named_and_focused(shop):
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "customer")
        await pilot.press(*"C0100", "enter", *"WH", "enter")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error", "error shown")
        assert screen.message_bar.text == "Customer name is required"
        assert focused_field(screen) == "name"
        assert screen.widget("code").value == "C0100"  # nothing typed is lost
        assert screen.widget("category").value == "WH"
        await pilot.press(*"Depot Matadi", "enter", *"Nobody Group")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.message_bar.text != "Customer name is required", "next error")
        assert screen.message_bar.text == "Customer group Nobody Group not found"
        assert focused_field(screen) == "group"
        assert screen.widget("name").value == "Depot Matadi"
        # a number that does not parse is refused when the field is left, and again on save
        screen.widget("credit_limit_usd").focus()
        await pilot.press(*"12x", "enter")
        await wait_for(pilot, lambda: screen.message_bar.text.startswith("Credit lim. $: '12x'"), "bad number")
        screen.widget("email").focus()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert focused_field(screen) == "credit_limit_usd"
        assert screen.widget("credit_limit_usd").value == "12x"
    assert shop.masters.list_customers(search="C0100").total == 0


# ---------------------------------------------------------------- search before you create


async def test_same_name_asks_first_and_confirming_saves(shop):
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "customer")
        await type_in(pilot, "C0200", "WH", "Kinshasa Pharma", "Fleuve Group")
        await pilot.press("enter")  # price category
        await type_in(pilot, "", "SP01")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog", "duplicate question")
        dialog = app.screen
        assert "Possible duplicate: C0001 Kinshasa Pharma (same name)" in dialog.message
        assert screen.duplicate_matches == ["C0001"]
        await pilot.press("n")  # back to the form: nothing saved, nothing lost
        await wait_for(pilot, lambda: app.screen is screen, "back on the form")
        assert screen.key is None and screen.widget("name").value == "Kinshasa Pharma"
        assert screen.message_bar.kind == "error" and focused_field(screen) == "name"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog", "asked again")
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.saved == 1, "saved after confirming")
        assert screen.key == "C0200"
    names = [r.code for r in shop.masters.list_customers(search="Kinshasa Pharma").rows]
    assert names == ["C0001", "C0200"]


# ---------------------------------------------------------------- list, search, deactivate


async def test_list_search_filters_and_opens_the_record(shop):
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "customer")
        await pilot.press("f3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MasterListDialog" and app.screen.rows, "list")
        dialog = app.screen
        assert [r.code for r in dialog.rows] == ["C0001", "C0002"]  # credit customers, by name
        await pilot.press(*"fleuve")
        await wait_for(pilot, lambda: [r.code for r in dialog.rows] == ["C0002"], "filtered by name")
        await pilot.press(*["backspace"] * 6, *"0000001")  # part of a phone number
        await wait_for(pilot, lambda: [r.code for r in dialog.rows] == ["C0001"], "filtered by phone")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.opened_key == "C0001", "opened")
        assert screen.widget("name").value == "Kinshasa Pharma"
        assert screen.widget("credit_limit_usd").value == "5000.00"
        assert screen.widget("price_category").value == "wholesale"
        assert screen.grid("locations").values() == [{"location": "AXP"}]
        assert screen.document_state == "Saved"
        # sort keys: F8 cycles name → date added → total purchases → code
        await pilot.press("f3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MasterListDialog" and app.screen.rows, "list")
        dialog = app.screen
        await pilot.press("f8")
        await wait_for(pilot, lambda: dialog._shown.sort == "date_added", "sorted by date added")
        assert "Sort: Date added" in str(dialog.query_one("#mlist-state").render())
        await pilot.press("f8", "f8")
        await wait_for(pilot, lambda: dialog._shown.sort == "code", "sorted by code")
        assert [r.code for r in dialog.rows] == ["C0001", "C0002"]


async def test_deactivate_keeps_the_customer_listed_as_inactive(shop):
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "customer")
        await pilot.press("f3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MasterListDialog" and app.screen.rows, "list")
        await pilot.press(*"C0002", "enter")
        await wait_for(pilot, lambda: screen.opened_key == "C0002", "opened")
        assert "F7 Deact" in footer(screen)
        await pilot.press("f7")
        await wait_for(pilot, lambda: screen.inactive, "deactivated")
        assert screen.message_bar.text.startswith("Customer C0002 deactivated")
        assert screen.document_state == "Inactive"
        assert screen.widget("inactive").value == "yes"
        assert "F7 React" in footer(screen)
        assert len(footer(screen)) <= 80, footer(screen)  # every key of a saved customer fits 80 columns
        await pilot.press("f3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MasterListDialog" and app.screen.rows, "list")
        dialog = app.screen
        assert [r.code for r in dialog.rows] == ["C0001"]  # active only by default
        await pilot.press("f7")  # status: inactive
        await wait_for(pilot, lambda: [r.code for r in dialog.rows] == ["C0002"], "inactive listed")
        assert "inactive" in str(dialog.query_one("#mlist-rows").get_option_at_index(0).prompt)
        await pilot.press("f7")  # status: all
        await wait_for(pilot, lambda: [r.code for r in dialog.rows] == ["C0001", "C0002"], "all listed")
        await pilot.press("escape")
        await pilot.press("f4")  # View History: the deactivation, who and what changed
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HistoryDialog" and app.screen.rows, "history")
        [row] = app.screen.rows
        assert (row.action, row.user_name) == ("deactivate", "manager")
        assert ("inactive", False, True) in row.changes()
    assert shop.masters.get_customer("C0002").inactive is True


# ---------------------------------------------------------------- cash customer


async def test_cash_customer_with_keys_only(shop):
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "customer_cash")
        assert focused_field(screen) == "location"
        await wait_for(pilot, lambda: screen.widget("location").value == "AXP", "location default")
        await type_in(pilot, "", "", "Mama Ngalula", "RE", "WALK-IN")
        await pilot.press("enter")  # retail
        await type_in(pilot, "", "", "0998 123 456")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, "saved")
        code = screen.key
    c = shop.masters.get_customer(code)
    assert (code, c.kind, c.location, c.mobile, c.sales_person, c.credit_limit_usd) == (
        "C0003", "cash", "AXP", "0998 123 456", None, D("0.00"))


# ---------------------------------------------------------------- CSV import


async def test_csv_import_of_a_bad_file_lists_the_bad_rows_and_imports_nothing(shop, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the path is typed: keep it short
    bad = tmp_path / "c.csv"
    header = ("code,name,kind,category,group,price_category,credit_limit_usd,credit_days,mobile,email,address,"
              "sales_person,tax_exempt,free_offer,loyalty_card,locations")
    bad.write_text("\n".join([
        header,
        "C0300,Good Pharma,credit,WH,Fleuve Group,wholesale,100,10,,,,SP01,no,no,,AXP",
        "C0301,Bad Limit,credit,WH,Fleuve Group,wholesale,abc,10,,,,SP01,no,no,,AXP",
        "C0302,No Person,credit,WH,Fleuve Group,wholesale,100,10,,,,SP99,no,no,,AXP",
    ]) + "\n", encoding="utf-8")
    before = shop.masters.list_customers(status="all").total
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_master(pilot, app, "customer")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ImportDialog", "import dialog")
        dialog = app.screen
        await pilot.press(*"c.csv", "enter")
        await wait_for(pilot, lambda: dialog.result is not None, "imported")
        assert dialog.lines == ["row 3: credit_limit_usd: 'abc' is not a number",
                                "row 4: sales_person: Sales person SP99 not found"]
        assert dialog.query_one("#import-message").text.startswith("nothing imported: 2 bad rows in the file")
        assert shop.masters.list_customers(status="all").total == before
        # the file fixed: every row imported, the summary shown
        bad.write_text(header + "\nC0300,Good Pharma,credit,WH,Fleuve Group,wholesale,100,10,,,,SP01,no,no,,AXP\n",
                       encoding="utf-8")
        dialog.result = None
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.result is not None, "imported again")
        assert dialog.lines == ["imported 1 customer (1 new, 0 updated)"]
        assert dialog.query_one("#import-progress").percentage == 1
        await pilot.press("escape")
    assert shop.masters.get_customer("C0300").credit_limit_usd == D("100.00")


async def test_ctrl_t_exports_the_customers_as_csv_that_re_imports_and_as_xlsx(shop):
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "customer")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: screen.message_bar.text.startswith("Exported to"),
                       lambda: f"exported: {screen.message_bar.text!r}")
        csv_path = Path(screen.message_bar.text.removeprefix("Exported to ").split(" and ")[0])
    assert csv_path.name == "customers-2026-11-23.csv" and csv_path.parent.name == "AXP"
    assert csv_path.with_suffix(".xlsx").stat().st_size > 0
    assert oct(csv_path.stat().st_mode & 0o777) == "0o600"  # like every print: the owner's only
    rows = csv_path.read_text(encoding="utf-8").splitlines()
    assert rows[0] == ("code,name,kind,category,group,price_category,credit_limit_usd,credit_days,mobile,email,"
                       "address,sales_person,tax_exempt,free_offer,loyalty_card,locations,language,"
                       "city,province,country,tax_id,discount_pct")
    assert len(rows) == 1 + shop.masters.list_customers(status="all").total
    manager = shop.users.login("manager", "2222")
    again = shop.masters.import_csv(manager, "customers", csv_path)
    assert (again.ok, again.created) == (True, 0)


# ---------------------------------------------------------------- groups and categories


async def test_group_totals_then_a_new_category(shop):
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "customer_group")
        await pilot.press("f3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MasterListDialog" and app.screen.rows, "list")
        await pilot.press(*"fleuve", "enter")
        await wait_for(pilot, lambda: getattr(screen, "summary", None) is not None, "summary")
        assert [m.code for m in screen.summary.members] == ["C0001", "C0002"]
        assert screen.summary.total_purchases_usd == D("0.00")
        table = as_text(render_group_summary(screen.summary))
        assert "Fleuve Group: 2 member(s)" in table and "Group total" in table
        await pilot.press("escape")
        screen = await open_master(pilot, app, "customer_category")
        await type_in(pilot, "institutional", "in")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, "saved")
        assert screen.widget("name").value == "INSTITUTIONAL" and screen.key == "IN"
        screen.widget("name").focus()
        await pilot.press("end", *" CLIENTS", "ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 2, "renamed")
    assert shop.masters.get_category("IN").name == "INSTITUTIONAL CLIENTS"
