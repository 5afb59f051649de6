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
    DelegateTargetScreen, DiscountSlabScreen, LocationTargetScreen, LoyaltyCardScreen, PromotionScreen,
)
from shopterm.screens.masters.stock import StockReceiptScreen

#: (key, title, screen class, roles, palette help), in menu order.
SCREENS: tuple[tuple[str, str, Callable[[], Any], frozenset[str], str], ...] = (
    ("customer", "Customer", CustomerScreen, MANAGER, "Credit customers: terms, locations, details, CSV import"),
    ("customer_cash", "Customer (Cash)", CashCustomerScreen, MANAGER, "Walk-in cash customers"),
    ("item", "Item", ItemScreen, MANAGER, "Items: unit, pack size, tax rate, cost; CSV import"),
    ("price_single", "Price Update (Single)", PriceSingleScreen, MANAGER, "One item's prices, markups; CSV import"),
    ("price_multiple", "Price Update (Multiple Items)", PriceMultipleScreen, MANAGER,
     "Many items' prices from an effective date"),
    ("stock_receipt", "Stock Receipt", StockReceiptScreen, MANAGER, "Receive stock by batch (GRN); CSV import"),
    ("exchange_rate", "Exchange Rate", ExchangeRateScreen, MANAGER, "The system rate (CDF per USD) per date"),
    ("batches", "Batches", BatchesScreen, MANAGER, "An item's batches with stock and expiry"),
    ("sales_person", "Sales Person", SalesPersonScreen, MANAGER, "Sales persons (delegates); CSV import"),
    ("customer_category", "Customer Category", CustomerCategoryScreen, MANAGER, "Wholesale, retail…"),
    ("customer_group", "Customer Group", CustomerGroupScreen, MANAGER,
     "Group companies: consolidated purchases and outstanding"),
    ("supplier", "Supplier", SupplierScreen, MANAGER, "Suppliers of batches"),
    ("promotion", "Sales Promotion", PromotionScreen, MANAGER, "Free goods by quantity ranges"),
    ("discount_slab", "Discount Slabs", DiscountSlabScreen, MANAGER, "Discount % by invoice value"),
    ("loyalty_card", "Loyalty Card", LoyaltyCardScreen, MANAGER, "Points earned and redeemed"),
    ("target_location", "Sales Target (Location Wise)", LocationTargetScreen, MANAGER,
     "Monthly targets of a location; F5 progress chart"),
    ("target_delegate", "Sales Target (Delegate Wise)", DelegateTargetScreen, MANAGER,
     "Monthly targets of a sales person; F5 progress chart"),
    ("cost_centre", "Cost Centre", CostCentreScreen, MANAGER, "Cost centres of shop entries and promotions"),
    ("account", "Chart of Accounts", AccountScreen, ADMIN, "General ledger accounts"),
    ("location", "Location", LocationScreen, ADMIN, "Shops: number, address, cash increments"),
    ("shop_setup", "Shop Setup", ShopSetupScreen, ADMIN, "Cash customer, cash ledgers, shortage limits, printing"),
    ("user", "User", UserScreen, ADMIN, "Users, roles, PINs"),
)

for _key, _title, _cls, _roles, _help in SCREENS:
    register(ScreenEntry(key=_key, title=_title, group="Masters", factory=lambda app, cls=_cls: cls(),
                         roles=_roles, help=_help))

__all__ = ["SCREENS"]
