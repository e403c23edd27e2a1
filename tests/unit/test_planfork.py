"""The ``govsim`` command's plan made in a forked child (``govsim.planfork``): the same plan, the same
refusal, warnings printed once by the parent, and any other failure left to the parent to meet.

``PlanChild.start`` declines to fork a process in which another Python thread runs (a daemon left by an
earlier test in the same pytest worker would do), so each check that needs the fork runs in a fresh
interpreter (the ``in_fresh_process`` fixture: the ``body_*`` function of this file, given a new
directory), as the command's own process is. A function replaced there before ``PlanChild.start`` is the
one the child calls: that is how a fault is injected. The command-level checks (the parent of ``govsim``
composes nothing; a fault in the child still gives a complete run) are in ``test_cli.py``.
"""

from __future__ import annotations

import io
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

QUICK = ["scenario=one_town", "horizon_days=3", "warmup_days=1", "output.figures=false"]


def _started(argv: list[str]) -> Any:
    from govsim.planfork import PlanChild

    child = PlanChild.start(argv)
    assert child is not None, "a Python thread is running in a fresh process: no fork"
    return child


class Injected(RuntimeError):
    """The fault a check forces."""


# ---- bodies, run in a fresh interpreter ----------------------------------------------------------------
def body_same_plan(directory: str) -> None:
    from govsim.config import register_configs
    from govsim.planning import config_identity, plan

    argv = [*QUICK, f"hydra.run.dir={directory}/run"]
    got = _started(argv).result()
    assert got is not None and got.single is not None
    register_configs()
    here = plan(argv)
    assert here.single is not None
    assert config_identity(got.single.config) == config_identity(here.single.config)
    assert got.argv == here.argv == argv
    assert got.single.node == here.single.node  # the composed config Hydra runs, hydra node included


def body_same_refusal(directory: str) -> None:
    from govsim.config import register_configs
    from govsim.planning import plan
    from govsim.rules import InputError

    argv = [*QUICK, "horizon_days=-3", f"hydra.run.dir={directory}/run"]
    with pytest.raises(InputError) as child:
        _started(argv).result()
    register_configs()
    with pytest.raises(InputError) as here:
        plan(argv)
    assert str(child.value) == str(here.value)
    assert "horizon_days" in str(child.value)


def body_warning_once(directory: str) -> None:
    child = _started([*QUICK, "policy.grid.staffing=0.5", f"hydra.run.dir={directory}/run"])
    taken = io.StringIO()
    sys.stderr = taken  # the parent's own stderr from here: what result() prints; the child's is fd 2
    try:
        assert child.result() is not None
    finally:
        sys.stderr = sys.__stderr__
    print(taken.getvalue(), end="")  # on stdout, apart from anything the child wrote to stderr itself


def body_fault_left_to_parent(directory: str) -> None:
    from govsim import planning

    def broken(argv: list[str]) -> Any:
        print("govsim: warning: printed before the fault", file=sys.stderr)
        raise Injected("in the child")

    planning.plan = broken  # type: ignore[assignment]
    assert _started([*QUICK, f"hydra.run.dir={directory}/run"]).result() is None


def body_death_left_to_parent(directory: str) -> None:
    from govsim import planning

    planning.plan = lambda argv: os._exit(3)  # type: ignore[assignment]
    child = _started([*QUICK, f"hydra.run.dir={directory}/run"])
    assert child.result() is None
    assert child.process.exitcode == 3


def body_close_ends_a_child(directory: str) -> None:
    from govsim import planning

    planning.plan = lambda argv: time.sleep(120)  # type: ignore[assignment]
    child = _started([*QUICK, f"hydra.run.dir={directory}/run"])
    time.sleep(0.3)
    child.close()
    assert not child.process.is_alive()
    assert child.process.exitcode == -signal.SIGTERM  # ended by close, not waited for (its plan sleeps 120 s)


def body_plan_without_pandas(directory: str) -> None:
    from govsim.config import register_configs
    from govsim.planning import plan

    register_configs()
    got = plan([*QUICK, "policy.grid.staffing=0.5", f"hydra.run.dir={directory}/run"])  # a warning too
    assert got.single is not None
    loaded = sorted(m for m in sys.modules if m == "pandas" or m.startswith(("pandas.", "pyarrow")))
    assert loaded == [], loaded


# ---- the tests -----------------------------------------------------------------------------------------
def test_planning_imports_no_pandas(tmp_path: Path, in_fresh_process: Callable[..., Any]) -> None:
    """What the child overlaps with the parent's import of pandas must not import it again (0.4-0.6 s)."""
    in_fresh_process(__file__, "body_plan_without_pandas", str(tmp_path))


def test_the_child_plans_what_the_process_itself_would(
    tmp_path: Path, in_fresh_process: Callable[..., Any]
) -> None:
    in_fresh_process(__file__, "body_same_plan", str(tmp_path))


def test_a_refusal_comes_back_as_the_same_one_line(
    tmp_path: Path, in_fresh_process: Callable[..., Any]
) -> None:
    in_fresh_process(__file__, "body_same_refusal", str(tmp_path))


def test_a_warning_is_printed_once_by_the_parent_when_it_takes_the_plan(
    tmp_path: Path, in_fresh_process: Callable[..., Any]
) -> None:
    done = in_fresh_process(__file__, "body_warning_once", str(tmp_path))
    by_parent = [line for line in done.stdout.splitlines() if line.startswith("govsim: warning:")]
    assert len(by_parent) == 1 and "policy.grid.staffing=0.5" in by_parent[0], done.stdout
    assert "govsim: warning:" not in done.stderr  # the child printed nothing itself


def test_a_fault_in_the_child_is_left_to_the_parent_and_prints_nothing(
    tmp_path: Path, in_fresh_process: Callable[..., Any]
) -> None:
    err = in_fresh_process(__file__, "body_fault_left_to_parent", str(tmp_path)).stderr
    assert "printed before the fault" not in err  # the parent plans again and prints it then, once


def test_a_child_that_dies_is_left_to_the_parent(
    tmp_path: Path, in_fresh_process: Callable[..., Any]
) -> None:
    in_fresh_process(__file__, "body_death_left_to_parent", str(tmp_path))


def test_close_ends_a_child_still_planning(tmp_path: Path, in_fresh_process: Callable[..., Any]) -> None:
    in_fresh_process(__file__, "body_close_ends_a_child", str(tmp_path))


def test_no_fork_while_another_python_thread_runs() -> None:
    from govsim.planfork import PlanChild

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert PlanChild.start(QUICK) is None
    finally:
        stop.set()
        other.join()
