"""Deadline extensions (延期) and response limits (响应时限), written into a run's records.

**Extensions.** In 12345 and grid practice a department that foresees it cannot finish a case within its
time limit may apply, once, before the limit ends, for an extension (延期申请); the centre approves or
refuses it; an approved extension moves the deadline, and a case finished by the moved deadline is not
overdue (sources.md §4, §5: Fuzhou reports 延期率 0.02 %). govsim models it minimally:

* a routed case *applies* when it reached its department by the deadline and its handling ends after
  the deadline (or is still unfinished at the horizon, past the deadline). The department's expected
  finish is taken as its actual finish: it knows its queue and the case's work (assumed: perfect
  foresight, the simplest rule; a department that can only guess would apply for some cases it then
  finishes in time, which needs a forecast model govsim does not have);
* the centre *approves* with probability ``scenario.extension_approval_prob``, one uniform per ticket
  from the ``extension`` stream (its own named stream, so no other process's draws move);
* an approved extension moves the deadline to the end of the ``scenario.extension_working_days``-th
  working day after the deadline's day (``WorkCalendar.past_deadline``, the ladder's rule).

The decision is made from the records after the run, so it changes what is *assessed* — the deadline
of 按期办结率 / 逾期率 / 办结率, the ``overdue`` flag and 延期率 — not the run's dynamics: the escalation
ladder (reminder, supervision, lift to county) and the late-handling satisfaction penalty keep the
original limit, as the desks saw it while running (the reporter was promised the original limit).

**Response limits.** ``response_due`` is the end of the ``scenario.response_working_days``-th working day
after the working day a dispatch counts from (``WorkCalendar.due``), the limit of 响应率
(``govsim.kpis.RESPONSE_WORKING_DAYS``).
"""

from __future__ import annotations

import numpy as np

from govsim.officetime import WorkCalendar


def response_due(t_dispatch: np.ndarray, calendar: WorkCalendar, working_days: int) -> np.ndarray:
    """End of the response limit (days) for each dispatch time (days; NaN = never dispatched → NaN)."""
    t = np.asarray(t_dispatch, dtype=np.float64)
    out = np.full(t.shape, np.nan)
    ok = ~np.isnan(t)
    out[ok] = calendar.due(t[ok], np.full(int(ok.sum()), working_days))
    return out


def apply_extensions(
    cols: dict[str, np.ndarray],
    horizon: float,
    calendar: WorkCalendar,
    approval_prob: float,
    working_days: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Add ``deadline_initial`` and ``extended`` to the incident columns and move approved deadlines.

    ``cols`` holds arrays of length n (``department``, ``t_dept_arrive``, ``t_handle_end``,
    ``deadline``, days); one uniform per ticket is drawn from ``rng`` whatever the outcome, so the draws
    do not depend on who applies. Returns ``cols`` (modified in place).
    """
    deadline = np.asarray(cols["deadline"], dtype=np.float64)
    n = len(deadline)
    u = rng.random(n)
    finish = np.where(np.isnan(cols["t_handle_end"]), np.inf, cols["t_handle_end"])
    arrive = cols["t_dept_arrive"]
    applies = (cols["department"] >= 0) & (arrive <= deadline) & (finish > deadline) & (deadline < horizon)
    approved = applies & (u < approval_prob)
    cols["deadline_initial"] = deadline.copy()
    moved = deadline.copy()
    if approved.any():
        moved[approved] = calendar.past_deadline(deadline[approved], working_days)
    cols["deadline"] = moved
    cols["extended"] = approved
    return cols
