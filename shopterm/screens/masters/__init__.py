"""The master screens (DESIGN §9, seed "Sales Masters" 01–12), registered in the "Masters" group.

Each module holds one master or a family; :mod:`.base` is the framework they
share (a master is mostly a field list), :mod:`.grid` the small entry grid of
their row tables, :mod:`.csv_import` the CSV import dialog and :mod:`.details`
the customer details view. Importing this package registers the screens, the
most used first (the home menu gives the first ones a one-key shortcut; every
screen is reachable with Ctrl+K by name).

Roles follow the services: masters need a manager; the chart of accounts,
locations, shop setup and users need an admin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shopterm.screens.registry import ADMIN, MANAGER, ScreenEntry, register

from shopterm.screens.masters.customers import (
    CashCustomerScreen, CustomerCategoryScreen, CustomerGroupScreen, CustomerScreen, SalesPersonScreen,
)
from shopterm.screens.masters.goods import BatchesScreen, ItemScreen, SupplierScreen
from shopterm.screens.masters.org import (
    AccountScreen, CostCentreScreen, ExchangeRateScreen, LocationScreen, ShopSetupScreen, UserScreen,
)
from shopterm.screens.masters.prices import PriceMultipleScreen, PriceSingleScreen
from shopterm.screens.masters.schemes import (
    DelegateTargetScreen, DiscountSlabScreen, LocationTargetScreen, LoyaltyCardScreen, PromotionReasonScreen,
    PromotionScreen,
)
from shopterm.core.i18n import N_
from shopterm.screens.masters.stock import StockReceiptScreen

#: (key, title, screen class, roles, palette help), in menu order.
SCREENS: tuple[tuple[str, str, Callable[[], Any], frozenset[str], str], ...] = (
    ("customer", N_("Customer"), CustomerScreen, MANAGER, N_("Credit customers: terms, locations, details, CSV import")),
    ("customer_cash", N_("Customer (Cash)"), CashCustomerScreen, MANAGER, N_("Walk-in cash customers")),
    ("item", N_("Item"), ItemScreen, MANAGER, N_("Items: unit, pack size, tax rate, cost; CSV import")),
    ("price_single", N_("Price Update (Single)"), PriceSingleScreen, MANAGER, N_("One item's prices, markups; CSV import")),
    ("price_multiple", N_("Price Update (Multiple Items)"), PriceMultipleScreen, MANAGER,
     N_("Many items' prices from an effective date")),
    ("stock_receipt", N_("Stock Receipt"), StockReceiptScreen, MANAGER, N_("Receive stock by batch (GRN); CSV import")),
    ("exchange_rate", N_("Exchange Rate"), ExchangeRateScreen, MANAGER, N_("The system rate (CDF per USD) per date")),
    ("batches", N_("Batches"), BatchesScreen, MANAGER, N_("An item's batches with stock and expiry")),
    ("sales_person", N_("Sales Person"), SalesPersonScreen, MANAGER, N_("Sales persons (delegates); CSV import")),
    ("customer_category", N_("Customer Category"), CustomerCategoryScreen, MANAGER, N_("Wholesale, retail…")),
    ("customer_group", N_("Customer Group"), CustomerGroupScreen, MANAGER,
     N_("Group companies: consolidated purchases and outstanding")),
    ("supplier", N_("Supplier"), SupplierScreen, MANAGER, N_("Suppliers of batches")),
    ("promotion", N_("Sales Promotion"), PromotionScreen, MANAGER, N_("Free goods by quantity ranges")),
    ("promotion_reason", N_("Promotion Reason"), PromotionReasonScreen, MANAGER,
     N_("Reasons of promotions and the expense account of their free goods")),
    ("discount_slab", N_("Discount Slabs"), DiscountSlabScreen, MANAGER, N_("Discount % by invoice value")),
    ("loyalty_card", N_("Loyalty Card"), LoyaltyCardScreen, MANAGER, N_("Points earned and redeemed")),
    ("target_location", N_("Sales Target (Location Wise)"), LocationTargetScreen, MANAGER,
     N_("Monthly targets of a location; F5 progress chart")),
    ("target_delegate", N_("Sales Target (Delegate Wise)"), DelegateTargetScreen, MANAGER,
     N_("Monthly targets of a sales person; F5 progress chart")),
    ("cost_centre", N_("Cost Centre"), CostCentreScreen, MANAGER, N_("Cost centres of shop entries and promotions")),
    ("account", N_("Chart of Accounts"), AccountScreen, ADMIN, N_("General ledger accounts")),
    ("location", N_("Location"), LocationScreen, ADMIN, N_("Shops: number, address, cash increments")),
    ("shop_setup", N_("Shop Setup"), ShopSetupScreen, ADMIN, N_("Cash customer, cash ledgers, shortage limits, printing")),
    ("user", N_("User"), UserScreen, ADMIN, N_("Users, roles, PINs")),
)

for _key, _title, _cls, _roles, _help in SCREENS:
    register(ScreenEntry(key=_key, title=_title, group="Masters", factory=lambda app, cls=_cls: cls(),
                         roles=_roles, help=_help))

__all__ = ["SCREENS"]
