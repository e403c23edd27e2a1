"""Identity of sweep jobs, end to end (``govsim-experiment`` in a subprocess, tiny one-town jobs).

Every job's directory is a function of its whole config and of its input files' content; duplicate
values merge before launch; a resumed sweep re-runs the jobs whose territory file changed; a sweep
directory being written is locked; aggregation counts a job only with its own identity. Each test
failed on the code before issue 15 (noted in the branch report).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

SMALL = [
    "+experiment=four_focus",
    "scenario=one_town",
    "horizon_days=15",
    "warmup_days=5",
    "experiment.replications=1",
    "experiment.report=false",
    "experiment.progress=false",
    "hydra/launcher=basic",
]


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from govsim.sweep import main; main()", *args],
        cwd=cwd,
        env={**os.environ, "GOVSIM_CODE_VERSION": "identity-test"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def markers(sweep: Path) -> list[dict]:
    return [{**json.loads(p.read_text(encoding="utf-8")), "dir": p.parent} for p in sweep.rglob("job.json")]


def test_policy_by_seed_gets_one_directory_per_job(tmp_path: Path) -> None:
    done = run(tmp_path, *SMALL, "policy=baseline,grid", "seed=0,1", "hydra.sweep.dir=s")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "4/4 个作业完成" in done.stderr
    found = markers(tmp_path / "s")
    assert len({m["dir"] for m in found}) == 4 and {m["status"] for m in found} == {"complete"}


def test_duplicate_values_are_merged_so_an_arm_is_not_counted_twice(tmp_path: Path) -> None:
    done = run(
        tmp_path, *SMALL, "policy=baseline,baseline,grid", "policy.grid.staffing=1.0,1", "hydra.sweep.dir=s"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # in the run's language (zh by default)
    assert "policy=baseline:与 policy=baseline 是同一次运行,已合并" in done.stderr
    assert "policy.grid.staffing=1:与 policy.grid.staffing=1.0 是同一次运行,已合并" in done.stderr
    manifest = json.loads((tmp_path / "s" / "experiment.json").read_text(encoding="utf-8"))
    assert len(manifest["jobs"]) == 2 and any("已合并" in n for n in manifest["notes"])
    summary = json.loads((tmp_path / "s" / "aggregate.json").read_text(encoding="utf-8"))
    assert {a: v["completed"] for a, v in summary["arms"].items()} == {"policy=baseline": 1, "policy=grid": 1}


def test_resumed_sweep_reruns_jobs_whose_territory_file_changed(tmp_path: Path) -> None:
    town = tmp_path / "town.csv"
    shutil.copyfile(str(resources.files("govsim") / "data" / "territory" / "one_town.csv"), town)
    args = [*SMALL, "policy=baseline,grid", f"scenario.territory={town}", "hydra.sweep.dir=s"]
    first = run(tmp_path, *args)
    assert first.returncode == 0, first.stderr[-3000:]
    before = pd.read_parquet(tmp_path / "s" / "results.parquet")
    rows = town.read_text(encoding="utf-8").splitlines()
    header, *towns = rows
    cells = towns[0].split(",")
    col = header.split(",").index("population")
    cells[col] = str(int(cells[col]) * 2)
    town.write_text("\n".join([header, ",".join(cells), *towns[1:]]) + "\n", encoding="utf-8")
    again = run(tmp_path, *args)
    assert again.returncode == 0, again.stderr[-3000:]
    after = pd.read_parquet(tmp_path / "s" / "results.parquet")
    incidents = after[after["metric"] == "incidents"]["value"].to_numpy()
    assert (incidents > 1.5 * before[before["metric"] == "incidents"]["value"].to_numpy()).all()
    from govsim.identity import file_checksum

    current = [m for m in markers(tmp_path / "s") if m["inputs"] == {"town.csv": file_checksum(town)}]
    assert len(current) == 2


def test_a_sweep_directory_being_written_is_locked(tmp_path: Path) -> None:
    from govsim.identity import SweepLock

    with SweepLock(tmp_path / "s"):
        refused = run(tmp_path, *SMALL, "policy=baseline", "hydra.sweep.dir=s")
    assert refused.returncode == 2
    assert "is writing this directory" in refused.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "s" / "experiment.json").exists()


def test_colliding_job_directories_are_refused_before_launch(tmp_path: Path) -> None:
    refused = run(
        tmp_path, *SMALL, "policy=baseline", "seed=0,1", "hydra.sweep.subdir=same", "hydra.sweep.dir=s"
    )
    assert refused.returncode == 2
    assert "would write into one directory" in refused.stderr.strip().splitlines()[-1]
    assert not list((tmp_path / "s").rglob("job.json")) if (tmp_path / "s").exists() else True


@pytest.mark.parametrize("name", ["../../escape", "/tmp/x"])
def test_experiment_name_cannot_climb_out(tmp_path: Path, name: str) -> None:
    refused = run(tmp_path, *SMALL, "policy=baseline", f"experiment.name={name}", "hydra.sweep.dir=s")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines()[-1].startswith("govsim-experiment: error: experiment.name=")


# ---- govsim-experiment --config-dir DIR: a glob over a config group sees the configs only DIR holds ----
# Before, the sweep's jobs were expanded on govsim's own search path only: ``policy=glob(extra_*)`` over
# policies that exist only in the extra directory expanded to no job, and the planner stopped with an
# IndexError traceback (seen failing first, issue 16 review).
def test_glob_over_a_group_of_the_extra_config_dir(tmp_path: Path) -> None:
    extra = tmp_path / "extra" / "policy"
    extra.mkdir(parents=True)
    for name, staffing in (("extra_a", 1.1), ("extra_b", 1.3)):
        (extra / f"{name}.yaml").write_text(f"name: {name}\ngrid:\n  staffing: {staffing}\n", "utf-8")
    done = run(tmp_path, "--config-dir", "extra", *SMALL, "policy=glob(extra_*)", "hydra.sweep.dir=s")
    assert done.returncode == 0, done.stderr[-3000:]
    manifest = json.loads((tmp_path / "s" / "experiment.json").read_text(encoding="utf-8"))
    assert sorted(j["arm"] for j in manifest["jobs"]) == ["policy=extra_a", "policy=extra_b"], manifest
    found = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "s").rglob("job.json")]
    assert len(found) == 2 and {m["status"] for m in found} == {"complete"}
