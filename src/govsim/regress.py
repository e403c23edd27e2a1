"""Scenario regression (``govsim-regress``): do the scenarios still give the results they gave?

Each *case* is a scenario under a policy (command-line style overrides), run for a fixed seed and
``R`` replications. Its key KPIs (``govsim.metrics.kpi_table``, overall, plus total cost) are reduced to
a mean and a standard deviation over the replications and compared with a stored baseline
(``<baselines>/<case>.json``). The tolerance is statistical, not an exact float: a KPI drifts when

    |mean_now - mean_base| > t(1 - alpha / 2m, dof) * sqrt(sd_base²/R_base + sd_now²/R_now) + floor

(a Welch two-sample test at family-wise level ``alpha`` over the ``m`` KPIs of a case, Bonferroni;
``floor`` absorbs float noise). Unchanged code with the baseline's seed reproduces the baseline
exactly; a change that reorders random draws but not the model stays within the bands; a changed
parameter or mechanism does not. Exit status: 0 no drift, 1 drift (a table shows where), 2 bad input.

    govsim-regress                               # the project's cases against tests/regression/baselines
    govsim-regress --update                      # write new baselines (after an intended change)
    govsim-regress --config-dir my_cfg --case "mine: scenario=my_town policy=grid" --baselines my_bl --update
    govsim-regress scenario.categories.livelihood.handling_days=0.5    # an override on every case
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from scipy import stats

from govsim.atomic import write_text
from govsim.compose import InputError, compose
from govsim.identity import safe_component
from govsim.oneline import OneLineParser
from govsim.runner import provenance, simulate
from govsim.validate import ConfigError

KPIS: tuple[str, ...] = (
    "incidents",
    "resolution_mean",
    "resolution_p90",
    "discovery_delay",
    "patrol_share",
    "triage_wait",
    "department_wait",
    "backlog_mean",
    "on_time_rate",
    "overdue_rate",
    "closure_rate",
    "response_rate",
    "open_share",
    "escalation_rate",
    "on_site_share",
    "reopen_rate",
    "satisfaction_rate",
    "petition_rate",
    "misroute_rate",
    "cost_per_year",
    "answer_rate",  # the 12345 hotline (NaN in cases without it)
    "abandon_rate",
    "answer_speed",
)
"""The KPIs compared: the closed loop end to end (discovery, waits, resolution), its quality
(on time, escalation, reopen, satisfaction, petitions) and what it costs."""
ALPHA = 0.01  # family-wise false-alarm rate per case
REL_FLOOR, ABS_FLOOR = 1e-6, 1e-9  # float noise between platforms, not model change
DEFAULT_REPLICATIONS = 8
DEFAULT_BASELINES = Path("tests") / "regression" / "baselines"
QUIET = ("output.progress=false", "output.figures=false")


@dataclass(frozen=True)
class Case:
    """A named scenario under a policy: the overrides that compose its configuration."""

    name: str
    overrides: tuple[str, ...]


DEFAULT_CASES: tuple[Case, ...] = (
    Case("one_town_baseline", ("scenario=one_town", "policy=baseline", "horizon_days=240", "warmup_days=30")),
    Case("one_town_all_four", ("scenario=one_town", "policy=all_four", "horizon_days=240", "warmup_days=30")),
    Case(
        "jiangmen_slice",
        (
            "scenario=jiangmen",
            "policy=baseline",
            "scenario.population_scale=0.05",
            "horizon_days=120",
            "warmup_days=30",
        ),
    ),
    Case(
        "jiangmen_hotline",
        (
            "scenario=jiangmen",
            "policy=baseline",
            "scenario.population_scale=0.05",
            "scenario.hotline.enabled=true",
            "horizon_days=120",
            "warmup_days=30",
        ),
    ),
)
"""The project's own cases: one town under the status quo and under all four focuses, a 5 % slice
of Jiangmen (all 7 counties and 73 towns, short horizon) so the county layer is exercised too, and the
same slice with the 12345 hotline as a call centre (seats, hold lines, retries; ``govsim.hotline``)."""


# ---- running ----------------------------------------------------------------------------------------
def run_case(
    case: Case, seed: int, replications: int, extra: tuple[str, ...] = (), config_dir: str | None = None
) -> pd.DataFrame:
    """KPIs of ``replications`` runs of ``case`` (one row each), with ``extra`` overrides applied last.

    ``config_dir`` is a directory of the user's own configs (``scenario/``, ``policy/``), searched first.
    """
    cfg = compose([*case.overrides, *extra, *QUIET, f"seed={seed}"], extra_dir=config_dir)
    rows = []
    for r in range(replications):
        result = simulate(replace(cfg, replication=r), checked=True)  # checked by compose
        row = result.kpis[result.kpis["by"] == "all"].iloc[0]
        cost = float(result.costs["yuan_per_year"].sum())
        rows.append({**{k: float(row[k]) for k in KPIS if k in row}, "cost_per_year": cost})
    return pd.DataFrame(rows, columns=list(KPIS))


def summarise(runs: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Mean, standard deviation (n - 1) and count of each KPI over the replications."""
    out = {}
    for k in runs.columns:
        x = runs[k].dropna()
        out[k] = {
            "mean": float(x.mean()) if len(x) else math.nan,
            "sd": float(x.std(ddof=1)) if len(x) > 1 else 0.0,
            "n": int(len(x)),
        }
    return out


