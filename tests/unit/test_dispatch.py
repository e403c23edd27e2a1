"""Cases held on their way (``OnTheWay``) reach the desks exactly as if each desk had held them itself.

The reference hands every desk each day's routed cases at once (``DepartmentDesk.expect`` merges them
into the cases still on their way, earlier routing first at a tie in time); ``OnTheWay`` holds them as
columns and hands over only what arrives before the end of the day. Desk outcomes (starts, ends,
feedback order, busy time) must be equal bit for bit, with arrival ties, cases arriving days after
routing and days with nothing routed.
"""

from __future__ import annotations

import numpy as np
import pytest

from govsim.departments import CLOSE, PETITION, REOPEN, DepartmentDesk, Outcomes, Rules, new_job, outcome_code
from govsim.dispatch import OnTheWay

COLS = ("t_handle_start", "t_handle_end", "t_close", "handle_days")
FLAGS = ("reopen_count", "satisfied", "petitioned")
N_DESKS, DAYS = 3, 15


class Receiver:
    """A department that keeps its desk's order (the neutral ``Department.receive``)."""

    def __init__(self, desk: DepartmentDesk) -> None:
        self.desk, self.runs = desk, 0

    def receive(self, times: list[float], jobs: list[list]) -> None:
        self.runs += self.desk.pos < len(self.desk.times)  # cases still on their way: a merge
        self.desk.expect(times, jobs)


def _routes(seed: int) -> list[dict[str, np.ndarray]]:
    """Each day's routed cases as ``OnTheWay`` columns; arrivals on a quarter-day grid (ties), 0–3 days on."""
    rng = np.random.default_rng(seed)
    out, case, number = [], 0, rng.permutation(DAYS * 12)  # case numbers not in routing order
    for day in range(DAYS):
        n = 0 if day == 4 else int(rng.integers(3, 12))  # a day with nothing routed
        arrive = day + rng.integers(0, 12, n) / 4.0
        out.append(
            dict(
                arrive=arrive,
                desk=rng.integers(0, N_DESKS, n),
                case=number[case : case + n],
                klass=rng.integers(0, 2, n),
                deadline=arrive + rng.uniform(0.5, 4, n),
                lift_at=arrive + rng.uniform(1, 6, n),
                work=rng.choice([0.1, 0.3, 0.6, 1.2], (n, 3)),
                sat_on=rng.random((n, 3)) < 0.6,
                sat_late=rng.random((n, 3)) < 0.4,
                after=rng.choice([CLOSE, REOPEN, PETITION], (n, 3)),
                reporter=rng.integers(0, 5, n),
            )
        )
        case += n
    return out


def _world(n: int) -> tuple[list[Receiver], Outcomes]:
    out = Outcomes({k: np.full(n, np.nan) for k in COLS} | {k: np.zeros(n, dtype=int) for k in FLAGS})
    rules = Rules(feedback_days=0.7, max_reopens=2, liaison_work=0.5, accountability=False, measure_from=2.0)
    return [Receiver(DepartmentDesk(1 + d % 2, rules, out)) for d in range(N_DESKS)], out


def _job(r: dict[str, np.ndarray], k: int) -> list:
    fields = (r["case"][k], r["klass"][k], r["arrive"][k], r["deadline"][k], r["lift_at"][k])
    sat = (r["sat_on"][k], r["sat_late"][k], r["after"][k])
    return new_job(
        *(f.item() for f in fields),
        r["work"][k].tolist(),
        *(s.tolist() for s in sat),
        r["reporter"][k].item(),
    )


def _run(routes: list[dict[str, np.ndarray]], held: bool) -> tuple[tuple, list[int], int]:
    n = DAYS * 12
    desks, out = _world(n)
    on_way, most_held = OnTheWay(), 0
    for day, r in enumerate(routes):
        if held:
            cols = {
                k: r[k]
                for k in ("arrive", "desk", "case", "klass", "deadline", "lift_at", "work", "reporter")
            }
            cols["code"] = outcome_code(r["sat_on"], r["sat_late"], r["after"])
            on_way.route(day, day + 1.0, cols if len(r["case"]) else None, desks)
            most_held = max(most_held, len(on_way))
        else:  # each desk gets the day's routes at once: by arrival time, then case number
            for d in range(N_DESKS):
                ks = sorted(
                    np.flatnonzero(r["desk"] == d).tolist(), key=lambda k: (r["arrive"][k], r["case"][k])
                )
                if ks:
                    desks[d].receive([float(r["arrive"][k]) for k in ks], [_job(r, k) for k in ks])
        for rec in desks:
            rec.desk.advance(day + 1.0)
    out.write_closed(0.7)
    state = (
        tuple(np.nan_to_num(out.cols[k], nan=-9.0).tolist() for k in COLS + FLAGS),
        list(zip(out.times, out.reporters, out.satisfied, strict=True)),
        [rec.desk.busy_in for rec in desks],
    )
    return state, [rec.runs for rec in desks], most_held


