"""``shopterm day``: the shop day from a shell (DESIGN §5, §11).

``shopterm day summary [--location L] [--date D] [--format table|json]`` prints
the Shop Close figures of a day, open or closed: per currency the details tab
(opening, cash sales, returns, receipts, payments, exchanges, closing,
physical, difference), the day's exchange gain/loss, the documents of the day,
unpaid cash invoices, the stock moved and the close voucher. JSON amounts are
strings.

``shopterm day open`` and ``shopterm day close`` run Shop Open and Shop Close
for scripts (the same services as the screens and ``shopterm post``).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Annotated, Optional

import typer

from ..cli import DbOpt, PinOpt, UserOpt, acting_user, guard, open_services, signed_in
from ..core.close import difference_words, signed_qty
from ..core.i18n import N_, _

app = typer.Typer(help=N_("The shop day: open, close, day summary."), no_args_is_help=True)

LocationOpt = Annotated[Optional[str], typer.Option("--location", help=N_("Location code (default: the first one)."),
                                                    show_default=False)]
DateOpt = Annotated[Optional[str], typer.Option("--date", help=N_("The day, YYYY-MM-DD (default: the open day, "
                                                               "else today)."), show_default=False)]
FORMATS = ("table", "json")


def _date(value: str | None) -> dt.date | None:
    from ..services.errors import ValidationError

    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError("--date must be a date YYYY-MM-DD, got {value!r}", field="date",
                              params={"value": value}) from None


def _amt(value: Decimal) -> str:
    from ..core.money import format_amount

    return format_amount(value)


def _signed_amt(value: Decimal) -> str:
    return ("+" if value > 0 else "") + _amt(value)


def _qty(value: Decimal) -> str:
    from ..core.money import format_qty

    return format_qty(value)


#: The cash rows per currency: (label, CloseFigures attribute); the physical cash and difference once counted.
CASH_ROWS = (
    (N_("Opening balance"), "opening"), (N_("Cash sales (+)"), "cash_sales"),
    (N_("Cash sales return (-)"), "cash_returns"), (N_("Receipts (+)"), "receipts"), (N_("Payments (-)"), "payments"),
    (N_("Sub total"), "sub_total"), (N_("Money exchanged (+)"), "exchanged_in"),
    (N_("Money exchanged (-)"), "exchanged_out"), (N_("Other transfers"), "other_transfers"),
    (N_("Closing balance"), "closing"),
)
COUNTED_ROWS = ((N_("Physical cash"), "physical"), (N_("Difference (+ short)"), "difference"))
#: The inventory count's heads: (head, width, left-aligned).
COUNT_HEADS = ((N_("Item"), 12, True), (N_("Batch"), 12, True), (N_("On hand"), 12, False),
               (N_("Counted"), 12, False), (N_("Diff. (+short)"), 16, False), (N_("Value USD"), 12, False))


def _label(text: str) -> str:
    """A row's label in its 26 columns (a longer translation is cut, never pushes the figures)."""
    return f"{text[:25]:<26}"


def render_table(summary) -> str:
    """The summary as text for a person, in the reader's language, at most 80 columns."""
    from ..core.doctypes import doc_type_name, move_kind_name, status_name
    from ..core.i18n import format_date
    from ..core.money import format_rate

    s = summary
    values = {"location": s.location_code, "date": format_date(s.date), "state": status_name(s.status),
              "number": s.close_number}
    head = (_("Shop day {location} {date}: {state} ({number})") if s.close_number
            else _("Shop day {location} {date}: {state}")).format(**values)
    system = getattr(s, "system_rate", None)
    ledgers = {"rate": format_rate(s.rate), "system": format_rate(system), "usd": s.cash_usd_account,
               "cdf": s.cash_cdf_account}
    rate = (_("Rate {rate} CDF per USD (system {system}); cash ledgers {usd} (USD), {cdf} (CDF)")
            if system is not None and system != s.rate
            else _("Rate {rate} CDF per USD; cash ledgers {usd} (USD), {cdf} (CDF)")).format(**ledgers)
    out = [head, rate, ""]
    rows = CASH_ROWS + (COUNTED_ROWS if s.counted else ())
    out.append(f"{'':<26}{'USD':>22}{'CDF':>22}")
    for label, attr in rows:
        out.append(_label(_(label)) + f"{_amt(getattr(s.usd, attr)):>22}{_amt(getattr(s.cdf, attr)):>22}")
    if s.counted:  # the difference in words, as the screen and the printed close say it
        out.append(_label(_("Cash excess/shortage")) + f"{difference_words(s.usd.difference):>22}"
                   f"{difference_words(s.cdf.difference):>22}")
    if not s.counted:
        out.append(_label(_("Physical cash")) + _("not counted yet"))
    out.append(_label(_("Exchange gain/loss (USD)")) + f"{_amt(s.exchange_gain_usd):>22}")
    if s.counted and s.needs_approval:
        out.append(_("Shortage above the maximum allowed: a manager's approval is needed"))
    elif s.approved_by:
        out.append(_("Shortage above the maximum allowed: approved by {name}").format(name=s.approved_by))
    out += ["", _("Documents")]
    if not s.documents:
        out.append("  " + _("none"))
    for d in s.documents:
        extra = "  " + _("({count} cancelled)").format(count=d.cancelled) if d.cancelled else ""
        out.append(f"  {d.doc_type}  {doc_type_name(d.doc_type)[:23]:<24}{d.count:>6}{_amt(d.total_usd):>16} USD{extra}")
    if s.unpaid_cash_invoices:
        out += ["", _("Unpaid cash invoices")]
        for u in s.unpaid_cash_invoices:
            out.append(f"  {u.number}  {u.customer_code:<10}{_amt(u.open_amount):>16} {u.currency} " + _("open"))
    if s.inventory:
        out += ["", _("Stock moved")]
        for i in s.inventory:
            out.append(f"  {i.item_code:<12}{i.batch_code:<12}{move_kind_name(i.kind)[:13]:<14}{_qty(i.qty):>12}")
    if s.stock_count:
        out += ["", _("Inventory count") if s.close_number else _("Inventory count (as typed)"),
                "  " + "".join(f"{_(head)[:width - 1]:<{width}}" if left else f"{_(head)[:width - 1]:>{width}}"
                               for head, width, left in COUNT_HEADS)]
        for c in s.stock_count:  # the difference reads as the cash's: on hand − counted, + = short
            out.append(f"  {c.item_code:<12}{c.batch_code:<12}{_qty(c.on_hand):>12}{_qty(c.counted):>12}"
                       f"{signed_qty(-c.difference):>16}{_signed_amt(-c.value_usd):>12}")
        short = -sum((c.value_usd for c in s.stock_count), Decimal("0.00"))
        out.append(f"  {_('Total')[:23]:<24}{difference_words(short):>52}")
    if s.voucher:
        out += ["", _("Close voucher") if s.close_number else _("Close voucher (if counted as shown)")]
        for v in s.voucher:
            out.append(f"  {v.account:<6}{v.account_name[:24]:<26}{_amt(v.amount):>16} {v.currency}"
                       f"{_amt(v.amount_usd):>14} USD")
    return "\n".join(line.rstrip()[:80] for line in out)


