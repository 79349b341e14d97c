"""``manage.py load_scenario_presets [PATH] [--scale S]``: load or update the scenario presets."""

import json
import math
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scenarios.models import Preset
from scenarios.presets import DEFAULT_PATH, PresetError, load_presets


class Command(BaseCommand):
    help = "Load or update the scenario presets from a file; every change is audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
        parser.add_argument(
            "--scale", type=float, default=1.0,
            help="multiplies the presets' counts (the demo chain runs at a fraction of the "
            "published volume)",
        )  # fmt: skip
        parser.add_argument(
            "--if-empty", action="store_true",
            help="load only when no preset is stored yet (a container start runs this, so that "
            "an administrator's edits survive a restart)",
        )  # fmt: skip

    def handle(
        self, *args: object, path: Path, scale: float, if_empty: bool, **options: object
    ) -> None:
        if not (math.isfinite(scale) and scale > 0):
            raise CommandError(f"--scale must be a number above 0, got {scale}")
        if if_empty and Preset.objects.exists():
            self.stdout.write("presets are stored already; nothing loaded")
            return
        try:
            counts = load_presets(path=path, scale=scale)
        except PresetError as err:
            raise CommandError(str(err)) from err
        self.stdout.write(json.dumps(counts))
