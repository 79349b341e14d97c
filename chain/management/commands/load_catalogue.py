"""``manage.py load_catalogue [PATH]``: load or update the indicator catalogue."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chain.catalogue import DEFAULT_PATH, CatalogueError, load_catalogue, load_events_of_note
from chain.models import Indicator


class Command(BaseCommand):
    help = (
        "Load or update goals, indicators, signal bands, legal term rules and events of note "
        "from a file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="load only when no catalogue is stored yet (a container start runs this, so "
            "that an administrator's edits survive a restart)",
        )
        parser.add_argument(
            "--events-of-note",
            action="store_true",
            help="load only the events of note of the file, leaving the bands and term rules "
            "an administrator edited as they are (after an upgrade that brings new events)",
        )

    def handle(
        self, *args: object, path: Path, if_empty: bool, events_of_note: bool, **options: object
    ) -> None:
        if if_empty and Indicator.objects.exists():
            self.stdout.write("a catalogue is stored already; nothing loaded")
            return
        try:
            if events_of_note:
                counts = {"events_of_note": load_events_of_note(path=path)}
            else:
                counts = load_catalogue(path=path)
        except CatalogueError as err:
            raise CommandError(str(err)) from err
        self.stdout.write(json.dumps(counts))
