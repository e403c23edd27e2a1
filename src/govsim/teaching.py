"""Classroom helpers for the teaching notebooks: configuration, calls and presentation only.

The notebooks under ``notebooks/`` are read by party-school instructors, not programmers, so each cell
calls one function from here: run the ``one_town`` scenario with a few levers moved (``run_town``),
follow one ticket around the closed loop 巡查→上报→流转→处置→反馈 (``follow_incident``), compare
indicators side by side (``compare_kpis``), and contrast hotspot-guided with uniform patrol. Nothing
here models anything: a lever is a ``PolicyConfig`` key of ``govsim.config`` (the same key the
``govsim`` command line takes), a run is ``govsim.runner.simulate``, the indicators are
``govsim.metrics`` and the figures reuse ``govsim.plots``. The slider panel is in
``govsim.teaching_widgets``. Every function that shows text takes ``lang='zh'|'en'``.
"""

from __future__ import annotations

import copy
import functools
import io
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from govsim import labels, levers, plots
from govsim.compose import compose
from govsim.config import CATEGORIES, GovsimConfig
from govsim.records import Channel, Records, after_warmup, real
from govsim.rules import InputError
from govsim.runner import RunResult, simulate
from govsim.teaching_ticket import follow_incident as follow_incident  # re-exported for the notebooks
from govsim.teaching_ticket import pick_incident as pick_incident
from govsim.teaching_ticket import plot_incident as plot_incident
from govsim.teaching_views import LessonError as LessonError
from govsim.teaching_views import check_lang as check_lang
from govsim.teaching_views import how_to_use as how_to_use
from govsim.teaching_views import in_voila as in_voila
from govsim.teaching_views import readable as readable
from govsim.teaching_views import shown_kpi
from govsim.validate import check


def pick(lang: str, zh: str, en: str) -> str:
    """``zh`` for ``lang='zh'``, ``en`` for ``'en'``; ``LessonError`` for any other ``lang``."""
    return zh if check_lang(lang) == "zh" else en


@dataclass(frozen=True)
class Lever:
    """A classroom lever: the config key it sets, its labels and the slider range shown to a class.

    Derived from the lever's one definition (``govsim.levers.LEVERS``: key, focus, classroom range and
    start; labels in ``govsim.labels.LEVER``); nothing about a lever is written here.
    """

    key: str
    focus: str  # grid | platform | fusion | mechanism (四个着力)
    zh: str
    en: str
    lo: float
    hi: float
    step: float
    default: float


ADMIT_ALL_HOURS = levers.ADMIT_ALL_HOURS


def _classroom_lever(name: str, lv: levers.Lever) -> Lever:
    sl = lv.slider
    assert sl is not None
    start = float(sl.start if sl.start is not None else lv.default)  # type: ignore[arg-type]
    label = labels.LEVER[name]
    return Lever(lv.key, lv.focus, label.zh, label.en, sl.lo, sl.hi, sl.step, start)


LEVERS: dict[str, Lever] = {name: _classroom_lever(name, lv) for name, lv in levers.classroom().items()}
"""The slider levers, by field name, in schema order."""
STATIONED_KEY = "policy.platform.stationed"
"""The platform lever 职能部门人员常驻: categories whose department sits at the town centre."""

FOCUSES: tuple[str, ...] = ("grid", "platform", "fusion", "mechanism")
"""The four focuses (四个着力) in the order the lever panel shows them; labels in ``govsim.labels.FOCUS``."""


def col(key: str, lang: str) -> str:
    """Table column name in ``lang`` (``govsim.labels.COLUMN``)."""
    return labels.column(key, check_lang(lang))


def _allowed_numbers(name: str) -> str:
    """What lever ``name`` takes, as a refusal says it: its allowed range and the class slider's."""
    lv, sl = levers.classroom()[name], LEVERS[name]
    if lv.strict:
        rule = f"a number > {lv.lo:g}"
    elif lv.hi is not None:
        rule = f"a number from {lv.lo:g} to {lv.hi:g}"
    else:
        rule = f"a number >= {lv.lo:g}"
    return f"{rule} (the slider: {sl.lo:g} to {sl.hi:g})"


