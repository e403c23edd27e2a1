"""Exact queueing formulas the model must reproduce where it reduces to a queue (validation, issue #5).

With instant discovery, no duplicates, false reports, mis-route delays, on-site resolution or reopens,
govsim's report stream is a Poisson process and its two contended stations are textbook queues:
the town centre's triage (分类分层分级) is a FIFO multi-server queue, and a county department is a
multi-server queue with non-preemptive priority classes (``docs/validation.md`` lists the switches).
This module holds the formulas, as pure functions of rates and server counts; the tests and
``scripts/validation_table.py`` compare simulated means with them.

Notation (Larson & Odoni 1981, *Urban Operations Research*, ch. 4; Kleinrock 1975/1976, *Queueing
Systems* vols. 1–2): arrival rate ``lam``, service rate per server ``mu``, servers ``c``, offered load
``a = lam / mu`` (erlangs), utilisation ``rho = a / c``. Times are in the unit of the rates (days in
govsim). All formulas are for the stationary regime and need ``rho < 1``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class StationMeans:
    """Stationary means of one multi-server station: P(wait), waits, sojourn and numbers."""

    p_wait: float  # probability an arrival waits (Erlang C)
    wq: float  # mean wait in queue
    w: float  # mean time in station (wait + service)
    lq: float  # time-average number waiting
    l: float  # noqa: E741 - time-average number in station; L is the textbook name


def _check_stable(lam: float, mu: float, c: int) -> None:
    if c < 1 or mu <= 0 or lam < 0:
        raise ValueError(f"need c >= 1, mu > 0, lam >= 0; got c={c}, mu={mu}, lam={lam}")
    if lam >= c * mu:
        raise ValueError(f"unstable: utilisation lam/(c mu) = {lam / (c * mu):.3f} >= 1")


def erlang_b(c: int, a: float) -> float:
    """Erlang B: blocking probability of an M/M/c/c loss system with offered load ``a`` erlangs.

    Computed by the stable recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)) (Kleinrock vol. 1,
    §3.6), which avoids the factorials of the closed form.
    """
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Erlang C: probability that an arrival to an M/M/c queue must wait (all ``c`` servers busy).

    C(c, a) = c B / (c - a (1 - B)) with B = Erlang B (Larson & Odoni ch. 4; Kleinrock vol. 1 §3.5).
    By PASTA this is also the time-average probability that all servers are busy.
    """
    if a >= c:
        raise ValueError(f"unstable: a = {a} >= c = {c}")
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def mmc(lam: float, mu: float, c: int) -> StationMeans:
    """Stationary means of the M/M/c FIFO queue (Erlang C model).

    Wq = C(c, a) / (c mu - lam), W = Wq + 1/mu, and by Little's law Lq = lam Wq, L = lam W
    (Larson & Odoni ch. 4; Kleinrock vol. 1 §3.5). govsim has no finite waiting room (no M/M/c/K
    balking or blocking): every report is queued however long the backlog.
    """
    _check_stable(lam, mu, c)
    p = erlang_c(c, lam / mu)
    wq = p / (c * mu - lam)
    w = wq + 1.0 / mu
    return StationMeans(p_wait=p, wq=wq, w=w, lq=lam * wq, l=lam * w)


def jackson_tandem(lam: float, stations: Sequence[tuple[float, int]]) -> list[StationMeans]:
    """Means of each station of a tandem of M/M/c FIFO stations fed by a Poisson stream of rate ``lam``.

    By Burke's theorem the departures of a stationary M/M/c queue form a Poisson process of the same
    rate, so each station of the series is an M/M/c queue on its own and the stationary number at the
    stations is the product of the marginals (Jackson 1957; Larson & Odoni ch. 4; Kleinrock vol. 1 §4.8).
    The mean end-to-end sojourn is the sum of the stations' W. ``stations`` lists ``(mu, c)`` in order.
    """
    return [mmc(lam, mu, c) for mu, c in stations]


