"""The scenario pages: run a scenario, save it, look at saved ones and compare up to three.

``/scenarios/`` takes the inputs as GET parameters (a run is a question, and its URL can be
shared; the seed makes it repeatable), ``/scenarios/save/`` keeps a run, ``/scenarios/<id>/`` is
a saved scenario's permalink with its forecast against what actually happened, and
``/scenarios/compare/?id=…`` shows up to three saved scenarios side by side. The model is
``scenarios.services``; what actually happened is ``scenarios.selectors``.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.access import dashboard_view
from chain import clock
from chain.vocabulary import COUNT, DAYS
from dashboard import figures
from dashboard.scenario_forms import ScenarioForm, initial_from, preset_choices
from scenarios import months
from scenarios.exports import answer_rows, columns
from scenarios.inputs import InvalidInputs, default_origin
from scenarios.models import Preset, SavedScenario
from scenarios.saved import chains_of_user, save_answer, visible_scenarios
from scenarios.selectors import Actuals, monthly_actuals
from scenarios.services import result_json, run_scenario

MAX_COMPARED = 3
HISTORY_MONTHS = 24
EUR = "eur"


@dataclass(frozen=True)
class Chart:
    """A chart of the page: the figure it draws, its history, and how its values read."""

    key: str
    title: Any
    unit: str
    history: bool = True


CHARTS = (
    Chart("open_cases", gettext_lazy("Open cases"), COUNT),
    Chart("open_cases_over_term", gettext_lazy("Open cases past their term"), COUNT),
    Chart("decision_lead_time_median", gettext_lazy("Median decision lead time"), DAYS),
    Chart("penalty_exposure_eur", gettext_lazy("Penalty exposure per month"), EUR, False),
    Chart("penalty_cumulative_eur", gettext_lazy("Penalty exposure, cumulative"), EUR, False),
    Chart("in_reception", gettext_lazy("Persons in reception"), COUNT),
    Chart("open_return_cases", gettext_lazy("Open return cases"), COUNT),
)
# The figures whose forecast is set against what happened once their months have passed.
CHECKED = ("open_cases", "open_cases_over_term", "in_reception", "open_return_cases")


@dataclass(frozen=True)
class Shown:
    """A scenario on the page: a fresh run (``saved`` None) or a saved one."""

    name: str
    answer: dict[str, Any]
    saved: SavedScenario | None = None

    @property
    def months(self) -> list[str]:
        return [m["month"] for m in self.answer["months"]]

    def band(self, figure: str, month: str) -> dict[str, float | None] | None:
        for row in self.answer["months"]:
            if row["month"] == month:
                return _band(row.get(figure))
        return None


def _band(value: Any) -> dict[str, float | None]:
    if isinstance(value, dict):
        return value
    return {"p10": value, "p50": value, "p90": value, "mean": value}


def _figure(name: str, built: Any) -> dict[str, Any]:
    return {"id": f"figure-{name}", "json": figures.script_json(built.to_json())}


def _charts(shown: list[Shown]) -> tuple[list[dict[str, Any]], Actuals, str]:
    """Each chart's figure and table, with the actual history and the months since."""
    chain = shown[0].answer["inputs"]["chain"]
    last = default_origin(clock.today())
    origins = [months.parse_month(s.answer["inputs"]["origin"]) or last for s in shown]
    first = min(origins) - HISTORY_MONTHS + 1
    actuals = monthly_actuals(chain=chain, first=first, last=last)
    ahead = sorted({m for s in shown for m in s.months})
    history = [months.label(m) for m in range(first, last + 1)]
    axis = sorted(set(history) | set(ahead))
    last_label = months.label(last)
    charts = []
    for chart in CHARTS:
        fans = [(s.name, s.months, [_band(r.get(chart.key)) for r in s.answer["months"]])
                for s in shown]  # fmt: skip
        extra: list[tuple[str, list[str], list[float | None]]] = []
        if chart.key == "in_reception":
            extra = [
                (_("%(name)s: places needed") % {"name": s.name}, s.months,
                 [_band(r.get("places_needed")).get("p50") for r in s.answer["months"]])
                for s in shown
            ]  # fmt: skip
            capacity = actuals.latest("reception_capacity", until=last_label)
            extra.append((
                _("Known reception capacity"), axis,
                [actuals.of("reception_capacity", m) if m <= last_label else capacity
                 for m in axis],
            ))  # fmt: skip
        figure = figures.fan_figure(
            months=axis,
            history=[actuals.of(chart.key, m) for m in axis] if chart.history else None,
            history_name=_("Actual"), fans=fans, unit=COUNT if chart.unit == EUR else chart.unit,
            extra=extra,
        )  # fmt: skip
        rows = []
        for month in ahead:
            cells = []
            for s in shown:
                band = s.band(chart.key, month)
                places = s.band("places_needed", month) if chart.key == "in_reception" else None
                cells.append({"band": band, "places": places})
            actual = actuals.of(chart.key, month) if chart.history and month <= last_label else None
            capacity_then = (
                (actuals.of("reception_capacity", month) if month <= last_label else capacity)
                if chart.key == "in_reception" else None
            )  # fmt: skip
            rows.append({"month": month, "cells": cells, "actual": actual,
                         "capacity": capacity_then})  # fmt: skip
        charts.append({
            "chart": chart, "figure": _figure(chart.key, figure), "rows": rows,
            "reception": chart.key == "in_reception", "euros": chart.unit == EUR,
            "unit": COUNT if chart.unit == EUR else chart.unit,
        })  # fmt: skip
    return charts, actuals, last_label