def lever_value(name: str, value: Any) -> Any:
    """The checked value of classroom lever ``name``: a float, or for ``stationed`` a list of categories.

    A number lever takes a real number (not text, not ``True``/``False``); ``stationed`` takes category
    names, one name being a list of one. Whether a number lies in the allowed range is the config check's
    (``govsim.validate.check``). Raises ``LessonError`` (one line: lever, value, what is allowed) for an
    unknown lever or a value of the wrong kind.
    """
    if name == "stationed":
        items = [value] if isinstance(value, str) else value
        try:
            items = list(items)
        except TypeError:
            items = None
        if items is None or not all(isinstance(c, str) for c in items):
            raise LessonError(
                f"stationed={value!r}: not category names; allowed: a list of {', '.join(CATEGORIES)}"
            )
        return items
    if name not in LEVERS:
        raise LessonError(f"unknown lever {name!r}: allowed: stationed, {', '.join(LEVERS)}")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise LessonError(f"{name}={value!r}: not a number; allowed: {_allowed_numbers(name)}")
    return float(value)


def lever_overrides(levers: Mapping[str, Any]) -> list[str]:
    """Command-line overrides for classroom levers: ``{'staffing': 1.5}`` -> ``['policy.grid.staffing=1.5']``.

    ``stationed`` takes a list of category names (or one name); ``admission_cap_hours`` also switches the
    admission rule to ``cap`` (a cap of all task hours admits everything, as the default ``admit_all``
    does). Raises ``LessonError`` as ``lever_value`` does.
    """
    out: list[str] = []
    for name, value in levers.items():
        checked = lever_value(name, value)
        if name == "stationed":
            out.append(f"{STATIONED_KEY}=[{','.join(checked)}]")
        else:
            out.append(f"{LEVERS[name].key}={checked!r}")
            if name == "admission_cap_hours":
                out.append("policy.grid.admission=cap")
    return out


def apply_levers(cfg: GovsimConfig, levers: Mapping[str, Any]) -> GovsimConfig:
    """A checked copy of ``cfg`` with classroom levers set, meaning what ``lever_overrides`` says.

    Raises ``LessonError`` (a lever unknown or of the wrong kind) or ``ConfigError`` (out of range).
    """
    out = copy.deepcopy(cfg)
    for name, value in levers.items():
        checked = lever_value(name, value)
        if name == "stationed":
            out.policy.platform.stationed = checked
        else:
            *path, last = LEVERS[name].key.split(".")
            target: Any = out
            for part in path:
                target = getattr(target, part)
            setattr(target, last, checked)
            if name == "admission_cap_hours":
                out.policy.grid.admission = "cap"
    check(out)
    return out


def town_config(
    policy: str = "baseline",
    seed: int = 0,
    horizon_days: float = 365.0,
    overrides: Sequence[str] = (),
    scenario: str = "one_town",
    **levers: Any,
) -> GovsimConfig:
    """The checked configuration of one classroom run: composed as ``govsim`` would, then ``levers`` set.

    The composed part is cached, so moving a slider costs a copy and a check, not a new composition.
    """
    args = (
        f"scenario={scenario}",
        f"policy={policy}",
        f"seed={seed}",
        f"horizon_days={horizon_days}",
        "output.progress=false",
        "output.figures=false",
        *overrides,
    )
    return apply_levers(_composed(args), levers)


@functools.lru_cache(maxsize=32)
def _composed(args: tuple[str, ...]) -> GovsimConfig:
    return compose(list(args))


