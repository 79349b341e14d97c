"""What every partner adapter yields, and the shared checks on canonical values.

An adapter reads one extract as a byte stream and yields, row by row, either an ``EventRow``,
a ``MeasurementRow`` or a ``Rejection``. It never holds the whole file in memory. A file that
cannot be read as its format at all raises ``ExtractRejected`` and the loader stores nothing
of it. Raw identifiers (V- and SP-numbers) only live in ``EventRow.person_ref`` until the loader
pseudonymizes them; a ``Rejection`` carries them masked (see ``mask``), and its reason quotes
an offending value only through ``quote``.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import BinaryIO, ClassVar, Protocol

from chain.vocabulary import CHAIN_TIMEZONES, TRACKS
from ingest.pseudonymize import event_identity

# ASCII digits only: ``\d`` alone would take Arabic-Indic or other Unicode digits for a key.
PERSON_REF = {"NL": re.compile(r"\d{10}", re.ASCII), "BE": re.compile(r"\d{7,8}", re.ASCII)}
PERSON_REF_LABEL = {"NL": "V-nummer (10 digits)", "BE": "SP number (7 or 8 digits)"}
ISO_ALPHA3 = re.compile(r"[A-Z]{3}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# Dates outside these years are typing errors here, and past year 1 they break conversions.
PLAUSIBLE_YEARS = range(1900, 3000)
# Control characters: invisible to a reader, and NUL or a lone surrogate cannot be stored.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# Runs of 7 or more digits may be V- or SP-numbers; excerpts mask them, also where letters or
# dashes are glued to them (``V3012345678``, ``DTV-3012345678``) and in any script.
LONG_NUMBER = re.compile(r"\d{7,}")
# A quoted value is stricter: seven digits in a row anywhere in it, in any script.
IDENTIFIER_LIKE = re.compile(r"\d{7,}")
WHITE_SPACE = re.compile(r"\s+")
EXCERPT_LIMIT = 200


class ExtractRejected(Exception):
    """The delivery cannot be read as its format at all; nothing of it is stored."""


class RowError(ValueError):
    """One field of one row is wrong; ``field`` names it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass(slots=True)
class EventRow:
    """A canonical status event, before pseudonymization."""

    line: int
    source_event_id: str
    person_ref: str
    event_type: str
    occurred_at: datetime  # aware
    track: str | None = None
    nationality: str | None = None
    uam: bool | None = None
    location: str | None = None
    reason: str | None = None
    destination: str | None = None


@dataclass(slots=True)
class MeasurementRow:
    """An aggregate measurement (capacity, satisfaction, decision staff)."""

    line: int
    kind: str
    location: str | None
    date: date
    value: float


@dataclass(slots=True)
class Rejection:
    """A quarantined row: where, which field, why; ``excerpt`` has identifiers masked."""

    line: int
    field: str
    reason: str
    excerpt: str = ""


Row = EventRow | MeasurementRow | Rejection


class Adapter(Protocol):
    """Turns one partner's extract into canonical rows."""

    partner: ClassVar[str]
    chain: ClassVar[str]

    def parse(self, stream: BinaryIO) -> Iterator[Row]:
        """Yield the extract's rows in order; raise ``ExtractRejected`` if it is unreadable."""
        ...


def mask(identifier: str | None) -> str:
    """Mask an identifier, keeping its last 2 characters: ``3012345678`` -> ``********78``."""
    if not identifier:
        return ""
    text = identifier.strip()
    return "*" * max(len(text) - 2, 0) + CONTROL_CHARACTERS.sub("?", text[-2:])


def quote(value: str) -> str:
    """How a reason quotes an offending value: masked whole if it could hold an identifier.

    A V- or SP-number put in the wrong column reaches a reason through any field, and reasons
    are stored and shown as they are. Seven digits in a row (spaces ignored, any script) is the
    shortest SP-number; a misspelled code or an impossible date such as ``31-02-2023`` has no
    such run and stays readable, which is what the person correcting the row needs.
    """
    shown = mask(value) if IDENTIFIER_LIKE.search(WHITE_SPACE.sub("", value)) else value
    return repr(shown)


def check_person_ref(chain: str, raw: str | None, field: str) -> str:
    """The stripped chain key, or ``RowError`` when it is missing or malformed."""
    value = (raw or "").strip()
    if not value:
        raise RowError(field, "missing person key")
    if not PERSON_REF[chain].fullmatch(value):
        raise RowError(field, f"{mask(value)} is not a valid {PERSON_REF_LABEL[chain]}")
    return value


