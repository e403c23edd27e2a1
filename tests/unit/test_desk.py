"""Executable specification of a department desk (处置 → 反馈): a tiny world and its exact log.

One desk, known arrivals and work, so every start, end and feedback time is known by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from govsim.departments import (
    CASE,
    CLOSE,
    PETITION,
    REOPEN,
    START,
    DepartmentDesk,
    Job,
    K,
    Outcomes,
    Rules,
    new_job,
)

COLS = ("t_handle_start", "t_handle_end", "t_close", "handle_days")
FLAGS = ("reopen_count", "satisfied", "petitioned")


def world(servers: int, n: int) -> tuple[DepartmentDesk, Outcomes]:
    cols = {k: np.full(n, np.nan) for k in COLS} | {k: np.zeros(n, dtype=int) for k in FLAGS}
    out = Outcomes(cols)
    rules = Rules(feedback_days=1.0, max_reopens=1, liaison_work=0.5, accountability=False)
    return DepartmentDesk(servers, rules, out), out


def job(
    i: int,
    klass: int,
    arrive: float,
    work: list[float],
    sat: list[bool],
    after: list[int],
    lift: float = math.inf,
) -> Job:
    return new_job(i, klass, arrive, 99.0, lift, work, sat, sat, after, reporter=10 + i)


def three_cases(desk: DepartmentDesk) -> tuple[Job, Job, Job]:
    """A, B (routine) in one day's routing, C (urgent, reopened once) in the next; see the test below."""
    a = job(0, 1, 0.0, [2.0, 9.0], [True, True], [CLOSE, CLOSE])
    b = job(1, 1, 0.5, [1.0, 9.0], [False, False], [PETITION, PETITION], lift=3.0)
    c = job(2, 0, 1.0, [1.0, 0.5], [False, True], [REOPEN, CLOSE])
    desk.expect([0.0, 0.5], [a, b])
    desk.expect([1.0], [c])
    return a, b, c


def test_priority_reopen_liaison_and_petition_by_hand() -> None:
    """One staff member; an urgent case overtakes a waiting one; a reopened case comes back after feedback.

    A arrives 0, works 2 → [0, 2], satisfied.  B (routine) arrives 0.5 and C (urgent) 1.0: both wait; at 2
    C goes first → [2, 3], unsatisfied → reopened, back at 4.  B starts at 3, already lifted to county at
    3, so the liaison halves its work → [3, 3.5]; unsatisfied → petition.  C's second round → [4, 4.5].
    A and B come in one day's routing, C in the next: two arrival runs merged by time.
    """
    desk, out = world(servers=1, n=3)
    a, b, c = three_cases(desk)
    desk.advance(10)
    out.write_closed(1.0)
    col = out.cols
    assert col["t_handle_start"].tolist() == [0.0, 3.0, 2.0]  # C's first start counts, not its second
    assert col["t_handle_end"].tolist() == [2.0, 3.5, 4.5]
    assert col["t_close"].tolist() == [3.0, 4.5, 5.5]  # end + feedback days
    assert col["handle_days"].tolist() == [2.0, 0.5, 1.5]  # staff time over all rounds
    assert col["reopen_count"].tolist() == [0, 0, 1]
    assert col["satisfied"].tolist() == [1, 0, 1]
    assert col["petitioned"].tolist() == [0, 1, 0]
    assert out.reporters == [10, 12, 11, 12]  # feedback in time order: A at 2, C at 3, B at 3.5, C at 4.5
    assert out.satisfied == [True, False, False, True]
    assert desk.free == 1 and not desk.in_hand()


def test_cases_in_hand_at_the_horizon() -> None:
    """At 2.5 C is in service and B waits; at 3.2 B is in service and C is on its way back. None closed."""
    desk, out = world(servers=1, n=4)
    a, b, c = three_cases(desk)
    desk.expect([6.0], [job(3, 0, 6.0, [1.0, 1.0], [True, True], [CLOSE, CLOSE])])  # still on its way
    desk.advance(2.5)
    assert sorted(j[CASE] for j in desk.in_hand()) == [1, 2, 3]
    assert (b[START], c[START]) == (-1.0, 2.0)
    desk.advance(3.2)
    out.write_closed(1.0)
    assert sorted(j[CASE] for j in desk.in_hand()) == [1, 2, 3]
    assert np.isnan(out.cols["t_handle_end"][1:]).all() and out.cols["t_handle_end"][0] == 2.0
    assert (b[START], c[START], c[K]) == (3.0, 2.0, 1)


