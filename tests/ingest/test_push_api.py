"""POST /api/v1/events as docs/reference/push-api.md describes it."""

from __future__ import annotations

import codecs
import hashlib
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import cast
from unittest import mock

import pytest
import time_machine
from django.db import IntegrityError
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import OrganisationAPIKey
from chain.models import Extract, Measurement, StatusEvent
from ingest.adapters.base import EventRow
from ingest.adapters.ind import IndAdapter
from ingest.models import IdempotencyRecord, RejectedRow
from ingest.services import ingest_file
from ingest.tasks import purge_idempotency_records
from tests import known_chain

pytestmark = pytest.mark.django_db
URL = "/api/v1/events"
KEY = "8e03978e-40d5-43e8-bc93-6894a57f9324"


def event(i: int = 1, **changes: object) -> dict[str, object]:
    item: dict[str, object] = {
        "source_event_id": f"IND-2023-{i:06d}", "person_ref": "3012345678",
        "event_type": "DECISION_GRANTED", "occurred_at": "2023-04-28T00:00:00+02:00",
        "track": "4", "nationality": "SYR", "uam": False, "location": "Budel",
        "reason": None, "destination": None,
    }  # fmt: skip
    item.update(changes)
    return item


def make_key(organisation: str | None = "IND", scope: str = "push") -> str:
    _, key = OrganisationAPIKey.objects.create_key(
        name=f"{organisation} system", organisation_id=organisation, scope=scope
    )
    return key


@pytest.fixture
def client() -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {make_key()}")
    return api


def post(client: APIClient, body: object, **headers: str):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", headers=headers)


def test_it_stores_a_pushed_event_and_measurement(client: APIClient) -> None:
    body = {"events": [event()], "measurements": [
        {"kind": "RECEPTION_CAPACITY", "location": "azc Budel", "date": "2023-04-30", "value": 1200}
    ]}  # fmt: skip
    answer = post(client, body)
    assert answer.status_code == 200
    assert answer.json() == {
        "extract_id": Extract.objects.get().pk, "status": "accepted", "received": 2,
        "accepted": 2, "duplicates": 0, "rejected": 0, "conflicts": [],
    }  # fmt: skip
    assert StatusEvent.objects.get().local_date.isoformat() == "2023-04-28"
    assert Measurement.objects.get().value == 1200
    assert Extract.objects.get().channel == "push"


def test_it_keeps_good_events_and_lists_the_bad_ones(client: APIClient) -> None:
    body = {"events": [event(1), event(2), event(3, occurred_at="yesterday")]}
    answer = post(client, body).json()
    assert (answer["status"], answer["accepted"], answer["rejected"]) == (
        "partially_accepted",
        2,
        1,
    )
    assert answer["conflicts"] == [
        {"index": 2, "field": "occurred_at", "message": "'yesterday' is not an ISO 8601 timestamp"}
    ]
    assert RejectedRow.objects.get().excerpt == "********78"


def test_it_masks_an_identifier_quoted_anywhere_in_an_answer(client: APIClient) -> None:
    v_number = "3098765432"
    body = {
        "events": [event(1, event_type=v_number), event(2, reason=v_number)],
        "measurements": [{"kind": v_number, "date": "2023-04-30", "value": 1}],
    }
    answer = post(client, body)
    assert [c["message"].split(" (")[0] for c in answer.json()["conflicts"]] == [
        "unknown event type '********32'", "unknown reason '********32'",
        "unknown measurement kind '********32'",
    ]  # fmt: skip
    refused = post(client, {"organisation": v_number, "events": [event()], v_number: 1})
    assert "unknown top-level field '********32'" in refused.json()["detail"]
    assert v_number not in refused.content.decode() + answer.content.decode()
    assert (
        "cannot push for ********32"
        in post(client, {"organisation": v_number, "events": [event()]}).json()["detail"]
    )


def test_it_counts_an_event_pushed_twice_as_a_duplicate(client: APIClient) -> None:
    post(client, {"events": [event()]})
    answer = post(client, {"events": [event(), event(2)]}).json()
    assert (answer["accepted"], answer["duplicates"]) == (1, 1)
    assert StatusEvent.objects.count() == 2


