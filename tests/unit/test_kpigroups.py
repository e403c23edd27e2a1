"""KPIs of many groups in one pass (``kpis.compute_groups``) equal ``kpis.compute`` of each group's tickets.

Exact equality, key for key and in the same key order: the grouped pass counts the same masks and sorts
the same durations, so nothing may differ, not even in the last bit. Checked on the hand-worked table of
``test_kpis`` (ties, open tickets, a missing column, an empty group, a code outside the groups), on a
larger random table with many tied durations, and on a one_town run.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from test_kpis import COLUMNS, ROWS  # the hand-worked table (tests/unit on the path, as pytest puts it)

from govsim import kpis
from govsim.kpis import compute_groups
from govsim.metrics import kpi_tables


def _same(got: dict[str, float], want: dict[str, float]) -> None:
    assert list(got) == list(want)  # the same keys in the same order (the KPI table's columns)
    for key, value in want.items():
        assert got[key] == value or (math.isnan(got[key]) and math.isnan(value)), key


def _check(
    table: pd.DataFrame, start: float, end: float, groupings: dict[str, tuple[np.ndarray, int]]
) -> None:
    overall, by = compute_groups(table, start, end, groupings)
    _same(overall, kpis.compute(table, start, end))
    for name, (codes, n) in groupings.items():
        assert len(by[name]) == n
        for g in range(n):
            _same(by[name][g], kpis.compute(table[np.asarray(codes) == g], start, end))


@pytest.fixture(scope="module")
def hand() -> pd.DataFrame:
    t = pd.DataFrame(ROWS, columns=COLUMNS)
    return t.assign(response_due=t["t_triage_end"] + 1.0, extended=False)


def test_groups_of_the_hand_worked_table_equal_compute_of_each(hand):
    halves = np.arange(len(hand)) % 2
    odd = np.array([0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1, 7])  # 7: in no group; group 3 is empty
    _check(hand, 10.0, 20.0, {"halves": (halves, 2), "odd": (odd, 4)})


def test_a_table_without_some_columns_gives_the_same_nans(hand):
    log = hand.drop(columns=["t_occur", "satisfied", "end_state"])
    _check(log, 10.0, 20.0, {"halves": (np.arange(len(log)) % 2, 2)})


def test_many_ties_and_open_tickets(hand):
    """Durations on a coarse grid (many ties between events and censorings), half the tickets open."""
    rng = np.random.default_rng(7)
    n = 5000
    t = hand.sample(n, replace=True, random_state=1).reset_index(drop=True)
    rep = rng.integers(0, 40, n) / 2.0
    t["t_report"] = rep
    t["t_triage_start"] = rep + rng.integers(0, 4, n) / 2.0
    t["t_triage_end"] = t["t_triage_start"] + 0.5
    t["t_dept_arrive"] = t["t_triage_end"] + rng.integers(0, 3, n) / 2.0
    t["t_handle_start"] = t["t_dept_arrive"] + rng.integers(0, 6, n) / 2.0
    t["t_close"] = np.where(rng.random(n) < 0.5, rep + rng.integers(0, 20, n) / 2.0, np.nan)
    groups = {"a": (rng.integers(0, 11, n), 11), "b": (rng.integers(-1, 7, n), 7)}
    _check(t, 5.0, 15.0, groups)


def test_the_kpi_tables_of_a_run_equal_compute_of_each_group(make_config):
    from govsim.runner import simulate

    rec = simulate(make_config("scenario=one_town", "horizon_days=60", "warmup_days=10")).records
    tables = kpi_tables(rec)
    inc = rec.incidents
    _same(
        {k: tables[None].iloc[0][k] for k in kpis.compute(inc, 10.0, 60.0)},
        kpis.compute(inc, 10.0, 60.0, calls=rec.hotline),
    )
    for by in ("category", "county"):
        codes = inc[by].to_numpy()
        assert len(tables[by]) == len(rec.categories if by == "category" else rec.counties)
        for g, row in tables[by].iterrows():
            want = kpis.compute(inc[codes == g], rec.warmup, rec.horizon)
            _same({k: row[k] for k in want}, want)


def test_a_period_must_have_positive_length(hand):
    with pytest.raises(ValueError, match="end must be after start"):
        compute_groups(hand, 20.0, 20.0, {})


def test_worker_threads_give_the_same_numbers_as_one_thread(hand, monkeypatch):
    """A table past ``PARALLEL_ROWS`` summarises its censored times on worker threads: same bits."""
    from govsim import kpigroups

    rng = np.random.default_rng(11)
    n = kpigroups.PARALLEL_ROWS + 5
    t = hand.sample(n, replace=True, random_state=2).reset_index(drop=True)
    t["t_close"] = np.where(rng.random(n) < 0.7, t["t_report"] + rng.exponential(3.0, n), np.nan)
    groups = {"a": (rng.integers(0, 5, n), 5), "b": (rng.integers(-1, 3, n), 3)}
    threaded = compute_groups(t, 10.0, 20.0, groups)
    one_worker = compute_groups(t, 10.0, 20.0, groups, sort_threads=1)  # the run writing beside it
    monkeypatch.setattr(kpigroups, "PARALLEL_ROWS", n + 1)
    serial = compute_groups(t, 10.0, 20.0, groups)
    for got in (threaded, one_worker):
        _same(got[0], serial[0])
        for name in groups:
            for a, b in zip(got[1][name], serial[1][name], strict=True):
                _same(a, b)
