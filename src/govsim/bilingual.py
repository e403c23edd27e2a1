"""The two languages of every label: a term as ``Label(en, zh)``, and picking one (``say``, ``lookup``).

The tables of terms are in ``govsim.labels``, the sentences (report, warnings, classroom text) in
``govsim.sentences``; both build on these.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["LANGS", "Label", "lookup", "say"]


class Label(NamedTuple):
    """One term in English and in Chinese."""

    en: str
    zh: str


LANGS: tuple[str, ...] = ("zh", "en")


def say(label: Label, lang: str) -> str:
    """``label`` in ``lang`` (``'zh'`` or ``'en'``)."""
    return label.zh if lang == "zh" else label.en


def lookup(table: dict[str, Label], key: str, lang: str) -> str:
    """``table[key]`` in ``lang``; an unknown key shows as itself (underscores as spaces in English)."""
    if key in table:
        return say(table[key], lang)
    return key if lang == "zh" else key.replace("_", " ")
