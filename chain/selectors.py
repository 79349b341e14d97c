"""Reads of materialized indicator values and partner freshness, for the API, pages and reports.

Nothing here aggregates events: values are read as the engine stored them. Staleness is
derived at read time, because it changes with the clock, not with the data. The one read over
case facts, ``case_flows``, is a single grouped query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Max, Prefetch, Q, QuerySet

from chain import clock
from chain.indicators.engine import compute_spans
from chain.indicators.kinds import KINDS
from chain.models import (
    EventOfNote,
    Extract,
    Goal,
    Indicator,
    IndicatorValue,
    Organisation,
    Signal,
    SignalBand,
    Suppression,
)
from chain.periods import (
    MONTH,
    YEAR_TO_DATE,
    Period,
    latest_complete,
    period_containing,
    same_period_years_before,
)
from chain.vocabulary import COUNT

GOOD_DELIVERY = (Extract.Status.ACCEPTED, Extract.Status.PARTIALLY_ACCEPTED)
# The unit of indicators that count cases or events: a period without a stored row had none.


@dataclass(frozen=True)
class Freshness:
    """When a partner last delivered good data, and whether that is too long ago."""

    partner: str
    last_delivery: datetime | None
    expected_interval: timedelta
    stale: bool


@dataclass(frozen=True)
class Reading:
    """One indicator's value for one chain, with whether the data it rests on is stale."""

    indicator: Indicator
    chain: str
    value: IndicatorValue
    stale: bool


@dataclass(frozen=True)
class EventMarker:
    """An event of note as a chart shows it: numbered, so that a label stays short.

    ``number`` counts from 1 in date order within one chart; the list beside the chart (or
    under it, in a report) gives each number its title and link. ``end`` is None for a day.
    """

    number: int
    start: date
    end: date | None
    title: str
    link: str


@dataclass(frozen=True)
class Flow:
    """Cases that moved from one stage to the next within a date range (a Sankey link)."""

    source: str
    target: str
    value: int


def partner_freshness(*, now: datetime | None = None) -> dict[str, Freshness]:
    """Every organisation's last good delivery and whether data resting on it is stale."""
    now = now or clock.now()
    last = dict(
        Extract.objects.filter(status__in=GOOD_DELIVERY)
        .values("organisation")
        .annotate(last=Max("finished_at"))
        .values_list("organisation", "last")
    )
    return {
        org.code: Freshness(
            partner=org.code,
            last_delivery=last.get(org.code),
            expected_interval=org.expected_interval,
            stale=last.get(org.code) is None or now - last[org.code] > org.expected_interval,
        )
        for org in Organisation.objects.all()
    }


def is_stale(*, indicator: Indicator, chain: str, freshness: dict[str, Freshness]) -> bool:
    """Whether any partner the indicator rests on in this chain has delivered too long ago."""
    return any(freshness[p].stale for p in indicator.sources.get(chain, []) if p in freshness)


def bands_for(*, indicator: Indicator, chain: str) -> list[SignalBand]:
    """The chain's own bands if the indicator has any, else the bands for all chains."""
    bands = list(indicator.bands.all())
    own = [b for b in bands if b.chain_id == chain]
    chosen = own or [b for b in bands if b.chain_id is None]
    return sorted(chosen, key=lambda b: b.position)


def signal_of(*, value: float | None, bands: Sequence[SignalBand]) -> str:
    """The signal of the first band holding ``value``; ``none`` for no value or no band.

    The same rule as the engine's SQL, for values the engine never stored (empty periods).
    """
    if value is None:
        return Signal.NONE
    for band in bands:
        if (band.lower is None or value >= band.lower) and (
            band.upper is None or value <= band.upper
        ):
            return band.signal
    return Signal.NONE


def latest_complete_period(*, period_type: str, today: date | None = None) -> Period:
    """The last month or ISO week that has ended."""
    return latest_complete(today or clock.today(), period_type)


def indicators_with_bands() -> QuerySet[Indicator]:
    """Indicators in catalogue order with their goal and bands, as values are read with them."""
    return Indicator.objects.select_related("goal").prefetch_related("bands")


def goals_queryset() -> QuerySet[Goal]:
    """Goals in order, each with its indicators (in catalogue order) and their bands."""
    return Goal.objects.prefetch_related(
        Prefetch(
            "indicators", queryset=Indicator.objects.order_by("position").prefetch_related("bands")
        )
    )


