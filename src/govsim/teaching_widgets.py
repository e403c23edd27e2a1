"""The lever dashboard of notebook 02 (四个着力): sliders mapped to config overrides, figures that follow.

``LeverPanel`` shows one control per classroom lever (``govsim.teaching.LEVERS``, grouped by focus,
plus the stationed departments of 强平台), and when a control is released it reruns the one_town year
with those overrides (``teaching.run_town``, about half a second) and redraws ``lever_figure``:
backlog over time and the main indicators, each against the status quo run with the same seed
(common random numbers, so the difference is the lever's and not chance's). No model logic here.
ipywidgets is imported when a panel is built, so the library works without it.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from govsim import labels, plots
from govsim.config import GovsimConfig
from govsim.runner import RunResult, simulate
from govsim.teaching import (
    FOCUSES,
    LEVERS,
    annual_cost,
    category_choices,
    check_lang,
    kpi_label,
    pick,
    png_bytes,
    run_town,
    town_config,
)

DAY_KPIS = ("discovery_delay", "department_wait", "resolution_mean")
RATE_KPIS = ("patrol_share", "overdue_rate", "satisfaction_rate", "petition_rate")


LEVER_SIZE = (13.0, 3.8)
LEVER_MARGINS = plots.Margins(left=0.65, right=0.12, bottom=0.85, top=0.6)
"""The dashboard's margins (inches): rotated indicator names below, the cost line and titles above."""
LEVER_GAP = 0.6
"""Inches between the dashboard's panels (the next panel's tick labels)."""


@plots.styled
def lever_figure(result: RunResult, baseline: RunResult, lang: str = "zh") -> Figure:
    """Three panels, this policy against the status quo: daily backlog, times in days, rates in per cent.

    Built without pyplot on its own canvas with fixed margins (``plots.figure``): nothing is laid out
    or measured again when a slider redraws it, and pyplot's list of figures is left alone.
    """
    return LeverFigure(result, baseline, lang).figure


class LeverFigure:
    """The dashboard of ``lever_figure`` with its "this setting" artists kept, to be redrawn in place.

    ``update(result)`` moves the backlog line, the bars and the cost line to another run and rescales
    the axes: the figure draws as a new ``lever_figure`` of that run would (a test compares the PNGs),
    without building the panels, axes and ticks again (about a third of a redraw).
    """

    def __init__(self, result: RunResult, baseline: RunResult, lang: str = "zh") -> None:
        check_lang(lang)
        with plots.cjk_style():
            self.baseline, self.lang = baseline, lang
            fig = self.figure = plots.figure(LEVER_SIZE, LEVER_MARGINS)
            widths = (1.6, 1, 1.2)
            inner = LEVER_SIZE[0] - LEVER_MARGINS.left - LEVER_MARGINS.right
            wspace = LEVER_GAP / ((inner - 2 * LEVER_GAP) / 3)  # Matplotlib: in units of the mean panel width
            self.axes = axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": widths, "wspace": wspace})
            names = (labels.text("status_quo", lang), labels.text("this_setting", lang))
            self.line = _backlog(axes[0], baseline, result, names, lang)
            self.bars = [
                _bars(axes[1], DAY_KPIS, baseline, result, names, lang, scale=1.0),
                _bars(axes[2], RATE_KPIS, baseline, result, names, lang, scale=100.0),
            ]
            axes[1].set_title(labels.text("times_days", lang))
            axes[2].set_title(labels.text("rates_pct", lang))
            for ax in axes:
                ax.set_title(ax.get_title(), y=1.0)  # placed, not searched for: no ticks on top
            self.title = fig.suptitle(self._cost(result))

    def _cost(self, result: RunResult) -> str:
        cost = (annual_cost(result) - annual_cost(self.baseline)) / 1e4
        return labels.text("cost_vs_status_quo", self.lang).format(cost=cost)

    def update(self, result: RunResult) -> Figure:
        """Show ``result`` as "this setting" (same scenario and horizon as before); return the figure."""
        x, y = _daily_backlog(result)
        self.line.set_data(x, y)
        for bars, (keys, scale) in zip(self.bars, ((DAY_KPIS, 1.0), (RATE_KPIS, 100.0)), strict=True):
            for bar, value in zip(bars, _kpi_values(result, keys, scale), strict=True):
                bar.set_height(value)
        for ax in self.axes:
            ax.relim()
            ax.autoscale_view()
        self.title.set_text(self._cost(result))
        return self.figure


def short_kpi_label(key: str, lang: str) -> str:
    """A KPI's name for a bar of the dashboard: its label up to the first comma, no bracket left open.

    ``discovery delay, restricted mean (d)`` -> ``discovery delay``; ``发现时滞(受限均值,天)`` ->
    ``发现时滞`` (cut at the comma, the bracket it was inside is dropped too); ``部门等待(天)`` stays whole.
    """
    head = kpi_label(key, lang).split(",")[0]
    for opening, closing in (("(", ")"), ("\uff08", "\uff09")):
        if head.count(opening) > head.count(closing):
            head = head[: head.rindex(opening)]
    return head.rstrip()


