"""Consecutive assessment periods: each ticket belongs to one period, so the periods' counts add up.

A period is ``[start, end)`` for what happens at an instant (a report), and ``(start, end]`` for a
deadline or a response limit: limits end at day ends, so a limit of 20.0 is the end of day 19, the last
day of ``[10, 20)``; a limit of exactly 10.0 ended with the previous period's last day. Checked by hand at
the edge and on a real run split in two.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govsim import kpis

NAN = np.nan
# ticket: reported, dispatched, handling started, handling ended, deadline, response limit
EDGE = pd.DataFrame(
    [
        (5.0, 5.1, 9.0, 11.0, 10.0, 10.0),  # B: due at 10.0, the end of day 9: the period before [10, 20)
        (15.0, 15.1, 19.0, 19.5, 20.0, 20.0),  # A: due at 20.0, the end of day 19: in [10, 20)
        (25.0, 25.1, 25.5, NAN, 30.0, 30.0),  # C: due at 30.0, open at the end: overdue in [20, 30)
    ],
    columns=["t_report", "t_triage_end", "t_handle_start", "t_handle_end", "deadline", "response_due"],
).assign(department=0, extended=False)


@pytest.mark.parametrize(
    ("start", "end", "due", "on_time"),
    [
        (0.0, 10.0, 1, 0),  # B (late)
        (10.0, 20.0, 1, 1),  # A only: B's deadline 10.0 belongs to [0, 10)
        (20.0, 30.0, 1, 0),  # C (open past its deadline)
        (10.0, 30.0, 2, 1),  # A and C
        (0.0, 30.0, 3, 1),
    ],
)
def test_a_deadline_at_a_period_edge_belongs_to_the_period_it_ends(start, end, due, on_time):
    k = kpis.compute(EDGE, start, end)
    for rate in ("on_time_rate", "overdue_rate", "closure_rate", "extension_rate"):
        assert k[f"{rate}_den"] == due, rate
    assert (k["on_time_rate_num"], k["overdue_rate_num"]) == (on_time, due - on_time)
    # the response limits fall at the same edges; every ticket was contacted by its limit
    assert (k["response_rate_num"], k["response_rate_den"]) == (due, due)


def test_two_consecutive_periods_count_an_edge_deadline_once():
    halves = [kpis.compute(EDGE, 10.0, 20.0), kpis.compute(EDGE, 20.0, 30.0)]
    whole = kpis.compute(EDGE, 10.0, 30.0)
    for key in ("on_time_rate", "overdue_rate", "closure_rate", "extension_rate", "response_rate"):
        for part in ("num", "den"):
            assert sum(h[f"{key}_{part}"] for h in halves) == whole[f"{key}_{part}"], (key, part)


@pytest.fixture(scope="module")
def run_incidents(make_config) -> pd.DataFrame:
    """One town over 60 days: ~20 tickets fall due exactly at day 30.0, the edge of the split."""
    from govsim.model import GovernanceModel

    return GovernanceModel(make_config("scenario=one_town", "horizon_days=60", "seed=3")).run().incidents


def test_the_halves_of_a_run_add_up_to_the_whole(run_incidents):
    """Every numerator, denominator and count of [0, 30) and [30, 60) sums to that of [0, 60), exactly,
    except the parts counted *by the end* of the period (``kpis.BY_PERIOD_END``): a ticket handled or
    closed after day 30 is counted by day 60, not by day 30, so those cannot add over periods."""
    inc = run_incidents
    assert (inc["deadline"] == 30.0).sum() > 0 and (inc["response_due"] == 30.0).sum() > 0  # the edge
    a, b, whole = (kpis.compute(inc, s, e) for s, e in [(0.0, 30.0), (30.0, 60.0), (0.0, 60.0)])
    parts = [f"{r}_{p}" for r in kpis.RATES for p in ("num", "den")]
    counts = [d.key for d in kpis.DEFINITIONS if d.kind == "count"] + ["resolution_n"]
    adding = [p for p in parts + counts if p not in kpis.BY_PERIOD_END]
    assert "on_time_rate_den" in adding and "response_rate_den" in adding
    for key in adding:
        assert a[key] + b[key] == whole[key], key
    for key in kpis.BY_PERIOD_END:  # and those do differ: the set names no part that adds
        assert a[key] + b[key] != whole[key], key
