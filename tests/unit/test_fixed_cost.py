"""The simulate phase's fixed cost (per day, week, town) cut without changing a number.

Each restructured computation is checked here against the way it was computed before, to the bit:
the weekly worker step that keeps the plans' sums per grid while no plan changes, ...
"""

from __future__ import annotations

import numpy as np

from govsim.model import GovernanceModel


def _plan_sums_afresh(model: GovernanceModel) -> tuple[np.ndarray, ...]:
    """The grids' week hours summed afresh from the agents' plans as they are (the old way)."""
    wf = model.workforce
    n = model.scenario_data.territory.n_grids
    plan = np.array([w.plan for w in model._worker_rows]).T
    return tuple(np.bincount(wf.grid, weights=p, minlength=n) for p in plan)


def test_weekly_step_keeps_plan_sums_only_while_no_plan_changes(make_config):
    model = GovernanceModel(make_config("scenario=one_town", "horizon_days=30", "warmup_days=1"))
    wf = model.workforce
    model.start_week()
    first = wf._plan_sums
    assert first is not None
    model.start_week()  # nothing changed: the same sums, not summed again
    assert wf._plan_sums is first
    one = model._worker_rows[3]
    one.hours = one.hours / 2  # this worker's contract changes: its plan, and its grid's sums, must follow
    model.start_week()
    assert one.plan[0] == one.hours
    fresh = _plan_sums_afresh(model)
    for kept, afresh in zip(wf._plan_sums, fresh, strict=True):
        np.testing.assert_array_equal(kept, afresh)
    assert fresh[0][one.grid] < first[0][one.grid]  # the change reached the grid's budget
    np.testing.assert_array_equal(wf.week_use[0], fresh[1])  # tasks, then training, as deployed
    np.testing.assert_array_equal(wf.week_use[1], fresh[3])


def test_grid_skill_is_the_team_mean(make_config):
    model = GovernanceModel(make_config("scenario=one_town", "horizon_days=30", "warmup_days=1"))
    model.start_week()
    wf = model.workforce
    n = model.scenario_data.territory.n_grids
    skill = np.array([w.skill for w in model._worker_rows])
    expect = np.bincount(wf.grid, weights=skill, minlength=n) / np.bincount(wf.grid, minlength=n)
    np.testing.assert_array_equal(wf.grid_skill, expect)
