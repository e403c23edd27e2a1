"""The ``govsim`` command's plan (compose and check, ``govsim.planning.plan``) in a forked child.

Start-up of a one_town run is mostly two jobs that do not depend on each other: composing and checking the
command line (Hydra's schema, composition, the checks: about 0.6 s of CPU on a slow host) and importing
pandas with pyarrow (about 0.5 s). One process does them one after the other; on two cores they can
overlap (one_town 90 days 2.97 -> 2.56 s in pairs on a slow host, ``benchmarks/pairs.py``).
``PlanChild.start`` forks the command just after ``govsim.cli`` is imported (no thread but the main one is
running, nothing of pandas loaded: the plan needs none of it), the child registers the schema and plans,
and sends back the ``Plan`` (pickled: the checked ``GovsimConfig`` and the composed ``DictConfig``, some
85 KB) or the one-line refusal, while the parent imports pandas. ``result`` waits for it.

Nothing the child does is seen by the user except through the parent: what ``plan`` prints (warnings,
merged sweep values) is caught in the child and printed by the parent when it takes the result, so the
order of lines on stderr is as before; a refusal is raised in the parent as the ``InputError`` it was.
If the child fails in any other way (a fault in govsim, a crash, a signal), ``result`` returns None and
the caller plans in its own process, which raises that fault with its traceback as it always did: the
fork changes the time start-up takes, never what it does. Ctrl-C reaches the parent (the child ignores
SIGINT); ``close`` ends a child still running. Written here rather than with ``concurrent.futures``
(``ProcessPoolExecutor``): its workers are started by ``spawn``/``forkserver`` or a pool's fork, each of
which would import Hydra and govsim again before planning, the cost this module exists to overlap.
"""

from __future__ import annotations

import io
import multiprocessing
import signal
import sys
import threading
import warnings
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

from govsim.rules import InputError

if TYPE_CHECKING:
    from govsim.planning import Plan

__all__ = ["PlanChild"]


class PlanChild:
    """A forked child planning one command line; ``start``, then ``result`` and ``close``."""

    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn

    @classmethod
    def start(cls, argv: list[str]) -> PlanChild | None:
        """Fork a child that plans ``argv``; None (plan in this process) where a fork is not safe or possible.

        A fork is taken only if this process runs no Python thread but the main one (a fork could copy a
        lock another thread holds) and the platform has ``fork``. Native threads alive at the fork
        (OpenBLAS's pool, started by numpy) re-initialise in the child (``pthread_atfork``), so Python's
        warning about forking a multi-threaded process, which counts them, is silenced for this fork, as
        ``govsim.figworker`` does for its own.
        """
        if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
            return None
        ctx = multiprocessing.get_context("fork")
        ours, theirs = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_serve, args=(theirs, argv), name="govsim-plan", daemon=True)
        with warnings.catch_warnings():  # OpenBLAS's pool (numpy) re-initialises in a forked child
            warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
            process.start()
        theirs.close()
        return cls(process, ours)

    def result(self) -> Plan | None:
        """The child's ``Plan``; raises the ``InputError`` it refused with; None if it failed otherwise.

        Prints first what the child's ``plan`` printed on stderr.
        """
        try:
            reply = self.conn.recv()
        except (EOFError, OSError):
            return None  # the child died: the caller plans here, and meets the fault itself
        finally:
            self.close()
        kind, payload, printed = reply
        if printed:
            sys.stderr.write(printed)
            sys.stderr.flush()
        if kind == "plan":
            return payload  # type: ignore[no-any-return]
        if kind == "refused":
            raise InputError(payload)
        return None

    def close(self) -> None:
        """End the child if it still runs, reap it and close the pipe. Idempotent."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.conn.close()


def _serve(conn: Connection, argv: list[str]) -> None:
    """The child: register the schema, plan ``argv``, send ``(kind, payload, stderr text)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which ends this child
    from govsim.config import register_configs
    from govsim.planning import plan
    from govsim.safety import UnsafeConfig
    from govsim.validate import ConfigError

    printed = io.StringIO()
    sys.stderr = printed  # what plan prints goes to the parent, which prints it when it takes the plan
    reply: tuple[str, Any, str]
    try:
        register_configs()
        reply = ("plan", plan(argv), printed.getvalue())
    except (InputError, ConfigError, UnsafeConfig) as exc:
        reply = ("refused", str(exc), printed.getvalue())
    except BaseException:  # noqa: BLE001 - the parent plans again in its own process and meets it there
        reply = ("failed", None, "")  # and prints what plan prints: nothing of it is sent from here
    try:
        conn.send(reply)
    except Exception:  # noqa: BLE001 - an unpicklable plan: the parent plans by itself
        conn.send(("failed", None, ""))
