"""Figures from record tables only, labelled in Chinese or English (``lang='zh'|'en'``).

Chinese text uses Noto Sans CJK SC (SIL Open Font License 1.1), shipped inside govsim as a subset
(``govsim/fonts/``: GB 2312 and every character of the project's texts, 3 MB; licence in ``OFL.txt``;
rebuilt by ``scripts/subset_cjk_font.py``) and registered with Matplotlib when a figure is drawn, so
labels render offline on a fresh install with no missing glyphs. Labels come from ``govsim.labels``.

The font is used through a local style (``cjk_style``, Matplotlib's ``rc_context``): every figure here
is built in it and draws itself in it (``StyledFigure``), so importing or using govsim leaves the
caller's ``matplotlib.rcParams`` as they were. ``use_cjk_font`` sets it globally, for a user's own
figures only; govsim never calls it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from govsim import labels, records

if TYPE_CHECKING:
    import matplotlib.pyplot as plt  # annotations only: figures here are built without pyplot

CJK_FAMILY = "Noto Sans CJK SC"
FONT_FILE = "NotoSansCJKsc-Regular-subset.otf"
CJK_RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [CJK_FAMILY, "DejaVu Sans"],
    "axes.unicode_minus": False,  # the hyphen-minus: not every CJK font has U+2212
}
"""The Matplotlib settings govsim's figures are built and drawn with (``cjk_style``)."""


def register_cjk_font() -> str:
    """Add the shipped CJK font to Matplotlib's font manager (idempotent); return its family name.

    Registering only makes the font findable by name; it changes no setting.
    """
    names = {f.name for f in font_manager.fontManager.ttflist}
    if CJK_FAMILY not in names:
        font_manager.fontManager.addfont(str(resources.files("govsim") / "fonts" / FONT_FILE))
    return CJK_FAMILY


def cjk_style() -> AbstractContextManager[Any]:
    """A local context in which Matplotlib uses the shipped CJK font (``mpl.rc_context(CJK_RC)``).

    On leaving it every setting is back as it was: ``with plots.cjk_style(): ...`` for a figure of
    one's own in govsim's style, without changing the session's defaults.
    """
    register_cjk_font()
    return mpl.rc_context(CJK_RC)  # type: ignore[arg-type]  # keys typed as literals in the stubs


def styled[**P, R](build: Callable[P, R]) -> Callable[P, R]:
    """Decorator: run a figure-building function inside ``cjk_style`` (titles, labels, legends)."""

    @functools.wraps(build)
    def inside(*args: P.args, **kwargs: P.kwargs) -> R:
        with cjk_style():
            return build(*args, **kwargs)

    return inside


class StyledFigure(Figure):
    """A Figure that draws itself inside ``cjk_style``: saved, shown in a notebook or drawn by hand.

    Tick labels and the minus sign are made when the figure is drawn, not when it is built, so the
    style must hold at drawing time too; this is how it holds without a global setting. Pass it as
    ``FigureClass`` to ``pyplot.figure``/``subplots`` for a pyplot figure in the same style.
    """

    def draw(self, renderer: Any) -> None:
        """Draw (``Figure.draw``) inside ``cjk_style``."""
        with cjk_style():
            super().draw(renderer)


def use_cjk_font() -> str:
    """Register the shipped CJK font and make it the session's default (sets ``matplotlib.rcParams``).

    Global, for a user's own figures only: govsim's figures never call it (they use ``cjk_style``).
    """
    register_cjk_font()
    mpl.rcParams.update(CJK_RC)  # type: ignore[arg-type]
    return CJK_FAMILY


def t(key: str, lang: str) -> str:
    """Figure text ``key`` in ``lang`` (``govsim.labels.TEXT``)."""
    return labels.text(key, lang)


def category_label(name: str, lang: str) -> str:
    """Category name in ``lang`` (``govsim.labels.CATEGORY``)."""
    return labels.lookup(labels.CATEGORY, name, lang)


