"""DVZ register events: ``dvz_evenements_YYYYMMDD.csv`` (``docs/reference/formats.md``).

Comma-separated UTF-8 CSV with RFC 4180 quoting and a header of exactly the DVZ columns in any
order. A file with another delimiter fails the header check and is rejected whole. Dates have
no time: the event happened at 00:00 in Brussels.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from ingest.adapters.base import (
    EventRow,
    Rejection,
    Row,
    RowError,
    check_choice,
    check_person_ref,
    csv_rows,
    local_midnight,
    mask,
    natural_key_id,
    parse_iso_date,
    quote,
    require_nationality,
    require_track,
)

COLUMNS = frozenset(
    {"numero_sp", "type_evenement", "date_evenement", "nationalite", "procedure", "mena"}
)
EVENTS = {
    "PRESENTATION": "REGISTERED",
    "INTRODUCTION": "APPLICATION_LODGED",
    "CGRA_AUDITION": "HEARING_HELD",
    "CGRA_RECONNAISSANCE": "DECISION_GRANTED",
    "CGRA_PROTECTION_SUBSIDIAIRE": "DECISION_GRANTED",
    "CGRA_REFUS": "DECISION_REJECTED",
    "RECOURS_CCE": "APPEAL_LODGED",
    "ORDRE_QUITTER": "RETURN_CASE_OPENED",
    "RETOUR_VOLONTAIRE": "DEPARTED_VOLUNTARY",
    "RETOUR_FORCE": "DEPARTED_FORCED",
}
MENA = {"O": True, "N": False}
KEY = "numero_sp"


class DvzAdapter:
    """Comma-separated CSV with a header of exactly the DVZ columns, in any order."""

    partner: ClassVar[str] = "DVZ"
    chain: ClassVar[str] = "BE"

    def parse(self, stream: BinaryIO) -> Iterator[Row]:
        rows = csv_rows(stream, delimiter=",", columns=COLUMNS, what="DVZ evenements", key=KEY)
        for item in rows:
            if isinstance(item, Rejection):
                yield item
                continue
            line, row, col = item
            try:
                yield _event(row, col, line)
            except RowError as err:
                yield Rejection(line, err.field, err.reason, mask(row[col[KEY]]))


def _event(row: list[str], col: dict[str, int], line: int) -> EventRow:
    numero_sp = check_person_ref("BE", row[col[KEY]], KEY)
    code = row[col["type_evenement"]].strip()
    event_type = check_choice(code, EVENTS, "type_evenement", "event type")
    date_evenement = row[col["date_evenement"]].strip()
    day = parse_iso_date(date_evenement, "date_evenement")
    mena = row[col["mena"]].strip()
    if not mena:
        raise RowError("mena", "missing mena (O or N)")
    if mena not in MENA:
        raise RowError("mena", f"{quote(mena)} is not O or N")
    return EventRow(
        line=line,
        source_event_id=natural_key_id("DVZ", numero_sp, code, date_evenement),
        person_ref=numero_sp,
        event_type=event_type,
        occurred_at=local_midnight("BE", day),
        track=require_track("BE", row[col["procedure"]], "procedure"),
        nationality=require_nationality(row[col["nationalite"]], "nationalite"),
        uam=MENA[mena],
    )
