"""The ``govsim`` command's figure worker (``govsim.figworker``): same PNGs, honest failures, no orphans.

The worker is a fork, so a drawing function replaced in this process before ``FigureWorker.start``
(``monkeypatch``) is the one the worker calls: that is how a failure is injected, here and in the
command-level probe (a subprocess running ``cli.command`` with a patched ``govsim.plots``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


PROBE = """
import json, sys
import govsim.plots
from govsim import cli, figworker, runner

mode = sys.argv.pop(1)
start = figworker.FigureWorker.start.__func__


def started(cls):
    worker = start(cls)
    print(json.dumps({"worker": worker.process.pid}), file=sys.stderr, flush=True)
    return worker


def fail(*args, **kwargs):
    raise RuntimeError("injected figure fault")


def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


figworker.FigureWorker.start = classmethod(started)
if mode == "fail":
    govsim.plots.plot_hotspot = fail
elif mode == "interrupt":
    runner.simulate = interrupt
sys.argv = ["govsim", *sys.argv[1:]]
cli.command()
"""


def _command(
    mode: str, tmp_path: Path, *overrides: str
) -> tuple[subprocess.CompletedProcess[str], int | None]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode, *BASE, *overrides, "hydra.run.dir=run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    pids = [json.loads(line)["worker"] for line in done.stderr.splitlines() if line.startswith('{"worker"')]
    assert len(pids) <= 1
    return done, (pids[0] if pids else None)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split(")")[1].split()[0] == "Z"  # reaped soon by init


def test_the_command_draws_in_a_worker_and_records_its_time(tmp_path: Path) -> None:
    done, pid = _command("ok", tmp_path, "output.figures=true")
    assert done.returncode == 0, done.stderr
    assert pid is not None and _gone(pid)
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))
    assert info["status"] == "complete"
    assert set(info["phases"]) == {"build", "simulate", "kpis", "records", "tables", "figures"}
    assert info["figures_drawn"] > 0
    assert all((tmp_path / "run" / name).stat().st_size > 0 for name in PNGS)


def test_the_command_without_figures_starts_no_worker(tmp_path: Path) -> None:
    done, pid = _command("ok", tmp_path, "output.figures=false")
    assert done.returncode == 0, done.stderr
    assert pid is None
    assert not any((tmp_path / "run" / name).exists() for name in PNGS)
    assert "figures_drawn" not in json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))


def test_a_figure_error_in_the_worker_fails_the_command(tmp_path: Path) -> None:
    done, pid = _command("fail", tmp_path, "output.figures=true")
    assert done.returncode != 0
    assert pid is not None and _gone(pid)
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))
    assert info["status"] == "failed"
    assert info["error"].startswith("FigureError: RuntimeError: injected figure fault")
    assert not (tmp_path / "run" / "hotspot_map.png").exists()


def test_an_interrupted_command_leaves_no_worker(tmp_path: Path) -> None:
    done, pid = _command("interrupt", tmp_path, "output.figures=true")
    assert done.returncode != 0
    assert pid is not None and _gone(pid)
    assert json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))["status"] == "failed"
