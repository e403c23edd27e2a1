"""``govsim-calibrate``: fit scenario parameters to an observed log or to published KPI targets.

A calibration spec (YAML; ``load_spec``) names a base scenario and policy, the run settings every
candidate uses, the parameters to fit with their ranges, and the targets. Each target is a KPI of the
one KPI table (``govsim.observed.kpi_table`` on ``govsim.kpis.compute``), under the KPI module's names
(``on_time_rate``, ``on_site_share``, ``resolution_mean`` …, volumes ``volume_per_day``, mixes
``channel_share[patrol]``), with a ``value`` and ``tolerance``, a ``range`` (a city that only publishes
bounds), or ``value: log`` (taken from the spec's log, read through its mapping). Older names are kept
as documented aliases: ``metrics:KEY`` is ``KEY``, ``resolution_rmean`` is ``resolution_mean``
(``canonical``). A spec with a log compares its targets with the simulated runs *exported as a log*
of its mapping's layout (``observed.from_records``, ``observed.through_mapping``): a log cannot tell
false reports, so neither does the simulated side, and what the layout cannot carry (a handling end, a
category it cannot name) the simulated side loses too; a spec without one compares with the runs' full
records.

The loss of a candidate is the sum over targets of the squared standardised miss of the simulated
mean over the common seeds: ``((mean - value) / tolerance)²`` for a value, and for a range the
distance outside it over the range's tolerance, squared (0 inside; the tolerance is declared with the
range, ``{range: [lo, hi], tolerance: t}``, or ``RANGE_TOLERANCE`` of its width). KPIs listed under
``monitor`` are measured and reported beside the targets, outside the loss (e.g. 接通率 beside
直接办结率). Every candidate runs the same seeds (common random numbers, ``govsim.streams``), so the
loss surface is not noise from candidate to candidate.

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

import math
import shutil
import signal
import sys
import time
from dataclasses import dataclass, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.atomic import unwritable
from govsim.calspec import (  # noqa: F401
    RANGE_TOLERANCE,
    SPEC_KEYS,
    Parameter,
    Spec,
    SpecError,
    Target,
    canonical,
    known_kpi,
    load_spec,
)
from govsim.compose import InputError, compose
from govsim.identity import occupied, taken
from govsim.logs import LogError, LogMapping

# the spec's types and reader live in govsim.calspec; re-exported here, where they were first
from govsim.oneline import EXIT_BAD_INPUT, OneLineParser
from govsim.stopping import Terminated, end_by_signal, on_sigterm, raise_terminated


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
    if not nodes:
        raise SpecError(f"parameters.{key}: matches no scenario key; allowed: numeric scenario keys")
    for k, v in nodes:
        if not _is_number(v):
            example = _numeric_below(key, v)
            eg = f", e.g. {example}" if example else ""
            raise SpecError(f"parameters.{key}: {k} is a {type(v).__name__}, not a number; allowed: numeric "
                            f"scenario keys{eg}")  # fmt: skip
    return [(k, float(v)) for k, v in nodes]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _numeric_below(key: str, node: Any) -> str | None:
    """A numeric key under ``node`` (a group of the schema, or a mapping of them: ``*``), for a refusal."""
    if isinstance(node, dict) and node:
        return _numeric_below(f"{key}.*", next(iter(node.values())))
    if is_dataclass(node):  # a share cannot be fitted alone (the shares sum to 1): never suggested
        names = [n for n, v in vars(node).items() if _is_number(v) and n != "share"]
        name = "handling_days" if "handling_days" in names else next(iter(names), None)
        return f"{key}.{name}" if name else None
    return None


def _get(node: Any, part: str, key: str) -> Any:
    if not is_dataclass(node) or not hasattr(node, part):
        raise SpecError(f"parameters.{key}: {part!r} is not in the scenario schema")
    return getattr(node, part)


def check_corners(spec: Spec, keys: dict[str, list[tuple[str, float]]]) -> None:
    """Compose the candidates at all lows and at all highs: a range the schema refuses fails here, once.

    ``SpecError`` naming the parameter and the end (``parameters.KEY.low=0: allowed: ...``).
    """
    from govsim.validate import ConfigError

    for end in ("low", "high"):
        values = candidate_values({p.key: getattr(p, end) for p in spec.parameters}, keys, spec)
        try:
            compose(base_overrides(spec) + [f"{k}={v!r}" for k, v in values.items()])
        except (InputError, ConfigError) as exc:
            raise SpecError(_at_end(str(exc), spec, keys, end, values)) from None


def _at_end(msg: str, spec: Spec, keys: dict[str, list[tuple[str, float]]], end: str,
            values: dict[str, float]) -> str:  # fmt: skip
    """A composition's refusal of a range's end, told as the spec's parameter and end."""
    for p in spec.parameters:
        for k, _ in keys[p.key]:
            given = f"{k}={values[k]!r}"
            if msg.startswith(given):
                scaled = f" (scale: {given})" if p.scale or k != p.key else ""
                return f"parameters.{p.key}.{end}={getattr(p, end):g}{scaled}{msg[len(given) :]}"
    return f"parameters (all at their {end}s): {msg}"


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
    overrides: list[str], seeds: tuple[int, ...], kpis: tuple[str, ...], log_view: LogMapping | None = None
) -> np.ndarray:
    """KPI values (seeds × kpis) of one candidate; mix shares absent in a run count as 0.

    ``log_view`` (the mapping the spec's log was read through): compute them from the run exported as
    a log of that layout (``observed.from_records``, then ``observed.through_mapping``: no handling end
    in the layout, on-time judged at the close; a category it cannot name, ``other``), else from its
    full records; either way by ``observed.kpi_table`` (``govsim.kpis.compute``).
    """
    from govsim.observed import from_records, kpi_series, observed_kpis, simulated_kpis, through_mapping
    from govsim.runner import simulate

    rows = []
    for s in seeds:
        cfg = compose([*overrides, f"seed={s}", "replication=0"])
        rec = simulate(cfg).records
        if log_view is not None:
            table, window = from_records(rec, cfg.scenario.start_date)
            got = kpi_series(observed_kpis(through_mapping(table, log_view), window))
        else:
            got = kpi_series(simulated_kpis(rec))
        rows.append([float(got.get(k, 0.0 if k.endswith("]") else np.nan)) for k in kpis])
    return np.array(rows)


