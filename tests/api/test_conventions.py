"""What holds for the whole read API: access, headers, errors, the OpenAPI document and docs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from rest_framework.test import APIClient

from tests.api.conftest import Catalogue, assert_problem, person_in, problems_of

pytestmark = pytest.mark.django_db

READ_PATHS = [
    "/api/v1/goals",
    "/api/v1/indicators",
    "/api/v1/indicators/applications_lodged",
    "/api/v1/indicators/applications_lodged/values?chain=NL",
    "/api/v1/extracts",
    "/api/v1/extracts/1/rejections",
    "/api/v1/flows?chain=NL",
]


@pytest.mark.parametrize("path", READ_PATHS)
def test_it_asks_an_anonymous_caller_for_an_api_key(anonymous: APIClient, path: str) -> None:
    answer = anonymous.get(path)
    assert_problem(answer, 401)
    assert answer["WWW-Authenticate"] == "Api-Key"


def test_it_answers_a_logged_in_person(person: APIClient, catalogue_rows: Catalogue) -> None:
    assert person.get("/api/v1/goals").status_code == 200


def test_it_refuses_a_logged_in_person_without_a_role(db: None) -> None:
    answer = person_in(None).get("/api/v1/goals")
    assert "no role on the dashboard" in assert_problem(answer, 403)["detail"]


def test_it_answers_a_system_with_a_read_key(api: APIClient, catalogue_rows: Catalogue) -> None:
    assert api.get("/api/v1/goals").status_code == 200


def test_it_forbids_reading_with_a_push_key(push_key_client: APIClient) -> None:
    assert_problem(push_key_client.get("/api/v1/goals"), 403)


def test_it_refuses_an_unknown_key(anonymous: APIClient) -> None:
    anonymous.credentials(HTTP_AUTHORIZATION="Api-Key nope.nothing")
    answer = anonymous.get("/api/v1/goals")
    assert "API key" in assert_problem(answer, 401)["detail"]


@pytest.mark.parametrize(
    "path", ["/api/v1/goals/", "/api/v1/indicators/", "/api/v1/openapi.json/", "/api/v1/nothing"]
)
def test_a_path_with_a_trailing_slash_is_a_404_problem(api: APIClient, path: str) -> None:
    answer = api.get(path)
    assert_problem(answer, 404)
    assert answer["API-Version"] == "1.0.0"


@pytest.mark.parametrize(
    "path", ["/api/v1/goals", "/api/v1/indicators?chain=XX", "/api/v1/openapi.json"]
)
def test_every_answer_carries_the_api_version(api: APIClient, path: str) -> None:
    assert api.get(path)["API-Version"] == "1.0.0"


def test_an_unauthenticated_answer_carries_the_api_version(anonymous: APIClient) -> None:
    assert anonymous.get("/api/v1/goals")["API-Version"] == "1.0.0"


def test_the_openapi_document_is_served_without_login(anonymous: APIClient) -> None:
    answer = anonymous.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"].startswith("3.")
    assert [server["url"] for server in document["servers"]] == ["http://127.0.0.1:8000/api/v1"]
    assert set(document["paths"]) >= {
        "/goals", "/indicators", "/indicators/{code}", "/indicators/{code}/values",
        "/extracts", "/extracts/{id}/rejections", "/flows", "/events",
    }  # fmt: skip
    values = document["paths"]["/indicators/{code}/values"]["get"]
    assert {p["name"] for p in values["parameters"]} >= {"chain", "period", "from", "to", "track"}
    assert set(values["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert "ApiKey" in document["components"]["securitySchemes"]


def test_the_docs_page_needs_no_network(anonymous: APIClient) -> None:
    answer = anonymous.get("/api/v1/docs")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "cdn." not in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
    # The start-up script is a file of its own (the Content Security Policy runs no inline one).
    [script] = re.findall(r"""src=["'](/api/v1/docs\?[^"']*script[^"']*)["']""", html)
    assert "/api/v1/openapi.json" in anonymous.get(script.replace("&amp;", "&")).content.decode()
    for asset in re.findall(r"""(?:src|href)=["']/static/([^"']+)["']""", html):
        assert finders.find(asset), f"{asset} is not a static file"
    assert re.search(r"""src=["']/static/[^"']*swagger-ui-bundle\.js""", html)


@pytest.mark.parametrize(
    "path", ["/api/v1/indicators?chian=NL", "/api/v1/flows?chain=NL&form=2023-01-01"]
)
def test_it_rejects_a_misspelt_parameter_instead_of_ignoring_it(api: APIClient, path: str) -> None:
    misspelt = path.split("?")[1].split("&")[-1].split("=")[0]
    assert problems_of(api.get(path)) == {misspelt: ["unknown parameter"]}