def _daily_backlog(r: RunResult) -> tuple[np.ndarray, np.ndarray]:
    daily = r.records.timeseries.groupby("day")["backlog"].sum()
    return daily.index.to_numpy(), daily.to_numpy()


def _kpi_values(r: RunResult, keys: tuple[str, ...], scale: float) -> list[float]:
    row = r.kpis[r.kpis["by"] == "all"].iloc[0]
    return [row[key] * scale for key in keys]


def _backlog(ax: Axes, baseline: RunResult, result: RunResult, names: tuple[str, str], lang: str) -> Any:
    """Draw both runs' daily backlog; return the line of ``result``."""
    lines = [
        ax.plot(*_daily_backlog(r), style, label=name)[0]
        for name, r, style in zip(names, (baseline, result), ("--", "-"), strict=True)
    ]
    plots.shade_warmup(ax, result.records.warmup, lang)
    ax.set(title=plots.t("backlog", lang), xlabel=plots.t("day", lang), ylabel=plots.t("backlog_axis", lang))
    ax.legend(fontsize=8)
    return lines[1]


def _bars(
    ax: Axes,
    keys: tuple[str, ...],
    baseline: RunResult,
    result: RunResult,
    names: tuple[str, str],
    lang: str,
    scale: float,
) -> Any:
    """Draw both runs' bars of ``keys``; return the bars of ``result``."""
    x = np.arange(len(keys))
    containers = [
        ax.bar(x + (k - 0.5) * 0.4, _kpi_values(r, keys, scale), width=0.4, label=name)
        for k, (name, r) in enumerate(zip(names, (baseline, result), strict=True))
    ]
    names_shown = [short_kpi_label(key, lang) for key in keys]
    ax.set_xticks(x, names_shown, rotation=25, ha="right", fontsize=8)
    ax.legend(fontsize=8)
    return containers[1]


class LeverPanel:
    """Sliders for the four focuses on the one_town scenario; show ``panel.widget`` in a cell.

    The figure is an image widget holding a PNG (no output capture), so the same panel works in
    JupyterLab, in Voilà and in a headless run. ``update()`` reruns and redraws with the current control
    values and returns the seconds it took: a released slider calls it, and the benchmark times it.
    ``lang`` other than ``'zh'``/``'en'`` raises ``LessonError`` before anything runs.
    """

    def __init__(self, lang: str = "zh", seed: int = 0, horizon_days: float = 365.0) -> None:
        import ipywidgets as w

        check_lang(lang)
        self.lang, self.seed, self.horizon_days = lang, seed, horizon_days
        self.baseline = run_town(seed=seed, horizon_days=horizon_days)
        self.controls: dict[str, Any] = {}
        for name, lever in LEVERS.items():
            self.controls[name] = w.FloatSlider(
                value=lever.default,
                min=lever.lo,
                max=lever.hi,
                step=lever.step,
                continuous_update=False,
                description=pick(lang, lever.zh, lever.en),
                style={"description_width": "initial"},
            )
        self.controls["stationed"] = w.SelectMultiple(
            options=category_choices(lang),
            value=(),
            rows=6,
            description=labels.say(labels.LEVER["stationed"], lang),
        )
        self.image, self.status = w.Image(format="png"), w.HTML()
        boxes = w.HBox([self._focus_box(f) for f in FOCUSES])
        self.widget = w.VBox([boxes, self.status, self.image])
        self.config: GovsimConfig | None = None  # of the last update
        self.result: RunResult | None = None
        self._figure: LeverFigure | None = None  # drawn once, then redrawn in place
        self.timings: dict[str, float] = {}
        """Wall seconds of the last update's parts: ``simulate`` (configure and run) and ``figure`` (PNG)."""
        self.update()
        for control in self.controls.values():
            control.observe(lambda _change: self.update(), names="value")

    def _focus_box(self, focus: str) -> Any:
        import ipywidgets as w

        names = [n for n, lever in LEVERS.items() if lever.focus == focus]
        if focus == "platform":
            names.append("stationed")
        title = w.HTML(f"<b>{labels.say(labels.FOCUS[focus], self.lang)}</b>")
        return w.VBox([title, *(self.controls[n] for n in names)])

    def values(self) -> dict[str, Any]:
        """Current lever values, keyed as ``teaching.run_town`` takes them."""
        return {n: list(c.value) if n == "stationed" else c.value for n, c in self.controls.items()}

    def update(self) -> float:
        """Rerun the year with the current levers, redraw, and return the seconds taken."""
        start = time.perf_counter()
        self.config = town_config(seed=self.seed, horizon_days=self.horizon_days, **self.values())
        self.result = simulate(self.config)
        simulated = time.perf_counter()
        if self._figure is None:
            self._figure = LeverFigure(self.result, self.baseline, self.lang)
        self.image.value = png_bytes(self._figure.update(self.result))  # a figure of its own: stays open
        seconds = time.perf_counter() - start
        self.timings = {"simulate": simulated - start, "figure": seconds - (simulated - start)}
        self.status.value = f"{labels.text('updated_in', self.lang)} {seconds:.1f} s"
        return seconds
