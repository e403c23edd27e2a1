"""What a calibration leaves: the calibrated scenario YAML, the fit report and the identification table.

Identification is read from the spread of the good trials (``good_trials``): a parameter the targets
pin down takes a narrow band of values among the trials whose loss is close to the best, one they do
not pin down ranges widely there. Good trials are those with a loss within ``len(targets)`` of the
best (on average one more tolerance-squared per target, in the spirit of a Δχ² cut; the tolerances
are not standard errors), or the best ``GOOD_SHARE`` of all trials if that is more (an ABC-style
acceptance quantile; with few trials near the optimum the first set says nothing). A parameter is
called pinned when the good trials span at most ``PINNED_SPREAD`` of its range. Both assumed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from govsim.calspec import RANGE_TOLERANCE
from govsim.labels import is_rate

if TYPE_CHECKING:
    from govsim.calibrate import Spec

PINNED_SPREAD = 0.25
GOOD_SHARE = 0.2
EDGE = 0.02
"""A best value within 2 % of the range from a bound is flagged: the range, or the model, is too narrow."""


def good_trials(trials: pd.DataFrame, n_targets: int) -> pd.DataFrame:
    """Trials whose loss is within ``n_targets`` of the best, or the best ``GOOD_SHARE`` if more."""
    near = trials[trials["loss"] <= trials["loss"].min() + n_targets]
    top = trials.nsmallest(max(1, int(round(GOOD_SHARE * len(trials)))), "loss")
    return near if len(near) >= len(top) else top


def identification(trials: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """Per parameter: best value, range of the good trials, their spread as a share of the range."""
    good = good_trials(trials, len(spec.targets))
    best = trials.loc[trials["loss"].idxmin()]
    rows = []
    for p in spec.parameters:
        lo, hi = float(good[p.key].min()), float(good[p.key].max())
        spread = (hi - lo) / (p.high - p.low)
        rows.append(
            {
                "parameter": p.key + (" (scale)" if p.scale else ""),
                "range": f"[{p.low:.4g}, {p.high:.4g}]",
                "best": float(best[p.key]),
                "good_low": lo,
                "good_high": hi,
                "spread": spread,
                "pinned": bool(spread <= PINNED_SPREAD and len(good) >= 3),  # one or two say nothing
                "at_edge": bool(min(best[p.key] - p.low, p.high - best[p.key]) <= EDGE * (p.high - p.low)),
            }
        )
    return pd.DataFrame(rows)


def _mean_half(x: np.ndarray) -> tuple[float, float]:
    """Mean over the report seeds and the half-width of its 95 % t-interval (NaN with one seed)."""
    n, mean = len(x), float(np.nanmean(x))
    return mean, float(stats.t.ppf(0.975, n - 1) * np.nanstd(x, ddof=1) / np.sqrt(n)) if n > 1 else np.nan


def _interval(kpi: str, x: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95 % t-interval ``(mean, low, high)`` over the report seeds; a proportion's cut to [0, 1].

    With few report seeds the t-interval of a rate near 0 or 1 reaches past it (1.104 for a
    satisfaction rate of two seeds); a proportion cannot, so its ends are clipped (``labels.is_rate``).
    """
    mean, half = _mean_half(x)
    low, high = mean - half, mean + half
    if is_rate(kpi):
        low, high = max(low, 0.0), min(high, 1.0)
    return mean, low, high


def target_table(spec: Spec, sim: np.ndarray) -> pd.DataFrame:
    """Per target: wanted, simulated mean and 95 % t-interval over the report seeds, miss, inside.

    A rate's interval is clipped to [0, 1] (``_interval``).

    ``sim`` (seeds × ``spec.kpis()``): the monitored KPIs follow as rows with target "not fitted" and
    inside "—"; they are reported, never counted.
    """
    rows = []
    for j, t in enumerate(spec.targets):
        mean, low, high = _interval(t.kpi, sim[:, j])
        rows.append(
            {
                "kpi": t.kpi,
                "target": t.describe(),
                "simulated": mean,
                "interval_low": low,
                "interval_high": high,
                "error": mean - t.value if t.value is not None else t.miss(mean) * t.range_tolerance,
                "inside": t.inside(mean),
                "source": t.source,
            }
        )
    for j, k in enumerate(spec.monitor, start=len(spec.targets)):
        mean, low, high = _interval(k, sim[:, j])
        rows.append({"kpi": k, "target": "not fitted", "simulated": mean, "interval_low": low,
                     "interval_high": high, "error": np.nan, "inside": "—",
                     "source": "monitored beside the targets"})  # fmt: skip
    return pd.DataFrame(rows)


