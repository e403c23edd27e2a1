"""The hotline's day loop: the vectorised shortcut gives exactly the one-by-one results; bad hours refused."""

from __future__ import annotations

import numpy as np
import pytest

from govsim import hotline
from govsim.callqueue import FreeRuns
from govsim.config import HotlineConfig
from govsim.hotline import Hotline
from govsim.streams import make_streams


def _days(fast: bool, seats: int, per_1000: float, days: int = 8, seed: int = 3, hold: float = 1.0):
    hc = HotlineConfig(enabled=True, consult_per_1000_day=per_1000, hold_lines_per_seat=hold)
    line = Hotline(hc, seats, 0.0, 1e6, make_streams(seed, 0), days)
    line.fast = fast
    rng = np.random.default_rng(5)
    settled = []
    for d in range(days):
        settled.extend(line.day(d, np.arange(d * 50, d * 50 + 50), np.sort(d + rng.random(50))))
    return line.frame(), settled


@pytest.mark.parametrize(
    ("seats", "per_1000", "seed", "hold"),
    [
        (60, 9.4, 3, 1.0),
        (41, 9.4, 3, 1.0),
        (30, 9.4, 3, 1.0),
        (5, 1.0, 3, 1.0),
        # retries due while a run was tried: the old shortcut dropped hold lines the retry should see
        (5, 3.0, 0, 1.0),
        (10, 5.0, 0, 0.2),
        (20, 9.4, 0, 0.5),
    ],
)
@pytest.mark.parametrize("eager", [False, True])
def test_fast_runs_equal_one_by_one(seats, per_1000, seed, hold, eager, monkeypatch):
    # light, default (rho 0.66), overloaded (abandonment and retries), tiny lines with busy signals;
    # eager: a run tried after every call answered at once, every day (the speed policy off)
    if eager:
        for name in ("FAST_STREAK", "FAST_STREAK_MAX", "RUN_RETRY_DAYS"):
            monkeypatch.setattr(hotline, name, 1)
    slow, slow_settled = _days(False, seats, per_1000, seed=seed, hold=hold)
    fast, fast_settled = _days(True, seats, per_1000, seed=seed, hold=hold)
    assert slow["offered"].sum() > 5_000
    assert fast.equals(slow)
    assert fast_settled == slow_settled


def test_closed_hours_give_the_busy_signal():
    hc = HotlineConfig(enabled=True, consult_per_1000_day=1.0, hours=["08:00-20:00"])
    line = Hotline(hc, 50, 0.0, 1e6, make_streams(0, 0), 3)
    line.day(0, np.array([], np.int64), np.array([]))
    row = line.frame().iloc[0]
    assert 0.4 < row["blocked"] / row["offered"] < 0.6  # half the day closed, the seats ample
    assert row["abandoned"] == 0


def test_runs_answer_most_calls_at_the_jiangmen_load(monkeypatch):
    # the speed of a Jiangmen year rests on the runs: at the default load (41 seats, rho 0.66) nearly
    # every call must be answered inside one, not one by one
    answered_in_runs = []
    real = FreeRuns.run

    def counting(self, *args):
        m = real(self, *args)
        answered_in_runs.append(m)
        return m

    monkeypatch.setattr(FreeRuns, "run", counting)
    frame, _ = _days(True, 41, 9.4, days=4)
    assert sum(answered_in_runs) > 0.95 * frame["offered"].sum()
    assert len(answered_in_runs) < 60  # a few runs a day, not one per handful of calls