def goals_with_indicators() -> list[Goal]:
    """The goals in order, each with its indicators and their bands."""
    return list(goals_queryset())


def indicator_series(
    *,
    indicator: str,
    chain: str,
    period_type: str,
    start: date | None = None,
    end: date | None = None,
    track: str = "",
    by_nationality: bool = False,
) -> list[IndicatorValue]:
    """Stored values in period order: the total (or a track), or the nationality cells."""
    values = IndicatorValue.objects.filter(
        indicator_id=indicator, chain_id=chain, period_type=period_type, track=track
    )
    values = values.exclude(nationality="") if by_nationality else values.filter(nationality="")
    if start is not None:
        values = values.filter(period_end__gte=start)
    if end is not None:
        values = values.filter(period_start__lte=end)
    return list(values.order_by("period_start", "nationality"))


def complete_series(
    *,
    indicator: Indicator,
    chain: str,
    periods: Sequence[Period],
    track: str = "",
    by_nationality: bool = False,
    minimum_cases: int | None = None,
) -> list[IndicatorValue]:
    """One value for every period (and every nationality cell), stored or not.

    A period without a stored row had nothing to measure: a count is then 0, anything else
    (a share, a median) has no value, and its signal follows from the bands as the engine's
    would. A nationality breakdown has in every period a cell for every nationality the
    indicator has in the chain, in any period: neither the presence of a cell nor the range
    asked for tells a cell of 0 cases from one of 1 to 9. Its cells come as ``_disclosed``
    shows them; ``minimum_cases`` (the open data's stricter rule) also withholds a cell that
    rests on fewer cases than that. Unstored values are unsaved instances; withheld ones must
    not be saved.
    """
    if not periods:
        return []
    stored = indicator_series(
        indicator=indicator.code, chain=chain, period_type=periods[0].type,
        start=periods[0].start, end=periods[-1].end, track=track, by_nationality=by_nationality,
    )  # fmt: skip
    by_key = {(v.period, v.nationality): v for v in stored}
    nationalities = (
        _nationalities(indicator=indicator.code, chain=chain, period_type=periods[0].type)
        if by_nationality
        else [""]
    )
    bands = bands_for(indicator=indicator, chain=chain)
    series = []
    for period in periods:
        cells = []
        for nationality in nationalities:
            value = by_key.get((period.label, nationality))
            if value is None:
                value = _empty_value(
                    indicator=indicator, chain=chain, period=period, track=track,
                    nationality=nationality, bands=bands,
                )  # fmt: skip
            cells.append(value)
        series.extend(_disclosed(cells, minimum_cases) if by_nationality else cells)
    return series


# Each step finds the next nationality by one probe of the ``value_series`` index: a few
# hundred probes, where a DISTINCT reads every cell of every period.
_NATIONALITIES = """
WITH RECURSIVE found(nationality) AS (
    SELECT min(nationality) FROM chain_indicatorvalue
    WHERE indicator_id = %(indicator)s AND chain_id = %(chain)s
      AND period_type = %(period_type)s AND track = '' AND nationality > ''
    UNION ALL
    SELECT (SELECT min(v.nationality) FROM chain_indicatorvalue v
            WHERE v.indicator_id = %(indicator)s AND v.chain_id = %(chain)s
              AND v.period_type = %(period_type)s AND v.track = ''
              AND v.nationality > f.nationality)
    FROM found f WHERE f.nationality IS NOT NULL
)
SELECT nationality FROM found WHERE nationality IS NOT NULL
"""


def series_values(
    *,
    indicator: Indicator,
    chain: str,
    periods: Sequence[Period],
    track: str = "",
    by_nationality: bool = False,
) -> list[IndicatorValue]:
    """``complete_series`` for the stored period types, ``year_to_date_series`` for years to
    date (which have no breakdown by nationality)."""
    if periods and periods[0].type == YEAR_TO_DATE:
        if by_nationality:
            raise ValueError("a year to date has no breakdown by nationality")
        return year_to_date_series(indicator=indicator, chain=chain, periods=periods, track=track)
    return complete_series(
        indicator=indicator, chain=chain, periods=periods, track=track,
        by_nationality=by_nationality,
    )  # fmt: skip


