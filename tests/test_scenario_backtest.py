"""The back-test on a constructed history: the accounting check must be exact."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.backends.postgresql.psycopg_any import DateRange

from scenarios import months
from scenarios.backtest import Series, backtest_errors, origins, summary
from tests.scenario_chain import bulk, fte, six_month_term

TODAY = date(2026, 1, 10)


@pytest.fixture
def history(db: None) -> None:
    """Two years of an NL chain (2024-2025) with a backlog, two terms and reception."""
    six_month_term()
    pick = random.Random(14)
    rows = []
    for m in range(24):
        month = months.parse_month("2024-01") + m  # type: ignore[operator]
        for _ in range(pick.randint(15, 30)):
            lodged = months.first_day(month) + timedelta(days=pick.randint(0, 27))
            term = pick.choice([6, 6, 15])
            row = {
                "lodged": lodged, "deadline": months.add_months(lodged, term),
                "track": pick.choice("1244"), "nationality": pick.choice(["SYR", "AFG", "ERI"]),
            }  # fmt: skip
            decided = lodged + timedelta(days=pick.randint(0, 500))
            if decided < TODAY:
                row["decided"] = decided
                row["outcome"] = pick.choice(["DECISION_GRANTED", "DECISION_REJECTED"])
            if pick.random() < 0.5:
                leaves = lodged + timedelta(days=pick.randint(30, 700))
                row["reception"] = [DateRange(lodged, leaves if leaves < TODAY else None)]
            rows.append(row)
    bulk(rows)
    fte("NL", date(2023, 12, 1), 4)
    fte("NL", date(2025, 1, 1), 6)


def test_the_accounting_check_reproduces_the_observed_stocks_exactly(history: None) -> None:
    with time_machine.travel(TODAY):
        errors = backtest_errors(chain="NL", window=6, paths=20)
    assert sorted({e.origin for e in errors}) == ["2024-06", "2024-09", "2024-12"]
    assert {e.horizon for e in errors} == {3, 6, 12}
    checked = [e for e in errors if e.accounting is not None]
    assert len(checked) == 3 * 3 * 2
    assert all(e.accounting == e.actual for e in checked)
    assert any(e.actual > 0 for e in checked if e.figure == "open_cases_over_term")
    found = summary(errors)
    assert found["accounting_max_abs_err"] == 0
    assert found["origins"] == 3
    assert 0 <= found["coverage_p10_p90"] <= 1


def test_the_naive_forecast_is_the_value_at_the_origin(history: None) -> None:
    with time_machine.travel(TODAY):
        errors = backtest_errors(chain="NL", window=6, paths=5)
    for e in errors:
        same_origin = [x for x in errors if x.origin == e.origin and x.figure == e.figure]
        assert len({x.naive for x in same_origin}) == 1


def test_the_command_ends_with_the_machine_readable_line(history: None) -> None:
    out = StringIO()
    with time_machine.travel(TODAY):
        call_command("backtest_scenarios", "--chain", "NL", "--window", "6", "--paths", "10",
                     stdout=out)  # fmt: skip
    last = out.getvalue().strip().splitlines()[-1]
    number = r"-?[0-9.]+|nan"
    assert re.fullmatch(
        rf"backtest chain=NL origins=3 accounting_max_abs_err=0 mape_open_6m=({number}) "
        rf"mape_open_12m=({number}) mape_overterm_6m=({number}) mape_reception_3m=({number}) "
        rf"naive_mape_open_6m=({number}) coverage_p10_p90=({number})",
        last,
    ), last


def test_origins_keep_a_window_of_measured_capacity_before_them() -> None:
    series = Series(
        first=months.month_of(date(2020, 1, 1)), last=months.month_of(date(2026, 11, 1)), values={}
    )
    measured_from = months.month_of(date(2022, 1, 1))
    first = origins(series, window=12, measured_from=measured_from)[0]
    assert months.label(first) == "2023-02"
    assert months.label(origins(series, window=12)[0]) == "2021-02"
