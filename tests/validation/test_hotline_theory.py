"""The hotline's call-centre queue (``govsim.callqueue``) against M/M/c/K and Erlang-A theory.

Each case runs ``REPS`` = 30 independent replications of ``N`` Poisson calls with exponential handling
(and exponential patience for Erlang-A), drops a warm-up, and takes the mean of the per-replication
estimates with a Student-t interval at 99.9 % (Law, *Simulation Modeling and Analysis*, 5th ed., §9.4.1:
replication/deletion). The exact value of ``govsim.theory.call_centre`` must lie inside. Power: the
same intervals must exclude the theory of a model 10 % wrong — one seat fewer in ten, or patience 10 %
shorter — so a simulator with either error would fail. The textbook checks of the formula itself
(Erlang B, M/M/c limit, θ·Lq = λ·P(abandon)) come first.
"""

from __future__ import annotations

import math
from dataclasses import asdict

import numpy as np
import pytest
from scipy import stats

from govsim import theory
from govsim.callqueue import QueueState, estimate, offer, simulate_queue

REPS, N, WARMUP = 30, 20_000, 50.0
MMCK = {"lam": 9.0, "mu": 1.0, "c": 10, "room": 5}  # rho = 0.9, K = 15
ERLANG_A = {"lam": 19.0, "mu": 1.0, "c": 20, "theta": 0.5}  # rho = 0.95, mean patience 2 services


def test_formula_reduces_to_erlang_b_and_mmc():
    # no hold lines and no patience: the Erlang loss system
    assert theory.call_centre(7.0, 1.0, 8, room=0).p_block == pytest.approx(
        theory.erlang_b(8, 7.0), rel=1e-12
    )
    # a huge room: the M/M/c queue
    big, m = theory.call_centre(9.0, 1.0, 10, room=2000), theory.mmc(9.0, 1.0, 10)
    assert big.p_wait == pytest.approx(m.p_wait, rel=1e-9)
    assert big.wait_served == pytest.approx(m.wq, rel=1e-9)
    assert big.l == pytest.approx(m.l, rel=1e-9)


def test_erlang_a_abandonment_obeys_the_rate_balance():
    # every caller on hold hangs up at rate theta: theta Lq = lam P(abandon) (Garnett et al. 2002, §2)
    r = theory.call_centre(**ERLANG_A)
    assert ERLANG_A["theta"] * r.lq == pytest.approx(ERLANG_A["lam"] * r.p_abandon, rel=1e-9)
    # and the M/M/1/1 loss system by hand: P(block) = a / (1 + a)
    assert theory.call_centre(0.5, 1.0, 1, room=0).p_block == pytest.approx(0.5 / 1.5)


def test_offer_and_simulate_queue_agree_and_reject_bad_input():
    rng = np.random.default_rng(3)
    t = np.cumsum(rng.exponential(0.1, 500))
    pat, svc = rng.exponential(0.5, 500), rng.exponential(1.0, 500)
    out, wait, _ = simulate_queue(t, pat, svc, 8, 3)
    st = QueueState.empty(8)
    one = [offer(st, *args, 3) for args in zip(t, pat, svc, strict=True)]
    assert [o for o, _ in one] == out.tolist()
    assert [w for _, w in one] == wait.tolist()
    assert len(set(out.tolist())) == 3  # all three outcomes occur in this overloaded case
    with pytest.raises(ValueError, match="non-decreasing"):
        simulate_queue(t[::-1], pat, svc, 8, 3)
    with pytest.raises(ValueError, match="seats"):
        QueueState.empty(0)


def _replicate(lam: float, mu: float, c: int, room: float, theta: float, seed: int) -> dict[str, np.ndarray]:
    rows = []
    for r in range(REPS):
        rng = np.random.default_rng([seed, r])
        t = np.cumsum(rng.exponential(1.0 / lam, N))
        svc = rng.exponential(1.0 / mu, N)
        pat = rng.exponential(1.0 / theta, N) if theta > 0 else np.full(N, np.inf)
        rows.append(asdict(estimate(t, pat, svc, c, room, WARMUP)))
    return {k: np.array([row[k] for row in rows]) for k in rows[0]}


def _interval(x: np.ndarray) -> tuple[float, float]:
    half = stats.t.ppf(0.9995, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean() - half), float(x.mean() + half)


@pytest.fixture(scope="module")
def mmck() -> dict[str, np.ndarray]:
    return _replicate(MMCK["lam"], MMCK["mu"], MMCK["c"], MMCK["room"], 0.0, seed=11)


@pytest.fixture(scope="module")
def erlang_a() -> dict[str, np.ndarray]:
    return _replicate(ERLANG_A["lam"], ERLANG_A["mu"], ERLANG_A["c"], math.inf, ERLANG_A["theta"], seed=12)


@pytest.mark.parametrize("key", ["p_block", "l", "w", "throughput"])
def test_mmck_simulated_means_contain_theory(mmck, key):
    lo, hi = _interval(mmck[key])
    exact = getattr(theory.call_centre(**MMCK), key)
    assert lo <= exact <= hi, f"{key}: theory {exact:.5f} outside [{lo:.5f}, {hi:.5f}]"


@pytest.mark.parametrize("key", ["p_abandon", "p_wait", "wait_served"])
def test_erlang_a_simulated_means_contain_theory(erlang_a, key):
    lo, hi = _interval(erlang_a[key])
    exact = getattr(theory.call_centre(**ERLANG_A), key)
    assert lo <= exact <= hi, f"{key}: theory {exact:.5f} outside [{lo:.5f}, {hi:.5f}]"


def test_power_one_seat_in_ten_fewer_is_detected(mmck, erlang_a):
    wrong = theory.call_centre(**{**MMCK, "c": 9})
    lo, hi = _interval(mmck["p_block"])
    assert not lo <= wrong.p_block <= hi
    wrong_a = theory.call_centre(**{**ERLANG_A, "c": 18})
    lo, hi = _interval(erlang_a["p_abandon"])
    assert not lo <= wrong_a.p_abandon <= hi


def test_power_patience_ten_percent_shorter_is_detected(erlang_a):
    # P(abandon) carries the power (about +4 % relative per +10 % theta here); the mean wait of served
    # callers moves by under 10 % and is not powered for it at 30 x 20,000 calls
    wrong = theory.call_centre(**{**ERLANG_A, "theta": ERLANG_A["theta"] / 0.9})
    lo, hi = _interval(erlang_a["p_abandon"])
    assert not lo <= wrong.p_abandon <= hi
