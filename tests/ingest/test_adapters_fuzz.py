"""Generated hostile input for every adapter: only canonical rows or a whole rejection come out.

The push API's body parser is an adapter too: a body is refused whole (``check_shape``) or
gives one row per item.

Whatever the bytes, an adapter yields ``EventRow``, ``MeasurementRow`` or ``Rejection`` objects
that the loader can store (lengths, codes, no NUL or lone surrogate, plausible dates), or it
raises ``ExtractRejected`` with a reason. Any other exception is a bug. Pure parsing: no
database.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chain.vocabulary import EVENT_TYPES, LEAVE_REASONS, MEASUREMENT_KINDS, TRACKS
from ingest.adapters import ADAPTERS
from ingest.adapters.base import (
    PERSON_REF,
    PLAUSIBLE_YEARS,
    EventRow,
    ExtractRejected,
    MeasurementRow,
    Rejection,
    Row,
)
from ingest.adapters.push import check_shape, parse_push
from tests.known_chain import HEADER as IND_HEADER

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Values that break parsers: NUL, a lone surrogate, foreign digits, padding, quotes, markup,
# over-long text, dates that look right.
NASTY_TEXT = [
    "", " ", "\x00", "\ud800", "\t", "٣٠١٢٣٤٥٦٧٨", " 3012345678 ", "3012345678\n", '"', "'",
    ";", ",", "<", "&amp;", "&lol;", "]]>", "\ufeff", "\u2028", "null", "0001-01-01",
    "9" * 60, "x" * 300, "2023-W01-1", "2023-04-30T10:15:00", "0001-01-01T00:00:00+14:00",
]  # fmt: skip
NASTY_JSON = [None, True, 0, -1, 2.5, math.nan, math.inf, 10**30, [], {}, ["x"], {"v": "x"}]
TEXT = st.sampled_from(NASTY_TEXT) | st.text(max_size=40)
# Lone surrogates are written as the invalid UTF-8 they would be on disk.
UTF8 = ("utf-8", "surrogatepass")
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
MISSING = object()


@st.composite
def mutated(draw: st.DrawFn, valid: dict[str, Any], wild: st.SearchStrategy[Any]) -> dict:
    """The valid record with one or two fields replaced by anything of ``wild``, or left out."""
    record = dict(valid)
    for key in draw(st.lists(st.sampled_from(list(valid)), min_size=1, max_size=2, unique=True)):
        if draw(st.booleans()):
            record[key] = draw(wild)
        else:
            del record[key]
    return record


def rows_of(partner: str, data: bytes) -> list[Row]:
    """The rows an adapter yields for ``data``, [] when it rejects the file whole."""
    try:
        rows = list(ADAPTERS[partner]().parse(io.BytesIO(data)))
    except ExtractRejected as err:
        assert str(err), "a whole rejection says why"
        return []
    for row in rows:
        CHECKS[type(row)](partner, row)
    return rows


def storable(text: str | None, limit: int) -> bool:
    """Text that PostgreSQL accepts in a column of ``limit`` characters."""
    if text is None:
        return True
    return len(text) <= limit and "\x00" not in text and _encodes(text)


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_event(partner: str, row: EventRow) -> None:
    chain = ADAPTERS[partner].chain
    assert row.event_type in EVENT_TYPES
    assert PERSON_REF[chain].fullmatch(row.person_ref), row.person_ref
    assert 0 < len(row.source_event_id) <= 100 and storable(row.source_event_id, 100)
    assert row.occurred_at.utcoffset() is not None
    assert row.occurred_at.year in PLAUSIBLE_YEARS
    assert row.track is None or row.track in TRACKS[chain]
    assert row.reason is None or row.reason in LEAVE_REASONS
    assert (row.reason is not None) == (row.event_type == "RECEPTION_LEFT")
    for code in (row.nationality, row.destination):
        assert code is None or (len(code) == 3 and code.isascii() and code.isupper())
    assert storable(row.location, 200)
    assert row.uam is None or isinstance(row.uam, bool)


def check_measurement(partner: str, row: MeasurementRow) -> None:
    assert row.kind in MEASUREMENT_KINDS
    assert math.isfinite(row.value) and row.value >= 0
    assert row.date.year in PLAUSIBLE_YEARS
    assert storable(row.location, 200)


def check_rejection(partner: str, row: Rejection) -> None:
    assert row.reason
    assert storable(row.field, 64) and storable(row.reason[:500], 500)
    assert storable(row.excerpt, 500)


CHECKS: dict[type, Callable[[str, Any], None]] = {
    EventRow: check_event, MeasurementRow: check_measurement, Rejection: check_rejection,
}  # fmt: skip


IND_ROW = dict(
    zip(IND_HEADER.strip().split(";"),
        ["3012345678", "Z1", "4", "SYR", "AANVRAAG", "10-01-2023", "09:00", "Ter Apel", "N"],
        strict=True)
)  # fmt: skip
DVZ_HEADER = "numero_sp,type_evenement,date_evenement,nationalite,procedure,mena\n"
DVZ_ROW = dict(
    zip(DVZ_HEADER.strip().split(","), ["8123456", "INTRODUCTION", "2023-01-10", "AFG", "P", "N"],
        strict=True)
)  # fmt: skip
MUTATIE = {
    "record": "mutatie", "mutatie_id": "COA-M-1", "v_nummer": "3012345678",
    "soort": "UITSTROOM", "reden": "MOB", "locatie": "azc Budel", "locatie_type": "AZC",
    "tijdstip": "2023-04-30T10:15:00+02:00",
}  # fmt: skip
CAPACITEIT = {"record": "capaciteit", "locatie": "azc Budel", "peildatum": "2023-04-30",
              "plaatsen": 1200}  # fmt: skip
ITEM = {
    "id": "FED-1", "sp_number": "8123456", "centre": "Petit-Château",
    "centre_type": "COLLECTIVE", "event": "EXIT", "exit_reason": "OTHER",
    "occurred_at": "2023-04-30T10:15:00+02:00",
}  # fmt: skip
CENTRE = {"centre": "Jette", "places": 420}
# A DT&V event with its dossier's key, as one record.
GEBEURTENIS = {"vnummer": "3012345678", "id": "DTV-1", "soort": "VERTREK_GEDWONGEN",
               "datum": "2023-04-02", "bestemming": "MAR"}  # fmt: skip


def csv_file(header: str, delimiter: str) -> Callable[[list[Any]], bytes]:
    """Writes rows (records, or raw lines) under ``header``, fields joined as they are."""

    def write(rows: list[Any]) -> bytes:
        lines = (delimiter.join(r.values()) if isinstance(r, dict) else r for r in rows)
        return (header + "".join(f"{line}\n" for line in lines)).encode(*UTF8)

    return write


def coa_file(records: list[Any]) -> bytes:
    """JSON Lines in ASCII: a lone surrogate arrives as a ``\\ud800`` escape."""
    lines = (r if isinstance(r, str) else json.dumps(r) for r in records)
    return "".join(f"{line}\n" for line in lines).encode(*UTF8)


def fedasil_page(items: list[Any]) -> bytes:
    return json.dumps({"data": items, "next_cursor": None}).encode()


def fedasil_capacity(items: list[Any]) -> bytes:
    return json.dumps({"date": "2023-04-30", "data": items}).encode()


def xml_element(tag: str, attrs: dict[str, str], children: str = "") -> str:
    rendered = "".join(f" {name}={quoteattr(value)}" for name, value in attrs.items())
    return f"<{tag}{rendered}>{children}</{tag}>\n"


def dtv_file(records: list[Any], root: str = "vertrekdossiers") -> bytes:
    """Each record a dossier of one event (raw text stays raw), in a document."""
    dossiers = "".join(
        xml_element("dossier", {k: v for k, v in r.items() if k == "vnummer"},
                    xml_element("gebeurtenis", {k: v for k, v in r.items() if k != "vnummer"}))
        if isinstance(r, dict) else r
        for r in records
    )  # fmt: skip
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>\n{dossiers}</{root}>'.encode(*UTF8)


# Per partner: valid records, how to write a file of them, which values to put in a field.
FORMATS: dict[str, tuple[list[dict[str, Any]], Callable[[list[Any]], bytes], list[Any]]] = {
    "IND": ([IND_ROW], csv_file(IND_HEADER, ";"), NASTY_TEXT),
    "DVZ": ([DVZ_ROW], csv_file(DVZ_HEADER, ","), NASTY_TEXT),
    "COA": ([MUTATIE, CAPACITEIT], coa_file, NASTY_TEXT + NASTY_JSON),
    "FEDASIL": ([ITEM], fedasil_page, NASTY_TEXT + NASTY_JSON),
    "FEDASIL-capacity": ([CENTRE], fedasil_capacity, NASTY_TEXT + NASTY_JSON),
    "DTV": ([GEBEURTENIS], dtv_file, NASTY_TEXT),
}


def replaced(valid: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """The record with one field set to ``value`` in its place, or left out for ``MISSING``."""
    changed = {**valid, key: value}
    return {k: v for k, v in changed.items() if v is not MISSING}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_field_replaced_by_every_nasty_value_gives_rows_fit_to_store(name: str) -> None:
    partner = name.split("-")[0]
    records, write, values = FORMATS[name]
    for valid in records:
        good = rows_of(partner, write([valid]))
        assert good and all(isinstance(r, EventRow | MeasurementRow) for r in good)
        for key in valid:
            for value in [*values, MISSING]:
                rows_of(partner, write([replaced(valid, key, value)]))


@FUZZ
@given(partner=st.sampled_from(sorted(ADAPTERS)), data=st.binary(max_size=3000))
def test_arbitrary_bytes_give_rows_or_a_whole_rejection(partner: str, data: bytes) -> None:
    rows_of(partner, data)


@FUZZ
@given(partner=st.sampled_from(sorted(ADAPTERS)), text=st.text(max_size=3000))
def test_arbitrary_text_gives_rows_or_a_whole_rejection(partner: str, text: str) -> None:
    rows_of(partner, text.encode(*UTF8))


@FUZZ
@given(partner=st.sampled_from(sorted(ADAPTERS)), value=JSON)
def test_arbitrary_json_gives_rows_or_a_whole_rejection(partner: str, value: Any) -> None:
    rows_of(partner, json.dumps(value, ensure_ascii=False).encode(*UTF8))


@FUZZ
@given(
    name=st.sampled_from(sorted(FORMATS)),
    data=st.data(),
)
def test_records_with_arbitrary_fields_among_raw_lines_give_rows_or_a_whole_rejection(
    name: str, data: st.DataObject
) -> None:
    records, write, _ = FORMATS[name]
    wild = TEXT if name in {"IND", "DVZ", "DTV"} else JSON
    record = st.sampled_from(records).flatmap(lambda valid: mutated(valid, wild))
    rows_of(name.split("-")[0], write(data.draw(st.lists(record | record | TEXT, max_size=12))))


@FUZZ
@given(records=st.lists(mutated(MUTATIE, JSON) | mutated(CAPACITEIT, JSON), max_size=8))
def test_coa_records_with_arbitrary_values_give_one_row_each(records: list[dict]) -> None:
    rows = rows_of("COA", coa_file(records))
    assert [r.line for r in rows] == list(range(1, len(records) + 1))


@FUZZ
@given(
    items=st.lists(mutated(ITEM, JSON) | mutated(CENTRE, JSON) | JSON, max_size=8),
    write=st.sampled_from([fedasil_page, fedasil_capacity]),
)
def test_fedasil_items_with_arbitrary_values_give_one_row_each(
    items: list[Any], write: Callable[[list[Any]], bytes]
) -> None:
    rows = rows_of("FEDASIL", write(items))
    assert [r.line for r in rows] == list(range(1, len(items) + 1))


@FUZZ
@given(top=st.dictionaries(st.sampled_from(["date", "next_cursor", "data"]) | TEXT, JSON))
def test_fedasil_documents_of_arbitrary_shape_give_rows_or_a_whole_rejection(
    top: dict[str, Any],
) -> None:
    rows_of("FEDASIL", json.dumps(top).encode())


@FUZZ
@given(records=st.lists(mutated(GEBEURTENIS, TEXT) | TEXT, max_size=6), root=TEXT)
def test_dtv_documents_with_an_arbitrary_root_give_rows_or_a_whole_rejection(
    records: list[Any], root: str
) -> None:
    rows_of("DTV", dtv_file(records, root))


PUSH_EVENT = {
    "source_event_id": "IND-2023-000123", "person_ref": "3012345678",
    "event_type": "RECEPTION_LEFT", "occurred_at": "2023-04-30T10:15:00+02:00", "track": "4",
    "nationality": "SYR", "uam": False, "location": "Ter Apel", "reason": "HOUSING",
    "destination": "MAR",
}  # fmt: skip
PUSH_MEASUREMENT = {"kind": "RECEPTION_CAPACITY", "location": "azc Budel", "date": "2023-04-30",
                    "value": 1200}  # fmt: skip


def push_rows(body: Any) -> list[Row]:
    """The rows the push adapter yields for a body, [] when its shape is refused whole."""
    if check_shape(body):
        return []
    rows = list(parse_push(body, "NL"))
    for row in rows:
        CHECKS[type(row)]("IND", row)
    return rows


@pytest.mark.parametrize("valid", [PUSH_EVENT, PUSH_MEASUREMENT], ids=["event", "measurement"])
def test_every_push_field_replaced_by_every_nasty_value_gives_one_row_fit_to_store(
    valid: dict[str, Any],
) -> None:
    key = "events" if "event_type" in valid else "measurements"
    assert isinstance(push_rows({key: [valid]})[0], EventRow | MeasurementRow)
    for field in valid:
        for value in [*NASTY_TEXT, *NASTY_JSON, MISSING]:
            assert len(push_rows({key: [replaced(valid, field, value)]})) == 1


def push_items(valid: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The valid item with fields replaced or left out, sometimes with fields of any name."""
    extra = st.dictionaries(TEXT, JSON, max_size=2)
    return st.builds(lambda item, more: {**item, **more}, mutated(valid, JSON), extra)


@FUZZ
@given(
    events=st.lists(push_items(PUSH_EVENT), max_size=6),
    measurements=st.lists(push_items(PUSH_MEASUREMENT), max_size=4),
)
def test_push_items_with_arbitrary_values_give_one_row_each(
    events: list[dict[str, Any]], measurements: list[dict[str, Any]]
) -> None:
    rows = push_rows({"events": events, "measurements": measurements})
    assert len(rows) == len(events) + len(measurements)


@FUZZ
@given(
    body=JSON
    | st.dictionaries(st.sampled_from(["organisation", "events", "measurements"]) | TEXT, JSON)
)
def test_push_bodies_of_arbitrary_shape_give_rows_or_a_whole_refusal(body: Any) -> None:
    push_rows(body)