def check_nationality(raw: str | None, field: str) -> str | None:
    """ISO 3166-1 alpha-3 (three capital letters) or None when empty."""
    value = (raw or "").strip()
    if not value:
        return None
    if not ISO_ALPHA3.fullmatch(value):
        raise RowError(field, f"{quote(value)} is not an ISO 3166-1 alpha-3 code (three capitals)")
    return value


def require_nationality(raw: str | None, field: str) -> str:
    """Like ``check_nationality``, but an empty value is a ``RowError`` (unknown is ``XXX``)."""
    value = check_nationality(raw, field)
    if value is None:
        raise RowError(field, "missing nationality (XXX when unknown, XXA when stateless)")
    return value


def check_track(chain: str, raw: str | None, field: str) -> str | None:
    """A track code of the chain, or None when empty."""
    value = (raw or "").strip()
    if not value:
        return None
    if value not in TRACKS[chain]:
        allowed = ", ".join(sorted(TRACKS[chain]))
        raise RowError(field, f"track {quote(value)} is not one of {allowed}")
    return value


def require_track(chain: str, raw: str | None, field: str) -> str:
    """Like ``check_track``, but an empty value is a ``RowError``."""
    value = check_track(chain, raw, field)
    if value is None:
        allowed = ", ".join(sorted(TRACKS[chain]))
        raise RowError(field, f"missing track ({allowed})")
    return value


def check_choice(raw: str | None, mapping: dict[str, str], field: str, what: str) -> str:
    """Map a partner code to its canonical value, or reject it naming the allowed codes."""
    value = (raw or "").strip()
    try:
        return mapping[value]
    except KeyError:
        allowed = ", ".join(sorted(mapping))
        reason = f"unknown {what} {quote(value)} (expected one of {allowed})"
        raise RowError(field, reason) from None


def parse_iso_date(raw: str | None, field: str) -> date:
    """``yyyy-mm-dd`` as a real calendar date."""
    value = (raw or "").strip()
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError
        parsed = date.fromisoformat(value)
    except ValueError:
        raise RowError(field, f"{quote(value)} is not a valid date (yyyy-mm-dd)") from None
    check_plausible_year(parsed.year, value, field)
    return parsed


def parse_timestamp(raw: str | None, field: str) -> datetime:
    """An ISO 8601 timestamp with a UTC offset."""
    value = (raw or "").strip() if isinstance(raw, str) else ""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RowError(field, f"{quote(value)} is not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        raise RowError(field, f"{quote(value)} has no UTC offset")
    check_plausible_year(parsed.year, value, field)
    return parsed


def check_plausible_year(year: int, value: str, field: str) -> None:
    """``RowError`` for a date outside ``PLAUSIBLE_YEARS``."""
    if year not in PLAUSIBLE_YEARS:
        raise RowError(
            field,
            f"{quote(value)} is not a plausible date (years {PLAUSIBLE_YEARS.start}"
            f"-{PLAUSIBLE_YEARS.stop - 1})",
        )


@lru_cache(maxsize=65_536)
def local_midnight(chain: str, day: date, hour: int = 0, minute: int = 0) -> datetime:
    """The aware local time of ``day`` at ``hour:minute`` in the chain's time zone."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHAIN_TIMEZONES[chain])


def natural_key_id(*parts: str) -> str:
    """The ``source_event_id`` of a format without ids: its natural key, keyed with the secret."""
    return event_identity("|".join(parts))


def given_event_id(given: str, person_ref: str) -> str:
    """A partner's own event id as stored: as given, unless it holds the person's number.

    Such an id would keep the V- or SP-number in clear, so it is keyed like a natural key; the
    same id keeps giving the same identity, so a re-delivered event still counts once.
    """
    return event_identity(given) if person_ref in given else given


def check_header(found: list[str], expected: frozenset[str], what: str) -> dict[str, int]:
    """Column positions by name; ``ExtractRejected`` naming what is missing or unexpected.

    Unexpected names are quoted masked: a file without its header has a data row there.
    """
    names = [name.strip() for name in found]
    missing = sorted(expected - set(names))
    unexpected = sorted(set(names) - expected)
    if missing or unexpected or len(names) != len(set(names)):
        problems = []
        if not expected & set(names):
            problems.append("none of the expected columns: is the header missing?")
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unexpected:
            problems.append(f"unexpected column(s) {', '.join(map(excerpt, unexpected))}")
        if len(names) != len(set(names)):
            problems.append("a column appears twice")
        raise ExtractRejected(
            f"line 1: not a {what} header ({'; '.join(problems)}); expected exactly "
            f"{', '.join(sorted(expected))}"
        )
    return {name: i for i, name in enumerate(names)}


def json_type(value: object) -> str:
    """How a JSON value's type reads in a reason: ``an object``, ``a number``, …"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def leave_reason(
    raw: object, mapping: dict[str, str], field: str, what: str, *, leaving: bool, needed: str
) -> str | None:
    """The canonical reason of a leave (``needed`` says why a leave without one is bad).

    Only a leave keeps its reason, but the contract makes an unknown reason code a bad row on
    any event: a code nobody agreed on means the record was not written as agreed.
    """
    code = check_text(raw, field, limit=64)
    reason = None if code is None else check_choice(code, mapping, field, what)
    if leaving and reason is None:
        raise RowError(field, needed)
    return reason if leaving else None


