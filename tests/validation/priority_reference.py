"""An independent reference simulation of a tandem of non-preemptive priority M/M/c stations.

Written apart from govsim (a textbook event list: arrivals and departures, one FIFO line per class,
a freed server takes the head of the best non-empty class), to check what no closed formula gives
exactly: the department's per-class waits behind a *priority* triage, whose per-class output streams
are not Poisson, so Cobham's formula is only an approximation there.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence

import numpy as np


def priority_station(arrive: np.ndarray, klass: np.ndarray, service: np.ndarray, servers: int) -> np.ndarray:
    """Start times at a non-preemptive priority station (class 0 first, FIFO within a class).

    ``arrive`` ascending; all arrays shape (n,). Event list of arrivals and departures.
    """
    n_classes = int(klass.max()) + 1
    lines: list[deque[int]] = [deque() for _ in range(n_classes)]
    start = np.full(len(arrive), np.nan)
    departures: list[float] = []
    busy, i, n = 0, 0, len(arrive)
    while i < n or departures:
        if i < n and (not departures or arrive[i] < departures[0]):
            t, j = float(arrive[i]), i
            i += 1
            if busy < servers:
                busy += 1
                start[j] = t
                heapq.heappush(departures, t + float(service[j]))
            else:
                lines[int(klass[j])].append(j)
        else:
            t = heapq.heappop(departures)
            busy -= 1
            for line in lines:
                if line:
                    j = line.popleft()
                    busy += 1
                    start[j] = t
                    heapq.heappush(departures, t + float(service[j]))
                    break
    return start


def tandem_waits(
    lams: Sequence[float],
    stations: Sequence[tuple[float, int]],
    horizon: float,
    window: tuple[float, float],
    rng: np.random.Generator,
) -> dict[str, float]:
    """Per-class mean wait at each station, for customers arriving in ``window``.

    ``lams``: Poisson rate per class (class 0 first); ``stations``: (mean service, servers) in order.
    Keys ``s{station}.wq[{class}]``.
    """
    n = rng.poisson(sum(lams) * horizon)
    t = np.sort(rng.uniform(0.0, horizon, n))
    klass = rng.choice(len(lams), n, p=np.asarray(lams) / sum(lams))
    inside = (t >= window[0]) & (t < window[1])
    out, arrive = {}, t
    for s, (mean, servers) in enumerate(stations):
        service = rng.exponential(mean, n)
        order = np.argsort(arrive, kind="stable")
        start = np.empty(n)
        start[order] = priority_station(arrive[order], klass[order], service[order], servers)
        for k in range(len(lams)):
            m = inside & (klass == k)
            out[f"s{s}.wq[{k}]"] = float(np.mean(start[m] - arrive[m]))
        arrive = start + service
    return out
