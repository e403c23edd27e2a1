"""The README's performance table as Markdown, from ``benchmarks/results.json`` (``bench.py``'s output).

python benchmarks/readme_table.py [results.json]
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
            f"whole command, against `reference.py {n}` | {gov['wall']:.1f} s / {ref['wall']:.1f} s = "
            f"**{jm['ratio']:.2f}** "
            f"(median of rounds {', '.join(f'{r:.2f}' for r in jm['ratios'])}) | ≤ {tg['ratio']} |"
        )
        cpu = (gov["user"] + gov["sys"]) / (ref["user"] + ref["sys"])
        rows.append(
            f"| the same in CPU seconds of the child (user + system; less disturbed by other processes' "
            f"load than wall) | {gov['user'] + gov['sys']:.1f} s / {ref['user'] + ref['sys']:.1f} s = "
            f"**{cpu:.2f}** | — |"
        )
        rows.append(
            f"| peak RSS of that process (reference: {ref['peak_mb']:.0f} MB) | **{gov['peak_mb']:.0f} MB** "
            f"| ≤ {tg['peak_mb']:.0f} MB |"
        )
    if "hotline" in jm:
        line = jm["hotline"]
        rows.append(
            "| the Jiangmen year with the 12345 hotline on (`govsim scenario=jiangmen_12345`), "
            f"whole command, against the same reference | {line['wall']:.1f} s / "
            f"{jm['reference']['wall']:.1f} s = "
            f"**{line['ratio']:.2f}** (median of rounds {', '.join(f'{r:.2f}' for r in line['ratios'])}) "
            f"| ≤ {tg['ratio']} |"
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
        if "sim_spread_median" in sc:  # each scale's fastest interleaved round, and its median
            rows.append(
                f"| simulate-phase µs per ticket at {scales}, fastest of the rounds (median) | "
                + ", ".join(
                    f"{p['sim_us_per_ticket_min']:.1f} ({p['sim_us_per_ticket']:.1f})" for p in per.values()
                )
                + f": max/min **{sc['sim_spread']:.2f}** ({sc['sim_spread_median']:.2f}) "
                f"| ≤ {tg['scaling_spread']} |"
            )
            if "sim_cpu_spread" in sc:  # the same in CPU seconds of the process (run.json cpu_phases)
                rows.append(
                    "| the same in CPU µs of the process (`cpu_phases`), fastest of the rounds (median) | "
                    + ", ".join(
                        f"{p['sim_cpu_us_per_ticket_min']:.1f} ({p['sim_cpu_us_per_ticket']:.1f})"
                        for p in per.values()
                    )
                    + f": max/min **{sc['sim_cpu_spread']:.2f}** ({sc['sim_cpu_spread_median']:.2f}) | — |"
                )
        else:
            rows.append(
                f"| simulate-phase µs per ticket at {scales} | "
                + ", ".join(f"{p['sim_us_per_ticket']:.1f}" for p in per.values())
                + f": max/min **{sc['sim_spread']:.2f}** | ≤ {tg['scaling_spread']} |"
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
                + f": max/min **{max(v for _, v in added) / min(v for _, v in added):.2f}** | flat |"
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
    return (
        out
        + f"\n\nMachine: {res['machine']}, Python {res['python']}; {res['load_before']} before, "
        + (f"{res['load_after']} after.")
    )


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "results.json"
    print(table(json.loads(path.read_text(encoding="utf-8"))))
