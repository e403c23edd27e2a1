"""Invariants every record obeys, in every scenario under every policy preset (issue #5).

* stage timestamps are monotone along the closed loop and none lies beyond the horizon;
* each ticket is in exactly one end state (closed, open, merged) and its stages agree with it;
* Little's law over the finite horizon, for the whole system and for the department station alone.

Little's law over [0, T] from an empty start (Little 1961; Larson & Odoni, *Urban Operations Research*,
ch. 4): with N(t) the number present, L = (1/T) ∫ N dt; λ = A/T with A the arrivals in [0, T]; and
W = (1/A) Σ (min(d_i, T) − a_i), each sojourn clipped at the horizon. Then L = λ W for every sample
path, so a deviation beyond 1 % means the records are inconsistent. L is computed by sweeping the
sorted arrival and departure events, W ticket by ticket. Being an identity, it checks the records
(no negative count present, no departure without an arrival); the substantive part is that the
model's own daily backlog series equals N(t) at each day's end and averages to L within 1 %.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govsim.model import GovernanceModel
from govsim.records import EndState, Records
from govsim.records import merged as is_merged

LOOP = (
    "t_occur",
    "t_report",
    "t_triage_start",
    "t_triage_end",
    "t_dept_arrive",
    "t_handle_start",
    "t_handle_end",
    "t_close",
)
"""Stage timestamps in the order of the loop 巡查→上报→流转→处置→反馈 (design.md §1)."""
SCENARIOS = {
    "one_town": ("scenario=one_town", "horizon_days=365"),
    "jiangmen_small": ("scenario=jiangmen", "scenario.population_scale=0.05", "horizon_days=120"),
}
POLICIES = ("baseline", "grid", "platform", "fusion", "mechanism", "all_four")
RUNS = [(s, p) for s in SCENARIOS for p in POLICIES]


@pytest.fixture(scope="module", params=RUNS, ids=[f"{s}-{p}" for s, p in RUNS])
def run(request, make_config) -> tuple[Records, bool]:
    """Records of one scenario under one policy preset, and whether the policy merges duplicates."""
    scenario, policy = request.param
    cfg = make_config(*SCENARIOS[scenario], f"policy={policy}")
    return GovernanceModel(cfg).run(), cfg.policy.fusion.dedup


def _rows(inc: pd.DataFrame, bad: np.ndarray) -> str:
    return f"{int(bad.sum())} tickets, e.g.\n{inc.loc[bad, list(LOOP) + ['end_state']].head(3).to_string()}"


def test_stage_timestamps_are_monotone_along_the_loop(run):
    rec, _ = run
    inc = rec.incidents
    t = inc[list(LOOP)].to_numpy()
    beyond = (t > rec.horizon).any(axis=1)
    assert not beyond.any(), "stage after the horizon: " + _rows(inc, beyond)
    reached = np.fmax.accumulate(t, axis=1)  # latest stage time so far, skipping stages not passed
    back = (t[:, 1:] < reached[:, :-1]).any(axis=1)  # NaN compares False: unreached stages are fine
    assert not back.any(), "a stage earlier than the one before it: " + _rows(inc, back)
    later = ~np.isnan(t[:, 2:]).all(axis=1)
    unreported = later & np.isnan(t[:, 1])
    assert not unreported.any(), "handled without a report: " + _rows(inc, unreported)
    real = (~inc["is_false"]).to_numpy()
    assert not np.isnan(t[real, 0]).any(), "a real incident without an occurrence time"


def test_each_ticket_is_in_exactly_one_end_state(run):
    rec, dedup = run
    inc = rec.incidents
    state = inc["end_state"].to_numpy()
    closed, merged, open_ = state == EndState.CLOSED, state == EndState.MERGED, state == EndState.OPEN
    assert (closed.astype(int) + merged + open_ == 1).all(), "end_state outside closed/open/merged"
    np.testing.assert_array_equal(inc["incident_id"].to_numpy(), np.arange(len(inc)))
    has_close = inc["t_close"].notna().to_numpy()
    assert (closed == has_close).all(), "closed iff a close time: " + _rows(inc, closed != has_close)
    m = inc[merged]
    assert dedup or not merged.any(), "duplicates merged under a policy without dedup"
    assert (m["duplicate_of"] >= 0).all() and m["t_report"].notna().all()
    assert m[["t_triage_start", "t_dept_arrive", "t_handle_start", "t_close"]].isna().all().all()
    originals = inc.iloc[m["duplicate_of"].to_numpy()]  # a merged duplicate points at a real original
    assert (originals["duplicate_of"] == -1).all() and not originals["is_false"].any()


def number_present(arrive: np.ndarray, leave: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Event times in [0, T] and the number present just after each, from a sweep of sorted events.

    ``leave`` NaN means still present at the horizon; tickets that never arrived (NaN) are ignored.
    """
    a = arrive[~np.isnan(arrive)]
    d = leave[~np.isnan(arrive) & ~np.isnan(leave)]
    times = np.concatenate([a, d])
    order = np.argsort(times, kind="stable")
    steps = np.concatenate([np.ones(len(a)), -np.ones(len(d))])[order]
    return times[order], np.cumsum(steps)


def time_average(times: np.ndarray, n: np.ndarray, horizon: float) -> float:
    """(1/T) ∫₀ᵀ N(t) dt of the step function N jumping to ``n[k]`` at ``times[k]`` (N = 0 before)."""
    widths = np.diff(np.append(times, horizon))
    return float((n * widths).sum() / horizon)


def littles_law(arrive: np.ndarray, leave: np.ndarray, horizon: float) -> tuple[float, float, float]:
    """(L, λ, W) over [0, T] with sojourns clipped at T, L from the event sweep."""
    times, n = number_present(arrive, leave)
    assert (n >= 0).all(), "more departures than arrivals at some time"
    came = ~np.isnan(arrive)
    stay = np.where(np.isnan(leave[came]), horizon, np.minimum(leave[came], horizon)) - arrive[came]
    return time_average(times, n, horizon), came.sum() / horizon, float(stay.mean())


def test_littles_law_for_the_whole_system(run):
    """Report → close; a merged duplicate leaves at its report, as in the model's backlog series."""
    rec, _ = run
    inc, horizon = rec.incidents, rec.horizon
    arrive = inc["t_report"].to_numpy()
    leave = np.where(is_merged(inc), arrive, inc["t_close"].to_numpy())
    assert not (np.isnan(arrive) & ~np.isnan(leave)).any(), "closed without being reported"
    big_l, lam, w = littles_law(arrive, leave, horizon)
    assert big_l == pytest.approx(lam * w, rel=0.01)
    backlog = rec.timeseries.groupby("day")["backlog"].sum().to_numpy()
    day_end = np.arange(1, len(backlog) + 1)
    came = np.searchsorted(np.sort(arrive[~np.isnan(arrive)]), day_end, side="left")
    left = np.searchsorted(np.sort(leave[~np.isnan(leave)]), day_end, side="left")
    np.testing.assert_array_equal(backlog, came - left, err_msg="daily backlog ≠ N(day end) from records")
    assert backlog.mean() == pytest.approx(big_l, rel=0.01), "day-end backlog average far from ∫N dt / T"


def test_littles_law_for_the_department_station(run):
    """First arrival at the department → last end of handling (a reopened case stays in the station)."""
    rec, _ = run
    inc = rec.incidents
    big_l, lam, w = littles_law(inc["t_dept_arrive"].to_numpy(), inc["t_handle_end"].to_numpy(), rec.horizon)
    assert lam > 0 and big_l == pytest.approx(lam * w, rel=0.01)
