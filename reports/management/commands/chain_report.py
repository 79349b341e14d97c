"""``manage.py chain_report --period 2026-H1 [--language nl] [--out FILE.pdf] [--publish
[--revision NOTE]]``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.half_year import LANGUAGES
from reports.publishing import (
    CannotPublish,
    complete_half_year,
    publish_half_year,
    report_pdf,
)


class Command(BaseCommand):
    help = (
        "Write the half-year chain report as a PDF (the published version if there is one, "
        "else the live figures), or publish it: --publish freezes the figures with a PDF in "
        "each language; with --revision, a new version of a published half-year if its "
        "values changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="the half-year, e.g. 2026-H1")
        parser.add_argument("--language", choices=LANGUAGES, default="nl")
        parser.add_argument("--out", type=Path, help="write the report's PDF to this file")
        parser.add_argument("--publish", action="store_true", help="publish the report")
        parser.add_argument(
            "--revision", default="", metavar="NOTE",
            help="with --publish: a new version of a published half-year, with this note of why",
        )  # fmt: skip

    def handle(
        self, *args: object, period: str, language: str, out: Path | str | None, publish: bool,
        revision: str, **options: object,
    ) -> None:  # fmt: skip
        if not publish and out is None:
            raise CommandError("say where to write the PDF (--out FILE.pdf), or --publish")
        if revision and not publish:
            raise CommandError("--revision publishes a new version: give --publish too")
        try:
            # Only a half-year that has ended: one still running is no half to compare.
            checked = complete_half_year(label=period)
            if publish:
                self.stdout.write(publish_half_year(period=period, revision=revision).message)
        except CannotPublish as error:
            raise CommandError(str(error)) from error
        if out is None:
            return
        content, published = report_pdf(period=checked, language=language)
        Path(out).write_bytes(content)
        what = f"version {published.version}" if published else "live figures, not published"
        self.stdout.write(f"Wrote {out} ({len(content):,} bytes; {checked.label}, {what}).")
