"""Performance benchmark (issue 19): the whole ``govsim`` command against the leanest bare-SimPy network.

Every measurement is a whole command in a fresh process, timed from outside: wall seconds from start to
exit, and the child's own CPU seconds and peak resident memory from the kernel (``os.wait4``'s
``rusage``, the figure ``/usr/bin/time -v`` prints as "Maximum resident set size"). Commands are run in
interleaved rounds (A, B, C, A, B, C, …) so a slow spell of the shared machine falls on all of them
alike; the script prints medians, the ratio govsim / reference round by round, and the phase table
that each govsim run records in its ``run.json`` (``phases``: build, simulate, kpis, records, tables,
figures; what is left of the whole wall is start-up: imports, the config check, provenance). It writes
``benchmarks/results.json``.

    python benchmarks/bench.py                        # 3 rounds; scales 0.25, 0.5, 1, 2, 4
    python benchmarks/bench.py --rounds 5 --scaling-rounds 2
    python benchmarks/bench.py --only jiangmen one_town

Parts: ``jiangmen`` — the default command (``govsim``: Jiangmen year, every mechanism on, every output
written) and ``python benchmarks/reference.py N`` with N its ticket count; ``one_town`` — ``govsim
scenario=one_town horizon_days=90``; ``hotline`` — ``govsim scenario=jiangmen_12345`` in the jiangmen
part's rounds (needs ``jiangmen``), against the same reference; ``scaling`` — ``govsim
scenario.population_scale=S`` per scale, whole-command and simulate-phase microseconds per ticket and
peak MB; ``slider`` — ``python benchmarks/bench_slider.py --json``, the notebook's slider update (needs the
``notebooks`` extra: ipywidgets). Absolute times drift on a shared machine; ratios within one invocation
are the result. The run ends with the verdict: each target, the value measured and whether it is met.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ("jiangmen", "one_town", "hotline", "scaling", "slider")
ONE_TOWN = ["scenario=one_town", "horizon_days=90"]
HOTLINE = ["scenario=jiangmen_12345"]
PHASES = ("build", "simulate", "kpis", "records", "tables", "figures")
TARGETS = {"ratio": 0.5, "peak_mb": 800.0, "one_town_wall": 1.5, "scaling_spread": 1.2, "slider_update": 0.5}
"""The performance targets: whole default command ≤ 0.5 of the reference, peak RSS ≤ 800 MB, one_town 90
days ≤ 1.5 s wall, time per ticket flat within 20 % across population scales, a notebook slider update
≤ 0.5 s."""


def govsim_exe() -> str:
    """The ``govsim`` console script beside this interpreter (the package must be installed)."""
    exe = Path(sys.executable).with_name("govsim")
    found = str(exe) if exe.exists() else shutil.which("govsim")
    if not found:
        raise SystemExit("bench: govsim is not installed beside this Python (pip install -e .)")
    return found


def compile_govsim() -> None:
    """Write the bytecode of govsim's modules before any round, as a user's first run does.

    A user's runs after the first read the bytecode (``__pycache__``) the first wrote. Where
    ``PYTHONDONTWRITEBYTECODE`` is set (some containers and sandboxes set it), nothing is written, so
    every round would compile each module changed since the last bytecode was written: a cost no user
    pays twice. ``compileall`` (standard library) writes what is missing or stale; nothing else changes.
    """
    import compileall

    import govsim

    compileall.compile_dir(str(Path(govsim.__file__).parent), quiet=1)


def run_child(argv: list[str], cwd: Path) -> dict[str, float]:
    """Run ``argv`` to completion; its wall, user and system seconds and peak RSS (MB) from the kernel.

    Raises ``RuntimeError`` with the end of its error output if it exits non-zero.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}:\n{tail}")
    return {
        "wall": wall,
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,  # Linux: kilobytes
    }


