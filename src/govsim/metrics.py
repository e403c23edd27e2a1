"""Metrics: pure functions from records to tidy tables. Nothing here runs the model.

Conventions: a *real* incident is neither a false report nor a duplicate ticket; the measured period is
``[warmup, horizon)``; times are in days, costs in yuan per year. The KPIs themselves, with their
numerators, denominators and sources, are defined in ``govsim.kpis`` (and ``docs/kpis.md``).
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from govsim import labels
from govsim.kpis import OPEN_SHARE_WARNING, compute_groups
from govsim.records import Channel, Records, real

KPI_LABELS = {k: v for k, v in labels.KPI.items() if k != "cost_per_year"}
"""The KPIs of ``kpi_table`` in display order, with their labels (``govsim.labels.KPI``)."""


def kpi_table(rec: Records, by: str | None = None) -> pd.DataFrame:
    """KPIs over the measured period ``[warmup, horizon)``: one row per group, tidy.

    Overall (``by=None``) or per ``'category'`` or ``'county'``; each rate with its numerator and
    denominator (``govsim.kpis.compute``).
    """
    return kpi_tables(rec, (by,))[by]


def kpi_tables(
    rec: Records, bys: tuple[str | None, ...] = (None, "category", "county"), sort_threads: int | None = None
) -> dict:
    """``kpi_table(rec, by)`` for every ``by`` in ``bys``, computed in one pass (``kpis.compute_groups``).

    Returns a dict ``by -> DataFrame``; each table equals ``kpi_table``'s definition: per group the
    values of ``govsim.kpis.compute`` on the group's tickets (the 12345 day table counts overall only).
    ``sort_threads`` as for ``compute_groups``.
    """
    inc, start, end = rec.incidents, rec.warmup, rec.horizon
    ts = rec.timeseries[rec.timeseries["day"] >= rec.warmup]
    names = {"category": rec.categories, "county": rec.counties}
    groupings = {b: (inc[b].to_numpy(), len(names[b])) for b in bys if b is not None}
    overall, by_group = compute_groups(inc, start, end, groupings, rec.hotline, sort_threads)
    out: dict[str | None, pd.DataFrame] = {}
    if None in bys:
        backlog = float(ts.groupby("day")["backlog"].sum().mean())
        out[None] = pd.DataFrame([{"group": "all", **_with_backlog(overall, backlog)}])
    county_of_town = _town_county(rec) if "county" in groupings else []
    for by, rows in by_group.items():
        table = []
        for k, (name, kpis) in enumerate(zip(names[by], rows, strict=True)):
            if by == "county":
                towns = [i for i, c in enumerate(county_of_town) if c == k]
                backlog = float(ts[ts["town"].isin(towns)].groupby("day")["backlog"].sum().mean())
            else:
                backlog = float("nan")
            table.append({"group": name, **_with_backlog(kpis, backlog)})
        out[by] = pd.DataFrame(table)
    return out


def _with_backlog(kpis: dict[str, float], backlog: float) -> dict[str, float]:
    return {k: kpis[k] if k != "backlog_mean" else backlog for k in KPI_LABELS} | {
        k: v for k, v in kpis.items() if k not in KPI_LABELS
    }


def _town_county(rec: Records) -> list[int]:
    inc = rec.incidents
    first = inc.drop_duplicates("town").set_index("town")["county"]
    return [int(first.get(t, -1)) for t in range(len(rec.towns))]


def utilisation(rec: Records, servers: np.ndarray, busy: np.ndarray, scheduled: np.ndarray) -> pd.DataFrame:
    """Department staff utilisation over the measured period, and each desk's backlog at the horizon.

    ``servers``, ``busy`` and ``scheduled`` are per desk (county × department, flattened in that order):
    staff, busy staff-days inside ``[warmup, horizon)`` (service begun before the window counts for its
    part inside it) and scheduled staff-days inside it (``DepartmentDesk.scheduled_time``). Utilisation
    is their ratio. ``backlog_at_end``: cases at the desk and not handled at the horizon (waiting or in
    service); ``waiting_at_end``: of those, not started; ``oldest_open_days``: age at the desk of the
    oldest of them (0 if none).
    """
    inc = rec.incidents
    dept, arrive = inc["department"].to_numpy(), inc["t_dept_arrive"].to_numpy()
    open_ = (dept >= 0) & ~np.isnan(arrive) & np.isnan(inc["t_handle_end"].to_numpy())  # columns, no copy
    wait = open_ & np.isnan(inc["t_handle_start"].to_numpy())
    n_open = pd.Series(dept[open_]).value_counts()
    n_wait = pd.Series(dept[wait]).value_counts()
    oldest = rec.horizon - pd.Series(arrive[open_]).groupby(dept[open_]).min()
    flat = servers.ravel()
    n_dept = len(rec.departments)
    g = range(len(flat))
    return pd.DataFrame(
        {
            "county": [rec.counties[i // n_dept] for i in g],
            "department": [rec.departments[i % n_dept] for i in g],
            "servers": flat,
            "utilisation": np.divide(busy, scheduled, out=np.full(len(flat), np.nan), where=scheduled > 0),
            "busy_staff_days": busy,
            "scheduled_staff_days": scheduled,
            "backlog_at_end": [int(n_open.get(i, 0)) for i in g],
            "waiting_at_end": [int(n_wait.get(i, 0)) for i in g],
            "oldest_open_days": [float(oldest.get(i, 0.0)) for i in g],
        }
    )


def cost_table(
    rec: Records, annual: dict[str, float], resident_points: float, yuan_per_point: float
) -> pd.DataFrame:
    """Cost in yuan per year, by item.

    Committed resources at their annual cost, plus the points paid for the measured period's real
    reports, annualised (divided by the measured period in years).
    """
    years = rec.measured_years
    t = rec.incidents  # masks only: no copy of the table after the warm-up
    after = t["t_report"] >= rec.warmup
    paid = (after & (t["channel"] != Channel.PATROL) & real(t)).sum()
    items = dict(annual)
    items["resident_points"] = float(paid) * resident_points * yuan_per_point / years
    return pd.DataFrame({"item": list(items), "yuan_per_year": list(items.values())})


def cost_by_focus(costs: pd.DataFrame, focus_of: dict[str, str]) -> pd.Series:
    """Yuan per year per focus of the four focuses (items mapped by ``focus_of``)."""
    return costs.assign(focus=costs["item"].map(focus_of)).groupby("focus")["yuan_per_year"].sum()


def summary_text(kpis: pd.DataFrame, lang: str = "zh", costs: pd.DataFrame | None = None) -> str:
    """A readable two-column table of the overall KPIs, and the cost per year by focus if ``costs`` is given.

    A first line warns when more than ``OPEN_SHARE_WARNING`` of the period's tickets are still open at
    the horizon (the time KPIs are then censored estimates resting on the tickets that did close).
    """
    row = kpis.iloc[0]
    title = labels.phrase("cost_10k_yr", lang)
    shown_labels = [labels.say(v, lang) for v in (*KPI_LABELS.values(), *labels.FOCUS.values())]
    width = max(display_width(v) for v in shown_labels)
    width += display_width(title) + 1 if costs is not None else 0
    share = float(row["open_share"])
    lines = [open_share_note(share, lang)] if share > OPEN_SHARE_WARNING else []
    for key, label in KPI_LABELS.items():
        name = labels.say(label, lang)
        lines.append(f"{name}{' ' * (width - display_width(name))}  {format_kpi(key, row[key]):>12}")
    if costs is not None:
        from govsim.policies import COST_FOCUS

        by = cost_by_focus(costs, COST_FOCUS)
        lines.append("")
        for focus, label in labels.FOCUS.items():
            v = float(costs["yuan_per_year"].sum() if focus == "total" else by.get(focus, 0.0)) / 1e4
            name = f"{title} {labels.say(label, lang)}"
            lines.append(f"{name}{' ' * (width - display_width(name))}  {v:>12,.1f}")
    return "\n".join(lines)


def open_share_note(share: float, lang: str) -> str:
    """One line saying that a large share of tickets is still open and the times are censored estimates."""
    return labels.phrase("open_share_note", lang, share=share)


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
