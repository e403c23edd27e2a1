"""Graded triage (分类分层分级): urgent cases wait less at the centre, routine more; fusion grades better.

Paired runs of the one_town scenario with a busy centre (triage 0.1 staff-days a report), the same
seeds, graded triage off (FCFS) and on. Urgency is the rule's class (severity 3, or a category of
priority 0), so both runs are compared on the same definition whatever the mis-grading.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from govsim.model import GovernanceModel
from govsim.policies import annual_cost, resolve_levers

BASE = ("scenario=one_town", "horizon_days=240", "warmup_days=30", "scenario.triage_days=0.1")
SEEDS = (0, 1)


@cache
def runs(make_config, *overrides: str) -> tuple[tuple[GovernanceModel, pd.DataFrame], ...]:
    out = []
    for seed in SEEDS:
        model = GovernanceModel(make_config(*BASE, f"seed={seed}", *overrides))
        out.append((model, model.run().incidents))
    return tuple(out)


def triaged(model: GovernanceModel, inc: pd.DataFrame) -> pd.DataFrame:
    r = inc[~inc["is_false"] & (inc["duplicate_of"] < 0) & (inc["t_report"] >= 30)]
    r = r[r["t_triage_start"].notna()].copy()
    sc = model.scenario_data
    urgent_sev = model.cfg.scenario.triage_urgent_severity
    rule = np.where(r["severity"] >= urgent_sev, 0, sc.cat_priority[r["category"].to_numpy()])
    r["rule_class"] = rule
    r["wait"] = r["t_triage_start"] - r["t_report"]
    return r


def waits(make_config, *overrides: str) -> dict[str, float]:
    parts = [triaged(m, inc) for m, inc in runs(make_config, *overrides)]
    r = pd.concat(parts)
    return {
        "urgent": float(r.loc[r["rule_class"] == 0, "wait"].mean()),
        "routine": float(r.loc[r["rule_class"] > 0, "wait"].mean()),
        "misgraded": float((r["triage_class"] != r["rule_class"]).mean()),
    }


def test_graded_triage_shortens_urgent_waits_at_the_cost_of_routine(make_config):
    fcfs = waits(make_config)
    graded = waits(make_config, "policy.platform.graded_triage=true")
    assert graded["urgent"] < 0.8 * fcfs["urgent"], (fcfs, graded)
    assert graded["routine"] > fcfs["routine"], (fcfs, graded)


def test_records_keep_the_class_and_fusion_lowers_mis_grading(make_config):
    fcfs = runs(make_config)[0][1]
    assert (fcfs["triage_class"] == -1).all()  # FCFS by default: no class, records as before
    base = waits(make_config, "policy.platform.graded_triage=true")
    fused = waits(make_config, "policy.platform.graded_triage=true", "policy.fusion.routing_accuracy=1.0")
    assert 0.05 < base["misgraded"] < 0.15, base  # misgrade_prob 0.1 at the status-quo accuracy
    assert fused["misgraded"] == 0.0, fused


def test_graded_triage_costs_the_triage_staffs_grading_hours(make_config):
    costs, staff = [], 0.0
    for lever in ("false", "true"):
        cfg = make_config(*BASE, f"policy.platform.graded_triage={lever}")
        sc = GovernanceModel(cfg).scenario_data
        lv = resolve_levers(cfg.policy, sc)
        costs.append(annual_cost(lv, sc)["graded_triage"])
        staff = float(lv.town_triage.sum())
    c = cfg.scenario.cost
    assert staff > 0 and costs[0] == 0.0
    assert costs[1] == staff * c.grading_hours * c.training_per_hour  # 16 h a staff-year at 50 yuan/h
