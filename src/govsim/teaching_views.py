"""How the teaching notebooks show things: tables as text a class reads, and instructions per front end.

Tables in a lesson are shown formatted — counts as integers, rates in %, days to two decimals, "—" for
a gap — never as ``3693.000``, fractions or NaN. ``how_to_use`` tells a class what to do in the front end
the lesson is open in: JupyterLab runs cells with Shift+Enter; Voilà hides the code and has already run
it. Presentation only; ``govsim.teaching`` re-exports these for the notebooks.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from govsim.labels import HOW_TO_USE as HOW_TO_USE  # re-exported; the text lives in labels
from govsim.labels import LANGS, say
from govsim.rules import InputError


class LessonError(ValueError, InputError):
    """A value a lesson cell gave that cannot be used: one line naming it, its value and what is allowed."""


def check_lang(lang: object) -> str:
    """``lang`` if it is ``'zh'`` or ``'en'``; else ``LessonError`` (as ``govsim output.lang=fr`` is)."""
    if lang not in LANGS:
        raise LessonError(f"lang={lang!r}: allowed: zh, en")
    return str(lang)


def shown_kpi(key: str, value: float) -> str:
    """A KPI value (or ``cost`` in 10k yuan) as text for a class: integers, %, decimals, "—"."""
    if key == "cost":
        return "—" if np.isnan(value) else f"{value:,.1f}"
    from govsim.metrics import format_kpi

    return format_kpi(key, value)


def readable(table: pd.DataFrame, digits: int = 2) -> pd.DataFrame:
    """``table`` for a class: numbers to ``digits`` decimals (whole numbers without), "—" for a gap."""

    def cell(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return "—"
        if isinstance(v, (float, np.floating)):
            x = float(v)
            return f"{x:,.0f}" if x.is_integer() and abs(x) >= 100 else f"{x:,.{digits}f}"
        return v

    return table.map(cell)


def in_voila() -> bool:
    """Whether this kernel serves a Voilà page (Voilà sets ``VOILA_*`` variables in its kernels)."""
    import os

    return any(k in os.environ for k in ("VOILA_KERNEL_ID", "VOILA_BASE_URL", "VOILA_REQUEST_URL"))


def how_to_use(lang: str = "zh", voila: bool | None = None) -> Any:
    """The lesson's instructions for the front end it is open in, as Markdown to display.

    In Voilà code is hidden and has already run, so there is nothing to press; in JupyterLab cells run
    one by one with Shift+Enter and can be edited.
    """
    from IPython.display import Markdown

    check_lang(lang)
    if in_voila() if voila is None else voila:
        return Markdown(say(HOW_TO_USE["voila"], lang))
    return Markdown(say(HOW_TO_USE["lab"], lang))
