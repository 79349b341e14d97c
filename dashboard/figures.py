"""The dashboard's figures, built with ``plotly.graph_objects`` and drawn by plotly.js in the page.

Each figure's JSON is cached under the indicator data version that the engine bumps after every
recompute (``chain.indicators.engine.DATA_VERSION_KEY``), so a new ingest invalidates them all.
The sparklines of the overview tiles are inline SVG, drawn here as point lists.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise

import plotly.graph_objects as go
from django.core.cache import cache
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chain.formatting import STAGE_LABELS, axis_title, english, stage_label
from chain.indicators.engine import DATA_VERSION_KEY
from chain.models import Signal, SignalBand
from chain.selectors import Flow, signal_of
from chain.vocabulary import SHARE

FIGURE_TTL = 24 * 60 * 60
BAND_COLOURS: dict[str, str] = {
    Signal.GREEN: "#2e7d32", Signal.AMBER: "#e0a000", Signal.RED: "#c62828",
}  # fmt: skip
BAND_OPACITY = 0.15
# Dark enough for 3:1 against white (WCAG 1.4.11), and told apart by dash as well as colour.
LINE_COLOURS = ["#1f4e79", "#8a4baf", "#00695c", "#a04f00", "#4a5a6a", "#a61c5c"]
LINE_DASHES = ["solid", "dot", "dash", "dashdot", "longdash", "longdashdot"]
PAST_COLOUR, SOON_COLOUR, LATER_COLOUR = "#c62828", "#a04f00", "#1f4e79"
# The same periods a year before: a light grey (3.4:1 against white), dotted and thicker than
# any line of this year's, so that it is told apart from them by more than its colour.
EARLIER_COLOUR = "#8c8c8c"
# What json_script escapes, so that no text in a figure can close its <script> element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def figure_json(name: str, params: Mapping[str, object], build: Callable[[], go.Figure]) -> str:
    """A figure's JSON from the cache, else built and cached for the current data version.

    ``params`` must hold everything the figure depends on besides the data version and the
    active language (both part of the key already).
    """
    version = cache.get(DATA_VERSION_KEY, 0)
    identity = json.dumps(
        [name, params, translation.get_language(), version], sort_keys=True, default=str
    )
    key = "dashboard-figure:" + hashlib.sha256(identity.encode()).hexdigest()
    payload = cache.get(key)
    if payload is None:
        payload = build().to_json()
        cache.set(key, payload, FIGURE_TTL)
    return payload


def script_json(payload: str) -> SafeString:
    """Figure JSON safe to place inside ``<script type="application/json">``."""
    return mark_safe(payload.translate(_SCRIPT_ESCAPES))  # noqa: S308 - escaped just above


def _layout(**extra: object) -> dict[str, object]:
    """The look every figure shares; numbers written the way the active language writes them."""
    return {
        "template": "none",
        "separators": ".," if english() else ",.",
        "font": {"family": "system-ui, sans-serif", "size": 13, "color": "#1a1a1a"},
        "margin": {"l": 64, "r": 16, "t": 16, "b": 48},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        # Above the plot: below it, the legend ran into tilted period labels.
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        **extra,
    }


def series_figure(
    *,
    x: Sequence[str],
    lines: Sequence[tuple[str, Sequence[float | None]]],
    unit: str,
    bands: Sequence[SignalBand] = (),
    earlier: tuple[str, Sequence[float | None]] | None = None,
) -> go.Figure:
    """Lines over periods (the first drawn boldest), on the signal bands as shaded ranges.

    ``earlier``, a name and values, is drawn last as a thick grey dotted line: the same periods
    a year before, to read this year's lines against.
    """
    scale = 100 if unit == SHARE else 1
    figure = go.Figure(
        layout=_layout(
            hovermode="x unified",
            xaxis={"type": "category", "gridcolor": "#e5e5e5", "linecolor": "#767676"},
            yaxis={"title": {"text": axis_title(unit)}, "gridcolor": "#e5e5e5", "zeroline": False,
                   "ticksuffix": " %" if unit == SHARE else ""},
        )
    )  # fmt: skip
    for i, (name, values) in enumerate(lines):
        figure.add_trace(
            go.Scatter(
                x=list(x), y=[None if v is None else v * scale for v in values], name=name,
                mode="lines+markers", connectgaps=False,
                line={"color": LINE_COLOURS[i % len(LINE_COLOURS)],
                      "dash": LINE_DASHES[i % len(LINE_DASHES)], "width": 3 if i == 0 else 1.5},
                marker={"size": 6 if i == 0 else 4},
            )
        )  # fmt: skip
    if earlier is not None:
        name, values = earlier
        figure.add_trace(
            go.Scatter(
                x=list(x), y=[None if v is None else v * scale for v in values], name=name,
                mode="lines", connectgaps=False,
                line={"color": EARLIER_COLOUR, "dash": "dot", "width": 4},
            )
        )  # fmt: skip
    shown = [*lines, *([earlier] if earlier is not None else [])]
    low, high = _value_range([v for _, values in shown for v in values], bands)
    for lower, upper, signal in band_segments(bands, low, high):
        figure.add_hrect(
            y0=lower * scale, y1=upper * scale, fillcolor=BAND_COLOURS[signal],
            opacity=BAND_OPACITY, line_width=0, layer="below", name=f"band {signal}",
        )  # fmt: skip
    figure.update_yaxes(range=[low * scale, high * scale])
    return figure


def _value_range(
    values: Sequence[float | None], bands: Sequence[SignalBand]
) -> tuple[float, float]:
    """The y range: every value and every finite band bound, with some headroom.

    It starts at 0, unless a band is closed on both sides (a signal against too high and too
    low, as for occupancy): from 0, the range that matters would be a thin strip at the top.
    """
    points = [v for v in values if v is not None]
    points += [b for band in bands for b in (band.lower, band.upper) if b is not None]
    two_sided = any(band.lower is not None and band.upper is not None for band in bands)
    low = min(points) if two_sided else min([0.0, *points])
    high = max([0.0, *points])
    if high == low:
        return low, low + 1
    headroom = (high - low) * 0.1
    return (low - headroom if two_sided else low), high + headroom


def band_segments(
    bands: Sequence[SignalBand], low: float, high: float
) -> list[tuple[float, float, str]]:
    """The y ranges from ``low`` to ``high`` that each signal covers, in order.

    Bands are checked in order and the first one holding a value wins, so a catch-all band
    after others (red in a two-sided band set) covers only what those leave free.
    """
    bounds = {b for band in bands for b in (band.lower, band.upper) if b is not None}
    cuts = sorted({low, high, *(b for b in bounds if low < b < high)})
    segments: list[tuple[float, float, str]] = []
    for lower, upper in pairwise(cuts):
        signal = signal_of(value=(lower + upper) / 2, bands=bands)
        if signal == Signal.NONE:
            continue
        if segments and segments[-1][2] == signal and segments[-1][1] == lower:
            segments[-1] = (segments[-1][0], upper, signal)
        else:
            segments.append((lower, upper, signal))
    return segments


def flow_figure(flows: Sequence[Flow]) -> go.Figure:
    """A Sankey of cases moving between the chain's stages."""
    known = list(STAGE_LABELS)
    used = {stage for flow in flows for stage in (flow.source, flow.target)}
    stages = [s for s in known if s in used] + sorted(used - set(known))
    index = {stage: i for i, stage in enumerate(stages)}
    sankey = go.Sankey(
        arrangement="snap",
        # Own hover texts: plotly.js's default ones ("Incoming flow count") are English only.
        node={"label": [stage_label(s) for s in stages], "pad": 18, "thickness": 18,
              "color": LINE_COLOURS[0], "line": {"color": "#ffffff", "width": 1},
              "hovertemplate": _("%{label}: %{value} cases") + "<extra></extra>"},
        link={"source": [index[f.source] for f in flows],
              "target": [index[f.target] for f in flows],
              "value": [f.value for f in flows], "color": "rgba(31, 78, 121, 0.3)",
              "hovertemplate": _("%{source.label} to %{target.label}: %{value} cases")
              + "<extra></extra>"},
    )  # fmt: skip
    return go.Figure(sankey, layout=_layout(margin={"l": 16, "r": 16, "t": 16, "b": 16}))


