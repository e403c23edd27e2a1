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
from itertools import repeat
from typing import Protocol

import numpy as np

from govsim.departments import Job


class Receiver(Protocol):
    """What receives a desk's cases: the ``Department`` agent (it may re-key them: ``receive``)."""

    def receive(self, times: list[float], jobs: list[Job]) -> None: ...  # noqa: D102


HELD = ("arrive", "desk", "day", "case", "klass", "deadline", "lift_at", "work", "code", "reporter")
"""Columns of a held case: arrival time, desk index, routing day, then the ``Job`` fields."""


class OnTheWay:
    """Cases routed and not yet handed to their desk, as columns (``HELD``), by the day they arrive.

    Each held case waits in the bucket of its arrival day (``floor(arrive)``), as the columns of the
    routing day it came with: a day takes only its own bucket. Held all in one set of columns, every day
    re-copied every case still on its way (29,500 on average at ×4 population, some 3.5 MB a day, once to
    add the day's routing and once to drop what was handed; 3,700 at ×0.5), which outgrew a core's 2 MB
    cache as the city grew: copies were the second-largest rise of cache misses per ticket from ×0.5 to
    ×4 in cachegrind (``benchmarks/cache_scaling.py``). The order a desk gets its cases is a total order
    (by arrival time, routing day, case number), so it does not depend on how they were held.
    """

    def __init__(self) -> None:
        self.by_day: dict[int, list[dict[str, np.ndarray]]] = {}
        self.n_held = 0

    def __len__(self) -> int:
        return self.n_held

    def _hold(self, cols: dict[str, np.ndarray]) -> None:
        """Put cases in the buckets of their arrival days."""
        self.n_held += len(cols["case"])
        days = np.floor(cols["arrive"]).astype(np.int64)
        first, last = int(days.min()), int(days.max())
        if first == last:  # all on one day: the columns as they are
            self.by_day.setdefault(first, []).append(cols)
            return
        order = np.argsort(days, kind="stable")
        days = days[order]
        cuts = ((days[1:] != days[:-1]).nonzero()[0] + 1).tolist()
        for a, b in zip([0, *cuts], [*cuts, len(days)], strict=True):
            part = order[a:b]
            self.by_day.setdefault(int(days[a]), []).append({k: v[part] for k, v in cols.items()})

    def route(
        self, day: int, until: float, new: dict[str, np.ndarray] | None, desks: Sequence[Receiver]
    ) -> None:
        """Hand every desk its cases arriving before ``until``, in order; hold the rest.

        ``new``: the cases routed on ``day``, columns ``HELD`` but ``day``, each (n,), ``work`` (n, rounds)
        (None: none routed). ``desks``: the receivers by desk index.
        """
        parts = [p for d in sorted(d for d in self.by_day if d < until) for p in self.by_day.pop(d)]
        self.n_held -= sum(len(p["case"]) for p in parts)
        if new is not None:
            n = len(new["case"])
            parts.append({k: new[k] for k in HELD if k != "day"} | {"day": np.full(n, day, dtype=np.int64)})
        if not parts:
            return
        cols = parts[0] if len(parts) == 1 else {k: np.concatenate([p[k] for p in parts]) for k in HELD}
        due = cols["arrive"] < until
        if not due.all():
            held = (~due).nonzero()[0]  # taken by index: cheaper than a mask per column
            self._hold({k: v[held] for k, v in cols.items()})
        hand = due.nonzero()[0]  # the method: ``np.flatnonzero`` is a Python wrapper around it
        if not len(hand):
            return
        # only what arrives today is sorted: by desk, arrival time, routing day, case number
        day_case = cols["day"][hand] << 32 | cols["case"][hand]  # case numbers < 2**32
        hand = hand[np.lexsort((day_case, cols["arrive"][hand], cols["desk"][hand]))]
        c = {k: v[hand] for k, v in cols.items()}
        key = c["arrive"]  # the department's own order may replace it (``Department.receive``)
        fields = (
            key,
            c["case"],
            c["klass"],
            c["deadline"],
            c["lift_at"],
            *c["work"].T,
            c["code"],
            c["reporter"],
        )
        state = (repeat(0), repeat(-1.0), repeat(0.0))  # round, first start, staff time: endless
        jobs: list[Job] = list(map(list, zip(*(f.tolist() for f in fields), *state, strict=False)))
        desk = c["desk"]
        cuts = ((desk[1:] != desk[:-1]).nonzero()[0] + 1).tolist()  # not np.diff, np.r_: few desks a day
        times = c["arrive"].tolist()
        for a, b in zip([0, *cuts], [*cuts, len(desk)], strict=True):
            desks[int(desk[a])].receive(times[a:b], jobs[a:b])
