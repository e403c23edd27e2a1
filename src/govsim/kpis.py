"""KPI definitions as the assessments define them, computed from a table of ticket records.

One function, ``compute(records, start, end)``, takes a table with one row per ticket (the columns of
``RECORD_COLUMNS``; a simulated run's ``incidents`` table has them all, an observed log may have fewer:
a KPI whose columns are missing comes out NaN) and the assessment period ``[start, end)`` in days, and
returns every KPI of ``DEFINITIONS`` with, beside each rate, its numerator ``<key>_num`` and denominator
``<key>_den``: summing those over runs, towns or cities and dividing pools the rate exactly.
``compute_groups`` gives the same for every group of several groupings in one pass (a run's
``kpis.csv``); ``compute`` is ``compute_groups`` with no grouping, so every KPI has one code path.
Which tickets each KPI counts is written in ``govsim.kpimasks``; how the groups are counted and
sorted at once, in ``govsim.kpigroups``.

Cohorts (what "a ticket of the period" means), as practice counts them:

* *reported*: real tickets (neither false reports nor duplicates) reported in ``[start, end)``;
* *routed* (派单): reported tickets dispatched to a department (``t_triage_end`` set; a ticket whose
  department is known but whose triage had not ended at the horizon is not routed) — the denominator of
  升级率, 提级至县市比例 and 误派率;
* *due* (应办结): real tickets given a department (not resolved on site), dispatched or not (the
  deadline runs from the report), whose deadline falls in ``(start, end]`` — the
  denominator of 按期办结率, 逾期率 and 办结率. Deadlines (and response limits) end at day ends: a
  deadline of ``end`` is the end of the period's last day and is in it, one of ``start`` ended with the
  previous period's last day and is not; so each falls in exactly one of consecutive periods. A case
  due in the period and still open at ``end`` is past its deadline, so it counts as overdue: on-time +
  overdue = 100 % of cases due.

Over consecutive periods every numerator and denominator adds up to the whole period's, except those
counted by the end of the period (``BY_PERIOD_END``: handled, called back or closed by then).

Times are censored at ``end``: a ticket still open at the end of the period has been open at least
``end − t_report`` days. Each time KPI is a Kaplan–Meier estimate (Kaplan & Meier 1958; Klein &
Moeschberger, *Survival Analysis*, 2nd ed., §4.2 and §4.5): the median, the 90th percentile, and the
mean restricted to the longest time observed in the cohort (the restricted mean survival time: the
area under the survival curve up to that time). With no open case it is the plain sample mean.

Sources of each definition are in ``DEFINITIONS`` and, for readers, ``docs/kpis.md``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from govsim import kpigroups, kpimasks, records
from govsim.hotline import hotline_kpis
from govsim.kpidefs import BY_KEY as BY_KEY  # re-exported: the definitions live in govsim.kpidefs
from govsim.kpidefs import BY_PERIOD_END as BY_PERIOD_END
from govsim.kpidefs import DEFINITIONS as DEFINITIONS
from govsim.kpidefs import KPI as KPI
from govsim.kpidefs import RATES as RATES
from govsim.kpigroups import Grouping
from govsim.survival import Censored
from govsim.survival import censored_times as censored_times  # re-exported: the KPIs' censored times
from govsim.survival import kaplan_meier as kaplan_meier

RECORD_COLUMNS: dict[str, str] = {
    "is_false": "bool: a report of something that did not happen (excluded but counted); optional: False",
    "duplicate_of": "int: id of the original ticket, -1 if not a duplicate; optional: -1",
    "end_state": "int: 0 closed, 1 open, 2 duplicate merged at intake (only merged_duplicates reads it)",
    "channel": "int: 0 found by patrol (巡查), > 0 reported by a resident",
    "t_occur": "float days: occurrence (NaN if unknown, as in most logs)",
    "t_report": "float days: reported (上报, 受理)",
    "t_triage_start": "float days: the centre starts triage",
    "t_triage_end": "float days: dispatched to a department (派单)",
    "t_dept_arrive": "float days: reaches the right department",
    "t_handle_start": "float days: the department starts handling (first contact, 响应)",
    "t_handle_end": "float days: handling completed (办结), last time",
    "t_close": "float days: feedback given (回访) and ticket closed; NaN while open",
    "deadline": "float days: time limit (时限) of handling, moved by an approved extension (延期)",
    "extended": "bool: an extension (延期) was approved and moved the deadline (延期率 is NaN without it)",
    "response_due": "float days: end of the response limit (响应时限), counted in working days",
    "department": "int: department handling it, -1 if never routed (resolved on site, not dispatched)",
    "on_site": "bool: resolved on the spot at first contact (直接办结)",
    "reopen_count": "int: times reopened after an unsatisfied feedback (返工)",
    "satisfied": "int: 1 satisfied, 0 not, -1 no feedback",
    "petitioned": "bool: became a petition (信访)",
    "escalation_level": "int: highest rung of the escalation ladder reached (0 none)",
    "n_misroutes": "int: times routed to the wrong department (0 for a ticket never dispatched)",
}
"""Columns ``compute`` reads (a subset of ``records.INCIDENT_SCHEMA``); times in days, NaN = not yet."""

RESPONSE_WORKING_DAYS = 1
"""Response limit for 响应率: the department's first contact is due by the end of the first working day
after the working day the dispatch (派单) counts from (``officetime.WorkCalendar.due``: a dispatch after
office hours or on a day off counts from the next working day). Assumed: 12345 handling rules commonly
ask the handling unit to contact the reporter within one working day of dispatch (sources.md §4 counts
every limit in working days); no public figure in the project's sources fixes it. The model writes each
ticket's limit into the records (``response_due``, ``scenario.response_working_days``); a log gives it as
a column or gets no 响应率."""

OPEN_SHARE_WARNING = 0.10
"""Open share above which a run's summary says its times are mostly censored. Assumed: beyond one ticket
in ten the restricted mean depends noticeably on where it is cut off."""


# ---- the indicators ------------------------------------------------------------------------------------
def flag(t: pd.DataFrame, col: str, default: object) -> pd.Series:
    """A column, or ``default`` on every row if the table lacks it (a log without such flags)."""
    return t[col] if col in t.columns else pd.Series(default, index=t.index)


is_real = records.real
"""Neither a false report nor a duplicate ticket (``records.real``), per row of a table."""


def compute(
    records: pd.DataFrame,
    start: float,
    end: float,
    calls: pd.DataFrame | None = None,
) -> dict[str, float]:
    """Every KPI of ``DEFINITIONS`` for the period ``[start, end)`` (days), from one row per ticket.

    ``records`` has the columns of ``RECORD_COLUMNS`` (extra columns are ignored; a KPI whose columns
    are missing is NaN, and so is a rate with an empty denominator). Returns a flat dict: each KPI key,
    plus ``<rate>_num`` and ``<rate>_den`` (counts) for every rate and ``resolution_n`` /
    ``resolution_open`` for the censored resolution time. ``calls`` is the 12345 day table
    (``govsim.hotline.SUMMARY``; days in ``[start, end)`` count): it gives the hotline KPIs (NaN
    without it) and adds the consultations resolved at the seat to 直接办结率 (``on_site_share``), as
    12345 practice counts them (docs/kpis.md). Raises ``ValueError`` if ``end <= start``.

    ``compute_groups`` with no grouping: the KPIs have one code path, for a table and for its groups.
    """
    return compute_groups(records, start, end, {}, calls)[0]


def compute_groups(
    records: pd.DataFrame,
    start: float,
    end: float,
    groupings: Mapping[str, Grouping],
    calls: pd.DataFrame | None = None,
    sort_threads: int | None = None,
) -> tuple[dict[str, float], dict[str, list[dict[str, float]]]]:
    """``compute`` of the whole table, and of every group of every grouping (a list per grouping).

    ``groupings`` maps a name to (codes, n): one int per row, groups ``0 … n-1`` (a code outside is in
    no group). Per group the values are those of ``compute(records[codes == k], start, end)``, key for
    key (``govsim.kpigroups`` says how they are counted in one pass). ``calls`` counts for the whole
    table only (groups get none, as ``compute`` of a group's rows without it). ``sort_threads``: the
    worker threads of a large table's sorts (``kpigroups.Workers``, None: ``kpigroups.SORT_THREADS``;
    the numbers do not depend on it).
    Raises ``ValueError`` if ``end <= start``.
    """
    if not end > start:
        raise ValueError(f"assessment period [{start}, {end}): end must be after start")
    cols = kpimasks.Columns(records)
    cols.real()  # once, before the threads share it
    code = [kpigroups.codes(values, n) for values, n in groupings.values()]
    sizes = [n for _, n in groupings.values()]
    with kpigroups.Workers(len(records), sort_threads) as workers:
        times = {  # each censored time sorted and summarised overall and per group, on a worker
            k: None if c is None else workers.submit(kpigroups.summarise, c, end, code, sizes)
            for k, c in kpimasks.cohorts(cols, start, end).items()
        }
        rates, counts = kpimasks.rate_masks(cols, start, end), kpimasks.count_masks(cols, start, end)
        flags = [m for pair in rates.values() if pair is not None for m in pair]
        packed = kpigroups.pack(flags + [m for m in counts.values() if m is not None])
        del flags
        tallies = [kpigroups.group_counts(packed, c, n) for c, n in zip(code, sizes, strict=True)]
        spells = {k: None if f is None else f.result() for k, f in times.items()}

    def kpis(tally: list[int], group: int | None, grouping: int = 0) -> dict[str, float]:
        total = iter(tally)  # per mask, in the order packed
        out: dict[str, float] = {}
        for key, masks in rates.items():
            put_rate(out, key, None if masks is None else (next(total), next(total)))
        out.update(time_values({k: _spell(s, group, grouping) for k, s in spells.items()}))
        out.update({k: np.nan if m is None else float(next(total)) for k, m in counts.items()})
        out.update(hotline_kpis(calls if group is None else None, start, end, out))
        return ordered(out)

    by = {
        name: [kpis(tally[:, g].tolist(), g, i) for g in range(n)]
        for i, (name, tally, n) in enumerate(zip(groupings, tallies, sizes, strict=True))
    }
    whole = tallies[0].sum(axis=1) if tallies else kpigroups.group_counts(packed, None, 0)[:, 0]
    return kpis(whole.tolist(), None), by


def _spell(summaries: kpigroups.Summaries | None, group: int | None, grouping: int) -> Censored | None:
    """A cohort's censored summary overall (``group`` None) or of one group of one grouping."""
    if summaries is None:
        return None
    return summaries[0] if group is None else summaries[1][grouping][group]


