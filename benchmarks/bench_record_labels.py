"""What readable records cost: the incident table with names and dates vs the codes alone.

Simulates Jiangmen at a quarter of its population for a year, then writes ``incidents.parquet`` twice —
the schema's codes and float days alone, and with ``govsim.recordfiles.labelled_incidents`` (dictionary-
encoded names, ``datetime64`` stage times) — and prints build time, peak memory of the build, write
time and file size. The build is timed with ``tracemalloc`` off (tracing every allocation slows it by
about a quarter) and built again under ``tracemalloc`` for its peak memory alone.
Run: ``python benchmarks/bench_record_labels.py [--scale 0.25]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from govsim.compose import compose
from govsim.config import CHANNELS
from govsim.recordfiles import labelled_incidents
from govsim.runner import simulate


def measure_build[T](build: Callable[[], T]) -> tuple[float, int, T]:
    """Wall seconds of ``build()`` untraced, then its peak traced bytes in a second call; and the build."""
    t = time.perf_counter()
    built = build()
    seconds = time.perf_counter() - t
    del built
    tracemalloc.start()
    try:
        built = build()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return seconds, peak, built


def main() -> None:
    """Measure and print."""
    p = argparse.ArgumentParser()
    p.add_argument("--scale", type=float, default=0.25)
    scale = p.parse_args().scale
    cfg = compose(
        [
            "scenario=jiangmen",
            f"scenario.population_scale={scale}",
            "output.progress=false",
            "output.figures=false",
        ]
    )
    rec = simulate(cfg).records
    with tempfile.TemporaryDirectory() as tmp:
        plain, labelled = Path(tmp) / "plain.parquet", Path(tmp) / "labelled.parquet"
        t = time.perf_counter()
        rec.incidents.to_parquet(plain, index=False)
        t_plain = time.perf_counter() - t
        t_build, peak, table = measure_build(
            lambda: labelled_incidents(rec, cfg.scenario.start_date, CHANNELS)
        )
        t = time.perf_counter()
        table.to_parquet(labelled, index=False)
        t_write = time.perf_counter() - t
        print(f"tickets: {len(rec.incidents):,}")
        print(f"codes only: write {t_plain:.2f} s, {os.path.getsize(plain) / 1e6:.1f} MB")
        print(
            f"with names and dates: build {t_build:.2f} s (peak {peak / 1e6:.0f} MB), write {t_write:.2f} s, "
            f"{os.path.getsize(labelled) / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
