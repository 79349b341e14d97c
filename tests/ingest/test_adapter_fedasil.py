"""The Fedasil adapter: occupancy pages and capacity documents of the feed, good and bad."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from chain.models import Measurement, StatusEvent
from ingest.adapters.base import EventRow, ExtractRejected, MeasurementRow, Rejection, Row
from ingest.adapters.fedasil import FedasilAdapter
from ingest.models import RejectedRow
from ingest.services import ingest_file
from tests.conftest import DATA

pytestmark = pytest.mark.django_db
ITEM = {
    "id": "FED-1", "sp_number": "8123456", "centre": "Petit-Château",
    "centre_type": "COLLECTIVE", "event": "ARRIVAL", "exit_reason": None,
    "occurred_at": "2023-04-30T10:15:00+02:00",
}  # fmt: skip
CENTRE = {"centre": "Petit-Château", "places": 850}


def parse(data: bytes | dict[str, object]) -> list[Row]:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return list(FedasilAdapter().parse(io.BytesIO(raw)))


def page(*items: object, next_cursor: str | None = None) -> dict[str, object]:
    return {"data": list(items), "next_cursor": next_cursor}


def item(**fields: object) -> dict[str, object]:
    return {**ITEM, **fields}


def capacity(*items: object, day: object = "2023-04-30") -> dict[str, object]:
    return {"date": day, "data": list(items)}


def only_rejection(document: dict[str, object]) -> Rejection:
    rows = parse(document)
    assert len(rows) == 1 and isinstance(rows[0], Rejection), rows
    return rows[0]


def rejected_whole(data: bytes | dict[str, object]) -> str:
    with pytest.raises(ExtractRejected) as rejected:
        parse(data)
    return str(rejected.value)


def test_it_reads_the_sample_page_into_canonical_events() -> None:
    cet, cest = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))
    rows = parse((DATA / "fedasil_occupancy_events_page1.json").read_bytes())
    assert rows == [
        EventRow(1, "FED-000123", "8123456", "RECEPTION_ENTERED",
                 datetime(2023, 1, 3, 15, 10, tzinfo=cet), location="Petit-Château"),
        EventRow(2, "FED-000188", "8123456", "RECEPTION_TRANSFERRED",
                 datetime(2023, 1, 20, 11, 0, tzinfo=cet), location="Centre Croix-Rouge Jette"),
        EventRow(3, "FED-000402", "8123456", "RECEPTION_LEFT",
                 datetime(2023, 6, 30, 9, 0, tzinfo=cest), location="Centre Croix-Rouge Jette",
                 reason="HOUSING"),
    ]  # fmt: skip


def test_it_reads_the_sample_capacity_document_into_measurements() -> None:
    rows = parse((DATA / "fedasil_capacity_20230430.json").read_bytes())
    assert rows == [
        MeasurementRow(1, "RECEPTION_CAPACITY", "Petit-Château", date(2023, 4, 30), 850.0),
        MeasurementRow(2, "RECEPTION_CAPACITY", "Centre Croix-Rouge Jette", date(2023, 4, 30),
                       420.0),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("exit_reason", "reason"),
    [("PROTECTION_GRANTED", "HOUSING"), ("VOLUNTARY_RETURN", "DEPARTURE"),
     ("UNKNOWN", "UNKNOWN"), ("OTHER", "OTHER")],
)  # fmt: skip
def test_it_maps_every_exit_reason(exit_reason: str, reason: str) -> None:
    [row] = parse(page(item(event="EXIT", exit_reason=exit_reason)))
    assert isinstance(row, EventRow) and row.reason == reason


def test_it_strips_white_space_and_takes_any_utc_offset() -> None:
    padded = item(id=" FED-1 ", sp_number=" 81234567 ", occurred_at="2023-04-30T08:15:00+00:00")
    [row] = parse(page(padded))
    assert isinstance(row, EventRow)
    assert (row.source_event_id, row.person_ref) == ("FED-1", "81234567")
    assert row.occurred_at == datetime(2023, 4, 30, 8, 15, tzinfo=UTC)


def test_an_empty_last_page_has_no_rows() -> None:
    assert parse(page()) == []


def test_it_tolerates_a_byte_order_mark() -> None:
    assert len(parse(b"\xef\xbb\xbf" + json.dumps(page(ITEM)).encode())) == 1


def test_it_rejects_a_page_that_is_not_json_whole() -> None:
    assert rejected_whole(b"<html>502 Bad Gateway</html>") == (
        "not JSON (Expecting value: line 1 column 1 (char 0))"
    )


def test_it_rejects_a_truncated_page_whole() -> None:
    data = json.dumps(page(ITEM, ITEM)).encode()
    assert rejected_whole(data[:-30]).startswith("not JSON (")


def test_it_rejects_an_empty_document_whole() -> None:
    assert rejected_whole(b" \n").startswith("the document is empty")


def test_it_rejects_invalid_utf8_whole() -> None:
    data = json.dumps(page(ITEM)).encode().replace(b"Petit", b"P\xe9tit")
    assert "not valid UTF-8" in rejected_whole(data)


@pytest.mark.parametrize(
    ("document", "found"),
    [(b"[]", "an array"), (b'"data"', "a string"), (b"42", "a number"), (b"null", "null")],
)
def test_it_rejects_a_document_that_is_not_an_object_whole(document: bytes, found: str) -> None:
    assert rejected_whole(document).startswith(f"the document is {found}: expected ")


@pytest.mark.parametrize(
    "document",
    [{"data": []}, {"items": [], "cursor": None}, {"data": [], "next_cursor": None, "date": "x"}],
)
def test_it_rejects_a_document_of_neither_shape_whole(document: dict[str, object]) -> None:
    assert rejected_whole(document).startswith("the document is neither an occupancy page")


@pytest.mark.parametrize("data", [None, {"id": "FED-1"}, "FED-1"])
def test_it_rejects_a_page_whose_data_is_not_an_array_whole(data: object) -> None:
    assert rejected_whole({"data": data, "next_cursor": None}).startswith("'data' must be an array")


def test_it_rejects_a_page_with_a_cursor_that_is_not_a_string_whole() -> None:
    assert rejected_whole(page(ITEM) | {"next_cursor": 1000}) == (
        "'next_cursor' must be a string or null, found a number"
    )


@pytest.mark.parametrize("day", ["2023-02-31", "2023-13-01", "30-04-2023", None])
def test_it_rejects_a_capacity_document_with_an_impossible_date_whole(day: object) -> None:
    assert rejected_whole(capacity(CENTRE, day=day)).startswith("capacity document, field 'date'")


def test_it_rejects_an_item_that_is_not_an_object_by_its_position() -> None:
    rows = parse(page(ITEM, ["FED-2"], item(id="FED-3")))
    assert rows[1] == Rejection(2, "", "item is an array, not an object")
    assert [r.line for r in rows] == [1, 2, 3]


@pytest.mark.parametrize("occurred_at", ["2023-02-31T10:00:00+01:00", "2023-13-01T10:00:00Z",
                                         "2023-04-30T10:15:00", 1682842500, None])  # fmt: skip
def test_it_rejects_an_impossible_malformed_or_naive_timestamp(occurred_at: object) -> None:
    assert only_rejection(page(item(occurred_at=occurred_at))).field == "occurred_at"


def test_it_rejects_an_unknown_event_naming_the_known_ones() -> None:
    rejection = only_rejection(page(item(event="DEPARTURE")))
    assert (rejection.line, rejection.field) == (1, "event")
    assert rejection.reason == "unknown event 'DEPARTURE' (expected one of ARRIVAL, EXIT, TRANSFER)"


def test_it_needs_an_exit_reason_to_leave() -> None:
    rejection = only_rejection(page(item(event="EXIT", exit_reason=None)))
    assert (rejection.field, rejection.reason) == ("exit_reason", "EXIT needs an exit_reason")


@pytest.mark.parametrize("event", ["ARRIVAL", "TRANSFER"])
def test_it_rejects_an_unknown_exit_reason_on_an_event_that_is_not_an_exit(event: str) -> None:
    rejection = only_rejection(page(item(event=event, exit_reason="MOVED")))
    assert (rejection.field, rejection.reason) == (
        "exit_reason",
        "unknown exit reason 'MOVED' (expected one of OTHER, PROTECTION_GRANTED, UNKNOWN, "
        "VOLUNTARY_RETURN)",
    )


def test_it_ignores_a_known_or_null_exit_reason_on_an_event_that_is_not_an_exit() -> None:
    known, null = parse(page(item(exit_reason="OTHER"), item(id="FED-2", exit_reason=None)))
    assert isinstance(known, EventRow) and isinstance(null, EventRow)
    assert (known.reason, null.reason) == (None, None)


def test_it_rejects_an_unknown_exit_reason_and_centre_type() -> None:
    assert only_rejection(page(item(event="EXIT", exit_reason="MOVED"))).field == "exit_reason"
    assert only_rejection(page(item(centre_type="HOTEL"))).field == "centre_type"


@pytest.mark.parametrize(
    ("sp_number", "reason"),
    [(None, "missing person key"), ("  ", "missing person key"),
     ("812345", "****45 is not a valid SP number (7 or 8 digits)"),
     (8123456, "must be a string, found a number")],
)  # fmt: skip
def test_it_rejects_an_empty_or_malformed_sp_number_masked(sp_number: object, reason: str) -> None:
    rejection = only_rejection(page(item(sp_number=sp_number)))
    assert (rejection.field, rejection.reason) == ("sp_number", reason)
    assert "8123456" not in rejection.excerpt


def test_a_rejection_shows_the_items_text_with_the_key_masked() -> None:
    rejection = only_rejection(page(item(event="GONE")))
    assert rejection.excerpt.startswith('{"id": "FED-1", "sp_number": "*****56", "centre": ')


def test_it_rejects_an_item_without_id() -> None:
    assert only_rejection(page(item(id=""))).reason == "missing id"


@pytest.mark.parametrize(
    ("places", "reason"),
    [(-5, "must not be negative"), (850.5, "must be a whole number, found a number"),
     (None, "must be a whole number, found null")],
)  # fmt: skip
def test_it_rejects_capacity_that_is_not_a_count_of_places(places: object, reason: str) -> None:
    rejection = only_rejection(capacity({"centre": "Petit-Château", "places": places}))
    assert (rejection.line, rejection.field, rejection.reason) == (1, "places", reason)


def test_it_rejects_capacity_without_centre() -> None:
    rejection = only_rejection(capacity({"places": 10}))
    assert (rejection.field, rejection.reason) == ("centre", "missing centre")


def write(tmp_path: Path, document: dict[str, object], name: str = "page.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_the_samples_are_stored_as_events_and_measurements() -> None:
    events = ingest_file(partner="FEDASIL", path=DATA / "fedasil_occupancy_events_page1.json")
    places = ingest_file(partner="FEDASIL", path=DATA / "fedasil_capacity_20230430.json")
    assert (events.status, events.accepted, places.status, places.accepted) == (
        "accepted", 3, "accepted", 2,
    )  # fmt: skip
    left = StatusEvent.objects.get(source_event_id="FED-000402")
    assert (left.chain_id, left.event_type, left.reason, str(left.local_date)) == (
        "BE", "RECEPTION_LEFT", "HOUSING", "2023-06-30",
    )  # fmt: skip
    assert sorted(Measurement.objects.values_list("location", "value")) == [
        ("Centre Croix-Rouge Jette", 420.0), ("Petit-Château", 850.0),
    ]  # fmt: skip


def test_a_partially_bad_page_keeps_every_good_item_and_quarantines_the_bad(
    tmp_path: Path,
) -> None:
    document = page(ITEM, item(id="FED-2", event="LEFT"), 7, item(id="FED-4"))
    summary = ingest_file(partner="FEDASIL", path=write(tmp_path, document))
    assert (summary.status, summary.accepted, summary.rejected) == ("partially_accepted", 2, 2)
    assert sorted(StatusEvent.objects.values_list("source_event_id", flat=True)) == [
        "FED-1", "FED-4",
    ]  # fmt: skip
    assert list(RejectedRow.objects.values_list("line", "field")) == [(2, "event"), (3, "")]
    assert '"sp_number": "*****56"' in RejectedRow.objects.get(line=2).excerpt


def test_a_duplicate_item_is_stored_once(tmp_path: Path) -> None:
    summary = ingest_file(partner="FEDASIL", path=write(tmp_path, page(ITEM, ITEM)))
    assert (summary.accepted, summary.duplicates) == (1, 1)
    assert StatusEvent.objects.count() == 1


def test_a_page_that_is_not_json_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_bytes(b'{"data": [' + json.dumps(ITEM).encode())
    summary = ingest_file(partner="FEDASIL", path=path)
    assert summary.status == "rejected"
    assert summary.reason.startswith("not JSON (")
    assert not StatusEvent.objects.exists()
