"""Merge duplicate customers (issue 16; POS customers guide): pick the customer to keep and the
duplicate(s); everything the duplicates did moves to the one kept, in one transaction.

What moves: their documents (every status, drafts too: a draft's stored form names the kept
customer from then on, so reopening it shows the kept one), customer-ledger entries with their open amounts and
their matches, loyalty points (and the loyalty card when the kept customer has none), the
locations they may buy at, and the contact details the kept customer lacks. Each duplicate
becomes inactive with a pointer to the kept customer (``merged_into``); a customer merged into
a duplicate earlier now points to the kept one. One audit row on the kept customer names both
and counts what moved; F4 on the kept customer shows the duplicates' history too.

The journal is final and hash-chained (DESIGN §10): its lines keep the customer they were posted
to. ``db verify`` accepts a ledger entry whose journal line names a customer merged into the
entry's. Balances before = after: the kept customer's balance, open items and points become the
sum of the merged customers', to the cent, in every currency.

Refused, saying why, when:
- a duplicate is the kept customer, is named twice, or is already merged;
- a draft of either customer is open on a screen now, on this till or another (``draft_hold``,
  services/documents/holds.py): the refusal names the draft and who has it open, on which till;
  a hold its till stopped refreshing (crashed) is stale and does not block;
- their receivables are kept on different control accounts (the books of one cannot take the
  other's open items), or a cash customer would take a credit customer's open balance;
- a duplicate is a location's walk-in customer in Shop Setup (keep it instead).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Iterable

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from shopterm.core.i18n import _
from ...core.journal import RECEIVABLE
from ...core.money import format_amount
from ...store import balances
from ...store import models as m
from ..admin import audit
from ..documents.holds import open_holds
from ..context import Actor
from ..errors import NotFound, ValidationError

if TYPE_CHECKING:
    from . import Services

Z = Decimal("0.00")
CONTACT_FIELDS = ("mobile", "email", "address", "city", "province", "country", "national_id", "nrc_no", "impot_no")


def _named(doc: m.Document) -> str:
    """The customer code a draft's stored form names ('' for none)."""
    return str((doc.extra or {}).get("draft", {}).get("customer") or "").strip().upper()


@dataclass(frozen=True, slots=True)
class MergeResult:
    kept: str
    merged: tuple[str, ...]
    documents: int
    ledger_entries: int
    matches: int
    loyalty_rows: int
    balance_usd: Decimal  # the kept customer's balance after the merge (= the sum before)
    drafts: tuple[int, ...] = ()  # the drafts moved (their ids: "Draft #12" on the screens)

    @property
    def message(self) -> str:
        return _("Merged {merged} into {kept}: {documents} documents, {drafts} drafts, {entries} ledger entries, "
                 "{matches} matches, {loyalty} loyalty rows moved; balance {balance} USD").format(
            merged=", ".join(self.merged), kept=self.kept, documents=self.documents, drafts=len(self.drafts),
            entries=self.ledger_entries, matches=self.matches, loyalty=self.loyalty_rows,
            balance=format_amount(self.balance_usd))


