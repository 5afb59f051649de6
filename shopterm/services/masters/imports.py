"""CSV import of masters and stock (DESIGN §11): sales-persons, suppliers, items, customers, prices, stock.

Files are UTF-8 (a byte-order mark is fine) with a header row naming exactly
the columns of :data:`COLUMNS` (any order). The whole file is checked first:
every cell is parsed, then every row is applied inside one write transaction,
each in a savepoint, so every bad row is found. If any row is bad nothing is
imported and :attr:`ImportResult.errors` lists each bad row with its number
(the header is row 1) and reason — ``row 4: credit_limit_usd: 'abc' is not a
number``. Otherwise the transaction commits: all rows or none.

Codes are keys, so importing the same file again updates instead of
duplicating (prices are keyed by location, item, currency and effective date).
Categories and groups named in customers.csv are created when missing.

The ``stock`` import posts stock receipts through
:meth:`shopterm.services.stock.StockService.receive`, one per location and
supplier, dated the business date. A stock file is not keyed (receiving twice
is two receipts), so the very same file is refused a second time unless
``force=True``.

``on_progress(done, total)`` is called as rows are applied, for the TUI's
progress bar.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from shopterm.core import narration as nt
from shopterm.core.i18n import N_, _, format_date, ngettext
from ...store import models as m
from ..admin import audit
from ..admin.users import language_code
from ..context import Actor
from ..errors import ShopError, ValidationError
from .base import (
    PRICE_CATEGORIES, amount, choice, code, date_of, email_of, flag, integer, percent, phone_of, quantity,
    text,
)
from .tabular import FORMATS, table_bytes

if TYPE_CHECKING:
    from .. import Services

#: The columns of each kind of file (DESIGN §11), in the documented order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "sales-persons": ("code", "name"),
    "suppliers": ("code", "name"),
    "items": ("code", "name", "unit", "pack_size", "tax_rate", "cost_usd"),
    "customers": ("code", "name", "kind", "category", "group", "price_category", "credit_limit_usd", "credit_days",
                  "mobile", "email", "address", "sales_person", "tax_exempt", "free_offer", "loyalty_card",
                  "locations"),
    "prices": ("location", "item", "currency", "retail_price", "wholesale_price", "effective_from"),
    "stock": ("location", "item", "batch", "qty", "cost_usd", "expiry", "supplier", "supplier_batch", "mfg_date"),
}

#: Columns a file may add after the documented ones (an old file without them still imports).
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "items": ("barcode",),  # the item's barcode as scanned; blank: none (an update keeps the old one)
    # what is printed for the customer (en, fr; blank: the shop's), the address and the default line
    # discount; a file without a column keeps the customer's value
    "customers": ("language", "city", "province", "country", "tax_id", "discount_pct"),
}

#: What one row is called in the summary line.
NOUNS = {"sales-persons": (N_("sales person"), N_("sales persons")), "suppliers": (N_("supplier"), N_("suppliers")),
         "items": (N_("item"), N_("items")), "customers": (N_("customer"), N_("customers")),
         "prices": (N_("price"), N_("prices")), "stock": (N_("stock line"), N_("stock lines"))}

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class BadRow:
    row: int  # the header is row 1
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportResult:
    kind: str
    total: int  # data rows in the file (blank lines not counted)
    created: int = 0
    updated: int = 0
    errors: tuple[BadRow, ...] = ()
    warnings: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()  # stock receipt numbers

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def imported(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        """``imported 3 customers (2 new, 1 updated)``, or how many rows are bad."""
        one, many = NOUNS.get(self.kind, (N_("row"), N_("rows")))
        if self.errors:
            n = len(self.errors)
            return ngettext("nothing imported: {n} bad row in the file",
                            "nothing imported: {n} bad rows in the file", n).format(n=n)
        noun = _(one) if self.imported == 1 else _(many)
        if self.kind == "stock":
            receipts = len(self.documents)
            return ngettext("imported {count} {noun} in {receipts} stock receipt ({numbers})",
                            "imported {count} {noun} in {receipts} stock receipts ({numbers})", receipts).format(
                count=self.imported, noun=noun, receipts=receipts, numbers=", ".join(self.documents))
        return _("imported {count} {noun} ({created} new, {updated} updated)").format(
            count=self.imported, noun=noun, created=self.created, updated=self.updated)


class _Rollback(Exception):
    """Raised inside the write transaction to undo a file with bad rows."""


@dataclass
class _Row:
    number: int
    cells: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    bad: bool = False  # a cell could not be read


class ImportService:
    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    # ------------------------------------------------------------------ entry point
    def run(self, actor: Actor, kind: str, source: Any, *, on_progress: ProgressFn | None = None,
            date: dt.date | None = None, force: bool = False) -> ImportResult:
        """Import ``source`` (a path, bytes, or a text/binary file object) as ``kind``."""
        kind = (kind or "").strip().lower().replace("_", "-")
        if kind not in COLUMNS:
            raise ValidationError("unknown import {kind!r}; one of {columns}", field="kind",
                params={"kind": kind, "columns": ', '.join(COLUMNS)})
        nouns = NOUNS[kind][1]
        actor.require("masters", _("Importing {things}").format(things=_(nouns)))
        data = _read_bytes(source)
        rows, cell_errors, fatal = self._parse(kind, data)
        if fatal:
            return ImportResult(kind, len(rows), errors=tuple(cell_errors))
        progress = on_progress or (lambda done, total: None)
        progress(0, len(rows))
        if kind == "stock":
            return self._import_stock(actor, rows, cell_errors, data, progress, date or self.s.today(), force)
        apply = {"sales-persons": self._sales_person, "suppliers": self._supplier, "items": self._item, "customers": self._customer,
                 "prices": self._price}[kind]
        created = updated = 0
        warnings: list[str] = []
        bad: list[BadRow] = list(cell_errors)
        try:
            with self.db.write() as session:
                context: dict[str, Any] = {}
                for done, row in enumerate(rows, start=1):
                    if not row.bad:  # rows whose cells are already wrong are not applied
                        try:
                            with session.begin_nested():
                                was_created = apply(session, actor, row, warnings, context)
                            created += was_created
                            updated += not was_created
                        except ShopError as exc:
                            bad.append(BadRow(row.number, _reason(exc, COLUMNS[kind])))
                    progress(done, len(rows))
                if bad:
                    raise _Rollback()
                audit.record(session, actor, "import", "import", None,
                             after={"kind": kind, "rows": len(rows), "created": created, "updated": updated},
                             summary=f"import {kind}: {created} new, {updated} updated")
        except _Rollback:
            return ImportResult(kind, len(rows), errors=tuple(sorted(bad, key=lambda b: b.row)))
        return ImportResult(kind, len(rows), created, updated, warnings=tuple(warnings))

    # ------------------------------------------------------------------ export
    def export(self, actor: Actor, kind: str, fmt: str = "csv") -> bytes:
        """The masters of ``kind`` as the file an import of that kind takes (same columns, same
        order), so an exported CSV re-imports unchanged; ``fmt`` ``xlsx`` gives the same table as a
        workbook for a spreadsheet. Customers only for now (``EXPORTS``)."""
        kind = (kind or "").strip().lower().replace("_", "-")
        if kind not in EXPORTS:
            raise ValidationError("unknown export {kind!r}; one of {exports}", field="kind",
                params={"kind": kind, "exports": ', '.join(EXPORTS)})
        fmt = (fmt or "").strip().lower()
        if fmt not in EXPORT_FORMATS:
            raise ValidationError("format: one of {export_formats}, got {fmt!r}", field="format",
                params={"export_formats": ', '.join(EXPORT_FORMATS), "fmt": fmt})
        actor.require("masters", _("Exporting {things}").format(things=_(NOUNS[kind][1])))
        with self.db.read() as session:
            rows = _customer_rows(session)
        return table_bytes(fmt, NOUNS[kind][1], COLUMNS[kind] + OPTIONAL_COLUMNS.get(kind, ()), rows)

    # ------------------------------------------------------------------ parsing
    def _parse(self, kind: str, data: bytes) -> tuple[list[_Row], list[BadRow], bool]:
        """The data rows (typed values parsed), the bad ones, and whether the file as a whole is unusable."""
        try:
            content = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return [], [BadRow(1, _("the file is not UTF-8 text (byte {byte} at position {position}); "
                                    "save it as CSV UTF-8").format(byte=f"0x{data[exc.start]:02x}", position=exc.start))], True
        reader = csv.reader(io.StringIO(content, newline=""))
        try:
            records = list(reader)
        except csv.Error as exc:
            return [], [BadRow(reader.line_num or 1, _("the file is not valid CSV ({error})").format(error=exc))], True
        if not records or not any(c.strip() for c in records[0]):
            return [], [BadRow(1, _("the file is empty: a header row is required ({columns})").format(
                columns=", ".join(COLUMNS[kind])))], True
        header = [_column(c) for c in records[0]]
        expected = COLUMNS[kind]
        optional = OPTIONAL_COLUMNS.get(kind, ())
        problems = []
        missing = [c for c in expected if c not in header]
        unknown = [c for c in header if c not in expected and c not in optional]
        repeated = sorted({c for c in header if header.count(c) > 1})
        if missing:
            problems.append(ngettext("missing column {columns}", "missing columns {columns}", len(missing)).format(
                columns=", ".join(missing)))
        if unknown:
            problems.append(ngettext("unknown column {columns}", "unknown columns {columns}", len(unknown)).format(
                columns=", ".join(repr(c) for c in unknown)))
        if repeated:
            problems.append(ngettext("repeated column {columns}", "repeated columns {columns}", len(repeated)).format(
                columns=", ".join(repeated)))
        if problems:
            return [], [BadRow(1, _("{problems} (expected: {columns})").format(
                problems="; ".join(problems), columns=", ".join(expected)))], True
        rows: list[_Row] = []
        errors: list[BadRow] = []
        keys: dict[tuple, int] = {}
        for number, cells in enumerate(records[1:], start=2):
            if not any(c.strip() for c in cells):
                continue  # a blank line
            if len(cells) != len(header):
                rows.append(_Row(number, {}, bad=True))
                errors.append(BadRow(number, _("has {cells} cells, the header has {header}").format(
                    cells=len(cells), header=len(header))))
                continue
            row = _Row(number, {h: c.strip() for h, c in zip(header, cells)})
            rows.append(row)
            reasons = self._check_cells(kind, row)
            key = _row_key(kind, row)
            if key is not None and not reasons:
                if key in keys:
                    reasons.append(_("{key} is already on row {row}").format(key=_key_label(kind, key), row=keys[key]))
                else:
                    keys[key] = number
            if reasons:
                row.bad = True
                errors.append(BadRow(number, "; ".join(reasons)))
        if not rows:
            return [], [BadRow(2, _("the file has a header but no rows"))], True
        return rows, errors, False

    def _check_cells(self, kind: str, row: _Row) -> list[str]:
        """Parse every cell (typed values into ``row.values``); the reasons of the bad ones."""
        c = row.cells
        reasons: list[str] = []

        def required(column: str, max_len: int) -> Callable[[], str]:
            def parse() -> str:
                if not c[column]:
                    raise ValidationError("{column}: a value is required", field=column, params={"column": column})
                return text(c[column], field=column, label=column, max_len=max_len)
            return parse

        def check(column: str, fn: Callable[[], Any]) -> None:
            try:
                row.values[column] = fn()
            except ShopError as exc:
                reasons.append(_reason(exc, COLUMNS[kind]))

        if kind == "sales-persons":
            check("code", lambda: code(c["code"], field="code", label="code"))
            check("name", required("name", 80))
        elif kind == "suppliers":
            check("code", lambda: code(c["code"], field="code", label="code"))
            check("name", required("name", 120))
        elif kind == "items":
            check("code", lambda: code(c["code"], field="code", label="code", max_len=30))
            check("name", required("name", 120))
            check("unit", lambda: text(c["unit"], field="unit", label="unit", max_len=10))
            check("pack_size", lambda: quantity(c["pack_size"], field="pack_size", positive=True,
                                                default=Decimal("1.000")))
            check("tax_rate", lambda: percent(c["tax_rate"], field="tax_rate", default=Decimal("16.0000")))
            check("cost_usd", lambda: amount(c["cost_usd"], field="cost_usd", default=Decimal("0.00")))
            if c.get("barcode"):
                check("barcode", lambda: text(c["barcode"], field="barcode", label="barcode", max_len=40))
        elif kind == "customers":
            if c["code"]:
                check("code", lambda: code(c["code"], field="code", label="code"))
            check("name", required("name", 120))
            check("kind", lambda: choice(c["kind"], ("credit", "cash"), field="kind", label="kind", default="credit"))
            check("category", required("category", 80))
            check("group", required("group", 80))
            check("price_category", lambda: choice(c["price_category"], PRICE_CATEGORIES, field="price_category",
                                                   label="price_category", default="retail"))
            check("credit_limit_usd", lambda: amount(c["credit_limit_usd"], field="credit_limit_usd",
                                                     default=Decimal("0.00")))
            check("credit_days", lambda: integer(c["credit_days"], field="credit_days", minimum=0, maximum=3650,
                                                 default=0))
            check("mobile", lambda: phone_of(c["mobile"], field="mobile"))
            check("email", lambda: email_of(c["email"], field="email"))
            check("tax_exempt", lambda: flag(c["tax_exempt"], field="tax_exempt"))
            check("free_offer", lambda: flag(c["free_offer"], field="free_offer"))
            if "language" in c:
                check("language", lambda: language_code(c["language"], field="language"))
            for col_, label in (("city", 80), ("province", 80), ("country", 80), ("tax_id", 40)):
                if col_ in c:
                    check(col_, lambda col_=col_, n=label: text(c[col_], field=col_, label=col_, max_len=n))
            if "discount_pct" in c:
                check("discount_pct", lambda: percent(c["discount_pct"], field="discount_pct", default=Decimal("0")))
            if not [p for p in re.split(r"[;,]", c["locations"]) if p.strip()]:
                reasons.append(_("locations: at least one location code is required (separate codes with ;)"))
        elif kind == "prices":
            check("location", lambda: code(c["location"], field="location", label="location", max_len=10))
            check("item", lambda: code(c["item"], field="item", label="item", max_len=30))
            check("currency", lambda: _currency_cell(c["currency"]))
            check("retail_price", lambda: amount(c["retail_price"], field="retail_price", positive=True))
            check("wholesale_price", lambda: amount(c["wholesale_price"], field="wholesale_price", positive=True))
            check("effective_from", lambda: date_of(c["effective_from"], field="effective_from",
                                                    default=self.s.today()))
        elif kind == "stock":
            check("location", lambda: code(c["location"], field="location", label="location", max_len=10))
            check("item", lambda: code(c["item"], field="item", label="item", max_len=30))
            check("batch", lambda: code(c["batch"], field="batch", label="batch", max_len=30))
            check("qty", lambda: quantity(c["qty"], field="qty", positive=True))
            check("cost_usd", lambda: amount(c["cost_usd"], field="cost_usd"))
            check("expiry", lambda: date_of(c["expiry"], field="expiry", required=False))
            check("mfg_date", lambda: date_of(c["mfg_date"], field="mfg_date", required=False))
            check("supplier_batch", lambda: text(c["supplier_batch"], field="supplier_batch", label="supplier_batch",
                                                 max_len=40))
            if c["supplier"]:
                check("supplier", lambda: code(c["supplier"], field="supplier", label="supplier"))
            if not reasons and row.values.get("expiry") and row.values.get("mfg_date") \
                    and row.values["mfg_date"] > row.values["expiry"]:
                reasons.append(_("mfg_date: the manufacturing date is after the expiry date"))
        return reasons

    # ------------------------------------------------------------------ appliers (inside the transaction)
    def _sales_person(self, session: Session, actor: Actor, row: _Row, warnings: list[str], ctx: dict) -> bool:
        _, created = self.s.masters.write_sales_person(session, actor, {"code": row.values["code"],
                                                                        "name": row.values["name"]})
        return created

    def _supplier(self, session: Session, actor: Actor, row: _Row, warnings: list[str], ctx: dict) -> bool:
        _, created = self.s.masters.write_supplier(session, actor, {"code": row.values["code"],
                                                                    "name": row.values["name"]})
        return created

    def _item(self, session: Session, actor: Actor, row: _Row, warnings: list[str], ctx: dict) -> bool:
        v = row.values
        _, created = self.s.masters.write_item(session, actor, {
            "code": v["code"], "name": v["name"], "unit": v["unit"] or "PCS", "pack_size": v["pack_size"],
            "tax_rate": v["tax_rate"], "cost_usd": v["cost_usd"],
            **({"barcode": v["barcode"]} if v.get("barcode") else {})})
        return created

    def _customer(self, session: Session, actor: Actor, row: _Row, warnings: list[str], ctx: dict) -> bool:
        masters = self.s.masters
        v, c = row.values, row.cells
        category = self._ensure_category(session, actor, v["category"], ctx)
        group = self._ensure_group(session, actor, v["group"], ctx)
        locations = [p.strip() for p in re.split(r"[;,]", c["locations"]) if p.strip()]
        data: dict[str, Any] = {
            "kind": v["kind"], "name": v["name"], "category": category, "group": group,
            "price_category": v["price_category"], "credit_limit_usd": v["credit_limit_usd"],
            "credit_days": v["credit_days"], "mobile": v["mobile"], "email": v["email"], "address": c["address"],
            "sales_person": c["sales_person"] or None, "tax_exempt": v["tax_exempt"], "free_offer": v["free_offer"],
            "loyalty_card": c["loyalty_card"] or None, "locations": locations,
            **({"language": v["language"]} if "language" in v else {}),
            **{k: v[k] for k in ("city", "province", "country", "discount_pct") if k in v},
            **({"impot_no": v["tax_id"]} if "tax_id" in v else {}),
        }
        if v["kind"] == "cash":
            data["location"] = locations[0]
        if v.get("code"):
            data["code"] = v["code"]
        exists = bool(v.get("code")) and session.exec(select(m.Customer.id).where(m.Customer.code == v["code"])).first()
        if not exists:
            similar = masters.similar_in(session, v["name"], v["mobile"])
            if similar:
                listed = ", ".join(f"{s.code} {s.name} ({_(s.reason)})" for s in similar)
                warnings.append(_("row {row}: {name} looks like {listed}: imported anyway, please check").format(
                    row=row.number, name=v["name"], listed=listed))
        cust, created = masters.write_customer(session, actor, data, mode="upsert", confirm_duplicate=True)
        return created

    def _ensure_category(self, session: Session, actor: Actor, name: str, ctx: dict) -> str:
        cat = session.exec(select(m.CustomerCategory).where(m.CustomerCategory.code == name.upper())).first()
        if cat is None:
            cat = session.exec(select(m.CustomerCategory)
                               .where(func.lower(m.CustomerCategory.name) == name.lower())).first()
        if cat is not None:
            return cat.code
        base = re.sub(r"[^A-Z0-9]", "", name.upper())[:20] or "CAT"
        new_code, n = base, 1
        while session.exec(select(m.CustomerCategory.id).where(m.CustomerCategory.code == new_code)).first():
            n += 1
            new_code = f"{base[:18]}{n}"
        cat = m.CustomerCategory(code=new_code, name=name.upper())
        session.add(cat)
        session.flush()
        audit.record(session, actor, "create", "customer_category", cat.id, after=cat,
                     summary=f"category {cat.code} (from a customer import)")
        return cat.code

    def _ensure_group(self, session: Session, actor: Actor, name: str, ctx: dict) -> str:
        grp = session.exec(select(m.CustomerGroup).where(func.lower(m.CustomerGroup.name) == name.lower())).first()
        if grp is not None:
            return grp.name
        grp = m.CustomerGroup(name=name)
        session.add(grp)
        session.flush()
        audit.record(session, actor, "create", "customer_group", grp.id, after=grp,
                     summary=f"group {grp.name} (from a customer import)")
        return grp.name

    def _price(self, session: Session, actor: Actor, row: _Row, warnings: list[str], ctx: dict) -> bool:
        v = row.values
        loc = self.s.masters.ref_location(session, v["location"])
        numbers = ctx.setdefault("update_no", {})
        if loc.id not in numbers:  # one price-update number per location in the file
            from ...store.numbering import next_number

            numbers[loc.id] = next_number(session, "PU", loc.id, loc.number, v["effective_from"])
        result = self.s.masters.write_price(session, actor, {
            "location": loc.code, "item": v["item"], "currency": v["currency"], "retail_price": v["retail_price"],
            "wholesale_price": v["wholesale_price"], "effective_from": v["effective_from"]},
            update_no=numbers[loc.id])
        return not result.replaced

    # ------------------------------------------------------------------ stock
    def _import_stock(self, actor: Actor, rows: list[_Row], cell_errors: list[BadRow], data: bytes,
                      progress: ProgressFn, day: dt.date, force: bool) -> ImportResult:
        digest = hashlib.sha256(data).hexdigest()
        marker = f"import stock sha256:{digest}"
        with self.db.read() as session:
            previous = session.exec(select(m.AuditLog).where(m.AuditLog.entity == "import",
                                                             col(m.AuditLog.summary).startswith(marker))).first()
            earlier = (previous.at, previous.user_name, (previous.after or {}).get("receipts", [])) if previous else None
        if earlier is not None and not force:
            at, who, receipts = earlier
            numbers = f" ({', '.join(receipts)})" if receipts else ""
            return ImportResult("stock", len(rows), errors=(BadRow(
                1, _("this file was already imported on {date} by {user}{numbers}: nothing imported "
                     "(import it again only on purpose, with --force)").format(
                    date=format_date(at.date()), user=who, numbers=numbers)),))
        bad: list[BadRow] = list(cell_errors)
        numbers: list[str] = []
        done = 0
        try:
            with self.db.write() as session:
                self._check_stock_rows(session, [r for r in rows if not r.bad], bad)
                wrong = {b.row for b in bad}
                groups: dict[tuple[str, str], list[_Row]] = {}
                for row in rows:
                    if row.number not in wrong:
                        groups.setdefault((row.values["location"], row.values.get("supplier") or ""), []).append(row)
                for (location, supplier), members in groups.items():
                    lines = [{"item": r.values["item"], "batch": r.values["batch"], "qty": r.values["qty"],
                              "cost_usd": r.values["cost_usd"], "expiry": r.values["expiry"],
                              "supplier_batch": r.values["supplier_batch"], "mfg_date": r.values["mfg_date"]}
                             for r in members]
                    try:
                        with session.begin_nested():
                            result = self.s.stock.receive_in(session, actor, location=location, date=day,
                                                             supplier=supplier or None, lines=lines,
                                                             narration=nt.CSV_STOCK_IMPORT)
                        numbers.append(result.number)
                    except ShopError as exc:  # map the receipt's "Line n" back to the file's row
                        line = exc.details.get("line")
                        where = members[line - 1].number if isinstance(line, int) and 0 < line <= len(members) \
                            else members[0].number
                        bad.append(BadRow(where, _reason(exc, COLUMNS["stock"])))
                    done += len(members)
                    progress(done, len(rows))
                if bad:
                    raise _Rollback()
                progress(len(rows), len(rows))
                audit.record(session, actor, "import", "import", None,
                             after={"kind": "stock", "rows": len(rows), "sha256": digest, "receipts": numbers},
                             summary=f"{marker} rows={len(rows)}")
        except _Rollback:
            return ImportResult("stock", len(rows), errors=tuple(sorted(bad, key=lambda b: b.row)))
        return ImportResult("stock", len(rows), created=len(rows), documents=tuple(numbers))

    def _check_stock_rows(self, session: Session, rows: list[_Row], bad: list[BadRow]) -> None:
        """Every row's references, before any receipt is posted (so every bad row is listed)."""
        masters = self.s.masters
        expiry_seen: dict[tuple[str, str], tuple[dt.date | None, int]] = {}
        for row in rows:
            v = row.values
            reasons = []
            for column, fn in (("location", lambda: masters.ref_location(session, v["location"])),
                               ("item", lambda: masters.ref_item(session, v["item"])),
                               ("supplier", lambda: masters.ref(session, m.Supplier, v.get("supplier"),
                                                                 field="supplier", label=N_("Supplier"), required=False))):
                try:
                    fn()
                except ShopError as exc:
                    reasons.append(_reason(exc, COLUMNS["stock"]))
            if not reasons:
                key = (v["item"], v["batch"])
                item = session.exec(select(m.Item).where(m.Item.code == v["item"])).first()
                batch = session.exec(select(m.Batch).where(m.Batch.item_id == item.id,
                                                           m.Batch.code == v["batch"])).first()
                if batch is not None and v["expiry"] is not None and batch.expiry != v["expiry"]:
                    have = format_date(batch.expiry) if batch.expiry else _("no expiry")
                    reasons.append(_("expiry: batch {batch} of {item} has expiry {have}, not {expiry}").format(
                        batch=batch.code, item=item.code, have=have, expiry=format_date(v["expiry"])))
                elif batch is None and key in expiry_seen and expiry_seen[key][0] != v["expiry"]:
                    reasons.append(_("expiry: batch {batch} of {item} has another expiry on row {row}").format(
                        batch=v["batch"], item=v["item"], row=expiry_seen[key][1]))
                expiry_seen.setdefault(key, (v["expiry"], row.number))
            if reasons:
                bad.append(BadRow(row.number, "; ".join(reasons)))


