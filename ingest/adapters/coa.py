"""COA reception mutations: ``coa_mutaties_YYYYMMDD.jsonl`` (``docs/reference/formats.md``).

JSON Lines in UTF-8 (a byte-order mark before the first line is tolerated), one object per
line: a ``mutatie`` record is a reception event, a ``capaciteit`` record a
``RECEPTION_CAPACITY`` measurement. Lines are numbered as in the file; blank lines are skipped.

When is it not a JSON Lines file at all? A line that is not a JSON object (invalid JSON, or
JSON that is not an object) is rejected on its own, but the whole file is rejected when

- its first ``FIRST_LINES`` non-empty lines are all not JSON objects (decided at once, so a
  CSV or binary file is not read to its end), or
- at its end, more than half of its non-empty lines were not JSON objects, however few.

Rows are yielded as they are read, before the end-of-file rule is known; that is safe because
the loader stores an extract in one transaction and a late ``ExtractRejected`` rolls it back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO, ClassVar

from ingest.adapters.base import (
    EventRow,
    ExtractRejected,
    MeasurementRow,
    Rejection,
    Row,
    RowError,
    check_choice,
    check_count,
    check_person_ref,
    check_text,
    excerpt,
    given_event_id,
    json_type,
    leave_reason,
    mask,
    parse_iso_date,
    parse_timestamp,
    quote,
    require_text,
)

EVENTS = {
    "INSTROOM": "RECEPTION_ENTERED",
    "OVERPLAATSING": "RECEPTION_TRANSFERRED",
    "UITSTROOM": "RECEPTION_LEFT",
}
REASONS = {"HUISVESTING": "HOUSING", "VERTREK": "DEPARTURE", "MOB": "UNKNOWN", "OVERIG": "OTHER"}
LOCATION_TYPES = {code: code for code in ("GVL", "AZC", "POL", "NOODOPVANG")}
FIRST_LINES = 10
# More places than this at one location is a typing error (and would not fit a float).
MAX_PLACES = 1_000_000
BOM = b"\xef\xbb\xbf"


class CoaAdapter:
    """JSON Lines of ``mutatie`` and ``capaciteit`` records."""

    partner: ClassVar[str] = "COA"
    chain: ClassVar[str] = "NL"

    def parse(self, stream: BinaryIO) -> Iterator[Row]:
        non_empty = not_json = 0
        for line, raw in enumerate(stream, start=1):
            if line == 1:
                raw = raw.removeprefix(BOM)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise ExtractRejected(f"line {line}: not valid UTF-8 ({err.reason})") from None
            if not text.strip():
                continue
            non_empty += 1
            record = _json_object(text)
            if isinstance(record, str):
                not_json += 1
                if not_json == non_empty == FIRST_LINES:
                    raise ExtractRejected(
                        f"lines 1-{line}: the first {FIRST_LINES} records are not JSON objects; "
                        "this is not a JSON Lines file"
                    )
                yield Rejection(line, "", record, excerpt(text.strip()))
                continue
            try:
                yield self._row(record, line)
            except RowError as err:
                yield Rejection(line, err.field, err.reason, _excerpt(text, record))
        if non_empty == 0:
            raise ExtractRejected("the file is empty: expected one JSON object per line")
        # "Invalid JSON on most lines" is the contract's sign of a file that is not JSON Lines
        # at all, so it holds for a short file too: two broken lines of two are no more a
        # JSON Lines file than twenty of twenty. A strict majority still keeps one broken line
        # beside a good one (a truncated last record, say) a bad row of its own.
        if not_json * 2 > non_empty:
            raise ExtractRejected(
                f"{not_json} of {non_empty} non-empty lines are not JSON objects; "
                "this is not a JSON Lines file"
            )

    @staticmethod
    def _row(record: dict[str, Any], line: int) -> Row:
        kind = record.get("record")
        if isinstance(kind, str):
            kind = kind.strip()
        if kind == "mutatie":
            return _event(record, line)
        if kind == "capaciteit":
            return _capacity(record, line)
        shown = quote(kind[:40]) if isinstance(kind, str) else json_type(kind)
        raise RowError("record", f"unknown record {shown} (expected mutatie or capaciteit)")


def _json_object(text: str) -> dict[str, Any] | str:
    """The line's JSON object, or the reason it is none."""
    try:
        value = json.loads(text)
    except RecursionError:
        return "not JSON: nested too deeply"
    except ValueError as err:
        # JSONDecodeError, and ValueError for integers of more than 4300 digits.
        return f"not JSON ({err})"
    if not isinstance(value, dict):
        return f"not a JSON object but {json_type(value)}"
    return value


def _event(record: dict[str, Any], line: int) -> EventRow:
    mutatie_id = require_text(record.get("mutatie_id"), "mutatie_id", limit=100)
    v_nummer = check_text(record.get("v_nummer"), "v_nummer", limit=64)
    event_type = check_choice(
        require_text(record.get("soort"), "soort", limit=64), EVENTS, "soort", "mutation"
    )
    reason = leave_reason(
        record.get("reden"), REASONS, "reden", "reason",
        leaving=event_type == "RECEPTION_LEFT", needed="UITSTROOM needs a reden",
    )  # fmt: skip
    locatie_type = require_text(record.get("locatie_type"), "locatie_type", limit=64)
    check_choice(locatie_type, LOCATION_TYPES, "locatie_type", "location type")
    tijdstip = require_text(record.get("tijdstip"), "tijdstip", limit=64)
    person_ref = check_person_ref("NL", v_nummer, "v_nummer")
    return EventRow(
        line=line,
        source_event_id=given_event_id(mutatie_id, person_ref),
        person_ref=person_ref,
        event_type=event_type,
        occurred_at=parse_timestamp(tijdstip, "tijdstip"),
        location=check_text(record.get("locatie"), "locatie", limit=200),
        reason=reason,
    )


def _capacity(record: dict[str, Any], line: int) -> MeasurementRow:
    peildatum = require_text(record.get("peildatum"), "peildatum", limit=64)
    return MeasurementRow(
        line=line,
        kind="RECEPTION_CAPACITY",
        location=require_text(record.get("locatie"), "locatie", limit=200),
        date=parse_iso_date(peildatum, "peildatum"),
        value=float(check_count(record.get("plaatsen"), "plaatsen", limit=MAX_PLACES)),
    )


def _excerpt(text: str, record: dict[str, Any]) -> str:
    """The line as written, with its V-nummer masked even when it is malformed."""
    v_nummer = record.get("v_nummer")
    if isinstance(v_nummer, str) and v_nummer.strip():
        text = text.replace(v_nummer, mask(v_nummer))
    return excerpt(text.strip())