def run_govsim(args: list[str], work: Path) -> dict[str, object]:
    """The whole ``govsim`` command with ``args`` into a fresh run directory; adds its ``run.json`` facts."""
    out = Path(tempfile.mkdtemp(prefix="run-", dir=work))
    out.rmdir()  # govsim refuses a directory that already holds a run; let it make its own
    res: dict[str, object] = run_child([govsim_exe(), *args, f"hydra.run.dir={out}"], work)
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    res.update(
        tickets=info["tickets"],
        phases=info.get("phases", {}),
        cpu_phases=info.get("cpu_phases", {}),
        sim_wall=info["wall_seconds"],
    )
    shutil.rmtree(out, ignore_errors=True)
    return res


def run_reference(n: int, work: Path) -> dict[str, object]:
    """``python benchmarks/reference.py n`` as a whole process."""
    res: dict[str, object] = run_child([sys.executable, str(HERE / "reference.py"), str(n)], work)
    res["tickets"] = n
    return res


def rounds(specs: dict[str, object], n: int) -> dict[str, list[dict[str, object]]]:
    """Call every spec once per round, round after round; ``specs`` maps a name to a no-argument call."""
    runs: dict[str, list[dict[str, object]]] = {name: [] for name in specs}
    for r in range(n):
        for name, call in specs.items():
            runs[name].append(call())  # type: ignore[operator]
            last = runs[name][-1]
            print(f"  round {r + 1}/{n} {name}: {last['wall']:.1f} s, {last['peak_mb']:.0f} MB", flush=True)
    return runs


def med(runs: list[dict[str, object]], key: str) -> float:
    return float(statistics.median(float(r[key]) for r in runs))  # type: ignore[arg-type]


def summary(runs: list[dict[str, object]]) -> dict[str, object]:
    """Medians of wall, CPU and peak MB over the rounds, with every round's wall kept."""
    out: dict[str, object] = {k: med(runs, k) for k in ("wall", "user", "sys", "peak_mb")}
    out["walls"] = [round(float(r["wall"]), 3) for r in runs]  # type: ignore[arg-type]
    out["tickets"] = runs[0]["tickets"]
    if "phases" in runs[0]:
        phases = {p: statistics.median(float(r["phases"].get(p, 0.0)) for r in runs) for p in PHASES}  # type: ignore[union-attr]
        phases = {"start-up": max(float(out["wall"]) - sum(phases.values()), 0.0), **phases}  # type: ignore[arg-type]
        out["phases"] = phases
    return out


def phase_table(phases: dict[str, float], wall: float) -> str:
    """The phase breakdown as aligned text: seconds and share of the whole wall."""
    rows = [f"    {'phase':<10} {'seconds':>8} {'share':>6}"]
    rows += [f"    {k:<10} {v:8.2f} {v / wall:6.0%}" for k, v in phases.items()]
    return "\n".join(rows)


