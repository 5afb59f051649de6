"""Masters kept per process (store.master_cache): a posting reuses the masters it read while the database's
change counter is unchanged, and every change to a master — through the services, by SQL from another
connection or process, on SQLite and PostgreSQL — is seen by the next post. Figures worked by hand from the
shop in conftest.py: C0001 buys at the wholesale price (PARA500 2.20, tax 16 %)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import select, text

from shopterm.services import Services
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import InactiveRecord
from shopterm.store import master_cache
from shopterm.store.master_cache import MASTER_TABLES, MasterRead
from shopterm.store.models import StockBalance

from .conftest import DAY, actor, open_day


def para(qty: str = "1", discount_pct: str | None = "0", **kw) -> DocumentDraft:
    """C0001 (wholesale, credit, USD) buys PARA500 B001 at the list price, no flat discount."""
    args = dict(location="AXP", date=DAY, customer="C0001", sales_type="credit", currency="USD", rate="2850",
                sales_person="SP01", flat_discount_type="amount", flat_discount_value="0")
    args.update(kw)
    return DocumentDraft(lines=[DraftLine("PARA500", "B001", qty, None, discount_pct, "0")], **args)


def line_of(services, number: str):
    return services.sales.document(number).lines[0]


def version(services) -> int:
    with services.db.read() as s:
        return s.execute(text("SELECT version FROM masters_version WHERE id = 1")).scalar_one()


def post(services, cashier, draft=None):
    return services.sales.post_invoice(cashier, draft or para())


def kept_rows(services) -> dict:
    kept = master_cache._kept.get(services.db.engine.pool)
    return kept.rows if kept else {}


def test_the_triggers_are_there_and_a_post_changes_no_master(open_shop, cashier):
    with open_shop.db.connect() as conn:
        assert master_cache.installed(conn)
    before = version(open_shop)
    first = post(open_shop, cashier)
    assert version(open_shop) == before  # a posting writes no master: what it read stays kept
    assert kept_rows(open_shop)  # the first post read them and kept them
    second = post(open_shop, cashier)
    assert (line_of(open_shop, first.number).price, line_of(open_shop, second.number).price) == (D("2.20"), D("2.20"))


def test_a_price_changed_through_the_services_is_used_by_the_next_post(open_shop, cashier, manager):
    assert line_of(open_shop, post(open_shop, cashier).number).price == D("2.20")
    before = version(open_shop)
    open_shop.masters.update_price(manager, location="AXP", item="PARA500", retail_price="2.60",
                                   wholesale_price="2.35", effective_from=DAY)
    assert version(open_shop) > before
    line = line_of(open_shop, post(open_shop, cashier).number)
    assert (line.price, line.gross, line.tax_amount) == (D("2.35"), D("2.35"), D("0.38"))  # 16 % of 2.35 = 0.376


def test_an_item_tax_rate_and_a_customer_term_changed_are_used_by_the_next_post(open_shop, cashier, manager):
    post(open_shop, cashier)
    open_shop.masters.update_item(manager, "PARA500", tax_rate="0")
    line = line_of(open_shop, post(open_shop, cashier).number)
    assert (line.tax_rate, line.tax_amount) == (D("0"), D("0.00"))
    open_shop.masters.update_customer(manager, "C0001", discount_pct="10")
    line = line_of(open_shop, post(open_shop, cashier, para(discount_pct=None)).number)
    assert (line.discount_pct, line.discount_amount, line.line_net) == (D("10"), D("0.22"), D("1.98"))


def test_a_sales_person_made_inactive_is_refused_by_the_next_post(open_shop, cashier, manager):
    post(open_shop, cashier)
    with open_shop.db.write() as s:  # as the master screen's Inactive tick writes it
        s.execute(text("UPDATE sales_person SET inactive = :yes WHERE code = 'SP01'"), {"yes": True})
    with pytest.raises(InactiveRecord, match="SP01"):
        post(open_shop, cashier)


def test_a_change_by_another_connection_is_seen_by_the_next_post(open_shop, cashier):
    """Another till (its own engine and pool: another process as far as the database knows) changes the
    price by plain SQL; this process's next post uses it. PostgreSQL: two connections, READ COMMITTED."""
    assert line_of(open_shop, post(open_shop, cashier).number).price == D("2.20")
    other = Services.open(open_shop.db.url, upgrade=False, today=DAY)
    try:
        with other.db.write() as s:
            s.execute(text("UPDATE price SET wholesale_price = 245 WHERE item_id = "
                           "(SELECT id FROM item WHERE code = 'PARA500')"))  # 2.45 as a scaled integer
    finally:
        other.db.dispose()
    assert line_of(open_shop, post(open_shop, cashier).number).price == D("2.45")


