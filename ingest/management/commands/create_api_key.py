"""``manage.py create_api_key --name NAME (--organisation CODE --scope push | --scope read)``."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chain.models import Organisation
from ingest.models import OrganisationAPIKey


class Command(BaseCommand):
    help = "Create an API key; it is printed once, on the last line, and stored only hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--organisation", help="organisation code; required for push")
        parser.add_argument("--scope", required=True, choices=OrganisationAPIKey.Scope.values)

    def handle(
        self, *args: object, name: str, organisation: str | None, scope: str, **options: object
    ) -> None:
        if scope == OrganisationAPIKey.Scope.PUSH and not organisation:
            raise CommandError("a push key belongs to an organisation: give --organisation CODE")
        org = None
        if organisation:
            org = Organisation.objects.filter(code=organisation).first()
            if org is None:
                known = ", ".join(Organisation.objects.values_list("code", flat=True))
                raise CommandError(f"unknown organisation {organisation!r}; known: {known}")
        _, key = OrganisationAPIKey.objects.create_key(name=name, organisation=org, scope=scope)
        self.stdout.write(f"Created {scope} key {name!r}" + (f" for {organisation}" if org else ""))
        self.stdout.write("Store it now: it is not shown again.")
        self.stdout.write(key)