def part_jiangmen(work: Path, n_rounds: int, one_town: bool, hotline: bool = False) -> dict[str, object]:
    """The default command against the lean reference (one_town and the 12345 year interleaved if asked).

    ``hotline``: ``govsim scenario=jiangmen_12345`` (the Jiangmen year with the 12345 call centre on,
    issue 18) in the same rounds, its ratio taken against the same round's reference.
    """
    print("warm-up: govsim (learns the ticket count)", flush=True)
    first = run_govsim([], work)
    n = int(first["tickets"])  # type: ignore[arg-type]
    specs: dict[str, object] = {
        "govsim": lambda: run_govsim([], work),
        "reference": lambda: run_reference(n, work),
    }
    if one_town:
        specs["one_town"] = lambda: run_govsim(ONE_TOWN, work)
    if hotline:
        specs["hotline"] = lambda: run_govsim(HOTLINE, work)
    runs = rounds(specs, n_rounds)
    gov, ref = summary(runs["govsim"]), summary(runs["reference"])
    ratios = [
        float(g["wall"]) / float(r["wall"]) for g, r in zip(runs["govsim"], runs["reference"], strict=True)
    ]  # type: ignore[arg-type]
    res: dict[str, object] = {
        "govsim": gov,
        "reference": ref,
        "ratios": [round(x, 3) for x in ratios],
        "ratio": statistics.median(ratios),
    }
    print(
        f"\ngovsim (whole default command): {gov['wall']:.1f} s for {n:,} tickets, "
        f"peak {gov['peak_mb']:.0f} MB"
        f"\nreference (lean bare SimPy, same customers, whole process): {ref['wall']:.1f} s, "
        f"peak {ref['peak_mb']:.0f} MB"
        f"\nratio govsim / reference, median of rounds: {res['ratio']:.2f} (rounds {res['ratios']}; "
        f"target ≤ {TARGETS['ratio']}); peak RSS target ≤ {TARGETS['peak_mb']:.0f} MB"
    )
    print(phase_table(gov["phases"], float(gov["wall"])))  # type: ignore[arg-type]
    if one_town:
        town = summary(runs["one_town"])
        res["one_town"] = town
        print(
            f"one_town 90 days (whole command): {town['wall']:.2f} s, peak {town['peak_mb']:.0f} MB "
            f"(target ≤ {TARGETS['one_town_wall']} s)"
        )
        print(phase_table(town["phases"], float(town["wall"])))  # type: ignore[arg-type]
    if hotline:
        line = summary(runs["hotline"])
        h_ratios = [
            float(h["wall"]) / float(r["wall"])
            for h, r in zip(runs["hotline"], runs["reference"], strict=True)
        ]  # type: ignore[arg-type]
        res["hotline"] = line | {
            "ratios": [round(x, 3) for x in h_ratios],
            "ratio": statistics.median(h_ratios),
        }
        print(
            f"Jiangmen year with the 12345 hotline ({' '.join(HOTLINE)}): {line['wall']:.1f} s, "
            f"peak {line['peak_mb']:.0f} MB; ratio to the reference, median of rounds: "
            f"{res['hotline']['ratio']:.2f} (rounds {res['hotline']['ratios']}; target ≤ {TARGETS['ratio']})"
        )
        print(phase_table(line["phases"], float(line["wall"])))  # type: ignore[arg-type]
    return res


