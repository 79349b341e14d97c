"""Scenario presets as data: loaded from ``catalogue/scenario-presets.json``, audited.

A preset's ``inputs`` are scenario inputs without the chain (docs/reference/scenarios.md,
"Inputs"). The demo chain runs at a fraction of the published volume: ``scale`` multiplies
every count of cases and staff in a preset (inflow, FTE, hires, fast-track decisions), so that
the MPP's 67,000 applications a year become 6,700 on a chain at scale 0.1.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from chain.catalogue import record_change, snapshot
from chain.vocabulary import CHAINS
from scenarios.models import Preset

DEFAULT_PATH = settings.BASE_DIR / "catalogue" / "scenario-presets.json"
LOADER = "manage.py load_scenario_presets"
BASELINE = "Baseline"


class PresetError(ValueError):
    """The presets file is not valid; the message names the entry and what is wrong."""


def _scaled(value: Any, scale: Decimal) -> Any:
    """A count times ``scale``, kept to two decimals (the model computes on decimals)."""
    if isinstance(value, list):
        return [_scaled(v, scale) for v in value]
    scaled = (Decimal(str(value)) * scale).quantize(Decimal("0.01"))
    return int(scaled) if scaled == scaled.to_integral_value() else float(scaled)


def scale_inputs(inputs: dict[str, Any], *, scale: float) -> dict[str, Any]:
    """``inputs`` with their counts of cases and staff multiplied by ``scale``."""
    factor = Decimal(str(scale))
    if factor == 1:
        return inputs
    out = json.loads(json.dumps(inputs))
    inflow = out.get("inflow") or {}
    for key in ("annual", "monthly"):
        if key in inflow:
            inflow[key] = _scaled(inflow[key], factor)
    capacity = out.get("capacity") or {}
    if "fte" in capacity:
        capacity["fte"] = _scaled(capacity["fte"], factor)
    for hire in capacity.get("hires") or []:
        if isinstance(hire, dict) and "fte" in hire:
            hire["fte"] = _scaled(hire["fte"], factor)
    fast = out.get("fast_track") or {}
    if "extra_decisions_per_month" in fast:
        fast["extra_decisions_per_month"] = _scaled(fast["extra_decisions_per_month"], factor)
    return out


def _entries(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise PresetError(f"{path}: cannot read the presets ({err})") from err
    entries = data.get("presets") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise PresetError(f"{path}: a JSON object with a list 'presets' is expected")
    for i, entry in enumerate(entries):
        where = f"{path}: presets[{i}]"
        if not isinstance(entry, dict):
            raise PresetError(f"{where}: must be an object")
        if entry.get("chain") not in CHAINS:
            raise PresetError(f"{where}.chain: must be one of {', '.join(CHAINS)}")
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise PresetError(f"{where}.name: must be a text")
        inputs = entry.get("inputs", {})
        if not isinstance(inputs, dict) or "chain" in inputs:
            raise PresetError(f"{where}.inputs: must be an object without 'chain'")
    return entries


def load_presets(*, path: Path = DEFAULT_PATH, scale: float = 1.0) -> dict[str, int]:
    """Create or update every preset of the file (matched by chain and name), each change
    written to the audit trail; presets not in the file stay as an administrator left them."""
    entries = _entries(path)
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    with transaction.atomic():
        for position, entry in enumerate(entries):
            values = {
                "inputs": scale_inputs(entry.get("inputs", {}), scale=scale),
                "description_nl": entry.get("description_nl", ""),
                "description_en": entry.get("description_en", ""),
                "position": position,
            }
            preset = Preset.objects.filter(chain_id=entry["chain"], name=entry["name"]).first()
            if preset is None:
                preset = Preset.objects.create(
                    chain_id=entry["chain"], name=entry["name"], **values
                )
                record_change(user=LOADER, obj=preset, old=None, action="add")
                counts["added"] += 1
                continue
            old = snapshot(preset)
            if all(getattr(preset, key) == value for key, value in values.items()):
                counts["unchanged"] += 1
                continue
            for key, value in values.items():
                setattr(preset, key, value)
            preset.save()
            record_change(user=LOADER, obj=preset, old=old, action="change")
            counts["changed"] += 1
    return counts


def preset_inputs(preset: Preset) -> dict[str, Any]:
    """A preset's scenario inputs, its chain included."""
    return {**preset.inputs, "chain": preset.chain_id}
