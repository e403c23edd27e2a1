"""Outputs an official can open: BOM'd CSV in the run's language, results.xlsx, readable file modes,
labelled and dated records, a hotspot map whose labels sit in their own blocks (issue 17)."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govsim import labels, plots
from govsim.compose import compose
from govsim.config import CHANNELS
from govsim.model import GovernanceModel
from govsim.recordfiles import DATE_FIELDS, LABEL_SCHEMA
from govsim.records import END_STATES, INCIDENT_SCHEMA
from govsim.runner import load_records, run_to_dir, simulate
from govsim.tables import FIXED_TIME, read_table

CSV = ("kpis.csv", "costs.csv", "utilisation.csv")
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
BASE = ["scenario=one_town", "horizon_days=40", "warmup_days=10", "output.progress=false"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same one-town run written in Chinese (with figures, under umask 022) and in English."""
    root = tmp_path_factory.mktemp("runs")
    old = os.umask(0o022)
    try:
        run_to_dir(compose([*BASE, "output.figures=true"]), root / "zh")
        run_to_dir(compose([*BASE, "output.figures=false", "output.lang=en"]), root / "en")
    finally:
        os.umask(old)
    return {"zh": root / "zh", "en": root / "en"}


def test_csv_files_start_with_a_byte_order_mark(runs):
    for lang in ("zh", "en"):
        for name in CSV:
            assert (runs[lang] / name).read_bytes()[:3] == b"\xef\xbb\xbf", f"{lang}/{name}"


