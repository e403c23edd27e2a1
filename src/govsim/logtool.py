"""``govsim-log``: read a real incident log, summarise it, compare it with simulated runs.

``govsim-log summary LOG --mapping M [--out DIR]`` reads the export (``govsim.logs.read_log``), prints
every row's account (read, refused by reason) and the observed-KPI table (``govsim.observed``), and
writes ``observed_kpis.csv``, ``observed_incidents.csv``, ``refused.csv`` and ``volumes.csv`` to DIR.

``govsim-log compare LOG RUN_OR_SWEEP --mapping M [--out DIR]`` computes the same table from every
complete run under RUN_OR_SWEEP (one scenario and policy), each run seen as the log its city would
export in the mapping's layout (``govsim.observed.from_records`` and ``through_mapping``, as
``govsim-calibrate`` compares a log: false reports stay, merged duplicates close at triage, on-site cases
have no deadline; a field or name the layout cannot carry is lost on both sides), and writes ``compare.csv``
(observed; simulated mean; ``simulated_p2.5`` and ``simulated_p97.5``, the 2.5th and 97.5th
percentiles of the replications, where one simulated run lands, NaN with a single run, which is
warned about; the same KPI code for both, ``govsim.observed.observed_kpis``) and
``resolution_time.png`` (Kaplan–Meier curves of report-to-close days, observed and simulated). A run
compared with its own export (``govsim.logs.write_log``) agrees on every KPI, times to the second.

A mapping that refuses more than half of a log's rows (``LogRead.warning``), and an ``--as-of`` more than
``logs.LATE_AS_OF_DAYS`` days after the log's last event, are warned about in one line each on stderr; the
outputs are still written and the exit status is 0.

Bad input (a log, mapping or run directory that cannot be read; a bad argument; an output directory
that exists and holds anything, so that two results are never mixed in one, or that cannot be made)
prints one line ``govsim-log: error: ...`` and exits with status 2; nothing is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from govsim.atomic import unwritable
from govsim.configwarn import warn
from govsim.identity import occupied, taken
from govsim.logs import LogError, LogMapping, LogRead, read_log
from govsim.observed import (
    DAY,
    Window,
    from_records,
    kpi_series,
    log_records,
    observed_kpis,
    observed_window,
    survival,
    through_mapping,
)
from govsim.oneline import EXIT_BAD_INPUT, OneLineParser

SPREAD: dict[str, float] = {"simulated_p2.5": 0.025, "simulated_p97.5": 0.975}
"""The spread columns of ``compare.csv``: percentiles of the replications, where one simulated run lands
(not a confidence interval of the mean); NaN with a single run."""
SPREAD_NOTE = (
    "simulated_p2.5 / simulated_p97.5: the 2.5th and 97.5th percentiles of the replications (where one "
    "simulated run lands; not a confidence interval of the mean); NaN with a single run"
)


def summarise(log: LogRead) -> tuple[pd.DataFrame, pd.DataFrame, Window]:
    """The observed-KPI table, daily/weekly/monthly volumes, and the window of a read log."""
    window = observed_window(log.table, log.as_of)
    kpis = observed_kpis(log.table, window)
    reported = log.table.set_index("reported").sort_index()
    vols = [
        reported["id"].resample(code).count().rename("tickets").to_frame().assign(period=name)
        for name, code in (("day", "D"), ("week", "W-MON"), ("month", "MS"))
    ]
    volumes = pd.concat(vols).reset_index(names="period_start")[["period", "period_start", "tickets"]]
    return kpis, volumes, window


def run_dirs(path: Path) -> list[Path]:
    """Complete run directories at or under ``path`` of one scenario and policy; ``LogError`` if none."""
    found = [path] if (path / "run.json").is_file() else sorted(p.parent for p in path.rglob("run.json"))
    runs, groups = [], set()
    for d in found:
        try:
            info = json.loads((d / "run.json").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise LogError(f"{d / 'run.json'}: not readable JSON ({exc}); allowed: the run.json govsim "
                           "wrote, or a folder without it") from None  # fmt: skip
        if info.get("status") == "complete":
            runs.append(d)
            groups.add((info.get("scenario"), info.get("policy")))
    if not runs:
        raise LogError(f"{path}: no complete run directory found; allowed: a run directory (run.json with "
                       "status complete) or a sweep directory holding such runs")  # fmt: skip
    if len(groups) > 1:
        listed = ", ".join(f"{s}/{p}" for s, p in sorted(groups))
        raise LogError(f"{path}: runs of several scenario/policy pairs ({listed}); allowed: the runs of one "
                       "pair: point at its folder")  # fmt: skip
    return runs


def simulated_logs(runs: list[Path], mapping: LogMapping) -> list[tuple[pd.DataFrame, Window]]:
    """Each run as the log its city would export in ``mapping``'s layout, with its window.

    ``observed.from_records``, then ``observed.through_mapping``: what the log's layout cannot carry
    (a handling end, a category it cannot name) the simulated side loses too, so the two compare like
    for like. The run is dated from ``from_records``' default start: no KPI depends on the calendar.
    """
    from govsim.runner import load_records

    logs = []
    for d in runs:
        _check_config(d / "config.yaml")
        try:
            records = load_records(d)
        except Exception as exc:  # noqa: BLE001 - a damaged run fails in many ways; the user needs one line
            raise LogError(f"{d}: not a readable run directory ({type(exc).__name__}: {exc}); allowed: "
                           "a run directory as govsim wrote it (run.json, records)") from None  # fmt: skip
        table, window = from_records(records)
        logs.append((through_mapping(table, mapping), window))
    return logs


def _check_config(path: Path) -> None:
    """``LogError`` naming ``path``, a run's ``config.yaml``, unless a mapping with a mapping as scenario.

    The run's reader would otherwise fail with a Python error on it. A missing file passes.
    """
    from govsim.safety import read_yaml_mapping

    if not path.is_file():
        return
    allowed = "allowed: the config.yaml govsim wrote in the run directory"
    raw = read_yaml_mapping(
        path,
        LogError,
        unreadable="{path}: not a readable YAML file (not UTF-8, or broken syntax); " + allowed,
        not_mapping="{path}: a YAML {kind}, not a mapping of keys; " + allowed,
    )
    scenario = raw.get("scenario")
    if scenario is not None and not isinstance(scenario, dict):
        raise LogError(f"{path}: scenario={scenario!r}: not a mapping of keys; {allowed}")


def _run_kpis(run: Path, sim: tuple[pd.DataFrame, Window]) -> pd.DataFrame:
    """``observed_kpis`` of one simulated log; ``LogError`` naming the run if its period is empty."""
    try:
        return observed_kpis(*sim)
    except ValueError as exc:
        raise LogError(f"{run}: {exc}") from None


def compare_table(observed: pd.DataFrame, simulated: list[pd.DataFrame]) -> pd.DataFrame:
    """Observed beside simulated: mean and replication spread (``SPREAD``) per KPI, rows of either side.

    With one replication the spread is NaN: a single run has none. A mix share (``category_share[x]``)
    one side lacks is 0 on that side.
    """
    sims = pd.concat([kpi_series(k) for k in simulated], axis=1)
    obs = kpi_series(observed)
    keys = list(dict.fromkeys([*obs.index, *sims.index]))
    sims, obs = sims.reindex(keys), obs.reindex(keys)
    if any(k.endswith("]") for k in keys):  # a mix share absent from a run or the log is 0 there
        mixes = [k for k in keys if k.endswith("]")]
        sims.loc[mixes] = sims.loc[mixes].fillna(0.0)
        obs.loc[mixes] = obs.loc[mixes].fillna(0.0)
    return pd.DataFrame(
        {
            "kpi": keys,
            "observed": obs.to_numpy(),
            "simulated_mean": sims.mean(axis=1).to_numpy(),
            **{
                name: sims.quantile(q, axis=1).to_numpy() if sims.shape[1] > 1 else np.nan
                for name, q in SPREAD.items()
            },
            "replications": sims.notna().sum(axis=1).to_numpy(),
        }
    )


def plot_resolution_survival(
    observed: tuple[pd.DataFrame, Window], simulated: list[tuple[pd.DataFrame, Window]]
):  # type: ignore[no-untyped-def]
    """Kaplan–Meier survival of report-to-close days: observed (black) and each replication (blue).

    Both sides are observed-incident tables over their windows (a run through ``from_records``).
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for i, sim in enumerate(simulated):
        _step(ax, *sim, color="tab:blue", alpha=0.5, lw=1, label="simulated" if i == 0 else None)
    _step(ax, *observed, color="black", lw=2, label="observed")
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlabel("days from report to close (symlog)")
    ax.set_ylabel("share still open (Kaplan–Meier)")
    ax.set_ylim(0, 1.02)
    ax.legend()
    fig.tight_layout()
    return fig


