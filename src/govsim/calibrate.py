"""``govsim-calibrate``: fit scenario parameters to an observed log or to published KPI targets.

A calibration spec (YAML; ``load_spec``) names a base scenario and policy, the run settings every
candidate uses, the parameters to fit with their ranges, and the targets. Each target is a KPI of the
one KPI table (``govsim.observed.kpi_table`` on ``govsim.kpis.compute``), under the KPI module's names
(``on_time_rate``, ``on_site_share``, ``resolution_mean`` …, volumes ``volume_per_day``, mixes
``channel_share[patrol]``), with a ``value`` and ``tolerance``, a ``range`` (a city that only publishes
bounds), or ``value: log`` (taken from the spec's log, read through its mapping). Older names are kept
as documented aliases: ``metrics:KEY`` is ``KEY``, ``resolution_rmean`` is ``resolution_mean``
(``canonical``). A spec with a log compares its targets with the simulated runs *exported as a log*
(``observed.from_records``): a log cannot tell false reports, so neither does the simulated side; a
spec without one compares with the runs' full records.

The loss of a candidate is the sum over targets of the squared standardised miss of the simulated
mean over the common seeds: ``((mean - value) / tolerance)²`` for a value, and for a range the
distance outside it over its half-width, squared. Every candidate runs the same seeds (common random
numbers, ``govsim.streams``), so the loss surface is not noise from candidate to candidate.

Optimiser: Optuna's TPE sampler, used directly (ask/tell) rather than through Hydra's Optuna sweeper,
because a candidate's loss is a mean over several seeds' runs and targets from a log, which one Hydra
job's return value cannot carry without a second sweep layer, and because the calibrated scenario,
fit report and identification table are written from the whole study at the end. Candidates are
evaluated ``n_jobs`` at a time in processes (joblib), which keeps results identical to a serial run
for the same sampler seed only when ``n_jobs`` is the same (TPE sees results in batches).

Outputs (``--out DIR``): ``scenario/NAME.yaml`` (runs with ``govsim scenario=NAME
hydra.searchpath=[file://DIR]``), ``fit_report.md``, ``trials.csv`` and ``calibration.json``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.compose import InputError, compose
from govsim.logs import LogError
from govsim.safety import read_yaml_mapping

EXIT_BAD_INPUT = 2
SPEC_KEYS = frozenset(
    {"name", "scenario", "policy", "overrides", "seeds", "report_seeds", "trials", "n_jobs",
     "sampler_seed", "parameters", "targets", "log"}
)  # fmt: skip


class SpecError(ValueError):
    """A calibration spec govsim cannot use; one line naming the key, the value and what is allowed."""


@dataclass(frozen=True)
class Parameter:
    """One fitted quantity: a scenario key (``*`` over a mapping's names), its range, and its kind.

    ``scale: true`` fits a multiplier on the base values of every matched key (e.g. one handling-time
    scale over all categories) instead of the value itself.
    """

    key: str
    low: float
    high: float
    scale: bool = False
    log: bool = False


@dataclass(frozen=True)
class Target:
    """A KPI to match: ``value`` ± ``tolerance``, or inside [``low``, ``high``]; ``source`` cited."""

    kpi: str
    value: float | None
    tolerance: float | None
    low: float | None = None
    high: float | None = None
    source: str = ""

    def miss(self, sim: float) -> float:
        """Standardised miss: (sim − value)/tolerance, or the distance outside the range / half-width."""
        if math.isnan(sim):
            return math.inf
        if self.value is not None and self.tolerance is not None:
            return (sim - self.value) / self.tolerance
        lo, hi = float(self.low), float(self.high)  # type: ignore[arg-type]
        return (min(sim - lo, 0.0) + max(sim - hi, 0.0)) / ((hi - lo) / 2)

    def inside(self, sim: float) -> bool:
        """Within the tolerance or the range."""
        return abs(self.miss(sim)) <= 1.0 if self.value is not None else self.miss(sim) == 0.0

    def describe(self) -> str:
        """The target as written in the report."""
        if self.value is not None:
            return f"{self.value:.4g} ± {self.tolerance:.3g}"
        return f"[{self.low:.4g}, {self.high:.4g}]"


@dataclass(frozen=True)
class Spec:
    """A checked calibration spec (see the module docstring)."""

    name: str
    scenario: str
    policy: str
    overrides: tuple[str, ...]
    seeds: tuple[int, ...]
    report_seeds: tuple[int, ...]
    trials: int
    n_jobs: int
    sampler_seed: int
    parameters: tuple[Parameter, ...]
    targets: tuple[Target, ...]
    log_view: bool = False  # targets from a log: simulated runs are compared as exported logs


def load_spec(path: str | Path) -> Spec:
    """Read and check a spec; ``value: log`` targets are filled from its log. ``SpecError`` if bad."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"{path}: no such calibration spec")
    raw = read_yaml_mapping(path, SpecError)
    try:
        return _spec(raw, path)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, SpecError):
            raise
        raise SpecError(f"{path}: {exc}; allowed: numbers where the spec takes numbers") from None


