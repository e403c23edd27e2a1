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

A job counts only if its marker is ``complete``, carries the manifest's config and code identity and
its outputs are whole (``output_damage``): a job whose files were removed or damaged after it completed
is listed ``failed``, its error naming the file, and the same ``govsim-experiment`` command runs it
again. Nothing here builds a confidence interval; ``summary['complete']`` tells the report whether it
may. Stale outputs are never left looking current: an aggregation that fails removes the tables of an
earlier one, and one that finds the sweep incomplete removes the sweep's default report folder
(``SWEEP/report``, if it holds only a report), which described a state the sweep is no longer in.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.analysis import mser5
from govsim.experiment import MARKER, read_manifest

JOB_FILES = ("run.json", "kpis.csv", "costs.csv", "timeseries.parquet", "incidents.parquet", "grids.parquet")
"""The files of a job's directory the aggregation reads (the records too: an MSER-5 warm-up other than
the run's recomputes its KPIs from them)."""
TABLES = ("results.parquet", "backlog.parquet", "jobs.csv", "aggregate.json")
"""What ``aggregate`` writes into the sweep directory."""


class DamagedJob(ValueError):
    """A complete job whose outputs cannot be read: ``problem`` names the file and what is wrong."""

    def __init__(self, problem: str, key: str = "") -> None:
        super().__init__(problem)
        self.problem, self.key = problem, key


def damaged_error(problem: str) -> str:
    """The error ``jobs.csv`` gives a damaged job: the file, and what to do."""
    return f"{problem} (removed or damaged after the job completed; the same command runs it again)"


def output_damage(job_dir: Path, read: bool = False, hotline: bool = False) -> str | None:
    """Why the outputs in ``job_dir`` cannot be aggregated, or ``None`` if they can.

    A file of ``JOB_FILES`` that is missing or empty, or a Parquet file cut short (without its
    trailing ``PAR1``), is named: ``'<path> is missing'``. With ``read``, the tables are read as the
    aggregation reads them too (a readable file without the expected rows or columns is named as
    unreadable); the records, which only an MSER-5 warm-up reads, by their Parquet footer. ``hotline``:
    the run had the 12345 hotline on, so its records include ``hotline.parquet`` too.
    """
    for name in (*JOB_FILES, *(("hotline.parquet",) if hotline else ())):
        path = Path(job_dir) / name
        try:
            size = path.stat().st_size
        except OSError:
            return f"{path} is missing"
        if size == 0:
            return f"{path} is empty"
        if name.endswith(".parquet") and not _whole_parquet(path, size):
            return f"{path} is cut short (not a whole Parquet file)"
    if read:
        try:
            _run_warmup(job_dir)
            _overall_kpis(job_dir)
            _cost_per_year(job_dir)
            _daily_backlog(job_dir)
            for name in ("incidents.parquet", "grids.parquet", *(("hotline.parquet",) if hotline else ())):
                with _reading(Path(job_dir) / name):
                    import pyarrow.parquet as pq

                    pq.read_metadata(Path(job_dir) / name)
        except DamagedJob as exc:
            return exc.problem
    return None


