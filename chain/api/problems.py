"""Errors as RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_TYPE = "application/problem+json"


class ProblemResponse(JsonResponse):
    def __init__(self, status_code: int, title: str, detail: str, **extra: Any) -> None:
        body = {"type": "about:blank", "title": title, "status": status_code, "detail": detail}
        body.update(extra)
        super().__init__(body, status=status_code, content_type=PROBLEM_TYPE)


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as a flat list of ``{"field", "message"}``."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            out.extend(_flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name))
        return out
    if isinstance(detail, list):
        out = []
        for i, value in enumerate(detail):
            if isinstance(value, dict | list):
                out.extend(_flatten(value, f"{prefix}[{i}]"))
            else:
                out.extend(_flatten(value, prefix))
        return out
    return [{"field": prefix, "message": str(detail)}]


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
        problems = _flatten(exc.detail)
        body["detail"] = "; ".join(
            f"{p['field']}: {p['message']}" if p["field"] else p["message"] for p in problems
        )
        body["invalid_params"] = problems
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
