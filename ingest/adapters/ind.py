"""IND case status extract: ``ind_zaakstatus_YYYYMMDD.csv`` (``contracts/partners.md``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from functools import lru_cache
from typing import BinaryIO, ClassVar

from ingest.adapters.base import (
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
    local_midnight,
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


@lru_cache(maxsize=65_536)
def _occurred_at(datum: str, tijd: str) -> datetime:
    """``dd-mm-jjjj`` and ``HH:MM`` (or empty) as an aware Amsterdam time; cached per value."""
    try:
        if len(datum) != 10 or datum[2] != "-" or datum[5] != "-":
            raise ValueError
        day = date(int(datum[6:]), int(datum[3:5]), int(datum[:2]))
    except ValueError:
        raise RowError("datum", f"{datum!r} is not a valid date (dd-mm-jjjj)") from None
    check_plausible_year(day.year, datum, "datum")
    if not tijd:
        return local_midnight("NL", day)
    try:
        if len(tijd) != 5 or tijd[2] != ":":
            raise ValueError
        hour, minute = int(tijd[:2]), int(tijd[3:])
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError
    except ValueError:
        raise RowError("tijd", f"{tijd!r} is not a valid time (HH:MM)") from None
    return local_midnight("NL", day, hour, minute)


class IndAdapter:
    """Semicolon-separated CSV with a header of exactly the IND columns, in any order."""

    partner: ClassVar[str] = "IND"
    chain: ClassVar[str] = "NL"

    def parse(self, stream: BinaryIO) -> Iterator[Row]:
        rows = csv_rows(stream, delimiter=";", columns=COLUMNS, what="IND zaakstatus", key=KEY)
        for item in rows:
            if isinstance(item, Rejection):
                yield item
                continue
            line, row, col = item
            try:
                yield self._event(row, col, line)
            except RowError as err:
                yield Rejection(line, err.field, err.reason, mask(row[col[KEY]]))

    @staticmethod
    def _event(row: list[str], col: dict[str, int], line: int) -> EventRow:
        vnummer = check_person_ref("NL", row[col["vnummer"]], "vnummer")
        zaaknummer = row[col["zaaknummer"]].strip()
        code = row[col["gebeurtenis"]].strip()
        event_type = check_choice(code, EVENTS, "gebeurtenis", "event code")
        datum = row[col["datum"]].strip()
        tijd = row[col["tijd"]].strip()
        occurred_at = _occurred_at(datum, tijd)
        amv = row[col["amv"]].strip()
        if amv not in UAM:
            raise RowError("amv", f"{amv!r} is not J or N")
        return EventRow(
            line=line,
            source_event_id=natural_key_id("IND", vnummer, zaaknummer, code, datum, tijd),
            person_ref=vnummer,
            event_type=event_type,
            occurred_at=occurred_at,
            track=check_track("NL", row[col["spoor"]], "spoor"),
            nationality=check_nationality(row[col["nationaliteit"]], "nationaliteit"),
            uam=UAM[amv],
            location=check_text(row[col["locatie"]], "locatie", limit=200),
        )