def _spec(raw: dict[str, Any], path: Path) -> Spec:
    unknown = sorted(set(raw) - SPEC_KEYS)
    if unknown:
        raise SpecError(f"{path}: {unknown[0]}: unknown key; allowed: {', '.join(sorted(SPEC_KEYS))}")
    params = tuple(_parameter(k, v, path) for k, v in (raw.get("parameters") or {}).items())
    observed = _log_kpis(raw["log"], path) if raw.get("log") else None
    targets = tuple(_target(k, v, observed, path) for k, v in (raw.get("targets") or {}).items())
    if not params or not targets:
        raise SpecError(f"{path}: parameters and targets: at least one of each is required")
    seeds = tuple(int(s) for s in raw.get("seeds", [0, 1]))
    spec = Spec(
        name=str(raw.get("name", f"{raw.get('scenario', 'one_town')}_calibrated")),
        scenario=str(raw.get("scenario", "one_town")),
        policy=str(raw.get("policy", "baseline")),
        overrides=tuple(str(o) for o in raw.get("overrides", [])),
        seeds=seeds,
        report_seeds=tuple(int(s) for s in raw.get("report_seeds", [100 + i for i in range(5)])),
        trials=int(raw.get("trials", 40)),
        n_jobs=int(raw.get("n_jobs", 1)),
        sampler_seed=int(raw.get("sampler_seed", 0)),
        parameters=params,
        targets=targets,
        log_view=observed is not None,
    )
    if spec.trials < 1 or spec.n_jobs < 1 or not spec.seeds:
        raise SpecError(f"{path}: trials={spec.trials}, n_jobs={spec.n_jobs}, seeds={list(seeds)}: "
                        "allowed: trials ≥ 1, n_jobs ≥ 1, at least one seed")  # fmt: skip
    return spec


def _parameter(key: str, v: Any, path: Path) -> Parameter:
    if not key.startswith("scenario.") or key.startswith("scenario.name"):
        raise SpecError(f"{path}: parameters.{key}: allowed: scenario.* keys (calibration fits the world)")
    if not isinstance(v, dict) or not {"low", "high"} <= set(v) or not float(v["low"]) < float(v["high"]):
        raise SpecError(f"{path}: parameters.{key}={v!r}: allowed: {{low: a, high: b}} with a < b")
    extra = set(v) - {"low", "high", "scale", "log"}
    if extra:
        raise SpecError(
            f"{path}: parameters.{key}.{sorted(extra)[0]}: unknown; allowed: low, high, scale, log"
        )
    return Parameter(
        key, float(v["low"]), float(v["high"]), bool(v.get("scale", False)), bool(v.get("log", False))
    )


