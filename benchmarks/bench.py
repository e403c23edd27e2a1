"""Performance benchmark (issue #7): govsim against a bare SimPy network, scaling, parallel, one_town.

Each measurement runs in a fresh subprocess (so peak memory is that run's own) and is repeated; the
script prints medians and ratios against the reference measured in the same invocation, and writes
``benchmarks/results.json``. Absolute times drift on a shared machine; the ratios are the result.

    python benchmarks/bench.py                 # everything (about 12 minutes on 2 cores)
    python benchmarks/bench.py --quick         # smaller: population_scale 0.25, one repeat
    python benchmarks/bench.py --only scaling  # one part (jiangmen, scaling, parallel, one_town)
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ("jiangmen", "scaling", "parallel", "one_town")


def measure_govsim(scale: float, scenario: str = "jiangmen", horizon: float = 365.0) -> dict[str, float]:
    """One govsim run (build, simulate, records) in this process; wall seconds, tickets, peak RSS."""
    import resource

    from govsim.config import GovsimConfig
    from govsim.model import GovernanceModel

    cfg = GovsimConfig()
    cfg.scenario.territory = scenario
    cfg.scenario.population_scale = scale
    cfg.horizon_days = horizon
    start = time.perf_counter()
    records = GovernanceModel(cfg).run()
    wall = time.perf_counter() - start
    return {
        "wall": wall,
        "tickets": len(records.incidents),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure_reference(n: int) -> dict[str, float]:
    """The bare SimPy network pushing ``n`` customers."""
    import resource

    sys.path.insert(0, str(HERE))
    from reference import reference_network

    wall = reference_network(n)
    return {"wall": wall, "tickets": n, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def in_subprocess(kind: str, arg: float, extra: str = "") -> dict[str, float]:
    """Run one measurement in a fresh interpreter and read its JSON line."""
    out = subprocess.run(
        [sys.executable, __file__, "--one", kind, str(arg), extra], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def medians(specs: dict[str, tuple[str, float, str]], repeats: int) -> dict[str, dict[str, float]]:
    """Median wall and peak memory of each measurement over ``repeats`` fresh runs.

    The runs are interleaved (round after round over all the specs), so that a slow spell of the shared
    machine falls on every configuration alike instead of on whichever happened to run then.
    """
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in specs}
    for _ in range(repeats):
        for name, (kind, arg, extra) in specs.items():
            runs[name].append(in_subprocess(kind, arg, extra))
    return {
        name: {
            "wall": statistics.median(r["wall"] for r in rs),
            "tickets": rs[0]["tickets"],
            "peak_mb": statistics.median(r["peak_mb"] for r in rs),
            "walls": [r["wall"] for r in rs],
        }
        for name, rs in runs.items()
    }


def _warm() -> int:
    """Import the model in a worker (what every job of a real sweep pays once per worker)."""
    import govsim.model  # noqa: F401

    return 0


def parallel_sweep(n_jobs: int, runs: int, scale: float) -> float:
    """Wall seconds for ``runs`` govsim runs at ``scale`` with joblib on ``n_jobs`` processes.

    Workers are started and have imported govsim before the clock starts, as the serial reference has
    (it runs in this process); what is timed is the sweep's simulation work.
    """
    from joblib import Parallel, delayed

    with Parallel(n_jobs=n_jobs, backend="loky") as pool:
        pool(delayed(_warm)() for _ in range(n_jobs))
        start = time.perf_counter()
        pool(delayed(measure_govsim)(scale) for _ in range(runs))
        return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--one", nargs=3, metavar=("KIND", "ARG", "EXTRA"), help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="population_scale 0.25 and one repeat")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", nargs="+", choices=PARTS, help="run only these parts (default: all)")
    args = ap.parse_args()
    if args.one:
        kind, arg, extra = args.one
        fn = {
            "govsim": lambda: measure_govsim(float(arg), extra or "jiangmen"),
            "reference": lambda: measure_reference(int(float(arg))),
        }[kind]
        print(json.dumps(fn()))
        return
    repeats = 1 if args.quick else args.repeats
    scale = 0.25 if args.quick else 1.0
    parts = set(args.only or PARTS)
    res: dict[str, object] = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "repeats": repeats,
        "scale": scale,
    }
    if "jiangmen" in parts:
        res["jiangmen"] = jiangmen(scale, repeats)
    if "scaling" in parts:
        res["scaling"] = scaling([0.25, 0.5] if args.quick else [0.25, 0.5, 1.0, 2.0], repeats)
    if "parallel" in parts:
        res["parallel"] = parallel(*((0.1, 4) if args.quick else (0.25, 6)))
    if "one_town" in parts:
        town = medians({"one_town": ("govsim", 1.0, "one_town")}, max(3, repeats))["one_town"]
        res["one_town"] = town
        print(f"one_town year: {town['wall']:.2f} s (target ≤ 2 s)")
    out = HERE / ("results.json" if parts == set(PARTS) else "results-partial.json")
    out.write_text(json.dumps(res, indent=2))
    print(f"wrote {out}")


def jiangmen(scale: float, repeats: int) -> dict[str, object]:
    """govsim's Jiangmen year against the bare SimPy network pushing as many customers."""
    gov = medians({"govsim": ("govsim", scale, "")}, 1)["govsim"]  # first run: learn the ticket count
    both = medians({"govsim": ("govsim", scale, ""), "reference": ("reference", gov["tickets"], "")}, repeats)
    gov, ref = both["govsim"], both["reference"]
    print(
        f"Jiangmen year x{scale}: govsim {gov['wall']:.1f} s for {gov['tickets']:,} tickets "
        f"({gov['wall'] / gov['tickets'] * 1e6:.1f} µs each), peak {gov['peak_mb']:.0f} MB"
    )
    print(
        f"reference SimPy network, same customers: {ref['wall']:.1f} s "
        f"({ref['wall'] / ref['tickets'] * 1e6:.1f} µs each)"
    )
    ratio = gov["wall"] / ref["wall"]
    print(f"ratio govsim / reference = {ratio:.2f}   (target ≤ 1.0; memory target ≤ 1024 MB)")
    return {"govsim": gov, "reference": ref, "ratio": ratio}


def scaling(scales: list[float], repeats: int) -> dict[str, object]:
    """Wall time per ticket as the population scales."""
    per = medians({str(s): ("govsim", s, "") for s in scales}, repeats)
    us = {s: per[s]["wall"] / per[s]["tickets"] * 1e6 for s in per}
    spread = max(us.values()) / min(us.values())
    print(
        "scaling, µs per ticket: "
        + ", ".join(f"x{s}: {v:.1f}" for s, v in us.items())
        + f"   max/min = {spread:.2f} (target ≤ 1.2)"
    )
    return {"us_per_ticket": us, "max_over_min": spread, "runs": per}


def parallel(sweep_scale: float, n_runs: int) -> dict[str, float]:
    """A sweep of ``n_runs`` runs on two workers against the same sweep run serially."""
    measure_govsim(0.01)  # import in this process too, before timing the serial sweep
    serial, two = parallel_sweep(1, n_runs, sweep_scale), parallel_sweep(2, n_runs, sweep_scale)
    print(
        f"sweep of {n_runs} runs at x{sweep_scale}: serial {serial:.1f} s, two workers {two:.1f} s, "
        f"ratio {two / serial:.2f} (target ≤ 0.6)"
    )
    return {"serial": serial, "two_workers": two, "ratio": two / serial}


if __name__ == "__main__":
    main()
