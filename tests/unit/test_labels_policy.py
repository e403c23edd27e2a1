"""One name per policy per language: the lessons' text, tables, slider figure and forest plots agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govsim import labels, plots, teaching

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.py"))
POLICIES = ("baseline", "grid", "platform", "fusion", "mechanism", "all_four")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_status_quo_has_one_name(lang):
    name = labels.say(labels.POLICY["baseline"], lang)
    assert labels.text("status_quo", lang) == name == teaching.policy_label("baseline", lang)
    assert name in labels.text("cost_vs_status_quo", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_policy_is_named_not_shown_as_its_key(lang):
    for policy in POLICIES:
        shown = plots.arm_label(f"policy={policy}", lang)
        assert shown == teaching.policy_label(policy, lang)
        assert "_" not in shown, shown
    assert teaching.policy_label("baseline", "en") == "status quo"
    assert teaching.policy_label("all_four", "en") == "all four focuses"
    assert teaching.policy_label("all_four", "zh") == "四个着力"


def test_the_lessons_use_the_labels_names():
    others = {"基线": "现状", "四项合一": "四个着力"}  # names a lesson used beside the labels' ones
    for path in NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        for wrong in others:
            assert wrong not in text, (path.name, wrong)
        assert not re.search(r"pick\(LANG, \"现状\", \"status quo\"\)", text), path.name
