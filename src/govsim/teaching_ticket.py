"""One ticket followed around the closed loop 巡查→上报→流转→处置→反馈, for the teaching notebooks.

``pick_incident`` finds an instructive ticket in a run's records (misrouted, handled on the spot, grown
while unfound, overdue), ``follow_incident`` tells its stages in words with their days and waits, and
``plot_incident`` draws them as a timeline. ``govsim.teaching`` re-exports all three for the notebooks.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from govsim import labels, plots
from govsim.config import CHANNELS
from govsim.records import EndState, Records, closed, real
from govsim.teaching_views import LessonError, check_lang

__all__ = ["ON_SITE_SKIPS", "follow_incident", "pick_incident", "plot_incident"]

ON_SITE_SKIPS = ("t_triage_start", "t_triage_end", "t_dept_arrive")
"""Stages a ticket resolved on the spot never goes through (no triage at a centre, no department)."""


def pick_incident(records: Records, kind: str = "misrouted") -> int:
    """Row of an instructive ticket: the first reported after the warm-up and closed, of ``kind``.

    ``kind``: ``misrouted`` (sent to the wrong department first), ``routed`` (handled by a department),
    ``on_site`` (resolved on the spot), ``grown`` (severity rose while nobody had found it),
    ``overdue`` (handled after its time limit). Raises ``LessonError`` for another ``kind`` and
    ``LookupError`` when the records hold no such ticket.
    """
    inc = records.incidents
    base = real(inc) & (inc["t_report"] >= records.warmup) & closed(inc)
    routed = inc["department"] >= 0
    wants = {
        "misrouted": inc["n_misroutes"] > 0,
        "routed": routed & (inc["n_misroutes"] == 0),
        "on_site": inc["on_site"],
        "grown": inc["severity"] > inc["severity_initial"],
        "overdue": inc["overdue"] & routed,
    }
    if kind not in wants:
        raise LessonError(f"kind={kind!r}: allowed: {', '.join(wants)}")
    rows = inc.index[base & wants[kind]]
    if not len(rows):
        raise LookupError(f"no closed {kind} ticket in these records")
    return int(inc.loc[rows, "t_report"].idxmin())


def follow_incident(records: Records, i: int, lang: str = "zh") -> pd.DataFrame:
    """One ticket's path around the closed loop: a tidy table of the stages it reached, in order.

    Columns: stage, day (days since the start), days since the previous stage, and a detail in words.
    Stages a ticket skips (an on-site case never goes to a department) or had not reached by the
    horizon are left out; an unfinished ticket ends with a row saying so. Raises ``LessonError`` for a
    ``lang`` other than ``'zh'``/``'en'``.
    """
    check_lang(lang)
    row = records.incidents.loc[i]
    rows: list[dict[str, Any]] = []
    last: float | None = None
    for field, stage in labels.STAGE.items():
        t = float(row[field])
        if pd.isna(t) or (row["on_site"] and field in ON_SITE_SKIPS):
            continue
        wait: float | None = None if last is None else round(t - last, 2)
        detail = _detail(records, row, field, lang)
        rows.append(_stage_row(labels.say(stage, lang), round(t, 2), wait, detail, lang))
        last = t
    if row["end_state"] != EndState.CLOSED:
        open_text = labels.phrase("still_open", lang)
        rows.append(_stage_row(labels.phrase("open", lang), records.horizon, None, open_text, lang))
    return pd.DataFrame(rows)


def _stage_row(stage: str, day: float, wait: float | None, detail: str, lang: str) -> dict[str, Any]:
    values = {"stage": stage, "day": day, "wait": wait, "detail": detail}
    return {labels.column(k, lang): v for k, v in values.items()}


def _detail(records: Records, row: pd.Series, field: str, lang: str) -> str:
    if field == "t_occur":
        severity = labels.say(labels.SEVERITY[int(row["severity_initial"])], lang)
        category = plots.category_label(records.categories[row["category_initial"]], lang)
        return f"{category}, {severity}"
    if field == "t_report":
        story = labels.say(labels.CHANNEL_STORY[CHANNELS[int(row["channel"])]], lang)
        severity = labels.say(labels.SEVERITY[int(row["severity"])], lang)
        return f"{story}; {labels.phrase('severity_now', lang)} {severity}"
    if field == "t_triage_end":
        return _department(records, int(row["department"]), lang)
    if field == "t_dept_arrive" and row["n_misroutes"] > 0:
        n = int(row["n_misroutes"])
        return labels.phrase("misrouted", lang, n=n)
    if field == "t_handle_end":
        return _handled(row, lang)
    if field == "t_close":
        ok = row["satisfied"] == 1
        text = labels.phrase("satisfied" if ok else "unsatisfied", lang)
        n = int(row["reopen_count"])
        return text + (labels.phrase("reopened", lang, n=n) if n else "")
    return ""


def _handled(row: pd.Series, lang: str) -> str:
    if row["on_site"]:
        return labels.phrase("on_the_spot", lang)
    late = row["t_handle_end"] > row["deadline"]
    limit = f"{row['deadline']:.0f}"
    return labels.phrase("late" if late else "on_time", lang, limit=limit)


def _department(records: Records, dept: int, lang: str) -> str:
    if dept < 0:
        return ""
    kind = records.departments[dept % len(records.departments)]
    return labels.phrase("sent_to", lang) + labels.lookup(labels.DEPARTMENT, kind, lang)


@plots.styled
def plot_incident(table: pd.DataFrame, lang: str = "zh") -> Figure:
    """Timeline of one ticket (a ``follow_incident`` table): each bar is the wait before that stage."""
    check_lang(lang)
    fig, ax = plots._axes(None, size=(7, 3.2))
    stage, day, wait = (table[labels.column(k, lang)] for k in ("stage", "day", "wait"))
    end = day.to_numpy(dtype=float)
    start = end - wait.fillna(0).to_numpy(dtype=float)
    y = np.arange(len(table))[::-1]
    ax.barh(y, np.maximum(end - start, 0.02), left=start, color="tab:orange")
    ax.plot(end, y, "o", color="tab:red")
    ax.set_yticks(y, list(stage))
    title = labels.phrase("loop_title", lang)
    ax.set(xlabel=plots.t("day", lang), title=title)
    return fig
