"""Aggregate a sweep's job directories into tidy tables, stating what is there and what is not.

``aggregate(sweep)`` reads the manifest (``experiment.json``: expected jobs, config and code identity)
and every job's completion marker, and writes into the sweep directory:

- ``results.parquet`` — tidy, one row per (complete job, metric): ``key``, ``arm``, ``replication``, one
  column per swept key, ``metric``, ``value``. Metrics are the overall KPIs of ``govsim.metrics`` and
  ``cost_per_year`` (the run's cost over the measured period, per year).
- ``backlog.parquet`` — daily backlog summed over towns, per job: the curves behind the warm-up.
- ``jobs.csv`` — every expected job with its status (complete, failed with its error and the exit status
  of its process: 137 killed, e.g. out of memory; 124 timed out; missing).
- ``aggregate.json`` — expected vs completed per arm, and the warm-up: configured, MSER-5 per arm,
  the one used.

A job counts only if its marker is ``complete`` and carries the manifest's config and code identity.
Nothing here builds a confidence interval; ``summary['complete']`` tells the report whether it may.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.analysis import mser5
from govsim.experiment import MARKER, read_manifest


@dataclass
class Aggregate:
    """A sweep's aggregated tables and its status summary."""

    manifest: dict[str, Any]
    jobs: pd.DataFrame
    results: pd.DataFrame
    backlog: pd.DataFrame
    summary: dict[str, Any]
    sweep: Path


def scan_markers(sweep: Path, manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Markers of the manifest's identity under ``sweep``, by job key, with their directory.

    A marker counts only if it carries the manifest's configuration and code identity and, when the
    manifest lists one for its job, that job's own identity (``experiment.job_identity``: its whole
    config and the checksums of its input files). A stale result (another config, an edited territory
    file) is left out, so the job is missing and the same command re-runs it. So is a marker of a job
    the manifest does not list (a replication of a larger earlier sweep, left in its directory).
    """
    expected = {j["key"]: j.get("identity") for j in manifest["jobs"]}
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(sweep).rglob(MARKER)):
        try:
            marker = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        key = marker.get("key") if isinstance(marker, dict) else None
        if not isinstance(key, str) or key not in expected:
            continue
        ident = expected[marker["key"]]
        if (
            marker.get("base_hash") == manifest["base_hash"]
            and marker.get("code_version") == manifest["code_version"]
            and (ident is None or marker.get("config_hash") == ident)
        ):
            found[marker["key"]] = {**marker, "dir": str(path.parent)}
    return found


def aggregate(sweep: Path, write: bool = True) -> Aggregate:
    """Aggregate the complete jobs of ``sweep``; write the tables there when ``write``."""
    sweep = Path(sweep)
    manifest = read_manifest(sweep)
    markers = scan_markers(sweep, manifest)
    jobs = _job_table(manifest, markers)
    done = jobs[jobs["status"] == "complete"]
    backlog = _backlog(done)
    warmup = _warmup(manifest, backlog)
    results = _results(done, manifest, warmup["used"])
    summary = _summary(manifest, jobs, warmup)
    if write:
        from govsim.atomic import write_atomic, write_text

        write_atomic(sweep / "results.parquet", lambda p: results.to_parquet(p, index=False))
        write_atomic(sweep / "backlog.parquet", lambda p: backlog.to_parquet(p, index=False))
        write_atomic(sweep / "jobs.csv", lambda p: jobs.to_csv(p, index=False, encoding="utf-8-sig"))
        write_text(sweep / "aggregate.json", json.dumps(summary, ensure_ascii=False, indent=2))
    return Aggregate(manifest, jobs, results, backlog, summary, sweep)


def _job_table(manifest: dict[str, Any], markers: dict[str, dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for job in manifest["jobs"]:
        m = markers.get(job["key"], {})
        rows.append(
            {
                "key": job["key"],
                "arm": job["arm"],
                "replication": job["replication"],
                "status": m.get("status", "missing"),
                "error": m.get("error", ""),
                "exit_status": m.get("exit_status", np.nan),
                "wall_seconds": m.get("wall_seconds", np.nan),
                "dir": m.get("dir", ""),
                "overrides": job["overrides"],
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "key",
            "arm",
            "replication",
            "status",
            "error",
            "exit_status",
            "wall_seconds",
            "dir",
            "overrides",
        ],
    )


def _swept_values(job: pd.Series, keys: list[str]) -> dict[str, str]:
    pairs = dict(o.split("=", 1) for o in job["overrides"] if "=" in o)
    return {k: pairs.get(k, "") for k in keys if k != "replication"}


def _results(done: pd.DataFrame, manifest: dict[str, Any], warmup: float) -> pd.DataFrame:
    keys = manifest["sweep_keys"]
    frames = []
    for _, job in done.iterrows():
        values = _job_metrics(Path(job["dir"]), warmup)
        frame = pd.DataFrame({"metric": list(values), "value": list(values.values())})
        head = {
            "key": job["key"],
            "arm": job["arm"],
            "replication": int(job["replication"]),
            **_swept_values(job, keys),
        }
        frames.append(frame.assign(**head)[[*head, "metric", "value"]])
    cols = ["key", "arm", "replication", *[k for k in keys if k != "replication"], "metric", "value"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    return out[cols]  # in the manifest's job order (the sweep's), whatever order the jobs finished in


def _job_metrics(job_dir: Path, warmup: float) -> dict[str, float]:
    """Overall KPIs of one run (recomputed from its records if the warm-up differs) and cost per year."""
    from govsim.tables import read_table

    info = json.loads((job_dir / "run.json").read_text(encoding="utf-8"))
    if warmup != float(info["warmup"]):
        from govsim.metrics import kpi_table
        from govsim.runner import load_records

        kpis = kpi_table(replace(load_records(job_dir), warmup=warmup)).iloc[0]
    else:
        table = read_table(job_dir / "kpis.csv")  # headers in the run's language, read back to keys
        kpis = table[table["by"] == "all"].iloc[0]
    values = {k: float(v) for k, v in kpis.items() if k not in ("by", "group")}
    values["cost_per_year"] = float(read_table(job_dir / "costs.csv")["yuan_per_year"].sum())
    return values


def _backlog(done: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for _, job in done.iterrows():
        ts = pd.read_parquet(Path(job["dir"]) / "timeseries.parquet", columns=["day", "backlog"])
        daily = ts.groupby("day", as_index=False)["backlog"].sum()
        frames.append(daily.assign(key=job["key"], arm=job["arm"], replication=int(job["replication"])))
    if not frames:
        return pd.DataFrame(columns=["key", "arm", "replication", "day", "backlog"])
    out = pd.concat(frames, ignore_index=True)[["key", "arm", "replication", "day", "backlog"]]
    return out


def _warmup(manifest: dict[str, Any], backlog: pd.DataFrame) -> dict[str, Any]:
    """MSER-5 on each arm's replication-mean daily backlog; the largest is the recommendation."""
    configured = float(manifest["warmup_days"])
    by_arm: dict[str, dict[str, Any]] = {}
    for arm, part in backlog.groupby("arm", sort=True):
        mean = part.groupby("day")["backlog"].mean().sort_index().to_numpy(float)
        days, settled = mser5(mean)
        by_arm[str(arm)] = {"days": days, "settled": settled}
    detected = max((v["days"] for v in by_arm.values()), default=0)
    mode = manifest["experiment"]["warmup"]
    used = float(detected) if mode == "mser5" else configured
    return {
        "mode": mode,
        "configured": configured,
        "mser5_by_arm": by_arm,
        "mser5": detected,
        "settled": all(v["settled"] for v in by_arm.values()),
        "used": used,
    }


