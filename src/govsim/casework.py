"""A routed case as a department desk holds it, the loop's rules, and where handling outcomes go.

A ``Job`` carries what a routed case needs at the department, prepared in one vectorised step at
routing: its queue key, deadline, the work of each handling round, and the feedback outcomes the
reporter's pre-drawn uniforms give on time and late (packed in one int, ``outcome_code``). It is a plain
list, built from the day's columns by ``zip`` and ``map(list, ...)`` in C: a class with an ``__init__``
cost a Python call per case, the largest part of routing (py-spy). ``Rules`` are the department-side
parameters of a run; ``Outcomes`` collects closed cases and the day's feedback, written into the
incident columns and residents' trust once a day, at the tick. The desk itself (``DepartmentDesk``) is
in ``govsim.departments``, which re-exports these names.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

CLOSE, REOPEN, PETITION = 0, 1, 2
# a closed case: case number, first start, end of handling, reopens, satisfied, staff time, petitioned
_CLOSED: tuple[type, ...] = (np.int64, np.float64, np.float64, np.int64, np.bool_, np.float64, np.bool_)


# A routed case at a department is a plain list (built from the day's columns in C, no Python call per
# case; ``new_job``), its fields at these positions; the desk reads them with literal indices:
KEY, CASE, KLASS, DEADLINE, LIFT_AT, WORK, CODE, REPORTER, K, START, BUSY = 0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12
ROUNDS = 3  # handling rounds prepared per case: the first and two reopens (WORK, WORK + 1, WORK + 2)
Job = list  # [queue key, case number, class, deadline, lift time, work × ROUNDS, outcome code, reporter,
#             round k, first start, staff time]: the last three are the state of the handling rounds


def outcome_code(sat_on_time: np.ndarray, sat_late: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The reporter's answer to each handling round, packed in one int per case: 4 bits a round.

    ``sat_on_time``, ``sat_late`` (bool) and ``after`` (CLOSE, REOPEN or PETITION), each (n, ROUNDS).
    A round's outcome is 0 satisfied, else 1 + after (1 closed unsatisfied, 2 reopened, 3 petition);
    round k's outcome on time sits at bits 4k..4k+1, late at 4k+2..4k+3 (``DepartmentDesk.advance``).
    """
    on = np.where(sat_on_time, 0, 1 + after).astype(np.int64)
    late = np.where(sat_late, 0, 1 + after).astype(np.int64)
    per_round = on | late << 2
    return (per_round << (4 * np.arange(per_round.shape[1]))).sum(axis=1)


def new_job(
    i: int,
    klass: int,
    key: float,
    deadline: float,
    lift_at: float,
    work: Sequence[float],
    sat_on_time: Sequence[bool],
    sat_late: Sequence[bool],
    after: Sequence[int],
    reporter: int,
) -> Job:
    """One case as the desk holds it (the run builds them a day at a time in ``IncidentLoop._dispatch``).

    ``key``: queue order within the class (arrival time or deadline), then the case number; ``work``,
    ``sat_on_time``, ``sat_late``, ``after``: per handling round (up to ``ROUNDS``).
    """
    pad = ROUNDS - len(work)
    code = outcome_code(
        np.array([[*sat_on_time, *[True] * pad]]),
        np.array([[*sat_late, *[True] * pad]]),
        np.array([[*after, *[0] * pad]]),
    )
    return [key, i, klass, deadline, lift_at, *work, *[0.0] * pad, int(code[0]), reporter, 0, -1.0, 0.0]


@dataclass
class Rules:
    """Department-side parameters of the loop, fixed for a run."""

    feedback_days: float
    max_reopens: int
    liaison_work: float  # multiplier on work once a case is lifted to county (rung 3)
    accountability: bool  # reopened cases keep their deadline as queue key
    measure_from: float = 0.0  # the measured window [measure_from, measure_to): busy time is counted in it
    measure_to: float = math.inf


@dataclass
class Outcomes:
    """Where handling outcomes go.

    The incident columns (looked up at each write, as they may grow), feedback awaiting the daily trust
    update, and closed cases awaiting the write into the columns (vectorised, instead of scalar writes
    per case).

    A desk appends to the lists as its cases end; ``spill``, after each desk's day, turns them into
    arrays once ``SPILL`` of them have gathered: closed cases are written into the columns then, and
    the feedback is kept as arrays until the day's trust update. The Python objects are then read while
    they are still in the cache. Gathered for a whole day at once, the lists grew with the city (about
    11,000 closures a day at ×4 population, several MB of tuples and floats) and were read back from
    memory; a spill caps them, so the time per case stays flat as the population scales (cachegrind,
    README "Performance"). The records are the same: a case closes once, so the order of the writes
    does not matter, and nothing reads these columns during the run.
    """

    SPILL = 2048
    """Cases gathered before ``spill`` writes them (about a day's closures at ×0.5: small runs never
    spill before the daily write, so they pay no extra numpy calls; assumed, a cache-size choice)."""

    cols: dict[str, np.ndarray]
    reporters: list[int] = field(default_factory=list)  # feedback not yet spilled: who
    satisfied: list[bool] = field(default_factory=list)  # whether satisfied
    times: list[float] = field(default_factory=list)  # and when (desk by desk: sort before use)
    closed: list[tuple[int, float, float, int, bool, float, bool]] = field(default_factory=list)
    spilled: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    """Feedback spilled since the last ``take_feedback``: (times, reporters, satisfied) arrays, in order."""

    def spill(self, feedback_days: float) -> None:
        """Write the closed cases and turn the feedback into arrays, once ``SPILL`` of either gathered."""
        if len(self.closed) >= self.SPILL:
            self.write_closed(feedback_days)
        if len(self.times) >= self.SPILL:
            self.spilled.append(self._feedback_arrays())

    def _feedback_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The feedback lists as arrays (times float64, reporters int64, satisfied bool); lists emptied."""
        arrays = (
            np.array(self.times, dtype=np.float64),
            np.array(self.reporters, dtype=np.int64),
            np.array(self.satisfied, dtype=bool),
        )
        self.times.clear()
        self.reporters.clear()
        self.satisfied.clear()
        return arrays

    def take_feedback(self) -> tuple[np.ndarray, np.ndarray]:
        """The feedback collected since the last call, in time order: reporters (int64) and satisfied (bool).

        Desks append their feedback desk by desk; a stable sort by time puts it in the order it happened
        (ties: desk order), so that a reporter with two feedbacks in a day ends with the later one's trust.
        """
        times, who, sat = self._feedback_arrays()
        if self.spilled:  # the spilled arrays come first: they were appended first
            chunks = [*self.spilled, (times, who, sat)]
            self.spilled.clear()
            times, who, sat = (np.concatenate(c) for c in zip(*chunks, strict=True))
        order = np.argsort(times, kind="stable")
        return who[order], sat[order]

    def write_closed(self, feedback_days: float) -> None:
        """Write the cases closed since the last call into the incident columns, in one vectorised step."""
        if not self.closed:
            return
        n = len(self.closed)
        cols = zip(zip(*self.closed, strict=True), _CLOSED, strict=True)
        arrays: list[np.ndarray] = [np.fromiter(v, dtype, n) for v, dtype in cols]  # typed: no scan
        i, start, end, k, sat, busy, pet = arrays
        self.closed.clear()
        c = self.cols
        c["t_handle_start"][i], c["t_handle_end"][i], c["t_close"][i] = start, end, end + feedback_days
        c["reopen_count"][i], c["satisfied"][i], c["handle_days"][i] = k, sat, busy
        c["petitioned"][i[pet]] = True