def _checked(shown: list[Shown], actuals: Actuals, last: str) -> list[dict[str, Any]]:
    """Per saved scenario and figure: the months passed, the mean absolute percentage error
    of the median and how often the actual value lay in the p10-p90 band."""
    found = []
    for s in shown:
        passed = [m for m in s.months if m <= last]
        if s.saved is None or not passed:
            continue
        for figure in CHECKED:
            pairs = []
            for month in passed:
                band, actual = s.band(figure, month), actuals.of(figure, month)
                if band is not None and actual is not None:
                    pairs.append((band, actual))
            if not pairs:
                continue
            errors = [abs((b["p50"] or 0) - a) / a for b, a in pairs if a]
            inside = [(b["p10"] or 0) <= a <= (b["p90"] or 0) for b, a in pairs]
            found.append({
                "scenario": s.name, "figure": next(c.title for c in CHARTS if c.key == figure),
                "months": len(pairs), "mape": sum(errors) / len(errors) if errors else None,
                "inside": sum(inside) / len(inside),
            })  # fmt: skip
    return found


def _saved_list(request: HttpRequest) -> list[SavedScenario]:
    return list(visible_scenarios(chains=chains_of_user(request.user), author=request.user)[:50])


def _results(request: HttpRequest, shown: list[Shown]) -> dict[str, Any]:
    charts, actuals, last = _charts(shown)
    return {
        "shown": shown,
        "charts": charts,
        "checked": _checked(shown, actuals, last),
        "last_complete": last,
    }


def _csv(answer: dict[str, Any], name: str) -> HttpResponse:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(answer), lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        {k: "" if v is None else v for k, v in row.items()} for row in answer_rows(answer)
    )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@dashboard_view
