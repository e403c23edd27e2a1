"""Two source trees' whole ``govsim`` command, run in alternating pairs: wall, CPU and the run's phases.

For a loaded machine, where single wall times drift: each round runs both trees back to back (the order
alternating), in fresh processes with the same interpreter and libraries, and reports medians of the
wall seconds, the CPU seconds (user + system of the child), its peak RSS, the run's ``phases``
(``run.json``) and the rest of the wall (start-up and exit: wall minus the phases). A tree is a
``src`` directory put first on ``PYTHONPATH``; its ``govsim.cli.command`` (the console script's
function) is run if it has one, else ``main``.

    python benchmarks/pairs.py --old /path/to/old/src --rounds 6 -- scenario=one_town horizon_days=90
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENTRY = (  # what the console script does, for a tree that is not installed
    "import importlib, sys; c = importlib.import_module('govsim.cli'); sys.argv = ['govsim', *sys.argv[1:]]; "
    "sys.exit(c.command() if hasattr(c, 'command') else c.main())"
)


def one(src: str, overrides: list[str]) -> tuple[float, float, dict[str, float], float]:
    """Wall and CPU seconds, phases and peak RSS (MB, the kernel's ``ru_maxrss``) of one run of ``src``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as a user runs it
    env["PYTHONPATH"] = src
    with tempfile.TemporaryDirectory(prefix="pairs") as tmp:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", ENTRY, *overrides, f"hydra.run.dir={tmp}/run"],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own usage, not all children's so far
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, proc.args)
        phases = json.loads((Path(tmp) / "run" / "run.json").read_text(encoding="utf-8"))["phases"]
    return wall, usage.ru_utime + usage.ru_stime, phases, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", required=True, help="the src directory of the tree to compare against")
    parser.add_argument("--new", default=str(Path(__file__).resolve().parents[1] / "src"))
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("overrides", nargs="*", default=["scenario=one_town", "horizon_days=90"])
    args = parser.parse_args()
    trees = {"old": args.old, "new": args.new}
    runs: dict[str, list[tuple[float, float, dict[str, float], float]]] = {name: [] for name in trees}
    for i in range(args.rounds):
        for name in sorted(trees, reverse=bool(i % 2)):  # new first, then old first, ...
            wall, cpu, phases, peak = one(trees[name], args.overrides)
            runs[name].append((wall, cpu, phases, peak))
            print(
                f"round {i + 1} {name}: wall {wall:.2f} s, cpu {cpu:.2f} s, peak {peak:.0f} MB, "
                f"phases {phases}",
                flush=True,
            )
    for name, rows in runs.items():
        keys = sorted({k for _, _, p, _ in rows for k in p})
        med = {k: statistics.median(p.get(k, 0.0) for _, _, p, _ in rows) for k in keys}
        rest = statistics.median(w - sum(p.values()) for w, _, p, _ in rows)
        peaks = sorted(round(r[3]) for r in rows)
        print(
            f"{name}: wall {statistics.median(r[0] for r in rows):.2f} s, cpu "
            f"{statistics.median(r[1] for r in rows):.2f} s, peak {statistics.median(peaks):.0f} MB "
            f"(each {peaks}), start-up and exit {rest:.2f} s, phases "
            + ", ".join(f"{k} {v:.3f}" for k, v in med.items())
        )
    ratio = {
        what: statistics.median(r[j] for r in runs["new"]) / statistics.median(r[j] for r in runs["old"])
        for j, what in enumerate(("wall", "cpu"))
    }
    peak = statistics.median(r[3] for r in runs["new"]) / statistics.median(r[3] for r in runs["old"])
    print(f"new / old (medians): wall {ratio['wall']:.3f}, cpu {ratio['cpu']:.3f}, peak RSS {peak:.3f}")


if __name__ == "__main__":
    main()
