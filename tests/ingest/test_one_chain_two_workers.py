"""While one worker loads an extract, another worker loads the next extract of the same chain."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from django.db import connection

from ingest.models import Extract
from ingest.services import ImportSummary, ingest_extract, register_file
from tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HEADER = "vnummer;zaaknummer;spoor;nationaliteit;gebeurtenis;datum;tijd;locatie;amv"


def ind_file(path: Path, day: int) -> Path:
    path.write_text(f"{HEADER}\n3000000001;Z1;4;SYR;AANVRAAG;{day:02d}-03-2023;;Ter Apel;N\n")
    return path


def a_worker_is_reading(extract_id: int) -> bool:
    """The first worker holds its extract's row lock, i.e. it is inside its transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'ingest_extract' AND l.mode = 'RowShareLock'"
        )
        return cursor.fetchone()[0] > 0


def test_a_second_worker_is_not_held_up_by_another_extract_of_the_same_chain(
    tmp_path: Path,
) -> None:
    slow = register_file(partner="IND", path=ind_file(tmp_path / "ind_1.csv", 1))
    other = register_file(partner="IND", path=ind_file(tmp_path / "ind_2.csv", 2))
    # The first worker reads its file from a pipe, so it stays inside its transaction until the
    # test writes the file's content.
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    Extract.objects.filter(pk=slow.pk).update(path=str(pipe))
    results: list[ImportSummary | None] = []

    def first_worker() -> None:
        try:
            results.append(ingest_extract(extract_id=slow.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=first_worker)
    worker.start()
    try:
        wait_for(lambda: a_worker_is_reading(slow.pk), 30, "the first worker to lock its extract")
        second = ingest_extract(extract_id=other.pk)
    finally:
        pipe.write_text(f"{HEADER}\n")
        worker.join(timeout=30)

    assert second is not None and second.status == Extract.Status.ACCEPTED
    assert results and results[0] is not None
    assert set(Extract.objects.values_list("status", flat=True)) == {Extract.Status.ACCEPTED}