def year_to_date_series(
    *, indicator: Indicator, chain: str, periods: Sequence[Period], track: str = ""
) -> list[IndicatorValue]:
    """Each year to date's value (total or one track), computed when asked, never stored.

    A count is every case or event from 1 January to the end of the month, a median is over
    their cases and a share over their numerator and denominator (``compute_spans``: the
    engine's own SQL over the span); a stock is its value at the end, the stored value of the
    last month. Unsaved instances, with the signal the bands give.
    """
    bands = bands_for(indicator=indicator, chain=chain)
    if KINDS[indicator.kind].at_period_end:
        months = [period_containing(p.end, MONTH) for p in periods]
        stored = complete_series(indicator=indicator, chain=chain, periods=months, track=track)
        return [
            IndicatorValue(
                indicator=indicator, chain_id=chain, period_type=p.type, period=p.label,
                period_start=p.start, period_end=p.end, track=track, nationality="",
                value=m.value, numerator=m.numerator, denominator=m.denominator, n=m.n,
                signal=m.signal,
            )
            for p, m in zip(periods, stored, strict=True)
        ]  # fmt: skip
    found = compute_spans(chain=chain, indicator=indicator, spans=periods) if periods else {}
    out = []
    for p in periods:
        row = found.get((p.label, track))
        if row is None:
            out.append(_empty_value(
                indicator=indicator, chain=chain, period=p, track=track, nationality="",
                bands=bands,
            ))  # fmt: skip
            continue
        value, numerator, denominator, n = row
        out.append(IndicatorValue(
            indicator=indicator, chain_id=chain, period_type=p.type, period=p.label,
            period_start=p.start, period_end=p.end, track=track, nationality="", value=value,
            numerator=numerator, denominator=denominator, n=n,
            signal=signal_of(value=value, bands=bands),
        ))  # fmt: skip
    return out


def series_years_before(
    *,
    indicator: Indicator,
    chain: str,
    periods: Sequence[Period],
    years: int,
    track: str = "",
    by_nationality: bool = False,
) -> dict[tuple[str, str], IndicatorValue]:
    """For each of ``periods``, the value of the same period ``years`` years before.

    Keyed by the label of the period of ``periods`` (not the earlier one's) and the nationality
    (``''`` for the total or a track). Stored or not and disclosed as ``complete_series`` gives
    them, so an earlier nationality cell is suppressed by the rule of its own period. The earlier
    period follows ``chain.periods.same_period_years_before``: a week 53 against the last week
    of the year before when that year has only 52.
    """
    earlier = {p: same_period_years_before(p, years) for p in periods}
    if not earlier:
        return {}
    values = series_values(
        indicator=indicator, chain=chain, periods=sorted(set(earlier.values())), track=track,
        by_nationality=by_nationality,
    )  # fmt: skip
    by_label = {(v.period, v.nationality): v for v in values}
    nationalities = sorted({v.nationality for v in values}) or [""]
    return {
        (period.label, nationality): by_label[(before.label, nationality)]
        for period, before in earlier.items()
        for nationality in nationalities
        if (before.label, nationality) in by_label
    }


def same_period_values(
    *, indicator: Indicator, chain: str, period: Period, years: int = 2, track: str = ""
) -> list[IndicatorValue]:
    """The value of ``period`` and of the same period 1 to ``years`` years before, in that order
    (``period`` first), stored or not.

    For the half-year report (a half beside the same half of the two years before), the weekly
    report and the pages: each value is the engine's own for that period, so a half-year's
    median was computed over the cases of the half, never from monthly medians.
    """
    wanted = [same_period_years_before(period, back) for back in range(years + 1)]
    values = series_values(
        indicator=indicator, chain=chain, periods=sorted(set(wanted)), track=track
    )
    by_label = {v.period: v for v in values}
    return [by_label[p.label] for p in wanted]


@dataclass(frozen=True)
class Difference:
    """A value against an earlier one: ``change`` (value minus earlier) and ``change_share``
    (the change as a fraction of the earlier value, None when that is 0)."""

    change: float | None
    change_share: float | None


def difference(*, value: float | None, earlier: float | None) -> Difference:
    """``value`` against ``earlier``; both None when either has no value."""
    if value is None or earlier is None:
        return Difference(None, None)
    change = value - earlier
    return Difference(change, change / abs(earlier) if earlier else None)


