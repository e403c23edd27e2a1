"""Hotline benchmark: the 12345 call centre of a Jiangmen year, alone, in one process.

The calls of ``govsim scenario=jiangmen_12345`` without the rest of the model: 41 seats (0.85 per 100k
× 4.8 M residents), 1.95 consultation calls per 1,000 residents a day and ``--reports`` report calls a
day (the model offers about 200), 365 days, through ``Hotline.day`` with the vectorised runs
(``govsim.callqueue.FreeRuns``) and one call at a time, in interleaved rounds. Prints CPU seconds and
microseconds per call attempt (the minimum over the rounds: the least disturbed by other processes on a
shared machine) and checks that both give the same day table and settled reports, bit for bit. A bad
argument is one line on stderr and exit status 2.

    python benchmarks/bench_hotline.py                   # 3 rounds, the Jiangmen year
    python benchmarks/bench_hotline.py --seats 10 --population 1.2e6 --reports 50   # Jiangmen x0.25
"""

from __future__ import annotations

import argparse
import time
from typing import NoReturn

import numpy as np
from bench import positive  # the scripts' shared argument check (benchmarks/ is the script's path)

from govsim.config import HotlineConfig
from govsim.hotline import Hotline
from govsim.streams import make_streams


def year(fast: bool, seats: int, population: float, reports: int, days: int, seed: int):
    """One run: CPU seconds, call attempts, the day table and the settled report calls."""
    line = Hotline(HotlineConfig(enabled=True), seats, 0.0, population, make_streams(seed, 0), days)
    line.fast = fast
    rng = np.random.default_rng(seed + 99)
    times = [np.sort(d + rng.random(reports)) for d in range(days)]
    settled = []
    start = time.process_time()
    for d in range(days):
        settled.extend(line.day(d, np.arange(d * reports, (d + 1) * reports), times[d]))
    cpu = time.process_time() - start
    frame = line.frame()
    return cpu, int(frame["offered"].sum()), frame, [(k, float(t), f) for k, t, f in settled]


def period(days: int) -> str:
    """What a run's CPU seconds are for: ``per year`` for 365 days, else the days simulated."""
    return "per year" if days == 365 else f"per {days} simulated days"


class OneLineParser(argparse.ArgumentParser):
    """``argparse`` with a one-line error (no usage block) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def main(argv: list[str] | None = None) -> None:
    """Time both ways of running the calls, round after round; print CPU seconds and the speed-up."""
    ap = OneLineParser(prog="bench_hotline.py", description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=positive, default=3)
    ap.add_argument("--seats", type=int, default=41)
    ap.add_argument("--population", type=float, default=4.8e6)
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--days", type=positive, default=365)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    cpu: dict[str, list[float]] = {"runs": [], "one by one": []}
    for r in range(a.rounds):
        results = {}
        for name, fast in (("runs", True), ("one by one", False)):
            c, n, frame, settled = year(fast, a.seats, a.population, a.reports, a.days, a.seed)
            cpu[name].append(c)
            results[name] = (frame, settled)
            print(f"  round {r + 1}/{a.rounds} {name}: {c:.3f} s CPU, {n:,} attempts", flush=True)
        (f1, s1), (f2, s2) = results.values()
        if not (f1.equals(f2) and s1 == s2):
            raise SystemExit("bench_hotline: runs and one by one differ (a bug in govsim.callqueue.FreeRuns)")
    for name, values in cpu.items():
        best = min(values)
        us = best / n * 1e6
        print(
            f"{name:>10}: {best:.3f} s CPU {period(a.days)}, {us:.3f} us per call attempt (min of {a.rounds})"
        )
    print(f"speed-up of the runs: {min(cpu['one by one']) / min(cpu['runs']):.1f}x; results identical")


if __name__ == "__main__":
    main()