class CustomerMergeService:
    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    def merge(self, actor: Actor, keep: str, duplicates: Iterable[str]) -> MergeResult:
        """Merge ``duplicates`` (codes) into ``keep`` (code): module docstring."""
        actor.require("masters", "Merging customers")
        keep_code = (keep or "").strip().upper()
        dup_codes = [(d or "").strip().upper() for d in duplicates if (d or "").strip()]
        if not keep_code:
            raise ValidationError("Give the customer to keep", field="keep")
        if not dup_codes:
            raise ValidationError("Give the duplicate customer(s) to merge into {code}", field="duplicates",
                                  params={"code": keep_code})
        with self.db.write() as session:
            kept = self._customer(session, keep_code, "keep")
            if kept.merged_into_id is not None:
                into = session.get(m.Customer, kept.merged_into_id)
                raise ValidationError("{code} was merged into {into}: keep {into} instead", field="keep",
                                      params={"code": kept.code, "into": into.code if into else "?"})
            dups: list[m.Customer] = []
            for code in dup_codes:
                if code == kept.code:
                    raise ValidationError("{code} is the customer kept: it cannot be its own duplicate",
                                          field="duplicates", params={"code": code})
                if any(d.code == code for d in dups):
                    raise ValidationError("{code} is named twice", field="duplicates", params={"code": code})
                dup = self._customer(session, code, "duplicates")
                if dup.merged_into_id is not None:
                    into = session.get(m.Customer, dup.merged_into_id)
                    raise ValidationError("{code} is already merged into {into}", field="duplicates",
                                          params={"code": dup.code, "into": into.code if into else "?"})
                dups.append(dup)
            drafts = self._drafts(session, [kept, *dups])
            self._none_open(session, drafts)
            balances = {c.id: self._balance(session, c.id) for c in (kept, *dups)}
            for dup in dups:
                self._can_merge(session, kept, dup, balances[dup.id])
            before = {c.code: str(balances[c.id]) for c in (kept, *dups)}
            ids = [d.id for d in dups]
            dup_codes_found = {d.code for d in dups}
            moving = [doc for doc in drafts.values() if doc.customer_id in ids or _named(doc) in dup_codes_found]
            draft_rows = sum(1 for doc in moving if doc.customer_id in ids)  # the document count leaves them out
            moved = self._move(session, kept, dups, ids)
            moved["documents"] -= draft_rows
            moved["drafts"] = self._move_drafts(session, kept, moving)
            after_balance = self._balance(session, kept.id)
            audit.record(session, actor, "merge", "customer", kept.id,
                         before={"kept": kept.code, "duplicates": [d.code for d in dups], "balances_usd": before},
                         after={"kept": kept.code, "balance_usd": str(after_balance), **moved},
                         summary=(f"merged {', '.join(f'{d.code} {d.name}' for d in dups)} into {kept.code} "
                                  f"{kept.name}: {moved['documents']} documents, "
                                  f"drafts {', '.join(f'#{i}' for i in moved['drafts']) or 'none'}, "
                                  f"{moved['ledger_entries']} ledger "
                                  f"entries, {moved['matches']} matches, {moved['loyalty_rows']} loyalty rows; "
                                  f"balance {after_balance} USD")[:500])
            return MergeResult(kept.code, tuple(d.code for d in dups), moved["documents"], moved["ledger_entries"],
                               moved["matches"], moved["loyalty_rows"], after_balance, tuple(moved["drafts"]))

    # ------------------------------------------------------------ checks
    @staticmethod
    def _customer(session: Session, code: str, field: str) -> m.Customer:
        row = session.execute(select(m.Customer).where(m.Customer.code == code)).scalars().first()
        if row is None:
            raise NotFound("Customer {code} not found", field=field, params={"code": code})
        return row

    @staticmethod
    def _drafts(session: Session, customers: list[m.Customer]) -> dict[int, m.Document]:
        """The saved drafts of ``customers``: by the customer on the row, or by the code their stored
        form names (a draft typed before the customer existed)."""
        ids = {c.id for c in customers}
        codes = {c.code for c in customers}
        found: dict[int, m.Document] = {}
        for doc in session.execute(select(m.Document).where(m.Document.status == "draft")
                                   .order_by(m.Document.id)).scalars():
            if doc.customer_id in ids or _named(doc) in codes:
                found[doc.id] = doc
        return found

    @staticmethod
    def _none_open(session: Session, drafts: dict[int, m.Document]) -> None:
        holds = open_holds(session, drafts)
        if holds:
            h = holds[0]
            doc = drafts[h.document_id]
            owner = session.get(m.Customer, doc.customer_id) if doc.customer_id else None
            raise ValidationError("Draft #{id} ({type}) of {code} is open on till {till} by {user}: close it there "
                                  "first", field="duplicates",
                                  params={"id": doc.id, "type": doc.doc_type, "code": owner.code if owner else _named(doc),
                                          "till": h.till or "?", "user": h.user_name or "?"})

    @staticmethod
    def _move_drafts(session: Session, kept: m.Customer, drafts: list[m.Document]) -> list[int]:
        """The duplicates' drafts now name the kept customer, on the row and in the stored form."""
        moved = []
        for doc in drafts:
            form = dict((doc.extra or {}).get("draft", {}))
            if "customer" in form:
                form["customer"] = kept.code
            doc.customer_id = kept.id
            doc.extra = {**(doc.extra or {}), "draft": form}
            session.add(doc)
            moved.append(doc.id)
        session.flush()
        return moved

    @staticmethod
    def _balance(session: Session, customer_id: int) -> Decimal:
        value = session.execute(select(func.sum(m.LedgerEntry.amount_usd))
                                .where(m.LedgerEntry.customer_id == customer_id)).scalar()
        return Z if value is None else value

    @staticmethod
    def _can_merge(session: Session, kept: m.Customer, dup: m.Customer, dup_balance: Decimal) -> None:
        default = session.execute(select(m.Account.id).where(m.Account.code == RECEIVABLE)).scalar()
        keep_acct, dup_acct = kept.control_account_id or default, dup.control_account_id or default
        if keep_acct != dup_acct:
            acct = {a.id: a.code for a in session.execute(select(m.Account).where(
                col(m.Account.id).in_([keep_acct or 0, dup_acct or 0]))).scalars()}
            raise ValidationError("{dup} is kept on account {dup_acct} and {keep} on {keep_acct}: one receivable "
                                  "account cannot take the other's open items", field="duplicates",
                                  params={"dup": dup.code, "keep": kept.code, "dup_acct": acct.get(dup_acct, "-"),
                                          "keep_acct": acct.get(keep_acct, "-")})
        if kept.kind == "cash" and dup.kind == "credit" and dup_balance != 0:
            raise ValidationError("{keep} is a cash customer: it cannot take the {amount} USD that credit "
                                  "customer {dup} owes; keep {dup} instead", field="keep",
                                  params={"keep": kept.code, "dup": dup.code, "amount": format_amount(dup_balance)})
        walk_in = session.execute(select(m.Location.code).join(m.ShopSetup, m.ShopSetup.location_id == m.Location.id)
                                  .where(m.ShopSetup.cash_customer_id == dup.id).limit(1)).scalar()
        if walk_in is not None:
            raise ValidationError("{dup} is the walk-in customer of {location} (Shop Setup): keep it, merge the "
                                  "other into it", field="duplicates", params={"dup": dup.code, "location": walk_in})

    # ------------------------------------------------------------ the move
    @staticmethod
    def _move(session: Session, kept: m.Customer, dups: list[m.Customer], ids: list[int]) -> dict:
        def moved(model) -> int:
            result = session.execute(update(model).where(col(model.customer_id).in_(ids))
                                     .values(customer_id=kept.id))
            return int(result.rowcount or 0)

        now = dt.datetime.now(dt.timezone.utc)
        documents = moved(m.Document)
        entries = session.execute(update(m.LedgerEntry).where(col(m.LedgerEntry.customer_id).in_(ids))
                                  .values(customer_id=kept.id, changed_at=now)).rowcount or 0
        balances.move_open(session, ids, kept.id)  # their open amounts per due date (the ageing's) go along
        matches = moved(m.Match)
        loyalty = moved(m.LoyaltyTransaction)
        # where the duplicates could buy, the kept customer can now
        have = set(session.execute(select(m.CustomerLocation.location_id)
                                   .where(m.CustomerLocation.customer_id == kept.id)).scalars())
        for loc_id in set(session.execute(select(m.CustomerLocation.location_id)
                                          .where(col(m.CustomerLocation.customer_id).in_(ids))).scalars()) - have:
            session.add(m.CustomerLocation(customer_id=kept.id, location_id=loc_id))
        # contact details and the loyalty card the kept customer lacks
        filled = []
        for dup in dups:
            for name in CONTACT_FIELDS:
                if not getattr(kept, name) and getattr(dup, name):
                    setattr(kept, name, getattr(dup, name))
                    filled.append(name)
            if kept.loyalty_card_id is None and dup.loyalty_card_id is not None:
                kept.loyalty_card_id = dup.loyalty_card_id
                filled.append("loyalty_card")
            dup.inactive = True
            dup.merged_into_id = kept.id
            dup.updated_at = now
            session.add(dup)
        # earlier merges into a duplicate now point to the kept customer (one level: db verify reads it)
        session.execute(update(m.Customer).where(col(m.Customer.merged_into_id).in_(ids), m.Customer.id != kept.id)
                        .values(merged_into_id=kept.id))
        kept.updated_at = now
        session.add(kept)
        session.flush()
        return {"documents": documents, "ledger_entries": int(entries), "matches": matches, "loyalty_rows": loyalty,
                "filled": sorted(set(filled))}


__all__ = ["CustomerMergeService", "MergeResult"]
