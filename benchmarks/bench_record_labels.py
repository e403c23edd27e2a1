"""What readable records cost: the incident table with names and dates vs the codes alone.

Simulates Jiangmen at a quarter of its population for a year, then writes ``incidents.parquet`` twice —
the schema's codes and float days alone, and with ``govsim.recordfiles.labelled_incidents`` (dictionary-
encoded names, ``datetime64`` stage times) — and prints build time, peak memory of the build, write
time and file size. Run: ``python benchmarks/bench_record_labels.py [--scale 0.25]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from govsim.compose import compose
from govsim.config import CHANNELS
from govsim.recordfiles import labelled_incidents
from govsim.runner import simulate


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
        tracemalloc.start()
        t = time.perf_counter()
        table = labelled_incidents(rec, cfg.scenario.start_date, CHANNELS)
        t_build = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
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
