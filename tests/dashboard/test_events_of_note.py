"""Events of note on the pages' charts over time: numbered lines, and the same events in words
beside the chart and in its table, in Dutch and in English.

The events are the catalogue file's starter set; around them a chart from July 2022 to April
2023 of the Dutch chain holds three: the extension of the decision term (27 September 2022 to
31 December 2023), the Council of State's rulings (30 November 2022) and the extension for
applications of 2023 (4 February 2023). The project of May 2023 and the Belgian policy note
fall outside it (the one in time, the other in chain).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.access import CHAIN_DIRECTOR
from chain.models import EventOfNote
from chain.periods import MONTH, parse_period
from chain.selectors import EventMarker
from dashboard.figures import PlacedMarker, place_markers
from tests.api.conftest import store_value
from tests.dashboard.conftest import UserMaker, client_of, figure_of, section

pytestmark = pytest.mark.django_db

LEAD_TIME = "decision_lead_time_median"
RANGE = {"chain": "NL", "period_type": "month", "from": "2022-07", "to": "2023-04"}
EXTENSION_LINK = "https://zoek.officielebekendmakingen.nl/kst-19637-3068.html"


def months(first: str, last: str) -> list[Any]:
    start, end = parse_period(first, MONTH), parse_period(last, MONTH)
    out = [start]
    while out[-1] != end:
        out.append(out[-1].next())
    return out


def markers_of(figure: dict[str, Any]) -> list[tuple[str, float, str]]:
    """The figure's event numbers: (number, x, hover title)."""
    return [
        (a["text"], a["x"], a["hovertext"])
        for a in figure["layout"].get("annotations", [])
        if a.get("name", "").startswith("event ")
    ]


def shapes_of(figure: dict[str, Any]) -> dict[str, tuple[float, float]]:
    return {
        s["name"]: (s["x0"], s["x1"])
        for s in figure["layout"]["shapes"]
        if s["name"].startswith("event ")
    }


def indicator_page(client: Client, **query: str) -> str:
    response = client.get(reverse("dashboard:indicator", args=[LEAD_TIME]), {**RANGE, **query})
    assert response.status_code == 200
    return response.content.decode()


def test_the_indicator_chart_marks_the_events_of_the_period_by_number(
    catalogue: None, director: Client
) -> None:
    store_value(LEAD_TIME, "2022-12", 150.0, signal="green")
    figure = figure_of(indicator_page(director), "series")
    # July 2022 is x 0: September is 2, November 4, February 7.
    assert markers_of(figure) == [
        ("1", 2.0, "Asylum decision term extended for all applications from 6 to 15 months "
                   "(applications until 1 January 2024)"),
        ("2", 4.0, "Council of State rulings on the temporary act suspending IND penalty "
                   "payments"),
        ("3", 7.0, "Decision term of 15 months extended to applications lodged in 2023 "
                   "(WBV 2023/3)"),
    ]  # fmt: skip
    # The extension lasts beyond April 2023: its band runs to the chart's right edge.
    assert shapes_of(figure) == {
        "event 1 range": (1.5, 9.5), "event 1": (2.0, 2.0), "event 2": (4.0, 4.0),
        "event 3": (7.0, 7.0),
    }  # fmt: skip


def test_the_indicator_page_lists_the_events_in_words_beside_the_chart_and_in_the_table(
    catalogue: None, director: Client
) -> None:
    html = indicator_page(director)
    listing = section(html, '<div class="events-of-note">', "</ol>")
    assert '<h3 id="series-events">Events of note</h3>' in listing
    assert (
        '<li value="1"><time datetime="2022-09-27">27 September 2022</time> to '
        '<time datetime="2023-12-31">31 December 2023</time>: '
        f'<a href="{EXTENSION_LINK}" rel="noopener noreferrer">Asylum decision term extended'
    ) in listing
    assert '<li value="2"><time datetime="2022-11-30">' in listing
    assert "Start of the project" not in listing and "policy note" not in listing
    table = section(html, '<caption id="values-caption">', "</table>")
    assert '<th scope="col">Events of note</th>' in table
    september = section(table, '<th scope="row">2022-09</th>', "</tr>")
    assert '<span class="event-of-note">1. Asylum decision term extended' in september
    october = section(table, '<th scope="row">2022-10</th>', "</tr>")
    assert '<td class="events"></td>' in october
    assert "with the events of note as numbered lines" in html


def test_the_events_are_in_dutch_on_the_dutch_page(catalogue: None, make_user: UserMaker) -> None:
    dutch = client_of(make_user("directeur", CHAIN_DIRECTOR), language="nl")
    html = indicator_page(dutch)
    assert markers_of(figure_of(html, "series"))[0][2].startswith(
        "Beslistermijn asiel categoriaal verlengd van 6 naar 15 maanden"
    )
    listing = section(html, '<div class="events-of-note">', "</ol>")
    assert '<h3 id="series-events">Gebeurtenissen van belang</h3>' in listing
    assert '<time datetime="2022-09-27">27 september 2022</time> tot en met ' in listing
    table = section(html, '<caption id="values-caption">', "</table>")
    assert '<th scope="col">Gebeurtenissen van belang</th>' in table
    assert "2. Uitspraken Raad van State" in table