@app.command("summary")
def summary(
    location: LocationOpt = None,
    date: DateOpt = None,
    format: Annotated[str, typer.Option("--format", help=N_("table or json."))] = "table",
    db: DbOpt = None,
    user: UserOpt = None,
    pin: PinOpt = None,
) -> None:
    """The Shop Close figures of a day (open or closed): cash per currency, documents, stock, voucher."""
    as_json = format == "json"
    with guard(as_json=as_json):
        from ..services.errors import ValidationError

        if format not in FORMATS:
            raise ValidationError("--format must be one of {formats}, got {value!r}", field="format",
                                  params={"formats": ", ".join(FORMATS), "value": format})
        services = open_services(db)
        try:
            if user:
                acting_user(services, user, pin)
            result = services.day.summary(location, _date(date))
        finally:
            services.db.dispose()
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(render_table(result))


@app.command("open")
def open_(
    location: LocationOpt = None,
    date: DateOpt = None,
    remarks: Annotated[str, typer.Option("--remarks", help=N_("Remarks on the Shop Open."))] = "",
    db: DbOpt = None,
    user: UserOpt = None,
    pin: PinOpt = None,
) -> None:
    """Shop Open: open the location for the day."""
    with guard(), signed_in(db, user, pin) as (services, actor):
        result = services.day.open_day(actor, location=location, date=_date(date), remarks=remarks)
    typer.echo(_("Shop open: {number}").format(number=result.number))


@app.command("close")
def close(
    physical_usd: Annotated[Optional[str], typer.Option("--physical-usd", help=N_("USD counted in the till."),
                                                        show_default=False)] = None,
    physical_cdf: Annotated[Optional[str], typer.Option("--physical-cdf", help=N_("CDF counted in the till."),
                                                        show_default=False)] = None,
    location: LocationOpt = None,
    date: DateOpt = None,
    approver: Annotated[Optional[str], typer.Option("--approver", help=N_("Manager approving a shortage above the "
                                                                       "maximum."), show_default=False)] = None,
    approver_pin: Annotated[Optional[str], typer.Option("--approver-pin", show_default=False)] = None,
    remarks: Annotated[str, typer.Option("--remarks")] = "",
    rate: Annotated[Optional[str], typer.Option("--rate", help=N_("Exchange rate (to CDF) of the close; default: "
                                                                  "the day's system rate."), show_default=False)] = None,
    cash_ledger_usd: Annotated[Optional[str], typer.Option("--cash-ledger-usd", help=N_(
        "USD cash account closed; default: the Shop Setup's."), show_default=False)] = None,
    cash_ledger_cdf: Annotated[Optional[str], typer.Option("--cash-ledger-cdf", help=N_(
        "CDF cash account closed; default: the Shop Setup's."), show_default=False)] = None,
    db: DbOpt = None,
    user: UserOpt = None,
    pin: PinOpt = None,
) -> None:
    """Shop Close: post the difference between the expected and the counted cash, and close the day."""
    with guard(), signed_in(db, user, pin) as (services, actor):
        result = services.day.close_day(actor, location=location, date=_date(date), physical_usd=physical_usd,
                                        physical_cdf=physical_cdf, approver=approver, approver_pin=approver_pin,
                                        remarks=remarks, rate=rate, cash_ledger_usd=cash_ledger_usd,
                                        cash_ledger_cdf=cash_ledger_cdf)
    typer.echo(_("Shop closed: {number}").format(number=result.number))
