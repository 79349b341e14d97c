"""The dashboard's figures, built with ``plotly.graph_objects`` and drawn by plotly.js in the page.

Each figure's JSON is cached under the indicator data version that the engine bumps after every
recompute (``chain.indicators.engine.DATA_VERSION_KEY``), so a new ingest invalidates them all.
The sparklines of the overview tiles are inline SVG, drawn here as point lists. Every chart
over time marks the events of note (``chain.selectors.event_markers``) by number: a vertical
line on the period an event starts in, a light band over the periods of an event with an end;
the page lists the numbers with their titles beside the chart.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import plotly.graph_objects as go
from django.core.cache import cache
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chain.formatting import STAGE_LABELS, axis_title, english, stage_label
from chain.indicators.engine import DATA_VERSION_KEY
from chain.models import Signal, SignalBand
from chain.periods import Period
from chain.selectors import EventMarker, Flow, signal_of
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
EVENT_COLOUR = "#4a5a6a"
EVENT_BAND_OPACITY = 0.08
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
    markers: Sequence[PlacedMarker] = (),
    earlier: tuple[str, Sequence[float | None]] | None = None,
) -> go.Figure:
    """Lines over periods (the first drawn boldest), on the signal bands as shaded ranges,
    with the events of note as numbered vertical lines (``place_markers`` places them).

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
    add_markers(figure, markers)
    return figure


@dataclass(frozen=True)
class PlacedMarker:
    """An event marker on a chart of periods: ``x`` the position of its line (the index of the
    period it starts in), ``x0`` to ``x1`` the band of an event with an end (None without one);
    a position left of the first period (-0.5) for an event that started before it."""

    marker: EventMarker
    x: float
    x0: float | None
    x1: float | None


def place_markers(markers: Sequence[EventMarker], periods: Sequence[Period]) -> list[PlacedMarker]:
    """Where each marker goes on a chart whose x axis is ``periods`` (consecutive, in order).

    ``markers`` should be those of the periods' dates (``event_markers`` from the first
    period's start to the last one's end); any other is left out.
    """
    if not periods:
        return []
    starts = [p.start for p in periods]
    first, last = periods[0].start, periods[-1].end

    def index(day: date) -> int:
        return bisect_right(starts, day) - 1

    placed = []
    for marker in markers:
        end = marker.end or marker.start
        if end < first or marker.start > last:
            continue
        within = marker.start >= first
        x = float(index(marker.start)) if within else -0.5
        x0 = x1 = None
        if marker.end is not None:
            # The band covers every period the event touches; the line marks the first.
            x0, x1 = (x - 0.5 if within else x), index(min(end, last)) + 0.5
        placed.append(PlacedMarker(marker, x, x0, x1))
    return placed


def markers_per_period(placed: Sequence[PlacedMarker], count: int) -> list[list[EventMarker]]:
    """For each of ``count`` periods, the markers whose line is on it (those that started
    before the first period are on the first): what a table row beside the chart lists."""
    rows: list[list[EventMarker]] = [[] for _ in range(count)]
    for item in placed:
        rows[max(int(item.x), 0)].append(item.marker)
    return rows


def add_markers(figure: go.Figure, placed: Sequence[PlacedMarker]) -> None:
    """Numbered vertical lines (and light bands for ranges) for the events of note.

    The number is the label: titles are too long for a chart, and the page lists them. A
    hover on the number shows the title. Numbers of events in one period stack downwards.
    """
    stacked: dict[float, int] = {}
    for item in placed:
        marker = item.marker
        level = stacked[item.x] = stacked.get(item.x, -1) + 1
        if item.x0 is not None and item.x1 is not None:
            figure.add_vrect(
                x0=item.x0, x1=item.x1, fillcolor=EVENT_COLOUR, opacity=EVENT_BAND_OPACITY,
                line_width=0, layer="below", name=f"event {marker.number} range",
            )  # fmt: skip
        figure.add_vline(
            x=item.x, line_dash="dot", line_color=EVENT_COLOUR, line_width=1.5,
            name=f"event {marker.number}",
        )  # fmt: skip
        figure.add_annotation(
            x=item.x, y=1 - 0.08 * level, xref="x", yref="paper", yanchor="top", showarrow=False,
            text=str(marker.number), hovertext=marker.title, name=f"event {marker.number}",
            font={"size": 12, "color": "#ffffff"}, bgcolor=EVENT_COLOUR, borderpad=2,
        )  # fmt: skip


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


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 32, 2


