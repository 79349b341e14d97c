"""A worker killed with SIGKILL in the middle of an extract leaves no part of it stored."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from django.db import connection, transaction

from chain.models import Case, Extract, StatusEvent
from devtools.management.commands.bench_ingest import write_extract
from ingest.services import ingest_extract, register_file
from tests.workers import start_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def worker_is_loading() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
            "AND (query LIKE 'COPY stage_row%%' OR query LIKE '%%INSERT INTO chain_statusevent%%')"
        )
        return cursor.fetchone()[0] > 0


def extract_unlocked(extract_id: int) -> bool:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM ingest_extract WHERE id = %s FOR UPDATE SKIP LOCKED", [extract_id]
        )
        return cursor.fetchone() is not None


def test_a_killed_worker_leaves_nothing_and_the_next_cycle_ingests_the_extract_whole(
    tmp_path: Path,
) -> None:
    from ingest.tasks import ingest_extract as ingest_task
    from psi.celery import app

    path = tmp_path / "ind_zaakstatus_20240101.csv"
    write_extract(path, 150_000)
    extract = register_file(partner="IND", path=path)
    app.control.purge()
    worker = start_worker()
    try:
        ingest_task.delay(extract.pk)
        wait_for(worker_is_loading, 60, "the worker to start loading")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    app.control.purge()
    # PostgreSQL rolls the dead worker's transaction back once it notices the client is gone.
    wait_for(lambda: extract_unlocked(extract.pk), 120, "the dead worker's transaction to end")
    assert StatusEvent.objects.count() == 0
    assert Case.objects.count() == 0
    assert Extract.objects.get(pk=extract.pk).status == "received"

    summary = ingest_extract(extract_id=extract.pk)
    assert summary is not None
    assert (summary.status, summary.accepted) == ("accepted", 150_000)
    assert StatusEvent.objects.count() == 150_000
