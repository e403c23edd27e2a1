"""Which tickets each KPI counts: its numerator and denominator, or its cohort, as bool arrays over rows.

The definitions of ``govsim.kpidefs.DEFINITIONS`` (cohorts, limits, censoring: see ``govsim.kpis``) written
once, on a ticket table's columns as numpy arrays (``Columns``); ``govsim.kpis.compute_groups`` counts
these masks overall and per group. A table without a column a KPI needs (an observed log) gives None for
that KPI, which comes out NaN. Times are float days; NaN (not yet) fails every comparison, so a stage
that has not happened is never "done by" a limit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from govsim import records

Rate = tuple[np.ndarray, np.ndarray]
"""(numerator, denominator) bool masks over the table's rows; the numerator is within the denominator."""
Cohort = tuple[np.ndarray, np.ndarray, np.ndarray]
"""A time KPI's tickets (bool mask over rows) and each row's begin and end times (float days)."""
COHORTS: tuple[str, ...] = ("resolution", "discovery_delay", "triage_wait", "routing_time", "department_wait")
"""The censored times' cohorts, in ``cohorts``' order."""


class Columns:
    """A ticket table's columns as numpy arrays, each converted once (no copy for numpy-backed columns).

    ``cols(name)`` raises ``KeyError`` for a missing column (the KPIs needing it are None);
    ``cols.time(name)`` is a column as float days.
    """

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self._cache: dict[tuple[str, bool], np.ndarray] = {}

    def __call__(self, name: str) -> np.ndarray:
        """The column ``name`` as it is stored; ``KeyError`` if the table lacks it."""
        return self._get(name, False)

    def time(self, name: str) -> np.ndarray:
        """The column ``name`` as float days; ``KeyError`` if the table lacks it."""
        return self._get(name, True)

    def _get(self, name: str, as_float: bool) -> np.ndarray:
        key = (name, as_float)
        if key not in self._cache:
            col = self.table[name]  # KeyError if the table lacks it
            self._cache[key] = col.to_numpy(float) if as_float else col.to_numpy()
        return self._cache[key]

    def has(self, *names: str) -> bool:
        """Whether the table has every one of ``names``."""
        return all(c in self.table.columns for c in names)

    def flag(self, name: str) -> np.ndarray:
        """A column as bool (``astype(bool)``, as pandas would: NaN is True)."""
        return self(name).astype(bool, copy=False)

    def real(self) -> np.ndarray:
        """``records.real``: neither a false report nor a duplicate (every row of a log without the flags)."""
        if ("real", False) not in self._cache:
            self._cache[("real", False)] = records.real(self.table).to_numpy(bool)
        return self._cache[("real", False)]

    def __len__(self) -> int:
        return len(self.table)


def _in(x: np.ndarray, start: float, end: float) -> np.ndarray:
    """Instants (a report) in the period ``[start, end)``."""
    return (x >= start) & (x < end)


def _ends_in(limit: np.ndarray, start: float, end: float) -> np.ndarray:
    """Time limits (a deadline, a response limit) ending in the period: ``(start, end]``.

    Limits end at day ends: 30.0 is the end of day 29, the last day of ``[0, 30)``, and belongs to it, not
    to ``[30, 60)``; so each limit falls in exactly one of two consecutive periods.
    """
    return (limit > start) & (limit <= end)


def _done_by(x: np.ndarray, limit: np.ndarray | float) -> np.ndarray:
    return x <= limit  # NaN (not done) compares False


def _once(make: Callable[[], np.ndarray]) -> Callable[[], np.ndarray]:
    """``make`` evaluated at its first call only (a denominator shared by several rates)."""
    memo: list[np.ndarray] = []

    def get() -> np.ndarray:
        if not memo:
            memo.append(make())
        return memo[0]

    return get


