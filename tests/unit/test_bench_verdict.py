"""``benchmarks/bench.py``'s verdict and argument checks, on hand-made results (nothing is timed here)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from benchscript import load_script  # tests/unit on the path, as pytest puts it

ROOT = Path(__file__).resolve().parents[2]


def _bench():  # noqa: ANN202 - the script as a module
    return load_script("bench")


def test_the_verdict_judges_each_measured_target_and_leaves_out_parts_not_run() -> None:
    bench = _bench()
    res = {
        "jiangmen": {
            "ratio": 0.29,
            "govsim": {"peak_mb": 801.0},
            "one_town": {"wall": 1.5},  # at the target: met (≤)
        },
        "scaling": {"sim_spread": 1.21},
    }
    rows = {r["measure"]: r for r in bench.verdict(res)}
    assert len(rows) == 4  # no hotline, no slider: not judged
    by_value = {r["value"]: r["met"] for r in rows.values()}
    assert by_value == {0.29: True, 801.0: False, 1.5: True, 1.21: False}
    assert all(r["target"] in bench.TARGETS.values() for r in rows.values())


def test_the_slider_part_is_judged_against_half_a_second() -> None:
    bench = _bench()
    (row,) = bench.verdict({"slider": {"update": 0.51}})
    assert (row["target"], row["met"]) == (0.5, False)


@pytest.mark.parametrize("text", ["0", "-2", "x", "1.5"])
def test_rounds_below_one_or_not_whole_are_refused(text: str) -> None:
    bench = _bench()
    with pytest.raises(argparse.ArgumentTypeError, match=r"allowed: a whole number ≥ 1"):
        bench.positive(text)
    assert bench.positive("3") == 3
