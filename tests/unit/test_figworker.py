"""The ``govsim`` command's figure worker (``govsim.figworker``): same PNGs, honest failures, no orphans.

The worker is a fork, so a drawing function replaced in this process before ``FigureWorker.start``
(``monkeypatch``) is the one the worker calls: that is how a failure is injected. The command-level
tests (the worker of ``govsim`` itself, a failure's exit status, no worker without figures, none left
after an interruption) are in ``test_cli.py``, the tests allowed to import the command.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import govsim.plots
from govsim.compose import compose
from govsim.figworker import FigureError, FigureWorker
from govsim.records import Records
from govsim.runner import figure_data, run_to_dir, simulate, write_figures

BASE = ["scenario=one_town", "horizon_days=20", "warmup_days=5", "output.progress=false"]
PNGS = ("backlog.png", "resolution_time.png", "hotspot_map.png")


class Injected(RuntimeError):
    """The fault a test forces."""


@pytest.fixture(scope="module")
def rec() -> Records:
    return simulate(compose([*BASE, "output.figures=false"])).records


def _started() -> FigureWorker:
    worker = FigureWorker.start()
    assert worker is not None, "a Python thread is running in the test process: no fork"
    return worker


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_worker_writes_the_same_pngs_as_drawing_in_process(
    rec: Records, tmp_path: Path, lang: str
) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    write_figures(rec, here, lang)
    worker = _started()
    try:
        worker.submit(figure_data(rec, there, lang))
        drawn = worker.wait()
    finally:
        worker.close()
    assert drawn > 0
    assert sorted(p.name for p in there.iterdir()) == sorted(PNGS)  # no temporary file left
    for name in PNGS:
        assert (there / name).read_bytes() == (here / name).read_bytes(), name


def _raise(*_args: Any, **_kwargs: Any) -> Any:
    raise Injected("figures")


def _die(*_args: Any, **_kwargs: Any) -> Any:
    os._exit(7)


def test_a_figure_error_in_the_worker_fails_the_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(govsim.plots, "plot_hotspot", _raise)
    worker = _started()
    try:
        with pytest.raises(FigureError, match="Injected: figures"):
            run_to_dir(compose([*BASE, "output.figures=true"]), tmp_path, figures=worker)
    finally:
        worker.close()
    info = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert info["status"] == "failed" and "Injected: figures" in info["error"]
    assert "_raise" in info["error"]  # the child's traceback is carried over
    assert not (tmp_path / "hotspot_map.png").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no half-written file


def test_a_worker_that_dies_fails_the_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(govsim.plots, "plot_backlog", _die)
    worker = _started()
    try:
        with pytest.raises(FigureError, match="exit status 7"):
            run_to_dir(compose([*BASE, "output.figures=true"]), tmp_path, figures=worker)
    finally:
        worker.close()
    assert json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))["status"] == "failed"


def test_closing_an_idle_worker_ends_it() -> None:
    worker = _started()
    worker.close()
    assert not worker.process.is_alive() and worker.process.exitcode is not None
