"""IND case status extract: ``ind_zaakstatus_YYYYMMDD.csv`` (``docs/reference/formats.md``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import BinaryIO, ClassVar

from chain.vocabulary import CHAIN_TIMEZONES
from ingest.adapters.base import (
    EventRow,
    Rejection,
    Row,
    RowError,
    check_choice,
    check_person_ref,
    check_plausible_year,
    check_text,
    check_track,
    csv_rows,
    mask,
    natural_key_id,
    quote,
    require_nationality,
)

COLUMNS = frozenset(
    {"vnummer", "zaaknummer", "spoor", "nationaliteit", "gebeurtenis", "datum", "tijd",
     "locatie", "amv"}
)  # fmt: skip
EVENTS = {
    "AANMELDING": "REGISTERED",
    "AANVRAAG": "APPLICATION_LODGED",
    "VERLENGING": "TERM_EXTENDED",
    "GEHOOR_GEPLAND": "HEARING_SCHEDULED",
    "GEHOOR": "HEARING_HELD",
    "NIET_VERSCHENEN": "HEARING_NO_SHOW",
    "INWILLIGING": "DECISION_GRANTED",
    "AFWIJZING": "DECISION_REJECTED",
    "BUITEN_BEHANDELING": "DECISION_DISCONTINUED",
    "BEROEP": "APPEAL_LODGED",
    "UITSPRAAK_BEROEP": "APPEAL_DECIDED",
    "BNTB": "NONTIMELY_APPEAL",
}
UAM = {"J": True, "N": False, "": False}
KEY = "vnummer"
AMSTERDAM = CHAIN_TIMEZONES["NL"]
# ASCII digits in exactly this shape: int() would also take "+9" or Arabic-Indic digits.
DUTCH_DATE = re.compile(r"(\d{2})-(\d{2})-(\d{4})", re.ASCII)
CLOCK = re.compile(r"(\d{2}):(\d{2})", re.ASCII)


FIELDS = ("vnummer", "zaaknummer", "spoor", "nationaliteit", "gebeurtenis", "datum", "tijd",
          "locatie", "amv")  # fmt: skip


class IndAdapter:
    """Semicolon-separated CSV with a header of exactly the IND columns, in any order."""

    partner: ClassVar[str] = "IND"
    chain: ClassVar[str] = "NL"

    def parse(self, stream: BinaryIO) -> Iterator[Row]:
        rows = csv_rows(stream, delimiter=";", columns=COLUMNS, what="IND zaakstatus", key=KEY)
        fields: itemgetter[tuple[int, ...]] | None = None
        for item in rows:
            if isinstance(item, Rejection):
                yield item
                continue
            line, row, col = item
            if fields is None:
                fields = itemgetter(*(col[name] for name in FIELDS))
            try:
                yield _event(fields(row), line)
            except RowError as err:
                yield Rejection(line, err.field, err.reason, mask(row[col[KEY]]))


def _event(values: tuple[str, ...], line: int) -> EventRow:
    vnummer, zaaknummer, spoor, nationaliteit, code, datum, tijd, locatie, amv = map(
        str.strip, values
    )
    vnummer = check_person_ref("NL", vnummer, "vnummer")
    if not zaaknummer:
        raise RowError("zaaknummer", "missing zaaknummer (part of the event's identity)")
    event_type = check_choice(code, EVENTS, "gebeurtenis", "event code")
    occurred_at = _occurred_at(_day(datum), _clock(tijd))
    if amv not in UAM:
        raise RowError("amv", f"{quote(amv)} is not J or N")
    return EventRow(
        line=line,
        source_event_id=natural_key_id("IND", vnummer, zaaknummer, code, datum, tijd),
        person_ref=vnummer,
        event_type=event_type,
        occurred_at=occurred_at,
        track=_track(spoor),
        nationality=_nationality(nationaliteit),
        uam=UAM[amv],
        location=_location(locatie),
    )


def _occurred_at(day: date, clock: time) -> datetime:
    """The aware Amsterdam time of a row's date and time; a time the clocks skip is a bad row."""
    moment = datetime.combine(day, clock, AMSTERDAM)
    # zoneinfo accepts a wall time in the spring-forward gap and quietly gives it an offset, so
    # the row would be stored an hour off; only a round trip through UTC shows it never existed.
    # That round trip is dear on a million rows, and only the days of a clock change need it.
    if _clocks_change(day):
        back = moment.astimezone(UTC).astimezone(AMSTERDAM)
        if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
            raise RowError(
                "tijd",
                "impossible date and time: the clocks in Europe/Amsterdam jump past this time "
                "that day",
            )
    return moment


# A file repeats the same few thousand dates, times, codes and places on a million rows, so
# each distinct value is checked once; a bad value raises again (exceptions are not cached).
@lru_cache(maxsize=16_384)
def _clocks_change(day: date) -> bool:
    """Whether Amsterdam's offset from UTC differs between the start of ``day`` and the next."""
    start = datetime.combine(day, time(), AMSTERDAM)
    return start.utcoffset() != (start + timedelta(days=1)).utcoffset()


@lru_cache(maxsize=16_384)
def _day(datum: str) -> date:
    """``dd-mm-jjjj`` in ASCII digits as a real calendar date."""
    match = DUTCH_DATE.fullmatch(datum)
    if not match:
        raise RowError("datum", f"{quote(datum)} is not a date written dd-mm-jjjj (digits 0-9)")
    dd, mm, jjjj = map(int, match.groups())
    try:
        day = date(jjjj, mm, dd)
    except ValueError:
        raise RowError("datum", f"{quote(datum)} is not a real calendar date") from None
    check_plausible_year(day.year, datum, "datum")
    return day


@lru_cache(maxsize=2_048)
def _clock(tijd: str) -> time:
    """``HH:MM`` in ASCII digits, or midnight when empty."""
    if not tijd:
        return time()
    match = CLOCK.fullmatch(tijd)
    if not match:
        raise RowError("tijd", f"{quote(tijd)} is not a time written HH:MM (digits 0-9)")
    hours, minutes = map(int, match.groups())
    try:
        return time(hours, minutes)
    except ValueError:
        raise RowError("tijd", f"{quote(tijd)} is not a real time of day (00:00-23:59)") from None


@lru_cache(maxsize=64)
def _track(spoor: str) -> str | None:
    return check_track("NL", spoor, "spoor")


@lru_cache(maxsize=1_024)
def _nationality(nationaliteit: str) -> str:
    return require_nationality(nationaliteit, "nationaliteit")


@lru_cache(maxsize=4_096)
def _location(locatie: str) -> str | None:
    return check_text(locatie, "locatie", limit=200)