def deadline_figure(weeks: Sequence[tuple[int, int]], *, due_soon_weeks: int) -> go.Figure:
    """Open cases by whole weeks until their own deadline, the deadline a vertical line.

    ``weeks`` holds (weeks until the deadline, cases); those due within ``due_soon_weeks``
    are coloured apart from those past it and those later.
    """
    colours = [
        PAST_COLOUR if w < 0 else SOON_COLOUR if w < due_soon_weeks else LATER_COLOUR
        for w, _count in weeks
    ]
    bars = go.Bar(
        x=[w for w, _count in weeks], y=[count for _w, count in weeks], marker={"color": colours},
        name=_("Open cases"),
        hovertemplate=_("%{x} weeks until the deadline: %{y} cases") + "<extra></extra>",
    )  # fmt: skip
    figure = go.Figure(
        bars,
        layout=_layout(
            bargap=0.1, showlegend=False,
            xaxis={"title": {"text": _("Weeks until the deadline (negative: past it)")},
                   "gridcolor": "#e5e5e5", "zeroline": False},
            yaxis={"title": {"text": _("Open cases")}, "gridcolor": "#e5e5e5"},
        ),
    )  # fmt: skip
    figure.add_vline(
        x=-0.5, line_dash="dash", line_color="#1a1a1a", line_width=2,
        annotation_text=_("deadline"), annotation_position="top",
    )  # fmt: skip
    return figure


def sparkline(values: Sequence[float | None], *, width: int = 120, height: int = 32) -> list[str]:
    """SVG polyline point lists of a small trend; a period without a value breaks the line."""
    present = [v for v in values if v is not None]
    if not present:
        return []
    pad = 2
    low, high = min(present), max(present)
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(value: float) -> float:
        if high == low:
            return height / 2
        return height - pad - (value - low) / (high - low) * (height - 2 * pad)

    lines: list[list[str]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            lines.append([])
        else:
            lines[-1].append(f"{pad + i * step:.1f},{y(value):.1f}")
    return [" ".join(points) for points in lines if points]
