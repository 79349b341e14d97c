"""The scenario API: run (201, Location), every bad field in one 400, list, detail, CSV,
back-test, and who sees which saved scenario."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from accounts.access import CHAIN_DIRECTOR
from accounts.models import OrganisationAPIKey, UserProfile
from scenarios.models import SavedScenario
from scenarios.saved import save_answer
from tests.scenario_web import TODAY, build_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(db: None) -> Iterator[None]:
    with time_machine.travel(TODAY, tick=True):
        build_history()
        yield


def director(name: str, organisation: str | None = None) -> User:
    user = User.objects.create_user(name, password="x")
    user.groups.add(Group.objects.get(name=CHAIN_DIRECTOR))
    if organisation:
        UserProfile.objects.create(user=user, organisation_id=organisation)
    return user


def client_of(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def run(client: APIClient, **data: Any) -> Any:
    return client.post("/api/v1/scenarios", {"chain": "NL", **data}, format="json")


def test_a_run_answers_201_with_its_location_inputs_calibration_and_months(history) -> None:
    answer = run(client_of(director("d")), horizon=6, paths=50, seed=3, name="Try")
    assert answer.status_code == 201
    body = answer.json()
    assert answer["Location"] == f"http://testserver/api/v1/scenarios/{body['id']}"
    assert body["name"] == "Try" and body["author"] == "d"
    assert body["inputs"]["origin"] == "2025-12" and body["inputs"]["seed"] == 3
    assert body["inputs"]["policy"] == {"kind": "fifo", "share": 0.7}
    assert body["calibration"]["productivity"]["months"][-1] == "2025-12"
    assert [m["month"] for m in body["months"]] == [f"2026-0{m}" for m in range(1, 7)]
    assert set(body["months"][0]["open_cases"]) == {"p10", "p50", "p90", "mean"}
    assert SavedScenario.objects.get().name == "Try"


def test_a_run_without_a_name_is_kept_under_its_chain_origin_and_horizon(history) -> None:
    body = run(client_of(director("d")), horizon=2, paths=1).json()
    assert body["name"] == "NL 2025-12 +2"
    assert isinstance(body["months"][0]["open_cases"], int)  # one path: one number


def test_it_names_every_bad_field_in_one_problem(history) -> None:
    answer = run(
        client_of(director("d")), horizon=99, paths=0, inflow={"annual": -3},
        policy={"kind": "fifo", "share": 2}, overrides={"nonsense": 1},
        fast_track={"nationalities": ["XYZ"], "extra_decisions_per_month": 5}, colour="red",
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["title"] == "Bad Request"
    named = {line.split(":")[0] for line in problem["detail"].splitlines()}
    assert named == {
        "horizon", "paths", "inflow.annual", "policy.share", "overrides.nonsense",
        "fast_track.nationalities", "colour",
    }  # fmt: skip
    assert not SavedScenario.objects.exists()


def test_a_body_that_is_not_an_object_is_a_problem(history) -> None:
    answer = client_of(director("d")).post("/api/v1/scenarios", [1, 2], format="json")
    assert answer.status_code == 400
    assert "JSON object" in answer.json()["detail"]


def test_an_origin_before_the_chains_data_is_a_problem_naming_the_origin(history) -> None:
    answer = run(client_of(director("d")), origin="2019-01")
    assert answer.status_code == 400
    assert answer.json()["detail"] == "origin: lies before the chain's data"


def test_the_list_shows_the_chains_saved_scenarios_newest_first(history) -> None:
    client = client_of(director("d"))
    run(client, horizon=1, paths=1, name="first")
    run(client, horizon=1, paths=1, name="second")
    client.post("/api/v1/scenarios", {"chain": "BE", "horizon": 1, "paths": 1}, format="json")
    listed = client.get("/api/v1/scenarios?chain=NL").json()
    assert [s["name"] for s in listed] == ["second", "first"]
    assert listed[0]["origin"] == "2025-12" and listed[0]["horizon"] == 1
    assert len(client.get("/api/v1/scenarios").json()) == 3
    bad = client.get("/api/v1/scenarios?chain=XX&colour=red")
    assert bad.status_code == 400
    assert {line.split(":")[0] for line in bad.json()["detail"].splitlines()} == {"chain", "colour"}


def test_a_saved_scenario_is_seen_by_the_users_of_its_chain_only(history) -> None:
    nl = director("nl", "IND")
    saved = run(client_of(nl), horizon=1, paths=1).json()
    url = f"/api/v1/scenarios/{saved['id']}"
    assert client_of(director("coa", "COA")).get(url).status_code == 200
    assert client_of(director("be", "DVZ")).get(url).status_code == 404
    assert client_of(director("both")).get(url).status_code == 200
    assert client_of(director("be2", "DVZ")).get("/api/v1/scenarios").json() == []
    # One's own scenario of the other chain stays one's own.
    own = client_of(nl).post("/api/v1/scenarios", {"chain": "BE", "horizon": 1, "paths": 1},
                             format="json").json()  # fmt: skip
    assert client_of(nl).get(f"/api/v1/scenarios/{own['id']}").status_code == 200


def test_read_keys_run_and_read_push_keys_and_strangers_do_not(history) -> None:
    _, read = OrganisationAPIKey.objects.create_key(name="r", organisation_id="IND", scope="read")
    _, push = OrganisationAPIKey.objects.create_key(name="p", organisation_id="IND", scope="push")
    keyed = APIClient(HTTP_AUTHORIZATION=f"Api-Key {read}")
    answer = keyed.post("/api/v1/scenarios", {"chain": "NL", "horizon": 1, "paths": 1},
                        format="json")  # fmt: skip
    assert answer.status_code == 201 and answer.json()["author"] is None
    assert keyed.get(answer["Location"]).status_code == 200
    pushing = APIClient(HTTP_AUTHORIZATION=f"Api-Key {push}")
    assert pushing.post("/api/v1/scenarios", {"chain": "NL"}, format="json").status_code == 403
    assert APIClient().get("/api/v1/scenarios").status_code == 401


def test_the_detail_has_the_whole_answer_and_csv_a_row_per_month_and_track(history) -> None:
    client = client_of(director("d"))
    saved = run(client, horizon=2, paths=20, seed=1).json()
    detail = client.get(f"/api/v1/scenarios/{saved['id']}").json()
    assert detail["months"] == saved["months"] and detail["calibration"] == saved["calibration"]
    answer = client.get(f"/api/v1/scenarios/{saved['id']}?format=csv")
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert [(r["month"], r["track"]) for r in rows[:5]] == [
        ("2026-01", ""), ("2026-01", "1"), ("2026-01", "2"), ("2026-01", "3"), ("2026-01", "4")
    ]  # fmt: skip
    assert float(rows[0]["open_cases_p50"]) == saved["months"][0]["open_cases"]["p50"]
    assert rows[1]["in_reception_p50"] == ""
    assert client.get("/api/v1/scenarios/999999?format=csv").status_code == 404


def test_the_backtest_answers_errors_per_origin_horizon_and_figure(history) -> None:
    client = client_of(director("d"))
    body = client.get("/api/v1/scenarios/backtest?chain=NL").json()
    assert body["chain"] == "NL"
    assert body["summary"]["origins"] == len({e["origin"] for e in body["errors"]}) > 0
    first = body["errors"][0]
    assert set(first) == {"origin", "horizon", "figure", "actual", "p10", "p50", "p90",
                          "naive", "accounting"}  # fmt: skip
    assert {e["horizon"] for e in body["errors"]} == {3, 6, 12}
    assert client.get("/api/v1/scenarios/backtest").status_code == 400


def test_the_openapi_document_describes_the_scenario_operations(history) -> None:
    document = APIClient().get("/api/v1/openapi.json").json()
    assert {"/scenarios", "/scenarios/{id}", "/scenarios/backtest"} <= set(document["paths"])
    assert "201" in document["paths"]["/scenarios"]["post"]["responses"]
    assert "400" in document["paths"]["/scenarios"]["post"]["responses"]


def test_a_number_json_cannot_hold_is_kept_as_null(history) -> None:
    inputs = {"chain": "NL", "origin": "2025-12", "horizon": 1, "paths": 1}
    answer = {
        "inputs": inputs,
        "calibration": {"x": {"value": float("nan")}},
        "months": [{"month": "2026-01", "open_cases": float("inf")}],
    }
    saved = save_answer(answer=answer)
    saved.refresh_from_db()
    assert saved.answer["calibration"]["x"]["value"] is None
    assert saved.answer["months"][0]["open_cases"] is None
