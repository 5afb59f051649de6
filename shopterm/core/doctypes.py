"""Document type codes (DESIGN §6) and the name a person reads for each.

A document number carries its type as two letters (``261101SI000001``: a sales
invoice). The codes are an interface — they appear in numbers, in the journal
export and in JSON — so they never change; the names are what screens, reports
and prints show: :func:`doc_type_name` gives the name in the reader's language
(``DOC_TYPES`` keeps the English names, for the machine outputs such as the
hledger journal).
"""

from __future__ import annotations

from shopterm.core.i18n import N_, _

DOC_TYPES = {
    "OP": N_("Shop open"),
    "SO": N_("Sales order"),
    "PF": N_("Proforma"),
    "SI": N_("Sales invoice"),
    "PI": N_("Provisional invoice"),
    "DN": N_("Delivery note"),
    "SR": N_("Sales return"),
    "RD": N_("Direct return"),
    "RC": N_("Sales receipt"),
    "RP": N_("Shop receipt/payment"),
    "CE": N_("Currency exchange"),
    "CP": N_("Commission payment"),
    "CL": N_("Shop close"),
    "GR": N_("Stock receipt"),
    "PU": N_("Price update"),
    "CR": N_("Customer payment"),
}


def doc_type_name(code: str) -> str:
    """The name of document type ``code`` in the current language (the code itself when unknown)."""
    name = DOC_TYPES.get(code)
    return _(name) if name else code


#: The states of a document, as a person reads them (the codes stay English in the data and JSON).
STATUS_NAMES = {"draft": N_("draft"), "posted": N_("posted"), "cancelled": N_("cancelled"),
                "open": N_("open"), "closed": N_("closed"), "not_open": N_("not open")}


def status_name(status: str | None) -> str:
    """A document status in the current language (``posted`` → ``comptabilisé``); unknown ones as they are."""
    name = STATUS_NAMES.get(status or "")
    return _(name) if name else (status or "")


#: Stock movement kinds as stored (StockMove.kind), translated where shown.
MOVE_KINDS = {"receipt": N_("receipt"), "sale": N_("sale"), "free": N_("free"), "delivery": N_("delivery"),
              "return": N_("return"), "direct_return": N_("direct return"), "adjust": N_("adjust")}


def move_kind_name(kind: str) -> str:
    """A stock movement kind in the current language (``sale`` → ``vente``); unknown ones as they are."""
    name = MOVE_KINDS.get(kind)
    return _(name) if name else kind
