"""Small charts for the reports, drawn with matplotlib's Agg backend: PNG for the weekly e-mail,
SVG for the half-year report's page and PDF.

No browser anywhere in the sending or printing path: headless-browser screenshots are what fails
most in other tools' e-mailed reports.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Protocol

import matplotlib
from django.utils import formats

matplotlib.use("Agg")

# pyplot is imported only after the backend is chosen, or it would pick an interactive one.
from matplotlib import pyplot as plt
from matplotlib.ticker import FuncFormatter

from chain.models import IndicatorValue, SignalBand

# The same figures give the same SVG bytes (ids are hashed, not random), so a published report's
# PDF can be made again byte for byte.
matplotlib.rcParams["svg.hashsalt"] = "ketendashboard"


class Band(Protocol):
    """A signal band as a chart shades it: a stored SignalBand, or one of a frozen report."""

    @property
    def signal(self) -> str: ...
    @property
    def lower(self) -> float | None: ...
    @property
    def upper(self) -> float | None: ...


BAND_COLOURS = {"green": "#cfe8d5", "amber": "#fbe3b4", "red": "#f6c9c9"}
LINE_COLOUR = "#154273"


def draw_chart(
    *, title: str, values: Sequence[IndicatorValue], bands: Sequence[SignalBand], unit: str
) -> bytes:
    """A 12-period line with the signal bands shaded behind it, as PNG bytes."""
    return draw_series(
        title=title, labels=[v.period for v in values], points=[v.value for v in values],
        bands=bands, unit=unit, image_format="png",
    )  # fmt: skip


def draw_series(
    *,
    title: str,
    labels: Sequence[str],
    points: Sequence[float | None],
    bands: Sequence[Band],
    unit: str,
    image_format: str,
    size: tuple[float, float] = (4.8, 2.0),
    from_zero: bool = False,
) -> bytes:
    """A line over ``labels`` with the signal bands shaded behind it, as PNG or SVG bytes.

    A share is drawn in percent; a missing point is a gap in the line. ``from_zero`` keeps 0 on
    the value axis, so that a few points of a count do not make a small change look steep.
    """
    scale = 100 if unit == "share" else 1
    scaled = [p * scale if p is not None else None for p in points]
    present = [p for p in scaled if p is not None]
    figure, axes = plt.subplots(figsize=size, dpi=100)
    try:
        low = min([*present, *(b.lower * scale for b in bands if b.lower is not None)], default=0)
        if from_zero:
            low = min(low, 0)
        high = max([*present, *(b.upper * scale for b in bands if b.upper is not None)], default=1)
        margin = (high - low) * 0.1 or 1
        bottom, top = low - margin, high + margin
        # Bands are checked in order, so draw them last-first: earlier bands paint over later.
        for band in reversed(list(bands)):
            lower = band.lower * scale if band.lower is not None else bottom
            upper = band.upper * scale if band.upper is not None else top
            axes.axhspan(lower, upper, color=BAND_COLOURS[band.signal], zorder=0)
        line = [math.nan if p is None else p for p in scaled]
        axes.plot(list(labels), line, color=LINE_COLOUR, marker="o", markersize=3, zorder=2)
        axes.set_ylim(bottom, top)
        if title:
            axes.set_title(title, fontsize=9, loc="left")
        axes.tick_params(axis="both", labelsize=7)
        axes.set_xticks(list(labels)[:: max(len(labels) // 4, 1)])
        axes.yaxis.set_major_formatter(FuncFormatter(_tick_label))
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        out = io.BytesIO()
        # No date in the metadata: the same figures give the same bytes.
        metadata = {"Date": None} if image_format == "svg" else None
        figure.savefig(out, format=image_format, metadata=metadata)
        return out.getvalue()
    finally:
        plt.close(figure)


def _tick_label(value: float, _position: int) -> str:
    """A value axis tick the way the report's language writes numbers (``1.500``, ``0,5``)."""
    number = int(value) if float(value).is_integer() else round(value, 2)
    return formats.number_format(number, use_l10n=True, force_grouping=True)
