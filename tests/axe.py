"""axe-core, the accessibility engine, fetched from the npm registry and run inside a page.

No node or npm is assumed: the pinned release's tarball is downloaded once, checked against the
registry's ``dist.integrity`` of that version, and its ``axe.min.js`` kept under
``var/test-cache/`` for later runs.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
from pathlib import Path
from typing import Any

import httpx

AXE_VERSION = "4.14.1"
# `npm view axe-core@4.14.1 dist.integrity`
AXE_INTEGRITY = (
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPj"
    "CKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
TARBALL_URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
CACHE = Path(__file__).resolve().parent.parent / "var" / "test-cache" / f"axe-core-{AXE_VERSION}"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = {"serious", "critical"}


class AxeUnavailable(Exception):
    """axe-core could not be downloaded (no network, registry down)."""


class AxeTampered(Exception):
    """The downloaded tarball is not the pinned release."""


def axe_source() -> str:
    """The text of ``axe.min.js``, from the cache or else from the npm registry."""
    cached = CACHE / "axe.min.js"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    try:
        response = httpx.get(TARBALL_URL, timeout=60, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise AxeUnavailable(
            f"could not download axe-core {AXE_VERSION} from {TARBALL_URL}: {error}"
        ) from error
    digest = "sha512-" + base64.b64encode(hashlib.sha512(response.content).digest()).decode()
    if digest != AXE_INTEGRITY:
        raise AxeTampered(
            f"{TARBALL_URL} has integrity {digest}, but axe-core {AXE_VERSION} is {AXE_INTEGRITY}"
        )
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as tarball:
        member = tarball.extractfile("package/axe.min.js")
        if member is None:
            raise AxeTampered(f"{TARBALL_URL} holds no package/axe.min.js")
        source = member.read().decode("utf-8")
    CACHE.mkdir(parents=True, exist_ok=True)
    # Written under another name first: a run stopped halfway leaves no truncated script behind.
    partial = cached.with_suffix(".partial")
    partial.write_text(source, encoding="utf-8")
    partial.replace(cached)
    return source


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.1 A/AA violations axe-core finds in the page as shown."""
    # Evaluated through the DevTools protocol: a <script> element added to the page would be
    # refused by the page's Content Security Policy.
    page.evaluate(f"{axe_source()}\n;undefined")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    return [v for v in result["violations"] if v["impact"] in SERIOUS]


def describe(violations: list[dict[str, Any]]) -> str:
    """Each violation's rule, what it asks and the elements that break it, for a failure message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  - {' '.join(map(str, node['target']))}")
            lines.extend(f"      {line}" for line in node["failureSummary"].splitlines())
    return "\n".join(lines)
