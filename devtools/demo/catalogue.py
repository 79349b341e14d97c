"""The demo's catalogue: the catalogue's count bands scaled to the demo chain's volume.

A demo generated at scale 0.1 has a tenth of the real chain's cases, so a band of "at most 500
open cases past their term" would show green whatever happened. The demo loads a copy of the
catalogue whose bands on counts are multiplied by the same scale; bands on shares, ratios, days
and scores mean the same at any scale and stay as they are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chain.catalogue import DEFAULT_PATH

COUNT_UNIT = "count"


def scale_bands(catalogue: dict[str, Any], scale: float) -> dict[str, Any]:
    """A copy of a catalogue (as read from its JSON) with every count band's bounds scaled,
    rounded to whole cases (at least 1, so that a band never collapses to 0)."""
    scaled = json.loads(json.dumps(catalogue))
    for indicator in scaled["indicators"]:
        if indicator.get("unit") != COUNT_UNIT:
            continue
        for band in indicator.get("bands", []):
            for bound in ("lower", "upper"):
                if band.get(bound) is not None:
                    band[bound] = max(1, round(band[bound] * scale))
    return scaled


def write_scaled_catalogue(*, scale: float, out: Path, source: Path = DEFAULT_PATH) -> Path:
    """Write the catalogue at ``source`` with its count bands scaled into ``out``; returns it."""
    catalogue = json.loads(Path(source).read_text(encoding="utf-8"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(scale_bands(catalogue, scale), ensure_ascii=False, indent=2) + "\n",
                   encoding="utf-8")  # fmt: skip
    return out
