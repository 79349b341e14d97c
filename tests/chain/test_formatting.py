"""One way of writing values, for the pages, the CSV and the weekly e-mail, in both languages."""

from __future__ import annotations

import pytest
from django.utils import translation

from chain.formatting import NO_VALUE, change_between, format_number, period_title, signal_word
from chain.models import Direction
from chain.periods import MONTH, WEEK, parse_period
from chain.vocabulary import COUNT, DAYS, SHARE, UNITS


@pytest.mark.parametrize(
    ("language", "unit", "value", "expected"),
    [
        ("nl", "days", 12.46, "12,5"),
        ("en", "days", 12.46, "12.5"),
        ("nl", "days", 12.0, "12"),
        ("en", "days", 12.04, "12"),
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


@pytest.mark.parametrize(
    ("language", "label", "expected"),
    [
        ("nl", "2024-03", "maart 2024"),
        ("en", "2024-03", "March 2024"),
        ("nl", "2026-W53", "week 53, 2026"),
        ("en", "2027-W01", "week 1, 2027"),
    ],
)
def test_a_period_reads_as_its_month_or_iso_week_in_the_language(
    language: str, label: str, expected: str
) -> None:
    period_type = WEEK if "-W" in label else MONTH
    with translation.override(language):
        assert period_title(parse_period(label, period_type)) == expected


@pytest.mark.parametrize(
    ("language", "signal", "expected"),
    [
        ("nl", "red", "rood"),
        ("en", "red", "red"),
        ("nl", "", "geen signaal"),
        ("en", "", "no signal"),
    ],
)
def test_a_signal_reads_as_its_word_in_the_language(
    language: str, signal: str, expected: str
) -> None:
    with translation.override(language):
        assert signal_word(signal) == expected


def test_a_change_says_which_way_how_much_and_whether_that_is_better() -> None:
    since = parse_period("2026-10", MONTH)
    with translation.override("en"):
        worse = change_between(120.0, 100.0, unit=COUNT, direction=Direction.LOWER, since=since)
        assert worse is not None
        assert (worse.arrow, worse.text, worse.judgement) == ("↑", "+20", "worse")
        assert worse.description == "up 20 since October 2026 (worse)"
    with translation.override("nl"):
        share = change_between(0.5, 0.525, unit=SHARE, direction=Direction.NONE, since=since)
        assert share is not None
        assert (share.arrow, share.text, share.judgement) == ("↓", "\u22122,5 procentpunt", "")


def test_a_change_too_small_to_show_is_no_change_and_a_missing_value_no_change_at_all() -> None:
    since = parse_period("2026-10", MONTH)
    with translation.override("en"):
        same = change_between(12.04, 12.0, unit=DAYS, direction=Direction.LOWER, since=since)
        assert same is not None
        assert (same.arrow, same.text, same.judgement) == ("→", "0", "")
        assert change_between(None, 12.0, unit=DAYS, direction=Direction.LOWER, since=since) is None
