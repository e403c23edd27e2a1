"""The Mesa agents make the model's decisions: neutralise one kind and the run changes the way it must.

Paired runs of the one_town scenario under common random numbers (same seeds, same incidents): the
model as it is, and the model with one agent type's decision replaced by a do-nothing one. If the agents
were decoration (created and never read), the two runs would be identical and every test here would fail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from govsim.agents import Centre, Department, GridWorker
from govsim.config import CHANNELS
from govsim.model import GovernanceModel

BASE = ("scenario=one_town", "horizon_days=120", "warmup_days=30")
PATROL = CHANNELS.index("patrol")


def real(inc: pd.DataFrame) -> pd.DataFrame:
    return inc[~inc["is_false"] & (inc["duplicate_of"] < 0) & (inc["t_report"] >= 30)]


def run(make_config, *overrides: str) -> tuple[GovernanceModel, pd.DataFrame]:
    model = GovernanceModel(make_config(*BASE, *overrides))
    return model, model.run().incidents


def idle_week(self: GridWorker) -> None:
    """A worker who plans no hours on duty: no tasks, no training, no patrol."""
    self.plan = (0.0, 0.0, 0.0, 0.0)


def test_every_grid_worker_agent_plans_its_week_through_the_agentset(make_config, monkeypatch):
    calls: list[int] = []
    plan_week = GridWorker.plan_week

    def counted(self: GridWorker) -> None:
        calls.append(self.row)
        plan_week(self)

    monkeypatch.setattr(GridWorker, "plan_week", counted)
    model, _ = run(make_config)
    workers = model.agents_by_type[GridWorker]
    weeks = len(range(0, 120, 7))
    assert len(workers) == model.workforce.n > 0
    assert sorted(calls) == sorted(list(range(model.workforce.n)) * weeks)
    one = workers.to_list()[0]
    assert one.week_plan["on_duty"] == model.workforce.hours[one.row] > 0


def test_idle_grid_workers_collapse_patrol_discovery(make_config, monkeypatch):
    _, base = run(make_config)
    monkeypatch.setattr(GridWorker, "plan_week", idle_week)
    model, idle = run(make_config)
    b, i = real(base), real(idle)
    patrol_share = float((b["channel"] == PATROL).mean())
    assert patrol_share > 0.2  # workers who plan their week find a large share of incidents
    assert (i["channel"] == PATROL).sum() == 0  # workers who plan nothing find none
    assert model.workforce.week_use[3].sum() == 0.0  # and patrol no hours
    delay_b = float((b["t_report"] - b["t_occur"]).mean())
    delay_i = float((i["t_report"] - i["t_occur"]).mean())
    assert delay_i > 1.5 * delay_b, (delay_b, delay_i)


def test_town_centre_agents_own_triage(make_config, monkeypatch):
    """A centre that never queues (each report starts at arrival) removes the queueing part of the wait.

    What is left is the wait for office hours and for reports from channels not on the platform.
    """
    slow = ("scenario.triage_days=0.1",)
    _, base = run(make_config, *slow)
    monkeypatch.setattr(Centre, "triage", lambda self, arrive, service: list(arrive))
    _, free = run(make_config, *slow)

    def wait(inc: pd.DataFrame) -> float:
        r = real(inc)
        r = r[r["department"] >= 0]
        return float((r["t_triage_start"] - r["t_report"]).mean())

    assert wait(base) > wait(free) + 0.1, (wait(base), wait(free))  # the centre's queue makes reports wait


def test_department_agents_own_their_desks(make_config):
    model, inc = run(make_config)

    departments = model.agents_by_type[Department].to_list()
    assert [d.desk for d in departments] == model.loop.desks
    handled = inc[inc["department"] >= 0]["department"].to_numpy()
    assert np.isin(np.unique(handled), np.arange(len(departments))).all()
    assert sum(d.desk.busy_in for d in departments) > 0
