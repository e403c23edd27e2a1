"""The 12345 hotline levers and its place in the closed loop, from paired runs (common random numbers).

one_town has 20,000 residents, so the default per-capita volume and seats give one idle seat; the cases
here load it (50 consultations per 1,000 residents a day ≈ 1,000 calls, 2.8 erlangs of seat time, on
3 seats) so that seats matter. Seeds are shared, so the two runs of a pair see the same incidents and
the same first-attempt calls.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from govsim.config import CHANNELS
from govsim.kpis import compute
from govsim.model import GovernanceModel
from govsim.policies import annual_cost, resolve_levers

BASE = ("scenario=one_town", "horizon_days=120", "warmup_days=20")
LOADED = (
    "scenario.hotline.enabled=true",
    "scenario.hotline.consult_per_1000_day=50",
    "scenario.hotline.seats_per_100k=15",
)
SEEDS = (0, 1)
HOT, APP, WALKIN = CHANNELS.index("hotline"), CHANNELS.index("app"), CHANNELS.index("walkin")


@cache
def _run(overrides: tuple[str, ...], seed: int, make_config) -> GovernanceModel:
    model = GovernanceModel(make_config(*BASE, *overrides, f"seed={seed}"))
    model.records_ = model.run()
    return model


def _kpis(overrides: tuple[str, ...], make_config) -> dict[str, float]:
    """KPIs pooled over the seeds (numerators and denominators summed)."""
    out: dict[str, float] = {}
    for seed in SEEDS:
        rec = _run(overrides, seed, make_config).records_
        k = compute(rec.incidents, rec.warmup, rec.horizon, calls=rec.hotline)
        for key in ("answer_rate", "abandon_rate", "answered_30s", "on_site_share"):
            out[f"{key}_num"] = out.get(f"{key}_num", 0.0) + k[f"{key}_num"]
            out[f"{key}_den"] = out.get(f"{key}_den", 0.0) + k[f"{key}_den"]
        out["offered"] = out.get("offered", 0.0) + k["answer_rate_den"]
    return out | {
        k: out[f"{k}_num"] / out[f"{k}_den"] for k in ("answer_rate", "abandon_rate", "answered_30s")
    }


def test_more_seats_answer_more_calls_and_fewer_hang_up(make_config):
    base = _kpis(LOADED, make_config)
    more = _kpis((*LOADED, "policy.platform.hotline_seats=2"), make_config)
    assert 0.0 < base["abandon_rate"] and base["answer_rate"] < 0.99  # the base is loaded: seats can matter
    assert more["answer_rate"] > base["answer_rate"]
    assert more["abandon_rate"] < base["abandon_rate"]
    assert more["answered_30s"] > base["answered_30s"]


def test_app_integration_takes_calls_off_the_line(make_config):
    base = _kpis(LOADED, make_config)
    app = _kpis((*LOADED, "policy.platform.hotline_app=0.4"), make_config)
    assert app["offered"] < 0.75 * base["offered"]  # 40 % fewer first calls, and fewer retries
    assert app["answer_rate"] > base["answer_rate"]


def test_hotline_levers_cost_money(make_config):
    costs = {}
    for extra in ((), ("policy.platform.hotline_seats=2",), ("policy.platform.hotline_app=0.4",)):
        cfg = make_config(*BASE, *LOADED, *extra)
        sc = GovernanceModel(cfg).scenario_data
        costs[extra] = annual_cost(resolve_levers(cfg.policy, sc), sc)
    base = costs[()]
    assert base["hotline_seats"] > 0 and base["hotline_app"] == 0
    assert costs[("policy.platform.hotline_seats=2",)]["hotline_seats"] == pytest.approx(
        2 * base["hotline_seats"]
    )
    assert costs[("policy.platform.hotline_app=0.4",)]["hotline_app"] > 0


def test_hotline_leaves_the_incidents_and_delays_or_reroutes_only_hotline_reports(make_config):
    # trust frozen: otherwise feedback on the delayed hotline cases moves other residents' reporting
    frozen = ("scenario.response.trust_gain=0", "scenario.response.trust_loss=0")
    off = _run(frozen, 0, make_config).records_.incidents
    on = _run((*frozen, *LOADED), 0, make_config).records_.incidents
    real_off = off[~off["is_false"]].reset_index(drop=True)
    real_on = on[~on["is_false"]].reset_index(drop=True)
    cols = ["t_occur", "grid", "category_initial", "severity_initial", "reporter", "duplicate_of"]
    pd.testing.assert_frame_equal(real_off[cols], real_on[cols])  # the new streams shift no old draw
    seen = (real_off["t_report"].notna() & real_on["t_report"].notna()).to_numpy()  # reported by the horizon
    was_hot = (real_off["channel"] == HOT).to_numpy() & seen
    assert was_hot.sum() > 50
    other = ~was_hot & seen & (real_off["channel"] != HOT).to_numpy()
    np.testing.assert_array_equal(real_off["t_report"][other], real_on["t_report"][other])
    a, b = real_off[was_hot], real_on[was_hot]
    answered = (b["channel"] == HOT).to_numpy()
    delay = (b["t_report"] - a["t_report"]).to_numpy()
    assert (delay[answered] >= 0).all() and (delay[answered] < 1.0).all()  # minutes of waiting and retrying
    assert (delay[answered] > 0).any()
    switched = b["channel"].isin([APP, WALKIN]).to_numpy()
    assert switched.any() and (delay[switched] >= 1.0).all()  # given up, reported a day later elsewhere
    assert (b["petitioned"].to_numpy() >= a["petitioned"].to_numpy()).all()


def test_seat_resolved_consultations_count_in_direct_resolution(make_config):
    rec = _run(LOADED, 0, make_config).records_
    without = compute(rec.incidents, rec.warmup, rec.horizon)
    with_calls = compute(rec.incidents, rec.warmup, rec.horizon, calls=rec.hotline)
    seat = float(rec.hotline.query("day >= 20 and day < 120")["seat_resolved"].sum())
    assert seat > 0
    assert with_calls["on_site_share_num"] == without["on_site_share_num"] + seat
    assert with_calls["on_site_share_den"] == without["on_site_share_den"] + seat
    assert with_calls["on_site_share"] > without["on_site_share"]
