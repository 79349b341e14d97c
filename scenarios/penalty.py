"""Penalty exposure under Awb 4:17 per cohort and month (docs/reference/scenarios.md).

Penalty day 1 is two weeks after the notice of default, which comes ``lag`` days after the
deadline; days 1-14 cost €23, 15-28 €35, 29-42 €45, nothing after day 42. The last penalty day
is the day before the decision, and a case decided in a month counts as decided on its 15th.
"""

from __future__ import annotations

import numpy as np

DAYS = 42
EUROS = np.repeat(np.array([23.0, 35.0, 45.0]), 14)
# Days from the notice to penalty day 1.
GRACE_DAYS = 14
# A case decided in a month counts as decided on this day of it.
DECISION_DAY = 15


def exposure_tables(
    deadline: np.ndarray, *, origin: np.datetime64, horizon: int, lag: int
) -> tuple[np.ndarray, np.ndarray]:
    """Euros per cohort (rows) and month after the origin (columns 0..horizon-1).

    ``open_all_month``: the euros of the penalty days in the month of a case still open at its
    end; ``decided_in_month``: those of a case decided in it (its days before the 15th).
    Days in or before the origin's month count nowhere.
    """
    days = (
        deadline.astype("datetime64[D]")[:, None]
        + np.timedelta64(lag + GRACE_DAYS, "D")
        + np.arange(DAYS).astype("timedelta64[D]")[None, :]
    )
    month = days.astype("datetime64[M]")
    column = (month - origin.astype("datetime64[M]")).astype(np.int64) - 1
    day_of_month = (days - month.astype("datetime64[D]")).astype(np.int64) + 1
    euros = np.broadcast_to(EUROS, days.shape)
    inside = (column >= 0) & (column < horizon)
    rows = np.broadcast_to(np.arange(deadline.size)[:, None], days.shape)
    open_all_month = np.zeros((deadline.size, horizon))
    decided_in_month = np.zeros((deadline.size, horizon))
    np.add.at(open_all_month, (rows[inside], column[inside]), euros[inside])
    before = inside & (day_of_month < DECISION_DAY)
    np.add.at(decided_in_month, (rows[before], column[before]), euros[before])
    return open_all_month, decided_in_month
