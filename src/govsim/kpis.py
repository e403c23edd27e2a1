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
from dataclasses import dataclass

import numpy as np
import pandas as pd

from govsim import kpigroups, kpimasks, records
from govsim.hotline import hotline_kpis
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


@dataclass(frozen=True)
class KPI:
    """One indicator: names, how it is computed, and where the definition comes from."""

    key: str
    zh: str
    en: str
    kind: str  # "rate", "time" (days) or "count"
    formula: str
    numerator: str
    denominator: str
    source: str


_DUE = (
    "real tickets given a department (not on site), dispatched or not, whose deadline falls in the "
    "period, (start, end] (应办结)"
)
_REPORTED = "real tickets reported in the period (受理)"
_ROUTED = "real tickets reported in the period and dispatched to a department (派单: t_triage_end set)"
_AT_TRIAGE = "real tickets reported in the period and given a department (not on site), dispatched or not"
_OFFERED = "hotline attempts offered in the period (first calls and retries; busy signals included)"
_CENSORED = "Kaplan–Meier, censored at the end of the period (open tickets included)"

# One indicator per block: key, 中文, English, kind, formula, numerator, denominator, source.
# fmt: off
DEFINITIONS: tuple[KPI, ...] = (
    KPI("incidents", "上报事件数", "incidents reported", "count",
        "count", _REPORTED, "—", "count"),
    KPI("on_time_rate", "按期办结率", "on-time rate", "rate",
        "handled by the deadline ÷ due", "cases due whose handling ended by the deadline", _DUE,
        "digital city-management assessment: 按期结案率 = 按期结案数 ÷ 应结案数 "
        "(Fuzhou bulletin Q1 2024: 99.83 %; Tianmen Dec 2016: 75.8 %)"),
    KPI("overdue_rate", "逾期率", "overdue rate", "rate",
        "1 − on-time rate", "cases due handled after the deadline, or still open at the end of the period",
        _DUE,
        "same practice: a case due and not handled in time is overdue (Boston 311 counts open cases the "
        "same way: 17 % overdue in its January 2022 sample)"),
    KPI("closure_rate", "办结率", "closure rate", "rate",
        "handled by the end of the period ÷ due",
        "cases due whose handling ended by the end of the period, on time or late", _DUE,
        "digital city-management assessment: 结案率 = 结案数 ÷ 应结案数 (Tianmen Dec 2016: 93.7 %)"),
    KPI("extension_rate", "延期率", "extension rate", "rate",
        "extended ÷ due", "cases due whose extension (延期申请) was approved by the centre", _DUE,
        "digital city-management assessment: 延期率 = 延期数 ÷ 应结案数 (Fuzhou Q1 2024: 0.02 %, "
        "sources.md §5); due is counted at the extended deadline, as practice does"),
    KPI("on_site_share", "直接办结率", "resolved at first contact", "rate",
        "resolved at first contact ÷ accepted",
        "real tickets resolved on the spot (就地化解), never dispatched, plus 12345 consultations resolved "
        "at the seat (hotline on)", _REPORTED + ", plus those consultations",
        "12345 practice: 直接办结率 = 直接办结量 ÷ 受理量 (Tangshan 85.9 %; Beijing 2020 ≈ 59 % not "
        "dispatched; sources.md §13)"),
    KPI("response_rate", "响应率", "response rate", "rate",
        "first contact within the response limit ÷ response due",
        "dispatched tickets whose handling started by their response limit (response_due: one working "
        "day after the dispatch's working day)",
        "real tickets dispatched whose response limit ended in the period, (start, end]",
        "Beijing 接诉即办 assessment (响应率, 解决率, 满意率), as commonly reported; no document is "
        "cited (sources.md has none): the definition and the one-working-day limit are assumed"),
    KPI("followup_rate", "回访率", "follow-up rate", "rate",
        "handled and called back ÷ handled",
        "tickets handled whose reporter gave feedback (回访) by the end of the period",
        "real tickets reported in the period and handled (办结) by its end",
        "12345 practice: 回访率 = 回访量 ÷ 办结量, as commonly reported; no document is cited "
        "(sources.md has none): assumed, and assumed equal to closing with feedback in the model"),
    KPI("satisfaction_rate", "满意率", "satisfaction rate", "rate",
        "satisfied ÷ called back", "feedback satisfied",
        "real tickets reported in the period and closed with feedback by its end (回访)",
        "12345 practice: 满意率 = 满意量 ÷ 回访量 (Beijing 2019 → 2024: 65 % → 97.3 %)"),
    KPI("reopen_rate", "返工率", "reopen rate", "rate",
        "reopened ÷ handled by a department",
        "tickets reopened at least once after an unsatisfied feedback (返工)",
        "real tickets reported in the period, routed, and handled at least once",
        "digital city-management assessment: 返工率 = 返工数 ÷ 结案数 (Fuzhou 0.05 %, Q1 2024)"),
    KPI("petition_rate", "转信访比例", "became petitions", "rate",
        "petitions ÷ reported", "real tickets that became petitions (信访)", _REPORTED,
        "assumed: no published definition; the share of the period's tickets that turned into petitions"),
    KPI("open_share", "期末未办结占比", "still open at the end", "rate",
        "open at the end ÷ reported", "real tickets reported in the period and not closed by its end",
        _REPORTED, "assumed: the censored share behind every time KPI (issue 14)"),
    KPI("patrol_share", "巡查发现占比", "found by patrol", "rate",
        "patrol ÷ reported", "found by patrol", _REPORTED,
        "digital city-management bulletins report patrol vs public (Tianmen 2016: 95.7 %)"),
    KPI("escalation_rate", "升级率", "escalation rate (any rung)", "rate",
        "escalated ÷ routed", "routed tickets that reached a reminder (催办) or higher", _ROUTED,
        "assumed: the model's ladder"),
    KPI("lifted_rate", "提级至县市比例", "lifted to county or city", "rate",
        "lifted ÷ routed", "routed tickets lifted to county or city", _ROUTED, "assumed: the model's ladder"),
    KPI("misroute_rate", "误派率", "mis-routed", "rate",
        "mis-routed ÷ routed", "routed tickets sent to a wrong department at least once", _ROUTED,
        "assumed: the model's routing"),
    KPI("resolution_mean", "办结时长(受限均值,天)", "resolution time, restricted mean (d)", "time",
        "report → close", "—", _REPORTED, _CENSORED),
    KPI("resolution_median", "办结时长中位数(天)", "resolution time, median (d)", "time",
        "report → close", "—", _REPORTED, _CENSORED),
    KPI("resolution_p90", "办结时长P90(天)", "resolution time, p90 (d)", "time",
        "report → close", "—", _REPORTED, _CENSORED),
    KPI("discovery_delay", "发现时滞(受限均值,天)", "discovery delay, restricted mean (d)", "time",
        "occurrence → report", "—", "real incidents occurring in the period (latent ones censored)",
        _CENSORED),
    KPI("triage_wait", "中心分拨等待(天)", "centre wait (d)", "time",
        "report → triage start", "—", _AT_TRIAGE, _CENSORED),
    KPI("routing_time", "流转时长(天)", "routing time (d)", "time",
        "dispatch → at department", "—", "routed tickets dispatched by the end of the period", _CENSORED),
    KPI("department_wait", "部门等待(天)", "department wait (d)", "time",
        "at department → handling", "—", "routed tickets at their department by the end of the period",
        _CENSORED),
    KPI("duplicate_tickets", "重复工单处理数", "duplicate tickets handled", "count",
        "count", "duplicates reported in the period and not merged", "—", "count"),
    KPI("merged_duplicates", "合并重复工单数", "duplicates merged", "count",
        "count", "duplicates reported in the period and merged at intake", "—", "count"),
    KPI("false_reports", "虚假上报数", "false reports", "count",
        "count", "false reports in the period", "—", "count"),
    KPI("answer_rate", "接通率", "answer rate (12345)", "rate",
        "answered ÷ offered", "hotline attempts answered at a seat", _OFFERED,
        "call-centre convention (Gans, Koole & Mandelbaum 2003, M&SOM 5(2):79–141): answered ÷ offered; "
        "12345 centres report 接通率 as 接通量 ÷ 呼入量"),
    KPI("abandon_rate", "放弃率", "abandonment rate (12345)", "rate",
        "abandoned ÷ offered", "hotline attempts that hung up on hold", _OFFERED,
        "call-centre convention (Gans, Koole & Mandelbaum 2003): abandoned ÷ offered"),
    KPI("answer_speed", "平均应答时长(秒)", "average speed of answer (s)", "time",
        "mean wait of answered attempts, seconds", "—", "hotline attempts answered in the period",
        "call-centre convention (ASA; Gans, Koole & Mandelbaum 2003); seconds, not days"),
    KPI("answered_15s", "15秒接通率", "answered within 15 s (12345)", "rate",
        "answered within 15 s ÷ offered", "attempts answered after a wait of at most 15 s", _OFFERED,
        "service level (telephone service factor) as in Gans, Koole & Mandelbaum 2003, over all offered"),
    KPI("answered_30s", "30秒接通率", "answered within 30 s (12345)", "rate",
        "answered within 30 s ÷ offered", "attempts answered after a wait of at most 30 s", _OFFERED,
        "same, 30 s"),
)
# fmt: on
"""Every KPI ``compute`` returns, in display order (backlog is added from the time series)."""

BY_KEY: dict[str, KPI] = {k.key: k for k in DEFINITIONS}
RATES: tuple[str, ...] = tuple(k.key for k in DEFINITIONS if k.kind == "rate")
BY_PERIOD_END: frozenset[str] = frozenset(
    {
        "closure_rate_num",  # due cases handled by the end of the period
        "followup_rate_num",  # called back by the end
        "followup_rate_den",  # handled by the end
        "satisfaction_rate_num",  # satisfied feedback by the end
        "satisfaction_rate_den",  # feedback by the end
        "reopen_rate_den",  # handled by the end (or reopened)
        "open_share_num",  # not closed by the end
    }
)
"""The numerators and denominators counted *by the end* of the period: a ticket handled or closed after
it is counted by a later end. They add over groups (towns, counties, runs) of one period, but not over
consecutive periods; every other ``<rate>_num``, ``<rate>_den`` and count adds over both."""


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
