"""The call-centre queue of the 12345 hotline: FCFS seats, a finite waiting room, impatient callers.

Exact per-call simulation of the M/M/c/K+M queue family (any arrival, patience and seat-time draws):
``simulate_queue`` one call at a time, ``FreeRuns`` the vectorised shortcut for runs of calls that find
a free seat. ``govsim.hotline`` runs the model's calls through them; ``govsim.theory.call_centre`` gives the
exact stationary values they are validated against (``tests/validation/test_hotline_theory.py``).

**Why written here, not a library.** No kept library (SimPy, numpy/scipy) simulates an Erlang-A queue with
blocking fast enough for millions of calls a year; SimPy would make every call a process (tens of
microseconds each). FCFS with abandonment has an exact per-call recursion instead (the "virtual waiting
time" of Baccelli & Hebuterne 1981): a heap of the ``c`` seats' next free times gives each arrival the
wait it *would* have; a caller whose patience is shorter abandons at arrival + patience without touching
the heap; a heap of the times at which admitted callers leave the waiting room counts the callers on
hold, which decides blocking. Each call costs two or three heap operations in plain Python floats.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

ANSWERED, ABANDONED, BLOCKED = 0, 1, 2
"""Outcome codes of one attempt (a call offered to the hotline)."""


@dataclass
class QueueState:
    """The call centre between batches: seats' next free times and the hold lines' leave times."""

    free: list[float]  # heap, one entry per seat: when it is next free
    hold: list[float] = field(default_factory=list)  # heap: when each admitted caller on hold leaves it

    @classmethod
    def empty(cls, seats: int) -> QueueState:
        """All ``seats`` free at time 0. Raises ``ValueError`` if ``seats`` < 1."""
        if seats < 1:
            raise ValueError(f"hotline seats must be >= 1, got {seats}")
        return cls(free=[0.0] * int(seats))


def offer(state: QueueState, t: float, patience: float, service: float, room: float) -> tuple[int, float]:
    """Offer one call arriving at ``t`` (after all earlier calls): its outcome and wait (time units of ``t``).

    ``room`` is the number of hold lines (``inf`` for an unlimited waiting room). The wait of an
    abandoning caller is its patience (time on hold before hanging up); a blocked caller waits 0.
    """
    hold, free = state.hold, state.free
    while hold and hold[0] <= t:
        heapq.heappop(hold)
    f = free[0]
    if f > t and len(hold) >= room:
        return BLOCKED, 0.0
    w = f - t if f > t else 0.0
    if w > patience:
        heapq.heappush(hold, t + patience)
        return ABANDONED, patience
    heapq.heapreplace(free, t + w + service)
    if w > 0.0:
        heapq.heappush(hold, t + w)
    return ANSWERED, w


def simulate_queue(
    t: np.ndarray,
    patience: np.ndarray,
    service: np.ndarray,
    seats: int,
    room: float,
    state: QueueState | None = None,
) -> tuple[np.ndarray, np.ndarray, QueueState]:
    """Exact FCFS multi-server queue with abandonment and a finite waiting room, one call at a time.

    ``t`` (n,) arrival times, non-decreasing; ``patience`` and ``service`` (n,) in the same unit
    (``np.inf`` patience: nobody abandons, the M/M/c/K queue). Returns the outcome codes (n,) int8,
    the waits (n,) float64 and the final state (to continue with the next batch). Raises
    ``ValueError`` if the arrivals are not sorted or ``seats`` < 1.
    """
    if len(t) > 1 and np.any(np.diff(t) < 0):
        raise ValueError("arrival times must be non-decreasing")
    st = state if state is not None else QueueState.empty(seats)
    out = np.empty(len(t), dtype=np.int8)
    wait = np.empty(len(t))
    hold, free = st.hold, st.free
    pop, push, replace = heapq.heappop, heapq.heappush, heapq.heapreplace
    for i, (ti, pi, si) in enumerate(zip(t.tolist(), patience.tolist(), service.tolist(), strict=True)):
        # the body of ``offer``, inlined: this loop runs once per call
        while hold and hold[0] <= ti:
            pop(hold)
        f = free[0]
        if f > ti and len(hold) >= room:
            out[i], wait[i] = BLOCKED, 0.0
            continue
        w = f - ti if f > ti else 0.0
        if w > pi:
            push(hold, ti + pi)
            out[i], wait[i] = ABANDONED, pi
            continue
        replace(free, ti + w + si)
        if w > 0.0:
            push(hold, ti + w)
        out[i], wait[i] = ANSWERED, w
    return out, wait, st


@dataclass(frozen=True)
class QueueEstimates:
    """Per-run estimates from one simulated batch, past a warm-up (see ``estimate``)."""

    p_block: float  # blocked ÷ offered
    p_abandon: float  # abandoned ÷ offered
    p_wait: float  # admitted callers who wait > 0 ÷ offered
    wait_served: float  # mean wait of answered callers
    throughput: float  # admitted (not blocked) callers per unit time
    l: float  # noqa: E741 - time-average number in the system (on hold or at a seat)
    w: float  # mean time in the system of admitted callers (hold + seat, or hold until hanging up)


def estimate(
    t: np.ndarray, patience: np.ndarray, service: np.ndarray, seats: int, room: float, warmup: float
) -> QueueEstimates:
    """Simulate and estimate the stationary quantities from calls arriving after ``warmup``.

    L is the sum of the sojourns of the admitted callers arriving in ``[warmup, t_end)`` divided by the
    length of that window (the sample-path form of L = λW; edge effects vanish as the window grows).
    """
    out, wait, _ = simulate_queue(t, patience, service, seats, room)
    keep = t >= warmup
    o, wt, s = out[keep], wait[keep], service[keep]
    n = len(o)
    ans, adm = o == ANSWERED, o != BLOCKED
    sojourn = np.where(ans, wt + s, wt)[adm]
    span = float(t[-1] - warmup)
    return QueueEstimates(
        p_block=float((o == BLOCKED).mean()),
        p_abandon=float((o == ABANDONED).mean()),
        p_wait=float((adm & (wt > 0)).sum() / n),
        wait_served=float(wt[ans].mean()),
        throughput=float(adm.sum() / span),
        l=float(sojourn.sum() / span),
        w=float(sojourn.mean()),
    )


FAST_STREAK, FAST_STREAK_MAX, FAST_WORTH = 16, 4096, 64
"""Fast path (``govsim.hotline.Hotline.day``): after a run stops at a busy spell, calls go one by one until
``FAST_STREAK`` of them in a row were answered at once; that number doubles (up to the maximum) after a
run shorter than ``FAST_WORTH`` calls (a run costs about as much as that many calls one by one) and
halves after a longer one, so a busy line stays on the one-by-one path and a quiet one on the runs.
Only speed depends on them: every choice gives the same results."""


def merge_calls(
    t_a: np.ndarray, t_b: np.ndarray, id_b: np.ndarray, fill_a: int = -1
) -> tuple[np.ndarray, np.ndarray]:
    """Two call streams in one time order, exactly as ``np.argsort(concat([t_a, t_b]), kind="stable")``.

    ``t_a`` (n,) arrival times of calls without an id (consultations), any order; ``t_b`` (m,) and
    ``id_b`` (m,) the calls with an id (reports). Returns the times (n + m,) and ids (n + m,), ``fill_a``
    for the calls of ``t_a``. Ties keep the stable order: a call of ``t_a`` before one of ``t_b`` at the
    same time, calls of ``t_b`` in their given order (equal times of ``t_a`` are interchangeable: they
    carry no id). Why not the argsort itself: a stable argsort of the day's ~9,500 times took 0.8 ms, a
    plain sort of the ``t_a`` values 0.06 ms (measured 2026-11-30); the few ``t_b`` are placed by binary
    search.
    """
    ta = np.sort(t_a)
    ob = np.argsort(t_b, kind="stable")
    tb, kb = t_b[ob], id_b[ob]
    pos = np.searchsorted(ta, tb, side="right") + np.arange(len(tb))
    n = len(ta) + len(tb)
    t = np.empty(n)
    k = np.full(n, fill_a, np.int64)
    rest = np.ones(n, bool)
    rest[pos] = False
    t[rest] = ta
    t[pos] = tb
    k[pos] = kb
    return t, k


class FreeRuns:
    """Vectorised runs, within one batch of calls, of the calls that find a free seat and nobody on hold.

    Exact, not an approximation. ``t`` (n,) sorted arrival times, ``service`` (n,) seat times, ``seats``
    the number of seats c. If nobody is on hold when call ``i`` arrives and calls ``i .. j-1`` are all
    answered at once, the seats busy at ``t[j]`` are the seats busy before the run (next free time >
    ``t[j]``) and the run's calls still at a seat (``t[l] + service[l] > t[j]``, ``i <= l < j``); call
    ``j`` is answered at once exactly when fewer than c are busy. The second count is ``D[j]`` minus the
    calls before ``i`` still at a seat at ``t[j]``, where ``D[j]`` = #{l < j: end[l] > t[j]} (the
    infinite-server count) is computed once for the batch: one sort of the ends and one binary search
    per call. Per run, the busy seats and the earlier calls still at a seat at ``t[i]`` (a few dozen
    times) are counted by binary search up to the last of these times; past it the count is ``D[j]``
    alone, and the first call with ``D[j]`` >= c is found by one binary search in the batch's list of
    them. Costs O(n log n) per batch and O(c log c + the calls up to that last time) per run, against
    two or three heap operations per call one by one.
    """

    def __init__(self, t: np.ndarray, service: np.ndarray, seats: int) -> None:
        self.t, self.ends = t, t + service  # the same float sums as the one-by-one path (wait 0)
        n = len(t)
        d = np.arange(n) - np.searchsorted(np.sort(self.ends), t, side="right")
        # a call whose end rounds to its own arrival (service 0, or below the float spacing) is
        # counted by the search as ended before its own and tied later arrivals: count it back
        for k in np.flatnonzero(self.ends == t).tolist():
            d[int(np.searchsorted(t, t[k], side="left")) : k + 1] += 1
        self.d = d
        self.reach = np.maximum.accumulate(self.ends)  # no call before l ends after reach[l]
        self.c = seats
        self.full_at = np.flatnonzero(d >= seats)  # calls that find every seat busy if nothing else is
        self.full = False  # did the last run stop at a call that finds every seat busy

    def run(self, free: list[float], hold: list[float], i: int, limit: float) -> int:
        """Answer at once the calls from ``i`` on that find a free seat; return how many (0 if none).

        ``free`` is the seats' heap of next free times, ``hold`` the heap of hold-line leave times (the
        ``QueueState`` lists; entries of ``hold`` at or before ``t[i]`` are dropped as one by one, but
        only if call ``i`` comes before ``limit``: a retry due first must see them). The
        run stops at the first call that would find all seats busy (then ``full`` is True), at ``limit``
        (the next retry, which must be offered in time order: calls at or after it are left) or at the
        end of the batch.
        ``free`` is replaced by the times after the run's last arrival ``t_last`` of its seats and of
        the run's ends (at most c: these are the seats busy at ``t_last``; a time after ``t_last`` is never
        the minimum a call of the run replaced), the other seats idle at ``t_last``. It differs from the
        one-by-one heap only in values at or before ``t_last``, which no later call (arriving at or after
        ``t_last``) can tell apart, so every later outcome and wait is the same.
        """
        t = self.t
        ti = float(t[i])
        self.full = False
        hi = int(np.searchsorted(t, limit, side="left"))
        if hi <= i:  # a retry comes first: leave the hold lines as they are for it
            return 0
        while hold and hold[0] <= ti:
            heapq.heappop(hold)
        if hold:
            return 0
        c = self.c
        fv = np.asarray(free)
        fv = fv[fv > ti]  # seats busy at t[i]
        ev = self.ends[int(np.searchsorted(self.reach, ti, side="right")) : i]
        ev = ev[ev > ti]  # earlier calls of the batch still at a seat at t[i] (counted in D)
        # busy[j] = D[j] + #{fv > t[j]} - #{ev > t[j]}; past the last of these times (from call p on)
        # busy[j] = D[j], whose calls that find every seat busy are known for the batch
        fv.sort()
        ev.sort()
        last = max(fv[-1] if len(fv) else ti, ev[-1] if len(ev) else ti)
        p = min(hi, int(np.searchsorted(t, last, side="right")))
        if p > i:
            tw = t[i:p]
            busy = self.d[i:p] + (len(fv) - len(ev))
            busy -= np.searchsorted(fv, tw, side="right")
            busy += np.searchsorted(ev, tw, side="right")
            k = int(np.argmax(busy >= c))
            if busy[k] >= c:
                self.full = True
                return self._answer(free, fv, i, k)
        q = int(np.searchsorted(self.full_at, p))
        self.full = q < len(self.full_at) and int(self.full_at[q]) < hi
        return self._answer(free, fv, i, int(self.full_at[q]) - i if self.full else hi - i)

    def _answer(self, free: list[float], fv: np.ndarray, i: int, m: int) -> int:
        """Answer calls ``i .. i+m-1`` at once: the seats after them; return ``m``."""
        if m:  # the seats after the run: busy ones (at most c) as one by one, idle ones at t_last
            t_last = float(self.t[i + m - 1])
            run = self.ends[max(i, int(np.searchsorted(self.reach, t_last, side="right"))) : i + m]
            seats = fv[fv > t_last].tolist() + run[run > t_last].tolist()
            seats += [t_last] * (self.c - len(seats))
            heapq.heapify(seats)
            free[:] = seats
        return m
