"""Job isolation: a crashed, killed (OOM, exit 137) or hung job fails alone; the sweep finishes.

Run as a user would (a subprocess, tiny one-town jobs). The faults are injected by a
``sitecustomize`` that replaces ``govsim.runner.simulate`` in every Python process of the sweep (the
app, the forkserver and each job's child). Both tests failed on the code
before issue 15: the kill took the whole sweep down, and n_jobs=0 reached joblib.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pandas as pd

SMALL = [
    "+experiment=four_focus",
    "scenario=one_town",
    "horizon_days=20",
    "warmup_days=5",
    "policy=baseline",
    "experiment.replications=1",
    "experiment.report=false",
    "experiment.progress=false",
]
FAULTS = """
import os, time
if os.environ.get("GOVSIM_TEST_FAULTS"):
    import govsim.runner as runner
    real = runner.simulate
    def simulate(cfg, *args, **kwargs):
        if cfg.seed == 1:
            os.kill(os.getpid(), 9)  # as the kernel's OOM killer does
        if cfg.seed == 2:
            time.sleep(3600)  # a hung job
        if cfg.seed == 3:
            raise RuntimeError("a bug")
        return real(cfg, *args, **kwargs)
    runner.simulate = simulate
"""


def run(console, cwd: Path, *args: str, faulty: bool = False) -> subprocess.CompletedProcess:
    env = {"GOVSIM_CODE_VERSION": "isolation-test"}
    if faulty:  # every Python process of the sweep (jobs' children too) starts with the faults
        (cwd / "site").mkdir(exist_ok=True)
        (cwd / "site" / "sitecustomize.py").write_text(FAULTS, encoding="utf-8")
        env.update(
            GOVSIM_TEST_FAULTS="1",
            PYTHONPATH=os.pathsep.join([str(cwd / "site"), os.environ.get("PYTHONPATH", "")]),
        )
    return console("govsim-experiment", cwd, *args, env=env, timeout=600)


def test_killed_hung_and_crashed_jobs_fail_alone_and_the_sweep_finishes(tmp_path: Path, console) -> None:
    args = [
        *SMALL,
        "seed=0,1,2,3",
        "experiment.job_timeout_s=20",
        "hydra/launcher=basic",
        "hydra.sweep.dir=s",
    ]
    done = run(console, tmp_path, *args, faulty=True)
    assert done.returncode == 1, done.stderr[-3000:]  # incomplete, not a crash
    assert "1/4 个作业完成,3 个失败" in done.stderr
    jobs = pd.read_csv(tmp_path / "s" / "jobs.csv")
    seed = jobs["key"].str.extract(r"(seed=\d)")[0]
    status = dict(zip(seed, zip(jobs["status"], jobs["exit_status"], strict=True), strict=True))
    assert status["seed=0"][0] == "complete"
    assert status["seed=1"] == ("failed", 137)
    assert status["seed=2"] == ("failed", 124)
    assert status["seed=3"] == ("failed", 1)
    errors = dict(zip(seed, jobs["error"].fillna(""), strict=True))
    assert "signal 9" in errors["seed=1"] and "timeout" in errors["seed=2"] and "a bug" in errors["seed=3"]


def test_n_jobs_below_one_is_refused_before_anything_runs(tmp_path: Path, console) -> None:
    for n in ("0", "-1"):
        refused = run(console, tmp_path, *SMALL, f"hydra.launcher.n_jobs={n}", "hydra.sweep.dir=z")
        assert refused.returncode == 2
        assert (
            refused.stderr.strip()
            .splitlines()[-1]
            .startswith(f"govsim-experiment: error: hydra.launcher.n_jobs={n}: allowed: an integer from 1 to")
        )
    assert not (tmp_path / "z").exists()


def test_n_jobs_above_the_cores_is_clamped_with_a_message(tmp_path: Path, console) -> None:
    cores = os.cpu_count() or 1
    done = run(console, tmp_path, *SMALL, f"hydra.launcher.n_jobs={cores + 5}", "hydra.sweep.dir=y")
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"改用 {cores}" in done.stderr  # the run's language, zh by default
    assert f"Joblib.Parallel(n_jobs={cores}" in done.stdout
