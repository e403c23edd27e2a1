"""Rebuild govsim's shipped Chinese font: Noto Sans CJK SC Regular (OFL 1.1) cut to the characters used.

Usage: ``python scripts/subset_cjk_font.py SOURCE.otf``, where SOURCE is ``NotoSansCJKsc-Regular.otf``
(version 1.004, from the Noto CJK release, or from the ``mplfonts`` package, which ships that file).
Writes ``src/govsim/fonts/NotoSansCJKsc-Regular-subset.otf``.

Kept characters: all of GB 2312 (the 6,763 common simplified characters and its symbols), printable
ASCII and Latin-1, general and CJK punctuation, full-width forms, the Greek and maths signs govsim's
labels use, and every character that occurs in the project's text files (so a label added later is
covered once this is re-run). The guard that a missing glyph is an error stays in the tests
(``tests/unit/test_plots.py``). Run by a maintainer, never at install or run time; uses fontTools,
which Matplotlib already depends on.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "govsim" / "fonts" / "NotoSansCJKsc-Regular-subset.otf"
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".csv", ".txt", ".html", ".j2"}


def gb2312() -> set[str]:
    """Every character of GB 2312 (two-byte rows 0xA1–0xF7, cells 0xA1–0xFE)."""
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return out


def project_characters() -> set[str]:
    """Characters in the project's own text files (sources, configs, notebooks, docs)."""
    out: set[str] = set()
    for folder in ("src", "configs", "notebooks", "docs", "experiments"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in TEXT_SUFFIXES and path.is_file():
                out |= set(path.read_text(encoding="utf-8", errors="ignore"))
    return out


def characters() -> set[str]:
    """All characters to keep."""
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
    chars = {chr(c) for lo, hi in ranges for c in range(lo, hi + 1)}
    chars |= set("ΔΣμσρλ×÷±−≤≥≈∞√·…→←↑↓")
    return {c for c in chars | gb2312() | project_characters() if c.isprintable()}


def main() -> None:
    """Subset the font given on the command line into ``OUT``."""
    source = Path(sys.argv[1])
    options = subset.Options()
    options.name_IDs = ["*"]  # keep copyright, licence and the family name "Noto Sans CJK SC"
    options.name_languages = ["*"]
    options.layout_features = ["*"]
    options.hinting = False
    options.desubroutinize = False
    font = subset.load_font(str(source), options)
    sub = subset.Subsetter(options)
    sub.populate(text="".join(sorted(characters())))
    sub.subset(font)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(OUT), options)
    print(f"{OUT}: {OUT.stat().st_size / 1e6:.1f} MB, {len(font.getGlyphOrder())} glyphs")


if __name__ == "__main__":
    main()
