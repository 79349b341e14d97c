"""``manage.py load_catalogue [PATH]``: load or update the indicator catalogue."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chain.catalogue import DEFAULT_PATH, CatalogueError, load_catalogue


class Command(BaseCommand):
    help = "Load or update goals, indicators, signal bands and legal term rules from a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)

    def handle(self, *args: object, path: Path, **options: object) -> None:
        try:
            counts = load_catalogue(path=path)
        except CatalogueError as err:
            raise CommandError(str(err)) from err
        self.stdout.write(json.dumps(counts))
