"""The subscription settings form of the dashboard: which chains, which language, where to."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from dashboard.models import Subscription


class SubscriptionForm(forms.ModelForm):
    """A user's own subscription, with the e-mail address the report goes to."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254)

    class Meta:
        model = Subscription
        fields = ["chain", "language", "active"]
        labels = {
            "chain": _("Chains"),
            "language": _("Language of the report"),
            "active": _("Send me the weekly report"),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["email"].initial = user.email
        # The model's labels are fixed Dutch; the form shows them in the active language.
        cast(forms.ChoiceField, self.fields["chain"]).choices = [
            (Subscription.Scope.NL, _("Netherlands")),
            (Subscription.Scope.BE, _("Belgium")),
            (Subscription.Scope.ALL, _("Both chains")),
        ]

    def save(self, commit: bool = True) -> Subscription:
        """Store the address on the user and the subscription itself."""
        self.user.email = self.cleaned_data["email"]
        self.user.save(update_fields=["email"])
        self.instance.user = self.user
        return super().save(commit=commit)
