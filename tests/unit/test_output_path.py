"""The output path after issue 19's optimisations: same tables as the straightforward code, phases recorded,
the model freed before the KPIs and the writing. No timed assertions: timings are only checked to exist."""

from __future__ import annotations

import json
import weakref
from pathlib import Path

import pytest

import govsim.runner
from govsim.compose import compose
from govsim.kpis import compute
from govsim.metrics import kpi_table
from govsim.runner import run_to_dir, simulate

BASE = ["scenario=one_town", "horizon_days=40", "warmup_days=10", "output.progress=false"]


@pytest.fixture(scope="module")
def rec():  # noqa: ANN201
    return simulate(compose([*BASE, "output.figures=false"])).records


@pytest.mark.parametrize("by", ["category", "county"])
def test_kpis_by_group_equal_compute_on_each_group_s_full_rows(rec, by):  # noqa: ANN001
    """Groups taken by row position on the columns compute reads give exactly what compute gives on the
    whole table's rows of that group (the code before issue 19)."""
    table = kpi_table(rec, by)
    names = rec.categories if by == "category" else rec.counties
    assert list(table["group"]) == list(names)
    for k, name in enumerate(names):
        old = compute(rec.incidents[rec.incidents[by] == k], rec.warmup, rec.horizon)
        row = table[table["group"] == name].iloc[0]
        for key, value in old.items():
            assert row[key] == pytest.approx(value, nan_ok=True, rel=0, abs=0), (name, key)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_drawn_from_aggregates_are_the_figures_of_the_table(rec, tmp_path, lang):  # noqa: ANN001
    """The figures get aggregates (``figure_data``), not incident rows, and draw as the public plotting
    functions draw from the whole table: the same PNG bytes (warm-up and measured years as the run's).
    Under a caller's own Matplotlib settings (a serif font without CJK glyphs), so a drawing function
    built outside govsim's style (``figstyle.styled``) measures its text in the wrong font and fails."""
    import io

    import matplotlib as mpl

    from govsim import plots

    user = {"font.family": ["serif"], "font.sans-serif": ["DejaVu Sans"], "axes.unicode_minus": True}
    with mpl.rc_context(user):
        govsim.runner.write_figures(rec, tmp_path, lang)
        want = {
            "resolution_time.png": plots.plot_resolution(rec.incidents, rec.categories, lang),
            "hotspot_map.png": plots.plot_hotspot(
                rec.grids,
                rec.incidents,
                (rec.horizon - rec.warmup) / 365.0,
                lang,
                towns=rec.towns,
                since=rec.warmup,
            ),
        }
        for name, fig in want.items():
            buf = io.BytesIO()
            fig.savefig(buf, dpi=plots.SAVE_DPI, format="png")
            assert (tmp_path / name).read_bytes() == buf.getvalue(), name
    pngs = {p.name for p in tmp_path.glob("*.png")}
    assert pngs == {"backlog.png", "resolution_time.png", "hotspot_map.png"}


def test_model_is_freed_before_the_kpis(monkeypatch):  # noqa: ANN001
    """The model's reference cycles (SimPy processes, agents) are collected before the KPIs are computed,
    so their memory is free for the KPI and writing phases (peak RSS, issue 19)."""
    refs: list[weakref.ref] = []
    real_model = govsim.runner.GovernanceModel
    alive_at_kpis: list[bool] = []

    def tracked(cfg, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202 - as GovernanceModel(cfg, scenario)
        model = real_model(cfg, *args, **kwargs)
        refs.append(weakref.ref(model))
        return model

    real_kpi_table = govsim.runner.kpi_tables

    def kpi_spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        alive_at_kpis.append(refs[0]() is not None)
        return real_kpi_table(*args, **kwargs)

    monkeypatch.setattr(govsim.runner, "GovernanceModel", tracked)
    monkeypatch.setattr(govsim.runner, "kpi_tables", kpi_spy)
    simulate(compose([*BASE, "output.figures=false"]))
    assert alive_at_kpis and not any(alive_at_kpis)


def test_run_json_records_every_phase(tmp_path: Path):
    """build, simulate, kpis, records, tables and figures each get their wall and CPU seconds in run.json."""
    run_to_dir(compose([*BASE, "output.figures=true"]), tmp_path / "run")
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))
    for key in ("phases", "cpu_phases"):
        assert set(info[key]) == {"build", "simulate", "kpis", "records", "tables", "figures"}
        assert all(isinstance(v, float) and v >= 0 for v in info[key].values())
    assert info["cpu_phases"]["simulate"] > 0  # a run's simulation takes some CPU time of this process


def test_a_run_without_figures_does_not_import_matplotlib(tmp_path: Path):
    """``output.figures=false`` writes records and tables only, and does not pay Matplotlib's import."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from govsim.compose import compose; "
        "from govsim.runner import run_to_dir; "
        f"run_to_dir(compose({[*BASE, 'output.figures=false']!r}), Path({str(tmp_path / 'run')!r})); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "run" / "incidents.parquet").exists()
