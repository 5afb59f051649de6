"""Document type codes (DESIGN §6) and the name a person reads for each.

A document number carries its type as two letters (``261101SI000001``: a sales
invoice). The codes are an interface — they appear in numbers, in the journal
export and in JSON — so they never change; the names are what screens, reports
and prints show.
"""

from __future__ import annotations

DOC_TYPES = {
    "OP": "Shop open",
    "SO": "Sales order",
    "PF": "Proforma",
    "SI": "Sales invoice",
    "PI": "Provisional invoice",
    "DN": "Delivery note",
    "SR": "Sales return",
    "RD": "Direct return",
    "RC": "Sales receipt",
    "RP": "Shop receipt/payment",
    "CE": "Currency exchange",
    "CP": "Commission payment",
    "CL": "Shop close",
    "GR": "Stock receipt",
    "PU": "Price update",
    "CR": "Customer payment",
}
