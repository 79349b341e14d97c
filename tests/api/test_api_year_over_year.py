"""The read API sets each period beside the same period a year (and two years) before.

The chain and its answers are in tests/year_over_year.py; it is computed on 15 February 2027.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from rest_framework.test import APIClient

from chain.indicators.engine import compute_all
from ingest.services import ingest_file
from tests import year_over_year

pytestmark = pytest.mark.django_db

VALUES = "/api/v1/indicators/applications_lodged/values?chain=NL&"


@pytest.fixture
def three_years(catalogue, write_extract) -> Iterator[None]:
    with time_machine.travel(year_over_year.MID_FEBRUARY_2027, tick=True):
        ingest_file(partner="IND", path=write_extract("ind.csv", year_over_year.extract()))
        compute_all()
        yield


def items(api: APIClient, query: str) -> list[dict]:
    answer = api.get(VALUES + query)
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_a_week_is_set_beside_the_same_week_a_year_before(three_years, api: APIClient) -> None:
    [item] = items(api, "period=week&from=2027-W05&to=2027-W05&compare=previous_year")
    assert (item["period"], item["value"], item["previous_year_value"]) == ("2027-W05", 3, 2)
    assert (item["change"], item["change_share"]) == (1, 0.5)
    assert "two_years_before_value" not in item


def test_week_53_is_set_beside_the_last_week_of_the_year_before(
    three_years, api: APIClient
) -> None:
    found = items(api, "period=week&from=2026-W52&to=2027-W01&compare=previous_year")
    assert [(i["period"], i["value"], i["previous_year_value"], i["change"]) for i in found] == [
        ("2026-W52", 1, 2, -1), ("2026-W53", 4, 2, 2), ("2027-W01", 1, 0, 1),
    ]  # fmt: skip
    assert [i["change_share"] for i in found] == [-0.5, 1.0, None]  # none a year before: no share


def test_it_sets_a_period_beside_two_years_before_when_asked(three_years, api: APIClient) -> None:
    found = items(api, "period=month&from=2027-01&to=2027-02&compare=previous_two_years")
    assert [
        (i["period"], i["value"], i["previous_year_value"], i["two_years_before_value"])
        for i in found
    ] == [
        (label, *year_over_year.APPLICATIONS[label]) for label in ("2027-01", "2027-02")
    ]  # fmt: skip
    assert [(i["two_years_change"], i["two_years_change_share"]) for i in found] == [
        (2, 2.0), (3, None),
    ]  # fmt: skip


def test_the_comparison_is_in_the_csv_too(three_years, api: APIClient) -> None:
    answer = api.get(VALUES + "period=week&from=2027-W05&to=2027-W05&compare=previous_year"
                     "&format=csv")  # fmt: skip
    assert answer.status_code == 200
    header, row = answer.content.decode().splitlines()
    assert header.endswith(",previous_year_value,change,change_share")
    assert row.endswith(",2.0,1.0,0.5")


def test_without_compare_an_item_has_no_comparison(three_years, api: APIClient) -> None:
    [item] = items(api, "period=week&from=2027-W05&to=2027-W05")
    assert "previous_year_value" not in item and "change" not in item


def test_it_serves_half_years(three_years, api: APIClient) -> None:
    found = items(api, "period=half_year&from=2025-H1&to=2026-H2&compare=previous_year")
    assert [(i["period"], i["value"], i["previous_year_value"]) for i in found] == [
        ("2025-H1", 1, 0), ("2025-H2", 2, 0), ("2026-H1", 3, 1), ("2026-H2", 3, 2),
    ]  # fmt: skip


def test_it_names_the_field_of_an_unknown_comparison(three_years, api: APIClient) -> None:
    answer = api.get(VALUES + "period=month&compare=last_year")
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert (problem["title"], problem["status"]) == ("Bad Request", 400)
    assert problem["detail"].startswith("compare: ")
    assert "last_year" in problem["detail"]


def test_it_names_a_half_year_that_does_not_exist(three_years, api: APIClient) -> None:
    answer = api.get(VALUES + "period=half_year&from=2026-H3&compare=previous_year")
    assert answer.status_code == 400
    assert answer.json()["detail"] == "from: '2026-H3' is not an existing half-year"


def test_it_computes_a_year_to_date_beside_the_same_months_a_year_before(
    three_years, api: APIClient
) -> None:
    found = items(api, "period=year_to_date&from=2027-YTD01&to=2027-YTD02&compare=previous_year")
    assert [(i["period"], i["value"], i["previous_year_value"], i["change"]) for i in found] == [
        ("2027-YTD01", 3, 2, 1), ("2027-YTD02", 6, 3, 3),  # K L M | + 207 208 209; 204 205 | + 206
    ]  # fmt: skip


def test_a_year_to_dates_median_is_over_its_cases(three_years, api: APIClient) -> None:
    # Decided in 2027: I (1 January, 3 days), K (6 January, 5) and L (9 January, 6).
    answer = api.get(
        "/api/v1/indicators/decision_lead_time_median/values?chain=NL&period=year_to_date"
        "&from=2027-YTD02&to=2027-YTD02&compare=previous_year"
    )
    [item] = answer.json()
    assert (item["value"], item["n"], item["previous_year_value"], item["change"]) == (
        5, 3, None, None,
    )  # fmt: skip


def test_a_year_to_dates_ratio_is_over_its_numerator_and_denominator(
    three_years, api: APIClient
) -> None:
    answer = api.get(
        "/api/v1/indicators/decisions_to_applications_ratio/values?chain=NL"
        "&period=year_to_date&from=2027-YTD02&to=2027-YTD02"
    )
    [item] = answer.json()
    assert (item["value"], item["numerator"], item["denominator"]) == (0.5, 3, 6)


def test_a_year_to_dates_stock_is_the_one_at_its_end(three_years, api: APIClient) -> None:
    def values(period: str, label: str) -> list[float]:
        answer = api.get(
            f"/api/v1/indicators/open_cases/values?chain=NL&period={period}&from={label}&to={label}"
        )
        return [item["value"] for item in answer.json()]

    # H, J and M, and 201 to 206, none decided.
    assert values("year_to_date", "2027-YTD01") == values("month", "2027-01") == [9]


def test_a_year_to_date_has_no_breakdown_by_nationality(three_years, api: APIClient) -> None:
    answer = api.get(
        "/api/v1/indicators/applications_lodged/values?chain=NL&period=year_to_date&by=nationality"
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == "by: a year to date has no breakdown by nationality"
