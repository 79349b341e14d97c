"""Checking a scenario's inputs: defaults completed, every bad field named at once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from scenarios import months
from scenarios.inputs import InvalidInputs, ScenarioInputs, check_inputs

TODAY = date(2026, 1, 10)
FIRST = months.parse_month("2022-01")
KNOWN = frozenset({"AFG", "SYR", "YEM"})


def checked(**data: Any) -> ScenarioInputs:
    return check_inputs(
        data={"chain": "NL", **data}, today=TODAY, first_month=FIRST, nationalities=KNOWN
    )


def errors(**data: Any) -> dict[str, str]:
    with pytest.raises(InvalidInputs) as raised:
        checked(**data)
    return raised.value.errors


def test_everything_but_the_chain_has_a_default() -> None:
    inputs = checked()
    assert months.label(inputs.origin) == "2025-12"
    assert (inputs.horizon, inputs.paths, inputs.window) == (12, 500, 12)
    assert inputs.inflow_kind == "baseline"
    assert inputs.policy == "fifo"
    assert inputs.fte is None and inputs.productivity is None
    assert inputs.fast_track_nationalities == () and inputs.term_rules == ()
    assert inputs.notice_rate == 1 and inputs.notice_lag_days == 0
    assert inputs.planning_norm == Decimal("0.96")
    assert isinstance(inputs.seed, int)


def test_the_default_origin_is_the_last_complete_month_even_on_the_first_of_a_month() -> None:
    inputs = check_inputs(data={"chain": "BE"}, today=date(2026, 3, 1), first_month=FIRST,
                          nationalities=KNOWN)  # fmt: skip
    assert months.label(inputs.origin) == "2026-02"


def test_numbers_are_kept_as_their_decimal_values() -> None:
    inputs = checked(policy={"kind": "over_term_share", "share": 0.145},
                     inflow={"annual": 67000.5})  # fmt: skip
    assert inputs.share * 100 == Decimal("14.5")
    assert inputs.inflow_annual == Decimal("67000.5")


def test_a_single_fte_holds_for_every_month_and_a_list_is_taken_as_given() -> None:
    assert checked(horizon=3, capacity={"fte": 850}).fte == (850, 850, 850)
    assert checked(horizon=2, capacity={"fte": [1, 2.5]}).fte == (1, Decimal("2.5"))


def test_it_rejects_a_chain_it_does_not_know() -> None:
    assert errors(chain="DE") == {"chain": "must be one of NL, BE"}


def test_it_names_every_bad_field_at_once() -> None:
    found = errors(
        horizon=37, paths=5001, origin="2026-01", inflow={"monthly": [1, -2]},
        capacity={"fte": [1, 2], "hires": [{"month": "2025-11", "fte": 1, "ramp_months": 0}]},
        policy={"kind": "random", "share": 1.2},
        fast_track={"nationalities": ["XYZ"], "extra_decisions_per_month": -1},
        term_rules=[{"lodged_from": "2025-06-01", "months": 6},
                    {"lodged_from": "2025-06-01", "months": 9}],
        penalty={"notice_rate": 1.5, "notice_lag_days": -1},
        reception={"planning_norm": 0},
        overrides={"foo": 1, "grant_share": {"4": 1.7, "9": 0.5}, "departure_rate": -0.1,
                   "seasonal_profile": [1, 2]},
        colour="blue",
    )  # fmt: skip
    assert set(found) == {
        "horizon", "paths", "origin", "capacity.hires[0].month", "capacity.hires[0].ramp_months",
        "policy.kind", "policy.share", "fast_track.nationalities",
        "fast_track.extra_decisions_per_month", "term_rules[1].lodged_from",
        "penalty.notice_rate", "penalty.notice_lag_days", "reception.planning_norm",
        "overrides.foo", "overrides.grant_share.4", "overrides.grant_share.9",
        "overrides.departure_rate", "overrides.seasonal_profile", "colour", "inflow.monthly[1]",
    }  # fmt: skip
    assert found["overrides.foo"] == "unknown parameter"
    assert found["fast_track.nationalities"] == "unknown nationality: XYZ"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"horizon": 0}, "horizon"),
        ({"horizon": 1.5}, "horizon"),
        ({"paths": 0}, "paths"),
        ({"paths": 5001}, "paths"),
        ({"origin": "2026-01"}, "origin"),  # the current month is not complete
        ({"origin": "2021-12"}, "origin"),  # before the chain's data
        ({"origin": "2025-13"}, "origin"),
        ({"window": 0}, "window"),
        ({"inflow": {"annual": -1}}, "inflow.annual"),
        ({"inflow": {"monthly": [1, 2]}}, "inflow.monthly"),  # 12 months asked
        ({"inflow": {"monthly": [1] * 11 + [-1]}}, "inflow.monthly[11]"),
        ({"inflow": {"annual": 1, "baseline": True}}, "inflow"),
        ({"inflow": {"baseline": False}}, "inflow.baseline"),
        ({"capacity": {"fte": [1, 2]}}, "capacity.fte"),
        ({"capacity": {"fte": -1}}, "capacity.fte"),
        ({"capacity": {"productivity": "many"}}, "capacity.productivity"),
        ({"capacity": {"productivity": "3.1"}}, "capacity.productivity"),
        ({"policy": {"kind": "over_term_share", "share": -0.1}}, "policy.share"),
        ({"penalty": {"notice_rate": 1.01}}, "penalty.notice_rate"),
        ({"reception": {"planning_norm": 0}}, "reception.planning_norm"),
        ({"reception": {"planning_norm": 1.2}}, "reception.planning_norm"),
        ({"fast_track": {"nationalities": ["syr"]}}, "fast_track.nationalities"),
        ({"term_rules": [{"lodged_from": "June", "months": 6}]}, "term_rules[0].lodged_from"),
        ({"term_rules": [{"lodged_from": "2025-06-01", "months": 0}]}, "term_rules[0].months"),
        ({"overrides": {"track_shares": {"7": 0.5}}}, "overrides.track_shares.7"),
        ({"overrides": {"nationality_shares": {"XYZ": 0.5}}}, "overrides.nationality_shares.XYZ"),
        ({"overrides": {"reception_entry_share": 2}}, "overrides.reception_entry_share"),
        ({"overrides": {"status_holder_leave_rate": 2}}, "overrides.status_holder_leave_rate"),
        ({"overrides": {"productivity": -3}}, "overrides.productivity"),
        ({"overrides": {"inflow_monthly_mean": True}}, "overrides.inflow_monthly_mean"),
    ],
)
def test_it_rejects_each_bad_input_naming_its_field(data: dict[str, Any], field: str) -> None:
    assert field in errors(**data)


def test_an_origin_is_refused_when_the_chain_has_no_data() -> None:
    with pytest.raises(InvalidInputs) as raised:
        check_inputs(data={"chain": "NL"}, today=TODAY, first_month=None, nationalities=KNOWN)
    assert set(raised.value.errors) == {"origin"}


def test_term_rules_come_sorted_by_their_date() -> None:
    inputs = checked(term_rules=[{"lodged_from": "2025-06-01", "months": 6},
                                 {"lodged_from": "2024-01-01", "months": 9}])  # fmt: skip
    assert [r.months for r in inputs.term_rules] == [9, 6]


def test_overrides_are_kept_by_name() -> None:
    inputs = checked(overrides={"grant_share": {"4": 0.7}, "productivity": 3.1})
    assert inputs.overrides["grant_share"] == {"4": Decimal("0.7")}
    assert inputs.overrides["productivity"] == Decimal("3.1")
