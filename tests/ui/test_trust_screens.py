"""Pilot test, keys only at 80×24: the manager's Shop Close refuses a day whose books were changed
outside shopterm (issue 12, hash chains), says which voucher, and leaves the day open."""

from __future__ import annotations

from sqlalchemy import text as sql

from shopterm.app import ShoptermApp
from tests.store import conftest as store
from tests.ui.test_day_screens import count_cash, open_screen, shop, sold, text, wait_for  # noqa: F401 - fixtures

DAY = store.DAY


async def test_shop_close_refuses_a_tampered_day(sold):
    with sold.db.engine.begin() as conn:  # someone with a shell lowers the invoice's sales line by 10.00 USD
        vid = conn.execute(sql("SELECT id FROM journal_voucher WHERE number = '261101SI000001'")).scalar_one()
        conn.execute(sql("UPDATE journal_line SET amount_usd = amount_usd + 1000 WHERE voucher_id = :v "
                         "AND amount_usd < 0 AND id = (SELECT MIN(id) FROM journal_line WHERE voucher_id = :v "
                         "AND amount_usd < 0)"), {"v": vid})
    app = ShoptermApp(sold, actor=store.actor(sold, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await count_cash(pilot, app, "50", "13900", ("0.00", "0.00"))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error", "refused")
        message = (f"Shop Close refused: the books show tampering — journal voucher 261101SI000001 "
                   f"(id {vid}, SI, dated {DAY}): its content does not match its hash — it was changed outside "
                   "shopterm. Run 'shopterm db verify'")
        assert screen.message_bar.text == message
        assert len(message) <= 3 * 78  # the message bar's three lines at 80 columns
        assert not screen.posted
    assert sold.day.summary("AXP", DAY).status == "open"
