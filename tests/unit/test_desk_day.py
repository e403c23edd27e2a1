"""A desk advanced a day at a time against a plain reference desk, event by event (exact equality).

The reference below is the desk's rule written the obvious way: one event at a time, the earliest of
completion, opening (staff free, cases waiting, desk closed), routed arrival and reopened arrival, in
that order at a tie, with office hours asked of ``OfficeHours``' own scalar methods (``is_open``,
``effective``, ``office``, ``wall``) on every event. ``DepartmentDesk.advance`` must give the same starts,
ends, feedback order and busy time bit for bit, whether it is advanced once or a day at a time.
"""

from __future__ import annotations

import heapq
import math
import random

import numpy as np
import pytest

from govsim.departments import CASE, CLOSE, PETITION, REOPEN, START, DepartmentDesk, Outcomes, Rules, new_job
from govsim.officehours import OfficeHours

COLS = ("t_handle_start", "t_handle_end", "t_close", "handle_days")
FLAGS = ("reopen_count", "satisfied", "petitioned")


class Case:
    """The reference's case: each field by name, the state of its handling rounds kept on it."""

    def __init__(self, i, klass, key, deadline, lift_at, work, sat_on_time, sat_late, after, reporter):
        self.i, self.klass, self.key, self.deadline, self.lift_at = i, klass, key, deadline, lift_at
        self.work, self.sat_on_time, self.sat_late, self.after = work, sat_on_time, sat_late, after
        self.reporter, self.k, self.start, self.busy = reporter, 0, -1.0, 0.0

    def job(self):
        """The same case as the desk holds it (``new_job``: a list, outcomes packed)."""
        fields = (self.i, self.klass, self.key, self.deadline, self.lift_at, self.work)
        return new_job(*fields, self.sat_on_time, self.sat_late, self.after, self.reporter)


def _cases(rng: random.Random, n: int, days: int) -> list[tuple[float, Case]]:
    out = []
    for i in range(n):
        t = round(rng.uniform(0, days), 2)  # rounded: ties in arrival time happen
        work = [rng.choice([0.05, 0.1, 0.3, 0.6, 1.2]) for _ in range(3)]
        sat_on = [rng.random() < 0.6 for _ in range(3)]
        sat_late = [s and rng.random() < 0.7 for s in sat_on]
        after = [rng.choice([CLOSE, REOPEN, PETITION]) for _ in range(3)]
        deadline, lift = t + rng.uniform(0.5, 4), t + rng.uniform(1, 6)
        klass, reporter = rng.randrange(3), rng.randrange(10)
        job = Case(i, klass, t, deadline, lift, work, sat_on, sat_late, after, reporter=reporter)
        out.append((t, job))
    return out


def _routed(job: Case, t: float, step: float | None) -> int:
    """The day a case is routed: up to two days before it arrives (runs of several days overlap)."""
    return max(0, int(t) - job.i % 3) if step else 0


def _reference(cases, servers, rules, hours, until, step):
    """Event by event; returns (starts by case, feedback [(time, reporter, sat)], closed, busy_in)."""
    arrivals = sorted(cases, key=lambda c: (c[0], _routed(c[1], c[0], step)))  # at a tie: routed first
    reopens: list[tuple[float, Case]] = []
    serving: list[tuple[float, int, Case]] = []
    queue: list[tuple[int, float, int, Case]] = []
    free, last, busy, feedback, closed, starts = servers, 0.0, 0.0, [], [], {}
    seq = 0

    def is_open(t):
        return hours is None or hours.is_open(t)

    def start(now, job):
        nonlocal busy, seq
        if job.k == 0:
            job.start = now
            starts[job.i] = now
        work = job.work[job.k] * (rules.liaison_work if now >= job.lift_at else 1.0)
        job.busy += work
        if hours is None:
            end = now + work
            inside = min(end, rules.measure_to) - max(now, rules.measure_from)
        else:
            end = max(hours.wall(hours.office(now) + work), now)
            a, b = max(now, rules.measure_from), min(end, rules.measure_to)
            inside = hours.time(a, b) if b > a else 0.0
            if now >= rules.measure_from and end <= rules.measure_to:
                inside = work
        busy += max(inside, 0.0)
        while any(e == end for e, _, _ in serving):
            end = math.nextafter(end, math.inf)
        heapq.heappush(serving, (end, seq, job))
        seq += 1

    while True:
        cand = [
            (serving[0][0] if serving else math.inf, 0),
            (hours.effective(last) if hours is not None and free and queue else math.inf, 1),
            (arrivals[0][0] if arrivals else math.inf, 2),
            (reopens[0][0] if reopens else math.inf, 3),
        ]
        t, kind = min(cand)
        if t >= until:
            break
        last = t
        if kind == 0:
            _, _, job = heapq.heappop(serving)
            k = job.k
            sat = job.sat_late[k] if t > job.deadline else job.sat_on_time[k]
            feedback.append((t, job.reporter, sat))
            after = CLOSE if sat else job.after[k]
            if after == REOPEN and k < rules.max_reopens:
                job.k += 1
                if not rules.accountability:
                    job.key = t + rules.feedback_days
                reopens.append((t + rules.feedback_days, job))
            else:
                closed.append((job.i, job.start, t, k, sat, job.busy, after != CLOSE))
            if queue and is_open(t):
                start(t, heapq.heappop(queue)[3])
            else:
                free += 1
        elif kind == 1:
            while free and queue:
                free -= 1
                start(t, heapq.heappop(queue)[3])
        else:
            job = arrivals.pop(0)[1] if kind == 2 else reopens.pop(0)[1]
            if free and is_open(t):
                free -= 1
                start(t, job)
            else:
                heapq.heappush(queue, (job.klass, job.key, job.i, job))
    return starts, feedback, sorted(closed), busy