def command_line(
    policy: str = "baseline",
    seed: int = 0,
    horizon_days: float = 365.0,
    overrides: Sequence[str] = (),
    scenario: str = "one_town",
    **levers: Any,
) -> str:
    """The ``govsim`` command that runs the same classroom setting from a terminal.

    Takes what ``run_town`` takes and names all of it that matters to the numbers: the scenario, the
    seed always, the policy and horizon when not the defaults, the overrides and the levers; the
    command composes the configuration ``town_config`` gives (output options aside).
    """
    words = ["govsim", f"scenario={scenario}"]
    if policy != "baseline":
        words.append(f"policy={policy}")
    words.append(f"seed={seed}")
    if float(horizon_days) != 365.0:
        words.append(f"horizon_days={horizon_days}")
    return " ".join([*words, *overrides, *lever_overrides(levers)])


def run_town(
    policy: str = "baseline",
    seed: int = 0,
    horizon_days: float = 365.0,
    overrides: Sequence[str] = (),
    scenario: str = "one_town",
    **levers: Any,
) -> RunResult:
    """Simulate a year of the town under ``policy`` with classroom ``levers`` moved (about 0.5 s).

    Raises ``InputError`` (an unknown policy or override), ``LessonError`` (a lever unknown or not a
    number) or ``ConfigError`` (a value out of range): one line each, shown so in a notebook.
    """
    return simulate(town_config(policy, seed, horizon_days, overrides, scenario, **levers))


def kpi_label(key: str, lang: str) -> str:
    """KPI name in ``lang`` (``govsim.labels.KPI``)."""
    return labels.lookup(labels.KPI, key, check_lang(lang))


DEFAULT_KPIS = (
    "incidents",
    "discovery_delay",
    "resolution_mean",
    "backlog_mean",
    "overdue_rate",
    "on_site_share",
    "satisfaction_rate",
    "petition_rate",
)


def compare_kpis(
    results: Mapping[str, RunResult],
    keys: Sequence[str] = DEFAULT_KPIS,
    lang: str = "zh",
    cost: bool = False,
    formatted: bool = True,
) -> pd.DataFrame:
    """Overall KPIs of several runs side by side: one row per indicator, one column per run label.

    With ``cost=True`` a last row gives each run's yearly cost in units of 10,000 yuan (万元). With
    ``formatted`` (the default, for a class) cells are text as a reader expects them — counts as
    integers, rates in %, times to two decimals, "—" where there is no value; else floats. Raises
    ``LessonError`` for a ``lang`` other than ``'zh'``/``'en'``.
    """
    check_lang(lang)
    rows = {name: r.kpis[r.kpis["by"] == "all"].iloc[0] for name, r in results.items()}
    table = pd.DataFrame(
        {name: [float(row[k]) for k in keys] for name, row in rows.items()},
        index=pd.Index([kpi_label(k, lang) for k in keys], name=col("kpi", lang)),
    )
    if cost:
        label = labels.phrase("cost_10k", lang)
        table.loc[label] = [annual_cost(r) / 1e4 for r in results.values()]
    if not formatted:
        return table
    kinds = [*keys, "cost"] if cost else list(keys)
    return pd.DataFrame(
        [[shown_kpi(kind, v) for v in row] for kind, row in zip(kinds, table.to_numpy(), strict=True)],
        index=table.index,
        columns=table.columns,
    )


def policy_label(policy: str, lang: str = "zh") -> str:
    """A policy preset's name for a class (``govsim.labels.POLICY``)."""
    return labels.lookup(labels.POLICY, policy, check_lang(lang))


def patrol_label(kind: str, lang: str = "zh") -> str:
    """``uniform`` or ``hotspot`` patrol, named for a class (``govsim.labels.PATROL``)."""
    return labels.lookup(labels.PATROL, kind, check_lang(lang))


