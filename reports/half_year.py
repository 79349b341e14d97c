"""The half-year chain report: its figures, what they say in words and charts, and its PDF.

The report is made from *figures*: a plain JSON document (see ``live_figures``) holding, per
chain, goal and indicator, the half-year's value and signal beside the same half one and two
years before, the signal bands, and the events of note of the period. A published report keeps
the figures it was published with (``reports.models.HalfYearReport``), so the page, the PDF,
the sentences and the charts of a published report are made from those and never from the
values as they are recomputed later.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chain.formatting import format_number, signal_icon, signal_word
from chain.models import Chain, Indicator, Signal
from chain.periods import Period
from chain.selectors import bands_for, events_of_note, goals_with_indicators, same_period_values
from chain.vocabulary import CHAINS, COUNT, DAYS
from reports.charts import draw_series
from reports.sentences import change_sentence, half_phrase

Figures = dict[str, Any]
LANGUAGES = ("nl", "en")
STYLESHEET = "css/half-year.css"


@dataclass(frozen=True)
class Band:
    """A signal band of the frozen figures, as the chart draws it."""

    signal: str
    lower: float | None
    upper: float | None


@dataclass
class Cell:
    """One half-year's value of an indicator, as the report shows it."""

    period: str
    heading: str
    value: str
    signal: str

    @property
    def signal_word(self) -> str:
        return signal_word(self.signal)

    @property
    def signal_icon(self) -> str:
        return signal_icon(self.signal)


@dataclass
class IndicatorSection:
    code: str
    name: str
    sentence: str
    cells: list[Cell]  # oldest first
    chart: str  # a data: URI of the SVG
    chart_text: str  # the chart in words, its alternative text


@dataclass
class GoalSection:
    name: str
    indicators: list[IndicatorSection]


@dataclass
class Event:
    when: str
    title: str
    link: str


@dataclass
class ChainSection:
    code: str
    name: str
    goals: list[GoalSection]
    events: list[Event] = field(default_factory=list)


@dataclass
class Report:
    """The report in one language, ready for the page or the PDF."""

    period: str
    language: str
    title: str
    status: str
    chains: list[ChainSection]


def live_figures(*, period: Period) -> Figures:
    """The report's figures as the engine's values are now, as plain JSON.

    Per chain, goal and indicator: the values of ``period`` and of the same half one and two
    years before (the half-year first), each with its signal; the signal bands the chart
    shades; and the chain's events of note that touch the period. A suppressed value is
    no value. Names are kept in both languages, so that one frozen set of figures reads in
    either.
    """
    goals = goals_with_indicators()
    names = dict(Chain.objects.filter(code__in=CHAINS).values_list("code", "name"))
    chains = []
    for chain in (code for code in CHAINS if code in names):
        chains.append({
            "code": chain, "name": names[chain],
            "goals": [
                {
                    "code": goal.code, "name_nl": goal.name_nl, "name_en": goal.name_en,
                    "indicators": [_live_indicator(indicator, chain, period)
                                   for indicator in goal.indicators.all()],
                }
                for goal in goals
            ],
            "events": [
                {
                    "code": event.code, "start": event.start.isoformat(),
                    "end": event.end.isoformat() if event.end else None,
                    "title_nl": event.title_nl, "title_en": event.title_en,
                    "link_nl": event.link_nl, "link_en": event.link_en,
                }
                for event in events_of_note(chain=chain, start=period.start, end=period.end)
            ],
        })  # fmt: skip
    return {"period": period.label, "chains": chains}


def _live_indicator(indicator: Indicator, chain: str, period: Period) -> Figures:
    values = same_period_values(indicator=indicator, chain=chain, period=period, years=2)
    return {
        "code": indicator.code, "name_nl": indicator.name_nl, "name_en": indicator.name_en,
        "unit": indicator.unit, "direction": indicator.direction,
        "values": [
            {
                "period": value.period,
                "value": None if value.suppressed else value.value,
                "signal": Signal.NONE if value.suppressed else value.signal,
            }
            for value in values
        ],
        "bands": [
            {"signal": band.signal, "lower": band.lower, "upper": band.upper}
            for band in bands_for(indicator=indicator, chain=chain)
        ],
    }  # fmt: skip


