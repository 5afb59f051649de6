"""The Ledgers menu group (managers and admins; the services refuse a cashier anyway).

Importing this package registers its screens, in menu order:

* ``customer_ledger`` — :class:`~.customer_ledger.CustomerLedgerScreen`: a
  customer's transactions with balance, filters, voucher view, matching and
  payments on account (:mod:`.matching`).
* ``receivables`` — :class:`~.receivables.ReceivablesScreen`: every
  customer's balance at a date by ageing bucket, group totals; Enter opens
  the customer's ledger.
* ``open_items`` — :class:`~.open_items.OpenItemsScreen`: every customer's
  open items at a date, read a screenful at a time; Enter opens the ledger.
* ``general_ledger`` — :class:`~.general_ledger.GeneralLedgerScreen`: the
  location's customer transactions (payments and refunds by default, F6 all).
* ``trial_balance`` — :class:`~.trial_balance.TrialBalanceScreen`: every
  account at a date; Enter opens its register.
* ``account_register`` — :class:`~.account_register.AccountRegisterScreen`:
  an account's lines with running balance (account by F2).

Every list is a :class:`~shopterm.widgets.ledger_view.LedgerView` paging from
the services: a screenful of rows at a time.
"""

from shopterm.screens.ledgers import customer_ledger  # noqa: F401  (registers, in menu order)
from shopterm.screens.ledgers import receivables  # noqa: F401
from shopterm.screens.ledgers import open_items  # noqa: F401
from shopterm.screens.ledgers import general_ledger  # noqa: F401
from shopterm.screens.ledgers import trial_balance  # noqa: F401
from shopterm.screens.ledgers import account_register  # noqa: F401
from shopterm.screens.ledgers.customer_ledger import CustomerLedgerScreen, open_customer_ledger

__all__ = [
    "CustomerLedgerScreen", "open_customer_ledger",
    # the screen modules, imported for their menu entries
    "account_register", "customer_ledger", "general_ledger", "open_items", "receivables", "trial_balance",
]
