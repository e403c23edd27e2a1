"""Validation cases: govsim scenarios that reduce to textbook queues, their theory and their estimators.

Shared by the validation tests and ``scripts/validation_table.py`` (which writes ``docs/validation.md``),
so the table in the docs is exactly what the tests check.

A case is a scenario (``configs/scenario/mmc_*.yaml``, ``tandem_*.yaml``) run for several independent
replications (one ``SeedSequence`` per replication, design.md §4). The theory's parameters (arrival rates,
service means, server counts) are read from the model's own resolved scenario and levers, so a test
compares the *queue mechanics* with the formulas of ``govsim.theory``. Estimates are means over the
replications of per-replication means, with a Student-t confidence interval.

Estimators, per replication, over the measurement window [warm-up, horizon − drain):
  * per-customer means (P(wait), Wq, W) over tickets *reported* in the window; the drain after the
    window is long enough that every one of them has finished (checked, not assumed);
  * time averages (Lq, L) of the number waiting / present, integrated exactly over the window from the
    records' stage timestamps.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from hydra import compose, initialize_config_dir
from scipy import stats

from govsim import theory
from govsim.compose import config_dir, to_config
from govsim.config import GovsimConfig, register_configs
from govsim.model import GovernanceModel
from govsim.policies import resolve_levers
from govsim.records import Records
from govsim.scenario import build_scenario
from govsim.streams import make_streams

CONFIDENCE = 0.999
"""Two-sided level of the replication CI. The suite makes about forty comparisons (correlated within a
case) and any change in how the streams are consumed reseeds them all: at 99.9 % a false failure
somewhere is rare, and the power tests show that a wrong service law still fails clearly."""
REL_TOL = 0.02
"""A mean within 2 % of theory passes even if the CI is narrower than that."""
MAX_REL_HALF_WIDTH = 0.10
"""A CI wider than ±10 % of theory is uninformative: the case fails for lack of replications."""
BASE_OVERRIDES = (
    "policy=baseline",
    "policy.fusion.routing_accuracy=1.0",
    "output.progress=false",
    "output.figures=false",
)


def compose_config(*overrides: str) -> GovsimConfig:
    """A checked ``GovsimConfig`` composed from the shipped YAML configs, as the CLI would (a fresh copy)."""
    return copy.deepcopy(_composed(tuple(overrides)))


@lru_cache(maxsize=32)
def _composed(overrides: tuple[str, ...]) -> GovsimConfig:
    register_configs()
    with initialize_config_dir(config_dir(), version_base=None):
        return to_config(compose("config", list(overrides)))


@dataclass(frozen=True)
class QueueParams:
    """The queue a reduced scenario is: Poisson classes (highest priority first), triage and department."""

    classes: tuple[str, ...]
    lam: tuple[float, ...]  # per class, per day
    triage_mean: float  # days; 0 = no triage station
    triage_servers: int
    dept_means: tuple[float, ...]  # per class, days
    dept_cv: float  # coefficient of variation of department service (1 for exponential)
    dept_servers: int

    @property
    def lam_total(self) -> float:
        """Total arrival rate."""
        return float(sum(self.lam))


def queue_params(cfg: GovsimConfig) -> QueueParams:
    """Read the queue off the model's resolved scenario and levers (the categories with a share > 0)."""
    s = cfg.scenario
    sc = build_scenario(s, make_streams(cfg.seed, cfg.replication)["territory"])
    lv = resolve_levers(cfg.policy, sc)
    live = [k for k in range(len(sc.categories)) if sc.cat_share[k] > 0]
    live.sort(key=lambda k: int(sc.cat_priority[k]))
    depts = {int(sc.cat_department[k]) for k in live}
    if len(depts) != 1 or len(sc.territory.town_names) != 1:
        raise ValueError("a validation scenario has one town and one department for every live category")
    cv = {"exponential": 1.0, "deterministic": 0.0}.get(s.service_family, s.service_cv)
    return QueueParams(
        classes=tuple(sc.categories[k] for k in live),
        lam=tuple(s.incident_rate * sc.population / 365.0 * float(sc.cat_share[k]) for k in live),
        triage_mean=s.triage_days,
        triage_servers=int(lv.town_triage[0]),
        dept_means=tuple(float(sc.cat_handling_days[k] * lv.work_multiplier[0]) for k in live),
        dept_cv=cv,
        dept_servers=int(lv.dept_servers[0, depts.pop()]),
    )


def _single_mean(p: QueueParams) -> float:
    if len(set(p.dept_means)) != 1:
        raise ValueError("the M/M/c formulas need one service rate for all classes")
    return p.dept_means[0]


def mmc_theory(p: QueueParams) -> dict[str, float]:
    """Department as an M/M/c queue (Erlang C): P(wait), Wq, W, Lq, L."""
    m = theory.mmc(p.lam_total, 1.0 / _single_mean(p), p.dept_servers)
    return {"dept.p_wait": m.p_wait, "dept.wq": m.wq, "dept.w": m.w, "dept.lq": m.lq, "dept.l": m.l}


