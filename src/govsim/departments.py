"""Department handling (处置) and feedback (反馈): finite staff, a priority queue, SimPy events.

A ``Job`` carries what a routed case needs at the department, prepared in one vectorised step at
routing: its queue key, deadline, the work of each handling round, and the feedback outcomes the
reporter's pre-drawn uniforms give on time and late. A ``DepartmentDesk`` is ``servers`` staff in
parallel with one non-preemptive priority queue: an arrival starts at once if a staff member is free,
else waits; a completion asks the reporter, who closes the case, reopens it (返工, back to the same
desk after the feedback delay) or turns it into a petition. Outcomes are written straight into the
incident columns; everything a callback reads was prepared as plain Python values at routing.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np
import simpy

CLOSE, REOPEN, PETITION = 0, 1, 2


class Job:
    """One routed case at a department (state of the handling rounds)."""

    __slots__ = (
        "i",
        "klass",
        "key",
        "deadline",
        "lift_at",
        "work",
        "sat_on_time",
        "sat_late",
        "after",
        "reporter",
        "k",
        "start",
        "busy",
    )

    def __init__(
        self,
        i: int,
        klass: int,
        key: float,
        deadline: float,
        lift_at: float,
        work: list[float],
        sat_on_time: list[bool],
        sat_late: list[bool],
        after: list[int],
        reporter: int,
    ) -> None:
        self.i, self.klass, self.deadline, self.lift_at = i, klass, deadline, lift_at
        self.key = (klass, key)  # queue order: category class, then arrival time or deadline
        self.work, self.sat_on_time, self.sat_late, self.after = work, sat_on_time, sat_late, after
        self.reporter = reporter
        self.k = 0  # handling round: 0 first, then one per reopen
        self.start = -1.0  # first start of handling
        self.busy = 0.0  # staff time spent over all rounds


@dataclass
class Rules:
    """Department-side parameters of the loop, fixed for a run."""

    feedback_days: float
    max_reopens: int
    liaison_work: float  # multiplier on work once a case is lifted to county (rung 3)
    accountability: bool  # reopened cases keep their deadline as queue key


@dataclass
class Outcomes:
    """Where handling outcomes go.

    The incident columns (looked up at each write, as they may grow), the cases in progress (written to
    the records at the end), and feedback awaiting the daily trust update.
    """

    cols: dict[str, np.ndarray]
    active: dict[int, Job] = field(default_factory=dict)
    reporters: list[int] = field(default_factory=list)  # feedback of the day: who
    satisfied: list[bool] = field(default_factory=list)  # and whether satisfied


class DepartmentDesk:
    """Handling staff of one department of one county: ``servers`` in parallel, one priority queue.

    Cases routed to the desk wait in ``incoming`` (by arrival time) and a single SimPy timeout, the
    desk's bell, rings at the next arrival. Scheduling one event per desk rather than one per routed
    case keeps SimPy's event heap the size of the staff in service, not of a day's routing, which is
    what keeps the time per incident flat as the city grows (measured in ``benchmarks/bench.py``).
    """

    __slots__ = ("env", "free", "queue", "rules", "out", "incoming", "bell", "bell_at")

    def __init__(self, env: simpy.Environment, servers: int, rules: Rules, out: Outcomes) -> None:
        self.env, self.free, self.rules, self.out = env, servers, rules, out
        self.queue: list[tuple[tuple[int, float], int, Job]] = []
        self.incoming: list[tuple[float, int, Job]] = []
        self.bell: simpy.Event | None = None
        self.bell_at = math.inf

    def expect(self, t: float, job: Job) -> None:
        """A case is on its way and arrives at time ``t`` (routed, or reopened after feedback)."""
        heapq.heappush(self.incoming, (t, job.i, job))
        if t < self.bell_at:
            self._ring_at(t)

    def _ring_at(self, t: float) -> None:
        self.bell_at = t
        self.bell = self.env.timeout(t - self.env.now)
        self.bell.callbacks.append(self._ring)

    def _ring(self, event: simpy.Event) -> None:
        if event is not self.bell:  # superseded by an earlier arrival
            return
        incoming, now = self.incoming, self.env.now
        while incoming and incoming[0][0] <= now:
            self.arrive(heapq.heappop(incoming)[2])
        if incoming:
            self._ring_at(incoming[0][0])
        else:
            self.bell, self.bell_at = None, math.inf

    def arrive(self, job: Job) -> None:
        """A routed case arrives (first time or reopened): start at once or wait in priority order."""
        if self.free:
            self.free -= 1
            self.start(job)
        else:
            heapq.heappush(self.queue, (job.key, job.i, job))

    def start(self, job: Job) -> None:
        """A staff member takes the case; a case already lifted to county is helped by the liaison."""
        now = self.env.now
        if job.k == 0:
            job.start = now
        work = job.work[job.k] * (self.rules.liaison_work if now >= job.lift_at else 1.0)
        job.busy += work
        self.env.timeout(work, job).callbacks.append(self.finish)

    def finish(self, event: simpy.Event) -> None:
        """Handling done: feedback, then the freed staff member takes the next case in the queue."""
        self.feedback(event._value)
        if self.queue:
            self.start(heapq.heappop(self.queue)[2])
        else:
            self.free += 1

    def feedback(self, job: Job) -> None:
        """The reporter judges the result (反馈): satisfied closes; else reopen (返工) or petition (信访)."""
        now, rules, k = self.env.now, self.rules, job.k
        sat = job.sat_late[k] if now > job.deadline else job.sat_on_time[k]
        self.out.reporters.append(job.reporter)
        self.out.satisfied.append(sat)
        after = CLOSE if sat else job.after[k]
        if after == REOPEN and k < rules.max_reopens:
            job.k = k + 1
            if not rules.accountability:
                job.key = (job.klass, now + rules.feedback_days)
            self.expect(now + rules.feedback_days, job)
            return
        i, c = job.i, self.out.cols
        del self.out.active[i]
        c["t_handle_start"][i], c["t_handle_end"][i], c["t_close"][i] = (
            job.start,
            now,
            now + rules.feedback_days,
        )
        c["reopen_count"][i], c["satisfied"][i], c["handle_days"][i] = k, sat, job.busy
        if after != CLOSE:
            c["petitioned"][i] = True
