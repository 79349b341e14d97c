"""The read API over new year 2026/27: ISO week 2026-W53 between 2026-W52 and 2027-W01.

The chain and its answers are in tests/week_53.py; it is computed on 11 January 2027.
"""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from tests import week_53

pytestmark = pytest.mark.django_db

VALUES = "/api/v1/indicators/{code}/values?chain=NL&period={period}&from={first}&to={last}"


def answered(api: APIClient, code: str, period: str, first: str, last: str) -> list[tuple]:
    answer = api.get(VALUES.format(code=code, period=period, first=first, last=last))
    assert answer.status_code == 200, answer.content
    return [(item["period"], item["value"]) for item in answer.json()]


def test_it_answers_week_53_between_week_52_and_week_1(new_year_chain, api: APIClient) -> None:
    assert answered(api, "applications_lodged", "week", "2026-W52", "2027-W01") == [
        ("2026-W52", 1), ("2026-W53", 4), ("2027-W01", 1),
    ]  # fmt: skip
    assert answered(api, "decision_lead_time_median", "week", "2026-W52", "2027-W01") == [
        ("2026-W52", None), ("2026-W53", 3), ("2027-W01", 5.5),
    ]  # fmt: skip


def test_it_answers_the_months_either_side_of_new_year(new_year_chain, api: APIClient) -> None:
    assert answered(api, "applications_lodged", "month", "2026-12", "2027-01") == [
        ("2026-12", 3), ("2027-01", 3),
    ]  # fmt: skip


def test_on_the_monday_after_week_53_the_default_range_ends_with_it(
    new_year_chain, api: APIClient
) -> None:
    with time_machine.travel(week_53.END_OF_WEEK_53, tick=True):
        answer = api.get("/api/v1/indicators/applications_lodged/values?chain=NL&period=week")
    items = [(item["period"], item["value"]) for item in answer.json()]
    assert len(items) == 12
    assert items[0][0] == "2026-W42"
    assert items[-2:] == [("2026-W52", 1), ("2026-W53", 4)]


def test_it_rejects_a_week_53_that_does_not_exist(new_year_chain, api: APIClient) -> None:
    answer = api.get(VALUES.format(
        code="applications_lodged", period="week", first="2027-W52", last="2027-W53"
    ))  # fmt: skip
    assert answer.status_code == 400
    assert "2027-W53" in answer.content.decode()
