"""The 12345 hotline as a call centre: seats, a finite waiting room, patience, busy signal, retries.

A call is *offered* to the hotline at its arrival time. If the seats are all taken and the waiting room
(``room`` lines on hold) is full, or the line is closed, it gets a busy signal (*blocked*). Otherwise it
waits first-come-first-served for a seat; a caller whose patience runs out before a seat frees hangs
up (*abandons*) and never takes a seat; the others are *answered* after their wait and hold the seat for
their handling time. This is the M/M/c/K queue with impatient customers (Erlang-A, M/M/c+M, with a
finite waiting room) when arrivals are Poisson and times exponential (``govsim.theory``).

Most calls are consultations answered at the seat (直接办结: resolved at intake, never dispatched); the
others carry a resident's report (a ticket of the ``hotline`` channel) that becomes a ticket at answer
time. A blocked or abandoned caller tries again with probability ``retry_prob`` after an exponential
delay; a caller who gives up carries a report on through the app, a walk-in, or, grievance grown, a
petition (信访); a consultation given up is lost.

The queue itself, and why it is written here rather than taken from a library, is in
``govsim.callqueue``; this module feeds it the model's calls day by day.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from itertools import repeat

import numpy as np
import pandas as pd

from govsim.callqueue import FAST_STREAK, FAST_STREAK_MAX, FAST_WORTH, FreeRuns, QueueState, merge_calls
from govsim.officehours import parse_hours

# ---- the hotline inside the model -----------------------------------------------------------------------
SUMMARY: tuple[str, ...] = (
    "day",  # simulated day of the attempts
    "offered",  # attempts offered to the hotline (first calls and retries, open or closed hours)
    "answered",  # attempts answered at a seat
    "abandoned",  # attempts that hung up on hold
    "blocked",  # attempts that got the busy signal (all seats and hold lines taken, or closed)
    "wait_s",  # summed wait of the answered attempts, seconds
    "within_15s",  # answered attempts that waited at most 15 s
    "within_30s",  # answered attempts that waited at most 30 s
    "seat_resolved",  # consultations answered and resolved at the seat (直接办结, never dispatched)
    "report_calls",  # answered attempts that carried a report (became a ticket at answer time)
    "lost",  # callers who gave up (no retry left or none wanted)
    "to_app",  # would-be callers moved to the app by channel integration (reports and consultations)
)
"""Columns of the hotline's day table (``Records.hotline``); counts per simulated day."""

ANSWERED_FATE, APP_FATE, WALKIN_FATE, PETITION_FATE = 0, 1, 2, 3
DAY_MIN = 1.0 / 1440.0
RUN_RETRY_DAYS = 8
"""A busy line (under half of a day's calls answered in runs) tries the runs again every this many days."""
SLOW_BLOCK = 64
"""Calls converted to plain floats at a time for the one-by-one path (most calls never need it)."""


