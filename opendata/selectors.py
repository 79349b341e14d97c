"""What a month's open data holds: each chain's published indicators, as the public may see them.

Read from the values the indicator engine stored (``chain_indicatorvalue``): per chain one query
for the totals and tracks of every published indicator, and per nationality breakdown the
internal rule of ``chain.selectors.complete_series`` with the public threshold. Only counts,
stocks, medians and shares are published; ratios and survey scores are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chain.indicators.kinds import OpenStock, ReceptionCount
from chain.models import Indicator, IndicatorValue
from chain.periods import MONTH, Period
from chain.selectors import complete_series
from chain.vocabulary import CHAINS, COUNT, DAYS, SHARE, TRACKS
from opendata.disclosure import (
    MEDIAN_DECIMALS,
    MINIMUM_CASES,
    SHARE_DECIMALS,
    rounded_count,
    shown_statistic,
)
from opendata.models import Theme

# Each theme is one chain goal's indicators (docs/reference/indicators.md).
THEME_GOALS = {
    Theme.ASYLUM_ADMISSION: "PROCEDURE",
    Theme.RECEPTION: "RECEPTION",
    Theme.DEPARTURE: "SAFETY",
}
COUNT_MEASURE = "count"
STOCK_MEASURE = "stock"
MEDIAN_MEASURE = "median"
SHARE_MEASURE = "share"
# Counts of people or cases at the month's end rather than over the month.
STOCK_KINDS = frozenset({OpenStock.name, ReceptionCount.name})


@dataclass(frozen=True)
class Cell:
    """One published figure: an indicator's value for a month, chain and slice."""

    indicator: str
    measure: str
    unit: str
    track: str
    nationality: str
    value: int | float | None
    suppressed: bool


@dataclass(frozen=True)
class ThemeTable:
    """A theme's figures for one chain and month: one file of a release in each format."""

    month: Period
    chain: str
    theme: str
    indicators: list[Indicator]
    cells: list[Cell]


@dataclass(frozen=True)
class MonthData:
    """Every table of a month, and the latest moment any value read was computed."""

    tables: list[ThemeTable]
    values_computed_at: datetime | None


def measure_of(indicator: Indicator) -> str | None:
    """What the public sees an indicator as (count, stock, median, share); None: not published."""
    if indicator.unit == COUNT:
        return STOCK_MEASURE if indicator.kind in STOCK_KINDS else COUNT_MEASURE
    return {DAYS: MEDIAN_MEASURE, SHARE: SHARE_MEASURE}.get(indicator.unit)


def published_indicators() -> dict[str, list[Indicator]]:
    """Each theme's published indicators in catalogue order."""
    indicators = Indicator.objects.filter(goal_id__in=THEME_GOALS.values()).select_related("goal")
    by_goal: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        if measure_of(indicator) is not None:
            by_goal.setdefault(indicator.goal_id, []).append(indicator)
    return {theme: by_goal.get(goal, []) for theme, goal in THEME_GOALS.items()}


def public_cell(
    indicator: Indicator, *, track: str, nationality: str, value: float | None, cases: int | None
) -> Cell:
    """A stored value as the public may see it (``opendata.disclosure``)."""
    measure = measure_of(indicator)
    shown: int | float | None
    if measure in (COUNT_MEASURE, STOCK_MEASURE):
        shown = rounded_count(value or 0)
    else:
        decimals = MEDIAN_DECIMALS if measure == MEDIAN_MEASURE else SHARE_DECIMALS
        shown = shown_statistic(value, cases=cases, decimals=decimals)
    return Cell(
        indicator=indicator.code, measure=measure or "", unit=indicator.unit, track=track,
        nationality=nationality, value=shown, suppressed=shown is None,
    )  # fmt: skip


def _withheld(indicator: Indicator, nationality: str) -> Cell:
    return Cell(
        indicator=indicator.code, measure=measure_of(indicator) or "", unit=indicator.unit,
        track="", nationality=nationality, value=None, suppressed=True,
    )  # fmt: skip


def _nationality_cells(indicator: Indicator, chain: str, month: Period) -> list[Cell]:
    """The nationality breakdown, every nationality of the indicator in the chain, suppressed
    by the internal rule at the public threshold; the cells shown then as any other value."""
    cells = complete_series(
        indicator=indicator, chain=chain, periods=[month], by_nationality=True,
        minimum_cases=MINIMUM_CASES,
    )  # fmt: skip
    return [
        _withheld(indicator, cell.nationality)
        if cell.suppressed
        else public_cell(
            indicator, track="", nationality=cell.nationality, value=cell.value, cases=cell.n
        )
        for cell in sorted(cells, key=lambda c: c.nationality)
    ]


def month_data(*, month: Period) -> MonthData:
    """Every theme table of every chain whose values the engine computed for ``month``."""
    themes = published_indicators()
    codes = [i.code for indicators in themes.values() for i in indicators]
    tables = []
    computed_at = None
    for chain in CHAINS:
        # Through the values' identity index (indicator, chain, period type, period, ...).
        stored = IndicatorValue.objects.filter(
            chain_id=chain, period_type=MONTH, period=month.label, nationality="",
            indicator_id__in=codes,
        )  # fmt: skip
        by_slice = {(v.indicator_id, v.track): v for v in stored}
        if not by_slice:
            continue  # the engine computed nothing for the chain in this month
        latest = max(v.computed_at for v in by_slice.values())
        computed_at = max(filter(None, (computed_at, latest)), default=None)
        for theme, indicators in themes.items():
            cells: list[Cell] = []
            for indicator in indicators:
                tracks = ["", *sorted(TRACKS[chain])] if indicator.per_track else [""]
                for track in tracks:
                    value = by_slice.get((indicator.code, track))
                    cells.append(
                        public_cell(
                            indicator,
                            track=track,
                            nationality="",
                            value=value.value if value else None,
                            cases=value.n if value else 0,
                        )
                    )
                if indicator.by_nationality:
                    cells.extend(_nationality_cells(indicator, chain, month))
            tables.append(
                ThemeTable(
                    month=month, chain=chain, theme=theme, indicators=indicators, cells=cells
                )
            )
    return MonthData(tables=tables, values_computed_at=computed_at)
