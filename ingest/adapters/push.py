"""The push API's body (``docs/reference/push-api.md``): canonical events and measurements as JSON.

``check_shape`` finds what makes a body unusable as a whole (answered 400, nothing stored);
``parse_push`` turns the items into rows, rejecting a bad item on its own with its index.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from chain.vocabulary import EVENT_TYPES, LEAVE_REASONS, MEASUREMENT_KINDS, MeasurementKind
from ingest.adapters.base import (
    ISO_DATE,
    EventRow,
    MeasurementRow,
    Rejection,
    Row,
    RowError,
    check_nationality,
    check_person_ref,
    check_text,
    check_track,
    excerpt,
    given_event_id,
    json_type,
    leave_reason,
    local_midnight,
    mask,
    parse_iso_date,
    parse_timestamp,
    quote,
)

MAX_EVENTS = 10_000
EVENT_FIELDS = frozenset(
    {"source_event_id", "person_ref", "event_type", "occurred_at", "track", "nationality", "uam",
     "location", "reason", "destination"}
)  # fmt: skip
MEASUREMENT_FIELDS = frozenset({"kind", "location", "date", "value"})
# "organisation" is optional; when given it must be the key's own (else 403).
TOP_LEVEL = frozenset({"organisation", "events", "measurements"})
# Pushed reasons are canonical already: each code stands for itself.
CANONICAL_REASONS = {reason: reason for reason in LEAVE_REASONS}


def event_count(body: Any) -> int:
    """How many events the body holds, counted before its shape is checked; 0 if it has no list."""
    events = body.get("events") if isinstance(body, dict) else None
    return len(events) if isinstance(events, list) else 0


def check_shape(body: Any) -> list[str]:
    """Every problem that makes the body unusable as a whole; empty when its shape is right."""
    if not isinstance(body, dict):
        return ["the body must be a JSON object with 'events' and/or 'measurements'"]
    problems = [f"unknown top-level field {_shown(k)}" for k in sorted(body) if k not in TOP_LEVEL]
    if "organisation" in body and not isinstance(body["organisation"], str):
        problems.append("'organisation' must be an organisation code")
    if "events" not in body and "measurements" not in body:
        problems.append("the body has neither 'events' nor 'measurements'")
    for key in ("events", "measurements"):
        if key in body and not isinstance(body[key], list):
            problems.append(f"'{key}' must be a list")
        elif key in body:
            problems.extend(
                f"{key}[{i}] must be an object" for i, item in enumerate(body[key])
                if not isinstance(item, dict)
            )  # fmt: skip
    return problems


def parse_push(body: dict[str, Any], chain: str) -> Iterator[Row]:
    """The rows of a well-shaped body; a bad item becomes a Rejection with its index."""
    for index, item in enumerate(body.get("events", [])):
        try:
            yield _event(item, index, chain)
        except RowError as err:
            yield Rejection(index, err.field, err.reason, mask(_text(item.get("person_ref"))))
    for index, item in enumerate(body.get("measurements", [])):
        try:
            yield _measurement(item, index)
        except RowError as err:
            yield Rejection(index, f"measurements.{err.field}", err.reason)


def _shown(value: Any) -> str:
    """An offending value as a message quotes it: text through ``quote``, else its JSON type."""
    return quote(value[:40]) if isinstance(value, str) else json_type(value)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _check_fields(item: dict[str, Any], known: frozenset[str]) -> None:
    """``RowError`` naming the first unknown field, cut short and masked: it may be any text."""
    unknown = sorted(set(item) - known)
    if unknown:
        name = excerpt(unknown[0])[:40]
        raise RowError(name, f"unknown field {name!r}")


def _optional_text(item: dict[str, Any], field: str, limit: int) -> str | None:
    """A text field of the item: a string without control characters, or null."""
    return check_text(item.get(field), field, limit=limit)


def _event(item: dict[str, Any], index: int, chain: str) -> EventRow:
    _check_fields(item, EVENT_FIELDS)
    source_event_id = _optional_text(item, "source_event_id", 100)
    if not source_event_id:
        raise RowError("source_event_id", "missing source_event_id")
    if not isinstance(item.get("person_ref"), str):
        raise RowError("person_ref", "missing person_ref (a string)")
    person_ref = check_person_ref(chain, item["person_ref"], "person_ref")
    event_type = item.get("event_type")
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
        raise RowError("event_type", f"unknown event type {_shown(event_type)}")
    occurred_at = _occurred_at(_text(item.get("occurred_at")), chain)
    uam = item.get("uam")
    if uam is not None and not isinstance(uam, bool):
        raise RowError("uam", "must be true, false or null")
    reason = leave_reason(
        item.get("reason"), CANONICAL_REASONS, "reason", "reason",
        leaving=event_type == "RECEPTION_LEFT", needed="RECEPTION_LEFT needs a reason",
    )  # fmt: skip
    return EventRow(
        line=index, source_event_id=given_event_id(source_event_id, person_ref),
        person_ref=person_ref,
        event_type=event_type, occurred_at=occurred_at,
        track=check_track(chain, _optional_text(item, "track", 2), "track"),
        nationality=check_nationality(_optional_text(item, "nationality", 3), "nationality"),
        uam=uam, location=_optional_text(item, "location", 200), reason=reason,
        destination=check_nationality(_optional_text(item, "destination", 3), "destination"),
    )  # fmt: skip


def _occurred_at(raw: str | None, chain: str) -> datetime:
    """An aware timestamp; a date alone is 00:00 local time of the chain (``events.md``)."""
    if raw is not None and ISO_DATE.fullmatch(raw.strip()):
        return local_midnight(chain, parse_iso_date(raw, "occurred_at"))
    return parse_timestamp(raw, "occurred_at")


def _measurement(item: dict[str, Any], index: int) -> MeasurementRow:
    _check_fields(item, MEASUREMENT_FIELDS)
    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in MEASUREMENT_KINDS:
        raise RowError("kind", f"unknown measurement kind {_shown(kind)}")
    value = item.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RowError("value", "must be a finite number")
    if value < 0:
        raise RowError("value", "must not be negative")
    if kind == MeasurementKind.SATISFACTION_SCORE and not 1 <= value <= 5:
        raise RowError("value", "a SATISFACTION_SCORE is a mean score from 1 to 5")
    return MeasurementRow(
        line=index, kind=kind, location=_optional_text(item, "location", 200),
        date=parse_iso_date(_text(item.get("date")), "date"), value=float(value),
    )  # fmt: skip