def test_it_answers_a_body_that_is_not_json_with_a_problem(client: APIClient) -> None:
    answer = post(client, "{not json")
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert "not JSON" in answer.json()["detail"]
    assert not Extract.objects.exists()


def test_it_lists_every_problem_of_a_body_of_the_wrong_shape(client: APIClient) -> None:
    answer = post(client, {"events": "many", "measurements": [1], "extra": True})
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert "unknown top-level field 'extra'" in detail
    assert "'events' must be a list" in detail
    assert "measurements[0] must be an object" in detail
    assert not Extract.objects.exists()


def test_it_refuses_more_than_ten_thousand_events(client: APIClient) -> None:
    answer = post(client, {"events": [event(i) for i in range(10_001)]})
    assert answer.status_code == 413
    assert "at most 10000" in answer.json()["detail"]
    assert not StatusEvent.objects.exists()


def test_it_refuses_more_than_ten_thousand_events_even_in_a_body_of_the_wrong_shape(
    client: APIClient,
) -> None:
    answer = post(client, {"events": [1] * 10_001, "extra": True})
    assert answer.status_code == 413
    assert answer.json()["detail"] == "10001 events in one push; at most 10000: split the batch"
    assert not Extract.objects.exists()


@override_settings(PUSH_MAX_BODY_BYTES=1000, DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_it_refuses_a_body_over_the_size_limit(client: APIClient) -> None:
    answer = post(client, {"events": [event(i) for i in range(20)]})
    assert answer.status_code == 413


def test_it_refuses_a_push_for_another_organisation(client: APIClient) -> None:
    answer = post(client, {"organisation": "COA", "events": [event()]})
    assert answer.status_code == 403
    assert "cannot push for COA" in answer.json()["detail"]


def test_it_refuses_a_read_key_and_a_missing_or_unknown_key() -> None:
    api = APIClient()
    assert post(api, {"events": [event()]}).status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {make_key(None, 'read')}")
    assert post(api, {"events": [event()]}).status_code == 403
    api.credentials(HTTP_AUTHORIZATION="Api-Key nope.nope")
    answer = post(api, {"events": [event()]})
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Api-Key"


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(
    client: APIClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ingest.push")
    first = post(client, {"events": [event()]}, **{"Idempotency-Key": KEY})
    again = post(client, {"events": [event()]}, **{"Idempotency-Key": KEY})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Extract.objects.count() == 1
    assert caplog.messages[-1] == (
        f"push by key 'IND system' (IND): replayed the answer to Idempotency-Key {KEY}"
    )


def test_a_quoted_or_capitalised_uuid_is_the_same_idempotency_key(client: APIClient) -> None:
    first = post(client, {"events": [event()]}, **{"Idempotency-Key": KEY})
    # The IETF draft sends the key as a structured-field string, in double quotes.
    again = post(client, {"events": [event()]}, **{"Idempotency-Key": f'"{KEY.upper()}"'})
    assert again.json() == first.json()
    assert Extract.objects.count() == 1


@pytest.mark.parametrize("header", ["k-1", "", "a" * 300, f'"{KEY}', f"{{{KEY}}}", KEY[:-1]])
def test_it_rejects_an_idempotency_key_that_is_not_a_uuid(client: APIClient, header: str) -> None:
    answer = post(client, {"events": [event()]}, **{"Idempotency-Key": header})
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["detail"].startswith("Idempotency-Key: the header must be a UUID")
    assert not Extract.objects.exists()
    assert not IdempotencyRecord.objects.exists()


def test_it_refuses_a_reused_idempotency_key_with_another_body(client: APIClient) -> None:
    post(client, {"events": [event()]}, **{"Idempotency-Key": KEY})
    answer = post(client, {"events": [event(2)]}, **{"Idempotency-Key": KEY})
    assert answer.status_code == 422
    assert StatusEvent.objects.count() == 1


def test_it_answers_409_while_the_first_request_is_still_processed() -> None:
    key = make_key()
    api_key = cast(OrganisationAPIKey, OrganisationAPIKey.objects.get_from_key(key))
    body = json.dumps({"events": [event()]})
    IdempotencyRecord.objects.create(
        api_key=api_key, key=KEY, body_sha256=hashlib.sha256(body.encode()).hexdigest()
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert post(api, body, **{"Idempotency-Key": KEY}).status_code == 409


def test_it_claims_an_idempotency_key_that_the_first_request_freed_after_our_insert(
    client: APIClient,
) -> None:
    create = IdempotencyRecord.objects.create
    tries: list[object] = []

    def insert_as_the_first_request_fails(**fields: object) -> IdempotencyRecord:
        # The first insert collides with the first request's claim; by the time this request
        # reads that claim, the first request has failed and deleted it.
        tries.append(fields)
        if len(tries) == 1:
            raise IntegrityError("duplicate key value violates unique constraint")
        return create(**fields)

    with mock.patch.object(
        IdempotencyRecord.objects, "create", side_effect=insert_as_the_first_request_fails
    ):
        answer = post(client, {"events": [event()]}, **{"Idempotency-Key": KEY})
    assert (answer.status_code, answer.json()["accepted"]) == (200, 1)
    assert len(tries) == 2
    assert IdempotencyRecord.objects.get().state == IdempotencyRecord.State.DONE


def test_it_answers_409_when_the_idempotency_key_is_taken_and_freed_on_every_try(
    client: APIClient,
) -> None:
    with mock.patch.object(
        IdempotencyRecord.objects, "create", side_effect=IntegrityError("duplicate key")
    ):
        answer = post(client, {"events": [event()]}, **{"Idempotency-Key": KEY})
    assert answer.status_code == 409
    assert answer["Content-Type"] == "application/problem+json"
    assert "try again" in answer.json()["detail"]
    assert not Extract.objects.exists()


@override_settings(PUSH_THROTTLE_RATE="2/min")
def test_it_throttles_pushes_per_key(client: APIClient, caplog: pytest.LogCaptureFixture) -> None:
    assert post(client, {"events": [event(1)]}).status_code == 200
    assert post(client, {"events": [event(2)]}).status_code == 200
    with caplog.at_level(logging.INFO, logger="ingest.push"):
        answer = post(client, {"events": [event(3)]})
    assert answer.status_code == 429
    assert int(answer["Retry-After"]) > 0
    assert "push by key 'IND system' (IND) refused: 429 " in caplog.text


def test_it_logs_the_key_name_and_never_the_key(caplog: pytest.LogCaptureFixture) -> None:
    key = make_key()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    with caplog.at_level(logging.INFO):
        post(api, {"events": [event()]})
    assert "IND system" in caplog.text
    assert key not in caplog.text
    assert key.split(".")[1] not in caplog.text


def test_it_logs_a_refused_push_with_the_key_name_and_never_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = make_key()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    with caplog.at_level(logging.INFO, logger="ingest.push"):
        post(api, "{not json")
        post(api, {"organisation": "COA", "events": [event(person_ref="3012345678")]})
        post(api, {"events": [event()], "3012345678": 1})
    assert [r.getMessage() for r in caplog.records if r.name == "ingest.push"] == [
        "push by key 'IND system' (IND) refused: 400 the body is not JSON: Expecting property "
        "name enclosed in double quotes: line 1 column 2 (char 1)",
        "push by key 'IND system' (IND) refused: 403 this key belongs to IND; it cannot push "
        "for COA",
        "push by key 'IND system' (IND) refused: 400 body: unknown top-level field '********78'",
    ]
    assert not any(key in r.getMessage() or key in str(r.args) for r in caplog.records)
    assert key.split(".")[1] not in caplog.text


def test_it_logs_a_push_with_an_unknown_key_without_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Api-Key abcdefgh.secretsecret")
    with caplog.at_level(logging.INFO, logger="ingest.push"):
        assert post(api, {"events": [event()]}).status_code == 401
    [record] = [r for r in caplog.records if r.name == "ingest.push"]
    assert record.levelname == "WARNING"
    assert record.getMessage() == (
        "push without a valid API key refused: 401 unknown, revoked or expired API key"
    )
    assert "secretsecret" not in caplog.text


def test_it_logs_a_push_refused_before_its_unknown_key_was_checked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Api-Key abcdefgh.secretsecret")
    with caplog.at_level(logging.INFO, logger="ingest.push"):
        # Content negotiation (406) comes before authentication; logging must not redo it.
        answer = post(api, {"events": [event()]}, Accept="text/csv")
    assert answer.status_code == 406
    [record] = [r for r in caplog.records if r.name == "ingest.push"]
    assert record.getMessage().startswith("push without a valid API key refused: 406 ")


@pytest.mark.parametrize(
    "body",
    [b"", b'{"events": [', b'{"events": ["\xff"]}', b'{"events": [' + b"9" * 5000 + b"]}"],
)
def test_it_answers_an_empty_truncated_non_utf8_or_overlong_number_body_with_a_problem(
    client: APIClient, body: bytes
) -> None:
    answer = post(client, body)
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("the body is not JSON: ")
    assert not Extract.objects.exists()


def test_it_answers_a_body_nested_too_deeply_with_a_problem(client: APIClient) -> None:
    answer = post(client, "[" * 100_000)
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["detail"].startswith("the body is nested too deeply")
    assert not Extract.objects.exists()


def test_it_reads_a_body_after_a_byte_order_mark(client: APIClient) -> None:
    answer = post(client, codecs.BOM_UTF8 + json.dumps({"events": [event()]}).encode())
    assert (answer.status_code, answer.json()["accepted"]) == (200, 1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"occurred_at": "2023-02-31T10:00:00+01:00"}, "occurred_at"),
     ({"occurred_at": "2023-13-01T10:00:00+01:00"}, "occurred_at"),
     ({"event_type": "DECISION_MAYBE"}, "event_type"),
     ({"nationality": "Syria"}, "nationality"), ({"nationality": "syr"}, "nationality"),
     ({"person_ref": ""}, "person_ref"), ({"person_ref": "301234567"}, "person_ref"),
     ({"person_ref": 3012345678}, "person_ref"), ({"source_event_id": ""}, "source_event_id"),
     ({"location": "Ter\x00Apel"}, "location")],
)  # fmt: skip
def test_it_rejects_a_bad_event_on_its_own_and_keeps_the_good_one(
    client: APIClient, changes: dict[str, object], field: str
) -> None:
    answer = post(client, {"events": [event(1), event(2, **changes)]}).json()
    assert (answer["status"], answer["accepted"], answer["rejected"]) == (
        "partially_accepted", 1, 1,
    )  # fmt: skip
    [conflict] = answer["conflicts"]
    assert (conflict["index"], conflict["field"]) == (1, field)
    assert "301234567" not in json.dumps(answer)
    assert "301234567" not in RejectedRow.objects.get().excerpt


