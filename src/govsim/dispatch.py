"""Routed cases on their way to the departments (流转 → 处置), held as columns until their arrival day.

``IncidentLoop._dispatch`` prepares each routed case's fields in one vectorised step; ``OnTheWay`` keeps
them as numpy columns and hands each desk, a day at a time, only the cases that arrive before the end of
that day, as ``Job`` lists in arrival order (``DepartmentDesk.expect``). The order is the one the desk
would give them if it held them all from routing on: by arrival time, then routing day (at a tie in
time the earlier routing goes first), then case number. Holding the later arrivals here, as arrays,
means a desk's list of cases on its way is always used up by the end of its day, so it never merges two
runs of Python lists (a key-sorted merge of every case still on its way, every day: 5 % of the run,
py-spy); the sort here is one ``np.lexsort`` of the cases arriving that day. The held cases wait in
buckets by arrival day, so a day touches only its own.

Cases still held at the horizon never reached their desk: unstarted, they leave nothing in the records
(``IncidentLoop.write_outcomes`` writes the started ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from govsim.daybuckets import split_by_day
from govsim.departments import (
    BUSY,
    CASE,
    CODE,
    DEADLINE,
    KEY,
    KLASS,
    LIFT_AT,
    REPORTER,
    ROUNDS,
    START,
    WORK,
    Job,
    K,
)


class Receiver(Protocol):
    """What receives a desk's cases: the ``Department`` agent (it may re-key them: ``receive``)."""

    def receive(self, times: list[float], jobs: list[Job]) -> None: ...  # noqa: D102


HELD = ("arrive", "desk", "day", "case", "klass", "deadline", "lift_at", "work", "code", "reporter")
"""Columns of a held case: arrival time, desk index, routing day, then the ``Job`` fields."""
FLOATS = ("arrive", "deadline", "lift_at", "work")
"""The float block of a held case, one row each: arrival, deadline, lift time, then ``work`` (rounds)."""
INTS = ("desk", "day", "case", "klass", "code", "reporter")
"""The int64 block of a held case, one row each."""
FLOAT_SLOTS = [KEY, DEADLINE, LIFT_AT, *range(WORK, WORK + ROUNDS)]
"""Where a ``Job`` takes the float block's columns (the arrival time is its queue key)."""
INT_SLOTS = [CASE, KLASS, CODE, REPORTER]
"""Where a ``Job`` takes the int block's columns after desk and routing day."""


class OnTheWay:
    """Cases routed and not yet handed to their desk, by the day they arrive, as two blocks of rows.

    Each held case waits in the bucket of its arrival day (``floor(arrive)``), as a row of a float block
    (``FLOATS``) and a row of an int64 block (``INTS``) of the routing day it came with: a day takes only
    its own bucket. Held all in one set of columns, every day re-copied every case still on its way
    (29,500 on average at ×4 population, some 3.5 MB a day, once to add the day's routing and once to
    drop what was handed; 3,700 at ×0.5), which outgrew a core's 2 MB cache as the city grew: copies
    were the second-largest rise of cache misses per ticket from ×0.5 to ×4 in cachegrind
    (``benchmarks/cache_scaling.py``). Two blocks of rows instead of ten columns: a case's fields sit
    side by side (one or two cache lines per case gathered, not ten), and each step is two numpy calls
    instead of ten, which is most of the cost of a small run's day. The order a desk gets its cases is a
    total order (by arrival time, routing day, case number), so it does not depend on how they were
    held.
    """

    def __init__(self) -> None:
        self.by_day: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        self.n_held = 0

    def __len__(self) -> int:
        return self.n_held

    def _hold(self, fl: np.ndarray, it: np.ndarray) -> None:
        """Put cases (rows of the float and int blocks) in the buckets of their arrival days."""
        self.n_held += len(fl)
        days = np.floor(fl[:, 0]).astype(np.int64)
        if days.min() == days.max():  # all on one day: the blocks as they are
            self.by_day.setdefault(int(days[0]), []).append((fl, it))
            return
        for day, rows in split_by_day(days):
            self.by_day.setdefault(day, []).append((fl[rows], it[rows]))

    def route(
        self, day: int, until: float, new: dict[str, np.ndarray] | None, desks: Sequence[Receiver]
    ) -> None:
        """Hand every desk its cases arriving before ``until``, in order; hold the rest.

        ``new``: the cases routed on ``day``, columns ``HELD`` but ``day``, each (n,), ``work`` (n, rounds)
        (None: none routed). ``desks``: the receivers by desk index.
        """
        parts = [p for d in sorted(d for d in self.by_day if d < until) for p in self.by_day.pop(d)]
        self.n_held -= sum(len(p[0]) for p in parts)
        if new is not None:
            n = len(new["case"])
            fl = np.column_stack([new[k] for k in FLOATS]).astype(np.float64, copy=False)
            it = np.empty((n, len(INTS)), dtype=np.int64)
            for j, k in enumerate(INTS):
                it[:, j] = day if k == "day" else new[k]
            parts.append((fl, it))
        if not parts:
            return
        if len(parts) == 1:
            fl, it = parts[0]
        else:
            fl, it = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        due = fl[:, 0] < until
        if not due.all():
            held = (~due).nonzero()[0]  # taken by index: cheaper than a mask
            self._hold(fl[held], it[held])
            hand = due.nonzero()[0]  # the method: ``np.flatnonzero`` is a Python wrapper around it
            if not len(hand):
                return
            fl, it = fl[hand], it[hand]
        # only what arrives today is sorted: by desk, arrival time, routing day, case number
        day_case = it[:, 1] << 32 | it[:, 2]  # case numbers < 2**32
        order = np.lexsort((day_case, fl[:, 0], it[:, 0]))
        it = it[order]
        # the Jobs as rows of an object array, made Python lists in one ``tolist``: a float or int object
        # per field and a list per case, with no tuple per case between (``zip``) as columns would need:
        # a day of 3,000 cases over 35 desks 2.0-2.2 -> 1.6-1.9 ms (process time, best of 7, paired)
        rows = np.empty((len(it), BUSY + 1), dtype=object)
        rows[:, FLOAT_SLOTS] = fl[order]
        rows[:, INT_SLOTS] = it[:, 2:]
        rows[:, K], rows[:, START], rows[:, BUSY] = 0, -1.0, 0.0  # round, first start, staff time
        jobs: list[Job] = rows.tolist()
        times = rows[:, KEY].tolist()  # the arrival times (the department may replace the key: ``receive``)
        desk = it[:, 0]
        cuts = ((desk[1:] != desk[:-1]).nonzero()[0] + 1).tolist()  # not np.diff, np.r_: few desks a day
        for a, b, d in zip([0, *cuts], [*cuts, len(desk)], desk[[0, *cuts]].tolist(), strict=True):
            desks[d].receive(times[a:b], jobs[a:b])
