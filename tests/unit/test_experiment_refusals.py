"""``govsim-experiment`` refuses bad input before anything runs: one line, exit status 2, nothing written.

As a user runs it (a subprocess, ``console``), on the smallest commands: a bad swept value (every job
of the sweep is checked, as ``govsim -m`` checks them), an unknown policy among the swept ones, no
experiment named, and a sensitivity experiment without SALib (the ``sensitivity`` extra). Each case
left a finished job, a traceback or a run directory before the fix.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from omegaconf import DictConfig

from govsim import experiment as ex
from govsim import experimentchecks
from govsim.compose import compose_multirun
from govsim.config import register_configs
from govsim.validate import ConfigError

TINY = ["scenario=one_town", "horizon_days=40", "warmup_days=5", "experiment.replications=1"]
NO_SALIB = "import sys\nsys.modules['SALib'] = None  # as if the sensitivity extra were not installed\n"


def refused(console, cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """The one line ``govsim-experiment args`` printed on stderr; asserts exit status 2."""
    p = console("govsim-experiment", cwd, *args, env={"GOVSIM_CODE_VERSION": "refusals", **(env or {})})
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2 and len(lines) == 1, p.stderr[-3000:]
    assert lines[0].startswith("govsim-experiment: error: ")
    return lines[0]


def written(cwd: Path) -> list[str]:
    return sorted(str(p.relative_to(cwd)) for p in cwd.rglob("*") if "site" not in p.relative_to(cwd).parts)


@pytest.mark.parametrize(
    "args, line",
    [
        (
            ["+experiment=staffing_sweep", "policy.grid.staffing=1.0,-1"],
            "policy.grid.staffing=-1.0: allowed: a number > 0",
        ),
        (["+experiment=four_focus", "policy=baseline", "seed=0,-1"], "seed=-1: allowed: an integer >= 0"),
    ],
)
def test_a_bad_swept_value_is_refused_before_any_job(tmp_path: Path, console, args, line) -> None:
    assert refused(console, tmp_path, *args, *TINY).endswith(line)
    assert written(tmp_path) == []


@pytest.mark.parametrize("sweep", ["policy=baseline,gird", "hydra.sweeper.params.policy='baseline,gird'"])
def test_an_unknown_swept_policy_is_one_line_listing_the_policies(tmp_path: Path, console, sweep) -> None:
    line = refused(console, tmp_path, "+experiment=four_focus", *TINY, sweep)
    assert "policy='gird': unknown policy; allowed: " in line
    assert "baseline" in line and "all_four" in line
    assert written(tmp_path) == []


def test_no_experiment_named_leaves_no_run_directory(tmp_path: Path, console) -> None:
    line = refused(console, tmp_path, "scenario=one_town", "horizon_days=40")
    assert "+experiment=four_focus" in line
    assert written(tmp_path) == []


EXPERIMENTS = "admission_sweep, four_focus, levers_uncertainties, sensitivity, staffing_sweep"


@pytest.mark.parametrize("name", ["base", "nonexistent"])
def test_only_runnable_experiments_are_offered_and_base_is_refused(tmp_path: Path, console, name) -> None:
    """``base`` is what every experiment shares (launcher, sweep directory, callback), not an experiment:
    ``+experiment=base`` ran a whole default sweep of the city, and every list of experiments offered it."""
    line = refused(console, tmp_path, f"+experiment={name}", *TINY)
    assert line == (
        f"govsim-experiment: error: experiment={name!r}: unknown experiment; allowed: {EXPERIMENTS}"
    )
    assert written(tmp_path) == []
    shown = console("govsim-experiment", tmp_path, "--help").stdout
    assert f"experiment: {EXPERIMENTS}\n" in shown


def test_sensitivity_without_salib_names_the_extra_to_install(tmp_path: Path, console) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(NO_SALIB, encoding="utf-8")
    path = os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")])
    line = refused(console, tmp_path, "+experiment=sensitivity", *TINY, env={"PYTHONPATH": path})
    assert line.startswith("govsim-experiment: error: experiment.sensitivity.method='morris': ")
    assert 'pip install -e ".[sensitivity]"' in line
    assert written(tmp_path) == []


def test_check_experiment_refuses_a_design_without_salib(monkeypatch) -> None:
    def sensitivity(*overrides: str) -> DictConfig:
        return compose_multirun(
            ["+experiment=sensitivity", *overrides], schema=ex.register_experiment_configs
        )

    try:
        monkeypatch.setitem(sys.modules, "SALib", None)
        with pytest.raises(ConfigError, match=r"SALib.*pip install -e \"\.\[sensitivity\]\""):
            experimentchecks.check_experiment(sensitivity())
        experimentchecks.check_experiment(
            sensitivity("experiment.sensitivity.method=none")
        )  # no design, no SALib
    finally:
        register_configs()  # the plain schema back (other tests compose it)


@pytest.mark.parametrize("sweep", ["W", "."])
def test_a_sweep_dir_holding_other_files_is_refused_before_anything_is_written(
    tmp_path: Path, console, sweep
) -> None:
    """A non-empty directory without an experiment's manifest is never written into (a user's file
    was replaced); an experiment's own sweep directory is still resumed (``test_experiment_sweep``)."""
    where = tmp_path / sweep
    (where / "report").mkdir(parents=True)
    (where / "results.parquet").write_bytes(b"mine")
    (where / "report" / "notes.txt").write_text("my notes", encoding="utf-8")
    before = written(tmp_path)
    line = refused(console, tmp_path, "+experiment=staffing_sweep", *TINY, f"hydra.sweep.dir={sweep}")
    assert line == (
        f"govsim-experiment: error: hydra.sweep.dir={sweep!r}: the directory exists and is not empty and "
        "holds no experiment; allowed: a new or empty directory, or an experiment's sweep directory to resume"
    )
    assert written(tmp_path) == before
    assert (where / "results.parquet").read_bytes() == b"mine"