def _spark_step(count: int) -> float:
    """The distance between two periods of a sparkline."""
    return (SPARK_WIDTH - 2 * SPARK_PAD) / max(count - 1, 1)


def sparkline(values: Sequence[float | None]) -> list[str]:
    """SVG polyline point lists of a small trend; a period without a value breaks the line."""
    present = [v for v in values if v is not None]
    if not present:
        return []
    low, high = min(present), max(present)
    step = _spark_step(len(values))

    def y(value: float) -> float:
        if high == low:
            return SPARK_HEIGHT / 2
        return (
            SPARK_HEIGHT - SPARK_PAD - (value - low) / (high - low) * (SPARK_HEIGHT - 2 * SPARK_PAD)
        )

    lines: list[list[str]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            lines.append([])
        else:
            lines[-1].append(f"{SPARK_PAD + i * step:.1f},{y(value):.1f}")
    return [" ".join(points) for points in lines if points]


def sparkline_ticks(placed: Sequence[PlacedMarker], count: int) -> list[str]:
    """The x of a thin line for each event of note on a sparkline of ``count`` periods (an
    event that started before the first period at the left edge); the page lists the events."""
    step = _spark_step(count)
    return [f"{SPARK_PAD + max(item.x, 0) * step:.1f}" for item in placed]


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def fan_figure(
    *,
    months: Sequence[str],
    history: Sequence[float | None] | None,
    history_name: str,
    fans: Sequence[tuple[str, Sequence[str], Sequence[Mapping[str, float | None]]]],
    unit: str,
    extra: Sequence[tuple[str, Sequence[str], Sequence[float | None]]] = (),
) -> go.Figure:
    """A scenario's fan chart: the actual history as a line, then per scenario the p10-p90
    band shaded and its median as a line (a run of one path: its line only). ``months`` is the
    whole axis; ``extra`` lines (places needed, capacity) are drawn thin and dotted."""
    figure = go.Figure(
        layout=_layout(
            hovermode="x unified",
            xaxis={"type": "category", "categoryorder": "array", "categoryarray": list(months),
                   "gridcolor": "#e5e5e5", "linecolor": "#767676"},
            yaxis={"title": {"text": axis_title(unit)}, "gridcolor": "#e5e5e5",
                   "zeroline": False, "rangemode": "tozero"},
        )
    )  # fmt: skip
    if history is not None:
        figure.add_trace(
            go.Scatter(
                x=list(months), y=list(history), name=history_name, mode="lines+markers",
                connectgaps=False, line={"color": "#1a1a1a", "width": 2}, marker={"size": 4},
            )
        )  # fmt: skip
    for i, (name, x, values) in enumerate(fans):
        colour = LINE_COLOURS[(i + 1) % len(LINE_COLOURS)]
        if any(v.get("p10") != v.get("p90") for v in values):
            figure.add_trace(
                go.Scatter(
                    x=list(x), y=[v.get("p10") for v in values], mode="lines",
                    line={"width": 0, "color": colour}, showlegend=False, hoverinfo="skip",
                    name=f"{name} p10",
                )
            )  # fmt: skip
            figure.add_trace(
                go.Scatter(
                    x=list(x), y=[v.get("p90") for v in values], mode="lines", fill="tonexty",
                    fillcolor=_rgba(colour, 0.2), line={"width": 0, "color": colour},
                    name=f"{name}: p10\u2013p90",
                )
            )  # fmt: skip
        figure.add_trace(
            go.Scatter(
                x=list(x), y=[v.get("p50") for v in values], name=f"{name}: {_('median')}",
                mode="lines+markers",
                line={"color": colour, "width": 2.5, "dash": LINE_DASHES[(i + 1) % 6]},
                marker={"size": 4},
            )
        )  # fmt: skip
    for i, (name, x, line) in enumerate(extra):
        figure.add_trace(
            go.Scatter(
                x=list(x), y=list(line), name=name, mode="lines",
                line={"color": LINE_COLOURS[(i + 4) % len(LINE_COLOURS)], "width": 1.5,
                      "dash": "dot"},
            )
        )  # fmt: skip
    return figure
