"""``backlog_mean`` (积压均值) and ``scheduled_staff_days`` are what docs/kpis.md says they are.

The backlog counts every ticket reported and not closed — false reports and duplicates not merged at intake
included — at the end of each day of the measured period (day index >= warm-up), summed over towns and
averaged over those days; scheduled staff time is staff × the working days in the window (office time),
not staff × the window's length around the clock (which the doc said before).
"""

from __future__ import annotations

import numpy as np
import pytest

from govsim.compose import compose
from govsim.records import merged, real
from govsim.runner import simulate
from govsim.scenario import scenario_of

OVERRIDES = ["scenario=one_town", "horizon_days=40.5", "warmup_days=10.5", "output.progress=false"]


@pytest.fixture(scope="module")
def result():
    return simulate(compose(OVERRIDES))


def _stock(inc, mask: np.ndarray, days: np.ndarray) -> float:
    rep = inc["t_report"].to_numpy()[mask]
    end = np.where(merged(inc).to_numpy()[mask], rep, inc["t_close"].to_numpy()[mask])
    return float(np.mean([(np.floor(rep) <= d).sum() - (np.floor(end) <= d).sum() for d in days]))


def test_backlog_mean_is_the_documented_stock(result) -> None:
    inc, rec = result.records.incidents, result.records
    days = np.arange(11, 41)  # ceil(warmup) ... ceil(horizon) - 1
    reported = ~np.isnan(inc["t_report"].to_numpy())
    backlog = float(result.kpis.iloc[0]["backlog_mean"])
    assert backlog == pytest.approx(_stock(inc, reported, days), rel=1e-12)
    assert rec.timeseries["day"].max() == days[-1]
    is_real = real(inc).to_numpy()
    assert (~is_real & reported).any()  # the run has false reports or duplicates: they make a difference
    assert backlog > _stock(inc, reported & is_real, days)


def test_scheduled_staff_days_are_office_time(result) -> None:
    cfg = compose(OVERRIDES)
    cal = scenario_of(cfg).calendar
    # the window [10.5, 40.5) cuts days 10 and 40 at noon: half of 08:30-12:00 + 14:00-17:30 on each side
    working = int(cal.is_work[11:40].sum()) + 0.5 * bool(cal.is_work[10]) + 0.5 * bool(cal.is_work[40])
    util = result.utilisation
    assert working < 30  # the window holds days off: around the clock would give staff × 30
    np.testing.assert_allclose(util["scheduled_staff_days"], util["servers"] * working, rtol=1e-12)
