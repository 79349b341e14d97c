"""How values, changes, periods and names read on the pages and in the weekly e-mail.

Numbers follow the language's own format (``1.234,5`` in Dutch, ``1,234.5`` in English);
shares show as percentages. Names and definitions come from the catalogue in the active
language (``name_nl`` / ``name_en``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from chain.models import Direction, Signal
from chain.periods import HALF_YEAR, MONTH, Period
from chain.vocabulary import COUNT, DAYS, RATIO, SCORE, SHARE

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

NO_VALUE = "\u2013"  # an en dash
MINUS = "\u2212"
DECIMALS = {COUNT: 0, DAYS: 1, SHARE: 1, RATIO: 2, SCORE: 2}
UNIT_LABELS = {DAYS: gettext_lazy("days"), SCORE: gettext_lazy("out of 5")}
AXIS_TITLES = {
    COUNT: gettext_lazy("number"), DAYS: gettext_lazy("days"), SHARE: gettext_lazy("percent"),
    RATIO: gettext_lazy("ratio"), SCORE: gettext_lazy("score (1 to 5)"),
}  # fmt: skip
SIGNAL_LABELS: dict[str, StrPromise] = {
    Signal.GREEN: gettext_lazy("green"), Signal.AMBER: gettext_lazy("amber"),
    Signal.RED: gettext_lazy("red"), Signal.NONE: gettext_lazy("no signal"),
}  # fmt: skip
# A shape as well as a colour, so the signal does not rest on colour alone.
SIGNAL_ICONS: dict[str, str] = {
    Signal.GREEN: "●", Signal.AMBER: "▲", Signal.RED: "■", Signal.NONE: "○",
}  # fmt: skip
STAGE_LABELS = {
    "registered": gettext_lazy("Registered"), "lodged": gettext_lazy("Application lodged"),
    "granted": gettext_lazy("Granted"), "rejected": pgettext_lazy("decision", "Rejected"),
    "discontinued": gettext_lazy("Discontinued"), "open": gettext_lazy("Still open"),
    "other": gettext_lazy("No application"), "return_opened": gettext_lazy("Return case opened"),
    "departed": gettext_lazy("Departed"), "return_closed": gettext_lazy("Return case closed"),
}  # fmt: skip
# ingest.models.Extract's choices carry no translatable labels of their own.
EXTRACT_STATUS_LABELS = {
    "received": gettext_lazy("received"), "processing": gettext_lazy("processing"),
    "accepted": gettext_lazy("accepted"), "partially_accepted": gettext_lazy("partially accepted"),
    "rejected": pgettext_lazy("delivery", "rejected"), "duplicate": gettext_lazy("duplicate"),
}  # fmt: skip
EXTRACT_CHANNEL_LABELS = {
    "file": gettext_lazy("file"), "feed": gettext_lazy("feed"), "push": gettext_lazy("push API"),
}  # fmt: skip


def english() -> bool:
    """Whether the active language is English (else Dutch, the default)."""
    return (translation.get_language() or "nl").startswith("en")


def localized(obj: Any, field: str) -> str:
    """A catalogue text in the active language: ``name`` reads ``name_en`` or ``name_nl``."""
    return str(getattr(obj, f"{field}_en" if english() else f"{field}_nl"))


def format_number(value: float | None, unit: str) -> str:
    """A value for display: grouped thousands, the unit's decimals, shares as percentages."""
    if value is None:
        return NO_VALUE
    if unit == SHARE:
        value *= 100
    decimals = DECIMALS.get(unit, 2)
    if unit == DAYS and float(value).is_integer():
        decimals = 0
    # Rounded here: Django's number_format cuts a float's decimals off (12.46 would read 12,4).
    rounded = round(value, decimals)
    text = formats.number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return f"{text} %" if unit == SHARE else text


def unit_label(unit: str) -> str:
    """The word written after a value, if any (a share carries its % already)."""
    return str(UNIT_LABELS.get(unit, ""))


def axis_title(unit: str) -> str:
    """What a chart's value axis measures."""
    return str(AXIS_TITLES.get(unit, unit))


def signal_word(signal: str) -> str:
    """``green``, ``amber``, ``red`` or ``no signal``, in the active language."""
    return str(SIGNAL_LABELS.get(signal, SIGNAL_LABELS[Signal.NONE]))


def signal_icon(signal: str) -> str:
    return SIGNAL_ICONS.get(signal, SIGNAL_ICONS[Signal.NONE])


def stage_label(stage: str) -> str:
    """A stage of the chain flow, as a reader knows it."""
    return str(STAGE_LABELS.get(stage, stage))


def extract_status(status: str) -> str:
    """A delivery's state on the ingest status page: ``partially accepted``."""
    return str(EXTRACT_STATUS_LABELS.get(status, status))


def extract_channel(channel: str) -> str:
    """How a delivery came in: ``file``, ``feed`` or ``push API``."""
    return str(EXTRACT_CHANNEL_LABELS.get(channel, channel))


def period_title(period: Period) -> str:
    """``maart 2024`` / ``March 2024``, ``week 12, 2024``, or ``eerste helft van 2024`` /
    ``first half of 2024``."""
    if period.type == MONTH:
        return formats.date_format(period.start, "YEAR_MONTH_FORMAT")
    if period.type == HALF_YEAR:
        if period.start.month == 1:
            return _("first half of %(year)s") % {"year": period.start.year}
        return _("second half of %(year)s") % {"year": period.start.year}
    year, week = period.label.split("-W")
    return _("week %(week)s, %(year)s") % {"week": int(week), "year": year}


def format_interval(interval: timedelta) -> str:
    """A partner's expected delivery interval: ``2 days``, ``1 hour``."""
    hours = round(interval.total_seconds() / 3600)
    if hours >= 24 and hours % 24 == 0:
        days = hours // 24
        return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
    return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}


@dataclass(frozen=True)
class Change:
    """A value against the previous period's: an arrow, the signed difference, and in words."""

    arrow: str
    text: str
    description: str
    judgement: str  # "better", "worse" or "" (no preferred direction, or no change)


def change_between(
    current: float | None, previous: float | None, *, unit: str, direction: str, since: Period
) -> Change | None:
    """How ``current`` moved from ``previous`` (None when either has no value)."""
    if current is None or previous is None:
        return None
    delta = current - previous
    amount = format_number(abs(delta), unit)
    # A change too small to show at the unit's precision reads as no change, not as minus 0,0.
    unchanged = amount == format_number(0.0, unit)
    if unit == SHARE:
        amount = _("%(amount)s points") % {"amount": amount.removesuffix(" %")}
    when = period_title(since)
    if unchanged:
        return Change("→", "0", _("unchanged since %(when)s") % {"when": when}, "")
    rising = delta > 0
    judgement = ""
    if direction in (Direction.LOWER, Direction.HIGHER):
        judgement = "better" if rising == (direction == Direction.HIGHER) else "worse"
    words = {"amount": amount, "when": when}
    description = (
        _("up %(amount)s since %(when)s") if rising else _("down %(amount)s since %(when)s")
    ) % words
    if judgement:
        description += " (" + (_("better") if judgement == "better" else _("worse")) + ")"
    sign = "+" if rising else MINUS
    return Change("↑" if rising else "↓", sign + amount, description, judgement)
