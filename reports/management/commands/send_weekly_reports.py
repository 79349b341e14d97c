"""``manage.py send_weekly_reports [--dry-run]``: send (or render) this week's reports."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from reports.sending import deliver, render_week, report_week, schedule_week


class Command(BaseCommand):
    help = "Send this week's report to every subscriber once, or render them to files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="render to files, send nothing")
        parser.add_argument("--out", type=Path, default=Path(settings.BASE_DIR) / "var" / "reports")

    def handle(self, *args: object, dry_run: bool, out: Path, **options: object) -> None:
        week = report_week()
        if dry_run:
            files = render_week(week=week, folder=out / week.label)
            self.stdout.write(json.dumps({"week": week.label, "rendered": [str(f) for f in files]}))
            return
        sent = failed = 0
        for pk in schedule_week(week=week):
            try:
                sent += deliver(delivery_id=pk)
            except Exception as err:  # recorded on the delivery; the others still go out
                failed += 1
                self.stderr.write(f"delivery {pk}: {err}")
        self.stdout.write(json.dumps({"week": week.label, "sent": sent, "failed": failed}))
