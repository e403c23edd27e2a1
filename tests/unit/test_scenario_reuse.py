"""Config → Scenario → Model (issue 12 item 5): a Scenario built once serves every policy of its seed."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from govsim.config import GovsimConfig
from govsim.model import GovernanceModel
from govsim.scenario import build_scenario, scenario_of
from govsim.streams import stream

SHORT = ("scenario=one_town", "horizon_days=60", "warmup_days=10", "seed=4", "replication=2")


def _same(a: GovernanceModel, b: GovernanceModel) -> None:
    ra, rb = a.run(), b.run()
    pd.testing.assert_frame_equal(ra.incidents, rb.incidents)
    pd.testing.assert_frame_equal(ra.timeseries, rb.timeseries)
    pd.testing.assert_frame_equal(ra.grids, rb.grids)


def test_one_scenario_object_serves_two_policies(make_config: Callable[..., GovsimConfig]) -> None:
    """The same Scenario object, run under two policies in turn, gives the records of building it afresh."""
    base, four = make_config(*SHORT, "policy=baseline"), make_config(*SHORT, "policy=all_four")
    shared = scenario_of(base)
    _same(GovernanceModel(base, shared), GovernanceModel(base))
    _same(GovernanceModel(four, shared), GovernanceModel(four))  # after a run on it: nothing it holds moved


def test_the_scenario_draws_from_the_territory_stream_alone(make_config: Callable[..., GovsimConfig]) -> None:
    cfg = make_config(*SHORT, "policy=baseline")
    sc = scenario_of(cfg)
    by_hand = build_scenario(cfg.scenario, stream(cfg.seed, cfg.replication, "territory"))
    assert np.array_equal(sc.territory.grid_demand, by_hand.territory.grid_demand)
    model = GovernanceModel(cfg, sc)
    n = len(model.residents.propensity)
    first = stream(cfg.seed, cfg.replication, "residents").lognormal(-0.125, 0.5, n)
    assert np.array_equal(model.residents.propensity, first)  # residents' traits: a stream of their own


def test_a_scenario_of_another_seed_or_config_is_refused(make_config: Callable[..., GovsimConfig]) -> None:
    cfg = make_config(*SHORT, "policy=baseline")
    sc = scenario_of(cfg)
    with pytest.raises(ValueError, match=r"seed, replication\)=\(4, 2\); this run has \(5, 2\)"):
        GovernanceModel(make_config(*SHORT, "policy=baseline", "seed=5"), sc)
    with pytest.raises(ValueError, match="another scenario config"):
        GovernanceModel(make_config(*SHORT, "policy=baseline", "scenario.incident_rate=0.5"), sc)
