"""One labels module: every label has both languages, the shipped OFL font draws every Chinese label,
and no module keeps its own translation table any more (issue 17, issue 12 item 4)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from govsim import labels, plots
from govsim.config import CATEGORIES, CHANNELS

SRC = Path(plots.__file__).resolve().parent
TABLES = {
    name: value
    for name, value in vars(labels).items()
    if isinstance(value, dict) and value and all(isinstance(v, labels.Label) for v in value.values())
}


def test_every_identifier_has_a_label_in_both_languages():
    assert set(CATEGORIES) <= set(labels.CATEGORY) and set(CHANNELS) <= set(labels.CHANNEL)
    from govsim.metrics import KPI_LABELS
    from govsim.policies import COST_FOCUS
    from govsim.records import END_STATES

    assert set(END_STATES) == set(labels.END_STATE) and set(COST_FOCUS) == set(labels.COST_ITEM)
    assert set(KPI_LABELS) <= set(labels.KPI)
    for name, table in TABLES.items():
        for key, label in table.items():
            assert label.en.strip() and label.zh.strip(), f"{name}[{key}]"
            outside_glosses = re.sub(r"\([^)]*\)", "", label.en)  # a proper name may keep its gloss
            assert not re.search(r"[\u4e00-\u9fff]", outside_glosses), f"{name}[{key}]: {label.en!r}"


def test_no_module_keeps_its_own_translation_table():
    pattern = re.compile(
        r"^(FOCUS_LABELS|CHANNEL_LABELS|CATEGORY_ZH|POLICY_ZH|DEPARTMENT_ZH|PATROL_LABELS)\s*=", re.M
    )
    offenders = [p.name for p in SRC.glob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_english_place_names_are_english():
    assert labels.county_label("蓬江区", "en") == "Pengjiang District"
    assert labels.town_label("台山镇街07", "en") == "Taishan town 07"
    assert (
        labels.town_label("某某镇", "en", 4) == "town 5"
    )  # an unknown Chinese name never leaks into English
    assert labels.county_label("某某县", "zh") == "某某县"


def test_the_shipped_font_draws_every_chinese_label():
    """The OFL subset covers every Chinese label and place name; a missing glyph is an error."""
    import matplotlib.pyplot as plt

    from govsim.scenario import read_towns, territory_path

    font = SRC / "fonts" / plots.FONT_FILE
    assert font.is_file() and (SRC / "fonts" / "OFL.txt").is_file()
    assert font.stat().st_size < 5e6  # a subset, not the 16 MB original
    plots.use_cjk_font()
    texts = [label.zh for table in TABLES.values() for label in table.values()]
    for name in ("jiangmen", "one_town", "validation"):
        texts += [f"{r['county']} {r['town']}" for r in read_towns(territory_path(name))]
    fig, ax = plt.subplots(figsize=(4, 4))
    for k, text in enumerate(texts):
        ax.text(0, k, text.replace("$", ""))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing from font")
        fig.savefig(Path("/dev/null"), format="png", dpi=20)
    plt.close(fig)


def test_missing_glyph_guard_fires_on_a_character_outside_the_subset():
    import matplotlib.pyplot as plt

    plots.use_cjk_font()
    fig, ax = plt.subplots()
    ax.set_title("\U00020000")  # CJK Extension B: not in the subset
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing from font")
        with pytest.raises(UserWarning, match="missing from font"):
            fig.savefig(Path("/dev/null"), format="png")
    plt.close(fig)


def test_shipped_experiment_questions_have_their_chinese():
    import yaml

    configs = Path(__file__).resolve().parents[2] / "configs" / "experiment"
    for path in configs.glob("*.yaml"):
        spec = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("experiment", {})
        if "question" in spec:
            zh = labels.question(spec["name"], spec["question"], "zh")
            assert zh != spec["question"] and re.search(r"[\u4e00-\u9fff]", zh), path.name
    assert labels.question("four_focus", "a question of my own", "zh") == "a question of my own"
