"""Metrics: pure functions from records to tidy tables. Nothing here runs the model.

Conventions: a *real* incident is neither a false report nor a duplicate ticket; metrics count tickets
reported at or after the warm-up; times are in days. The KPI set used in practice: 按期办结率
(on-time rate), 直接办结率 (resolved at first contact: on site), 返工率 (reopen rate), 满意率
(satisfaction rate).
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from govsim import labels
from govsim.records import Records

KPI_LABELS = {k: v for k, v in labels.KPI.items() if k != "cost_per_year"}
"""The KPIs of ``kpi_table`` in display order, with their labels (``govsim.labels.KPI``)."""


def _after_warmup(rec: Records) -> pd.DataFrame:
    inc = rec.incidents
    return inc[inc["t_report"] >= rec.warmup]


def _kpis(t: pd.DataFrame, backlog_mean: float) -> dict[str, float]:
    real = t[~t["is_false"] & (t["duplicate_of"] < 0)]
    closed = real[real["end_state"] == 0]
    res = (closed["t_close"] - closed["t_report"]).to_numpy()
    routed = real[real["department"] >= 0]
    finished = real[~real["t_handle_end"].isna()]
    fed = real[real["satisfied"] >= 0]

    def mean(x: pd.Series | np.ndarray) -> float:
        return float(np.nanmean(x)) if len(x) else float("nan")

    return {
        "incidents": float(len(real)),
        "resolution_mean": mean(res),
        "resolution_median": float(np.median(res)) if len(res) else float("nan"),
        "resolution_p90": float(np.quantile(res, 0.9)) if len(res) else float("nan"),
        "discovery_delay": mean(real["t_report"] - real["t_occur"]),
        "patrol_share": mean(real["channel"] == 0),
        "triage_wait": mean(routed["t_triage_start"] - routed["t_report"]),
        "routing_time": mean(routed["t_dept_arrive"] - routed["t_triage_end"]),
        "department_wait": mean(routed["t_handle_start"] - routed["t_dept_arrive"]),
        "backlog_mean": backlog_mean,
        "on_time_rate": mean(finished["t_handle_end"] <= finished["deadline"]),
        "overdue_rate": mean(routed["overdue"]),
        "escalation_rate": mean(routed["escalation_level"] >= 1),
        "lifted_rate": mean(routed["escalation_level"] >= 3),
        "on_site_share": mean(real["on_site"]),
        "reopen_rate": mean(routed["reopen_count"] > 0),
        "satisfaction_rate": mean(fed["satisfied"] == 1),
        "petition_rate": mean(real["petitioned"]),
        "misroute_rate": mean(routed["n_misroutes"] > 0),
        "duplicate_tickets": float(((t["duplicate_of"] >= 0) & (t["end_state"] != 2)).sum()),
        "merged_duplicates": float((t["end_state"] == 2).sum()),
        "false_reports": float(t["is_false"].sum()),
    }


def kpi_table(rec: Records, by: str | None = None) -> pd.DataFrame:
    """KPIs overall (``by=None``) or per ``'category'`` or ``'county'``: one row per group, tidy."""
    t = _after_warmup(rec)
    ts = rec.timeseries[rec.timeseries["day"] >= rec.warmup]
    if by is None:
        return pd.DataFrame([{"group": "all", **_kpis(t, float(ts.groupby("day")["backlog"].sum().mean()))}])
    labels = rec.categories if by == "category" else rec.counties
    rows = []
    for k, name in enumerate(labels):
        part = t[t[by] == k]
        if by == "county":
            towns = [i for i, c in enumerate(_town_county(rec)) if c == k]
            backlog = float(ts[ts["town"].isin(towns)].groupby("day")["backlog"].sum().mean())
        else:
            backlog = float("nan")
        rows.append({"group": name, **_kpis(part, backlog)})
    return pd.DataFrame(rows)


def _town_county(rec: Records) -> list[int]:
    inc = rec.incidents
    first = inc.drop_duplicates("town").set_index("town")["county"]
    return [int(first.get(t, -1)) for t in range(len(rec.towns))]


def utilisation(rec: Records, servers: np.ndarray) -> pd.DataFrame:
    """Busy share of each department's staff over the measured period, and its queue at the horizon.

    Utilisation counts the work of cases that started; an overloaded desk shows instead in
    ``waiting_at_end`` (arrived, not started) and ``oldest_wait_days`` growing with the horizon.
    """
    t = _after_warmup(rec)
    routed = t[t["department"] >= 0]
    busy = routed.groupby("department")["handle_days"].sum()
    waiting = routed[routed["t_dept_arrive"].notna() & routed["t_handle_start"].isna()]
    n_wait = waiting.groupby("department").size()
    oldest = rec.horizon - waiting.groupby("department")["t_dept_arrive"].min()
    flat = servers.ravel()
    span = rec.horizon - rec.warmup
    n_dept = len(rec.departments)
    return pd.DataFrame(
        {
            "county": [rec.counties[g // n_dept] for g in range(len(flat))],
            "department": [rec.departments[g % n_dept] for g in range(len(flat))],
            "servers": flat,
            "utilisation": [float(busy.get(g, 0.0)) / (flat[g] * span) for g in range(len(flat))],
            "waiting_at_end": [int(n_wait.get(g, 0)) for g in range(len(flat))],
            "oldest_wait_days": [float(oldest.get(g, 0.0)) for g in range(len(flat))],
        }
    )


def cost_table(
    rec: Records, annual: dict[str, float], resident_points: float, yuan_per_point: float
) -> pd.DataFrame:
    """Cost in yuan over the measured period: committed resources plus points paid for real reports."""
    years = (rec.horizon - rec.warmup) / 365.0
    t = _after_warmup(rec)
    paid = ((t["channel"] > 0) & (t["duplicate_of"] < 0) & ~t["is_false"]).sum()
    items = {k: v * years for k, v in annual.items()}
    items["resident_points"] = float(paid) * resident_points * yuan_per_point
    return pd.DataFrame({"item": list(items), "yuan": list(items.values())})


def cost_by_focus(costs: pd.DataFrame, focus_of: dict[str, str]) -> pd.Series:
    """Yuan per focus of the four focuses (items mapped by ``focus_of``)."""
    return costs.assign(focus=costs["item"].map(focus_of)).groupby("focus")["yuan"].sum()


def summary_text(kpis: pd.DataFrame, lang: str = "zh", costs: pd.DataFrame | None = None) -> str:
    """A readable two-column table of the overall KPIs, and the cost by focus when ``costs`` is given."""
    row = kpis.iloc[0]
    title = "成本(万元)" if lang == "zh" else "cost (10k yuan)"
    shown_labels = [labels.say(v, lang) for v in (*KPI_LABELS.values(), *labels.FOCUS.values())]
    width = max(display_width(v) for v in shown_labels)
    width += display_width(title) + 1 if costs is not None else 0
    lines = []
    for key, label in KPI_LABELS.items():
        name = labels.say(label, lang)
        lines.append(f"{name}{' ' * (width - display_width(name))}  {format_kpi(key, row[key]):>12}")
    if costs is not None:
        from govsim.policies import COST_FOCUS

        by = cost_by_focus(costs, COST_FOCUS)
        lines.append("")
        for focus, label in labels.FOCUS.items():
            v = float(costs["yuan"].sum() if focus == "total" else by.get(focus, 0.0)) / 1e4
            name = f"{title} {labels.say(label, lang)}"
            lines.append(f"{name}{' ' * (width - display_width(name))}  {v:>12,.1f}")
    return "\n".join(lines)


def format_kpi(key: str, value: float) -> str:
    """A KPI value as a reader expects it: counts as integers, proportions in %, times to 2 decimals."""
    if np.isnan(value):
        return "—"
    if key in labels.COUNT_KPIS:
        return f"{value:,.0f}"
    return f"{value:.1%}" if labels.is_rate(key) else f"{value:,.2f}"


def display_width(text: str) -> int:
    """Terminal columns of ``text``: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
