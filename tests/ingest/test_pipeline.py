"""The ingest pipeline end to end: adapter, staging, merge, case facts, records."""

from __future__ import annotations

import json
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from chain.models import Case, CaseFact, DirtyRange, Extract, Measurement, StatusEvent
from devtools.management.commands.bench_ingest import write_extract as write_bench_extract
from ingest import loader
from ingest.models import RejectedRow
from ingest.pseudonymize import person_key
from ingest.services import ingest_file, register_file
from tests import known_chain

pytestmark = pytest.mark.django_db


def test_it_stores_every_good_row_once_with_pseudonymized_keys(write_extract) -> None:
    summary = ingest_file(partner="IND", path=write_extract("ind.csv", known_chain.extract()))
    assert (summary.status, summary.accepted, summary.rejected) == ("accepted", 13, 0)
    assert StatusEvent.objects.count() == 13
    assert Case.objects.count() == 7
    assert Case.objects.filter(person_key=person_key("NL", "3000000001")).exists()
    assert not Case.objects.filter(person_key__contains="3000000001").exists()


def test_it_skips_a_redelivered_file_as_a_duplicate_delivery(write_extract) -> None:
    path = write_extract("ind.csv", known_chain.extract())
    first = ingest_file(partner="IND", path=path)
    again = ingest_file(partner="IND", path=path)
    assert again.status == "duplicate"
    assert f"extract {first.extract_id}" in again.reason
    assert StatusEvent.objects.count() == 13


def test_it_counts_events_of_overlapping_extracts_once(write_extract) -> None:
    ingest_file(
        partner="IND", path=write_extract("a.csv", known_chain.extract(known_chain.ROWS[:9]))
    )
    second = ingest_file(
        partner="IND", path=write_extract("b.csv", known_chain.extract(known_chain.ROWS[5:]))
    )
    assert (second.accepted, second.duplicates) == (4, 4)
    assert StatusEvent.objects.count() == 13


def test_it_keeps_one_of_two_identical_rows_in_one_extract(write_extract) -> None:
    rows = [known_chain.ROWS[0], known_chain.ROWS[0]]
    summary = ingest_file(partner="IND", path=write_extract("d.csv", known_chain.extract(rows)))
    assert (summary.accepted, summary.duplicates) == (1, 1)


def test_it_quarantines_a_bad_row_masked_and_keeps_the_good_ones(write_extract) -> None:
    rows = [*known_chain.ROWS[:2], "3012345678;Z9;4;SYR;ONBEKEND;01-02-2023;;;N"]
    summary = ingest_file(partner="IND", path=write_extract("bad.csv", known_chain.extract(rows)))
    assert (summary.status, summary.accepted, summary.rejected) == ("partially_accepted", 2, 1)
    rejection = RejectedRow.objects.get()
    assert (rejection.line, rejection.field) == (4, "gebeurtenis")
    assert "ONBEKEND" in rejection.reason
    assert rejection.excerpt == "********78"
    assert summary.conflicts == [{"index": 4, "field": "gebeurtenis", "message": rejection.reason}]


def test_it_stores_nothing_of_a_file_it_cannot_read(write_extract) -> None:
    text = known_chain.extract().replace(";", ",")
    summary = ingest_file(partner="IND", path=write_extract("comma.csv", text))
    assert summary.status == "rejected"
    assert "header" in summary.reason
    assert StatusEvent.objects.count() == 0
    assert Case.objects.count() == 0
    assert not DirtyRange.objects.exists()


@pytest.mark.parametrize("chunk_rows", [4, loader.CHUNK_ROWS])
def test_it_rolls_back_rows_staged_before_a_late_unreadable_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_rows: int
) -> None:
    monkeypatch.setattr(loader, "CHUNK_ROWS", chunk_rows)
    path = tmp_path / "late.csv"
    path.write_bytes(known_chain.extract().encode() + b"3000000009;Z;4;SYR;AANVRAAG;\xff\n")
    summary = ingest_file(partner="IND", path=path)
    assert summary.status == "rejected"
    assert "UTF-8" in summary.reason
    assert StatusEvent.objects.count() == 0