def check_text(raw: object, field: str, *, limit: int) -> str | None:
    """Free text without surrounding white space, or None when null or empty.

    It must be a string (a JSON number is not text), fit ``limit`` characters and hold no
    control characters. Reasons never quote the value: it may be a raw identifier.
    """
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise RowError(field, f"must be a string, found {json_type(raw)}")
    value = raw.strip()
    if len(value) > limit:
        raise RowError(field, f"longer than {limit} characters")
    if CONTROL_CHARACTERS.search(value):
        raise RowError(field, "contains control characters")
    return value or None


def require_text(raw: object, field: str, *, limit: int) -> str:
    """Like ``check_text``, but a missing or empty value is a ``RowError``."""
    value = check_text(raw, field, limit=limit)
    if value is None:
        raise RowError(field, f"missing {field}")
    return value


def check_count(raw: object, field: str, *, limit: int) -> int:
    """A whole number from 0 up to ``limit`` (a JSON ``true`` is not a number)."""
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise RowError(field, f"must be a whole number, found {json_type(raw)}")
    if raw < 0:
        raise RowError(field, "must not be negative")
    if raw > limit:
        raise RowError(field, f"more than {limit:,}: not plausible")
    return raw


def excerpt(text: str) -> str:
    """A short excerpt of a rejected record, long numbers masked, control characters as ``?``."""
    masked = LONG_NUMBER.sub(lambda number: mask(number.group()), text[: EXCERPT_LIMIT * 2])
    return CONTROL_CHARACTERS.sub("?", masked)[:EXCERPT_LIMIT]


CsvRow = tuple[int, list[str], dict[str, int]]


def csv_rows(
    stream: BinaryIO, *, delimiter: str, columns: frozenset[str], what: str, key: str
) -> Iterator[CsvRow | Rejection]:
    """The non-blank rows of a UTF-8 CSV extract (a byte-order mark is allowed) after its header.

    Yields ``(line, fields, column positions)``, or a ``Rejection`` (``key`` masked) for a row of
    the wrong width. ``ExtractRejected`` for an empty file, a header that is not exactly
    ``columns``, invalid UTF-8 and CSV that is malformed (strict RFC 4180 quoting).
    """
    reader = csv.reader(_utf8_lines(stream), delimiter=delimiter, strict=True)
    try:
        try:
            header = next(reader)
        except StopIteration:
            raise ExtractRejected("the file is empty: expected a header line") from None
        col = _csv_header(header, columns, what, delimiter)
        width = len(header)
        for row in reader:
            line = reader.line_num
            if not row or row == [""]:
                continue
            if len(row) != width:
                yield Rejection(
                    line,
                    "",
                    f"expected {width} fields separated by {delimiter!r}, found {len(row)} "
                    "(truncated or malformed line)",
                    mask(row[col[key]]) if len(row) > col[key] else "",
                )
                continue
            yield line, row, col
    except csv.Error as err:
        raise ExtractRejected(f"line {reader.line_num}: not readable as CSV ({err})") from None


def _utf8_lines(stream: BinaryIO) -> Iterator[str]:
    """The stream's lines (ended by LF, CRLF or CR), each decoded on its own.

    So invalid UTF-8 is reported with its line number; a byte-order mark before the first line
    is dropped.
    """
    number = 0
    for block in stream:
        if number == 0:
            block = block.removeprefix(codecs.BOM_UTF8)
        for raw in block.splitlines(keepends=True):
            number += 1
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise ExtractRejected(f"line {number}: not valid UTF-8 ({err.reason})") from None


def _csv_header(
    header: list[str], columns: frozenset[str], what: str, delimiter: str
) -> dict[str, int]:
    try:
        return check_header(header, columns, what)
    except ExtractRejected as err:
        others = [d for d in ",;\t|" if d != delimiter and d in "".join(header[:1])]
        if len(header) == 1 and others:
            raise ExtractRejected(
                f"{err}; the header is separated by {others[0]!r}, not {delimiter!r}: "
                "wrong delimiter?"
            ) from None
        raise
