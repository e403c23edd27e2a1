"""``govsim-report SWEEP_DIR``: the comparison report of an experiment sweep.

Reads the sweep's job directories through ``govsim.aggregate`` (so the report always reflects what is
on disk), refuses a partial sweep unless ``--partial`` is given (and then says so at the top), and
writes into ``--out`` (default ``SWEEP_DIR/report``):

- ``comparison.csv`` / ``comparison.md`` — each arm vs the reference of its stratum, per metric: means,
  paired mean difference with its 95 % t interval under common random numbers, % change, extra cost
  per year, cost per unit of improvement, and the variance reduction CRN achieved;
- ``arms.csv`` — each arm's mean, 95 % interval and the replications needed for ±``precision``;
- ``forest.png``, ``backlog_bands.png``, ``cost_effectiveness.png`` (or ``sensitivity_*.png`` and
  ``sensitivity.csv`` for a SALib design), and ``report.md`` tying them together with the warm-up.

Labels and prose in Chinese (``--lang zh``, default from the experiment) or English; the English
files are named ``*.en.md`` / ``*.en.png`` so the two languages sit side by side in one folder
(``named``). With one replication per arm there is no interval: ``govsim: warning: ...`` is printed on
stderr, the report says so at the top and the CI cells stay empty. A sweep of one arm (the reference
alone) has nothing to compare: its report is that arm's indicators (``arms.csv``, a table of means and
intervals), the replication guidance and the backlog figure, without comparison files or figures.

Where the report goes: ``--out`` (default ``SWEEP_DIR/report``) must be new or empty, or hold this very
sweep's report (its ``report.json`` names the sweep), else one line, exit 2, nothing written: two sweeps'
reports are never mixed in one folder nor added into a run directory. Re-running the report is normal:
the folder is rebuilt as a whole (``write_report``), with the other language's report too if it was
there, so ``--lang en`` then ``--lang zh`` into one ``--out`` leaves both side by side.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import secrets
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from govsim import analysis, labels, plots
from govsim.aggregate import Aggregate, aggregate, status_text
from govsim.atomic import unwritable
from govsim.experiment import read_manifest
from govsim.experimentchecks import check_salib
from govsim.identity import occupied, taken
from govsim.oneline import OneLineParser
from govsim.reporttext import comparison_markdown, guidance, header, markdown_table, number
from govsim.stopping import Terminated, end_by_signal, on_sigterm, raise_terminated
from govsim.validate import warn


def named(name: str, lang: str) -> str:
    """File name of a language-dependent output: Chinese as is, English with ``.en`` before the suffix.

    So ``--lang en`` writes ``report.en.md`` beside the Chinese ``report.md`` and never over it.
    """
    if lang == "zh":
        return name
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{lang}{dot}{ext}"


class ReportError(ValueError):
    """The sweep cannot be reported as asked."""


_LANG = "|".join(re.escape(f".{lang}") for lang in labels.LANGS if lang != "zh")
REPORT_FILE = re.compile(
    rf"(?:(?:report|comparison)(?:{_LANG})?\.md|(?:arms|comparison|sensitivity)\.csv|report\.json"
    rf"|(?:forest|backlog_bands|cost_effectiveness|sensitivity_\w+)(?:{_LANG})?\.png)"
)
"""Names of the files a report writes (in any language): only these may be replaced by a rebuild."""


def holds_only_a_report(out: Path) -> bool:
    """Whether ``out`` is a directory whose entries are all files a report writes (``REPORT_FILE``)."""
    return out.is_dir() and all(p.is_file() and REPORT_FILE.fullmatch(p.name) for p in out.iterdir())


ORIGIN = "report.json"
"""The report's record of its sweep (``origin``): a folder is rebuilt only from the sweep that made it."""


def origin(manifest: dict[str, Any]) -> dict[str, Any]:
    """Which sweep a report is of: the experiment's name, base config digest and creation time (no paths)."""
    return {key: manifest.get(key) for key in ("name", "base_hash", "created")}