# ---- comparing --------------------------------------------------------------------------------------
def band(base: dict[str, float], now: dict[str, float], m: int, alpha: float = ALPHA) -> float:
    """Half-width of the tolerance band for one KPI: Welch's critical difference, Bonferroni over ``m``."""
    floor = max(ABS_FLOOR, REL_FLOOR * abs(base["mean"]))
    v1 = base["sd"] ** 2 / max(base["n"], 1)
    v2 = now["sd"] ** 2 / max(now["n"], 1)
    if v1 + v2 == 0:
        return floor
    parts = ((v1, base["n"]), (v2, now["n"]))
    dof = (v1 + v2) ** 2 / sum(v**2 / (n - 1) for v, n in parts if n > 1 and v > 0)  # Welch–Satterthwaite
    return float(stats.t.ppf(1 - alpha / (2 * m), dof)) * math.sqrt(v1 + v2) + floor


def compare(
    base: dict[str, dict[str, float]], now: dict[str, dict[str, float]], alpha: float = ALPHA
) -> pd.DataFrame:
    """One row per KPI of the baseline: both summaries, the difference, the band and whether it drifted."""
    rows = []
    m = len(base)
    for k, b in base.items():
        c = now.get(k, {"mean": math.nan, "sd": math.nan, "n": 0})
        both_nan = math.isnan(b["mean"]) and math.isnan(c["mean"])
        diff = c["mean"] - b["mean"]
        missing = c["n"] == 0 and not both_nan  # a KPI the code no longer reports: drift, not a crash
        half = band(b, c, m, alpha) if not (both_nan or missing) else 0.0
        ok = both_nan or (not math.isnan(diff) and abs(diff) <= half)
        rows.append(
            {
                "kpi": k,
                "base_mean": b["mean"],
                "base_sd": b["sd"],
                "now_mean": c["mean"],
                "now_sd": c["sd"],
                "diff": diff,
                "band": half,
                "ok": ok,
            }
        )
    return pd.DataFrame(rows)


def diff_table(name: str, note: str, table: pd.DataFrame) -> str:
    """The comparison as readable text, one KPI a line; a drifted KPI is marked DRIFT."""
    head = ("kpi", "baseline", "sd", "now", "sd", "diff", "band")
    lines = [f"{name}  ({note})", "  " + f"{head[0]:<18}" + "".join(f"{h:>11}" for h in head[1:])]
    for r in table.itertuples():
        cells = (r.base_mean, r.base_sd, r.now_mean, r.now_sd)
        lines.append(
            f"  {r.kpi:<18}"
            + "".join(f"{x:>11.4g}" for x in cells)
            + f"{r.diff:>+11.4g}{r.band:>11.4g}"
            + ("  ok" if r.ok else "  DRIFT")
        )
    return "\n".join(lines)


