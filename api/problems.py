"""Errors as RFC 9457 problem details (``application/problem+json``).

A problem has the members ``type``, ``title``, ``status`` and ``detail`` only, as the NL GOV API
Design Rules allow (/core/problem-details). A 400 names every invalid parameter at once in its
``detail``: one line per problem, ``name: message``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_TYPE = "application/problem+json"


class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem: the body of every 4xx and 5xx answer."""

    type = serializers.CharField(help_text="Always `about:blank`: the status says what happened.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(
        help_text="What was wrong. A 400 names every invalid parameter at once, one "
        "`name: message` a line."
    )


def problem_responses(descriptions: dict[int, str]) -> dict[tuple[int, str], OpenApiResponse]:
    """The OpenAPI responses of an operation's problems, each status with its description."""
    return {
        (status, PROBLEM_TYPE): OpenApiResponse(ProblemSerializer, description=description)
        for status, description in descriptions.items()
    }


class ProblemResponse(JsonResponse):
    def __init__(self, status_code: int, title: str, detail: str, **extra: Any) -> None:
        body = {"type": "about:blank", "title": title, "status": status_code, "detail": detail}
        body.update(extra)
        super().__init__(body, status=status_code, content_type=PROBLEM_TYPE)


def _lines(detail: Any, prefix: str = "") -> list[str]:
    """DRF's nested error detail as flat ``name: message`` lines; a nameless message alone."""
    if isinstance(detail, dict):
        out: list[str] = []
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            out.extend(_lines(value, f"{prefix}.{name}" if prefix and name else prefix or name))
        return out
    if isinstance(detail, list):
        out = []
        for i, value in enumerate(detail):
            out.extend(
                _lines(value, f"{prefix}[{i}]" if isinstance(value, dict | list) else prefix)
            )
        return out
    # A message may quote the input: its line breaks must not split it into two problems.
    message = " ".join(str(detail).splitlines())
    return [f"{prefix}: {message}" if prefix else message]


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler that answers every error as problem+json."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = response.status_code
    title = _TITLES.get(code, "Error")
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": code}
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = "\n".join(_lines(exc.detail))
    elif isinstance(exc, exceptions.APIException):
        body["detail"] = str(exc.detail)
    response.data = body
    response.content_type = PROBLEM_TYPE
    return response


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def api_problem(request: HttpRequest, status_code: int, detail: str) -> JsonResponse | None:
    """A problem answer for an error Django raised outside DRF under /api/; None elsewhere."""
    if not request.path.startswith("/api/"):
        return None
    return ProblemResponse(status_code, _TITLES[status_code], detail)
