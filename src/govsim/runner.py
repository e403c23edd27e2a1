"""The run lifecycle in one function: check, build, run, collect, write, with provenance.

A run directory holds ``run.json`` (provenance and status), ``config.yaml`` (resolved), the records
(``incidents.parquet``, ``timeseries.parquet``, ``grids.parquet``: codes, names and dates, see
``govsim.records``; with the 12345 hotline on also ``hotline.parquet``, its day table), tables
(``kpis.csv``, ``costs.csv``, ``utilisation.csv`` as UTF-8 with a BOM, ``results.xlsx``, ``summary.txt``;
see ``govsim.tables``) and figures. Every file is written to a temporary
name and renamed, and ``run.json`` says ``running`` until the end, then ``complete`` — or ``failed``
with the error — so a crash never leaves a half-written result looking complete. A complete ``run.json``
also carries ``phases``: wall seconds of build, simulate, kpis, records, tables and figures
(``benchmarks/bench.py`` reads them; what the whole command takes beyond their sum is start-up), and
``cpu_phases``: the CPU seconds (user + system, ``time.process_time``) this process spent in each, which
other processes' load on a shared machine disturbs less than the wall. ``incidents.parquet`` is
written on a thread while the KPIs are computed (``run_to_dir``; renamed into place at its turn among
the record files, removed if the run fails before): ``kpis`` covers the KPI pass with that writing
beside it, ``records`` the wait for the rest of it and the other record files.
When the ``govsim`` command draws the figures in a second process (``govsim.figworker``), ``figures``
is the wall seconds the run waited for them after its tables, and ``run.json`` adds
``figures_drawn``: the seconds the worker spent drawing (outside ``phases``, which add up to the
run's own wall).
"""

from __future__ import annotations

import gc
import json
import platform
import subprocess
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from email.parser import HeaderParser
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from govsim import tables
from govsim.atomic import WriteBeside, write_atomic, write_text
from govsim.collector import caller_heap_frozen
from govsim.config import CHANNELS, GovsimConfig
from govsim.figdata import hotspot_rate, resolution_histograms
from govsim.figworker import FigureData, FigureWorker, draw_figures
from govsim.metrics import cost_table, kpi_tables, summary_text, utilisation
from govsim.model import GovernanceModel
from govsim.policies import annual_cost
from govsim.recordfiles import (
    incident_writer,
    labelled_hotline,
    labelled_timeseries,
    to_parquet,
    write_incidents,
)
from govsim.records import Records
from govsim.scenario import Scenario
from govsim.validate import check, check_data

RECORD_FILES = ("incidents.parquet", "timeseries.parquet", "grids.parquet")
HOTLINE_FILE = "hotline.parquet"
"""The 12345 day table (``Records.hotline``, with ``date``), written only by a run with the hotline on."""
PACKAGES = (
    "govsim",
    "mesa",
    "simpy",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "hydra-core",
    "omegaconf",
    "matplotlib",
)


@dataclass
class RunResult:
    """What one run produced, in memory."""

    records: Records
    kpis: pd.DataFrame  # tidy: one row per (by, group)
    costs: pd.DataFrame
    utilisation: pd.DataFrame
    wall_seconds: float
    lang: str = "zh"
    phases: dict[str, float] = field(default_factory=dict)
    """Wall seconds by phase: ``build``, ``simulate``, ``kpis`` here; ``run_to_dir`` adds ``records``
    (labelled tables and Parquet), ``tables`` (CSV, workbook, summary) and ``figures``."""
    cpu_phases: dict[str, float] = field(default_factory=dict)
    """CPU seconds of this process (``time.process_time``: user + system) by phase, as ``phases``."""
    figures_drawn: float | None = None
    """Seconds a figure worker (``govsim.figworker``) spent drawing; None when drawn in this process."""

    @property
    def summary(self) -> str:
        """The table printed at the end of a run: overall KPIs and cost by focus."""
        return summary_text(self.kpis[self.kpis["by"] == "all"], self.lang, self.costs)


def provenance() -> dict[str, Any]:
    """Package versions, Python, platform and git revision of the code that ran.

    The git commands run while the versions are read (``git_revision`` waits for them last).
    """
    revision = _start_git_revision()
    versions = {name: package_version(name) for name in PACKAGES}
    return {
        "versions": versions,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "git_revision": revision(),
    }


def package_version(name: str) -> str | None:
    """The installed version of distribution ``name`` (``importlib.metadata.version``); None if not installed.

    Read from the metadata's headers only (``email.parser.HeaderParser``): ``metadata.version``
    parses the whole file, long description included (80 KB for Matplotlib), about 1 ms a package
    that the run's start-up waits for; the ``Version`` header is the same either way.
    """
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO")  # the files metadata.version reads
    version = HeaderParser().parsestr(text).get("Version") if text else None
    return str(version) if version is not None else dist.version