def _nationalities(*, indicator: str, chain: str, period_type: str) -> list[str]:
    """Every nationality with a stored cell of the indicator in the chain, in any period."""
    with connection.cursor() as cursor:
        cursor.execute(
            _NATIONALITIES, {"indicator": indicator, "chain": chain, "period_type": period_type}
        )
        return [row[0] for row in cursor.fetchall()]


def _disclosed(cells: list[IndicatorValue], minimum_cases: int | None) -> list[IndicatorValue]:
    """One period's nationality cells as they may be shown.

    The engine suppressed the cells resting on too few cases (primary); with
    ``minimum_cases``, so is every cell resting on fewer than that. A lone primary cell
    takes the next smallest cell with it (secondary: the smallest ``n``, ties by nationality
    code), so that the total minus the cells shown does not give it away. A suppressed cell
    tells nothing of its size: no value, numerator, denominator, ``n`` or signal.
    """
    if minimum_cases is not None:
        for cell in cells:
            if not cell.suppressed and (cell.n or 0) < minimum_cases:
                cell.suppressed = Suppression.PRIMARY
    shown = [c for c in cells if not c.suppressed]
    if len(cells) - len(shown) == 1 and shown:
        smallest = min(shown, key=lambda c: (c.n or 0, c.nationality))
        smallest.suppressed = Suppression.SECONDARY
    for cell in cells:
        if cell.suppressed:
            cell.value = cell.numerator = cell.denominator = cell.n = None
            cell.signal = Signal.NONE
    return cells


def _empty_value(
    *,
    indicator: Indicator,
    chain: str,
    period: Period,
    track: str,
    nationality: str,
    bands: Sequence[SignalBand],
) -> IndicatorValue:
    """The value of a period in which nothing was measured (never saved)."""
    # A nationality cell of 0 cases is below any suppression threshold.
    suppressed = Suppression.PRIMARY if nationality else Suppression.NONE
    value = 0.0 if indicator.unit == COUNT and not suppressed else None
    return IndicatorValue(
        indicator=indicator, chain_id=chain, period_type=period.type, period=period.label,
        period_start=period.start, period_end=period.end, track=track, nationality=nationality,
        value=value, n=0, signal=signal_of(value=value, bands=bands), suppressed=suppressed,
    )  # fmt: skip


def latest_values(
    *, chain: str, period_type: str, period: Period | None = None
) -> dict[str, IndicatorValue]:
    """Each indicator's all-tracks value of one period (default: the latest complete one)."""
    period = period or latest_complete_period(period_type=period_type)
    values = IndicatorValue.objects.filter(
        chain_id=chain, period_type=period_type, period=period.label, track="", nationality=""
    )
    return {v.indicator_id: v for v in values}


def readings(
    *,
    chains: Sequence[str],
    period: Period,
    freshness: dict[str, Freshness],
    indicators: Sequence[Indicator] | None = None,
) -> list[Reading]:
    """Every indicator's all-tracks value of ``period`` per chain, stored or not, with staleness.

    Ordered by chain (as given), then catalogue order. ``indicators`` should come with their
    bands prefetched (``indicators_with_bands``); default: all of them.
    """
    indicators = list(indicators_with_bands()) if indicators is None else indicators
    out = []
    for chain in chains:
        stored = latest_values(chain=chain, period_type=period.type, period=period)
        for indicator in indicators:
            value = stored.get(indicator.code) or _empty_value(
                indicator=indicator, chain=chain, period=period, track="", nationality="",
                bands=bands_for(indicator=indicator, chain=chain),
            )  # fmt: skip
            stale = is_stale(indicator=indicator, chain=chain, freshness=freshness)
            out.append(Reading(indicator=indicator, chain=chain, value=value, stale=stale))
    return out


def values_between(
    *, chain: str, period_type: str, start: date, end: date
) -> dict[tuple[str, str], IndicatorValue]:
    """All-tracks values of every indicator in a date range, keyed by (indicator, period)."""
    values = IndicatorValue.objects.filter(
        Q(period_end__gte=start) & Q(period_start__lte=end),
        chain_id=chain, period_type=period_type, track="", nationality="",
    )  # fmt: skip
    return {(v.indicator_id, v.period): v for v in values}


