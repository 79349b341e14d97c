"""The OpenAPI document's API-wide parts that the NL GOV API Design Rules ask for.

drf-spectacular describes each operation; this hook adds what holds for all of them: the
server the paths are relative to (/core/uri-version), the contact (/core/doc-openapi-contact)
and the ``API-Version`` header that ``ApiVersionMiddleware`` sends on every answer
(/core/version-header).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

API_VERSION_HEADER = "API-Version"
_HEADER_REF = {"$ref": f"#/components/headers/{API_VERSION_HEADER}"}


def api_wide_parts(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: servers, contact and the version header."""
    result["servers"] = [
        {"url": f"{settings.SITE_URL}/api/v1", "description": "This Ketendashboard, API v1"}
    ]
    result["info"]["contact"] = {
        "name": settings.API_CONTACT_NAME,
        "email": settings.API_CONTACT_EMAIL,
        "url": f"{settings.SITE_URL}/api/v1/docs",
    }
    result.setdefault("components", {}).setdefault("headers", {})[API_VERSION_HEADER] = {
        "description": "The full version of the API that answered (semantic versioning).",
        "required": True,
        "schema": {"type": "string", "example": settings.SPECTACULAR_SETTINGS["VERSION"]},
    }
    for path_item in result["paths"].values():
        for operation in path_item.values():
            for response in operation["responses"].values():
                response.setdefault("headers", {})[API_VERSION_HEADER] = _HEADER_REF
    return result