def snapshot(where: Path) -> dict[str, bytes]:
    return {str(p.relative_to(where)): p.read_bytes() for p in sorted(where.rglob("*")) if p.is_file()}


def test_a_resumed_sweep_numbering_its_jobs_anew_is_refused_before_anything_runs(
    tmp_path: Path, console
) -> None:
    """Jobs named by number (``hydra.job.num``) meet another job's result when the arms are reordered
    or the replications extended: it was an ``ExperimentMismatch`` traceback from a job (exit 1, after
    some work and a rewritten manifest); now the planning refuses it, as the same command resumes it."""
    args = [
        "+experiment=four_focus",
        *TINY,
        "horizon_days=20",
        "experiment.report=false",
        "experiment.progress=false",
        "hydra/launcher=basic",
        "hydra.sweep.dir=s",
        "hydra.sweep.subdir=job${hydra.job.num}",
    ]
    env = {"GOVSIM_CODE_VERSION": "refusals"}
    first = console("govsim-experiment", tmp_path, *args, "policy=baseline,grid", env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    before = snapshot(tmp_path / "s")
    allowed = (
        "allowed: a hydra.sweep.subdir made from the swept values, not the job's number (the experiment's "
        "own, e.g. ${policy.name}/rep${replication}_${govsim_job:}), or a new hydra.sweep.dir"
    )
    for change, job, other in (
        (["policy=grid,baseline"], "policy=grid,replication=0 (s/job0)", "policy=baseline,replication=0"),
        (  # job 1 was grid's replication 0, and is now baseline's replication 1
            ["policy=baseline,grid", "experiment.replications=2"],
            "policy=baseline,replication=1 (s/job1)",
            "policy=grid,replication=0",
        ),
    ):
        line = refused(console, tmp_path, *args, *change)
        assert line == (
            "govsim-experiment: error: hydra.sweep.subdir='job${hydra.job.num}': the directory of job "
            f"{job} holds the result of job {other}; {allowed}"
        )
        assert snapshot(tmp_path / "s") == before  # nothing run, nothing rewritten (the manifest was)
    again = console("govsim-experiment", tmp_path, *args, "policy=baseline,grid", env=env)
    assert again.returncode == 0 and "2/2" in again.stderr, again.stderr[-3000:]
