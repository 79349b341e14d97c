"""The DT&V adapter: departure dossiers in XML, good, bad and hostile."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chain.models import Case, Extract, StatusEvent
from ingest.adapters.base import EventRow, ExtractRejected, Rejection, Row
from ingest.adapters.dtv import DtvAdapter
from ingest.models import RejectedRow
from ingest.services import ingest_file
from tests.conftest import DATA
from tests.ingest.masking import IDENTIFIERS, assert_quoted_masked

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PROLOGUE = '<?xml version="1.0" encoding="UTF-8"?>\n'
EVENT = '<gebeurtenis id="DTV-1" soort="OVERDRACHT" datum="2023-04-02"/>'
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE vertrekdossiers [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<vertrekdossiers><dossier vnummer="3012345678">
  <gebeurtenis id="DTV-1" soort="OVERDRACHT" datum="2023-04-02" bestemming="&lol9;"/>
</dossier></vertrekdossiers>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE vertrekdossiers [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<vertrekdossiers><dossier vnummer="3012345678">
  <gebeurtenis id="&xxe;" soort="OVERDRACHT" datum="2023-04-02"/>
</dossier></vertrekdossiers>
"""


def parse(data: str | bytes) -> list[Row]:
    raw = data.encode() if isinstance(data, str) else data
    return list(DtvAdapter().parse(io.BytesIO(raw)))


def dossiers(*events: str, vnummer: str = "3012345678") -> str:
    """A file of one dossier holding the events, one per line from line 4."""
    body = "".join(f"    {e}\n" for e in events)
    return (
        f'{PROLOGUE}<vertrekdossiers aanmaakdatum="2023-05-01">\n'
        f'  <dossier vnummer="{vnummer}">\n{body}  </dossier>\n</vertrekdossiers>\n'
    )


def gebeurtenis(**attrs: str) -> str:
    fields = {"id": "DTV-1", "soort": "OVERDRACHT", "datum": "2023-04-02", **attrs}
    return "<gebeurtenis " + " ".join(f'{k}="{v}"' for k, v in fields.items()) + "/>"


def only_rejection(data: str) -> Rejection:
    rows = parse(data)
    assert len(rows) == 1 and isinstance(rows[0], Rejection), rows
    return rows[0]


def midnight(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=AMSTERDAM)


