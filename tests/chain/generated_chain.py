"""A seeded generator of a realistic event set over both chains, and its delivery by push.

``generate`` simulates people through both chains: registration, applications (also second
ones), hearings and no-shows, decision terms (extended before, on and after the deadline),
decisions (on the lodging day, on the deadline day, the day after it, never), appeals, reception
(moves between locations, leaves with every reason, people who come back), return cases
(closed, reopened, departures of every kind, departures without a return case), with capacity
per location over time, satisfaction scores and decision staff. It puts applications on the
NL term rule boundaries and on month ends, and events near midnight with UTC offsets, so that
local and UTC dates differ. Nationalities include rare ones, so small cells are suppressed.

Each item records when it is delivered; ``GeneratedChain.deliveries`` groups the items into
pushes per organisation and quarter (some events arrive months late, some twice, and some
measurements are corrected by a later delivery). ``load`` pushes them through the push API's
service layer, as partner systems would.

No two events of one case share an instant: the contract orders a case's events by
``occurred_at`` and says nothing about ties.
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, cast
from zoneinfo import ZoneInfo

from accounts.models import OrganisationAPIKey
from ingest.push import push_events
from ingest.services import ImportSummary
from tests.chain.oracle import add_months, rule_for

START = date(2021, 7, 1)
HORIZON = date(2024, 12, 31)  # nothing happens after this day
PUSH_LIMIT = 5_000
# Offsets an instant may be written in: the chain's own, UTC, and two far from both.
OFFSETS = (
    None,
    UTC,
    timezone(timedelta(hours=5, minutes=30)),
    timezone(-timedelta(hours=4)),
)
# Minutes of the day events happen at; none between 02:00 and 04:00, so that no local time
# falls in a daylight-saving gap and a case's events keep the order they were written in.
MINUTES = [*range(0, 120), *range(240, 1440)]
NEAR_MIDNIGHT = [*range(0, 30), *range(1410, 1440)]


@dataclass(frozen=True)
class GeneratedEvent:
    """A status event as a partner system pushes it, and the day it is delivered."""

    delivered: date
    organisation: str
    source_event_id: str
    person_ref: str
    event_type: str
    occurred_at: datetime
    track: str | None = None
    nationality: str | None = None
    uam: bool | None = None
    location: str | None = None
    reason: str | None = None
    destination: str | None = None

    def as_push(self) -> dict[str, Any]:
        """The event as an item of a push body."""
        return {
            "source_event_id": self.source_event_id, "person_ref": self.person_ref,
            "event_type": self.event_type, "occurred_at": self.occurred_at.isoformat(),
            "track": self.track, "nationality": self.nationality, "uam": self.uam,
            "location": self.location, "reason": self.reason, "destination": self.destination,
        }  # fmt: skip


@dataclass(frozen=True)
class GeneratedMeasurement:
    """A measurement as a partner system pushes it, and the day it is delivered."""

    delivered: date
    organisation: str
    kind: str
    location: str | None
    date: date
    value: float

    def as_push(self) -> dict[str, Any]:
        """The measurement as an item of a push body."""
        return {
            "kind": self.kind, "location": self.location, "date": self.date.isoformat(),
            "value": self.value,
        }  # fmt: skip


@dataclass(frozen=True)
class Delivery:
    """One push of one organisation."""

    organisation: str
    events: tuple[GeneratedEvent, ...]
    measurements: tuple[GeneratedMeasurement, ...]

    def body(self) -> dict[str, Any]:
        """The push body."""
        return {
            "events": [e.as_push() for e in self.events],
            "measurements": [m.as_push() for m in self.measurements],
        }


@dataclass(frozen=True)
class GeneratedChain:
    """Every generated item, in the order it was generated."""

    events: tuple[GeneratedEvent, ...]
    measurements: tuple[GeneratedMeasurement, ...]

    def deliveries(self, *, after: date | None = None, until: date | None = None) -> list[Delivery]:
        """The pushes of the items delivered after ``after`` and up to ``until``, in order.

        One push per organisation and quarter of delivery (split at ``PUSH_LIMIT`` events);
        within a push, items in delivery order, so a later correction comes later.
        """
        groups: dict[tuple[date, str], tuple[list[Any], list[Any]]] = defaultdict(lambda: ([], []))
        kinds: tuple[Sequence[GeneratedEvent | GeneratedMeasurement], ...] = (
            self.events,
            self.measurements,
        )
        for index, items in enumerate(kinds):
            for item in items:
                if (after is None or item.delivered > after) and (
                    until is None or item.delivered <= until
                ):
                    quarter = date(item.delivered.year, (item.delivered.month - 1) // 3 * 3 + 1, 1)
                    groups[(quarter, item.organisation)][index].append(item)
        out = []
        for (_, organisation), (events, measurements) in sorted(groups.items()):
            events.sort(key=lambda e: e.delivered)
            measurements.sort(key=lambda m: m.delivered)
            for start in range(0, max(len(events), 1), PUSH_LIMIT):
                out.append(
                    Delivery(
                        organisation,
                        tuple(events[start : start + PUSH_LIMIT]),
                        tuple(measurements) if start == 0 else (),
                    )
                )
        return out


def load(deliveries: Iterable[Delivery]) -> list[ImportSummary]:
    """Push every delivery through the push service, each with its organisation's key."""
    keys: dict[str, OrganisationAPIKey] = {}
    summaries = []
    for delivery in deliveries:
        if delivery.organisation not in keys:
            key, _ = OrganisationAPIKey.objects.create_key(
                name=f"{delivery.organisation} generator", organisation_id=delivery.organisation,
                scope=OrganisationAPIKey.Scope.PUSH,
            )  # fmt: skip
            # The manager creates keys of its own model; the library annotates the abstract base.
            keys[delivery.organisation] = cast(OrganisationAPIKey, key)
        body = delivery.body()
        summary = push_events(
            api_key=keys[delivery.organisation], body=body, raw=json.dumps(body).encode(),
            idempotency_key=None,
        )  # fmt: skip
        assert isinstance(summary, ImportSummary)
        assert summary.rejected == 0, summary.conflicts[:5]
        summaries.append(summary)
    return summaries


