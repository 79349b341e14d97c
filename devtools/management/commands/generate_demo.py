"""``manage.py generate_demo --scale S --out DIR``: a simulated chain as partner extracts."""

from __future__ import annotations

import math
import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.demo.simulation import HISTORY_START
from devtools.demo.writers import write_demo

DEFAULT_SEED = 20220101


class Command(BaseCommand):
    help = (
        "Simulate the NL and BE chains from 2022 up to last Sunday and write every partner's "
        "extracts (IND, COA, DTV, DVZ files, the Fedasil feed pages and capacity documents, and "
        "the measurements each organisation pushes) into DIR, with a manifest.json written last. "
        "Scale 1 gives the published volumes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="multiplies every count (1 = published)"
        )
        parser.add_argument("--out", type=Path, required=True, help="folder to write into")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="the same seed gives the same files"
        )

    def handle(
        self, *args: object, scale: float, out: str | Path, seed: int, **opts: object
    ) -> None:
        if not (math.isfinite(scale) and 0 < scale <= 10):
            raise CommandError(f"--scale must be a number above 0 and at most 10, got {scale}")
        started = time.monotonic()

        def progress(day: int, end: int) -> None:
            share = (day - HISTORY_START) / (end - HISTORY_START)
            self.stdout.write(
                f"  simulated and written up to {date.fromordinal(day)} ({share:.0%}, "
                f"{time.monotonic() - started:.0f} s)"
            )

        try:
            manifest = write_demo(out=Path(out), scale=scale, seed=seed, progress=progress)
        except OSError as err:
            raise CommandError(f"cannot write the demo extracts into {out}: {err}") from err
        for partner, counts in manifest["partners"].items():
            described = ", ".join(f"{value} {name}" for name, value in counts.items())
            self.stdout.write(f"{partner}: {described}")
        for organisation, kinds in manifest["pushed"].items():
            described = ", ".join(f"{count} {kind}" for kind, count in kinds.items())
            self.stdout.write(f"{organisation} pushes: {described}")
        for name, figures in manifest["calibration"].items():
            self.stdout.write(
                f"{name}: {figures['generated']} generated, target {figures['target']}"
            )
        self.stdout.write(
            f"Wrote the demo chain at scale {scale} (seed {seed}) into {out} "
            f"in {time.monotonic() - started:.1f} s."
        )
