"""How govsim's commands stop when asked to (SIGTERM, Ctrl-C): one line, nothing half-written left behind.

Python ends a process on SIGTERM at once, without running ``finally`` blocks or exit handlers, where
Ctrl-C raises ``KeyboardInterrupt`` and unwinds. A command that writes results (a run's ``run.json``, a
report rebuilt in a temporary directory) sets ``on_sigterm(raise_terminated)`` while it works, so SIGTERM
(``timeout``, a scheduler's time limit, ``kill``) raises ``Terminated`` in the main thread and unwinds as
Ctrl-C does. The console script then calls ``end_by_signal`` with one line instead of a traceback, so
whoever sent the signal sees the status it expects (143 for SIGTERM, 130 for Ctrl-C, in a shell). Written
here because the standard library has the pieces (``signal``) but no such pattern, and every command
needs the same one.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

__all__ = ["Stopped", "Terminated", "end_by_signal", "on_sigterm", "raise_terminated", "stopped_signal"]


class Stopped(BaseException):
    """A govsim command was asked to stop by signal ``signum`` (SIGTERM, SIGINT: Ctrl-C, or SIGHUP).

    Raised in the main thread by the command's own handler (``govsim-experiment`` handles all three;
    the other commands SIGTERM, as ``Terminated``), so that work in progress records itself
    as failed or removes what it had begun. A ``BaseException``, like ``KeyboardInterrupt``, so that
    no ``except Exception`` on the way (Hydra's, a job's, ours) takes it for a fault.
    """

    def __init__(self, signum: int, message: str | None = None) -> None:
        super().__init__(message or f"stopped by {signal.Signals(signum).name}")
        self.signum = int(signum)


class Terminated(Stopped):
    """SIGTERM reached a govsim command (``timeout``, a scheduler's time limit, ``kill``)."""

    def __init__(self, message: str = "SIGTERM: the command was asked to stop (timeout, a time limit, kill)"):
        super().__init__(signal.SIGTERM, message)


def stopped_signal(exc: BaseException) -> int:
    """The signal behind a stop: ``Stopped``'s own, else SIGINT (a ``KeyboardInterrupt``)."""
    return exc.signum if isinstance(exc, Stopped) else int(signal.SIGINT)


def raise_terminated(signum: int, frame: FrameType | None) -> None:
    """The SIGTERM handler: raise ``Terminated`` (in the main thread, where Python runs handlers)."""
    raise Terminated()


def on_sigterm(handler: Callable[[int, FrameType | None], Any] | int | None) -> Any:
    """Set the SIGTERM handler and return the previous one; None, changing nothing, where govsim may not.

    ``handler=None`` (nothing was set) changes nothing. ``raise_terminated`` is set only in the main
    thread (``signal`` allows no other) and only over the default disposition: a handler of the caller's
    (a program that calls a command's ``main`` in-process) is left alone. Any other handler (the previous
    one, back) is set as given.
    """
    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    if handler is raise_terminated and signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return None
    return signal.signal(signal.SIGTERM, handler)


def end_by_signal(message: str, signum: int = signal.SIGTERM, exit_handlers: bool | float = False) -> None:
    """Print ``message`` on stderr, then end this process by ``signum`` itself (its default disposition).

    Called by a console script that caught ``Terminated`` (SIGTERM) or ``KeyboardInterrupt`` (SIGINT,
    Ctrl-C) instead of a traceback: the shell, ``timeout`` or a scheduler sees the process killed by the
    signal it sent (status 143 or 130), as Python's own exit on an uncaught ``KeyboardInterrupt`` does.
    ``exit_handlers``: run what Python runs at exit first (``atexit``: log files closed, a process pool's
    semaphores released), for a command whose workers' libraries register such handlers; a number of
    seconds runs them in a thread and waits that long at most (a handler may wait on what is stuck).
    """
    print(message, file=sys.stderr)
    if exit_handlers is True:
        atexit._run_exitfuncs()
    elif exit_handlers:
        handlers = threading.Thread(target=atexit._run_exitfuncs, daemon=True)
        handlers.start()
        handlers.join(float(exit_handlers))
    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