def test_a_rolled_back_change_leaves_the_counter_and_the_prices_as_they_were(open_shop, cashier, manager):
    post(open_shop, cashier)
    before = version(open_shop)
    with pytest.raises(RuntimeError):
        with open_shop.db.write() as s:
            s.execute(text("UPDATE price SET wholesale_price = 999"))
            raise RuntimeError("the till crashed")
    assert version(open_shop) == before
    assert line_of(open_shop, post(open_shop, cashier).number).price == D("2.20")
    open_shop.masters.update_price(manager, location="AXP", item="PARA500", retail_price="2.60",
                                   wholesale_price="2.30", effective_from=DAY)
    assert line_of(open_shop, post(open_shop, cashier).number).price == D("2.30")


def test_a_preview_uses_the_same_rule(open_shop, cashier, manager):
    assert open_shop.sales.preview(para(), cashier).lines[0].price == D("2.20")
    open_shop.masters.update_price(manager, location="AXP", item="PARA500", retail_price="2.60",
                                   wholesale_price="2.40", effective_from=DAY)
    assert open_shop.sales.preview(para(), cashier).lines[0].price == D("2.40")


def test_without_the_triggers_nothing_is_kept(open_shop, cashier):
    with open_shop.db.write() as s:
        for name in MASTER_TABLES:
            if open_shop.db.sqlite:
                for op in ("insert", "update", "delete"):
                    s.execute(text(f"DROP TRIGGER {master_cache.TRIGGER_PREFIX}{name}_{op}"))
            else:
                s.execute(text(f'DROP TRIGGER {master_cache.TRIGGER_PREFIX}{name} ON "{name}"'))
    other = Services.open(open_shop.db.url, upgrade=False, today=DAY)  # a process started after
    try:
        assert line_of(other, post(other, cashier).number).price == D("2.20")
        before = version(other)
        with other.db.write() as s:
            s.execute(text("UPDATE price SET wholesale_price = 250"))
        assert version(other) == before  # nothing counted the change...
        assert line_of(other, post(other, cashier).number).price == D("2.50")  # ...and nothing was kept
        assert not kept_rows(other)
    finally:
        other.db.dispose()


def test_a_kept_read_names_only_the_masters_the_counter_follows():
    with pytest.raises(ValueError, match="stock_balance"):
        MasterRead(select(StockBalance.qty))


def test_items_and_prices_are_kept_item_by_item(open_shop, cashier, manager):
    """A second invoice with a kept item beside a new one reads only the new one, and prices both."""
    first = post(open_shop, cashier)
    two = para()
    two.lines.insert(0, DraftLine("AMOX250", "A001", "2", None, "0", "0"))
    lines = open_shop.sales.document(post(open_shop, cashier, two).number).lines
    assert [(l.item, l.price, l.gross) for l in lines] == [("AMOX250", D("7.20"), D("14.40")),
                                                          ("PARA500", D("2.20"), D("2.20"))]
    assert line_of(open_shop, first.number).price == D("2.20")
    open_shop.masters.update_price(manager, location="AXP", item="AMOX250", retail_price="8.50",
                                   wholesale_price="7.50", effective_from=DAY)
    lines = open_shop.sales.document(post(open_shop, cashier, two).number).lines
    assert [(l.item, l.price) for l in lines] == [("AMOX250", D("7.50")), ("PARA500", D("2.20"))]