def report_title(period: str) -> str:
    """``Rapportage vreemdelingenketen, eerste helft van 2026`` in the active language."""
    return _("Chain report, %(half)s") % {"half": half_phrase(period)}


def present(
    figures: Figures, *, language: str, version: int | None = None, published: date | None = None
) -> Report:
    """The figures as the report shows them in ``language``: values, sentences and charts.

    ``version`` and ``published`` say which published version the figures are; without them
    the report says it shows the live figures, not published.
    """
    with translation.override(language):
        chains = [_chain(chain, language) for chain in figures["chains"]]
        if version is not None and published is not None:
            status = _("Version %(version)s, published on %(date)s.") % {
                "version": version, "date": date_format(published, "DATE_FORMAT"),
            }  # fmt: skip
        else:
            status = _("Not published: the figures as they are computed now.")
        return Report(
            period=figures["period"], language=language, title=report_title(figures["period"]),
            status=status, chains=chains,
        )  # fmt: skip


def _chain(chain: Figures, language: str) -> ChainSection:
    goals = [
        GoalSection(
            name=goal[f"name_{language}"],
            indicators=[_indicator(indicator, language) for indicator in goal["indicators"]],
        )
        for goal in chain["goals"]
    ]
    events = [
        Event(
            when=_when(event["start"], event.get("end")),
            title=event[f"title_{language}"],
            link=event.get(f"link_{language}") or "",
        )
        for event in chain.get("events", [])
    ]
    return ChainSection(code=chain["code"], name=chain["name"], goals=goals, events=events)


def _when(start: str, end: str | None) -> str:
    """An event's date, or its range of dates."""
    first = date_format(date.fromisoformat(start), "DATE_FORMAT")
    if not end or end == start:
        return first
    return _("%(start)s to %(end)s") % {
        "start": first, "end": date_format(date.fromisoformat(end), "DATE_FORMAT")
    }  # fmt: skip


def _indicator(indicator: Figures, language: str) -> IndicatorSection:
    name, unit = indicator[f"name_{language}"], indicator["unit"]
    values = indicator["values"]  # the half-year first, then one and two years before
    current, before = values[0], values[1] if len(values) > 1 else None
    sentence = change_sentence(
        code=indicator["code"], name=name, unit=unit, current=current["value"],
        earlier=before["value"] if before else None, period=current["period"],
        earlier_period=before["period"] if before else _year_before(current["period"]),
    )  # fmt: skip
    cells = [
        Cell(
            period=v["period"],
            heading=_short_half(v["period"]),
            value=format_number(v["value"], unit),
            signal=v.get("signal") or Signal.NONE,
        )
        for v in reversed(values)
    ]
    chart_text = "; ".join(f"{half_phrase(cell.period)}: {cell.value}" for cell in cells)
    return IndicatorSection(
        code=indicator["code"], name=name, sentence=sentence, cells=cells,
        chart=_chart(indicator, cells), chart_text=_("Chart of %(name)s. %(values)s.") % {
            "name": name, "values": chart_text,
        },
    )  # fmt: skip


def _chart(indicator: Figures, cells: list[Cell]) -> str:
    """The three halves as a small SVG line over the signal bands, as a data: URI.

    A data: URI rather than inline SVG: matplotlib styles its SVG with style attributes, which
    the page's Content Security Policy would refuse inline; as an image, it is its own document.
    """
    values = reversed(indicator["values"])
    return _svg_uri(
        labels=tuple(cell.heading for cell in cells),
        points=tuple(v["value"] for v in values),
        bands=tuple(Band(b["signal"], b["lower"], b["upper"]) for b in indicator.get("bands", [])),
        unit=indicator["unit"],
        language=translation.get_language() or "nl",
    )


