"""Routed cases on their way to the departments (流转 → 处置), held as columns until their arrival day.

``IncidentLoop._dispatch`` prepares each routed case's fields in one vectorised step; ``OnTheWay`` keeps
them as numpy columns and hands each desk, a day at a time, only the cases that arrive before the end of
that day, as ``Job`` lists in arrival order (``DepartmentDesk.expect``). The order is the one the desk
would give them if it held them all from routing on: by arrival time, then routing day (at a tie in
time the earlier routing goes first), then case number. Holding the later arrivals here, as arrays,
means a desk's list of cases on its way is always used up by the end of its day, so it never merges two
runs of Python lists (a key-sorted merge of every case still on its way, every day: 5 % of the run,
py-spy); the sort here is one ``np.lexsort`` of the cases arriving that day (about half of those held).

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
    """Cases routed and not yet handed to their desk, as columns (``HELD``), in no particular order."""

    def __init__(self) -> None:
        self.cols: dict[str, np.ndarray] | None = None

    def __len__(self) -> int:
        return 0 if self.cols is None else len(self.cols["case"])

    def route(
        self, day: int, until: float, new: dict[str, np.ndarray] | None, desks: Sequence[Receiver]
    ) -> None:
        """Hand every desk its cases arriving before ``until``, in order; hold the rest.

        ``new``: the cases routed on ``day``, columns ``HELD`` but ``day``, each (n,), ``work`` (n, rounds)
        (None: none routed). ``desks``: the receivers by desk index.
        """
        if new is None:
            if self.cols is None:
                return
            cols = self.cols
        else:
            n = len(new["case"])
            cols = {k: new[k] for k in HELD if k != "day"} | {"day": np.full(n, day, dtype=np.int64)}
            if self.cols is not None:
                cols = {k: np.concatenate([self.cols[k], cols[k]]) for k in HELD}
        due = cols["arrive"] < until
        hand = due.nonzero()[0]  # the method: ``np.flatnonzero`` is a Python wrapper around it
        held = (~due).nonzero()[0]  # taken by index: cheaper than a mask per column
        self.cols = {k: v[held] for k, v in cols.items()} if len(held) else None  # unsorted
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
