"""The KPI definitions: names (中文, English), kind, formula, cohorts and the source of each.

Data only, without pandas, so that what names or formats a KPI (``govsim.labels``, the warnings a
configuration check prints) can be imported before, or without, the tables that compute them. How each
is computed is ``govsim.kpis`` (which re-exports these names) and ``govsim.kpimasks``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BY_KEY", "BY_PERIOD_END", "DEFINITIONS", "KPI", "RATES"]


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