def test_it_reads_the_sample_into_canonical_events_with_their_lines() -> None:
    rows = parse((DATA / "dtv_vertrek_20230501.xml").read_bytes())
    assert rows == [
        EventRow(4, "DTV-00012345", "3098765432", "RETURN_CASE_OPENED", midnight("2023-03-14")),
        EventRow(5, "DTV-00012346", "3098765432", "DEPARTED_UNVERIFIED", midnight("2023-03-20")),
        EventRow(8, "DTV-00011000", "3011111111", "RETURN_CASE_OPENED", midnight("2023-01-05")),
        EventRow(9, "DTV-00011001", "3011111111", "DEPARTED_VOLUNTARY", midnight("2023-04-20"),
                 destination="GEO"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("soort", "canonical"),
    [("VERTREK_GEDWONGEN", "DEPARTED_FORCED"), ("AFSLUITING", "RETURN_CASE_CLOSED")],
)
def test_it_maps_the_other_event_codes(soort: str, canonical: str) -> None:
    [row] = parse(dossiers(gebeurtenis(soort=soort)))
    assert isinstance(row, EventRow) and row.event_type == canonical


def test_it_strips_white_space_around_attributes() -> None:
    [row] = parse(dossiers(gebeurtenis(id=" DTV-1 ", datum=" 2023-04-02 "), vnummer=" 3012345678 "))
    assert row == EventRow(4, "DTV-1", "3012345678", "RETURN_CASE_OPENED", midnight("2023-04-02"))


def test_it_counts_lines_of_a_file_larger_than_one_read() -> None:
    events = [gebeurtenis(id=f"DTV-{i}") for i in range(3000)]
    rows = parse(dossiers(*events))
    assert len(rows) == 3000
    assert (rows[0].line, rows[-1].line) == (4, 3003)


def test_it_rejects_a_billion_laughs_bomb_whole() -> None:
    with pytest.raises(ExtractRejected) as rejected:
        parse(BILLION_LAUGHS)
    assert str(rejected.value) == (
        "line 2: the file declares a DTD (<!DOCTYPE vertrekdossiers>); DT&V files must have no "
        "DTD, entity declarations or external references"
    )


def test_it_rejects_an_external_entity_whole() -> None:
    with pytest.raises(ExtractRejected, match="the file declares a DTD"):
        parse(XXE)


def test_it_rejects_xml_that_is_not_well_formed_naming_the_line() -> None:
    text = dossiers(EVENT).replace("</dossier>", "</dosier>")
    with pytest.raises(ExtractRejected) as rejected:
        parse(text)
    assert str(rejected.value) == "line 5, column 4: not well-formed XML (mismatched tag)"


def test_it_rejects_a_truncated_file_whole() -> None:
    text = dossiers(EVENT, gebeurtenis(id="DTV-2"))
    with pytest.raises(ExtractRejected, match=r"line 5, column \d+: not well-formed XML"):
        parse(text[: text.index("DTV-2") + 3])


def test_it_rejects_an_empty_file_whole() -> None:
    with pytest.raises(ExtractRejected, match="the file is empty: expected <vertrekdossiers>"):
        parse("")


def test_a_file_of_only_its_root_has_no_rows() -> None:
    assert parse(f"{PROLOGUE}<vertrekdossiers aanmaakdatum='2023-05-01'/>") == []


def test_it_rejects_another_root_whole() -> None:
    with pytest.raises(ExtractRejected) as rejected:
        parse(f"{PROLOGUE}<dossiers>{EVENT}</dossiers>")
    assert (
        str(rejected.value) == "line 2: the root element is <dossiers>, expected <vertrekdossiers>"
    )


def test_it_tolerates_a_byte_order_mark() -> None:
    rows = parse(b"\xef\xbb\xbf" + dossiers(EVENT).encode())
    assert [type(r) for r in rows] == [EventRow]


def test_it_rejects_invalid_utf8_whole() -> None:
    data = dossiers(gebeurtenis(bestemming="MAR")).encode().replace(b"MAR", b"M\xe9R")
    with pytest.raises(ExtractRejected, match=r"line 4, column \d+: not well-formed XML"):
        parse(data)


def test_it_reads_every_file_as_utf8_whatever_it_declares() -> None:
    latin1 = dossiers(gebeurtenis(id="DTV-é")).replace("UTF-8", "ISO-8859-1").encode("latin-1")
    with pytest.raises(ExtractRejected, match="not well-formed XML"):
        parse(latin1)


@pytest.mark.parametrize("datum", ["2023-02-31", "2023-13-01", "31-02-2023", ""])
def test_it_rejects_an_impossible_or_malformed_date(datum: str) -> None:
    rejection = only_rejection(dossiers(gebeurtenis(datum=datum)))
    assert (rejection.line, rejection.field) == (4, "datum")
    assert rejection.reason == f"{datum!r} is not a valid date (yyyy-mm-dd)"


def test_it_rejects_an_unknown_event_code() -> None:
    rejection = only_rejection(dossiers(gebeurtenis(soort="VERTREK_ONBEKEND")))
    assert rejection.field == "soort"
    assert "unknown event 'VERTREK_ONBEKEND'" in rejection.reason


@pytest.mark.parametrize("identifier", IDENTIFIERS)
@pytest.mark.parametrize("attribute", ["soort", "datum", "bestemming"])
def test_it_rejects_an_identifier_in_a_quoted_attribute_showing_it_masked(
    attribute: str, identifier: str
) -> None:
    rejection = only_rejection(dossiers(gebeurtenis(**{attribute: identifier})))
    assert_quoted_masked(rejection, attribute, identifier)


@pytest.mark.parametrize("bestemming", ["Marokko", "ma", "MA"])
def test_it_rejects_a_destination_that_is_not_iso_alpha3(bestemming: str) -> None:
    rejection = only_rejection(dossiers(gebeurtenis(bestemming=bestemming)))
    assert rejection.field == "bestemming"


@pytest.mark.parametrize(
    ("vnummer", "reason"),
    [("", "missing person key"),
     ("30123456", "******56 is not a valid V-nummer (10 digits)")],
)  # fmt: skip
def test_it_rejects_each_event_of_a_dossier_with_an_empty_or_malformed_key(
    vnummer: str, reason: str
) -> None:
    rows = parse(dossiers(EVENT, gebeurtenis(id="DTV-2"), vnummer=vnummer))
    assert [(r.line, r.field, r.reason) for r in rows if isinstance(r, Rejection)] == [
        (4, "vnummer", reason), (5, "vnummer", reason),
    ]  # fmt: skip


def test_a_rejection_shows_the_element_with_the_key_masked() -> None:
    rejection = only_rejection(dossiers(gebeurtenis(soort="X")))
    assert rejection.excerpt == (
        '<dossier vnummer="********78"><gebeurtenis id="DTV-1" soort="X" datum="2023-04-02"/>'
    )


def test_it_rejects_a_dossier_without_vnummer() -> None:
    text = dossiers(EVENT).replace(' vnummer="3012345678"', "")
    assert only_rejection(text).reason == "missing person key"


def test_it_rejects_an_event_outside_a_dossier() -> None:
    rows = parse(f"{PROLOGUE}<vertrekdossiers>\n{EVENT}\n</vertrekdossiers>")
    assert rows == [
        Rejection(3, "dossier", "<gebeurtenis> is not directly inside a <dossier>", EVENT),
    ]


def test_it_rejects_an_event_without_id() -> None:
    rejection = only_rejection(dossiers('<gebeurtenis soort="OVERDRACHT" datum="2023-04-02"/>'))
    assert (rejection.field, rejection.reason) == ("id", "missing id")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dtv_vertrek_20230501.xml"
    path.write_text(text)
    return path


def test_the_sample_is_stored_as_events() -> None:
    summary = ingest_file(partner="DTV", path=DATA / "dtv_vertrek_20230501.xml")
    assert (summary.status, summary.accepted, summary.rejected) == ("accepted", 4, 0)
    assert Case.objects.filter(chain_id="NL").count() == 2
    departed = StatusEvent.objects.get(source_event_id="DTV-00011001")
    assert (departed.event_type, str(departed.local_date), departed.destination) == (
        "DEPARTED_VOLUNTARY", "2023-04-20", "GEO",
    )  # fmt: skip


def test_a_partially_bad_file_keeps_every_good_row_and_quarantines_the_bad(
    tmp_path: Path,
) -> None:
    text = dossiers(EVENT, gebeurtenis(id="DTV-2", datum="2023-02-29"), gebeurtenis(id="DTV-3"))
    summary = ingest_file(partner="DTV", path=write(tmp_path, text))
    assert (summary.status, summary.accepted, summary.rejected) == ("partially_accepted", 2, 1)
    assert sorted(StatusEvent.objects.values_list("source_event_id", flat=True)) == [
        "DTV-1", "DTV-3",
    ]  # fmt: skip
    rejection = RejectedRow.objects.get()
    assert (rejection.line, rejection.field) == (5, "datum")
    assert rejection.reason == "'2023-02-29' is not a valid date (yyyy-mm-dd)"
    assert rejection.excerpt.startswith('<dossier vnummer="********78"><gebeurtenis id="DTV-2"')


def test_a_duplicate_event_is_stored_once(tmp_path: Path) -> None:
    summary = ingest_file(partner="DTV", path=write(tmp_path, dossiers(EVENT, EVENT)))
    assert (summary.accepted, summary.duplicates) == (1, 1)
    assert StatusEvent.objects.count() == 1


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_a_hostile_file_stores_nothing(tmp_path: Path, hostile: str) -> None:
    summary = ingest_file(partner="DTV", path=write(tmp_path, hostile))
    assert summary.status == "rejected"
    assert "declares a DTD" in summary.reason
    assert not StatusEvent.objects.exists()
    assert not Case.objects.exists()
    assert not RejectedRow.objects.exists()
    assert Extract.objects.get().status == "rejected"
