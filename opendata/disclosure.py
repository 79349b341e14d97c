"""Disclosure control for the public, stricter than inside (docs/reference/open-data.md).

- A nationality cell resting on fewer than ``MINIMUM_CASES`` cases is suppressed, with the
  secondary suppression of the pages and the API (``chain.selectors.complete_series``, given
  this threshold).
- Every count shown, totals, tracks and nationality cells alike, is rounded to a multiple of
  ``ROUNDING_BASE``.
- A median or share resting on fewer than ``MINIMUM_CASES`` cases is never shown.
- A withheld cell says only that it is withheld: no value, no size, no reason.
"""

from __future__ import annotations

MINIMUM_CASES = 10
ROUNDING_BASE = 5
# Shares to whole percents, medians to a tenth of a day: finer figures would let a share
# beside a rounded count give the count back.
SHARE_DECIMALS = 2
MEDIAN_DECIMALS = 1


def rounded_count(value: float) -> int:
    """A count rounded to the nearest multiple of ``ROUNDING_BASE`` (counts are whole, so
    there is never a tie)."""
    return ROUNDING_BASE * round(value / ROUNDING_BASE)


def shown_statistic(value: float | None, *, cases: int | None, decimals: int) -> float | None:
    """A median or share as published: ``None`` when it rests on fewer than
    ``MINIMUM_CASES`` cases or has no value, else rounded to ``decimals``."""
    if value is None or (cases or 0) < MINIMUM_CASES:
        return None
    return round(value, decimals)
