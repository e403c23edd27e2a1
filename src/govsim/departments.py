"""Department handling (处置) and feedback (反馈): finite staff, a priority queue, a desk's own calendar.

A routed case is a ``Job`` (``govsim.casework`` has its fields, the ``Rules`` and the ``Outcomes``;
re-exported here). A ``DepartmentDesk`` is ``servers`` staff in parallel with one non-preemptive
priority queue: an arrival starts at once if a staff member is free, else waits; a completion asks the
reporter, who closes the case, reopens it (返工, back to the same desk after the feedback delay) or
turns it into a petition. The desk keeps its own calendar of these events and handles a day of them at
a time, when the daily process advances it. Closed cases and the day's feedback are collected in
``Outcomes`` and written into the incident columns and residents' trust once a day, at the tick;
everything a desk reads was prepared as plain Python values at routing.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Sequence
from operator import itemgetter

from govsim.casework import (
    BUSY,
    CASE,
    CLOSE,
    CODE,
    DEADLINE,
    KEY,
    KLASS,
    LIFT_AT,
    PETITION,
    REOPEN,
    REPORTER,
    ROUNDS,
    START,
    WORK,
    Job,
    K,
    Outcomes,
    Rules,
    new_job,
    outcome_code,
)
from govsim.officehours import OfficeHours

__all__ = [
    "BUSY",
    "CASE",
    "CLOSE",
    "CODE",
    "DEADLINE",
    "KEY",
    "KLASS",
    "LIFT_AT",
    "PETITION",
    "REOPEN",
    "REPORTER",
    "ROUNDS",
    "START",
    "WORK",
    "DepartmentDesk",
    "Job",
    "K",
    "Outcomes",
    "Rules",
    "new_job",
    "outcome_code",
]


class DepartmentDesk:
    """Handling staff of one department of one county: ``servers`` in parallel, one priority queue.

    The desk keeps its own future events: the cases on their way (one list in arrival order, into which
    each day's routing is merged) and the reopened cases coming back after feedback (already in time
    order), the completions of the staff in service (a heap), and, with office hours, the next opening
    while staff are free and cases wait. The daily process advances every desk to the end of the day
    after the day's intake (``advance``): the desk then handles its events of the day at their exact
    times, in time order, in one loop with no SimPy event per case. That is exact because desks never
    read each other's state and nothing outside reads a desk within a day: the cases routed today are
    all known before the desk's day is handled, and the day's feedback and closed cases are taken at the
    next tick, feedback in time order (``Outcomes.take_feedback``). No structure on the per-event path
    grows with the city, which keeps the time per incident flat as the population scales (measured in
    ``benchmarks/bench.py``). At the same instant a completion goes first, then an opening, then a
    routed arrival, then a reopened one.

    Office hours (``hours``, ``None`` for 7x24): staff take cases only while the desk is open. Work is
    measured in office time (staff-days of the schedule), so a case's completion is its start's office
    time plus its work, mapped back to calendar time (``OfficeHours.wall``): work in hand pauses at the
    close and resumes at the next opening with no event in between. A case arriving while the desk is
    closed waits in the priority queue; if staff are free, they take the queue in priority order at the
    next opening. The desk follows the open interval of its clock with a pointer that only moves forward
    (its events come in time order), so telling open from closed costs no search per event.

    The queue is one list per class, sorted by (key, case number) and taken from its head. Without
    accountability a case's key is the time it joins the queue, so it joins at the tail in O(1) and
    the best case is taken in O(1), where a heap of a few hundred waiting cases would cost a dozen
    comparisons a case and grew with the city; a deadline key is inserted in order (``bisect.insort``).
    The queue holds the jobs themselves: a job's first two fields are its key and case number (unique),
    so two jobs compare as (key, case number) with no entry tuple made per wait.
    """

    __slots__ = (
        "staff",
        "hours",
        "free",
        "qs",
        "qh",
        "n_wait",
        "rules",
        "out",
        "times",
        "jobs",
        "pos",
        "reopens",
        "done_at",
        "serving",
        "now",
        "last",
        "iv",
        "starts",
        "ends",
        "cum",
        "cend",
        "busy_in",
        "w0",
        "w1",
    )

    def __init__(
        self,
        servers: int,
        rules: Rules,
        out: Outcomes,
        hours: OfficeHours | None = None,
    ) -> None:
        self.free, self.rules, self.out = servers, rules, out
        self.staff, self.hours = servers, hours
        # waiting: per class, jobs by (key, case number) in ascending order from the head ``qh[class]`` on
        self.qs: list[list[Job]] = []
        self.qh: list[int] = []
        self.n_wait = 0
        self.times: Sequence[float] = []  # cases on their way: arrival times (ascending) from ``pos`` on
        self.jobs: Sequence[Job] = []
        self.pos = 0
        self.reopens: deque[tuple[float, Job]] = deque()  # reopened cases on their way, in time order
        # staff in service: a heap of completion times (plain floats: cheap to compare) and the case each ends
        self.done_at: list[float] = []
        self.serving: dict[float, Job] = {}
        self.now = 0.0  # the desk has handled its events before this time
        self.last = 0.0  # time of the last event handled
        self.iv = 0  # office hours: the first open interval that ends after ``last``
        if hours is not None:  # its open intervals and office clock, with a sentinel at infinity
            self.starts, self.ends = [*hours.starts, math.inf], [*hours.ends, math.inf]
            self.cum, self.cend = [*hours.cum, math.inf], [*hours.cend, math.inf]
        self.busy_in = 0.0  # staff-days of service inside the measured window (utilisation's numerator)
        self.w0, self.w1 = rules.measure_from, rules.measure_to

    def expect(self, times: list[float], jobs: list[Job]) -> None:
        """Routed cases on their way, arriving at ``times`` (sorted ascending, ties by case number).

        Merged into the cases still on their way; at a tie in time the earlier routing goes first.
        """
        assert times[0] >= self.now, "a case cannot arrive before it is routed"
        pos = self.pos
        if pos == len(self.times):
            self.times, self.jobs = times, jobs
        elif times[0] >= self.times[-1]:
            self.times, self.jobs = [*self.times[pos:], *times], [*self.jobs[pos:], *jobs]
        else:  # a stable sort of two sorted runs is one merge (timsort); ``itemgetter`` reorders in C
            t, j = [*self.times[pos:], *times], [*self.jobs[pos:], *jobs]
            take = itemgetter(*sorted(range(len(t)), key=t.__getitem__))
            self.times, self.jobs = take(t), take(j)
        self.pos = 0

    def advance(self, until: float) -> None:
        """Handle every event of the desk before ``until``, in time order.

        Written as one loop with the desk's state in local variables: it runs once per case event, and
        method calls and attribute look-ups per event were a third of its time (py-spy).
        """
        done_at, serving, times, jobs = self.done_at, self.serving, self.times, self.jobs
        reopens, hours, pos = self.reopens, self.hours, self.pos
        if (
            (not done_at or done_at[0] >= until)
            and (pos == len(times) or times[pos] >= until)
            and (not reopens or reopens[0][0] >= until)
            and not (hours is not None and self.free and self.n_wait and self.starts[self.iv] < until)
        ):  # no event before ``until`` (a quiet day, a weekend): what the loop below would do, at once
            if pos and pos == len(times):
                self.times, self.jobs, self.pos = [], [], 0
            self.now = until
            return
        qs, qh, rules, out = self.qs, self.qh, self.rules, self.out
        fb, fb_t, fb_sat, closed = out.reporters, out.times, out.satisfied, out.closed
        feedback_days, max_reopens = rules.feedback_days, rules.max_reopens
        accountability, liaison, w0, w1 = rules.accountability, rules.liaison_work, self.w0, self.w1
        n_times, last, free, n_wait = len(times), self.last, self.free, self.n_wait
        busy_in, iv = self.busy_in, self.iv
        heappush, heappop, inf = heapq.heappush, heapq.heappop, math.inf
        job: Job | None
        if hours is not None:  # open intervals with a sentinel at infinity, and the office-time clock
            starts, ends, cum, cend, scale = self.starts, self.ends, self.cum, self.cend, hours.scale
        draining = False  # the desk has just opened: free staff take the queue before anything else
        # the next completion, routed arrival and reopened arrival: kept up to date where they change
        t_done = done_at[0] if done_at else inf
        t_run = times[pos] if pos < n_times else inf
        t_back = reopens[0][0] if reopens else inf
        while True:
            if draining and free and n_wait:
                free -= 1
                job = None  # taken from the queue below
                now = last
            else:
                draining = False
                if hours is not None and free and n_wait:  # staff free while cases wait: closed at ``last``
                    t_open = starts[iv]  # the next opening
                    if t_open < t_done and t_open <= t_run and t_open <= t_back:  # completions first at a tie
                        if t_open >= until:
                            break
                        last, draining = t_open, True
                        continue
                if t_done <= t_run and t_done <= t_back:  # a completion: the reporter's feedback (反馈)
                    if t_done >= until:
                        break
                    now = last = heappop(done_at)
                    t_done = done_at[0] if done_at else inf
                    job = serving.pop(now)
                    k = job[10]  # K
                    # the round's outcome (``outcome_code``): 0 satisfied, 1 closed, 2 reopen, 3 petition
                    o = job[8] >> (4 * k + 2 if now > job[3] else 4 * k) & 3  # CODE, late if past DEADLINE
                    sat = o == 0
                    fb.append(job[9])  # REPORTER
                    fb_t.append(now)
                    fb_sat.append(sat)
                    if o == 2 and k < max_reopens:  # reopened (返工): back after the feedback delay
                        job[10] = k + 1
                        back = now + feedback_days
                        if not accountability:
                            job[0] = back  # KEY
                        reopens.append((back, job))
                        if back < t_back:
                            t_back = back
                    else:  # closed, satisfied or not; unsatisfied may turn into a petition (信访)
                        closed.append((job[1], job[11], now, k, sat, job[12], o > 1))  # CASE, START, BUSY
                    if hours is not None:
                        while ends[iv] <= now:
                            iv += 1
                    if not n_wait or (hours is not None and starts[iv] > now):
                        free += 1
                        continue
                    job = None  # the freed staff member takes the next case in the queue
                else:  # a routed case arrives, or a reopened one comes back
                    if t_run <= t_back:
                        if t_run >= until:
                            break
                        now = last = t_run
                        job = jobs[pos]
                        pos += 1
                        t_run = times[pos] if pos < n_times else inf
                    else:
                        if t_back >= until:
                            break
                        now = last = t_back
                        job = reopens.popleft()[1]
                        t_back = reopens[0][0] if reopens else inf
                    if hours is not None:
                        while ends[iv] <= now:
                            iv += 1
                    if not free or (hours is not None and starts[iv] > now):  # wait in the queue
                        klass = job[2]  # KLASS
                        while klass >= len(qs):
                            qs.append([])
                            qh.append(0)
                        q = qs[klass]
                        if q and job < q[-1]:  # behind cases with a later key (a deadline, a reopen)
                            insort(q, job, qh[klass])
                        else:
                            q.append(job)
                        n_wait += 1
                        continue
                    free -= 1
            if job is None:  # the best class waiting, its earliest key, then the lowest case number
                klass = 0
                while qh[klass] == len(qs[klass]):
                    klass += 1
                q, h = qs[klass], qh[klass]
                job = q[h]
                h += 1
                if h == len(q):
                    q.clear()
                    h = 0
                elif h > 1024 and 2 * h > len(q):  # drop the taken head now and then: O(1) a case
                    del q[:h]
                    h = 0
                qh[klass] = h
                n_wait -= 1
            # a staff member takes the case; a case already lifted to county is helped by the liaison
            k = job[10]  # K
            if k == 0:
                job[11] = now  # START
            work = job[5 + k] * (liaison if now >= job[4] else 1.0)  # WORK of round k; LIFT_AT
            job[12] += work  # BUSY
            if hours is None:
                end = now + work
                # the part of [now, end) inside the measured window: one subtraction per start
                inside = (end if end < w1 else w1) - (now if now > w0 else w0)
            else:  # office time (open now, in interval iv): the work resumes at each opening until done
                # ``OfficeHours.wall`` of the office time at the end, from the interval it falls in
                o = cum[iv] + (now - starts[iv]) * scale + work
                j = bisect_left(cend, o, iv)
                if o >= cend[j]:
                    end = ends[j]  # ends at a close (exactly)
                elif o <= cum[j]:
                    end = starts[j]
                else:
                    end = starts[j] + (o - cum[j]) / scale
                    if end > ends[j]:
                        end = ends[j]
                if end < now:
                    end = now
                # busy staff-days inside the window, in the unit of scheduled_time (open time, scheduled days)
                if now >= w0 and end <= w1:
                    inside = work
                else:
                    a, b = (now if now > w0 else w0), (end if end < w1 else w1)
                    inside = hours.time(a, b) if b > a else 0.0
            if inside > 0.0:
                busy_in += inside
            while end in serving:  # two completions at the same instant: the later start ends an ulp later
                end = math.nextafter(end, inf)
            serving[end] = job
            heappush(done_at, end)
            if end < t_done:
                t_done = end
        if pos == n_times and n_times:  # all arrived: drop the list
            self.times, self.jobs, pos = [], [], 0
        self.pos, self.last, self.now, self.free, self.busy_in, self.iv = pos, last, until, free, busy_in, iv
        self.n_wait = n_wait
        if len(closed) >= out.SPILL or len(fb_t) >= out.SPILL:  # while they are in the cache
            out.spill(feedback_days)

    def in_hand(self) -> list[Job]:
        """The cases in the desk's hands: on their way, waiting, in service, or reopened."""
        waiting = [job for q, h in zip(self.qs, self.qh, strict=True) for job in q[h:]]
        return [*self.jobs[self.pos :], *waiting] + list(self.serving.values()) + [e[1] for e in self.reopens]

    def scheduled_time(self, t0: float, t1: float) -> float:
        """Staff-days scheduled in ``[t0, t1)`` (days since start): staff × open time in scheduled days.

        With office hours a scheduled day is one day of the schedule (e.g. 7 open hours), the unit of
        ``handle_days``, so busy staff-days over scheduled staff-days is the utilisation; 7x24 desks
        give ``staff * (t1 - t0)``.
        """
        if self.hours is None:
            return self.staff * (t1 - t0)
        return self.staff * self.hours.time(t0, t1)
