"""Notebook 04 (实验): read an experiment's result, and run a tiny one live to show what the numbers mean.

A finished experiment (``experiments/four_focus/``, run with ``govsim-experiment`` and reported with
``govsim-report``) leaves a comparison table: every policy against the baseline, per indicator, with
the paired mean difference and its 95 % interval under common random numbers (CRN). ``load_comparison``
finds that table in the checkout. For a class without it, ``crn_results`` runs the same design on the
one_town scenario in seconds and returns the tidy table ``govsim.aggregate`` would have written, so
``govsim.analysis.compare`` and ``govsim.plots.plot_forest`` work on either. Nothing is estimated here:
intervals come from ``govsim.analysis``; this module only runs, reshapes and draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from govsim import plots
from govsim.labels import is_rate, phrase, text
from govsim.reporttext import number, share
from govsim.teaching import annual_cost, check_lang, run_town

CLASS_POLICIES = ("baseline", "grid", "platform", "fusion", "mechanism", "all_four")
CLASS_METRICS = ("resolution_mean", "backlog_mean", "overdue_rate", "discovery_delay", "satisfaction_rate")


def experiments_dir() -> Path:
    """The checkout's ``experiments/`` folder (results are not shipped inside the installed package)."""
    return Path(__file__).resolve().parents[2] / "experiments"


def load_comparison(name: str = "four_focus", root: Path | None = None) -> pd.DataFrame | None:
    """The comparison table (``comparison.csv``) of experiment ``name``, or None if it has none yet."""
    folder = (root or experiments_dir()) / name
    found = sorted(folder.rglob("comparison.csv")) if folder.is_dir() else []
    return pd.read_csv(found[0]) if found else None


def crn_results(
    policies: Sequence[str] = CLASS_POLICIES,
    replications: int = 4,
    seed: int = 0,
    horizon_days: float = 365.0,
) -> pd.DataFrame:
    """Run every policy for every replication of the town; tidy KPIs as ``govsim.aggregate`` gives them.

    Columns: ``arm`` (``policy=<name>``), ``replication``, ``metric``, ``value``. Replication ``r`` of
    every policy draws from the streams of ``(seed, r)``: the same incidents, whatever the policy.
    """
    frames = []
    for policy in policies:
        for r in range(replications):
            result = run_town(policy, seed=seed, horizon_days=horizon_days, overrides=[f"replication={r}"])
            row = result.kpis[result.kpis["by"] == "all"].iloc[0].drop(["by", "group"])
            values = {**row.astype(float).to_dict(), "cost_per_year": annual_cost(result)}
            frames.append(
                pd.DataFrame(
                    {
                        "arm": f"policy={policy}",
                        "replication": r,
                        "metric": list(values),
                        "value": list(values.values()),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def crn_table(comparison: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """What CRN bought, per policy and indicator: the 95 % half-width with CRN and without it (as text).

    "Without" is the half-width the same replications would give if each policy had drawn its own
    incidents: the t quantile times ``sqrt(var_independent / n)``, from ``govsim.analysis.paired``.
    "Variance removed" is negative where CRN made the paired difference noisier (it did not help that
    indicator); numbers that round to zero read 0, never -0 (``govsim.reporttext``).
    """
    check_lang(lang)
    rows = []
    for _, r in comparison.iterrows():
        n = int(r["n_pairs"])
        scale = r["half_width"] / math.sqrt(r["var_paired"] / n) if r["var_paired"] > 0 else math.nan
        independent = scale * math.sqrt(r["var_independent"] / n)
        rate = is_rate(str(r["metric"]))
        rows.append(
            {
                phrase("policy", lang): plots.arm_label(r["arm"], lang),
                phrase("indicator", lang): plots.metric_label(r["metric"], lang),
                phrase("difference", lang): _amount(r["diff"], rate, signed=True),
                phrase("half_width_crn", lang): _amount(r["half_width"], rate),
                phrase("half_width_independent", lang): _amount(independent, rate),
                phrase("variance_removed", lang): share(r["variance_reduction"]),
            }
        )
    return pd.DataFrame(rows)


def _amount(v: float, rate: bool, signed: bool = False) -> str:
    """A difference or half-width as text: rates in percentage points, other metrics to 2 decimals."""
    if math.isnan(v):
        return "—"
    return number(100 * v, rate=True, signed=signed) + " pp" if rate else number(v, signed=signed, digits=2)


@plots.styled
def plot_replications(results: pd.DataFrame, metric: str, arms: Sequence[str], lang: str = "zh") -> Figure:
    """One line per policy across replications, numbered from 1 (the table's ``replication`` + 1).

    Replication r of every policy meets the same incidents (common random numbers); what each policy
    then makes of them is its own, so one policy's busy replication can be another's quiet one: the
    figure claims no co-movement of the lines.
    """
    check_lang(lang)
    fig, ax = plots._axes(None, size=(7, 3.8))
    for arm in arms:
        part = results[(results["arm"] == arm) & (results["metric"] == metric)].sort_values("replication")
        ax.plot(part["replication"] + 1, part["value"], "o-", label=plots.arm_label(arm, lang))
    reps = np.sort(results["replication"].unique()) + 1
    ax.set_xticks(reps, [str(r) for r in reps])
    ax.set(
        xlabel=phrase("replication_same", lang),
        ylabel=plots.metric_label(metric, lang),
        title=text("replications_title", lang),
    )
    ax.legend(fontsize=8)
    return fig
