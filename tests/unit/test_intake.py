"""Graded triage by hand: the priority queue's order and carry-over, and the grading rule."""

from __future__ import annotations

import numpy as np
import pytest

from govsim.intake import TriageQueue, grade


def test_graded_triage_serves_classes_in_order_non_preemptively():
    """One server. A (routine) starts at 0, is not interrupted; C (urgent, 0.5) overtakes B (routine, 0.1)."""
    q = TriageQueue(1)
    q.add([0.0, 0.1, 0.5], [1.0, 1.0, 1.0], [1, 1, 0], [10, 11, 12])
    assert q.graded(10.0) == [(10, 0.0), (12, 1.0), (11, 2.0)]
    assert q.fifo([5.0], [1.0]) == [5.0]  # FIFO on the same staff: free again at 3


def test_starts_after_the_next_intake_wait_for_it():
    """Only starts before ``until`` are final: a later urgent report may still overtake the rest."""
    q = TriageQueue(1)
    q.add([0.0, 0.1, 0.5], [1.0, 1.0, 1.0], [1, 1, 0], [10, 11, 12])
    assert q.graded(0.8) == [(10, 0.0)]
    assert q.waiting() == 2
    q.add([0.9], [1.0], [0], [13])  # the next intake: urgent, before B
    assert q.graded(10.0) == [(12, 1.0), (13, 2.0), (11, 3.0)]
    assert q.waiting() == 0


def test_idle_servers_start_reports_at_their_arrival_best_class_first():
    q = TriageQueue(2)
    q.add([5.0, 5.0, 5.5], [1.0, 1.0, 1.0], [1, 0, 1], [1, 2, 3])
    assert q.graded(10.0) == [(2, 5.0), (1, 5.0), (3, 6.0)]


def test_grade_rule_and_mis_grading():
    priority = np.array([1, 2, 0, 2])
    severity = np.array([1, 3, 1, 2])
    assert grade(priority, severity, 3, np.ones(4), 0.1).tolist() == [1, 0, 0, 2]
    n = 200_000
    u = np.random.default_rng(1).random(n)
    right = np.full(n, 1)
    got = grade(np.r_[2, right[1:]], np.ones(n, dtype=int), 3, u, 0.1)
    wrong = got != np.r_[2, right[1:]]
    assert wrong.mean() == pytest.approx(0.1, abs=4 * np.sqrt(0.09 / n))
    # the wrong class is one of the others, each alike (classes 0 and 2 for a class-1 report)
    assert np.isin(got[1:][wrong[1:]], [0, 2]).all()
    assert (got[1:][wrong[1:]] == 0).mean() == pytest.approx(0.5, abs=4 * np.sqrt(0.25 / wrong.sum()))


def test_fifo_triage_by_hand_and_against_lindley():
    """First come, first served: one server (starts 0, 1, 3; the next call goes on from 4), two servers
    (the third report takes the first server freed); and, on 2,000 random reports, exactly the starts of
    Lindley's recursion for c servers (each report takes the server that frees first) for c = 1, 2, 3."""
    one = TriageQueue(1)
    assert one.fifo([0.0, 0.5, 3.0], [1.0, 1.0, 1.0]) == [0.0, 1.0, 3.0]
    assert one.fifo([3.5], [1.0]) == [4.0]
    assert TriageQueue(2).fifo([0.0, 0.5, 0.6], [1.0, 1.0, 1.0]) == [0.0, 0.5, 1.0]
    rng = np.random.default_rng(3)
    arrive = np.sort(rng.random(2000) * 100).tolist()
    service = rng.exponential(0.06, 2000).tolist()
    for c in (1, 2, 3):
        free, want = [0.0] * c, []
        for a, s in zip(arrive, service, strict=True):
            k = min(range(c), key=free.__getitem__)
            want.append(max(free[k], a))
            free[k] = want[-1] + s
        q = TriageQueue(c)
        assert q.fifo(arrive[:700], service[:700]) + q.fifo(arrive[700:], service[700:]) == want