def git_revision() -> str | None:
    """The git commit of the source tree govsim is imported from, if it is a checkout.

    ``<commit>``, with ``-dirty`` if tracked files differ from it; None if not a checkout, git is
    missing or does not answer within 5 s.
    """
    return _start_git_revision()()


def _start_git_revision() -> Callable[[], str | None]:
    """Start ``git rev-parse HEAD`` and ``git status`` together; the function returned waits for both.

    Run one after the other they were about 10 ms of every run's start-up.
    """
    here = str(Path(__file__).resolve().parent)
    commands = (
        ["git", "-C", here, "rev-parse", "HEAD"],
        ["git", "-C", here, "status", "--porcelain", "--untracked-files=no"],
    )
    started: list[subprocess.Popen[str]] = []
    try:
        for command in commands:
            started.append(
                subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            )
    except OSError:
        _end(started)
        return lambda: None

    def finish() -> str | None:
        outs = []
        try:
            for child in started:
                out, _ = child.communicate(timeout=5)
                outs.append((child.returncode, out))
        except subprocess.SubprocessError:
            _end(started)
            return None
        (status, head), (_, dirty) = outs
        if status != 0:
            return None
        return head.strip() + ("-dirty" if dirty.strip() else "")

    return finish


def _end(children: list[subprocess.Popen[str]]) -> None:
    for child in children:
        child.kill()
        child.communicate()


def simulate(
    cfg: GovsimConfig,
    checked: bool = False,
    scenario: Scenario | None = None,
    after_run: Callable[[Records], object] | None = None,
) -> RunResult:
    """Build and run the model in memory; compute the tables. No files.

    The configuration is checked first (``govsim.validate.check`` and ``check_data``: a bad value raises
    ``ConfigError``, an ``InputError`` with the line ``govsim`` would print); ``checked=True`` skips
    that for a configuration just checked by ``govsim.compose`` (each run is checked once).
    ``scenario``: a Scenario built once by ``scenario.scenario_of(cfg)`` and reused across policies (the
    model refuses one built for another scenario config, seed or replication); built here when None.
    ``after_run(records)`` is called once the records are built, before the KPI pass (``run_to_dir``
    starts writing the incident table there, on a thread); it must not change them; the KPI pass then
    sorts on one worker thread, not ``kpigroups.SORT_THREADS``, leaving a core to what it started.
    """
    if not checked:
        check(cfg)
        check_data(cfg)
    with caller_heap_frozen():  # the collections below scan the run's objects, not the caller's
        start, cpu_start = time.perf_counter(), time.process_time()
        model = GovernanceModel(cfg, scenario)
        built, cpu_built = time.perf_counter(), time.process_time()
        rec = model.run(progress=cfg.output.progress)
        ran, cpu_ran = time.perf_counter(), time.process_time()
        sc = model.scenario_data
        annual, yuan_per_point = annual_cost(model.levers, sc), sc.cfg.cost.yuan_per_point
        util = utilisation(rec, model.levers.dept_servers, *model.desk_time())
        # the model (SimPy processes, agents, desks) is a graph of reference cycles that only the cyclic
        # collector frees: free it now, before the KPIs and the writing allocate their own tables
        del model, sc
        gc.collect()
        if after_run is not None:
            after_run(rec)
        # what ``after_run`` started has a core: the KPI pass sorts on one worker thread (kpigroups)
        kpis = kpi_frame(rec, None if after_run is None else 1)
        costs = cost_table(rec, annual, cfg.policy.grid.resident_points, yuan_per_point)
        end, cpu_end = time.perf_counter(), time.process_time()
    phases = {"build": built - start, "simulate": ran - built, "kpis": end - ran}
    cpu = {"build": cpu_built - cpu_start, "simulate": cpu_ran - cpu_built, "kpis": cpu_end - cpu_ran}
    return RunResult(rec, kpis, costs, util, end - start, cfg.output.lang, phases, cpu)


def kpi_frame(rec: Records, sort_threads: int | None = None) -> pd.DataFrame:
    """The tidy KPI table of a run: one row per ``(by, group)``, ``by`` in all, category, county.

    ``sort_threads`` as for ``kpis.compute_groups``.
    """
    by = kpi_tables(rec, (None, "category", "county"), sort_threads)  # the three in one pass
    kpis = pd.concat(
        [by[None].assign(by="all"), by["category"].assign(by="category"), by["county"].assign(by="county")],
        ignore_index=True,
    )
    return kpis[["by", *[c for c in kpis.columns if c != "by"]]]


