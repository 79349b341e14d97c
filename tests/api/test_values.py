"""``/indicators/{code}/values``: complete series, slices, CSV and every kind of bad input."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from chain.models import SignalBand
from chain.selectors import latest_complete_period
from tests.api.conftest import (
    Catalogue,
    Deliver,
    assert_problem,
    make_extract,
    problems_of,
    store_value,
)

pytestmark = pytest.mark.django_db

ITEM_KEYS = {
    "period", "chain", "value", "numerator", "denominator", "n", "signal", "stale", "suppressed",
}  # fmt: skip
SHARE = "/api/v1/indicators/decisions_within_term_share/values"
COUNT = "/api/v1/indicators/applications_lodged/values"


def test_it_answers_one_item_per_period_with_the_stored_values(
    api: APIClient, catalogue_rows: Catalogue, fresh_deliveries: None
) -> None:
    store_value(
        "decisions_within_term_share", "2023-04", 0.8125, numerator=13, denominator=16, n=16,
        signal="amber",
    )  # fmt: skip
    answer = api.get(f"{SHARE}?chain=NL&period=month&from=2023-04&to=2023-04")
    assert answer.status_code == 200
    assert answer.json() == [
        {"period": "2023-04", "chain": "NL", "value": 0.8125, "numerator": 13.0,
         "denominator": 16.0, "n": 16, "signal": "amber", "stale": False, "suppressed": False}
    ]  # fmt: skip


def test_a_period_without_a_stored_count_counts_zero(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    store_value("applications_lodged", "2023-02", 40.0)
    items = api.get(f"{COUNT}?chain=NL&from=2023-01&to=2023-03").json()
    assert [(i["period"], i["value"], i["n"]) for i in items] == [
        ("2023-01", 0, 0), ("2023-02", 40.0, 100), ("2023-03", 0, 0),
    ]  # fmt: skip
    assert all(set(i) == ITEM_KEYS for i in items)


def test_a_period_without_a_stored_share_has_no_value_and_no_signal(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    store_value("decisions_within_term_share", "2023-02", 0.95, signal="green")
    items = api.get(f"{SHARE}?chain=NL&from=2023-01&to=2023-03").json()
    assert [(i["period"], i["value"], i["signal"]) for i in items] == [
        ("2023-01", None, "none"), ("2023-02", 0.95, "green"), ("2023-03", None, "none"),
    ]  # fmt: skip


def test_a_missing_count_takes_its_signal_from_the_bands(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    SignalBand.objects.create(
        indicator=catalogue_rows["count"], position=0, signal="green", upper=10
    )
    [item] = api.get(f"{COUNT}?chain=BE&from=2023-01&to=2023-01").json()
    assert (item["value"], item["signal"]) == (0, "green")


def test_it_answers_iso_weeks(api: APIClient, catalogue_rows: Catalogue) -> None:
    store_value("applications_lodged", "2023-W52", 3.0)
    items = api.get(f"{COUNT}?chain=NL&period=week&from=2023-W51&to=2024-W01").json()
    assert [(i["period"], i["value"]) for i in items] == [
        ("2023-W51", 0), ("2023-W52", 3.0), ("2024-W01", 0),
    ]  # fmt: skip


def test_it_defaults_to_the_last_twelve_complete_periods(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    items = api.get(f"{COUNT}?chain=NL").json()
    assert len(items) == 12
    assert items[-1]["period"] == latest_complete_period(period_type="month").label


def test_it_answers_one_track_with_the_track_key(api: APIClient, catalogue_rows: Catalogue) -> None:
    store_value("applications_lodged", "2023-04", 7.0, track="4")
    store_value("applications_lodged", "2023-04", 9.0)
    items = api.get(f"{COUNT}?chain=NL&from=2023-04&to=2023-05&track=4").json()
    assert [(i["track"], i["period"], i["value"]) for i in items] == [
        ("4", "2023-04", 7.0), ("4", "2023-05", 0),
    ]  # fmt: skip
    assert set(items[0]) == ITEM_KEYS | {"track"}


def test_it_breaks_down_by_nationality_and_suppresses_small_cells(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    store_value("applications_lodged", "2023-04", 400.0, n=400)
    store_value("applications_lodged", "2023-04", 390.0, n=390, nationality="SYR")
    store_value(
        "applications_lodged", "2023-04", None, n=4, nationality="ERI", suppressed="primary"
    )
    store_value(
        "applications_lodged", "2023-04", None, n=3, nationality="AFG", suppressed="primary"
    )
    store_value("applications_lodged", "2023-05", 12.0, n=12, nationality="ERI")
    items = api.get(f"{COUNT}?chain=NL&from=2023-04&to=2023-05&by=nationality").json()
    cells = [(i["period"], i["nationality"], i["value"], i["n"], i["suppressed"]) for i in items]
    assert cells == [
        ("2023-04", "AFG", None, None, True),
        ("2023-04", "ERI", None, None, True),
        ("2023-04", "SYR", 390.0, 390, False),
        ("2023-05", "AFG", None, None, True),  # no cases at all: a cell of 0 is suppressed too
        ("2023-05", "ERI", 12.0, 12, False),
        ("2023-05", "SYR", None, None, True),
    ]  # fmt: skip
    assert set(items[0]) == ITEM_KEYS | {"nationality"}


def test_it_answers_csv_with_a_header_row(api: APIClient, catalogue_rows: Catalogue) -> None:
    store_value("decisions_within_term_share", "2023-04", 0.8125, n=16, signal="amber")
    answer = api.get(f"{SHARE}?chain=NL&from=2023-03&to=2023-04&track=2&format=csv")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows == [
        ["period", "chain", "track", "value", "numerator", "denominator", "n", "signal",
         "stale", "suppressed"],
        ["2023-03", "NL", "2", "", "", "", "0", "none", "true", "false"],
        ["2023-04", "NL", "2", "", "", "", "0", "none", "true", "false"],
    ]  # fmt: skip


def test_it_answers_csv_when_asked_by_the_accept_header(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    answer = api.get(f"{COUNT}?chain=NL&from=2023-04&to=2023-04", HTTP_ACCEPT="text/csv")
    assert answer.content.decode().splitlines()[1].startswith("2023-04,NL,0.0,")


def test_a_csv_without_items_is_its_header_with_its_content_type(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    answer = api.get(f"{COUNT}?chain=NL&from=2023-04&to=2023-04&by=nationality&format=csv")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.content.decode() == (
        "period,chain,nationality,value,numerator,denominator,n,signal,stale,suppressed\n"
    )


def test_an_error_asked_as_csv_is_still_a_problem(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    assert problems_of(api.get(f"{COUNT}?chain=XX&format=csv")) == {
        "chain": ['"XX" is not a valid choice.']
    }
    assert_problem(api.get("/api/v1/indicators/nothing/values?chain=NL&format=csv"), 404)


def test_it_rejects_an_unknown_chain(api: APIClient, catalogue_rows: Catalogue) -> None:
    assert list(problems_of(api.get(f"{COUNT}?chain=DE"))) == ["chain"]


def test_it_requires_a_chain(api: APIClient, catalogue_rows: Catalogue) -> None:
    assert problems_of(api.get(COUNT)) == {"chain": ["This field is required."]}


def test_it_rejects_an_unknown_period_type(api: APIClient, catalogue_rows: Catalogue) -> None:
    assert list(problems_of(api.get(f"{COUNT}?chain=NL&period=quarter"))) == ["period"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2023-4", "'2023-4' is not a month (expected the form 2023-04)"),
        ("from=2023-13", "'2023-13' is not an existing month"),
        ("from=2023-W17", "'2023-W17' is not a month (expected the form 2023-04)"),
        ("from=0001-01", "'0001-01' lies outside the years 1900 to 2999"),
        ("from=1899-12&to=2023-01", "'1899-12' lies outside the years 1900 to 2999"),
    ],
)
def test_it_rejects_a_malformed_period(
    api: APIClient, catalogue_rows: Catalogue, query: str, message: str
) -> None:
    assert problems_of(api.get(f"{COUNT}?chain=NL&{query}")) == {"from": [message]}


def test_it_rejects_a_week_given_as_a_month(api: APIClient, catalogue_rows: Catalogue) -> None:
    problems = problems_of(api.get(f"{COUNT}?chain=NL&period=week&to=2023-04"))
    assert problems == {"to": ["'2023-04' is not a week (expected the form 2023-W17)"]}


@pytest.mark.parametrize(
    ("query", "label"), [("to=9999-12", "'9999-12'"), ("period=week&to=9999-W52", "'9999-W52'")]
)
def test_it_rejects_a_period_near_the_end_of_the_calendar_instead_of_failing(
    api: APIClient, catalogue_rows: Catalogue, query: str, label: str
) -> None:
    problems = problems_of(api.get(f"{COUNT}?chain=NL&{query}"))
    assert problems == {"to": [f"{label} lies outside the years 1900 to 2999"]}


def test_it_rejects_from_after_to(api: APIClient, catalogue_rows: Catalogue) -> None:
    problems = problems_of(api.get(f"{COUNT}?chain=NL&from=2023-05&to=2023-04"))
    assert problems == {"from": ["2023-05 is after 2023-04"]}


def test_it_rejects_a_range_of_too_many_periods(api: APIClient, catalogue_rows: Catalogue) -> None:
    problems = problems_of(api.get(f"{COUNT}?chain=NL&from=1900-01&to=2023-12"))
    assert problems == {"to": ["1488 periods asked; at most 600"]}


def test_it_rejects_a_period_that_has_not_begun_as_the_pages_do(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    with time_machine.travel(datetime(2024, 5, 15, 12, tzinfo=UTC), tick=False):
        current = api.get(f"{COUNT}?chain=NL&from=2024-04&to=2024-05")
        problems = problems_of(api.get(f"{COUNT}?chain=NL&from=2024-05&to=2024-06"))
    assert current.status_code == 200
    assert problems == {"to": ["2024-06 lies in the future"]}


def test_it_rejects_a_track_of_the_other_chain(api: APIClient, catalogue_rows: Catalogue) -> None:
    problems = problems_of(api.get(f"{COUNT}?chain=BE&track=4"))
    assert problems == {"track": ["'4' is not a track of BE (P, U)"]}


def test_it_rejects_a_track_of_an_indicator_not_split_by_track(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    url = "/api/v1/indicators/client_satisfaction/values?chain=NL&track=1"
    assert problems_of(api.get(url)) == {"track": ["client_satisfaction is not split by track"]}


def test_it_rejects_a_nationality_breakdown_the_indicator_does_not_have(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    problems = problems_of(api.get(f"{SHARE}?chain=NL&by=nationality"))
    assert problems == {"by": ["decisions_within_term_share has no breakdown by nationality"]}


def test_it_lists_every_problem_at_once(api: APIClient, catalogue_rows: Catalogue) -> None:
    answer = api.get(f"{SHARE}?chain=XX&from=2023-4&to=2023-05&by=country&track=9")
    assert problems_of(answer) == {
        "chain": ['"XX" is not a valid choice.'],
        "by": ['"country" is not a valid choice.'],
        "from": ["'2023-4' is not a month (expected the form 2023-04)"],
    }
    answer = api.get(f"{SHARE}?chain=NL&from=2023-06&to=2023-05&by=nationality&track=9")
    assert problems_of(answer) == {
        "track": ["'9' is not a track of NL (1, 2, 3, 4)"],
        "by": [
            "decisions_within_term_share has no breakdown by nationality",
            "a breakdown by nationality covers all tracks; leave out track",
        ],
        "from": ["2023-06 is after 2023-05"],
    }
    assert answer.json()["detail"].startswith("track: '9' is not a track of NL")


def test_an_unknown_indicator_is_a_404_before_its_query_is_checked(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    assert_problem(api.get("/api/v1/indicators/nothing/values?chain=XX"), 404)


def test_the_series_is_stale_when_a_partner_it_rests_on_delivered_long_ago(
    api: APIClient, catalogue_rows: Catalogue, fresh_deliveries: None, old_delivery: Deliver
) -> None:
    old_delivery("DVZ")
    assert {i["stale"] for i in api.get(f"{COUNT}?chain=BE").json()} == {True}
    assert {i["stale"] for i in api.get(f"{COUNT}?chain=NL").json()} == {False}


def test_a_rejected_delivery_does_not_count_as_fresh(
    api: APIClient, catalogue_rows: Catalogue, fresh_deliveries: None, old_delivery: Deliver
) -> None:
    old_delivery("IND")
    make_extract("IND", status="rejected")
    assert {i["stale"] for i in api.get(f"{COUNT}?chain=NL").json()} == {True}
