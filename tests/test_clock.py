"""The one clock: ``chain.clock``, the suite's ``--today`` option, and code that used to read
the wall clock on its own."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from chain import clock
from devtools.clocked import on_this_clock
from devtools.demo.simulation import Simulation, simulation_end

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ROOT = Path(__file__).resolve().parent.parent


def test_the_suite_runs_on_the_day_of_the_today_option(
    request: pytest.FixtureRequest, today: date
) -> None:
    given = request.config.getoption("--today")
    # Without the option the real clock runs, untouched.
    assert time_machine.escape_hatch.is_travelling() == (given is not None)
    if given is not None:
        assert today == given


def test_today_is_the_date_in_amsterdam_not_in_utc() -> None:
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        assert clock.today() == date(2027, 1, 1)
        assert clock.now() == datetime(2026, 12, 31, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("today", "sunday"),
    [
        (date(2027, 1, 4), date(2027, 1, 3)),  # the Monday after week 53
        (date(2027, 1, 3), date(2026, 12, 27)),  # a Sunday: that week is not over yet
        (date(2028, 2, 29), date(2028, 2, 27)),
    ],
)
def test_the_demo_is_simulated_up_to_the_sunday_before_the_day_it_is_generated(
    today: date, sunday: date
) -> None:
    with time_machine.travel(datetime(today.year, today.month, today.day, 12, tzinfo=AMSTERDAM)):
        assert simulation_end() == sunday.toordinal()
        assert Simulation(scale=0.001, seed=1).end == sunday.toordinal()


def test_a_child_process_of_a_test_runs_on_the_tests_clock() -> None:
    with time_machine.travel(datetime(2028, 2, 29, 23, 59, 58, tzinfo=AMSTERDAM), tick=False):
        command = on_this_clock("tests.print_today")
    printed = subprocess.run(  # noqa: S603 - our own interpreter and module
        command, capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert printed.strip() == "2028-02-29"
