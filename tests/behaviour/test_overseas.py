"""侨乡 demands and the 侨情 one-window lever (``govsim.overseas``), from paired runs (common random numbers).

Scenario ``one_town_qiaoxiang``: one town with overseas-Chinese cases at ten times the assumed Jiangmen
rate (so a short run has a few hundred). The two runs of a pair see the same cases (stream ``overseas``).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from govsim.config import CHANNELS
from govsim.model import GovernanceModel
from govsim.policies import annual_cost, resolve_levers

BASE = ("scenario=one_town_qiaoxiang", "horizon_days=200", "warmup_days=30")
SEEDS = (0, 1)


@cache
def _run(overrides: tuple[str, ...], seed: int, make_config) -> GovernanceModel:
    model = GovernanceModel(make_config(*BASE, *overrides, f"seed={seed}"))
    model.records_ = model.run()
    return model


def _overseas(overrides: tuple[str, ...], seed: int, make_config):
    rec = _run(overrides, seed, make_config).records_
    inc = rec.incidents
    return inc[(inc["category"] == rec.categories.index("overseas_chinese")) & (inc["t_report"] >= 30)]


def test_one_window_resolves_overseas_cases_sooner(make_config):
    for seed in SEEDS:
        chain = _overseas((), seed, make_config)
        window = _overseas(("policy.platform.qiao_window=true",), seed, make_config)
        assert len(chain) > 100
        np.testing.assert_array_equal(
            chain["t_report"].to_numpy(), window["t_report"].to_numpy()
        )  # same cases
        before = (chain["t_close"] - chain["t_report"]).mean()
        after = (window["t_close"] - window["t_report"]).mean()
        assert after < before, f"seed {seed}: resolution {before:.2f} d -> {after:.2f} d"
        # with one package every case reaches its desk without referrals: routing no longer grows with k
        routing = (window["t_dept_arrive"] - window["t_triage_end"]).max()
        assert routing < (chain["t_dept_arrive"] - chain["t_triage_end"]).max()


def test_overseas_cases_come_mostly_online_at_beijing_night(make_config):
    o = _overseas((), 0, make_config)
    online = o["channel"] == CHANNELS.index("app")
    assert 0.7 < online.mean() < 0.9  # abroad_share 0.8
    hour = (o.loc[online, "t_report"] % 1.0) * 24
    # local 08:00-22:00 at Beijing - 15 h: 23:00-13:00 Beijing time, never in the afternoon or evening
    assert ((hour >= 23) | (hour < 13)).all()
    assert (o["department"] % len(_run((), 0, make_config).records_.departments) == 5).all()


def test_one_window_costs_money(make_config):
    costs = []
    for lever in ("false", "true"):
        cfg = make_config(*BASE, f"policy.platform.qiao_window={lever}")
        sc = GovernanceModel(cfg).scenario_data
        costs.append(annual_cost(resolve_levers(cfg.policy, sc), sc)["qiao_window"])
    assert costs[0] == 0 and costs[1] == pytest.approx(cfg.scenario.cost.qiao_window)  # one county


def test_scenarios_without_the_category_have_no_overseas_cases(make_config):
    model = GovernanceModel(make_config("scenario=one_town", "horizon_days=10", "warmup_days=0"))
    assert model.loop.overseas is None
