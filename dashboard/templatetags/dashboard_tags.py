"""Template filters of the dashboard pages: values, names and signals in the active language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template

from chain.periods import Period
from dashboard import figures, formatting
from dashboard.access import may_view_dashboards, may_view_ingest_status
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
def localized(obj: Any, field: str) -> str:
    """``{{ indicator|localized:"name" }}``: ``name_nl`` or ``name_en`` by the language."""
    return formatting.localized(obj, field)


@register.filter
def signal_word(signal: str) -> str:
    return formatting.signal_word(signal)


@register.filter
def signal_icon(signal: str) -> str:
    return formatting.signal_icon(signal)


@register.filter
def stage(name: str) -> str:
    return formatting.stage_label(name)


@register.filter
def extract_status(status: str) -> str:
    return formatting.extract_status(status)


@register.filter
def extract_channel(channel: str) -> str:
    return formatting.extract_channel(channel)


@register.filter
def interval(value: timedelta) -> str:
    return formatting.format_interval(value)


@register.filter
def period_title(period: Period) -> str:
    return formatting.period_title(period)


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
    """``{% with change=tile|change %}``: the tile's value against the previous period's."""
    indicator = tile.reading.indicator
    return formatting.change_between(
        tile.value, tile.previous, unit=indicator.unit, direction=indicator.direction,
        since=tile.period.previous(),
    )  # fmt: skip


@register.filter
def sparkline(values: list[float | None]) -> list[str]:
    """The point lists of an inline SVG trend line."""
    return figures.sparkline(values)
