"""Output analysis of replicated experiments: pure functions from tidy result tables to tables.

Methods follow the simulation-output texts the project cites (Law, *Simulation Modeling and
Analysis*, ch. 9–10; STRESS-DES, Monks et al. 2019, sources.md §7):

- **Replication means and t intervals.** Each replication is one independent observation of a KPI;
  the 95 % interval is ``mean ± t(0.975, n-1)·s/√n``. With one replication there is no interval:
  the functions return NaN and the report says so instead of printing a fake one.
- **Paired differences under common random numbers (CRN).** Policies run with the same
  ``(seed, replication)`` see the same incidents (``govsim.streams``), so the difference
  ``policy − reference`` is computed per replication and its t interval is taken. The variance
  reduction is ``1 − Var(D)/(Var(X)+Var(Y))``: the share of the variance an independent-streams
  comparison of the same replications would have had that CRN removed.
- **% change with Fieller's interval.** ``100·(ρ̂ − 1)`` with ``ρ̂ = ȳ/x̄`` (arm mean over reference
  mean). Its interval is Fieller's for the ratio of two means, with the paired covariance: the set of
  ``ρ`` with ``(ȳ − ρx̄)² ≤ t²(0.975, n−1)·(s_y² − 2ρ s_xy + ρ² s_x²)/n``, i.e. the ``ρ`` for which
  the paired t test of ``y − ρx`` does not reject (Fieller 1954; Franz 2007 on Fieller for ratios).
  At ``ρ = 1`` that is the paired-t comparison of two systems (Law, *Simulation Modeling and
  Analysis*, 5th ed., §10.2), so **the % interval excludes 0 exactly when the difference's interval
  excludes 0**: one verdict per row. (The delta method on ``log(ȳ/x̄)`` used before could contradict
  the difference with 3–4 replications.) When ``x̄`` is not clearly away from 0 (``x̄² ≤ t²s_x²/n``:
  the reference mean's own interval includes 0) the set is unbounded — a half-line, the whole line or
  two rays — and no interval is given (NaN, reason ``"unbounded"``). Metrics are never negative, so
  the interval is cut at ``ρ = 0`` (−100 %): that only removes impossible ratios.
- **Averaging rates over replications.** An arm's mean of a rate is the mean of its per-replication
  rates, although rates of groups (towns, counties) are pooled from numerators and denominators
  (docs/kpis.md). Both are right: each replication is one independent observation of the arm, so the
  mean of its rates and their t interval estimate the expected rate of one run; pooling counts across
  replications would weight busy replications more and leave no replication-level interval.
- **Warm-up: MSER-5** (White 1997; White, Cobb & Spratt 2000): batch the series in means of five,
  choose the truncation ``d`` minimising ``Σ_{i>d}(z_i − z̄_d)² / (m−d)²`` over the first half.
- **Number of replications** (Law §9.4.1): the smallest ``n`` with ``t(0.975, n-1)·s/√n ≤ h``.
- **Global sensitivity** with SALib: Morris elementary effects (``μ*``, ``σ``) or Sobol indices.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95
HIGHER_IS_BETTER: dict[str, bool] = {
    "resolution_mean": False,
    "resolution_median": False,
    "resolution_p90": False,
    "discovery_delay": False,
    "patrol_share": True,
    "triage_wait": False,
    "routing_time": False,
    "department_wait": False,
    "backlog_mean": False,
    "on_time_rate": True,
    "overdue_rate": False,
    "closure_rate": True,
    "response_rate": True,
    "followup_rate": True,
    "open_share": False,
    "escalation_rate": False,
    "lifted_rate": False,
    "on_site_share": True,
    "reopen_rate": False,
    "satisfaction_rate": True,
    "petition_rate": False,
    "misroute_rate": False,
    "duplicate_tickets": False,
    "false_reports": False,
    "cost_per_year": False,
}
"""Direction of improvement of each KPI (``govsim.metrics``); a KPI absent here has no direction."""


def t_interval(values: Sequence[float] | np.ndarray, level: float = LEVEL) -> tuple[float, float, int]:
    """Mean and t half-width of independent observations: ``(mean, half_width, n)``.

    NaN observations are dropped. With fewer than two observations the half-width is NaN: a single
    replication carries no information about its own variability.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, 0
    if n == 1:
        return float(x[0]), math.nan, 1
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return float(x.mean()), half, n