def tandem_theory(p: QueueParams) -> dict[str, float]:
    """Triage then department, each an M/M/c queue (Jackson tandem); end-to-end W is the sum."""
    tri, dept = theory.jackson_tandem(
        p.lam_total, [(1.0 / p.triage_mean, p.triage_servers), (1.0 / _single_mean(p), p.dept_servers)]
    )
    return {
        "triage.p_wait": tri.p_wait,
        "triage.wq": tri.wq,
        "triage.w": tri.w,
        "triage.lq": tri.lq,
        "dept.p_wait": dept.p_wait,
        "dept.wq": dept.wq,
        "dept.w": dept.w,
        "dept.lq": dept.lq,
        "loop.w": tri.w + dept.w,
    }


def priority_tandem_theory(p: QueueParams) -> dict[str, float]:
    """The tandem with non-preemptive priority classes at the department (Cobham, M/M/c)."""
    out = tandem_theory(p)
    mean = _single_mean(p)
    wq = theory.cobham_mmc(p.lam, 1.0 / mean, p.dept_servers)
    for name, w in zip(p.classes, wq, strict=True):
        out[f"dept.wq[{name}]"] = w
        out[f"loop.w[{name}]"] = out["triage.w"] + w + mean
    return out


def graded_tandem_theory(p: QueueParams) -> dict[str, float]:
    """Priority classes at both stages: graded triage, then the department; the exact formulas only.

    Triage is a non-preemptive priority M/M/c queue fed by Poisson classes: Cobham per class. Overall
    (all classes) both stations are the Jackson tandem: the number present does not depend on the order
    of service, so the triage's output is Poisson and the department's overall wait is the M/M/c one.
    The department's *per-class* waits are not here: the triage's per-class output streams are not
    Poisson, so Cobham's formula is only an approximation there (``test_graded_triage.py``).
    """
    out = tandem_theory(p)
    wq = theory.cobham_mmc(p.lam, 1.0 / p.triage_mean, p.triage_servers)
    for name, w in zip(p.classes, wq, strict=True):
        out[f"triage.wq[{name}]"] = w
    return out


def mg1_priority_theory(p: QueueParams) -> dict[str, float]:
    """Single-server department, classes with their own general service times (Cobham, M/G/1)."""
    if p.dept_servers != 1:
        raise ValueError("the M/G/1 priority formula needs one server")
    s2 = [theory.second_moment(m, p.dept_cv) for m in p.dept_means]
    wq = theory.cobham_mg1(p.lam, p.dept_means, s2)
    out = {"dept.wq": float(np.dot(p.lam, wq) / p.lam_total)}
    for name, w, m in zip(p.classes, wq, p.dept_means, strict=True):
        out[f"dept.wq[{name}]"] = w
        out[f"dept.w[{name}]"] = w + m
    return out


def time_average(t_in: np.ndarray, t_out: np.ndarray, start: float, end: float) -> float:
    """Time-average number of intervals [t_in, t_out) covering [start, end]; NaN t_out = still open."""
    ok = ~np.isnan(t_in)
    lo = np.maximum(t_in[ok], start)
    hi = np.minimum(np.where(np.isnan(t_out[ok]), end, t_out[ok]), end)
    return float(np.clip(hi - lo, 0.0, None).sum() / (end - start))


def measure(rec: Records, start: float, end: float) -> dict[str, float]:
    """Per-replication estimates of every station mean, overall and per category, from the records."""
    inc = rec.incidents
    real = inc[~inc["is_false"] & (inc["duplicate_of"] < 0)]
    win = real[(real["t_report"] >= start) & (real["t_report"] < end)]
    if win["t_close"].isna().any():
        open_ = int(win["t_close"].isna().sum())
        raise ValueError(f"drain too short: {open_} tickets of the measurement window still open")
    col = {
        k: real[k].to_numpy()
        for k in ("t_report", "t_triage_start", "t_dept_arrive", "t_handle_start", "t_handle_end")
    }
    out = _station_means(win, "")
    out["triage.lq"] = time_average(col["t_report"], col["t_triage_start"], start, end)
    out["dept.lq"] = time_average(col["t_dept_arrive"], col["t_handle_start"], start, end)
    out["dept.l"] = time_average(col["t_dept_arrive"], col["t_handle_end"], start, end)
    for k, name in enumerate(rec.categories):
        part = win[win["category"] == k]
        if len(part):
            out.update(_station_means(part, f"[{name}]"))
    return out


