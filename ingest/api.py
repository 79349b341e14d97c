"""``POST /api/v1/events``: partner systems push canonical events (``contracts/push-api.md``)."""

from __future__ import annotations

import codecs
import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from chain.api.authentication import ApiKeyAuthentication
from ingest.adapters.base import excerpt
from ingest.adapters.push import MAX_EVENTS, check_shape, event_count
from ingest.models import OrganisationAPIKey
from ingest.pseudonym_key import PseudonymKeyChanged
from ingest.push import (
    IdempotencyConflict,
    Replay,
    log_refused_push,
    parse_idempotency_key,
    push_events,
)

logger = logging.getLogger(__name__)


class CanPush(BasePermission):
    """A push-scoped key of an organisation; a read key or a person's session cannot push."""

    message = "this API key may not push events: it needs the push scope and an organisation"

    def has_permission(self, request: Request, view: APIView) -> bool:
        key = request.auth
        return (
            isinstance(key, OrganisationAPIKey)
            and key.scope == OrganisationAPIKey.Scope.PUSH
            and key.organisation_id is not None
        )


class PushKeyThrottle(SimpleRateThrottle):
    """Pushes per API key, at ``PUSH_THROTTLE_RATE`` (429 with Retry-After beyond it)."""

    scope = "push"

    def get_rate(self) -> str:
        return settings.PUSH_THROTTLE_RATE

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        key = request.auth
        return f"throttle_push_{key.prefix}" if isinstance(key, OrganisationAPIKey) else None


class PushEventsView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [CanPush]
    throttle_classes = [PushKeyThrottle]

    @extend_schema(
        summary="Push canonical status events and measurements",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.UUID,
                OpenApiParameter.HEADER,
                description="A retry with the same key and body within 24 hours gets the first "
                "answer again; anything but a UUID is 400.",
            )
        ],
        request={"application/json": {"type": "object"}},
        responses={200: {"type": "object"}},
    )
    def post(self, request: Request) -> Response:
        try:
            idempotency_key = parse_idempotency_key(request.headers.get("Idempotency-Key"))
        except ValueError as err:
            raise exceptions.ValidationError({"Idempotency-Key": str(err)}) from None
        try:
            raw = request.body
        except RequestDataTooBig:
            raise PayloadTooLarge(
                f"the body is larger than {settings.PUSH_MAX_BODY_BYTES} bytes"
            ) from None
        try:
            # RFC 8259 lets a parser ignore a byte-order mark; the file adapters ignore it too.
            body = json.loads(raw.removeprefix(codecs.BOM_UTF8))
        except RecursionError:
            raise exceptions.ParseError(
                "the body is nested too deeply: arrays and objects within each other exceed "
                "what the parser can read"
            ) from None
        except ValueError as err:
            # JSONDecodeError, UnicodeDecodeError, or a number of more than 4300 digits.
            raise exceptions.ParseError(f"the body is not JSON: {err}") from None
        # Too many events is 413 whatever else is wrong: splitting the batch comes first.
        count = event_count(body)
        if count > MAX_EVENTS:
            raise PayloadTooLarge(
                f"{count} events in one push; at most {MAX_EVENTS}: split the batch"
            )
        problems = check_shape(body)
        if problems:
            raise exceptions.ValidationError({"body": problems})
        claimed = body.get("organisation")
        if claimed is not None and claimed != request.auth.organisation_id:
            raise exceptions.PermissionDenied(
                f"this key belongs to {request.auth.organisation_id}; "
                f"it cannot push for {excerpt(claimed)[:40]}"
            )
        try:
            result = push_events(
                api_key=request.auth, body=body, raw=raw, idempotency_key=idempotency_key
            )
        except IdempotencyConflict as conflict:
            raise ConflictError(conflict.detail, conflict.status_code) from None
        except PseudonymKeyChanged as err:
            logger.error("push by key %r refused: %s", request.auth.name, err)
            raise Unavailable(
                "the service cannot store events now (it is being reconfigured); nothing was "
                "stored: send the same request again later"
            ) from None
        if isinstance(result, Replay):
            return Response(result.response, status=result.status_code)
        return Response(result.as_dict(), status=status.HTTP_200_OK)

    def handle_exception(self, exc: Exception) -> Response:
        """Answer the refusal as problem+json and audit-log it, as every push is logged."""
        response = super().handle_exception(exc)
        log_refused_push(_api_key_of(self.request), response.status_code, _detail(response))
        return response


def _api_key_of(request: Request) -> OrganisationAPIKey | None:
    """The key that authenticated the request, or None for a missing or unknown one."""
    try:
        key = request.auth
    except exceptions.APIException:
        # A refusal before authentication (406) makes this the first try, and it may fail too.
        return None
    return key if isinstance(key, OrganisationAPIKey) else None


def _detail(response: Response) -> str:
    data = response.data
    return str(data.get("detail", "")) if isinstance(data, dict) else ""


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "the body is too large"


class Unavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "the service cannot store events now"


class ConflictError(exceptions.APIException):
    def __init__(self, detail: str, status_code: int) -> None:
        super().__init__(detail)
        self.status_code = status_code
