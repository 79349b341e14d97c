"""The dashboard pages over new year 2026/27: ISO week 2026-W53 chosen on the overview.

The chain and its answers are in tests/week_53.py; it is computed on 11 January 2027.
"""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests import week_53
from tests.dashboard.conftest import section
from tests.dashboard.test_pages import card

pytestmark = pytest.mark.django_db


def overview(director: Client, **query: str) -> str:
    response = director.get(reverse("dashboard:overview"), {"chain": "NL", **query})
    assert response.status_code == 200, response.content.decode()
    return response.content.decode()


def test_the_overview_of_week_53_shows_its_values(new_year_chain, director: Client) -> None:
    html = overview(director, period_type="week", period="2026-W53")
    applications = card(html, "Applications lodged")
    assert '<p class="tile-value">4</p>' in applications
    lead_time = card(html, "Decision lead time (median)")
    assert '<p class="tile-value">3 <span class="tile-unit">days</span></p>' in lead_time
    assert "<h1>Chain goals: NL, week 53, 2026</h1>" in html
    assert "up 3 since week 52, 2026" in applications
    pager = section(html, '<nav class="pager"', "</nav>")
    assert "period=2026-W52" in pager and "period=2027-W01" in pager


def test_the_overview_of_week_1_follows_week_53(new_year_chain, director: Client) -> None:
    html = overview(director, period_type="week", period="2027-W01")
    assert '<p class="tile-value">1</p>' in card(html, "Applications lodged")
    assert '<p class="tile-value">5.5 <span class="tile-unit">days</span></p>' in card(
        html, "Decision lead time (median)"
    )


def test_on_the_monday_after_week_53_the_overview_opens_on_it(
    new_year_chain, director: Client
) -> None:
    with time_machine.travel(week_53.END_OF_WEEK_53, tick=True):
        html = overview(director, period_type="week")
    assert '<p class="tile-value">4</p>' in card(html, "Applications lodged")


def test_the_indicator_page_lists_week_53_between_week_52_and_week_1(
    new_year_chain, director: Client
) -> None:
    response = director.get(
        reverse("dashboard:indicator", args=["applications_lodged"]),
        {"chain": "NL", "period_type": "week", "from": "2026-W52", "to": "2027-W01"},
    )
    assert response.status_code == 200
    table = section(response.content.decode(), '<caption id="values-caption">', "</table>")
    rows = [row.split("</th>")[0] for row in table.split('<th scope="row">')[1:]]
    assert rows == ["2026-W52", "2026-W53", "2027-W01"]