def test_an_extract_loaded_in_several_chunks_is_stored_as_in_one(
    write_extract, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "CHUNK_ROWS", 4)
    bad = "3012345678;Z9;4;SYR;ONBEKEND;01-02-2023;;;N"
    rows = [*known_chain.ROWS, known_chain.ROWS[0], bad]
    summary = ingest_file(partner="IND", path=write_extract("c.csv", known_chain.extract(rows)))
    assert (summary.received, summary.accepted, summary.duplicates, summary.rejected) == (
        15, 13, 1, 1,
    )  # fmt: skip
    assert [c["index"] for c in summary.conflicts] == [16]
    assert StatusEvent.objects.count() == 13
    # E's first application (row 5) and its decision (row 12) arrive in different chunks.
    facts = CaseFact.objects.get(case__person_key=person_key("NL", "3000000005"))
    assert (str(facts.lodged), str(facts.decided)) == ("2023-03-01", "2023-04-20")
    assert CaseFact.objects.count() == 7
    extract = Extract.objects.get()
    assert (str(extract.earliest_date), str(extract.latest_date)) == ("2022-12-31", "2023-04-20")


def test_the_last_measurement_of_a_key_wins_across_chunks(
    write_extract, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "CHUNK_ROWS", 2)
    lines = [
        json.dumps({"record": "capaciteit", "locatie": "azc Budel", "peildatum": "2023-04-30",
                    "plaatsen": places})
        for places in (1000, 1100, 1200)
    ]  # fmt: skip
    summary = ingest_file(partner="COA", path=write_extract("coa.jsonl", "\n".join(lines)))
    assert summary.status == "accepted"
    assert Measurement.objects.get().value == 1200


def planner_row_count() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'chain_statusevent'::regclass")
        return cursor.fetchone()[0]


def test_a_load_that_grows_the_events_by_more_than_half_refreshes_the_planners_counts(
    tmp_path: Path,
) -> None:
    small = tmp_path / "small.csv"
    write_bench_extract(small, loader.REANALYZE_MIN_EVENTS - 1, seed=1)
    before = planner_row_count()
    ingest_file(partner="IND", path=small)
    assert planner_row_count() == before
    large = tmp_path / "large.csv"
    write_bench_extract(large, 3 * loader.REANALYZE_MIN_EVENTS, seed=2)
    ingest_file(partner="IND", path=large)
    assert planner_row_count() == 4 * loader.REANALYZE_MIN_EVENTS - 1


def test_it_builds_case_facts_from_first_milestones(write_extract) -> None:
    ingest_file(partner="IND", path=write_extract("ind.csv", known_chain.extract()))
    facts = CaseFact.objects.get(case__person_key=person_key("NL", "3000000005"))
    assert str(facts.lodged) == "2023-03-01"
    assert (str(facts.decided), facts.outcome, facts.track) == (
        "2023-04-20",
        "DECISION_GRANTED",
        "1",
    )


def test_the_command_prints_the_summary_and_exits_1_when_rejected(write_extract) -> None:
    out = StringIO()
    call_command(
        "ingest_file",
        "--partner",
        "IND",
        str(write_extract("ok.csv", known_chain.extract())),
        stdout=out,
    )
    assert json.loads(out.getvalue())["status"] == "accepted"
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "ingest_file",
            "--partner",
            "IND",
            str(write_extract("empty.csv", "")),
            stdout=StringIO(),
        )
    assert exit_.value.code == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_ingests_an_extract_from_the_broker(celery_worker, write_extract) -> None:
    from ingest.tasks import ingest_extract

    extract = register_file(partner="IND", path=write_extract("w.csv", known_chain.extract()))
    ingest_extract.delay(extract.pk)
    deadline = time.monotonic() + 30
    while Extract.objects.get(pk=extract.pk).status == "received":
        assert time.monotonic() < deadline, "the worker did not ingest the extract in 30 s"
        time.sleep(0.2)
    assert Extract.objects.get(pk=extract.pk).status == "accepted"
    assert StatusEvent.objects.count() == 13
    connection.close()
