"""``manage.py publish_open_data --month 2026-11 [--correction NOTE]``."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opendata.services import CannotPublish, publish_month


class Command(BaseCommand):
    help = (
        "Publish a complete month's open data; with --correction, a new version of a month "
        "already published, if its figures changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="the month, e.g. 2026-11")
        parser.add_argument(
            "--correction", default="", metavar="NOTE",
            help="publish a new version of a published month, with this note of what changed",
        )  # fmt: skip

    def handle(self, *args: object, month: str, correction: str, **options: object) -> None:
        try:
            publication = publish_month(month=month, correction=correction)
        except CannotPublish as error:
            raise CommandError(str(error)) from error
        self.stdout.write(publication.message)
