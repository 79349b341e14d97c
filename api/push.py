"""``POST /api/v1/events``: partner systems push canonical events and measurements."""

from __future__ import annotations

import codecs
import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    Direction,
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts.models import OrganisationAPIKey
from api.authentication import ApiKeyAuthentication
from api.problems import problem_responses
from chain.models import Extract
from chain.vocabulary import EventType, LeaveReason, MeasurementKind
from ingest.adapters.base import excerpt
from ingest.adapters.push import MAX_EVENTS, check_shape, event_count
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


# The body and the answer, for the OpenAPI document only: ``check_shape`` and ``parse_push`` read
# the body themselves, so that a bad item is rejected on its own instead of failing the batch.
# drf-spectacular documents a nullable enum as ``oneOf`` the enum and null without a ``type``,
# which OpenAPI 3.0 does not allow: the choices are a pattern here instead.
@extend_schema_field(
    {"type": "string", "nullable": True, "pattern": f"^({'|'.join(LeaveReason.values)})$"}
)
class LeaveReasonField(serializers.CharField):
    """A canonical leave reason, or null."""


class PushEventSerializer(serializers.Serializer):
    """A canonical status event."""

    source_event_id = serializers.CharField(max_length=100, help_text="Unique per partner.")
    person_ref = serializers.CharField(
        help_text="The chain key: a V-number (NL, 10 digits) or SP-number (BE, 7-8 digits)."
    )
    event_type = serializers.ChoiceField(choices=EventType.choices)
    occurred_at = serializers.CharField(
        help_text="ISO 8601 timestamp with offset; a date alone is 00:00 local time."
    )
    track = serializers.CharField(
        max_length=2, required=False, allow_null=True, help_text="NL 1-4, BE P or U."
    )
    nationality = serializers.CharField(
        max_length=3, required=False, allow_null=True, help_text="ISO 3166-1 alpha-3."
    )
    uam = serializers.BooleanField(required=False, allow_null=True)
    location = serializers.CharField(max_length=200, required=False, allow_null=True)
    reason = LeaveReasonField(
        required=False, allow_null=True,
        help_text="Why a person left reception; needed with RECEPTION_LEFT.",
    )  # fmt: skip
    destination = serializers.CharField(
        max_length=3, required=False, allow_null=True, help_text="ISO 3166-1 alpha-3."
    )


class PushMeasurementSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeasurementKind.choices)
    location = serializers.CharField(max_length=200, required=False, allow_null=True)
    date = serializers.DateField()
    value = serializers.FloatField(
        min_value=0, help_text="A SATISFACTION_SCORE is a mean score from 1 to 5."
    )


class PushBodySerializer(serializers.Serializer):
    organisation = serializers.CharField(
        required=False, help_text="Optional; when given, the key's own organisation (else 403)."
    )
    events = PushEventSerializer(many=True, required=False, max_length=MAX_EVENTS)
    measurements = PushMeasurementSerializer(many=True, required=False)


class PushBodyScheme(OpenApiSerializerExtension):
    """What ``check_shape`` asks of the body as a whole: no other top-level member, and
    ``events`` or ``measurements`` or both."""

    target_class = PushBodySerializer

    def map_serializer(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        schema: dict[str, Any] = super().map_serializer(auto_schema, direction)
        schema["additionalProperties"] = False
        schema["anyOf"] = [{"required": ["events"]}, {"required": ["measurements"]}]
        return schema


class ConflictSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in its list, from 0.")
    field = serializers.CharField()
    message = serializers.CharField()


class ImportSummarySerializer(serializers.Serializer):
    """The answer to a push, the same as for a delivered file."""

    extract_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Extract.Status.choices)
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField(
        help_text="Events whose source_event_id this organisation pushed or delivered before."
    )
    rejected = serializers.IntegerField()
    conflicts = ConflictSerializer(many=True, help_text="Every rejected item, with its index.")
    reason = serializers.CharField(required=False, help_text="Only when the whole push failed.")


_PUSH_EXAMPLE = {
    "events": [
        {"source_event_id": "IND-2023-000123", "person_ref": "1234567890",
         "event_type": "DECISION_GRANTED", "occurred_at": "2023-04-30T10:15:00+02:00",
         "track": "4", "nationality": "SYR", "uam": False, "location": "Ter Apel",
         "reason": None, "destination": None},
    ],
    "measurements": [
        {"kind": "RECEPTION_CAPACITY", "location": "azc Budel", "date": "2023-04-30",
         "value": 1200},
    ],
}  # fmt: skip
_PUSH_PROBLEMS = {
    400: "Not JSON, not the shape above (every problem named in `detail`), or an "
    "Idempotency-Key that is not a UUID. Nothing is stored.",
    401: "No credentials, or an unknown, revoked or expired API key.",
    403: "A key without the push scope, or an `organisation` other than the key's own.",
    409: "A request with this Idempotency-Key is still being processed: retry later.",
    413: f"More than {MAX_EVENTS} events, or a body too large: split the batch.",
    422: "This Idempotency-Key was used in the last 24 hours with another body.",
    429: "Too many pushes with this key; `Retry-After` says when to try again.",
}


class PushEventsView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [CanPush]
    throttle_classes = [PushKeyThrottle]

    @extend_schema(
        summary="Push canonical status events and measurements",
        description="Stores the good items of the batch as one delivery and answers with its "
        "import summary: a bad item is rejected on its own and listed in `conflicts` with its "
        "index. An event whose `source_event_id` was stored before counts as a duplicate. A "
        "body that cannot be read as a whole is a 400 and stores nothing.",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.UUID,
                OpenApiParameter.HEADER,
                description="A retry with the same key and body within 24 hours gets the first "
                "answer again; anything but a UUID is 400.",
            )
        ],
        request={"application/json": PushBodySerializer},
        examples=[OpenApiExample("An event and a measurement", _PUSH_EXAMPLE, request_only=True)],
        responses={200: ImportSummarySerializer, **problem_responses(_PUSH_PROBLEMS)},
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
