"""A small hand-made NL chain whose indicator values are worked out by hand in the tests.

| case | V-nummer   | track | lodged     | decided (outcome)      | days |
|------|------------|-------|------------|------------------------|------|
| A    | 3000000001 | 4     | 2023-01-10 | 2023-03-01 granted     | 50   |
| B    | 3000000002 | 4     | 2023-01-20 | 2023-03-31 rejected    | 70   |
| C    | 3000000003 | 2     | 2023-02-05 | 2023-03-15 granted     | 38   |
| D    | 3000000004 | 4     | 2023-02-10 | —                      |      |
| E    | 3000000005 | 1     | 2023-03-01 | 2023-04-20 granted     | 50   |
| F    | 3000000006 | 4     | 2022-12-31 | —                      |      |
| G    | 3000000007 | 4     | 2023-01-01 | 2023-03-20 discont.    | 78   |

E lodges a second application on 2023-04-01 (does not move its lodged date). G's application
is at 00:30 on 1 January, Amsterdam time: 31 December in UTC, January in the chain's calendar.
B's decision is at 23:30 on 31 March, Amsterdam time: 1 April is never its date.
"""

HEADER = "vnummer;zaaknummer;spoor;nationaliteit;gebeurtenis;datum;tijd;locatie;amv\n"

ROWS = [
    "3000000001;Z1;4;SYR;AANVRAAG;10-01-2023;09:00;Ter Apel;N",
    "3000000002;Z2;4;SYR;AANVRAAG;20-01-2023;;Ter Apel;N",
    "3000000003;Z3;2;MDA;AANVRAAG;05-02-2023;;Ter Apel;N",
    "3000000004;Z4;4;AFG;AANVRAAG;10-02-2023;;Ter Apel;N",
    "3000000005;Z5;1;TUR;AANVRAAG;01-03-2023;;Ter Apel;N",
    "3000000006;Z6;4;ERI;AANVRAAG;31-12-2022;23:30;Ter Apel;J",
    "3000000007;Z7;4;SYR;AANVRAAG;01-01-2023;00:30;Ter Apel;N",
    "3000000001;Z1;4;SYR;INWILLIGING;01-03-2023;;Budel;N",
    "3000000002;Z2;4;SYR;AFWIJZING;31-03-2023;23:30;Budel;N",
    "3000000003;Z3;2;MDA;INWILLIGING;15-03-2023;;Budel;N",
    "3000000005;Z5;1;TUR;AANVRAAG;01-04-2023;;Ter Apel;N",
    "3000000005;Z5;1;TUR;INWILLIGING;20-04-2023;;Budel;N",
    "3000000007;Z7;4;SYR;BUITEN_BEHANDELING;20-03-2023;;Budel;N",
]


def extract(rows: list[str] = ROWS) -> str:
    """The IND CSV of the given rows."""
    return HEADER + "".join(row + "\n" for row in rows)
