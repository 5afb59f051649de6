"""core.narration: a generated memo or narration is stored in English and read in the reader's language;
a text a person typed is shown as typed."""

from __future__ import annotations

import re

import pytest

from shopterm.core import i18n, narration
from shopterm.core.narration import TEMPLATES, shown, stored


@pytest.fixture
def french():
    i18n.set_language("fr")
    yield
    i18n.set_language("en")


def test_english_shows_what_is_stored():
    for template in TEMPLATES:
        text = stored(template, **{f: "X1" for f in re.findall(r"\{(\w+)\}", template)})
        assert shown(text) == text


def test_every_generated_text_reads_in_french_with_its_fields_kept(french):
    """Each template, with fields that look like the real ones, comes back as its own French
    (the most literal template wins: "free offer returned PARA500" is not a free offer of scheme "returned")."""
    for template in TEMPLATES:
        params = {f: f"{f.upper()}9" for f in re.findall(r"\{(\w+)\}", template)}
        want = i18n._(template).format(**{k: (narration.shown(v) if k == "memo" else v) for k, v in params.items()})
        assert shown(stored(template, **params)) == want, template


def test_the_french_of_the_memos_a_till_writes(french):
    assert [shown(t) for t in (
        "return of 261101SI000001", "cash rounding", "receipt 261101SI000001", "Receipt for 261101SI000001",
        "cancel: cash rounding", "free offer returned PARA500", "free offer PS0001 PARA500",
        "Payment on account (cash)", "exchange: CDF received", "Cancellation of 261101SI000001. wrong customer",
        "Cancellation of 261101PI000001.", "commission SP01", "cash shortage", "stock count PARA500 B001: 4 short",
    )] == [
        "retour de 261101SI000001", "arrondi de caisse", "reçu 261101SI000001", "Reçu pour 261101SI000001",
        "annulation : arrondi de caisse", "gratuité retournée PARA500", "gratuité PS0001 PARA500",
        "Paiement en compte (Espèces)", "change : CDF reçus", "Annulation de 261101SI000001. wrong customer",
        "Annulation de 261101PI000001.", "commission SP01", "manquant de caisse",
        "inventaire PARA500 B001 : manque 4",
    ]


def test_a_typed_text_is_shown_as_typed(french):
    assert [shown(t) for t in ("Damaged boxes", "Float from head office", "", None)] == [
        "Damaged boxes", "Float from head office", "", ""]
