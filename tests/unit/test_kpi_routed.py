"""The "routed" (派单) cohort holds dispatched tickets only, and a misroute needs a dispatch.

The department of a ticket is set when its triage is scheduled, which may end after the horizon: such a
ticket has a department but no dispatch (``t_triage_end`` NaN) and is still at the town centre. It is
in neither numerator nor denominator of 升级率, 提级至县市比例 or 误派率, and its record shows no
misroute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govsim import kpis, records

NAN = np.nan
# reported, dispatched, department, highest rung, misroutes
ROUTED = pd.DataFrame(
    [
        (11.0, 11.1, 0, 1, 1),  # dispatched, reminded, mis-routed once
        (12.0, 12.2, 0, 3, 0),  # dispatched, lifted to the county
        (13.0, 13.1, 0, 0, 0),  # dispatched
        (19.5, NAN, 0, 1, 1),  # waiting for triage at the end: department set, never dispatched
        (14.0, NAN, -1, 0, 0),  # resolved on site
    ],
    columns=["t_report", "t_triage_end", "department", "escalation_level", "n_misroutes"],
)


def test_a_ticket_not_dispatched_is_in_no_routed_rate():
    k = kpis.compute(ROUTED, 10.0, 20.0)
    assert (k["escalation_rate_num"], k["escalation_rate_den"]) == (2, 3)
    assert (k["lifted_rate_num"], k["lifted_rate_den"]) == (1, 3)
    assert (k["misroute_rate_num"], k["misroute_rate_den"]) == (1, 3)


def _cols(t_triage_end: list[float], n_misroutes: list[int], horizon: float) -> dict[str, np.ndarray]:
    """Incident columns as the loop leaves them (empty values but for the given), for ``finalise``."""
    n = len(t_triage_end)
    cols = records.Columns(records.INCIDENT_SCHEMA, n)
    cols.add(
        n,
        t_triage_end=np.array(t_triage_end),
        n_misroutes=np.array(n_misroutes),
        department=0,
        deadline=horizon + 5.0,
    )
    return {k: v[:n] for k, v in cols.cols.items()}


def test_finalise_keeps_no_misroute_without_a_dispatch():
    """Misroutes drawn at routing for a triage ending after the horizon (blanked) are not in the record."""
    cols = _cols([5.0, 9.5, 10.5, NAN], [1, 2, 1, 1], horizon=10.0)
    out = records.finalise(cols, 10.0, np.full((4, 1), np.inf))
    assert out["n_misroutes"].tolist() == [1, 2, 0, 0]
    assert out["n_misroutes"].dtype == np.int8


@pytest.fixture(scope="module")
def run_incidents(make_config) -> pd.DataFrame:
    """One town over 40 days (seed 0): ten tickets are still waiting for triage at the horizon."""
    from govsim.model import GovernanceModel

    return GovernanceModel(make_config("scenario=one_town", "horizon_days=40", "seed=0")).run().incidents


def test_a_run_records_no_misroute_without_a_dispatch(run_incidents):
    inc = run_incidents
    waiting = (inc["department"] >= 0) & inc["t_triage_end"].isna()
    assert waiting.sum() > 0  # the tickets this is about
    assert (inc.loc[waiting, "n_misroutes"] == 0).all()
    assert (inc.loc[inc["t_triage_end"].notna() & (inc["department"] >= 0), "n_misroutes"] > 0).any()


def test_a_runs_routed_rates_count_dispatched_tickets(run_incidents):
    inc = run_incidents
    k = kpis.compute(inc, 10.0, 40.0)
    rep = records.real(inc) & (inc["t_report"] >= 10.0) & (inc["t_report"] < 40.0)
    sent = rep & (inc["department"] >= 0) & inc["t_triage_end"].notna()
    assert (rep & (inc["department"] >= 0) & ~sent).sum() > 0  # some were not dispatched by the end
    for key in ("escalation_rate", "lifted_rate", "misroute_rate"):
        assert k[f"{key}_den"] == sent.sum(), key
    assert k["misroute_rate_num"] == (sent & (inc["n_misroutes"] > 0)).sum()
    assert k["escalation_rate_num"] == (sent & (inc["escalation_level"] >= 1)).sum()
