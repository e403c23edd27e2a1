"""``benchmarks/bench_record_labels.py``: the build is timed with tracemalloc off (nothing is timed here)."""

from __future__ import annotations

import importlib.util
import sys
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():  # noqa: ANN202 - the script as a module
    path = ROOT / "benchmarks" / "bench_record_labels.py"
    spec = importlib.util.spec_from_file_location("bench_record_labels_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


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