def cobham_mmc(lams: Sequence[float], mu: float, c: int) -> list[float]:
    """Mean wait in queue of each class in an M/M/c queue with non-preemptive priorities.

    Classes are listed from highest priority (served first) to lowest, all with the same exponential
    service rate ``mu``; within a class the order is FIFO. Cobham's formula (Cobham 1954, *Operations
    Research* 2(1):70–76; Kleinrock vol. 2 §3.6; Larson & Odoni ch. 4):

        Wq_k = [C(c, a) / (c mu)] / ((1 - sigma_{k-1}) (1 - sigma_k)),  sigma_k = sum_{i<=k} lam_i / (c mu)

    where C is Erlang C at the total load a = sum(lam) / mu. With one class it is the M/M/c Wq, and
    the lam-weighted mean over classes equals it (work conservation).
    """
    total = float(sum(lams))
    _check_stable(total, mu, c)
    w0 = erlang_c(c, total / mu) / (c * mu)
    out, sigma = [], 0.0
    for lam_k in lams:
        before = sigma
        sigma += lam_k / (c * mu)
        out.append(w0 / ((1.0 - before) * (1.0 - sigma)))
    return out


def cobham_mg1(lams: Sequence[float], means: Sequence[float], second_moments: Sequence[float]) -> list[float]:
    """Mean wait in queue of each class in an M/G/1 queue with non-preemptive priorities.

    Classes from highest to lowest priority, class k with Poisson rate ``lams[k]`` and service time of
    mean ``means[k]`` and second moment ``second_moments[k]`` (any distribution). Cobham's formula with
    the mean residual work W0 = sum_i lam_i E[S_i^2] / 2 (Kleinrock vol. 2 §3.6; Larson & Odoni ch. 4):

        Wq_k = W0 / ((1 - sigma_{k-1}) (1 - sigma_k)),  sigma_k = sum_{i<=k} lam_i E[S_i]

    With one class it is the Pollaczek–Khinchine mean wait lam E[S^2] / (2 (1 - rho)).
    """
    rho = sum(lam * m for lam, m in zip(lams, means, strict=True))
    if rho >= 1.0:
        raise ValueError(f"unstable: utilisation {rho:.3f} >= 1")
    w0 = 0.5 * sum(lam * s2 for lam, s2 in zip(lams, second_moments, strict=True))
    out, sigma = [], 0.0
    for lam_k, m_k in zip(lams, means, strict=True):
        before = sigma
        sigma += lam_k * m_k
        out.append(w0 / ((1.0 - before) * (1.0 - sigma)))
    return out


def second_moment(mean: float, cv: float) -> float:
    """E[S^2] of a service time with the given mean and coefficient of variation: mean^2 (1 + cv^2)."""
    return mean * mean * (1.0 + cv * cv)


def mmc_wait_tail(lam: float, mu: float, c: int, t: float) -> float:
    """P(Wq > t) in the M/M/c FIFO queue: C(c, a) exp(−(c mu − lam) t) for t ≥ 0.

    An arrival waits with probability C (Erlang C); given that, its wait is exponential with rate
    c mu − lam (Larson & Odoni ch. 4; Kleinrock vol. 1 §3.5; Gross & Harris, *Fundamentals of Queueing
    Theory*, §2.3). ``t`` in the unit of the rates. The overdue share of a case whose deadline is ``t``
    after its arrival, if the deadline bound the wait.
    """
    _check_stable(lam, mu, c)
    return erlang_c(c, lam / mu) * math.exp(-(c * mu - lam) * t)


def mmc_sojourn_tail(lam: float, mu: float, c: int, t: float) -> float:
    """P(W > t), W = wait + service, in the M/M/c FIFO queue, for t ≥ 0.

    W = Wq + S with S ~ Exp(mu) independent of Wq, and Wq = 0 with probability 1 − C, else
    Exp(theta), theta = c mu − lam. Convolving (Gross & Harris §2.3):

        P(W > t) = e^{−mu t} [1 + C (1 − e^{−mu t (c − 1 − a)}) / (c − 1 − a)],  a = lam / mu,

    and e^{−mu t} (1 + C mu t) in the limit c − 1 = a. With one server it is e^{−(mu − lam) t}. The
    overdue share (逾期率) of cases whose deadline is ``t`` after arrival at the department.
    """
    _check_stable(lam, mu, c)
    p = erlang_c(c, lam / mu)
    theta = c * mu - lam
    if abs(theta - mu) < 1e-9 * mu:
        return math.exp(-mu * t) * (1.0 + p * mu * t)
    # the same formula with both exponentials decaying (no overflow when c - 1 < a)
    return math.exp(-mu * t) + p * mu * (math.exp(-mu * t) - math.exp(-theta * t)) / (theta - mu)


