"""A small NL chain around new year 2026/27, whose answers are worked out by hand.

2026 has 53 ISO weeks: 2026-W53 runs from Monday 28 December 2026 to Sunday 3 January 2027,
and January 2027 starts on its Friday. So Friday 1 to Sunday 3 January count in month 2027-01
and in week 2026-W53; 2027-W01 starts on Monday 4 January.

| case | V-nummer   | track | lodged                 | week     | decided               | days |
|------|------------|-------|------------------------|----------|-----------------------|------|
| H    | 3000000101 | 4     | Mon 2026-12-21         | 2026-W52 | —                     |      |
| I    | 3000000102 | 4     | Tue 2026-12-29         | 2026-W53 | Fri 2027-01-01 (W53)  | 3    |
| J    | 3000000103 | 2     | Thu 2026-12-31 23:30   | 2026-W53 | —                     |      |
| K    | 3000000104 | 4     | Fri 2027-01-01 00:30   | 2026-W53 | Wed 2027-01-06 (W01)  | 5    |
| L    | 3000000105 | 1     | Sun 2027-01-03         | 2026-W53 | Sat 2027-01-09 (W01)  | 6    |
| M    | 3000000106 | 4     | Mon 2027-01-04         | 2027-W01 | —                     |      |

K is lodged at 00:30 on 1 January, Amsterdam time: still 2026 in UTC, January in the chain's
calendar.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.known_chain import HEADER

ROWS = [
    "3000000101;Z101;4;SYR;AANVRAAG;21-12-2026;;Ter Apel;N",
    "3000000102;Z102;4;SYR;AANVRAAG;29-12-2026;;Ter Apel;N",
    "3000000103;Z103;2;MDA;AANVRAAG;31-12-2026;23:30;Ter Apel;N",
    "3000000104;Z104;4;AFG;AANVRAAG;01-01-2027;00:30;Ter Apel;N",
    "3000000105;Z105;1;TUR;AANVRAAG;03-01-2027;;Ter Apel;N",
    "3000000106;Z106;4;ERI;AANVRAAG;04-01-2027;;Ter Apel;N",
    "3000000102;Z102;4;SYR;INWILLIGING;01-01-2027;;Budel;N",
    "3000000104;Z104;4;AFG;AFWIJZING;06-01-2027;;Budel;N",
    "3000000105;Z105;1;TUR;INWILLIGING;09-01-2027;;Budel;N",
]
# The Monday after 2027-W01, mid-morning: every period above is complete.
AFTER_NEW_YEAR = datetime(2027, 1, 11, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
# The Monday that ends 2026-W53: the weekly report sent on it is about that week.
END_OF_WEEK_53 = datetime(2027, 1, 4, 7, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))

# Worked out from the table.
APPLICATIONS = {
    "2026-W52": 1, "2026-W53": 4, "2027-W01": 1,  # H | I J K L | M
    "2026-12": 3, "2027-01": 3,  # H I J | K L M
}  # fmt: skip
DECISIONS = {"2026-W52": 0, "2026-W53": 1, "2027-W01": 2, "2026-12": 0, "2027-01": 3}
LEAD_TIME_MEDIAN = {"2026-W53": 3, "2027-W01": 5.5, "2027-01": 5}  # I | K L | I K L
OPEN_CASES = {  # at the period's last day
    "2026-W52": 1, "2026-W53": 4, "2027-W01": 3,  # H | H J K L | H J M
    "2026-12": 3, "2027-01": 3,  # H I J | H J M
}  # fmt: skip


def extract() -> str:
    """The IND CSV of the chain."""
    return HEADER + "".join(row + "\n" for row in ROWS)
