"""The journal's generated texts and how they read to a person (pure).

A journal line's memo and a voucher's narration are stored in English when the product writes
them (``return of 261101SI000001``, ``cash rounding``, ``Receipt for 261101SI000001``): the books,
the hledger journal, CSV and JSON keep the stored text. Every such text is one template here,
formatted in English by the services (:func:`stored`); screens and printed pages show a stored text
through :func:`shown`, which recognises a template and gives it in the reader's language
(``retour de 261101SI000001``). A text a person typed (a narration, a reason) matches no template
and is shown as typed; the free parts of a template (a cancellation's reason) stay as stored.
"""

from __future__ import annotations

import re
from functools import lru_cache

from shopterm.core.i18n import N_, _

# journal line memos
CASH_ROUNDING = N_("cash rounding")
ROUND_OFF = N_("round off")
EXCHANGE_DIFFERENCE = N_("exchange difference")
EXCHANGE_DIFFERENCE_REVERSED = N_("exchange difference reversed")
EXCHANGE_GAIN_LOSS = N_("exchange gain/loss")
CASH_RECEIVED = N_("cash received")
CASH_RECEIVED_LESS_CHANGE = N_("cash received less change")
CASH_REFUNDED = N_("cash refunded")
CASH_SHORTAGE = N_("cash shortage")
CASH_EXCESS = N_("cash excess")
STOCK_RECEIPT = N_("stock receipt")
LOYALTY_REDEMPTION = N_("loyalty redemption")
LOYALTY_REDEMPTION_RETURNED = N_("loyalty redemption returned")
DIRECT_RETURN = N_("direct return")
COMMISSION_PAID = N_("commission")
RECEIPT_OF = N_("receipt {number}")
REFUND_OF = N_("refund {number}")
RETURN_OF = N_("return of {number}")
DELIVERY_AGAINST = N_("delivery against {number}")
EXCHANGE_RECEIVED = N_("exchange: {currency} received")
EXCHANGE_GIVEN = N_("exchange: {currency} given")
COMMISSION_OF = N_("commission {sales_person}")
FREE_OFFER = N_("free offer {scheme} {item}")
FREE_OFFER_DELIVERED = N_("free offer {scheme} {item} ({number})")
FREE_OFFER_RETURNED = N_("free offer returned {item}")
STOCK_COUNT = N_("stock count {item} {batch} {qty}")  # (as closes stored it before: counted − on hand)
STOCK_COUNT_SHORT = N_("stock count {item} {batch}: {qty} short")  # read as the cash difference
STOCK_COUNT_OVER = N_("stock count {item} {batch}: {qty} over")
PAYMENT_ON_ACCOUNT = N_("Payment on account ({method})")
CANCEL = N_("cancel: {memo}")  # a reversal line: the memo of the line it reverses
# voucher narrations
RECEIPT_FOR = N_("Receipt for {number}")
REFUND_FOR = N_("Refund for {number}")
EXCHANGE_DIFFERENCE_ON = N_("Exchange difference on {number}")
CANCELLATION = N_("Cancellation of {number}. {reason}")
CANCELLATION_NO_REASON = N_("Cancellation of {number}.")
OPENING_STOCK_DEMO = N_("Opening stock from head office (demo)")
CSV_STOCK_IMPORT = N_("CSV stock import")

TEMPLATES: tuple[str, ...] = (
    CASH_ROUNDING, ROUND_OFF, EXCHANGE_DIFFERENCE, EXCHANGE_DIFFERENCE_REVERSED, EXCHANGE_GAIN_LOSS, CASH_RECEIVED,
    CASH_RECEIVED_LESS_CHANGE, CASH_REFUNDED, CASH_SHORTAGE, CASH_EXCESS, STOCK_RECEIPT, LOYALTY_REDEMPTION,
    LOYALTY_REDEMPTION_RETURNED, DIRECT_RETURN, COMMISSION_PAID, RECEIPT_OF, REFUND_OF, RETURN_OF, DELIVERY_AGAINST,
    EXCHANGE_RECEIVED, EXCHANGE_GIVEN, COMMISSION_OF, FREE_OFFER, FREE_OFFER_DELIVERED, FREE_OFFER_RETURNED,
    STOCK_COUNT, STOCK_COUNT_SHORT, STOCK_COUNT_OVER, PAYMENT_ON_ACCOUNT, CANCEL, RECEIPT_FOR, REFUND_FOR,
    EXCHANGE_DIFFERENCE_ON, CANCELLATION, CANCELLATION_NO_REASON, OPENING_STOCK_DEMO, CSV_STOCK_IMPORT,
)

_FIELD = re.compile(r"\{(\w+)\}")


def stored(template: str, **params: object) -> str:
    """The text as the books keep it: the English template with its fields (never translated)."""
    return template.format(**params)


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each template as a full-match pattern, the most literal text first (so ``free offer returned
    X`` is not read as ``free offer {scheme} {item}``)."""
    out = []
    for t in TEMPLATES:
        parts, pos = [], 0
        for m in _FIELD.finditer(t):
            parts.append(re.escape(t[pos:m.start()]))
            parts.append(f"(?P<{m.group(1)}>.*?)")
            pos = m.end()
        parts.append(re.escape(t[pos:]))
        out.append((re.compile("".join(parts), re.DOTALL), t))
    out.sort(key=lambda p: -len(_FIELD.sub("", p[1])))
    return tuple(out)


def shown(text: str | None) -> str:
    """A stored memo or narration in the reader's language (a text that is no template: as stored)."""
    if not text:
        return ""
    for pattern, template in _patterns():
        m = pattern.fullmatch(text)
        if m is None:
            continue
        params = m.groupdict()
        if "memo" in params:
            params["memo"] = shown(params["memo"])
        if "method" in params:
            from shopterm.core.payments import method_label

            params["method"] = method_label(params["method"])
        return _(template).format(**params)
    return text


__all__ = ["TEMPLATES", "shown", "stored"]
