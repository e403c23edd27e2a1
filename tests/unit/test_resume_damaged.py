"""A sweep whose job outputs were removed or damaged after the job completed.

Resuming re-runs such a job (its marker says complete, but the files the aggregation reads are not
there or not readable); the aggregation lists it failed, naming the file, instead of stopping on a raw
``FileNotFoundError``; ``govsim-report`` refuses it in one line naming the job's directory and file and
what is allowed; no table or report of an earlier state is left looking current.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig
from refusal import refused  # tests/unit on the path, as pytest puts it

from govsim import aggregate as aggregate_module
from govsim import experiment as ex
from govsim import jobrun, report
from govsim.aggregate import aggregate
from govsim.compose import config_dir
from govsim.config import register_configs

SMALL = [
    "scenario=one_town",
    "horizon_days=30",
    "warmup_days=5",
    "hydra.sweeper.params.policy='baseline,grid'",
    "experiment.replications=2",
]
DAMAGED = "policy=baseline,replication=1"
TABLES = ("results.parquet", "backlog.parquet", "jobs.csv", "aggregate.json")


def _compose(overrides: list[str], **kwargs) -> DictConfig:
    ex.register_experiment_configs()  # a prepare_manifest before registered the plain schema
    with initialize_config_dir(config_dir(), version_base=None):
        return compose("config", overrides, **kwargs)


def _job_dir(sweep: Path, key: str) -> Path:
    return sweep / key.replace(",", "_")


def _run(sweep: Path, manifest: dict, key: str) -> dict:
    job = next(j for j in manifest["jobs"] if j["key"] == key)
    return jobrun.run_job(_compose(job["overrides"]), _job_dir(sweep, key), manifest, job["overrides"])


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    """A complete 2 policies x 2 replications sweep, built in-process as ``govsim-experiment`` runs it."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GOVSIM_CODE_VERSION", "test-code")
    sweep = tmp_path_factory.mktemp("sweep") / "s"
    try:
        primary = _compose(
            ["+experiment=four_focus", f"hydra.sweep.dir={sweep}", *SMALL], return_hydra_config=True
        )
        manifest = ex.prepare_manifest(primary)
        for job in manifest["jobs"]:
            assert _run(sweep, manifest, job["key"])["status"] == "complete"
        yield sweep, manifest
    finally:
        register_configs()
        mp.undo()


@pytest.fixture
def sweep(built, tmp_path, monkeypatch) -> tuple[Path, dict]:
    """A copy of the complete sweep, to damage."""
    monkeypatch.setenv("GOVSIM_CODE_VERSION", "test-code")
    copy = tmp_path / "copy"
    shutil.copytree(built[0], copy)
    yield copy, built[1]
    register_configs()


def _remove(path: Path) -> None:
    path.unlink()


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


DAMAGES = [
    ("kpis.csv", _remove),
    ("kpis.csv", _empty),
    ("costs.csv", _remove),
    ("run.json", _empty),
    ("timeseries.parquet", _remove),
    ("timeseries.parquet", _truncate),
    ("incidents.parquet", _remove),
]
IDS = [f"{f}-{d.__name__[1:]}" for f, d in DAMAGES]


@pytest.mark.parametrize(("name", "damage"), DAMAGES, ids=IDS)
def test_resume_runs_a_job_again_whose_outputs_are_damaged(sweep, name, damage) -> None:
    path, manifest = sweep
    out = _job_dir(path, DAMAGED)
    kept = (out / "kpis.csv").read_bytes()
    damage(out / name)
    assert _run(path, manifest, DAMAGED)["status"] == "complete"  # run again, not "skipped"
    assert (out / name).stat().st_size > 0
    assert (out / "kpis.csv").read_bytes() == kept  # the same records as before the damage
    assert _run(path, manifest, DAMAGED)["status"] == "skipped"  # and now it is whole again
    assert aggregate(path).summary["complete"]


