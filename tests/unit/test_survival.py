"""The Kaplan–Meier curve of ``govsim.survival`` against a row-by-row product, for every tie pattern.

``survival._curve`` takes one of three routes (no ties; a few ties, corrected event by event; ties
everywhere, in passes over all rows). Each must give, to the last bit, the curve of the definition
written as a plain loop: one factor ``1 − 1/at risk`` per event in sorted order, the tie's events
counted as if they came first (so a tie of ``d`` events among ``n`` at risk multiplies to
``(n − d) / n``), a censoring's factor 1.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from govsim import survival


def _by_rows(t: np.ndarray, ev: np.ndarray) -> np.ndarray:
    """S just after each sorted row, one multiplication per event, as Kaplan & Meier define it."""
    s, out, n = 1.0, [], len(t)
    for i in range(n):
        if ev[i]:
            tie_start = int(np.searchsorted(t, t[i], side="left"))
            tie_events_before = int(ev[tie_start:i].sum())
            s *= 1.0 - 1.0 / (n - tie_start - tie_events_before)
        out.append(s)
    return np.array(out)


def _case(kind: str, n: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng({"none": 1, "few": 2, "everywhere": 3}[kind])
    d = rng.exponential(4.0, n)
    if kind == "few":
        d[rng.integers(0, n, n // 50)] = 2.5  # a few dozen rows share one time
    elif kind == "everywhere":
        d = np.round(d)  # a handful of distinct times
    ev = rng.random(n) < 0.8
    order = np.argsort(d)
    return d[order], ev[order]


@pytest.mark.parametrize("kind", ["none", "few", "everywhere"])
def test_the_curve_is_the_row_by_row_product_to_the_last_bit(kind):
    t, ev = _case(kind)
    assert np.array_equal(survival._survival(t, ev), _by_rows(t, ev))


@pytest.mark.parametrize("kind", ["none", "few", "everywhere"])
def test_the_summaries_read_that_curve(kind):
    t, ev = _case(kind)
    s = _by_rows(t, ev)
    got = survival.censored_sorted(t, ev)
    assert got.restricted_mean == float(t[0] + np.sum(s[:-1] * np.diff(t)))  # the area, step by step
    for p, value in ((0.5, got.median), (0.9, got.p90)):
        hit = np.flatnonzero(s <= 1.0 - p + 1e-12)
        assert value == t[hit[0]] if len(hit) else math.isnan(value)
    assert (got.n, got.n_open) == (len(t), int((~ev).sum()))
    shuffled = np.random.default_rng(0).permutation(len(t))
    assert survival.censored_times(t[shuffled], ev[shuffled]) == got  # any order in, the same summary


def test_a_tie_of_events_and_censorings_multiplies_to_n_minus_d_over_n():
    t = np.array([1.0, 2.0, 2.0, 2.0, 2.0, 3.0])
    ev = np.array([True, False, True, True, False, True])  # at 2.0: 2 events of 5 at risk, censored mixed in
    s = survival._survival(t, ev)
    assert s[4] == pytest.approx((5 / 6) * (3 / 5), rel=1e-15)
    assert s[-1] == 0.0


def test_a_quantile_the_curve_never_reaches_is_nan():
    t, ev = np.array([1.0, 2.0, 3.0, 4.0]), np.array([True, False, False, False])
    got = survival.censored_sorted(t, ev)
    assert got.median != got.median and got.p90 != got.p90 and got.n_open == 3
