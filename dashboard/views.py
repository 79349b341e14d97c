"""The dashboard pages: overview, indicator detail, chain flow, deadline monitor, ingest status.

Views check the query and hand over: reads live in ``dashboard.selectors`` (on top of
``chain.selectors``), figures in ``dashboard.figures``. A bad query parameter is a 400 page
that says which parameter and why.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import dashboard_view
from chain import clock
from chain.formatting import localized
from chain.indicators.engine import SUPPRESSION_THRESHOLD
from chain.models import PeriodType
from chain.periods import latest_complete, periods_ending
from chain.selectors import (
    bands_for,
    case_flows,
    complete_series,
    indicators_with_bands,
    partner_freshness,
    series_years_before,
)
from dashboard import figures, selectors
from dashboard.forms import (
    SERIES_PERIODS,
    DeadlineQuery,
    FlowQuery,
    IndicatorQuery,
    IngestQuery,
    OverviewQuery,
    QueryForm,
)
from ingest.access import ingest_partners


def _bad_request(request: HttpRequest, query: QueryForm) -> HttpResponse:
    return render(request, "dashboard/bad_request.html", {"problems": query.problems()}, status=400)


def _track_name(track: str) -> str:
    return _("Track %(track)s") % {"track": track} if track else _("All tracks")


def _figure(name: str, params: dict[str, Any], build: Any) -> dict[str, Any]:
    """What ``dashboard/_figure.html`` needs: an element id and the (cached) figure JSON."""
    payload = figures.figure_json(name, params, build)
    return {"id": f"figure-{name}", "json": figures.script_json(payload)}


@dashboard_view
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The chain goals with their indicators as tiles, for one chain or both side by side."""
    query = OverviewQuery(request.GET)
    if not query.is_valid():
        return _bad_request(request, query)
    chains, period = query.cleaned_data["chains"], query.cleaned_data["period"]
    compare = query.cleaned_data["compare"]
    following = period.next()
    context = {
        "query": query,
        "chain": query.cleaned_data["chain"],
        "chains": chains,
        "compare": compare,
        "period": period,
        "previous": period.previous(),
        # The latest complete period is the last one offered: a running one is still filling.
        "following": following if following.end < clock.today() else None,
        "goals": selectors.overview(
            chains=chains, period=period, freshness=partner_freshness(), compare=compare
        ),
        "sparkline_periods": selectors.SPARKLINE_PERIODS,
    }
    return render(request, "dashboard/overview.html", context)


@dashboard_view
@require_GET
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator's series with its signal bands, definition, sources and breakdown."""
    indicator = get_object_or_404(indicators_with_bands(), code=code)
    query = IndicatorQuery(request.GET)
    if not query.is_valid():
        return _bad_request(request, query)
    chain, periods = query.cleaned_data["chain"], query.cleaned_data["periods"]
    series = selectors.track_series(indicator=indicator, chain=chain, periods=periods)
    bands = bands_for(indicator=indicator, chain=chain)
    labels = [p.label for p in periods]
    lines = [(_track_name(s.track), [v.value for v in s.values]) for s in series]
    # All tracks together in the same periods a year before, beside this year's.
    year_before = series_years_before(indicator=indicator, chain=chain, periods=periods, years=1)
    last_year = [year_before[(p.label, "")] for p in periods]
    earlier = (_("All tracks, a year before"), [v.value for v in last_year])
    figure = _figure(
        "series",
        {"indicator": code, "chain": chain, "periods": labels, "earlier": "previous_year"},
        lambda: figures.series_figure(
            x=labels, lines=lines, unit=indicator.unit, bands=bands, earlier=earlier
        ),
    )
    freshness = partner_freshness()
    sources = selectors.sources_of(indicator=indicator, chain=chain, freshness=freshness)
    csv_query = {
        "chain": chain, "period": periods[0].type, "from": periods[0].label,
        "to": periods[-1].label, "compare": "previous_year", "format": "csv",
    }  # fmt: skip
    context = {
        "indicator": indicator,
        "query": query,
        "chain": chain,
        "period_type": periods[0].type,
        "periods": periods,
        "first": periods[0],
        "last": periods[-1],
        "names": [name for name, _values in lines],
        "rows": [
            {"period": p, "values": [s.values[i] for s in series], "last_year": last_year[i]}
            for i, p in enumerate(periods)
        ],
        "bands": bands,
        "figure": figure,
        "sources": sources,
        "stale": any(s.stale for s in sources),
        "nationalities": (
            selectors.nationality_cells(indicator=indicator, chain=chain, period=periods[-1])
            if indicator.by_nationality
            else None
        ),
        "csv_url": reverse("api-indicator-values", args=[code]) + "?" + urlencode(csv_query),
        "threshold": SUPPRESSION_THRESHOLD,
    }
    return render(request, "dashboard/indicator.html", context)


