"""Sales Commission Payment (``CP``; DESIGN §6, §7; seed screen 11).

A commission payment pays a sales person, from the till, a commission on
invoices they raised: header (location, sales person, currency, rate, voucher
date; Expense Ledger 6100 and Cash Ledger — the Shop Setup's cash account of
the currency — filled automatically, Balance Cash for reference) and a grid
of invoices with the Amount Payable on each.

- **Save** keeps it as a draft: numberless, editable, *nothing posted* (its
  document view carries the seed's hint "Commission not posting: used Save
  instead of Approve_Save").
- **Approve_Save** (a manager, or anyone with a manager's approval) numbers
  and posts it — Dr 6100 Commission expense / Cr cash, in the payment's
  currency — and ticks Approved?. Not more cash than the till holds in that
  currency.
- Paying commission twice on the same invoice is allowed only when confirmed:
  the preview lists "Commission on … was already paid by …" warnings and
  posting needs ``confirm_repeat=True``.

:meth:`CommissionService.commission_candidates` lists the sales person's
posted invoices (SI and PI) with their base (USD) and local (CDF) amounts and
what was already paid on each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select as sa_select
from sqlmodel import Session, col, select

from shopterm.core import narration as nt
from shopterm.core.i18n import N_, _
from ...core.journal import COMMISSION, JLine
from ...core.money import Currency, MoneyError, format_amount, parse_amount, q2
from ...store.models import Account, Customer, Document, DocumentLine, Location, SalesPerson
from ..context import Actor
from ..cash.day import account_ids, cash_held, find_location, setup_info
from ..errors import ApprovalRequired, InactiveRecord, InsufficientCash, NotFound, ValidationError
from ..headless import Fields, handler
from ..documents.views import PostedRef
from ..documents.toolkit import code_of as _code
from ..documents.toolkit import (Rules, currency_of, day_and_location, draft_row, form_from_dict, form_to_dict,
                                 load_form_draft, rate_or_system, save_form_draft, voucher_rows)
from ..documents.posting import PostingPlan, PostResult
from ..masters.base import free_text

if TYPE_CHECKING:
    from .. import Services
    from ..documents.views import DocumentRow, DocumentView, JournalRow

USD, CDF = Currency.USD, Currency.CDF
Z = Decimal("0.00")
Number = Decimal | str | int | None
INVOICE_TYPES = ("SI", "PI")
NOT_POSTING_HINT = N_("Commission not posting: used Save instead of Approve_Save — use Approve_Save to confirm and "
                    "post")


class CommissionAlreadyPaid(ValidationError):
    """Commission on an invoice was already paid: confirm to pay it again."""

    code = "commission_repeat"


@dataclass(slots=True)
class CommissionLine:
    invoice: str = ""
    amount_payable: Number = None

    def is_blank(self) -> bool:
        return not (self.invoice or "").strip() and (self.amount_payable is None
                                                     or str(self.amount_payable).strip() == "")


@dataclass(slots=True)
class CommissionDraft:
    location: str | None = None
    date: dt.date | str | None = None  # voucher date
    sales_person: str = ""
    currency: str = "USD"
    rate: Number = None  # None: the system rate
    narration: str = ""
    lines: list[CommissionLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CommissionCandidate(PostedRef):
    amount: Decimal  # net, invoice currency
    base_usd: Decimal
    local_cdf: Decimal
    paid_usd: Decimal  # commission already paid on it (approved vouchers)
    paid_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CommissionPreviewLine:
    line: int
    invoice: str
    date: dt.date | None
    customer: str | None
    customer_name: str | None
    base_usd: Decimal
    local_cdf: Decimal
    amount_payable: Decimal
    paid_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CommissionPreview:
    sales_person: str | None
    currency: str
    rate: Decimal
    lines: tuple[CommissionPreviewLine, ...]
    total: Decimal
    total_usd: Decimal
    expense_account: str
    cash_account: str | None
    balance_cash: Decimal
    enough_cash: bool
    journal: list[JLine]
    voucher: tuple["JournalRow", ...]
    warnings: list[str]  # broken rules
    repeats: list[str]  # "Commission on … was already paid by …": confirm_repeat=True to post

    @property
    def ok(self) -> bool:
        return not self.warnings


@dataclass(frozen=True, slots=True)
class CommissionView:
    document: "DocumentView"
    approved: bool
    hint: str | None  # the seed's "Commission not posting" on a saved, unapproved voucher
    lines: tuple[tuple[str, Decimal], ...]  # (invoice, amount payable)
    total: Decimal


@dataclass(slots=True)
class _CLine:
    n: int
    invoice: Document | None
    number: str
    amount: Decimal
    customer: Customer | None
    paid_by: tuple[str, ...]


@dataclass(slots=True)
class _CP:
    draft: CommissionDraft
    date: dt.date
    location: Location
    sales_person: SalesPerson | None
    currency: Currency
    rate: Decimal
    lines: list[_CLine]
    total: Decimal
    total_usd: Decimal
    cash_account: str | None
    held: Decimal
    journal: list[JLine]
    warnings: list[str]
    repeats: list[str]


def _paid_before(session: Session, invoice_ids: list[int]) -> dict[int, list[tuple[str, Decimal, str, Decimal]]]:
    """invoice id → [(CP number, amount, currency, rate)] of the approved commission vouchers paying it."""
    if not invoice_ids:
        return {}
    rows = session.execute(
        sa_select(DocumentLine.ref_document_id, Document.number, DocumentLine.amount, Document.currency,
                  Document.rate)
        .join(Document, Document.id == DocumentLine.document_id)
        .where(Document.doc_type == "CP", Document.status == "posted",
               col(DocumentLine.ref_document_id).in_(invoice_ids))
        .order_by(Document.id)
    ).all()
    out: dict[int, list] = {}
    for inv_id, number, amount, ccy, rate in rows:
        out.setdefault(inv_id, []).append((number, amount, ccy, rate))
    return out


class CommissionService:
    """``services.commission``: Sales Commission Payment."""

    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    # -- look-ups ---------------------------------------------------------------
    def commission_candidates(self, sales_person: str, location: str | None = None, *,
                              date_from: dt.date | None = None, date_to: dt.date | None = None,
                              unpaid_only: bool = False, limit: int = 500) -> list[CommissionCandidate]:
        """The sales person's posted invoices that earn a commission: number, date, customer, base/local
        amounts, paid so far. A sales invoice earns one only when its "Agent Commission?" is ticked; a
        provisional invoice (whose seed screen has no such box) always does."""
        with self.db.read() as session:
            loc = find_location(session, location)
            sp = session.exec(select(SalesPerson).where(SalesPerson.code == _code(sales_person))).first()
            if sp is None:
                raise NotFound("Sales person {code} not found", field="sales_person",
                    params={"code": _code(sales_person)})
            stmt = (sa_select(Document, Customer.code, Customer.name)
                    .outerjoin(Customer, Customer.id == Document.customer_id)
                    .where(col(Document.doc_type).in_(INVOICE_TYPES), Document.status == "posted",
                           Document.sales_person_id == sp.id, Document.location_id == loc.id,
                           or_(Document.doc_type != "SI", col(Document.agent_commission).is_(True))))
            if date_from:
                stmt = stmt.where(Document.doc_date >= date_from)
            if date_to:
                stmt = stmt.where(Document.doc_date <= date_to)
            rows = session.execute(stmt.order_by(Document.doc_date, Document.id).limit(limit)).all()
            paid = _paid_before(session, [d.id for d, _, _ in rows])
            out = []
            for d, code, name in rows:
                mine = paid.get(d.id, [])
                if unpaid_only and mine:
                    continue
                paid_usd = sum((a if c == "USD" else q2(a / r) for _, a, c, r in mine), Z)
                out.append(CommissionCandidate(d.number, d.doc_type, d.doc_date, code, name, d.currency, d.net_amount,
                                               d.net_usd, d.net_cdf, paid_usd, tuple(n for n, *_ in mine)))
            return out

    # -- entry --------------------------------------------------------------------------
    def preview(self, draft: CommissionDraft, actor: Actor | None = None) -> CommissionPreview:
        with self.db.read() as session:
            cp = self._build(session, draft, strict=False, actor=actor)
            return self._preview_of(session, cp)

    def save(self, actor: Actor, draft: CommissionDraft, draft_id: int | None = None) -> int:
        """Save: a draft, nothing posted (Approve_Save posts). Returns the draft's id."""
        actor.require("receive", "Commission payments")

        def fill(session: Session, doc: Document) -> None:
            sp = session.exec(select(SalesPerson).where(SalesPerson.code == _code(draft.sales_person))).first()
            doc.sales_person_id = sp.id if sp else None
            doc.currency = draft.currency if draft.currency in ("USD", "CDF") else "USD"
            total = Z
            for l in draft.lines:
                try:
                    total += q2(parse_amount(l.amount_payable, field="amount_payable"))
                except MoneyError:
                    pass
            doc.amount = doc.payable = doc.net_amount = total
            doc.approved = False

        return save_form_draft(self.s, actor, "CP", draft, draft_id, location=draft.location, date=draft.date,
                               narration=draft.narration, what=_code(draft.sales_person), fill=fill)

    def load_draft(self, draft_id: int) -> CommissionDraft:
        return form_from_dict(CommissionDraft, load_form_draft(self.s, draft_id, "CP"), CommissionLine)

    def approve_save(self, actor: Actor, draft: CommissionDraft, draft_id: int | None = None, *,
                     approver: str | None = None, approver_pin: str | None = None,
                     confirm_repeat: bool = False) -> PostResult:
        """Approve_Save: number and post (Dr 6100 / Cr cash), Approved? ticked."""
        actor.require("receive", "Commission payments")
        with self.db.write() as session:
            approving = self.s.users.approval(session, actor, approver, approver_pin, action="commission Approve_Save")
            if approving is None:
                raise ApprovalRequired("Approve_Save needs a manager's approval", field="approver")
            existing = draft_row(session, draft_id, "CP") if draft_id else None
            cp = self._build(session, draft, strict=True, actor=actor)
            if cp.repeats and not confirm_repeat:
                raise CommissionAlreadyPaid("; ".join(cp.repeats), field="lines")
            expense = session.exec(select(Account).where(Account.code == COMMISSION)).first()
            doc = existing or Document(doc_type="CP", location_id=cp.location.id, doc_date=cp.date,
                                       created_by=actor.user_id)
            doc.location_id, doc.doc_date = cp.location.id, cp.date
            doc.sales_person_id = cp.sales_person.id
            doc.currency, doc.rate = cp.currency.value, cp.rate
            doc.amount, doc.amount_usd = cp.total, cp.total_usd
            doc.net_amount = doc.payable = cp.total
            doc.net_usd = doc.payable_usd = cp.total_usd
            doc.account_id = expense.id if expense else None
            doc.approved = True
            doc.approved_by = (approving or actor).user_id
            doc.narration = free_text(draft.narration, field="narration")
            doc.extra = {"expense_ledger": COMMISSION, "cash_ledger": cp.cash_account,
                         "balance_cash_before": str(cp.held), "balance_cash_after": str(cp.held - cp.total),
                         "repeat_confirmed": cp.repeats, "form": form_to_dict(draft)}
            rows = [DocumentLine(line_no=i + 1, ref_document_id=l.invoice.id, amount=l.amount,
                                 extra={"invoice": l.number})
                    for i, l in enumerate(cp.lines)]
            return self.s.posting.post(session, actor, PostingPlan(
                doc=doc, lines=rows, journal=cp.journal, approver=approving,
                summary=f"commission to {cp.sales_person.code}: {format_amount(cp.total)} {cp.currency.value} on "
                        f"{len(rows)} invoice(s), approved by {(approving or actor).name}"))

    def approve(self, actor: Actor, draft_id: int, *, approver: str | None = None, approver_pin: str | None = None,
                confirm_repeat: bool = False) -> PostResult:
        """Approve_Save a saved draft as it was saved."""
        return self.approve_save(actor, self.load_draft(draft_id), draft_id, approver=approver,
                                 approver_pin=approver_pin, confirm_repeat=confirm_repeat)

    # -- search and view -----------------------------------------------------------------------
    def list_documents(self, **kw: Any) -> "list[DocumentRow]":
        return self.s.sales.list_documents("CP", **kw)

    def document(self, number_or_id: str | int) -> CommissionView:
        """A commission voucher (posted or draft); an unapproved one carries the "not posting" hint."""
        view = self.s.sales.document(number_or_id)
        if view.doc_type != "CP":
            raise NotFound("Commission payment {number_or_id} not found", field="number",
                params={"number_or_id": number_or_id})
        approved = view.status == "posted"
        if approved:
            with self.db.read() as session:
                rows = session.execute(sa_select(Document.number, DocumentLine.amount)
                                       .join(Document, Document.id == DocumentLine.ref_document_id)
                                       .where(DocumentLine.document_id == view.id)
                                       .order_by(DocumentLine.line_no)).all()
            lines = tuple((n, a) for n, a in rows)
        else:
            form = form_from_dict(CommissionDraft, view.extra.get("draft", {}), CommissionLine)
            lines = []
            for l in form.lines:
                try:
                    amount = q2(parse_amount(l.amount_payable, field="amount_payable"))
                except MoneyError:
                    amount = Z
                lines.append((_code(l.invoice), amount))
            lines = tuple(lines)
        total = sum((a for _, a in lines), Z)
        return CommissionView(view, approved, None if approved else _(NOT_POSTING_HINT), lines, total)

    # -- the build ---------------------------------------------------------------------------
    def _build(self, session: Session, draft: CommissionDraft, *, strict: bool, actor: Actor | None) -> _CP:
        rule = Rules(strict)
        warn = rule.warnings
        date, loc = day_and_location(self.s, session, draft.location, draft.date, actor, rule)
        setup = setup_info(self.s, session, loc)
        sp = None
        code = _code(draft.sales_person)
        if not code:
            rule(ValidationError("Sales person is required", field="sales_person"))
        else:
            sp = session.exec(select(SalesPerson).where(SalesPerson.code == code)).first()
            if sp is None:
                raise NotFound("Sales person {code} not found", field="sales_person", params={"code": code})
            if sp.inactive:
                rule(InactiveRecord("Sales person {code} is inactive", field="sales_person", params={"code": code}))
        ccy = currency_of(draft.currency)
        rate = rate_or_system(self.s, session, draft.rate, date)  # blank: the system rate

        lines: list[_CLine] = []
        seen: dict[str, int] = {}
        for n, cl in enumerate(draft.lines, start=1):
            if cl.is_blank():
                continue
            number = _code(cl.invoice)
            if not number:
                raise ValidationError("Line {n}: invoice number is required", field="invoice", line=n, params={"n": n})
            try:
                amount = q2(parse_amount(cl.amount_payable, field=N_("amount payable")))
            except MoneyError as exc:
                raise ValidationError("Line {n}: {exc}", field="amount_payable", line=n,
                    params={"n": n, "exc": exc}) from None
            if amount <= 0:
                rule(ValidationError("Line {n}: the amount payable must be greater than zero",
                                     field="amount_payable", line=n, params={"n": n}))
            if number in seen:
                rule(ValidationError("Line {n}: invoice {number} is already on line {seen}",
                                     field="invoice", line=n, params={"n": n, "number": number, "seen": seen[number]}))
            seen.setdefault(number, n)
            inv = session.exec(select(Document).where(Document.number == number,
                                                      col(Document.doc_type).in_(INVOICE_TYPES))).first()
            cust = None
            if inv is None:
                raise NotFound("Line {n}: invoice {number} not found", field="invoice", line=n,
                    params={"n": n, "number": number})
            if inv.status == "cancelled":
                rule(ValidationError("Line {n}: invoice {number} is cancelled", field="invoice", line=n,
                    params={"n": n, "number": number}))
            elif inv.status != "posted":
                rule(ValidationError("Line {n}: invoice {number} is not posted", field="invoice", line=n,
                    params={"n": n, "number": number}))
            if sp is not None and inv.sales_person_id != sp.id:
                other = session.get(SalesPerson, inv.sales_person_id) if inv.sales_person_id else None
                rule(ValidationError("Line {n}: invoice {number} was raised by {other}, not {code}",
                                     field="invoice", line=n,
                    params={"n": n, "number": number, "other": other.code if other else _("no sales person"), "code": sp.code}))
            if inv.doc_type == "SI" and not inv.agent_commission:
                rule(ValidationError("Line {line}: invoice {number} is not marked Agent Commission?, so it earns "
                                     "no commission", field="invoice", line=n, params={"line": n, "number": number}))
            cust = session.get(Customer, inv.customer_id) if inv.customer_id else None
            lines.append(_CLine(n, inv, number, amount, cust, ()))
        if not lines:
            rule(ValidationError("Add at least one invoice", field="lines"))
        paid = _paid_before(session, [l.invoice.id for l in lines])
        repeats = []
        for l in lines:
            earlier = paid.get(l.invoice.id, [])
            l.paid_by = tuple(n for n, *_ in earlier)
            for number, amount, c, _ref in earlier:
                repeats.append(_("Commission on {invoice} was already paid by {number} ({amount} {currency}) "
                                 "— confirm to pay it again").format(invoice=l.number, number=number,
                                                                     amount=format_amount(amount), currency=c))
        total = sum((l.amount for l in lines), Z)
        total_usd = total if ccy is USD else q2(total / rate)
        cash = setup.cash_usd_account if ccy is USD else setup.cash_cdf_account
        held = cash_held(session, loc.id, account_ids(session, cash)[cash], ccy)
        if total > held:
            rule(InsufficientCash("Not enough {ccy} in the till: {held} held, {total} asked", field="amount_payable",
                params={"ccy": ccy.value, "held": format_amount(held), "total": format_amount(total)}))
        memo = nt.stored(nt.COMMISSION_OF, sales_person=sp.code) if sp else nt.COMMISSION_PAID
        journal = [JLine(COMMISSION, total_usd, ccy, total, memo=memo),
                   JLine(cash, -total_usd, ccy, -total, memo=memo)] if total else []
        return _CP(draft, date, loc, sp, ccy, rate, lines, total, total_usd, cash, held, journal, warn, repeats)

    def _preview_of(self, session: Session, cp: _CP) -> CommissionPreview:
        lines = tuple(
            CommissionPreviewLine(l.n, l.number, l.invoice.doc_date if l.invoice else None,
                                  l.customer.code if l.customer else None, l.customer.name if l.customer else None,
                                  l.invoice.net_usd if l.invoice else Z, l.invoice.net_cdf if l.invoice else Z,
                                  l.amount, l.paid_by)
            for l in cp.lines
        )
        return CommissionPreview(cp.sales_person.code if cp.sales_person else None, cp.currency.value, cp.rate, lines,
                                 cp.total, cp.total_usd, COMMISSION, cp.cash_account, cp.held, cp.total <= cp.held,
                                 cp.journal, voucher_rows(session, cp.journal), cp.warnings, cp.repeats)


