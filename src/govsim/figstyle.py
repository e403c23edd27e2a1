"""The style and canvas of govsim's figures: the shipped CJK font, used locally, and fixed-margin figures.

Chinese text uses Noto Sans CJK SC (SIL Open Font License 1.1), shipped inside govsim as a subset
(``govsim/fonts/``: GB 2312 and every character of the project's texts, 3 MB; licence in ``OFL.txt``;
rebuilt by ``scripts/subset_cjk_font.py``) and registered with Matplotlib when a figure is drawn, so
labels render offline on a fresh install with no missing glyphs.

The font is used through a local style (``cjk_style``, Matplotlib's ``rc_context``): every figure of
govsim is built in it and draws itself in it (``StyledFigure``), so importing or using govsim leaves the
caller's ``matplotlib.rcParams`` as they were. ``use_cjk_font`` sets it globally, for a user's own
figures only; govsim never calls it. ``govsim.plots`` re-exports all of this.
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
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatter

from govsim import labels

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


@dataclass(frozen=True)
class Margins:
    """Fixed figure margins in inches, for a figure whose labels are known to fit in them.

    Laying a figure out with fixed margins costs nothing at drawing time; Matplotlib's constrained layout
    measures every label twice per draw (about a third of drawing one of the run's figures). The run's
    figures use them. The values are chosen (assumed, not derived) to hold the labels at Matplotlib's
    default font sizes; ``tests/unit/test_figure_layout.py`` checks that every label stays inside the
    figure, in both languages and with six-digit numbers on the axes.
    """

    left: float = 0.75
    right: float = 0.15
    bottom: float = 0.55
    top: float = 0.35


MARGINS = Margins()
"""Margins of a one-panel figure with a title, axis labels and tick labels at the default sizes."""
SAVE_DPI = 110
"""Resolution of the run's figures: ``figworker.draw_figures`` saves them at it, they are built at it, so text
measured while building is not measured again when saving."""


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


def _axes(
    ax: plt.Axes | None,
    size: tuple[float, float] = (7, 4),
    margins: Margins | None = None,
    dpi: float | None = None,
) -> tuple[Figure, plt.Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]  # an Axes of a SubFigure works the same
    fig = figure(size, margins, dpi)
    return fig, fig.subplots()


def figure(size: tuple[float, float], margins: Margins | None = None, dpi: float | None = None) -> Figure:
    """A figure drawn without pyplot: on its own Agg canvas, so no backend is chosen and none is changed.

    Importing ``govsim.plots`` sets nothing in Matplotlib; the figures render the same headless, in a
    notebook (``govsim.teaching.show``) or saved to PNG, and pyplot's list of open figures stays as the
    caller left it (nothing to close). Laid out by Matplotlib's constrained layout, or with fixed
    ``margins`` (inches) for subplots added afterwards. ``dpi``: the figure's own resolution
    (Matplotlib's default when None); saved at the same dpi, text measured while building is not
    measured again when drawing.
    """
    if margins is None:
        fig = StyledFigure(figsize=size, layout="constrained", dpi=dpi)
    else:
        fig = StyledFigure(figsize=size, dpi=dpi)
        w, h = size
        m = margins
        fig.subplots_adjust(left=m.left / w, right=1 - m.right / w, bottom=m.bottom / h, top=1 - m.top / h)
    FigureCanvasAgg(fig)
    return fig


class PlainLogFormatter(LogFormatter):
    """Tick labels of a log axis as plain decimals (0.01, 0.1, 1, 10), not as powers of ten.

    Which ticks get a label stays Matplotlib's (``LogFormatter``); plain text needs no mathtext parse,
    which was about a tenth of drawing the run's figures, and reads more easily for days.
    """

    def _num_to_string(self, x: float, vmin: float, vmax: float) -> str:
        return str(np.format_float_positional(float(f"{x:.6g}"), trim="-"))  # 0.1, never 0.1000000001
