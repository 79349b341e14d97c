"""A simulated asylum and migration chain as plain data: cases with their events, and capacity.

The simulation covers 2022-01-01 up to the last Sunday before today (``chain.clock``) for the
Dutch chain (IND, COA, DT&V) and the Belgian chain (DVZ, Fedasil). At scale 1 it is calibrated to
the published figures in ``PUBLISHED``: first applications per year come straight from the
inflow; the reception stocks and the departures follow from the process parameters below, tuned
once against a run at scale 1. Cases lodged before 2022 are simulated too (from 2019) and those
still active on 2022-01-01 are kept: they are the reception population and the open caseload
the chain starts with. The years after 2024 follow an assumed decline (not published figures),
and the years after the last one given carry on at its level.

The chain moves as the published one did: applications peak in late summer and autumn, with
noise from month to month and the surge of 2022; decisions follow the decision staff (FTE times
productivity, hires ramping up), mostly first in, first out (``devtools/demo/decisions.py``), so
the stock built up while the staff lagged the surge, and the staff is pushed as a
``DECISION_CAPACITY_FTE`` measurement with the clients' satisfaction scores; status holders leave
reception at a steady monthly housing rate. A case's decision term follows the legal term rules of
the catalogue (the extension to 15 months for applications from 27 March 2022, published on
27 September 2022, back to 6 months for those from 2024).

A day is the proleptic Gregorian ordinal (``date.toordinal()``) of a local calendar date of the
chain; integer arithmetic keeps a million events quick. ``Simulation.steps()`` yields the cases in
order of their key date (the day an application is lodged, or a return case opened), one step per
simulated day, each with a watermark: no case of a later step has an event before it. A writer
can therefore finish every delivery before the watermark and forget its events.
"""

from __future__ import annotations

import calendar
import random
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from itertools import accumulate, pairwise
from typing import Generic, NamedTuple, TypeVar

from chain import clock
from devtools.demo.decisions import DecisionPlan, Hire, Staffing, first_day

T = TypeVar("T")


def day_of(year: int, month: int, day: int) -> int:
    """The ordinal of a calendar date."""
    return date(year, month, day).toordinal()


def simulation_end(today: date | None = None) -> int:
    """The last day simulated: the last Sunday before ``today`` (by default the clock's).

    The dashboard of the demo then shows the weeks just past, not a chain that stopped in the
    past. Generated on another day, the same seed gives the same events up to the earlier end.
    """
    today = today or clock.today()
    return today.toordinal() - today.weekday() - 1


HISTORY_START = day_of(2019, 1, 1)
START = day_of(2022, 1, 1)
# The most days a case's first event (registration) precedes its key date (lodging).
MAX_LEAD = 60
ORIGIN = HISTORY_START - MAX_LEAD  # no event is older
NEVER = 10**9

PUBLISHED: dict[str, int] = {
    "nl_applications_2022": 35_535,  # CBS, first asylum applications
    "nl_applications_2023": 38_375,
    "coa_stock_2022_12_31": 52_000,  # COA occupancy, December 2022
    "dtv_departed_voluntary_2022": 2_450,  # DT&V: independent departures
    "dtv_departed_forced_2022": 1_850,
    "dtv_departed_unverified_2022": 4_310,  # departures without supervision
    "be_applications_2022": 37_000,
    "fedasil_occupancy_2024_04_30": 33_000,  # Fedasil, spring 2024
    "fedasil_places_2024_04_30": 35_000,
}


class SimEvent(NamedTuple):
    """One canonical status event of a case; partner writers spell it in their format."""

    day: int
    minute: int | None  # minutes after local midnight; None: the partner gave no time of day
    partner: str
    code: str  # canonical event type (docs/reference/events.md)
    location: str | None = None
    location_type: str | None = None
    reason: str | None = None  # canonical leave reason
    destination: str | None = None
    detail: str | None = None  # BE grants: REFUGEE or SUBSIDIARY protection


@dataclass(slots=True)
class SimCase:
    """One person in one chain, with every event up to the end of the simulation."""

    chain: str
    person: str  # V-nummer or SP number
    case_number: str | None  # IND zaaknummer
    track: str | None
    nationality: str | None
    uam: bool | None
    events: list[SimEvent]


class Capacity(NamedTuple):
    """Places at a reception location on a day."""

    partner: str
    location: str
    location_type: str
    day: int
    places: int


class Measured(NamedTuple):
    """A measurement an organisation pushes (docs/reference/events.md, Measurements)."""

    kind: str
    day: int
    value: float


class Step(NamedTuple):
    """The cases whose key date is one simulated day, and the capacity now known."""

    final_before: int  # no later step has an event dated before this day
    cases: list[SimCase]
    capacities: list[Capacity]


class Weighted(Generic[T]):
    """A weighted choice, drawn with one ``random()`` call."""

    def __init__(self, weights: Mapping[T, float]) -> None:
        self.items = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        """One item, with probability proportional to its weight."""
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


def between(rng: random.Random, low: int, high: int) -> int:
    """A uniform whole number from ``low`` to ``high`` inclusive."""
    return low + int(rng.random() * (high - low + 1))


@lru_cache(maxsize=4096)
def year_of(day: int) -> int:
    """The calendar year of a day."""
    return date.fromordinal(day).year