@dataclass(frozen=True)
class _Plan:
    """How one chain is simulated."""

    chain: str
    timezone: ZoneInfo
    procedure: str
    reception: str
    returns: str
    tracks: tuple[tuple[str, float], ...]
    nationalities: tuple[tuple[str, float], ...]
    outcomes: tuple[tuple[str, float], ...]
    locations: tuple[str, ...]
    # A location whose capacity is never measured: its residents count, its places do not.
    unmeasured: str
    first_ref: int
    # (local lodged date, minute of the day): applications on rule boundaries and month ends.
    special_lodged: tuple[tuple[date, int], ...]
    survey_organisations: tuple[str, ...]


PLANS = (
    _Plan(
        chain="NL", timezone=ZoneInfo("Europe/Amsterdam"), procedure="IND", reception="COA",
        returns="DTV", tracks=(("1", 8), ("2", 17), ("3", 10), ("4", 65)),
        nationalities=(
            ("SYR", 34), ("AFG", 13), ("ERI", 10), ("TUR", 9), ("YEM", 6), ("IRQ", 5),
            ("MAR", 4), ("DZA", 4), ("XXA", 3), ("XXX", 3), ("NGA", 2), ("GEO", 2),
            ("MNG", 0.4), ("BTN", 0.2), ("FJI", 0.15),
        ),
        outcomes=(("DECISION_GRANTED", 50), ("DECISION_REJECTED", 38),
                  ("DECISION_DISCONTINUED", 12)),
        locations=("azc Ter Apel", "azc Budel", "azc Zweeloo", "azc Gilze", "azc Assen"),
        unmeasured="noodopvang Zoutkamp", first_ref=3_000_000_000,
        special_lodged=(
            (date(2022, 3, 26), 1400), (date(2022, 3, 27), 10), (date(2022, 3, 27), 1435),
            (date(2023, 12, 31), 1420), (date(2024, 1, 1), 15), (date(2024, 1, 1), 900),
            (date(2023, 1, 31), 20), (date(2024, 1, 31), 1430), (date(2021, 8, 31), 600),
            (date(2021, 12, 31), 5), (date(2023, 5, 31), 1425), (date(2024, 3, 31), 25),
            (date(2022, 3, 26), 5), (date(2023, 12, 31), 25),
        ),
        survey_organisations=("IND", "COA", "DTV"),
    ),
    _Plan(
        chain="BE", timezone=ZoneInfo("Europe/Brussels"), procedure="DVZ", reception="FEDASIL",
        returns="DVZ", tracks=(("P", 85), ("U", 15)),
        nationalities=(
            ("AFG", 24), ("SYR", 18), ("PSE", 12), ("ERI", 10), ("TUR", 8), ("BDI", 6),
            ("COD", 6), ("GIN", 5), ("XXA", 2), ("XXX", 3), ("ISL", 0.3), ("LSO", 0.2),
        ),
        outcomes=(("DECISION_GRANTED", 40), ("DECISION_REJECTED", 55),
                  ("DECISION_DISCONTINUED", 5)),
        locations=("Petit-Château", "Mouscron", "Jodoigne", "Sint-Truiden"),
        unmeasured="noodopvang Brussel", first_ref=40_000_000,
        special_lodged=(
            (date(2023, 8, 31), 1430), (date(2022, 8, 31), 10), (date(2024, 1, 31), 700),
            (date(2023, 12, 31), 1435), (date(2024, 1, 1), 5),
        ),
        survey_organisations=("DVZ", "FEDASIL"),
    ),
)  # fmt: skip


