"""``manage.py create_api_key --name NAME (--organisation CODE --scope push | --scope read
[--chain-wide])``."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import OrganisationAPIKey
from chain.models import Organisation


class Command(BaseCommand):
    help = "Create an API key; it is printed once, on the last line, and stored only hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--organisation", help="organisation code; required for push")
        parser.add_argument("--scope", required=True, choices=OrganisationAPIKey.Scope.values)
        parser.add_argument(
            "--chain-wide",
            action="store_true",
            help="a read key without organisation that reads every partner's deliveries",
        )

    def handle(
        self, *args: object, name: str, organisation: str | None, scope: str, chain_wide: bool,
        **options: object,
    ) -> None:  # fmt: skip
        if scope == OrganisationAPIKey.Scope.PUSH and not organisation:
            raise CommandError("a push key belongs to an organisation: give --organisation CODE")
        org = None
        if organisation:
            org = Organisation.objects.filter(code=organisation).first()
            if org is None:
                known = ", ".join(Organisation.objects.values_list("code", flat=True))
                raise CommandError(f"unknown organisation {organisation!r}; known: {known}")
        api_key = OrganisationAPIKey(
            name=name, organisation=org, scope=scope, chain_wide=chain_wide
        )
        key = OrganisationAPIKey.objects.assign_key(api_key)
        try:
            api_key.full_clean()
        except ValidationError as err:
            raise CommandError("; ".join(err.messages)) from None
        api_key.save()
        reach = f" for {organisation}" if org else " reading every partner" if chain_wide else ""
        self.stdout.write(f"Created {scope} key {name!r}{reach}")
        self.stdout.write("Store it now: it is not shown again.")
        self.stdout.write(key)
