"""What a weekly report says: per chain and goal, last week's values, signals and changes.

The report is about the last complete ISO week; "the previous report" is the week before it,
so a signal change is last week's signal against the signal of the week before. Beside the
change since that week stands the change since the same week a year before
(``chain.periods.same_period_years_before``: a week 53 against the last week of the year before).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation

from chain.formatting import SIGNAL_LABELS, format_number
from chain.models import Indicator, IndicatorValue, PeriodType, Signal
from chain.periods import Period, periods_back, same_period_years_before
from chain.selectors import (
    Freshness,
    bands_for,
    goals_with_indicators,
    indicator_series,
    is_stale,
    partner_freshness,
    signal_of,
    values_between,
)
from chain.vocabulary import COUNT, SHARE
from scenarios.outlook import Ahead, looking_ahead

# Keyed by str: a stored signal is a plain string, and Signal members equal their values.
SIGNAL_RANK: dict[str, int] = {Signal.GREEN: 0, Signal.AMBER: 1, Signal.RED: 2}
CHART_PERIODS = 12


@dataclass
class Row:
    """One indicator in the report."""

    indicator: Indicator
    name: str
    value: str
    signal: str
    previous_signal: str
    change: str
    direction: str  # "up", "down", "same" or ""
    stale: bool
    # Against the same week a year before (``year_week``), as ``change`` and ``direction``.
    year_change: str = ""
    year_direction: str = ""
    year_week: str = ""
    history: list[IndicatorValue] = field(default_factory=list)
    # Set when the e-mail is composed: the chart's Content-ID and the dashboard link.
    cid: str = ""
    link: str = ""

    @property
    def signal_label(self) -> str:
        return str(SIGNAL_LABELS[self.signal])

    @property
    def previous_signal_label(self) -> str:
        return str(SIGNAL_LABELS[self.previous_signal])

    @property
    def signal_changed(self) -> bool:
        return self.signal != self.previous_signal and Signal.NONE not in (
            self.signal,
            self.previous_signal,
        )

    @property
    def worsened(self) -> bool:
        return self.signal_changed and SIGNAL_RANK[self.signal] > SIGNAL_RANK[self.previous_signal]


@dataclass
class GoalSection:
    name: str
    rows: list[Row]


@dataclass
class AheadRow:
    """A figure of the "looking ahead" part: now, in a few months, and their signals."""

    name: str
    now: str
    ahead: str
    band: str
    signal_now: str
    signal_ahead: str

    @property
    def crosses(self) -> bool:
        """Whether the median lands in another signal band than the value now."""
        return Signal.NONE not in (self.signal_now, self.signal_ahead) and (
            self.signal_now != self.signal_ahead
        )

    @property
    def signal_label(self) -> str:
        return str(SIGNAL_LABELS[self.signal_ahead])

    @property
    def signal_now_label(self) -> str:
        return str(SIGNAL_LABELS[self.signal_now])


@dataclass
class Outlook:
    """The baseline scenario ``month`` (a month label) ahead of the last complete month."""

    month: str
    rows: list[AheadRow]

    @property
    def crossing(self) -> list[AheadRow]:
        return [r for r in self.rows if r.crosses]


@dataclass
class ChainReport:
    chain: str
    goals: list[GoalSection]
    outlook: Outlook | None = None

    @property
    def rows(self) -> list[Row]:
        return [row for goal in self.goals for row in goal.rows]

    @property
    def worsened(self) -> list[Row]:
        return [r for r in self.rows if r.worsened]

    @property
    def recovered(self) -> list[Row]:
        return [r for r in self.rows if r.signal_changed and not r.worsened]

    @property
    def stale(self) -> list[Row]:
        return [r for r in self.rows if r.stale]


@dataclass
class Report:
    week: Period
    language: str
    chains: list[ChainReport]

    @property
    def changed_rows(self) -> list[tuple[str, Row]]:
        return [(c.chain, r) for c in self.chains for r in c.rows if r.signal_changed]


def build_report(*, chains: list[str], week: Period, language: str) -> Report:
    """The report of ``week`` for the given chains, in ``language``."""
    freshness = partner_freshness()
    goals = goals_with_indicators()
    with translation.override(language):
        return Report(
            week=week,
            language=language,
            chains=[_chain_report(chain, week, goals, freshness, language) for chain in chains],
        )


def _chain_report(chain: str, week: Period, goals, freshness: dict[str, Freshness], language: str):
    first = periods_back(week, CHART_PERIODS - 1)
    year_before = same_period_years_before(week, 1)
    a_year_ago = values_between(
        chain=chain, period_type=PeriodType.WEEK, start=year_before.start, end=year_before.end
    )
    sections = []
    for goal in goals:
        rows = []
        for indicator in goal.indicators.all():
            history = indicator_series(
                indicator=indicator.code, chain=chain, period_type=PeriodType.WEEK,
                start=first.start, end=week.end,
            )  # fmt: skip
            by_period = {v.period: v for v in history}
            current = by_period.get(week.label)
            previous = by_period.get(week.previous().label)
            row = _row(indicator, current, previous, history, is_stale(
                indicator=indicator, chain=chain, freshness=freshness
            ), language)  # fmt: skip
            earlier = a_year_ago.get((indicator.code, year_before.label))
            row.year_direction, row.year_change = _change(
                current.value if current else None, earlier.value if earlier else None,
                indicator.unit,
            )  # fmt: skip
            row.year_week = year_before.label
            rows.append(row)
        sections.append(GoalSection(goal.name_en if language == "en" else goal.name_nl, rows))
    return ChainReport(chain=chain, goals=sections, outlook=_outlook(chain, language))


# The figures of the "looking ahead" part: (scenario figure, indicator whose bands apply, unit).
AHEAD = (("over_term", "open_cases_over_term", COUNT),
         ("occupancy", "reception_occupancy_rate", SHARE))  # fmt: skip


def _outlook(chain: str, language: str) -> Outlook | None:
    """Under the baseline scenario, the figures of ``AHEAD`` three months on, with signals."""
    found = looking_ahead(chain=chain)
    if found is None:
        return None
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[a[1] for a in AHEAD])}
    rows = []
    for figure, code, unit in AHEAD:
        ahead: Ahead = getattr(found, figure)
        indicator = indicators.get(code)
        if indicator is None:
            continue
        bands = bands_for(indicator=indicator, chain=chain)
        rows.append(
            AheadRow(
                name=indicator.name_en if language == "en" else indicator.name_nl,
                now=format_number(ahead.now, unit), ahead=format_number(ahead.p50, unit),
                band=f"{format_number(ahead.p10, unit)} \u2013 {format_number(ahead.p90, unit)}",
                signal_now=signal_of(value=ahead.now, bands=bands),
                signal_ahead=signal_of(value=ahead.p50, bands=bands),
            )
        )  # fmt: skip
    return Outlook(month=found.month, rows=rows)


def _change(value: float | None, before: float | None, unit: str) -> tuple[str, str]:
    """The direction (``up``, ``down``, ``same``) and the signed difference; both empty when
    either value is missing."""
    if value is None or before is None:
        return "", ""
    delta = value - before
    direction = "up" if delta > 0 else "down" if delta < 0 else "same"
    return direction, ("+" if delta > 0 else "") + format_number(delta, unit)


def _row(indicator, current, previous, history, stale: bool, language: str) -> Row:
    value = current.value if current else None
    before = previous.value if previous else None
    direction, change = _change(value, before, indicator.unit)
    return Row(
        indicator=indicator,
        name=indicator.name_en if language == "en" else indicator.name_nl,
        value=format_number(value, indicator.unit),
        signal=current.signal if current else Signal.NONE,
        previous_signal=previous.signal if previous else Signal.NONE,
        change=change,
        direction=direction,
        stale=stale,
        history=history,
    )


def bands_of(row: Row, chain: str) -> list:
    """The signal bands drawn behind a row's chart."""
    return bands_for(indicator=row.indicator, chain=chain)
