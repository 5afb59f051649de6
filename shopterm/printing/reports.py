"""Rendering reports: a Rich table, JSON, CSV, XLSX or PDF (DESIGN §8, §11).

Every report of :mod:`shopterm.services.ledger.reports` (balances, open items, statement,
ageing, general ledger, trial balance, account register) turns into one or
more :class:`Sheet` — a title, columns and rows of plain values — and each
format renders the sheets:

``table``  a Rich renderable for the terminal: amounts right-aligned with
           thousands separators, the currency in the heading (or after the
           amount when rows differ), debit and credit in separate columns so
           they are told apart without colour; sized for 80 columns.
``json``   the report itself (every field), amounts as strings.
``csv``    one table; a ``section`` column first when the report has several
           sheets (a statement of several customers, ageing by customer and group).
``xlsx``   one worksheet per sheet; amounts are numbers formatted ``#,##0.00``.
``pdf``    printable; a customer statement gets the shop's letterhead, the
           period, the entries and an ageing summary, one page per customer.

:func:`render` is the one entry point: ``render(report, "csv")`` → str,
``render(report, "xlsx")`` → bytes.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..core import i18n, narration
from ..core.journal import account_label
from ..core.i18n import N_, _, pgettext
from ..core.money import format_amount
from ..core.payments import method_label, reference_label
if TYPE_CHECKING:  # the reports' classes are not imported to render them: a balances command loads no SQLAlchemy
    from ..services.ledger.reports import (
        AccountRegister,
        GeneralLedgerReport,
        OpenItemsReport,
        StatementReport,
        StatementSection,
    )
    from ..services.ledger.ageing import AgeingReport, AgeingRow
    from ..services.ledger.totals import BalancesReport, TrialBalanceReport

FORMATS = ("table", "json", "csv", "xlsx", "pdf")
BINARY_FORMATS = ("xlsx", "pdf")
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Col:
    key: str
    title: str
    kind: str = "text"  # text | money | date | int | ids | datetime
    currency: str | None = None  # shown in the heading of a money column
    in_table: bool = True  # shown in the 80-column terminal table
    currency_key: str | None = None  # a money column whose currency differs by row: the row's key holding it
    blank_zero: bool = False  # debit/credit: a zero is shown blank in the table and the PDF
    context: str | None = None  # a title that reads differently here than elsewhere (pgettext context)

    def heading(self) -> str:
        """The heading a person reads (in the current language)."""
        title = pgettext(self.context, self.title) if self.context else _(self.title)
        return f"{title} {self.currency}" if self.currency else title

    def plain_heading(self) -> str:
        """The heading of a CSV column (English: a machine reads it)."""
        return f"{self.title} {self.currency}" if self.currency else self.title


class Label(str):
    """A fixed word of a report in a row ("Total", "Opening balance"): translated where a person
    reads it (table, PDF, XLSX), English in a CSV."""

    def shown(self) -> str:
        return _(self)


class MethodLabel(Label):
    """A payment method code (``cash``): the code in a CSV, its name in the reader's language elsewhere."""

    def shown(self) -> str:
        return method_label(self)


class MemoLabel(Label):
    """A stored journal memo: a generated one in the reader's language, as stored in a CSV."""

    def shown(self) -> str:
        return narration.shown(self)


class AccountName(Label):
    """A stored account name: a default chart account's in the reader's language, as stored in a CSV."""

    code = ""

    def shown(self) -> str:
        return account_label(self.code, self)


def _account_name(code: str, name: str | None) -> AccountName | str | None:
    if not name:
        return name
    value = AccountName(name)
    value.code = code
    return value


class ReferenceLabel(Label):
    """A stored reference: the default ``On account`` in the reader's language, any other as typed."""

    def shown(self) -> str:
        return reference_label(self)


def _shown_as(kind: type[Label], value: str | None) -> Label | str | None:
    """``value`` marked to be shown as ``kind`` says (an empty value stays as it is)."""
    return kind(value) if value else value


@dataclass(slots=True)
class Sheet:
    name: str  # short: a worksheet name, the CSV section
    title: str
    subtitle: str
    columns: list[Col]
    rows: list[dict] = field(default_factory=list)
    before: list[dict] = field(default_factory=list)  # e.g. the opening balance line
    after: list[dict] = field(default_factory=list)  # totals, the closing balance line
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- value formatting