def part_scaling(work: Path, scales: list[float], n_rounds: int) -> dict[str, object]:
    """Whole-command and simulate-phase time per ticket, and peak memory per ticket, by population scale."""
    specs = {str(s): (lambda s=s: run_govsim([f"scenario.population_scale={s}"], work)) for s in scales}
    runs = rounds(specs, n_rounds)
    per: dict[str, dict[str, object]] = {}
    for s, rs in runs.items():
        sm = summary(rs)
        n = float(sm["tickets"])  # type: ignore[arg-type]
        sim = float(sm["phases"]["simulate"])  # type: ignore[index]
        each = [float(r["phases"]["simulate"]) / n * 1e6 for r in rs]  # type: ignore[index]
        cpu = [float(r["cpu_phases"]["simulate"]) / n * 1e6 for r in rs]  # type: ignore[index]
        per[s] = sm | {
            "sim_cpu_us_per_ticket": statistics.median(cpu),
            "sim_cpu_us_per_ticket_rounds": [round(x, 3) for x in cpu],
            "sim_cpu_us_per_ticket_min": min(cpu),
            "us_per_ticket": float(sm["wall"]) / n * 1e6,  # type: ignore[arg-type]
            "sim_us_per_ticket": sim / n * 1e6,
            "sim_us_per_ticket_rounds": [round(x, 3) for x in each],
            "sim_us_per_ticket_min": min(each),
            "kb_per_ticket": float(sm["peak_mb"]) * 1024 / n,  # type: ignore[arg-type]
        }
    # Two estimates of each scale's time per ticket: the median of the rounds, and their minimum. On a
    # shared machine another tenant's work only ever adds time, so the fastest of interleaved rounds is
    # the least disturbed estimate of the code's own cost (the advice of Python's ``timeit``); the median
    # is shown beside it. The target is judged on the minimum; both spreads are recorded.
    sim_us = [float(p["sim_us_per_ticket"]) for p in per.values()]  # type: ignore[arg-type]
    sim_min = [float(p["sim_us_per_ticket_min"]) for p in per.values()]  # type: ignore[arg-type]
    spread, spread_median = max(sim_min) / min(sim_min), max(sim_us) / min(sim_us)
    # the same in CPU seconds of the process (``cpu_phases``): time the process was not running (another
    # tenant's turn on the core) is not counted; a shared cache and memory bus still slow it
    cpu_med = [float(p["sim_cpu_us_per_ticket"]) for p in per.values()]  # type: ignore[arg-type]
    cpu_min = [float(p["sim_cpu_us_per_ticket_min"]) for p in per.values()]  # type: ignore[arg-type]
    cpu_spread, cpu_spread_median = max(cpu_min) / min(cpu_min), max(cpu_med) / min(cpu_med)
    # Peak memory per ticket includes the fixed start-up (interpreter, libraries: ~200 MB), which
    # dominates small scales; what must stay flat is the memory each added ticket costs: the slope of
    # peak MB between consecutive scales.
    keys = list(per)
    for a, b in zip(keys, keys[1:], strict=False):
        pa, pb = per[a], per[b]
        dn = float(pb["tickets"]) - float(pa["tickets"])  # type: ignore[arg-type]
        pb["marginal_kb_per_ticket"] = (
            (float(pb["peak_mb"]) - float(pa["peak_mb"])) * 1024 / dn if dn > 0 else float("nan")  # type: ignore[arg-type]
        )
    print(
        f"\n{'scale':>6} {'tickets':>10} {'wall s':>8} {'µs/ticket':>10} {'sim µs/t':>9} {'min':>6} "
        f"{'cpu µs/t':>9} {'min':>6} {'peak MB':>8} {'KB/ticket':>9} {'added KB/t':>10}"
    )
    for s, p in per.items():
        added = p.get("marginal_kb_per_ticket")
        print(
            f"{s:>6} {p['tickets']:>10,} {p['wall']:8.1f} {p['us_per_ticket']:10.1f} "
            f"{p['sim_us_per_ticket']:9.1f} {p['sim_us_per_ticket_min']:6.1f} "
            f"{p['sim_cpu_us_per_ticket']:9.1f} {p['sim_cpu_us_per_ticket_min']:6.1f} {p['peak_mb']:8.0f} "
            f"{p['kb_per_ticket']:9.2f} " + (f"{added:10.2f}" if added is not None else f"{'—':>10}")
        )
    print(
        f"simulate µs per ticket, max/min over scales: {spread:.2f} on each scale's fastest round, "
        f"{spread_median:.2f} on its median (target ≤ {TARGETS['scaling_spread']}); in CPU seconds "
        f"{cpu_spread:.2f} and {cpu_spread_median:.2f}"
    )
    return {
        "by_scale": per,
        "sim_spread": spread,
        "sim_spread_median": spread_median,
        "sim_cpu_spread": cpu_spread,
        "sim_cpu_spread_median": cpu_spread_median,
    }