@pytest.mark.parametrize(
    ("organisation", "person_ref", "track", "day", "utc"),
    [("IND", "3012345678", "4", "2023-04-30", datetime(2023, 4, 29, 22, tzinfo=UTC)),
     ("DVZ", "8123456", "P", "2023-01-15", datetime(2023, 1, 14, 23, tzinfo=UTC))],
)  # fmt: skip
def test_it_takes_a_date_without_a_time_as_midnight_local_time_of_the_chain(
    organisation: str, person_ref: str, track: str, day: str, utc: datetime
) -> None:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {make_key(organisation)}")
    pushed = event(person_ref=person_ref, track=track, occurred_at=day)
    answer = post(api, {"events": [pushed]}).json()
    assert (answer["accepted"], answer["conflicts"]) == (1, [])
    stored = StatusEvent.objects.get()
    assert (stored.occurred_at, stored.local_date.isoformat()) == (utc, day)


def test_it_rejects_a_date_and_time_without_a_utc_offset(client: APIClient) -> None:
    answer = post(client, {"events": [event(occurred_at="2023-04-30T10:15:00")]}).json()
    [conflict] = answer["conflicts"]
    assert (conflict["field"], conflict["message"].endswith(" has no UTC offset")) == (
        "occurred_at", True,
    )  # fmt: skip
    assert not StatusEvent.objects.exists()


