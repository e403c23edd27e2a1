"""Output analysis against theory: t intervals, replications, paired CRN comparison, MSER-5, SALib."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from govsim import analysis


def test_t_interval_matches_the_textbook_formula():
    # mean 3, s = sqrt(2.5), t(0.975, 4) = 2.776445 (t table)
    mean, half, n = analysis.t_interval([1.0, 2.0, 3.0, 4.0, 5.0])
    assert (mean, n) == (3.0, 5)
    assert half == pytest.approx(2.776445 * math.sqrt(2.5) / math.sqrt(5), rel=1e-6)


def test_t_interval_covers_the_true_mean_95_percent_of_the_time():
    rng = np.random.default_rng(12)
    trials, n = 4000, 5
    hits = 0
    for _ in range(trials):
        mean, half, _ = analysis.t_interval(rng.normal(10.0, 3.0, n))
        hits += abs(mean - 10.0) <= half
    # binomial standard error sqrt(0.95·0.05/4000) = 0.0034; tolerance 4 standard errors
    assert hits / trials == pytest.approx(0.95, abs=4 * math.sqrt(0.95 * 0.05 / trials))


def test_single_observation_has_no_interval():
    mean, half, n = analysis.t_interval([4.2])
    assert (mean, n) == (4.2, 1)
    assert math.isnan(half)


@pytest.mark.parametrize(("sd", "target"), [(1.0, 0.5), (3.0, 0.2), (0.5, 1.0), (2.0, 2.0)])
def test_replications_needed_is_the_smallest_n_reaching_the_half_width(sd, target):
    from scipy import stats

    n = int(analysis.replications_needed(sd, target))

    def half(k: int) -> float:
        return stats.t.ppf(0.975, k - 1) * sd / math.sqrt(k)

    assert half(n) <= target
    assert n == 2 or half(n - 1) > target


def test_paired_comparison_removes_the_shared_variance():
    """Var(Y−X) = Var(X)+Var(Y)−2Cov: with correlation ρ and equal variances the reduction is ρ."""
    rng = np.random.default_rng(5)
    rho, n = 0.8, 20000
    cov = [[1.0, rho], [rho, 1.0]]
    xy = rng.multivariate_normal([5.0, 4.0], cov, n)
    out = analysis.paired(xy[:, 0], xy[:, 1])
    assert out["variance_reduction"] == pytest.approx(rho, abs=0.01)  # sampling error ≈ 0.003
    assert out["diff"] == pytest.approx(-1.0, abs=4 * math.sqrt(2 * (1 - rho) / n))
    assert out["lo"] < out["diff"] < out["hi"]


def tidy(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["arm", "policy", "demand", "replication", "metric", "value"])
    return df


def test_compare_pairs_by_replication_within_each_stratum():
    rows = []
    for demand, shift in (("low", 0.0), ("high", 10.0)):
        for rep, noise in enumerate((0.0, 2.0, -1.0)):
            for policy, effect, cost in (("baseline", 0.0, 100.0), ("grid", -1.5, 160.0)):
                arm = f"policy={policy},demand={demand}"
                rows.append(
                    (arm, policy, demand, rep, "resolution_mean", 8 + shift + noise + effect + 0.1 * rep)
                )
                rows.append((arm, policy, demand, rep, "cost_per_year", cost))
    comp = analysis.compare(tidy(rows), {"policy": "baseline"}, ["demand"], ["resolution_mean"])
    assert list(comp["demand"]) == ["high", "low"]
    for _, r in comp.iterrows():
        assert r["diff"] == pytest.approx(-1.5)  # the noise is shared (CRN): the difference is exact
        assert r["half_width"] == pytest.approx(0.0, abs=1e-9)
        assert r["delta_cost"] == pytest.approx(60.0)
        assert r["cost_per_unit"] == pytest.approx(60.0 / 1.5)  # yuan per day of resolution time saved
        assert r["pct_change"] == pytest.approx(100 * -1.5 / r["reference"])
    assert (
        comp.set_index("demand").loc["high", "reference"] > comp.set_index("demand").loc["low", "reference"]
    )


def test_compare_refuses_a_stratum_without_its_reference():
    rows = [("policy=grid", "grid", "x", 0, "backlog_mean", 1.0)]
    with pytest.raises(ValueError, match="reference"):
        analysis.compare(tidy(rows), {"policy": "baseline"}, [], ["backlog_mean"])


@pytest.mark.parametrize(
    ("delta_cost", "diff", "metric", "expected"),
    [
        (100.0, -2.0, "resolution_mean", 50.0),  # lower is better: 2 days saved
        (100.0, 2.0, "resolution_mean", math.nan),  # worse: no improvement to pay for
        (100.0, 0.05, "on_time_rate", 2000.0),  # higher is better
        (-10.0, 0.05, "on_time_rate", -200.0),  # cheaper and better: dominates
        (100.0, 1.0, "incidents", math.nan),  # no direction
    ],
)
def test_cost_per_improvement(delta_cost, diff, metric, expected):
    got = analysis.cost_per_improvement(delta_cost, diff, metric)
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


def test_mser5_truncates_exactly_an_initial_bias_step():
    rng = np.random.default_rng(0)
    y = np.concatenate([np.full(50, 100.0), np.zeros(450)]) + rng.normal(0, 0.1, 500)
    assert analysis.mser5(y) == (50, True)


def test_mser5_flags_a_series_that_never_settles():
    days, settled = analysis.mser5(np.arange(300, dtype=float))
    assert not settled
    assert days == 5 * (300 // 5 // 2)


def test_morris_recovers_the_coefficients_of_a_linear_model():
    """Elementary effects of y = Σ a_i x_i are exactly a_i (x scaled to its range)."""
    names, bounds = ["a", "b", "c"], [(0.0, 1.0), (0.0, 1.0), (0.0, 2.0)]
    x = analysis.sensitivity_sample("morris", names, bounds, 10, seed=1)
    y = 3.0 * x[:, 0] + 0.0 * x[:, 1] - 1.0 * x[:, 2]
    idx = analysis.sensitivity_indices("morris", names, bounds, x, y, seed=1)
    assert idx["mu_star"].to_numpy() == pytest.approx([3.0, 0.0, 2.0])  # c spans 2: effect −1 × 2
    assert idx["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-12)


def test_sobol_first_order_indices_of_an_additive_model():
    """For y = Σ a_i x_i with independent uniform x_i, S1_i = ST_i = a_i² / Σ a_j²."""
    names, bounds = ["a", "b"], [(0.0, 1.0), (0.0, 1.0)]
    x = analysis.sensitivity_sample("sobol", names, bounds, 2048, seed=2)
    y = 2.0 * x[:, 0] + 1.0 * x[:, 1]
    idx = analysis.sensitivity_indices("sobol", names, bounds, x, y, seed=2)
    assert idx["S1"].to_numpy() == pytest.approx([0.8, 0.2], abs=0.05)
    assert idx["ST"].to_numpy() == pytest.approx([0.8, 0.2], abs=0.05)


def paired_lognormal(rng: np.random.Generator, ratio: float, sigma: float, n: int) -> tuple:
    """n paired replications, correlated as under CRN, with E[y]/E[x] = ratio exactly."""
    z = rng.standard_normal((2, n))
    return np.exp(sigma * z[0]), ratio * np.exp(sigma * (0.5 * z[0] + np.sqrt(0.75) * z[1]))


def test_pct_change_interval_covers_the_true_ratio():
    """Theory: a 95 % interval covers the true % change (−60 % here) in 95 % of experiments.

    4,000 experiments of 10 pairs: sampling error of the coverage 0.34 pp; the delta method's own
    small-sample error at n = 10 is allowed 2 pp in all (stated tolerance).
    """
    rng = np.random.default_rng(7)
    hits = [
        lo <= -60.0 <= hi
        for _, lo, hi in (analysis.pct_change(*paired_lognormal(rng, 0.4, 0.4, 10)) for _ in range(4000))
    ]
    assert abs(np.mean(hits) - 0.95) <= 0.02


def test_pct_change_interval_never_below_minus_100():
    """A rare-event metric cut by 90 % with noisy replications: the interval never goes below −100 %
    (Fieller's lower bound is cut at a ratio of 0, as the metrics cannot be negative), where the
    difference interval divided by the reference mean (what the forest plot drew first) does."""
    rng = np.random.default_rng(8)
    new_lo, old_lo = [], []
    for _ in range(500):
        x, y = paired_lognormal(rng, 0.1, 0.8, 5)
        new_lo.append(analysis.pct_change(x, y)[1])
        old = analysis.paired(x, y)
        old_lo.append(100 * old["lo"] / old["reference"])
    assert np.nanmin(new_lo) >= -100.0 and min(old_lo) < -100.0
    assert np.isfinite(new_lo).sum() > 300  # not vacuous: most have an interval (345 of 500; in the
    # rest the reference mean's own interval reaches 0 and Fieller's set is unbounded)


def test_pct_change_without_a_positive_mean_or_a_second_pair():
    assert all(math.isnan(v) for v in analysis.pct_change(np.zeros(3), np.ones(3)))
    point, lo, hi = analysis.pct_change(np.array([0.01, 0.02, 0.0]), np.zeros(3))  # wiped out
    assert point == -100.0 and math.isnan(lo) and math.isnan(hi)
    point, lo, hi = analysis.pct_change(np.array([2.0]), np.array([3.0]))
    assert point == pytest.approx(50.0) and math.isnan(lo) and math.isnan(hi)


def test_no_cost_per_unit_where_the_effect_interval_includes_zero():
    """A saving of 1e-9 days whose interval straddles zero is not worth billions a day (lesson 04): —."""
    rows = []
    for rep, (base, arm) in enumerate(((8.0, 7.0), (8.0, 9.0), (8.0, 8.0 - 1e-9))):
        for policy, value, cost in (("baseline", base, 100.0), ("grid", arm, 200.0)):
            rows.append((f"policy={policy}", policy, "x", rep, "resolution_mean", value))
            rows.append((f"policy={policy}", policy, "x", rep, "cost_per_year", cost))
    comp = analysis.compare(tidy(rows), {"policy": "baseline"}, [], ["resolution_mean"])
    row = comp.iloc[0]
    assert row["diff"] < 0 and row["lo"] < 0 < row["hi"]
    assert math.isnan(row["cost_per_unit"])


def test_cost_per_unit_needs_an_interval_clear_of_zero():
    assert analysis.cost_per_improvement(100.0, -2.0, "resolution_mean", (-3.0, -1.0)) == pytest.approx(50.0)
    assert math.isnan(analysis.cost_per_improvement(100.0, -2.0, "resolution_mean", (-5.0, 1.0)))
    assert math.isnan(analysis.cost_per_improvement(100.0, -2.0, "resolution_mean", (math.nan, math.nan)))