@dataclass(frozen=True)
class CallCentreMeans:
    """Stationary quantities of the M/M/c/K queue with exponential patience (Erlang-A with blocking)."""

    p_block: float  # an arrival finds the system full (busy signal)
    p_abandon: float  # an arrival is admitted and hangs up before a seat frees
    p_wait: float  # an arrival is admitted and finds all seats busy
    wait_served: float  # mean wait of the callers who are answered
    throughput: float  # admitted callers per unit time, lam (1 - p_block)
    l: float  # noqa: E741 - time-average number in the system (on hold or at a seat)
    w: float  # mean time in the system of admitted callers, L / throughput (Little)
    lq: float  # time-average number on hold


def call_centre(lam: float, mu: float, c: int, room: float = math.inf, theta: float = 0.0) -> CallCentreMeans:
    """Exact stationary means of the M/M/c/K+M call centre (c seats, ``room`` = K − c hold lines).

    The number in the system is a birth–death process: births at ``lam`` while fewer than c + room are
    present, deaths at min(n, c) mu + max(n − c, 0) theta (theta = 1 / mean patience; theta = 0: no
    abandonment). Its stationary law pi solves detailed balance (Gross & Harris, *Fundamentals of
    Queueing Theory*, 4th ed., §2.5 for M/M/c/K; Palm 1943 and Garnett, Mandelbaum & Reiman 2002,
    *M&SOM* 4(3):208–227, for Erlang-A, M/M/c+M). By PASTA an arrival sees pi: P(block) = pi_{c+room},
    P(wait > 0) = sum of pi_n over c ≤ n < c + room. A caller admitted in state n ≥ c, with m = n − c
    callers ahead on hold, passes stages m, m − 1, …, 0, each ended at rate R_j = c mu + (j + 1) theta by
    moving up (rate c mu + j theta) or hanging up (theta), so P(served | n) = prod_j (R_j − theta) / R_j
    and E[wait; served | n] = P(served | n) sum_j 1 / R_j; the mean wait of served callers is the
    pi-weighted ratio. With an unlimited room (``room = inf``) and theta > 0 the chain is truncated
    where pi falls below 1e-16 of its peak (the exact law's tail); theta = 0 needs a finite room or
    lam < c mu (then the M/M/c formulas of ``mmc`` apply). Rates in any one time unit.

    Raises ``ValueError`` for c < 1, non-positive mu, negative lam, theta or room.
    """
    if c < 1 or mu <= 0 or lam < 0 or theta < 0 or room < 0:
        raise ValueError(
            f"need c >= 1, mu > 0, lam, theta, room >= 0; got c={c}, mu={mu}, lam={lam}, "
            f"theta={theta}, room={room}"
        )
    if math.isinf(room) and theta == 0:
        raise ValueError("an unlimited waiting room without abandonment is the M/M/c queue: use mmc()")
    # unnormalised pi by detailed balance, relative to pi_0 (ratios, no factorials)
    weights, n, p = [1.0], 0, 1.0
    while n < c + room:
        death = min(n + 1, c) * mu + max(n + 1 - c, 0) * theta
        p = p * lam / death
        n += 1
        weights.append(p)
        if math.isinf(room) and n > c and p < 1e-16 * max(weights):
            break
    total = sum(weights)
    pi = [x / total for x in weights]
    top = len(pi) - 1
    blocked = pi[top] if not math.isinf(room) else 0.0
    served, wait_mass, p_wait = 0.0, 0.0, 0.0
    for k, pk in enumerate(pi):
        if not math.isinf(room) and k == top:
            continue  # blocked: never admitted
        if k < c:
            served += pk
            continue
        p_wait += pk
        ps, stage_time = 1.0, 0.0
        for j in range(k - c + 1):
            r = c * mu + (j + 1) * theta
            ps *= (r - theta) / r
            stage_time += 1.0 / r
        served += pk * ps
        wait_mass += pk * ps * stage_time
    l_sys = sum(k * pk for k, pk in enumerate(pi))
    lq = sum(max(k - c, 0) * pk for k, pk in enumerate(pi))
    thr = lam * (1.0 - blocked)
    return CallCentreMeans(
        p_block=blocked,
        p_abandon=max(0.0, 1.0 - blocked - served),
        p_wait=p_wait,
        wait_served=wait_mass / served if served > 0 else 0.0,
        throughput=thr,
        l=l_sys,
        w=l_sys / thr if thr > 0 else 0.0,
        lq=lq,
    )