def grid_table(runs: Mapping[str, RunResult], lang: str = "zh") -> pd.DataFrame:
    """Grid by grid, quietest first: demand, reports per 1,000 a year, discovery delay under each patrol.

    ``runs`` as ``hotspot_runs`` returns them; text cells formatted for a class.
    """
    check_lang(lang)
    uniform = grid_discovery(runs["uniform"].records)
    hotspot = grid_discovery(runs["hotspot"].records)
    table = pd.DataFrame(
        {
            labels.phrase("demand_level", lang): uniform["demand"].map("{:.2f}".format),
            labels.column("reports_per_1000", lang): uniform["reports_per_1000"].map("{:,.0f}".format),
            f"{labels.say(labels.KPI['discovery_delay'], lang)} · {patrol_label('uniform', lang)}": uniform[
                "discovery_days"
            ].map("{:.2f}".format),
            f"{labels.say(labels.KPI['discovery_delay'], lang)} · {patrol_label('hotspot', lang)}": hotspot[
                "discovery_days"
            ].map("{:.2f}".format),
            labels.say(labels.KPI["patrol_share"], lang): uniform["patrol_share"].map("{:.0%}".format),
        }
    )
    order = np.argsort(uniform["demand"].to_numpy(), kind="stable")
    table = table.iloc[order].replace("nan", "—").replace("nan%", "—")
    table.index = pd.Index(uniform.index[order], name=labels.phrase("grid", lang))
    return table


def week_entry(model: Any, worker: Any) -> dict[str, float]:
    """One week of ``worker`` (a ``GridWorker``) in ``model`` after the week's decisions, hours a week.

    Keys: ``day``, ``skill``, the worker's ``week_plan`` (``on_duty``, ``tasks``, ``visits`` — among the
    tasks — and ``training``), then the grid's ``onsite`` hours (last week's on-site resolutions, taken
    from this week) and ``patrol`` hours, as ``Workforce.deploy`` set them: with one worker to the grid
    and uniform patrol, patrol = on duty − tasks − training − on-site.
    """
    tasks, training, onsite, patrol = model.workforce.week_use[:, worker.grid]
    return {
        "day": int(model.env.now),
        "skill": float(worker.skill),
        **worker.week_plan,
        "onsite": float(onsite),
        "patrol": float(patrol),
    }


def worker_diary(weeks: Sequence[Mapping[str, float]], lang: str = "zh") -> pd.DataFrame:
    """``week_entry`` rows as a table for a class: one row per week (index: day), columns in ``lang``.

    Hours to one decimal, skill to two; ``labels.WEEK_PLAN`` names the columns (the visits column says
    its hours are among the tasks).
    """
    check_lang(lang)
    table = pd.DataFrame(list(weeks)).set_index("day")
    table = table.round({k: 2 if k == "skill" else 1 for k in table.columns})
    table.columns = [labels.lookup(labels.WEEK_PLAN, k, lang) for k in table.columns]
    table.index.name = labels.lookup(labels.WEEK_PLAN, "day", lang)
    return table


def found_on_patrol(grid: int, count: int, lang: str = "zh") -> str:
    """The sentence under lesson 01's diary: how many incidents patrol found in the worker's grid."""
    return labels.say(labels.LESSON["found_on_patrol"], check_lang(lang)).format(grid=grid, count=count)


def annual_cost(result: RunResult) -> float:
    """Total cost of a run in yuan per year (sum of ``result.costs``, already annualised)."""
    return float(result.costs["yuan_per_year"].sum())


def grid_discovery(records: Records) -> pd.DataFrame:
    """Per grid: demand, reports per 1,000 residents a year and mean days from occurrence to report."""
    inc = records.incidents
    own = after_warmup(inc[real(inc)], records.warmup)
    years = records.measured_years
    g = records.grids.set_index("grid")
    by_grid = own.groupby("grid")
    return pd.DataFrame(
        {
            "demand": g["demand"],
            "reports_per_1000": by_grid.size().reindex(g.index, fill_value=0)
            / g["population"]
            * 1000
            / years,
            "discovery_days": (own["t_report"] - own["t_occur"]).groupby(own["grid"]).mean().reindex(g.index),
            "patrol_share": (own["channel"] == Channel.PATROL).groupby(own["grid"]).mean().reindex(g.index),
        }
    )


