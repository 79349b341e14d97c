"""What keeps a large load fast stays in place, and the shortcuts keep the ingest's meaning."""

from __future__ import annotations

import hashlib
import hmac
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from chain.models import CaseFact, StatusEvent
from devtools.database import database_url
from ingest import loader
from ingest.pseudonymize import event_identity
from ingest.services import ingest_file
from tests.workers import child_environ

HEADER = "vnummer;zaaknummer;spoor;nationaliteit;gebeurtenis;datum;tijd;locatie;amv"


@pytest.mark.django_db
@pytest.mark.parametrize("chunk_rows", [1, loader.CHUNK_ROWS])
def test_of_two_rows_with_one_identity_the_first_is_kept_within_and_across_chunks(
    write_extract, monkeypatch: pytest.MonkeyPatch, chunk_rows: int
) -> None:
    monkeypatch.setattr(loader, "CHUNK_ROWS", chunk_rows)
    rows = [
        "3000000001;Z1;4;SYR;AANVRAAG;01-03-2023;10:00;Ter Apel;N",
        "3000000001;Z1;1;ERI;AANVRAAG;01-03-2023;10:00;Budel;N",
    ]
    path = write_extract("ind.csv", "\n".join([HEADER, *rows]) + "\n")
    summary = ingest_file(partner="IND", path=path)
    assert (summary.accepted, summary.duplicates) == (1, 1)
    event = StatusEvent.objects.get()
    assert (event.track, event.nationality, event.location) == ("4", "SYR", "Ter Apel")


def ind_rows(first: int, count: int) -> list[str]:
    return [
        f"300000{n:04d};Z{n};4;SYR;AANVRAAG;01-03-2023;10:00;Ter Apel;N"
        for n in range(first, first + count)
    ]


@pytest.mark.django_db
def test_a_later_chunk_that_repeats_stored_events_stores_only_the_new_ones(
    write_extract, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first chunk is inserted plainly; the second repeats stored events, so it is rolled
    # back to its savepoint and merged skipping them, as is every chunk after it.
    monkeypatch.setattr(loader, "CHUNK_ROWS", 3)
    ingest_file(partner="IND", path=write_extract("a.csv", "\n".join([HEADER, *ind_rows(10, 3)])))
    rows = [*ind_rows(1, 3), *ind_rows(9, 3), *ind_rows(20, 5)]
    summary = ingest_file(partner="IND", path=write_extract("b.csv", "\n".join([HEADER, *rows])))
    assert (summary.received, summary.accepted, summary.duplicates) == (11, 9, 2)
    assert StatusEvent.objects.count() == 12
    assert CaseFact.objects.count() == 12


@pytest.mark.django_db
def test_the_tables_a_load_fills_row_by_row_carry_no_deferred_per_row_checks() -> None:
    # Each new case or fact row would queue a foreign-key check that runs at COMMIT: seconds
    # for a large extract, for references the loader takes from the database itself.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f'"
            " AND conrelid::regclass::text IN"
            " ('chain_case', 'chain_casefact', 'chain_statusevent')"
        )
        assert cursor.fetchall() == []


def test_ingest_file_starts_without_loading_the_web_pages_and_their_plotting() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "manage.py", "ingest_file", "--partner", "IND",
         "/nonexistent/ind.csv"],
        env={**child_environ(), "DATABASE_URL": database_url()}, cwd=settings.BASE_DIR,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "no such file" in result.stderr
    assert "reports" not in result.stderr
    assert "matplotlib" not in result.stderr


def test_an_event_identity_needs_the_secret_to_be_recomputed() -> None:
    natural_key = "IND|3012345678|Z1|AANVRAAG|02-01-2023|10:15"
    inner = hashlib.sha256(natural_key.encode()).hexdigest()
    assert (
        event_identity(natural_key)
        == hmac.new(settings.PSI_PSEUDONYM_KEY.encode(), inner.encode(), "sha256").hexdigest()
    )
    assert event_identity(natural_key) != inner
