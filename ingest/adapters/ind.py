"""IND case status extract: ``ind_zaakstatus_YYYYMMDD.csv`` (``contracts/partners.md``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from functools import lru_cache
from operator import itemgetter
from typing import BinaryIO, ClassVar

from ingest.adapters.base import (
    CHAIN_TIMEZONES,
    EventRow,
    Rejection,
    Row,
    RowError,
    check_choice,
    check_nationality,
    check_person_ref,
    check_plausible_year,
    check_text,
    check_track,
    csv_rows,
    mask,
    natural_key_id,
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
    event_type = check_choice(code, EVENTS, "gebeurtenis", "event code")
    day = _day(datum)
    clock = _clock(tijd)
    if amv not in UAM:
        raise RowError("amv", f"{amv!r} is not J or N")
    return EventRow(
        line=line,
        source_event_id=natural_key_id("IND", vnummer, zaaknummer, code, datum, tijd),
        person_ref=vnummer,
        event_type=event_type,
        occurred_at=datetime.combine(day, clock, AMSTERDAM),
        track=_track(spoor),
        nationality=_nationality(nationaliteit),
        uam=UAM[amv],
        location=_location(locatie),
    )


# A file repeats the same few thousand dates, times, codes and places on a million rows, so
# each distinct value is checked once; a bad value raises again (exceptions are not cached).
@lru_cache(maxsize=16_384)
def _day(datum: str) -> date:
    """``dd-mm-jjjj`` as a real calendar date."""
    try:
        if len(datum) != 10 or datum[2] != "-" or datum[5] != "-":
            raise ValueError
        day = date(int(datum[6:]), int(datum[3:5]), int(datum[:2]))
    except ValueError:
        raise RowError("datum", f"{datum!r} is not a valid date (dd-mm-jjjj)") from None
    check_plausible_year(day.year, datum, "datum")
    return day


@lru_cache(maxsize=2_048)
def _clock(tijd: str) -> time:
    """``HH:MM``, or midnight when empty."""
    if not tijd:
        return time()
    try:
        if len(tijd) != 5 or tijd[2] != ":":
            raise ValueError
        return time(int(tijd[:2]), int(tijd[3:]))
    except ValueError:
        raise RowError("tijd", f"{tijd!r} is not a valid time (HH:MM)") from None


@lru_cache(maxsize=64)
def _track(spoor: str) -> str | None:
    return check_track("NL", spoor, "spoor")


@lru_cache(maxsize=1_024)
def _nationality(nationaliteit: str) -> str | None:
    return check_nationality(nationaliteit, "nationaliteit")


@lru_cache(maxsize=4_096)
def _location(locatie: str) -> str | None:
    return check_text(locatie, "locatie", limit=200)