def _step(ax, table: pd.DataFrame, w: Window, **kw) -> None:  # type: ignore[no-untyped-def]
    period = table[(table["reported"] >= w.start) & (table["reported"] < w.end)]
    sf = survival(log_records(period, w.start), 0.0, (w.as_of - w.start) / DAY)
    if sf is not None:
        ax.step(np.concatenate([[0.0], sf[0]]), np.concatenate([[1.0], sf[1]]), where="post", **kw)


def _write_all(out: Path, frames: dict[str, pd.DataFrame], fig=None) -> None:  # type: ignore[no-untyped-def]
    from govsim.atomic import write_atomic

    out.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        write_atomic(out / name, partial(df.to_csv, index=False, encoding="utf-8-sig"))
    if fig is not None:
        import matplotlib.pyplot as plt

        write_atomic(out / "resolution_time.png", lambda p: fig.savefig(p, dpi=110, format="png"))
        plt.close(fig)


def _parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="govsim-log", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("summary", "compare"):
        s = sub.add_parser(name)
        s.add_argument("log", type=Path, help="CSV or XLSX export")
        if name == "compare":
            s.add_argument("runs", type=Path, help="a run directory or a sweep directory of one policy")
        s.add_argument("--mapping", required=True, help="mapping YAML, or boston311 / cn12345")
        s.add_argument("--as-of", default=None,
                       help="extract time, at or after every time in the log (default: the end of its last "
                       "day)")  # fmt: skip
        s.add_argument("--out", type=Path, default=None, help="output directory (default: LOG_STEM-NAME)")
    return p


