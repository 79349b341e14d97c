"""Template filters of the dashboard pages: values, names and signals in the active language."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.access import may_view_dashboards, may_view_ingest_status
from chain import formatting
from chain.indicators.kinds import indicator_problems
from chain.models import Indicator
from chain.periods import Period
from dashboard import figures
from dashboard.selectors import Tile

register = template.Library()


@register.filter
def number(value: float | None, unit: str) -> str:
    """``{{ value|number:indicator.unit }}``: ``1.234,5`` in Dutch, shares as percentages."""
    return formatting.format_number(value, unit)


@register.filter
def unit_label(unit: str) -> str:
    return formatting.unit_label(unit)


@register.filter
def computation_problems(indicator: Indicator) -> list[str]:
    """Why the engine skips this stored indicator (its kind or params); [] if it computes it."""
    return indicator_problems(indicator.kind, indicator.params)


# Labels and formats shared with the views: the filters are the formatting functions themselves
# (``{{ indicator|localized:"name" }}`` is ``name_nl`` or ``name_en`` by the language).
register.filter("localized", formatting.localized)
register.filter("signal_word", formatting.signal_word)
register.filter("signal_icon", formatting.signal_icon)
register.filter("stage", formatting.stage_label)
register.filter("extract_status", formatting.extract_status)
register.filter("extract_channel", formatting.extract_channel)
register.filter("interval", formatting.format_interval)
register.filter("period_title", formatting.period_title)


@register.filter
def may_view_dashboard_pages(user: Any) -> bool:
    """Whether the navigation offers the dashboards: a user without a role sees none of them."""
    return user.is_authenticated and may_view_dashboards(user)


@register.filter
def may_view_ingest(user: Any) -> bool:
    """Whether the navigation offers the ingest status page to this user."""
    return user.is_authenticated and may_view_ingest_status(user)


@register.filter
def change(tile: Tile) -> formatting.Change | None:
    """``{% with change=tile|change %}``: the tile's value against the one it is compared with
    (the previous period's, or the same period's a year before)."""
    indicator = tile.reading.indicator
    return formatting.change_between(
        tile.value, tile.compared, unit=indicator.unit, direction=indicator.direction,
        since=tile.compared_period,
    )  # fmt: skip


@register.filter
def year_change(row: dict[str, Any], indicator: Indicator) -> formatting.Change | None:
    """``{% with change=row|year_change:indicator %}``: a table row's all-tracks value against
    the same period a year before (``row`` has ``values``, all tracks first, and
    ``last_year``)."""
    earlier = row["last_year"]
    return formatting.change_between(
        row["values"][0].value, earlier.value, unit=indicator.unit,
        direction=indicator.direction,
        since=Period(earlier.period_start, earlier.period_end, earlier.period_type, earlier.period),
    )  # fmt: skip


@register.filter
def sparkline(values: list[float | None]) -> list[str]:
    """The point lists of an inline SVG trend line."""
    return figures.sparkline(values)