def test_a_list_that_changed_a_master_reads_its_own_state_and_keeps_it_for_nobody(open_shop, cashier):
    """In one list's transaction (Database.batch) a price changed by an earlier operation is what the next
    invoice sells at; those rows (not yet committed, maybe never) are not kept for other transactions."""
    assert line_of(open_shop, post(open_shop, cashier).number).price == D("2.20")
    before = version(open_shop)
    with open_shop.db.batch():
        with open_shop.db.write() as s:
            s.execute(text("UPDATE price SET wholesale_price = 260 WHERE item_id = "
                           "(SELECT id FROM item WHERE code = 'PARA500')"))
        number = post(open_shop, cashier).number
        assert master_cache._kept[open_shop.db.engine.pool].version == before  # nothing kept at the list's count
    assert line_of(open_shop, number).price == D("2.60")
    assert line_of(open_shop, post(open_shop, cashier).number).price == D("2.60")  # committed: seen after


def test_a_new_system_rate_is_the_next_posts_rate(open_shop, cashier, admin):
    assert open_shop.sales.document(post(open_shop, cashier, para(rate="")).number).rate == D("2850")
    open_shop.setup.set_rate(admin, DAY, "2900")
    assert open_shop.sales.document(post(open_shop, cashier, para(rate="")).number).rate == D("2900")


@pytest.mark.parametrize("change", [
    lambda s, m: s.masters.update_location(m, "AXP", phone="+243810009999"),
    lambda s, m: s.masters.update_sales_person(m, "SP01", name="Jean M."),
    lambda s, m: s.masters.update_cost_centre(m, "SHOP", name="Shop floor"),
    lambda s, m: s.masters.update_loyalty_card(m, "Standard", redemption_frequency_days=15),
    lambda s, m: s.masters.update_customer(m, "C0002", credit_days=20),
], ids=["location", "sales person", "cost centre", "loyalty card", "customer"])
def test_each_master_service_change_is_counted(open_shop, cashier, admin, change):
    post(open_shop, cashier)
    before = version(open_shop)
    change(open_shop, admin)
    assert version(open_shop) > before
    assert not kept_rows(open_shop) or master_cache._kept[open_shop.db.engine.pool].version == before
    post(open_shop, cashier)  # reads them again under the new count
    assert master_cache._kept[open_shop.db.engine.pool].version == version(open_shop)


def test_kept_rows_cleared_by_another_thread_meanwhile_are_not_lost(open_shop):
    """The kept rows are shared by the process's threads (the screen's previews, its posts); one may clear
    them (past MAX_KEPT) while another is between reading what is kept and reading what it just added: the
    items and prices asked for still come back, every one (none read as "not found" or "no price")."""
    from shopterm.services.documents.toolkit import _ITEMS_OF_CODES
    from shopterm.services.schemes.pricing import _PRICES_IN_FORCE

    class ClearedMeanwhile(dict):
        def get(self, key, default=None):  # another thread clears everything just before each look
            self.clear()
            return default

    with open_shop.db.read() as s:
        master_cache.use(s)
        s.info[master_cache._MEMO] = (s.get_transaction(), ClearedMeanwhile())
        items = _ITEMS_OF_CODES.named(s, {"codes": ["PARA500", "BAND01"]})
        assert [row.code for row in items] == ["PARA500", "BAND01"]
        loc = s.execute(text("SELECT id FROM location WHERE code = 'AXP'")).scalar_one()
        prices = _PRICES_IN_FORCE.named(s, {"items": [items[0].id], "loc": loc, "on": DAY})
        assert (prices[0].retail_price, prices[0].wholesale_price) == (D("2.50"), D("2.20"))


def test_two_databases_in_one_process_keep_their_own_masters(fresh_services):
    """Two shops open in one process, their counters at the same value after one price change each (PARA500
    wholesale 2.40 in one, 2.60 in the other, by plain SQL): each posts at its own price, in turn, twice."""
    with fresh_services() as one, fresh_services() as two:
        for shop, price in ((one, 240), (two, 260)):
            open_day(shop)
            with shop.db.write() as s:
                s.execute(text(f"UPDATE price SET wholesale_price = {price} WHERE item_id = "
                               "(SELECT id FROM item WHERE code = 'PARA500')"))
        assert version(one) == version(two)
        for _ in range(2):
            for shop, price in ((one, D("2.40")), (two, D("2.60"))):
                assert line_of(shop, post(shop, actor(shop, "cashier")).number).price == price
