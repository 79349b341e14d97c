"""The subscription settings form of the dashboard: which chains, and which language."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from reports.models import Subscription


class SubscriptionForm(forms.ModelForm):
    """A user's own subscription, mailed to the account's address: only administrators set it."""

    class Meta:
        model = Subscription
        fields = ["chain", "language", "active"]
        labels = {
            "chain": _("Chains"),
            "language": _("Language of the report"),
            "active": _("Send me the weekly report"),
        }

    def __init__(self, *args: Any, user: User, preview: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.preview = preview
        # The model's labels are fixed Dutch; the form shows them in the active language.
        cast(forms.ChoiceField, self.fields["chain"]).choices = [
            (Subscription.Scope.NL, _("Netherlands")),
            (Subscription.Scope.BE, _("Belgium")),
            (Subscription.Scope.ALL, _("Both chains")),
        ]

    def clean(self) -> dict[str, Any]:
        """Refuse anything that would mail a report to an account without an address."""
        cleaned = super().clean() or {}
        if not self.user.email and (cleaned.get("active") or self.preview):
            raise forms.ValidationError(
                _(
                    "Your account has no e-mail address, so the report cannot be sent to you. "
                    "Ask an administrator to add one."
                ),
                code="no_address",
            )
        return cleaned

    def save(self, commit: bool = True) -> Subscription:
        """Store the user's subscription."""
        self.instance.user = self.user
        return super().save(commit=commit)
