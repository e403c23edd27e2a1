"""The run's figures are laid out with fixed margins (``plots.Margins``): every label must still fit.

No constrained layout moves anything at drawing time any more, so these tests check what it used to
guarantee: each visible text (titles, axis labels, tick labels, legends, the heat map's note) lies inside
the figure, in both languages, with large numbers on the axes; and that the cheaper computations give what
the old ones gave (histogram counts as ``np.histogram``, the label-fitting search as the linear one).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from govsim import plots
from govsim.compose import compose
from govsim.hotspotmap import _largest
from govsim.model import GovernanceModel
from govsim.records import EndState

LANGS = ("zh", "en")


def _outside(fig: Figure) -> list[str]:
    """What is drawn (partly) outside the figure, after drawing it as it is saved; no glyph may be missing.

    Per Axes its tight box (title, axis labels, the tick labels in view, texts, legend; Matplotlib's
    own measure of what it draws), and each figure-level text (a suptitle).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing from font")
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    box = fig.bbox
    out = []
    with plots.cjk_style():
        parts = [(f"axes {k}", ax.get_tightbbox(renderer)) for k, ax in enumerate(fig.axes)]
        parts += [(repr(t.get_text()), t.get_window_extent(renderer)) for t in fig.texts if t.get_text()]
    for name, ext in parts:
        if ext.x0 < box.x0 - 1 or ext.y0 < box.y0 - 1 or ext.x1 > box.x1 + 1 or ext.y1 > box.y1 + 1:
            out.append(f"{name} at {ext} outside {box}")
    return out


def _series(scale: float) -> pd.DataFrame:
    days = np.repeat(np.arange(400), 3)
    return pd.DataFrame(
        {
            "day": days,
            "town": np.tile(np.arange(3), 400),
            "backlog": (np.sin(days / 30) + 1.5) * scale,
            "latent": (np.cos(days / 20) + 1.2) * scale / 2,
        }
    )


def _incidents(n: int, n_categories: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t_report = rng.uniform(0, 300, n)
    return pd.DataFrame(
        {
            "t_report": t_report,
            "t_close": t_report + rng.lognormal(0.5, 2.0, n),
            "end_state": rng.choice([EndState.CLOSED, EndState.OPEN], n, p=[0.9, 0.1]),
            "is_false": rng.random(n) < 0.05,
            "duplicate_of": np.where(rng.random(n) < 0.05, 0, -1),
            "category": rng.integers(0, n_categories, n),
            "grid": rng.integers(0, 16, n),
        }
    )


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("scale", [3.0, 250_000.0])  # a town's backlog and a six-digit one
def test_backlog_labels_fit_the_fixed_margins(lang: str, scale: float) -> None:
    fig = plots.plot_backlog(_series(scale), lang, warmup=30)
    assert fig.get_layout_engine() is None  # fixed margins, nothing laid out at drawing time
    assert _outside(fig) == []


@pytest.mark.parametrize("lang", LANGS)
def test_resolution_labels_fit_the_fixed_margins(lang: str) -> None:
    categories = ("dispute", "safety", "livelihood", "urban", "petition", "special")
    fig = plots.plot_resolution(_incidents(5000, len(categories)), categories, lang)
    assert _outside(fig) == []
    ax = fig.axes[0]
    assert len(ax.patches) == len(categories)  # one step outline per category
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "1" in shown and "10" in shown and not any("$" in s for s in shown)  # plain decimals


def test_resolution_histograms_are_np_histogram_per_category() -> None:
    """Counts of one ``bincount`` equal ``np.histogram`` per category on the same edges (hand-checkable)."""
    inc = _incidents(20_000, 4, seed=3)
    inc.loc[::50, "category"] = -1  # an unknown code: in no category's histogram
    edges, shares = plots.resolution_histograms(inc, 5)  # a fifth category with no incident
    keep = (inc["end_state"] == EndState.CLOSED) & ~inc["is_false"] & (inc["duplicate_of"] < 0)
    days = (inc["t_close"] - inc["t_report"])[keep].clip(lower=1e-3)
    assert len(edges) == 40 and edges[0] == days.min() and edges[-1] == pytest.approx(days.max())
    for k in range(4):
        d = days[inc.loc[keep, "category"] == k].to_numpy()
        expected, _ = np.histogram(d, bins=edges)
        share = shares[k]
        assert share is not None
        np.testing.assert_allclose(share, expected / len(d), rtol=0, atol=1e-15)
    assert shares[4] is None


def test_plain_log_tick_labels() -> None:
    fmt = plots.PlainLogFormatter()
    fig = plots.figure((4, 3), plots.MARGINS)
    ax = fig.subplots()
    ax.set_xscale("log")
    ax.set_xlim(1e-3, 1e3)
    fmt.set_axis(ax.xaxis)
    assert [fmt(x) for x in (1e-3, 0.01, 0.1, 1.0, 10.0, 1000.0)] == [
        "0.001",
        "0.01",
        "0.1",
        "1",
        "10",
        "1000",
    ]
    assert fmt(0.1 + 1e-17) == "0.1"


@pytest.mark.parametrize("top,floor,step", [(8.0, 4.0, 0.5), (10.0, 1.0, 1.0)])
def test_fitting_search_gives_the_linear_searchs_answer(top: float, floor: float, step: float) -> None:
    """From any starting prediction, the largest fitting size is the one the descending loop finds."""
    sizes = list(np.arange(top, floor - step / 2, -step))
    for limit in [*sizes, top + 1, floor - 1, floor + step / 3]:
        linear = next((float(s) for s in sizes if s <= limit), None)
        for scale in (0.01, 0.3, 0.55, 0.8, 1.0, 2.0):
            calls: list[float] = []

            def fits(size: float, limit: float = limit, calls: list[float] = calls) -> bool:
                calls.append(size)
                return size <= limit

            assert _largest(fits, top, floor, step, scale) == linear, (limit, scale)


@pytest.fixture(scope="module")
def territories() -> dict[str, tuple[pd.DataFrame, tuple[str, ...]]]:
    out = {}
    for name, extra in (("one_town", []), ("jiangmen", ["scenario.population_scale=0.02"])):
        model = GovernanceModel(compose([f"scenario={name}", *extra, "output.progress=false"]))
        out[name] = (model._grids(), tuple(model.scenario_data.territory.town_names))
    return out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["one_town", "jiangmen"])
