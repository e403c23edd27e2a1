"""Lesson 01 prints the year's tickets as the KPI table counts them (上报事件数: real tickets reported after
the warm-up), the number a class then finds in the table below it.

Before the fix it printed ``len(records.incidents)`` (4,323 beside 上报事件数 3,690): warm-up tickets,
duplicates, false reports and incidents never reported were all in it.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from govsim import teaching

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01_closed_loop.py"


def simulate_cell() -> str:
    """The notebook's code cell that runs the year (jupytext percent format: cells start with ``# %%``)."""
    cells = re.split(r"^# %%.*$", NOTEBOOK.read_text(encoding="utf-8"), flags=re.M)
    (cell,) = [c for c in cells if "teaching.run_town(" in c]
    return cell


def test_lesson_01_prints_the_kpi_count_of_tickets(capsys) -> None:
    runs = []

    def short_year(**kw):  # the lesson's run, cut to 40 days (warm-up 10) to keep the test fast
        runs.append(teaching.run_town(horizon_days=40, overrides=["warmup_days=10"], **kw))
        return runs[-1]

    exec(simulate_cell(), {"SEED": 0, "LANG": "zh", "teaching": SimpleNamespace(run_town=short_year)})  # noqa: S102
    (result,) = runs
    printed = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", capsys.readouterr().out)]
    kpi = int(result.kpis.iloc[0]["incidents"])
    assert kpi in printed
    assert len(result.records.incidents) != kpi  # the run has tickets the KPI does not count
    assert len(result.records.incidents) not in printed
