"""The console scripts besides ``govsim``: Ctrl-C from the very start ends in one line, not a traceback.

A command's ``main`` handles Ctrl-C while it works (``govsim.stopping``), but Python imports the
command's module before ``main`` runs: SciPy, pandas and Hydra take a second or more, and a Ctrl-C
then printed a ``KeyboardInterrupt`` traceback from inside an import. Each script here imports its
command only inside the ``try``, so a Ctrl-C during the imports, or before ``main`` sets its own
handling, ends as every stop does: one line on stderr, and the process ended by SIGINT (130 in a
shell). Nothing has been written by then. This module imports nothing heavy itself.
"""

from __future__ import annotations

import importlib
import signal

from govsim.stopping import end_by_signal

__all__ = ["calibrate", "classroom", "experiment", "log", "regress", "report"]


def _run(module: str, prog: str) -> None:
    try:
        importlib.import_module(module).main()
    except KeyboardInterrupt:
        end_by_signal(f"{prog}: interrupted (Ctrl-C)", signal.SIGINT)


def report() -> None:
    """``govsim-report`` (``govsim.report.main``)."""
    _run("govsim.report", "govsim-report")


def experiment() -> None:
    """``govsim-experiment`` (``govsim.sweep.main``)."""
    _run("govsim.sweep", "govsim-experiment")


def regress() -> None:
    """``govsim-regress`` (``govsim.regress.main``)."""
    _run("govsim.regress", "govsim-regress")


def classroom() -> None:
    """``govsim-class`` (``govsim.classroom.main``)."""
    _run("govsim.classroom", "govsim-class")


def log() -> None:
    """``govsim-log`` (``govsim.logtool.main``)."""
    _run("govsim.logtool", "govsim-log")


def calibrate() -> None:
    """``govsim-calibrate`` (``govsim.calibrate.main``)."""
    _run("govsim.calibrate", "govsim-calibrate")
