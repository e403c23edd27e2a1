"""Deadline extensions (延期): who applies, who is approved, where the deadline moves (hand-worked)."""

from __future__ import annotations

import numpy as np
import pytest

from govsim.extensions import apply_extensions
from govsim.officetime import build_calendar

NAN = np.nan


def cases() -> dict[str, np.ndarray]:
    """Five tickets, horizon 30 (days since Monday 1 January 2024; day 4 is a Friday).

    0 routed, at the department by day 3, handled day 6 after its deadline 5.0 (end of Friday): applies
    1 routed, handled day 4 before its deadline 5.0: does not apply
    2 routed, reaches the department at day 6, after its deadline 5.0: too late to apply
    3 resolved on site (never routed): does not apply
    4 routed, at the department by day 8, deadline 10.0, still open at the horizon: applies
    """
    return {
        "department": np.array([0, 0, 0, -1, 0]),
        "t_dept_arrive": np.array([3.0, 3.0, 6.0, NAN, 8.0]),
        "t_handle_end": np.array([6.0, 4.0, 7.0, 2.0, NAN]),
        "deadline": np.array([5.0, 5.0, 5.0, 3.0, 10.0]),
    }


def test_applicants_approved_with_certainty_move_by_working_days():
    cal = build_calendar("2024-01-01")
    out = apply_extensions(cases(), 30.0, cal, 1.0, 5, np.random.default_rng(0))
    np.testing.assert_array_equal(out["extended"], [True, False, False, False, True])
    # deadline 5.0 = end of Friday 5 Jan (day 4); 5 working days after: Mon 8 … Fri 12 → end of day 11
    # deadline 10.0 = end of Wed 10 Jan (day 9); 5 working days after: Thu 11 … Wed 17 → end of day 16
    np.testing.assert_array_equal(out["deadline"], [12.0, 5.0, 5.0, 3.0, 17.0])
    np.testing.assert_array_equal(out["deadline_initial"], [5.0, 5.0, 5.0, 3.0, 10.0])


def test_approval_uses_one_uniform_per_ticket_from_its_stream():
    cal = build_calendar("2024-01-01")
    u = np.random.default_rng(7).random(5)
    p = float(np.sort(u[[0, 4]])[0]) + 1e-9  # exactly one of the two applicants is approved
    out = apply_extensions(cases(), 30.0, cal, p, 5, np.random.default_rng(7))
    expected = np.array([True, False, False, False, True]) & (u < p)
    assert expected.sum() == 1
    np.testing.assert_array_equal(out["extended"], expected)
    none = apply_extensions(cases(), 30.0, cal, 0.0, 5, np.random.default_rng(7))
    assert not none["extended"].any() and (none["deadline"] == none["deadline_initial"]).all()


@pytest.mark.parametrize("horizon", [4.0])
def test_no_application_before_the_deadline_is_reached_inside_the_run(horizon):
    """At horizon 4 no deadline (5.0) has passed: nobody can know yet whether to apply; ticket 4's
    deadline 10 is also after the horizon."""
    out = apply_extensions(cases(), horizon, build_calendar("2024-01-01"), 1.0, 5, np.random.default_rng(0))
    assert not out["extended"].any()