def _desk_run(cases, servers, rules, hours, until, step):
    n = len(cases)
    out = Outcomes({k: np.full(n, np.nan) for k in COLS} | {k: np.zeros(n, dtype=int) for k in FLAGS})
    desk = DepartmentDesk(servers, rules, out, hours)
    by_day: dict[int, list[tuple[float, list]]] = {}
    jobs = [case.job() for _, case in cases]
    for (t, case), job in zip(cases, jobs, strict=True):  # each day's routing, handed over at its start
        by_day.setdefault(_routed(case, t, step), []).append((t, job))
    feedback = []
    t0 = 0.0
    while t0 < until:
        t1 = min(t0 + step, until) if step else until
        run = sorted(by_day.get(int(t0), []), key=lambda c: c[0])
        if run:
            desk.expect([c[0] for c in run], [c[1] for c in run])
        desk.advance(t1)
        feedback += list(zip(out.times, out.reporters, out.satisfied, strict=True))
        out.times.clear(), out.reporters.clear(), out.satisfied.clear()
        t0 = t1
    starts = {j[CASE]: j[START] for j in jobs if j[START] >= 0}
    return starts, feedback, sorted(out.closed), desk.busy_in


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("office", [False, True])
def test_advancing_a_day_at_a_time_matches_the_reference_desk_exactly(seed: int, office: bool) -> None:
    days = 12
    hours = None
    if office:  # two open spells a day, closed on days 5 and 6 (a weekend)
        spells = [(0.35, 0.5), (0.6, 0.72)]
        iv = [(d + a, d + b) for d in range(days + 30) if d % 7 not in (5, 6) for a, b in spells]
        hours = OfficeHours(iv, 0.27)
    rules = Rules(
        feedback_days=0.7,
        max_reopens=2,
        liaison_work=0.5,
        accountability=seed % 2 == 1,
        measure_from=2.0,
        measure_to=9.5,
    )
    servers = 1 + seed % 3
    results = []
    for step in (None, 1.0):
        cases = _cases(random.Random(seed), 60, days)  # fresh jobs: they carry state
        desk = _desk_run(cases, servers, rules, hours, float(days), step)
        cases = _cases(random.Random(seed), 60, days)
        results.append((desk, _reference(cases, servers, rules, hours, float(days), step)))
    (once, ref_once), (daily, ref) = results
    assert once == ref_once
    assert daily == ref
    # the world is busy enough to matter: cases wait, are reopened, closed, and still in hand at the end
    waited = sum(ref[0][job.i] > t for t, job in cases if job.i in ref[0])
    reopened = len(ref[1]) - len(ref[2])  # feedback rounds that did not close
    assert waited > 5 and reopened > 0 and 10 < len(ref[2]) < len(cases)


def test_feedback_is_taken_in_time_order_across_desks() -> None:
    """Desk 0 appends its day, then desk 1: reporter 7 was satisfied at 0.9 (desk 0) but not at 0.4
    (desk 1); in time order the later, satisfied feedback comes last (and wins in the trust update)."""
    out = Outcomes({})
    for t, who, sat in [(0.2, 3, False), (0.9, 7, True), (0.4, 7, False), (0.9, 5, True)]:
        out.times.append(t), out.reporters.append(who), out.satisfied.append(sat)
    who, sat = out.take_feedback()
    assert who.tolist() == [3, 7, 7, 5]  # 0.2, 0.4, then the tie at 0.9 in desk order
    assert sat.tolist() == [False, False, True, True]
    assert not out.times and not out.reporters and not out.satisfied


def test_a_quiet_day_with_an_opening_starts_the_cases_waiting_over_the_weekend() -> None:
    """A case arriving on a closed day, nothing else: its day of opening has no arrival, completion or
    reopen, only the opening, and the desk advanced a day at a time must start the case then (by hand:
    at day 7's opening, 7.35), as the desk advanced once does. A desk's quiet day returns at once
    (``advance``); this fails if that skips an opening."""
    spells = [(0.35, 0.5), (0.6, 0.72)]
    hours = OfficeHours([(d + a, d + b) for d in range(20) if d % 7 not in (5, 6) for a, b in spells], 0.27)
    rules = Rules(feedback_days=0.7, max_reopens=0, liaison_work=1.0, accountability=False)
    starts = []
    for step in (None, 1.0):
        case = Case(0, 0, 5.2, 9.0, 12.0, [0.05] * 3, [True] * 3, [True] * 3, [CLOSE] * 3, reporter=1)
        starts.append(_desk_run([(5.2, case)], 1, rules, hours, 10.0, step)[0])
    assert starts == [{0: 7.35}, {0: 7.35}]
