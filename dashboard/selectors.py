"""The reads behind the dashboard pages, on top of ``chain.selectors``.

Values are read as the engine materialized them; the only reads over case facts are the
flow (``chain.selectors.case_flows``) and the deadline monitor's one grouped query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import F, Window
from django.db.models.expressions import OrderBy
from django.db.models.functions import RowNumber

from chain.models import Extract, Goal, Indicator, IndicatorValue, Organisation, PeriodType
from chain.periods import Period, periods_ending, same_period_years_before
from chain.selectors import (
    Freshness,
    Reading,
    complete_series,
    goals_with_indicators,
    readings,
    values_between,
)
from chain.vocabulary import COUNT, TRACKS
from ingest.models import RejectedRow, Source

SPARKLINE_PERIODS = 12
# What a tile's change is against: the period before, or the same period a year before.
PREVIOUS_PERIOD = "previous"
PREVIOUS_YEAR = "previous_year"
# Indicators of these kinds are stocks at period end: the flow page draws them over time.
STOCK_KINDS = ("open_stock", "reception_count")
PAST_TERM_INDICATOR = "open_cases_over_term"
DUE_SOON_WEEKS = 4


@dataclass(frozen=True)
class Tile:
    """One indicator in one chain: this period's reading, the value it is compared with (of
    the previous period, or of the same period a year before), the last 12."""

    reading: Reading
    period: Period
    compared_period: Period
    compared: float | None
    history: list[float | None]

    @property
    def chain(self) -> str:
        return self.reading.chain

    @property
    def value(self) -> float | None:
        return self.reading.value.value

    @property
    def signal(self) -> str:
        return self.reading.value.signal

    @property
    def stale(self) -> bool:
        return self.reading.stale


@dataclass(frozen=True)
class IndicatorTiles:
    """An indicator with a tile per chain shown (side by side when both chains are)."""

    indicator: Indicator
    tiles: list[Tile]


@dataclass(frozen=True)
class GoalTiles:
    goal: Goal
    indicators: list[IndicatorTiles]


def overview(
    *,
    chains: Sequence[str],
    period: Period,
    freshness: dict[str, Freshness],
    compare: str = PREVIOUS_PERIOD,
) -> list[GoalTiles]:
    """Every goal with its indicators' tiles for ``period``, per chain, in catalogue order.

    ``compare`` says what each tile's change is against: ``previous`` (the period before) or
    ``previous_year`` (the same period a year before, ``chain.periods.same_period_years_before``).
    """
    goals = goals_with_indicators()
    indicators = [indicator for goal in goals for indicator in goal.indicators.all()]
    current = {
        (r.indicator.code, r.chain): r
        for r in readings(chains=chains, period=period, freshness=freshness, indicators=indicators)
    }
    periods = periods_ending(period, SPARKLINE_PERIODS)
    compared_period = (
        same_period_years_before(period, 1) if compare == PREVIOUS_YEAR else period.previous()
    )
    start = min(periods[0].start, compared_period.start)
    stored = {
        chain: values_between(chain=chain, period_type=period.type, start=start, end=period.end)
        for chain in chains
    }

    def tile(indicator: Indicator, chain: str) -> Tile:
        history = [_stored_value(stored[chain], indicator, p) for p in periods]
        return Tile(
            reading=current[(indicator.code, chain)], period=period,
            compared_period=compared_period,
            compared=_stored_value(stored[chain], indicator, compared_period), history=history,
        )  # fmt: skip

    return [
        GoalTiles(
            goal=goal,
            indicators=[
                IndicatorTiles(indicator, [tile(indicator, chain) for chain in chains])
                for indicator in goal.indicators.all()
            ],
        )
        for goal in goals
    ]


def _stored_value(
    stored: dict[tuple[str, str], IndicatorValue], indicator: Indicator, period: Period
) -> float | None:
    """A stored all-tracks value; a period without one counted 0 (counts) or had no value."""
    value = stored.get((indicator.code, period.label))
    if value is not None:
        return value.value
    return 0.0 if indicator.unit == COUNT else None


@dataclass(frozen=True)
class TrackSeries:
    """An indicator's values over the periods asked, for all tracks ('') or one track."""

    track: str
    values: list[IndicatorValue]


def track_series(
    *, indicator: Indicator, chain: str, periods: Sequence[Period]
) -> list[TrackSeries]:
    """All tracks together first, then each of the chain's tracks if the indicator has them."""
    tracks = ["", *sorted(TRACKS[chain])] if indicator.per_track else [""]
    return [
        TrackSeries(
            track, complete_series(indicator=indicator, chain=chain, periods=periods, track=track)
        )
        for track in tracks
    ]


def nationality_cells(*, indicator: Indicator, chain: str, period: Period) -> list[IndicatorValue]:
    """A period's nationality breakdown, largest first; suppressed cells last, by code alone
    (an order by size would tell a cell of 0 cases from one of 1 to 9)."""
    cells = complete_series(indicator=indicator, chain=chain, periods=[period], by_nationality=True)
    return sorted(cells, key=lambda c: (c.suppressed != "", -(c.value or 0), c.nationality))