# Each case yields one row per link it took in the range; the CASE picks a return's source
# stage from what the case had reached when its return case opened.
_FLOWS = """
SELECT l.source, l.target, count(*) AS value
FROM chain_casefact f
CROSS JOIN LATERAL (
    SELECT lower(replace(f.outcome, 'DECISION_', '')) AS outcome,
        f.lodged IS NOT NULL AND f.lodged BETWEEN %(start)s AND %(end)s AS lodged_in_range
) c
CROSS JOIN LATERAL (VALUES
    ('registered', 'lodged', c.lodged_in_range AND f.registered <= f.lodged),
    ('lodged', c.outcome, f.decided BETWEEN %(start)s AND %(end)s),
    ('lodged', 'open', c.lodged_in_range AND (f.decided IS NULL OR f.decided > %(end)s)),
    (CASE WHEN f.decided <= f.return_opened THEN c.outcome
          WHEN f.lodged <= f.return_opened THEN 'lodged'
          WHEN f.registered <= f.return_opened THEN 'registered'
          ELSE 'other' END,
     'return_opened', f.return_opened BETWEEN %(start)s AND %(end)s),
    ('return_opened', 'departed',
     f.departed BETWEEN %(start)s AND %(end)s AND f.return_opened <= f.departed),
    ('return_opened', 'return_closed',
     f.return_closed BETWEEN %(start)s AND %(end)s AND f.departed IS NULL)
) AS l(source, target, moved)
WHERE f.chain_id = %(chain)s AND f.last_event >= %(start)s AND f.first_event <= %(end)s
  AND l.moved
GROUP BY l.source, l.target
ORDER BY l.source, l.target
"""


def case_flows(*, chain: str, start: date, end: date) -> list[Flow]:
    """How many cases of ``chain`` moved between stages from ``start`` to ``end`` (inclusive).

    A case counts on a link when the milestone it reached by that link falls in the range:

    - ``registered → lodged``: registered, then lodged in the range;
    - ``lodged → granted | rejected | discontinued``: first-instance decision in the range;
    - ``lodged → open``: lodged in the range and not decided by ``end``;
    - ``granted | rejected | discontinued | lodged | registered → return_opened``: return case
      opened in the range, from the decision (or, without one before it, the lodging or
      registration) the case had reached by then; ``other → return_opened`` for a case with
      none of those before its return case (someone who never applied);
    - ``return_opened → departed``: departed in the range after its return case opened;
    - ``return_opened → return_closed``: return case closed in the range without departure.

    Reception is not a case milestone here (case facts carry only the current state), so it
    has no links. Links without cases are left out.
    """
    with connection.cursor() as cursor:
        cursor.execute(_FLOWS, {"chain": chain, "start": start, "end": end})
        return [Flow(source, target, value) for source, target, value in cursor.fetchall()]


def events_of_note(
    *, chain: str | None, start: date | None = None, end: date | None = None
) -> list[EventOfNote]:
    """Events of note of ``chain`` (and of both chains) that touch ``start`` to ``end``.

    Dates are inclusive; an event over a range counts if any of its days is in the range.
    ``chain`` None gives the events of every chain; ``start`` or ``end`` None leaves that side
    open. In date order, then by code.
    """
    events = EventOfNote.objects.all()
    if chain is not None:
        events = events.filter(Q(chain_id=chain) | Q(chain__isnull=True))
    if end is not None:
        events = events.filter(start__lte=end)
    if start is not None:
        events = events.filter(Q(end__gte=start) | Q(end__isnull=True, start__gte=start))
    return list(events.order_by("start", "code"))


def event_markers(*, chain: str | None, start: date, end: date, language: str) -> list[EventMarker]:
    """The markers of one chart from ``start`` to ``end``, titled in ``language`` (nl, en).

    For every chart of the pages, reports and scenarios: draw a vertical line at ``start``
    (a band to ``end`` for a range, cut to the chart's dates) labelled with ``number``, and
    list the numbers with their titles beside the chart for those who cannot see it.
    """
    return [
        EventMarker(number, event.start, event.end, event.title(language), event.link(language))
        for number, event in enumerate(events_of_note(chain=chain, start=start, end=end), 1)
    ]