def replications_needed(
    sd: float, target_half_width: float, level: float = LEVEL, n_max: int = 100_000
) -> float:
    """Smallest ``n ≥ 2`` whose t half-width ``t(n-1)·sd/√n`` is at most ``target_half_width``.

    Law's sequential rule applied to the current estimate of the standard deviation. NaN when ``sd``
    is unknown (one replication) or the target is not positive; ``inf`` beyond ``n_max``.
    """
    if not (sd >= 0 and target_half_width > 0):
        return math.nan
    if sd == 0:
        return 2.0
    z = stats.norm.ppf(0.5 + level / 2)
    n = max(2, math.ceil((z * sd / target_half_width) ** 2))  # the normal bound is a lower bound
    while n <= n_max:
        if stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n) <= target_half_width:
            return float(n)
        n += 1
    return math.inf


def summarise(
    results: pd.DataFrame, by: Sequence[str], level: float = LEVEL, precision: float = 0.05
) -> pd.DataFrame:
    """Per group and metric: n, mean, sd, t interval, relative half-width, replications needed.

    ``results`` is tidy, one row per (job, metric) with a ``value`` column; ``by`` names the columns
    that identify an arm (with ``metric`` added). ``needed`` is the replication count for a
    relative half-width of ``precision`` (default ±5 % of the mean).
    """
    rows = []
    for keys, g in results.groupby([*by, "metric"], sort=True, dropna=False):
        mean, half, n = t_interval(g["value"], level)
        sd = float(g["value"].std(ddof=1)) if n > 1 else math.nan
        target = precision * abs(mean)
        rows.append(
            {
                **dict(zip([*by, "metric"], keys, strict=True)),
                "n": n,
                "mean": mean,
                "sd": sd,
                "half_width": half,
                "lo": mean - half,
                "hi": mean + half,
                "rel_half_width": half / abs(mean) if mean else math.nan,
                "needed": replications_needed(sd, target, level) if n > 1 else math.nan,
            }
        )
    return pd.DataFrame(rows)


def paired(x: np.ndarray, y: np.ndarray, level: float = LEVEL) -> dict[str, float]:
    """Paired comparison of ``y − x`` over replications run with common random numbers.

    Returns the mean difference, its t interval, the per-replication variances and the variance
    reduction ``1 − Var(y−x)/(Var(x)+Var(y))`` relative to comparing independent replications.
    """
    d = y - x
    diff, half, n = t_interval(d, level)
    if n > 1:
        var_d = float(np.var(d, ddof=1))
        var_ind = float(np.var(x, ddof=1) + np.var(y, ddof=1))
        reduction = 1.0 - var_d / var_ind if var_ind > 0 else math.nan
    else:
        var_d = var_ind = reduction = math.nan
    return {
        "n_pairs": n,
        "reference": float(np.mean(x)) if n else math.nan,
        "value": float(np.mean(y)) if n else math.nan,
        "diff": diff,
        "half_width": half,
        "lo": diff - half,
        "hi": diff + half,
        "var_paired": var_d,
        "var_independent": var_ind,
        "variance_reduction": reduction,
    }


class Ratio(NamedTuple):
    """A ratio of means with its confidence interval; ``why`` says why there is no interval ("" if one)."""

    ratio: float
    lo: float
    hi: float
    why: str


NO_INTERVAL: dict[str, str] = {
    "": "the interval is given",
    "reference": "the reference mean is not positive: no % change",
    "one_pair": "fewer than two paired replications: no interval",
    "unbounded": "the reference mean is not clearly away from 0 (its own interval includes 0): Fieller's "
    "set of ratios is unbounded, so no finite interval exists",
}
"""The reasons ``fieller`` and ``compare`` (column ``pct_why``) give for a missing % interval."""