def test_heat_map_note_and_colour_bar_fit(territories, name: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    grids, towns = territories[name]
    rng = np.random.default_rng(0)
    n = 20 * len(grids)
    inc = pd.DataFrame(
        {
            "grid": rng.integers(0, len(grids), n),
            "is_false": np.zeros(n, dtype=bool),
            "duplicate_of": np.full(n, -1),
            "t_report": rng.uniform(0, 300, n),
        }
    )
    fig = plots.plot_hotspot(grids, inc, 1.0, lang, towns=towns)
    assert _outside(fig) == []
    ax = fig.axes[0]
    note = next(t for t in ax.texts if "\n" in t.get_text())
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    with plots.cjk_style():
        assert note.get_window_extent(renderer).y1 <= ax.get_window_extent(renderer).y0  # below the map


@pytest.mark.parametrize("lang", LANGS)
def test_lever_dashboard_labels_fit(lang: str) -> None:
    from govsim.teaching import run_town
    from govsim.teaching_widgets import lever_figure

    town = run_town(seed=0, horizon_days=60)
    fig = lever_figure(town, town, lang)
    assert _outside(fig) == []
    boxes = [ax.get_tightbbox(fig.canvas.get_renderer()) for ax in fig.axes]  # type: ignore[attr-defined]
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert left.x1 <= right.x0, "neighbouring panels overlap"


def test_log_bins_are_a_binary_searchs_including_values_on_edges() -> None:
    from govsim.figdata import _log_bin

    rng = np.random.default_rng(1)
    for _ in range(100):
        days = np.maximum(rng.lognormal(rng.normal(), 2.5, int(rng.integers(1, 3000))), 1e-3)
        edges = np.geomspace(days.min(), max(days.max(), days.min() * 1.01), 40)
        days = np.concatenate([days, edges])  # every edge as a value: the boundary cases
        expected = np.minimum(np.searchsorted(edges, days, side="right") - 1, len(edges) - 2)
        np.testing.assert_array_equal(_log_bin(days, edges), expected)


def test_heat_map_rate_since_is_the_rate_of_the_filtered_table(territories) -> None:  # type: ignore[no-untyped-def]
    grids, _ = territories["one_town"]
    inc = _incidents(3000, 6).assign(grid=lambda d: d["grid"] % len(grids))
    inc.loc[::7, "t_report"] = np.nan  # never reported
    whole = plots.hotspot_rate(grids, inc[inc["t_report"] >= 30.0], 0.5)
    np.testing.assert_array_equal(plots.hotspot_rate(grids, inc, 0.5, since=30.0), whole)
    assert whole.sum() > 0 and not np.array_equal(plots.hotspot_rate(grids, inc, 0.5), whole)
