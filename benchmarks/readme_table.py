"""The README's performance table as Markdown, from ``benchmarks/results.json`` (``bench.py``'s output).

python benchmarks/readme_table.py [results.json]

A missing or unreadable file, or one of another shape, is one line on stderr and exit status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def table(res: dict) -> str:  # type: ignore[type-arg]
    """Markdown rows: measure, result, target; then the phase table of the default command."""
    tg = res["targets"]
    rows = ["| measure | result | target |", "|---|---|---|"]
    jm = res.get("jiangmen", {})
    if "govsim" in jm:
        gov, ref = jm["govsim"], jm["reference"]
        n = gov["tickets"]
        rows.append(
            f"| default `govsim` (Jiangmen year, {n / 1e6:.2f} M tickets, every output written), "
            f"whole command, against `reference.py {n}`{network(ref.get('network'))} | median "
            f"{gov['wall']:.1f} s against {ref['wall']:.1f} s; "
            f"ratio, median of rounds: **{jm['ratio']:.2f}** "
            f"(rounds {', '.join(f'{r:.2f}' for r in jm['ratios'])}) | ≤ {tg['ratio']} |"
        )
        cpu = (gov["user"] + gov["sys"]) / (ref["user"] + ref["sys"])
        rows.append(
            "| the same in CPU seconds of the child (user + system, medians; less disturbed by other "
            f"processes' load than wall) | {gov['user'] + gov['sys']:.1f} s / "
            f"{ref['user'] + ref['sys']:.1f} s = **{cpu:.2f}** | — |"
        )
        rows.append(
            f"| peak RSS of that process (reference: {ref['peak_mb']:.0f} MB) | **{gov['peak_mb']:.0f} MB** "
            f"| ≤ {tg['peak_mb']:.0f} MB |"
        )
    if "hotline" in jm:
        line = jm["hotline"]
        rows.append(
            "| the Jiangmen year with the 12345 hotline on (`govsim scenario=jiangmen_12345`), "
            f"whole command, against the same reference | median {line['wall']:.1f} s against "
            f"{jm['reference']['wall']:.1f} s; ratio, median of rounds: **{line['ratio']:.2f}** "
            f"(rounds {', '.join(f'{r:.2f}' for r in line['ratios'])}) | ≤ {tg['ratio']} |"
        )
    if "one_town" in jm:
        town = jm["one_town"]
        rows.append(
            f"| `govsim scenario=one_town horizon_days=90`, whole command | **{town['wall']:.2f} s** "
            f"(CPU {town['user'] + town['sys']:.2f} s) | ≤ {tg['one_town_wall']} s |"
        )
    sc = res.get("scaling")
    if sc:
        per = sc["by_scale"]
        scales = ", ".join(f"×{s}" for s in per)
        med, fast = spreads(sc)
        rows.append(
            f"| simulate-phase µs per ticket at {scales}, median of rounds (fastest round) | "
            + ", ".join(
                f"{p['sim_us_per_ticket']:.1f} ({p['sim_us_per_ticket_min']:.1f})" for p in per.values()
            )
            + f": max/min **{med:.2f}** ({fast:.2f}) | ≤ {tg['scaling_spread']} |"
        )
        if "sim_cpu_spread" in sc:  # the same in CPU seconds of the process (run.json cpu_phases)
            cpu_med, cpu_fast = spreads(sc, "sim_cpu_spread")
            rows.append(
                "| the same in CPU µs of the process (`cpu_phases`), median of rounds (fastest round) | "
                + ", ".join(
                    f"{p['sim_cpu_us_per_ticket']:.1f} ({p['sim_cpu_us_per_ticket_min']:.1f})"
                    for p in per.values()
                )
                + f": max/min **{cpu_med:.2f}** ({cpu_fast:.2f}) | — |"
            )
        rows.append(
            f"| whole-command µs per ticket at {scales} | "
            + ", ".join(f"{p['us_per_ticket']:.1f}" for p in per.values())
            + " | — |"
        )
        rows.append(
            f"| peak RSS (MB) and KB per ticket at {scales} | "
            + ", ".join(f"{p['peak_mb']:.0f} ({p['kb_per_ticket']:.2f})" for p in per.values())
            + " | — |"
        )
        added = [(s, p["marginal_kb_per_ticket"]) for s, p in per.items() if "marginal_kb_per_ticket" in p]
        if added:
            rows.append(
                "| memory each added ticket costs (KB, peak RSS slope from the scale before) at "
                + ", ".join(f"×{s}" for s, _ in added)
                + " | "
                + ", ".join(f"{v:.2f}" for _, v in added)
                + f": max/min **{memory_spread(sc, [v for _, v in added])}** | "
                + (f"≤ {tg['memory_spread']} (assumed) |" if "memory_spread" in tg else "flat |")
            )
    sl = res.get("slider")
    if sl:
        parts = ", ".join(f"{k} {v:.2f} s" for k, v in sl["parts"].items())
        rows.append(
            f"| notebook slider update (`bench_slider.py`: one move per control a round, "
            f"{sl['moves']} moves), median of round medians | **{sl['update']:.2f} s** ({parts}; "
            f"slowest {sl['max']:.2f} s) | ≤ {tg.get('slider_update', 0.5)} s |"
        )
    out = "\n".join(rows)
    for name, part in (("default command", jm.get("govsim")), ("one_town 90 days", jm.get("one_town"))):
        if part and "phases" in part:
            out += f"\n\nPhases of the {name} (medians, seconds and share of the whole wall):\n\n"
            out += "| " + " | ".join(part["phases"]) + " |\n|" + "---|" * len(part["phases"]) + "\n| "
            out += " | ".join(f"{v:.2f} ({v / part['wall']:.0%})" for v in part["phases"].values()) + " |"
    return out + f"\n\n{rounds(res)}{machine_line(res)}"


def machine_line(res: dict) -> str:  # type: ignore[type-arg]
    """The machine, its CPU, Python, the load before and after and the CPU time stolen, as a sentence.

    The CPU model and the stolen share are in results from 2026-12 on; older results have neither.
    """
    cpu = f" ({res['cpu_model']})" if res.get("cpu_model") else ""
    text = f"Machine: {res['machine']}{cpu}, Python {res['python']}; {res['load_before']} before, "
    text += f"{res['load_after']} after"
    if res.get("steal") is not None:
        text += f"; {res['steal'] * 100:.0f} % of the CPU time stolen by the hypervisor during the run"
    return text + "."


def network(shape: dict | None) -> str:  # type: ignore[type-arg]
    """The reference's network in words, or nothing for a run that recorded none."""
    if not shape:
        return ""
    return (
        f" on govsim's network ({shape['centres']} centres, {shape['centre_servers']:,} triage servers; "
        f"{shape['desks']} desks, {shape['desk_servers']:,} servers; {shape['centre_share']:.0%} of tickets "
        f"reach a centre, {shape['department_share']:.0%} a department)"
    )


