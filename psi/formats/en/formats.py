"""English as the chain's (Dutch and Belgian) readers write it: ``23 November 2026, 14:30``.

Django's ``en`` is American (``Nov. 23, 2026, 2:30 p.m.``, weeks from Sunday); only what differs
from it is set here, the rest (``1,234.5``) comes from Django.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
# ISO weeks, as the chain counts them.
FIRST_DAY_OF_WEEK = 1
