"""API keys as a DRF authentication: ``Authorization: Api-Key <key>``.

Any valid key authenticates (it becomes ``request.auth``); what a key may do is up to each
view's permission, so a push key reading the API gets 403, not 401.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.request import Request

from accounts.models import OrganisationAPIKey
from api.permissions import api_key_from

SCHEME = "Api-Key"


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key <key>``: the key becomes ``request.auth``."""

    def authenticate(self, request: Request) -> tuple[None, OrganisationAPIKey] | None:
        if not request.META.get("HTTP_AUTHORIZATION", "").startswith(f"{SCHEME} "):
            return None
        api_key = api_key_from(request)
        if api_key is None:
            raise exceptions.AuthenticationFailed("unknown, revoked or expired API key")
        return (None, api_key)

    def authenticate_header(self, request: Request) -> str:
        # Makes an anonymous request a 401 with WWW-Authenticate instead of a bare 403.
        return SCHEME


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Documents the API-key authentication in the OpenAPI document."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "`Api-Key <key>`; keys are made with `manage.py create_api_key`.",
        }  # fmt: skip


# The read API: a system with an API key first, so that an anonymous request gets 401 with
# ``WWW-Authenticate: Api-Key``; then a person's session (the dashboard, the docs page).
READ_AUTHENTICATION = [ApiKeyAuthentication, SessionAuthentication]
