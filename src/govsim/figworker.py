"""The ``govsim`` command's figures, drawn by a second process while the first writes records and tables.

Only the command's own single run uses it (``cli.run_job(..., own_process=True)`` with
``output.figures`` on): the library (``govsim.run``, ``runner.run_to_dir``), notebooks and a sweep's
jobs draw in their own process as before (``runner.write_figures``). The worker is a ``fork`` of the
command taken before the run is built, after pandas is imported (``cli.main``): at that point the
process runs no thread but the main one and native pools that re-initialise in a forked child, so the
fork is safe and costs a few milliseconds, where a ``spawn``/``forkserver`` child would import Python,
pandas and govsim again. The child imports Matplotlib and ``govsim.plots`` and registers the CJK font
while the parent composes, checks, builds and simulates, then waits on a pipe; it never imports the
model (Mesa, SciPy): ``draw_figures`` lives here, not in ``govsim.runner``. After the simulation the
parent sends it what the figures draw (``FigureData``: the town-day series, the resolution-time
histograms and the grid report rates computed from the incident table in the parent, the grid table,
labels, warm-up, language, run directory; not the incident columns) from a daemon thread, so a child
still importing never holds the parent up, and goes on writing Parquet, CSV and the workbook.

Then the parent has little left to do but wait, so the child uses the second core too: it forks once
more and the two draw their share of the figures at once (``SHARES``; measured on one_town: the
resolution-time chart about as long as the other two together). Both draw with ``draw_figures``, the
very function the in-process route uses (each PNG written by ``atomic.write_atomic``: only complete
files appear); the child reports its drawing seconds or either process's error. ``FigureWorker.wait``
raises ``FigureError`` for a child's error or crash, so the run fails as an in-process figure error does
(``run.json`` failed with the error, exit status non-zero); ``FigureWorker.close`` ends a child that is
still running (an exception or Ctrl-C in the parent), and the child ends its own helper first; a child
whose parent died reads the end of the pipe and exits.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
import traceback
import warnings
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np  # annotations only
    import pandas as pd  # annotations only: the command forks this worker before pandas is imported

from govsim.atomic import write_atomic

__all__ = ["FIGURES", "SHARES", "FigureData", "FigureError", "FigureWorker", "draw_figures"]

FIGURES = ("backlog.png", "resolution_time.png", "hotspot_map.png")
"""The run's figures, in the order they are drawn in one process."""
SHARES = (("backlog.png", "hotspot_map.png"), ("resolution_time.png",))
"""How the worker and its helper split ``FIGURES`` (drawing seconds on one_town 90 days, one process:
backlog 0.13, resolution time 0.23, hot-spot map 0.17)."""


class FigureError(RuntimeError):
    """The figure worker failed (its error and traceback in the message) or ended without replying."""


@dataclass(frozen=True)
class FigureData:
    """What the run's three figures draw, and where they go; picklable (frames, arrays and tuples).

    ``timeseries``: the town-day series (``Records.timeseries``); ``resolution``: the resolution-time
    histograms, (40 bin edges in days, one share array per category or None), from
    ``figdata.resolution_histograms``; ``hotspot``: reports per 1,000 residents per year, one value per
    grid (``figdata.hotspot_rate``); ``grids``: ``Records.grids``; ``warmup`` in days; ``out``: the run
    directory the PNGs are written into. Aggregates, not incident columns: their size grows with towns,
    days and grids, not with tickets (some 2 MB for a Jiangmen year, the town-day series most of it).
    """

    timeseries: pd.DataFrame
    resolution: tuple[np.ndarray, list[np.ndarray | None]]
    hotspot: np.ndarray
    grids: pd.DataFrame
    categories: tuple[str, ...]
    towns: tuple[str, ...]
    warmup: float
    lang: str
    out: Path


