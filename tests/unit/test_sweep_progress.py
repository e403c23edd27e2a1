"""The sweep's progress bar counts this sweep's jobs only, not the leftovers of a larger earlier one."""

from __future__ import annotations

import json
from pathlib import Path

from govsim.experiment import MARKER
from govsim.sweep import _Progress


def _marker(sweep: Path, rep: int, manifest: dict) -> None:
    out = sweep / "baseline" / f"rep{rep}"
    out.mkdir(parents=True)
    marker = {
        "key": f"policy=baseline,replication={rep}",
        "status": "complete",
        "base_hash": manifest["base_hash"],
        "code_version": manifest["code_version"],
        "finished": "2026-01-01T00:00:00",
    }
    (out / MARKER).write_text(json.dumps(marker), encoding="utf-8")


def test_a_shrunk_sweep_counts_only_its_own_jobs(tmp_path: Path) -> None:
    # resumed with experiment.replications=4, then again with 3: rep3's directory is still there
    manifest = {
        "name": "four_focus",
        "base_hash": "b",
        "code_version": "c",
        "jobs": [{"key": f"policy=baseline,replication={r}"} for r in range(3)],
    }
    for rep in range(4):
        _marker(tmp_path, rep, manifest)
    progress = _Progress(tmp_path, manifest)
    assert progress._done() == len(manifest["jobs"]) == 3
