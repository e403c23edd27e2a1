"""Counting and summarising KPI masks for many groups at once: the arithmetic of ``kpis.compute_groups``.

``govsim.kpis.compute_groups`` gives what ``compute`` gives for the whole table and, for each grouping,
what ``compute(records[codes == k])`` gives for each group ``k``: the same numbers, key for key (tested),
at a fraction of the cost. Two tools here make that cheap:

* ``group_counts``: every mask's rows per group, the masks packed eight to a byte, one ``np.bincount``
  of byte value × group per byte (a million rows, 36 masks: five counting passes instead of 36 masks
  gathered into group order, or a ``bincount`` per mask);
* ``sort_cohort`` and ``split``: each censored time's durations sorted once, every group's durations
  taken from that order by a stable sort of the small group codes (numpy radix-sorts those), instead
  of a sort of its own per group and grouping (the tie order this changes does not change any summary:
  ``govsim.survival._curve``).

The five censored times of a large table are summarised on worker threads (``Workers``: two, or one
when the run writes its incident table beside the KPI pass; ``SORT_THREADS``) while the caller counts
the masks: numpy's sorts and arithmetic release the GIL, so a second core, where there
is one, shortens the wall time; the numbers are the same to the last bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from govsim.kpimasks import Cohort
from govsim.survival import Censored, censored_sorted

Grouping = tuple[np.ndarray, int]
"""Group codes (one int per row) and the number of groups; a code outside ``[0, n)`` is in no group."""

_BITS = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little").astype(np.int64)
"""(256, 8): the bits of every byte value, lowest first (which of a byte's eight masks a row is in)."""


def codes(values: np.ndarray, n: int) -> np.ndarray:
    """Group codes with ``n`` for rows in no group, as the narrowest unsigned integers (radix-sorted)."""
    code = np.asarray(values)
    code = np.where((code >= 0) & (code < n), code, n)
    return code.astype(np.uint8 if n < 255 else np.uint16 if n < 65535 else np.int64)


def pack(flags: list[np.ndarray]) -> list[tuple[np.ndarray, int]]:
    """Bool masks over rows packed eight to a byte per row: (bytes, masks in it), lowest bit first."""
    out = []
    for first in range(0, len(flags), 8):
        chunk = flags[first : first + 8]
        byte = np.asarray(chunk[0], bool).view(np.uint8).copy()
        for bit, f in enumerate(chunk[1:], 1):
            byte |= np.asarray(f, bool).view(np.uint8) << np.uint8(bit)
        out.append((byte, len(chunk)))
    return out


def group_counts(packed: list[tuple[np.ndarray, int]], code: np.ndarray | None, n: int) -> np.ndarray:
    """Rows set in each packed mask (``pack``), per group: ``(masks, n + 1)`` int64.

    ``code`` from ``codes`` (column ``n``: rows in no group); None counts the whole table (``n`` = 0).
    Exact integer counts: the rows are counted per (byte value, group) by one ``np.bincount`` per
    byte, and each mask's count is the sum over the byte values with its bit set.
    """
    width = n + 1
    out = []
    key = np.empty(len(packed[0][0]) if packed else 0, np.intp)
    for byte, k in packed:
        if code is None:
            tally = np.bincount(byte, minlength=256)[:, None]
        else:
            np.multiply(byte, width, out=key, dtype=np.intp)
            key += code
            tally = np.bincount(key, minlength=256 * width).reshape(256, width)
        out.append(_BITS[:, :k].T @ tally)
    return np.concatenate(out) if out else np.zeros((0, width), np.int64)


def sort_cohort(
    cohort: Cohort, end: float, code: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """A cohort's durations and events (``survival.spell``'s) in order of duration, with its rows' codes.

    ``code``: group codes of every row of the table, one array per grouping; returned for the cohort's
    rows in the same order.
    """
    mask, b, f = cohort
    rows = np.flatnonzero(mask)
    # the durations built in one array, in place: (finish if done else end) - begin, as ``spell`` computes
    # them (NaN <= end is False: a missing finish is not done); fewer row-sized temporaries at once
    duration = f[rows]
    done = duration <= end
    duration[~done] = end
    duration -= b[rows]
    order = np.argsort(duration)  # the sort spell() would make of the same array
    rows = rows[order]
    return duration[order], done[order], [c[rows] for c in code]


def split(duration: np.ndarray, done: np.ndarray, code: np.ndarray, n: int) -> list[Censored]:
    """Each group's censored summary from a cohort in order of duration (``code``: its rows' groups)."""
    by_group = np.argsort(code, kind="stable")  # groups in turn, each still in order of duration
    bounds = np.r_[0, np.cumsum(np.bincount(code, minlength=n + 1))]
    duration, done = duration[by_group], done[by_group]
    return [
        censored_sorted(duration[bounds[g] : bounds[g + 1]], done[bounds[g] : bounds[g + 1]])
        for g in range(n)
    ]


Summaries = tuple[Censored, list[list[Censored]]]
"""A cohort's censored summary overall, and per grouping a list of every group's."""


def summarise(cohort: Cohort, end: float, code: list[np.ndarray], sizes: list[int]) -> Summaries:
    """A cohort sorted once (``sort_cohort``) and summarised overall and per group of every grouping."""
    duration, done, codes = sort_cohort(cohort, end, code)
    groups = [split(duration, done, c, n) for c, n in zip(codes, sizes, strict=True)]
    return censored_sorted(duration, done), groups


PARALLEL_ROWS = 100_000
"""Tables of at least this many rows summarise their censored times on worker threads. Assumed: below
it the five cohorts take a few milliseconds and a thread's start-up is not worth it."""


SORT_THREADS = 2
"""Worker threads that sort the censored times of a large table: two, for the two cores of the machines
govsim is measured on; one when the run writes its incident table beside the KPI pass
(``runner.run_to_dir``), which has the other core, so that two sorts' temporaries and a Parquet row
group are not all held at once (peak RSS of the default command, 2 KPI workers and the writer: 546 MB;
one worker: 496 MB, as serial; the same wall time)."""


class Workers:
    """``threads`` worker threads for a large table (``PARALLEL_ROWS``), else the caller's thread.

    The work handed over is numpy sorting and arithmetic on large arrays, which releases the GIL, so a
    second core shortens the wall time; each task returns its own result, so the numbers do not depend
    on the threads (the same to the last bit, serial or not: tested). ``threads`` None:
    ``SORT_THREADS`` (read at each call); 0: the caller's thread.
    """

    def __init__(self, rows: int, threads: int | None = None) -> None:
        self._pool = None
        threads = SORT_THREADS if threads is None else threads
        if rows >= PARALLEL_ROWS and threads > 0:
            from concurrent.futures import ThreadPoolExecutor  # here: not on the command's start-up

            self._pool = ThreadPoolExecutor(max_workers=threads)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown()

    def submit(self, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` on a worker (a ``Future``), or now (an object with that ``result()``)."""
        return self._pool.submit(fn, *args) if self._pool is not None else _Done(fn(*args))


class _Done:
    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value
