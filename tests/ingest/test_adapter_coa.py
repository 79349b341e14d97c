"""The COA adapter: JSON Lines of reception mutations and capacity, good and bad."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from chain.models import Measurement, StatusEvent
from ingest.adapters.base import EventRow, ExtractRejected, MeasurementRow, Rejection, Row
from ingest.adapters.coa import CoaAdapter
from ingest.models import RejectedRow
from ingest.services import ingest_file
from tests.conftest import DATA

pytestmark = pytest.mark.django_db
CET = timezone(timedelta(hours=1))
MUTATIE = {
    "record": "mutatie", "mutatie_id": "COA-M-1", "v_nummer": "3012345678",
    "soort": "INSTROOM", "reden": None, "locatie": "azc Budel", "locatie_type": "AZC",
    "tijdstip": "2023-04-30T10:15:00+02:00",
}  # fmt: skip
CAPACITEIT = {"record": "capaciteit", "locatie": "azc Budel", "peildatum": "2023-04-30",
              "plaatsen": 1200}  # fmt: skip


def parse(data: bytes) -> list[Row]:
    return list(CoaAdapter().parse(io.BytesIO(data)))


def lines(*records: Mapping[str, object] | str) -> bytes:
    """JSON Lines of the records; a string is written as it is."""
    text = (r if isinstance(r, str) else json.dumps(r) for r in records)
    return "".join(f"{line}\n" for line in text).encode()


def mutatie(**fields: object) -> dict[str, object]:
    return {**MUTATIE, **fields}


def only_rejection(data: bytes) -> Rejection:
    rows = parse(data)
    assert len(rows) == 1 and isinstance(rows[0], Rejection), rows
    return rows[0]


def test_it_reads_the_sample_into_canonical_events_and_capacity() -> None:
    rows = parse((DATA / "coa_mutaties_20230501.jsonl").read_bytes())
    assert rows == [
        EventRow(1, "COA-M-00012345", "3012345678", "RECEPTION_ENTERED",
                 datetime(2023, 1, 2, 12, 5, tzinfo=CET), location="aanmeldcentrum Ter Apel"),
        EventRow(2, "COA-M-00012390", "3012345678", "RECEPTION_TRANSFERRED",
                 datetime(2023, 1, 16, 10, 0, tzinfo=CET), location="azc Budel"),
        EventRow(3, "COA-M-00019001", "3098765432", "RECEPTION_ENTERED",
                 datetime(2023, 2, 14, 18, 30, tzinfo=CET), location="aanmeldcentrum Ter Apel"),
        EventRow(4, "COA-M-00021777", "3098765432", "RECEPTION_LEFT",
                 datetime(2023, 3, 20, 8, 0, tzinfo=CET), location="aanmeldcentrum Ter Apel",
                 reason="UNKNOWN"),
        MeasurementRow(5, "RECEPTION_CAPACITY", "aanmeldcentrum Ter Apel", date(2023, 4, 30),
                       2000.0),
        MeasurementRow(6, "RECEPTION_CAPACITY", "azc Budel", date(2023, 4, 30), 1200.0),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("reden", "reason"),
    [("HUISVESTING", "HOUSING"), ("VERTREK", "DEPARTURE"), ("MOB", "UNKNOWN"),
     ("OVERIG", "OTHER")],
)  # fmt: skip
def test_it_maps_every_reason_of_leaving(reden: str, reason: str) -> None:
    [row] = parse(lines(mutatie(soort="UITSTROOM", reden=reden)))
    assert isinstance(row, EventRow) and row.reason == reason


def test_it_strips_white_space_around_fields_and_takes_any_utc_offset() -> None:
    padded = mutatie(v_nummer=" 3012345678 ", mutatie_id=" COA-M-1 ", locatie="  azc Budel ",
                     tijdstip="2023-04-30T08:15:00Z")  # fmt: skip
    [row] = parse(lines(padded))
    assert isinstance(row, EventRow)
    assert (row.person_ref, row.source_event_id, row.location) == (
        "3012345678", "COA-M-1", "azc Budel",
    )  # fmt: skip
    assert row.occurred_at == datetime(2023, 4, 30, 8, 15, tzinfo=UTC)


def test_it_ignores_a_reason_on_a_mutation_that_is_not_leaving() -> None:
    [row] = parse(lines(mutatie(reden="VERTREK")))
    assert isinstance(row, EventRow) and row.reason is None


@pytest.mark.parametrize("soort", ["INSTROOM", "OVERPLAATSING"])
def test_it_rejects_an_unknown_reason_on_a_mutation_that_is_not_leaving(soort: str) -> None:
    rejection = only_rejection(lines(mutatie(soort=soort, reden="VERDWENEN")))
    assert (rejection.field, rejection.reason) == (
        "reden", "unknown reason 'VERDWENEN' (expected one of HUISVESTING, MOB, OVERIG, VERTREK)",
    )  # fmt: skip


def test_it_strips_white_space_around_the_record_kind() -> None:
    rows = parse(lines(mutatie(record=" mutatie\t"), {**CAPACITEIT, "record": "  capaciteit "}))
    assert [type(r) for r in rows] == [EventRow, MeasurementRow]


def test_it_tolerates_a_byte_order_mark_and_blank_lines() -> None:
    rows = parse(b"\xef\xbb\xbf" + lines(MUTATIE) + b"\n  \n" + lines(CAPACITEIT))
    assert [type(r) for r in rows] == [EventRow, MeasurementRow]
    assert [r.line for r in rows] == [1, 4]


def test_it_rejects_an_empty_file_whole() -> None:
    with pytest.raises(ExtractRejected, match="empty"):
        parse(b"")


def test_it_rejects_a_file_of_blank_lines_whole() -> None:
    with pytest.raises(ExtractRejected, match="empty"):
        parse(b"\n   \n\n")


def test_it_rejects_a_truncated_last_line_on_its_own() -> None:
    data = lines(MUTATIE, CAPACITEIT) + b'{"record": "mutatie", "mutatie_id": "COA-M-2", "v_n'
    rows = parse(data)
    assert [type(r) for r in rows] == [EventRow, MeasurementRow, Rejection]
    rejection = rows[2]
    assert isinstance(rejection, Rejection)
    assert (rejection.line, rejection.field) == (3, "")
    assert rejection.reason.startswith("not JSON (")


def test_it_rejects_one_line_that_is_not_json_on_its_own() -> None:
    rows = parse(lines(MUTATIE, "3012345678;INSTROOM", mutatie(mutatie_id="COA-M-2")))
    assert [type(r) for r in rows] == [EventRow, Rejection, EventRow]
    rejection = rows[1]
    assert isinstance(rejection, Rejection)
    assert rejection.line == 2
    assert "not JSON" in rejection.reason
    assert rejection.excerpt == "********78;INSTROOM"


def test_it_rejects_a_line_that_is_json_but_not_an_object() -> None:
    rows = parse(lines(MUTATIE, "[1, 2, 3]"))
    assert isinstance(rows[1], Rejection)
    assert rows[1].reason == "not a JSON object but an array"


@pytest.mark.parametrize(
    "broken", [["not json"], ["not json", "nor this"], ["[1, 2]", "{broken", MUTATIE]]
)
def test_it_rejects_a_short_file_whose_lines_are_mostly_not_json_whole(
    broken: list[dict[str, object] | str],
) -> None:
    with pytest.raises(ExtractRejected, match="non-empty lines are not JSON objects"):
        parse(lines(*broken))


def test_it_rejects_one_broken_line_beside_one_good_line_on_its_own() -> None:
    rows = parse(lines("{broken", MUTATIE))
    assert [type(r) for r in rows] == [Rejection, EventRow]


def test_it_rejects_a_file_whose_first_ten_lines_are_not_json_at_once() -> None:
    data = b"vnummer;soort\n" * 10 + lines(MUTATIE) * 1000
    rows = CoaAdapter().parse(io.BytesIO(data))
    with pytest.raises(ExtractRejected, match="first 10 records are not JSON objects"):
        list(rows)


def test_it_rejects_a_file_whose_lines_are_mostly_not_json_whole() -> None:
    data = lines(MUTATIE, "not json", "also not", mutatie(mutatie_id="COA-M-2"), "nor this")
    with pytest.raises(ExtractRejected, match="3 of 5 non-empty lines are not JSON objects"):
        parse(data)


def test_a_file_with_half_its_lines_not_json_is_kept_line_by_line() -> None:
    rows = parse(lines(MUTATIE, "not json", mutatie(mutatie_id="COA-M-2"), "nor this"))
    assert [type(r) for r in rows] == [EventRow, Rejection, EventRow, Rejection]


def test_it_rejects_invalid_utf8_whole_naming_the_line() -> None:
    data = lines(MUTATIE) + b'{"record": "capaciteit", "locatie": "azc B\xffdel"}\n'
    with pytest.raises(ExtractRejected, match="line 2: not valid UTF-8"):
        parse(data)


@pytest.mark.parametrize("tijdstip", ["2023-02-31T10:00:00+01:00", "2023-13-01T10:00:00+01:00",
                                      "31-02-2023 10:00", ""])  # fmt: skip
def test_it_rejects_an_impossible_or_malformed_timestamp(tijdstip: str) -> None:
    rejection = only_rejection(lines(mutatie(tijdstip=tijdstip)))
    assert rejection.field == "tijdstip"


def test_it_rejects_a_timestamp_without_utc_offset() -> None:
    rejection = only_rejection(lines(mutatie(tijdstip="2023-04-30T10:15:00")))
    assert (rejection.field, rejection.reason) == (
        "tijdstip", "'2023-04-30T10:15:00' has no UTC offset",
    )  # fmt: skip
    assert '"tijdstip": "2023-04-30T10:15:00"' in rejection.excerpt


@pytest.mark.parametrize("peildatum", ["2023-02-31", "2023-13-01", "31-02-2023", "1023-01-01"])
def test_it_rejects_an_impossible_capacity_date(peildatum: str) -> None:
    rejection = only_rejection(lines({**CAPACITEIT, "peildatum": peildatum}))
    assert rejection.field == "peildatum"
    assert peildatum in rejection.reason
    assert peildatum in rejection.excerpt


def test_it_rejects_an_unknown_mutation_naming_the_known_ones() -> None:
    rejection = only_rejection(lines(mutatie(soort="VERHUIZING")))
    assert rejection.field == "soort"
    assert rejection.reason == (
        "unknown mutation 'VERHUIZING' (expected one of INSTROOM, OVERPLAATSING, UITSTROOM)"
    )


def test_it_rejects_an_unknown_record() -> None:
    rejection = only_rejection(lines({"record": "bezetting", "locatie": "azc Budel"}))
    assert rejection.field == "record"
    assert "unknown record 'bezetting'" in rejection.reason


def test_it_needs_a_reason_to_leave_reception() -> None:
    rejection = only_rejection(lines(mutatie(soort="UITSTROOM", reden=None)))
    assert (rejection.field, rejection.reason) == ("reden", "UITSTROOM needs a reden")


def test_it_rejects_an_unknown_reason_to_leave() -> None:
    rejection = only_rejection(lines(mutatie(soort="UITSTROOM", reden="VERDWENEN")))
    assert rejection.field == "reden"


def test_it_rejects_an_unknown_location_type() -> None:
    rejection = only_rejection(lines(mutatie(locatie_type="HOTEL")))
    assert rejection.field == "locatie_type"
    assert "AZC, GVL, NOODOPVANG, POL" in rejection.reason


@pytest.mark.parametrize(
    ("v_nummer", "reason"),
    [(None, "missing person key"), ("", "missing person key"),
     ("301234567", "*******67 is not a valid V-nummer (10 digits)"),
     ("30123456x8", "********x8 is not a valid V-nummer (10 digits)"),
     (3012345678, "must be a string, found a number")],
)  # fmt: skip
def test_it_rejects_an_empty_or_malformed_v_nummer_masked(v_nummer: object, reason: str) -> None:
    rejection = only_rejection(lines(mutatie(v_nummer=v_nummer)))
    assert (rejection.field, rejection.reason) == ("v_nummer", reason)
    assert "3012345678" not in rejection.excerpt
    assert "301234567" not in rejection.excerpt


def test_it_rejects_a_mutation_without_id() -> None:
    rejection = only_rejection(lines(mutatie(mutatie_id=" ")))
    assert (rejection.field, rejection.reason) == ("mutatie_id", "missing mutatie_id")


@pytest.mark.parametrize(
    ("plaatsen", "reason"),
    [(-1, "must not be negative"), (12.5, "must be a whole number, found a number"),
     ("1200", "must be a whole number, found a string"),
     (True, "must be a whole number, found true or false"),
     (10**12, "more than 1,000,000: not plausible")],
)  # fmt: skip
def test_it_rejects_capacity_that_is_not_a_count_of_places(plaatsen: object, reason: str) -> None:
    rejection = only_rejection(lines({**CAPACITEIT, "plaatsen": plaatsen}))
    assert (rejection.field, rejection.reason) == ("plaatsen", reason)


def test_it_rejects_a_location_with_control_characters() -> None:
    rejection = only_rejection(lines(mutatie(locatie="azc\u0000Budel")))
    assert (rejection.field, rejection.reason) == ("locatie", "contains control characters")


def write(tmp_path: Path, data: bytes, name: str = "coa_mutaties_20230501.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_sample_is_stored_as_events_and_measurements() -> None:
    summary = ingest_file(partner="COA", path=DATA / "coa_mutaties_20230501.jsonl")
    assert (summary.status, summary.accepted, summary.rejected) == ("accepted", 6, 0)
    assert sorted(StatusEvent.objects.values_list("source_event_id", "event_type")) == [
        ("COA-M-00012345", "RECEPTION_ENTERED"),
        ("COA-M-00012390", "RECEPTION_TRANSFERRED"),
        ("COA-M-00019001", "RECEPTION_ENTERED"),
        ("COA-M-00021777", "RECEPTION_LEFT"),
    ]
    left = StatusEvent.objects.get(source_event_id="COA-M-00021777")
    assert (left.reason, str(left.local_date), left.chain_id) == ("UNKNOWN", "2023-03-20", "NL")
    assert sorted(Measurement.objects.values_list("location", "kind", "date", "value")) == [
        ("aanmeldcentrum Ter Apel", "RECEPTION_CAPACITY", date(2023, 4, 30), 2000.0),
        ("azc Budel", "RECEPTION_CAPACITY", date(2023, 4, 30), 1200.0),
    ]


def test_a_partially_bad_file_keeps_every_good_row_and_quarantines_the_bad(
    tmp_path: Path,
) -> None:
    data = lines(MUTATIE, mutatie(mutatie_id="COA-M-2", soort="WEG"), "{broken",
                 CAPACITEIT)  # fmt: skip
    summary = ingest_file(partner="COA", path=write(tmp_path, data))
    assert (summary.status, summary.accepted, summary.rejected) == ("partially_accepted", 2, 2)
    assert list(StatusEvent.objects.values_list("source_event_id", flat=True)) == ["COA-M-1"]
    assert Measurement.objects.get().value == 1200.0
    rejected = list(RejectedRow.objects.values_list("line", "field", "excerpt"))
    assert rejected[0][:2] == (2, "soort")
    assert '"v_nummer": "********78"' in rejected[0][2]
    assert rejected[1] == (3, "", "{broken")


def test_a_duplicate_row_is_stored_once(tmp_path: Path) -> None:
    summary = ingest_file(partner="COA", path=write(tmp_path, lines(MUTATIE, MUTATIE)))
    assert (summary.accepted, summary.duplicates) == (1, 1)
    assert StatusEvent.objects.count() == 1


def test_a_file_rejected_whole_stores_nothing(tmp_path: Path) -> None:
    data = lines(MUTATIE, CAPACITEIT) + b"\xff\xfe\n"
    summary = ingest_file(partner="COA", path=write(tmp_path, data))
    assert summary.status == "rejected"
    assert "not valid UTF-8" in summary.reason
    assert not StatusEvent.objects.exists()
    assert not Measurement.objects.exists()
