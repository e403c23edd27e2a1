"""The Markdown of an experiment's report: its header, comparison table and replication guidance.

Numbers as a reader meets them: rates in per cent and their differences in percentage points, costs
in yuan per year without decimals, an empty interval as "—", never "-0" (a value that rounds to zero
prints as 0). The % change's interval is Fieller's (``govsim.analysis.fieller``); where it has none
because it is unbounded, the table marks it ² and says why under it. Labels come from ``govsim.labels``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from govsim import analysis, labels, plots
from govsim.aggregate import Aggregate

__all__ = ["comparison_markdown", "guidance", "header", "markdown_table", "number", "share"]


def comparison_markdown(comp: pd.DataFrame, strata: list[str], lang: str = "zh") -> str:
    """The comparison as a Markdown table: rates in %, differences of rates in percentage points.

    ``comp`` is ``govsim.analysis.compare``'s table. Footnotes under it: ¹ where a cost per unit is
    withheld (no improvement shown), ² where the % change has no interval because Fieller's set is
    unbounded (``pct_why == "unbounded"``).
    """
    keys = ["stratum"] * bool(strata) + [
        "metric",
        "arm",
        "reference",
        "value",
        "diff",
        "ci",
        "pct_change",
        "delta_cost",
        "cost_per_unit",
        "variance_reduction",
        "n_pairs",
    ]
    lines = ["| " + " | ".join(labels.say(labels.REPORT_HEAD[k], lang) for k in keys) + " |"]
    lines.append("|" + "---|" * len(keys))
    null = unbounded = False
    for _, r in comp.iterrows():
        rate = labels.is_rate(str(r["metric"]))
        k = 100.0 if rate else 1.0
        cells = {
            "stratum": ", ".join(f"{s.rsplit('.', 1)[-1]}={r[s]}" for s in strata),
            "metric": plots.metric_label(r["metric"], lang),
            "arm": plots.arm_label(r["arm"], lang),
            "reference": number(r["reference"] * k, rate),
            "value": number(r["value"] * k, rate),
            "diff": number(r["diff"] * k, rate, signed=True) + (" pp" if rate else ""),
            "ci": "—" if math.isnan(r["half_width"]) else f"[{number(r['lo'] * k)}, {number(r['hi'] * k)}]",
            "pct_change": _pct_change(r),
            "delta_cost": number(r["delta_cost"], signed=True, digits=0),
            "cost_per_unit": _per_unit(r["cost_per_unit"] / k if rate else r["cost_per_unit"], lang)
            + ("¹" if _null_effect(r) else ""),
            "variance_reduction": share(r["variance_reduction"]),
            "n_pairs": str(int(r["n_pairs"])),
        }
        lines.append("| " + " | ".join(cells[c] for c in keys) + " |")
        null = null or _null_effect(r)
        unbounded = unbounded or r.get("pct_why") == "unbounded"
    marks = (("null_effect", null), ("pct_unbounded", unbounded))
    notes = [labels.report_text(k, lang) for k, on in marks if on]
    return "\n".join(lines + [""] * bool(notes) + notes)


def _pct_change(r: pd.Series) -> str:
    """The % change and its Fieller interval; ² (footnoted) where the interval is unbounded."""
    point = number(r["pct_change"], signed=True)
    if r.get("pct_why") == "unbounded":
        return f"{point} [—]²"
    return point + ("" if math.isnan(r["pct_hi"]) else f" [{number(r['pct_lo'])}, {number(r['pct_hi'])}]")


def _null_effect(r: pd.Series) -> bool:
    """The arm looks better but the difference's interval includes zero (or there is no interval)."""
    better = analysis.HIGHER_IS_BETTER.get(str(r["metric"]))
    if better is None or math.isnan(r["diff"]) or (r["diff"] > 0) != better or r["diff"] == 0:
        return False
    return not (r["lo"] > 0 or r["hi"] < 0)


def number(v: float, rate: bool = False, signed: bool = False, digits: int | None = None) -> str:
    """A number as the report prints it: "—" for none or NaN.

    A rate (already in %) to 1 decimal, else 2 below 100 and 0 from there; ``signed`` writes the sign;
    ``digits`` fixes the decimals. A value that rounds to zero prints as unsigned 0 (never "-0.00").
    """
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    d = digits if digits is not None else (1 if rate else 2 if abs(v) < 100 else 0)
    if round(v, d) == 0:
        return f"{0.0:,.{d}f}"
    return f"{v:+,.{d}f}" if signed else f"{v:,.{d}f}"


