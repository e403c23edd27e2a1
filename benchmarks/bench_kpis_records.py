"""CPU and wall seconds of the ``kpis`` and ``records`` phases alone, on one simulated run's records.

Simulates once (Jiangmen, a year, ``--scale`` of its population; the default command at 1.0), then
``--rounds`` times: computes the run's KPI table (``runner.kpi_frame``: overall, per category, per
county) and writes the records (``incidents.parquet`` from Arrow columns, the town-day series, the
grids) one after the other, each timed alone; then both as the run does them (``runner.run_to_dir``:
``incidents.parquet`` written on a thread, ``atomic.WriteBeside``, while the KPI pass sorts on one
worker thread; the other record files; the incident file committed), timed together. Prints each
round's seconds. Run it from two checkouts in alternating rounds to
compare them on a loaded machine: ``python benchmarks/bench_kpis_records.py --scale 1 --rounds 3``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from govsim.atomic import WriteBeside
from govsim.compose import compose
from govsim.config import CHANNELS
from govsim.model import GovernanceModel
from govsim.recordfiles import incident_writer, labelled_timeseries, to_parquet, write_incidents
from govsim.runner import RECORD_FILES, kpi_frame, write_atomic


def main() -> None:
    """Measure and print."""
    p = argparse.ArgumentParser()
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    cfg = compose(
        [f"scenario.population_scale={args.scale}", "output.progress=false", "output.figures=false"]
    )
    rec = GovernanceModel(cfg).run()
    start = cfg.scenario.start_date
    print(f"tickets: {len(rec.incidents):,}")
    for r in range(args.rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        kpi_frame(rec)
        k_wall, k_cpu = time.perf_counter() - wall, time.process_time() - cpu
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu = time.perf_counter(), time.process_time()
            write_atomic(Path(tmp) / RECORD_FILES[0], lambda f: write_incidents(rec, start, CHANNELS, f))
            write_atomic(
                Path(tmp) / RECORD_FILES[1], lambda f: to_parquet(labelled_timeseries(rec, start), f)
            )
            write_atomic(Path(tmp) / RECORD_FILES[2], lambda f: to_parquet(rec.grids, f))
            r_wall, r_cpu = time.perf_counter() - wall, time.process_time() - cpu
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu = time.perf_counter(), time.process_time()
            beside = WriteBeside(Path(tmp) / RECORD_FILES[0])
            beside.start(incident_writer(rec, start, CHANNELS))
            kpi_frame(rec, 1)
            write_atomic(
                Path(tmp) / RECORD_FILES[1], lambda f: to_parquet(labelled_timeseries(rec, start), f)
            )
            write_atomic(Path(tmp) / RECORD_FILES[2], lambda f: to_parquet(rec.grids, f))
            beside.commit()
            t_wall, t_cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"round {r + 1}: kpis {k_wall:.2f} s (CPU {k_cpu:.2f} s), "
            f"records {r_wall:.2f} s (CPU {r_cpu:.2f} s); "
            f"together as the run does them {t_wall:.2f} s (CPU {t_cpu:.2f} s)"
        )


if __name__ == "__main__":
    main()
