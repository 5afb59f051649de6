"""Sales Commission Payment screen, keys only, at 80×24 (day 2026-11-23 open).

SP01 raised one invoice (C0001: BAND01 10 × 1.10 = 11.00, no tax); the till holds
100.00 USD (a shop receipt from head office).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shopterm.app import ShoptermApp
from shopterm.screens.commission_payment import CommissionPaymentScreen
from shopterm.services.sales.commission import NOT_POSTING_HINT, CommissionDraft, CommissionLine
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.widgets.approval import ApprovalDialog
from shopterm.widgets.document_list import DocumentListDialog
from shopterm.widgets.voucher_view import VoucherView
from tests.store.conftest import _copy_services, _template, actor, open_day
from tests.ui.test_orders_screens import SIZE, bar, open_screen, text_of, wait_until


@pytest.fixture
def shop(tmp_path_factory, tmp_path):
    svc = _copy_services(_template(tmp_path_factory), tmp_path)
    open_day(svc)
    cashier = actor(svc, "cashier")
    svc.cash.post_shop_entry(cashier, kind="receipt", particulars="1900", cost_centre="SHOP", currency="USD",
                             amount="100", narration="Float from head office")
    svc.sales.post_invoice(cashier, DocumentDraft(customer="C0001", agent_commission=True,
                                                  lines=[DraftLine(item="BAND01", qty="10")]))
    yield svc
    svc.db.dispose()


async def type_commission(pilot, app, amount: str) -> CommissionPaymentScreen:
    cp = await open_screen(pilot, app, CommissionPaymentScreen, lambda s: s.location_code is not None)
    assert cp.focused.id == "field-sales-person"
    await pilot.press(*"SP01", "enter")
    await wait_until(pilot, lambda: len(cp.rows) == 1)
    assert cp.focused is cp.rows[0].amount
    row = cp.rows[0]
    assert (row.invoice, str(row.cand.date), row.cand.customer, row.cand.base_usd, row.cand.local_cdf) == (
        "261101SI000001", "2026-11-23", "C0001", D("11.00"), D("31350.00"))
    assert text_of(cp, "#cp-sp-name") == "Jean Mukendi"
    await pilot.press(*amount)
    await wait_until(pilot, lambda: text_of(cp, "#cp-total") == f"{amount} USD")
    return cp


async def test_commission_saved_as_a_draft_posts_nothing_then_approve_save_posts_it(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        cp = await type_commission(pilot, app, "1.50")
        assert text_of(cp, "#cp-ledgers") == "Expense 6100 · Cash 1100 · Balance cash 100.00 USD"
        assert text_of(cp, "#cp-detail") == "261101SI000001 · Kinshasa Pharma · no commission paid on it yet"
        assert text_of(cp, "#cp-note").startswith("Save (Ctrl+S) keeps a draft: nothing is posted.")

        # Save = a draft: numberless, nothing posted (the screen says so)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: cp.draft_id is not None)
        assert bar(cp).text == f"Saved as draft #{cp.draft_id}: nothing is posted yet. F10 Approve_Save posts it"
        assert text_of(cp, "#cp-note") == NOT_POSTING_HINT
        assert text_of(cp, "#cp-approved") == "Approved? No"
        assert shop.commission.list_documents(status="posted") == []

        # reopened from F3, then Approve_Save: a cashier needs a manager's PIN
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: cp.draft_id is None and not cp.rows)
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, DocumentListDialog) and app.screen.rows)
        assert [(r.number, r.status) for r in app.screen.rows] == [(None, "draft")]
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(cp.rows) == 1 and cp.rows[0].amount.value == "1.50")
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalDialog))
        await pilot.press(*"manager", "enter", *"2222", "enter")
        await wait_until(pilot, lambda: cp.view is not None)
        assert bar(cp).text == "Commission 261101CP000001 posted: 1.50 USD paid, approved by manager"
        assert text_of(cp, "#cp-approved") == "Approved? Yes (by manager)"
        assert "261101CP000001 · Approved" in text_of(cp, "#doc-title")
        # the rows are refilled read-only once the invoices are read back (a worker): wait for that state
        await wait_until(pilot, lambda: len(cp.rows) == 1 and cp.rows[0].amount.disabled)
        assert cp.rows[0].amount.disabled and cp.rows[0].amount.value == "1.50"
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(app.screen, VoucherView))
        assert [(r.account, r.debit, r.credit) for r in app.screen.rows] == [
            ("6100", D("1.50"), D("0.00")), ("1100", D("0.00"), D("1.50"))]
        await pilot.press("escape")

    view = shop.commission.document("261101CP000001")
    assert view.approved and view.lines == (("261101SI000001", D("1.50")),)


async def test_paying_commission_twice_on_an_invoice_asks_to_confirm(shop):
    shop.commission.approve_save(actor(shop, "manager"), CommissionDraft(
        sales_person="SP01", lines=[CommissionLine("261101SI000001", "1.00")]))
    app = ShoptermApp(shop, actor=actor(shop, "manager"))
    async with app.run_test(size=SIZE) as pilot:
        cp = await type_commission(pilot, app, "0.50")
        assert text_of(cp, "#cp-detail") == ("261101SI000001 · Kinshasa Pharma · commission already paid by "
                                             "261101CP000001")
        await wait_until(pilot, lambda: bar(cp).text.startswith("Already paid on 261101SI000001"))
        await pilot.press("f10")
        assert bar(cp).text == "Already paid on 261101SI000001 (261101CP000001): F10 again pays it twice"
        assert cp.view is None
        await pilot.press("f10")  # a manager: no PIN asked
        await wait_until(pilot, lambda: cp.view is not None)
        assert cp.view.document.number == "261101CP000002"
        assert cp.view.document.extra["repeat_confirmed"]


async def test_after_approve_save_esc_leaves_at_once_and_the_next_key_is_not_swallowed(shop):
    from textual import events

    from shopterm.screens import registry
    from shopterm.screens.home import HomeScreen

    registry.discover()
    app = ShoptermApp(shop, actor=actor(shop, "manager"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        home = app.screen
        cp = await type_commission(pilot, app, "1.50")
        await pilot.press("f10")  # a manager: no PIN asked
        await wait_until(pilot, lambda: cp.view is not None)
        assert bar(cp).text == "Commission 261101CP000001 posted: 1.50 USD paid, approved by manager"
        # Esc and a menu key at once: the posted voucher is not "unsaved"; the key opens its screen
        key = {e.key: k for k, e in registry.hotkeys().items()}["shop_open"]
        app.post_message(events.Key("escape", None))
        app.post_message(events.Key(key, key))
        await wait_until(pilot, lambda: app.screen is not cp and app.screen is not home)
        assert type(app.screen).__name__ == "ShopOpenScreen"  # one Esc left: no "unsaved changes" warning