@pytest.mark.parametrize(("name", "damage"), DAMAGES, ids=IDS)
def test_aggregation_lists_a_damaged_job_failed_naming_its_file(sweep, name, damage) -> None:
    path, _ = sweep
    damage(_job_dir(path, DAMAGED) / name)
    agg = aggregate(path)
    row = agg.jobs.set_index("key").loc[DAMAGED]
    assert row["status"] == "failed"
    assert str(_job_dir(path, DAMAGED) / name) in row["error"], row["error"]
    assert "runs it again" in row["error"]
    assert not agg.summary["complete"] and agg.summary["failed"] == 1
    assert DAMAGED not in set(agg.results["key"]) and DAMAGED not in set(agg.backlog["key"])
    saved = pd.read_csv(path / "jobs.csv", encoding="utf-8-sig").set_index("key")
    assert saved.loc[DAMAGED, "status"] == "failed"  # the tables on disk say so too


def test_a_readable_parquet_without_the_columns_is_named_too(sweep) -> None:
    path, _ = sweep
    ts = _job_dir(path, DAMAGED) / "timeseries.parquet"
    pd.DataFrame({"other": [1]}).to_parquet(ts)
    error = aggregate(path).jobs.set_index("key").loc[DAMAGED, "error"]
    assert str(ts) in error, error


def test_report_refuses_a_damaged_sweep_in_one_line_naming_the_job_and_file(sweep, tmp_path, capsys) -> None:
    path, _ = sweep
    missing = _job_dir(path, DAMAGED) / "kpis.csv"
    missing.unlink()
    out = tmp_path / "x"
    err = refused(report.main, [str(path), "--out", str(out)], capsys)
    assert err.startswith("govsim-report: error: ")
    for fragment in (str(missing), "--partial", "govsim-experiment", "allowed: "):
        assert fragment in err, (fragment, err)
    assert not out.exists()
    report.main([str(path), "--out", str(out), "--partial", "--lang", "en"])
    assert "PARTIAL" in (out / "report.en.md").read_text(encoding="utf-8")


def test_report_refuses_an_incomplete_sweep_in_one_line(sweep, tmp_path, capsys) -> None:
    path, _ = sweep
    shutil.rmtree(_job_dir(path, "policy=grid,replication=1"))
    out = tmp_path / "x"
    err = refused(report.main, [str(path), "--out", str(out)], capsys)
    for fragment in ("3/4", "1 missing", "--partial", "govsim-experiment", "allowed: "):
        assert fragment in err, (fragment, err)
    assert not out.exists()


def test_an_earlier_report_is_not_left_looking_current_when_a_job_is_damaged(sweep) -> None:
    path, _ = sweep
    report.write_report(aggregate(path), path / "report", "en")
    (_job_dir(path, DAMAGED) / "kpis.csv").unlink()
    assert not aggregate(path).summary["complete"]
    assert not (path / "report").exists()  # it described a sweep whose jobs are no longer all there


def test_a_failed_aggregation_leaves_no_earlier_table_looking_current(sweep, monkeypatch) -> None:
    path, _ = sweep
    assert aggregate(path).summary["complete"]
    assert all((path / t).is_file() for t in TABLES)  # the tables of the complete sweep

    def broken(*args, **kwargs):
        raise RuntimeError("broken")

    monkeypatch.setattr(aggregate_module, "_warmup", broken)
    with pytest.raises(RuntimeError):
        aggregate(path)
    assert [t for t in TABLES if (path / t).exists()] == []


def test_resume_runs_again_a_hotline_job_that_lost_its_hotline_table(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GOVSIM_CODE_VERSION", "test-code")
    sweep = tmp_path / "s"
    overrides = [*SMALL[:3], "scenario.hotline.enabled=true", "policy=baseline", "experiment.replications=1"]
    try:
        primary = _compose(
            ["+experiment=four_focus", f"hydra.sweep.dir={sweep}", *overrides], return_hydra_config=True
        )
        manifest = ex.prepare_manifest(primary)
        (job,) = manifest["jobs"]
        assert _run(sweep, manifest, job["key"])["status"] == "complete"
        table = _job_dir(sweep, job["key"]) / "hotline.parquet"
        table.unlink()  # an MSER-5 warm-up recomputing its KPIs would need it
        assert _run(sweep, manifest, job["key"])["status"] == "complete"
        assert table.is_file()
    finally:
        register_configs()
