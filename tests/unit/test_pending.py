"""Reports waiting for their report day (``Occurrence._pend`` / ``take_reports``) in buckets by day.

The reference is the way they were held before: one array of ticket ids and one of report times, from
which each day takes those due before its end and sorts them by report time, stably (at a tie, in the
order queued). The buckets must give every day the same ids in the same order: with ties in time,
tickets queued on later days for earlier report days than others, report times that are never due
(infinite, NaN), re-queues into later days (the 12345 hotline) and one due on a day already taken.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from govsim.occurrence import Occurrence


class Pending(Occurrence):
    """The queue of reports alone: the incident columns are one ``t_report`` column."""

    def __init__(self, t_report: np.ndarray) -> None:
        self.tickets = SimpleNamespace(cols={"t_report": t_report})  # type: ignore[assignment]
        self.pending, self.next_take = {}, 0


class Reference:
    """The single-array queue: every day re-copies what is still waiting."""

    def __init__(self, t_report: np.ndarray) -> None:
        self.t_report = t_report
        self.ids, self.t = np.empty(0, dtype=np.int64), np.empty(0)

    def pend(self, ids: np.ndarray) -> None:
        self.ids = np.concatenate([self.ids, ids])
        self.t = np.concatenate([self.t, self.t_report[ids]])

    def take(self, day: int) -> np.ndarray:
        due = self.t < day + 1
        ids, t = self.ids[due], self.t[due]
        self.ids, self.t = self.ids[~due], self.t[~due]
        return ids[np.argsort(t, kind="stable")]


@pytest.mark.parametrize("seed", range(6))
def test_buckets_give_each_day_the_reports_of_the_single_array_in_the_same_order(seed: int) -> None:
    rng = np.random.default_rng(seed)
    days, n = 40, 3000
    created = np.sort(rng.integers(0, days, n))  # tickets made day by day, in id order
    delay = np.round(rng.exponential(2.5, n) * 4) / 4  # quarter days: many ties in report time
    t_report = created + rng.integers(0, 2, n) * 0.5 + delay
    t_report[rng.random(n) < 0.01] = np.inf  # never found
    t_report[rng.random(n) < 0.005] = np.nan
    buckets, ref = Pending(t_report.copy()), Reference(t_report.copy())
    taken, expected = [], []
    for day in range(days):
        made = np.flatnonzero(created == day)
        made = made[rng.permutation(len(made))]  # queued in no particular order
        for q in (buckets._pend, ref.pend):
            q(made)
        got, want = buckets.take_reports(day), ref.take(day)
        later = got[rng.random(len(got)) < 0.1]  # re-queued for a later day, as the hotline does
        new_t = day + 1 + rng.integers(0, 3, len(later)) + 0.25
        buckets.tickets.cols["t_report"][later] = ref.t_report[later] = new_t
        buckets._pend(later)
        ref.pend(later)
        taken.append(got.tolist())
        expected.append(want.tolist())
    assert taken == expected
    assert sum(map(len, taken)) > 0.8 * n  # most were reported within the days run
    ties = sum(len(t) - len(set(buckets.tickets.cols["t_report"][t])) for t in taken)
    assert ties > 100  # and ties in report time were many


def test_a_report_due_on_a_day_already_taken_comes_at_the_next_take() -> None:
    """By hand: ticket 1 is queued on day 3 for day 1 (the model never does this); the single array
    gives it on day 3, and so must the buckets, before ticket 0 (later in the day)."""
    t = np.array([3.5, 1.25])
    q = Pending(t)
    for day in range(3):
        assert q.take_reports(day).tolist() == []
    q._pend(np.array([0, 1]))
    assert q.take_reports(3).tolist() == [1, 0]
    assert q.pending == {}


def test_split_by_day_by_hand() -> None:
    """Days ascending; within a day the rows keep their order (the stable sort the buckets rely on)."""
    from govsim.daybuckets import split_by_day

    got = [(d, rows.tolist()) for d, rows in split_by_day(np.array([3.0, 1.0, 3.0, 2.0, 1.0, 3.0]))]
    assert got == [(1, [1, 4]), (2, [3]), (3, [0, 2, 5])]
    assert split_by_day(np.empty(0)) == []