def test_two_staff_serve_in_parallel_and_equal_completions_both_close() -> None:
    """Two staff, two cases at 0 with equal work: both start at once; the two completions at the same
    instant are kept apart by one ulp, so neither is lost."""
    desk, out = world(servers=2, n=3)
    jobs = [job(i, 0, 0.0, [1.0, 1.0], [True, True], [CLOSE, CLOSE]) for i in range(3)]
    desk.expect([0.0, 0.0, 0.0], jobs)
    desk.advance(10)
    out.write_closed(1.0)
    assert out.cols["t_handle_start"].tolist() == [0.0, 0.0, 1.0]
    assert out.cols["t_handle_end"].tolist()[:2] == [1.0, math.nextafter(1.0, math.inf)]
    assert out.cols["t_handle_end"][2] == 2.0
    assert desk.free == 2


def test_a_case_routed_later_but_arriving_sooner_is_served_at_its_own_time() -> None:
    """Routed on day 1 for 2.0, after a case routed on day 0 for 5.0: the two runs are merged by time."""
    desk, out = world(servers=1, n=2)
    desk.expect([5.0], [job(0, 0, 5.0, [1.0, 1.0], [True, True], [CLOSE, CLOSE])])
    desk.advance(1.0)
    desk.expect([2.0], [job(1, 0, 2.0, [1.0, 1.0], [True, True], [CLOSE, CLOSE])])
    desk.advance(10)
    out.write_closed(1.0)
    assert out.cols["t_handle_start"].tolist() == [5.0, 2.0]


def test_at_the_same_instant_a_completion_frees_staff_before_an_arrival_joins_the_queue() -> None:
    """A ends at 1.0 exactly when urgent U arrives; routine R has waited since 0.5. The completion goes
    first, so the freed staff member takes R, the only case then waiting, and U waits for R."""
    desk, out = world(servers=1, n=3)
    desk.expect(
        [0.0, 0.5],
        [
            job(0, 1, 0.0, [1.0, 1.0], [True, True], [CLOSE, CLOSE]),
            job(1, 1, 0.5, [1.0, 1.0], [True, True], [CLOSE, CLOSE]),
        ],
    )
    desk.expect([1.0], [job(2, 0, 1.0, [1.0, 1.0], [True, True], [CLOSE, CLOSE])])
    desk.advance(10)
    out.write_closed(1.0)
    assert out.cols["t_handle_start"].tolist() == [0.0, 1.0, 2.0]


def test_closing_keeps_a_petition_flag_set_when_the_incident_grew() -> None:
    """A dispute that grew into a petition before discovery is flagged at occurrence; a satisfied
    close must not clear the flag."""
    desk, out = world(servers=1, n=1)
    out.cols["petitioned"][0] = 1
    desk.expect([0.0], [job(0, 0, 0.0, [1.0, 1.0], [True, True], [CLOSE, CLOSE])])
    desk.advance(10)
    out.write_closed(1.0)
    assert out.cols["petitioned"][0] == 1 and out.cols["satisfied"][0] == 1


def test_office_hours_by_hand() -> None:
    """One staff member, open 6 h a day: calendar [0.25, 0.5) of each day, a scheduled day = 0.25 d open.

    R (routine) arrives 0.0 and U (urgent) 0.1, both while closed: at the opening 0.25 the free staff
    member takes U first (priority, not arrival) → work 0.5 staff-days = 0.125 d → [0.25, 0.375].  R
    then works 1.5 staff-days: 0.5 until the close at 0.5, resumes at 1.25 and needs a full day more,
    ending exactly at the close 1.5.  B (routine, arrived 0.4) is not started at the close: it starts
    at the next opening 2.25, work 0.2 → ends 2.30.  Handle days are staff-days, not calendar days.
    """
    from govsim.officehours import OfficeHours

    hours = OfficeHours([(d + 0.25, d + 0.5) for d in range(5)], 0.25)
    cols = {k: np.full(3, np.nan) for k in COLS} | {k: np.zeros(3, dtype=int) for k in FLAGS}
    out = Outcomes(cols)
    desk = DepartmentDesk(1, Rules(1.0, 1, 1.0, False), out, hours)
    r = job(0, 1, 0.0, [1.5], [True], [CLOSE])
    u = job(1, 0, 0.1, [0.5], [True], [CLOSE])
    b = job(2, 1, 0.4, [0.2], [True], [CLOSE])
    desk.expect([0.0, 0.1, 0.4], [r, u, b])
    desk.advance(5)
    out.write_closed(1.0)
    np.testing.assert_allclose(cols["t_handle_start"], [0.375, 0.25, 2.25])
    np.testing.assert_allclose(cols["t_handle_end"], [1.5, 0.375, 2.30])
    np.testing.assert_allclose(cols["handle_days"], [1.5, 0.5, 0.2])
    assert desk.scheduled_time(0.0, 5.0) == pytest.approx(5.0)
    assert desk.scheduled_time(0.3, 1.3) == pytest.approx(1.0)


def test_scheduled_time_without_office_hours_is_staff_times_days() -> None:
    desk, _ = world(servers=3, n=1)
    assert desk.scheduled_time(2.0, 9.5) == 3 * 7.5
