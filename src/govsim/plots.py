"""Figures from record tables only, labelled in Chinese or English (``lang='zh'|'en'``).

The style (the shipped CJK font, used through a local ``cjk_style`` so the caller's
``matplotlib.rcParams`` stay as they were; ``StyledFigure``; fixed-margin ``figure``) is in
``govsim.figstyle`` and the demand heat map in ``govsim.hotspotmap``; both are re-exported here, so
``plots.cjk_style``, ``plots.plot_hotspot`` etc. are what they were. Labels come from ``govsim.labels``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from govsim import labels
from govsim.figdata import hotspot_rate as hotspot_rate
from govsim.figdata import resolution_histograms as resolution_histograms
from govsim.figstyle import CJK_FAMILY as CJK_FAMILY
from govsim.figstyle import CJK_RC as CJK_RC
from govsim.figstyle import FONT_FILE as FONT_FILE
from govsim.figstyle import MARGINS as MARGINS
from govsim.figstyle import SAVE_DPI as SAVE_DPI
from govsim.figstyle import Margins as Margins
from govsim.figstyle import PlainLogFormatter as PlainLogFormatter
from govsim.figstyle import StyledFigure as StyledFigure
from govsim.figstyle import _axes as _axes
from govsim.figstyle import category_label as category_label
from govsim.figstyle import cjk_style as cjk_style
from govsim.figstyle import figure as figure
from govsim.figstyle import register_cjk_font as register_cjk_font
from govsim.figstyle import styled as styled
from govsim.figstyle import t as t
from govsim.figstyle import use_cjk_font as use_cjk_font
from govsim.hotspotmap import TITLE_ROWS as TITLE_ROWS
from govsim.hotspotmap import MapLayout as MapLayout
from govsim.hotspotmap import hotspot_matrix as hotspot_matrix
from govsim.hotspotmap import map_layout as map_layout
from govsim.hotspotmap import plot_hotspot as plot_hotspot
from govsim.hotspotmap import plot_hotspot_rates as plot_hotspot_rates

if TYPE_CHECKING:
    import matplotlib.pyplot as plt  # annotations only: figures here are built without pyplot


@styled
def plot_backlog(
    ts: pd.DataFrame, lang: str = "zh", ax: plt.Axes | None = None, warmup: float | None = None
) -> Figure:
    """Daily backlog and latent incidents summed over towns; the warm-up (days before ``warmup``) shaded."""
    fig, ax = _axes(ax, margins=MARGINS, dpi=SAVE_DPI)
    daily = ts.groupby("day")[["backlog", "latent"]].sum()
    shade_warmup(ax, warmup, lang)
    ax.plot(daily.index, daily["backlog"], label=t("backlog", lang))
    ax.plot(daily.index, daily["latent"], label=t("latent", lang), alpha=0.7)
    ax.set(xlabel=t("day", lang), ylabel=t("count", lang))
    ax.set_title(t("backlog_title", lang), y=1.0)  # placed, not searched for: no ticks on top
    ax.legend()
    return fig


@styled
def plot_resolution(
    inc: pd.DataFrame, categories: tuple[str, ...], lang: str = "zh", ax: plt.Axes | None = None
) -> Figure:
    """Distribution of report-to-close time of closed real incidents, one step histogram per category.

    The log axis is labelled in plain decimals (0.01, 0.1, 1, 10 days), not powers of ten.
    """
    return plot_resolution_shares(*resolution_histograms(inc, len(categories)), categories, lang, ax)


@styled
def plot_resolution_shares(
    bins: np.ndarray,
    shares: list[np.ndarray | None],
    categories: tuple[str, ...],
    lang: str = "zh",
    ax: plt.Axes | None = None,
) -> Figure:
    """``plot_resolution`` from its histograms (``resolution_histograms``: edges, shares per category)."""
    fig, ax = _axes(ax, margins=MARGINS, dpi=SAVE_DPI)
    for name, share in zip(categories, shares, strict=False):
        if share is not None:
            ax.stairs(share, bins, label=category_label(name, lang))
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(PlainLogFormatter())
    ax.xaxis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False))
    ax.set(xlabel=t("resolution", lang), ylabel=t("share", lang))
    ax.set_title(t("resolution_title", lang), y=1.0)  # placed, not searched for: no ticks on top
    ax.legend(fontsize=8)
    return fig


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

    The point is ``100·(policy mean / reference mean − 1)``; the bar Fieller's interval for the ratio of
    paired means (``govsim.analysis.fieller``), which excludes 0 exactly when the paired difference's
    interval does, so the plot and the table's difference column give one verdict. The axis label and a
    caption under the panels say so. One panel per metric; a hollow marker without bar where there is
    no interval (one replication, or a reference mean not clear of 0: Fieller's set is unbounded).
    ``comparison`` is ``govsim.analysis.compare``'s table.
    """
    metrics = list(dict.fromkeys(comparison["metric"]))
    ncols = min(3, len(metrics))
    nrows = -(-len(metrics) // ncols)
    arms = list(dict.fromkeys(comparison["arm"]))
    note = _wrap(t("forest_note", lang), 4.2 * ncols, lang, 7.5)
    fig = figure((4.2 * ncols, 0.45 * len(arms) * nrows + 1.2 * nrows + 0.14 * (note.count("\n") + 1)))
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
    fig.supxlabel(note, fontsize=7.5)
    return fig


def _wrap(text: str, width_in: float, lang: str, size: float) -> str:
    """``text`` in lines that fit ``width_in`` inches at font ``size`` (a caption under a figure).

    English breaks at spaces, Chinese after its punctuation (a CJK glyph is 1 em wide, a Latin one about
    0.55 em).
    """
    import re
    import textwrap

    room = width_in * 72 / size * 0.92  # in em
    if lang == "en":
        return textwrap.fill(text, max(20, int(room / 0.55)))
    lines = [""]
    for piece in re.findall(r"[^,,。;;、]+[,,。;;、]?", text):
        line = lines[-1] + piece
        if lines[-1] and sum(1.0 if ord(c) > 0x2E80 else 0.55 for c in line) > room:
            lines.append(piece)
        else:
            lines[-1] = line
    return "\n".join(lines)


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
