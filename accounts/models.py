"""People and systems: a user's organisation and roles' permissions, and the API keys.

Both models were first made by ``dashboard`` and ``ingest``; their tables keep those names.
They point to ``chain.Organisation`` by name only, so this app imports no other.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey


class UserProfile(models.Model):
    """The organisation a user works for: a partner analyst sees only its ingest status.

    The permissions declared here are the roles' (``accounts.access``); the groups carrying
    them are created by a data migration.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_profile"
    )
    organisation = models.ForeignKey(
        "chain.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The partner whose deliveries this user may follow on the ingest status page.",
    )

    class Meta:
        db_table = "dashboard_userprofile"
        permissions = [
            ("view_dashboards", "Can view the dashboards"),
            ("view_own_ingest_status", "Can view the ingest status of the own organisation"),
            ("view_all_ingest_status", "Can view the ingest status of every partner"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation_id or '-'})"


class OrganisationAPIKey(AbstractAPIKey):
    """A hashed API key of one organisation, for pushing events or reading indicators.

    A read key reads the deliveries of its own organisation; one without an organisation reads
    none, unless an administrator made it ``chain_wide`` on purpose.
    """

    class Scope(models.TextChoices):
        PUSH = "push"
        READ = "read"

    organisation = models.ForeignKey(
        "chain.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_keys",
    )
    scope = models.CharField(max_length=8, choices=Scope.choices)
    chain_wide = models.BooleanField(
        default=False,
        help_text="Reads the deliveries of every partner. Only for a read key without an "
        "organisation; without it such a key reads no deliveries.",
    )

    class Meta(AbstractAPIKey.Meta):
        db_table = "ingest_organisationapikey"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(chain_wide=False)
                | models.Q(scope="read", organisation__isnull=True),
                name="chain_wide_only_for_read_keys_without_organisation",
            )
        ]

    def clean(self) -> None:
        super().clean()
        if self.chain_wide and self.scope != self.Scope.READ:
            raise ValidationError({"chain_wide": "Only a read key can be chain-wide."})
        if self.chain_wide and self.organisation_id:
            raise ValidationError(
                {"chain_wide": "A key of an organisation reads that organisation's deliveries; "
                 "leave out the organisation for a chain-wide key."}
            )  # fmt: skip