# Drawing is most of a page's time (some 50 ms a chart), and a published report's charts never
# change: the same figures in the same language are drawn once per process. ``language`` is in
# the key because the value axis is numbered the language's way.
@lru_cache(maxsize=512)
def _svg_uri(
    *, labels: tuple[str, ...], points: tuple[float | None, ...], bands: tuple[Band, ...],
    unit: str, language: str,
) -> str:  # fmt: skip
    svg = draw_series(
        title="", labels=labels, points=points, bands=bands, unit=unit, image_format="svg",
        size=(3.2, 1.6), from_zero=unit in (COUNT, DAYS),
    )  # fmt: skip
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _short_half(label: str) -> str:
    """``2026-H1`` as a column heading: ``1e helft 2026`` / ``H1 2026``."""
    year, half = label.split("-H")
    return _("H%(half)s %(year)s") % {"half": half, "year": year}


def _year_before(label: str) -> str:
    year, half = label.split("-H")
    return f"{int(year) - 1}-H{half}"


def differences(before: Figures, after: Figures) -> list[dict[str, Any]]:
    """Every indicator value or signal of ``after`` that differs from ``before``.

    Each difference names the chain, the indicator, the half-year and the value and signal
    before and after (None where one side has none): what a revision lists, and what the page
    of a published report says when the live figures have moved since.
    """
    old = _cells(before)
    new = _cells(after)
    changed = []
    for key in sorted(old.keys() | new.keys()):
        was, now = old.get(key, {}), new.get(key, {})
        if (was.get("value"), was.get("signal")) != (now.get("value"), now.get("signal")):
            chain, indicator, period = key
            changed.append({
                "chain": chain, "indicator": indicator, "period": period,
                "before": was.get("value"), "after": now.get("value"),
                "signal_before": was.get("signal"), "signal_after": now.get("signal"),
            })  # fmt: skip
    return changed


def _cells(figures: Figures) -> dict[tuple[str, str, str], Figures]:
    return {
        (chain["code"], indicator["code"], value["period"]): value
        for chain in figures["chains"]
        for goal in chain["goals"]
        for indicator in goal["indicators"]
        for value in indicator["values"]
    }


@dataclass
class Difference:
    """A difference in words: ``NL, Open cases past their legal term, first half of 2026: …``."""

    text: str


def describe(changes: list[dict[str, Any]], figures: Figures) -> list[Difference]:
    """The differences as sentences in the active language, with the values formatted."""
    language = "en" if (translation.get_language() or "nl").startswith("en") else "nl"
    indicators = {
        indicator["code"]: indicator
        for chain in figures["chains"]
        for goal in chain["goals"]
        for indicator in goal["indicators"]
    }
    out = []
    for change in changes:
        indicator = indicators.get(change["indicator"], {})
        unit = indicator.get("unit", "")
        out.append(Difference(_("%(chain)s, %(indicator)s, %(when)s: %(before)s, now %(after)s") % {
            "chain": change["chain"],
            "indicator": indicator.get(f"name_{language}", change["indicator"]),
            "when": half_phrase(change["period"]),
            "before": _with_signal(format_number(change["before"], unit), change["signal_before"]),
            "after": _with_signal(format_number(change["after"], unit), change["signal_after"]),
        }))  # fmt: skip
    return out


def _with_signal(value: str, signal: str | None) -> str:
    return f"{value} ({signal_word(signal)})" if signal and signal != Signal.NONE else value


def render_document(
    figures: Figures, *, language: str, version: int | None = None, published: date | None = None
) -> str:
    """The report as a standalone HTML document (``<html lang>``, a title) for WeasyPrint."""
    report = present(figures, language=language, version=version, published=published)
    with translation.override(language):
        return render_to_string("reports/half_year_document.html", {"report": report})


def render_pdf(
    figures: Figures, *, language: str, version: int | None = None, published: date | None = None
) -> bytes:
    """The report as a tagged PDF (PDF/UA-1) in ``language``, made without a browser."""
    # Imported here: WeasyPrint loads pango when imported, which only printing needs.
    from weasyprint import CSS, HTML

    stylesheet = finders.find(STYLESHEET)
    assert isinstance(stylesheet, str), f"{STYLESHEET} is missing from the static files"
    html = render_document(figures, language=language, version=version, published=published)
    pdf = HTML(string=html).write_pdf(
        stylesheets=[CSS(filename=stylesheet)], pdf_variant="pdf/ua-1"
    )
    assert pdf is not None
    return pdf


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
