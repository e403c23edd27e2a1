"""The hotline's day loop: the vectorised shortcut gives exactly the one-by-one results; bad hours refused."""

from __future__ import annotations

import numpy as np
import pytest

from govsim.config import HotlineConfig
from govsim.hotline import Hotline
from govsim.streams import make_streams


def _days(fast: bool, seats: int, per_1000: float, days: int = 8):
    hc = HotlineConfig(enabled=True, consult_per_1000_day=per_1000)
    line = Hotline(hc, seats, 0.0, 1e6, make_streams(3, 0), days)
    line.fast = fast
    rng = np.random.default_rng(5)
    settled = []
    for d in range(days):
        settled.extend(line.day(d, np.arange(d * 50, d * 50 + 50), np.sort(d + rng.random(50))))
    return line.frame(), settled


@pytest.mark.parametrize(("seats", "per_1000"), [(60, 9.4), (41, 9.4), (30, 9.4), (5, 1.0)])
def test_fast_runs_equal_one_by_one(seats, per_1000):
    # light, default (rho 0.66), overloaded (abandonment and retries), and a tiny line with busy signals
    slow, slow_settled = _days(False, seats, per_1000)
    fast, fast_settled = _days(True, seats, per_1000)
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
