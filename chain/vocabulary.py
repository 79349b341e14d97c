"""The names the whole application shares: chains and their time zones, partners, tracks,
event types and units.

One list of each, from docs/reference/events.md and docs/reference/indicators.md; adapters,
the API, the pages and the report all import them from here. (The seeding migration keeps its
own frozen copy of chains and partners, as migrations must not change with the code.)
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from chain.models import EventType, LeaveReason, MeasurementKind

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
