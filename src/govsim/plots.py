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

CJK_FAMILY = "Noto Sans CJK SC"
TEXT: dict[str, tuple[str, str]] = {
    "backlog_title": ("Backlog and latent incidents", "积压与潜在事件"),
    "day": ("day", "天"),
    "count": ("incidents", "事件数"),
    "backlog": ("backlog (reported, not closed)", "积压(已上报未办结)"),
    "latent": ("latent (not yet found)", "潜在(尚未发现)"),
    "resolution_title": ("Resolution time by category", "各类事件办结时长"),
    "resolution": ("days from report to close", "从上报到办结的天数"),
    "share": ("share of incidents", "占比"),
    "hotspot_title": ("Demand heat map per grid (schematic)", "群众诉求热点图(网格示意)"),
    "per_1000": ("reports per 1,000 residents per year", "每千人年上报数"),
}
CATEGORY_ZH = {"dispute": "矛盾纠纷", "safety_hazard": "安全隐患", "livelihood": "民生诉求",
               "city_management": "城市管理", "petition": "信访", "special_population": "特殊人群"}


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


def plot_resolution(inc: pd.DataFrame, categories: tuple[str, ...], lang: str = "zh",
                    ax: plt.Axes | None = None) -> Figure:
    """Distribution of report-to-close time of closed real incidents, one step histogram per category."""
    use_cjk_font()
    fig, ax = _axes(ax)
    closed = inc[(inc["end_state"] == 0) & ~inc["is_false"] & (inc["duplicate_of"] < 0)]
    days = closed["t_close"] - closed["t_report"]
    top = float(np.quantile(days, 0.99)) if len(days) else 1.0
    bins = np.linspace(0, max(top, 1e-6), 40)
    for k, name in enumerate(categories):
        d = days[closed["category"] == k]
        if len(d):
            ax.hist(d.clip(upper=top), bins=bins, histtype="step", density=True, label=category_label(name, lang))
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


def plot_hotspot(grids: pd.DataFrame, inc: pd.DataFrame, years: float, lang: str = "zh",
                 ax: plt.Axes | None = None) -> Figure:
    """The demand heat map (群众诉求热点图): one cell per grid, towns as blocks, counties labelled."""
    use_cjk_font()
    fig, ax = _axes(ax, size=(7, 6))
    im = ax.imshow(hotspot_matrix(grids, inc, years), cmap="YlOrRd", interpolation="nearest")
    fig.colorbar(im, ax=ax, label=t("per_1000", lang), shrink=0.8)
    for name, g in grids.groupby("county_name", sort=False):
        ax.text(g["x"].min(), g["y"].min() - 0.5, str(name), fontsize=8, va="bottom")
    ax.set_title(t("hotspot_title", lang))
    ax.set_axis_off()
    return fig


def _axes(ax: plt.Axes | None, size: tuple[float, float] = (7, 4)) -> tuple[Figure, plt.Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax
