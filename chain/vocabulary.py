"""The names the whole application shares: chains and their time zones, partners, tracks,
event types and units.

One list of each, from docs/reference/events.md and docs/reference/indicators.md; adapters,
the API, the pages and the report all import them from here. (The seeding migration keeps its
own frozen copy of chains and partners, as migrations must not change with the code.)
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.db import models

NL = "NL"
BE = "BE"
CHAINS = (NL, BE)
# The local time of each chain: its events' days and its periods are counted in it.
CHAIN_TIMEZONES = {NL: ZoneInfo("Europe/Amsterdam"), BE: ZoneInfo("Europe/Brussels")}
# Each chain's procedure tracks: NL 1 to 4; BE P (first application), U (subsequent).
TRACKS: dict[str, frozenset[str]] = {
    NL: frozenset({"1", "2", "3", "4"}),
    BE: frozenset({"P", "U"}),
}
# Each partner organisation and the chain it delivers for.
ORGANISATIONS: dict[str, str] = {"IND": NL, "COA": NL, "DTV": NL, "DVZ": BE, "FEDASIL": BE}


class EventType(models.TextChoices):
    REGISTERED = "REGISTERED"
    APPLICATION_LODGED = "APPLICATION_LODGED"
    TERM_EXTENDED = "TERM_EXTENDED"
    HEARING_SCHEDULED = "HEARING_SCHEDULED"
    HEARING_HELD = "HEARING_HELD"
    HEARING_NO_SHOW = "HEARING_NO_SHOW"
    DECISION_GRANTED = "DECISION_GRANTED"
    DECISION_REJECTED = "DECISION_REJECTED"
    DECISION_DISCONTINUED = "DECISION_DISCONTINUED"
    APPEAL_LODGED = "APPEAL_LODGED"
    APPEAL_DECIDED = "APPEAL_DECIDED"
    NONTIMELY_APPEAL = "NONTIMELY_APPEAL"
    RECEPTION_ENTERED = "RECEPTION_ENTERED"
    RECEPTION_TRANSFERRED = "RECEPTION_TRANSFERRED"
    RECEPTION_LEFT = "RECEPTION_LEFT"
    RETURN_CASE_OPENED = "RETURN_CASE_OPENED"
    DEPARTED_VOLUNTARY = "DEPARTED_VOLUNTARY"
    DEPARTED_FORCED = "DEPARTED_FORCED"
    DEPARTED_UNVERIFIED = "DEPARTED_UNVERIFIED"
    RETURN_CASE_CLOSED = "RETURN_CASE_CLOSED"


class LeaveReason(models.TextChoices):
    HOUSING = "HOUSING"
    DEPARTURE = "DEPARTURE"
    UNKNOWN = "UNKNOWN"
    OTHER = "OTHER"


class MeasurementKind(models.TextChoices):
    RECEPTION_CAPACITY = "RECEPTION_CAPACITY"
    SATISFACTION_SCORE = "SATISFACTION_SCORE"
    DECISION_CAPACITY_FTE = "DECISION_CAPACITY_FTE"


EVENT_TYPES = frozenset(EventType.values)
LEAVE_REASONS = frozenset(LeaveReason.values)
MEASUREMENT_KINDS = frozenset(MeasurementKind.values)
# The units an indicator's values come in.
COUNT = "count"
DAYS = "days"
SHARE = "share"
RATIO = "ratio"
SCORE = "score"
UNITS = (COUNT, DAYS, SHARE, RATIO, SCORE)