def check_report_dir(out: Path, sweep: Path, manifest: dict[str, Any]) -> None:
    """Refuse (``ReportError``) a report folder that exists and may not be rebuilt from ``sweep``.

    An empty or new folder is fine, unless it cannot be written (``atomic.unwritable``: a file where one
    of its parents would be, no permission). An occupied one may be rebuilt only if it holds nothing but a
    report's files (``REPORT_FILE``) and that report is of this sweep: its ``report.json`` says so, or,
    for a report written before that record existed, it is the sweep's own ``SWEEP/report``. The message
    of the default folder (which the user did not name) says it is the default and that another
    ``--out`` is allowed.
    """
    if unwritable("--out", out):
        raise ReportError(unwritable("--out", out))
    if not occupied(out):
        return
    default = out.resolve() == (sweep / "report").resolve()
    if not holds_only_a_report(out):
        if not default:
            raise ReportError(taken("--out", out))
        reason = "(the default; it holds files a report does not write)"
        allowed = "a new or empty directory, or a report directory to rebuild, or another --out"
        raise ReportError(taken("--out", out, reason, allowed))
    record = out / ORIGIN
    try:
        same = json.loads(record.read_text(encoding="utf-8")) == origin(manifest)
    except (OSError, ValueError):
        same = default and not record.exists()
    if not same:
        allowed = "a new or empty directory, or the folder of this sweep's report"
        raise ReportError(taken("--out", out, "(it holds the report of another sweep)", allowed))


def write_report(agg: Aggregate, out: Path, lang: str = "zh", partial: bool = False) -> Path:
    """Write the report of an aggregated sweep into ``out``; return the path of ``report.md``.

    ``out`` is (re)built as a whole: the report is written into a temporary sibling directory and
    renamed into place, so a failure leaves ``out`` as it was and a rebuild never leaves files of an
    earlier state. If ``out`` already holds the report in another language, that one is rebuilt too
    (from the same sweep), so both languages still sit side by side and agree; ``report.json`` records
    the sweep. Raises ``ReportError`` if the sweep is partial and ``partial`` is not set, if no job is
    complete, or if ``out`` holds anything but this sweep's report (``check_report_dir``; it is never
    merged into nor cleared).
    """
    if not agg.summary["complete"] and not partial:
        raise ReportError(incomplete(agg))
    if agg.results.empty:
        raise ReportError(f"{agg.sweep}: no complete job to report")
    check_report_dir(out, agg.sweep, agg.manifest)
    others = [o for o in labels.LANGS if o != lang and (out / named("report.md", o)).is_file()]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    tmp.mkdir()
    try:
        for each in (*others, lang):  # the language asked for last: its warnings are the ones shown
            _write(agg, tmp, each, partial, quiet=each != lang)
        text = json.dumps(origin(agg.manifest), ensure_ascii=False, indent=2) + "\n"
        (tmp / ORIGIN).write_text(text, encoding="utf-8")
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out / named("report.md", lang)


def incomplete(agg: Aggregate) -> str:
    """The one-line refusal of an incomplete sweep: how many jobs failed or are missing, what is allowed.

    The first failed job is named with its error (for a job whose outputs were damaged after it
    completed: its directory and the file, ``aggregate.damaged_error``); the others are in ``jobs.csv``.
    """
    s = agg.summary
    text = (
        f"{agg.sweep}: {s['completed']}/{s['expected']} jobs complete, {s['failed']} failed, "
        f"{s['missing']} missing"
    )
    if s["failures"]:
        first = s["failures"][0]
        more = len(s["failures"]) - 1
        others = f" (and {more} more failed, listed in {agg.sweep / 'jobs.csv'})" if more else ""
        text += f"; failed {first['key']}: {' '.join(str(first['error']).split())}{others}"
    return (
        f"{text}; allowed: re-run govsim-experiment with the same arguments to run the failed and missing "
        "jobs (complete ones are skipped), or --partial to report the complete jobs (marked PARTIAL)"
    )


def _write(agg: Aggregate, out: Path, lang: str, partial: bool, quiet: bool) -> None:
    spec = agg.manifest["experiment"]
    if spec["sensitivity"]["method"] != "none":
        body = _sensitivity(agg, out, lang)
    else:
        body = _comparison(agg, out, lang, quiet)
    text = "\n\n".join([header(agg, partial, lang), *body]) + "\n"
    (out / named("report.md", lang)).write_text(text, encoding="utf-8")


