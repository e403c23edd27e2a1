"""Acceptance of ``govsim-experiment`` end to end, as a user runs it (subprocesses, tiny sweeps).

Serial, parallel (joblib) and interrupted-then-resumed sweeps give identical aggregates; a job that
fails while it runs is recorded while the others complete (a bad value is refused before any job:
test_experiment_refusals); a sweep directory of another configuration or code version is refused; the
submitit launcher (local executor, as on SLURM) runs the same jobs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

SMALL = [
    "+experiment=four_focus",
    "scenario=one_town",
    "horizon_days=30",
    "warmup_days=5",
    "experiment.report=false",
    "experiment.progress=false",
]
TWO_BY_TWO = [*SMALL, "policy=baseline,grid", "experiment.replications=2"]
SEED_3_FAILS = """
import govsim.runner as runner
real = runner.simulate
def simulate(cfg, *args, **kwargs):
    if cfg.seed == 3:
        raise RuntimeError("a bug")
    return real(cfg, *args, **kwargs)
runner.simulate = simulate
"""


def command(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "govsim-experiment"
    return (
        [str(script), *args]
        if script.exists()
        else [sys.executable, "-c", "from govsim.sweep import main; main()", *args]
    )


def environment(code: str = "sweep-test", site: Path | None = None) -> dict[str, str]:
    # the checkout may be edited by others while the test runs: pin the code identity
    env = {**os.environ, "GOVSIM_CODE_VERSION": code, "HYDRA_FULL_ERROR": "1"}
    if site is not None:  # a sitecustomize there: every Python process of the sweep starts with it
        env["PYTHONPATH"] = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    return env


def run(
    cwd: Path, *args: str, code: str = "sweep-test", site: Path | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        command(*args),
        cwd=cwd,
        env=environment(code, site),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def markers(sweep: Path) -> dict[str, dict]:
    found = {}
    for path in sweep.rglob("job.json"):
        marker = json.loads(path.read_text())
        found[marker["key"]] = marker
    return found


def results(sweep: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_parquet(sweep / "results.parquet"), pd.read_parquet(sweep / "backlog.parquet")


def interrupt_after_first_job(cwd: Path, *args: str) -> None:
    proc = subprocess.Popen(
        command(*args),
        cwd=cwd,
        env=environment(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300  # a guard against a hung sweep, not a timed assertion
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if any(m["status"] == "complete" for m in markers(cwd / "c").values()):
                break
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_serial_parallel_and_interrupted_sweeps_give_identical_aggregates(tmp_path):
    serial = run(tmp_path, *TWO_BY_TWO, "hydra/launcher=basic", "hydra.sweep.dir=a")
    assert serial.returncode == 0, serial.stderr[-2000:]
    assert "4/4 个作业完成" in serial.stderr
    parallel = run(tmp_path, *TWO_BY_TWO, "hydra.sweep.dir=b")  # the default launcher: joblib, 2 workers
    assert parallel.returncode == 0, parallel.stderr[-2000:]
    assert "Joblib.Parallel(n_jobs=2" in parallel.stdout  # Hydra logs the launcher it uses
    assert len({m["pid"] for m in markers(tmp_path / "b").values()}) == 2  # two worker processes
    assert len({m["pid"] for m in markers(tmp_path / "a").values()}) == 1

    interrupt_after_first_job(tmp_path, *TWO_BY_TWO, "hydra/launcher=basic", "hydra.sweep.dir=c")
    before = {k: m for k, m in markers(tmp_path / "c").items() if m["status"] == "complete"}
    assert 1 <= len(before) < 4
    assert not (tmp_path / "c" / "results.parquet").exists()
    resumed = run(tmp_path, *TWO_BY_TWO, "hydra/launcher=basic", "hydra.sweep.dir=c")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    after = markers(tmp_path / "c")
    assert all(after[k] == m for k, m in before.items())  # finished jobs were not redone
    assert all(after[k]["status"] == "complete" for k in after) and len(after) == 4

    res_a, backlog_a = results(tmp_path / "a")
    assert set(res_a["arm"]) == {"policy=baseline", "policy=grid"} and res_a["replication"].nunique() == 2
    for other in ("b", "c"):
        res, backlog = results(tmp_path / other)
        pd.testing.assert_frame_equal(res, res_a)
        pd.testing.assert_frame_equal(backlog, backlog_a)


def test_failed_job_is_recorded_and_changed_sweeps_are_refused(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SEED_3_FAILS, encoding="utf-8")
    args = [
        *SMALL,
        "policy=baseline",
        "experiment.replications=1",
        "horizon_days=20",
        "seed=0,3",
        "hydra.sweep.subdir=seed${seed}",
        "hydra.sweep.dir=d",
    ]
    failed = run(tmp_path, *args, site=site)
    assert failed.returncode == 1, failed.stderr[-3000:]
    assert "1/2 个作业完成,1 个失败" in failed.stderr and "不计算置信区间" in failed.stderr
    jobs = pd.read_csv(tmp_path / "d" / "jobs.csv").set_index("status")
    assert "a bug" in jobs.loc["failed", "error"]
    assert json.loads((tmp_path / "d" / "aggregate.json").read_text())["complete"] is False

    changed = run(tmp_path, *[a.replace("horizon_days=20", "horizon_days=21") for a in args])
    assert changed.returncode == 2 and "another configuration (horizon_days: 20.0 → 21.0)" in changed.stderr
    assert len(changed.stderr.strip().splitlines()) == 1, changed.stderr  # the refusal only, no warning first
    new_code = run(tmp_path, *args, code="sweep-test-2")
    assert new_code.returncode == 2 and "another code version" in new_code.stderr
    assert json.loads((tmp_path / "d" / "experiment.json").read_text())["code_version"] == "sweep-test"


@pytest.mark.filterwarnings("ignore")
def test_submitit_launcher_runs_the_sweep_with_its_local_executor(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    done = run(
        tmp_path,
        *SMALL,
        "policy=baseline",
        "experiment.replications=2",
        "hydra/launcher=submitit_local",
        "hydra.sweep.dir=e",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "2/2 个作业完成" in done.stderr
    assert list((tmp_path / "e" / ".submitit").iterdir())  # the jobs went through submitit
    res, _ = results(tmp_path / "e")
    assert sorted(res["replication"].unique()) == [0, 1]