# ---------------------------------------------------------------- helpers


#: What can be exported, and in which formats.
EXPORTS = ("customers",)
EXPORT_FORMATS = FORMATS


def _customer_rows(session: Session) -> list[list[str]]:
    """Every customer, active or not, as the cells of :data:`COLUMNS` ``customers`` (two queries)."""
    c = m.Customer
    cat, grp, sp, card, loc = m.CustomerCategory, m.CustomerGroup, m.SalesPerson, m.LoyaltyCard, m.Location
    found = session.execute(
        select(c, cat.code, grp.name, sp.code, card.name, loc.code)
        .outerjoin(cat, cat.id == c.category_id).outerjoin(grp, grp.id == c.group_id)
        .outerjoin(sp, sp.id == c.sales_person_id).outerjoin(card, card.id == c.loyalty_card_id)
        .outerjoin(loc, loc.id == c.location_id).order_by(c.code)).all()
    where: dict[int, list[str]] = {}
    for cid, lcode in session.execute(
            select(m.CustomerLocation.customer_id, loc.code)
            .join(loc, loc.id == m.CustomerLocation.location_id).order_by(loc.number)).all():
        where.setdefault(cid, []).append(lcode)
    rows = []
    for cust, category, group, person, loyalty, own in found:
        codes = where.get(cust.id, [])
        if own and own in codes:  # a cash customer's own location first, as the import reads it
            codes = [own, *[x for x in codes if x != own]]
        rows.append([cust.code, cust.name, cust.kind, category or "", group or "", cust.price_category,
                     f"{cust.credit_limit_usd:f}", str(cust.credit_days), cust.mobile, cust.email, cust.address,
                     person or "", "yes" if cust.tax_exempt else "no", "yes" if cust.free_offer else "no",
                     loyalty or "", ";".join(codes), cust.language or "", cust.city, cust.province, cust.country,
                     cust.impot_no, f"{cust.discount_pct.normalize():f}" if cust.discount_pct else "0"])
    return rows