# ---- baselines on disk ------------------------------------------------------------------------------
def write_baseline(path: Path, case: Case, seed: int, summary: dict[str, dict[str, float]]) -> None:
    """Store a case's summary with how it was made (written to a temporary name, then renamed)."""
    n = max(s["n"] for s in summary.values())
    doc = {
        "case": case.name,
        "overrides": list(case.overrides),
        "seed": seed,
        "replications": n,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "provenance": {k: v for k, v in provenance().items() if k in ("versions", "git_revision")},
        "kpis": summary,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=True) + "\n")


def read_baseline(path: Path) -> dict[str, Any]:
    """A stored baseline; ``InputError`` if it is missing or not one."""
    if not path.is_file():
        raise InputError(f"{path}: no baseline; allowed: create it with govsim-regress --update")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert {"case", "overrides", "seed", "replications", "kpis"} <= set(doc)
    except (ValueError, AssertionError):
        raise InputError(f"{path}: not a govsim-regress baseline; allowed: rewrite with --update") from None
    return doc


# ---- command line -----------------------------------------------------------------------------------
def parse_case(spec: str) -> Case:
    """``"name: override override ..."`` as a ``Case``."""
    name, sep, rest = spec.partition(":")
    if not sep or not name.strip() or not rest.split():
        raise InputError(
            f'--case {spec!r}: allowed: "NAME: override override ..." '
            '(e.g. "mine: scenario=my_town policy=grid")'
        )
    name = name.strip()
    if safe_component(name) != name:  # the baseline is <baselines>/NAME.json: one file, in that folder
        raise InputError(
            f"--case {name!r}: allowed: a name of letters (Chinese too), digits and . _ - = , + @, not "
            "starting with a dot (it names the baseline file NAME.json in --baselines)"
        )
    overrides = tuple(rest.split())
    check_no_seed(overrides, f"--case={spec!r}")
    return Case(name, overrides)


OWN_KEYS = ("seed", "replication")
"""Keys govsim-regress sets itself (``--seed``; replications 0 … ``--replications`` − 1)."""


def check_no_seed(overrides: tuple[str, ...] | list[str], where: str) -> None:
    """Refuse (``InputError``) a ``seed=`` or ``replication=`` among ``overrides``: it would be replaced."""
    for text in overrides:
        key = text.lstrip("+~").split("=", 1)[0]
        if key in OWN_KEYS:
            raise InputError(
                f"{where}: {text!r} would be replaced by govsim-regress's own {key}; allowed: --seed and "
                "--replications, which every case runs with and its baseline records"
            )


def _parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="govsim-regress", description=__doc__.split("\n\n")[0])
    p.add_argument("overrides", nargs="*", help="overrides applied to every case (e.g. a deliberate change)")
    p.add_argument(
        "--case",
        action="append",
        default=[],
        metavar='"NAME: OVERRIDES"',
        help="a case of your own (repeatable); replaces the project's cases",
    )
    p.add_argument("--only", action="append", default=[], metavar="NAME", help="run only these cases")
    p.add_argument("--baselines", type=Path, default=DEFAULT_BASELINES, help="directory of <case>.json")
    p.add_argument("--config-dir", help="your own configs (scenario/, policy/), searched first")
    p.add_argument("--update", action="store_true", help="write new baselines instead of comparing")
    p.add_argument("--seed", type=int, help="seed (default: the baseline's; 0 with --update)")
    p.add_argument(
        "--replications", type=int, help=f"default: the baseline's; {DEFAULT_REPLICATIONS} with --update"
    )
    p.add_argument("--alpha", type=float, default=ALPHA, help="family-wise false-alarm rate per case")
    return p


