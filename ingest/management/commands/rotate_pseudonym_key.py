"""``manage.py rotate_pseudonym_key [--drop-pushed-events]``: new pseudonyms from the archive."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingest.rotation import RotationRefused, rotate_pseudonym_key


class Command(BaseCommand):
    help = (
        "Rebuild every person key and event identity under the configured PSI_PSEUDONYM_KEY by "
        "ingesting the archived extracts again, in one transaction. Stop the workers and beat "
        "first; see docs/operations.md, 'Pseudonym key'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--drop-pushed-events", action="store_true",
            help="Drop pushed events: they keep no raw number and cannot be rebuilt.",
        )  # fmt: skip

    def handle(self, *args: object, drop_pushed_events: bool, **options: object) -> None:
        try:
            rotation = rotate_pseudonym_key(drop_pushed_events=drop_pushed_events)
        except RotationRefused as err:
            raise CommandError(str(err)) from None
        self.stdout.write(
            f"Rotated: {rotation.extracts} archived extracts ingested again, {rotation.events} "
            f"events stored, {rotation.dropped_pushed_events} pushed events dropped."
        )
