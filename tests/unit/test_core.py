"""Executable specifications of the foundation: streams, territory, calendar, records, reproducibility."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govsim.config import CATEGORIES, GovsimConfig
from govsim.model import GovernanceModel
from govsim.officetime import build_calendar
from govsim.records import INCIDENT_SCHEMA, TIMESERIES_SCHEMA, EndState
from govsim.scenario import build_territory
from govsim.streams import STREAM_NAMES, make_streams


def small_config(**scenario: object) -> GovsimConfig:
    cfg = GovsimConfig()
    cfg.scenario.territory = "one_town"
    cfg.scenario.name = "one_town"
    cfg.horizon_days = 120
    for k, v in scenario.items():
        setattr(cfg.scenario, k, v)
    return cfg


@pytest.fixture(scope="module")
def one_town_records():
    return GovernanceModel(small_config()).run()


def test_streams_are_keyed_by_name_not_position():
    a = make_streams(7, 2)
    b = make_streams(7, 2)
    assert set(a) == set(STREAM_NAMES)
    for name in STREAM_NAMES:
        assert a[name].random() == b[name].random()
    assert make_streams(7, 2)["service"].random() != make_streams(7, 3)["service"].random()
    assert make_streams(7, 2)["service"].random() != make_streams(7, 2)["triage"].random()


def test_jiangmen_territory_is_1_7_73_1330():
    cfg = GovsimConfig()
    tr = build_territory(cfg.scenario, np.random.default_rng(0))
    assert len(tr.county_names) == 7
    assert len(tr.town_names) == 73
    assert len(np.unique(tr.grid_community)) == 1330
    assert tr.grid_population.sum() == 4_800_000
    # demand weights average one over residents, so the incident rate is preserved
    assert np.average(tr.grid_demand, weights=tr.grid_population) == pytest.approx(1.0)


def test_one_town_has_about_fifteen_grids():
    tr = build_territory(small_config().scenario, np.random.default_rng(0))
    assert len(tr.town_names) == 1 and 12 <= tr.n_grids <= 16


def test_deadlines_skip_weekends_and_holidays():
    cal = build_calendar("2024-01-01", ["2024-01-03"])  # Monday 1 Jan a holiday; Wed 3 Jan a local day off
    # a report on Monday 1 Jan (holiday) counts from Tue 2 Jan; 1 working day -> (3 Jan off) end of Thu 4 Jan
    assert cal.due(np.array([0.3]), np.array([1]))[0] == 4.0
    # a report on Tuesday 2 Jan: 1 working day -> end of Thursday 4 Jan
    assert cal.due(np.array([1.5]), np.array([1]))[0] == 4.0
    # a report on Friday 5 Jan (t=4.5): 1 working day -> Monday 8 Jan -> 8.0
    assert cal.due(np.array([4.5]), np.array([1]))[0] == 8.0
    # 5 working days from Friday -> next Friday 12 Jan -> 12.0
    assert cal.due(np.array([4.5]), np.array([5]))[0] == 12.0


def test_record_schemas_are_pinned(one_town_records):
    rec = one_town_records
    assert list(rec.incidents.columns) == list(INCIDENT_SCHEMA)
    assert [str(t) for t in rec.incidents.dtypes] == [dt for dt, _ in INCIDENT_SCHEMA.values()]
    assert list(rec.timeseries.columns) == list(TIMESERIES_SCHEMA)
    assert rec.categories == CATEGORIES


def test_same_seed_same_records_different_seed_different(one_town_records):
    again = GovernanceModel(small_config()).run()
    pd.testing.assert_frame_equal(one_town_records.incidents, again.incidents)
    pd.testing.assert_frame_equal(one_town_records.timeseries, again.timeseries)
    other = small_config()
    other.seed = 1
    assert not one_town_records.incidents["t_occur"].equals(GovernanceModel(other).run().incidents["t_occur"])


def test_every_ticket_ends_in_exactly_one_state(one_town_records):
    inc = one_town_records.incidents
    state = inc["end_state"]
    assert set(state.unique()) <= {0, 1, 2}
    closed, merged = inc[state == 0], inc[state == 2]
    assert closed["t_close"].notna().all()
    assert inc.loc[state == 1, "t_close"].isna().all()
    assert (merged["duplicate_of"] >= 0).all() and merged["t_triage_start"].isna().all()


def test_time_series_backlog_balances(one_town_records):
    ts = one_town_records.timeseries.groupby("day").sum()
    inc = one_town_records.incidents
    horizon = one_town_records.horizon
    open_end = ((inc["t_report"] < horizon) & (inc["end_state"] == EndState.OPEN)).sum()
    assert ts["backlog"].iloc[-1] == open_end
    assert ts["arrivals"].sum() == inc["t_report"].notna().sum()


def test_instant_discovery_reports_at_occurrence():
    rec = GovernanceModel(small_config(instant_discovery=True)).run()
    real = rec.incidents[(rec.incidents["duplicate_of"] < 0) & ~rec.incidents["is_false"]]
    assert (real["t_report"] == real["t_occur"]).all()
