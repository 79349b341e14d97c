"""The public open-data pages: no login, the site's strict CSP like every other page."""

from __future__ import annotations

import base64
import json
from itertools import groupby

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from opendata.catalog import catalog as catalog_document
from opendata.disclosure import MINIMUM_CASES, ROUNDING_BASE
from opendata.models import Release, ReleaseFile


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every release, newest month first, each version with its files."""
    files = ReleaseFile.objects.defer("content").order_by("chain", "theme", "name")
    releases = Release.objects.prefetch_related(Prefetch("files", queryset=files))
    months = [(month, list(versions)) for month, versions in groupby(releases, lambda r: r.month)]
    return render(
        request, "opendata/index.html",
        {"months": months, "minimum_cases": MINIMUM_CASES, "rounding_base": ROUNDING_BASE},
    )  # fmt: skip


@require_safe
def download(request: HttpRequest, month: str, version: int, name: str) -> HttpResponse:
    """A release's file, byte for byte as its checksum in the catalogue says."""
    file = get_object_or_404(ReleaseFile, release__month=month, release__version=version, name=name)
    content = bytes(file.content)
    charset = "; charset=utf-8"
    response = HttpResponse(content, content_type=file.media_type + charset)
    response["Content-Disposition"] = f'attachment; filename="{file.name}"'
    response["ETag"] = f'"{file.sha256}"'
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(file.sha256)).decode()}:"
    # A published file never changes: a correction is a new version at a new address.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def catalog(request: HttpRequest) -> HttpResponse:
    """The DCAT-AP catalogue as JSON-LD."""
    response = HttpResponse(
        json.dumps(catalog_document(), ensure_ascii=False, indent=1),
        content_type="application/ld+json; charset=utf-8",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
