"""^B on the Customer screen merges duplicates into the customer shown: a refusal stays in the
dialog with its reason; the merge moves the duplicate's invoice (5.00 USD) and says so."""

from __future__ import annotations

from decimal import Decimal as D

from shopterm.screens.masters.merge_dialog import MergeDialog
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from tests.store import conftest as store
from tests.ui.test_masters_customers import app_for, footer, open_master, shop  # noqa: F401
from tests.ui.waiting import wait_for


async def test_ctrl_b_merges_a_duplicate_into_the_customer_shown(shop):  # noqa: F811
    manager, cashier = store.actor(shop, "manager"), store.actor(shop, "cashier")
    store.open_day(shop)
    shop.masters.create_customer(manager, code="C0009", name="Kinshasa Pharma SARL", category="WH",
                                 group="Fleuve Group", sales_person="SP01", locations=["AXP"], confirm_duplicate=True, credit_limit_usd="100",
                                 email="compta@kinpharma.example")
    shop.sales.post_invoice(cashier, DocumentDraft(location="AXP", date=store.DAY, customer="C0009",
                                                   sales_type="credit", contact_no="+243810000009",
                                                   lines=[DraftLine("BAND01", "D001", "4", "1.25")]))  # 5.00 USD
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "customer")
        assert "^B Merge" not in footer(screen)  # nothing shown yet
        screen.open_key("C0001")
        await wait_for(pilot, lambda: screen.opened_key == "C0001", "opened")
        assert "^B Merge" in footer(screen)
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: isinstance(app.screen, MergeDialog), "merge dialog")
        dialog = app.screen
        await pilot.press(*"CASH", "enter")
        await wait_for(pilot, lambda: "walk-in customer" in dialog.message_bar.text, "refused")
        assert app.screen is dialog
        dialog.query_one("#merge-codes").value = ""
        await pilot.press(*"c0009", "enter")
        await wait_for(pilot, lambda: app.screen is screen, "closed")
        await wait_for(pilot, lambda: screen.message_bar.text.startswith("Merged C0009 into C0001"), "merged")
        assert screen.message_bar.text.endswith("balance 5.00 USD")
        await wait_for(pilot, lambda: screen.widget("email").value == "compta@kinpharma.example", "filled")
    assert shop.ledger.balance(manager, "C0001") == D("5.00")
    assert shop.masters.get_customer("C0009").merged_into == "C0001"


async def test_a_draft_open_on_a_screen_blocks_the_merge_and_moves_once_closed(shop):  # noqa: F811
    """The cashier's invoice screen shows C0009's saved draft: the merge is refused naming the draft
    and who has it open; Esc leaves the screen (the hold goes), the merge moves the draft, and
    reopening it (F3) shows the kept customer C0001."""
    from shopterm.screens.sales_invoice import SalesInvoiceScreen
    from shopterm.services.errors import ValidationError
    from shopterm.widgets.document_list import DocumentListDialog
    from tests.ui.test_sales_invoice import start

    manager, cashier = store.actor(shop, "manager"), store.actor(shop, "cashier")
    store.open_day(shop)
    shop.masters.create_customer(manager, code="C0009", name="Kinshasa Pharma SARL", category="WH",
                                 group="Fleuve Group", sales_person="SP01", locations=["AXP"], confirm_duplicate=True,
                                 credit_limit_usd="100", mobile="+243810000009")
    draft_id = shop.sales.save_draft(cashier, DocumentDraft(location="AXP", date=store.DAY, customer="C0009",
                                                            sales_type="credit", contact_no="+243810000009",
                                                            lines=[DraftLine("BAND01", "D001", "4", "1.25")]))
    app = app_for(shop, "cashier")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start(pilot, app)

        async def reopen() -> None:
            await pilot.press("f3")
            await wait_for(pilot, lambda: isinstance(app.screen, DocumentListDialog) and app.screen.rows, "F3 list")
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.draft_id == draft_id and screen.customer is not None, "draft shown")

        await reopen()
        assert screen.query_one("#field-customer").value == "C0009"
        await wait_for(pilot, lambda: shop.holds.holds([draft_id]), "the draft held open")
        try:
            shop.merge.merge(manager, "C0001", ["C0009"])
        except ValidationError as e:
            refused = e.message
        assert refused.startswith(f"Draft #{draft_id} (SI) of C0009 is open on till ")
        assert refused.endswith(" by cashier: close it there first")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SalesInvoiceScreen), "left the invoice")
        await wait_for(pilot, lambda: not shop.holds.holds([draft_id]), "the hold released")
        result = shop.merge.merge(manager, "C0001", ["C0009"])
        assert result.drafts == (draft_id,)
        screen = await start(pilot, app)
        await reopen()
        await wait_for(pilot, lambda: screen.query_one("#field-customer").value == "C0001", "kept customer shown")
        await wait_for(pilot, lambda: shop.holds.holds([draft_id]), "held again")
    assert not shop.holds.holds([draft_id])  # the app quit: its holds went with it


async def test_the_merge_dialog_fits_80x24_in_french(shop):  # noqa: F811
    """The longer French body (drafts named too) wraps inside the dialog; nothing is cut."""
    from textual.widgets import Input, Static

    from shopterm.core import i18n

    i18n.set_language("fr")
    try:
        app = app_for(shop)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_master(pilot, app, "customer")
            screen.open_key("C0001")
            await wait_for(pilot, lambda: screen.opened_key == "C0001", "opened")
            await pilot.press("ctrl+b")
            await wait_for(pilot, lambda: isinstance(app.screen, MergeDialog), "merge dialog")
            await pilot.pause()
            dialog = app.screen
            body = dialog.query_one(".lg-dialog-body", Static)
            assert "brouillons" in str(body.render())
            box = dialog.query_one(".lg-dialog")
            for widget in (body, dialog.query_one("#merge-codes", Input)):
                r = widget.region
                assert r.height >= 1 and r.x >= 0 and r.right <= 80 and r.bottom <= 24, (widget, r)
                assert box.region.contains_region(r), (widget, r, box.region)
            # every word of the body is on screen: its wrapped lines fit its height
            from rich.console import Console
            from rich.text import Text

            wrapped = Text(str(body.render())).wrap(Console(width=80), body.content_region.width)
            assert len(wrapped) <= body.content_region.height, (len(wrapped), body.content_region)
    finally:
        i18n.set_language("en")
