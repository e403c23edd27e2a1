"""Experiment bookkeeping in-process: job identity, manifest, skip / refuse / record, aggregation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from govsim import experiment as ex
from govsim import jobrun
from govsim.aggregate import aggregate
from govsim.compose import config_dir
from govsim.config import register_configs
from govsim.report import ReportError, write_report

SMALL = ["scenario=one_town", "horizon_days=30", "warmup_days=5"]


@pytest.fixture
def experiment_schema(monkeypatch):
    """The experiment schema for this test; the plain schema back afterwards (other tests compose it)."""
    monkeypatch.setenv("GOVSIM_CODE_VERSION", "test-code")
    ex.register_experiment_configs()
    yield
    register_configs()


def compose_primary(sweep: Path, *overrides: str) -> DictConfig:
    """The experiment's primary config with its hydra node, as the launching process sees it.

    The experiment schema is registered again first, as ``govsim.sweep.main`` does after planning:
    the first composition in a process (``expand_jobs``) registers the plain schema over it.
    """
    ex.register_experiment_configs()
    with initialize_config_dir(config_dir(), version_base=None):
        return compose(
            "config",
            ["+experiment=four_focus", f"hydra.sweep.dir={sweep}", *overrides],
            return_hydra_config=True,
        )


def compose_job(overrides: list[str]) -> DictConfig:
    """A job's config as its worker composes it: the experiment schema registered again first (a
    ``prepare_manifest`` before it registered the plain one, which has no ``experiment`` key)."""
    ex.register_experiment_configs()
    with initialize_config_dir(config_dir(), version_base=None):
        return compose("config", overrides)


def build_sweep(sweep: Path, *overrides: str, run: int | None = None) -> dict:
    """Manifest, then the first ``run`` jobs (all by default) in-process, as the app would."""
    manifest = ex.prepare_manifest(compose_primary(sweep, *overrides))
    for job in manifest["jobs"][:run]:
        out = sweep / job["key"].replace(",", "_")
        jobrun.run_job(compose_job(job["overrides"]), out, manifest, job["overrides"])
    return manifest


def test_job_key_ignores_order_and_shared_overrides():
    keys = ["policy", "replication"]
    a = ex.job_key(["replication=2", "horizon_days=30", "policy=grid"], keys)
    b = ex.job_key(["policy=grid", "replication=2", "+experiment=four_focus"], keys)
    assert a == b == ("policy=grid,replication=2", "policy=grid", 2)


def test_config_hash_tracks_the_model_not_the_output(experiment_schema):
    base = ex.job_hash(compose_job(["+experiment=four_focus", *SMALL]))
    assert ex.job_hash(compose_job(["+experiment=four_focus", *SMALL, "output.lang=en"])) == base
    assert ex.job_hash(compose_job(["+experiment=four_focus", *SMALL, "experiment.replications=9"])) == base
    assert ex.job_hash(compose_job(["+experiment=four_focus", *SMALL, "horizon_days=31"])) != base
    assert ex.job_hash(compose_job(["+experiment=four_focus", *SMALL, "replication=1"])) != base


def test_code_version_is_a_source_digest_unless_pinned(monkeypatch):
    monkeypatch.delenv("GOVSIM_CODE_VERSION", raising=False)
    version, _, digest = ex.code_version().partition("+")
    assert len(digest) == 12 and int(digest, 16) >= 0
    monkeypatch.setenv("GOVSIM_CODE_VERSION", "v1.2")
    assert ex.code_version() == "v1.2"


def test_expand_jobs_crosses_policies_and_replications(experiment_schema, tmp_path):
    jobs, keys = ex.expand_jobs(compose_primary(tmp_path, "experiment.replications=3"))
    assert keys == ["policy", "replication"]
    assert len(jobs) == 6 * 3
    narrowed, _ = ex.expand_jobs(
        compose_primary(tmp_path, "hydra.sweeper.params.policy='baseline,grid'", "experiment.replications=2")
    )
    assert sorted(ex.job_key(j, keys)[0] for j in narrowed) == [
        "policy=baseline,replication=0",
        "policy=baseline,replication=1",
        "policy=grid,replication=0",
        "policy=grid,replication=1",
    ]


def test_manifest_refuses_another_config_or_code_but_accepts_more_replications(
    experiment_schema, tmp_path, monkeypatch
):
    ex.prepare_manifest(compose_primary(tmp_path, *SMALL, "experiment.replications=2"))
    grown = ex.prepare_manifest(compose_primary(tmp_path, *SMALL, "experiment.replications=4"))
    assert len(grown["jobs"]) == 6 * 4
    with pytest.raises(ex.ExperimentMismatch, match="another config"):
        ex.prepare_manifest(compose_primary(tmp_path, *SMALL[:-1], "warmup_days=6"))
    monkeypatch.setenv("GOVSIM_CODE_VERSION", "other-code")
    with pytest.raises(ex.ExperimentMismatch, match="another code"):
        ex.prepare_manifest(compose_primary(tmp_path, *SMALL))


def test_a_sweep_of_another_configuration_names_the_keys_that_differ(experiment_schema, tmp_path):
    """Two digests told the user nothing: the refusal names each key that differs, that sweep's value
    then the new one, and what is allowed."""
    ex.prepare_manifest(compose_primary(tmp_path, *SMALL))
    before = (tmp_path / ex.MANIFEST).read_bytes()
    with pytest.raises(ex.ExperimentMismatch) as info:
        ex.prepare_manifest(compose_primary(tmp_path, *SMALL[:-1], "warmup_days=6", "scenario.grid_size=900"))
    assert str(info.value) == (
        f"hydra.sweep.dir={str(tmp_path)!r}: the directory holds a sweep of another configuration "
        "(scenario.grid_size: 1500 → 900; warmup_days: 5.0 → 6.0); allowed: that sweep's configuration "
        "(scenario.grid_size=1500 warmup_days=5.0) to resume it, or another hydra.sweep.dir"
    )
    assert (tmp_path / ex.MANIFEST).read_bytes() == before
    # a swept key, the experiment section and the output are not the sweep's configuration
    ex.prepare_manifest(compose_primary(tmp_path, *SMALL, "policy=grid", "experiment.replications=2"))
    with pytest.raises(ex.ExperimentMismatch, match=r"\(experiment.sensitivity.method: none → morris\)"):
        ex.prepare_manifest(compose_primary(tmp_path, *SMALL, "experiment.sensitivity.method=morris"))


def test_a_manifest_without_its_configuration_names_what_it_recorded(experiment_schema, tmp_path):
    """A sweep directory written before the manifest kept its configuration: the keys it did keep."""
    ex.prepare_manifest(compose_primary(tmp_path, *SMALL))
    old = json.loads((tmp_path / ex.MANIFEST).read_text(encoding="utf-8"))
    del old["configuration"]
    ex.write_json(tmp_path / ex.MANIFEST, old)
    with pytest.raises(ex.ExperimentMismatch, match=r"\(horizon_days: 30.0 → 31.0\); allowed: "):
        ex.prepare_manifest(compose_primary(tmp_path, *SMALL[:1], "horizon_days=31", *SMALL[2:]))
    with pytest.raises(ex.ExperimentMismatch, match=r"\(a key its manifest does not record\); allowed: "):
        ex.prepare_manifest(compose_primary(tmp_path, *SMALL, "scenario.grid_size=900"))


def test_job_completes_then_is_skipped_then_reruns_a_changed_config_and_refuses_another_job(
    experiment_schema, tmp_path
):
    manifest = build_sweep(tmp_path, *SMALL, "policy=grid", "replication=0", run=0)
    job = manifest["jobs"][0]
    out = tmp_path / "job"
    first = jobrun.run_job(compose_job(job["overrides"]), out, manifest, job["overrides"])
    marker = ex.read_marker(out)
    assert first["status"] == marker["status"] == "complete"
    stamp = (out / "run.json").stat().st_mtime_ns
    again = jobrun.run_job(compose_job(job["overrides"]), out, manifest, job["overrides"])
    assert again["status"] == "skipped"
    assert (out / "run.json").stat().st_mtime_ns == stamp and ex.read_marker(out) == marker
    # the same job with another config (an edited file, a changed value) is re-run in place
    rerun = jobrun.run_job(compose_job([*job["overrides"], "seed=7"]), out, manifest, job["overrides"])
    assert rerun["status"] == "complete"
    assert ex.read_marker(out)["config_hash"] != marker["config_hash"]
    assert "replaces a result" in ex.read_marker(out)["rerun"]
    # another job's directory is never overwritten
    other = [o if not o.startswith("policy=") else "policy=baseline" for o in job["overrides"]]
    kept = ex.read_marker(out)
    with pytest.raises(ex.ExperimentMismatch, match="two jobs cannot share a directory"):
        jobrun.run_job(compose_job(other), out, manifest, other)
    assert ex.read_marker(out) == kept


def test_failed_job_is_recorded_with_its_error_and_does_not_raise(experiment_schema, tmp_path):
    manifest = build_sweep(tmp_path, *SMALL, "policy=baseline", "replication=0", run=0)
    bad = [*manifest["jobs"][0]["overrides"], "warmup_days=40"]
    got = jobrun.run_job(compose_job(bad), tmp_path / "bad", manifest, bad)
    marker = ex.read_marker(tmp_path / "bad")
    assert got["status"] == marker["status"] == "failed"
    assert "warmup_days" in marker["error"]


def test_partial_sweep_states_expected_vs_completed_and_builds_no_interval(experiment_schema, tmp_path):
    build_sweep(
        tmp_path, *SMALL, "hydra.sweeper.params.policy='baseline,grid'", "experiment.replications=2", run=3
    )
    agg = aggregate(tmp_path)
    s = agg.summary
    assert (s["expected"], s["completed"], s["missing"], s["complete"]) == (4, 3, 1, False)
    assert s["arms"]["policy=grid"] == {"expected": 2, "completed": 1}
    assert set(agg.results["key"]) == set(agg.jobs.loc[agg.jobs["status"] == "complete", "key"])
    with pytest.raises(ReportError, match="3/4"):
        write_report(agg, tmp_path / "report", "en")
    saved = json.loads((tmp_path / "aggregate.json").read_text())
    assert saved["missing"] == 1


def test_aggregate_recomputes_kpis_with_the_mser5_warmup(experiment_schema, tmp_path):
    build_sweep(tmp_path, *SMALL, "policy=baseline", "experiment.replications=2", "experiment.warmup=mser5")
    agg = aggregate(tmp_path, write=False)
    w = agg.summary["warmup"]
    assert w["used"] == w["mser5"]
    from dataclasses import replace

    from govsim.metrics import kpi_table
    from govsim.runner import load_records

    job = agg.jobs.iloc[0]
    expected = kpi_table(replace(load_records(Path(job["dir"])), warmup=w["used"]))["backlog_mean"].iloc[0]
    got = agg.results.query("key == @job.key and metric == 'backlog_mean'")["value"].iloc[0]
    assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("launcher", "target", "field", "value"),
    [
        ("local", "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher", "n_jobs", 2),
        (
            "slurm",
            "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher",
            "cpus_per_task",
            1,
        ),
    ],
)
def test_launcher_presets_compose(experiment_schema, tmp_path, launcher, target, field, value):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    cfg = compose_primary(tmp_path, f"hydra/launcher={launcher}")
    assert cfg.hydra.launcher._target_ == target
    assert cfg.hydra.launcher[field] == value


def test_experiment_default_launcher_is_local_joblib(experiment_schema, tmp_path):
    cfg = compose_primary(tmp_path)
    assert cfg.hydra.launcher.n_jobs == 2 and "Joblib" in cfg.hydra.launcher._target_
    assert str(cfg.hydra.mode) == "RunMode.MULTIRUN"


def test_a_bad_value_every_job_shares_is_refused_before_any_job(experiment_schema, tmp_path):
    from govsim.sweep import check_shared
    from govsim.validate import ConfigError

    with pytest.raises(ConfigError, match="horizon_days"):
        check_shared(compose_primary(tmp_path, "scenario=one_town", "horizon_days=-3"))
    # a swept key is left to plan_sweep, which checks every job (test_experiment_refusals)
    check_shared(compose_primary(tmp_path, "scenario=one_town", "+hydra.sweeper.params.horizon_days='-3,30'"))
    assert not (tmp_path / "experiment.json").exists()


def test_a_rerun_removes_the_atomic_temporaries_a_stopped_run_left_and_nothing_else(
    experiment_schema, tmp_path
):
    """A worker killed inside ``atomic.write_atomic`` leaves ``.NAME.XXXXXXXX`` beside the records; the resume
    that re-runs the job removes it (and only such files), and its records come out byte-identical."""
    import signal

    manifest = build_sweep(tmp_path, *SMALL, "policy=grid", "replication=0", run=0)
    job = manifest["jobs"][0]
    out = tmp_path / "job"
    jobrun.run_job(compose_job(job["overrides"]), out, manifest, job["overrides"])
    records = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix in (".parquet", ".csv")}
    assert len(records) >= 5
    # as a SIGTERM mid-write leaves the job: no job.json yet, run.json saying running, a 0-byte temporary
    (out / ex.MARKER).unlink()
    ex.write_json(out / "run.json", {**json.loads((out / "run.json").read_text()), "status": "running"})
    stray = [out / ".results.xlsx.k3j_9x2a", out / ".incidents.parquet.0a1b2c3d"]
    kept = [out / ".results.xlsx.bak", out / ".notes", out / "results.xlsx.k3j_9x2a"]  # not write_atomic's
    for path in [*stray, *kept]:
        path.write_bytes(b"")
    jobrun.record_stopped(tmp_path, {job["key"]: out}, manifest, signal.SIGTERM)
    assert ex.read_marker(out)["status"] == "failed"

    resumed = jobrun.run_job(compose_job(job["overrides"]), out, manifest, job["overrides"])
    assert resumed["status"] == "complete"
    assert [p.name for p in stray if p.exists()] == []
    assert [p.name for p in kept if p.exists()] == [p.name for p in kept]
    assert {name: (out / name).read_bytes() for name in records} == records


def test_the_temporary_pattern_names_what_write_atomic_writes(tmp_path):
    from govsim.atomic import TEMPORARY, temporaries, write_atomic

    seen: list[str] = []

    def write(tmp: Path) -> None:
        seen.append(tmp.name)
        assert temporaries(tmp_path) == [tmp]
        tmp.write_text("x")

    names = ["results.xlsx", "run.json", "incidents.parquet"]
    for name in names:
        write_atomic(tmp_path / name, write)
    assert [TEMPORARY.fullmatch(s)["target"] for s in seen] == names
    assert temporaries(tmp_path) == [] and temporaries(tmp_path / "none") == []


def test_a_job_stopped_after_its_run_finished_says_so(experiment_schema, tmp_path):
    """A stop between the run's end (``run.json`` complete) and the job's record (``job.json``).

    The job says failed, as not recorded, and its error says the run itself had finished, so that the
    two files do not contradict each other without a word; ``run.json`` keeps saying complete.
    """
    import signal

    manifest = build_sweep(tmp_path, *SMALL, "policy=grid", "replication=0", run=0)
    job = manifest["jobs"][0]
    out = tmp_path / "job"
    jobrun.run_job(compose_job(job["overrides"]), out, manifest, job["overrides"])
    (out / ex.MARKER).unlink()  # the worker was ended before it wrote job.json
    jobrun.record_stopped(tmp_path, {job["key"]: out}, manifest, signal.SIGINT)
    marker = ex.read_marker(out)
    assert marker["status"] == "failed" and "after its run had finished" in marker["error"], marker
    assert json.loads((out / "run.json").read_text())["status"] == "complete"
