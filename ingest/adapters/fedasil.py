"""Fedasil feed documents (``docs/reference/formats.md``), one per extract.

``ingest/fedasil_feed.py`` stores each document it pulls as a file and ingests it through this
adapter, which tells the two kinds apart by their shape:

- an occupancy page ``{"data": [...], "next_cursor": ...}``: reception events;
- a capacity document ``{"date": "yyyy-mm-dd", "data": [{"centre", "places"}]}``:
  ``RECEPTION_CAPACITY`` measurements of that date.

A page holds at most a few thousand items, so the document is read whole. One that is not
UTF-8 JSON, not an object or of neither shape is rejected whole; a bad item of ``data`` is
rejected on its own, its line being its 1-based position in ``data``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
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
    require_text,
)

EVENTS = {
    "ARRIVAL": "RECEPTION_ENTERED",
    "TRANSFER": "RECEPTION_TRANSFERRED",
    "EXIT": "RECEPTION_LEFT",
}
EXIT_REASONS = {
    "PROTECTION_GRANTED": "HOUSING",
    "VOLUNTARY_RETURN": "DEPARTURE",
    "UNKNOWN": "UNKNOWN",
    "OTHER": "OTHER",
}
CENTRE_TYPES = {code: code for code in ("COLLECTIVE", "INDIVIDUAL")}
# More places than this in one centre is a typing error (and would not fit a float).
MAX_PLACES = 1_000_000
SHAPES = (
    'an occupancy page {"data": [...], "next_cursor": ...} or a capacity document '
    '{"date": "yyyy-mm-dd", "data": [...]}'
)


class FedasilAdapter:
    """One occupancy page or capacity document of the Fedasil feed."""

    partner: ClassVar[str] = "FEDASIL"
    chain: ClassVar[str] = "BE"

    def parse(self, stream: BinaryIO) -> Iterator[Row]:
        document = _document(stream.read())
        day = _capacity_date(document)
        items = document.get("data")
        if not isinstance(items, list):
            raise ExtractRejected(f"'data' must be an array, found {json_type(items)}")
        for line, record in enumerate(items, start=1):
            if not isinstance(record, dict):
                yield Rejection(line, "", f"item is {json_type(record)}, not an object")
                continue
            try:
                yield _event(record, line) if day is None else _capacity(record, line, day)
            except RowError as err:
                yield Rejection(line, err.field, err.reason, _excerpt(record))


def _document(content: bytes) -> dict[str, Any]:
    """The document's top-level object, or ``ExtractRejected`` saying why it is none."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ExtractRejected(f"byte {err.start}: not valid UTF-8 ({err.reason})") from None
    if not text.strip():
        raise ExtractRejected(f"the document is empty: expected {SHAPES}")
    try:
        document = json.loads(text)
    except RecursionError:
        raise ExtractRejected("not JSON: nested too deeply") from None
    except ValueError as err:
        # JSONDecodeError names line and column; a ValueError for an over-long integer does not.
        raise ExtractRejected(f"not JSON ({err})") from None
    if not isinstance(document, dict):
        raise ExtractRejected(f"the document is {json_type(document)}: expected {SHAPES}")
    return document


def _capacity_date(document: dict[str, Any]) -> date | None:
    """None for an occupancy page, the date of a capacity document; else ``ExtractRejected``."""
    if "next_cursor" in document and "date" not in document:
        cursor = document["next_cursor"]
        if cursor is not None and not isinstance(cursor, str):
            raise ExtractRejected(
                f"'next_cursor' must be a string or null, found {json_type(cursor)}"
            )
        return None
    if "date" in document and "next_cursor" not in document:
        try:
            return parse_iso_date(require_text(document["date"], "date", limit=64), "date")
        except RowError as err:
            raise ExtractRejected(f"capacity document, field 'date': {err.reason}") from None
    raise ExtractRejected(f"the document is neither {SHAPES}")


def _event(record: dict[str, Any], line: int) -> EventRow:
    event_id = require_text(record.get("id"), "id", limit=100)
    sp_number = check_text(record.get("sp_number"), "sp_number", limit=64)
    code = require_text(record.get("event"), "event", limit=64)
    event_type = check_choice(code, EVENTS, "event", "event")
    reason = leave_reason(
        record.get("exit_reason"), EXIT_REASONS, "exit_reason", "exit reason",
        leaving=event_type == "RECEPTION_LEFT", needed="EXIT needs an exit_reason",
    )  # fmt: skip
    centre_type = require_text(record.get("centre_type"), "centre_type", limit=64)
    check_choice(centre_type, CENTRE_TYPES, "centre_type", "centre type")
    occurred_at = require_text(record.get("occurred_at"), "occurred_at", limit=64)
    person_ref = check_person_ref("BE", sp_number, "sp_number")
    return EventRow(
        line=line,
        source_event_id=given_event_id(event_id, person_ref),
        person_ref=person_ref,
        event_type=event_type,
        occurred_at=parse_timestamp(occurred_at, "occurred_at"),
        location=check_text(record.get("centre"), "centre", limit=200),
        reason=reason,
    )


def _capacity(record: dict[str, Any], line: int, day: date) -> MeasurementRow:
    return MeasurementRow(
        line=line,
        kind="RECEPTION_CAPACITY",
        location=require_text(record.get("centre"), "centre", limit=200),
        date=day,
        value=float(check_count(record.get("places"), "places", limit=MAX_PLACES)),
    )


def _excerpt(record: dict[str, Any]) -> str:
    """The item's text fields (numbers, nesting left out) with its SP number masked."""
    shown = {
        key: mask(value) if key == "sp_number" else value
        for key, value in record.items()
        if isinstance(value, str)
    }
    return excerpt(json.dumps(shown, ensure_ascii=False))