def _swap(new: Path, out: Path) -> None:
    """Put directory ``new`` at ``out``: the old ``out`` (a report or empty) is moved aside, then removed."""
    if not out.exists():
        new.rename(out)
        return
    old = new.with_suffix(".old")
    out.rename(old)
    try:
        new.rename(out)
    except BaseException:  # interrupted between the two renames: the old report goes back
        old.rename(out)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _comparison(agg: Aggregate, out: Path, lang: str, quiet: bool = False) -> list[str]:
    spec, res = agg.manifest["experiment"], agg.results
    strata = [s for s in spec["strata"] if s in res.columns]
    reference = dict(r.split("=", 1) for r in spec["reference"])
    arms = analysis.summarise(
        res[res["metric"].isin([*spec["metrics"], "cost_per_year"])], ["arm"], precision=spec["precision"]
    )
    arms.to_csv(out / "arms.csv", index=False, encoding="utf-8-sig")
    single = res["arm"].nunique() < 2  # the reference alone (swept or not): no arm to compare
    comp = pd.DataFrame() if single else analysis.compare(res, reference, strata, spec["metrics"])
    if comp.empty:
        return _arms_only(agg, arms, spec, out, lang)
    comp.to_csv(out / "comparison.csv", index=False, encoding="utf-8-sig")
    table = comparison_markdown(comp, strata, lang)
    (out / named("comparison.md", lang)).write_text(table + "\n", encoding="utf-8")
    _figures(agg, comp, spec["metrics"], out, lang)
    figures = "\n\n".join(f"![{n}]({named(n + '.png', lang)})" for n in FIGURES)
    return [
        *_warnings(comp, lang, quiet),
        f"## {labels.report_text('comparison', lang)}\n\n{table}\n\n{labels.report_text('note', lang)}",
        guidance(arms, spec, lang),
        figures,
    ]


FIGURES = ("forest", "backlog_bands", "cost_effectiveness")


def _figures(agg: Aggregate, comp: pd.DataFrame, metrics: list[str], out: Path, lang: str) -> None:
    figs = {
        "forest.png": plots.plot_forest(comp, lang),
        "backlog_bands.png": plots.plot_backlog_bands(agg.backlog, lang, agg.summary["warmup"]["used"]),
        "cost_effectiveness.png": plots.plot_cost_effectiveness(comp, metrics[0], lang),
    }
    for name, fig in figs.items():
        fig.savefig(out / named(name, lang), dpi=110)


def _arms_only(agg: Aggregate, arms: pd.DataFrame, spec: dict[str, Any], out: Path, lang: str) -> list[str]:
    """The report of a sweep with no arm besides the reference: its indicators, guidance, backlog."""
    png = named("backlog_bands.png", lang)
    fig = plots.plot_backlog_bands(agg.backlog, lang, agg.summary["warmup"]["used"])
    fig.savefig(out / png, dpi=110)
    keys = ("metric", "arm", "value", "ci", "n_pairs")
    lines = ["| " + " | ".join(labels.say(labels.REPORT_HEAD[k], lang) for k in keys) + " |"]
    lines.append("|" + "---|" * len(keys))
    for _, r in arms[arms["metric"].isin(spec["metrics"])].iterrows():
        k = 100.0 if labels.is_rate(str(r["metric"])) else 1.0
        rate = k == 100.0
        ci = (
            "—"
            if math.isnan(r["half_width"])
            else f"[{number(r['lo'] * k, rate)}, {number(r['hi'] * k, rate)}]"
        )
        cells = [plots.metric_label(str(r["metric"]), lang), plots.arm_label(str(r["arm"]), lang)]
        lines.append("| " + " | ".join([*cells, number(r["mean"] * k, rate), ci, str(int(r["n"]))]) + " |")
    table = "\n".join(lines)
    arm = plots.arm_label(str(arms["arm"].iloc[0]), lang) if len(arms) else "—"
    return [
        f"> {labels.report_text('one_arm', lang, arm=arm)}.",
        f"## {labels.say(labels.SHEET['kpis'], lang)}\n\n{table}",
        guidance(arms, spec, lang),
        f"![backlog_bands]({png})",
    ]


def _warnings(comp: pd.DataFrame, lang: str, quiet: bool = False) -> list[str]:
    """The single-replication warning, at the report's top and (unless ``quiet``) on stderr."""
    single = comp[comp["n_pairs"] < 2]
    if single.empty:
        return []
    msg = labels.report_text("single", lang, n=len(single))
    if not quiet:
        warn(msg)
    stop = "。" if lang == "zh" else "."  # a Chinese sentence ends with a Chinese full stop
    return [f"> **{labels.report_text('warning', lang)}:** {msg}{stop}"]


