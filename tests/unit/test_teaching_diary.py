"""Lesson 01's grid-worker diary: columns in the lesson's language, and hours that add up for a class."""

from __future__ import annotations

import re

import pytest

from govsim import teaching

pytest.importorskip("hydra")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def diary():
    from govsim.agents import GridWorker
    from govsim.model import GovernanceModel

    model = GovernanceModel(teaching.town_config(seed=0, horizon_days=70))
    worker = model.agents_by_type[GridWorker].to_list()[0]
    rows: list[dict] = []
    model.on_week.append(lambda m: rows.append(teaching.week_entry(m, worker)))
    model.run()
    return rows


def test_the_diary_speaks_the_lessons_language(diary):
    zh, en = teaching.worker_diary(diary, "zh"), teaching.worker_diary(diary, "en")
    assert list(zh.columns) and all(CJK.search(c) for c in [zh.index.name, *zh.columns]), list(zh.columns)
    assert not any(CJK.search(c) for c in [en.index.name, *en.columns]), list(en.columns)
    assert not {"skill", "on_duty", "tasks", "visits", "training", "patrol"} & set(zh.columns)
    assert any("其中" in c for c in zh.columns)  # visits are among the tasks, and say so


def test_patrol_is_what_is_left_of_the_week(diary):
    table = teaching.worker_diary(diary, "en")
    for row in diary:
        left = row["on_duty"] - row["tasks"] - row["training"] - row["onsite"]
        assert row["patrol"] == pytest.approx(left, abs=1e-9), row
    assert len(table) == len(diary)


def test_the_sentence_after_the_table_follows_the_language():
    zh = teaching.found_on_patrol(4, 17, "zh")
    en = teaching.found_on_patrol(4, 17, "en")
    assert "17" in zh and "4" in zh and CJK.search(zh)
    assert "17" in en and "4" in en and not CJK.search(en)
