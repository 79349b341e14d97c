"""``GET /api/v1/events-of-note``: the policy and context events the charts mark."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from chain.models import EventOfNote
from tests.api.conftest import assert_problem, problems_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/events-of-note"


@pytest.fixture
def events(db: None) -> None:
    """An NL range, a BE day and a day of both chains."""
    EventOfNote.objects.create(
        code="nl-extension", chain_id="NL", start=date(2022, 9, 27), end=date(2023, 12, 31),
        title_nl="Beslistermijn verlengd", title_en="Decision term extended",
        link_nl="https://zoek.officielebekendmakingen.nl/kst-19637-3068.html",
    )  # fmt: skip
    EventOfNote.objects.create(
        code="be-note", chain_id="BE", start=date(2022, 10, 28),
        title_nl="Beleidsnota", title_en="Policy note",
    )  # fmt: skip
    EventOfNote.objects.create(
        code="both-pact", chain=None, start=date(2024, 5, 14),
        title_nl="Migratiepact", title_en="Migration pact", link_en="https://example.org/pact",
    )  # fmt: skip


def codes(answer: object) -> list[str]:
    assert answer.status_code == 200, answer.content  # type: ignore[attr-defined]
    return [item["code"] for item in answer.json()]  # type: ignore[attr-defined]


def test_it_lists_a_chains_events_and_those_of_both_chains_in_date_order(
    api: APIClient, events: None
) -> None:
    answer = api.get(URL, {"chain": "NL"})
    assert answer.json() == [
        {
            "code": "nl-extension", "chain": "NL", "start": "2022-09-27", "end": "2023-12-31",
            "title_nl": "Beslistermijn verlengd", "title_en": "Decision term extended",
            "link_nl": "https://zoek.officielebekendmakingen.nl/kst-19637-3068.html",
            "link_en": "",
        },
        {
            "code": "both-pact", "chain": None, "start": "2024-05-14", "end": None,
            "title_nl": "Migratiepact", "title_en": "Migration pact", "link_nl": "",
            "link_en": "https://example.org/pact",
        },
    ]  # fmt: skip
    assert codes(api.get(URL, {"chain": "BE"})) == ["be-note", "both-pact"]
    assert codes(api.get(URL)) == ["nl-extension", "be-note", "both-pact"]


def test_it_lists_the_events_with_a_day_in_the_range_asked(api: APIClient, events: None) -> None:
    assert codes(api.get(URL, {"chain": "NL", "from": "2023-06-01", "to": "2023-06-30"})) == [
        "nl-extension"
    ]
    assert codes(api.get(URL, {"from": "2023-12-31"})) == ["nl-extension", "both-pact"]
    assert codes(api.get(URL, {"from": "2024-01-01"})) == ["both-pact"]
    assert codes(api.get(URL, {"to": "2022-10-28"})) == ["nl-extension", "be-note"]
    assert codes(api.get(URL, {"from": "2022-10-28", "to": "2022-10-28", "chain": "BE"})) == [
        "be-note"
    ]
    assert codes(api.get(URL, {"from": "2025-01-01", "to": "2025-12-31"})) == []


def test_it_names_every_bad_parameter_at_once(api: APIClient, events: None) -> None:
    answer = api.get(URL, {"chain": "DE", "from": "2023-02-30", "to": "yesterday", "form": "x"})
    problems = problems_of(answer)
    assert set(problems) == {"chain", "from", "to", "form"}
    assert "not a valid choice" in problems["chain"][0]
    assert "Date has wrong format" in problems["from"][0]
    assert problems["form"] == ["unknown parameter"]


def test_it_refuses_a_range_that_ends_before_it_starts(api: APIClient, events: None) -> None:
    problems = problems_of(api.get(URL, {"from": "2023-07-01", "to": "2023-06-30"}))
    assert problems == {"from": ["2023-07-01 is after 2023-06-30"]}


def test_it_refuses_an_empty_parameter_and_a_day_out_of_range(api: APIClient) -> None:
    problems = problems_of(api.get(URL, {"chain": "", "to": "0999-12-31"}))
    assert problems["chain"] == ["empty; leave the parameter out for its default"]
    assert problems["to"] == ["0999-12-31 lies outside the years 1900 to 2999"]


def test_it_asks_for_credentials(anonymous: APIClient) -> None:
    assert_problem(anonymous.get(URL), 401)


def test_the_openapi_document_describes_the_endpoint(api: APIClient) -> None:
    document = api.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/events-of-note"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"chain", "from", "to"}
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    item = operation["responses"]["200"]["content"]["application/json"]["schema"]["items"]
    schema = document["components"]["schemas"][item["$ref"].rsplit("/", 1)[1]]
    assert set(schema["properties"]) == {
        "code", "chain", "start", "end", "title_nl", "title_en", "link_nl", "link_en",
    }  # fmt: skip
    assert schema["properties"]["chain"]["nullable"] is True
    assert schema["properties"]["end"]["nullable"] is True