def share(v: float) -> str:
    """A share (0.28) as a whole per cent ("28%"), "—" for NaN, and never "-0%" (it prints "0%").

    The CRN variance reduction is such a share; it is negative where CRN made the paired difference
    noisier than independent streams would have (CRN did not help that metric).
    """
    if math.isnan(v):
        return "—"
    return "0%" if round(100 * v) == 0 else f"{v:.0%}"


def _per_unit(v: float, lang: str = "zh") -> str:
    if math.isnan(v):
        return "—"
    if v == 0:
        return labels.report_text("no_extra_cost", lang)
    return labels.report_text("dominates", lang) if v < 0 else f"{v:,.0f}"


def guidance(arms: pd.DataFrame, spec: dict[str, Any], lang: str) -> str:
    """The replications section: per metric, replications run, relative half-width, replications needed.

    ``arms`` is ``analysis.summarise``'s table; ``spec`` the experiment (``metrics``, ``precision``).
    """
    rows = arms[arms["metric"].isin(spec["metrics"])]
    head = [labels.say(labels.REPORT_HEAD[k], lang) for k in ("metric", "reps_now", "rel_half_width")]
    head.append(labels.say(labels.REPORT_HEAD["reps_needed"], lang))
    lines = [
        f"## {labels.report_text('replications', lang)}\n\n"
        f"{labels.report_text('replications_intro', lang, precision=spec['precision'])}\n",
        "| " + " | ".join(head) + " |",
        "|---|---|---|---|",
    ]
    for metric in spec["metrics"]:
        g = rows[rows["metric"] == metric]
        needed = g["needed"].max()
        lines.append(
            f"| {plots.metric_label(str(metric), lang)} | {int(g['n'].min())} | "
            f"{_pct(g['rel_half_width'].max())} | {'—' if math.isnan(needed) else int(needed)} |"
        )
    return "\n".join(lines)


def _pct(v: float) -> str:
    return "—" if math.isnan(v) else f"±{v:.1%}"


def header(agg: Aggregate, partial: bool, lang: str = "zh") -> str:
    """The report's title, question, and lines on scenario, warm-up and jobs (PARTIAL marked if so)."""
    m, s = agg.manifest, agg.summary
    w = s["warmup"]
    lines = [f"# {m['name']}", "", labels.question(m["name"], m["experiment"]["question"], lang), ""]
    if partial and not s["complete"]:
        lines += [
            "> " + labels.report_text("partial", lang, done=s["completed"], expected=s["expected"]),
            "",
        ]
    drift = "" if w["settled"] else labels.report_text("not_settled", lang)
    scenario = {
        "scenario": m["scenario"],
        "horizon": m["horizon_days"],
        "seed": m["seed"],
        "reps": _rep_counts(s),
    }
    warmup = {
        "mode": w["mode"],
        "configured": w["configured"],
        "mser5": w["mser5"],
        "drift": drift,
        "used": w["used"],
    }
    jobs = {
        "done": s["completed"],
        "expected": s["expected"],
        "failed": s["failed"],
        "code": m["code_version"],
    }
    lines += [
        _bullet(k, lang, **v)
        for k, v in (("scenario_line", scenario), ("warmup_line", warmup), ("jobs_line", jobs))
    ]
    return "\n".join(lines)


def _bullet(key: str, lang: str, **values: Any) -> str:
    """One ``- `` line of the report's header: the sentence ``key`` of ``govsim.labels`` filled in."""
    return "- " + labels.report_text(key, lang, **values)


def _rep_counts(summary: dict[str, Any]) -> str:
    done = sorted({a["completed"] for a in summary["arms"].values()})
    return "–".join(str(d) for d in (done[0], done[-1])) if len(done) > 1 else str(done[0] if done else 0)


def markdown_table(df: pd.DataFrame, lang: str | None = None) -> str:
    """A plain Markdown table of a small frame, numbers to three significant digits.

    With ``lang`` the headers are translated where ``govsim.labels`` knows them.
    """
    cells = [
        [f"{v:.3g}" if isinstance(v, float) else str(v) for v in row] for row in df.itertuples(index=False)
    ]
    head = [str(c) if lang is None else labels.lookup(labels.TEXT, str(c), lang) for c in df.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(df.columns)]
    return "\n".join(lines + ["| " + " | ".join(c) + " |" for c in cells])