def fmt_money(value: Decimal | None, currency: str | None = None) -> str:
    if value is None:
        return ""
    text = format_amount(value)
    return f"{text} {currency}" if currency else text


def fmt_value(col: Col, row: dict) -> str:
    value = row.get(col.key)
    if value is None or value == "":
        return ""
    if col.kind == "money":
        if col.blank_zero and value == 0:
            return ""
        return fmt_money(value, row.get(col.currency_key) if col.currency_key else None)
    if col.kind == "ids":
        return ",".join(str(v) for v in value)
    if isinstance(value, Label):
        return value.shown()
    if col.kind == "datetime" and isinstance(value, dt.datetime):
        return f"{i18n.format_date(value)} {value:%H:%M:%S}"
    if isinstance(value, (dt.date, dt.datetime)):
        return i18n.format_date(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return _("yes") if value else ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def plain_value(col: Col, row: dict) -> str:
    """A value for CSV: amounts as plain decimal strings (no separators), dates ISO."""
    value = row.get(col.key)
    if value is None:
        return ""
    if col.kind == "money" and isinstance(value, Decimal):
        return f"{value:.2f}"
    if col.kind == "ids":
        return " ".join(str(v) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


# ---------------------------------------------------------------- reports → sheets


def _d(value: dt.date) -> str:
    return i18n.format_date(value)


BALANCE_ITEMS = "balances column"  # "Items": a customer's entries in one currency, not goods
AMOUNT_HEAD = "report column"  # "Open" (an amount still open), "Match" (match ids): nouns, not the verbs


def _marked_for_the_catalogue() -> tuple[str, ...]:
    """Titles shown through ``Col.context``: written here so the catalogue's extractor finds them."""
    return (pgettext("balances column", "Items"), pgettext("report column", "Open"), pgettext("report column", "Match"))


def _balances(r: BalancesReport) -> list[Sheet]:
    currencies = sorted(r.total_by_currency) or ["USD"]
    cols = [Col("code", N_("Customer")), Col("name", N_("Name")), Col("group", N_("Group"), in_table=False)]
    cols += [Col(f"ccy_{c}", "Items", "money", c, context=BALANCE_ITEMS) for c in currencies]
    cols += [Col("balance_usd", N_("Balance"), "money", "USD"), Col("credit_limit_usd", N_("Limit"), "money", "USD", in_table=False),
             Col("flag", N_("Flag"))]
    rows = []
    for b in r.rows:
        row = {"code": b.customer_code, "name": b.customer_name, "group": b.group, "balance_usd": b.balance_usd,
               "credit_limit_usd": b.credit_limit_usd, "flag": Label(N_("over limit")) if b.over_limit else ""}
        for c in currencies:
            row[f"ccy_{c}"] = b.by_currency.get(c, ZERO)
        rows.append(row)
    total = {"code": Label(N_("Total")), "balance_usd": r.total_usd}
    for c in currencies:
        total[f"ccy_{c}"] = r.total_by_currency.get(c, ZERO)
    sub = (_("at {date}, group {group}").format(date=_d(r.at), group=r.group) if r.group
           else _("at {date}").format(date=_d(r.at)))
    return [Sheet(N_("Balances"), _(r.title), sub, cols, rows, after=[total],
                  notes=[_("Items: the entries in each currency, in that currency; Balance: everything in USD.")])]


def _open_items(r: OpenItemsReport) -> list[Sheet]:
    cols = [Col("code", N_("Cust")), Col("name", N_("Name"), in_table=False), Col("date", N_("Date"), "date"),
            Col("number", N_("Number")), Col("type", N_("Type"), in_table=False), Col("reference", N_("Reference"), in_table=False),
            Col("due_date", N_("Due"), "date", in_table=False), Col("days", N_("Days"), "int"),
            Col("currency", N_("Currency"), in_table=False),
            Col("amount", N_("Amount"), "money", in_table=False, currency_key="currency"),
            Col("open_amount", "Open", "money", currency_key="currency", context=AMOUNT_HEAD),
            Col("open_usd", "Open", "money", "USD", context=AMOUNT_HEAD), Col("match_ids", "Match", "ids", context=AMOUNT_HEAD)]
    rows = [{"code": i.customer_code, "name": i.customer_name, "date": i.date, "number": i.number,
             "type": Label(i.type_label), "reference": _shown_as(ReferenceLabel, i.reference), "due_date": i.due_date, "days": i.days_past_due,
             "currency": i.currency, "amount": i.amount, "open_amount": i.open_amount, "open_usd": i.open_usd,
             "match_ids": i.match_ids} for i in r.rows]
    return [Sheet(N_("Open items"), _(r.title), _("at {date}").format(date=_d(r.at)), cols, rows,
                  after=[{"code": Label(N_("Total")), "open_usd": r.total_usd}],
                  notes=[_("Days: days past the due date at the report date (negative: not yet due).")])]


STATEMENT_COLS = [
    Col("code", N_("Customer"), in_table=False), Col("date", N_("Date"), "date"), Col("type", N_("Type")),
    Col("number", N_("Number")), Col("reference", N_("Reference"), in_table=False),
    Col("currency", N_("Currency"), in_table=False),
    Col("amount", N_("Amount"), "money", in_table=False, currency_key="currency"),
    Col("debit", N_("Debit"), "money", "USD", blank_zero=True), Col("credit", N_("Credit"), "money", "USD", blank_zero=True),
    Col("balance", N_("Balance"), "money", "USD"), Col("open_usd", "Open", "money", "USD", in_table=False, context=AMOUNT_HEAD),
    Col("match_ids", "Match", "ids", in_table=False, context=AMOUNT_HEAD), Col("changed_at", N_("Changed"), "datetime", in_table=False),
]


def _statement_sheet(r: StatementReport, s: StatementSection) -> Sheet:
    rows = [{"code": s.customer_code, "date": x.date, "type": Label(x.type_label), "number": x.number,
             "reference": _shown_as(ReferenceLabel, x.reference), "currency": x.currency, "amount": x.amount, "debit": x.debit,
             "credit": x.credit, "balance": x.balance, "open_usd": x.open_usd, "match_ids": x.match_ids,
             "changed_at": x.changed_at} for x in s.rows]
    before = [{"code": s.customer_code, "date": r.date_from, "type": Label(N_("Opening balance")),
               "balance": s.opening_balance}]
    after = [{"code": s.customer_code, "type": Label(N_("Total")), "debit": s.total_debit, "credit": s.total_credit},
             {"code": s.customer_code, "date": r.date_to, "type": Label(N_("Closing balance")),
              "balance": s.closing_balance}]
    notes = []
    if r.filtered:
        parts = []
        if r.voucher_types:
            parts.append(_("voucher types {types}").format(types=", ".join(r.voucher_types)))
        if r.changed_since:
            parts.append(_("changed since {date}").format(date=_d(r.changed_since)))
        if r.partly_settled:
            parts.append(_("balance less than amount"))
        notes.append(_("Filtered ({filters}): hidden entries still count in the balances.").format(
            filters="; ".join(parts)))
    return Sheet(s.customer_code, f"{_(r.title)}: {s.customer_code} {s.customer_name}",
                 _("{start} to {end}").format(start=_d(r.date_from), end=_d(r.date_to)), list(STATEMENT_COLS), rows,
                 before, after, notes)


def _statement(r: StatementReport) -> list[Sheet]:
    if not r.sections:
        return [Sheet(N_("Statement"), _(r.title), _("{start} to {end}").format(start=_d(r.date_from), end=_d(r.date_to)),
                      list(STATEMENT_COLS), [], notes=[_("No entries.")])]
    return [_statement_sheet(r, s) for s in r.sections]


AGEING_COLS = [
    Col("code", N_("Customer")), Col("name", N_("Name"), in_table=False), Col("group", N_("Group"), in_table=False),
    Col("b0", "0-30", "money"), Col("b1", "31-60", "money"), Col("b2", "61-90", "money"), Col("b3", "90+", "money"),
    Col("total", N_("Total"), "money", "USD"), Col("not_due", N_("Not due"), "money", in_table=False),
    Col("credits", N_("Credits"), "money", in_table=False), Col("overdue", N_("Overdue"), "money", in_table=False),
    Col("credit_limit_usd", N_("Limit"), "money", in_table=False), Col("flags", N_("Flags")),
]


def _ageing_row(a: AgeingRow, *, short_flags: bool = True) -> dict:
    flags = ("OD" if a.is_overdue else "") + (" OL" if a.over_limit else "")
    return {"code": a.code, "name": a.name, "group": a.group, "b0": a.buckets[0], "b1": a.buckets[1],
            "b2": a.buckets[2], "b3": a.buckets[3], "total": a.total, "not_due": a.not_due, "credits": a.credits,
            "overdue": a.overdue, "credit_limit_usd": a.credit_limit_usd, "flags": flags.strip()}


def _ageing(r: AgeingReport) -> list[Sheet]:
    notes = [_("Days past due by due date (credit days). Not yet due and unapplied credits count in 0-30."),
             _("Flags: OD overdue, OL over credit limit. Amounts in USD.")]
    customers = Sheet(N_("Customers"), _("{title} by customer").format(title=_(r.title)),
                      _("at {date}").format(date=_d(r.at)), list(AGEING_COLS),
                      [_ageing_row(a) for a in r.rows], after=[_ageing_row(r.total)], notes=notes)
    group_cols = [Col("code", N_("Group"))] + [c for c in AGEING_COLS if c.key not in ("code", "group")]
    groups = Sheet(N_("Groups"), _("{title} by customer group").format(title=_(r.title)),
                   _("at {date}").format(date=_d(r.at)), group_cols,
                   [_ageing_row(a) for a in r.groups], after=[_ageing_row(r.total)])
    return [customers, groups]


def _general_ledger(r: GeneralLedgerReport) -> list[Sheet]:
    cols = [Col("date", N_("Date"), "date"), Col("number", N_("Number"), in_table=False), Col("reference", N_("Invoice ref")),
            Col("type", N_("Type")), Col("code", N_("Cust")), Col("customer", N_("Customer"), in_table=False),
            Col("method", N_("Method"), in_table=False), Col("location", N_("Location"), in_table=False),
            Col("currency", N_("Currency"), in_table=False),
            Col("amount", N_("Amount"), "money", in_table=False, currency_key="currency"),
            Col("debit", N_("Debit"), "money", "USD", blank_zero=True), Col("credit", N_("Credit"), "money", "USD", blank_zero=True),
            Col("balance", N_("Balance"), "money", "USD")]
    rows = [{"date": g.date, "number": g.number, "reference": _shown_as(ReferenceLabel, g.reference),
             "type": Label(g.transaction_type), "code": g.customer_code, "customer": g.customer_name,
             "method": _shown_as(MethodLabel, g.method), "location": g.location_code,
             "currency": g.currency, "amount": g.amount, "debit": g.debit, "credit": g.credit, "balance": g.balance}
            for g in r.rows]
    what = _("all transactions") if r.show_all else _("payments and refunds")
    period = _("{start} to {end}").format(start=_d(r.date_from), end=_d(r.date_to))
    sub = (_("{period} at {location}, {what}").format(period=period, location=r.location_code, what=what)
           if r.location_code else _("{period}, {what}").format(period=period, what=what))
    return [Sheet(N_("General ledger"), _(r.title), sub, cols, rows,
                  after=[{"type": Label(N_("Total")), "debit": r.total_debit, "credit": r.total_credit}],
                  notes=[_("Balance: the customer's balance after the transaction.")])]


def _trial_balance(r: TrialBalanceReport) -> list[Sheet]:
    currencies = sorted({c for row in r.rows for c in row.by_currency if c != "USD"})
    cols = [Col("code", N_("Account")), Col("name", N_("Name")), Col("kind", N_("Kind"), in_table=False),
            Col("debit", N_("Debit"), "money", "USD", blank_zero=True), Col("credit", N_("Credit"), "money", "USD", blank_zero=True)]
    cols += [Col(f"ccy_{c}", N_("Balance"), "money", c) for c in currencies]
    rows = []
    for t in r.rows:
        row = {"code": t.code, "name": _account_name(t.code, t.name), "kind": t.kind, "debit": t.debit, "credit": t.credit}
        for c in currencies:
            if c in t.by_currency:
                row[f"ccy_{c}"] = t.by_currency[c]
        rows.append(row)
    return [Sheet(N_("Trial balance"), _(r.title), _("at {date}").format(date=_d(r.at)), cols, rows,
                  after=[{"code": Label(N_("Total")), "debit": r.total_debit, "credit": r.total_credit}])]


def _register(r: AccountRegister) -> list[Sheet]:
    cols = [Col("date", N_("Date"), "date"), Col("number", N_("Number")), Col("memo", N_("Memo"), in_table=False),
            Col("code", N_("Cust"), in_table=False), Col("currency", N_("Currency"), in_table=False),
            Col("amount", N_("Amount"), "money", in_table=False, currency_key="currency"),
            Col("debit", N_("Debit"), "money", "USD", blank_zero=True), Col("credit", N_("Credit"), "money", "USD", blank_zero=True),
            Col("balance", N_("Balance"), "money", "USD")]
    rows = [{"date": x.date, "number": x.number, "memo": _shown_as(MemoLabel, x.memo), "code": x.customer_code, "currency": x.currency,
             "amount": x.amount, "debit": x.debit, "credit": x.credit, "balance": x.balance} for x in r.rows]
    return [Sheet(r.account_code, f"{_(r.title)}: {r.account_code} {account_label(r.account_code, r.account_name)}",
                  _("{start} to {end}").format(start=_d(r.date_from), end=_d(r.date_to)), cols, rows,
                  before=[{"date": r.date_from, "number": Label(N_("Opening balance")), "balance": r.opening_balance}],
                  after=[{"date": r.date_to, "number": Label(N_("Closing balance")), "balance": r.closing_balance}])]


#: by the report's class (its module and name: the classes are not imported here)
_CONVERTERS: dict[tuple[str, str], Callable[[Any], list[Sheet]]] = {
    ("shopterm.services.ledger.totals", "BalancesReport"): _balances,
    ("shopterm.services.ledger.reports", "OpenItemsReport"): _open_items,
    ("shopterm.services.ledger.reports", "StatementReport"): _statement,
    ("shopterm.services.ledger.ageing", "AgeingReport"): _ageing,
    ("shopterm.services.ledger.reports", "GeneralLedgerReport"): _general_ledger,
    ("shopterm.services.ledger.totals", "TrialBalanceReport"): _trial_balance,
    ("shopterm.services.ledger.reports", "AccountRegister"): _register,
}


def _kind(report: Any) -> tuple[str, str]:
    return type(report).__module__, type(report).__qualname__


def sheets(report: Any) -> list[Sheet]:
    try:
        return _CONVERTERS[_kind(report)](report)
    except KeyError:
        raise TypeError(f"no renderer for {type(report).__name__}") from None


# ---------------------------------------------------------------- table (Rich)


def rich_table(report: Any):
    """A Rich renderable: one table per sheet, readable at 80 columns."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts = []
    for sh in sheets(report):
        cols = [c for c in sh.columns if c.in_table]
        table = Table(title=sh.title, caption="\n".join([sh.subtitle, *sh.notes]), box=box.SIMPLE_HEAD,
                      padding=(0, 0), show_edge=False, show_footer=False,
                      title_justify="left", caption_justify="left")
        for c in cols:
            numeric = c.kind in ("money", "int")
            table.add_column(c.heading(), justify="right" if numeric else "left",
                             no_wrap=numeric or c.kind in ("date", "ids"),
                             overflow="fold", min_width=len(c.heading()) if numeric else None)
        for row in sh.before:
            table.add_row(*[Text(fmt_value(c, row), style="italic") for c in cols])
        for row in sh.rows:
            table.add_row(*[fmt_value(c, row) for c in cols])
        for i, row in enumerate(sh.after):
            table.add_row(*[Text(fmt_value(c, row), style="bold") for c in cols], end_section=False)
        if not sh.rows and not sh.before:
            table.add_row(*([_("(none)")] + [""] * (len(cols) - 1)))
        parts.append(table)
    return Group(*parts)


def to_text(report: Any, width: int = 80) -> str:
    """The table as plain text (what a terminal of ``width`` columns shows, without colour)."""
    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO(), color_system=None, force_terminal=False)
    console.print(rich_table(report))
    return console.export_text()


# ---------------------------------------------------------------- json, csv


def jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, float):
        raise TypeError(f"float in a report: {value!r}")
    return value


def to_json(report: Any) -> str:
    """The whole report (every field), amounts as strings with 2 decimals, dates ISO."""
    return json.dumps({"report": type(report).__name__, **jsonable(report)}, indent=2, ensure_ascii=False)


def to_csv(report: Any) -> str:
    shs = sheets(report)
    cols = shs[0].columns
    multi = len(shs) > 1
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow((["section"] if multi else []) + [c.plain_heading() for c in cols])
    for sh in shs:
        for row in [*sh.before, *sh.rows, *sh.after]:
            w.writerow(([sh.name] if multi else []) + [plain_value(c, row) for c in cols])
    return buf.getvalue()


# ---------------------------------------------------------------- xlsx


class RowTicks:
    """``tick(n)`` after ``n`` rows written: ``on_progress(rows written, rows in all)`` every ``every``
    rows and at the end (a long XLSX or PDF; the callback may raise Cancelled to stop the writing)."""

    def __init__(self, on_progress: Callable[[int, int], None] | None, total: int, every: int = 200) -> None:
        self.on_progress, self.total, self.every = on_progress, total, every
        self.done = self.last = 0
        if on_progress is not None:
            on_progress(0, total)

    def __call__(self, n: int = 1) -> None:
        if n <= 0:
            return
        self.done += n
        if self.on_progress is not None and (self.done - self.last >= self.every or self.done >= self.total):
            self.last = self.done
            self.on_progress(self.done, self.total)


def _row_count(shs: Sequence[Sheet]) -> int:
    return sum(len(sh.before) + len(sh.rows) + len(sh.after) for sh in shs)


def to_xlsx(report: Any, *, on_progress: Callable[[int, int], None] | None = None) -> bytes:
    """The workbook, a sheet per part; ``on_progress(rows written, rows in all)`` as rows are written."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    shs = sheets(report)
    tick = RowTicks(on_progress, _row_count(shs))
    for sh in shs:
        name = _sheet_name(_(sh.name), used)
        ws = wb.create_sheet(name)
        ws.append([sh.title])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append([sh.subtitle])
        ws.append([c.heading() for c in sh.columns])
        for cell in ws[3]:
            cell.font = Font(bold=True)
        for kind, rows in (("before", sh.before), ("rows", sh.rows), ("after", sh.after)):
            for row in rows:
                ws.append([_xlsx_value(c, row) for c in sh.columns])
                r = ws.max_row
                for i, c in enumerate(sh.columns, start=1):
                    cell = ws.cell(row=r, column=i)
                    if c.kind == "money":
                        cell.number_format = "#,##0.00"
                        cell.alignment = Alignment(horizontal="right")
                    elif c.kind == "date":
                        cell.number_format = "yyyy-mm-dd"
                    if kind != "rows":
                        cell.font = Font(bold=kind == "after", italic=kind == "before")
                tick()
        for note in sh.notes:
            ws.append([note])
        for i, c in enumerate(sh.columns, start=1):
            ws.column_dimensions[ws.cell(row=3, column=i).column_letter].width = max(10, min(40, len(c.heading()) + 4))
        ws.freeze_panes = "A4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"
    out, n = base, 2
    while out in used:
        suffix = f" ({n})"
        out = base[:31 - len(suffix)] + suffix
        n += 1
    used.add(out)
    return out


def _xlsx_value(col: Col, row: dict) -> Any:
    value = row.get(col.key)
    if value is None:
        return None
    if col.kind == "money":
        return value  # openpyxl writes a Decimal as a number
    if col.kind == "datetime" and isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (dt.date, int, Decimal)) and not isinstance(value, bool):
        return value
    if isinstance(value, Label):
        return value.shown()
    return plain_value(col, row)


# ---------------------------------------------------------------- pdf


def _latin(text: Any) -> str:
    """The PDF core fonts speak Latin-1: anything else becomes '?'."""
    s = str(text).replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    return s.encode("latin-1", "replace").decode("latin-1")


def _new_pdf(landscape: bool = False):
    from fpdf import FPDF

    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(12, 12, 12)
    pdf.set_creator("shopterm")
    return pdf


def _pdf_table(pdf, cols: Sequence[Col], rows: Sequence[dict], *, font_size: float = 8,
               bold_rows: int = 0, leading_italic: int = 0, tick: Callable[[], None] | None = None) -> None:
    """A table: headings, the rows; the first ``leading_italic`` rows italic, the last ``bold_rows`` bold."""
    from fpdf.fonts import FontFace

    weights = [_pdf_weight(c) for c in cols]
    total = sum(weights)
    width = pdf.epw
    col_widths = tuple(width * w / total for w in weights)
    align = tuple("RIGHT" if c.kind in ("money", "int") else "LEFT" for c in cols)
    pdf.set_font("Helvetica", size=font_size)
    with pdf.table(col_widths=col_widths, text_align=align, first_row_as_headings=True, line_height=font_size * 0.5,
                   headings_style=FontFace(emphasis="BOLD"), borders_layout="HORIZONTAL_LINES") as table:
        table.row([_latin(c.heading()) for c in cols])
        n = len(rows)
        for i, row in enumerate(rows):
            style = None
            if i < leading_italic:
                style = FontFace(emphasis="ITALICS")
            elif i >= n - bold_rows:
                style = FontFace(emphasis="BOLD")
            table.row([_latin(fmt_value(c, row)) for c in cols], style=style)
            if tick is not None:
                tick()


def _pdf_weight(c: Col) -> float:
    if c.kind == "money":
        return 2.2
    if c.kind == "date":
        return 1.9
    if c.kind in ("int",):
        return 1.0
    if c.key in ("name", "customer", "memo", "reference", "type"):
        return 3.0
    if c.key == "number":
        return 2.6
    return 1.6


def to_pdf(report: Any, *, letterhead: Any = None, ageing: AgeingReport | None = None,
           on_progress: Callable[[int, int], None] | None = None) -> bytes:
    """A printable report; a :class:`StatementReport` becomes customer statements (see :func:`statement_pdf`).
    ``on_progress(rows written, rows in all)`` as rows are laid out."""
    if _kind(report) == ("shopterm.services.ledger.reports", "StatementReport"):
        return statement_pdf(report, letterhead, ageing, on_progress=on_progress)
    shs = sheets(report)
    tick = RowTicks(on_progress, _row_count(shs))
    cols_max = max(len(sh.columns) for sh in shs)
    pdf = _new_pdf(landscape=cols_max > 8)
    for sh in shs:
        pdf.add_page()
        _letterhead(pdf, letterhead)
        pdf.set_font("Helvetica", style="B", size=13)
        pdf.cell(0, 7, _latin(sh.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 5, _latin(sh.subtitle), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        _pdf_table(pdf, sh.columns, [*sh.before, *sh.rows, *sh.after], font_size=7 if len(sh.columns) > 8 else 8,
                   bold_rows=len(sh.after), leading_italic=len(sh.before), tick=tick)
        _notes(pdf, sh.notes)
    return bytes(pdf.output())


def _letterhead(pdf, lh: Any) -> None:
    if lh is None:
        return
    pdf.set_font("Helvetica", style="B", size=15)
    pdf.cell(0, 7, _latin(lh.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for line in (lh.address, "   ".join(p for p in (_("Tel {phone}").format(phone=lh.phone) if lh.phone else "",
                                                      f"NIF {lh.tax_no}" if lh.tax_no else "",
                                                      f"RCCM {lh.rccm_no}" if lh.rccm_no else "") if p)):
        if line:
            pdf.cell(0, 4.5, _latin(line), new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y() + 1.5
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_y(y + 3)


def _notes(pdf, notes: Sequence[str]) -> None:
    if not notes:
        return
    pdf.ln(2)
    pdf.set_font("Helvetica", style="I", size=7.5)
    for n in notes:
        pdf.multi_cell(0, 4, _latin(n), new_x="LMARGIN", new_y="NEXT")


STATEMENT_PDF_COLS = [Col("date", N_("Date"), "date"), Col("type", N_("Type")), Col("number", N_("Number")),
                      Col("reference", N_("Reference")), Col("debit", N_("Debit"), "money", "USD", blank_zero=True),
                      Col("credit", N_("Credit"), "money", "USD", blank_zero=True), Col("balance", N_("Balance"), "money", "USD")]


def statement_pdf(report: StatementReport, letterhead: Any = None, ageing: AgeingReport | None = None, *,
                  on_progress: Callable[[int, int], None] | None = None) -> bytes:
    """Customer statements, one (or more) pages per customer: letterhead, the customer, the period,
    opening balance, the entries, closing balance and an ageing summary at the period's end.
    ``on_progress(entries laid out, entries in all)``."""
    pdf = _new_pdf()
    tick = RowTicks(on_progress, sum(len(s.rows) for s in report.sections))
    ageing_by = {a.code: a for a in ageing.rows} if ageing is not None else {}
    if not report.sections:
        pdf.add_page()
        _letterhead(pdf, letterhead)
        pdf.set_font("Helvetica", size=10)
        pdf.cell(0, 6, _latin(_("Customer statement {start} to {end}: no entries.").format(
            start=_d(report.date_from), end=_d(report.date_to))))
        return bytes(pdf.output())
    for s in report.sections:
        sh = _statement_sheet(report, s)
        pdf.add_page()
        _letterhead(pdf, letterhead)
        pdf.set_font("Helvetica", style="B", size=13)
        pdf.cell(0, 7, _latin(_("Customer statement")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        pdf.cell(0, 5, _latin(f"{s.customer_code}  {s.customer_name}"), new_x="LMARGIN", new_y="NEXT")
        if s.address:
            pdf.cell(0, 5, _latin(s.address), new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 5, _latin(_("Period: {start} to {end}   (amounts in USD)").format(
            start=_d(report.date_from), end=_d(report.date_to))), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        _pdf_table(pdf, STATEMENT_PDF_COLS, [*sh.before, *sh.rows, *sh.after], bold_rows=len(sh.after),
                   leading_italic=len(sh.before))
        tick(len(s.rows))
        _notes(pdf, sh.notes)
        a = ageing_by.get(s.customer_code)
        if ageing is not None:
            pdf.ln(3)
            pdf.set_font("Helvetica", style="B", size=10)
            pdf.cell(0, 6, _latin(_("Ageing at {date} (days past due)").format(date=_d(ageing.at))), new_x="LMARGIN",
                     new_y="NEXT")
            cols = [Col("b0", "0-30", "money"), Col("b1", "31-60", "money"), Col("b2", "61-90", "money"),
                    Col("b3", "90+", "money"), Col("total", N_("Total"), "money", "USD")]
            row = _ageing_row(a) if a else {"b0": ZERO, "b1": ZERO, "b2": ZERO, "b3": ZERO, "total": ZERO}
            _pdf_table(pdf, cols, [row], font_size=9)
    return bytes(pdf.output())


# ---------------------------------------------------------------- the entry point


def render(report: Any, fmt: str = "table", *, letterhead: Any = None, ageing: AgeingReport | None = None,
           width: int = 80, on_progress: Callable[[int, int], None] | None = None) -> str | bytes:
    """``table`` → text for a terminal of ``width`` columns; ``json``/``csv`` → str; ``xlsx``/``pdf`` → bytes.
    ``on_progress(rows written, rows in all)`` while an XLSX or PDF is made (the long ones: a month of
    statements of 2,000 customers takes ~25 s CPU as XLSX, ~90 s as PDF)."""
    fmt = (fmt or "table").lower()
    if fmt == "table":
        return to_text(report, width)
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "xlsx":
        return to_xlsx(report, on_progress=on_progress)
    if fmt == "pdf":
        return to_pdf(report, letterhead=letterhead, ageing=ageing, on_progress=on_progress)
    from ..services.errors import ValidationError

    raise ValidationError("Format: one of {formats} (got {fmt!r})", field="format",
        params={"formats": ', '.join(FORMATS), "fmt": fmt})


__all__ = ["BINARY_FORMATS", "Col", "FORMATS", "Sheet", "fmt_money", "jsonable", "render", "rich_table", "sheets",
           "statement_pdf", "to_csv", "to_json", "to_pdf", "to_text", "to_xlsx"]
