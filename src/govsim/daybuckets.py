"""Rows grouped by the day they fall due: the one split behind the report-day and arrival-day buckets.

``Occurrence._pend`` holds reports by report day and ``dispatch.OnTheWay`` holds routed cases by
arrival day, so a day takes only its own rows instead of re-copying everything still waiting. Both
split a batch of rows the same way, here. Written with numpy rather than a grouping library: a
stable argsort and the cuts between runs are three calls, and pandas' ``groupby`` costs more than the
whole split on the few dozen rows of a small run's day.
"""

from __future__ import annotations

import numpy as np


def split_by_day(days: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """The rows of each day, days ascending: ``(day, row indices)`` pairs, rows in their given order.

    ``days``: shape (n,), whole days (integer or float values). The indices of one day keep their
    order in ``days`` (a stable sort), so rows queued earlier stay first within their day. ``[]`` for
    an empty batch.
    """
    if not len(days):
        return []
    order = np.argsort(days, kind="stable")
    days = days[order]
    cuts = ((days[1:] != days[:-1]).nonzero()[0] + 1).tolist()
    return [(int(days[a]), order[a:b]) for a, b in zip([0, *cuts], [*cuts, len(days)], strict=True)]
