"""``manage.py compute_indicators [--full]``: recompute dirty periods, or everything."""

import json

from django.core.management.base import BaseCommand, CommandParser

from chain.indicators.engine import compute_all, compute_dirty


class Command(BaseCommand):
    help = "Recompute the indicator values of the periods that ingests touched (or all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="recompute every period")

    def handle(self, *args: object, full: bool, **options: object) -> None:
        if full:
            self.stdout.write(json.dumps({"values_written": compute_all()}))
        else:
            claimed = compute_dirty()
            self.stdout.write(json.dumps({c: d.isoformat() for c, d in claimed.items()}))