def _target(name: str, v: Any, observed: pd.Series | None, path: Path) -> Target:
    where = f"{path}: targets.{name}"
    if not known_kpi(name):
        raise SpecError(f"{where}: unknown KPI; allowed: {', '.join(_allowed_kpis())}")
    kpi = canonical(name)
    if not isinstance(v, dict):
        raise SpecError(f"{where}={v!r}: allowed: {{value, tolerance}}, {{range: [lo, hi]}}")
    src = str(v.get("source", ""))
    if "range" in v:
        lo, hi = (float(x) for x in v["range"])
        if not lo < hi:
            raise SpecError(f"{where}.range={v['range']!r}: allowed: [lo, hi] with lo < hi")
        return Target(kpi, None, None, lo, hi, src)
    value = v.get("value")
    if value == "log":
        if observed is None or kpi not in observed.index or pd.isna(observed[kpi]):
            raise SpecError(f"{where}: value: log, but the spec's log has no value for {kpi}")
        value, src = float(observed[kpi]), src or "observed log"
    if value is None or ("tolerance" not in v and "relative_tolerance" not in v):
        raise SpecError(f"{where}={v!r}: allowed: value with tolerance or relative_tolerance, or range")
    tol = float(v["tolerance"]) if "tolerance" in v else abs(float(value)) * float(v["relative_tolerance"])
    if not tol > 0:
        raise SpecError(f"{where}: tolerance={tol}: allowed: a positive number")
    return Target(kpi, float(value), tol, source=src)


def canonical(kpi: str) -> str:
    """The KPI module's name of a target: ``metrics:KEY`` → ``KEY``; ``observed.ALIASES`` resolved."""
    from govsim.observed import ALIASES

    kpi = kpi.removeprefix("metrics:")
    return ALIASES.get(kpi, kpi)


def known_kpi(kpi: str) -> bool:
    """A KPI of the KPI table (``observed.SCALAR_KPIS``; mixes as ``category_share[name]``) or an alias."""
    from govsim.observed import SCALAR_KPIS

    kpi = canonical(kpi)
    mix = kpi.partition("[")[0] in ("category_share", "channel_share") and kpi.endswith("]")
    return kpi in SCALAR_KPIS or mix


def _allowed_kpis() -> list[str]:
    from govsim.observed import SCALAR_KPIS

    return [*SCALAR_KPIS, "category_share[NAME]", "channel_share[NAME]"]


def _log_kpis(log: Any, path: Path) -> pd.Series:
    from govsim.logs import read_log
    from govsim.observed import kpi_series, observed_kpis, observed_window

    if not isinstance(log, dict) or not {"path", "mapping"} <= set(log):
        raise SpecError(f"{path}: log={log!r}: allowed: {{path: FILE, mapping: M, as_of: optional}}")
    file = Path(log["path"]) if Path(log["path"]).is_absolute() else path.parent / log["path"]
    mapping = log["mapping"]
    if (path.parent / str(mapping)).is_file():
        mapping = path.parent / str(mapping)
    read = read_log(file, mapping, log.get("as_of"))
    print(read.report())
    return kpi_series(observed_kpis(read.table, observed_window(read.table, read.as_of)))


# ---- candidates ----------------------------------------------------------------------------------------
def expand(spec: Spec) -> dict[str, list[tuple[str, float]]]:
    """Each parameter's concrete keys with their base values (``*`` over a mapping's names)."""
    base = compose(base_overrides(spec))
    return {p.key: _resolve(base, p.key) for p in spec.parameters}


def _resolve(cfg: Any, key: str) -> list[tuple[str, float]]:
    nodes: list[tuple[str, Any]] = [("", cfg)]
    for part in key.split("."):
        nxt = []
        for prefix, node in nodes:
            items = node.items() if isinstance(node, dict) else [(part, _get(node, part, key))]
            nxt += [(f"{prefix}.{k}".lstrip("."), v) for k, v in items if part in ("*", k)]
        nodes = nxt
    if not nodes or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for _, v in nodes):
        raise SpecError(f"parameters.{key}: not a number in the scenario; allowed: numeric scenario keys")
    return [(k, float(v)) for k, v in nodes]


def _get(node: Any, part: str, key: str) -> Any:
    if not is_dataclass(node) or not hasattr(node, part):
        raise SpecError(f"parameters.{key}: {part!r} is not in the scenario schema")
    return getattr(node, part)


def check_corners(spec: Spec, keys: dict[str, list[tuple[str, float]]]) -> None:
    """Compose the candidates at all lows and at all highs: a range the schema refuses fails here, once."""
    for end in ("low", "high"):
        values = candidate_values({p.key: getattr(p, end) for p in spec.parameters}, keys, spec)
        compose(base_overrides(spec) + [f"{k}={v!r}" for k, v in values.items()])


