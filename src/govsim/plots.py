"""Figures from record tables only, labelled in Chinese or English (``lang='zh'|'en'``).

Chinese text uses Noto Sans CJK SC, shipped by the ``mplfonts`` package (OFL), registered with
Matplotlib when a figure is drawn, so labels render offline on a fresh install with no missing glyphs.
"""

from __future__ import annotations

from importlib import resources

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

CJK_FAMILY = "Noto Sans CJK SC"
TEXT: dict[str, tuple[str, str]] = {
    "backlog_title": ("Backlog and latent incidents", "积压与潜在事件"),
    "day": ("day", "天"),
    "count": ("incidents", "事件数"),
    "backlog": ("backlog (reported, not closed)", "积压(已上报未办结)"),
    "latent": ("latent (not yet found)", "潜在(尚未发现)"),
    "resolution_title": ("Resolution time by category", "各类事件办结时长"),
    "resolution": ("days from report to close (log scale)", "从上报到办结的天数(对数刻度)"),
    "share": ("share of incidents", "占比"),
    "hotspot_title": ("Demand heat map per grid (schematic)", "群众诉求热点图(网格示意)"),
    "per_1000": ("reports per 1,000 residents per year", "每千人年上报数"),
    "forest_title": (
        "Effect of each policy vs the reference (95 % CI, paired)",
        "各政策相对参照的效果(95%置信区间,配对)",
    ),
    "pct_change": ("% change vs reference", "相对参照的变化(%)"),
    "bands_title": (
        "Daily backlog, mean over replications with 95 % band",
        "每日积压:各次重复的均值及95%区间",
    ),
    "warmup": ("warm-up", "预热期"),
    "ce_title": ("Cost-effectiveness vs the reference", "相对参照的成本效果"),
    "delta_cost": ("extra cost, yuan per year", "新增成本(元/年)"),
    "improvement": ("improvement", "改善"),
    "sensitivity_title": ("Global sensitivity (Morris)", "全局敏感性(Morris)"),
    "mu_star": ("mean |elementary effect| μ*", "平均绝对基本效应 μ*"),
    "sobol_title": ("Global sensitivity (Sobol)", "全局敏感性(Sobol)"),
    "sobol_index": ("Sobol index (first order S1, total ST)", "Sobol指数(一阶S1,总效应ST)"),
}
POLICY_ZH = {
    "baseline": "现状",
    "grid": "强网格",
    "platform": "强平台",
    "fusion": "强数智融合",
    "mechanism": "强机制协同",
    "all_four": "四个着力",
}
CATEGORY_ZH = {
    "dispute": "矛盾纠纷",
    "safety_hazard": "安全隐患",
    "livelihood": "民生诉求",
    "city_management": "城市管理",
    "petition": "信访",
    "special_population": "特殊人群",
}