def evaluate(values: dict[str, float], spec: Spec, seeds: tuple[int, ...]) -> np.ndarray:
    """Run one candidate on ``seeds`` (the same for every candidate: CRN)."""
    overrides = base_overrides(spec) + [f"{k}={v!r}" for k, v in values.items()]
    return simulate_kpis(overrides, seeds, spec.kpis(), spec.log_view)


def loss(sim: np.ndarray, targets: tuple[Target, ...]) -> float:
    """Sum of squared standardised misses of the seed means (columns past the targets': monitored)."""
    means = np.nanmean(sim, axis=0)[: len(targets)] if sim.size else np.full(len(targets), np.nan)
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
            means = dict(zip(spec.kpis(), np.nanmean(sim, axis=0), strict=True))
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
    lines += [f"  monitor {k} (reported, not fitted)" for k in spec.monitor]
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


def _count(option: str, text: str | None) -> int | None:
    """The value of a count option (``--trials``, ``--n-jobs``); ``SpecError`` unless an integer ≥ 1."""
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise SpecError(f"{option}={text}: allowed: an integer >= 1")
    return value


def _discard(out: Path, existed: bool) -> None:
    """Remove what an interrupted calibration wrote into ``out`` (new, or empty before it began)."""
    if not existed:
        shutil.rmtree(out, ignore_errors=True)
        return
    for p in out.iterdir() if out.is_dir() else ():
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    """``govsim-calibrate SPEC [--out DIR] [--trials N] [--n-jobs K]`` console script.

    Bad input is refused in one line on stderr with exit status 2, before anything runs or is written:
    a spec ``load_spec`` refuses, ``--trials`` or ``--n-jobs`` not an integer ≥ 1, a range the scenario
    schema refuses, and an output directory (``--out``, or the default ``calibration/NAME``) that exists
    and is not empty (a calibration is never merged into another's files) or that cannot be made. The
    spec's log is summarised on stdout only once all of that has passed. Stopped by Ctrl-C or SIGTERM,
    it removes what it had written, says so in one line and ends by the signal (``govsim.stopping``).
    """
    from dataclasses import replace

    from govsim import fitreport
    from govsim.configwarn import warn
    from govsim.validate import ConfigError

    p = OneLineParser(prog="govsim-calibrate", description=__doc__.split("\n\n")[0])
    p.add_argument("spec", type=Path, help="calibration spec YAML")
    p.add_argument("--out", type=Path, default=None,
                   help="output directory, new or empty (default: calibration/NAME)")  # fmt: skip
    p.add_argument("--trials", default=None, help="override the spec's number of trials")
    p.add_argument("--n-jobs", default=None, help="candidates evaluated in parallel (processes)")
    p.add_argument("--check", action="store_true", help="check the spec and print the plan; run nothing")
    args = p.parse_args(argv)
    try:
        trials, n_jobs = _count("--trials", args.trials), _count("--n-jobs", args.n_jobs)
        spec = load_spec(args.spec)
        spec = replace(spec, trials=trials or spec.trials, n_jobs=n_jobs or spec.n_jobs)
        try:
            keys = expand(spec)  # every key and the base scenario checked before any run
            check_corners(spec, keys)
        except (SpecError, InputError, ConfigError) as exc:  # the spec's scenario, policy or ranges
            raise SpecError(f"{args.spec}: {exc}") from None
        where = args.out or Path("calibration") / spec.name
        if occupied(where):  # --check too: the dry run refuses what the run would
            raise SpecError(taken("--out", where, "" if args.out else "(the default output folder)"))
        if unwritable("--out", where):
            raise SpecError(unwritable("--out", where))
    except (SpecError, LogError, InputError, ConfigError) as exc:
        print(f"govsim-calibrate: error: {exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    if spec.log_report:  # the log's account, once nothing is left to refuse
        print(spec.log_report)
    for doubt in spec.log_warnings:
        warn(doubt)
    if args.check:
        print(plan(spec, keys))
        return
    out = where.resolve()
    existed = out.exists()  # and empty (checked above): what an interrupted calibration wrote is removed
    previous = on_sigterm(raise_terminated)  # SIGTERM unwinds as Ctrl-C does
    try:
        result = run(spec)
        meta = {"spec": str(args.spec), "out": str(out), "wall_seconds": result.wall_seconds,
                "best_params": result.best_params}  # fmt: skip
        fitreport.write_outputs(
            out, spec, result.trials, result.targets, result.identification, result.best, meta
        )
    except (Terminated, KeyboardInterrupt) as exc:
        _discard(out, existed)
        # the exit handlers first: joblib's loky workers shut down, their semaphores and folders released
        if isinstance(exc, Terminated):
            end_by_signal("govsim-calibrate: terminated by SIGTERM; nothing was written", exit_handlers=True)
        end_by_signal("govsim-calibrate: interrupted (Ctrl-C); nothing was written", signal.SIGINT, True)
    finally:
        on_sigterm(previous)
    with pd.option_context("display.width", 140, "display.float_format", "{:.4g}".format):
        print(result.targets.drop(columns="source").to_string(index=False))
        print(result.identification.to_string(index=False))
    print(f"{len(result.trials)} trials in {result.wall_seconds:.0f} s; written: {out}")
