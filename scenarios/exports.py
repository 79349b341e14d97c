"""A scenario's answer as flat rows: one per month and track, for CSV files and tables."""

from __future__ import annotations

from typing import Any

from scenarios.model import CASE_FIGURES, FIGURES

BAND_KEYS = ("p10", "p50", "p90", "mean")


def _banded(answer: dict[str, Any]) -> bool:
    return int(answer["inputs"]["paths"]) > 1


def columns(answer: dict[str, Any]) -> list[str]:
    """``month``, ``track`` and each figure (with ``_p10`` … ``_mean`` for a run of paths)."""
    names = ["month", "track"]
    for figure in FIGURES:
        if _banded(answer):
            names.extend(f"{figure}_{key}" for key in BAND_KEYS)
        else:
            names.append(figure)
    return names


def _cells(figure: str, value: Any, banded: bool) -> dict[str, Any]:
    if not banded:
        return {figure: value}
    return {f"{figure}_{key}": (value or {}).get(key) for key in BAND_KEYS}


def answer_rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Per month the chain's row (track empty), then a row per track with the case figures."""
    banded = _banded(answer)
    names = columns(answer)
    rows = []
    for month in answer["months"]:
        row = dict.fromkeys(names)
        row.update(month=month["month"], track="")
        for figure in FIGURES:
            row.update(_cells(figure, month.get(figure), banded))
        rows.append(row)
        for track, figures in sorted(month.get("tracks", {}).items()):
            row = dict.fromkeys(names)
            row.update(month=month["month"], track=track)
            for figure in CASE_FIGURES:
                row.update(_cells(figure, figures.get(figure), banded))
            rows.append(row)
    return rows
