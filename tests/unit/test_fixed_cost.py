"""The simulate phase's fixed cost (per day, week, town) cut without changing a number.

Each restructured computation is checked here against the way it was computed before, to the bit:
the weekly worker step that keeps the plans' sums per grid while no plan changes, ...
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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


def test_start_week_is_turn_over_then_learn_then_plan_week(make_config):
    """``start_week`` writes out ``turn_over`` and ``learn``: the same numbers as the three calls."""
    cfg = make_config(
        "scenario=one_town", "horizon_days=30", "warmup_days=1", "scenario.worker.turnover_per_year=5"
    )
    inline, calls = GovernanceModel(cfg), GovernanceModel(cfg)
    left = 0
    for _ in range(20):
        for m in (inline, calls):
            m.workforce.draw_week(m.streams["workforce"])
        inline.workers.do("start_week")
        for step in ("turn_over", "learn", "plan_week"):
            calls.workers.do(step)
        a, b = inline._worker_rows, calls._worker_rows
        assert [(w.skill, w.tenure_weeks, w.plan) for w in a] == [
            (w.skill, w.tenure_weeks, w.plan) for w in b
        ]
        left += sum(w.tenure_weeks == 1 for w in a)
    assert left > 0  # some workers left and were replaced: the order of the two decisions mattered


def test_one_simpy_run_gives_the_records_of_a_run_a_day_at_a_time(make_config):
    """Without a progress bar SimPy runs to the horizon in one call; with one, a day at a time."""
    cfg = make_config("scenario=one_town", "horizon_days=20.5", "warmup_days=1")
    one, daily = GovernanceModel(cfg), GovernanceModel(cfg)
    a, b = one.run(progress=False), daily.run(progress=True)
    assert one.env.now == daily.env.now == 20.5
    pd.testing.assert_frame_equal(a.incidents, b.incidents)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)


def test_heat_map_is_not_kept_when_patrol_is_not_hotspot_guided(make_config):
    """Without hotspot patrol nobody reads the heat map, so intake leaves it empty.

    Under hotspot patrol it holds each grid's reports of the last 28 days: ``test_window``.
    """
    model = GovernanceModel(make_config("scenario=one_town", "policy=baseline", "horizon_days=60"))
    assert not model.levers.hotspot
    assert len(model.run().incidents) > 50
    np.testing.assert_array_equal(model.loop.heat.window(), 0.0)


def test_deploy_without_heat_map_under_hotspot_patrol_is_refused(make_config):
    model = GovernanceModel(
        make_config("scenario=one_town", "policy=fusion", "horizon_days=30", "warmup_days=1")
    )
    with pytest.raises(ValueError, match="heat=None"):
        model.workforce.deploy(None)
