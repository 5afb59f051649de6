"""The customer ledger and the books: entries and payments on account
(``entries``), matching, reports as plain data, their rendering, the hledger export."""