def _sensitivity(agg: Aggregate, out: Path, lang: str) -> list[str]:
    from govsim.experiment import design_points

    spec = agg.manifest["experiment"]
    sens = spec["sensitivity"]
    x = design_points(sens)
    point = agg.results.assign(point=agg.results["experiment.point"].astype(int))
    names = [f["key"] for f in sens["factors"]]
    bounds = [(f["low"], f["high"]) for f in sens["factors"]]
    tables, parts = [], []
    for metric in spec["metrics"]:
        y = point[point["metric"] == metric].groupby("point")["value"].mean().reindex(range(len(x)))
        idx = analysis.sensitivity_indices(
            sens["method"], names, bounds, x, y.to_numpy(), sens["levels"], sens["seed"]
        )
        tables.append(idx.assign(metric=metric))
        fig = plots.plot_sensitivity(idx, metric, lang)
        png = named(f"sensitivity_{metric}.png", lang)
        fig.savefig(out / png, dpi=110)
        parts.append(
            f"### {plots.metric_label(metric, lang)}\n\n{markdown_table(idx, lang)}\n\n![{metric}]({png})"
        )
    pd.concat(tables).to_csv(out / "sensitivity.csv", index=False, encoding="utf-8-sig")
    title = labels.report_text("sensitivity", lang, method=sens["method"], n=len(x))
    return [f"## {title}", *parts]


def main(argv: list[str] | None = None) -> None:
    """``govsim-report SWEEP_DIR [--out DIR] [--lang zh|en] [--partial]``.

    An ``--out`` (default ``SWEEP_DIR/report``) that holds anything but this sweep's report is refused
    before anything is read (``check_report_dir``); this sweep's report is rebuilt as a whole
    (``write_report``). A sensitivity sweep is refused when SALib (the ``sensitivity`` extra) is not
    installed. These refusals come before the sweep is aggregated (which rewrites its tables). Every
    refusal is one line on stderr and exit status 2, with nothing written.
    SIGTERM (``timeout``, a scheduler's limit) or Ctrl-C leaves the report as it was and no temporary
    directory; the process then ends by the signal, in one line (``govsim.stopping``).
    """
    p = OneLineParser(prog="govsim-report", description="Comparison report of an experiment sweep.")
    p.add_argument("sweep", type=Path, help="sweep directory written by govsim-experiment")
    p.add_argument("--out", type=Path, default=None, help="output directory (default SWEEP/report)")
    p.add_argument("--lang", choices=("zh", "en"), default=None, help="labels (default: the experiment's)")
    p.add_argument("--partial", action="store_true", help="report an incomplete sweep, marked PARTIAL")
    args = p.parse_args(argv)
    previous = on_sigterm(raise_terminated)  # SIGTERM unwinds: write_report removes its temporary
    try:
        path = _report(args)
    except Terminated:
        end_by_signal("govsim-report: terminated by SIGTERM (the report was left as it was)")
    except KeyboardInterrupt:
        end_by_signal("govsim-report: interrupted (Ctrl-C); the report was left as it was", signal.SIGINT)
    finally:
        on_sigterm(previous)
    print(f"report: {path}")


def _report(args: argparse.Namespace) -> Path:
    """``main``'s work on parsed arguments: the path of ``report.md``; refusals exit with status 2."""
    default = args.sweep / "report"
    try:
        out = default if args.out is None else args.out
        manifest = read_manifest(args.sweep)
        # before aggregating: a refusal writes nothing, not even the sweep's tables
        check_report_dir(out, args.sweep, manifest)
        check_salib(manifest["experiment"]["sensitivity"]["method"])
        agg = aggregate(args.sweep)
        lang = args.lang or agg.manifest.get("lang", "zh")
        if not agg.summary["complete"] and not args.partial:
            raise ReportError(incomplete(agg))  # the refusal is the only line
        print(status_text(agg.summary, lang), file=sys.stderr)
        path = write_report(agg, out, lang, args.partial)
    except (ReportError, FileNotFoundError, ValueError) as exc:
        print(f"govsim-report: error: {exc}", file=sys.stderr)
        sys.exit(2)
    return path