def _read_bytes(source: Any) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise ValidationError("file {path} not found", field="file", params={"path": path}) from None
        except IsADirectoryError:
            raise ValidationError("{path} is a folder, not a CSV file", field="file", params={"path": path}) from None
        except OSError as exc:
            raise ValidationError("cannot read {path}: {reason}", field="file",
                params={"path": path, "reason": exc.strerror or exc}) from None
    if hasattr(source, "read"):
        content = source.read()
        return content.encode("utf-8") if isinstance(content, str) else content
    raise ValidationError("give a CSV file path or a file object", field="file")


def _currency_cell(value: str) -> str:
    ccy = value.strip().upper()
    if ccy not in ("USD", "CDF"):
        raise ValidationError("currency: {value!r} is not USD or CDF", field="currency", params={"value": value})
    return ccy


def _column(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def _row_key(kind: str, row: _Row) -> tuple | None:
    c = row.cells
    if kind in ("sales-persons", "suppliers", "items", "customers"):
        return (c["code"].upper(),) if c["code"] else None
    if kind == "prices":
        return (c["location"].upper(), c["item"].upper(), c["currency"].upper(), c["effective_from"])
    return None


def _key_label(kind: str, key: tuple) -> str:
    if kind == "prices":
        return _("the price of {item} at {location} in {currency} from {date}").format(
            item=key[1], location=key[0], currency=key[2], date=key[3] or _("today"))
    return _("code {code}").format(code=key[0])


_ALIASES = {"location": "locations", "supplier_name": "supplier"}


def _reason(exc: ShopError, columns: Iterable[str]) -> str:
    """The error's message, prefixed with its column when it does not name it already."""
    # "Line 3: …" / "Ligne 3 : …": the row is named by the import already
    message = re.sub(r"^(Line|" + re.escape(_("Line")) + r") \d+\s?: ", "", exc.message)
    columns = tuple(columns)
    fld = exc.field if exc.field in columns else _ALIASES.get(exc.field or "", exc.field)
    if fld and fld in columns and not message.startswith((f"{fld}:", f"{fld} :", f"{_(fld)}:", f"{_(fld)} :")):
        return _("{column}: {message}").format(column=fld, message=message)
    return message


__all__ = ["BadRow", "COLUMNS", "EXPORTS", "EXPORT_FORMATS", "ImportResult", "ImportService"]