def base_overrides(spec: Spec) -> list[str]:
    """What every candidate runs: scenario, policy, the spec's settings, quiet output."""
    return [f"scenario={spec.scenario}", f"policy={spec.policy}", *spec.overrides,
            "output.progress=false", "output.figures=false"]  # fmt: skip


def candidate_values(
    params: dict[str, float], keys: dict[str, list[tuple[str, float]]], spec: Spec
) -> dict[str, float]:
    """Concrete scenario keys and values of a candidate (a scale multiplies each base value)."""
    out = {}
    for p in spec.parameters:
        for k, base in keys[p.key]:
            out[k] = base * params[p.key] if p.scale else params[p.key]
    return out


def simulate_kpis(
    overrides: list[str], seeds: tuple[int, ...], kpis: tuple[str, ...], log_view: bool = False
) -> np.ndarray:
    """KPI values (seeds × kpis) of one candidate; mix shares absent in a run count as 0.

    ``log_view``: compute them from the run exported as a log (``observed.from_records``), else from
    its full records; either way by ``observed.kpi_table`` (``govsim.kpis.compute``).
    """
    from govsim.observed import from_records, kpi_series, observed_kpis, simulated_kpis
    from govsim.runner import simulate

    rows = []
    for s in seeds:
        cfg = compose([*overrides, f"seed={s}", "replication=0"])
        rec = simulate(cfg).records
        if log_view:
            got = kpi_series(observed_kpis(*from_records(rec, cfg.scenario.start_date)))
        else:
            got = kpi_series(simulated_kpis(rec))
        rows.append([float(got.get(k, 0.0 if k.endswith("]") else np.nan)) for k in kpis])
    return np.array(rows)


def evaluate(values: dict[str, float], spec: Spec, seeds: tuple[int, ...]) -> np.ndarray:
    """Run one candidate on ``seeds`` (the same for every candidate: CRN)."""
    overrides = base_overrides(spec) + [f"{k}={v!r}" for k, v in values.items()]
    return simulate_kpis(overrides, seeds, tuple(t.kpi for t in spec.targets), spec.log_view)


def loss(sim: np.ndarray, targets: tuple[Target, ...]) -> float:
    """Sum of squared standardised misses of the seed means."""
    means = np.nanmean(sim, axis=0) if sim.size else np.full(len(targets), np.nan)
    return float(sum(t.miss(float(m)) ** 2 for t, m in zip(targets, means, strict=True)))


