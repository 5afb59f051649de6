"""The customer ledger in French at 80×24: the match ids' column is headed Lettrage (the noun), not
Lettrer (the F7 key's verb), where it shows (here on the detail line, the column being cut at 80)."""

from __future__ import annotations

from tests.ui.test_french_polish import french, pay_cash_on_account
from tests.ui.test_ledgers import manager_app, open_ledger_of, shop
from tests.ui.waiting import wait_for

__all__ = ["french", "shop"]


async def test_the_match_column_reads_lettrage(shop, french):
    pay_cash_on_account(shop)  # 100 USD on account: matched to C0002's invoice (oldest first)
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger_of(pilot, app, "C0002")
        view = screen.view
        await wait_for(pilot, lambda: len(view.rows) == 2, "the invoice and the payment")
        detail = view.detail_text()
        assert "Lettrage 1" in detail and "Lettrer" not in detail, detail