@dataclass
class _Entry:
    day: date
    organisation: str
    event_type: str
    minute: int | None
    attrs: dict[str, Any]


@dataclass
class _Script:
    """One person's events in the order they happen, before they get their instants."""

    plan: _Plan
    person_ref: str
    entries: list[_Entry] = field(default_factory=list)

    def add(
        self, day: date, organisation: str, event_type: str, minute: int | None = None,
        **attrs: Any,
    ) -> None:  # fmt: skip
        if day <= HORIZON:
            self.entries.append(_Entry(day, organisation, event_type, minute, attrs))


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.events: list[GeneratedEvent] = []
        self.measurements: list[GeneratedMeasurement] = []
        self.ids: dict[str, int] = defaultdict(int)
        self.refs: dict[str, int] = defaultdict(int)
        # Per chain and location: (first day, day after the last) of every stay.
        self.stays: dict[tuple[str, str], list[tuple[date, date]]] = defaultdict(list)

    # -- small helpers ---------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, weighted: tuple[tuple[str, float], ...]) -> str:
        names, weights = zip(*weighted, strict=True)
        return self.rng.choices(names, weights)[0]

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def lognormal_days(self, median_days: float, sigma: float) -> timedelta:
        return timedelta(days=int(self.rng.lognormvariate(math.log(median_days), sigma)))

    def person_ref(self, plan: _Plan) -> str:
        self.refs[plan.chain] += 1
        number = str(plan.first_ref + self.refs[plan.chain])
        if plan.chain == "BE" and self.chance(0.1):
            number = str(1_000_000 + self.refs[plan.chain])  # SP numbers have 7 or 8 digits
        return number

    # -- people ----------------------------------------------------------------------------

    def asylum_case(self, plan: _Plan) -> None:
        """One applicant through procedure, reception and perhaps return."""
        rng = self.rng
        script = _Script(plan, self.person_ref(plan))
        nationality = None if self.chance(0.04) else self.pick(plan.nationalities)
        track = None if self.chance(0.03) else self.pick(plan.tracks)
        uam = None if self.chance(0.05) else self.chance(0.08)
        ident: dict[str, Any] = {"track": track, "nationality": nationality, "uam": uam}
        later = dict(ident)
        if track and self.chance(0.1):  # the procedure moves to another track
            later["track"] = self.pick(tuple(t for t in plan.tracks if t[0] != track))
        if self.chance(0.03):  # the nationality is established (or corrected) later on
            later["nationality"] = self.pick(plan.nationalities)
        minute = None
        if self.chance(0.05):
            lodged, minute = rng.choice(plan.special_lodged)
        else:
            lodged = START + self.days(10, (HORIZON - START).days - 20)
        registered = lodged - self.days(1 if minute is not None else 0, 8)
        script.add(registered, plan.procedure, "REGISTERED", **ident)
        script.add(lodged, plan.procedure, "APPLICATION_LODGED", minute=minute, **ident)
        rule_deadline = add_months(lodged, rule_for(plan.chain, lodged).months)
        decided, outcome = self.decision(lodged, rule_deadline, plan)
        if decided is not None and decided > HORIZON:
            decided = None
        # Hearings carry the track of their day: the track may change only at the decision.
        self.hearings(script, lodged, decided, later if self.chance(0.5) else ident)
        self.term_extension(script, rule_deadline, decided)
        if decided is not None:
            script.add(decided, plan.procedure, outcome, **later)
            if self.chance(0.03):  # a second decision does not move the first
                other = self.pick(tuple(o for o in plan.outcomes if o[0] != outcome))
                script.add(decided + self.days(1, 30), plan.procedure, other, **later)
        if self.chance(0.02):  # a decision of an earlier procedure, before this application
            script.add(lodged - self.days(20, 200), plan.procedure, "DECISION_REJECTED", **ident)
        if self.chance(0.03):  # a subsequent application does not move the lodged date
            again = (decided or lodged) + self.days(30, 200)
            script.add(again, plan.procedure, "APPLICATION_LODGED", **later)
        settled = decided
        granted_on_appeal = False
        if outcome == "DECISION_REJECTED" and decided is not None and self.chance(0.4):
            appealed = decided + self.days(5, 28)
            script.add(appealed, plan.procedure, "APPEAL_LODGED", **later)
            if self.chance(0.6):
                settled = appealed + self.days(60, 300)
                script.add(settled, plan.procedure, "APPEAL_DECIDED", **later)
                granted_on_appeal = self.chance(0.3)
        if decided is None and self.chance(0.3):
            script.add(rule_deadline + self.days(1, 60), plan.procedure, "NONTIMELY_APPEAL")
        departed = None
        if outcome != "DECISION_GRANTED" and settled is not None and not granted_on_appeal:
            opened = settled + self.days(0, 120)
            departed = self.return_process(script, plan, opened, destination=nationality)
        if self.chance(0.75):
            housing = None
            if outcome == "DECISION_GRANTED" and decided is not None:
                housing = decided + self.lognormal_days(110, 0.7)
                if self.chance(0.02):  # left for housing before the grant: a negative stay
                    housing = decided - self.days(5, 30)
            elif granted_on_appeal and settled is not None:
                housing = settled + self.days(10, 200)  # granted on appeal: not counted
            elif decided is not None and self.chance(0.03):
                housing = decided + self.days(10, 100)  # housed although rejected
            self.reception(script, plan, registered, housing, departed, later)
        self.emit(script)

    def decision(self, lodged: date, rule_deadline: date, plan: _Plan) -> tuple[date | None, str]:
        """When the first decision is taken (None: not yet), and its outcome."""
        outcome = self.pick(plan.outcomes)
        u = self.rng.random()
        if u < 0.10:
            return None, outcome
        if u < 0.15:
            return rule_deadline, outcome  # on the deadline day: within the term
        if u < 0.18:
            return rule_deadline + timedelta(days=1), outcome
        if u < 0.20:
            return lodged, outcome  # on the lodging day
        return lodged + self.lognormal_days(150, 0.7), outcome

    def hearings(
        self, script: _Script, lodged: date, decided: date | None, ident: dict[str, Any]
    ) -> None:
        org = script.plan.procedure
        day = lodged + self.days(5, 60)
        if decided is not None and day >= decided:
            return
        bare = {} if self.chance(0.3) else ident  # some hearing events carry no attributes
        script.add(day - self.days(2, 4), org, "HEARING_SCHEDULED", **bare)
        if self.chance(0.13):
            script.add(day, org, "HEARING_NO_SHOW", **bare)
            if not self.chance(0.6):
                return
            day += self.days(10, 40)
            if decided is not None and day >= decided:
                return
            script.add(day - self.days(2, 4), org, "HEARING_SCHEDULED", **bare)
        script.add(day, org, "HEARING_HELD", **bare)

    def term_extension(self, script: _Script, rule_deadline: date, decided: date | None) -> None:
        if not self.chance(0.12):
            return
        u = self.rng.random()
        if u < 0.15:
            day = rule_deadline  # on the deadline: still counts
        elif u < 0.40:
            day = rule_deadline + self.days(1, 60)  # too late: does not count
        else:
            day = rule_deadline - self.days(1, 120)
            if decided is not None and day >= decided:
                day = decided - timedelta(days=1)
        script.add(day, script.plan.procedure, "TERM_EXTENDED")

    def return_process(
        self, script: _Script, plan: _Plan, opened: date, *, destination: str | None
    ) -> date | None:
        """A return case from ``opened``; returns the first departure day, if any."""
        org = plan.returns
        destination = destination or "MAR"
        u = self.rng.random()
        if u < 0.02:  # departed without a return case
            day = opened + self.days(0, 200)
            script.add(day, org, "DEPARTED_VOLUNTARY", destination=destination)
            return day if day <= HORIZON else None
        if u < 0.04:  # the return case opens only after the departure
            day = opened + self.days(0, 100)
            script.add(day, org, "DEPARTED_UNVERIFIED")
            script.add(day + self.days(1, 30), org, "RETURN_CASE_OPENED")
            return day if day <= HORIZON else None
        if u < 0.45:
            return None
        script.add(opened, org, "RETURN_CASE_OPENED")
        fate = self.pick(
            (("DEPARTED_VOLUNTARY", 28), ("DEPARTED_FORCED", 15), ("DEPARTED_UNVERIFIED", 22),
             ("RETURN_CASE_CLOSED", 15), ("open", 20))
        )  # fmt: skip
        day = opened if self.chance(0.04) else opened + self.lognormal_days(100, 0.9)
        if fate == "open":
            return None
        if fate == "RETURN_CASE_CLOSED":
            script.add(day, org, fate)
            if not self.chance(0.1):
                return None
            # Reopened after the closure: still closed for the open stock, by the contract.
            script.add(day + self.days(10, 100), org, "RETURN_CASE_OPENED")
            day += self.days(110, 300)
            fate = "DEPARTED_FORCED"
        script.add(
            day, org, fate, destination=destination if fate != "DEPARTED_UNVERIFIED" else None
        )
        if fate == "DEPARTED_UNVERIFIED" and self.chance(0.1):
            script.add(day + self.days(5, 90), org, "DEPARTED_VOLUNTARY", destination=destination)
        return day if day <= HORIZON else None

    def reception(
        self, script: _Script, plan: _Plan, entered: date, housing: date | None,
        departed: date | None, ident: dict[str, Any],
    ) -> None:  # fmt: skip
        """A stay in reception with moves, from ``entered`` to housing, departure or else."""
        org = plan.reception
        carried = {"nationality": ident["nationality"]} if self.chance(0.5) else {}
        if self.chance(0.02):  # the reception partner knows another nationality, later
            carried = {"nationality": "XXX"}
        leave, reason = None, None
        if housing is not None:
            leave, reason = housing, "HOUSING"
        elif departed is not None:
            leave, reason = departed, "DEPARTURE"
        elif self.chance(0.3):
            leave = entered + self.lognormal_days(200, 0.8)
            reason = self.pick((("UNKNOWN", 1), ("OTHER", 1)))
        leave = max(leave, entered + timedelta(days=1)) if leave is not None else None
        steps: list[tuple[date, str, str | None]] = [(entered, "RECEPTION_ENTERED", None)]
        end = min(leave or HORIZON, HORIZON)
        for _ in range(self.rng.choice((0, 0, 1, 1, 2, 3))):
            moved = entered + self.days(0, max((end - entered).days - 1, 0))
            steps.append((moved, "RECEPTION_TRANSFERRED", None))
        if self.chance(0.03):  # out and back in on one day: in reception at its end
            back = entered + self.days(1, max((end - entered).days - 1, 1))
            steps += [(back, "RECEPTION_LEFT", "OTHER"), (back, "RECEPTION_ENTERED", None)]
        steps.sort(key=lambda s: s[0])
        if leave is not None:
            steps.append((leave, "RECEPTION_LEFT", reason))
            if self.chance(0.06):  # comes back later, and perhaps leaves for housing again
                back = leave + self.days(1, 90)
                steps.append((back, "RECEPTION_ENTERED", None))
                if reason == "HOUSING" and self.chance(0.5):
                    steps.append((back + self.days(10, 120), "RECEPTION_LEFT", "HOUSING"))
        location = self.location(plan)
        stay_start: date | None = None
        for day, event_type, why in steps:
            if event_type != "RECEPTION_LEFT":
                if stay_start is not None:
                    self.stays[(plan.chain, location)].append((stay_start, day))
                location = (
                    self.location(plan) if event_type == "RECEPTION_TRANSFERRED" else location
                )
                stay_start = day
            elif stay_start is not None:
                self.stays[(plan.chain, location)].append((stay_start, day))
                stay_start = None
            script.add(day, org, event_type, location=location, reason=why, **carried)
        if stay_start is not None:
            self.stays[(plan.chain, location)].append((stay_start, HORIZON + timedelta(days=1)))

    def location(self, plan: _Plan) -> str:
        if self.chance(0.02):
            return plan.unmeasured
        return self.rng.choice(plan.locations)

    def reception_only(self, plan: _Plan) -> None:
        """Someone in reception who never applies here (no track)."""
        script = _Script(plan, self.person_ref(plan))
        entered = START + self.days(0, (HORIZON - START).days)
        nationality = self.pick(plan.nationalities) if self.chance(0.5) else None
        self.reception(script, plan, entered, None, None, {"nationality": nationality})
        self.emit(script)

    def return_only(self, plan: _Plan) -> None:
        """Someone found in irregular stay: only a return case (no track)."""
        script = _Script(plan, self.person_ref(plan))
        opened = START + self.days(0, (HORIZON - START).days)
        self.return_process(script, plan, opened, destination=None)
        self.emit(script)

    # -- instants and deliveries -----------------------------------------------------------

    def emit(self, script: _Script) -> None:
        """Give the script's events their instants and delivery days."""
        by_day: dict[date, list[_Entry]] = defaultdict(list)
        for entry in script.entries:
            by_day[entry.day].append(entry)
        for day in sorted(by_day):
            entries = by_day[day]
            if len(entries) == 1 and entries[0].minute is not None:
                minutes = [entries[0].minute]
            elif len(entries) == 1 and self.chance(0.2):
                minutes = [self.rng.choice(NEAR_MIDNIGHT)]
            else:
                minutes = sorted(self.rng.sample(MINUTES, len(entries)))
            for entry, minute in zip(entries, minutes, strict=True):
                self.event(script.plan, script.person_ref, entry, minute)

    def event(self, plan: _Plan, person_ref: str, entry: _Entry, minute: int) -> None:
        local = datetime.combine(entry.day, datetime.min.time(), plan.timezone)
        instant = local.replace(hour=minute // 60, minute=minute % 60)
        if self.chance(0.02):
            person_ref = f" {person_ref} "  # surrounding white space is not part of the key
        offset = self.rng.choice(OFFSETS)
        written = instant if offset is None else instant.astimezone(offset)
        self.ids[entry.organisation] += 1
        event = GeneratedEvent(
            delivered=self.delivery_day(entry.day), organisation=entry.organisation,
            source_event_id=f"{entry.organisation}-{self.ids[entry.organisation]:08d}",
            person_ref=person_ref, event_type=entry.event_type, occurred_at=written,
            **entry.attrs,
        )  # fmt: skip
        self.events.append(event)
        if self.chance(0.02):  # delivered again, in a later push: stored once
            self.events.append(replace(event, delivered=event.delivered + self.days(1, 60)))

    def delivery_day(self, day: date) -> date:
        u = self.rng.random()
        if u < 0.03:
            return day + self.days(60, 400)  # a late delivery
        return day + (self.days(0, 3) if u < 0.75 else self.days(4, 30))

    # -- measurements ----------------------------------------------------------------------

    def measure(
        self, organisation: str, kind: str, location: str | None, day: date, value: float
    ) -> None:
        delivered = day + self.days(0, 10)
        self.measurements.append(
            GeneratedMeasurement(delivered, organisation, kind, location, day, value)
        )
        if self.chance(0.06):  # corrected by a later delivery of the same key
            corrected = round(value * self.rng.uniform(0.9, 1.1), 2) if value else 5.0
            self.measurements.append(
                GeneratedMeasurement(
                    delivered + self.days(20, 100), organisation, kind, location, day, corrected
                )
            )

    def capacities(self, plan: _Plan) -> None:
        """Places per location over time, set so that occupancy wanders through every band."""
        for number, location in enumerate(plan.locations):
            stays = self.stays[(plan.chain, location)]
            day = START - self.days(0, 20) if number else date(2022, 6, 15)  # measured later
            while day <= HORIZON:
                ahead = day + timedelta(days=30)
                residents = sum(1 for start, end in stays if start <= ahead < end)
                places = max(1, round(residents / self.occupancy_target(day)))
                self.measure(plan.reception, "RECEPTION_CAPACITY", location, day, places)
                day += self.days(20, 70)
        # The last location closes: measured 0 places from then on.
        closed = date(2024, 10, 1) + self.days(0, 30)
        self.measure(plan.reception, "RECEPTION_CAPACITY", plan.locations[-1], closed, 0)

    def occupancy_target(self, day: date) -> float:
        """A chain-wide occupancy that swings from about 0.75 to 1.01 over ten months."""
        swing = math.sin(2 * math.pi * (day - START).days / 300)
        return 0.88 + 0.13 * swing + self.rng.uniform(-0.02, 0.02)

    def surveys_and_staff(self, plan: _Plan) -> None:
        month = date(START.year, START.month, 1)
        while month <= HORIZON:
            for organisation in plan.survey_organisations:
                for _ in range(self.rng.choice((0, 0, 1, 1, 2, 3))):
                    day = month + self.days(0, 27)
                    location = self.location(plan) if self.chance(0.5) else None
                    score = round(self.rng.uniform(2.7, 4.7), 2)
                    self.measure(organisation, "SATISFACTION_SCORE", location, day, score)
            staff = round(self.rng.uniform(300, 500), 1)
            self.measure(plan.procedure, "DECISION_CAPACITY_FTE", None, month, staff)
            month = add_months(month, 1)

    def result(self) -> GeneratedChain:
        return GeneratedChain(tuple(self.events), tuple(self.measurements))


def generate(
    *, seed: int = 20_240_601, nl_cases: int = 1_800, be_cases: int = 900
) -> GeneratedChain:
    """A generated chain: applicants, people only in reception or in return, measurements."""
    builder = _Builder(random.Random(seed))
    for plan, cases in zip(PLANS, (nl_cases, be_cases), strict=True):
        for _ in range(cases):
            builder.asylum_case(plan)
        for _ in range(max(cases // 20, 1)):
            builder.reception_only(plan)
        for _ in range(max(cases // 25, 1)):
            builder.return_only(plan)
        builder.capacities(plan)
        builder.surveys_and_staff(plan)
    return builder.result()


def split(days: Iterable[date], parts: int) -> Iterator[date]:
    """Cut-off days that split the delivery days into ``parts`` roughly equal batches."""
    ordered = sorted(days)
    for part in range(1, parts):
        yield ordered[len(ordered) * part // parts]