def sources_of(
    *, indicator: Indicator, chain: str, freshness: dict[str, Freshness]
) -> list[Freshness]:
    """The partners an indicator rests on in a chain, with their freshness."""
    return [freshness[p] for p in indicator.sources.get(chain, []) if p in freshness]


def stock_indicators() -> list[Indicator]:
    """The catalogue's stock indicators (counts at period end), in catalogue order."""
    return list(Indicator.objects.filter(kind__in=STOCK_KINDS, unit=COUNT))


def stock_series(
    *, chain: str, months: Sequence[Period], indicators: Sequence[Indicator]
) -> dict[str, list[float | None]]:
    """Each stock indicator's all-tracks value at the end of every month, in one query."""
    stored = values_between(
        chain=chain, period_type=PeriodType.MONTH, start=months[0].start, end=months[-1].end
    )
    return {i.code: [_stored_value(stored, i, month) for month in months] for i in indicators}


def past_term_indicator() -> Indicator | None:
    """The indicator counting open cases past their legal term, with its bands."""
    return Indicator.objects.prefetch_related("bands").filter(code=PAST_TERM_INDICATOR).first()


@dataclass(frozen=True)
class DeadlineSummary:
    """A chain's open cases on a day, by whole weeks until their deadline (negative: past)."""

    on: date
    weeks: list[tuple[int, int]]
    no_deadline: int

    @property
    def open_total(self) -> int:
        return sum(count for _, count in self.weeks) + self.no_deadline

    @property
    def past_term(self) -> int:
        return sum(count for week, count in self.weeks if week < 0)

    @property
    def due_soon(self) -> int:
        """Cases whose deadline falls in the next 28 days (``on`` included): past term by then."""
        return sum(count for week, count in self.weeks if 0 <= week < DUE_SOON_WEEKS)


# Week 0 holds deadlines 0-6 days ahead, week -1 those 1-7 days past: a case is past its term
# the day after its deadline (docs/reference/indicators.md).
_OPEN_BY_DEADLINE = """
SELECT floor((deadline - %(on)s) / 7.0)::int AS weeks, count(*)
FROM chain_casefact
WHERE chain_id = %(chain)s AND lodged <= %(on)s AND (decided IS NULL OR decided > %(on)s)
GROUP BY 1
ORDER BY 1
"""


def open_cases_by_deadline(*, chain: str, on: date) -> DeadlineSummary:
    """Cases of ``chain`` lodged and not decided on ``on``, grouped by weeks until deadline."""
    with connection.cursor() as cursor:
        cursor.execute(_OPEN_BY_DEADLINE, {"chain": chain, "on": on})
        rows = cursor.fetchall()
    return DeadlineSummary(
        on=on,
        weeks=[(week, count) for week, count in rows if week is not None],
        no_deadline=sum(count for week, count in rows if week is None),
    )


@dataclass(frozen=True)
class Delivery:
    """One extract with the first of the rows it rejected."""

    extract: Extract
    rejections: list[RejectedRow]

    @property
    def more_rejections(self) -> int:
        return max(self.extract.rejected - len(self.rejections), 0)


@dataclass(frozen=True)
class PartnerStatus:
    organisation: Organisation
    freshness: Freshness | None
    deliveries: list[Delivery]
    # Where its extracts come from, with the last pull's failure if it failed; None: no pull yet.
    source: Source | None = None


def ingest_status(
    *,
    partners: Sequence[str],
    freshness: dict[str, Freshness],
    deliveries: int = 5,
    rejections: int = 20,
) -> list[PartnerStatus]:
    """Each partner's source, latest deliveries and their first rejected rows, in four queries."""
    extracts = list(
        Extract.objects.filter(organisation_id__in=partners)
        .annotate(rank=_rank("organisation_id", F("received_at").desc(), F("pk").desc()))
        .filter(rank__lte=deliveries)
        .order_by("organisation_id", "rank")
    )
    rows: dict[int, list[RejectedRow]] = {}
    for row in (
        RejectedRow.objects.filter(extract_id__in=[e.pk for e in extracts])
        .annotate(rank=_rank("extract_id", F("line").asc(), F("pk").asc()))
        .filter(rank__lte=rejections)
        .order_by("extract_id", "rank")
    ):
        rows.setdefault(row.extract_id, []).append(row)
    sources = {s.organisation_id: s for s in Source.objects.filter(organisation_id__in=partners)}
    return [
        PartnerStatus(
            organisation=organisation,
            freshness=freshness.get(organisation.code),
            deliveries=[
                Delivery(e, rows.get(e.pk, []))
                for e in extracts
                if e.organisation_id == organisation.code
            ],
            source=sources.get(organisation.code),
        )
        for organisation in Organisation.objects.filter(code__in=partners).order_by("code")
    ]


def _rank(partition: str, *order: OrderBy) -> Window:
    return Window(RowNumber(), partition_by=[F(partition)], order_by=list(order))