def run_to_dir(
    cfg: GovsimConfig,
    out: Path,
    resolved_yaml: str | None = None,
    warnings: list[str] | None = None,
    checked: bool = False,
    figures: FigureWorker | None = None,
) -> RunResult:
    """One complete run into ``out``: provenance first, records and tables, status last.

    ``warnings`` (messages already printed, e.g. utilisation >= 1) are kept in ``run.json``;
    ``checked`` as for ``simulate``; ``figures``: a started ``FigureWorker`` that draws the figures
    (the ``govsim`` command's own run), else they are drawn here. The caller closes the worker.
    """
    out.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = {
        "status": "running",
        "warnings": list(warnings or []),
        "seed": cfg.seed,
        "replication": cfg.replication,
        "scenario": cfg.scenario.name,
        "policy": cfg.policy.name,
        **provenance(),
    }
    write_text(out / "run.json", json.dumps(info, ensure_ascii=False, indent=2))
    write_text(out / "config.yaml", resolved_yaml if resolved_yaml is not None else _yaml(cfg))
    # the incident table, the largest file, is written on a thread while the KPIs are computed: pyarrow's
    # encoding releases the GIL (``atomic.WriteBeside``); it appears only if the whole run gets that far
    incidents = WriteBeside(out / RECORD_FILES[0])

    def start_incidents(rec: Records) -> None:
        incidents.start(incident_writer(rec, cfg.scenario.start_date, CHANNELS))

    try:
        result = simulate(cfg, checked, after_run=start_incidents)
        write_outputs(result, out, cfg, figures, incidents=incidents)
    except BaseException as exc:
        said = str(exc) or ("interrupted (Ctrl-C)" if isinstance(exc, KeyboardInterrupt) else "(no message)")
        info.update(status="failed", error=f"{type(exc).__name__}: {said}", traceback=traceback.format_exc())
        write_text(out / "run.json", json.dumps(info, ensure_ascii=False, indent=2))
        # after run.json says failed: a second Ctrl-C while the writer stops cannot leave it "running"
        incidents.discard()  # a failure before the file was renamed into place: it never appears
        raise
    rec = result.records
    info.update(
        status="complete",
        wall_seconds=round(result.wall_seconds, 3),
        phases={k: round(v, 3) for k, v in result.phases.items()},
        cpu_phases={k: round(v, 3) for k, v in result.cpu_phases.items()},
        **({} if result.figures_drawn is None else {"figures_drawn": round(result.figures_drawn, 3)}),
        tickets=len(rec.incidents),
        labels={
            "categories": rec.categories,
            "departments": rec.departments,
            "towns": rec.towns,
            "counties": rec.counties,
        },
        horizon=rec.horizon,
        warmup=rec.warmup,
    )
    write_text(out / "run.json", json.dumps(info, ensure_ascii=False, indent=2))
    return result


def write_outputs(
    result: RunResult,
    out: Path,
    cfg: GovsimConfig,
    figures: FigureWorker | None = None,
    incidents: WriteBeside | None = None,
) -> None:
    """Records as Parquet, tables as CSV, the summary text and the figures.

    With ``figures`` (a started ``FigureWorker``) the figures' data go to the worker first and the
    worker draws them while the records and tables are written; ``FigureError`` if it fails.
    ``incidents``: the incident table already being written on a thread (``run_to_dir``), committed
    here in its place among the record files; else it is written here.
    """
    rec, lang, start = result.records, cfg.output.lang, cfg.scenario.start_date
    clock = _lap(result, "", None)
    if cfg.output.figures and figures is not None:
        figures.submit(figure_data(rec, out, lang))
    # Arrow columns straight from the records, a row group at a time: no frame copied, no table held whole
    if incidents is None:
        write_atomic(out / RECORD_FILES[0], partial(write_incidents, rec, start, CHANNELS))
    else:
        incidents.commit()
    for name, df in zip(RECORD_FILES[1:], (labelled_timeseries(rec, start), rec.grids), strict=True):
        write_atomic(out / name, partial(to_parquet, df))
    if rec.hotline is not None:  # its hotline KPIs (and 直接办结率) rest on it: a loaded run recomputes them
        write_atomic(out / HOTLINE_FILE, partial(to_parquet, labelled_hotline(rec.hotline, start)))
    clock = _lap(result, "records", clock)
    for name, df in (
        ("kpis.csv", result.kpis),
        ("costs.csv", result.costs),
        ("utilisation.csv", result.utilisation),
    ):
        write_atomic(out / name, partial(tables.to_csv, df, lang=lang))
    write_atomic(
        out / "results.xlsx",
        partial(
            tables.write_workbook,
            kpis=result.kpis,
            costs=result.costs,
            util=result.utilisation,
            rec=rec,
            lang=lang,
        ),
    )
    write_text(out / "summary.txt", result.summary + "\n")
    clock = _lap(result, "tables", clock)
    if cfg.output.figures and figures is not None:
        result.figures_drawn = figures.wait()
        _lap(result, "figures", clock)
    elif cfg.output.figures:
        write_figures(rec, out, cfg.output.lang)
        _lap(result, "figures", clock)