def put_rate(out: dict[str, float], key: str, counts: tuple[int, int] | None) -> None:
    """Add a rate with its numerator and denominator (counts; None: the table lacks its columns)."""
    if counts is None:
        out[key], out[f"{key}_num"], out[f"{key}_den"] = np.nan, np.nan, np.nan
        return
    n, d = counts
    out[f"{key}_num"], out[f"{key}_den"] = float(n), float(d)
    out[key] = n / d if d else np.nan


def time_values(spells: dict[str, Censored | None]) -> dict[str, float]:
    """The time KPIs from each cohort's censored summary (``kpimasks.COHORTS``' names); NaN where None."""
    out = dict.fromkeys(k.key for k in DEFINITIONS if k.kind == "time")
    res = spells["resolution"]
    if res is not None:
        out.update(resolution_mean=res.restricted_mean, resolution_median=res.median, resolution_p90=res.p90)
        out.update(resolution_n=float(res.n), resolution_open=float(res.n_open))
    for key in ("discovery_delay", "triage_wait", "routing_time", "department_wait"):
        spell = spells[key]
        if spell is not None:
            out[key] = spell.restricted_mean
    return {k: (np.nan if v is None else v) for k, v in out.items()}


def ordered(out: dict[str, float]) -> dict[str, float]:
    """``compute``'s key order: the KPIs of ``DEFINITIONS``, then numerators, denominators and counts."""
    return {k.key: out[k.key] for k in DEFINITIONS} | {k: v for k, v in out.items() if k not in BY_KEY}
