"""Landing folders: complete files only, archive after ingest, rejected files beside a reason.

Two workers pulling at once (two threads, each on its own database connection, as two Celery
workers would be) never ingest an extract twice.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from django.db import connection
from django.test import override_settings

from chain import clock
from chain.models import StatusEvent
from ingest.landing import complete_files
from ingest.management.commands.bench_ingest import write_extract
from ingest.models import Extract
from ingest.pull import pull_all
from ingest.services import ingest_extract, register_file
from tests import known_chain

pytestmark = pytest.mark.django_db
T = TypeVar("T")


def drop(folder: Path, name: str, text: str, age: float = 60) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    old = clock.now().timestamp() - age
    os.utime(path, (old, old))
    return path


def test_it_leaves_files_still_being_written(tmp_path: Path) -> None:
    drop(tmp_path, "ind_zaakstatus_20230501.csv", "x", age=0)
    drop(tmp_path, "ind_zaakstatus_20230502.csv.part", "x")
    drop(tmp_path, "ind_zaakstatus_20230503.csv", "x")
    assert [p.name for p in complete_files(tmp_path)] == ["ind_zaakstatus_20230503.csv"]


def test_a_pull_cycle_ingests_and_archives_a_landed_file(tmp_path: Path) -> None:
    drop(tmp_path / "IND", "ind_zaakstatus_20230501.csv", known_chain.extract())
    with override_settings(LANDING_ROOT=tmp_path):
        results = pull_all()
    assert [s.status for s in results["IND"]] == ["accepted"]
    assert StatusEvent.objects.count() == 13
    assert (tmp_path / "IND" / "archive" / "ind_zaakstatus_20230501.csv").exists()
    assert not list((tmp_path / "IND").glob("*.csv"))


def test_a_rejected_file_lands_in_rejected_beside_its_reason(tmp_path: Path) -> None:
    drop(tmp_path / "IND", "ind_zaakstatus_20230501.csv", "not;the;header\n1;2;3\n")
    with override_settings(LANDING_ROOT=tmp_path):
        pull_all()
    rejected = tmp_path / "IND" / "rejected"
    assert (rejected / "ind_zaakstatus_20230501.csv").exists()
    reason = (rejected / "ind_zaakstatus_20230501.csv.reason.txt").read_text()
    assert "missing column(s)" in reason


def test_the_next_cycle_ingests_an_extract_a_killed_worker_left_behind(tmp_path: Path) -> None:
    processing = tmp_path / "IND" / "processing"
    path = drop(processing, "ind_zaakstatus_20230501.csv", known_chain.extract())
    register_file(partner="IND", path=path)  # the worker died after recording it
    with override_settings(LANDING_ROOT=tmp_path):
        pull_all()
    assert Extract.objects.get().status == "accepted"
    assert StatusEvent.objects.count() == 13
    assert (tmp_path / "IND" / "archive" / "ind_zaakstatus_20230501.csv").exists()


def run_at_once(work: Callable[[], T], workers: int = 2) -> list[T]:
    """``work`` in threads started together, each on a database connection of its own."""
    barrier = threading.Barrier(workers)
    results: list[T] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == workers, "a worker failed; see its traceback above"
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_given_the_same_extract_ingest_it_once(tmp_path: Path) -> None:
    path = tmp_path / "ind_zaakstatus_20240101.csv"
    write_extract(path, 20_000)
    extract = register_file(partner="IND", path=path)
    summaries = run_at_once(lambda: ingest_extract(extract_id=extract.pk))
    assert sorted(s is None for s in summaries) == [False, True]
    assert [s.accepted for s in summaries if s is not None] == [20_000]
    assert StatusEvent.objects.count() == 20_000


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_pulling_at_once_ingest_each_landed_extract_exactly_once(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "IND"
    folder.mkdir()
    settled = clock.now().timestamp() - 60
    for seed in (1, 2, 3):
        path = folder / f"ind_zaakstatus_2024010{seed}.csv"
        write_extract(path, 5_000, seed=seed)
        os.utime(path, (settled, settled))
    with override_settings(LANDING_ROOT=tmp_path):
        results = run_at_once(pull_all)
    summaries = [s for result in results for s in result.get("IND", [])]
    assert sorted(s.extract_id for s in summaries) == sorted(
        Extract.objects.values_list("pk", flat=True)
    )
    assert Extract.objects.filter(status="accepted").count() == 3
    assert sum(s.accepted for s in summaries) == StatusEvent.objects.count() == 15_000
    assert sorted(p.name for p in (folder / "archive").iterdir()) == [
        f"ind_zaakstatus_2024010{seed}.csv" for seed in (1, 2, 3)
    ]
    assert not list((folder / "processing").iterdir())
