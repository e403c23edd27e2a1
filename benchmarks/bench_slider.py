"""Slider update time of notebook 02 on one_town: median and max over moves of every lever.

An update is what releasing a slider costs: copy the cached config with the new lever value, simulate
the one_town year, draw the dashboard and render it to PNG (``LeverPanel.update``). The issue asks for
about two seconds or less. Run: ``python benchmarks/bench_slider.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

from govsim.teaching import LEVERS
from govsim.teaching_widgets import LeverPanel


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=2, help="moves per lever (default 2)")
    args = p.parse_args()
    start = time.perf_counter()
    panel = LeverPanel(lang="zh", seed=0)
    print(f"panel built (baseline year + first figure): {time.perf_counter() - start:.2f} s")
    times = []
    for _ in range(args.rounds):
        for name, lever in LEVERS.items():
            control = panel.controls[name]
            target = lever.hi if control.value != lever.hi else lever.lo
            t0 = time.perf_counter()
            control.value = target  # observe() fires update(), as a released slider does
            times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        stationed = panel.controls["stationed"]
        stationed.value = () if stationed.value else ("dispute", "livelihood")
        times.append(time.perf_counter() - t0)
    print(f"slider updates: n={len(times)}  median {statistics.median(times):.2f} s  max {max(times):.2f} s")


if __name__ == "__main__":
    main()
