"""One glibc malloc arena, and Arrow's buffers on it, for the ``govsim`` command: a lower, steadier peak.

glibc's ``malloc`` gives each thread that allocates while another holds the main arena an arena of its
own (up to eight per core), and memory freed in one arena is reused by that arena only. A run's end has
threads that allocate beside the main one (``atomic.WriteBeside`` writing ``incidents.parquet`` while
the KPI pass sorts, the KPI pass's sorting threads, the figure data's sender): each grows an arena of
its own while the main thread's freed blocks lie idle in the main arena, and how much the two overlap
depends on which thread gets there first, so the process's peak RSS varies from run to run. Measured
with ``/usr/bin/time`` on ``govsim scenario.population_scale=0.5`` (4–6 runs each, 2 cores): 341–362 MB
as glibc sets it, bimodal (341–344 or 360–362); 321–343 MB with one arena; the default Jiangmen year
484–501 MB against 469–484 MB, its wall time unchanged (8.1–8.4 s against 8.0–8.6 s). glibc's own
setting is ``mallopt(M_ARENA_MAX, 1)`` (the ``MALLOC_ARENA_MAX=1`` environment variable, read at the
process's first ``malloc``; too late for a console script to set). No library offers it: it is one call
into the C library, through ``ctypes`` (standard library).

Arrow (pyarrow: the Parquet files, pandas' Arrow-backed strings) allocates its buffers from a pool of
its own, mimalloc in the wheels on PyPI, which keeps the pages it freed for reuse rather than giving
them back: at a run's end the incident table's row groups (about 30 MB of Arrow columns each) stay
resident after they are written. ``arrow_on_malloc`` makes Arrow allocate with ``malloc`` instead
(Arrow's own switch: ``ARROW_DEFAULT_MEMORY_POOL=system``, read when pyarrow first needs its pool), on
the one arena above, whose large blocks go back to the system when freed. Measured with
``/usr/bin/time``, 3–6 runs each, one arena both ways: ×0.25 254–256 → 227–229 MB, ×0.5 321–328 →
294–306 MB, ×1 460–480 → 454 MB, ×2 772 MB both; wall time unchanged at every scale.

Called by the ``govsim`` command at the top of ``cli.py``, before the libraries it imports start threads:
glibc reads the limit when a thread first needs an arena, and arenas made before it stay (later threads
then share those), so it must be set before other threads allocate. Never on ``import govsim``, so a
library user's process is left as it is. Not glibc (macOS, musl): nothing is done.
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["ARROW_POOL", "M_ARENA_MAX", "arrow_on_malloc", "is_glibc", "one_malloc_arena"]

M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter number for the arena limit (``malloc.h``: ``#define M_ARENA_MAX -8``)."""


def is_glibc() -> bool:
    """Whether this process's C library is glibc (``confstr(CS_GNU_LIBC_VERSION)``); never raises."""
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (ValueError, OSError):  # no such name (macOS) or not answered
        return False


def one_malloc_arena() -> bool:
    """Limit glibc's malloc to one arena for the rest of the process; True if set, False if not glibc.

    Raises nothing: where the C library is not glibc or has no ``mallopt``, returns False and changes
    nothing.
    """
    if not is_glibc():
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, 1))


ARROW_POOL = "ARROW_DEFAULT_MEMORY_POOL"
"""Arrow's environment variable naming its default memory pool (``system``, ``mimalloc``, ``jemalloc``)."""


def arrow_on_malloc() -> bool:
    """Make Arrow allocate with ``malloc`` (its ``system`` pool); True if set now.

    False, changing nothing, if pyarrow is already imported (its pool may exist) or the variable is
    already set (a user's own choice is kept). The variable is inherited by the processes this one
    starts (the figure worker, a sweep's workers), which run govsim's command code too.
    """
    if "pyarrow" in sys.modules or ARROW_POOL in os.environ:
        return False
    os.environ[ARROW_POOL] = "system"
    return True