def main(argv: list[str] | None = None) -> None:
    """``govsim-log`` console script."""
    args = _parser().parse_args(argv)
    out = args.out or Path(f"{args.log.stem}-{args.command}")
    try:
        if occupied(out):
            raise LogError(taken("--out", out))
        if unwritable("--out", out):
            raise LogError(unwritable("--out", out))
        log = read_log(args.log, args.mapping, args.as_of)
        kpis, volumes, window = summarise(log)
        if args.command == "compare":
            runs = run_dirs(args.runs)
            sims = simulated_logs(runs, log.mapping)
            table = compare_table(kpis, [_run_kpis(run, sim) for run, sim in zip(runs, sims, strict=True)])
    except (LogError, ValueError) as exc:
        print(f"govsim-log: error: {exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    print(log.report())
    for doubt in log.warnings():
        warn(doubt)
    with pd.option_context(
        "display.width", 120, "display.max_rows", 200, "display.float_format", "{:.4g}".format
    ):
        if args.command == "summary":
            print(kpis.to_string(index=False))
            frames = {"observed_kpis.csv": kpis, "volumes.csv": volumes}
            frames |= {"observed_incidents.csv": log.table, "refused.csv": log.refused}
            _write_all(out, frames)
        else:
            print(table.to_string(index=False))
            print(SPREAD_NOTE)
            if len(sims) == 1:
                warn(f"{args.runs}: one replication: {', '.join(SPREAD)} are empty (NaN); a spread needs "
                     "several runs (a sweep of 5 or more replications)")  # fmt: skip
            fig = plot_resolution_survival((log.table, window), sims)
            _write_all(out, {"compare.csv": table, "observed_kpis.csv": kpis}, fig)
    print(f"written: {out}")