def fieller(x: np.ndarray, y: np.ndarray, level: float = LEVEL) -> Ratio:
    """Fieller's interval for ``E[y]/E[x]`` from paired replications (common random numbers).

    The interval is the set of ``ρ`` with ``(ȳ − ρx̄)² ≤ t²·(s_y² − 2ρ s_xy + ρ² s_x²)/n``,
    ``t = t((1+level)/2, n−1)``: the quadratic ``aρ² − 2bρ + c ≤ 0`` with ``a = x̄² − q s_x²``,
    ``b = x̄ȳ − q s_xy``, ``c = ȳ² − q s_y²``, ``q = t²/n``, whose roots are ``(b ± √(b² − ac))/a``.
    It is a finite interval exactly when ``a > 0``; otherwise the set is unbounded and the bounds are
    NaN with ``why="unbounded"``. ``ρ = 1`` lies outside it exactly when the paired t interval of
    ``y − x`` excludes 0. With values that cannot be negative (``min(x, y) ≥ 0``) the lower bound is
    cut at 0. Fieller, E. C. (1954), "Some problems in interval estimation", *J. R. Stat. Soc. B*
    16(2):175–185; Franz, V. H. (2007), "Ratios: a short guide to confidence limits and proper use",
    arXiv:0710.2024; the paired-t interval it agrees with at ``ρ = 1``: Law, A. M., *Simulation
    Modeling and Analysis* (5th ed., 2015), §10.2.

    NaN ratio (``why="reference"``) unless ``x̄ > 0``; NaN bounds (``why="one_pair"``) with fewer
    than two pairs. Raises ``ValueError`` if ``x`` and ``y`` differ in length.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"paired replications: {len(x)} reference values, {len(y)} arm values")
    n = len(x)
    mx, my = (float(x.mean()), float(y.mean())) if n else (math.nan, math.nan)
    if not mx > 0:
        return Ratio(math.nan, math.nan, math.nan, "reference")
    ratio = my / mx
    if n < 2:
        return Ratio(ratio, math.nan, math.nan, "one_pair")
    cov = np.cov(x, y, ddof=1)
    q = float(stats.t.ppf(0.5 + level / 2, n - 1)) ** 2 / n
    a = mx * mx - q * cov[0, 0]
    b = mx * my - q * cov[0, 1]
    c = my * my - q * cov[1, 1]
    if not a > 0:
        return Ratio(ratio, math.nan, math.nan, "unbounded")
    # b² − ac = q·(x̄²s_y² − 2x̄ȳs_xy + ȳ²s_x²) − q²·det(cov) = a·q·Var(y − ρ̂x) ≥ 0 up to rounding
    root = math.sqrt(max(b * b - a * c, 0.0))
    lo, hi = (b - root) / a, (b + root) / a
    if min(x.min(), y.min()) >= 0:
        lo, hi = max(lo, 0.0), max(hi, 0.0)
    return Ratio(ratio, lo, hi, "")


def pct_change(x: np.ndarray, y: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """``(% change, lo, hi)`` of the mean of ``y`` against the mean of ``x``, paired replications.

    ``100·(ȳ/x̄ − 1)`` with Fieller's interval (``fieller``; the module notes say why): it excludes 0
    exactly when the paired difference's t interval does. The point is NaN unless the reference mean
    is positive; the bounds are NaN with fewer than two pairs or when the interval is unbounded
    (``fieller(x, y).why`` says which). Raises ``ValueError`` if ``x`` and ``y`` differ in length.
    """
    r = fieller(x, y, level)
    return 100.0 * (r.ratio - 1.0), 100.0 * (r.lo - 1.0), 100.0 * (r.hi - 1.0)


def compare(
    results: pd.DataFrame,
    reference: dict[str, str],
    strata: Sequence[str],
    metrics: Sequence[str],
    cost_metric: str = "cost_per_year",
    level: float = LEVEL,
) -> pd.DataFrame:
    """Every arm against the reference arm of its stratum, paired by replication (CRN).

    ``results`` is tidy with columns ``arm``, ``replication``, ``metric``, ``value`` and one column per
    swept key. The reference arm of a stratum is the one whose columns equal ``reference``;
    ``strata`` are the swept keys that define a stratum (uncertainties, say); an empty list means
    one stratum. Only replications present for both arms are paired. Adds % change, the paired
    change of ``cost_metric`` and the cost per unit of improvement (NaN where there is none). % change
    is of the arm's mean against the reference's, with Fieller's interval (``fieller``), whose verdict
    (includes 0 or not) is always the difference's; ``pct_why`` is why it has none (``NO_INTERVAL``).
    Raises ``ValueError`` if a stratum has not exactly one reference arm.
    """
    rows = []
    strata = list(strata)
    groups = results.groupby(strata, sort=True, dropna=False) if strata else [((), results)]
    for skey, part in groups:
        sval = dict(zip(strata, skey if isinstance(skey, tuple) else (skey,), strict=True))
        is_ref = np.logical_and.reduce([part[k].astype(str) == str(v) for k, v in reference.items()])
        ref_arms = part.loc[is_ref, "arm"].unique()
        if len(ref_arms) != 1:
            raise ValueError(f"stratum {sval or 'all'}: {len(ref_arms)} reference arms match {reference}")
        wide = part.pivot_table(
            index="replication", columns=["arm", "metric"], values="value", aggfunc="first"
        )
        for arm in part.loc[~is_ref, "arm"].unique():
            rows.extend(_compare_arm(wide, ref_arms[0], arm, metrics, cost_metric, level, sval))
    return pd.DataFrame(rows)


def _compare_arm(
    wide: pd.DataFrame,
    ref: str,
    arm: str,
    metrics: Sequence[str],
    cost_metric: str,
    level: float,
    stratum: dict[str, str],
) -> list[dict]:
    cost = _pair_columns(wide, ref, arm, cost_metric)
    d_cost = float(np.mean(cost[1] - cost[0])) if cost is not None and len(cost[0]) else math.nan
    out = []
    for metric in metrics:
        pair = _pair_columns(wide, ref, arm, metric)
        if pair is None:
            continue
        stats_ = paired(*pair, level)
        ratio = fieller(*pair, level)
        out.append(
            {
                **stratum,
                "arm": arm,
                "reference_arm": ref,
                "metric": metric,
                **stats_,
                "pct_change": 100.0 * (ratio.ratio - 1.0),
                "pct_lo": 100.0 * (ratio.lo - 1.0),
                "pct_hi": 100.0 * (ratio.hi - 1.0),
                "pct_why": ratio.why,
                "delta_cost": d_cost,
                "cost_per_unit": cost_per_improvement(
                    d_cost, stats_["diff"], metric, (stats_["lo"], stats_["hi"])
                ),
            }
        )
    return out


def _pair_columns(
    wide: pd.DataFrame, ref: str, arm: str, metric: str
) -> tuple[np.ndarray, np.ndarray] | None:
    if (ref, metric) not in wide.columns or (arm, metric) not in wide.columns:
        return None
    both = wide[[(ref, metric), (arm, metric)]].dropna()
    return both.iloc[:, 0].to_numpy(float), both.iloc[:, 1].to_numpy(float)


def cost_per_improvement(
    delta_cost: float, diff: float, metric: str, interval: tuple[float, float] | None = None
) -> float:
    """Extra cost per unit of improvement of ``metric`` (yuan per day saved, per point gained, ...).

    NaN when the metric has no direction, or the policy does not improve it, or — given the difference's
    confidence ``interval`` — when that interval includes zero or is unknown (one replication): dividing
    by an improvement not shown to exist gives arbitrarily large costs. A negative value means the
    policy improves the metric and costs less (it dominates the reference).
    """
    if metric not in HIGHER_IS_BETTER or math.isnan(diff) or math.isnan(delta_cost):
        return math.nan
    if interval is not None and not (interval[0] > 0 or interval[1] < 0):  # NaN bounds fail both
        return math.nan
    gain = diff if HIGHER_IS_BETTER[metric] else -diff
    return delta_cost / gain if gain > 0 else math.nan


def mser5(series: Sequence[float] | np.ndarray, batch: int = 5) -> tuple[int, bool]:
    """MSER-5 truncation point of an output series, in observations, and whether it is trustworthy.

    The series is batched in means of ``batch`` observations ``z_1..z_m``; the truncation ``d`` (in
    batches) minimises ``Σ_{i>d}(z_i − z̄_d)² / (m − d)²`` over ``d ≤ m/2``. The second value is False
    when the minimum sits at the end of that search range, the sign of a series that has not
    settled (run longer).
    """
    y = np.asarray(series, dtype=float)
    m = len(y) // batch
    if m < 4:
        return 0, False
    z = y[: m * batch].reshape(m, batch).mean(axis=1)
    last = m // 2
    stat = [float(((z[d:] - z[d:].mean()) ** 2).sum() / (m - d) ** 2) for d in range(last + 1)]
    d = int(np.argmin(stat))
    return d * batch, d < last


def sensitivity_sample(
    method: str,
    names: Sequence[str],
    bounds: Sequence[Sequence[float]],
    size: int,
    levels: int = 4,
    seed: int = 0,
) -> np.ndarray:
    """Design points of a global sensitivity analysis with SALib (one row per point).

    ``method='morris'``: ``size`` trajectories of ``len(names)+1`` points on a ``levels`` grid;
    ``'sobol'``: Saltelli's scheme with ``size`` base samples, first and total order only
    (``size·(k+2)`` points).
    """
    problem = {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, size, num_levels=levels, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, size, calc_second_order=False, seed=seed)
    raise ValueError(f"sensitivity method {method!r}: allowed: morris, sobol")


def sensitivity_indices(
    method: str,
    names: Sequence[str],
    bounds: Sequence[Sequence[float]],
    x: np.ndarray,
    y: np.ndarray,
    levels: int = 4,
    seed: int = 0,
) -> pd.DataFrame:
    """Sensitivity indices of output ``y`` at design points ``x``, one row per factor.

    Morris: ``mu_star`` (mean absolute elementary effect: importance), ``sigma`` (spread: interaction
    or non-linearity) and ``mu_star_conf``. Sobol: first-order ``S1`` and total ``ST`` with their
    confidence half-widths.
    """
    problem = {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}
    if method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, x, np.asarray(y, float), num_levels=levels, seed=seed)
        cols = ("mu", "mu_star", "sigma", "mu_star_conf")
    else:
        from SALib.analyze import sobol

        res = sobol.analyze(problem, np.asarray(y, float), calc_second_order=False, seed=seed)
        cols = ("S1", "S1_conf", "ST", "ST_conf")
    return pd.DataFrame({"factor": list(names), **{c: np.asarray(res[c], float) for c in cols}})