def _station_means(t: pd.DataFrame, suffix: str) -> dict[str, float]:
    wait1 = (t["t_triage_start"] - t["t_report"]).to_numpy()
    wait2 = (t["t_handle_start"] - t["t_dept_arrive"]).to_numpy()
    return {
        f"triage.p_wait{suffix}": float(np.mean(wait1 > 0)),
        f"triage.wq{suffix}": float(np.mean(wait1)),
        f"triage.w{suffix}": float(np.mean(t["t_triage_end"] - t["t_report"])),
        f"dept.p_wait{suffix}": float(np.mean(wait2 > 0)),
        f"dept.wq{suffix}": float(np.mean(wait2)),
        f"dept.w{suffix}": float(np.mean(t["t_handle_end"] - t["t_dept_arrive"])),
        f"loop.w{suffix}": float(np.mean(t["t_close"] - t["t_report"])),
    }


@dataclass(frozen=True)
class QueueCase:
    """A reduced scenario, the formulas it must reproduce, and how long and how often to run it."""

    name: str  # shown in the table
    scenario: str  # configs/scenario/<scenario>.yaml
    theory: Callable[[QueueParams], dict[str, float]]
    horizon_days: float
    warmup_days: float  # initial transient dropped (the system starts empty)
    drain_days: float  # after the window, so every measured ticket finishes
    replications: int
    overrides: tuple[str, ...] = ()  # the case's own overrides (e.g. a policy switch), before ``extra``

    def config(self, replication: int, extra: Sequence[str] = ()) -> GovsimConfig:
        """Configuration of one replication; ``extra`` overrides are applied last."""
        cfg = compose_config(
            f"scenario={self.scenario}",
            *BASE_OVERRIDES,
            f"horizon_days={self.horizon_days}",
            f"warmup_days={self.warmup_days}",
            *self.overrides,
            *extra,
        )
        cfg.replication = replication
        return cfg

    def run_replication(self, replication: int, extra: Sequence[str] = ()) -> dict[str, float]:
        """Simulate one replication and measure it over the window."""
        rec = GovernanceModel(self.config(replication, extra)).run()
        return measure(rec, self.warmup_days, self.horizon_days - self.drain_days)

    def expected(self) -> dict[str, float]:
        """Theory for the nominal scenario (no extra overrides)."""
        return self.theory(queue_params(self.config(0)))


def compare(expected: dict[str, float], reps: Sequence[dict[str, float]]) -> pd.DataFrame:
    """One row per metric: theory, replication mean, CI half-width, relative error, verdict."""
    rows = []
    t_q = stats.t.ppf(0.5 + CONFIDENCE / 2, len(reps) - 1)
    for key, th in expected.items():
        x = np.array([r[key] for r in reps])
        mean, half = float(x.mean()), float(t_q * x.std(ddof=1) / np.sqrt(len(x)))
        err = mean - th
        rows.append(
            {
                "metric": key,
                "theory": th,
                "sim": mean,
                "half_width": half,
                "rel_err": err / th,
                "in_ci": abs(err) <= half,
                "informative": half <= MAX_REL_HALF_WIDTH * abs(th),
                "ok": abs(err) <= max(half, REL_TOL * abs(th)),
            }
        )
    return pd.DataFrame(rows)


def run_case(case: QueueCase, replications: int | None = None, extra: Sequence[str] = ()) -> pd.DataFrame:
    """Run ``replications`` (default: the case's) and compare with the nominal theory."""
    n = replications or case.replications
    return compare(case.expected(), [case.run_replication(r, extra) for r in range(n)])


HORIZON_DAYS, WARMUP_DAYS, DRAIN_DAYS = 300.0, 5.0, 2.0
"""Each replication: about 30,000 reports (λ = 100 a day). The systems start empty and relax within
hours (the slowest mean sojourn is about 0.06 d), so 5 days of warm-up remove the transient; 2 days of
drain let every measured ticket finish (``measure`` checks it)."""
CI_REPLICATIONS = 15
"""Default-run replications: 99.9 % CI half-widths about ±7 % on waits, ±2 % on sojourns."""
TABLE_REPLICATIONS = 50
"""High-precision replications behind ``docs/validation.md`` (slow tests, the script)."""


def _case(name: str, scenario: str, formula: Callable[[QueueParams], dict[str, float]]) -> QueueCase:
    return QueueCase(name, scenario, formula, HORIZON_DAYS, WARMUP_DAYS, DRAIN_DAYS, CI_REPLICATIONS)


CASES: dict[str, QueueCase] = {
    "mmc": _case("M/M/3 (Erlang C)", "mmc_validation", mmc_theory),
    "tandem": _case("M/M/2 → M/M/3 tandem (Jackson)", "tandem_validation", tandem_theory),
    "tandem_priority": _case(
        "tandem, two non-preemptive classes (Cobham, M/M/c)", "tandem_priority", priority_tandem_theory
    ),
    "mg1_priority": _case(
        "M/G/1, two classes, gamma cv 0.5 (Cobham, M/G/1)", "mmc_mg1_priority", mg1_priority_theory
    ),
}
"""The validation cases, keyed by test id."""
