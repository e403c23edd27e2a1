"""govsim's figures use the shipped CJK font through a local style and leave the caller's Matplotlib alone."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd

from govsim import plots

KEYS = ("font.family", "font.sans-serif", "axes.unicode_minus")
USER = {"font.family": ["serif"], "font.sans-serif": ["DejaVu Sans"], "axes.unicode_minus": True}


def _series() -> pd.DataFrame:
    days = np.arange(20)
    return pd.DataFrame({"day": days, "town": 0, "backlog": days * 3 - 20, "latent": days})  # some < 0


def test_drawing_a_figure_leaves_the_callers_settings_as_they_were(tmp_path: Path) -> None:
    with mpl.rc_context(USER):
        before = {k: mpl.rcParams[k] for k in KEYS}
        fig = plots.plot_backlog(_series(), "zh", warmup=5)
        fig.savefig(tmp_path / "backlog.png")
        assert {k: mpl.rcParams[k] for k in KEYS} == before


def test_the_figure_draws_the_same_whatever_the_callers_settings(tmp_path: Path) -> None:
    """The same PNG under the caller's serif/DejaVu settings as under govsim's own style; no glyph missing.

    The title is Chinese (DejaVu has no CJK glyph: the guard would fire); tick labels are made at drawing
    time (negative ones with the minus the style sets), so they show that it holds when the figure is drawn.
    """
    with mpl.rc_context(plots.CJK_RC):
        plots.plot_backlog(_series(), "zh", warmup=5).savefig(tmp_path / "own.png")
    with mpl.rc_context(USER):
        fig = plots.plot_backlog(_series(), "zh", warmup=5)
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=r"Glyph .* missing from font")
            fig.savefig(tmp_path / "caller.png")
    assert (tmp_path / "caller.png").read_bytes() == (tmp_path / "own.png").read_bytes()


def test_use_cjk_font_is_the_explicit_global_opt_in() -> None:
    with mpl.rc_context(USER):
        plots.use_cjk_font()
        assert mpl.rcParams["font.sans-serif"][0] == plots.CJK_FAMILY
