"""Looking ahead for the weekly report: the baseline scenario a few months on.

The chain's ``Baseline`` preset (or the defaults, when an administrator removed it) runs with
a fixed seed and a modest number of paths, so that the same data gives the same report. It
answers the open cases past their term and the reception occupancy (persons in reception over
the reception capacity known at the origin) in ``months`` months.
"""

from __future__ import annotations

from dataclasses import dataclass

from scenarios import months as month_labels
from scenarios.inputs import InvalidInputs
from scenarios.models import Preset
from scenarios.presets import BASELINE
from scenarios.selectors import monthly_actuals
from scenarios.services import result_json, run_scenario

PATHS = 200
SEED = 2023
MONTHS = 3


@dataclass(frozen=True)
class Ahead:
    """One figure now (at the origin) and its median and band ``months`` months on."""

    now: float | None
    p10: float | None
    p50: float | None
    p90: float | None


@dataclass(frozen=True)
class Outlook:
    """The baseline scenario's view ``months`` months after ``origin`` (a month label)."""

    origin: str
    month: str
    over_term: Ahead
    occupancy: Ahead


def _share(value: float | None, capacity: float | None) -> float | None:
    return value / capacity if value is not None and capacity else None


def _band(value: object) -> dict[str, float | None]:
    if isinstance(value, dict):
        return value
    number = value if isinstance(value, int | float) else None
    return {"p10": number, "p50": number, "p90": number}


def looking_ahead(*, chain: str, months: int = MONTHS) -> Outlook | None:
    """The chain's outlook, or None when the chain has no data to start from."""
    preset = Preset.objects.filter(chain_id=chain, name=BASELINE).first()
    data = {**(preset.inputs if preset else {}), "chain": chain}
    data.update(horizon=months, paths=PATHS, seed=SEED)
    data.pop("origin", None)
    try:
        answer = result_json(run_scenario(data=data))
    except InvalidInputs:
        return None
    origin = month_labels.parse_month(answer["inputs"]["origin"]) or 0
    actuals = monthly_actuals(chain=chain, first=origin, last=origin)
    origin_label = month_labels.label(origin)
    capacity = actuals.of("reception_capacity", origin_label)
    last = answer["months"][-1]

    over = _band(last["open_cases_over_term"])
    people = _band(last["in_reception"])
    occupied = {key: _share(value, capacity) for key, value in people.items()}
    return Outlook(
        origin=origin_label,
        month=last["month"],
        over_term=Ahead(now=actuals.of("open_cases_over_term", origin_label), p10=over["p10"],
                        p50=over["p50"], p90=over["p90"]),
        occupancy=Ahead(now=_share(actuals.of("in_reception", origin_label), capacity),
                        p10=occupied["p10"], p50=occupied["p50"], p90=occupied["p90"]),
    )  # fmt: skip
