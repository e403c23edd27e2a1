"""No shipped slider or sweep moves grid staffing inside the one-worker-per-grid floor, where it does nothing.

``policies._grid_workers`` keeps every grid's own worker (一格一员), so ``policy.grid.staffing`` below
``1 / worker.per_grid`` gives the same run as at that value: a slider position or a sweep arm there would
show a class or a reader an effect of zero that the model imposes, not one it finds.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from govsim import levers
from govsim.compose import config_dir
from govsim.config import WorkerConfig

KEY = "policy.grid.staffing"
FLOOR = 1.0 / WorkerConfig().per_grid


def shipped_per_grid() -> list[float]:
    """``worker.per_grid`` of every shipped scenario (the schema default where a scenario leaves it)."""
    out = []
    for path in sorted((Path(config_dir()) / "scenario").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out.append(float((data.get("worker") or {}).get("per_grid", WorkerConfig().per_grid)))
    return out


def test_the_classroom_slider_starts_at_the_floor() -> None:
    slider = levers.classroom()["staffing"].slider
    assert slider is not None
    assert all(slider.lo * per_grid >= 1.0 - 1e-9 for per_grid in shipped_per_grid())


def test_no_shipped_experiment_sweeps_staffing_into_the_floor() -> None:
    seen = 0
    for path in sorted((Path(config_dir()) / "experiment").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        params = ((data.get("hydra") or {}).get("sweeper") or {}).get("params") or {}
        if KEY in params:
            seen += 1
            assert min(float(v) for v in str(params[KEY]).split(",")) >= FLOOR, path.name
        for factor in ((data.get("experiment") or {}).get("sensitivity") or {}).get("factors") or []:
            if factor["key"] == KEY:
                seen += 1
                assert float(factor["low"]) >= FLOOR, path.name
    assert seen >= 2  # staffing_sweep and sensitivity: the test reads what it means to