@pytest.mark.parametrize("seed", range(5))
def test_held_cases_reach_the_desks_as_if_the_desks_held_them(seed: int) -> None:
    routes = _routes(seed)
    direct, merges, _ = _run(routes, held=False)
    held, held_merges, most_held = _run(routes, held=True)
    assert held == direct
    assert sum(merges) > 0  # the reference did merge cases routed on different days
    assert held_merges == [0] * N_DESKS and most_held > 5  # held ones never needed a merge at a desk
    assert sum(t >= 0 for t in direct[0][1]) > 20  # and many cases were handled (t_handle_end)


def _daily_outcomes(routes: list[dict[str, np.ndarray]]) -> tuple[tuple, list]:
    """The held run with the model's daily tick: each day's feedback taken, closed cases written."""
    desks, out = _world(DAYS * 12)
    on_way, feedback = OnTheWay(), []
    for day, r in enumerate(routes):
        out.write_closed(0.7)  # the tick (``IncidentLoop.take_feedback``)
        if out.reporters or out.spilled:
            feedback.append([a.tolist() for a in out.take_feedback()])
        cols = {
            k: r[k] for k in ("arrive", "desk", "case", "klass", "deadline", "lift_at", "work", "reporter")
        }
        cols["code"] = outcome_code(r["sat_on"], r["sat_late"], r["after"])
        on_way.route(day, day + 1.0, cols if len(r["case"]) else None, desks)
        for rec in desks:
            rec.desk.advance(day + 1.0)
    out.write_closed(0.7)
    feedback.append([a.tolist() for a in out.take_feedback()])
    return tuple(np.nan_to_num(out.cols[k], nan=-9.0).tolist() for k in COLS + FLAGS), feedback


@pytest.mark.parametrize("seed", range(3))
def test_spilling_outcomes_early_changes_nothing(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Closed cases written and feedback spilled after each desk's day (``Outcomes.spill``) give the same
    columns and the same feedback, in the same order, as gathering them for the whole day."""
    routes = _routes(seed)
    whole_day = _daily_outcomes(routes)
    spills = []
    original = Outcomes.spill
    monkeypatch.setattr(Outcomes, "SPILL", 1)  # every desk's day spills
    monkeypatch.setattr(Outcomes, "spill", lambda self, fd: (spills.append(1), original(self, fd)))
    assert _daily_outcomes(routes) == whole_day
    assert len(spills) > DAYS  # it did spill, on most desk-days
    assert sum(len(who) for who, _ in whole_day[1]) > 20  # and there was feedback to order


def test_a_run_spilling_after_every_desk_day_has_the_same_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole loop: the day's tick takes spilled feedback too (``IncidentLoop.take_feedback``), so a
    run whose desks spill after each day has the same incident table and residents' trust."""
    import pandas as pd

    from govsim.model import GovernanceModel
    from govsim.teaching import town_config

    def run() -> tuple[pd.DataFrame, np.ndarray]:
        model = GovernanceModel(town_config(seed=3, horizon_days=120))
        return model.run().incidents, model.residents.trust.copy()

    incidents, trust = run()
    monkeypatch.setattr(Outcomes, "SPILL", 1)
    spilled_incidents, spilled_trust = run()
    pd.testing.assert_frame_equal(spilled_incidents, incidents)
    assert np.array_equal(spilled_trust, trust)
    assert (trust != trust[0]).any()  # feedback did move some residents' trust


class Keeper:
    """A receiver that keeps what it is handed: (arrival times, Jobs) per call."""

    def __init__(self) -> None:
        self.got: list[tuple[list[float], list[list]]] = []

    def receive(self, times: list[float], jobs: list[list]) -> None:
        self.got.append((times, jobs))


def test_jobs_are_plain_python_lists_equal_to_new_job() -> None:
    # the desk loop runs on Python floats and ints: a numpy scalar in a Job would compare and add several
    # times slower in every event (and ``job < q[-1]`` would misorder nothing, so only this catches it)
    r = _routes(3)[0]
    cols = {k: r[k] for k in ("arrive", "desk", "case", "klass", "deadline", "lift_at", "work", "reporter")}
    cols["code"] = outcome_code(r["sat_on"], r["sat_late"], r["after"])
    keepers = [Keeper() for _ in range(N_DESKS)]
    OnTheWay().route(0, 10.0, cols, keepers)
    handed = 0
    for d, keeper in enumerate(keepers):
        ks = sorted(np.flatnonzero(r["desk"] == d).tolist(), key=lambda k: (r["arrive"][k], r["case"][k]))
        assert len(keeper.got) == (1 if ks else 0)
        for times, jobs in keeper.got:
            assert times == [float(r["arrive"][k]) for k in ks] and all(type(t) is float for t in times)
            assert jobs == [_job(r, k) for k in ks]
            for job, k in zip(jobs, ks, strict=True):
                assert type(job) is list
                assert [type(v) for v in job] == [type(v) for v in _job(r, k)]
            handed += len(jobs)
    assert handed == len(r["case"]) > 0