@styled
def plot_backlog(
    ts: pd.DataFrame, lang: str = "zh", ax: plt.Axes | None = None, warmup: float | None = None
) -> Figure:
    """Daily backlog and latent incidents summed over towns; the warm-up (days before ``warmup``) shaded."""
    fig, ax = _axes(ax)
    daily = ts.groupby("day")[["backlog", "latent"]].sum()
    shade_warmup(ax, warmup, lang)
    ax.plot(daily.index, daily["backlog"], label=t("backlog", lang))
    ax.plot(daily.index, daily["latent"], label=t("latent", lang), alpha=0.7)
    ax.set(title=t("backlog_title", lang), xlabel=t("day", lang), ylabel=t("count", lang))
    ax.legend()
    return fig


@styled
def plot_resolution(
    inc: pd.DataFrame, categories: tuple[str, ...], lang: str = "zh", ax: plt.Axes | None = None
) -> Figure:
    """Distribution of report-to-close time of closed real incidents, one step histogram per category."""
    fig, ax = _axes(ax)
    closed = inc[records.closed(inc) & records.real(inc)]
    days = (closed["t_close"] - closed["t_report"]).clip(lower=1e-3)
    # log-spaced bins: hours-long on-site cases and months-long petitions on one axis, nothing clipped
    lo, hi = (float(days.min()), float(days.max())) if len(days) else (1e-3, 1.0)
    bins = np.geomspace(lo, max(hi, lo * 1.01), 40)
    for k, name in enumerate(categories):
        d = days[closed["category"] == k]
        if len(d):
            ax.hist(
                d,
                bins=list(bins),
                histtype="step",
                density=False,
                weights=np.full(len(d), 1.0 / len(d)),
                label=category_label(name, lang),
            )
    ax.set_xscale("log")
    ax.set(title=t("resolution_title", lang), xlabel=t("resolution", lang), ylabel=t("share", lang))
    ax.legend(fontsize=8)
    return fig


def hotspot_rate(grids: pd.DataFrame, inc: pd.DataFrame, years: float) -> np.ndarray:
    """Reports of real incidents per 1,000 residents per year, one value per grid (``grids`` order)."""
    real = inc[records.real(inc) & inc["t_report"].notna()]
    counts = np.bincount(real["grid"], minlength=len(grids))
    return counts / grids["population"].to_numpy() * 1000 / max(years, 1e-9)


def hotspot_matrix(grids: pd.DataFrame, inc: pd.DataFrame, years: float) -> np.ndarray:
    """The grid rates on the schematic county-block layout (``map_layout``); NaN outside grids."""
    lay = map_layout(grids)
    m = np.full(lay.shape, np.nan)
    m[lay.y, lay.x] = hotspot_rate(grids, inc, years)
    return m


@dataclass(frozen=True)
class MapLayout:
    """Cells of the schematic map: each county a block with a title strip, its towns as sub-blocks.

    ``x``, ``y``: column and row of each grid (``grids`` order); ``counties``: (name, x0, y0, x1, y1)
    cell extents of each county block, title strip included (cells x0..x1-1, y0..y1-1); ``towns``:
    (town index, centre x, centre y) of each town block, in town order; ``shape``: (rows, columns).
    """

    x: np.ndarray
    y: np.ndarray
    counties: list[tuple[str, int, int, int, int]]
    towns: list[tuple[int, float, float]]
    shape: tuple[int, int]


TITLE_ROWS = 3
"""Rows of a county block's title strip, where its label sits."""


