"""The scenario page's form: the inputs of docs/reference/scenarios.md as fields, both ways.

``ScenarioForm.inputs()`` writes the scenario JSON the model checks; the model's error dict
(field path → message) comes back onto the fields with ``add_model_errors``. ``initial_from``
fills the form from a preset's or a saved scenario's inputs.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.forms import CHAIN_CHOICES
from scenarios.inputs import POLICIES
from scenarios.models import Preset

INFLOW_CHOICES = [
    ("baseline", gettext_lazy("Forecast from the chain's own history")),
    ("annual", gettext_lazy("A number a year (with the seasonal pattern)")),
    ("monthly", gettext_lazy("A number for every month")),
]
POLICY_CHOICES = list(
    zip(
        POLICIES,
        [
            gettext_lazy("First in, first out"),
            gettext_lazy("A share of the capacity on cases past their term"),
            gettext_lazy("Last in, first out"),
        ],
        strict=True,
    )
)
# Where each of the model's field paths is shown on the form (the longest prefix wins).
FIELD_OF = {
    "chain": "chain", "origin": "origin", "horizon": "horizon", "paths": "paths",
    "seed": "seed", "inflow": "inflow_kind", "inflow.annual": "inflow_annual",
    "inflow.monthly": "inflow_monthly", "capacity.fte": "fte",
    "capacity.productivity": "productivity", "capacity.hires": "hires", "policy.kind": "policy",
    "policy.share": "share", "fast_track": "fast_nationalities",
    "fast_track.nationalities": "fast_nationalities",
    "fast_track.extra_decisions_per_month": "fast_extra", "term_rules": "term_from",
    "penalty.notice_rate": "notice_rate", "penalty.notice_lag_days": "notice_lag_days",
    "reception.planning_norm": "planning_norm",
}  # fmt: skip
# The model's messages (English, as the API answers them) in the page's language.
MESSAGES = (
    (r"must be from (?P<low>\S+) to (?P<high>\S+)",
     gettext_lazy("must be from %(low)s to %(high)s")),
    (r"must be at least (?P<low>\S+)", gettext_lazy("must be at least %(low)s")),
    (r"must be above (?P<low>\S+) and at most (?P<high>\S+)",
     gettext_lazy("must be above %(low)s and at most %(high)s")),
    (r"must be above (?P<low>\S+)", gettext_lazy("must be above %(low)s")),
    (r"must be a number", gettext_lazy("must be a number")),
    (r"must be a whole number", gettext_lazy("must be a whole number")),
    (r"unknown nationality: (?P<codes>.+)", gettext_lazy("unknown nationality: %(codes)s")),
    (r"must name at least one nationality", gettext_lazy("must name at least one nationality")),
    (r"must be a month written YYYY-MM", gettext_lazy("must be a month written as 2025-12")),
    (r"must be a complete month in the past",
     gettext_lazy("must be a complete month in the past")),
    (r"lies before the chain's data", gettext_lazy("lies before the chain's data")),
    (r"the chain has no data before the last complete month",
     gettext_lazy("the chain has no data before the last complete month")),
    (r"must lie after the origin", gettext_lazy("must lie after the origin")),
    (r"must hold (?P<count>\d+) numbers, one per month of the horizon",
     gettext_lazy("must hold %(count)s numbers, one per month ahead")),
)  # fmt: skip
_HIRE = re.compile(r"(\d{4}-\d{2})\s+(\S+)(?:\s+(\d+))?")


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _numbers(text: str) -> list[str]:
    """Numbers written one after another: ``3400; 3500`` or on lines (a comma is a decimal)."""
    return [part for part in re.split(r"[;\s]+", text.strip()) if part]


class ScenarioForm(forms.Form):
    """A scenario's inputs. Numbers are read the way the active language writes them."""

    chain = forms.ChoiceField(label=gettext_lazy("Chain"), choices=CHAIN_CHOICES)
    origin = forms.RegexField(
        label=gettext_lazy("Origin (last month known)"), regex=r"^\d{4}-\d{2}$", required=False,
        help_text=gettext_lazy("Written as 2025-12; empty: the last complete month."),
    )  # fmt: skip
    horizon = forms.IntegerField(label=gettext_lazy("Months ahead"), initial=12)
    paths = forms.IntegerField(
        label=gettext_lazy("Paths"), initial=500,
        help_text=gettext_lazy("1: one expected course; more: a band of uncertainty."),
    )  # fmt: skip
    seed = forms.IntegerField(
        label=gettext_lazy("Seed"), required=False,
        help_text=gettext_lazy("The same seed gives the same band; empty: a new one."),
    )  # fmt: skip
    inflow_kind = forms.ChoiceField(
        label=gettext_lazy("Inflow"), choices=INFLOW_CHOICES, initial="baseline",
        widget=forms.RadioSelect,
    )  # fmt: skip
    inflow_annual = forms.DecimalField(
        label=gettext_lazy("Applications a year"), required=False, localize=True
    )
    inflow_monthly = forms.CharField(
        label=gettext_lazy("Applications per month"), required=False,
        help_text=gettext_lazy("One number per month ahead, separated by spaces or semicolons."),
    )  # fmt: skip
    fte = forms.DecimalField(
        label=gettext_lazy("Decision staff (FTE)"), required=False, localize=True,
        help_text=gettext_lazy("Empty: the latest measured."),
    )  # fmt: skip
    productivity = forms.DecimalField(
        label=gettext_lazy("Decisions per FTE a month"), required=False, localize=True,
        help_text=gettext_lazy("Empty: calibrated from the history."),
    )  # fmt: skip
    hires = forms.CharField(
        label=gettext_lazy("Hires"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One a line: month, FTE, months until fully productive (2027-03 100 9)."
        ),
    )  # fmt: skip
    policy = forms.ChoiceField(label=gettext_lazy("Order of decisions"), choices=POLICY_CHOICES)
    share = forms.DecimalField(
        label=gettext_lazy("Share on cases past their term"), initial=Decimal("0.7"),
        localize=True, help_text=gettext_lazy("From 0 to 1; used with that order only."),
    )  # fmt: skip
    fast_nationalities = forms.CharField(
        label=gettext_lazy("Fast track: nationalities"), required=False,
        help_text=gettext_lazy("Codes separated by spaces, such as SYR YEM."),
    )  # fmt: skip
    fast_extra = forms.DecimalField(
        label=gettext_lazy("Fast track: extra decisions a month"), required=False, localize=True
    )
    term_from = forms.DateField(
        label=gettext_lazy("Term rule: cases lodged from"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    term_months = forms.IntegerField(label=gettext_lazy("Term rule: months"), required=False)
    notice_rate = forms.DecimalField(
        label=gettext_lazy("Share of cases past term that send a notice of default"),
        initial=Decimal("1"), localize=True,
    )  # fmt: skip
    notice_lag_days = forms.IntegerField(
        label=gettext_lazy("Days from the deadline to the notice"), initial=0
    )
    planning_norm = forms.DecimalField(
        label=gettext_lazy("Planning norm (occupancy)"), initial=Decimal("0.96"), localize=True
    )

    GROUPS = (
        (gettext_lazy("Scenario"), ("chain", "origin", "horizon", "paths", "seed")),
        (gettext_lazy("Inflow"), ("inflow_kind", "inflow_annual", "inflow_monthly")),
        (gettext_lazy("Decision capacity"), ("fte", "productivity", "hires")),
        (gettext_lazy("Policy"), ("policy", "share", "fast_nationalities", "fast_extra",
                                  "term_from", "term_months")),
        (gettext_lazy("Penalties and reception"), ("notice_rate", "notice_lag_days",
                                                   "planning_norm")),
    )  # fmt: skip

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The fields in the groups the page shows them in, each under its legend."""
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("term_from")) != bool(cleaned.get("term_months")):
            self.add_error("term_months", _("Give both the date and the months of a term rule."))
        if cleaned.get("hires"):
            for line in cleaned["hires"].splitlines():
                found = _HIRE.fullmatch(line.strip())
                if line.strip() and (not found or _decimal(found.group(2)) is None):
                    self.add_error("hires", _("“%(line)s” is not a hire.") % {"line": line})
        monthly = [_decimal(v) for v in _numbers(cleaned.get("inflow_monthly") or "")]
        if None in monthly:
            self.add_error("inflow_monthly", _("Write one number per month."))
        return cleaned

    def inputs(self) -> dict[str, Any]:
        """The scenario's JSON; the model checks the values themselves."""
        c = self.cleaned_data
        data: dict[str, Any] = {"chain": c["chain"], "horizon": c["horizon"], "paths": c["paths"]}
        if c.get("origin"):
            data["origin"] = c["origin"]
        if c.get("seed") is not None:
            data["seed"] = c["seed"]
        kind = c["inflow_kind"]
        if kind == "annual":
            data["inflow"] = {"annual": _number(c.get("inflow_annual"))}
        elif kind == "monthly":
            data["inflow"] = {"monthly": [_decimal(v) for v in _numbers(c["inflow_monthly"])]}
        else:
            data["inflow"] = {"baseline": True}
        capacity: dict[str, Any] = {}
        if c.get("fte") is not None:
            capacity["fte"] = _number(c["fte"])
        if c.get("productivity") is not None:
            capacity["productivity"] = _number(c["productivity"])
        hires = []
        for line in (c.get("hires") or "").splitlines():
            found = _HIRE.fullmatch(line.strip())
            if found:
                month, fte, ramp = found.groups()
                hires.append({"month": month, "fte": _decimal(fte),
                              "ramp_months": int(ramp) if ramp else 1})  # fmt: skip
        if hires:
            capacity["hires"] = hires
        if capacity:
            data["capacity"] = capacity
        data["policy"] = {"kind": c["policy"], "share": _number(c["share"])}
        nationalities = (c.get("fast_nationalities") or "").upper().split()
        if nationalities or c.get("fast_extra"):
            data["fast_track"] = {
                "nationalities": nationalities,
                "extra_decisions_per_month": _number(c.get("fast_extra")) or 0,
            }
        if c.get("term_from") and c.get("term_months"):
            data["term_rules"] = [
                {"lodged_from": c["term_from"].isoformat(), "months": c["term_months"]}
            ]
        data["penalty"] = {
            "notice_rate": _number(c["notice_rate"]), "notice_lag_days": c["notice_lag_days"],
        }  # fmt: skip
        data["reception"] = {"planning_norm": _number(c["planning_norm"])}
        return data

    def add_model_errors(self, errors: dict[str, str]) -> None:
        """The model's errors on the fields they are about, in the page's language; one about
        no field of the form names its path."""
        for path, message in errors.items():
            base = re.sub(r"\[\d+\].*$", "", path)
            while base and base not in FIELD_OF:
                base = base.rpartition(".")[0]
            field = FIELD_OF.get(base)
            text = translated(message)
            if field is not None and field in self.fields:
                self.add_error(field, text if base == path else f"{path}: {text}")
            else:
                self.add_error(None, f"{path}: {text}" if path else text)


def translated(message: str) -> str:
    """One of the model's messages in the active language (as it is if not known)."""
    for pattern, text in MESSAGES:
        found = re.fullmatch(pattern, message)
        if found:
            return str(text) % found.groupdict() if found.groupdict() else str(text)
    return message


def _decimal(text: str) -> int | float | None:
    """A number as written, the active language's decimal comma read as a point."""
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return _number(number) if number.is_finite() else None


def initial_from(inputs: dict[str, Any], *, chain: str) -> dict[str, Any]:
    """The form's values for a preset's or a saved scenario's inputs."""
    initial: dict[str, Any] = {"chain": chain}
    for key in ("origin", "horizon", "paths", "seed"):
        if key in inputs:
            initial[key] = inputs[key]
    inflow = inputs.get("inflow") or {}
    if "annual" in inflow:
        initial.update(inflow_kind="annual", inflow_annual=inflow["annual"])
    elif "monthly" in inflow:
        initial.update(
            inflow_kind="monthly", inflow_monthly="; ".join(str(v) for v in inflow["monthly"])
        )
    else:
        initial["inflow_kind"] = "baseline"
    capacity = inputs.get("capacity") or {}
    if isinstance(capacity.get("fte"), int | float):
        initial["fte"] = capacity["fte"]
    if "productivity" in capacity:
        initial["productivity"] = capacity["productivity"]
    initial["hires"] = "\n".join(
        f"{h['month']} {h['fte']} {h.get('ramp_months', 1)}" for h in capacity.get("hires", [])
    )
    policy = inputs.get("policy") or {}
    initial["policy"] = policy.get("kind", "fifo")
    if "share" in policy:
        initial["share"] = policy["share"]
    fast = inputs.get("fast_track") or {}
    if fast.get("nationalities"):
        initial["fast_nationalities"] = " ".join(fast["nationalities"])
        initial["fast_extra"] = fast.get("extra_decisions_per_month")
    rules = inputs.get("term_rules") or []
    if rules:
        initial.update(term_from=rules[-1]["lodged_from"], term_months=rules[-1]["months"])
    penalty = inputs.get("penalty") or {}
    for key in ("notice_rate", "notice_lag_days"):
        if key in penalty:
            initial[key] = penalty[key]
    if "planning_norm" in (inputs.get("reception") or {}):
        initial["planning_norm"] = inputs["reception"]["planning_norm"]
    return initial


def preset_choices() -> list[tuple[str, str]]:
    """Every preset, named with its chain."""
    return [(str(p.pk), f"{p.chain_id} · {p.name}") for p in Preset.objects.all()]
