"""The DVZ adapter: comma-separated register events of the Belgian chain, good and bad."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chain.models import Case, StatusEvent
from ingest.adapters.base import EventRow, ExtractRejected, Rejection, Row, natural_key_id
from ingest.adapters.dvz import DvzAdapter
from ingest.models import RejectedRow
from ingest.pseudonymize import person_key
from ingest.services import ingest_file
from tests.conftest import DATA
from tests.ingest.masking import IDENTIFIERS, assert_quoted_masked

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
HEADER = "numero_sp,type_evenement,date_evenement,nationalite,procedure,mena\n"
ROW = "8123456,INTRODUCTION,2023-01-10,AFG,P,N"


def parse(text: str) -> list[Row]:
    return list(DvzAdapter().parse(io.BytesIO(text.encode())))


def extract(*rows: str, header: str = HEADER) -> str:
    return header + "".join(f"{row}\n" for row in rows)


def with_field(name: str, value: str) -> str:
    """ROW with one field replaced."""
    fields = dict(zip(HEADER.strip().split(","), ROW.split(","), strict=True))
    return ",".join({**fields, name: value}.values())


def only_rejection(*rows: str) -> Rejection:
    parsed = parse(extract(*rows))
    assert len(parsed) == 1 and isinstance(parsed[0], Rejection), parsed
    return parsed[0]


def event(line: int, sp: str, code: str, day: str, canonical: str, **attrs: object) -> EventRow:
    """The expected canonical row of a DVZ line."""
    return EventRow(
        line, natural_key_id("DVZ", sp, code, day), sp, canonical,
        datetime.fromisoformat(day).replace(tzinfo=BRUSSELS), **attrs,  # type: ignore[arg-type]
    )  # fmt: skip


def test_it_reads_the_sample_into_canonical_events() -> None:
    rows = parse((DATA / "dvz_evenements_20230501.csv").read_text())
    afg = {"track": "P", "nationality": "AFG", "uam": False}
    pse = {"track": "U", "nationality": "PSE", "uam": True}
    assert rows == [
        event(2, "8123456", "PRESENTATION", "2023-01-03", "REGISTERED", **afg),
        event(3, "8123456", "INTRODUCTION", "2023-01-10", "APPLICATION_LODGED", **afg),
        event(4, "8123456", "CGRA_AUDITION", "2023-03-22", "HEARING_HELD", **afg),
        event(5, "8123456", "CGRA_PROTECTION_SUBSIDIAIRE", "2023-04-25", "DECISION_GRANTED",
              **afg),
        event(6, "8200001", "INTRODUCTION", "2023-02-01", "APPLICATION_LODGED", **pse),
        event(7, "8200001", "CGRA_REFUS", "2023-04-12", "DECISION_REJECTED", **pse),
        event(8, "8200001", "ORDRE_QUITTER", "2023-04-20", "RETURN_CASE_OPENED", **pse),
    ]  # fmt: skip


def test_its_identity_is_the_hash_of_the_natural_key() -> None:
    [row] = parse(extract(ROW))
    assert isinstance(row, EventRow)
    assert row.source_event_id == natural_key_id("DVZ", "8123456", "INTRODUCTION", "2023-01-10")
    assert row.occurred_at.isoformat() == "2023-01-10T00:00:00+01:00"


@pytest.mark.parametrize(
    ("code", "canonical"),
    [("CGRA_RECONNAISSANCE", "DECISION_GRANTED"), ("RECOURS_CCE", "APPEAL_LODGED"),
     ("RETOUR_VOLONTAIRE", "DEPARTED_VOLUNTARY"), ("RETOUR_FORCE", "DEPARTED_FORCED")],
)  # fmt: skip
def test_it_maps_the_other_event_codes(code: str, canonical: str) -> None:
    [row] = parse(extract(f"8123456,{code},2023-05-01,AFG,P,N"))
    assert isinstance(row, EventRow) and row.event_type == canonical


def test_it_takes_the_columns_in_any_order_quoted_and_padded() -> None:
    header = "mena,procedure,nationalite,date_evenement,type_evenement,numero_sp\n"
    [row] = parse(extract('"O", U ,"SYR",2023-01-10," CGRA_REFUS ", 81234567 ', header=header))
    assert row == event(2, "81234567", "CGRA_REFUS", "2023-01-10", "DECISION_REJECTED",
                        track="U", nationality="SYR", uam=True)  # fmt: skip


@pytest.mark.parametrize(
    ("field", "reason"),
    [("nationalite", "missing nationality (XXX when unknown, XXA when stateless)"),
     ("procedure", "missing track (P, U)"), ("mena", "missing mena (O or N)")],
)  # fmt: skip
def test_it_rejects_an_empty_nationality_procedure_or_mena(field: str, reason: str) -> None:
    rejection = only_rejection(with_field(field, " "))
    assert (rejection.field, rejection.reason, rejection.excerpt) == (field, reason, "*****56")


def test_it_rejects_a_semicolon_file_whole_by_its_header() -> None:
    with pytest.raises(ExtractRejected) as rejected:
        parse(extract(ROW.replace(",", ";"), header=HEADER.replace(",", ";")))
    assert "line 1: not a DVZ evenements header" in str(rejected.value)
    assert "separated by ';', not ',': wrong delimiter?" in str(rejected.value)


def test_it_rejects_a_missing_header_column_whole() -> None:
    with pytest.raises(ExtractRejected, match=r"missing column\(s\) mena"):
        parse(extract("8123456,INTRODUCTION,2023-01-10,AFG,P", header=HEADER[:-6] + "\n"))


def test_it_rejects_a_wrong_header_column_whole() -> None:
    header = HEADER.replace("numero_sp", "sp_nummer")
    with pytest.raises(ExtractRejected) as rejected:
        parse(extract(ROW, header=header))
    assert "missing column(s) numero_sp; unexpected column(s) sp_nummer" in str(rejected.value)


def test_it_rejects_a_file_without_header_whole_without_showing_its_sp_number() -> None:
    with pytest.raises(ExtractRejected, match="not a DVZ evenements header") as rejected:
        parse(extract(ROW, header=""))
    assert "is the header missing?" in str(rejected.value)
    assert "8123456" not in str(rejected.value)


def test_it_tolerates_a_byte_order_mark() -> None:
    rows = list(DvzAdapter().parse(io.BytesIO(b"\xef\xbb\xbf" + extract(ROW).encode())))
    assert [type(r) for r in rows] == [EventRow]


def test_it_rejects_an_empty_file_whole() -> None:
    with pytest.raises(ExtractRejected, match="the file is empty"):
        parse("")


def test_a_header_only_file_has_no_rows() -> None:
    assert parse(HEADER) == []


def test_it_rejects_a_truncated_last_line_on_its_own() -> None:
    rows = parse(extract(ROW) + "8200001,ORDRE_QUIT")
    assert rows[0] == event(2, "8123456", "INTRODUCTION", "2023-01-10", "APPLICATION_LODGED",
                            track="P", nationality="AFG", uam=False)  # fmt: skip
    rejection = rows[1]
    assert isinstance(rejection, Rejection)
    assert (rejection.line, rejection.excerpt) == (3, "*****01")
    assert "expected 6 fields separated by ',', found 2" in rejection.reason


def test_it_rejects_invalid_utf8_whole_naming_the_line() -> None:
    data = extract(ROW).encode() + b"8200001,INTRODUCTION,2023-02-01,P\xe9S,U,O\n"
    with pytest.raises(ExtractRejected, match="line 3: not valid UTF-8"):
        list(DvzAdapter().parse(io.BytesIO(data)))


def test_it_rejects_broken_quoting_whole_naming_the_line() -> None:
    with pytest.raises(ExtractRejected, match="line 3: not readable as CSV"):
        parse(extract(ROW, '8200001,"INTRO"DUCTION,2023-02-01,PSE,U,O'))


@pytest.mark.parametrize("day", ["2023-02-31", "2023-13-01", "31-02-2023", "2023-W01-1", ""])
def test_it_rejects_an_impossible_or_malformed_date(day: str) -> None:
    rejection = only_rejection(f"8123456,INTRODUCTION,{day},AFG,P,N")
    assert rejection.field == "date_evenement"
    assert rejection.reason == f"{day!r} is not a valid date (yyyy-mm-dd)"


def test_it_rejects_an_unknown_event_code() -> None:
    rejection = only_rejection("8123456,CGRA_ANNULATION,2023-01-10,AFG,P,N")
    assert rejection.field == "type_evenement"
    assert "unknown event type 'CGRA_ANNULATION'" in rejection.reason


@pytest.mark.parametrize("nationality", ["Afghanistan", "afg", "AF", "4FG"])
def test_it_rejects_a_nationality_that_is_not_iso_alpha3(nationality: str) -> None:
    rejection = only_rejection(f"8123456,INTRODUCTION,2023-01-10,{nationality},P,N")
    assert rejection.field == "nationalite"


@pytest.mark.parametrize(
    ("sp", "reason"),
    [("", "missing person key"), ("812345", "****45 is not a valid SP number (7 or 8 digits)"),
     ("812345678", "*******78 is not a valid SP number (7 or 8 digits)"),
     ("81234S6", "*****S6 is not a valid SP number (7 or 8 digits)"),
     ("٨١٢٣٤٥٦", "*****٥٦ is not a valid SP number (7 or 8 digits)")],
)  # fmt: skip
def test_it_rejects_an_empty_or_malformed_sp_number_masked(sp: str, reason: str) -> None:
    rejection = only_rejection(f"{sp},INTRODUCTION,2023-01-10,AFG,P,N")
    assert (rejection.field, rejection.reason) == ("numero_sp", reason)
    assert rejection.excerpt == ("*" * (len(sp) - 2) + sp[-2:] if sp else "")


@pytest.mark.parametrize("identifier", IDENTIFIERS)
@pytest.mark.parametrize(
    "field", ["type_evenement", "date_evenement", "nationalite", "procedure", "mena"]
)
def test_it_rejects_an_identifier_in_a_quoted_field_showing_it_masked(
    field: str, identifier: str
) -> None:
    rejection = only_rejection(with_field(field, f" {identifier} "))
    assert_quoted_masked(rejection, field, identifier)


def test_it_quotes_a_misspelled_code_without_digits_in_clear() -> None:
    rejection = only_rejection(with_field("type_evenement", "INTRODUKTION"))
    assert rejection.reason.startswith("unknown event type 'INTRODUKTION' (expected one of ")


def test_it_rejects_an_unknown_procedure_and_mena() -> None:
    assert only_rejection("8123456,INTRODUCTION,2023-01-10,AFG,1,N").field == "procedure"
    assert only_rejection("8123456,INTRODUCTION,2023-01-10,AFG,P,J").field == "mena"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dvz_evenements_20230501.csv"
    path.write_text(text)
    return path


def test_the_sample_is_stored_as_events_of_the_belgian_chain() -> None:
    summary = ingest_file(partner="DVZ", path=DATA / "dvz_evenements_20230501.csv")
    assert (summary.status, summary.accepted, summary.rejected) == ("accepted", 7, 0)
    assert StatusEvent.objects.filter(chain_id="BE", organisation_id="DVZ").count() == 7
    assert Case.objects.filter(chain_id="BE", person_key=person_key("BE", "8123456")).exists()
    decided = StatusEvent.objects.get(event_type="DECISION_REJECTED")
    assert (str(decided.local_date), decided.track, decided.uam) == ("2023-04-12", "U", True)


def test_a_partially_bad_file_keeps_every_good_row_and_quarantines_the_bad(
    tmp_path: Path,
) -> None:
    text = extract(
        ROW, "8200001,INTRODUCTION,2023-02-30,PSE,U,O", "8200001,CGRA_REFUS,2023-04-12,PSE,U,O"
    )
    summary = ingest_file(partner="DVZ", path=write(tmp_path, text))
    assert (summary.status, summary.accepted, summary.rejected) == ("partially_accepted", 2, 1)
    assert StatusEvent.objects.count() == 2
    rejection = RejectedRow.objects.get()
    assert (rejection.line, rejection.field, rejection.excerpt) == (3, "date_evenement", "*****01")
    assert rejection.reason == "'2023-02-30' is not a valid date (yyyy-mm-dd)"


def test_a_duplicate_row_is_stored_once(tmp_path: Path) -> None:
    summary = ingest_file(partner="DVZ", path=write(tmp_path, extract(ROW, ROW)))
    assert (summary.accepted, summary.duplicates) == (1, 1)
    assert StatusEvent.objects.count() == 1


def test_a_semicolon_file_stores_nothing(tmp_path: Path) -> None:
    text = extract(ROW.replace(",", ";"), header=HEADER.replace(",", ";"))
    summary = ingest_file(partner="DVZ", path=write(tmp_path, text))
    assert summary.status == "rejected"
    assert "wrong delimiter" in summary.reason
    assert not StatusEvent.objects.exists()