@dashboard_view
@require_GET
def flow(request: HttpRequest) -> HttpResponse:
    """How cases moved between the chain's stages in a date range, and the stocks over time."""
    query = FlowQuery(request.GET)
    if not query.is_valid():
        return _bad_request(request, query)
    chain, start, end = (query.cleaned_data[k] for k in ("chain", "from", "to"))
    months = query.cleaned_data["months"]
    flows = case_flows(chain=chain, start=start, end=end)
    stocks = selectors.stock_indicators()
    series = selectors.stock_series(chain=chain, months=months, indicators=stocks)
    labels = [m.label for m in months]
    # Keyed by the links themselves: case facts change with an ingest, before any recompute.
    links = [(f.source, f.target, f.value) for f in flows]
    sankey = (
        _figure("flow", {"links": links}, lambda: figures.flow_figure(flows)) if links else None
    )
    stock_lines = [(localized(i, "name"), series[i.code]) for i in stocks]
    stock_figure = (
        _figure(
            "stocks",
            {"chain": chain, "months": labels},
            lambda: figures.series_figure(x=labels, lines=stock_lines, unit="count"),
        )
        if stocks
        else None
    )
    context = {
        "query": query,
        "chain": chain,
        "start": start,
        "end": end,
        "flows": flows,
        "sankey": sankey,
        "stocks": stocks,
        "stock_figure": stock_figure,
        "stock_rows": [
            {"month": m, "values": [series[i.code][n] for i in stocks]}
            for n, m in enumerate(months)
        ],
    }
    return render(request, "dashboard/flow.html", context)


@dashboard_view
@require_GET
def deadlines(request: HttpRequest) -> HttpResponse:
    """Open cases against their legal term: by weeks until the deadline, and past term over time."""
    query = DeadlineQuery(request.GET)
    if not query.is_valid():
        return _bad_request(request, query)
    chain, on = query.cleaned_data["chain"], query.cleaned_data["on"]
    summary = selectors.open_cases_by_deadline(chain=chain, on=on)
    due_soon = selectors.DUE_SOON_WEEKS
    # Keyed by the counts themselves: case facts change with an ingest, before any recompute.
    histogram = (
        _figure(
            "deadlines", {"chain": chain, "weeks": summary.weeks},
            lambda: figures.deadline_figure(summary.weeks, due_soon_weeks=due_soon),
        )
        if summary.weeks
        else None
    )  # fmt: skip
    past_term = selectors.past_term_indicator()
    trend = None
    if past_term is not None:
        months = periods_ending(latest_complete(on, PeriodType.MONTH), SERIES_PERIODS)
        values = complete_series(indicator=past_term, chain=chain, periods=months)
        labels = [m.label for m in months]
        trend = {
            "indicator": past_term,
            "rows": list(zip(months, values, strict=True)),
            "figure": _figure(
                "past-term", {"chain": chain, "months": labels},
                lambda: figures.series_figure(
                    x=labels, lines=[(localized(past_term, "name"), [v.value for v in values])],
                    unit=past_term.unit, bands=bands_for(indicator=past_term, chain=chain),
                ),
            ),
        }  # fmt: skip
    context = {
        "query": query,
        "chain": chain,
        "on": on,
        "summary": summary,
        "histogram": histogram,
        "due_soon_weeks": due_soon,
        "trend": trend,
    }
    return render(request, "dashboard/deadlines.html", context)


@login_required
@require_GET
def ingest_status(request: HttpRequest) -> HttpResponse:
    """Each partner's latest deliveries, freshness and rejected rows; partner analysts: own only."""
    allowed = ingest_partners(request.user)
    if allowed is None:
        raise PermissionDenied(_("The ingest status is for administrators and partner analysts."))
    query = IngestQuery(request.GET)
    if not query.is_valid():
        return _bad_request(request, query)
    wanted = query.cleaned_data["partner"]
    if wanted and wanted not in allowed:
        raise PermissionDenied(_("You may see the ingest status of your own organisation only."))
    statuses = selectors.ingest_status(
        partners=[wanted] if wanted else allowed, freshness=partner_freshness()
    )
    context = {"query": query, "allowed": allowed, "partner": wanted, "statuses": statuses}
    return render(request, "dashboard/ingest.html", context)
