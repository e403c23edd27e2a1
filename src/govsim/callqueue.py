"""The call-centre queue of the 12345 hotline: FCFS seats, a finite waiting room, impatient callers.

Exact per-call simulation of the M/M/c/K+M queue family (any arrival, patience and seat-time draws):
``simulate_queue`` one call at a time, ``free_run`` the vectorised shortcut for runs of calls that find a
free seat. ``govsim.hotline`` runs the model's calls through them; ``govsim.theory.call_centre`` gives the
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


FAST_WINDOW, FAST_BACKOFF = 1024, 32
"""Fast path: calls checked per vectorised run, and calls served one by one after a run stops."""


def free_run(free: list[float], hold: list[float], t: np.ndarray, s: np.ndarray, i: int, limit: float) -> int:
    """Answer at once, vectorised, the calls from ``i`` on that find a free seat; return how many.

    Exact, not an approximation: if nobody is on hold, call ``j`` of the run finds a seat free exactly
    when fewer than c seats are busy at ``t[j]``, counting the seats busy before the run (free time
    > ``t[j]``) and the run's earlier calls still at a seat (end > ``t[j]``). The run stops at the first
    call that would find all seats busy (from there ``Hotline.day`` goes one call at a time), at
    ``limit`` (the next retry, which must be offered in time order) and after ``FAST_WINDOW`` calls.
    ``free`` (the seats' heap) is replaced by the c largest free times, which differ from the one-by-one
    heap only in values at or before the last answer (idle seats), so every later wait is the same.
    """
    while hold and hold[0] <= t[i]:
        heapq.heappop(hold)
    if hold:
        return 0
    c = len(free)
    hi = i + int(np.searchsorted(t[i : i + FAST_WINDOW], limit, side="left"))
    if hi <= i:
        return 0
    tw = t[i:hi]
    ends = tw + s[i:hi]
    busy = c - np.searchsorted(np.sort(free), tw, side="right")  # seats busy before the run
    busy += np.arange(len(tw)) - np.searchsorted(np.sort(ends), tw, side="right")
    full = np.flatnonzero(busy >= c)
    m = int(full[0]) if len(full) else len(tw)
    if m:
        both = np.concatenate([np.asarray(free), ends[:m]])
        top = np.partition(both, len(both) - c)[len(both) - c :].tolist()
        heapq.heapify(top)
        free[:] = top
    return m
