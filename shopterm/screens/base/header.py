"""The header rows of the document screens, declared as cells instead of composed line by line.

A row is :func:`header_row` of cells; a cell is a ``(label, widget)`` pair (the label, marked with
``N_``, is shown translated in an ``inv-label``) or a widget alone::

    yield header_row(location(), date(), number("ld-number"))
    yield header_row(*customer("ld-customer-name"), (N_("PSI No"), SourceInput(id="field-psi-no", label=_("PSI No"))))

The common cells (Loc, Date, No, Client, Ccy, Rate, Sales person, a Yes/No) are made here once,
with the ids the screens and the stylesheet know (``field-location``, ``field-date``…).
"""

from __future__ import annotations

from typing import Union

from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static

from shopterm.core.i18n import N_, _, pgettext
from shopterm.widgets.inputs import CodeInput, DateInput, RateInput
from shopterm.widgets.totals_footer import CompactChoice

__all__ = ["YES_NO", "Cell", "currency", "customer", "date", "header_row", "location", "number", "rate", "sales_person",
           "yes_no"]

YES_NO = [("no", N_("No")), ("yes", N_("Yes"))]

#: a widget alone, or (label, widget): a label marked with N_ (shown translated) or a widget
Cell = Union[Widget, tuple[Union[str, Widget], Widget]]


def header_row(*cells: Cell, classes: str = "inv-row") -> Horizontal:
    """One header row: each cell's label (an ``inv-label``) before its widget."""
    children: list[Widget] = []
    for cell in cells:
        if isinstance(cell, tuple):
            label, widget = cell
            children += [Static(_(label), classes="inv-label") if isinstance(label, str) else label, widget]
        else:
            children.append(cell)
    return Horizontal(*children, classes=classes)


def location() -> Cell:
    """Loc: the location code (F2 lists them)."""
    return N_("Loc"), CodeInput(id="field-location", label=_("Location"), lookup_kind="location")


def date(name: str = N_("Document date")) -> Cell:
    """Date: the document's date (required); ``name`` (marked with N_) is said in messages."""
    return N_("Date"), DateInput(id="field-date", label=_(name), required=True)


def number(widget_id: str) -> Cell:
    """No: the document number, "—" until it is posted."""
    return Static(pgettext("document number", "No"), classes="inv-label"), Static("—", id=widget_id, markup=False)


def customer(name_id: str, field: type[CodeInput] = CodeInput) -> tuple[Cell, Widget]:
    """Client (F2 finds one) and the customer's name beside it (``name_id``)."""
    return ((N_("Client"), field(id="field-customer", label=_("Customer"), lookup_kind="customer",
                                 lookup_title=_("Find customer"), max_length=40)),
            Static("", id=name_id, markup=False))


def currency() -> Cell:
    return N_("Ccy"), CompactChoice([("USD", "USD"), ("CDF", "CDF")], id="field-currency", field_name="currency",
                                    label=_("Currency"))


def rate() -> Cell:
    return N_("Rate"), RateInput(id="field-rate", label=_("Exchange rate"))


def sales_person(short: str = N_("Sales person")) -> Cell:
    return short, CodeInput(id="field-sales-person", label=_("Sales person"), lookup_kind="sales_person",
                            lookup_title=_("Find sales person"))


def yes_no(short: str, suffix: str, name: str, value: str | None = None) -> Cell:
    """A Yes/No choice ``field-<suffix>``: ``short`` on screen, ``name`` in messages (both marked
    with N_); ``value``: "yes" to start on Yes."""
    return short, CompactChoice(YES_NO, value, id=f"field-{suffix}", label=_(name), classes="inv-yn")