@require_GET
def scenarios(request: HttpRequest) -> HttpResponse:
    """Pick a chain and a preset or edit the inputs, run, and see the fan charts."""
    context: dict[str, Any] = {"presets": preset_choices(), "saved": _saved_list(request)}
    preset_id = request.GET.get("preset")
    if "run" not in request.GET:
        initial: dict[str, Any] = {"chain": request.GET.get("chain") or "NL"}
        if preset_id:
            preset = Preset.objects.filter(pk=preset_id).first() if preset_id.isdigit() else None
            if preset is None:
                context["form"] = ScenarioForm(initial=initial)
                context["problems"] = [_("There is no such preset.")]
                return render(request, "dashboard/scenarios.html", context, status=400)
            initial = initial_from(preset.inputs, chain=preset.chain_id)
            context["preset"] = preset
        context["form"] = ScenarioForm(initial=initial)
        return render(request, "dashboard/scenarios.html", context)
    form = ScenarioForm(request.GET)
    context["form"] = form
    if not form.is_valid():
        return render(request, "dashboard/scenarios.html", context, status=400)
    try:
        result = run_scenario(data=form.inputs())
    except InvalidInputs as err:
        form.add_model_errors(err.errors)
        return render(request, "dashboard/scenarios.html", context, status=400)
    answer = result_json(result)
    name = _("This run")
    if request.GET.get("format") == "csv":
        return _csv(answer, f"scenario-{answer['inputs']['chain']}-{answer['inputs']['origin']}")
    context.update(_results(request, [Shown(name=name, answer=answer)]))
    context["inputs_json"] = json.dumps(answer["inputs"])
    context["csv_url"] = request.get_full_path() + "&format=csv"
    return render(request, "dashboard/scenarios.html", context)


@dashboard_view
@require_POST
def scenario_save(request: HttpRequest) -> HttpResponse:
    """Run the completed inputs again (the same seed: the same figures) and keep them."""
    try:
        data = json.loads(request.POST.get("inputs", ""))
        result = run_scenario(data=data)
    except (ValueError, InvalidInputs) as err:
        problems = (
            [f"{k}: {v}" for k, v in err.errors.items()]
            if isinstance(err, InvalidInputs)
            else [_("The scenario to save is missing or unreadable.")]
        )
        context = {"problems": problems}
        return render(request, "dashboard/bad_request.html", context, status=400)
    saved = save_answer(
        answer=result_json(result), name=request.POST.get("name", ""), author=request.user
    )
    messages.success(request, _("Saved as “%(name)s”.") % {"name": saved.name})
    return HttpResponseRedirect(reverse("dashboard:scenario", args=[saved.pk]))


def _visible(request: HttpRequest, pk: int) -> SavedScenario:
    found = visible_scenarios(chains=chains_of_user(request.user), author=request.user)
    return get_object_or_404(found, pk=pk)


@dashboard_view
@require_GET
def scenario(request: HttpRequest, pk: int) -> HttpResponse:
    """A saved scenario (its permalink): its charts, and its forecast against the actual."""
    saved = _visible(request, pk)
    context = {
        "saved_one": saved,
        "saved": _saved_list(request),
        "csv_url": reverse("api-scenario", args=[saved.pk]) + "?format=csv",
        "form": ScenarioForm(initial=initial_from(saved.inputs, chain=saved.chain_id)),
        **_results(request, [Shown(name=saved.name, answer=saved.answer, saved=saved)]),
    }
    return render(request, "dashboard/scenario.html", context)


@dashboard_view
@require_GET
def scenario_compare(request: HttpRequest) -> HttpResponse:
    """Up to three saved scenarios of one chain side by side."""
    ids = request.GET.getlist("id")
    problems = []
    if not 1 <= len(ids) <= MAX_COMPARED or not all(i.isdigit() for i in ids):
        problems.append(_("Choose one to three saved scenarios to compare."))
    else:
        chosen = [_visible(request, int(i)) for i in ids]
        if len({s.chain_id for s in chosen}) > 1:
            problems.append(_("Scenarios of one chain only can be compared."))
    if problems:
        return render(request, "dashboard/bad_request.html", {"problems": problems}, status=400)
    shown = [Shown(name=s.name, answer=s.answer, saved=s) for s in chosen]
    context = {"saved": _saved_list(request), "compared": chosen, **_results(request, shown)}
    return render(request, "dashboard/scenario.html", context)
