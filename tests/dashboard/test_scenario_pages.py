"""The scenario pages: run from a preset or edited inputs, save, permalink, compare, CSV, and
the forecast against what happened, in Dutch and English."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from accounts.access import CHAIN_DIRECTOR
from chain.catalogue import mark_all_dirty
from chain.indicators.engine import compute_dirty
from chain.models import IndicatorValue
from scenarios.models import Preset, SavedScenario
from scenarios.presets import load_presets
from tests.dashboard.conftest import UserMaker, client_of, figure_of
from tests.scenario_web import TODAY, build_history

pytestmark = pytest.mark.django_db

RUN = {
    "chain": "NL", "horizon": "6", "paths": "200", "seed": "4", "inflow_kind": "annual",
    "inflow_annual": "400", "policy": "over_term_share", "share": "0.7", "notice_rate": "1",
    "notice_lag_days": "0", "planning_norm": "0.96", "hires": "2026-03 2 3", "run": "1",
}  # fmt: skip


@pytest.fixture
def history(catalogue: None) -> Iterator[None]:
    with time_machine.travel(TODAY, tick=True):
        build_history(compute=True)
        load_presets(scale=0.01)
        yield


@pytest.fixture
def nl_director(make_user: UserMaker) -> User:
    return make_user("director", CHAIN_DIRECTOR, organisation="IND")


def run(client: Client, **changed: str) -> str:
    response = client.get("/scenarios/", {**RUN, **changed})
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def saved_inputs(page: str) -> str:
    found = re.search(r'name="inputs" value="([^"]*)"', page)
    assert found
    return html.unescape(found.group(1))


def test_a_preset_fills_in_the_form(history, nl_director) -> None:
    medio = Preset.objects.get(chain="NL", name="MPP medio")
    page = client_of(nl_director).get("/scenarios/", {"preset": medio.pk}).content.decode()
    assert 'value="670"' in page  # 67,000 a year at scale 0.01
    assert "medium scenario: 67,000" in page
    assert 'id="id_inflow_kind_1" checked' in page or re.search(r'value="annual"[^>]*checked', page)


def test_a_run_shows_a_fan_chart_continuing_the_history_and_a_table_beside_it(
    history, nl_director
) -> None:
    page = run(client_of(nl_director))
    figure = figure_of(page, "open_cases")
    names = [trace["name"] for trace in figure["data"]]
    assert names[0] == "Actual"
    assert "This run: p10\u2013p90" in names and "This run: median" in names
    actual = figure["data"][0]
    stored = IndicatorValue.objects.get(
        indicator__code="open_cases", chain="NL", period_type="month", period="2025-12", track=""
    )
    assert stored.value is not None and stored.value > 0
    assert actual["y"][actual["x"].index("2025-12")] == stored.value
    assert actual["y"][actual["x"].index("2024-01")] is not None
    median = next(t for t in figure["data"] if t["name"] == "This run: median")
    assert median["x"] == [f"2026-0{m}" for m in range(1, 7)]
    for key in ("open_cases_over_term", "decision_lead_time_median", "penalty_exposure_eur",
                "penalty_cumulative_eur", "in_reception", "open_return_cases"):  # fmt: skip
        figure_of(page, key)
    reception = figure_of(page, "in_reception")
    assert "Known reception capacity" in [t["name"] for t in reception["data"]]
    assert "Open cases per month" in page and "places needed" in page


def test_bad_inputs_are_named_on_their_fields(history, nl_director) -> None:
    response = client_of(nl_director).get(
        "/scenarios/",
        {
            **RUN,
            "horizon": "60",
            "share": "3",
            "fast_nationalities": "XYZ",
            "fast_extra": "5",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'id="id_horizon_error".*must be from 1 to 36', page, re.S)
    assert re.search(r'id="id_share_error".*must be from 0 to 1', page, re.S)
    assert "unknown nationality: XYZ" in page


def test_a_run_is_saved_with_a_name_and_has_a_permalink(history, nl_director) -> None:
    client = client_of(nl_director)
    page = run(client)
    response = client.post("/scenarios/save/", {"inputs": saved_inputs(page), "name": "Try"})
    saved = SavedScenario.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/scenarios/{saved.pk}/"
    assert saved.name == "Try" and saved.author == nl_director and saved.chain_id == "NL"
    assert saved.inputs["seed"] == 4
    permalink = client.get(f"/scenarios/{saved.pk}/").content.decode()
    # The same seed: the saved figures are those of the run.
    assert (
        figure_of(permalink, "open_cases")["data"][1:] == figure_of(page, "open_cases")["data"][1:]
        or "Try: median" in permalink
    )
    assert f"/api/v1/scenarios/{saved.pk}?format=csv" in permalink


def test_a_director_of_the_other_chain_does_not_see_it(history, nl_director, make_user) -> None:
    client = client_of(nl_director)
    client.post("/scenarios/save/", {"inputs": saved_inputs(run(client)), "name": "Mine"})
    saved = SavedScenario.objects.get()
    other = client_of(make_user("be", CHAIN_DIRECTOR, organisation="DVZ"))
    assert other.get(f"/scenarios/{saved.pk}/").status_code == 404
    assert "Mine" not in other.get("/scenarios/").content.decode()
    assert (
        "Mine"
        in client_of(make_user("coa", CHAIN_DIRECTOR, "COA")).get("/scenarios/").content.decode()
    )


def test_up_to_three_saved_scenarios_are_compared_side_by_side(history, nl_director) -> None:
    client = client_of(nl_director)
    ids = []
    for name, annual in (("Low", "200"), ("Mid", "400"), ("High", "800")):
        page = run(client, inflow_annual=annual)
        client.post("/scenarios/save/", {"inputs": saved_inputs(page), "name": name})
        ids.append(SavedScenario.objects.get(name=name).pk)
    page = client.get("/scenarios/compare/", {"id": ids}).content.decode()
    medians = [t["name"] for t in figure_of(page, "open_cases")["data"] if "median" in t["name"]]
    assert medians == ["Low: median", "Mid: median", "High: median"]
    assert "High: median" in page
    too_many = client.get("/scenarios/compare/", {"id": [*ids, ids[0]]})
    assert too_many.status_code == 400


def test_the_csv_of_a_run_has_a_row_per_month_and_track(history, nl_director) -> None:
    response = client_of(nl_director).get("/scenarios/", {**RUN, "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 6 * 5  # the chain and its four tracks, six months
    assert rows[0]["month"] == "2026-01" and rows[0]["track"] == ""


def test_the_models_messages_read_in_dutch_on_a_dutch_page(history, make_user) -> None:
    client = client_of(make_user("nl", CHAIN_DIRECTOR), "nl")
    response = client.get("/scenarios/", {**RUN, "horizon": "60", "origin": "2019-01"})
    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="id_horizon_error".*moet van 1 tot 36 zijn', page, re.S)
    assert "ligt vóór de gegevens van de keten" in page


def test_the_page_reads_and_writes_dutch_numbers(history, make_user) -> None:
    client = client_of(make_user("nl", CHAIN_DIRECTOR), "nl")
    page = run(client, share="0,7", planning_norm="0,96")
    assert '<html lang="nl">' in page
    assert "Werkvoorraad" in page or "Openstaande zaken" in page
    assert 'value="0,7"' in page


def test_a_saved_scenario_whose_months_passed_shows_its_forecast_against_actual(
    history, nl_director
) -> None:
    client = client_of(nl_director)
    client.post("/scenarios/save/", {"inputs": saved_inputs(run(client)), "name": "Then"})
    saved = SavedScenario.objects.get()
    with time_machine.travel(date(2026, 4, 10), tick=True):
        mark_all_dirty()
        compute_dirty()
        page = client_of(nl_director).get(f"/scenarios/{saved.pk}/").content.decode()
    assert "Forecast against actual" in page
    checked = page[page.index("Forecast against actual, per figure") :]
    assert re.search(r"Open cases</th><td class=\"num\">3</td>", checked)


def test_monthly_inflow_and_hires_are_read_as_numbers_in_dutch(history, make_user) -> None:
    client = client_of(make_user("nl", CHAIN_DIRECTOR), "nl")
    page = run(client, inflow_kind="monthly", inflow_monthly="30; 31,5 32 33 34 35",
               hires="2026-02 1,5 2", share="0,7", planning_norm="0,96")  # fmt: skip
    inputs = saved_inputs(page)
    assert '"monthly": [30, 31.5, 32, 33, 34, 35]' in inputs
    assert '"fte": 1.5' in inputs
    bad = client.get("/scenarios/", {**RUN, "inflow_kind": "monthly", "inflow_monthly": "3 x"})
    assert bad.status_code == 400
