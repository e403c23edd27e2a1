"""The town centre's intake: the demand heat map, grading of reports (分类分层分级) and the triage queue.

``HeatMap`` counts the reports per grid over the last four weeks (the 群众诉求热点图 that guides
patrol). ``grade`` gives each report its triage class at intake from its severity and category, with a
chance of a wrong grade. ``TriageQueue`` is one centre's triage staff: first come, first served by
default, or, with graded triage (``policy.platform.graded_triage``), a non-preemptive priority queue
that serves classes in order and each class first come, first served. ``CentreTriage`` is the part of
the incident loop that takes the day's reports through the centres' triage.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from govsim.agents import Centre
    from govsim.config import ScenarioConfig
    from govsim.policies import Levers
    from govsim.records import Columns
    from govsim.scenario import Scenario


class HeatMap:
    """The demand heat map (群众诉求热点图): reports per grid over the last ``days`` days, as a ring of days.

    ``add(day, grids)`` records the day's reports; ``window()`` then sums exactly days
    ``day - days + 1 .. day``. A slot is cleared when its day comes round again, and so is every slot of
    a day with no intake in between, so nothing older than the window ever counts.
    """

    def __init__(self, n_grids: int, days: int = 28) -> None:
        self.slots = np.zeros((days, n_grids))
        self.last = -1  # last day added

    def add(self, day: int, grids: np.ndarray) -> None:
        """Add the reports of ``day`` (one grid index per report); days must not go backwards."""
        n = len(self.slots)
        for d in range(max(self.last + 1, day - n + 1), day + 1):
            self.slots[d % n] = 0.0
        self.last = max(self.last, day)
        np.add.at(self.slots[day % n], grids, 1.0)

    def window(self) -> np.ndarray:
        """Reports per grid over the window, shape (n_grids,)."""
        return self.slots.sum(axis=0)


def grade(
    priority: np.ndarray, severity: np.ndarray, urgent_severity: int, u: np.ndarray, p_wrong: float
) -> np.ndarray:
    """Triage class of each report (0 served first): the rule, then mis-grading.

    The rule: a report of severity ``urgent_severity`` or more is class 0, any other takes its
    category's ``priority`` (the class its department also serves it in). With probability ``p_wrong``
    (``u < p_wrong``, one uniform per report on the ``grading`` stream) the report is put in one of the
    other classes instead, each alike (the same uniform, rescaled, picks which). All arrays shape (n,);
    the classes are ``0 .. max(priority)``.
    """
    n_classes = int(max(priority.max(initial=0), 0)) + 1
    right = np.where(severity >= urgent_severity, 0, priority)
    if n_classes < 2 or p_wrong <= 0.0:
        return right
    wrong = u < p_wrong
    other = np.minimum((u / p_wrong * (n_classes - 1)).astype(np.int64), n_classes - 2)
    return np.where(wrong, other + (other >= right), right)


class TriageQueue:
    """The triage staff of one town centre: ``staff`` servers and when each is next free.

    ``fifo`` serves reports first come, first served, evaluated exactly in arrival order (each takes
    the server that frees first: Lindley's recursion for the multi-server FIFO queue). ``graded`` is the
    non-preemptive priority queue of graded triage: a freed server takes the waiting report of the best
    class, first come first served within it. A start is final only when no later report can overtake
    it, i.e. before the next intake (``until``): the rest wait, and are taken at later intakes.
    """

    def __init__(self, staff: int) -> None:
        self.free = [0.0] * staff  # heap of the times each server is next free
        self.coming: list[tuple[float, int, int, float, int]] = []  # (arrival, seq, class, service, ident)
        self.ready: list[tuple[int, float, int, float, int]] = []  # arrived: (class, arrival, seq, ...)
        self.seq = 0
        self.now = 0.0  # time of the last start: starts happen in time order

    def fifo(self, arrive: list[float], service: list[float]) -> list[float]:
        """Start times of reports arriving at ``arrive`` (ascending) with handling times ``service``."""
        h, start = self.free, []
        if len(h) == 1:  # one server (most towns): the same recursion on one float, no heap to keep
            free = h[0]
            for a, s in zip(arrive, service, strict=True):
                b = free if free > a else a
                free = b + s
                start.append(b)
            h[0] = free
            return start
        for a, s in zip(arrive, service, strict=True):
            b = h[0] if h[0] > a else a
            heapq.heapreplace(h, b + s)
            start.append(b)
        return start

    def add(self, arrive: list[float], service: list[float], klass: list[int], ident: list[int]) -> None:
        """Reports on their way to graded triage: arrival, handling time, class, and an id to return."""
        for a, s, k, i in zip(arrive, service, klass, ident, strict=True):
            heapq.heappush(self.coming, (a, self.seq, k, s, i))
            self.seq += 1

    def graded(self, until: float) -> list[tuple[int, float]]:
        """Start the reports that start before ``until``, in priority order: (ident, start) pairs."""
        free, coming, ready, out = self.free, self.coming, self.ready, []
        while ready or coming:
            t = free[0] if free[0] > self.now else self.now  # a server free, not before the last start
            if not ready and coming[0][0] > t:
                t = coming[0][0]  # the free servers idle until the next arrival
            if t >= until:
                break
            self.now = t
            while coming and coming[0][0] <= t:
                a, q, k, s, i = heapq.heappop(coming)
                heapq.heappush(ready, (k, a, q, s, i))
            _, _, _, s, i = heapq.heappop(ready)
            heapq.heapreplace(free, t + s)
            out.append((i, t))
        return out

    def waiting(self) -> int:
        """Reports arrived or on their way and not yet started."""
        return len(self.ready) + len(self.coming)


class CentreTriage:
    """Triage at the town centres, for ``incidents.IncidentLoop``: FIFO, or graded by class.

    Each town's ``Centre`` agent serves its own arrivals with its ``TriageQueue``; this part of the loop
    computes when reports reach the centre, grades them, and writes the triage times into the records.
    """

    tickets: Columns
    draws: Columns
    false: Columns
    sc: Scenario
    cfg: ScenarioConfig
    lv: Levers
    centres: list[Centre]
    p_misgrade: float
    late_by_channel: np.ndarray  # days a report takes to reach the centre, by channel (0 if integrated)
    _false_service: np.ndarray

    def _triage(self, ids: np.ndarray, false_ids: np.ndarray, false_service: np.ndarray) -> None:
        """Triage at the town centres: each town's ``Centre`` agent serves its arrivals (FIFO multi-server).

        With office hours the queue runs in the centre's office time (``triage_days`` are staff-days of
        the schedule) and starts and ends are mapped back to calendar time: a report made at night waits
        for the opening.
        """
        c, d, f = self.tickets.cols, self.draws.cols, self.false.cols
        wall = c["t_report"][ids] + self.late_by_channel[c["channel"][ids]]
        service, town = d["triage_s"][ids], c["town"][ids]
        if len(false_ids):  # most days of a small run have none
            wall = np.concatenate([wall, f["t_report"][false_ids]])
            service = np.concatenate([service, false_service])
            town = np.concatenate([town, f["town"][false_ids]])
        hours = self.sc.centre_hours
        arrive = wall if hours is None else hours.office_v(wall)
        # by town, then arrival order (stable: office times tie over a closed spell); each town's centre
        # agent serves its own arrivals
        order = np.lexsort((wall, town))
        start = np.empty(len(arrive))
        if len(order):
            t_sorted = town[order]
            heads = [0, *((t_sorted[1:] != t_sorted[:-1]).nonzero()[0] + 1).tolist()]  # not np.diff, np.r_
            a, s, first = arrive[order].tolist(), service[order].tolist(), t_sorted[heads].tolist()
            starts: list[float] = []
            centres = self.centres
            for t, i, j in zip(first, heads, [*heads[1:], len(order)], strict=True):
                starts += centres[t].triage(a[i:j], s[i:j])
            start[order] = starts
        end = start + service
        if hours is not None:  # back to calendar time: begun at arrival or opening, ended by the close
            start = np.maximum(hours.begin_v(start), wall)
            end = np.maximum(hours.wall_v(end), start)
        n = len(ids)
        c["t_triage_start"][ids], c["t_triage_end"][ids] = start[:n], end[:n]
        if len(false_ids):
            f["t_triage_start"][false_ids], f["t_triage_end"][false_ids] = start[n:], end[n:]
            f["t_close"][false_ids] = end[n:]

    def _graded_triage(
        self, day: int, ids: np.ndarray, false_ids: np.ndarray, false_service: np.ndarray
    ) -> np.ndarray:
        """Graded triage (分类分层分级): grade the day's reports, then each town centre serves by class.

        Each report gets its class at intake (``intake.grade``; false reports by their category alone,
        never mis-graded). A centre's starts before the next intake are final; reports still waiting then
        are taken at a later intake (a later class-0 report may overtake them). Returns the real tickets
        whose triage ended today, to be routed.
        """
        c, d, f, sc = self.tickets.cols, self.draws.cols, self.false.cols, self.sc
        self._false_service = np.concatenate([self._false_service, false_service])  # ids run on from 0
        urgent = self.cfg.triage_urgent_severity
        cat, u = c["category"][ids], d["u_grade"][ids]
        c["triage_class"][ids] = grade(sc.cat_priority[cat], c["severity"][ids], urgent, u, self.p_misgrade)
        f_cat = f["category"][false_ids]
        f["triage_class"][false_ids] = grade(sc.cat_priority[f_cat], np.ones_like(f_cat), urgent, f_cat, 0.0)
        wall = np.concatenate([self._at_centre(ids), f["t_report"][false_ids]])
        hours = self.sc.centre_hours
        arrive = wall if hours is None else hours.office_v(wall)
        service = np.concatenate([d["triage_s"][ids], false_service])
        town = np.concatenate([c["town"][ids], f["town"][false_ids]])
        klass = np.concatenate([c["triage_class"][ids], f["triage_class"][false_ids]])
        ident = np.concatenate([ids, -1 - false_ids])
        # each centre's arrivals in calendar order, so that reports tied in office time (made while the
        # centre is closed) keep their order within a class
        order = np.lexsort((wall, town))
        for k in np.split(order, np.flatnonzero(np.diff(town[order])) + 1):
            if len(k):
                queue = self.centres[int(town[k[0]])].queue
                queue.add(arrive[k].tolist(), service[k].tolist(), klass[k].tolist(), ident[k].tolist())
        until = float(day + 1) if hours is None else float(hours.office_v(np.array([day + 1.0]))[0])
        started = [p for centre in self.centres for p in centre.triage_graded(until)]
        if not started:
            return ids[:0]
        who, start = np.array([p[0] for p in started], dtype=np.int64), np.array([p[1] for p in started])
        real, fake = who[who >= 0], -1 - who[who < 0]
        s_real, s_fake = start[who >= 0], start[who < 0]
        end_real, end_fake = s_real + d["triage_s"][real], s_fake + self._false_service[fake]
        if hours is not None:  # back to calendar time: begun at arrival or opening, ended by the close
            s_real = np.maximum(hours.begin_v(s_real), self._at_centre(real))
            end_real = np.maximum(hours.wall_v(end_real), s_real)
            s_fake = np.maximum(hours.begin_v(s_fake), f["t_report"][fake])
            end_fake = np.maximum(hours.wall_v(end_fake), s_fake)
        c["t_triage_start"][real], c["t_triage_end"][real] = s_real, end_real
        f["t_triage_start"][fake], f["t_triage_end"][fake] = s_fake, end_fake
        f["t_close"][fake] = end_fake
        return real

    def _at_centre(self, ids: np.ndarray) -> np.ndarray:
        """When reports reach the centre: at once from integrated channels, else after manual forwarding."""
        c = self.tickets.cols
        return c["t_report"][ids] + self.late_by_channel[c["channel"][ids]]