def scenario_yaml(spec: Spec, values: dict[str, float], note: str) -> str:
    """A scenario config that extends the base scenario with the calibrated values."""
    import yaml

    body: dict[str, Any] = {"name": spec.name}
    for key, v in values.items():
        node = body
        parts = key.split(".")[1:]
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = round(float(v), 6)
    head = f"# {note}\ndefaults:\n  - {spec.scenario}\n  - _self_\n"
    return head + yaml.safe_dump(body, allow_unicode=True, sort_keys=False)


def _md(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        lines.append("| " + " | ".join(_cell(r[c]) for c in cols) + " |")
    return "\n".join(lines)


def _cell(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, float | np.floating):
        return f"{v:.4g}"
    return str(v)


def fit_report(
    spec: Spec, trials: pd.DataFrame, targets: pd.DataFrame, ident: pd.DataFrame, meta: dict[str, Any]
) -> str:
    """The fit report in Markdown."""
    best = trials.nsmallest(5, "loss")[["trial", *[p.key for p in spec.parameters], "loss"]]
    inside = int((targets["inside"] == True).sum())  # noqa: E712 - monitored rows hold "—"
    return "\n\n".join(
        [
            f"# Calibration of {spec.name} (from {spec.scenario}, policy {spec.policy})",
            f"Written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by govsim-calibrate from `{meta['spec']}`. "
            f"{spec.trials} trials (Optuna TPE, sampler seed {spec.sampler_seed}), every candidate on seeds "
            f"{list(spec.seeds)} (common random numbers); run settings {list(spec.overrides)}; "
            f"{meta['wall_seconds']:.0f} s wall with n_jobs={spec.n_jobs}.",
            "## Targets",
            f"The best candidate rerun on fresh seeds {list(spec.report_seeds)}; interval: 95 % t-interval "
            "of the mean over those seeds, a rate's clipped to [0, 1]. "
            f"{inside} of {len(spec.targets)} targets inside: a value target "
            "within its tolerance, a range target inside the range itself. Loss of a candidate: the sum of "
            "squared misses, a value target's (simulated − value) ÷ tolerance, a range target's distance "
            "outside the range ÷ its tolerance (tol., declared in the spec or "
            f"{RANGE_TOLERANCE:.0%} of the range's width; 0 inside)"
            + (", rows 'not fitted': monitored, outside the loss." if spec.monitor else "."),
            _md(targets),
            "## Best trials (loss: sum of squared misses in tolerances, on the fitting seeds)",
            _md(best),
            "## Which parameters the targets pin down",
            f"Good trials: loss within {len(spec.targets)} of the best, or the best {GOOD_SHARE:.0%} if more "
            f"({len(good_trials(trials, len(spec.targets)))} of {len(trials)}). Pinned: the good trials "
            f"span at most {PINNED_SPREAD:.0%} of the parameter's range (and there are at least three). "
            f"At edge: the best value lies within {EDGE:.0%} of the range from a bound (widen it, or the "
            "model cannot reach the target with this parameter).",
            _md(ident),
            f"## Run it\n\nFrom the directory the calibration ran in:\n\n```\n"
            f"govsim scenario={spec.name} 'hydra.searchpath=[file://{_shown(meta['out'])}]'\n```\n",
        ]
    )


def _shown(out: str) -> str:
    """``out`` relative to the working directory when inside it, else as given.

    A report inside the repository then names a path that works in any clone.
    """
    try:
        return str(Path(out).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return out


def write_outputs(out: Path, spec: Spec, trials: pd.DataFrame, targets: pd.DataFrame, ident: pd.DataFrame,
                  values: dict[str, float], meta: dict[str, Any]) -> None:  # fmt: skip
    """Write scenario/NAME.yaml, fit_report.md, trials.csv, calibration.json (each atomically)."""
    import json
    from functools import partial

    from govsim.atomic import write_atomic, write_text

    (out / "scenario").mkdir(parents=True, exist_ok=True)
    note = f"Calibrated by govsim-calibrate from {meta['spec']}; fit report: ../fit_report.md"
    write_text(out / "scenario" / f"{spec.name}.yaml", scenario_yaml(spec, values, note))
    write_text(out / "fit_report.md", fit_report(spec, trials, targets, ident, meta))
    write_atomic(out / "trials.csv", partial(trials.to_csv, index=False, encoding="utf-8-sig"))
    info = {**meta, "best": values, "targets": targets.to_dict(orient="records")}
    write_text(out / "calibration.json", json.dumps(info, ensure_ascii=False, indent=2, default=str))