def _whole_parquet(path: Path, size: int) -> bool:
    """Whether ``path`` begins and ends with Parquet's magic bytes (a file cut short lacks the end)."""
    if size < 12:
        return False
    try:
        with path.open("rb") as f:
            head = f.read(4)
            f.seek(-4, 2)
            return head == b"PAR1" and f.read(4) == b"PAR1"
    except OSError:
        return False


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn an error reading ``path`` into ``DamagedJob`` naming the file."""
    try:
        yield
    except DamagedJob:
        raise
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise DamagedJob(f"{path} is unreadable ({type(exc).__name__}: {detail})") from exc


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
    """Aggregate the complete jobs of ``sweep``; write the tables (``TABLES``) there when ``write``.

    A complete job whose outputs are damaged is listed failed (``output_damage``, ``damaged_error``).
    When ``write``: an aggregation that raises removes the sweep's earlier tables before raising (they
    would describe another state of the sweep), and one that finds the sweep incomplete removes the
    default report folder ``sweep/report`` if it holds only a report. Raises ``FileNotFoundError`` or
    ``ValueError`` (``experiment.read_manifest``) for a directory that is not a sweep, touching nothing.
    """
    sweep = Path(sweep)
    manifest = read_manifest(sweep)
    try:
        agg = _aggregate(sweep, manifest)
        if write:
            _write_tables(agg)
    except Exception:
        if write:
            for name in TABLES:
                (sweep / name).unlink(missing_ok=True)
        raise
    if write and not agg.summary["complete"]:
        _discard_report(sweep / "report")
    return agg


def _aggregate(sweep: Path, manifest: dict[str, Any]) -> Aggregate:
    markers = scan_markers(sweep, manifest)
    damaged = {
        key: problem
        for key, m in markers.items()
        if m.get("status") == "complete" and (problem := output_damage(Path(m["dir"]))) is not None
    }
    while True:  # a file found unreadable only when read: that job out, and the tables again without it
        jobs = _job_table(manifest, markers, damaged)
        done = jobs[jobs["status"] == "complete"]
        try:
            backlog = _backlog(done)
            warmup = _warmup(manifest, backlog)
            results = _results(done, manifest, warmup["used"])
        except DamagedJob as exc:
            damaged[exc.key] = exc.problem
            continue
        summary = _summary(manifest, jobs, warmup)
        return Aggregate(manifest, jobs, results, backlog, summary, sweep)


def _write_tables(agg: Aggregate) -> None:
    from govsim.atomic import write_atomic, write_text

    sweep = agg.sweep
    write_atomic(sweep / "results.parquet", lambda p: agg.results.to_parquet(p, index=False))
    write_atomic(sweep / "backlog.parquet", lambda p: agg.backlog.to_parquet(p, index=False))
    write_atomic(sweep / "jobs.csv", lambda p: agg.jobs.to_csv(p, index=False, encoding="utf-8-sig"))
    write_text(sweep / "aggregate.json", json.dumps(agg.summary, ensure_ascii=False, indent=2))


def _discard_report(folder: Path) -> None:
    """Remove the sweep's default report folder if it holds only a report's files."""
    from govsim.report import holds_only_a_report

    if holds_only_a_report(folder):
        shutil.rmtree(folder)


def _job_table(
    manifest: dict[str, Any], markers: dict[str, dict[str, Any]], damaged: dict[str, str] | None = None
) -> pd.DataFrame:
    damaged = damaged or {}
    rows = []
    for job in manifest["jobs"]:
        m = markers.get(job["key"], {})
        hurt = damaged.get(job["key"])
        rows.append(
            {
                "key": job["key"],
                "arm": job["arm"],
                "replication": job["replication"],
                "status": "failed" if hurt else m.get("status", "missing"),
                "error": damaged_error(hurt) if hurt else m.get("error", ""),
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
        try:
            values = _job_metrics(Path(job["dir"]), warmup)
        except DamagedJob as exc:
            raise DamagedJob(exc.problem, job["key"]) from exc
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
    source = job_dir / "kpis.csv"
    if warmup != _run_warmup(job_dir):
        from govsim.metrics import kpi_table
        from govsim.runner import load_records

        source = job_dir  # one of its records: load_records's error names which
        with _reading(source):
            kpis = kpi_table(replace(load_records(job_dir), warmup=warmup)).iloc[0]
    else:
        kpis = _overall_kpis(job_dir)
    with _reading(source):
        values = {k: float(v) for k, v in kpis.items() if k not in ("by", "group")}
    values["cost_per_year"] = _cost_per_year(job_dir)
    return values


def _run_warmup(job_dir: Path) -> float:
    """The warm-up (days) the run measured from, from its ``run.json``."""
    path = Path(job_dir) / "run.json"
    with _reading(path):
        return float(json.loads(path.read_text(encoding="utf-8"))["warmup"])


def _overall_kpis(job_dir: Path) -> pd.Series:
    """The run's overall KPI row of ``kpis.csv`` (headers in the run's language, read back to keys)."""
    from govsim.tables import read_table

    path = Path(job_dir) / "kpis.csv"
    with _reading(path):
        table = read_table(path)
        return table[table["by"] == "all"].iloc[0]


def _cost_per_year(job_dir: Path) -> float:
    """The run's cost in yuan per year: the sum of ``costs.csv``."""
    from govsim.tables import read_table

    path = Path(job_dir) / "costs.csv"
    with _reading(path):
        return float(read_table(path)["yuan_per_year"].sum())


def _daily_backlog(job_dir: Path) -> pd.DataFrame:
    """The run's backlog summed over towns by day (``day``, ``backlog``), from ``timeseries.parquet``."""
    path = Path(job_dir) / "timeseries.parquet"
    with _reading(path):
        ts = pd.read_parquet(path, columns=["day", "backlog"])
        return ts.groupby("day", as_index=False)["backlog"].sum()


def _backlog(done: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for _, job in done.iterrows():
        try:
            daily = _daily_backlog(Path(job["dir"]))
        except DamagedJob as exc:
            raise DamagedJob(exc.problem, job["key"]) from exc
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
