"""Load the versioned catalogue file: goals, indicators, bands, term rules, events of note."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.forms.models import model_to_dict

from chain.case_facts import rebuild_all_case_facts
from chain.indicators.kinds import indicator_problems
from chain.models import (
    CatalogueChange,
    Chain,
    DirtyRange,
    EventOfNote,
    Goal,
    Indicator,
    LegalTermRule,
    SignalBand,
)

DEFAULT_PATH = settings.BASE_DIR / "catalogue" / "catalogue-v1.json"
INDICATOR_FIELDS = (
    "name_nl", "name_en", "definition_nl", "definition_en", "unit", "direction", "kind",
    "params", "per_track", "by_nationality", "sources",
)  # fmt: skip
_EVENT_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
EVENT_FIELDS = ("code", "chain", "start", "end", "title_nl", "title_en", "link_nl", "link_en")


class CatalogueError(ValueError):
    """The catalogue file is not valid; the message names the entry and what is wrong."""


def load_catalogue(*, path: Path = DEFAULT_PATH) -> dict[str, int]:
    """Create or update every goal, indicator, band and term rule of the file, in one go.

    Bands and term rules of the file replace those stored. Events of note (an optional list)
    are created or updated by code; events added in the admin stay. Returns counts per kind.
    """
    data = _read(path)
    version = data["version"]
    with transaction.atomic():
        rules_before = _term_rules()
        for position, goal in enumerate(data["goals"]):
            Goal.objects.update_or_create(
                code=goal["code"],
                defaults={"name_nl": goal["name_nl"], "name_en": goal["name_en"],
                          "position": position},
            )  # fmt: skip
        for position, entry in enumerate(data["indicators"]):
            defaults: dict[str, Any] = {f: entry[f] for f in INDICATOR_FIELDS if f in entry}
            defaults.update(goal_id=entry["goal"], position=position, catalogue_version=version)
            indicator, _ = Indicator.objects.update_or_create(code=entry["code"], defaults=defaults)
            indicator.bands.all().delete()
            SignalBand.objects.bulk_create(
                SignalBand(
                    indicator=indicator,
                    chain_id=band.get("chain"),
                    position=i,
                    signal=band["signal"],
                    lower=band.get("lower"),
                    upper=band.get("upper"),
                )
                for i, band in enumerate(entry.get("bands", []))
            )
        LegalTermRule.objects.all().delete()
        LegalTermRule.objects.bulk_create(
            LegalTermRule(
                chain_id=rule["chain"],
                months=rule["months"],
                extended_months=rule.get("extended_months", rule["months"]),
                lodged_from=_date(rule.get("lodged_from")),
                lodged_to=_date(rule.get("lodged_to")),
                note=rule.get("note", ""),
            )
            for rule in data["legal_term_rules"]
        )
        events = _store_events(data.get("events_of_note", []))
        # Term rules set deadlines and bands set signals: facts and values follow the catalogue.
        # Rebuilding every case's facts takes minutes at millions of events: only when needed.
        if _term_rules() != rules_before:
            with connection.cursor() as cursor:
                rebuild_all_case_facts(cursor)
        mark_all_dirty()
        counts = {
            "goals": len(data["goals"]),
            "indicators": len(data["indicators"]),
            "bands": sum(len(i.get("bands", [])) for i in data["indicators"]),
            "legal_term_rules": len(data["legal_term_rules"]),
            "events_of_note": events,
        }
        # A load replaces bands and term rules an administrator may have edited: the audit
        # trail says when the file took over.
        CatalogueChange.objects.create(
            user="manage.py load_catalogue", object_type="catalogue",
            object_repr=f"{Path(path).name} ({version})"[:200], action="load", new=counts,
        )  # fmt: skip
    return counts


def snapshot(obj: Any) -> dict[str, Any] | None:
    """The object's fields as JSON values: numbers stay numbers, dates become ISO strings."""
    if obj is None or obj.pk is None:
        return None
    return json.loads(json.dumps(model_to_dict(obj), cls=DjangoJSONEncoder))


def record_change(*, user: str, obj: Any, old: dict[str, Any] | None, action: str) -> None:
    """One entry of the audit trail: who changed which object, from what (``old``) to what."""
    CatalogueChange.objects.create(
        user=user, object_type=type(obj).__name__, object_repr=str(obj)[:200], action=action,
        old=old, new=snapshot(obj) if action != "delete" else None,
    )  # fmt: skip


def load_events_of_note(*, path: Path = DEFAULT_PATH) -> int:
    """Create or update only the events of note of the file; returns how many it holds.

    For a database whose catalogue an administrator edited: a full load would replace the
    bands and term rules. The whole file is checked all the same.
    """
    data = _read(path)
    with transaction.atomic():
        count = _store_events(data.get("events_of_note", []))
        CatalogueChange.objects.create(
            user="manage.py load_catalogue", object_type="events of note",
            object_repr=f"{Path(path).name} ({data['version']})"[:200], action="load",
            new={"events_of_note": count},
        )  # fmt: skip
    return count


