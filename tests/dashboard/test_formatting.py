"""One way of writing values, for the pages, the CSV and the weekly e-mail, in both languages."""

from __future__ import annotations

import pytest
from django.utils import translation

from chain.formatting import NO_VALUE, format_number
from chain.vocabulary import UNITS


@pytest.mark.parametrize(
    ("language", "unit", "value", "expected"),
    [
        ("nl", "days", 12.46, "12,5"),
        ("en", "days", 12.46, "12.5"),
        ("nl", "days", 12.0, "12"),
        ("en", "days", 1234.0, "1,234"),
        ("nl", "count", 1234.0, "1.234"),
        ("en", "count", 1234.0, "1,234"),
        ("nl", "share", 0.125, "12,5 %"),
        ("en", "share", 0.125, "12.5 %"),
        ("nl", "ratio", 1.5, "1,50"),
        ("en", "score", 3.25, "3.25"),
    ],
)  # fmt: skip
def test_a_value_has_its_units_decimals_in_the_languages_format(
    language: str, unit: str, value: float, expected: str
) -> None:
    with translation.override(language):
        assert format_number(value, unit) == expected


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("unit", UNITS)
def test_no_value_reads_as_an_en_dash_in_every_unit_and_language(language: str, unit: str) -> None:
    with translation.override(language):
        assert format_number(None, unit) == NO_VALUE == "\u2013"
