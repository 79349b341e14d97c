"""``manage.py backtest_scenarios --chain NL``: the scenario model against the chain's past.

Reads the database as it is (whatever data it holds); see docs/reference/scenarios.md. The last
line is machine-readable.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chain.vocabulary import CHAINS
from scenarios.backtest import DEFAULT_PATHS, DEFAULT_SEED, backtest_errors, summary_line


class Command(BaseCommand):
    help = "Back-test the scenario model on the chain's own history (rolling origins)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chain", choices=CHAINS, required=True)
        parser.add_argument("--window", type=int, default=12, help="months of calibration")
        parser.add_argument("--paths", type=int, default=DEFAULT_PATHS)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)

    def handle(self, *args: Any, **options: Any) -> None:
        chain = options["chain"]
        errors = backtest_errors(
            chain=chain, window=options["window"], paths=options["paths"], seed=options["seed"]
        )
        for e in errors:
            accounting = "" if e.accounting is None else f" accounting={e.accounting:.0f}"
            self.stdout.write(
                f"origin={e.origin} horizon={e.horizon} figure={e.figure} actual={e.actual:.1f} "
                f"p10={e.p10:.1f} p50={e.p50:.1f} p90={e.p90:.1f} naive={e.naive:.1f}{accounting}"
            )
        self.stdout.write(summary_line(chain, errors))
