"""The hotline's vectorised shortcuts (``govsim.callqueue``) give exactly what one call at a time gives.

``FreeRuns.run`` answers runs of calls at once; any mix of runs and one-by-one ``offer`` calls must give
every call the outcome and wait (bit for bit) that ``offer`` alone gives, on random queues with busy
spells, a full waiting room, tied arrival times and zero seat times. ``merge_calls`` must order two call
streams as the stable argsort it replaces, ties included.
"""

from __future__ import annotations

import numpy as np
import pytest

from govsim.callqueue import FreeRuns, QueueState, merge_calls, offer


def _calls(rng: np.random.Generator, n: int, c: int, load: float, grid: float | None, zeros: bool):
    """Arrivals (sorted; on a coarse grid when ``grid``: many ties), seat times and patience, one batch."""
    t = np.cumsum(rng.exponential(1.0 / (load * c), n)) + 3.0
    if grid is not None:
        t = np.floor(t / grid) * grid
    svc = rng.exponential(1.0, n)
    if zeros:  # seat times of exactly 0 and below the float spacing of t (t + s == t)
        svc[rng.random(n) < 0.05] = 0.0
        svc[rng.random(n) < 0.05] = 1e-300
    pat = rng.exponential(0.5, n)
    return t, svc, pat


def _one_by_one(t, svc, pat, c, room, state):
    return [offer(state, *args, room) for args in zip(t.tolist(), pat.tolist(), svc.tolist(), strict=True)]


def _mixed(t, svc, pat, c, room, state, rng, limits: bool):
    """Runs tried at random points (with a random retry-time limit), the rest one by one."""
    runs, out, i, n = FreeRuns(t, svc, c), [], 0, len(t)
    while i < n:
        if rng.random() < 0.3:
            limit = (
                float(t[min(n - 1, i + int(rng.integers(0, 40)))])
                if limits and rng.random() < 0.5
                else np.inf
            )
            before = len(state.hold)
            m = runs.run(state.free, state.hold, i, limit)
            assert 0 <= m <= n - i
            assert not (
                m == 0 and float(t[i]) >= limit and len(state.hold) != before
            )  # retry first: untouched
            out.extend((0, 0.0) for _ in range(m))
            i += m
            if m or rng.random() < 0.5:
                continue
        out.append(offer(state, float(t[i]), float(pat[i]), float(svc[i]), room))
        i += 1
    return out


@pytest.mark.parametrize(
    ("c", "load", "room", "grid", "zeros"),
    [
        (41, 0.65, 41, None, False),  # the Jiangmen line: long runs, rare busy spells
        (10, 0.95, 10, None, False),  # busy: many spells, abandonment
        (5, 1.4, 2, None, False),  # overloaded, a small waiting room: busy signals
        (8, 0.9, 3, 0.05, False),  # arrivals tied on a coarse grid
        (6, 0.9, np.inf, None, True),  # zero and sub-spacing seat times, unlimited room
        (1, 0.7, 0, 0.02, True),  # one seat, no hold line (the loss system), ties and zeros
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_runs_mixed_with_one_by_one_equal_one_by_one(c, load, room, grid, zeros, seed):
    rng = np.random.default_rng(seed)
    t, svc, pat = _calls(rng, 3000, c, load, grid, zeros)
    ref = _one_by_one(t, svc, pat, c, room, QueueState.empty(c))
    got = _mixed(t, svc, pat, c, room, QueueState.empty(c), np.random.default_rng(seed + 10), seed == 2)
    assert got == ref  # outcome codes and waits, exactly
    outcomes = {o for o, _ in ref}
    if load > 1.0:
        assert outcomes == {0, 1, 2}  # answered, abandoned and blocked all occur: the spells are exercised


def test_run_counts_seats_from_before_the_batch_and_stops_at_the_first_busy_call():
    # two seats, both busy until 10.0 from an earlier batch; calls at 1, 2 (seat till 2.5), 11, 11.5, 12
    t, svc = np.array([1.0, 2.0, 11.0, 11.5, 12.0]), np.array([5.0, 0.5, 4.0, 4.0, 1.0])
    runs = FreeRuns(t, svc, 2)
    free = [10.0, 10.0]
    assert runs.run(free, [], 0, np.inf) == 0 and runs.full  # the first call finds both seats busy
    free = [0.5, 10.0]
    assert runs.run(free, [], 0, np.inf) == 1 and runs.full  # 1.0 takes the idle seat; 2.0 finds none
    free = [0.0, 0.0]
    assert runs.run(free, [], 2, np.inf) == 2 and runs.full  # 11 and 11.5 hold both seats at 12
    assert sorted(free) == [15.0, 15.5]
    assert runs.run([0.0, 0.0], [], 2, 11.5) == 1 and not runs.full  # stops before a retry at 11.5
    assert runs.run([0.0, 0.0], [13.0], 2, np.inf) == 0  # a caller on hold at 11: one by one


@pytest.mark.parametrize("seed", range(5))
def test_merge_calls_is_the_stable_argsort(seed):
    rng = np.random.default_rng(seed)
    t_a = np.round(rng.random(500), 2)  # ties within a stream ...
    t_b = np.concatenate([rng.choice(t_a, 20), np.round(rng.random(30), 2)])  # ... and across streams
    id_b = rng.permutation(len(t_b)).astype(np.int64)
    order = np.argsort(np.concatenate([t_a, t_b]), kind="stable")
    want_t = np.concatenate([t_a, t_b])[order]
    want_k = np.concatenate([np.full(len(t_a), -1, np.int64), id_b])[order]
    got_t, got_k = merge_calls(t_a, t_b, id_b)
    assert np.array_equal(got_t, want_t) and np.array_equal(got_k, want_k)
    empty_t, empty_k = merge_calls(t_a[:0], t_b, id_b)
    assert np.array_equal(empty_t, np.sort(t_b, kind="stable")) and len(empty_k) == len(t_b)