def select(args: argparse.Namespace) -> list[Case]:
    """The cases to run: the project's or the user's, filtered by ``--only``.

    User cases (``--case``) replace the project's, so a user case never meets a built-in one of its
    name. Raises ``InputError`` for a malformed ``--case``, two ``--case`` of one name (both would be
    ``<baselines>/NAME.json``, the second silently replacing the first) and an ``--only`` naming no case.
    """
    cases = [parse_case(s) for s in args.case] or list(DEFAULT_CASES)
    seen: set[str] = set()
    for spec, case in zip(args.case, cases, strict=False):
        if case.name in seen:
            raise InputError(
                f"--case={spec!r}: a second case named {case.name!r} (its baseline would replace the "
                f"first's, {case.name}.json); allowed: one case per name"
            )
        seen.add(case.name)
    names = [c.name for c in cases]
    unknown = [n for n in args.only if n not in names]
    if unknown:
        raise InputError(f"--only={unknown[0]!r}: no such case; allowed: {', '.join(names)}")
    return [c for c in cases if not args.only or c.name in args.only]


def run(args: argparse.Namespace) -> int:
    """Update or check every selected case; the exit status."""
    if args.update and args.overrides:
        raise InputError(
            f"{args.overrides[0]}: an override with --update would not be stored with the case; "
            'allowed: --case "NAME: OVERRIDES" to make it part of a case'
        )
    check_no_seed(args.overrides, "overrides")
    cases = select(args)
    if not args.update and not args.baselines.is_dir():  # before any case runs
        where = args.baselines.resolve()
        raise InputError(
            f"--baselines={where}: no such folder (the default, {DEFAULT_BASELINES}, is read from the folder "
            "you run in: run from the project's checkout); allowed: a folder of baselines, or create them "
            "there with govsim-regress --update"
        )
    drift = False
    for case in cases:
        path = args.baselines / f"{case.name}.json"
        if args.update:
            seed = 0 if args.seed is None else args.seed
            reps = args.replications or DEFAULT_REPLICATIONS
            runs = run_case(case, seed, reps, config_dir=args.config_dir)
            write_baseline(path, case, seed, summarise(runs))
            print(f"{case.name}: baseline written to {path} (seed {seed}, {reps} replications)")
            continue
        doc = read_baseline(path)
        if tuple(doc["overrides"]) != case.overrides:
            raise InputError(
                f"{case.name}: the case is {' '.join(case.overrides)!r} but its baseline was "
                f"made from {' '.join(doc['overrides'])!r}; allowed: the same case, or --update"
            )
        seed = doc["seed"] if args.seed is None else args.seed
        reps = args.replications or doc["replications"]
        runs = run_case(case, seed, reps, tuple(args.overrides), args.config_dir)
        table = compare(doc["kpis"], summarise(runs), args.alpha)
        note = f"{' '.join((*case.overrides, *args.overrides))}; seed {seed}, {reps} replications"
        print(diff_table(case.name, note, table) + "\n")
        drift |= not table["ok"].all()
    if not args.update:
        print(
            "govsim-regress: DRIFT (if the change is intended, run govsim-regress --update and commit the "
            "baselines)"
            if drift
            else "govsim-regress: no drift"
        )
    return 1 if drift else 0


def main(argv: list[str] | None = None) -> None:
    """``govsim-regress`` console script."""
    args = _parser().parse_args(argv)
    if args.replications is not None and args.replications < 2:
        print(
            f"govsim-regress: error: --replications={args.replications}: allowed: 2 or more (the bands need "
            "a spread)",
            file=sys.stderr,
        )
        sys.exit(2)
    if not (0.0 < args.alpha < 1.0) or not math.isfinite(args.alpha):
        print(
            f"govsim-regress: error: --alpha={args.alpha:g}: allowed: a number in (0, 1) (0 makes every band "
            "infinite, 1 makes it zero)",
            file=sys.stderr,
        )
        sys.exit(2)
    try:
        status = run(args)
    except (InputError, ConfigError) as exc:
        print(f"govsim-regress: error: {exc}", file=sys.stderr)
        sys.exit(2)
    sys.exit(status)