def _lap(result: RunResult, name: str, since: tuple[float, float] | None) -> tuple[float, float]:
    """Record the wall and CPU seconds of phase ``name`` since ``since``; return (wall, CPU) now."""
    now = time.perf_counter(), time.process_time()
    if since is not None:
        result.phases[name], result.cpu_phases[name] = now[0] - since[0], now[1] - since[1]
    return now


def write_figures(rec: Records, out: Path, lang: str) -> None:
    """Backlog, resolution-time distribution and the demand heat map, as PNG, drawn in this process."""
    draw_figures(figure_data(rec, out, lang))


def figure_data(rec: Records, out: Path, lang: str) -> FigureData:
    """What the figures draw, aggregated from ``rec`` here: histograms and grid rates, not incident rows.

    The rates count reports from the warm-up's end on, per year of the measured period.
    """
    return FigureData(
        rec.timeseries,
        resolution_histograms(rec.incidents, len(rec.categories)),
        hotspot_rate(rec.grids, rec.incidents, rec.measured_years, since=rec.warmup),
        rec.grids,
        rec.categories,
        rec.towns,
        rec.warmup,
        lang,
        out,
    )


def load_records(run_dir: Path) -> Records:
    """Read a complete run directory back into ``Records``.

    The incident table carries the codes and float days of ``records.INCIDENT_SCHEMA`` and, beside
    them, names as categoricals and stage times as timestamps (``recordfiles.LABEL_SCHEMA``,
    ``recordfiles.DATE_FIELDS``); the town-day series carries ``town_name`` and ``date``; ``hotline``
    is the 12345 day table of a run with the hotline on (``HOTLINE_FILE``, read back to the columns
    ``hotline.SUMMARY`` it had in the run; the file also has ``date``), else None.
    Raises ``ValueError`` if the run is not complete, or if its ``config.yaml`` has the hotline on and
    ``HOTLINE_FILE`` is missing (a run written before govsim kept it: its hotline KPIs cannot be
    recomputed, so it is refused rather than loaded with them wrong).
    """
    info = json.loads((Path(run_dir) / "run.json").read_text(encoding="utf-8"))
    if info.get("status") != "complete":
        raise ValueError(f"run directory {run_dir}: status is {info.get('status')!r}, not 'complete'")
    labels = info["labels"]
    inc, ts, grids = (pd.read_parquet(Path(run_dir) / f) for f in RECORD_FILES)
    calls = _hotline_table(Path(run_dir))
    return Records(
        inc,
        ts,
        grids,
        tuple(labels["categories"]),
        tuple(labels["departments"]),
        tuple(labels["towns"]),
        tuple(labels["counties"]),
        float(info["horizon"]),
        float(info["warmup"]),
        calls,
    )


def _hotline_table(run_dir: Path) -> pd.DataFrame | None:
    """``HOTLINE_FILE`` of ``run_dir``; None for a run without the hotline; ``ValueError`` if it is lost."""
    from govsim.hotline import SUMMARY

    if (run_dir / HOTLINE_FILE).is_file():  # the day table as the run kept it: its ``date`` is for readers
        return pd.read_parquet(run_dir / HOTLINE_FILE, columns=list(SUMMARY))
    import yaml

    config = run_dir / "config.yaml"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 7 ms for a run's config, not 47
    stored = yaml.load(config.read_text(encoding="utf-8"), Loader=loader) if config.is_file() else None  # noqa: S506 - a safe loader
    hotline = ((stored or {}).get("scenario") or {}).get("hotline") or {}
    if isinstance(hotline, dict) and hotline.get("enabled") is True:
        raise ValueError(
            f"run directory {run_dir}: scenario.hotline.enabled=true but {HOTLINE_FILE} is missing (a run "
            f"written before govsim kept the 12345 day table); allowed: a run directory holding "
            f"{HOTLINE_FILE}, i.e. the run made again with this govsim"
        )
    return None


def _yaml(cfg: GovsimConfig) -> str:
    from omegaconf import OmegaConf

    return OmegaConf.to_yaml(OmegaConf.create(asdict(cfg)))
