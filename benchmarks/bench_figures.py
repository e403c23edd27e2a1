"""Drawing a run's figures in a fresh process: Matplotlib's import, then drawing and writing the PNGs.

This is the work that ``figures_drawn`` in ``run.json`` measures. The ``govsim`` command does it in a
forked figure worker (``govsim.figworker``) while it simulates and writes the records and tables, so
its ``figures`` phase is only the time it still waits for the worker at the end (``FigureWorker.wait``
in ``runner.write_outputs``), not this. Here it is done in-process, as ``runner.write_figures`` does
it for a run without a worker (import ``govsim.plots``, build the backlog, resolution-time and
heat-map figures, write the PNGs), in a new Python process per round, after the run's records are
loaded from a finished run directory, so that Matplotlib's import is counted. Prints per round the CPU
seconds of the import and of drawing and writing, and the wall seconds, then the medians. The run
directory is made first (figures off) unless one is given.

    python benchmarks/bench_figures.py                                  # one_town, 90 days
    python benchmarks/bench_figures.py --rounds 5 -- scenario=jiangmen  # the default Jiangmen year
    python benchmarks/bench_figures.py --run-dir outputs/some_run
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, pathlib, sys, tempfile, time
from govsim.runner import load_records, write_figures
rec = load_records(pathlib.Path(sys.argv[1]))
c0, w0 = time.process_time(), time.perf_counter()
import govsim.plots  # the phase's import, as the command's first figure does it
c1 = time.process_time()
with tempfile.TemporaryDirectory() as out:
    write_figures(rec, pathlib.Path(out), "zh")
c2, w2 = time.process_time(), time.perf_counter()
print(json.dumps({"import_cpu": c1 - c0, "draw_cpu": c2 - c1, "cpu": c2 - c0, "wall": w2 - w0}))
"""


def make_run(overrides: list[str], where: Path) -> Path:
    """A finished run directory of ``govsim OVERRIDES`` without figures (the records are what is timed)."""
    out = where / "run"
    cmd = ["govsim", *overrides, "output.figures=false", "output.progress=false", f"hydra.run.dir={out}"]
    subprocess.run(cmd, check=True, capture_output=True)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5, help="fresh processes to time (default 5)")
    p.add_argument("--run-dir", type=Path, help="a finished run directory (default: make one)")
    p.add_argument("overrides", nargs="*", help="govsim overrides of the run to make")
    args = p.parse_args()
    overrides = args.overrides or ["scenario=one_town", "horizon_days=90"]
    with tempfile.TemporaryDirectory() as tmp:
        run = args.run_dir or make_run(overrides, Path(tmp))
        rows = []
        for k in range(args.rounds):
            child = [sys.executable, "-c", CHILD, str(run)]
            done = subprocess.run(child, check=True, capture_output=True, text=True)
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
            r = rows[-1]
            print(
                f"round {k + 1}: CPU import {r['import_cpu']:.3f} + draw/write {r['draw_cpu']:.3f}"
                f" = {r['cpu']:.3f} s; wall {r['wall']:.3f} s"
            )
    med = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
    print(
        f"figures phase, median of {args.rounds}: CPU import {med['import_cpu']:.3f} + draw/write"
        f" {med['draw_cpu']:.3f} = {med['cpu']:.3f} s; wall {med['wall']:.3f} s"
    )


if __name__ == "__main__":
    main()
