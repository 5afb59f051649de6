"""The customer ledger and the books: entries and payments on account
(``entries``), matching, reports as plain data (rendered by ``shopterm.printing.reports``), the hledger export."""