def test_it_rejects_a_satisfaction_score_outside_one_to_five(client: APIClient) -> None:
    scores = [0.99, 1, 5, 5.01]
    body = {"measurements": [{"kind": "SATISFACTION_SCORE", "location": None,
                              "date": f"2023-04-{i + 1:02d}", "value": score}
                             for i, score in enumerate(scores)]}  # fmt: skip
    answer = post(client, body).json()
    assert (answer["accepted"], answer["rejected"]) == (2, 2)
    message = "a SATISFACTION_SCORE is a mean score from 1 to 5"
    assert answer["conflicts"] == [
        {"index": 0, "field": "measurements.value", "message": message},
        {"index": 3, "field": "measurements.value", "message": message},
    ]
    assert sorted(m.value for m in Measurement.objects.all()) == [1, 5]


@pytest.mark.parametrize("day", ["2023-02-31", "2023-13-01", "31-02-2023"])
def test_it_rejects_a_measurement_with_an_impossible_date(client: APIClient, day: str) -> None:
    body = {"measurements": [{"kind": "RECEPTION_CAPACITY", "location": "azc Budel",
                              "date": day, "value": 1200}]}  # fmt: skip
    answer = post(client, body).json()
    assert (answer["status"], answer["rejected"]) == ("rejected", 1)
    [conflict] = answer["conflicts"]
    assert (conflict["index"], conflict["field"]) == (0, "measurements.date")
    # How the value is quoted is up to the shared checks (digits may be masked).
    assert conflict["message"].endswith(" is not a valid date (yyyy-mm-dd)")
    assert not Measurement.objects.exists()


