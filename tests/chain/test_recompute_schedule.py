"""Every delivery, a push too, queues a recompute when it commits; a burst queues one, not one
per extract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import OrganisationAPIKey
from chain.tasks import RECOMPUTE_PENDING, compute_dirty_indicators
from ingest.services import ingest_extract, register_file
from psi.celery import app

pytestmark = pytest.mark.django_db

HEADER = "vnummer;zaaknummer;spoor;nationaliteit;gebeurtenis;datum;tijd;locatie;amv"


def queued_recomputes() -> int:
    """Recompute tasks waiting on the real broker."""
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        count = 0
        while (message := channel.basic_get("celery", no_ack=True)) is not None:
            count += message.headers["task"] == compute_dirty_indicators.name
        return count


@pytest.fixture
def empty_queue() -> Iterator[None]:
    app.control.purge()
    cache.delete(RECOMPUTE_PENDING)
    yield
    app.control.purge()
    cache.delete(RECOMPUTE_PENDING)


def ingest(tmp_path: Path, day: int) -> None:
    path = tmp_path / f"ind_{day}.csv"
    path.write_text(
        f"{HEADER}\n30000000{day:02d};Z1;4;SYR;AANVRAAG;{day:02d}-03-2023;;Ter Apel;N\n"
    )
    ingest_extract(extract_id=register_file(partner="IND", path=path).pk)


def test_three_ingests_in_a_row_queue_one_recompute(
    tmp_path: Path, empty_queue: None, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for day in (1, 2, 3):
            ingest(tmp_path, day)
    assert queued_recomputes() == 1


def test_an_ingest_after_the_recompute_started_queues_the_next(
    tmp_path: Path, empty_queue: None, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ingest(tmp_path, 1)
    assert queued_recomputes() == 1
    compute_dirty_indicators()
    with django_capture_on_commit_callbacks(execute=True):
        ingest(tmp_path, 2)
    assert queued_recomputes() == 1


def test_a_push_queues_the_recompute_when_it_commits(
    empty_queue: None, django_capture_on_commit_callbacks
) -> None:
    _, key = OrganisationAPIKey.objects.create_key(
        name="IND system", organisation_id="IND", scope=OrganisationAPIKey.Scope.PUSH
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    body = {"events": [{
        "source_event_id": "IND-1", "person_ref": "3012345678", "event_type": "APPLICATION_LODGED",
        "occurred_at": "2023-03-01T09:00:00+01:00", "track": "4", "nationality": "SYR",
    }]}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/api/v1/events", body, format="json")
        assert answer.status_code == 200, answer.content
        assert queued_recomputes() == 0  # not before the push's rows are there to read
    assert queued_recomputes() == 1
