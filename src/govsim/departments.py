"""Department handling (处置) and feedback (反馈): finite staff, a priority queue, one SimPy wake-up.

A ``Job`` carries what a routed case needs at the department, prepared in one vectorised step at
routing: its queue key, deadline, the work of each handling round, and the feedback outcomes the
reporter's pre-drawn uniforms give on time and late. A ``DepartmentDesk`` is ``servers`` staff in
parallel with one non-preemptive priority queue: an arrival starts at once if a staff member is free,
else waits; a completion asks the reporter, who closes the case, reopens it (返工, back to the same
desk after the feedback delay) or turns it into a petition. The desk keeps its own calendar of these
events behind one SimPy wake-up. Closed cases and the day's feedback are collected in ``Outcomes`` and
written into the incident columns and residents' trust once a day, at the tick; everything a desk
reads was prepared as plain Python values at routing.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import simpy

from govsim.officetime import OfficeHours

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
    measure_from: float = 0.0  # the measured window [measure_from, measure_to): busy time is counted in it
    measure_to: float = math.inf


@dataclass
class Outcomes:
    """Where handling outcomes go.

    The incident columns (looked up at each write, as they may grow), feedback awaiting the daily trust
    update, and closed cases awaiting the daily write into the columns (one vectorised write a day
    instead of scalar writes per case).
    """

    cols: dict[str, np.ndarray]
    reporters: list[int] = field(default_factory=list)  # feedback of the day: who
    satisfied: list[bool] = field(default_factory=list)  # and whether satisfied
    closed: list[tuple[int, float, float, int, bool, float, bool]] = field(default_factory=list)

    def write_closed(self, feedback_days: float) -> None:
        """Write the cases closed since the last call into the incident columns, in one vectorised step."""
        if not self.closed:
            return
        i, start, end, k, sat, busy, pet = (np.array(v) for v in zip(*self.closed, strict=True))
        self.closed.clear()
        c = self.cols
        c["t_handle_start"][i], c["t_handle_end"][i], c["t_close"][i] = start, end, end + feedback_days
        c["reopen_count"][i], c["satisfied"][i], c["handle_days"][i] = k, sat, busy
        c["petitioned"][i[pet]] = True


class DepartmentDesk:
    """Handling staff of one department of one county: ``servers`` in parallel, one priority queue.

    The desk keeps its own future events: cases on their way (sorted runs, one per day's routing, and
    the reopened cases coming back after feedback, already in time order) and the completions of the
    staff in service (a heap). One SimPy timeout per desk, its wake-up, is pending at the desk's next
    event; when it fires the desk handles that event and sets the next wake-up. SimPy's heap thus holds
    about one entry per desk however large the city (a wake-up superseded by an earlier routed arrival
    stays until it fires, then does nothing), and no per-case heap grows with it: that keeps the time
    per incident flat as the population scales (measured in ``benchmarks/bench.py``). Events of one desk
    are handled in time order at their exact times; the desk never reads another desk's state.

    Office hours (``hours``, ``None`` for 7x24): staff take cases only while the desk is open. Work is
    measured in office time (staff-days of the schedule), so a case's completion is its start's office
    time plus its work, mapped back to calendar time (``OfficeHours.wall``): work in hand pauses at the
    close and resumes at the next opening with no event in between. A case arriving while the desk is
    closed waits in the priority queue; if staff are free, the desk's one wake-up is set at the next
    opening, where they take the queue in priority order (a desk that sleeps until it opens). Arrivals
    while closed need no wake-up of their own: the desk handles them, in arrival order, when it opens.
    """

    __slots__ = (
        "env",
        "staff",
        "hours",
        "free",
        "queue",
        "rules",
        "out",
        "runs",
        "reopens",
        "done_at",
        "serving",
        "n_runs",
        "wake",
        "wake_at",
        "busy_in",
        "w0",
        "w1",
    )

    def __init__(
        self,
        env: simpy.Environment,
        servers: int,
        rules: Rules,
        out: Outcomes,
        hours: OfficeHours | None = None,
    ) -> None:
        self.env, self.free, self.rules, self.out = env, servers, rules, out
        self.staff, self.hours = servers, hours
        self.queue: list[tuple[tuple[int, float], int, Job]] = []  # waiting, in priority order
        self.runs: list[list] = []  # heap of [head time, run number, times, jobs, position]
        self.reopens: deque[tuple[float, Job]] = deque()  # reopened cases on their way, in time order
        # staff in service: a heap of completion times (plain floats: cheap to compare) and the case each ends
        self.done_at: list[float] = []
        self.serving: dict[float, Job] = {}
        self.n_runs = 0
        self.wake: simpy.Event | None = None
        self.wake_at = math.inf
        self.busy_in = 0.0  # staff-days of service inside the measured window (utilisation's numerator)
        self.w0, self.w1 = rules.measure_from, rules.measure_to

    def expect(self, times: list[float], jobs: list[Job]) -> None:
        """Routed cases on their way, arriving at ``times`` (sorted ascending, ties by case number)."""
        assert times[0] >= self.env.now, "a case cannot arrive before it is routed"
        self.n_runs += 1
        heapq.heappush(self.runs, [times[0], self.n_runs, times, jobs, 0])
        self._wake_by(times[0] if self.hours is None else self.hours.effective(times[0]))

    def _wake_by(self, t: float) -> None:
        if t < self.wake_at:
            self.wake_at = t
            # max: now + (t - now) can round one ulp past t; the desk itself uses the exact event times
            self.wake = self.env.timeout(max(t - self.env.now, 0.0))
            self.wake.callbacks.append(self._on_wake)

    def _on_wake(self, event: simpy.Event) -> None:
        """Handle every event of the desk due by the wake-up's time, then set the next wake-up."""
        if event is not self.wake:  # superseded by an earlier arrival
            return
        due, done_at, runs, reopens, hours = self.wake_at, self.done_at, self.runs, self.reopens, self.hours
        while True:
            t_done = done_at[0] if done_at else math.inf
            t_run = runs[0][0] if runs else math.inf
            t_back = reopens[0][0] if reopens else math.inf
            if hours is not None and self.free and self.queue:  # closed until now: staff free, cases wait
                t_open = due if hours.is_open(due) else hours.next_open(due)
                if t_open < t_done and t_open <= t_run and t_open <= t_back:  # completions first at a tie
                    if t_open > due:
                        nxt = t_open
                        break
                    self.open(t_open)
                    continue
            if t_done <= t_run and t_done <= t_back:
                if t_done > due:
                    nxt = t_done
                    break
                heapq.heappop(done_at)
                self.finish(t_done, self.serving.pop(t_done))
            elif t_run <= t_back:
                if t_run > due:
                    nxt = t_run if hours is None else hours.effective(t_run)
                    break
                run = runs[0]
                pos = run[4]
                job = run[3][pos]
                pos += 1
                if pos < len(run[2]):
                    run[0], run[4] = run[2][pos], pos
                    heapq.heapreplace(runs, run)
                else:
                    heapq.heappop(runs)
                self.arrive(t_run, job)
            else:
                if t_back > due:
                    nxt = t_back if hours is None else hours.effective(t_back)
                    break
                self.arrive(t_back, reopens.popleft()[1])
        self.wake, self.wake_at = None, math.inf
        if nxt < math.inf:
            self._wake_by(nxt)

    def in_hand(self) -> list[Job]:
        """The cases in the desk's hands: on their way, waiting, in service, or reopened."""
        runs = [job for run in self.runs for job in run[3][run[4] :]]
        return runs + [e[2] for e in self.queue] + list(self.serving.values()) + [e[1] for e in self.reopens]

    def scheduled_time(self, t0: float, t1: float) -> float:
        """Staff-days scheduled in ``[t0, t1)`` (days since start): staff × open time in scheduled days.

        With office hours a scheduled day is one day of the schedule (e.g. 7 open hours), the unit of
        ``handle_days``, so busy staff-days over scheduled staff-days is the utilisation; 7x24 desks
        give ``staff * (t1 - t0)``.
        """
        if self.hours is None:
            return self.staff * (t1 - t0)
        return self.staff * self.hours.time(t0, t1)

    def open(self, now: float) -> None:
        """The desk opens with staff free and cases waiting: they take the queue in priority order."""
        while self.free and self.queue:
            self.free -= 1
            self.start(now, heapq.heappop(self.queue)[2])

    def arrive(self, now: float, job: Job) -> None:
        """A routed case arrives (first time or reopened): start at once if open and free, else wait."""
        if self.free and (self.hours is None or self.hours.is_open(now)):
            self.free -= 1
            self.start(now, job)
        else:
            heapq.heappush(self.queue, (job.key, job.i, job))

    def start(self, now: float, job: Job) -> None:
        """A staff member takes the case; a case already lifted to county is helped by the liaison."""
        if job.k == 0:
            job.start = now
        work = job.work[job.k] * (self.rules.liaison_work if now >= job.lift_at else 1.0)
        job.busy += work
        w0, w1 = self.w0, self.w1
        if self.hours is None:
            end = now + work
            # the part of [now, end) inside the measured window: one subtraction per start, no per-case state
            inside = (end if end < w1 else w1) - (now if now > w0 else w0)
        else:  # office time: the work resumes at each opening until done
            end = max(self.hours.wall(self.hours.office(now) + work), now)
            # busy staff-days inside the window, in the unit of scheduled_time (open time, scheduled days)
            if now >= w0 and end <= w1:
                inside = work
            else:
                a, b = (now if now > w0 else w0), (end if end < w1 else w1)
                inside = self.hours.time(a, b) if b > a else 0.0
        if inside > 0.0:
            self.busy_in += inside
        while end in self.serving:  # two completions at the same instant: the later start ends an ulp later
            end = math.nextafter(end, math.inf)
        self.serving[end] = job
        heapq.heappush(self.done_at, end)

    def finish(self, now: float, job: Job) -> None:
        """Handling done: feedback, then the freed staff member takes the next case in the queue."""
        self.feedback(now, job)
        if self.queue and (self.hours is None or self.hours.is_open(now)):
            self.start(now, heapq.heappop(self.queue)[2])
        else:
            self.free += 1

    def feedback(self, now: float, job: Job) -> None:
        """The reporter judges the result (反馈): satisfied closes; else reopen (返工) or petition (信访)."""
        rules, k = self.rules, job.k
        sat = job.sat_late[k] if now > job.deadline else job.sat_on_time[k]
        self.out.reporters.append(job.reporter)
        self.out.satisfied.append(sat)
        after = CLOSE if sat else job.after[k]
        if after == REOPEN and k < rules.max_reopens:
            job.k = k + 1
            if not rules.accountability:
                job.key = (job.klass, now + rules.feedback_days)
            self.reopens.append((now + rules.feedback_days, job))
            return
        self.out.closed.append((job.i, job.start, now, k, sat, job.busy, after != CLOSE))

