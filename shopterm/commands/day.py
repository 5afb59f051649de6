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
    return f"{value:,.2f}"


def render_table(summary) -> str:
    """The summary as text, at most 80 columns."""
    s = summary
    state = s.status.replace("_", " ")
    head = f"Shop day {s.location_code} {s.date.isoformat()}: {state}"
    if s.close_number:
        head += f" ({s.close_number})"
    system = getattr(s, "system_rate", None)
    rate = f"Rate {s.rate.normalize():f} CDF per USD"
    if system is not None and system != s.rate:
        rate += f" (system {system.normalize():f})"
    out = [head, f"{rate}; cash ledgers {s.cash_usd_account} (USD), {s.cash_cdf_account} (CDF)", ""]
    rows = [
        ("Opening balance", "opening"), ("Cash sales (+)", "cash_sales"), ("Cash sales return (-)", "cash_returns"),
        ("Receipts (+)", "receipts"), ("Payments (-)", "payments"), ("Sub total", "sub_total"),
        ("Money exchanged (+)", "exchanged_in"), ("Money exchanged (-)", "exchanged_out"),
        ("Other transfers", "other_transfers"), ("Closing balance", "closing"),
    ]
    if s.counted:
        rows += [("Physical cash", "physical"), ("Difference (+ short)", "difference")]
    out.append(f"{'':<26}{'USD':>22}{'CDF':>22}")
    for label, attr in rows:
        out.append(f"{label:<26}{_amt(getattr(s.usd, attr)):>22}{_amt(getattr(s.cdf, attr)):>22}")
    if not s.counted:
        out.append("Physical cash             not counted yet")
    out.append(f"{'Exchange gain/loss (USD)':<26}{_amt(s.exchange_gain_usd):>22}")
    if s.counted and s.needs_approval:
        out.append("Shortage above the maximum allowed: a manager's approval is needed")
    elif s.approved_by:
        out.append(f"Shortage above the maximum allowed: approved by {s.approved_by}")
    out += ["", "Documents"]
    if not s.documents:
        out.append("  none")
    for d in s.documents:
        extra = f"  ({d.cancelled} cancelled)" if d.cancelled else ""
        out.append(f"  {d.doc_type}  {d.name:<24}{d.count:>6}{_amt(d.total_usd):>16} USD{extra}")
    if s.unpaid_cash_invoices:
        out += ["", "Unpaid cash invoices"]
        for u in s.unpaid_cash_invoices:
            out.append(f"  {u.number}  {u.customer_code:<10}{_amt(u.open_amount):>16} {u.currency} open")
    if s.inventory:
        out += ["", "Stock moved"]
        for i in s.inventory:
            out.append(f"  {i.item_code:<12}{i.batch_code:<12}{i.kind:<14}{i.qty.normalize():>12f}")
    if s.stock_count:
        out += ["", "Inventory count" + ("" if s.close_number else " (as typed)"),
                f"  {'Item':<12}{'Batch':<12}{'On hand':>12}{'Counted':>12}{'Diff.':>10}{'Value USD':>12}"]
        for c in s.stock_count:
            out.append(f"  {c.item_code:<12}{c.batch_code:<12}{c.on_hand.normalize():>12f}{c.counted.normalize():>12f}"
                       f"{c.difference.normalize():>10f}{_amt(c.value_usd):>12}")
    if s.voucher:
        out += ["", "Close voucher" if s.close_number else "Close voucher (if counted as shown)"]
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
