"""Landing folders: complete files only, archive after ingest, rejected files beside a reason."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.test import override_settings

from chain.models import StatusEvent
from ingest.landing import complete_files
from ingest.models import Extract
from ingest.pull import pull_all
from ingest.services import register_file
from tests import known_chain

pytestmark = pytest.mark.django_db


def drop(folder: Path, name: str, text: str, age: float = 60) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    old = time.time() - age
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