# ---------------------------------------------------------------- headless


@handler("commission_payment")
def _post_commission_payment(services: "Services", actor: Actor, doc: dict) -> dict:
    f = Fields(doc, required=["sales_person", "lines"],
               optional=["location", "date", "currency", "rate", "narration", "approve", "confirm_repeat"])
    lines = [CommissionLine(invoice=lf.str("invoice"), amount_payable=lf.amount("amount_payable"))
             for lf in f.list("lines", required=["invoice", "amount_payable"], min_items=1)]
    draft = CommissionDraft(location=f.str("location"), date=f.date("date"), sales_person=f.str("sales_person"),
                            currency=f.currency("currency", USD).value, rate=f.rate("rate"),
                            narration=f.str("narration", "") or "", lines=lines)
    if f.draft and f.bool("approve"):
        raise ValidationError("commission_payment: 'draft' and 'approve' cannot both be true", field="approve")
    if f.approver and not f.bool("approve"):  # never ignored: it belongs to Approve_Save
        raise ValidationError("commission_payment: 'approver' approves a payment: give it with \"approve\": true",
                              field="approver")
    if not f.bool("approve"):
        draft_id = services.commission.save(actor, draft)
        total = sum((l.amount_payable for l in lines), Z)
        return {"number": None, "draft_id": draft_id, "totals": {"total": total, "currency": draft.currency},
                "approved": False, "hint": _(NOT_POSTING_HINT)}
    result = services.commission.approve_save(actor, draft, approver=f.approver, approver_pin=f.approver_pin,
                                              confirm_repeat=f.bool("confirm_repeat"))
    with services.db.read() as session:
        d = session.get(Document, result.document_id)
        totals = {"total": d.amount, "currency": d.currency, "total_usd": d.amount_usd}
    return {"number": result.number, "totals": totals, "approved": True}


__all__ = [
    "CommissionAlreadyPaid",
    "CommissionCandidate",
    "CommissionDraft",
    "CommissionLine",
    "CommissionPreview",
    "CommissionPreviewLine",
    "CommissionService",
    "CommissionView",
    "INVOICE_TYPES",
    "NOT_POSTING_HINT",
]