def _rates(c: Columns, start: float, end: float) -> dict[str, Callable[[], Rate]]:
    """Each rate as a (numerator, denominator) pair of masks, built lazily (columns may be missing)."""
    real = c.real()
    rep = real & _in(c.time("t_report"), start, end)
    due = _once(lambda: real & (c("department") >= 0) & _ends_in(c.time("deadline"), start, end))
    # a department is set when triage is scheduled; the ticket is dispatched (派单) when triage ends,
    # which may be after the horizon (``t_triage_end`` NaN): only dispatched tickets are routed
    assigned = _once(lambda: rep & (c("department") >= 0))
    routed = _once(lambda: assigned() & ~np.isnan(c.time("t_triage_end")))
    on_time = _once(lambda: _done_by(c.time("t_handle_end"), c.time("deadline")))

    def response() -> Rate:
        limit = c.time("response_due")
        den = real & (c("department") >= 0) & _ends_in(limit, start, end)
        return _done_by(c.time("t_handle_start"), limit), den

    def handled_rep() -> np.ndarray:
        return rep & _done_by(c.time("t_handle_end"), end)

    def reopen() -> Rate:
        den = assigned() & (_done_by(c.time("t_handle_end"), end) | (c("reopen_count") > 0))  # handled
        return c("reopen_count") > 0, den

    def fed_back() -> np.ndarray:
        return (c("satisfied") >= 0) & _done_by(c.time("t_close"), end)

    return {
        "on_time_rate": lambda: (on_time(), due()),
        "overdue_rate": lambda: (~on_time(), due()),
        "closure_rate": lambda: (_done_by(c.time("t_handle_end"), end), due()),
        "extension_rate": lambda: (c.flag("extended"), due()),  # a log without the flag: NaN
        "on_site_share": lambda: (c.flag("on_site"), rep),
        "response_rate": response,
        "followup_rate": lambda: (fed_back(), handled_rep()),
        "satisfaction_rate": lambda: (c("satisfied") == 1, rep & fed_back()),
        "reopen_rate": reopen,
        "petition_rate": lambda: (c.flag("petitioned"), rep),
        "open_share": lambda: (~_done_by(c.time("t_close"), end), rep),
        "patrol_share": lambda: (c("channel") == 0, rep),
        "escalation_rate": lambda: (c("escalation_level") >= 1, routed()),
        "lifted_rate": lambda: (c("escalation_level") >= 3, routed()),
        "misroute_rate": lambda: (c("n_misroutes") > 0, routed()),
    }


def rate_masks(c: Columns, start: float, end: float) -> dict[str, Rate | None]:
    """Each rate's rows as two bool arrays: numerator (within the denominator) and denominator.

    None where the table lacks a column the rate needs.
    """
    out: dict[str, Rate | None] = {}
    for key, rate in _rates(c, start, end).items():
        try:
            num, den = rate()
        except KeyError:
            out[key] = None
            continue
        out[key] = (np.asarray(num & den, bool), np.asarray(den, bool))
    return out


def count_masks(c: Columns, start: float, end: float) -> dict[str, np.ndarray | None]:
    """The rows each count KPI counts (bool arrays); None where the table cannot tell (no ``end_state``)."""
    rep = _in(c.time("t_report"), start, end)
    n = len(c)
    dup = (c("duplicate_of") >= 0 if c.has("duplicate_of") else np.zeros(n, bool)) & rep
    has_state = c.has("end_state")
    merged = c("end_state") == records.EndState.MERGED if has_state else np.zeros(n, bool)
    false = c.flag("is_false") if c.has("is_false") else np.zeros(n, bool)
    return {
        "incidents": c.real() & rep,
        "duplicate_tickets": dup & ~merged,
        "merged_duplicates": dup & merged if has_state else None,
        "false_reports": false & rep,
    }


def cohorts(c: Columns, start: float, end: float) -> dict[str, Cohort | None]:
    """The cohort of every censored time (keys ``COHORTS``); None where the table lacks its columns."""
    real = c.real()
    rep_t = c.time("t_report")
    rep = real & (rep_t >= start) & (rep_t < end)
    out: dict[str, Cohort | None] = dict.fromkeys(COHORTS)
    if c.has("t_close"):
        out["resolution"] = (rep, rep_t, c.time("t_close"))
    if c.has("t_occur"):
        occ_t = c.time("t_occur")
        out["discovery_delay"] = (real & (occ_t >= start) & (occ_t < end), occ_t, rep_t)
    if c.has("department", "t_triage_start", "t_triage_end", "t_dept_arrive", "t_handle_start"):
        routed = rep & (c("department") >= 0)
        sent_t, there_t = c.time("t_triage_end"), c.time("t_dept_arrive")
        out["triage_wait"] = (routed, rep_t, c.time("t_triage_start"))
        out["routing_time"] = (routed & (sent_t <= end), sent_t, there_t)
        out["department_wait"] = (routed & (there_t <= end), there_t, c.time("t_handle_start"))
    return out