# ---- the study -----------------------------------------------------------------------------------------
def calibrate(spec: Spec, progress: bool = True) -> pd.DataFrame:
    """Run the study; one row per trial: parameters, loss, simulated seed means per target."""
    import optuna
    from joblib import Parallel, delayed

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    keys = expand(spec)
    sampler = optuna.samplers.TPESampler(
        seed=spec.sampler_seed, n_startup_trials=min(10, spec.trials // 3 + 1)
    )
    study = optuna.create_study(direction="minimize", sampler=sampler)
    dist: dict[str, optuna.distributions.BaseDistribution] = {
        p.key: optuna.distributions.FloatDistribution(p.low, p.high, log=p.log) for p in spec.parameters
    }
    rows: list[dict[str, Any]] = []
    pool = Parallel(n_jobs=spec.n_jobs) if spec.n_jobs > 1 else None
    while len(rows) < spec.trials:
        batch = [study.ask(dist) for _ in range(min(spec.n_jobs, spec.trials - len(rows)))]
        values = [candidate_values(t.params, keys, spec) for t in batch]
        jobs = [delayed(evaluate)(v, spec, spec.seeds) for v in values]
        sims = pool(jobs) if pool is not None else [f(*a, **kw) for f, a, kw in jobs]
        for trial, sim in zip(batch, sims, strict=True):
            value = loss(sim, spec.targets)
            study.tell(trial, value if math.isfinite(value) else 1e12)
            means = dict(zip((t.kpi for t in spec.targets), np.nanmean(sim, axis=0), strict=True))
            rows.append({"trial": trial.number, **trial.params, "loss": value, **means})
        if progress:
            best = min(r["loss"] for r in rows)
            print(f"govsim-calibrate: {len(rows)}/{spec.trials} trials, best loss {best:.4g}", flush=True)
    return pd.DataFrame(rows)


def plan(spec: Spec, keys: dict[str, list[tuple[str, float]]]) -> str:
    """What a calibration would run: parameters with their base values, targets, number of runs."""
    runs = spec.trials * len(spec.seeds) + len(spec.report_seeds)
    lines = [f"{spec.name}: {spec.scenario} under {spec.policy}, {list(spec.overrides)}"]
    for p in spec.parameters:
        base = ", ".join(f"{k.removeprefix('scenario.')}={v:.4g}" for k, v in keys[p.key])
        kind = "scale" if p.scale else "value"
        lines.append(f"  fit {p.key} ({kind} in [{p.low:.4g}, {p.high:.4g}]); base {base}")
    lines += [f"  target {t.kpi}: {t.describe()}  ({t.source or 'no source given'})" for t in spec.targets]
    lines.append(
        f"  {spec.trials} trials × {len(spec.seeds)} seeds + {len(spec.report_seeds)} report runs "
        f"= {runs} runs"
    )
    return "\n".join(lines)


@dataclass
class Calibration:
    """A finished calibration: its trials, the best scenario values, and the report tables."""

    trials: pd.DataFrame
    best: dict[str, float]  # concrete scenario keys -> calibrated value
    best_params: dict[str, float]  # spec parameters (scales as multipliers)
    targets: pd.DataFrame
    identification: pd.DataFrame
    wall_seconds: float


def run(spec: Spec, progress: bool = True) -> Calibration:
    """Study, then the best candidate rerun on the report seeds for the target table."""
    from govsim import fitreport

    start = time.perf_counter()
    trials = calibrate(spec, progress)
    best_row = trials.loc[trials["loss"].idxmin()]
    best_params = {p.key: float(best_row[p.key]) for p in spec.parameters}
    best = candidate_values(best_params, expand(spec), spec)
    check = evaluate(best, spec, spec.report_seeds)
    targets = fitreport.target_table(spec, check)
    ident = fitreport.identification(trials, spec)
    return Calibration(trials, best, best_params, targets, ident, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    """``govsim-calibrate SPEC [--out DIR] [--trials N] [--n-jobs K]`` console script."""
    from dataclasses import replace

    from govsim import fitreport
    from govsim.validate import ConfigError

    p = argparse.ArgumentParser(prog="govsim-calibrate", description=__doc__.split("\n\n")[0])
    p.add_argument("spec", type=Path, help="calibration spec YAML")
    p.add_argument("--out", type=Path, default=None, help="output directory (default: calibration/NAME)")
    p.add_argument("--trials", type=int, default=None, help="override the spec's number of trials")
    p.add_argument("--n-jobs", type=int, default=None, help="candidates evaluated in parallel (processes)")
    p.add_argument("--check", action="store_true", help="check the spec and print the plan; run nothing")
    args = p.parse_args(argv)
    try:
        spec = load_spec(args.spec)
        spec = replace(spec, trials=args.trials or spec.trials, n_jobs=args.n_jobs or spec.n_jobs)
        keys = expand(spec)  # every key and the base scenario checked before any run
        check_corners(spec, keys)
    except (SpecError, LogError, InputError, ConfigError) as exc:
        print(f"govsim-calibrate: error: {exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    if args.check:
        print(plan(spec, keys))
        return
    out = (args.out or Path("calibration") / spec.name).resolve()
    result = run(spec)
    meta = {"spec": str(args.spec), "out": str(out), "wall_seconds": result.wall_seconds,
            "best_params": result.best_params}  # fmt: skip
    fitreport.write_outputs(
        out, spec, result.trials, result.targets, result.identification, result.best, meta
    )
    with pd.option_context("display.width", 140, "display.float_format", "{:.4g}".format):
        print(result.targets.drop(columns="source").to_string(index=False))
        print(result.identification.to_string(index=False))
    print(f"{len(result.trials)} trials in {result.wall_seconds:.0f} s; written: {out}")
