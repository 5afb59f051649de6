"""Numbers put back into form fields and grid cells read the same in French (issue 14)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopterm.core import i18n
from shopterm.core.money import read_typed


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.set_language("en")


def test_quantities_and_prices_in_form_fields_keep_the_french_decimal_comma():
    """A field's text drops the group mark only: 2.5 is "2,5" in French, never "25"."""
    from shopterm.screens.base.linked_document import qty_text
    from shopterm.screens.masters.base import fmt

    with i18n.use("fr"):
        assert qty_text(Decimal("2.500")) == "2,5"
        assert qty_text(Decimal("1500")) == "1500"
        assert fmt("qty", Decimal("2.5")) == "2,5"
        assert fmt("money", Decimal("2500.5")) == "2500,50"
        for text in (qty_text(Decimal("2.5")), fmt("qty", Decimal("12.25")), fmt("money", Decimal("2500.5"))):
            assert read_typed(text) in (Decimal("2.5"), Decimal("12.25"), Decimal("2500.5"))
    assert qty_text(Decimal("1500.5")) == "1500.5"
    assert fmt("money", Decimal("2500.5")) == "2500.50"