def map_layout(grids: pd.DataFrame) -> MapLayout:
    """Lay counties out as rectangular blocks (shelf packing, rows of about equal width), towns inside.

    Written here rather than taken from a library: a schematic of nested blocks needs no geography and
    no GIS dependency. Each town is a square of side ``ceil(sqrt(most grids in a town))``, one empty
    cell between towns; a county has about as many town columns as rows.
    """
    g = grids.reset_index(drop=True)
    per_town = g.groupby("town").size()
    side = int(np.ceil(np.sqrt(per_town.max())))
    order = list(dict.fromkeys(g["county"]))
    blocks = []
    for county in order:
        towns = list(dict.fromkeys(g.loc[g["county"] == county, "town"]))
        cols = int(np.ceil(np.sqrt(len(towns))))
        rows = -(-len(towns) // cols)
        blocks.append((county, towns, cols, cols * (side + 1) + 1, TITLE_ROWS + rows * (side + 1) + 1))
    target = max(max(b[3] for b in blocks), int(np.sqrt(sum(b[3] * b[4] for b in blocks)) * 1.4))
    x = np.zeros(len(g), dtype=np.int64)
    y = np.zeros(len(g), dtype=np.int64)
    counties, centres = [], []
    cx = cy = shelf = 0
    for county, towns, cols, w, h in blocks:
        if cx and cx + w > target:
            cx, cy, shelf = 0, cy + shelf + 1, 0
        name = str(g.loc[g["county"] == county, "county_name"].iloc[0])
        counties.append((name, cx, cy, cx + w, cy + h))
        for k, town in enumerate(towns):
            bx = cx + 1 + (k % cols) * (side + 1)
            by = cy + TITLE_ROWS + (k // cols) * (side + 1)
            rows_of = np.flatnonzero(g["town"].to_numpy() == town)
            own = int(np.ceil(np.sqrt(len(rows_of))))  # a town is a square of its own size in its slot
            i = np.arange(len(rows_of))
            x[rows_of], y[rows_of] = bx + i % own, by + i // own
            centres.append(
                (
                    int(town),
                    (x[rows_of].min() + x[rows_of].max()) / 2,
                    (y[rows_of].min() + y[rows_of].max()) / 2,
                )
            )
        cx, shelf = cx + w + 1, max(shelf, h)
    shape = (max(c[4] for c in counties), max(c[3] for c in counties))
    return MapLayout(x, y, counties, sorted(centres), shape)


@styled
def plot_hotspot(
    grids: pd.DataFrame,
    inc: pd.DataFrame,
    years: float,
    lang: str = "zh",
    ax: plt.Axes | None = None,
    towns: tuple[str, ...] = (),
) -> Figure:
    """The demand heat map (群众诉求热点图): counties as labelled blocks, towns numbered, one cell per grid.

    Colour: reports of real incidents per 1,000 residents per year in each grid. ``towns`` (town names
    by index) fills the legend of town numbers; without it towns are listed by number only.
    """
    from matplotlib.patches import Rectangle

    fig, ax = _axes(ax, size=(9, 7.5))
    lay = map_layout(grids)
    m = np.full(lay.shape, np.nan)
    m[lay.y, lay.x] = hotspot_rate(grids, inc, years)
    im = ax.imshow(m, cmap="YlOrRd", interpolation="nearest")
    fig.colorbar(im, ax=ax, label=t("per_1000", lang), shrink=0.7)
    names = []
    for k, (name, x0, y0, x1, y1) in enumerate(lay.counties):
        ax.add_patch(Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, lw=1.2, ec="0.25"))
        names.append(
            ax.text(
                (x0 + x1 - 1) / 2,
                y0 + (TITLE_ROWS - 2) / 2,
                labels.county_label(name, lang, k),
                fontsize=8,
                ha="center",
                va="center",
                gid=f"county:{name}",
            )
        )
    for number, (_, cx, cy) in enumerate(lay.towns, start=1):
        ax.text(
            cx,
            cy,
            str(number),
            fontsize=5.5,
            ha="center",
            va="center",
            gid="town",
            bbox={"facecolor": "white", "alpha": 0.7, "pad": 0.5, "linewidth": 0},
        )
    ax.set_title(t("hotspot_title", lang), pad=10)
    ax.set_axis_off()
    legend = _town_legend(lay, towns, lang)
    ax.text(0, -0.02, t("hotspot_note", lang) + "\n" + legend, transform=ax.transAxes, fontsize=6.5, va="top")
    fig.draw_without_rendering()  # lay the figure out once, so labels are fitted at their final scale
    for text, (_, x0, y0, x1, _y1) in zip(names, lay.counties, strict=True):
        _fit_inside(text, ax, (x0 - 0.5, y0 - 0.5, x1 - 0.5, y0 + TITLE_ROWS - 1.5))
    return fig


def _fit_inside(text: Any, ax: plt.Axes, box: tuple[float, float, float, float]) -> None:
    """Shrink ``text`` (breaking it at a space first) until it lies inside ``box`` (data x0, y0, x1, y1)."""
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    (bx0, by0), (bx1, by1) = ax.transData.transform([(box[0], box[1]), (box[2], box[3])])
    width, height = abs(bx1 - bx0) * 0.94, abs(by1 - by0) * 1.0
    words = text.get_text()
    for candidate in (words, words.replace(" ", "\n", 1)):
        text.set_text(candidate)
        size = 8.0
        while size > 3.5:
            text.set_fontsize(size)
            ext = text.get_window_extent(renderer)
            if ext.width <= width and ext.height <= height:
                return
            size -= 0.5
    text.set_text(words)


def _town_legend(lay: MapLayout, towns: tuple[str, ...], lang: str, per_line: int = 9) -> str:
    """Town numbers and names, one county to a paragraph: ``蓬江区: 1 蓬江镇街01   2 …``."""
    lines = [f"{t('towns', lang)}:"]
    for k, (county, x0, y0, x1, y1) in enumerate(lay.counties):
        items = [
            f"{n} {labels.town_label(towns[town], lang, town) if town < len(towns) else ''}".strip()
            for n, (town, cx, cy) in enumerate(lay.towns, start=1)
            if x0 <= cx < x1 and y0 <= cy < y1
        ]
        head = f"{labels.county_label(county, lang, k)}: "
        for j in range(0, len(items), per_line):
            lines.append((head if j == 0 else " " * 6) + "   ".join(items[j : j + per_line]))
    return "\n".join(lines)


def arm_label(arm: str, lang: str = "zh") -> str:
    """A readable name of an experiment arm (``policy=grid,policy.grid.staffing=1.2``).

    The policy is named (in Chinese with ``lang='zh'``); other swept keys show as ``leaf=value``.
    """
    parts = []
    for pair in arm.split(","):
        key, _, value = pair.partition("=")
        if key == "policy":
            parts.append(labels.lookup(labels.POLICY, value, lang))
        elif key:
            parts.append(f"{key.rsplit('.', 1)[-1]}={value}")
    return " · ".join(parts) or arm


def metric_label(metric: str, lang: str = "zh") -> str:
    """KPI name in ``lang`` (``govsim.labels.KPI``)."""
    return labels.lookup(labels.KPI, metric, lang)


@styled
def plot_forest(comparison: pd.DataFrame, lang: str = "zh") -> Figure:
    """Forest plot: each arm's % change of the mean vs its reference, with its 95 % CI (never below −100 %).

    One panel per metric; a hollow marker without bar where there is no interval (one replication).
    ``comparison`` is ``govsim.analysis.compare``'s table.
    """
    metrics = list(dict.fromkeys(comparison["metric"]))
    ncols = min(3, len(metrics))
    nrows = -(-len(metrics) // ncols)
    arms = list(dict.fromkeys(comparison["arm"]))
    fig = figure((4.2 * ncols, 0.45 * len(arms) * nrows + 1.2 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    for ax, metric in zip(axes.ravel(), metrics, strict=False):
        part = comparison[comparison["metric"] == metric].set_index("arm").reindex(arms)
        y = np.arange(len(arms))
        x, lo, hi = part["pct_change"], part["pct_lo"], part["pct_hi"]
        ok = hi.notna().to_numpy()
        ax.errorbar(x[ok], y[ok], xerr=[(x - lo)[ok], (hi - x)[ok]], fmt="o", capsize=3)
        ax.plot(x[~ok], y[~ok], "o", mfc="none")
        ax.axvline(0, color="grey", lw=0.8)
        ax.set(
            title=metric_label(metric, lang),
            xlabel=t("pct_change", lang),
            yticks=y,
            yticklabels=[arm_label(a, lang) for a in arms],
        )
        ax.invert_yaxis()
    for ax in axes.ravel()[len(metrics) :]:
        ax.set_axis_off()
    fig.suptitle(t("forest_title", lang))
    return fig


@styled
def plot_backlog_bands(
    backlog: pd.DataFrame, lang: str = "zh", warmup: float | None = None, ax: plt.Axes | None = None
) -> Figure:
    """Daily backlog per arm: mean over replications and a pointwise 95 % t band.

    ``backlog`` is tidy (``arm``, ``replication``, ``day``, ``backlog``), as ``govsim.aggregate`` writes it.
    """
    from scipy import stats

    fig, ax = _axes(ax, size=(8, 4.5))
    for arm, part in backlog.groupby("arm", sort=False):
        wide = part.pivot_table(index="day", columns="replication", values="backlog")
        n = wide.shape[1]
        mean = wide.mean(axis=1)
        line = ax.plot(mean.index, mean, label=arm_label(str(arm), lang))[0]
        if n > 1:
            half = stats.t.ppf(0.975, n - 1) * wide.std(axis=1, ddof=1) / np.sqrt(n)
            ax.fill_between(mean.index, mean - half, mean + half, color=line.get_color(), alpha=0.2, lw=0)
    shade_warmup(ax, warmup, lang)
    ax.set(title=t("bands_title", lang), xlabel=t("day", lang), ylabel=t("backlog_axis", lang))
    ax.legend(fontsize=8)
    return fig


@styled
def plot_cost_effectiveness(
    comparison: pd.DataFrame, metric: str, lang: str = "zh", ax: plt.Axes | None = None
) -> Figure:
    """Extra cost per year (x) against the improvement of ``metric`` (y, up is better), with its CI.

    Improvement is the paired difference signed so that better is positive
    (``govsim.analysis.HIGHER_IS_BETTER``); arms to the upper left dominate the reference.
    """
    from govsim.analysis import HIGHER_IS_BETTER

    fig, ax = _axes(ax, size=(7, 5))
    part = comparison[comparison["metric"] == metric]
    sign = 1.0 if HIGHER_IS_BETTER.get(metric, True) else -1.0
    gain, lo, hi = sign * part["diff"], sign * part["lo"], sign * part["hi"]
    err = np.abs(np.vstack([gain - np.minimum(lo, hi), np.maximum(lo, hi) - gain]))
    ax.errorbar(part["delta_cost"], gain, yerr=np.nan_to_num(err), fmt="o", capsize=3)
    for x, y, arm in zip(part["delta_cost"], gain, part["arm"], strict=True):
        ax.annotate(arm_label(arm, lang), (x, y), textcoords="offset points", xytext=(5, 4), fontsize=8)
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(0, color="grey", lw=0.8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.margins(x=0.15, y=0.1)
    ax.set(
        title=t("ce_title", lang),
        xlabel=t("delta_cost", lang),
        ylabel=f"{t('improvement', lang)}: {metric_label(metric, lang)}",
    )
    return fig


@styled
def plot_sensitivity(
    indices: pd.DataFrame, metric: str, lang: str = "zh", ax: plt.Axes | None = None
) -> Figure:
    """Bar chart of sensitivity indices per factor: Morris ``mu_star`` or Sobol ``S1`` and ``ST``."""
    fig, ax = _axes(ax, size=(7, 0.5 * len(indices) + 1.5))
    y = np.arange(len(indices))
    if "mu_star" in indices:
        ax.barh(y, indices["mu_star"], xerr=indices["mu_star_conf"], capsize=3)
        ax.set(
            title=f"{t('sensitivity_title', lang)}: {metric_label(metric, lang)}", xlabel=t("mu_star", lang)
        )
    else:
        ax.barh(y - 0.2, indices["S1"], height=0.4, xerr=indices["S1_conf"], label="S1", capsize=3)
        ax.barh(y + 0.2, indices["ST"], height=0.4, xerr=indices["ST_conf"], label="ST", capsize=3)
        ax.set(title=f"{t('sobol_title', lang)}: {metric_label(metric, lang)}", xlabel=t("sobol_index", lang))
        ax.legend()
    ax.set(yticks=y, yticklabels=indices["factor"])
    ax.invert_yaxis()
    return fig


def shade_warmup(ax: plt.Axes, warmup: float | None, lang: str) -> None:
    """Shade days ``[0, warmup)`` on a time axis, labelled as the unmeasured warm-up."""
    if warmup:
        ax.axvspan(0, warmup, color="0.85", alpha=0.6, lw=0, label=t("warmup", lang), zorder=0)


def _axes(ax: plt.Axes | None, size: tuple[float, float] = (7, 4)) -> tuple[Figure, plt.Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]  # an Axes of a SubFigure works the same
    fig = figure(size)
    return fig, fig.subplots()


def figure(size: tuple[float, float]) -> Figure:
    """A figure drawn without pyplot: on its own Agg canvas, so no backend is chosen and none is changed.

    Importing ``govsim.plots`` sets nothing in Matplotlib; the figures render the same headless, in a
    notebook (``govsim.teaching.show``) or saved to PNG, and pyplot's list of open figures stays as the
    caller left it (nothing to close).
    """
    fig = StyledFigure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig
