"""Lesson 04's replication figure: replications numbered from 1, and text that claims only what common
random numbers guarantee (the same incidents), not that the policies' lines move together."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from govsim import teaching_experiment as tx

LESSON = Path(__file__).resolve().parents[2] / "notebooks" / "04_experiment.py"
CLAIMS = ("一起起落", "rise and fall together", "lines rise and fall")


def _results() -> pd.DataFrame:
    """Three replications of two arms that do not move together (as seed 0 gives on one_town)."""
    values = {"policy=baseline": [5.29, 5.46, 4.48], "policy=grid": [3.68, 3.49, 3.56]}
    return pd.DataFrame(
        [
            {"arm": arm, "replication": r, "metric": "resolution_mean", "value": v}
            for arm, vs in values.items()
            for r, v in enumerate(vs)
        ]
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_replications_are_numbered_from_one_in_the_figure(lang):
    results = _results()
    fig = tx.plot_replications(results, "resolution_mean", ["policy=baseline", "policy=grid"], lang)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
    xs = [tuple(line.get_xdata()) for line in ax.get_lines()]
    ticks = tuple(ax.get_xticks())
    assert all(x == ticks for x in xs)  # each point sits on its tick
    assert sorted(results["replication"].unique()) == [0, 1, 2]  # the table keeps the 0-based replication


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_figure_does_not_claim_the_lines_move_together(lang):
    fig = tx.plot_replications(_results(), "resolution_mean", ["policy=baseline", "policy=grid"], lang)
    shown = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    assert not any(claim in shown for claim in CLAIMS), shown
    assert not any(claim in (tx.plot_replications.__doc__ or "") for claim in CLAIMS)


def test_the_lesson_says_what_crn_shares_and_no_co_movement():
    text = LESSON.read_text(encoding="utf-8")
    assert not any(claim in text for claim in CLAIMS)
    section = text[text.index("## 3. 共同随机数") :]
    for shared in ("时间", "网格", "类别", "times", "grids", "categories"):
        assert shared in section, shared