def test_csv_headers_follow_the_language_and_read_back_to_keys(runs):
    zh = (runs["zh"] / "kpis.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert zh[:3] == ["分组方式", "分组", "上报事件数"] and "按期办结率" in zh
    en = (runs["en"] / "kpis.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert not any(CJK.search(h) for h in en) and "on-time rate" in en
    a, b = read_table(runs["zh"] / "kpis.csv"), read_table(runs["en"] / "kpis.csv")
    assert list(a.columns) == list(b.columns) and "on_time_rate" in a.columns
    assert list(a["by"]) == list(b["by"]) and a["by"].iloc[0] == "all"
    pd.testing.assert_frame_equal(a.drop(columns="group"), b.drop(columns="group"))
    assert read_table(runs["zh"] / "costs.csv")["yuan_per_year"].sum() == pytest.approx(
        read_table(runs["en"] / "costs.csv")["yuan_per_year"].sum()
    )


def test_output_files_are_readable_by_others_under_the_default_umask(runs):
    files = [p for p in runs["zh"].iterdir() if p.is_file() and not p.name.endswith(".log")]
    assert {p.name for p in files} >= {
        *CSV,
        "results.xlsx",
        "incidents.parquet",
        "hotspot_map.png",
        "run.json",
    }
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o644, p.name


def test_output_files_honour_a_stricter_umask(tmp_path):
    old = os.umask(0o027)
    try:
        run_to_dir(compose([*BASE, "output.figures=false", "horizon_days=15"]), tmp_path)
    finally:
        os.umask(old)
    for name in (*CSV, "results.xlsx", "incidents.parquet", "run.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o640, name


def test_workbook_has_chinese_headers_and_percent_formats(runs):
    from openpyxl import load_workbook

    wb = load_workbook(runs["zh"] / "results.xlsx")
    assert wb.sheetnames == ["指标", "按类别", "按县(市、区)", "按镇街", "成本", "部门利用率"]
    ind = wb["指标"]
    assert [c.value for c in ind[1]] == ["指标", "数值"]
    rows = {r[0].value: r[1] for r in ind.iter_rows(min_row=2)}
    assert rows["按期办结率"].number_format == "0.0%" and 0 < rows["按期办结率"].value <= 1
    assert rows["上报事件数"].number_format == "#,##0"
    cat = [c.value for c in wb["按类别"][1]]
    assert cat[:2] == ["分组", "上报事件数"] and "满意率" in cat
    assert {r[0].value for r in wb["按类别"].iter_rows(min_row=2)} == set(
        labels.say(v, "zh") for v in labels.CATEGORY.values()
    )
    util = wb["部门利用率"]
    assert [c.value for c in util[1]][:4] == ["县(市、区)", "部门", "人员数", "利用率"]
    assert util.cell(row=2, column=4).number_format == "0.0%"
    town = [c.value for c in wb["按镇街"][1]]
    assert town[:2] == ["县(市、区)", "镇街"] and "每千人年上报数" in town
    en = load_workbook(runs["en"] / "results.xlsx")
    assert "Indicators" in en.sheetnames
    assert not any(CJK.search(str(c.value)) for ws in en for row in ws.iter_rows(max_row=1) for c in row)


def test_workbook_carries_no_time_of_writing(runs):
    """The same run, the same bytes: no save time in the zip entries or in ``dcterms:modified``.

    openpyxl stamps both with the time of saving; before the fix, two writes 2 s apart differed.
    """
    import zipfile

    with zipfile.ZipFile(runs["zh"] / "results.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {FIXED_TIME.timetuple()[:6]}
        core = z.read("docProps/core.xml").decode()
        assert "<dc:creator>govsim</dc:creator>" in core
    assert re.search(r"<dcterms:modified[^>]*>2000-01-01T00:00:00Z</dcterms:modified>", core), core
    with pd.ExcelFile(runs["zh"] / "results.xlsx") as book:  # still a workbook a reader opens
        assert len(book.sheet_names) == 6


def test_records_load_with_names_and_dates_beside_the_codes(runs):
    cfg = compose([*BASE, "output.figures=false"])
    rec = load_records(runs["zh"])
    inc = rec.incidents
    fresh = simulate(cfg).records.incidents
    pd.testing.assert_frame_equal(inc[list(INCIDENT_SCHEMA)], fresh)  # codes and float days unchanged
    for name in LABEL_SCHEMA:
        assert isinstance(inc[name].dtype, pd.CategoricalDtype), name
    assert set(inc["channel_name"].dropna()) <= set(CHANNELS)
    assert (inc["channel_name"].astype(str) == np.array(CHANNELS)[inc["channel"]]).all()
    assert (inc["end_state_name"].astype(str) == np.array(END_STATES)[inc["end_state"]]).all()
    assert (inc["category_name"].astype(str) == np.array(rec.categories)[inc["category"]]).all()
    assert set(inc["town_name"]) == {"示范镇"} and set(inc["county_name"]) == {"示范县"}
    unrouted = inc["department"] < 0
    assert (
        inc.loc[unrouted, "department_name"].isna().all()
        and inc.loc[~unrouted, "department_name"].notna().all()
    )
    start = pd.Timestamp(cfg.scenario.start_date)
    for f in DATE_FIELDS:
        days = inc[f]
        at = inc[f + "_at"]
        assert (at.isna() == days.isna()).all(), f
        err = ((at - start).dt.total_seconds() / 86400 - days).abs().max()
        assert err <= 0.5 / 86400, f  # to the second
    ts = rec.timeseries
    assert (ts["date"] == start + pd.to_timedelta(ts["day"], unit="D")).all()


@pytest.fixture(scope="module")
def jiangmen_grids() -> pd.DataFrame:
    model = GovernanceModel(compose(["scenario=jiangmen", "scenario.population_scale=0.02"]))
    return model._grids(), model.scenario_data.territory.town_names


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hotspot_county_labels_sit_inside_their_own_blocks(jiangmen_grids, lang):
    grids, towns = jiangmen_grids
    none = pd.DataFrame({"grid": [], "is_false": [], "duplicate_of": [], "t_report": []})
    fig = plots.plot_hotspot(grids, none.astype({"grid": int, "is_false": bool}), 1.0, lang, towns=towns)
    ax = fig.axes[0]
    lay = plots.map_layout(grids)
    renderer = fig.canvas.get_renderer()
    boxes = {}
    for name, x0, y0, x1, y1 in lay.counties:
        (a, b), (c, d) = ax.transData.transform([(x0 - 0.5, y0 - 0.5), (x1 - 0.5, y1 - 0.5)])
        boxes[name] = (min(a, c), min(b, d), max(a, c), max(b, d))
    texts = {t.get_gid(): t for t in ax.texts if (t.get_gid() or "").startswith("county:")}
    assert len(texts) == len(boxes) == 7
    for name in boxes:
        with plots.cjk_style():  # measured in the style the figure draws in (plots.StyledFigure)
            ext = texts[f"county:{name}"].get_window_extent(renderer)
        inside = [
            n
            for n, b in boxes.items()
            if b[0] <= ext.x0 and ext.x1 <= b[2] and b[1] <= ext.y0 and ext.y1 <= b[3]
        ]
        assert inside == [name], f"{name}: label extent {ext} lies inside {inside}"
    numbers = [t for t in ax.texts if t.get_gid() == "town"]
    assert sorted(int(t.get_text()) for t in numbers) == list(range(1, 74))
    shown = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    assert ("schematic" in shown.lower()) if lang == "en" else ("示意" in shown)
    assert "蓬江镇街01" in shown if lang == "zh" else "Pengjiang town 01" in shown
    if lang == "en":
        assert not CJK.search(shown), CJK.findall(shown)[:5]
    assert "Pengjiang District" in shown or lang == "zh"
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_backlog_plot_shades_the_warm_up_and_says_units(runs):
    rec = load_records(runs["zh"])
    fig = plots.plot_backlog(rec.timeseries, "en", warmup=rec.warmup)
    ax = fig.axes[0]
    spans = [p for p in ax.patches if p.get_label() == labels.text("warmup", "en")]
    assert len(spans) == 1 and spans[0].get_x() == 0 and spans[0].get_width() == pytest.approx(rec.warmup)
    assert "days" in ax.get_xlabel() and "number" in ax.get_ylabel()