def part_slider(work: Path, n_rounds: int) -> dict[str, object]:
    """The notebook slider update (``bench_slider.py --json``) in a process of its own, after the others."""
    argv = [sys.executable, str(HERE / "bench_slider.py"), "--rounds", str(n_rounds), "--json"]
    done = subprocess.run(argv, cwd=work, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    res: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    parts = ", ".join(f"{k} {v:.3f} s" for k, v in res["parts"].items())  # type: ignore[union-attr]
    print(
        f"\nnotebook slider update, median of {n_rounds} round medians: {res['update']:.3f} s "
        f"({parts}; slowest {res['max']:.3f} s; target ≤ {TARGETS['slider_update']} s)"
    )
    return res


def check_slider_needs() -> None:
    """Before any round: the slider part needs ipywidgets (the ``notebooks`` extra); ``SystemExit`` if not."""
    import importlib.util

    if importlib.util.find_spec("ipywidgets") is None:
        raise SystemExit(
            "bench: the slider part needs ipywidgets (pip install -e '.[notebooks]'); "
            f"allowed without it: --only {' '.join(p for p in PARTS if p != 'slider')}"
        )


def verdict(res: dict[str, object]) -> list[dict[str, object]]:
    """Each target this run measured: its name, the value, the target and whether it is met (≤ target)."""
    jm: dict = res.get("jiangmen", {})  # type: ignore[assignment,type-arg]
    sc: dict = res.get("scaling", {})  # type: ignore[assignment,type-arg]
    sl: dict = res.get("slider", {})  # type: ignore[assignment,type-arg]
    rows: list[tuple[str, object, float]] = [
        ("default command / reference (wall, median of rounds)", jm.get("ratio"), TARGETS["ratio"]),
        ("peak RSS of the default command, MB", jm.get("govsim", {}).get("peak_mb"), TARGETS["peak_mb"]),
        (
            "12345 year / reference (wall, median of rounds)",
            jm.get("hotline", {}).get("ratio"),
            TARGETS["ratio"],
        ),
        ("one_town 90 days, whole command, s", jm.get("one_town", {}).get("wall"), TARGETS["one_town_wall"]),
        ("simulate µs per ticket, max/min over scales", sc.get("sim_spread"), TARGETS["scaling_spread"]),
        ("notebook slider update, s", sl.get("update"), TARGETS["slider_update"]),
    ]
    return [
        {"measure": name, "value": float(value), "target": target, "met": float(value) <= target}  # type: ignore[arg-type]
        for name, value, target in rows
        if value is not None
    ]


def print_verdict(rows: list[dict[str, object]]) -> None:
    """The verdict as aligned text, one target a line."""
    print("\nverdict (targets of this run's parts):")
    for r in rows:
        mark = "met" if r["met"] else "MISSED"
        print(f"  {r['measure']:<55} {float(r['value']):9.3f}  ≤ {r['target']:<6}  {mark}")  # type: ignore[arg-type]


def positive(text: str) -> int:
    """An ``argparse`` type: a whole number of at least 1 (a median of no rounds is no measurement)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed: a whole number ≥ 1") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed: a whole number ≥ 1")
    return value


def load() -> str:
    """The 1, 5 and 15 minute load averages and the core count, as a line for the record."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=positive, default=3, help="interleaved rounds per command (default 3)")
    ap.add_argument("--scales", type=float, nargs="+", default=[0.25, 0.5, 1.0, 2.0, 4.0])
    ap.add_argument(
        "--scaling-rounds", type=positive, default=None, help="rounds of the scaling part (default --rounds)"
    )
    ap.add_argument("--only", nargs="+", choices=PARTS, help="run only these parts (default: all)")
    ap.add_argument("--out", type=Path, default=HERE / "results.json")
    args = ap.parse_args()
    parts = set(args.only or PARTS)
    res: dict[str, object] = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "rounds": args.rounds,
        "targets": TARGETS,
        "load_before": load(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if "slider" in parts:
        check_slider_needs()
    print(f"{res['machine']}, Python {res['python']}, {res['load_before']}", flush=True)
    compile_govsim()
    with tempfile.TemporaryDirectory(prefix="govsim-bench-") as tmp:
        work = Path(tmp)
        if parts & {"jiangmen", "one_town"}:
            if "jiangmen" in parts:
                res["jiangmen"] = part_jiangmen(work, args.rounds, "one_town" in parts, "hotline" in parts)
            else:
                runs = rounds({"one_town": lambda: run_govsim(ONE_TOWN, work)}, args.rounds)["one_town"]
                town = summary(runs)
                res["jiangmen"] = {"one_town": town}
                print(f"one_town 90 days (whole command): {town['wall']:.2f} s, {town['peak_mb']:.0f} MB")
                print(phase_table(town["phases"], float(town["wall"])))  # type: ignore[arg-type]
        if "scaling" in parts:
            res["scaling"] = part_scaling(work, args.scales, args.scaling_rounds or args.rounds)
        if "slider" in parts:
            res["slider"] = part_slider(work, args.rounds)
    res["verdict"] = verdict(res)
    print_verdict(res["verdict"])  # type: ignore[arg-type]
    res["load_after"] = load()
    print(res["load_after"])
    args.out.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
