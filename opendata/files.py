"""A theme table as the files of a release: CSV and JSON, byte for byte reproducible.

The bytes depend on the figures and the indicators' names only, never on the moment or the
version of publishing: the same data gives the same bytes, so a recompute that changed nothing
is seen as unchanged by comparing checksums.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass

from opendata.selectors import Cell, ThemeTable

CSV = "text/csv"
JSON = "application/json"
COLUMNS = [
    "month", "chain", "theme", "indicator", "measure", "unit", "track", "nationality", "value",
    "suppressed",
]  # fmt: skip
LICENCE = "http://creativecommons.org/publicdomain/zero/1.0/"


@dataclass(frozen=True)
class RenderedFile:
    """One file of a release before it is stored."""

    name: str
    chain: str
    theme: str
    media_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        """The SHA-256 of the content, hex."""
        return hashlib.sha256(self.content).hexdigest()


def file_name(table: ThemeTable, extension: str) -> str:
    """``NL-asylum-admission-2026-11.csv``: chain, theme, month."""
    return f"{table.chain}-{table.theme}-{table.month.label}.{extension}"


def _row(table: ThemeTable, cell: Cell) -> dict[str, object]:
    return {
        "month": table.month.label, "chain": table.chain, "theme": table.theme,
        "indicator": cell.indicator, "measure": cell.measure, "unit": cell.unit,
        "track": cell.track, "nationality": cell.nationality, "value": cell.value,
        "suppressed": cell.suppressed,
    }  # fmt: skip


def _csv_value(cell: Cell) -> str:
    if cell.value is None:
        return ""
    if isinstance(cell.value, int):
        return str(cell.value)
    decimals = 2 if cell.measure == "share" else 1
    return f"{cell.value:.{decimals}f}"


def render_csv(table: ThemeTable) -> bytes:
    """One row per figure; an empty value is withheld (``suppressed`` true); UTF-8, LF."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for cell in table.cells:
        row = _row(table, cell) | {
            "value": _csv_value(cell),
            "suppressed": "true" if cell.suppressed else "false",
        }
        writer.writerow([row[column] for column in COLUMNS])
    return out.getvalue().encode("utf-8")


def render_json(table: ThemeTable) -> bytes:
    """The same rows as the CSV, with the indicators' names and definitions beside them."""
    document = {
        "month": table.month.label,
        "chain": table.chain,
        "theme": table.theme,
        "licence": LICENCE,
        "indicators": [
            {
                "code": indicator.code, "unit": indicator.unit,
                "name": {"nl": indicator.name_nl, "en": indicator.name_en},
                "definition": {"nl": indicator.definition_nl, "en": indicator.definition_en},
            }
            for indicator in table.indicators
        ],
        "values": [_row(table, cell) for cell in table.cells],
    }  # fmt: skip
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def render(table: ThemeTable) -> list[RenderedFile]:
    """The table's CSV and JSON files."""
    return [
        RenderedFile(
            name=file_name(table, extension),
            chain=table.chain,
            theme=table.theme,
            media_type=media_type,
            content=renderer(table),
        )
        for extension, media_type, renderer in (
            ("csv", CSV, render_csv),
            ("json", JSON, render_json),
        )
    ]