class Hotline:
    """The 12345 call centre of one scenario under one policy, run day by day from the daily process.

    ``seats`` staffed seats, ``room`` hold lines; consultation calls arrive as a Poisson process of
    ``consult_per_1000_day`` per 1,000 residents a day (less the share ``to_app`` moved to the app). The
    queue state and the pending retries carry over midnight, so the whole year is one queue.
    """

    def __init__(
        self, hc, seats: int, to_app: float, population: float, streams: dict, horizon: float
    ) -> None:  # noqa: ANN001
        self.hc, self.seats, self.to_app = hc, int(seats), float(to_app)
        self.room = float(round(seats * hc.hold_lines_per_seat))
        self.state = QueueState.empty(self.seats)
        self.rate = hc.consult_per_1000_day * population / 1000.0 * (1.0 - self.to_app)
        self.consult_dropped = hc.consult_per_1000_day * population / 1000.0 * self.to_app
        self.calls, self.retry_rng = streams["calls"], streams["call_retry"]
        self.open = parse_hours(hc.hours, "scenario.hotline.hours")  # fractions of a day
        self.always = self.open == [(0.0, 1.0)]
        self.lost_cum = np.cumsum(np.asarray(hc.lost_mix, float) / sum(hc.lost_mix)).tolist()
        self.stats = np.zeros((int(np.ceil(horizon)) + 1, len(SUMMARY)))
        self.stats[:, 0] = np.arange(len(self.stats))
        self.retry: list[tuple[float, int, int, int]] = []  # (time, seq, ticket or -1, attempt)
        self.seq = 0
        self.pool, self.k = np.empty(0), 0
        self.passed: set[int] = set()
        self.fast = True  # vectorised runs of calls that find a free seat (``FreeRuns``); False: one by one
        self.run_share = 1.0  # share of the last day's calls answered in runs (a busy line: few)

    def _u(self) -> float:
        """Next uniform of the retry stream (drawn in blocks: one generator call per 4,096)."""
        if self.k >= len(self.pool):
            self.pool, self.k = self.retry_rng.random(4096), 0
        self.k += 1
        return float(self.pool[self.k - 1])

    def _is_open(self, t: float) -> bool:
        if self.always:
            return True
        f = t - np.floor(t)
        return any(a <= f < b for a, b in self.open)

    def day(self, day: int, tickets: np.ndarray, t_tickets: np.ndarray) -> list[tuple[int, float, int]]:
        """Run the calls of ``day`` (consultations, these report calls, due retries) through the seats.

        ``tickets`` (m,) ids of report calls arriving at ``t_tickets`` (m,) days. Returns the report
        calls settled in this batch (today's or earlier days' retries): (ticket, time, fate), fate 0
        answered (time = answer), 1 app, 2 walk-in, 3 petition (time = the new report).
        """
        hc, rng, row = self.hc, self.calls, self.stats[min(day, len(self.stats) - 1)]
        n_c = int(rng.poisson(self.rate)) if self.rate > 0 else 0
        t, kind = merge_calls(day + rng.random(n_c), t_tickets, tickets)
        n = len(t)
        pat_a = rng.exponential(hc.patience_minutes * DAY_MIN, n)
        svc_a = rng.exponential(hc.handling_minutes * DAY_MIN, n)
        # the one-by-one path reads plain floats, converted a block at a time where it needs them
        lo = hi = 0
        tl: list[float] = []
        kl: list[int] = []
        pat: list[float] = []
        svc: list[float] = []
        end, room, hold, free, retry = day + 1.0, self.room, self.state.hold, self.state.free, self.retry
        pop, push, replace = heapq.heappop, heapq.heappush, heapq.heapreplace
        p_retry, max_retry = hc.retry_prob, hc.max_retries
        mean_pat, mean_svc, mean_retry = (
            hc.patience_minutes * DAY_MIN,
            hc.handling_minutes * DAY_MIN,
            hc.retry_minutes * DAY_MIN,
        )
        settled: list[tuple[int, float, int]] = []
        offered = answered = abandoned = blocked = seat = reports = lost = 0
        wait_s = in15 = in30 = 0.0
        # runs pay when most calls find a seat; on a busy line (under half of yesterday's calls in runs)
        # they are set up only one day in RUN_RETRY_DAYS, to see whether the load has fallen
        i, fast = 0, self.fast and self.always and (self.run_share >= 0.5 or day % RUN_RETRY_DAYS == 0)
        runs = FreeRuns(t, svc_a, len(free)) if fast and n else None
        in_runs = 0
        if runs is not None:  # positions, ids and times of the report calls, for the runs' accounting
            tix_a = np.flatnonzero(kind >= 0)
            tix, tix_id, tix_t = tix_a.tolist(), kind[tix_a].tolist(), t[tix_a].tolist()
        need = streak = FAST_STREAK  # immediate answers in a row wanted before a run; try one at once
        while True:
            if runs is not None and streak >= need and i < n:  # vectorised run of calls that find a seat
                m = runs.run(free, hold, i, retry[0][0] if retry else np.inf)
                if m:
                    offered, answered, in15, in30 = offered + m, answered + m, in15 + m, in30 + m
                    a, b = bisect_left(tix, i), bisect_left(tix, i + m)  # the run's report calls
                    seat, reports = seat + m - (b - a), reports + b - a
                    settled.extend(zip(tix_id[a:b], tix_t[a:b], repeat(ANSWERED_FATE, b - a), strict=True))
                    i, in_runs = i + m, in_runs + m
                if runs.full:  # a busy spell: one by one; after a short run, more answers in a row first
                    need = min(2 * need, FAST_STREAK_MAX) if m < FAST_WORTH else max(need // 2, FAST_STREAK)
                    streak = 0
                elif not m:  # a retry or a caller on hold comes first
                    streak = 0
                continue
            if i >= hi and i < n:
                lo, hi = i, min(n, i + SLOW_BLOCK)
                tl, kl, pat, svc = (
                    t[lo:hi].tolist(),
                    kind[lo:hi].tolist(),
                    pat_a[lo:hi].tolist(),
                    svc_a[lo:hi].tolist(),
                )
            if i < n and (not retry or tl[i - lo] <= retry[0][0]):
                j = i - lo
                ti, k, attempt, pi, si = tl[j], kl[j], 0, pat[j], svc[j]
                i += 1
            elif retry and retry[0][0] < end:
                ti, _, k, attempt = pop(retry)
                pi, si = -mean_pat * np.log1p(-self._u()), -mean_svc * np.log1p(-self._u())
            else:
                break
            offered += 1
            # the queue (``offer``, inlined)
            while hold and hold[0] <= ti:
                pop(hold)
            f = free[0]
            if (f > ti and len(hold) >= room) or not (self.always or self._is_open(ti)):
                blocked += 1
                t_end = ti
            else:
                w = f - ti if f > ti else 0.0
                if w <= pi:
                    replace(free, ti + w + si)
                    if w > 0.0:
                        push(hold, ti + w)
                    answered += 1
                    streak = streak + 1 if w == 0.0 else 0
                    ws = w * 86400.0
                    wait_s += ws
                    in15 += ws <= 15.0
                    in30 += ws <= 30.0
                    if k < 0:
                        seat += 1
                    else:
                        reports += 1
                        settled.append((k, ti + w, ANSWERED_FATE))
                    continue
                push(hold, ti + pi)
                abandoned += 1
                t_end = ti + pi
            streak = 0
            if attempt < max_retry and self._u() < p_retry:
                self.seq += 1
                push(retry, (t_end - mean_retry * np.log1p(-self._u()), self.seq, k, attempt + 1))
                continue
            lost += 1
            if k >= 0:
                u = self._u()
                fate = 1 + next(
                    j for j, c in enumerate(self.lost_cum) if u < c or j == len(self.lost_cum) - 1
                )
                settled.append((k, t_end + hc.switch_days, fate))
        row[1:12] += (offered, answered, abandoned, blocked, wait_s, in15, in30, seat, reports, lost, 0)
        if runs is not None:
            self.run_share = in_runs / n
        if self.consult_dropped > 0:  # consultations moved to the app: counted, not simulated
            row[11] += rng.poisson(self.consult_dropped)
        return settled

    def intake(self, loop, day: int, ids: np.ndarray) -> np.ndarray:  # noqa: ANN001 - an IncidentLoop
        """Pass the day's hotline reports through the seats; return the day's report ids, re-ordered.

        Reports answered today keep the ``hotline`` channel with the answer as report time; reports
        answered after midnight, or given up and carried through another channel later, are queued
        again for their new report day (``IncidentLoop._pend``). A report still waiting for a retry at the
        horizon keeps its first call time and is never triaged (an open ticket). False reports do not call
        (they are drawn at triage), so they take no seat.
        """
        from govsim.config import CHANNELS

        app, hot, walk = CHANNELS.index("app"), CHANNELS.index("hotline"), CHANNELS.index("walkin")
        c = loop.tickets.cols
        mine = c["channel"][ids] == hot
        if self.passed and mine.any():
            mine &= ~np.isin(ids, np.fromiter(self.passed, np.int64, len(self.passed)))
        calls = ids[mine]
        if self.to_app > 0 and len(calls):
            moved = self.calls.random(len(calls)) < self.to_app
            c["channel"][calls[moved]] = app
            self.stats[min(day, len(self.stats) - 1), 11] += moved.sum()
            calls = calls[~moved]
            mine[np.flatnonzero(mine)[moved]] = False
        settled = self.day(day, calls, c["t_report"][calls])
        keep = ids[~mine]  # the day's other reports (a ticket is taken once a day: ids are unique)
        if settled:
            sid = np.array([s[0] for s in settled], np.int64)
            st = np.array([s[1] for s in settled])
            fate = np.array([s[2] for s in settled], np.int64)
            c["t_report"][sid] = st
            c["channel"][sid[fate == APP_FATE]] = app
            c["channel"][sid[fate >= WALKIN_FATE]] = walk
            pet = sid[fate == PETITION_FATE]
            c["petitioned"][pet] = True
            if loop.petition_cat >= 0:
                c["category"][pet] = loop.petition_cat
            today = st < day + 1.0
            later = sid[~today]
            if len(later):
                loop._pend(later)
                self.passed.update(later[fate[~today] == ANSWERED_FATE].tolist())
            keep = np.concatenate([keep, sid[today]])
        return keep[np.argsort(c["t_report"][keep], kind="stable")]

    def frame(self) -> pd.DataFrame:
        """The day table (columns ``SUMMARY``), integer counts except ``wait_s``."""
        df = pd.DataFrame(self.stats, columns=list(SUMMARY))
        for k in SUMMARY:
            if k != "wait_s":
                df[k] = df[k].round().astype("int64")
        return df


def seat_count(per_100k: float, population: float, multiplier: float) -> int:
    """Seats staffed at any hour: per 100k residents × population × the seats lever, at least one."""
    return max(1, round(per_100k * population / 1e5 * multiplier))


def make_hotline(cfg, population: float, streams: dict) -> Hotline:  # noqa: ANN001 - a GovsimConfig
    """The hotline of a run: seats per capita × the seats lever (at least one), the app lever's share."""
    hc, pol = cfg.scenario.hotline, cfg.policy.platform
    seats = seat_count(hc.seats_per_100k, population, pol.hotline_seats)
    return Hotline(hc, seats, pol.hotline_app, population, streams, float(cfg.horizon_days))


def hotline_kpis(
    calls: pd.DataFrame | None, start: float, end: float, out: dict[str, float]
) -> dict[str, float]:
    """Hotline KPIs from the day table (``SUMMARY``; days in ``[start, end)``), for ``kpis.compute``.

    ``out`` holds the ticket KPIs computed so far; 直接办结率 (``on_site_share``) gains the consultations
    resolved at the seat in numerator and denominator. All NaN without a day table (hotline off).
    """
    keys = ("answer_rate", "abandon_rate", "answered_15s", "answered_30s")
    res: dict[str, float] = {k: np.nan for k in keys} | {"answer_speed": np.nan}
    res |= {f"{k}_{p}": 0.0 for k in keys for p in ("num", "den")}  # no calls: an empty denominator
    if calls is None:
        return res
    d = calls[(calls["day"] >= start) & (calls["day"] < end)].sum()
    offered = float(d["offered"])
    for key, col in zip(keys, ("answered", "abandoned", "within_15s", "within_30s"), strict=True):
        res[key], res[f"{key}_num"], res[f"{key}_den"] = (
            float(d[col]) / offered if offered else np.nan,
            float(d[col]),
            offered,
        )
    res["answer_speed"] = float(d["wait_s"]) / float(d["answered"]) if d["answered"] else np.nan
    num, den = out.get("on_site_share_num", np.nan), out.get("on_site_share_den", np.nan)
    if not np.isnan(den):
        num, den = num + float(d["seat_resolved"]), den + float(d["seat_resolved"])
        res |= {"on_site_share": num / den if den else np.nan, "on_site_share_num": num}
        res["on_site_share_den"] = den
    return res
