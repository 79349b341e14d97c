"""What actually happened, month by month, beside a scenario: the chain's stored indicator values.

The history a scenario continues, and the actual figures of a saved scenario whose months have
passed, are the monthly values the engine stored (docs/reference/indicators.md): open cases,
open cases past their term, the median decision lead time and the open return cases as their
values; the persons in reception and the known reception capacity as the numerator and the
denominator of the reception occupancy rate.
"""

from __future__ import annotations

from dataclasses import dataclass

from chain.models import IndicatorValue, PeriodType
from scenarios import months

# Scenario figure -> (indicator code, which stored number).
ACTUALS: dict[str, tuple[str, str]] = {
    "open_cases": ("open_cases", "value"),
    "open_cases_over_term": ("open_cases_over_term", "value"),
    "decision_lead_time_median": ("decision_lead_time_median", "value"),
    "in_reception": ("reception_occupancy_rate", "numerator"),
    "reception_capacity": ("reception_occupancy_rate", "denominator"),
    "open_return_cases": ("open_return_cases", "value"),
}
OCCUPANCY = "reception_occupancy_rate"


@dataclass(frozen=True)
class Actuals:
    """Per figure, the actual value of each month (``YYYY-MM``) that has one."""

    values: dict[str, dict[str, float]]

    def of(self, figure: str, month: str) -> float | None:
        return self.values.get(figure, {}).get(month)

    def latest(self, figure: str, *, until: str) -> float | None:
        """The figure's value in the latest month up to ``until`` that has one."""
        found = [m for m in self.values.get(figure, {}) if m <= until]
        return self.values[figure][max(found)] if found else None


def monthly_actuals(*, chain: str, first: int, last: int) -> Actuals:
    """The chain's stored monthly values (all tracks together) from ``first`` to ``last``."""
    codes = {code for code, _ in ACTUALS.values()}
    rows = IndicatorValue.objects.filter(
        indicator__code__in=codes, chain_id=chain, period_type=PeriodType.MONTH, track="",
        nationality="", suppressed="", period__gte=months.label(first),
        period__lte=months.label(last),
    ).values_list("indicator__code", "period", "value", "numerator", "denominator")  # fmt: skip
    values: dict[str, dict[str, float]] = {figure: {} for figure in ACTUALS}
    for code, period, value, numerator, denominator in rows:
        stored = {"value": value, "numerator": numerator, "denominator": denominator}
        for figure, (wanted, which) in ACTUALS.items():
            number = stored[which]
            if wanted == code and number is not None:
                values[figure][period] = float(number)
    return Actuals(values=values)
