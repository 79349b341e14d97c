"""While one worker loads an extract, another worker loads the next extract of the same chain."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest
from django.db import connection

from chain.models import Extract
from ingest.adapters.base import Row
from ingest.adapters.ind import IndAdapter
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


class HeldAdapter(IndAdapter):
    """The IND adapter, except that in the ``held`` thread it waits for ``released`` first.

    A delivered file must be a plain file (a pipe is refused), so the first worker is held
    here, inside its transaction, rather than by reading a pipe.
    """

    def __init__(self, held: threading.Thread) -> None:
        self.held = held
        self.released = threading.Event()

    def parse(self, stream: BinaryIO) -> Iterator[Row]:
        if threading.current_thread() is self.held:
            assert self.released.wait(30), "the test never released the first worker"
        return super().parse(stream)


def test_a_second_worker_is_not_held_up_by_another_extract_of_the_same_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = register_file(partner="IND", path=ind_file(tmp_path / "ind_1.csv", 1))
    other = register_file(partner="IND", path=ind_file(tmp_path / "ind_2.csv", 2))
    results: list[ImportSummary | None] = []

    def first_worker() -> None:
        try:
            results.append(ingest_extract(extract_id=slow.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=first_worker)
    adapter = HeldAdapter(worker)
    monkeypatch.setattr("ingest.services.adapter_for", lambda partner: adapter)
    worker.start()
    try:
        wait_for(lambda: a_worker_is_reading(slow.pk), 30, "the first worker to lock its extract")
        second = ingest_extract(extract_id=other.pk)
    finally:
        adapter.released.set()
        worker.join(timeout=30)

    assert second is not None and second.status == Extract.Status.ACCEPTED
    assert results and results[0] is not None
    assert set(Extract.objects.values_list("status", flat=True)) == {Extract.Status.ACCEPTED}
