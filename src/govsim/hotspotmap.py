"""The demand heat map (群众诉求热点图): a schematic county-block map of grid report rates.

``map_layout`` places counties as labelled blocks and towns as numbered squares (no geography);
``plot_hotspot`` colours one cell per grid (``plot_hotspot_rates`` from the rates alone).
Re-exported by ``govsim.plots``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory as blended

from govsim import labels
from govsim.figdata import hotspot_rate
from govsim.figstyle import SAVE_DPI, Margins, _axes, styled, t

if TYPE_CHECKING:
    import matplotlib.pyplot as plt  # annotations only: figures here are built without pyplot


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
    since: float | None = None,
) -> Figure:
    """The demand heat map (群众诉求热点图): counties as labelled blocks, towns numbered, one cell per grid.

    Colour: reports of real incidents per 1,000 residents per year in each grid (those reported at
    ``since`` or later, if given: ``hotspot_rate``). ``towns`` (town names by index) fills the legend of
    town numbers; without it towns are listed by number only.
    """
    return plot_hotspot_rates(grids, hotspot_rate(grids, inc, years, since), lang, ax, towns)


@styled
def plot_hotspot_rates(
    grids: pd.DataFrame,
    rate: np.ndarray,
    lang: str = "zh",
    ax: plt.Axes | None = None,
    towns: tuple[str, ...] = (),
) -> Figure:
    """``plot_hotspot`` from its colours: ``rate``, one per grid in ``grids`` order (``hotspot_rate``)."""
    from matplotlib.patches import Rectangle

    own = ax is None
    fig, ax = _axes(ax, size=HOTSPOT_SIZE, margins=HOTSPOT_MARGINS, dpi=SAVE_DPI)
    lay = map_layout(grids)
    m = np.full(lay.shape, np.nan)
    m[lay.y, lay.x] = rate
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
    g = grids.reset_index(drop=True)
    town_numbers = []
    for number, (town, cx, cy) in enumerate(lay.towns, start=1):
        rows = np.flatnonzero(g["town"].to_numpy() == town)
        corner = (lay.x[rows].min() - 0.5, lay.y[rows].min() - 0.5)  # the town's top-left tile corner
        text = ax.text(
            cx,
            cy,
            str(number),
            fontsize=LABEL_PT,
            ha="center",
            va="center",
            gid="town",
            bbox={"facecolor": "white", "alpha": 0.8, "pad": 0.5, "linewidth": 0},
        )
        town_numbers.append((text, corner))
    ax.set_title(t("hotspot_title", lang), pad=10, y=1.0)  # placed, not searched for: no ticks on top
    ax.set_axis_off()
    legend = _town_legend(lay, towns, lang)
    # on a figure of its own the note starts at the figure's left margin (the map's box, set by its
    # aspect, may start further in); in a caller's figure at the map's left edge
    x, where = (fig.subplotpars.left, blended(fig.transFigure, ax.transAxes)) if own else (0.0, ax.transAxes)
    note_text = t("hotspot_note", lang) + "\n" + legend
    note = ax.text(x, -NOTE_GAP, note_text, transform=where, fontsize=LABEL_PT, va="top")
    if own:  # fixed margins: the bottom one made to hold the note, then the map's box set by its aspect
        _fit_note(
            fig,
            note,
            lambda per_line: t("hotspot_note", lang) + "\n" + _town_legend(lay, towns, lang, per_line),
        )
        ax.apply_aspect()
    else:  # the caller's figure: lay it out once, so labels are fitted at their final scale
        fig.draw_without_rendering()
    for text, (_, x0, y0, x1, _y1) in zip(names, lay.counties, strict=True):
        _fit_inside(text, ax, (x0 - 0.5, y0 - 0.5, x1 - 0.5, y0 + TITLE_ROWS - 1.5))
    _place_town_numbers(ax, town_numbers)
    _number_tiles(ax, lay, g["grid"].to_numpy(), m[lay.y, lay.x], im.norm)
    return fig


LABEL_PT = 8.0
"""Font size of the town numbers and the note (points): readable when the map is projected (assumed: the
smallest size found readable on a classroom projector at the figure's saved dpi, not a cited figure)."""
TILE_PT = (8.0, 6.0)
"""Largest and smallest font size of a tile's grid number; below the smallest the tiles go unnumbered
(assumed, as ``LABEL_PT``)."""


def _place_town_numbers(ax: Any, numbers: list[tuple[Any, tuple[float, float]]]) -> None:
    """Move each town's number from its centre to the free row above its top-left tile, where it fits.

    A town has a free row above it (the gap between towns, or the county's title strip); when a number
    is no taller than a row (large tiles: one town) it goes there and covers no tile or grid number.
    Otherwise (a city's small tiles) it stays at the town's centre, as a label over its block.
    """
    if not numbers:
        return
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    (_, ay0), (_, ay1) = ax.transData.transform([(0.0, 0.0), (1.0, 1.0)])
    tallest = max(text.get_window_extent(renderer).height for text, _ in numbers)
    if tallest > abs(ay1 - ay0):
        return
    for text, corner in numbers:
        text.set_position(corner)
        text.set_horizontalalignment("left")
        text.set_verticalalignment("bottom")


def _number_tiles(ax: Any, lay: MapLayout, ids: np.ndarray, values: np.ndarray, norm: Any) -> None:
    """Write each grid's number (``ids``, the ``grid`` of the records) on its tile, where it fits.

    One size for all tiles: the largest of ``TILE_PT`` at which the widest number fits in a tile
    (measured at the axes' final scale); none if even the smallest does not (a city's many small tiles).
    Dark tiles get white numbers.
    """
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    (ax0, ay0), (ax1, ay1) = ax.transData.transform([(0.0, 0.0), (1.0, 1.0)])
    cell_w, cell_h = abs(ax1 - ax0), abs(ay1 - ay0)
    widest = str(max(ids, key=lambda i: len(str(i))))
    probe = ax.text(0, 0, widest, fontsize=TILE_PT[0])
    ext = probe.get_window_extent(renderer)
    probe.remove()
    scale = min(0.85 * cell_w / max(ext.width, 1e-9), 0.7 * cell_h / max(ext.height, 1e-9), 1.0)
    size = np.floor(TILE_PT[0] * scale * 2) / 2
    if size < TILE_PT[1]:
        return
    for x, y, grid, value in zip(lay.x, lay.y, ids, values, strict=True):
        dark = bool(np.isfinite(value) and norm(value) > 0.6)
        ax.text(
            x,
            y,
            str(grid),
            fontsize=size,
            ha="center",
            va="center",
            color="white" if dark else "0.1",
            gid=f"grid:{grid}",
        )


HOTSPOT_SIZE = (9.0, 7.5)
HOTSPOT_MARGINS = Margins(left=0.2, right=0.25, bottom=0.4, top=0.5)
"""The heat map's margins (inches): the title on top (the colour bar's ticks and label sit in the slot
Matplotlib gives the bar); the bottom one grows to hold the note and town legend (``_fit_note``)."""
NOTE_GAP = 0.02
"""Gap between the map and the note below it, as a fraction of the map's height."""


def _fit_note(fig: Figure, note: Any, text: Callable[[int], str] | None = None) -> None:
    """Fit ``note`` (just below the axes, ``va='top'``) into the figure: set the bottom margin to hold it.

    A note wider than the space between the side margins (many towns to a line, long English names) is
    first written with fewer towns to a line (``text(per_line)``, 9 down to 3), and only if still too
    wide set in a smaller font, so that it never runs off the figure.
    """
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ext = note.get_window_extent(renderer)
    room = fig.bbox.width * (1 - fig.subplotpars.left) - HOTSPOT_MARGINS.right * fig.dpi
    for per_line in (7, 5, 3):
        if text is None or ext.width <= room:
            break
        note.set_text(text(per_line))
        ext = note.get_window_extent(renderer)
    if ext.width > room:
        note.set_fontsize(np.floor(note.get_fontsize() * room / ext.width * 4) / 4)  # quarter points, down
        ext = note.get_window_extent(renderer)
    height = fig.get_figheight()
    top_margin = 1 - fig.subplotpars.top
    gap = NOTE_GAP * height * (1 - top_margin)  # at most the gap below a map of the full height
    bottom = (ext.height / fig.dpi + 0.1 + gap) / height
    fig.subplots_adjust(bottom=max(bottom, HOTSPOT_MARGINS.bottom / height))


def _fit_inside(text: Any, ax: plt.Axes, box: tuple[float, float, float, float]) -> None:
    """Shrink ``text`` (breaking it at a space first) until it lies inside ``box`` (data x0, y0, x1, y1).

    The largest size of 8, 7.5, ... 4 pt that fits, one line before two; 4 pt on one line if none fits.
    Extents grow with the size, so the size the 8 pt extent predicts is measured first and the search
    steps from there (two or three measurements instead of up to nine per candidate).
    """
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    (bx0, by0), (bx1, by1) = ax.transData.transform([(box[0], box[1]), (box[2], box[3])])
    width, height = abs(bx1 - bx0) * 0.94, abs(by1 - by0) * 1.0
    words = text.get_text()

    def fits(size: float) -> bool:
        text.set_fontsize(size)
        ext = text.get_window_extent(renderer)
        return bool(ext.width <= width and ext.height <= height)

    for candidate in (words, words.replace(" ", "\n", 1)):
        text.set_text(candidate)
        size = _largest(fits, top=8.0, floor=4.0, step=0.5, scale=_scale(text, renderer, width, height))
        if size is not None:
            text.set_fontsize(size)
            return
    text.set_fontsize(4.0)
    text.set_text(words)


def _scale(text: Any, renderer: Any, width: float, height: float) -> float:
    text.set_fontsize(8.0)
    ext = text.get_window_extent(renderer)
    return min(width / max(ext.width, 1e-9), height / max(ext.height, 1e-9))


def _largest(
    fits: Callable[[float], bool], top: float, floor: float, step: float, scale: float
) -> float | None:
    """The largest of ``top, top - step, ... floor`` for which ``fits`` holds (``fits`` monotone in size).

    ``scale``: the predicted ratio of the fitting size to ``top``; the search starts at that size.
    """
    sizes = np.arange(top, floor - step / 2, -step)
    start = int(np.clip(np.searchsorted(-sizes, -top * scale), 0, len(sizes) - 1))
    k = start
    if fits(float(sizes[k])):
        while k > 0 and fits(float(sizes[k - 1])):
            k -= 1
        return float(sizes[k])
    while k + 1 < len(sizes):
        k += 1
        if fits(float(sizes[k])):
            return float(sizes[k])
    return None


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