def add_months(day: int, months: int) -> int:
    """Calendar-month arithmetic that clamps to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    d = date.fromordinal(day)
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    return day_of(year, month, min(d.day, calendar.monthrange(year, month)[1]))


class ByPeriod(Generic[T]):
    """A value that changes on given days: ``[(from_day, value), ...]``, in order."""

    def __init__(self, rows: Sequence[tuple[int, T]]) -> None:
        self.starts = [start for start, _ in rows]
        self.values = [value for _, value in rows]

    def at(self, day: int) -> T:
        """The value of the last row that starts on or before ``day`` (the first before all)."""
        return self.values[max(0, bisect(self.starts, day) - 1)]


def interpolate(anchors: Sequence[tuple[int, float]], day: int) -> float:
    """Piecewise-linear over ``(day, value)`` anchors, flat beyond the ends."""
    if day <= anchors[0][0]:
        return anchors[0][1]
    for (d0, v0), (d1, v1) in pairwise(anchors):
        if day <= d1:
            return v0 + (v1 - v0) * (day - d0) / (d1 - d0)
    return anchors[-1][1]


def office_minute(rng: random.Random) -> int:
    """A time in office hours, on five minutes: 08:00 to 17:25."""
    return 480 + 5 * int(rng.random() * 114)


def clear_of_clock_change(minute: int) -> int:
    """Move a time out of 02:00-03:00, the hour a daylight-saving change skips or repeats."""
    return minute + 60 if 120 <= minute < 180 else minute


def any_minute(rng: random.Random) -> int:
    """Any time of day (but 02:00-03:00)."""
    return clear_of_clock_change(int(rng.random() * 1440))


def maybe_no_time(rng: random.Random, share_without: float) -> int | None:
    """An office time, or no time of day at all (IND leaves ``tijd`` empty now and then)."""
    return None if rng.random() < share_without else office_minute(rng)


# --- Inflow -------------------------------------------------------------------------------

# First applications per year. 2022-2024 are the published figures (CBS; BE: CGVS/DVZ, including
# subsequent applications); the years before only shape the population the chain starts with.
# 2025 and 2026 are not published figures: the decline after 2024 that the chains reported, as an
# assumption, so that the demo's last two years are not a copy of 2024.
NL_APPLICATIONS = {2019: 22_500, 2020: 13_700, 2021: 24_700, 2022: 35_535, 2023: 38_375,
                   2024: 32_000, 2025: 27_000, 2026: 26_000}  # fmt: skip
BE_APPLICATIONS = {2019: 23_000, 2020: 17_000, 2021: 27_000, 2022: 37_000, 2023: 35_500,
                   2024: 39_600, 2025: 35_000, 2026: 33_000}  # fmt: skip
# Family members joining a status holder (nareizigers): registered by the IND and sheltered by
# COA until they move in with their family; they lodge no asylum application of their own.
NL_FAMILY_REUNIFICATION = {2019: 8_000, 2020: 6_000, 2021: 9_000, 2022: 12_000, 2023: 10_000,
                           2024: 9_000, 2025: 8_000}  # fmt: skip
FLAT = (1.0,) * 12
# The months' shares of a year's applications: low in winter and spring, the peak in late summer
# and autumn (the crossings of the summer reach the chain then). 2022 is the surge: it kept rising
# all year. The years without their own profile follow the usual one.
NL_SEASON = (7.0, 6.5, 7.0, 7.0, 7.5, 8.0, 8.5, 9.5, 10.5, 11.0, 9.5, 8.0)
NL_MONTHS = {
    2020: (9.0, 8.5, 6.0, 3.5, 4.0, 6.0, 8.0, 9.0, 10.0, 10.5, 9.5, 9.0),  # the pandemic spring
    2022: (5.6, 5.0, 6.0, 6.5, 7.5, 8.5, 9.5, 10.0, 11.0, 11.0, 10.0, 9.4),
    2023: (7.0, 6.5, 7.0, 7.0, 7.5, 8.0, 8.5, 9.0, 10.5, 11.0, 9.5, 8.5),
    2024: (8.0, 7.5, 7.5, 7.5, 7.5, 8.0, 8.5, 9.0, 9.5, 9.5, 8.5, 7.5),
}
BE_SEASON = (8.0, 7.5, 7.5, 7.5, 7.5, 8.0, 8.5, 9.0, 9.5, 10.0, 9.0, 8.5)
BE_MONTHS = {
    2022: (7.0, 7.0, 7.5, 7.5, 8.0, 8.5, 8.5, 9.0, 9.5, 9.5, 9.0, 9.0),
    2023: (9.0, 8.5, 8.5, 8.0, 8.0, 8.0, 8.0, 8.5, 8.5, 8.5, 8.0, 8.0),
    2024: (8.0, 8.0, 8.0, 8.0, 8.0, 8.5, 8.5, 8.5, 8.5, 8.5, 8.0, 8.0),
}
# Month-to-month noise on the inflow: the spread (of a lognormal factor) around the profile. A
# year keeps its total: the noisy months are scaled back to it.
INFLOW_NOISE = 0.07


def through_end(yearly: Mapping[int, float], end: int) -> dict[int, float]:
    """The yearly totals, with the years after the last one given up to ``end`` at that level."""
    last = max(yearly)
    return {**yearly, **{year: yearly[last] for year in range(last + 1, year_of(end) + 1)}}


# Lodging happens on working days, mostly (Monday first).
NL_WEEKDAYS = (1.0, 1.0, 1.0, 1.0, 1.0, 0.3, 0.15)
BE_WEEKDAYS = (1.0, 1.0, 1.0, 1.0, 1.0, 0.05, 0.05)
# DT&V return cases that come from outside the asylum flow (people found without a right to stay,
# taken into immigration detention): opened per year, by how they end.
NL_RETURN_ONLY = {
    "DEPARTED_VOLUNTARY": 1_540.0,
    "DEPARTED_FORCED": 1_130.0,
    "DEPARTED_UNVERIFIED": 2_140.0,
    "RETURN_CASE_CLOSED": 600.0,
}


class Inflow:
    """Whole cases per day from yearly totals, spread over months (a profile with noise) and
    weekdays.

    The fractional remainder is carried from day to day, so a year holds its total exactly
    (give or take one case at the turn of the year). Every day's count is fixed when the inflow
    is made, so that the decisions can be planned before the cases are drawn.
    """

    def __init__(
        self,
        yearly: Mapping[int, float],
        months: Mapping[int, Sequence[float]],
        weekdays: Sequence[float],
        scale: float,
        *,
        noise: random.Random | None = None,
        season: Sequence[float] = FLAT,
    ) -> None:
        self.counts: dict[int, int] = {}
        carry = 0.0
        for year, total in sorted(yearly.items()):
            shares = list(months.get(year, season))
            if noise is not None:
                shares = [share * noise.lognormvariate(0, INFLOW_NOISE) for share in shares]
            for month in range(1, 13):
                first = day_of(year, month, 1)
                days = range(first, first + calendar.monthrange(year, month)[1])
                weights = [weekdays[date.fromordinal(d).weekday()] for d in days]
                per_month = total * scale * shares[month - 1] / sum(shares)
                for d, weight in zip(days, weights, strict=True):
                    carry += per_month * weight / sum(weights)
                    whole = int(carry)
                    carry -= whole
                    if whole:
                        self.counts[d] = whole

    def count(self, day: int) -> int:
        """How many cases start on ``day``."""
        return self.counts.get(day, 0)


# --- The Dutch chain ----------------------------------------------------------------------

COA_LOCATIONS = {
    "aanmeldcentrum Ter Apel": "GVL", "aanmeldcentrum Budel": "GVL",
    "aanmeldcentrum Zevenaar": "GVL",
    "pol Ter Apel": "POL", "pol Gilze": "POL", "pol Zevenaar": "POL", "pol Budel": "POL",
    "noodopvang Zoutkamp": "NOODOPVANG", "noodopvang Doetinchem": "NOODOPVANG",
    "noodopvang Harderwijk": "NOODOPVANG", "noodopvang Velsen": "NOODOPVANG",
    "noodopvang Ede": "NOODOPVANG",
    "azc Budel": "AZC", "azc Zweeloo": "AZC", "azc Assen": "AZC", "azc Arnhem": "AZC",
    "azc Den Helder": "AZC", "azc Amersfoort": "AZC", "azc Heerlen": "AZC",
    "azc Musselkanaal": "AZC", "azc Utrecht": "AZC", "azc Zwolle": "AZC",
    "azc Leeuwarden": "AZC", "azc Rotterdam": "AZC", "azc Emmen": "AZC", "azc Dronten": "AZC",
    "azc Burgum": "AZC", "azc Oisterwijk": "AZC", "azc Nijmegen": "AZC", "azc Hoogeveen": "AZC",
    "azc Almere": "AZC", "azc Sneek": "AZC", "azc Wageningen": "AZC", "azc Venlo": "AZC",
}  # fmt: skip
# Where people register (COA location, IND place), by period: Budel helped out in 2022-2023.
NL_REGISTRATION = ByPeriod([
    (HISTORY_START, Weighted({("aanmeldcentrum Ter Apel", "Ter Apel"): 0.88,
                              ("aanmeldcentrum Zevenaar", "Zevenaar"): 0.12})),
    (day_of(2022, 6, 1), Weighted({("aanmeldcentrum Ter Apel", "Ter Apel"): 0.75,
                                   ("aanmeldcentrum Budel", "Budel"): 0.15,
                                   ("aanmeldcentrum Zevenaar", "Zevenaar"): 0.10})),
    (day_of(2023, 7, 1), Weighted({("aanmeldcentrum Ter Apel", "Ter Apel"): 0.88,
                                   ("aanmeldcentrum Zevenaar", "Zevenaar"): 0.12})),
])  # fmt: skip
POL = Weighted({"pol Ter Apel": 3, "pol Gilze": 2, "pol Zevenaar": 2, "pol Budel": 2})
NOODOPVANG = Weighted({"noodopvang Zoutkamp": 1, "noodopvang Doetinchem": 2,
                       "noodopvang Harderwijk": 2, "noodopvang Velsen": 3,
                       "noodopvang Ede": 2})  # fmt: skip
AZC = Weighted({name: 1.0 + (len(name) % 3) for name, kind in COA_LOCATIONS.items()
                if kind == "AZC"})  # fmt: skip
# The reception crisis: emergency locations took people from GVL in these months.
NL_CRISIS = (day_of(2022, 7, 1), day_of(2023, 12, 31))
IND_OFFICES = Weighted({"Ter Apel": 3, "Zevenaar": 2, "Den Bosch": 2, "Rijsbergen": 1,
                        "Zwolle": 1, "Amsterdam": 1, "": 0.3})  # fmt: skip
NL_TRACKS = Weighted({"1": 0.15, "2": 0.09, "3": 0.09, "4": 0.67})
# The mix of nationalities per track. Over all tracks Syrians are about a third, then Turks,
# Eritreans, Afghans and Yemenis (each 8-11 %): at scale 0.1 those groups hold more than the
# 10 cases a month that a cell of the breakdown needs; the many small groups stay suppressed.
NL_NATIONALITIES = {
    "1": Weighted({"SYR": 20, "AFG": 15, "TUR": 15, "ERI": 10, "MAR": 10, "DZA": 10, "IRQ": 8,
                   "IRN": 7, "NGA": 5, "XXX": 0.5}),
    "2": Weighted({"MAR": 30, "DZA": 25, "TUN": 15, "GEO": 10, "MDA": 10, "ALB": 5, "SRB": 5}),
    "3": Weighted({"SYR": 50, "ERI": 25, "YEM": 25}),
    "4": Weighted({"SYR": 35, "TUR": 13, "AFG": 10, "YEM": 11, "ERI": 9, "IRQ": 5, "SOM": 4,
                   "IRN": 3, "PSE": 2, "SDN": 2, "COL": 2, "ETH": 2, "XXA": 1, "XXX": 0.5}),
}  # fmt: skip
NL_FAMILY_NATIONALITIES = Weighted({"SYR": 50, "ERI": 25, "TUR": 10, "YEM": 10, "AFG": 5})
NL_UAM = {"1": 0.03, "2": 0.01, "3": 0.11, "4": 0.11}
NL_LODGE_DELAY = ByPeriod(
    [  # days from registration to lodging: (low, high, mode)
        (HISTORY_START, (3, 30, 8)),
        (day_of(2022, 4, 1), (6, 60, 30)),
        (day_of(2023, 4, 1), (6, 50, 20)),
        (day_of(2024, 1, 1), (6, 40, 12)),
    ]
)
NL_OUTCOMES = {
    "1": Weighted({"DECISION_REJECTED": 0.85, "DECISION_DISCONTINUED": 0.15}),
    "2": Weighted({"DECISION_REJECTED": 0.87, "DECISION_GRANTED": 0.05,
                   "DECISION_DISCONTINUED": 0.08}),
    "3": Weighted({"DECISION_GRANTED": 0.93, "DECISION_REJECTED": 0.05,
                   "DECISION_DISCONTINUED": 0.02}),
    "4": Weighted({"DECISION_GRANTED": 0.66, "DECISION_REJECTED": 0.26,
                   "DECISION_DISCONTINUED": 0.08}),
}  # fmt: skip
# Days from lodging until a case is ready for a decision (low, high): the Dublin claim answered,
# the hearing prepared. Tracks 1-3 are the quick ones (devtools/demo/decisions.py).
NL_READY = {"1": (30, 100), "2": (8, 30), "3": (20, 60), "4": (40, 100)}
NL_QUICK = frozenset({"1", "2", "3"})
# The IND's staff for first-instance asylum decisions (FTE, at scale 1), and what one FTE decides
# in a month. Too few in 2022 for the surge, so the stock built up; hires from the autumn of 2022
# on, each productive after months of training; cuts in 2025 and 2026, when the stock kept the
# staff busy for a year. Decisions follow this staff.
NL_STAFFING = Staffing(
    base_fte=450.0,
    changes=(Hire("2021-06", 60, 6), Hire("2022-06", 80, 6), Hire("2022-10", 150, 9),
             Hire("2023-04", 150, 9), Hire("2023-10", 120, 9), Hire("2024-06", 60, 9),
             Hire("2025-01", -120), Hire("2025-07", -80), Hire("2026-01", -40)),
    productivity=3.0, noise=0.05, quick_share=0.3,
)  # fmt: skip
NL_NO_SHOW = ByPeriod([(HISTORY_START, 0.04), (START, 0.05), (day_of(2023, 1, 1), 0.075),
              (day_of(2024, 1, 1), 0.06)])  # fmt: skip
NL_APPEAL = {"1": 0.45, "2": 0.55, "3": 0.7, "4": 0.7}
NL_HANDOVER = {"1": 0.9, "2": 0.7, "3": 0.7, "4": 0.7}
DTV_DUBLIN = Weighted({"RETURN_CASE_CLOSED": 0.2, "DEPARTED_VOLUNTARY": 0.08,
                       "DEPARTED_FORCED": 0.2, "DEPARTED_UNVERIFIED": 0.4})  # fmt: skip
DTV_OTHER = Weighted({"RETURN_CASE_CLOSED": 0.2, "DEPARTED_VOLUNTARY": 0.25,
                      "DEPARTED_FORCED": 0.08, "DEPARTED_UNVERIFIED": 0.4})  # fmt: skip
DUBLIN_STATES = Weighted({"DEU": 35, "ITA": 20, "ESP": 10, "FRA": 10, "BEL": 10, "AUT": 5,
                          "CHE": 5, "POL": 5})  # fmt: skip
OTHER_DESTINATIONS = Weighted({"MAR": 3, "DZA": 2, "GEO": 2, "ALB": 2, "TUR": 2, "NGA": 1,
                               "UKR": 1, "SRB": 1})  # fmt: skip
# Status holders wait for a home: after two weeks at least, the municipalities house them at a
# monthly rate (the share of those waiting who move out in a month), by the month of the grant.
NL_HOUSING_RATE = ByPeriod([(HISTORY_START, 0.12), (START, 0.105), (day_of(2023, 1, 1), 0.1),
                            (day_of(2024, 1, 1), 0.11), (day_of(2025, 1, 1), 0.12)])  # fmt: skip
NL_LEGAL_TERM = ByPeriod([(HISTORY_START, 6), (day_of(2022, 3, 27), 15), (day_of(2024, 1, 1), 6)])

# --- The Belgian chain --------------------------------------------------------------------

FEDASIL_CENTRES = {
    "Petit-Château": "COLLECTIVE", "Centre Croix-Rouge Jette": "COLLECTIVE",
    "Centre Fedasil Bierset": "COLLECTIVE", "Centre Fedasil Florennes": "COLLECTIVE",
    "Centre Fedasil Jodoigne": "COLLECTIVE", "Centre Fedasil Mouscron": "COLLECTIVE",
    "Centre Fedasil Arendonk": "COLLECTIVE", "Centre Fedasil Poelkapelle": "COLLECTIVE",
    "Centre Fedasil Kapellen": "COLLECTIVE", "Centre Croix-Rouge Uccle": "COLLECTIVE",
    "Rode Kruis Centrum Lint": "COLLECTIVE", "Rode Kruis Centrum Sint-Niklaas": "COLLECTIVE",
    "Centre Croix-Rouge Namur": "COLLECTIVE", "Centre Samusocial Bruxelles": "COLLECTIVE",
    "ILA Anvers": "INDIVIDUAL", "LOI Gent": "INDIVIDUAL", "ILA Liège": "INDIVIDUAL",
    "LOI Leuven": "INDIVIDUAL", "ILA Charleroi": "INDIVIDUAL", "LOI Brugge": "INDIVIDUAL",
}  # fmt: skip
BE_COLLECTIVE = Weighted({name: 1.0 + (len(name) % 4) for name, kind in FEDASIL_CENTRES.items()
                          if kind == "COLLECTIVE" and name != "Petit-Château"})  # fmt: skip
BE_INDIVIDUAL = Weighted({name: 1.0 for name, kind in FEDASIL_CENTRES.items()
                          if kind == "INDIVIDUAL"})  # fmt: skip
BE_NATIONALITIES = {
    "P": Weighted({"AFG": 20, "SYR": 12, "PSE": 10, "ERI": 8, "TUR": 7, "BDI": 6, "COD": 4,
                   "CMR": 4, "GIN": 4, "IRQ": 3, "SOM": 4, "GEO": 3, "MAR": 2, "DZA": 2,
                   "SDN": 3, "IRN": 3, "XXA": 1, "XXX": 0.5}),
    "U": Weighted({"AFG": 30, "IRQ": 10, "SYR": 10, "PSE": 10, "GIN": 10, "MAR": 10,
                   "DZA": 10, "XXX": 0.5}),
}  # fmt: skip
BE_TRACKS = Weighted({"P": 0.87, "U": 0.13})
BE_LODGE_DELAY = ByPeriod([(HISTORY_START, (0, 14, 3)), (START, (0, 30, 10)),
                  (day_of(2024, 1, 1), (0, 21, 5))])  # fmt: skip
BE_READY = {"P": (40, 120), "U": (15, 60)}
BE_QUICK = frozenset({"U"})
# The Belgian decision staff (CGRA, delivered through DVZ) over time, as NL_STAFFING.
BE_STAFFING = Staffing(
    base_fte=760.0,
    changes=(Hire("2022-09", 120, 9), Hire("2023-03", 40, 9), Hire("2024-01", 200, 9),
             Hire("2025-06", -80)),
    productivity=2.6, noise=0.05, quick_share=0.15,
)  # fmt: skip
BE_OUTCOMES = {
    "P": Weighted({("DECISION_GRANTED", "REFUGEE"): 0.36, ("DECISION_GRANTED", "SUBSIDIARY"): 0.08,
                   ("DECISION_REJECTED", None): 0.56}),
    "U": Weighted({("DECISION_GRANTED", "REFUGEE"): 0.06, ("DECISION_GRANTED", "SUBSIDIARY"): 0.02,
                   ("DECISION_REJECTED", None): 0.92}),
}  # fmt: skip
# Single adults waited for a reception place during the Belgian reception crisis.
BE_WAITLIST = (day_of(2022, 9, 1), day_of(2024, 3, 31))

# Places per person in reception, as a target occupancy rate over time (capacity lags behind).
OCCUPANCY_TARGET = {
    "COA": [(day_of(2022, 1, 1), 0.94), (day_of(2022, 6, 1), 0.97), (day_of(2022, 9, 1), 1.03),
            (day_of(2022, 12, 1), 1.0), (day_of(2023, 6, 1), 0.96), (day_of(2023, 12, 1), 0.93),
            (day_of(2024, 6, 1), 0.92), (day_of(2024, 12, 1), 0.9)],
    "FEDASIL": [(day_of(2022, 1, 1), 0.93), (day_of(2022, 10, 1), 0.99),
                (day_of(2023, 6, 1), 0.97), (day_of(2024, 1, 1), 0.95),
                (day_of(2024, 4, 1), 0.943), (day_of(2024, 12, 1), 0.93)],
}  # fmt: skip
LOCATIONS = {"COA": COA_LOCATIONS, "FEDASIL": FEDASIL_CENTRES}
RECEPTION_PARTNER = {"NL": "COA", "BE": "FEDASIL"}


def _measurement_days(end: int) -> dict[str, list[int]]:
    """COA counts its places every Sunday; Fedasil publishes them at every month's end."""
    sundays = list(range(day_of(2022, 1, 2), end + 1, 7))
    month_ends = [day_of(2021, 12, 31)] + [
        day_of(y, m, calendar.monthrange(y, m)[1])
        for y in range(2022, year_of(end) + 1)
        for m in range(1, 13)
        if day_of(y, m, calendar.monthrange(y, m)[1]) <= end
    ]
    return {"COA": sundays, "FEDASIL": month_ends}


