"""Windows in time: the heat map's last 28 days, no records past the horizon, utilisation in the window."""

from __future__ import annotations

import numpy as np
import pytest

from govsim.config import GovsimConfig
from govsim.departments import DepartmentDesk, Job, Outcomes, Rules, new_job
from govsim.incidents import HeatMap
from govsim.model import GovernanceModel
from govsim.records import INCIDENT_SCHEMA


def one_town(horizon: float, **top: object) -> GovsimConfig:
    cfg = GovsimConfig()
    cfg.scenario.territory = "one_town"
    cfg.scenario.name = "one_town"
    cfg.horizon_days = horizon
    for k, v in top.items():
        setattr(cfg, k, v)
    return cfg


def test_heat_map_holds_exactly_the_last_28_days_of_a_hand_made_history():
    """Day d adds d + 1 reports to grid d % 3; on day 86 the window is days 58..85, nothing older."""
    heat = HeatMap(n_grids=3, days=28)
    for day in range(86):
        if day in (70, 71):  # days without reports still age the window
            heat.add(day, np.empty(0, dtype=np.int64))
            continue
        heat.add(day, np.full(day + 1, day % 3))
    expected = np.zeros(3)
    for day in range(58, 86):
        if day not in (70, 71):
            expected[day % 3] += day + 1
    np.testing.assert_array_equal(heat.window(), expected)


def test_heat_map_skipped_days_are_cleared_too():
    heat = HeatMap(n_grids=2, days=28)
    heat.add(0, np.array([0, 0, 1]))
    heat.add(30, np.array([1]))  # days 1..29 had no intake at all: day 0 is out of the window
    np.testing.assert_array_equal(heat.window(), [0.0, 1.0])


def test_the_model_steers_patrol_by_the_last_28_days_of_reports():
    """After day 85 the model's heat map counts every ticket reported on days 58..85, and only those.

    Under hotspot-guided patrol: the heat map is kept only when it steers patrol (``IncidentLoop.intake``).
    """
    cfg = one_town(86.0)
    cfg.policy.fusion.hotspot_patrol = True
    model = GovernanceModel(cfg)
    assert model.levers.hotspot
    rec = model.run()
    inc = rec.incidents
    tickets = inc[~inc["is_false"] & (np.floor(inc["t_report"]) >= 58)]
    expected = np.bincount(tickets["grid"], minlength=len(rec.grids))
    np.testing.assert_array_equal(model.loop.heat.window(), expected)


def test_no_record_for_an_incident_that_occurs_after_a_fractional_horizon():
    rec = GovernanceModel(one_town(40.5, warmup_days=5.0)).run()
    inc = rec.incidents
    real = inc[~inc["is_false"]]
    assert (real["t_occur"] <= 40.5).all()
    assert (inc.loc[inc["is_false"], "t_report"] <= 40.5).all()
    np.testing.assert_array_equal(inc["incident_id"], np.arange(len(inc)))
    dup = inc[inc["duplicate_of"] >= 0]
    orig = inc.set_index("incident_id").loc[dup["duplicate_of"]]
    np.testing.assert_array_equal(orig["t_occur"].to_numpy(), dup["t_occur"].to_numpy())
    assert (orig["duplicate_of"] < 0).all()


# ---- utilisation inside the window ---------------------------------------------------------------------
def _job(i: int, work: float) -> Job:
    return new_job(i, 1, float(i), 1e9, 1e9, [work], [True], [True], [0], reporter=i)


def test_busy_time_counts_service_begun_before_the_window_and_stops_at_its_end():
    """One server, jobs of 3 days from day 0 back to back; window [4, 10): busy all 6 days."""
    cols = {k: np.full(8, np.nan) for k in INCIDENT_SCHEMA}
    rules = Rules(0.0, 0, 1.0, False, measure_from=4.0, measure_to=10.0)
    desk = DepartmentDesk(1, rules, Outcomes(cols))
    desk.expect([0.0] * 5, [_job(i, 3.0) for i in range(5)])
    desk.advance(10.0)
    assert desk.busy_in == pytest.approx(6.0)
    assert desk.scheduled_time(4.0, 10.0) == 6.0
    assert desk.busy_in / desk.scheduled_time(4.0, 10.0) == pytest.approx(1.0)


