"""``benchmarks/bench_record_labels.py``: the build is timed with tracemalloc off (nothing is timed here)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from benchscript import load_script  # tests/unit on the path, as pytest puts it

ROOT = Path(__file__).resolve().parents[2]


def _script():  # noqa: ANN202 - the script as a module
    return load_script("bench_record_labels")


def test_the_timed_build_runs_without_tracemalloc_and_memory_in_a_pass_of_its_own() -> None:
    tracing: list[bool] = []

    def build() -> list[int]:
        tracing.append(tracemalloc.is_tracing())
        return list(range(100_000))

    seconds, peak, table = _script().measure_build(build)
    assert tracing == [False, True]  # timed first, untraced; then traced for memory alone
    assert seconds >= 0 and peak > 100_000 * 8  # the list's pointers at least
    assert table == list(range(100_000))
    assert not tracemalloc.is_tracing()