# --- Simulation -----------------------------------------------------------------------------


class _Case:
    """A case being simulated: its events up to ``end``, its reception stays, how far it reaches."""

    __slots__ = ("end", "events", "horizon", "nationality", "stays", "track", "uam")

    def __init__(
        self, end: int, track: str | None, nationality: str | None, uam: bool | None
    ) -> None:
        self.end = end
        self.track, self.nationality, self.uam = track, nationality, uam
        self.events: list[SimEvent] = []
        self.stays: list[tuple[str, int, int]] = []  # location, from day, to day (or NEVER)
        self.horizon = 0  # the last day anything happens, even after the end

    def add(
        self,
        day: int,
        minute: int | None,
        partner: str,
        code: str,
        location: str | None = None,
        location_type: str | None = None,
        reason: str | None = None,
        destination: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Record an event; one after the end of the simulation is only remembered as reach."""
        if day > self.horizon:
            self.horizon = day
        if day <= self.end:
            self.events.append(
                SimEvent(day, minute, partner, code, location, location_type, reason,
                         destination, detail)
            )  # fmt: skip

    def reception(
        self,
        partner: str,
        moves: list[tuple[int, int, str]],
        leave: tuple[int, int, str] | None,
    ) -> None:
        """Enter at the first move, transfer at the others, leave (with a reason) or stay."""
        types = LOCATIONS[partner]
        leave_day = leave[0] if leave else NEVER
        moves = [moves[0]] + [m for m in moves[1:] if m[0] < leave_day]
        for i, (day, minute, location) in enumerate(moves):
            code = "RECEPTION_ENTERED" if i == 0 else "RECEPTION_TRANSFERRED"
            self.add(day, minute, partner, code, location=location, location_type=types[location])
            until = moves[i + 1][0] if i + 1 < len(moves) else leave_day
            self.stays.append((location, day, until))
        if leave is None:
            self.horizon = NEVER
            return
        location = moves[-1][2]
        self.add(leave[0], leave[1], partner, "RECEPTION_LEFT", location=location,
                 location_type=types[location], reason=leave[2])  # fmt: skip


@dataclass
class _Tally:
    """What was generated, for the manifest's calibration totals."""

    applications: Counter[tuple[str, int]] = field(default_factory=Counter)
    departures: Counter[tuple[str, int, str]] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    cases: Counter[str] = field(default_factory=Counter)


class PlannedCases:
    """A chain's applications in the order they are drawn: each one's track and decision day,
    and what the decision service had and did in each month."""

    def __init__(self, tracks: list[str], plan: DecisionPlan) -> None:
        self.tracks, self.decided, self.months = tracks, plan.decided, plan.months

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return zip(self.tracks, self.decided, strict=True)


class Simulation:
    """The chain simulated at ``scale`` (1 = the published volumes), deterministic per ``seed``,
    up to ``end`` (an ordinal; by default ``simulation_end()``)."""

    def __init__(self, *, scale: float, seed: int, end: int | None = None) -> None:
        if scale <= 0:
            raise ValueError(f"scale must be positive, got {scale}")
        self.scale, self.seed = scale, seed
        self.end = simulation_end() if end is None else end
        self._rng = random.Random(seed)
        self._capacity_rng = random.Random(seed * 7919 + 1)
        self._person_offset = random.Random(seed).randrange(10**9)
        self._people: Counter[tuple[str, bool]] = Counter()
        self._case_numbers: Counter[int] = Counter()
        self.tally = _Tally()
        size = self.end - ORIGIN + 2
        self._deltas = {
            partner: {location: [0] * size for location in locations}
            for partner, locations in LOCATIONS.items()
        }
        self._occupied = {partner: dict.fromkeys(locs, 0) for partner, locs in LOCATIONS.items()}
        self._stock_day = ORIGIN
        self.stock: dict[str, list[int]] = {partner: [] for partner in LOCATIONS}
        self._measure = _measurement_days(self.end)
        self._measure_sets = {partner: set(days) for partner, days in self._measure.items()}
        self._measured: dict[str, set[str]] = {partner: set() for partner in LOCATIONS}
        self.places: dict[tuple[str, int], int] = {}
        until = partial(through_end, end=self.end)
        noise = random.Random(seed * 104_729 + 3)
        nl = Inflow(until(NL_APPLICATIONS), NL_MONTHS, NL_WEEKDAYS, scale, noise=noise,
                    season=NL_SEASON)  # fmt: skip
        be = Inflow(until(BE_APPLICATIONS), BE_MONTHS, BE_WEEKDAYS, scale, noise=noise,
                    season=BE_SEASON)  # fmt: skip
        planning = random.Random(seed * 15_485_863 + 5)
        self.plans = {
            "NL": self._plan(nl, NL_TRACKS, NL_READY, NL_QUICK, NL_STAFFING, planning),
            "BE": self._plan(be, BE_TRACKS, BE_READY, BE_QUICK, BE_STAFFING, planning),
        }
        self._planned = {chain: iter(plan) for chain, plan in self.plans.items()}
        self._streams: list[tuple[Inflow, Callable[[int], tuple[str, _Case]]]] = [
            (nl, self._nl_asylum),
            (be, self._be_asylum),
            (Inflow(until(NL_FAMILY_REUNIFICATION), {}, NL_WEEKDAYS, scale, noise=noise),
             self._nl_family),
            *(
                (
                    Inflow(until(dict.fromkeys(range(2019, 2025), yearly)), {}, NL_WEEKDAYS,
                           scale, noise=noise),
                    partial(self._nl_return_only, kind=kind),
                )
                for kind, yearly in NL_RETURN_ONLY.items()
            ),
        ]  # fmt: skip

    def _plan(
        self,
        inflow: Inflow,
        tracks: Weighted[str],
        ready: Mapping[str, tuple[int, int]],
        quick: frozenset[str],
        staffing: Staffing,
        rng: random.Random,
    ) -> PlannedCases:
        """Draw the track of every application up to the end, and plan when each is decided."""
        lodged: list[int] = []
        drawn: list[str] = []
        ready_on: list[int] = []
        for day in range(HISTORY_START, self.end + 1):
            for _ in range(inflow.count(day)):
                track = tracks.pick(rng)
                lodged.append(day)
                drawn.append(track)
                ready_on.append(day + between(rng, *ready[track]))
        plan = DecisionPlan(
            lodged=lodged, ready=ready_on, quick=[track in quick for track in drawn],
            staffing=staffing, scale=self.scale, end=self.end, rng=rng,
        )  # fmt: skip
        return PlannedCases(drawn, plan)

    # -- driving ---------------------------------------------------------------------------

    def steps(self) -> Iterator[Step]:
        """Every simulated day's cases in order, with the capacity measured so far."""
        for day in range(HISTORY_START, self.end + 1):
            cases = []
            for inflow, make in self._streams:
                for _ in range(inflow.count(day)):
                    chain, case = make(day)
                    # Of the years before, only cases still active in 2022 belong to the start.
                    if case.horizon >= START:
                        cases.append(self._emit(chain, case, day))
            final_before = day + 1 - MAX_LEAD
            yield Step(final_before, cases, self._advance(final_before))
        yield Step(self.end + 1, [], self._advance(self.end + 1))

    def stock_on(self, partner: str, day: int) -> int:
        """People in the partner's reception at the end of ``day`` (once the steps passed it)."""
        return self.stock[partner][day - ORIGIN]

    def calibration(self) -> dict[str, int]:
        """The totals generated for each figure of ``PUBLISHED`` (after all steps)."""
        apps, departed = self.tally.applications, self.tally.departures
        april = day_of(2024, 4, 30)
        return {
            "nl_applications_2022": apps["NL", 2022],
            "nl_applications_2023": apps["NL", 2023],
            "coa_stock_2022_12_31": self.stock_on("COA", day_of(2022, 12, 31)),
            "dtv_departed_voluntary_2022": departed["DTV", 2022, "DEPARTED_VOLUNTARY"],
            "dtv_departed_forced_2022": departed["DTV", 2022, "DEPARTED_FORCED"],
            "dtv_departed_unverified_2022": departed["DTV", 2022, "DEPARTED_UNVERIFIED"],
            "be_applications_2022": apps["BE", 2022],
            "fedasil_occupancy_2024_04_30": self.stock_on("FEDASIL", april),
            "fedasil_places_2024_04_30": self.places_on("FEDASIL", april),
        }

    def measurements(self) -> dict[str, list[Measured]]:
        """Per organisation, what it pushes besides its events: every month from 2022 the staff
        for decisions (as the decisions followed it), and its clients' mean satisfaction score
        of the surveys closed at the month's end.

        Clients of a decision service are less content the longer its stock takes to work off
        (months of work at the month's pace); reception is less liked in a crisis.
        """
        rng = random.Random(self.seed * 7_919 + 11)
        found: dict[str, list[Measured]] = {"IND": [], "COA": [], "DVZ": [], "FEDASIL": []}
        for chain, service, reception in (("NL", "IND", "COA"), ("BE", "DVZ", "FEDASIL")):
            crisis = NL_CRISIS if chain == "NL" else BE_WAITLIST
            for month in self.plans[chain].months:
                first = first_day(month.index)
                if first < START:
                    continue
                found[service].append(Measured("DECISION_CAPACITY_FTE", first, month.fte))
                last = first_day(month.index + 1) - 1
                if last > self.end:
                    continue
                backlog = month.open_at_end / max(month.capacity, 1.0)
                score = 4.15 - 0.045 * backlog + rng.gauss(0, 0.06)
                found[service].append(Measured("SATISFACTION_SCORE", last, round(score, 2)))
                score = 3.9 - (0.35 if crisis[0] <= last <= crisis[1] else 0) + rng.gauss(0, 0.07)
                found[reception].append(Measured("SATISFACTION_SCORE", last, round(score, 2)))
        return found

    def places_on(self, partner: str, day: int) -> int:
        """Sum over locations of the latest places measured on or before ``day``."""
        latest: dict[str, int] = {}
        for measured in self._measure[partner]:
            if measured > day:
                break
            for location in self._measured[partner]:
                if (location, measured) in self.places:
                    latest[location] = self.places[location, measured]
        return sum(latest.values())

    def _emit(self, chain: str, case: _Case, key_day: int) -> SimCase:
        """Give a kept case its identifiers and count it in the tallies and stocks."""
        series = (chain, chain == "BE" and key_day < START)  # older SP numbers have 7 digits
        n = self._people[series]
        self._people[series] += 1
        # A bijection of the counter onto the number range: unique, but not in sequence.
        scrambled = n * 282_475_249 + self._person_offset
        if chain == "NL":
            person = str(3_000_000_000 + scrambled % 1_000_000_000)
        elif series[1]:
            person = str(1_000_000 + scrambled % 9_000_000)
        else:
            person = str(10_000_000 + scrambled % 90_000_000)
        lodged = next((e.day for e in case.events if e.code == "APPLICATION_LODGED"), None)
        if lodged is not None:
            self.tally.applications[chain, year_of(lodged)] += 1
        case_number = None
        first_ind = next((e.day for e in case.events if e.partner == "IND"), None)
        if first_ind is not None:
            year = year_of(first_ind)
            self._case_numbers[year] += 1
            case_number = f"Z{year}-{self._case_numbers[year] + 10_000:07d}"
        for event in case.events:
            self.tally.events[event.partner] += 1
            if event.code.startswith("DEPARTED_"):
                self.tally.departures[event.partner, year_of(event.day), event.code] += 1
        self.tally.cases[chain] += 1
        deltas = self._deltas[RECEPTION_PARTNER[chain]]
        for location, start, until in case.stays:
            if start <= self.end:
                deltas[location][start - ORIGIN] += 1
                if until <= self.end:
                    deltas[location][until - ORIGIN] -= 1
        return SimCase(chain, person, case_number, case.track, case.nationality, case.uam,
                       case.events)  # fmt: skip

    def _advance(self, final_before: int) -> list[Capacity]:
        """Count the stocks of every day now final; measure capacity on the days due."""
        capacities: list[Capacity] = []
        for day in range(self._stock_day, min(final_before, self.end + 1)):
            index = day - ORIGIN
            for partner, deltas in self._deltas.items():
                occupied = self._occupied[partner]
                for location, changes in deltas.items():
                    occupied[location] += changes[index]
                self.stock[partner].append(sum(occupied.values()))
                if day in self._measure_sets[partner]:
                    capacities.extend(self._capacity(partner, day))
            self._stock_day = day + 1
        return capacities

    def _capacity(self, partner: str, day: int) -> list[Capacity]:
        """Places per location: its people over a target occupancy, give or take a little."""
        target = interpolate(OCCUPANCY_TARGET[partner], day)
        rng = self._capacity_rng
        measured = []
        for location, people in self._occupied[partner].items():
            if people == 0 and location not in self._measured[partner]:
                continue  # not opened yet
            places = round(people / target * (0.97 + 0.06 * rng.random())) if people else 0
            self._measured[partner].add(location)
            self.places[location, day] = places
            kind = LOCATIONS[partner][location]
            measured.append(Capacity(partner, location, kind, day, places))
        return measured

    # -- the Dutch chain -------------------------------------------------------------------

    def _nl_asylum(self, lodged: int) -> tuple[str, _Case]:
        rng = self._rng
        track, decided = next(self._planned["NL"])
        nationality = NL_NATIONALITIES[track].pick(rng)
        case = _Case(self.end, track, nationality, rng.random() < NL_UAM[track])
        low, high, mode = NL_LODGE_DELAY.at(lodged)
        registered = lodged - round(rng.triangular(low, high, mode))
        coa_gvl, ind_place = NL_REGISTRATION.at(registered).pick(rng)
        arrival = any_minute(rng)
        case.add(registered, arrival, "IND", "REGISTERED", location=ind_place)
        case.add(lodged, maybe_no_time(rng, 0.3), "IND", "APPLICATION_LODGED", location=ind_place)
        office = IND_OFFICES.pick(rng) or None
        outcome = NL_OUTCOMES[track].pick(rng)
        self._nl_hearings(case, lodged, decided, office)
        self._nl_term(case, lodged, decided)

        enters = rng.random() < (0.85 if track == "2" else 0.95)
        entry_minute = clear_of_clock_change(min(arrival + between(rng, 20, 180), 1439))
        entered = (registered, entry_minute, coa_gvl)
        leave: tuple[int, int, str] | None = None
        if outcome == "DECISION_DISCONTINUED" and enters:
            # Most discontinued applicants had left reception for an unknown destination.
            gone = max(registered + 1, decided - between(rng, 3, 40))
            leave = (gone, office_minute(rng), "UNKNOWN")
        case.add(decided, maybe_no_time(rng, 0.6), "IND", outcome, location=office)

        granted = decided if outcome == "DECISION_GRANTED" else None
        if outcome == "DECISION_REJECTED":
            final, granted = self._nl_appeal(case, decided)
            if granted is None:
                leave = self._nl_after_rejection(case, final, enters)
        if granted is not None:
            if rng.random() < 0.94:
                leave = (granted + self._housed_after(granted), office_minute(rng), "HOUSING")
            else:
                leave = (granted + between(rng, 10, 200), office_minute(rng), "OTHER")
        if enters:
            case.reception("COA", self._nl_moves(entered, lodged), leave)
        return "NL", case

    def _nl_family(self, registered: int) -> tuple[str, _Case]:
        """A family member of a status holder: registered, sheltered until housed with family."""
        rng = self._rng
        case = _Case(self.end, None, NL_FAMILY_NATIONALITIES.pick(rng), False)
        arrival = office_minute(rng)
        case.add(registered, arrival, "IND", "REGISTERED", location="Ter Apel")
        entered = (registered, arrival + 30, "aanmeldcentrum Ter Apel")
        moved = (registered + between(rng, 1, 10), office_minute(rng), AZC.pick(rng))
        housed = registered + max(moved[0] - registered + 1, self._housed_after(registered))
        case.reception("COA", [entered, moved], (housed, office_minute(rng), "HOUSING"))
        return "NL", case

    def _housed_after(self, day: int) -> int:
        """Days from ``day`` until a status holder is housed: two weeks, then a monthly rate."""
        per_day = NL_HOUSING_RATE.at(day) / 30.44
        return 14 + round(self._rng.expovariate(per_day))

    def _nl_hearings(self, case: _Case, lodged: int, decided: int, office: str | None) -> None:
        """Hearing scheduled, then held (or first missed and rescheduled), before the decision
        (its day is planned: a missed hearing is made up within the same weeks)."""
        rng = self._rng
        gap = max(1, decided - lodged - 1)
        held = decided - between(rng, 1, min(gap, 90))
        missed = held - between(rng, 6, 30)
        if missed > lodged and rng.random() < NL_NO_SHOW.at(held):
            planned = max(lodged, missed - between(rng, 7, 35))
            case.add(planned, office_minute(rng), "IND", "HEARING_SCHEDULED", location=office)
            case.add(missed, 540 + 30 * between(rng, 0, 12), "IND", "HEARING_NO_SHOW",
                     location=office)  # fmt: skip
            planned = missed + between(rng, 1, 5)
        else:
            planned = max(lodged, held - between(rng, 7, 35))
        case.add(planned, office_minute(rng), "IND", "HEARING_SCHEDULED", location=office)
        case.add(held, 540 + 30 * between(rng, 0, 12), "IND", "HEARING_HELD", location=office)

    def _nl_term(self, case: _Case, lodged: int, decided: int) -> None:
        """Extend some 6-month terms; some applicants appeal a decision that is late (BNTB)."""
        rng = self._rng
        months = NL_LEGAL_TERM.at(lodged)
        deadline = add_months(lodged, months)
        if case.track == "4" and months == 6 and decided > lodged + 150 and rng.random() < 0.3:
            extended = between(rng, lodged + 120, deadline)
            case.add(extended, maybe_no_time(rng, 0.7), "IND", "TERM_EXTENDED")
            deadline = add_months(lodged, 15)
        if decided > deadline + 14 and rng.random() < 0.15:
            appealed = deadline + between(rng, 14, 150)
            if appealed < decided:
                case.add(appealed, maybe_no_time(rng, 0.7), "IND", "NONTIMELY_APPEAL")

    def _nl_appeal(self, case: _Case, decided: int) -> tuple[int, int | None]:
        """The day the rejection became final, and the day of a grant on appeal if any."""
        rng = self._rng
        if rng.random() >= NL_APPEAL[case.track or "4"]:
            return decided + 28, None
        lodged = decided + between(rng, 5, 28)
        case.add(lodged, maybe_no_time(rng, 0.7), "IND", "APPEAL_LODGED")
        ruled = lodged + between(rng, 70, 330)
        case.add(ruled, maybe_no_time(rng, 0.7), "IND", "APPEAL_DECIDED")
        if rng.random() < 0.08:
            return ruled, ruled
        return ruled, None

    def _nl_after_rejection(
        self, case: _Case, final: int, in_reception: bool
    ) -> tuple[int, int, str]:
        """Handover to DT&V (or a later application), and when reception ends."""
        rng = self._rng
        end_of_rights = final + between(rng, 28, 60)
        leave = (end_of_rights, office_minute(rng), "OTHER" if rng.random() < 0.5 else "UNKNOWN")
        if rng.random() >= NL_HANDOVER[case.track or "4"]:
            if rng.random() < 0.1:  # a subsequent application: it does not move `lodged`
                again = final + between(rng, 20, 200)
                case.add(again, maybe_no_time(rng, 0.3), "IND", "APPLICATION_LODGED",
                         location="Ter Apel")  # fmt: skip
                outcome = "DECISION_GRANTED" if rng.random() < 0.15 else "DECISION_REJECTED"
                case.add(again + between(rng, 14, 90), None, "IND", outcome, location="Ter Apel")
            return leave
        opened = final + between(rng, 1, 21)
        kinds = DTV_DUBLIN if case.track == "1" else DTV_OTHER
        kind, ended = self._dtv_return(case, opened, kinds.pick(rng), 100.0)
        # People who cooperate with their departure keep a place until they go.
        if in_reception and (ended < end_of_rights or rng.random() < 0.4):
            if kind == "DEPARTED_UNVERIFIED":
                return (ended - between(rng, 0, min(10, ended - opened)), office_minute(rng),
                        "UNKNOWN")  # fmt: skip
            if kind in ("DEPARTED_VOLUNTARY", "DEPARTED_FORCED"):
                return (ended, office_minute(rng), "DEPARTURE")
            return (ended, office_minute(rng), "OTHER")
        return leave

    def _dtv_return(self, case: _Case, opened: int, kind: str, median: float) -> tuple[str, int]:
        """A DT&V return case from handover to its end (a departure or a closure)."""
        rng = self._rng
        case.add(opened, None, "DTV", "RETURN_CASE_OPENED")
        ended = opened + max(3, round(rng.lognormvariate(0, 0.75) * median))
        destination = None
        if kind in ("DEPARTED_VOLUNTARY", "DEPARTED_FORCED"):
            if case.track == "1":
                destination = DUBLIN_STATES.pick(rng)
            elif case.nationality and case.nationality not in ("XXA", "XXX"):
                destination = case.nationality
            else:
                destination = OTHER_DESTINATIONS.pick(rng)
        case.add(ended, None, "DTV", kind, destination=destination)
        return kind, ended

    def _nl_return_only(self, opened: int, kind: str) -> tuple[str, _Case]:
        """A return case from outside the asylum flow: found without a right to stay."""
        case = _Case(self.end, None, None, None)
        self._dtv_return(case, opened, kind, 45.0)
        return "NL", case

    def _nl_moves(self, entered: tuple[int, int, str], lodged: int) -> list[tuple[int, int, str]]:
        """From the registration centre to a process location (or emergency shelter), an azc."""
        rng = self._rng
        day = entered[0]
        crisis = NL_CRISIS[0] <= day <= NL_CRISIS[1]
        first = day + (between(rng, 5, 45) if crisis else between(rng, 3, 21))
        shelter = NOODOPVANG if crisis and rng.random() < 0.55 else POL
        second = max(first + between(rng, 20, 120), lodged + 10)
        moves = [entered, (first, office_minute(rng), shelter.pick(rng)),
                 (second, office_minute(rng), AZC.pick(rng))]  # fmt: skip
        if rng.random() < 0.3:
            moves.append((second + between(rng, 60, 400), office_minute(rng), AZC.pick(rng)))
        return moves

    # -- the Belgian chain -----------------------------------------------------------------

    def _be_asylum(self, lodged: int) -> tuple[str, _Case]:
        rng = self._rng
        track, decided = next(self._planned["BE"])
        mena = rng.random() < (0.07 if track == "P" else 0.01)
        case = _Case(self.end, track, BE_NATIONALITIES[track].pick(rng), mena)
        low, high, mode = BE_LODGE_DELAY.at(lodged)
        registered = lodged - round(rng.triangular(low, high, mode))
        case.add(registered, None, "DVZ", "REGISTERED")
        case.add(lodged, None, "DVZ", "APPLICATION_LODGED")
        if track == "P":
            case.add(decided - between(rng, 1, min(150, decided - lodged - 1)), None, "DVZ",
                     "HEARING_HELD")  # fmt: skip
        elif decided - lodged > 15 and rng.random() < 0.2:
            case.add(decided - between(rng, 5, 15), None, "DVZ", "HEARING_HELD")
        outcome, protection = BE_OUTCOMES[track].pick(rng)
        case.add(decided, None, "DVZ", outcome, detail=protection)

        leave: tuple[int, int, str] | None = None
        granted = decided if outcome == "DECISION_GRANTED" else None
        if outcome == "DECISION_REJECTED":
            final = decided + between(rng, 30, 45)
            if rng.random() < (0.55 if track == "P" else 0.4):
                appealed = decided + between(rng, 5, 30)
                case.add(appealed, None, "DVZ", "APPEAL_LODGED")
                final = appealed + between(rng, 90, 420)
                if rng.random() < 0.1:
                    granted = final
            leave = None if granted is not None else self._be_return(case, final)
        if granted is not None:
            leave = (granted + between(rng, 45, 150), office_minute(rng), "HOUSING")

        enters = rng.random() < (0.85 if track == "P" else 0.35)
        entry = registered
        waitlisted = track == "P" and not mena and BE_WAITLIST[0] <= registered <= BE_WAITLIST[1]
        if waitlisted and rng.random() < 0.5:
            entry = registered + between(rng, 20, 240)
        if enters and entry < decided:
            if leave is not None and leave[0] > entry + 10 and rng.random() < 0.06:
                leave = (between(rng, entry + 10, leave[0] - 1), office_minute(rng), "UNKNOWN")
            case.reception("FEDASIL", self._be_moves(entry), leave)
        return "BE", case

    def _be_return(self, case: _Case, final: int) -> tuple[int, int, str]:
        """The order to leave after a final refusal, a return for some; reception ends."""
        rng = self._rng
        end_of_rights = (final + between(rng, 30, 60), office_minute(rng), "OTHER")
        if rng.random() >= 0.9:
            return end_of_rights
        ordered = final + between(rng, 5, 40)
        case.add(ordered, None, "DVZ", "RETURN_CASE_OPENED")
        draw = rng.random()
        if draw < 0.12:
            left = ordered + between(rng, 20, 250)
            case.add(left, None, "DVZ", "DEPARTED_VOLUNTARY")
            if left < end_of_rights[0]:
                return (left, office_minute(rng), "DEPARTURE")
        elif draw < 0.18:
            case.add(ordered + between(rng, 30, 300), None, "DVZ", "DEPARTED_FORCED")
        return (ordered + between(rng, 30, 45), office_minute(rng), "OTHER")

    def _be_moves(self, entry: int) -> list[tuple[int, int, str]]:
        """The arrival centre, a collective centre, and for some an individual place."""
        rng = self._rng
        first = "Petit-Château" if rng.random() < 0.85 else BE_COLLECTIVE.pick(rng)
        moves = [(entry, any_minute(rng), first)]
        moved = entry + between(rng, 5, 45)
        moves.append((moved, office_minute(rng), BE_COLLECTIVE.pick(rng)))
        if rng.random() < 0.35:
            moves.append(
                (moved + between(rng, 90, 360), office_minute(rng), BE_INDIVIDUAL.pick(rng))
            )
        return moves