def _read(path: Path) -> dict[str, Any]:
    """The catalogue file's data, checked whole."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise CatalogueError(f"{path}: cannot read the catalogue ({err})") from err
    _validate(data)
    return data


def _store_events(events: list[dict[str, Any]]) -> int:
    """Create or update the (checked) events of note by code; the admin's own ones stay."""
    for entry in events:
        EventOfNote.objects.update_or_create(
            code=entry["code"],
            defaults={
                "chain_id": entry.get("chain"), "start": date.fromisoformat(entry["start"]),
                "end": _date(entry.get("end")), "title_nl": entry["title_nl"],
                "title_en": entry["title_en"], "link_nl": entry.get("link_nl", ""),
                "link_en": entry.get("link_en", ""),
            },
        )  # fmt: skip
    return len(events)


def mark_all_dirty() -> None:
    """Mark every chain for a recompute of all its periods."""
    DirtyRange.objects.bulk_create(
        DirtyRange(chain=chain, from_date=date.min) for chain in Chain.objects.all()
    )


def _term_rules() -> list[tuple[object, ...]]:
    return sorted(
        LegalTermRule.objects.values_list(
            "chain", "lodged_from", "lodged_to", "months", "extended_months"
        ),
        key=str,
    )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _validate(data: Any) -> None:
    problems: list[str] = []
    if not isinstance(data, dict):
        raise CatalogueError("the catalogue must be a JSON object")
    for key in ("version", "goals", "indicators", "legal_term_rules"):
        if key not in data:
            problems.append(f"missing top-level key {key!r}")
    if problems:
        raise CatalogueError("; ".join(problems))
    goals = {g.get("code") for g in data["goals"]}
    for entry in data["indicators"]:
        code = entry.get("code", "?")
        if entry.get("goal") not in goals:
            problems.append(f"indicator {code}: unknown goal {entry.get('goal')!r}")
        problems.extend(
            f"indicator {code}: {p}"
            for p in indicator_problems(entry.get("kind"), entry.get("params", {}))
        )
        for band in entry.get("bands", []):
            if band.get("signal") not in {"green", "amber", "red"}:
                problems.append(f"indicator {code}: band signal {band.get('signal')!r}")
    for rule in data["legal_term_rules"]:
        try:
            _date(rule.get("lodged_from"))
            _date(rule.get("lodged_to"))
        except ValueError:
            problems.append(f"legal term rule {rule}: dates must be yyyy-mm-dd")
    problems.extend(_event_problems(data.get("events_of_note", [])))
    if problems:
        raise CatalogueError("; ".join(problems))


def _event_problems(events: Any) -> list[str]:
    """What is wrong with the events of note, each naming the entry (its code) and the field."""
    if not isinstance(events, list):
        return ["events_of_note must be a list"]
    chains = set(Chain.objects.values_list("code", flat=True))
    problems: list[str] = []
    seen: set[str] = set()
    for position, entry in enumerate(events):
        if not isinstance(entry, dict):
            problems.append(f"event of note #{position + 1}: must be an object")
            continue
        code = entry.get("code")
        name = f"event of note {code}" if code else f"event of note #{position + 1}"

        def problem(field: str, text: str, name: str = name) -> None:
            problems.append(f"{name}: field {field!r} {text}")

        if not isinstance(code, str) or not code:
            problem("code", "is required")
        elif not _EVENT_CODE.fullmatch(code):
            problem("code", "must be up to 64 small letters a-z, digits, - and _")
        elif code in seen:
            problem("code", "appears twice")
        else:
            seen.add(code)
        for field in sorted(set(entry) - set(EVENT_FIELDS)):
            problem(field, f"is unknown (fields: {', '.join(EVENT_FIELDS)})")
        if entry.get("chain") is not None and entry.get("chain") not in chains:
            problem("chain", f"{entry['chain']!r} is not a chain ({', '.join(sorted(chains))}, "
                    "or null for both)")  # fmt: skip
        dates = {}
        for field in ("start", "end"):
            value = entry.get(field)
            if value is None:
                if field == "start":
                    problem(field, "is required (yyyy-mm-dd)")
                continue
            try:
                dates[field] = date.fromisoformat(value)
            except (TypeError, ValueError):
                problem(field, f"{value!r} is not a date yyyy-mm-dd")
        if "start" in dates and "end" in dates and dates["end"] < dates["start"]:
            problem("end", f"{entry['end']} is before the start {entry['start']}")
        for field in ("title_nl", "title_en"):
            value = entry.get(field)
            if not isinstance(value, str) or not value.strip():
                problem(field, "is required")
            elif len(value) > 200:
                problem(field, "is longer than 200 characters")
        for field in ("link_nl", "link_en"):
            value = entry.get(field, "")
            try:
                if value:
                    URLValidator(schemes=["https", "http"])(value)
                if not isinstance(value, str) or len(value) > 500:
                    raise ValidationError("")
            except (ValidationError, TypeError):
                problem(field, f"{value!r} is not an http(s) URL of up to 500 characters")
    return problems
