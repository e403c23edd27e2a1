"""Where a whole ``govsim`` command spends its time, by phase, from a py-spy sampling profile.

Records the command with py-spy (``py-spy record --format raw``: one line per distinct stack with its
sample count, idle samples included so that waiting counts as wall time) and attributes every sample of
the main thread to the innermost phase function on its stack — build, simulate, kpis, records, tables,
figures (the command's wait for its forked figure worker, ``FigureWorker.wait``; drawn in-process only
without a worker), check (``govsim.planning.plan``: composing and checking, ``govsim.compose``),
provenance, run set-up (Hydra's job set-up, the run directory, the printed summary) and exit — or,
outside all of them, to ``imports`` (a module being imported) or ``start-up``. Samples inside a phase
that are spent importing are also counted in the ``of which imports`` column. Then the top functions of
the largest phases. The figure worker is a process of its own and is not sampled.

    python benchmarks/profile_phases.py                                 # the default command
    python benchmarks/profile_phases.py -- scenario=one_town horizon_days=90
    python benchmarks/profile_phases.py --raw prof.txt                  # group a profile already taken

py-spy needs permission to read the child's memory (root, or ``ptrace_scope`` 0); install it with
``pip install py-spy``.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PHASE_OF: tuple[tuple[str, str], ...] = (
    # (frame prefix in py-spy's raw format, phase); the innermost match on a stack wins. The phases of
    # run.json (build ... figures) are cut where govsim.runner cuts them.
    ("GovernanceModel.__init__ (govsim/model.py", "build"),
    ("GovernanceModel.run (govsim/model.py", "simulate"),
    ("simulate (govsim/runner.py", "kpis"),  # what simulate() does besides building and running
    ("figure_data (govsim/runner.py", "records"),  # handed to the figure worker: run.json counts it here
    ("FigureWorker.submit (govsim/figworker.py", "records"),
    ("labelled_timeseries (govsim/recordfiles.py", "records"),
    ("labelled_hotline (govsim/recordfiles.py", "records"),
    ("write_incidents (govsim/recordfiles.py", "records"),
    ("WriteBeside.commit (govsim/atomic.py", "records"),  # the wait for incidents.parquet's writer thread
    ("to_parquet (govsim/recordfiles.py", "records"),
    ("write_outputs (govsim/runner.py", "tables"),  # CSV, the workbook and the summary, after the records
    ("FigureWorker.wait (govsim/figworker.py", "figures"),  # the command: the wait for the forked worker
    ("write_figures (govsim/runner.py", "figures"),  # without a worker: drawn in this process
    ("provenance (govsim/runner.py", "provenance"),
    ("run_to_dir (govsim/runner.py", "run set-up"),
    ("run_job (govsim/cli.py", "run set-up"),  # and, after the run, the summary it prints
    ("launch (govsim/compose.py", "run set-up"),  # Hydra's job set-up: logging, the .hydra YAML files
    ("plan (govsim/planning.py", "check"),  # composing and checking the config (govsim.compose)
    ("compose_run (govsim/compose.py", "check"),
    ("register_configs (govsim/config.py", "check"),
    ("_run (govsim/cli.py", "check"),  # Hydra's own app (a sweep, --cfg) composes again
    ("FigureWorker.close (govsim/figworker.py", "exit"),
    ("end_process (govsim/cli.py", "exit"),  # the exit handlers; the interpreter is not torn down
)
ORDER = ("imports", "start-up", "check", "run set-up", "provenance", "build", "simulate", "kpis", "records")
ORDER += ("tables", "figures", "exit")
IMPORTING = "_find_and_load ("
SET_UP = frozenset({"check", "run set-up", "provenance"})


def phase(frames: list[str]) -> str:
    """The phase of one stack (outermost frame first).

    Importing outside the model's own phases (govsim's modules and their libraries, loaded at start-up or
    when the Hydra app first reaches the runner) is ``imports``; inside a phase it stays with the phase.
    """
    importing = any(f.startswith(IMPORTING) for f in frames)
    for frame in reversed(frames):
        for prefix, name in PHASE_OF:
            if frame.startswith(prefix):
                return "imports" if importing and name in SET_UP else name
    return "imports" if importing else "start-up"


def group(raw: Path, rate: int) -> None:
    """Print the phase table and the top leaf functions of the largest phase."""
    seconds: collections.Counter[str] = collections.Counter()
    importing: collections.Counter[str] = collections.Counter()
    leaves: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not frames[0].startswith("<module>"):
            continue  # other threads (tqdm's monitor, ...)
        name, n = phase(frames), int(count) / rate
        seconds[name] += n
        importing[name] += n if any(f.startswith(IMPORTING) for f in frames) else 0.0
        govsim = [f for f in frames if "govsim/" in f]
        leaves[name][re.sub(r":\d+\)", ")", (govsim or frames)[-1])] += n
    total = sum(seconds.values())
    print(f"{'phase':<12} {'seconds':>8} {'share':>6} {'of which imports':>17}   (sampled at {rate} Hz)")
    for name in sorted(seconds, key=lambda k: ORDER.index(k) if k in ORDER else len(ORDER)):
        print(f"{name:<12} {seconds[name]:8.2f} {seconds[name] / total:6.1%} {importing[name]:17.2f}")
    print(f"{'total':<12} {total:8.2f}")
    for name, _ in seconds.most_common(3):
        print(f"\n{name}: innermost govsim frames")
        for leaf, n in leaves[name].most_common(8):
            print(f"  {n:7.2f} s  {leaf}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--raw", type=Path, help="group this py-spy raw profile instead of recording one")
    ap.add_argument("--rate", type=int, default=50, help="samples per second (default 50)")
    ap.add_argument("overrides", nargs="*", help="govsim overrides (after --)")
    args = ap.parse_args()
    if args.raw is None:
        spy, govsim = shutil.which("py-spy"), Path(sys.executable).with_name("govsim")
        if spy is None:
            raise SystemExit("profile_phases: py-spy is not installed (pip install py-spy)")
        with tempfile.TemporaryDirectory(prefix="govsim-profile-") as tmp:
            args.raw = Path(tmp) / "profile.txt"
            run = [sys.executable, str(govsim), *args.overrides, f"hydra.run.dir={Path(tmp) / 'run'}"]
            cmd = [
                spy,
                "record",
                "--idle",
                "-r",
                str(args.rate),
                "-f",
                "raw",
                "-o",
                str(args.raw),
                "--",
                *run,
            ]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            group(args.raw, args.rate)
        return
    group(args.raw, args.rate)


if __name__ == "__main__":
    main()
