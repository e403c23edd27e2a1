"""The console scripts besides ``govsim``: Ctrl-C from the very start ends in one line, not a traceback.

A command's ``main`` handles Ctrl-C while it works (``govsim.stopping``), but Python imports the
command's module before ``main`` runs: SciPy, pandas and Hydra take a second or more, and a Ctrl-C
then printed a ``KeyboardInterrupt`` traceback from inside an import. Each script here imports its
command only inside the ``try``, so a Ctrl-C during the imports, or before ``main`` sets its own
handling, ends as every stop does: one line on stderr, and the process ended by SIGINT (130 in a
shell); SIGTERM during the imports the same (143). Nothing has been written by then. A reader of the
output that stops early (``| head``) ends the command with status 1 and no ``BrokenPipeError``
traceback, as the Python documentation's note on SIGPIPE advises. This module imports nothing heavy
itself.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys

from govsim.stopping import Terminated, end_by_signal, on_sigterm, raise_terminated

__all__ = ["calibrate", "classroom", "experiment", "log", "regress", "report"]


def _run(module: str, prog: str) -> None:
    previous = on_sigterm(raise_terminated)  # while the command imports; its main sets its own
    try:
        command = importlib.import_module(module)
        on_sigterm(previous)
        command.main()
    except KeyboardInterrupt:
        end_by_signal(f"{prog}: interrupted (Ctrl-C)", signal.SIGINT)
    except Terminated:
        end_by_signal(f"{prog}: terminated by SIGTERM as it started; nothing was written")
    except BrokenPipeError:
        # the reader of its output stopped (``| head``): Python's own end on a closed pipe, without the
        # traceback, and no second error as Python flushes the closed stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


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
