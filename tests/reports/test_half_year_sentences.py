"""The half-year report's sentences, generated from known figures, in Dutch and English."""

from __future__ import annotations

import pytest
from django.utils import translation

from reports.sentences import change_sentence


def sentence(language: str, **figures: object) -> str:
    arguments = {
        "code": "open_cases_over_term", "name": "Openstaande zaken over de termijn",
        "unit": "count", "period": "2026-H1", "earlier_period": "2025-H1", **figures,
    }  # fmt: skip
    with translation.override(language):
        return change_sentence(**arguments)  # type: ignore[arg-type]


def test_a_fall_reads_as_a_percentage_of_the_year_before_in_dutch() -> None:
    assert sentence("nl", current=1012, earlier=1234) == (
        "Het aantal openstaande zaken over de termijn daalde met 18 % ten opzichte van de "
        "eerste helft van 2025 (van 1.234 naar 1.012)."
    )


def test_a_fall_reads_as_a_percentage_of_the_year_before_in_english() -> None:
    assert sentence("en", current=1012, earlier=1234) == (
        "The number of open cases past their legal term fell by 18 % compared with the first "
        "half of 2025 (from 1,234 to 1,012)."
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", "Het aantal ingediende asielaanvragen steeg met 25 % ten opzichte van de tweede "
         "helft van 2024 (van 2.000 naar 2.500)."),
        ("en", "The number of asylum applications lodged rose by 25 % compared with the second "
         "half of 2024 (from 2,000 to 2,500)."),
    ],
)  # fmt: skip
def test_a_rise_names_the_second_half_when_it_compares_second_halves(
    language: str, expected: str
) -> None:
    assert sentence(
        language, code="applications_lodged", current=2500, earlier=2000, period="2025-H2",
        earlier_period="2024-H2",
    ) == expected  # fmt: skip


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", "Het aantal openstaande zaken over de termijn bleef gelijk ten opzichte van de "
         "eerste helft van 2025 (1.234)."),
        ("en", "The number of open cases past their legal term was unchanged compared with the "
         "first half of 2025 (1,234)."),
    ],
)  # fmt: skip
def test_the_same_value_reads_as_unchanged(language: str, expected: str) -> None:
    assert sentence(language, current=1234, earlier=1234) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", "Voor het aantal openstaande zaken over de termijn is over de eerste helft van "
         "2025 geen waarde bekend om mee te vergelijken."),
        ("en", "There is no value of the number of open cases past their legal term for the "
         "first half of 2025 to compare with."),
    ],
)  # fmt: skip
def test_no_earlier_value_says_which_half_has_none(language: str, expected: str) -> None:
    assert sentence(language, current=1234, earlier=None) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", "Voor het aantal openstaande zaken over de termijn is over de eerste helft van "
         "2026 geen waarde bekend."),
        ("en", "There is no value of the number of open cases past their legal term for the "
         "first half of 2026."),
    ],
)  # fmt: skip
def test_no_value_for_the_half_year_itself_says_so(language: str, expected: str) -> None:
    assert sentence(language, current=None, earlier=1234) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", "Het aandeel beslissingen binnen de termijn steeg met 3,5 procentpunt ten "
         "opzichte van de eerste helft van 2025 (van 80,0 % naar 83,5 %)."),
        ("en", "The share of decisions within the legal term rose by 3.5 percentage points "
         "compared with the first half of 2025 (from 80.0 % to 83.5 %)."),
    ],
)  # fmt: skip
def test_a_share_moves_by_percentage_points(language: str, expected: str) -> None:
    assert sentence(
        language, code="decisions_within_term_share", unit="share", current=0.835, earlier=0.8
    ) == expected  # fmt: skip


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", "De klanttevredenheid steeg van 3,40 naar 3,60 ten opzichte van de eerste helft "
         "van 2025."),
        ("en", "Client satisfaction rose from 3.40 to 3.60 compared with the first half of 2025."),
    ],
)  # fmt: skip
def test_a_score_moves_from_one_value_to_the_other(language: str, expected: str) -> None:
    assert sentence(
        language, code="client_satisfaction", unit="score", current=3.6, earlier=3.4
    ) == expected  # fmt: skip


def test_a_rise_from_nothing_gives_no_percentage() -> None:
    assert sentence("en", code="departures", current=12, earlier=0) == (
        "The number of departures rose from 0 to 12 compared with the first half of 2025."
    )


def test_an_indicator_without_a_subject_reads_as_its_quoted_name() -> None:
    assert sentence("en", code="new_indicator", name="New thing", current=90, earlier=100) == (
        "“New thing” fell by 10 % compared with the first half of 2025 (from 100 to 90)."
    )
