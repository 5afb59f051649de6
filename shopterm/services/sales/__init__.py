"""Sales documents: the invoice (``invoice``), orders and proformas, provisional
invoices and delivery notes, returns, and sales commission payments."""
