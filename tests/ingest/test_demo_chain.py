"""The demo chain behaves like the published one: seasons, the 2022 surge, decisions that follow
the staff, a nationality mix above the small-cell threshold, satisfaction every month, and the
demo catalogue's count bands scaled to its volume."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from statistics import mean, pstdev

import pytest

from chain.catalogue import DEFAULT_PATH
from chain.models import Measurement
from devtools.demo.catalogue import scale_bands
from devtools.demo.decisions import DecisionPlan, Hire, Staffing, month_index
from devtools.demo.delivery import push_demo_measurements
from devtools.demo.simulation import PUBLISHED, Measured, Simulation, day_of
from devtools.demo.writers import PUSH_FOLDER, write_pushes

SCALE = 0.1
END = day_of(2026, 11, 29)  # a Sunday: the simulation ends on one, whatever today is
SUPPRESSION_THRESHOLD = 10  # docs/reference/indicators.md, Small cells
MAIN_GROUPS = ("SYR", "TUR", "ERI", "AFG", "YEM")


def month(year: int, number: int) -> int:
    return year * 12 + number - 1


@dataclass
class DutchChain:
    """What the tests read of the simulated Dutch chain, per month index."""

    lodged: Counter[int] = field(default_factory=Counter)
    by_nationality: Counter[tuple[int, str | None]] = field(default_factory=Counter)
    decided: Counter[int] = field(default_factory=Counter)
    # (lodged, decided) of the general track's cases decided before the end
    general: list[tuple[int, int]] = field(default_factory=list)
    # per granted case: granted, and its reception stays (entered, left or None, reason)
    granted_stays: list[tuple[int, int, int | None, str | None]] = field(default_factory=list)


@pytest.fixture(scope="module")
def simulation() -> Simulation:
    return Simulation(scale=SCALE, seed=20220101, end=END)


@pytest.fixture(scope="module")
def dutch(simulation: Simulation) -> DutchChain:
    chain = DutchChain()
    for step in simulation.steps():
        for case in step.cases:
            if case.chain != "NL":
                continue
            lodged = next((e.day for e in case.events if e.code == "APPLICATION_LODGED"), None)
            if lodged is None:
                continue
            chain.lodged[month_index(lodged)] += 1
            chain.by_nationality[month_index(lodged), case.nationality] += 1
            decision = next(
                (e for e in case.events if e.code.startswith("DECISION_") and e.day >= lodged),
                None,
            )
            if decision is None:
                continue
            chain.decided[month_index(decision.day)] += 1
            if case.track == "4":
                chain.general.append((lodged, decision.day))
            if decision.code == "DECISION_GRANTED":
                entered = next((e.day for e in case.events if e.code == "RECEPTION_ENTERED"), None)
                left = next((e for e in case.events if e.code == "RECEPTION_LEFT"), None)
                if entered is not None:
                    chain.granted_stays.append((
                        decision.day, entered, left.day if left else None,
                        left.reason if left else None,
                    ))  # fmt: skip
    return chain


def test_applications_peak_in_late_summer_and_autumn(dutch: DutchChain) -> None:
    for year in range(2022, 2027):
        autumn = mean(dutch.lodged[month(year, m)] for m in (9, 10, 11))
        spring = mean(dutch.lodged[month(year, m)] for m in (4, 5))
        assert autumn > 1.15 * spring, year


def test_applications_surge_in_2022(dutch: DutchChain) -> None:
    def year(y: int) -> int:
        return sum(dutch.lodged[month(y, m)] for m in range(1, 13))

    assert year(2022) > 1.3 * 24_700 * SCALE  # 2021's published applications
    assert dutch.lodged[month(2022, 10)] > 1.7 * dutch.lodged[month(2022, 1)]


def test_the_years_after_2024_are_neither_flat_nor_a_copy_of_2024(dutch: DutchChain) -> None:
    months = [dutch.lodged[m] for m in range(month(2025, 1), month(2026, 11))]
    assert len(set(months)) > 15
    changes = [b / a - 1 for a, b in pairwise(months)]
    # Real noise, but moderate: a month moves by a few per cent to a few tens of per cent.
    assert 0.04 < pstdev(changes) < 0.25
    assert [dutch.lodged[month(2025, m)] for m in range(1, 13)] != [
        dutch.lodged[month(2024, m)] for m in range(1, 13)
    ]


def test_monthly_decisions_follow_the_measured_staff(
    simulation: Simulation, dutch: DutchChain
) -> None:
    pushed = simulation.measurements()["IND"]
    fte = {month_index(m.day): m.value for m in pushed if m.kind == "DECISION_CAPACITY_FTE"}
    months = [m for m in fte if month(2022, 1) <= m <= month(2026, 10)]
    assert len(months) == 58
    per_fte = [dutch.decided[m] / fte[m] for m in months]
    assert mean(per_fte) == pytest.approx(3.0, rel=0.03)
    assert all(abs(value / 3.0 - 1) < 0.2 for value in per_fte), per_fte
    assert max(fte.values()) > 1.5 * min(fte.values())  # hires, ramped up, and cuts


def test_the_general_track_is_decided_mostly_first_in_first_out(dutch: DutchChain) -> None:
    rng = random.Random(1)
    cases = [case for case in dutch.general if case[0] >= day_of(2022, 1, 1)]
    pairs = [tuple(rng.sample(cases, 2)) for _ in range(5000)]
    ordered = [(a[0] - b[0]) * (a[1] - b[1]) >= 0 for a, b in pairs]
    assert sum(ordered) / len(ordered) > 0.9


def test_the_stock_builds_up_after_the_surge_and_is_worked_off_later(
    simulation: Simulation,
) -> None:
    stock = {m.index: m.open_at_end for m in simulation.plans["NL"].months}
    assert stock[month(2023, 12)] > 2 * stock[month(2021, 12)]
    assert stock[month(2026, 10)] < 0.85 * max(stock.values())


def test_the_main_nationalities_clear_the_small_cell_threshold(dutch: DutchChain) -> None:
    months = [month(y, m) for y in (2024, 2025) for m in range(1, 13)]
    for nationality in MAIN_GROUPS:
        counts = [dutch.by_nationality[m, nationality] for m in months]
        above = sum(count >= SUPPRESSION_THRESHOLD for count in counts)
        assert above >= 0.9 * len(months), (nationality, counts)
    assert min(dutch.by_nationality[m, "SYR"] for m in months) >= 3 * SUPPRESSION_THRESHOLD


def test_every_organisation_pushes_a_satisfaction_score_every_month(
    simulation: Simulation,
) -> None:
    expected = {month(y, m) for y in range(2022, 2027) for m in range(1, 13)}
    expected = {m for m in expected if m <= month(2026, 10)}  # November is not over on the 29th
    pushed = simulation.measurements()
    for organisation in ("IND", "COA", "DVZ", "FEDASIL"):
        scores = [m for m in pushed[organisation] if m.kind == "SATISFACTION_SCORE"]
        assert {month_index(m.day) for m in scores} == expected, organisation
        assert all(1 <= m.value <= 5 for m in scores)
        assert len({m.value for m in scores}) > 10


def test_status_holders_are_housed_at_a_steady_monthly_rate(dutch: DutchChain) -> None:
    rates = []
    for m in range(month(2023, 1), month(2026, 10)):
        first = day_of(m // 12, m % 12 + 1, 1)
        after = day_of((m + 1) // 12, (m + 1) % 12 + 1, 1)
        waiting = housed = 0
        for granted, entered, left, reason in dutch.granted_stays:
            if granted < first and entered < first and (left is None or left >= first):
                waiting += 1
                housed += left is not None and left < after and reason == "HOUSING"
        rates.append(housed / waiting)
    assert 0.08 < mean(rates) < 0.15
    assert pstdev(rates) < 0.03


def test_a_plan_decides_no_more_than_the_staff_can_and_the_earliest_lodged_first() -> None:
    start = day_of(2024, 1, 1)
    lodged = [start] * 300
    staffing = Staffing(base_fte=10, changes=(Hire("2024-02", 10, 2),), productivity=5.0,
                        noise=0.0, quick_share=0.0)  # fmt: skip
    plan = DecisionPlan(
        lodged=lodged, ready=[start + i // 10 for i in range(300)], quick=[False] * 300,
        staffing=staffing, scale=1.0, end=day_of(2024, 3, 31), rng=random.Random(1),
    )  # fmt: skip
    assert [m.fte for m in plan.months] == [10, 15, 20]
    assert [m.decided for m in plan.months] == pytest.approx([50, 75, 100], abs=1)
    taken = sum(m.decided for m in plan.months)
    assert plan.decided[:taken] == sorted(plan.decided[:taken])
    assert all(day > day_of(2024, 3, 31) for day in plan.decided[taken:])


def test_the_demo_catalogue_scales_count_bands_and_nothing_else() -> None:
    catalogue = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    scaled = scale_bands(catalogue, SCALE)
    bands = {
        (i["code"], b.get("chain"), b["signal"]): (b.get("lower"), b.get("upper"))
        for i in scaled["indicators"]
        for b in i["bands"]
    }
    assert bands["open_cases_over_term", "NL", "green"] == (None, 50)
    assert bands["open_cases_over_term", "NL", "amber"] == (None, 200)
    assert bands["open_cases_over_term", "BE", "green"] == (None, 25)
    unscaled = [i for i in catalogue["indicators"] if i["unit"] != "count"]
    assert unscaled == [i for i in scaled["indicators"] if i["unit"] != "count"]
    assert scaled["legal_term_rules"] == catalogue["legal_term_rules"]
    assert scale_bands(catalogue, 1.0) == catalogue


def test_measurements_are_dated_within_the_simulation(simulation: Simulation) -> None:
    pushed: list[Measured] = [m for ms in simulation.measurements().values() for m in ms]
    assert pushed and all(day_of(2022, 1, 1) <= m.day <= END for m in pushed)
    per_kind = defaultdict(set)
    for m in pushed:
        per_kind[m.kind].add(m.day)
    assert set(per_kind) == {"DECISION_CAPACITY_FTE", "SATISFACTION_SCORE"}


def test_at_scale_1_the_chain_matches_the_published_figures() -> None:
    # Every published figure lies before June 2024: a chain generated then is enough.
    simulation = Simulation(scale=1.0, seed=20220101, end=day_of(2024, 6, 2))
    for _ in simulation.steps():
        pass
    generated = simulation.calibration()
    for name, published in PUBLISHED.items():
        assert generated[name] == pytest.approx(published, rel=0.05), name


@pytest.mark.django_db
def test_the_demo_pushes_each_organisations_measurements_with_a_key_of_its_own(
    catalogue: None, simulation: Simulation, tmp_path: Path
) -> None:
    write_pushes(tmp_path / PUSH_FOLDER, simulation)
    assert push_demo_measurements(tmp_path) == dict.fromkeys(
        ["COA", "DVZ", "FEDASIL", "IND"], "accepted"
    )
    stored = Counter(Measurement.objects.values_list("organisation__code", "kind"))
    months = month(2026, 11) - month(2022, 1) + 1
    assert stored == {
        ("IND", "DECISION_CAPACITY_FTE"): months, ("DVZ", "DECISION_CAPACITY_FTE"): months,
        ("IND", "SATISFACTION_SCORE"): months - 1, ("COA", "SATISFACTION_SCORE"): months - 1,
        ("DVZ", "SATISFACTION_SCORE"): months - 1, ("FEDASIL", "SATISFACTION_SCORE"): months - 1,
    }  # fmt: skip
    # A second start pushes the same values again: they replace themselves.
    push_demo_measurements(tmp_path)
    assert Measurement.objects.count() == sum(stored.values())
