"""Landing folders: complete files only, archive after ingest, rejected files beside a reason.

Two workers pulling at once (two threads, each on its own database connection, as two Celery
workers would be) never ingest an extract twice. A partner can write its own folder, so links
there are refused and shown on the ingest page, and nothing outside the folder is read or written.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client, override_settings

from chain import clock
from chain.models import Extract, StatusEvent
from devtools.management.commands.bench_ingest import write_extract
from ingest.landing import complete_files
from ingest.models import Source
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


def link(path: Path, target: Path, age: float = 60) -> Path:
    """A settled symbolic link at ``path``, as a partner could leave one in its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    old = clock.now().timestamp() - age
    os.utime(path, (old, old), follow_symlinks=False)
    return path


def ingest_page(partner: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.create_superuser("beheerder", "beheer@example.org"))
    response = client.get("/ingest/", {"partner": partner})
    assert response.status_code == 200
    return response.content.decode()


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


def test_a_landed_link_is_refused_unread_and_the_page_says_why(tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("secret;column\n3012345678;x\n")
    link(tmp_path / "IND" / "ind_zaakstatus_20230501.csv", secret)
    with override_settings(LANDING_ROOT=tmp_path):
        [summary] = pull_all()["IND"]
    extract = Extract.objects.get()
    assert (summary.status, extract.status) == ("rejected", "rejected")
    assert extract.reason == (
        "refused: ind_zaakstatus_20230501.csv is a symbolic link; links are refused and their "
        "target is not read"
    )
    # Never read: no digest, no size, no row quoted back.
    assert (extract.sha256, extract.size, extract.rejections.count()) == ("", 0, 0)
    moved = tmp_path / "IND" / "rejected" / "ind_zaakstatus_20230501.csv"
    assert moved.is_symlink() and secret.read_text().startswith("secret;")
    assert (moved.parent / f"{moved.name}.reason.txt").read_text() == extract.reason + "\n"
    assert "is a symbolic link; links are refused" in ingest_page("IND")


def test_a_landed_hard_link_or_pipe_is_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text(known_chain.extract())
    folder = tmp_path / "IND"
    folder.mkdir()
    os.link(secret, folder / "ind_zaakstatus_20230501.csv")
    os.mkfifo(folder / "ind_zaakstatus_20230502.csv")
    settled = clock.now().timestamp() - 60
    for path in folder.iterdir():
        os.utime(path, (settled, settled))
    with override_settings(LANDING_ROOT=tmp_path):
        pull_all()
    assert sorted(Extract.objects.values_list("reason", flat=True)) == [
        "refused: ind_zaakstatus_20230501.csv has other hard links, so it may be another's file; "
        "it is not read",
        "refused: ind_zaakstatus_20230502.csv is not a plain file; it is not read",
    ]
    assert not StatusEvent.objects.exists()


def test_a_link_in_place_of_a_reason_file_is_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "elsewhere" / "settings.py"
    victim.parent.mkdir()
    victim.write_text("KEEP = True\n")
    name = "ind_zaakstatus_20230501.csv"
    link(tmp_path / "IND" / "rejected" / f"{name}.reason.txt", victim)
    drop(tmp_path / "IND", name, "not;the;header\n1;2;3\n")
    with override_settings(LANDING_ROOT=tmp_path):
        pull_all()
    extract = Extract.objects.get()
    assert victim.read_text() == "KEEP = True\n"
    beside = tmp_path / "IND" / "rejected" / f"{extract.pk}-{name}.reason.txt"
    assert "missing column(s)" in beside.read_text()


@pytest.mark.parametrize(
    ("subfolder", "text"),
    [
        ("processing", known_chain.extract()),
        ("archive", known_chain.extract()),
        ("rejected", "not;the;header\n1;2;3\n"),
    ],
)
def test_a_subfolder_that_is_a_link_stops_that_partner_and_the_page_says_why(
    tmp_path: Path, subfolder: str, text: str
) -> None:
    outside = tmp_path / "COA" / "incoming"
    outside.mkdir(parents=True)
    link(tmp_path / "IND" / subfolder, outside)
    dropped = drop(tmp_path / "IND", "ind_zaakstatus_20230501.csv", text)
    with override_settings(LANDING_ROOT=tmp_path):
        assert pull_all()["IND"] == []
    assert not list(outside.iterdir())
    assert dropped.exists() and not Extract.objects.exists()
    source = Source.objects.get(organisation_id="IND")
    assert source.last_error == (
        f"{tmp_path / 'IND' / subfolder} is a symbolic link; a landing folder and its "
        "subfolders must be real folders, so nothing was pulled"
    )
    assert source.last_error_at is not None
    page = ingest_page("IND")
    assert "The last pull failed" in page and "must be real folders" in page


def test_a_partner_folder_that_is_a_link_is_not_pulled_until_it_is_a_folder_again(
    tmp_path: Path,
) -> None:
    other = tmp_path / "other-partner"
    drop(other, "ind_zaakstatus_20230501.csv", known_chain.extract())
    link(tmp_path / "IND", other)
    with override_settings(LANDING_ROOT=tmp_path):
        pull_all()
        assert not Extract.objects.exists()
        assert "is a symbolic link" in Source.objects.get(organisation_id="IND").last_error
        (tmp_path / "IND").unlink()
        drop(tmp_path / "IND", "ind_zaakstatus_20230501.csv", known_chain.extract())
        pull_all()
    source = Source.objects.get(organisation_id="IND")
    assert (source.last_error, source.last_error_at) == ("", None)
    assert Extract.objects.get().status == "accepted"
    assert "The last pull failed" not in ingest_page("IND")


def test_an_extract_whose_file_vanished_is_rejected_and_the_partner_goes_on(
    tmp_path: Path,
) -> None:
    processing = tmp_path / "IND" / "processing"
    gone = drop(processing, "ind_zaakstatus_20230430.csv", "x")
    register_file(partner="IND", path=gone)  # the worker died after recording it
    gone.unlink()
    drop(tmp_path / "IND", "ind_zaakstatus_20230501.csv", known_chain.extract())
    with override_settings(LANDING_ROOT=tmp_path):
        results = pull_all()
    assert [s.status for s in results["IND"]] == ["rejected", "accepted"]
    vanished = Extract.objects.get(name="ind_zaakstatus_20230430.csv")
    assert vanished.reason == (
        f"refused: ind_zaakstatus_20230430.csv vanished from {processing} before it was read"
    )
    assert StatusEvent.objects.count() == 13
    assert Source.objects.get(organisation_id="IND").last_error == ""


def test_a_failing_source_is_recorded_and_the_others_are_still_pulled(tmp_path: Path) -> None:
    # COA comes before IND; a feed without a URL fails.
    Source.objects.create(organisation_id="COA", kind=Source.Kind.FEED)
    drop(tmp_path / "IND", "ind_zaakstatus_20230501.csv", known_chain.extract())
    with override_settings(LANDING_ROOT=tmp_path, FEDASIL_FEED_URL=""):
        results = pull_all()
    assert [s.status for s in results["IND"]] == ["accepted"]
    coa = Source.objects.get(organisation_id="COA")
    assert coa.last_error == "no feed URL: set FEDASIL_FEED_URL or the source's URL"
    assert coa.last_error_at is not None


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
