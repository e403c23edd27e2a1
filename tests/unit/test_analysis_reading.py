"""Where a reader meets the % change: the report's table and note, the forest plot and lesson 04.

Each says what the point and the interval are (Fieller's interval for the ratio of paired means, one
verdict with the difference's), a missing interval says why, and no number reads "-0".
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from govsim import analysis, labels, plots, reporttext
from govsim import teaching_experiment as tx

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "04_experiment.py"


def comparison() -> pd.DataFrame:
    """Three rows as a 4-replication sweep gives them: the reviewer's overdue row (difference interval
    includes 0), a rare event whose reference mean is not clear of 0 (no % interval), and a metric
    CRN made noisier (negative variance reduction) with a change that rounds to zero."""
    ref = {
        "overdue_rate": [0.44, 0.38, 0.31, 0.39],
        "petition_rate": [0.01, 0.0, 0.0, 0.0],
        "backlog_mean": [40.0, 41.0, 39.0, 40.0],
    }
    arm = {
        "overdue_rate": [0.37, 0.37, 0.28, 0.35],
        "petition_rate": [0.0, 0.01, 0.0, 0.0],
        "backlog_mean": [39.0, 40.0, 41.0, 39.9996],
    }
    rows = [
        (f"policy={policy}", rep, metric, values[rep])
        for policy, table in (("baseline", ref), ("grid", arm))
        for metric, values in table.items()
        for rep in range(4)
    ]
    res = pd.DataFrame(rows, columns=["arm", "replication", "metric", "value"])
    return analysis.compare(res, {"arm": "policy=baseline"}, [], list(ref))


def test_the_rows_are_what_the_tests_below_read():
    comp = comparison().set_index("metric")
    assert comp.loc["overdue_rate", "lo"] < 0 < comp.loc["overdue_rate", "hi"]
    assert comp.loc["petition_rate", "pct_why"] == "unbounded"
    assert comp.loc["backlog_mean", "variance_reduction"] < 0
    assert -0.005 < comp.loc["backlog_mean", "pct_change"] < 0


def test_report_table_footnotes_a_missing_pct_interval_and_never_prints_minus_zero():
    for lang in ("en", "zh"):
        md = reporttext.comparison_markdown(comparison(), [], lang)
        rows = {line.split("|")[1].strip(): line for line in md.splitlines()[2:5]}
        petition = rows[plots.metric_label("petition_rate", lang)]
        assert "²" in petition.split("|")[7]
        assert labels.report_text("pct_unbounded", lang) in md
        backlog = [c.strip() for c in rows[plots.metric_label("backlog_mean", lang)].split("|")]
        assert backlog[7].startswith("0.00 [") and "-0" not in backlog[7]
        assert backlog[10].startswith("-") and backlog[10] != "-0%"
        overdue = [c.strip() for c in rows[plots.metric_label("overdue_rate", lang)].split("|")]
        lo, hi = (float(v) for v in overdue[7].split("[")[1].rstrip("]").split(","))
        assert lo < 0 < hi  # one verdict with the difference's interval in the same row
    assert reporttext.number(-0.004, signed=True) == "0.00"
    assert reporttext.number(-0.04, rate=True, signed=True) == "0.0"
    assert reporttext.share(-0.004) == "0%" and reporttext.share(-0.28) == "-28%"
    assert reporttext.share(math.nan) == "—"


def test_report_note_states_the_method_the_averaging_and_a_negative_reduction():
    en, zh = labels.report_text("note", "en"), labels.report_text("note", "zh")
    for text in (en, zh):
        assert "Fieller" in text
    assert "excludes 0 exactly when" in en and "one observation" in en and "did not help" in en
    assert "当且仅当" in zh and "一个观测" in zh and "没有帮助" in zh


def test_forest_plot_says_what_the_point_and_the_bar_are():
    comp = comparison()
    for lang in ("en", "zh"):
        fig = plots.plot_forest(comp, lang)
        ax = fig.axes[0]
        assert "Fieller" in ax.get_xlabel()
        caption = fig.texts[-1].get_text()  # the supxlabel, after the suptitle
        spaces = str.maketrans("", "", " \n")
        assert caption.translate(spaces) == labels.text("forest_note", lang).translate(spaces)
        fig.canvas.draw()  # the caption fits inside the figure
        box, ext = fig.bbox, fig.texts[-1].get_window_extent(fig.canvas.get_renderer())
        assert box.x0 <= ext.x0 and ext.x1 <= box.x1 and box.y0 <= ext.y0
    note = labels.text("forest_note", "en")
    assert "exactly when" in note and "no interval" in note
    # the petition row (unbounded) is drawn hollow, without a bar
    petition = comp.set_index("metric").loc["petition_rate"]
    ax = plots.plot_forest(comp, "en").axes[1]
    hollow = [line for line in ax.lines if line.get_markerfacecolor() == "none"]
    assert [float(np.asarray(line.get_xdata())[0]) for line in hollow] == [petition["pct_change"]]


def test_lesson_04_table_has_no_minus_zero_and_the_lesson_explains_the_numbers():
    table = tx.crn_table(comparison(), "en")
    removed = table[labels.phrase("variance_removed", "en")].tolist()
    assert "-0%" not in removed and any(v.startswith("-") for v in removed)
    diffs = table[labels.phrase("difference", "en")].tolist()
    assert "0.00" in diffs and "-0.00" not in diffs  # backlog: −0.0001 to 2 decimals
    text = NOTEBOOK.read_text(encoding="utf-8")
    assert "点是平均差值" not in text and "The dot is the mean difference" not in text
    assert "Fieller" in text and "当且仅当" in text and "exactly when" in text
    assert "负" in text and "did not help" in text  # a negative variance reduction, in a sentence