def use_cjk_font() -> str:
    """Register the shipped CJK font with Matplotlib (idempotent) and make it the default family."""
    path = resources.files("mplfonts") / "fonts" / "NotoSansCJKsc-Regular.otf"
    names = {f.name for f in font_manager.fontManager.ttflist}
    if CJK_FAMILY not in names:
        font_manager.fontManager.addfont(str(path))
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = [CJK_FAMILY, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return CJK_FAMILY


def t(key: str, lang: str) -> str:
    """Label ``key`` in ``lang``."""
    en, zh = TEXT[key]
    return zh if lang == "zh" else en


def category_label(name: str, lang: str) -> str:
    """Category name in ``lang``."""
    return CATEGORY_ZH.get(name, name) if lang == "zh" else name


def plot_backlog(ts: pd.DataFrame, lang: str = "zh", ax: plt.Axes | None = None) -> Figure:
    """Daily backlog and latent incidents summed over towns."""
    use_cjk_font()
    fig, ax = _axes(ax)
    daily = ts.groupby("day")[["backlog", "latent"]].sum()
    ax.plot(daily.index, daily["backlog"], label=t("backlog", lang))
    ax.plot(daily.index, daily["latent"], label=t("latent", lang), alpha=0.7)
    ax.set(title=t("backlog_title", lang), xlabel=t("day", lang), ylabel=t("count", lang))
    ax.legend()
    return fig


def plot_resolution(
    inc: pd.DataFrame, categories: tuple[str, ...], lang: str = "zh", ax: plt.Axes | None = None
) -> Figure:
    """Distribution of report-to-close time of closed real incidents, one step histogram per category."""
    use_cjk_font()
    fig, ax = _axes(ax)
    closed = inc[(inc["end_state"] == 0) & ~inc["is_false"] & (inc["duplicate_of"] < 0)]
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


def hotspot_matrix(grids: pd.DataFrame, inc: pd.DataFrame, years: float) -> np.ndarray:
    """Reports per 1,000 residents per year on the schematic grid layout (NaN outside grids)."""
    real = inc[~inc["is_false"] & (inc["duplicate_of"] < 0) & inc["t_report"].notna()]
    counts = np.bincount(real["grid"], minlength=len(grids))
    rate = counts / grids["population"].to_numpy() * 1000 / max(years, 1e-9)
    m = np.full((grids["y"].max() + 1, grids["x"].max() + 1), np.nan)
    m[grids["y"], grids["x"]] = rate
    return m


def plot_hotspot(
    grids: pd.DataFrame, inc: pd.DataFrame, years: float, lang: str = "zh", ax: plt.Axes | None = None
) -> Figure:
    """The demand heat map (群众诉求热点图): one cell per grid, towns as blocks, counties labelled."""
    use_cjk_font()
    fig, ax = _axes(ax, size=(7, 6))
    im = ax.imshow(hotspot_matrix(grids, inc, years), cmap="YlOrRd", interpolation="nearest")
    fig.colorbar(im, ax=ax, label=t("per_1000", lang), shrink=0.8)
    for name, g in grids.groupby("county_name", sort=False):
        ax.text(
            g["x"].min() - 0.4,
            g["y"].min() - 0.4,
            str(name),
            fontsize=7,
            va="top",
            ha="left",
            bbox={"facecolor": "white", "alpha": 0.75, "pad": 1, "linewidth": 0},
        )
    ax.set_title(t("hotspot_title", lang), pad=10)
    ax.set_axis_off()
    return fig


def arm_label(arm: str, lang: str = "zh") -> str:
    """A readable name of an experiment arm (``policy=grid,policy.grid.staffing=1.2``).

    The policy is named (in Chinese with ``lang='zh'``); other swept keys show as ``leaf=value``.
    """
    parts = []
    for pair in arm.split(","):
        key, _, value = pair.partition("=")
        if key == "policy":
            parts.append(POLICY_ZH.get(value, value) if lang == "zh" else value)
        elif key:
            parts.append(f"{key.rsplit('.', 1)[-1]}={value}")
    return " · ".join(parts) or arm


def metric_label(metric: str, lang: str = "zh") -> str:
    """KPI name in ``lang`` (``govsim.metrics.KPI_LABELS``; cost per year added here)."""
    from govsim.metrics import KPI_LABELS

    labels = {**KPI_LABELS, "cost_per_year": ("cost, yuan per year", "成本(元/年)")}
    en, zh = labels.get(metric, (metric, metric))
    return zh if lang == "zh" else en


def plot_forest(comparison: pd.DataFrame, lang: str = "zh") -> Figure:
    """Forest plot: each arm's % change of the mean vs its reference, with its 95 % CI (never below −100 %).

    One panel per metric; a hollow marker without bar where there is no interval (one replication).
    ``comparison`` is ``govsim.analysis.compare``'s table.
    """
    use_cjk_font()
    metrics = list(dict.fromkeys(comparison["metric"]))
    ncols = min(3, len(metrics))
    nrows = -(-len(metrics) // ncols)
    arms = list(dict.fromkeys(comparison["arm"]))
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(4.2 * ncols, 0.45 * len(arms) * nrows + 1.2 * nrows),
        layout="constrained",
        squeeze=False,
        sharey=True,
    )
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


def plot_backlog_bands(
    backlog: pd.DataFrame, lang: str = "zh", warmup: float | None = None, ax: plt.Axes | None = None
) -> Figure:
    """Daily backlog per arm: mean over replications and a pointwise 95 % t band.

    ``backlog`` is tidy (``arm``, ``replication``, ``day``, ``backlog``), as ``govsim.aggregate`` writes it.
    """
    from scipy import stats

    use_cjk_font()
    fig, ax = _axes(ax, size=(8, 4.5))
    for arm, part in backlog.groupby("arm", sort=False):
        wide = part.pivot_table(index="day", columns="replication", values="backlog")
        n = wide.shape[1]
        mean = wide.mean(axis=1)
        line = ax.plot(mean.index, mean, label=arm_label(str(arm), lang))[0]
        if n > 1:
            half = stats.t.ppf(0.975, n - 1) * wide.std(axis=1, ddof=1) / np.sqrt(n)
            ax.fill_between(mean.index, mean - half, mean + half, color=line.get_color(), alpha=0.2, lw=0)
    if warmup:
        ax.axvline(warmup, color="grey", ls="--", lw=0.8, label=t("warmup", lang))
    ax.set(title=t("bands_title", lang), xlabel=t("day", lang), ylabel=t("backlog", lang))
    ax.legend(fontsize=8)
    return fig


def plot_cost_effectiveness(
    comparison: pd.DataFrame, metric: str, lang: str = "zh", ax: plt.Axes | None = None
) -> Figure:
    """Extra cost per year (x) against the improvement of ``metric`` (y, up is better), with its CI.

    Improvement is the paired difference signed so that better is positive
    (``govsim.analysis.HIGHER_IS_BETTER``); arms to the upper left dominate the reference.
    """
    from govsim.analysis import HIGHER_IS_BETTER

    use_cjk_font()
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


def plot_sensitivity(
    indices: pd.DataFrame, metric: str, lang: str = "zh", ax: plt.Axes | None = None
) -> Figure:
    """Bar chart of sensitivity indices per factor: Morris ``mu_star`` or Sobol ``S1`` and ``ST``."""
    use_cjk_font()
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


def _axes(ax: plt.Axes | None, size: tuple[float, float] = (7, 4)) -> tuple[Figure, plt.Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]  # an Axes of a SubFigure works the same
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax
