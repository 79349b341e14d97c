"""The dashboard pages through the Django test client, on the real PostgreSQL.

Values are stored as the engine stores them (``store_value``), or, for the flow page, derived
from the IND sample extract through the real ingest; case facts for the deadline monitor are
constructed around today.
"""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from accounts.access import ADMINISTRATOR, CHAIN_DIRECTOR, PARTNER_ANALYST
from chain import clock
from chain.indicators.engine import DATA_VERSION_KEY
from chain.models import Case, CaseFact, IndicatorValue
from chain.selectors import case_flows
from ingest.services import ingest_file
from tests.api.conftest import PARTNERS, make_extract, make_rejection, store_value
from tests.conftest import DATA
from tests.dashboard.conftest import client_of, figure_of, section

pytestmark = pytest.mark.django_db

LEAD_TIME = "decision_lead_time_median"
PAGES = [
    reverse("dashboard:overview"),
    reverse("dashboard:indicator", args=[LEAD_TIME]),
    reverse("dashboard:flow"),
    reverse("dashboard:deadlines"),
    reverse("dashboard:ingest"),
]
GOALS_EN = [
    "A careful and fair procedure, within the legal terms",
    "Clear and consistent information",
    "Humane and safe reception",
    "Public safety; countering irregular stay",
]


def card(html: str, name: str) -> str:
    """The overview's card of one indicator, found by its English name."""
    cards = html.split('<li class="indicator-card">')[1:]
    [found] = [c for c in cards if f"<h3>{name}</h3>" in c]
    return found


@pytest.fixture
def fresh(db: None) -> None:
    """Every partner delivered just now: nothing is stale."""
    for partner in PARTNERS:
        make_extract(partner)


# Access


@pytest.mark.parametrize("url", PAGES)
def test_every_page_sends_an_anonymous_visitor_to_the_login_page(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")


def test_the_login_page_renders_a_labelled_form_in_dutch() -> None:
    response = Client().get(resolve_url(settings.LOGIN_URL))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert 'href="#main"' in html
    assert 'href="/static/css/dashboard.css"' in html


def test_the_roles_are_groups_carrying_their_permissions() -> None:
    def codenames(group: str) -> set[str]:
        return set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))

    assert codenames(CHAIN_DIRECTOR) == {"view_dashboards"}
    assert codenames(PARTNER_ANALYST) == {"view_dashboards", "view_own_ingest_status"}
    assert {"view_all_ingest_status", "change_signalband", "change_user"} <= codenames(
        ADMINISTRATOR
    )


def test_a_user_without_a_role_is_refused_with_a_reason(make_user) -> None:
    response = client_of(make_user("nobody")).get(reverse("dashboard:overview"))
    assert response.status_code == 403
    assert "no role on the dashboard" in response.content.decode()
    assert reverse("dashboard:flow") not in response.content.decode(), "no links it may not follow"


def test_staff_see_every_page_without_a_group(catalogue, fresh) -> None:
    staff = client_of(User.objects.create_user("staff", is_staff=True))
    assert [staff.get(url).status_code for url in PAGES] == [200] * len(PAGES)


# Overview


def test_the_overview_shows_each_goal_with_tiles_of_value_signal_and_stale_mark(
    catalogue, director: Client
) -> None:
    for partner in ("COA", "DTV", "DVZ", "FEDASIL"):
        make_extract(partner)
    make_extract("IND", finished_at=clock.now() - timedelta(days=7))
    store_value(LEAD_TIME, "2024-03", 200.0, signal="amber")
    store_value("departures", "2024-03", 42.0)
    response = director.get(reverse("dashboard:overview"), {"chain": "NL", "period": "2024-03"})
    assert response.status_code == 200
    html = response.content.decode()
    for goal in GOALS_EN:
        assert f">{goal}</h2>" in html
    lead_time = card(html, "Decision lead time (median)")
    assert '<p class="tile-value">200 <span class="tile-unit">days</span></p>' in lead_time
    assert "signal-amber" in lead_time and "▲</span> amber" in lead_time
    assert "stale" in lead_time
    departures = card(html, "Departures")
    assert '<p class="tile-value">42</p>' in departures
    assert "no signal" in departures
    assert "stale" not in departures


def test_a_value_reads_1_234_5_in_dutch_and_1_234_5_in_english(catalogue, fresh, make_user) -> None:
    store_value(LEAD_TIME, "2024-03", 1234.5, signal="red")
    user = make_user("director", CHAIN_DIRECTOR)
    client = client_of(user, language="nl")
    query = {"chain": "NL", "period": "2024-03"}
    dutch = client.get(reverse("dashboard:overview"), query).content.decode()
    assert '<html lang="nl">' in dutch
    assert "1.234,5" in card(dutch, "Doorlooptijd tot beslissing (mediaan)")
    switched = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("dashboard:overview")}
    )
    assert switched.status_code == 302
    english = client.get(reverse("dashboard:overview"), query).content.decode()
    assert '<html lang="en">' in english
    assert "1,234.5" in card(english, "Decision lead time (median)")


def test_a_tile_shows_the_change_since_the_previous_period_with_an_arrow_and_in_words(
    catalogue, fresh, director: Client
) -> None:
    store_value(LEAD_TIME, "2024-02", 100.0, signal="green")
    store_value(LEAD_TIME, "2024-03", 150.0, signal="green")
    html = director.get(reverse("dashboard:overview"), {"chain": "NL", "period": "2024-03"})
    lead_time = card(html.content.decode(), "Decision lead time (median)")
    assert '<span aria-hidden="true">↑ +50</span>' in lead_time
    assert "up 50 since February 2024 (worse)" in lead_time
    assert "<polyline points=" in lead_time


def test_the_overview_of_both_chains_puts_their_tiles_side_by_side(
    catalogue, fresh, director: Client
) -> None:
    store_value(LEAD_TIME, "2024-W10", 90.0, chain="BE", signal="green")
    response = director.get(
        reverse("dashboard:overview"), {"chain": "ALL", "period_type": "week", "period": "2024-W10"}
    )
    html = response.content.decode()
    lead_time = card(html, "Decision lead time (median)")
    assert (
        '<p class="tile-chain">NL</p>' in lead_time and '<p class="tile-chain">BE</p>' in lead_time
    )
    assert lead_time.index('tile-chain">NL') < lead_time.index('tile-chain">BE')
    assert '<p class="tile-value">90 <span class="tile-unit">days</span></p>' in lead_time
    assert html.count('<div class="tile ') == 2 * 16


# Bad input


OVERVIEW = reverse("dashboard:overview")
BAD_QUERIES = [
    (OVERVIEW, {"chain": "FR"}, "chain", "FR is not one of the available choices"),
    (OVERVIEW, {"period_type": "day"}, "period_type", "day is not one of the available choices"),
    (OVERVIEW, {"period": "2024-13"}, "period", "“2024-13” is not a month"),
    (OVERVIEW, {"period": "2999-01"}, "period", "2999-01 lies in the future"),
    (OVERVIEW, {"period_type": "week", "period": "2024-03"}, "period", "write it as 2024-W12"),
    (PAGES[1], {"from": "2024-05", "to": "2024-01"}, "from", "2024-05 is after 2024-01"),
    (PAGES[2], {"from": "yesterday"}, "from", "Enter a valid date"),
    (PAGES[2], {"from": "2024-02-01", "to": "2024-01-01"}, "from", "2024-02-01 is after"),
    (PAGES[2], {"to": "9999-12-31"}, "to", "9999-12-31 lies outside the years 1900 to 2999"),
    (PAGES[2], {"from": "0001-01-01"}, "from", "0001-01-01 lies outside the years 1900 to"),
    (PAGES[2], {"from": "1900-01-01", "to": "2024-12-31"}, "from", "1500 months asked; at most"),
    (PAGES[1], {"from": "0001-01", "to": "2024-01"}, "from", "0001-01 lies outside the years"),
    (PAGES[1], {"from": "1900-01", "to": "2024-12"}, "from", "1500 periods asked; at most 600"),
    (PAGES[3], {"on": "0001-01-01"}, "on", "0001-01-01 lies outside the years 1900 to 2999"),
    (PAGES[3], {"on": "2024-02-31"}, "on", "Enter a valid date"),
    (PAGES[4], {"partner": "XYZ"}, "partner", "XYZ is not one of the available choices"),
]


