"""``manage.py subscribe --email ADDRESS --chain NL|BE|ALL [--language nl|en]``."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from reports.models import Subscription


class Command(BaseCommand):
    help = "Subscribe a user (created if new) to the weekly report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--chain", required=True, choices=Subscription.Scope.values)
        parser.add_argument("--language", default="nl", choices=Subscription.Language.values)

    def handle(self, *args: object, email: str, chain: str, language: str, **opts: object) -> None:
        try:
            validate_email(email)
        except ValidationError as err:
            raise CommandError(f"{email!r} is not an e-mail address") from err
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            # No password (an unusable one) and no role: the site has no password reset, so the
            # user can read the mailed report but log in only once an administrator allows it.
            user = User.objects.create_user(username=email.lower(), email=email)
            self.stdout.write(
                f"created user {user.username}: receives the report, but cannot log in until "
                "an administrator gives the account a password and a dashboard role"
            )
        subscription, created = Subscription.objects.update_or_create(
            user=user, defaults={"chain": chain, "language": language, "active": True}
        )
        self.stdout.write(f"{'subscribed' if created else 'updated'}: {subscription}")
