"""``govsim-experiment --config-dir DIR``: a glob over a config group sees the configs only DIR holds.

Before, the sweep's jobs were expanded on govsim's own search path only: ``policy=glob(extra_*)`` over
policies that exist only in the extra directory expanded to no job, and the planner stopped with an
IndexError traceback (seen failing first, issue 16 review).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


def test_glob_over_a_group_of_the_extra_config_dir(tmp_path: Path) -> None:
    extra = tmp_path / "extra" / "policy"
    extra.mkdir(parents=True)
    for name, staffing in (("extra_a", 1.1), ("extra_b", 1.3)):
        (extra / f"{name}.yaml").write_text(f"name: {name}\ngrid:\n  staffing: {staffing}\n", "utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "from govsim.sweep import main; main()", "--config-dir", "extra", *SMALL,
         "policy=glob(extra_*)", "hydra.sweep.dir=s"],  # fmt: skip
        cwd=tmp_path,
        env={**os.environ, "GOVSIM_CODE_VERSION": "config-dir-test"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    manifest = json.loads((tmp_path / "s" / "experiment.json").read_text(encoding="utf-8"))
    assert sorted(j["arm"] for j in manifest["jobs"]) == ["policy=extra_a", "policy=extra_b"], manifest
    found = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "s").rglob("job.json")]
    assert len(found) == 2 and {m["status"] for m in found} == {"complete"}
