"""Named record codes, shared filters and the town-day series of ``govsim.records``, by hand-worked cases."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from govsim import labels
from govsim.config import CHANNELS
from govsim.officetime import build_calendar
from govsim.records import (
    END_STATES,
    Channel,
    EndState,
    after_warmup,
    escalation_ladder,
    real,
    town_day_series,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "govsim"


def test_codes_name_the_schema_values() -> None:
    assert [int(s) for s in EndState] == [0, 1, 2]
    assert END_STATES == ("closed", "open", "merged") and set(END_STATES) == set(labels.END_STATE)
    assert tuple(c.name.lower() for c in Channel) == CHANNELS


def test_no_bare_end_state_codes_outside_the_records_module() -> None:
    """Acceptance of issue 12 item 3: ``end_state == 2`` (or any bare code) only in ``records.py``."""
    # the tests are held to it too
    bare = re.compile(r"end_state\b[^=\n]*[!=]=\s*-?\d")
    tests = Path(__file__).resolve().parents[1]
    hits = [
        f"{p.name}:{i}"
        for p in [*SRC.glob("*.py"), *tests.rglob("*.py")]
        if p.name not in ("records.py", "test_records_codes.py")  # the module, and this docstring
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if bare.search(line)
    ]
    assert hits == []


def test_real_excludes_false_reports_and_every_duplicate() -> None:
    inc = pd.DataFrame(
        {
            "is_false": [False, True, False, False],
            "duplicate_of": [-1, -1, 0, 0],
            "end_state": [0, 1, 2, 1],  # a merged duplicate and an unmerged one: neither is real
        }
    )
    assert real(inc).tolist() == [True, False, False, False]
    assert real(pd.DataFrame({"t_report": [1.0, 2.0]})).tolist() == [True, True]  # a log without flags


def test_after_warmup_keeps_reports_from_the_warmup_on() -> None:
    inc = pd.DataFrame({"t_report": [9.99, 10.0, np.nan, 30.0]})
    assert after_warmup(inc, 10.0).index.tolist() == [1, 3]


def test_escalation_ladder_counts_working_days_after_the_deadline() -> None:
    """Deadline 5.0, the end of Friday 2024-01-05 (day 4): rungs 1, 5, 10 working days later.

    Hand-worked on the 2024 calendar: Mon 8 Jan ends at day 8; 1+4 more working days (9–12 Jan) end
    at day 12; 10 working days end Fri 19 Jan, day 19.
    """
    cal = build_calendar("2024-01-01")
    out = escalation_ladder(cal, np.array([5.0]), [1, 5, 10])
    assert out.shape == (1, 3)
    assert out[0].tolist() == [8.0, 12.0, 19.0]


def test_town_day_series_by_hand() -> None:
    """Two towns, three days: one ticket closed on day 1, one merged duplicate, one open, one false."""
    nan = np.nan
    inc = pd.DataFrame(
        {
            "town": [0, 0, 1, 1],
            "t_occur": [0.2, 0.2, 0.5, nan],
            "t_report": [0.5, 0.7, 1.5, 2.1],
            "t_close": [1.5, nan, nan, nan],
            "is_false": [False, False, False, True],
            "duplicate_of": [-1, 0, -1, -1],
            "end_state": [EndState.CLOSED, EndState.MERGED, EndState.OPEN, EndState.OPEN],
        }
    )
    use = np.arange(3 * 4 * 2, dtype=float).reshape(3, 4, 2)
    ts = town_day_series(inc, use, 2)
    by = ts.set_index(["day", "town"])
    assert by["arrivals"].tolist() == [2, 0, 0, 1, 0, 1]
    assert by["closures"].tolist() == [0, 0, 1, 0, 0, 0]  # the merged duplicate is not a closure
    assert by["backlog"].tolist() == [1, 0, 0, 1, 0, 2]
    assert by["latent"].tolist() == [0, 1, 0, 0, 0, 0]  # town 1's incident, latent at the end of day 0
    assert ts.loc[(ts["day"] == 2) & (ts["town"] == 1), "patrol_hours"].item() == use[2, 3, 1]