def test_a_period_without_events_has_no_markers_no_list_and_no_column(
    catalogue: None, director: Client
) -> None:
    html = indicator_page(director, chain="BE", **{"from": "2023-01", "to": "2023-06"})
    assert markers_of(figure_of(html, "series")) == []
    assert 'class="events-of-note"' not in html and "Events of note" not in html


def test_an_event_edited_in_the_admin_shows_at_once(catalogue: None, director: Client) -> None:
    indicator_page(director)  # the figure is cached now
    EventOfNote.objects.filter(code="nl-raad-van-state-dwangsommen").update(title_en="Edited")
    figure = figure_of(indicator_page(director), "series")
    assert markers_of(figure)[1] == ("2", 4.0, "Edited")


def test_the_stock_and_past_term_charts_mark_the_events_too(
    catalogue: None, director: Client
) -> None:
    flow = director.get(
        reverse("dashboard:flow"), {"chain": "NL", "from": "2022-07-01", "to": "2023-04-30"}
    ).content.decode()
    assert [number for number, *_ in markers_of(figure_of(flow, "stocks"))] == ["1", "2", "3"]
    assert '<h3 id="stocks-events">Events of note</h3>' in flow
    deadlines = director.get(
        reverse("dashboard:deadlines"), {"chain": "NL", "on": "2023-05-15"}
    ).content.decode()
    # Two years of months to April 2023: the penalty act of July 2021 is in as well.
    past_term = markers_of(figure_of(deadlines, "past-term"))
    assert [number for number, *_ in past_term] == ["1", "2", "3", "4"]
    assert past_term[0][2].startswith("Temporary act suspending IND penalty payments")
    assert '<h3 id="trend-events">Events of note</h3>' in deadlines


def marker(start: date, end: date | None = None) -> EventMarker:
    return EventMarker(1, start, end, "Title", "")


def test_a_marker_goes_on_the_period_it_starts_in_and_a_range_covers_its_periods() -> None:
    periods = months("2023-01", "2023-06")
    day = marker(date(2023, 3, 31))
    inside = marker(date(2023, 2, 1), date(2023, 3, 1))
    before = marker(date(2022, 6, 1), date(2023, 1, 31))
    beyond = marker(date(2023, 6, 30), date(2024, 6, 30))
    outside = marker(date(2023, 7, 1))
    assert place_markers([day, inside, before, beyond, outside], periods) == [
        PlacedMarker(day, 2.0, None, None),
        PlacedMarker(inside, 1.0, 0.5, 2.5),
        PlacedMarker(before, -0.5, -0.5, 0.5),
        PlacedMarker(beyond, 5.0, 4.5, 5.5),
    ]


def test_a_marker_on_iso_weeks_goes_on_the_week_of_its_day() -> None:
    weeks = [parse_period("2023-W01", "week")]
    while weeks[-1].label != "2023-W05":
        weeks.append(weeks[-1].next())
    # Wednesday 1 February 2023 is in week 5; Sunday 1 January 2023 in week 52 of 2022.
    assert [p.x for p in place_markers([marker(date(2023, 2, 1))], weeks)] == [4.0]
    assert place_markers([marker(date(2023, 1, 1))], weeks) == []


def test_the_overview_trends_mark_the_events_and_the_page_lists_them_once_per_chain(
    catalogue: None, director: Client
) -> None:
    # The trends of April 2023 run from May 2022: the extension (September, the fifth month),
    # the rulings (November, the seventh) and the extension for 2023 (February, the tenth).
    html = director.get(
        reverse("dashboard:overview"), {"period_type": "month", "period": "2023-04"}
    ).content.decode()
    step = (120 - 4) / 11
    expected = [f"{2 + i * step:.1f}" for i in (4, 6, 9)]
    nl_tile = section(html, '<p class="tile-chain">NL</p>', "</svg>")
    ticks = [x for x in expected if f'<line class="sparkline-event" x1="{x}"' in nl_tile]
    assert ticks == expected
    be_tile = section(html, '<p class="tile-chain">BE</p>', "</svg>")
    assert 'class="sparkline-event"' in be_tile  # the Belgian policy note of October 2022
    listing = section(html, '<section aria-labelledby="events-title">', "</section>")
    assert "Events of note from May 2022 to April 2023" in listing
    assert '<h3 id="events-NL">NL</h3>' in listing and '<h3 id="events-BE">BE</h3>' in listing
    assert listing.count("Asylum decision term extended") == 1
    assert "General policy note on Asylum and Migration" in listing
    assert "mark the events of note listed at the end of the page" in html