class FigureWorker:
    """A forked child that draws one run's figures; ``start``, then ``submit``, ``wait``, and ``close``."""

    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self._sender: threading.Thread | None = None

    @classmethod
    def start(cls) -> FigureWorker | None:
        """Fork the worker; it imports Matplotlib and govsim's plots and waits for ``submit``.

        Returns None (draw in this process) if a Python thread besides the main one is running: a fork
        could copy a lock it holds. Native threads that may be alive when ``cli.main`` forks (the
        console script's entry forks before any), OpenBLAS's pool (numpy) and jemalloc's background
        thread (pyarrow, imported by pandas), both re-initialise in a forked child (their
        ``pthread_atfork`` handlers), so Python's warning about forking a multi-threaded process, which
        counts them, is silenced for this one fork.
        """
        if threading.active_count() > 1:
            return None
        ctx = multiprocessing.get_context("fork")
        ours, theirs = ctx.Pipe(duplex=True)
        process = ctx.Process(target=_serve, args=(theirs, ours), name="govsim-figures", daemon=True)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
            process.start()
        theirs.close()
        return cls(process, ours)

    def submit(self, data: FigureData) -> None:
        """Send ``data`` from a daemon thread and return at once (a pipe write blocks until it is read)."""
        self._sender = threading.Thread(target=self._send, args=(data,), name="govsim-figsend", daemon=True)
        self._sender.start()

    def _send(self, data: FigureData) -> None:
        try:
            self.conn.send(data)
        except OSError:
            pass  # the child is gone: wait() reports its error or its exit status

    def wait(self) -> float:
        """Wait for the figures; return the child's drawing seconds. ``FigureError`` if it failed or died."""
        try:
            reply = self.conn.recv()
        except (EOFError, OSError):
            self.process.join(5)
            raise FigureError(
                f"the figure process ended (exit status {self.process.exitcode}) before drawing the figures"
            ) from None
        if self._sender is not None:
            self._sender.join()
        if reply[0] == "ok":
            return float(reply[1])
        raise FigureError(f"{reply[1]} (in the figure process)\n{reply[2]}")

    def close(self) -> None:
        """End the child if it still runs (SIGTERM, then SIGKILL), reap it and close the pipe. Idempotent."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2)
            if self.process.is_alive():
                self.process.kill()
        self.process.join()
        self.conn.close()


def _serve(conn: Connection, parents_end: Connection) -> None:
    """The child: prepare Matplotlib, take one ``FigureData``, draw it, reply ``ok``/``error``."""
    parents_end.close()  # else the parent's death would never show here as the end of the pipe
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which ends this child
    prepared: BaseException | None = None
    try:
        from govsim import plots

        plots.register_cjk_font()
    except BaseException as exc:  # noqa: BLE001 - reported to the parent with the job
        prepared = exc
    try:
        data = conn.recv()
    except (EOFError, OSError):
        return  # the parent ended (or failed) before the records existed: nothing to draw
    try:
        if prepared is not None:
            raise prepared
        start = time.perf_counter()
        _draw_shared(data)
        reply: tuple[Any, ...] = ("ok", time.perf_counter() - start)
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent, which fails the run
        reply = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
    try:
        conn.send(reply)
    except OSError:
        pass


def _draw_shared(data: FigureData) -> None:
    """Draw ``SHARES[1]`` in a forked helper and ``SHARES[0]`` here; raise the first error of either.

    The helper (``os.fork``: this child is a daemon, which ``multiprocessing`` does not let have
    children) writes its error, if any, into a pipe and exits 1; it is killed if this child is ended
    (SIGTERM from ``FigureWorker.close``) before it is done.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the helper
        os.close(read_end)
        status = 0
        try:
            draw_figures(data, SHARES[1])
        except BaseException as exc:  # noqa: BLE001 - reported through the pipe
            os.write(write_end, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}".encode())
            status = 1
        os._exit(status)
    os.close(write_end)
    previous = signal.signal(signal.SIGTERM, partial(_end_helper, pid, data.out))
    try:
        draw_figures(data, SHARES[0])
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            error = pipe.read().decode(errors="replace")  # to the helper's exit: the pipe's end
        _, status = os.waitpid(pid, 0)
        signal.signal(signal.SIGTERM, previous)
    if status != 0:
        head, _, tb = error.partition("\n")
        ended = f"the figure helper ended (exit status {os.waitstatus_to_exitcode(status)})"
        raise FigureError(f"{head or ended}\n{tb}".rstrip())


def _end_helper(pid: int, out: Path, signum: int, frame: object) -> None:
    """SIGTERM in the child: kill the helper too (it must not write into a run that failed), then end.

    Both may be inside ``atomic.write_atomic``, whose clean-up an ending by signal or ``os._exit`` skips:
    once the helper is dead, the figures' temporary files (``.NAME.XXXX`` beside each figure) are removed.
    """
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
    for name in FIGURES:
        for tmp in out.glob(f".{name}.*"):
            tmp.unlink(missing_ok=True)
    os._exit(128 + signum)


def draw_figures(data: FigureData, names: tuple[str, ...] = FIGURES) -> None:
    """Draw the figures ``names`` (of ``FIGURES``) of ``data`` into ``data.out`` (``atomic.write_atomic``).

    The one drawing routine of both routes: in process (``runner.write_figures``) and in the figure
    worker. It lives here, not in ``govsim.runner``, so that the worker never imports the model (Mesa,
    SciPy).
    """
    from govsim import plots

    lang = data.lang
    draw = {
        "backlog.png": lambda: plots.plot_backlog(data.timeseries, lang, warmup=data.warmup),
        "resolution_time.png": lambda: plots.plot_resolution_shares(*data.resolution, data.categories, lang),
        "hotspot_map.png": lambda: plots.plot_hotspot_rates(data.grids, data.hotspot, lang, towns=data.towns),
    }
    for name in names:
        fig = draw[name]()
        write_atomic(data.out / name, partial(fig.savefig, dpi=plots.SAVE_DPI, format="png"))
