"""The ``govsim`` command's figure worker (``govsim.figworker``): same PNGs, honest failures, no orphans.

The worker is a fork, and ``FigureWorker.start`` declines to fork a process in which another Python thread
runs (a daemon such as tqdm's monitor, left by an earlier test in the same pytest worker, would do). So
each check runs in a fresh interpreter (the ``in_fresh_process`` fixture: the ``body_*`` function of
this file, with a new directory), as the command's own process is. A drawing function replaced there before
``FigureWorker.start`` is the one the worker calls: that is how a failure is injected. The command-level
tests (the worker of ``govsim`` itself, a failure's exit status, the worker ended without figures or on
bad input, none left after an interruption) are in ``test_cli.py``, the tests allowed to import the
command.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

BASE = ["scenario=one_town", "horizon_days=20", "warmup_days=5", "output.progress=false"]
PNGS = ("backlog.png", "resolution_time.png", "hotspot_map.png")


class Injected(RuntimeError):
    """The fault a check forces."""


def _started() -> Any:
    from govsim.figworker import FigureWorker

    worker = FigureWorker.start()
    assert worker is not None, "a Python thread is running in a fresh process: no fork"
    return worker


def _raise(*_args: Any, **_kwargs: Any) -> Any:
    raise Injected("figures")


def _die(*_args: Any, **_kwargs: Any) -> Any:
    os._exit(7)


# ---- the checks, each run in its own process -------------------------------------------------------
def body_same_pngs(lang: str, where: str) -> None:
    from govsim.compose import compose
    from govsim.runner import figure_data, simulate, write_figures

    worker = _started()  # before the run, as the command forks it
    try:
        rec = simulate(compose([*BASE, "output.figures=false"])).records
        here, there = Path(where) / "here", Path(where) / "there"
        here.mkdir()
        there.mkdir()
        write_figures(rec, here, lang)
        worker.submit(figure_data(rec, there, lang))
        drawn = worker.wait()
    finally:
        worker.close()
    assert drawn > 0
    assert sorted(p.name for p in there.iterdir()) == sorted(PNGS)  # no temporary file left
    for name in PNGS:
        assert (there / name).read_bytes() == (here / name).read_bytes(), name


FAULTS = {
    "error": ("plot_hotspot_rates", _raise, "Injected: figures"),  # the drawing raises
    "death": ("plot_backlog", _die, "exit status 7"),  # the worker process dies
    # in the worker's helper (SHARES[1])
    "helper error": ("plot_resolution_shares", _raise, "Injected: figures"),
    "helper death": ("plot_resolution_shares", _die, "helper ended \\(exit status 7\\)"),
}


def body_fault_fails_the_run(fault: str, where: str) -> None:
    """A fault of ``FAULTS`` in the worker fails the run: ``FigureError``, run.json says failed."""
    import govsim.plots
    from govsim.compose import compose
    from govsim.figworker import FigureError
    from govsim.runner import run_to_dir

    name, replacement, message = FAULTS[fault]
    out = Path(where)
    setattr(govsim.plots, name, replacement)
    worker = _started()
    try:
        with pytest.raises(FigureError, match=message):
            run_to_dir(compose([*BASE, "output.figures=true"]), out, figures=worker)
    finally:
        worker.close()
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert info["status"] == "failed" and re.search(message, info["error"])
    if "error" in fault:
        assert "_raise" in info["error"]  # the child's (or its helper's) traceback is carried over
        assert not (out / ("hotspot_map.png" if fault == "error" else "resolution_time.png")).exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no half-written file


def body_close_ends_the_helper(where: str) -> None:
    """Ending the worker while its helper draws ends the helper too: no figure appears afterwards."""
    import govsim.plots
    from govsim.compose import compose
    from govsim.runner import figure_data, simulate

    drawing = Path(where) / "helper.pid"
    real = govsim.plots.plot_resolution_shares

    def slow(*args: Any, **kwargs: Any) -> Any:
        drawing.write_text(str(os.getpid()))
        time.sleep(30)
        return real(*args, **kwargs)

    govsim.plots.plot_resolution_shares = slow
    worker = _started()
    try:
        rec = simulate(compose([*BASE, "output.figures=false"])).records
        worker.submit(figure_data(rec, Path(where), "zh"))
        deadline = time.monotonic() + 60
        while not drawing.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        helper = int(drawing.read_text())
        assert helper not in (os.getpid(), worker.process.pid)
    finally:
        worker.close()
    deadline = time.monotonic() + 20  # under 30 s: a helper left alive is still drawing then
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helper)
    assert not (Path(where) / "resolution_time.png").exists()


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by its new parent, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state not in ("Z", "X")


def body_close_idle() -> None:
    worker = _started()
    worker.close()
    assert not worker.process.is_alive() and worker.process.exitcode is not None


# ---- the tests --------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_worker_writes_the_same_pngs_as_drawing_in_process(
    tmp_path: Path, lang: str, in_fresh_process: Callable[..., Any]
) -> None:
    in_fresh_process(__file__, "body_same_pngs", lang, str(tmp_path))


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_fault_in_the_worker_fails_the_run(
    tmp_path: Path, fault: str, in_fresh_process: Callable[..., Any]
) -> None:
    in_fresh_process(__file__, "body_fault_fails_the_run", fault, str(tmp_path))


def test_closing_a_drawing_worker_ends_its_helper(
    tmp_path: Path, in_fresh_process: Callable[..., Any]
) -> None:
    in_fresh_process(__file__, "body_close_ends_the_helper", str(tmp_path))


def test_closing_an_idle_worker_ends_it(in_fresh_process: Callable[..., Any]) -> None:
    in_fresh_process(__file__, "body_close_idle")


def test_a_check_that_fails_in_its_process_fails_the_test(in_fresh_process: Callable[..., Any]) -> None:
    """The runner reports a failing body: the checks above cannot pass by not running."""
    with pytest.raises(AssertionError, match="a Python thread|AssertionError"):
        in_fresh_process(__file__, "body_fails_on_purpose")


def body_fails_on_purpose() -> None:
    raise AssertionError("on purpose")