def _summary(manifest: dict[str, Any], jobs: pd.DataFrame, warmup: dict[str, Any]) -> dict[str, Any]:
    counts = jobs.groupby("arm", sort=False)["status"].value_counts().unstack(fill_value=0)
    arms = {
        str(arm): {"expected": int(row.sum()), "completed": int(row.get("complete", 0))}
        for arm, row in counts.iterrows()
    }
    n = {s: int((jobs["status"] == s).sum()) for s in ("complete", "failed", "missing")}
    return {
        "name": manifest["name"],
        "expected": len(jobs),
        "completed": n["complete"],
        "failed": n["failed"],
        "missing": n["missing"],
        "complete": n["complete"] == len(jobs) and len(jobs) > 0,
        "arms": arms,
        "warmup": warmup,
        "code_version": manifest["code_version"],
        "base_hash": manifest["base_hash"],
        "failures": jobs.loc[jobs["status"] == "failed", ["key", "error"]].to_dict("records"),
    }


def status_text(summary: dict[str, Any], lang: str = "en") -> str:
    """One paragraph in ``lang``: expected vs completed, failures, and what that allows."""
    from govsim.labels import report_text

    s = summary
    lines = [
        report_text(
            "status",
            lang,
            name=s["name"],
            completed=s["completed"],
            expected=s["expected"],
            failed=s["failed"],
            missing=s["missing"],
        )
    ]
    lines += [report_text("status_failed", lang, job=f["key"], error=f["error"]) for f in s["failures"]]
    if not s["complete"]:
        lines.append(report_text("status_incomplete", lang))
    w = s["warmup"]
    lines.append(
        report_text(
            "status_warmup",
            lang,
            mode=w["mode"],
            configured=w["configured"],
            mser5=w["mser5"],
            used=w["used"],
        )
        + ("" if w["settled"] else report_text("status_unsettled", lang))
    )
    return "\n".join(lines)
