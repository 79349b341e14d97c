"""The IND adapter on good and bad input (the pipeline tests cover the IND file end to end)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chain.models import StatusEvent
from ingest.adapters.base import EventRow, ExtractRejected, Rejection, Row, natural_key_id
from ingest.adapters.ind import IndAdapter
from ingest.services import ingest_file
from tests.conftest import DATA
from tests.ingest.masking import IDENTIFIERS, assert_quoted_masked
from tests.known_chain import HEADER

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ROW = "3012345678;Z2023-0012345;4;SYR;AANVRAAG;02-01-2023;10:15;Ter Apel;N"
# ASCII digits to Arabic-Indic ones, which int() reads as digits too.
ARABIC_INDIC = {ord(str(digit)): chr(0x0660 + digit) for digit in range(10)}


def parse(data: str | bytes) -> list[Row]:
    raw = data.encode() if isinstance(data, str) else data
    return list(IndAdapter().parse(io.BytesIO(raw)))


def extract(*rows: str, header: str = HEADER) -> str:
    return header + "".join(f"{row}\n" for row in rows)


def only_rejection(row: str) -> Rejection:
    rows = parse(extract(row))
    assert len(rows) == 1 and isinstance(rows[0], Rejection), rows
    return rows[0]


def with_fields(**values: str) -> str:
    """ROW with some fields replaced."""
    fields = dict(zip(HEADER.strip().split(";"), ROW.split(";"), strict=True))
    return ";".join({**fields, **values}.values())


def with_field(name: str, value: str) -> str:
    """ROW with one field replaced."""
    return with_fields(**{name: value})


def test_it_reads_a_file_the_same_with_or_without_byte_order_mark() -> None:
    with_bom = (DATA / "ind_zaakstatus_20230501.csv").read_bytes()
    assert with_bom.startswith(b"\xef\xbb\xbf")
    rows = parse(with_bom)
    assert rows == parse(with_bom[3:])
    assert rows and all(isinstance(r, EventRow) for r in rows)


def test_it_reads_a_row_into_a_canonical_event() -> None:
    [row] = parse(extract(ROW))
    assert row == EventRow(
        2,
        natural_key_id("IND", "3012345678", "Z2023-0012345", "AANVRAAG", "02-01-2023", "10:15"),
        "3012345678", "APPLICATION_LODGED", datetime(2023, 1, 2, 10, 15, tzinfo=AMSTERDAM),
        track="4", nationality="SYR", uam=False, location="Ter Apel",
    )  # fmt: skip


def test_it_rejects_a_missing_header_column_whole() -> None:
    header = HEADER.replace(";amv", "")
    with pytest.raises(ExtractRejected, match=r"line 1: .*missing column\(s\) amv"):
        parse(extract(ROW.rsplit(";", 1)[0], header=header))


def test_it_rejects_a_wrong_header_column_whole() -> None:
    with pytest.raises(ExtractRejected, match=r"unexpected column\(s\) v_nummer"):
        parse(extract(ROW, header=HEADER.replace("vnummer", "v_nummer")))


def test_it_rejects_a_comma_file_whole_saying_the_delimiter_is_wrong() -> None:
    with pytest.raises(ExtractRejected, match="separated by ',', not ';': wrong delimiter"):
        parse(extract(ROW.replace(";", ","), header=HEADER.replace(";", ",")))


def test_it_rejects_a_file_without_header_whole_without_showing_its_v_nummer() -> None:
    with pytest.raises(ExtractRejected) as rejected:
        parse(extract(ROW, header=""))
    assert "line 1: not a IND zaakstatus header" in str(rejected.value)
    assert "is the header missing?" in str(rejected.value)
    assert "********78" in str(rejected.value)
    assert "3012345678" not in str(rejected.value)


def test_it_rejects_an_empty_file_whole() -> None:
    with pytest.raises(ExtractRejected, match="the file is empty: expected a header line"):
        parse("")


def test_a_header_only_file_has_no_rows() -> None:
    assert parse(HEADER) == []


def test_it_rejects_a_truncated_last_line_on_its_own() -> None:
    rows = parse(extract(ROW) + "3000000009;Z9;4;SY")
    assert isinstance(rows[0], EventRow)
    assert rows[1] == Rejection(
        3, "", "expected 9 fields separated by ';', found 4 (truncated or malformed line)",
        "********09",
    )  # fmt: skip


def test_it_rejects_invalid_utf8_in_the_header_whole() -> None:
    with pytest.raises(ExtractRejected, match="not valid UTF-8"):
        parse(b"vnummer;zaaknummer\xff\n")


def test_it_rejects_invalid_utf8_in_a_row_whole_naming_the_line() -> None:
    latin1 = b"3000000009;Z9;4;SYR;AANVRAAG;02-01-2023;;T\xe9r Apel;N\n"
    with pytest.raises(ExtractRejected, match="line 4: not valid UTF-8"):
        parse(extract(ROW, ROW).encode() + latin1)


@pytest.mark.parametrize("datum", ["31-02-2023", "2023-13-01", "32-01-2023", "01-01-0999", ""])
def test_it_rejects_an_impossible_or_malformed_date(datum: str) -> None:
    assert only_rejection(with_field("datum", datum)).field == "datum"


@pytest.mark.parametrize("tijd", ["24:00", "10:60", "1015", "10.15"])
def test_it_rejects_an_impossible_or_malformed_time(tijd: str) -> None:
    assert only_rejection(with_field("tijd", tijd)).field == "tijd"


@pytest.mark.parametrize(
    "datum",
    ["09-01-2023".translate(ARABIC_INDIC), "+9-01-2023", "09-+1-2023", "09-01-+023", "0٩-01-2023"],
)
def test_it_rejects_a_date_not_written_in_ascii_digits(datum: str) -> None:
    rejection = only_rejection(with_field("datum", datum))
    assert rejection.field == "datum"
    assert rejection.reason.endswith(" is not a date written dd-mm-jjjj (digits 0-9)")


@pytest.mark.parametrize(
    "tijd", ["+9:30", "-0:30", "09:30".translate(ARABIC_INDIC), "09:+5", "1_:30"]
)
def test_it_rejects_a_time_not_written_in_ascii_digits(tijd: str) -> None:
    rejection = only_rejection(with_field("tijd", tijd))
    assert rejection.field == "tijd"
    assert rejection.reason.endswith(" is not a time written HH:MM (digits 0-9)")


@pytest.mark.parametrize("tijd", ["02:00", "02:30", "02:59"])
def test_it_rejects_a_time_the_clocks_skip_when_summer_time_starts(tijd: str) -> None:
    rejection = only_rejection(with_fields(datum="26-03-2023", tijd=tijd))
    assert (rejection.field, rejection.reason) == (
        "tijd",
        "impossible date and time: the clocks in Europe/Amsterdam jump past this time that day",
    )


@pytest.mark.parametrize(("tijd", "offset"), [("01:59", 1), ("03:00", 2)])
def test_it_keeps_the_times_around_the_spring_forward_gap(tijd: str, offset: int) -> None:
    [row] = parse(extract(with_fields(datum="26-03-2023", tijd=tijd)))
    assert isinstance(row, EventRow)
    assert row.occurred_at.strftime("%H:%M") == tijd
    assert row.occurred_at.utcoffset() == timedelta(hours=offset)


def test_it_takes_a_time_the_clocks_repeat_as_its_first_occurrence() -> None:
    [row] = parse(extract(with_fields(datum="29-10-2023", tijd="02:30")))
    assert isinstance(row, EventRow)
    assert row.occurred_at.utcoffset() == timedelta(hours=2)


def test_it_rejects_an_empty_nationality() -> None:
    rejection = only_rejection(with_field("nationaliteit", " "))
    assert (rejection.field, rejection.reason) == (
        "nationaliteit", "missing nationality (XXX when unknown, XXA when stateless)",
    )  # fmt: skip


@pytest.mark.parametrize("nationality", ["XXX", "XXA"])
def test_it_takes_the_codes_for_unknown_and_stateless(nationality: str) -> None:
    [row] = parse(extract(with_field("nationaliteit", nationality)))
    assert isinstance(row, EventRow) and row.nationality == nationality


def test_it_rejects_an_empty_zaaknummer_as_a_missing_key() -> None:
    rejection = only_rejection(with_field("zaaknummer", "  "))
    assert (rejection.field, rejection.reason) == (
        "zaaknummer", "missing zaaknummer (part of the event's identity)",
    )  # fmt: skip
    assert rejection.excerpt == "********78"


@pytest.mark.parametrize("nationality", ["Syrie", "syr", "SY", "S1R"])
def test_it_rejects_a_nationality_that_is_not_iso_alpha3(nationality: str) -> None:
    rejection = only_rejection(with_field("nationaliteit", nationality))
    assert rejection.field == "nationaliteit"
    assert "is not an ISO 3166-1 alpha-3 code" in rejection.reason


@pytest.mark.parametrize(
    ("vnummer", "reason"),
    [("", "missing person key"), ("301234567", "*******67 is not a valid V-nummer (10 digits)"),
     ("٣٠١٢٣٤٥٦٧٨", "********٧٨ is not a valid V-nummer (10 digits)"),
     ("30123\x0045678", "*********78 is not a valid V-nummer (10 digits)")],
)  # fmt: skip
def test_it_rejects_an_empty_or_malformed_v_nummer_masked(vnummer: str, reason: str) -> None:
    rejection = only_rejection(with_field("vnummer", vnummer))
    assert (rejection.field, rejection.reason) == ("vnummer", reason)


def test_it_rejects_an_unknown_event_code_naming_the_known_ones() -> None:
    rejection = only_rejection(with_field("gebeurtenis", "HERZIENING"))
    assert rejection.field == "gebeurtenis"
    assert rejection.reason.startswith(
        "unknown event code 'HERZIENING' (expected one of AANMELDING"
    )
    assert rejection.excerpt == "********78"


@pytest.mark.parametrize("identifier", IDENTIFIERS)
@pytest.mark.parametrize("field", ["spoor", "nationaliteit", "gebeurtenis", "datum", "tijd", "amv"])
def test_it_rejects_an_identifier_in_a_quoted_field_showing_it_masked(
    field: str, identifier: str
) -> None:
    rejection = only_rejection(with_field(field, f" {identifier} "))
    assert_quoted_masked(rejection, field, identifier)


def test_it_quotes_a_misspelled_code_without_digits_in_clear() -> None:
    rejection = only_rejection(with_field("gebeurtenis", "AANVRAG"))
    assert rejection.reason.startswith("unknown event code 'AANVRAG' (expected one of ")


def test_it_keeps_both_of_two_identical_rows_for_the_loader_to_count_once() -> None:
    first, second = parse(extract(ROW, ROW))
    assert isinstance(first, EventRow) and isinstance(second, EventRow)
    assert (first.line, second.line) == (2, 3)
    assert first.source_event_id == second.source_event_id


@pytest.mark.django_db
def test_a_duplicate_row_is_stored_once(tmp_path: Path) -> None:
    path = tmp_path / "ind_zaakstatus_20230501.csv"
    path.write_text(extract(ROW, ROW, with_field("gebeurtenis", "AANMELDING")))
    summary = ingest_file(partner="IND", path=path)
    assert (summary.status, summary.accepted, summary.duplicates) == ("accepted", 2, 1)
    assert StatusEvent.objects.count() == 2


def test_it_rejects_an_unknown_track_and_amv() -> None:
    assert only_rejection(with_field("spoor", "5")).field == "spoor"
    assert only_rejection(with_field("amv", "Y")).field == "amv"


def test_it_rejects_a_location_the_database_cannot_hold() -> None:
    assert only_rejection(with_field("locatie", "x" * 201)).reason == "longer than 200 characters"
    assert only_rejection(with_field("locatie", "Ter\x00Apel")).reason == (
        "contains control characters"
    )