def test_it_stores_an_event_sent_twice_in_one_push_once(client: APIClient) -> None:
    answer = post(client, {"events": [event(1), event(1)]}).json()
    assert (answer["accepted"], answer["duplicates"]) == (1, 1)
    assert StatusEvent.objects.count() == 1


def test_the_same_events_by_file_and_by_push_count_once(client: APIClient, tmp_path: Path) -> None:
    path = tmp_path / "ind_zaakstatus_20230501.csv"
    path.write_text(known_chain.extract())
    with path.open("rb") as stream:
        pushed = [
            {"source_event_id": r.source_event_id, "person_ref": r.person_ref,
             "event_type": r.event_type, "occurred_at": r.occurred_at.isoformat(),
             "track": r.track, "nationality": r.nationality, "uam": r.uam, "location": r.location}
            for r in IndAdapter().parse(stream)
            if isinstance(r, EventRow)
        ]  # fmt: skip
    first = post(client, {"events": pushed[:5]}).json()
    by_file = ingest_file(partner="IND", path=path)
    again = post(client, {"events": pushed}).json()
    assert first["accepted"] == 5
    assert (by_file.accepted, by_file.duplicates) == (8, 5)
    assert (again["accepted"], again["duplicates"]) == (0, 13)
    assert StatusEvent.objects.count() == 13


def test_a_purge_deletes_idempotency_records_past_the_replay_window_only(
    client: APIClient, settings: object
) -> None:
    with time_machine.travel(datetime(2023, 5, 1, 8, 0, tzinfo=UTC), tick=False):
        post(client, {"events": [event(1)]}, **{"Idempotency-Key": KEY})
    fresh = "0f0c2d4e-1a2b-4c3d-8e9f-001122334455"
    with time_machine.travel(datetime(2023, 5, 2, 7, 0, tzinfo=UTC), tick=False):
        post(client, {"events": [event(2)]}, **{"Idempotency-Key": fresh})
    with time_machine.travel(datetime(2023, 5, 2, 9, 0, tzinfo=UTC), tick=False):
        assert purge_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == [fresh]
    schedule = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}  # type: ignore[attr-defined]
    assert "ingest.tasks.purge_idempotency_records" in schedule
