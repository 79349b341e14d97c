"""``manage.py ingest_file --partner IND PATH``: ingest one extract now."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chain.models import Extract
from ingest.adapters import ADAPTERS
from ingest.services import ingest_file


class Command(BaseCommand):
    help = "Ingest one partner extract now and print its import summary as JSON."
    # The system checks import every URL and view (plotting libraries among them): seconds and
    # tens of megabytes that loading a file never uses. ``manage.py check`` and deploys run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partner", required=True, choices=sorted(ADAPTERS))
        parser.add_argument("path", type=Path)

    def handle(self, *args: object, partner: str, path: Path, **options: object) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        summary = ingest_file(partner=partner, path=path)
        self.stdout.write(json.dumps(summary.as_dict(), indent=2))
        if summary.status == Extract.Status.REJECTED:
            raise SystemExit(1)
