"""The pages set a period beside the same period a year before (tests/year_over_year.py).

The chain is computed on 15 February 2027: 2026-W53 had 4 applications, 2026-W52 1, and
2025-W52 (the last week of 2025, which has no week 53) 2.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.access import CHAIN_DIRECTOR
from chain.indicators.engine import compute_all
from ingest.services import ingest_file
from tests import year_over_year
from tests.dashboard.conftest import client_of, figure_of, section
from tests.dashboard.test_pages import card

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_years(catalogue, write_extract) -> Iterator[None]:
    with time_machine.travel(year_over_year.MID_FEBRUARY_2027, tick=True):
        ingest_file(partner="IND", path=write_extract("ind.csv", year_over_year.extract()))
        compute_all()
        yield


def overview(director: Client, **query: str) -> str:
    response = director.get(reverse("dashboard:overview"), {"chain": "NL", **query})
    assert response.status_code == 200, response.content.decode()
    return response.content.decode()


def test_the_tiles_show_the_change_since_the_previous_period_by_default(
    three_years, director: Client
) -> None:
    html = overview(director, period_type="week", period="2026-W53")
    assert "up 3 since week 52, 2026" in card(html, "Applications lodged")


def test_the_tiles_show_the_change_since_the_same_period_last_year_when_chosen(
    three_years, director: Client
) -> None:
    html = overview(director, period_type="week", period="2026-W53", compare="previous_year")
    applications = card(html, "Applications lodged")
    assert "up 2 since week 52, 2025" in applications
    assert "since week 52, 2026" not in applications
    # The choice is a labelled field of the form, and every link of the page keeps it.
    assert '<label for="id_compare">Change against</label>' in html
    assert '<option value="previous_year" selected>the same period last year</option>' in html
    pager = section(html, '<nav class="pager"', "</nav>")
    assert pager.count("compare=previous_year") == 2
    toggle = section(html, '<nav class="toggle"', "</nav>")
    assert toggle.count("compare=previous_year") == 3


def test_the_choice_reads_in_dutch_too(three_years, make_user) -> None:
    dutch = client_of(make_user("directeur", CHAIN_DIRECTOR), "nl")
    response = dutch.get(
        reverse("dashboard:overview"),
        {"chain": "NL", "period_type": "month", "period": "2027-01", "compare": "previous_year"},
    )
    html = response.content.decode()
    assert "Verandering ten opzichte van" in html
    assert "dezelfde periode vorig jaar" in html


def test_the_overview_names_a_bad_comparison(three_years, director: Client) -> None:
    response = director.get(reverse("dashboard:overview"), {"compare": "last_decade"})
    assert response.status_code == 400
    assert "parameter “compare”" in response.content.decode()


def test_the_indicator_page_has_last_years_line_and_column(three_years, director: Client) -> None:
    response = director.get(
        reverse("dashboard:indicator", args=["applications_lodged"]),
        {"chain": "NL", "period_type": "week", "from": "2026-W52", "to": "2027-W01"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    table = section(html, '<caption id="values-caption">', "</table>")
    assert '<th scope="col">Same period a year before</th>' in table
    rows = table.split('<th scope="row">')[1:]
    assert "<td>2025-W52</td>" in rows[1] and '<td class="num">2</td>' in rows[1]
    assert "up 2 since week 52, 2025" in rows[1]
    figure = figure_of(html, "series")
    earlier = [t for t in figure["data"] if t["name"] == "All tracks, a year before"]
    assert [t["y"] for t in earlier] == [[2, 2, 0]]
    assert "compare=previous_year" in section(html, '<a href="/api/v1/', ">")


def test_the_overview_shows_a_half_year_beside_the_same_half_last_year(
    three_years, director: Client
) -> None:
    html = overview(director, period_type="half_year", period="2026-H2", compare="previous_year")
    assert "<h1>Chain goals: NL, second half of 2026</h1>" in html
    applications = card(html, "Applications lodged")
    assert '<p class="tile-value">3</p>' in applications  # H I J
    assert "up 1 since second half of 2025" in applications  # 202 203


def test_the_indicator_page_lists_half_years(three_years, director: Client) -> None:
    response = director.get(
        reverse("dashboard:indicator", args=["applications_lodged"]),
        {"chain": "NL", "period_type": "half_year", "from": "2025-H2", "to": "2026-H2"},
    )
    assert response.status_code == 200
    table = section(response.content.decode(), '<caption id="values-caption">', "</table>")
    rows = [row.split("</th>")[0] for row in table.split('<th scope="row">')[1:]]
    assert rows == ["2025-H2", "2026-H1", "2026-H2"]


def test_the_indicator_page_names_a_half_year_that_does_not_exist(
    three_years, director: Client
) -> None:
    response = director.get(
        reverse("dashboard:indicator", args=["applications_lodged"]),
        {"chain": "NL", "period_type": "half_year", "from": "2026-H3"},
    )
    assert response.status_code == 400
    assert "“2026-H3” is not a half-year; write it as 2024-H1." in response.content.decode()
