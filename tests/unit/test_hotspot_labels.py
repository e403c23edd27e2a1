"""The heat map projected in class: town numbers and the note readable (>= 8 pt at the saved dpi), and
each tile carrying its grid number where it fits, so lesson 03's grid table can be read on the map."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govsim import plots
from govsim.compose import compose
from govsim.hotspotmap import map_layout
from govsim.model import GovernanceModel

READABLE_PT = 8.0


@pytest.fixture(scope="module")
def territories():
    out = {}
    for name, extra in (("one_town", []), ("jiangmen", ["scenario.population_scale=0.02"])):
        model = GovernanceModel(compose([f"scenario={name}", *extra, "output.progress=false"]))
        out[name] = (model._grids(), tuple(model.scenario_data.territory.town_names))
    return out


def _incidents(grids: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 20 * len(grids)
    return pd.DataFrame(
        {
            "grid": rng.integers(0, len(grids), n),
            "is_false": np.zeros(n, dtype=bool),
            "duplicate_of": np.full(n, -1),
            "t_report": rng.uniform(0, 300, n),
        }
    )


def _town_and_note(ax):
    towns = [t for t in ax.texts if t.get_gid() == "town"]
    note = next(t for t in ax.texts if "\n" in t.get_text() and t.get_gid() is None)
    return towns, note


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", ["one_town", "jiangmen"])
def test_town_numbers_and_note_are_readable(territories, name, lang):
    grids, towns = territories[name]
    fig = plots.plot_hotspot(grids, _incidents(grids), 1.0, lang, towns=towns)
    numbers, note = _town_and_note(fig.axes[0])
    assert numbers and min(t.get_fontsize() for t in numbers) >= READABLE_PT
    assert note.get_fontsize() >= READABLE_PT


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lesson_03_map_is_readable_and_tiles_carry_grid_numbers(lang):
    from govsim import teaching

    runs = teaching.hotspot_runs(seed=0, horizon_days=60)
    fig = teaching.plot_hotspot_comparison(runs, lang)
    ax = fig.axes[0]
    numbers, note = _town_and_note(ax)
    assert min(t.get_fontsize() for t in numbers) >= READABLE_PT and note.get_fontsize() >= READABLE_PT
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    tiles = {t.get_gid(): t for t in ax.texts if str(t.get_gid()).startswith("grid:")}
    grids = runs["uniform"].records.grids
    lay = map_layout(grids)
    assert set(tiles) == {f"grid:{g}" for g in grids["grid"]}
    for k, g in enumerate(grids["grid"]):
        text = tiles[f"grid:{g}"]
        assert text.get_text() == str(g) and text.get_fontsize() >= 6
        (x0, y0), (x1, y1) = ax.transData.transform(
            [(lay.x[k] - 0.5, lay.y[k] - 0.5), (lay.x[k] + 0.5, lay.y[k] + 0.5)]
        )
        ext = text.get_window_extent(renderer)
        assert (
            min(x0, x1) <= ext.x0
            and ext.x1 <= max(x0, x1)
            and min(y0, y1) <= ext.y0
            and ext.y1 <= max(y0, y1)
        )
    table = teaching.grid_table(runs, lang)
    assert {str(g) for g in table.index} == {t.get_text() for t in tiles.values()}