def test_a_server_error_under_the_api_is_a_problem_without_the_traceback(
    api: APIClient, catalogue_rows: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("api.views.readings", broken)
    api.raise_request_exception = False
    answer = api.get("/api/v1/indicators?chain=NL")
    body = assert_problem(answer, 500)
    assert "logged" in body["detail"] and b"secret internals" not in answer.content


def test_a_request_django_refuses_under_the_api_is_a_problem(api: APIClient) -> None:
    answer = api.get("/api/v1/goals", HTTP_HOST="attacker.example")
    assert_problem(answer, 400)


def test_a_request_django_refuses_on_a_page_stays_a_page(client: Client) -> None:
    answer = client.get("/accounts/login/", HTTP_HOST="attacker.example")
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html")


def test_a_problem_names_every_invalid_parameter_in_its_detail_and_nothing_else(
    api: APIClient,
) -> None:
    body = assert_problem(api.get("/api/v1/flows?chain=XX&from=soon&form=2023-01-01"), 400)
    assert set(body) == {"type", "title", "status", "detail"}
    assert body["detail"].splitlines() == [
        'chain: "XX" is not a valid choice.',
        "from: Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
        "form: unknown parameter",
    ]


@pytest.mark.parametrize(
    ("path", "empty"),
    [
        ("/api/v1/indicators?chain=&period=", ["chain", "period"]),
        ("/api/v1/indicators/applications_lodged/values?chain=NL&from=&by=", ["by", "from"]),
        ("/api/v1/flows?chain=NL&to=&format=", ["format", "to"]),
        ("/api/v1/extracts?partner=&limit=", ["limit", "partner"]),
    ],
)
def test_an_empty_parameter_is_a_400_instead_of_the_default(
    api: APIClient, catalogue_rows: Catalogue, path: str, empty: list[str]
) -> None:
    problems = problems_of(api.get(path))
    assert problems == {name: ["empty; leave the parameter out for its default"] for name in empty}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/extracts?partner=I%00ND", 400),
        ("/api/v1/indicators/applications%00lodged", 404),
        ("/api/v1/indicators/applications%00lodged/values?chain=NL", 404),
    ],
)
def test_a_nul_byte_is_a_client_error_not_a_server_error(
    api: APIClient, catalogue_rows: Catalogue, path: str, status: int
) -> None:
    assert_problem(api.get(path), status)


def test_the_document_gives_the_form_of_a_period_the_server_checks(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    document = api.get("/api/v1/openapi.json").json()
    parameters = document["paths"]["/indicators/{code}/values"]["get"]["parameters"]
    pattern = {p["name"]: p["schema"].get("pattern") for p in parameters}["from"]
    assert pattern and re.fullmatch(pattern, "2023-04") and re.fullmatch(pattern, "2023-W17")
    assert not re.fullmatch(pattern, "2023-4") and not re.fullmatch(pattern, "2023-13")
    values = "/api/v1/indicators/applications_lodged/values?chain=NL&from="
    assert problems_of(api.get(values + "2023-4")) == {
        "from": ["'2023-4' is not a month (expected the form 2023-04)"]
    }
    assert api.get(values + "2023-04&to=2023-05").status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_api_path_is_a_404_problem_in_development_too(
    api: APIClient, settings: Any, method: str
) -> None:
    settings.DEBUG = True
    answer = getattr(api, method)("/api/v1/extracts/null,null/rejections")
    assert_problem(answer, 404)
    assert answer["API-Version"] == "1.0.0"


def test_the_document_describes_the_push_contract(anonymous: APIClient) -> None:
    document = anonymous.get("/api/v1/openapi.json").json()
    push = document["paths"]["/events"]["post"]
    body = push["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/PushBody"}
    schema = document["components"]["schemas"]["PushBody"]
    assert schema["anyOf"] == [{"required": ["events"]}, {"required": ["measurements"]}]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"organisation", "events", "measurements"}
    summary = push["responses"]["200"]["content"]["application/json"]["schema"]
    assert summary == {"$ref": "#/components/schemas/ImportSummary"}
    problems = {
        status: set(response["content"])
        for status, response in push["responses"].items()
        if status != "200"
    }
    assert problems == {
        status: {"application/problem+json"}
        for status in ("400", "401", "403", "409", "413", "422", "429")
    }


def test_options_with_format_csv_describes_the_operation_in_json(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    answer = api.options("/api/v1/indicators/applications_lodged/values?chain=NL&format=csv")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json"
    assert answer.json()["renders"] == ["application/json", "text/csv"]