def _covered(lo: np.ndarray, hi: np.ndarray, start: float, end: float) -> float:
    """Length of [start, end) covered by the union of intervals [lo, hi)."""
    lo, hi = np.clip(lo, start, end), np.clip(hi, start, end)
    total, reach = 0.0, start
    for a, b in sorted(zip(lo.tolist(), hi.tolist(), strict=True)):
        if b > reach:
            total += b - max(a, reach)
            reach = b
    return total


def test_a_saturated_desk_is_not_reported_idle():
    """The overloaded town of the issue. While a case waits at an open desk, all its staff are busy (the
    desk works whenever it is open and has work), so the share of open time in which someone waits — from
    the records, measured in office time — is a lower bound of utilisation, desk by desk; the old measure
    broke it (0.459)."""
    cfg = one_town(60.0)
    cfg.policy.mechanism.department_staffing = 0.5
    model = GovernanceModel(cfg)
    rec = model.run()
    busy, scheduled = model.desk_time()
    inc = rec.incidents
    routed = inc[(inc["department"] >= 0) & inc["t_dept_arrive"].notna()]
    saturated = 0
    for g in range(len(model.loop.desks)):
        at = routed[routed["department"] == g]
        lo = at["t_dept_arrive"].to_numpy()
        hi = at["t_handle_start"].fillna(rec.horizon).to_numpy()
        w = np.array([rec.warmup, rec.horizon])
        hours = model.loop.desks[g].hours
        if hours is not None:  # a desk works only while open: measure waiting in office time
            lo, hi, w = hours.office_v(lo), hours.office_v(hi), hours.office_v(w)
        share = _covered(lo, hi, w[0], w[1]) / (w[1] - w[0])
        util = busy[g] / scheduled[g]
        assert share - 1e-9 <= util <= 1.0 + 1e-9, (g, share, util)
        saturated += share > 0.99
    assert saturated >= 1  # the case the issue reported: a desk with a queue all window long


def test_an_overloaded_run_counts_its_open_cases_and_says_so():
    """The issue's run (one town, 60 days, half the department staff): a third of tickets still open."""
    from govsim.runner import simulate

    cfg = one_town(60.0)
    cfg.policy.mechanism.department_staffing = 0.5
    cfg.output.figures = False
    result = simulate(cfg)
    k = result.kpis[result.kpis["by"] == "all"].iloc[0]
    inc, rec = result.records.incidents, result.records
    real = inc[~inc["is_false"] & (inc["duplicate_of"] < 0) & (inc["t_report"] >= rec.warmup)]
    lower = float((real["t_close"].fillna(rec.horizon) - real["t_report"]).mean())  # open ones cut at the end
    closed_only = float((real["t_close"] - real["t_report"]).mean())
    assert k["open_share"] > 0.2 and k["resolution_open"] > 0
    assert k["resolution_mean"] >= lower > closed_only
    assert k["on_time_rate"] + k["overdue_rate"] == pytest.approx(1.0)
    assert k["on_time_rate_num"] + k["overdue_rate_num"] == k["on_time_rate_den"]
    first = result.summary.splitlines()[0]
    assert "仍未办结" in first and f"{k['open_share']:.0%}" in first
    assert "cost" not in first and "年成本(万元/年)" in result.summary


def test_a_quiet_run_has_no_open_share_line():
    from govsim.runner import simulate

    cfg = one_town(200.0)
    cfg.output.figures = False
    cfg.output.lang = "en"
    result = simulate(cfg)
    assert not result.summary.startswith("note:") and "cost (10k yuan/yr)" in result.summary
