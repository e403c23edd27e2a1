"""Where govsim reduces to a queue it reproduces queueing theory (issue #5).

Each case is a scenario under ``configs/scenario/`` whose switches (``docs/validation.md``) reduce the
closed loop to an M/M/c queue, a Jackson tandem of centre triage and a department, the same tandem with
two non-preemptive priority classes, or an M/G/1 priority queue with gamma service. Simulated means
over independent replications must match the exact formulas of ``govsim.theory``: the theory lies in
the 99.9 % confidence interval or within 2 % of the mean (``queue_cases.compare``), and every interval
is narrower than ±10 % of theory, so a pass means something. The power tests show that a wrong
service-time parameter, in the configuration or in the sampler's code, makes these comparisons fail.
"""

from __future__ import annotations

import numpy as np
import pytest
from queue_cases import CASES, TABLE_REPLICATIONS, queue_params, run_case

import govsim.occurrence
from govsim.records import closed

POWER_REPLICATIONS = 8
"""Fewer than a validation case: the broken parameters below move the waits by 20–80 %."""


def _verdict(table) -> str:
    return "\n" + table.to_string(float_format=lambda v: f"{v:.5g}")


def _any_ok(table, metrics: list[str]) -> bool:
    return bool(table.set_index("metric").loc[metrics, "ok"].any())


@pytest.mark.parametrize("key", list(CASES))
def test_reduced_scenario_reproduces_theory(key):
    table = run_case(CASES[key])
    assert table["informative"].all(), "confidence intervals too wide to mean anything" + _verdict(table)
    assert table["ok"].all(), _verdict(table)


@pytest.mark.slow
@pytest.mark.parametrize("key", list(CASES))
def test_reduced_scenario_reproduces_theory_precisely(key):
    table = run_case(CASES[key], TABLE_REPLICATIONS)
    assert table["informative"].all() and table["ok"].all(), _verdict(table)


@pytest.mark.parametrize(
    ("key", "classes", "lam", "triage", "dept", "cv"),
    [
        ("mmc", ("routine",), (100.0,), (0.0, 2), ((0.021,), 3), 1.0),
        ("tandem", ("routine",), (100.0,), (0.012, 2), ((0.021,), 3), 1.0),
        ("tandem_priority", ("urgent", "routine"), (30.0, 70.0), (0.012, 2), ((0.021, 0.021), 3), 1.0),
        ("mg1_priority", ("urgent", "routine"), (30.0, 70.0), (0.0, 2), ((0.005, 0.0075), 1), 0.5),
    ],
)
def test_scenarios_are_the_queues_their_yaml_states(key, classes, lam, triage, dept, cv):
    """The rates, means and server counts the model resolves are the ones in each YAML's header."""
    p = queue_params(CASES[key].config(0))
    assert p.classes == classes
    assert p.lam == pytest.approx(lam)
    assert (p.triage_mean, p.triage_servers) == pytest.approx(triage)
    assert p.dept_means == pytest.approx(dept[0]) and p.dept_servers == dept[1]
    assert p.dept_cv == cv


def test_switches_remove_everything_but_the_queues():
    """A reduced run has no latency, duplicates, false reports, on-site cases, reopens or routing time."""
    from govsim.model import GovernanceModel

    cfg = CASES["tandem_priority"].config(0)
    cfg.horizon_days, cfg.warmup_days = 10.0, 1.0
    inc = GovernanceModel(cfg).run().incidents
    done = inc[closed(inc)]
    assert len(inc) > 500 and not inc["is_false"].any() and (inc["duplicate_of"] < 0).all()
    assert (inc["t_report"] == inc["t_occur"]).all()
    assert not inc["on_site"].any() and (done["reopen_count"] == 0).all() and (inc["n_misroutes"] == 0).all()
    np.testing.assert_array_equal(done["t_dept_arrive"], done["t_triage_end"])
    np.testing.assert_array_equal(done["t_close"], done["t_handle_end"])
    assert (done["severity"] == 1).all()


def test_a_wrong_service_mean_fails_validation():
    """Handling 10 % slower than configured in the theory: Erlang C's waits are far off (power check)."""
    slower = "scenario.categories.routine.handling_days=0.0231"
    table = run_case(CASES["mmc"], POWER_REPLICATIONS, extra=[slower])
    assert not _any_ok(table, ["dept.wq", "dept.w", "dept.p_wait"]), _verdict(table)


def test_a_wrong_service_cv_fails_validation():
    """Gamma service with cv 0.8 where theory has 0.5: Cobham's M/G/1 waits are far off (power check)."""
    table = run_case(CASES["mg1_priority"], POWER_REPLICATIONS, extra=["scenario.service_cv=0.8"])
    assert not _any_ok(table, ["dept.wq[urgent]", "dept.wq[routine]"]), _verdict(table)


def test_a_bug_in_the_gamma_sampler_fails_validation(monkeypatch):
    """The gamma sampler with shape 1/cv instead of 1/cv² (mean still 1, cv wrong) is caught."""

    def broken(rng, family, cv, size):
        if family == "gamma":
            k = 1.0 / cv
            return rng.gamma(k, 1.0 / k, size)
        return original(rng, family, cv, size)

    original = govsim.occurrence.standard_work  # where each ticket's service work is drawn
    monkeypatch.setattr(govsim.occurrence, "standard_work", broken)
    table = run_case(CASES["mg1_priority"], POWER_REPLICATIONS)
    assert not _any_ok(table, ["dept.wq[urgent]", "dept.wq[routine]"]), _verdict(table)
