"""Issue 16 on screen: the customer's default line discount on the invoice, the order and the
provisional invoice; Agent Commission? on the invoice.

C0002 (wholesale) with a 12.5 % default: 10 PARA500 at 2.20 = 22.00, Disc 2.75, 19.25 + VAT 16 %
3.08 = 22.33 USD.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shopterm.app import ShoptermApp
from shopterm.widgets.item_grid import ItemGrid
from tests.store.conftest import _copy_services, _template, actor, open_day
from tests.ui.test_sales_invoice import figures, line, start, to_client
from tests.ui.waiting import wait_until

SIZE = (80, 24)


@pytest.fixture
def shop(tmp_path_factory, tmp_path):
    svc = _copy_services(_template(tmp_path_factory), tmp_path)
    open_day(svc)
    svc.masters.update_customer(actor(svc, "manager"), "C0002", discount_pct="12.5")
    yield svc
    svc.db.dispose()


async def test_invoice_line_takes_the_customers_discount_and_agent_commission_is_kept(shop):
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await to_client(pilot, screen)
        await pilot.press(*"C0002", "enter")
        await wait_until(pilot, lambda: screen.customer is not None and screen.customer.code == "C0002")
        assert str(screen.query_one("#inv-credit").render()).endswith("· Disc 12.5 %")
        screen.query_one("#field-agent-commission").set_value("yes")
        grid = screen.query_one(ItemGrid)
        grid.cell(1, "item").focus()
        await wait_until(pilot, lambda: screen.focused is grid.cell(1, "item"))
        await line(pilot, screen, 1, "PARA500", *"10", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "22.33")
        assert grid.cell(1, "discount_pct").value == "12.5"
        assert figures(screen)["total_discount"] == "2.75"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.view is not None)
        doc = shop.sales.document(screen.view.number)
        assert (doc.agent_commission, doc.lines[0].discount_pct, doc.totals.net) == (True, D("12.5000"), D("22.33"))
        assert [c.number for c in shop.commission.commission_candidates("SP02")] == [screen.view.number]
