"""No raw V- or SP-number appears in any table, log, API answer or rejected-row record."""

from __future__ import annotations

import json
import logging

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import OrganisationAPIKey
from ingest.services import ingest_file
from tests import known_chain

pytestmark = pytest.mark.django_db

RAW_IDS = [f"300000000{i}" for i in range(1, 8)] + ["3012345678", "3099999999"]


def text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' "
            "AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')"
        )
        return cursor.fetchall()


def tables_containing(raw: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE %s LIMIT 1', [f"%{raw}%"]
            )
            if cursor.fetchone():
                found.append(f"{table}.{column}")
    return found


def test_raw_identifiers_are_stored_nowhere(
    write_extract, caplog: pytest.LogCaptureFixture
) -> None:
    bad_rows = [
        "3099999999;Z9;4;SYR;ONBEKEND;01-02-2023;;Ter Apel;N",  # unknown event code
        "3099999999;Z9;4;syria;AANVRAAG;01-02-2023;;Ter Apel;N",  # bad nationality
        "3099999999;Z9;4;SYR;AANVRAAG;31-02-2023;;Ter Apel;N",  # impossible date
        # a raw number in a field whose reason quotes the value
        "3099999999;Z9;4;SYR;3000000001;01-02-2023;;Ter Apel;N",
        "3099999999;Z9;4;3012345678;AANVRAAG;01-02-2023;;Ter Apel;N",
        "3099999999;Z9;4;SYR;AANVRAAG;3000000002;;Ter Apel;N",
    ]
    _, key = OrganisationAPIKey.objects.create_key(name="IND", organisation_id="IND", scope="push")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    push = {"events": [
        # an id that holds the person's number
        {"source_event_id": "p1-3012345678", "person_ref": "3012345678",
         "event_type": "DECISION_GRANTED", "occurred_at": "2023-04-28T00:00:00+02:00"},
        {"source_event_id": "p2", "person_ref": "3012345678", "event_type": "NOPE",
         "occurred_at": "2023-04-28T00:00:00+02:00"},
    ]}  # fmt: skip
    with caplog.at_level(logging.DEBUG):
        ingest_file(
            partner="IND",
            path=write_extract("ind.csv", known_chain.extract([*known_chain.ROWS, *bad_rows])),
        )
        answer = api.post("/api/v1/events", data=json.dumps(push), content_type="application/json")
    assert answer.status_code == 200
    body = answer.content.decode()
    for raw in RAW_IDS:
        assert tables_containing(raw) == [], raw
        assert raw not in caplog.text, raw
        assert raw not in body, raw
