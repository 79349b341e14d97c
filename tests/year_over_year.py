"""A small NL chain over three years whose year-over-year answers are worked out by hand.

It holds the chain of tests/week_53.py (new year 2026/27) and these applications besides:

| V-nummer   | lodged         | month   | ISO week |
|------------|----------------|---------|----------|
| 3000000201 | Tue 2025-01-28 | 2025-01 | 2025-W05 |
| 3000000202 | Tue 2025-12-23 | 2025-12 | 2025-W52 |
| 3000000203 | Wed 2025-12-24 | 2025-12 | 2025-W52 |
| 3000000204 | Tue 2026-01-27 | 2026-01 | 2026-W05 |
| 3000000205 | Thu 2026-01-29 | 2026-01 | 2026-W05 |
| 3000000206 | Tue 2026-02-10 | 2026-02 | 2026-W07 |
| 3000000207 | Mon 2027-02-01 | 2027-02 | 2027-W05 |
| 3000000208 | Wed 2027-02-03 | 2027-02 | 2027-W05 |
| 3000000209 | Sun 2027-02-07 | 2027-02 | 2027-W05 |

2025 has 52 ISO weeks, 2026 has 53: both 2026-W52 (H of week_53.py) and 2026-W53 (I, J, K and
L) are set against 2025-W52.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests import week_53
from tests.known_chain import HEADER

ROWS = [
    *week_53.ROWS,
    "3000000201;Z201;4;SYR;AANVRAAG;28-01-2025;;Ter Apel;N",
    "3000000202;Z202;4;SYR;AANVRAAG;23-12-2025;;Ter Apel;N",
    "3000000203;Z203;4;AFG;AANVRAAG;24-12-2025;;Ter Apel;N",
    "3000000204;Z204;4;SYR;AANVRAAG;27-01-2026;;Ter Apel;N",
    "3000000205;Z205;2;MDA;AANVRAAG;29-01-2026;;Ter Apel;N",
    "3000000206;Z206;4;ERI;AANVRAAG;10-02-2026;;Ter Apel;N",
    "3000000207;Z207;4;SYR;AANVRAAG;01-02-2027;;Ter Apel;N",
    "3000000208;Z208;4;TUR;AANVRAAG;03-02-2027;;Ter Apel;N",
    "3000000209;Z209;1;AFG;AANVRAAG;07-02-2027;;Ter Apel;N",
]
# Monday 15 February 2027 (2027-W07): every period above is complete.
MID_FEBRUARY_2027 = datetime(2027, 2, 15, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))

# (value, the same period a year before, two years before), worked out from the table.
APPLICATIONS = {
    "2027-W05": (3, 2, 1),  # 207 208 209 | 204 205 | 201
    "2026-W53": (4, 2, 0),  # I J K L | 202 203 (2025-W52) | 2024-W52
    "2026-W52": (1, 2, 0),  # H | 202 203 | 2024-W52
    "2027-02": (3, 1, 0),  # 207 208 209 | 206 | none
    "2027-01": (3, 2, 1),  # K L M | 204 205 | 201
}


def extract() -> str:
    """The IND CSV of the chain."""
    return HEADER + "".join(row + "\n" for row in ROWS)
