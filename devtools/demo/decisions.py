"""When the simulated chain decides its cases: staff times productivity, the earliest lodged first.

A decision service works its stock with the staff it has. Every month it takes
``FTE * productivity`` decisions (give or take a little noise), on working days, and it takes
the cases in the order they were lodged, once a case is ready for a decision (the hearing
prepared, a Dublin claim answered). A share of each day's decisions is kept for the quick tracks
(the chain decides those within weeks, unless they pile up faster than that share can take);
the rest go to the earliest lodged ready case of any track. Capacity that finds no ready case is
lost, as staff without files to decide do other work.

So the stock of open cases follows from the inflow and the staff alone, which is what a scenario
model calibrated on this chain assumes, and the staff written out as ``DECISION_CAPACITY_FTE``
is the staff the decisions actually followed.
"""

from __future__ import annotations

import calendar
import heapq
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


def month_index(day: int) -> int:
    """Months since year 0 of the month of a day (an ordinal): 2022-01 is 2022 * 12."""
    d = date.fromordinal(day)
    return d.year * 12 + d.month - 1


def first_day(index: int) -> int:
    """The ordinal of the first day of a month index."""
    return date(index // 12, index % 12 + 1, 1).toordinal()


@dataclass(frozen=True)
class Hire:
    """Staff joining in a month (``YYYY-MM``), fully productive after ``ramp_months``; a
    negative ``fte`` is staff leaving (with a ramp of 1, at once)."""

    month: str
    fte: float
    ramp_months: int = 1

    @property
    def index(self) -> int:
        """The month as a month index."""
        year, month = self.month.split("-")
        return int(year) * 12 + int(month) - 1


@dataclass(frozen=True)
class Staffing:
    """A decision service's staff over time, and the decisions one FTE takes in a month."""

    base_fte: float
    changes: Sequence[Hire]
    productivity: float  # decisions per FTE-month
    noise: float  # spread of the month's productivity (lognormal)
    quick_share: float  # of each day's decisions, kept for the quick tracks

    def fte(self, index: int) -> float:
        """The FTE available for decisions in a month: a hire adds ``fte * min(k, ramp) / ramp``
        in the k-th month from its month (k = 1 in the hire month)."""
        total = self.base_fte
        for change in self.changes:
            k = index - change.index + 1
            if k >= 1:
                total += change.fte * min(k, change.ramp_months) / change.ramp_months
        return total


@dataclass(frozen=True)
class Month:
    """What the service had and did in one month (at the simulation's scale)."""

    index: int
    fte: float  # as measured: staff available for decisions
    capacity: float  # the decisions the staff could take
    decided: int  # the decisions taken
    open_at_end: int  # cases lodged and not decided at the month's end


class DecisionPlan:
    """The day each case is decided, planned over the whole inflow before any case is drawn.

    ``lodged``, ``ready`` and ``quick`` are per case, in the order the simulation draws them
    (lodged day by lodged day). Cases still open at ``end`` are given a day after it, in the
    order the service would reach them at its last month's pace.
    """

    def __init__(
        self,
        *,
        lodged: Sequence[int],
        ready: Sequence[int],
        quick: Sequence[bool],
        staffing: Staffing,
        scale: float,
        end: int,
        rng: random.Random,
    ) -> None:
        n = len(lodged)
        self.decided = [0] * n
        self.months: list[Month] = []
        if n == 0:
            return
        by_ready = sorted(range(n), key=lambda i: (ready[i], i))
        released = 0
        waiting: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])  # quick, other
        open_cases = 0
        lodged_so_far = 0
        by_lodged = 0
        carry = 0.0
        per_day = 0.0
        for index in range(month_index(lodged[0]), month_index(end) + 1):
            first = first_day(index)
            length = calendar.monthrange(index // 12, index % 12 + 1)[1]
            fte = round(staffing.fte(index) * scale, 1)  # as measured, and as followed
            capacity = fte * staffing.productivity * rng.lognormvariate(0, staffing.noise)
            workdays = sum(date.fromordinal(d).weekday() < 5 for d in range(first, first + length))
            per_day = capacity / workdays
            decided = 0
            for day in range(first, min(first + length, end + 1)):
                while by_lodged < n and lodged[by_lodged] <= day:
                    by_lodged += 1
                open_cases += by_lodged - lodged_so_far
                lodged_so_far = by_lodged
                while released < n and ready[by_ready[released]] <= day:
                    i = by_ready[released]
                    heapq.heappush(waiting[0 if quick[i] else 1], (lodged[i], i))
                    released += 1
                if date.fromordinal(day).weekday() >= 5:
                    continue
                carry += per_day
                today = int(carry)
                carry -= today
                quick_lane = round(today * staffing.quick_share)
                for slot in range(today):
                    queue = _next_queue(waiting, quick_first=slot < quick_lane)
                    if queue is None:
                        break  # no case ready: the rest of today's capacity is lost
                    _, i = heapq.heappop(queue)
                    self.decided[i] = day
                    decided += 1
                    open_cases -= 1
            self.months.append(Month(index, fte, capacity, decided, open_cases))
        self._after_end(lodged, ready, waiting, by_ready[released:], end, per_day)

    def _after_end(
        self,
        lodged: Sequence[int],
        ready: Sequence[int],
        waiting: tuple[list[tuple[int, int]], list[tuple[int, int]]],
        later: Sequence[int],
        end: int,
        per_day: float,
    ) -> None:
        """Days after ``end`` for the open cases: the waiting ones in order, then the rest."""
        order = [i for _, i in sorted(waiting[0])] + [i for _, i in sorted(waiting[1])]
        order += sorted(later, key=lambda i: (lodged[i], i))
        pace = max(per_day * 5 / 7, 0.01)  # decisions per calendar day
        for position, i in enumerate(order):
            self.decided[i] = max(ready[i], end + 1 + int(position / pace))


def _next_queue(
    waiting: tuple[list[tuple[int, int]], list[tuple[int, int]]], *, quick_first: bool
) -> list[tuple[int, int]] | None:
    """The queue the next decision takes from: the quick lane's, else the earliest lodged."""
    quick, other = waiting
    if quick_first and quick:
        return quick
    if quick and other:
        return quick if quick[0] < other[0] else other
    return quick or other or None