def spreads(sc: dict, key: str = "sim_spread") -> tuple[float, float]:  # type: ignore[type-arg]
    """The spread over scales on the medians of rounds and on the fastest rounds.

    Files written before the target was judged on medians kept the fastest-round spread as ``key`` and
    the median one as ``key + '_median'``.
    """
    if f"{key}_median" in sc:
        return sc[f"{key}_median"], sc[key]
    return sc[key], sc[f"{key}_fastest"]


def memory_spread(sc: dict, added: list[float]) -> str:  # type: ignore[type-arg]
    """max/min of the memory each added ticket costs, as recorded (else from the slopes)."""
    value = sc.get("memory_spread")
    if value is None:
        value = max(added) / min(added) if min(added) > 0 else float("inf")
    return f"{value:.2f}"


def rounds(res: dict) -> str:  # type: ignore[type-arg]
    """The rounds the run had, and whether its verdict was indicative, as a sentence (or nothing)."""
    if "rounds" not in res:
        return ""
    n = res["rounds"]
    text = f"Medians of {n} round{'s' if n != 1 else ''}"
    if "scaling_rounds" in res and res["scaling_rounds"] != n:
        text += f" (scaling part: {res['scaling_rounds']})"
    if any(r.get("indicative") for r in res.get("verdict", [])):
        text += "; fewer than 3 rounds in a part, so its verdict is indicative only"
    return text + ". "


def main(argv: list[str] | None = None) -> None:
    """Print the table of the results file ``argv[0]`` (default ``benchmarks/results.json``)."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else HERE / "results.json"
    try:
        res = json.loads(path.read_text(encoding="utf-8"))
        text = table(res)
    except (OSError, ValueError) as e:
        print(f"readme_table: {path}: {type(e).__name__}: {e}".splitlines()[0], file=sys.stderr)
        raise SystemExit(2) from None
    except (KeyError, TypeError, AttributeError) as e:
        print(
            f"readme_table: {path}: not a bench.py results file (missing or bad {e}); "
            "allowed: the JSON that benchmarks/bench.py writes",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
    print(text)


if __name__ == "__main__":
    main()
