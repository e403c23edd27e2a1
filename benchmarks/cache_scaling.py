"""Instructions and cache misses per ticket of the simulation loop, by population scale (cachegrind).

Time per ticket on a shared machine drifts by more than the effect to find (other tenants, up to 2x
between minutes). Counts do not: valgrind's cachegrind executes the run on a simulated CPU and counts
the instructions and the misses of a simulated cache, the same on every run. This script runs the
simulation loop alone (``GovernanceModel.run`` without building the records) under cachegrind at two
horizons per scale and divides the difference by the tickets the extra days created, so start-up,
the build and the warm-up cancel out. Its last-level cache is set to the size of this machine's L2 (2
MiB a core), the level the run's working set outgrows as the population scales; the real machine has
a large shared L3 behind it, so a counted miss costs an L3 hit, not a trip to memory.

    python benchmarks/cache_scaling.py                       # x0.5 and x4, days 40 to 60: ~35 min
    python benchmarks/cache_scaling.py --scales 0.5 1 --functions 15

Prints, per scale: instructions (Ir), L1 data misses and last-level (L2-sized) data misses per ticket,
and with ``--functions N`` the N functions whose misses per ticket grew most from the first scale to
the last. Needs valgrind (``cg_annotate`` is not needed: the output files are read here). Slow: about
60 times the run's own time.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
from pathlib import Path

LOOP = """
import sys
from govsim.compose import compose
from govsim.model import GovernanceModel
s, h = sys.argv[1], sys.argv[2]
m = GovernanceModel(compose([f"scenario.population_scale={s}", f"horizon_days={h}", "output.progress=false"]))
m._records = lambda: None  # the loop alone: the records are built after it
assert m.run(progress=False) is None, "the records were built: the patch above missed"
print("tickets", m.loop.tickets.n)
"""

EVENTS = ("Ir", "D1mr", "D1mw", "DLmr", "DLmw")


def run(scale: float, days: int, ll_bytes: int, out: Path) -> int:
    """Run the loop under cachegrind; return the tickets created. The counts go to ``out``."""
    cmd = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=yes",
        f"--LL={ll_bytes},16,64",
        f"--cachegrind-out-file={out}",
        sys.executable,
        "-c",
        LOOP,
        str(scale),
        str(days),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return int(next(line.split()[1] for line in res.stdout.splitlines() if line.startswith("tickets")))


def counts(path: Path) -> dict[str, collections.Counter[str]]:
    """Per function (``file:function``), the events of a cachegrind output file."""
    names: list[str] = []
    per: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    fl = fn = ""
    for line in path.read_text().splitlines():
        if line.startswith("events:"):
            names = line.split()[1:]
        elif line.startswith("fl="):
            fl = line[3:]
        elif line.startswith("fn="):
            fn = line[3:]
        elif line[:1].isdigit():
            values = line.split()[1:]
            c = per[f"{Path(fl).name}:{fn}"]
            for name, v in zip(names, values, strict=False):
                c[name] += int(v)
    return per


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=float, nargs="+", default=[0.5, 4.0])
    ap.add_argument("--days", type=int, nargs=2, default=[40, 60], help="the two horizons (after warm-up)")
    ap.add_argument("--ll", type=int, default=2 * 1024 * 1024, help="last-level cache bytes (this L2)")
    ap.add_argument("--functions", type=int, default=0, help="list the N functions whose misses grew most")
    args = ap.parse_args()
    per_scale: dict[float, tuple[int, dict[str, collections.Counter[str]]]] = {}
    with tempfile.TemporaryDirectory(prefix="cachescale") as tmp:
        for s in args.scales:
            n, files = [], []
            for d in args.days:
                out = Path(tmp) / f"cg.{s}.{d}"
                n.append(run(s, d, args.ll, out))
                files.append(counts(out))
            diff: dict[str, collections.Counter[str]] = {}
            for f in set(files[0]) | set(files[1]):
                c = collections.Counter(files[1].get(f, {}))
                c.subtract(files[0].get(f, {}))
                diff[f] = c
            per_scale[s] = (n[1] - n[0], diff)
            print(f"x{s}: {n[0]} -> {n[1]} tickets", file=sys.stderr)
    print(f"per ticket created between day {args.days[0]} and {args.days[1]} (last level: {args.ll} bytes)")
    print(f"{'scale':>6} {'tickets':>9} " + " ".join(f"{e:>8}" for e in EVENTS))
    totals = {}
    for s, (n, diff) in per_scale.items():
        tot = {e: sum(c[e] for c in diff.values()) / n for e in EVENTS}
        totals[s] = tot
        print(f"{s:>6} {n:>9} " + " ".join(f"{tot[e]:>8.1f}" for e in EVENTS))
    if args.functions and len(per_scale) > 1:
        (s0, (n0, d0)), (s1, (n1, d1)) = next(iter(per_scale.items())), list(per_scale.items())[-1]

        def miss(c: collections.Counter[str], n: int) -> float:
            return (c["DLmr"] + c["DLmw"]) / n

        grow = sorted(
            ((miss(d1.get(f, collections.Counter()), n1) - miss(d0.get(f, collections.Counter()), n0), f))
            for f in set(d0) | set(d1)
        )[::-1]
        print(f"\nlast-level misses per ticket, x{s0} -> x{s1}, largest growth first")
        for g, f in grow[: args.functions]:
            a, b = miss(d0.get(f, collections.Counter()), n0), miss(d1.get(f, collections.Counter()), n1)
            print(f"{g:+8.2f} {a:8.2f} {b:8.2f}  {f[:110]}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