@pytest.mark.parametrize(("url", "query", "parameter", "expected"), BAD_QUERIES)
def test_a_bad_query_parameter_gets_400_saying_which_and_why(
    catalogue,
    administrator: Client,
    url: str,
    query: dict[str, str],
    parameter: str,
    expected: str,
) -> None:
    response = administrator.get(url, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"parameter “{parameter}”: " in html
    assert expected in html


def test_the_indicator_page_takes_as_many_periods_as_the_api(
    catalogue, administrator: Client
) -> None:
    # 300 months: more than the pages' old limit of 260, within the one limit of 600.
    response = administrator.get(PAGES[1], {"from": "2000-01", "to": "2024-12"})
    assert response.status_code == 200


def test_an_unknown_indicator_is_not_found(catalogue, director: Client) -> None:
    assert director.get(reverse("dashboard:indicator", args=["no_such_thing"])).status_code == 404


# Indicator detail


def test_the_indicator_page_draws_its_series_on_the_signal_bands_above_a_table_of_values(
    catalogue, fresh, director: Client
) -> None:
    store_value(LEAD_TIME, "2024-02", 150.0, signal="green")
    store_value(LEAD_TIME, "2024-03", 300.0, signal="red")
    store_value(LEAD_TIME, "2024-03", 120.0, signal="green", track="4")
    response = director.get(
        reverse("dashboard:indicator", args=[LEAD_TIME]),
        {"chain": "NL", "period_type": "month", "from": "2024-01", "to": "2024-03"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    figure = figure_of(html, "series")
    bands = [
        (s["name"], s["y0"], s["y1"]) for s in figure["layout"]["shapes"] if s["type"] == "rect"
    ]
    assert [name for name, *_ in bands] == ["band green", "band amber", "band red"]
    assert bands[0][1:] == (0, 180) and bands[1][1:] == (180, 270) and bands[2][1] == 270
    assert bands[2][2] > 300
    traces = {trace["name"]: trace["y"] for trace in figure["data"]}
    assert list(traces) == [
        "All tracks", "Track 1", "Track 2", "Track 3", "Track 4", "All tracks, a year before",
    ]  # fmt: skip
    assert traces["All tracks"] == [None, 150.0, 300.0]
    assert traces["Track 4"] == [None, None, 120.0]
    table = section(html, '<caption id="values-caption">', "</table>")
    assert '<th scope="row">2024-03</th>' in table and '<td class="num">300</td>' in table
    assert "Median days from application to decision, over the cases decided" in html
    assert "/static/js/plotly.min.js" in html and "cdn" not in html.lower()


def test_the_csv_download_link_serves_the_same_values_with_the_page_login(
    catalogue, fresh, director: Client
) -> None:
    store_value(LEAD_TIME, "2024-03", 300.0, signal="red")
    html = director.get(
        reverse("dashboard:indicator", args=[LEAD_TIME]), {"from": "2024-02", "to": "2024-03"}
    ).content.decode()
    link = section(html, 'href="/api/v1/indicators/', '" download').removeprefix('href="')
    csv = director.get(link.replace("&amp;", "&"))
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("period,chain,value")
    assert lines[2].startswith("2024-03,NL,300.0")


def test_occupancy_bands_are_drawn_on_both_sides_of_green(
    catalogue, fresh, director: Client
) -> None:
    store_value("reception_occupancy_rate", "2024-03", 0.9, signal="green")
    html = director.get(
        reverse("dashboard:indicator", args=["reception_occupancy_rate"]), {"to": "2024-03"}
    ).content.decode()
    figure = figure_of(html, "series")
    bands = [(s["name"], round(s["y0"], 6), round(s["y1"], 6)) for s in figure["layout"]["shapes"]]
    assert [name for name, *_ in bands] == [
        "band red", "band amber", "band green", "band amber", "band red",
    ]  # fmt: skip
    assert [(y0, y1) for _, y0, y1 in bands[1:4]] == [(80, 85), (85, 95), (95, 98)]
    assert [trace["name"] for trace in figure["data"]] == [
        "All tracks",
        "All tracks, a year before",
    ]
    assert figure["data"][0]["y"][-1] == 90.0
    assert "90,0 %" not in html and "90.0 %" in html


def nationality_rows(director: Client) -> dict[str, str]:
    """The March 2024 breakdown on the indicator page: each row's HTML by nationality."""
    html = director.get(
        reverse("dashboard:indicator", args=["applications_lodged"]), {"to": "2024-03"}
    ).content.decode()
    table = section(html, '<caption id="nationality-caption">', "</table>")
    rows = [row.split("</tr>")[0] for row in table.split('<th scope="row">')[1:]]
    return {row[:3]: row for row in rows}


def test_the_nationality_breakdown_shows_suppressed_cells_without_their_number(
    catalogue, fresh, director: Client
) -> None:
    store_value("applications_lodged", "2024-03", 31.0)
    store_value("applications_lodged", "2024-03", 27.0, nationality="SYR", n=27)
    store_value(
        "applications_lodged", "2024-03", None, nationality="ERI", n=4, suppressed="primary"
    )
    store_value(
        "applications_lodged", "2024-03", None, nationality="AFG", n=3, suppressed="primary"
    )
    rows = nationality_rows(director)
    assert list(rows) == ["SYR", "AFG", "ERI"]
    assert '<td class="num">27</td>' in rows["SYR"]
    assert "&lt;10" in rows["ERI"] and "suppressed" in rows["ERI"]
    assert ">4<" not in rows["ERI"] and ">3<" not in rows["AFG"]


def store_march_breakdown(*, total: float) -> None:
    """March 2024's applications: three cells shown and ERI suppressed (4 cases)."""
    store_value("applications_lodged", "2024-03", total)
    for code, n in {"SYR": 27, "TUR": 25, "AFG": 12}.items():
        store_value("applications_lodged", "2024-03", float(n), nationality=code, n=n)
    store_value(
        "applications_lodged", "2024-03", None, nationality="ERI", n=4, suppressed="primary"
    )


def test_the_nationality_breakdown_shows_a_cell_of_no_cases_like_one_of_four(
    catalogue, fresh, director: Client
) -> None:
    store_value("applications_lodged", "2024-01", 30.0, nationality="IRQ", n=30)
    store_march_breakdown(total=31.0)
    rows = nationality_rows(director)
    assert list(rows) == ["SYR", "TUR", "AFG", "ERI", "IRQ"]  # suppressed last, by code alone
    assert rows["ERI"].replace("ERI", "XXX") == rows["IRQ"].replace("IRQ", "XXX")


def test_the_nationality_breakdown_suppresses_the_next_smallest_beside_a_lone_small_cell(
    catalogue, fresh, director: Client
) -> None:
    store_march_breakdown(total=68.0)
    rows = nationality_rows(director)
    assert list(rows) == ["SYR", "TUR", "AFG", "ERI"]
    assert "suppressed" in rows["AFG"] and ">12<" not in rows["AFG"]
    assert "&lt;10" not in rows["AFG"]  # it may well rest on 10 cases or more
    assert '<td class="num">25</td>' in rows["TUR"]


def test_a_cached_figure_is_drawn_again_only_after_new_data(
    catalogue, fresh, director: Client
) -> None:
    value = store_value(LEAD_TIME, "2024-03", 100.0, signal="green")
    url, query = reverse("dashboard:indicator", args=[LEAD_TIME]), {"to": "2024-03"}
    first = figure_of(director.get(url, query).content.decode(), "series")
    IndicatorValue.objects.filter(pk=value.pk).update(value=200.0)
    cached = director.get(url, query).content.decode()
    assert figure_of(cached, "series") == first
    assert '<td class="num">200</td>' in cached  # the table reads the values on every request
    cache.set(DATA_VERSION_KEY, cache.get(DATA_VERSION_KEY) + 1, None)
    redrawn = figure_of(director.get(url, query).content.decode(), "series")
    assert redrawn["data"][0]["y"][-1] == 200.0


# Flow


def test_the_flow_page_draws_a_sankey_of_how_cases_moved(
    catalogue, fresh, director: Client
) -> None:
    ingest_file(partner="IND", path=DATA / "ind_zaakstatus_20230501.csv")
    expected = case_flows(chain="NL", start=date(2023, 1, 1), end=date(2023, 12, 31))
    assert expected, "the sample extract moves cases"
    response = director.get(
        reverse("dashboard:flow"), {"chain": "NL", "from": "2023-01-01", "to": "2023-12-31"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    [sankey] = figure_of(html, "flow")["data"]
    assert sankey["type"] == "sankey"
    labels = sankey["node"]["label"]
    links = sorted(
        (labels[s], labels[t], v)
        for s, t, v in zip(
            sankey["link"]["source"], sankey["link"]["target"], sankey["link"]["value"],
            strict=True,
        )
    )  # fmt: skip
    assert "Application lodged" in labels
    assert sum(v for *_, v in links) == sum(f.value for f in expected)
    assert len(links) == len(expected)
    stocks = figure_of(html, "stocks")
    assert [t["name"] for t in stocks["data"]] == [
        "Work stock: open cases", "Open cases past their legal term",
        "Status holders in reception", "Open return cases",
    ]  # fmt: skip
    assert len(stocks["data"][0]["x"]) == 12


# Deadline monitor


def test_the_deadline_monitor_counts_the_cases_about_to_pass_their_term(
    catalogue, director: Client
) -> None:
    today = clock.today()

    def case(key: str, *, deadline_in: int | None, decided: bool = False, lodged_in: int = -100):
        lodged = today + timedelta(days=lodged_in)
        deadline = None if deadline_in is None else today + timedelta(days=deadline_in)
        decided_on = today - timedelta(days=1) if decided else None
        CaseFact.objects.create(
            case=Case.objects.create(chain_id="NL", person_key=key), chain_id="NL",
            lodged=lodged, deadline=deadline, decided=decided_on,
            first_event=lodged, last_event=today,
        )  # fmt: skip

    case("past-by-1-day", deadline_in=-1)
    case("past-long-ago", deadline_in=-400)
    case("due-today", deadline_in=0)
    case("due-in-27-days", deadline_in=27)
    case("due-in-28-days", deadline_in=28)
    case("due-in-a-year", deadline_in=365)
    case("no-deadline", deadline_in=None)
    case("decided", deadline_in=5, decided=True)
    case("lodged-tomorrow", deadline_in=10, lodged_in=1)
    case("belgian", deadline_in=3)
    CaseFact.objects.filter(case__person_key="belgian").update(chain_id="BE")
    response = director.get(reverse("dashboard:deadlines"), {"chain": "NL"})
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.open_total, summary.past_term, summary.due_soon, summary.no_deadline) == (
        7, 2, 2, 1,
    )  # fmt: skip
    html = response.content.decode()
    assert '<dd id="due-soon">2</dd>' in html
    histogram = figure_of(html, "deadlines")
    assert dict(zip(histogram["data"][0]["x"], histogram["data"][0]["y"], strict=True)) == {
        -58: 1, -1: 1, 0: 1, 3: 1, 4: 1, 52: 1,
    }  # fmt: skip
    [deadline_line] = [s for s in histogram["layout"]["shapes"] if s["type"] == "line"]
    assert deadline_line["x0"] == deadline_line["x1"] == -0.5
    assert "Open cases past their legal term" in html


# Ingest status


@pytest.fixture
def deliveries(db: None) -> None:
    """A delivery of every partner; IND's rejected two rows, COA's one."""
    for partner in PARTNERS:
        make_extract(partner, name=f"{partner.lower()}_20240301.csv")
    ind = make_extract("IND", name="ind_20240308.csv", status="partially_accepted", rejected=2)
    make_rejection(ind, 7, field="datum", reason="31-02-2024 is not a date", excerpt="********78")
    make_rejection(ind, 3, field="spoor", reason="track '9' is not one of 1, 2, 3, 4")
    make_rejection(make_extract("COA", rejected=1), 2, reason="COA secret")


def partner_headings(html: str) -> list[str]:
    return [p for p in PARTNERS if f'<h2 id="partner-{p}">' in html]


def test_an_administrator_sees_the_ingest_status_of_every_partner(
    deliveries, administrator: Client
) -> None:
    html = administrator.get(reverse("dashboard:ingest")).content.decode()
    assert partner_headings(html) == list(PARTNERS)
    assert "COA secret" in html


def test_a_partner_analyst_sees_only_the_own_organisations_deliveries_and_rejections(
    deliveries, analyst: Client
) -> None:
    response = analyst.get(reverse("dashboard:ingest"))
    assert response.status_code == 200
    html = response.content.decode()
    assert partner_headings(html) == ["IND"]
    assert "ind_20240308.csv" in html and "ind_20240301.csv" in html
    rejections = section(html, '<table class="data rejections">', "</table>")
    assert rejections.index('<td class="num">3</td>') < rejections.index('<td class="num">7</td>')
    assert "31-02-2024 is not a date" in rejections and "<code>********78</code>" in rejections
    assert "COA secret" not in html
    assert analyst.get(reverse("dashboard:ingest"), {"partner": "COA"}).status_code == 403


def test_a_chain_director_may_not_see_the_ingest_status(deliveries, director: Client) -> None:
    response = director.get(reverse("dashboard:ingest"))
    assert response.status_code == 403
    assert "for administrators and partner analysts" in response.content.decode()
    assert 'href="/ingest/"' not in director.get(reverse("dashboard:flow")).content.decode()


def test_a_partner_analyst_without_an_organisation_is_told_so(make_user) -> None:
    response = client_of(make_user("new analyst", PARTNER_ANALYST)).get(reverse("dashboard:ingest"))
    assert response.status_code == 200
    assert "not linked to a partner organisation" in response.content.decode()


# Static files and accessibility basics


def test_plotly_js_is_served_from_the_installed_plotly_package() -> None:
    path = finders.find("js/plotly.min.js")
    assert path and "package_data" in path, "plotly.min.js should come from the plotly package"
    with open(path, "rb") as stream:
        assert b"plotly.js" in stream.read(200)
    assert finders.find("js/dashboard.js") and finders.find("css/dashboard.css")


class FormControls(HTMLParser):
    """Collects the ids of visible form controls and the ids that labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[str] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in {"input", "select", "textarea"} and found.get("type") != "hidden":
            self.controls.append(found.get("id") or f"<{tag} name={found.get('name')}>")
        if tag == "label" and found.get("for"):
            self.labelled.add(found["for"] or "")


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_a_skip_link_landmarks_and_labelled_controls(
    catalogue, fresh, administrator: Client, url: str
) -> None:
    html = administrator.get(url).content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main" tabindex="-1">' in html and "<h1>" in html
    assert '<nav class="site-nav" aria-label="' in html
    parser = FormControls()
    parser.feed(html)
    assert parser.controls, "the page has a form"
    assert [c for c in parser.controls if c not in parser.labelled] == []