def hotspot_runs(seed: int = 0, horizon_days: float = 365.0) -> dict[str, RunResult]:
    """The same town and the same incidents (common random numbers) under uniform and hotspot patrol."""
    hot = ["policy.fusion.hotspot_patrol=true"]
    return {
        "uniform": run_town(seed=seed, horizon_days=horizon_days),
        "hotspot": run_town(seed=seed, horizon_days=horizon_days, overrides=hot),
    }


@plots.styled
def plot_hotspot_comparison(runs: Mapping[str, RunResult], lang: str = "zh") -> Figure:
    """Left: the town's demand heat map. Right: each grid's discovery delay against its reports."""
    import matplotlib.pyplot as plt

    check_lang(lang)
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(11, 4.2), layout="constrained", FigureClass=plots.StyledFigure
    )
    rec = runs["uniform"].records
    after = after_warmup(rec.incidents, rec.warmup)
    plots.plot_hotspot(rec.grids, after, rec.measured_years, lang, ax=left, towns=rec.towns)
    for name, result in runs.items():
        per_grid = grid_discovery(result.records)
        right.plot(
            per_grid["reports_per_1000"],
            per_grid["discovery_days"],
            "o",
            alpha=0.8,
            label=labels.lookup(labels.PATROL, name, lang),
        )
    right.set(
        xlabel=plots.t("per_1000", lang),
        ylabel=labels.phrase("discovery_mean", lang),
        title=labels.phrase("busy_found_sooner", lang),
    )
    right.legend()
    return fig


PNG_COMPRESS_LEVEL = 1
"""zlib level of the notebooks' PNGs (Pillow's default is 6). They go to the browser, not to disk: level 1
encodes the slider dashboard in about half the time for some 3 % more bytes (84 → 87 KB), the same
pixels; the encoding was half of a slider redraw (cProfile of ``LeverFigure.update`` + ``png_bytes``)."""


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    """``fig`` rendered to PNG, then closed. Rendering draws every label, so a missing glyph warns here.

    Only a pyplot figure needs closing (pyplot keeps it in its list); pyplot is not imported for one
    built on its own canvas (``plots.figure``), which the garbage collector frees. Compressed at
    ``PNG_COMPRESS_LEVEL``.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    if getattr(fig.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)
    return buf.getvalue()


def show(fig: Figure, dpi: int = 100) -> None:
    """Display ``fig`` as a PNG in the notebook (JupyterLab, Voilà and headless runs alike) and close it."""
    from IPython.display import Image, display

    display(Image(data=png_bytes(fig, dpi), format="png"))


def category_choices(lang: str) -> list[tuple[str, str]]:
    """(label, name) pairs of the incident categories, for a multiple-choice widget."""
    return [(plots.category_label(c, check_lang(lang)), c) for c in CATEGORIES]


# ---- refusals in a lesson cell: one line, as the ``govsim`` command prints them -------------------------
def _refusals() -> tuple[type[BaseException], ...]:
    from govsim.safety import UnsafeConfig

    return (InputError, UnsafeConfig)  # the errors ``govsim`` refuses in one line (``govsim.cli``)


def show_refusal(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> list[str]:
    """IPython's handler of a refused value: ``govsim: error: <message>`` on stderr, no traceback.

    The message is the error's own one line (key or lever, value, what is allowed), as the ``govsim``
    command prints it. The cell still counts as failed, so "run all" stops at it.
    """
    line = f"govsim: error: {value}"
    import sys

    print(line, file=sys.stderr)
    return [line]


def one_line_errors(shell: Any) -> bool:
    """Show govsim's refusals in ``shell`` (an IPython shell, or None) as one line; True if registered.

    Registered when this module is imported inside IPython or Jupyter (``get_ipython()`` not None); any
    other error keeps IPython's traceback.
    """
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc(_refusals(), show_refusal)
    return True


def _ipython_shell() -> Any:
    import sys

    if "IPython" not in sys.modules:  # not inside IPython: do not import it to find out
        return None
    from IPython import get_ipython

    return get_ipython()


one_line_errors(_ipython_shell())
