"""Rotating the pseudonym key rebuilds every pseudonym from the archive, or changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import OrganisationAPIKey
from chain.models import Case, IndicatorValue, StatusEvent
from ingest.models import PseudonymKey
from ingest.pseudonymize import event_identity, key_fingerprint, person_key
from ingest.services import ingest_file
from tests import known_chain

pytestmark = pytest.mark.django_db
NEW_KEY = "the-new-pseudonym-key-after-a-leak-0123456789"


@pytest.fixture
def ingested(catalogue, write_extract) -> Path:
    path = write_extract("ind_zaakstatus_20230501.csv", known_chain.extract())
    ingest_file(partner="IND", path=path)
    return path


@pytest.fixture
def new_key() -> Iterator[None]:
    person_key.cache_clear()
    with override_settings(PSI_PSEUDONYM_KEY=NEW_KEY):
        yield
    person_key.cache_clear()


def push_one() -> None:
    _, key = OrganisationAPIKey.objects.create_key(name="IND", organisation_id="IND", scope="push")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    event = {
        "source_event_id": "IND-2023-000123",
        "person_ref": "3012345678",
        "event_type": "DECISION_GRANTED",
        "occurred_at": "2023-04-28T00:00:00+02:00",
    }
    answer = api.post("/api/v1/events", data=json.dumps({"events": [event]}),
                      content_type="application/json")  # fmt: skip
    assert answer.json()["accepted"] == 1


def vnummers() -> set[str]:
    return {row.split(";")[0] for row in known_chain.ROWS}


def test_a_rotation_rebuilds_every_pseudonym_under_the_new_key(
    ingested, new_key, write_extract
) -> None:
    events = StatusEvent.objects.count()
    call_command("rotate_pseudonym_key", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert set(Case.objects.values_list("person_key", flat=True)) == {
        person_key("NL", v) for v in vnummers()
    }
    assert StatusEvent.objects.count() == events
    assert set(StatusEvent.objects.values_list("source_event_id", flat=True)) == {
        event_identity(f"IND|{r[0]}|{r[1]}|{r[4]}|{r[5]}|{r[6]}")
        for r in (row.split(";") for row in known_chain.ROWS)
    }
    assert PseudonymKey.objects.get().fingerprint == key_fingerprint(NEW_KEY)
    assert IndicatorValue.objects.filter(indicator_id="applications_lodged").exists()
    again = ingest_file(
        partner="IND", path=write_extract("again.csv", known_chain.extract(known_chain.ROWS[::-1]))
    )
    assert (again.accepted, again.duplicates) == (0, len(known_chain.ROWS))


def test_a_rotation_drops_pushed_events_only_when_told(ingested) -> None:
    push_one()
    person_key.cache_clear()
    with override_settings(PSI_PSEUDONYM_KEY=NEW_KEY):
        drop_pushed_events_only_when_told()
    person_key.cache_clear()


def drop_pushed_events_only_when_told() -> None:
    cases = set(Case.objects.values_list("person_key", flat=True))
    with pytest.raises(CommandError, match="1 pushed event"):
        call_command("rotate_pseudonym_key")
    assert set(Case.objects.values_list("person_key", flat=True)) == cases
    call_command("rotate_pseudonym_key", "--drop-pushed-events", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not StatusEvent.objects.filter(source_event_id="IND-2023-000123").exists()


def test_a_rotation_changes_nothing_when_an_archived_extract_is_missing(ingested, new_key) -> None:
    ingested.unlink()
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("rotate_pseudonym_key")
    assert StatusEvent.objects.count() == len(known_chain.ROWS)
    assert PseudonymKey.objects.get().fingerprint != key_fingerprint(NEW_KEY)


def test_a_rotation_needs_a_new_key(ingested) -> None:
    with pytest.raises(CommandError, match="already the key"):
        call_command("rotate_pseudonym_key")
