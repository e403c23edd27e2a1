"""One home per lever (issue 12 item 4): validation, the classroom sliders and cost focus derive from it."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from govsim import levers, teaching, validate, workload
from govsim.config import GovsimConfig
from govsim.policies import COST_FOCUS, task_hours


def test_every_policy_field_has_one_definition() -> None:
    keys = [
        f"policy.{focus}.{f.name}"
        for focus, cls in levers.FOCUS_POLICY.items()
        for f in dataclasses.fields(cls)
    ]
    assert list(levers.LEVERS) == keys


def test_validation_reads_the_range_from_the_definition(monkeypatch: pytest.MonkeyPatch) -> None:
    """Narrow the staffing lever's range in its definition: validation follows, nothing else edited."""
    cfg = GovsimConfig()
    cfg.policy.grid.staffing = 2.5
    validate.check(cfg)
    narrow = dataclasses.replace(levers.LEVERS["policy.grid.staffing"], hi=2.0, strict=False)
    grid_rules = validate.RULES[levers.FOCUS_POLICY["grid"]]
    monkeypatch.setitem(grid_rules, "staffing", validate.lever_rule(narrow))
    with pytest.raises(validate.ConfigError, match=r"staffing=2\.5: allowed: a number in \[0, 2\]"):
        validate.check(cfg)


def test_staffing_range_is_the_schema_rule() -> None:
    cfg = GovsimConfig()
    cfg.policy.grid.staffing = 0.0
    with pytest.raises(validate.ConfigError, match=r"policy\.grid\.staffing=0\.0: allowed: a number > 0"):
        validate.check(cfg)


def test_classroom_sliders_are_derived_and_inside_the_allowed_range() -> None:
    room = levers.classroom()
    assert list(teaching.LEVERS) == list(room)
    for name, lv in room.items():
        shown, slider = teaching.LEVERS[name], lv.slider
        assert slider is not None
        assert (shown.key, shown.lo, shown.hi, shown.step) == (lv.key, slider.lo, slider.hi, slider.step)
        assert lv.lo is not None and (slider.lo > lv.lo if lv.strict else slider.lo >= lv.lo)
        assert lv.hi is None or slider.hi <= lv.hi
        cfg = teaching.apply_levers(GovsimConfig(), {name: slider.lo})  # the slider's ends pass validation
        cfg = teaching.apply_levers(cfg, {name: slider.hi})
    assert teaching.LEVERS["staffing"].default == levers.LEVERS["policy.grid.staffing"].default == 1.0


def test_cost_items_belong_to_the_focus_of_the_lever_that_commits_them() -> None:
    assert COST_FOCUS["grid_workers"] == "grid" and COST_FOCUS["department_staff"] == "mechanism"
    assert {lv.focus for lv in levers.LEVERS.values() if lv.cost} == set(levers.FOCUS_POLICY)


def test_first_order_workload_uses_the_model_s_task_admission() -> None:
    cfg = copy.deepcopy(GovsimConfig())
    cfg.policy.grid.admission, cfg.policy.grid.admission_cap_hours = "cap", 3.0
    assert workload.admitted_task_hours(cfg) == task_hours(cfg.policy, cfg.scenario.tasks)[0] == 3.0
