"""The comparison report: intervals and costs in the table, a warning (not a fake interval) for one
replication, refusal of a partial sweep, figures and both languages."""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir

from govsim import experiment as ex
from govsim import jobrun, report, reporttext
from govsim.aggregate import aggregate, status_text
from govsim.compose import config_dir
from govsim.config import register_configs

SMALL = [
    "scenario=one_town",
    "horizon_days=30",
    "warmup_days=5",
    "hydra.sweeper.params.policy='baseline,grid'",
]


def build_sweep(sweep: Path, *overrides: str, run: int | None = None) -> dict:
    """Manifest and jobs in-process, as ``govsim-experiment`` would run them."""
    with initialize_config_dir(config_dir(), version_base=None):
        primary = compose(
            "config",
            ["+experiment=four_focus", f"hydra.sweep.dir={sweep}", *overrides],
            return_hydra_config=True,
        )
        manifest = ex.prepare_manifest(primary)
        ex.register_experiment_configs()  # as govsim.sweep.main does after planning: the first
        # composition in a process (prepare_manifest's expand_jobs) registers the plain schema
        for job in manifest["jobs"][:run]:
            cfg = compose("config", job["overrides"])
            jobrun.run_job(cfg, sweep / job["key"].replace(",", "_"), manifest, job["overrides"])
    return manifest


@contextmanager
def experiment_configs() -> Iterator[None]:
    """Experiment configs registered and a fixed code version while sweeps are built; then as before."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GOVSIM_CODE_VERSION", "test-code")
    ex.register_experiment_configs()
    try:
        yield
    finally:
        register_configs()
        mp.undo()


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory) -> dict[str, Path]:
    """A complete 2 policies × 2 replications sweep, a 1-replication one and a partial one (same jobs)."""
    root = tmp_path_factory.mktemp("sweeps")
    with experiment_configs():
        build_sweep(root / "two", *SMALL, "experiment.replications=2")
        for name, reps in (("one", 1), ("partial", 2)):
            build_sweep(root / name, *SMALL, f"experiment.replications={reps}", run=0)
            for job in ("policy=baseline_replication=0", "policy=grid_replication=0"):
                shutil.copytree(root / "two" / job, root / name / job)
    return {"two": root / "two", "one": root / "one", "partial": root / "partial"}


def test_table_carries_paired_intervals_and_costs(sweeps, tmp_path):
    out = tmp_path / "en"
    report.write_report(aggregate(sweeps["two"]), out, "en")
    comp = pd.read_csv(out / "comparison.csv")
    assert set(comp["arm"]) == {"policy=grid"} and set(comp["reference_arm"]) == {"policy=baseline"}
    assert (comp["n_pairs"] == 2).all()
    assert ((comp["lo"] <= comp["diff"]) & (comp["diff"] <= comp["hi"]) & comp["half_width"].notna()).all()
    assert (comp["delta_cost"] > 0).all()  # more, better-trained and rewarded grid workers cost money
    improved = comp[comp["cost_per_unit"].notna()]
    assert not improved.empty
    from govsim.analysis import HIGHER_IS_BETTER

    gain = [
        d if HIGHER_IS_BETTER[m] else -d for d, m in zip(improved["diff"], improved["metric"], strict=True)
    ]
    assert all(g > 0 for g in gain)
    assert list(improved["cost_per_unit"]) == pytest.approx(list(improved["delta_cost"] / gain))
    md = (out / "comparison.en.md").read_text(encoding="utf-8")
    assert "95 % CI" in md and "Δ cost, yuan/yr" in md and "| grid |" in md
    for fig in ("forest.en.png", "backlog_bands.en.png", "cost_effectiveness.en.png"):
        assert (out / fig).stat().st_size > 10_000
    text = (out / "report.en.md").read_text(encoding="utf-8")
    assert "MSER-5" in text and "## Replications" in text and "(forest.en.png)" in text


def test_chinese_labels(sweeps, tmp_path):
    report.write_report(aggregate(sweeps["two"]), tmp_path, "zh")
    md = (tmp_path / "comparison.md").read_text(encoding="utf-8")
    assert "强网格" in md and "95%置信区间" in md and "办结时长(受限均值" in md


def test_chinese_report_is_chinese_throughout_and_english_goes_beside_it(sweeps, tmp_path):
    agg = aggregate(sweeps["two"])
    report.write_report(agg, tmp_path, "zh")
    zh = (tmp_path / "report.md").read_text(encoding="utf-8")
    report.write_report(agg, tmp_path, "en")
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == zh  # not overwritten
    en = (tmp_path / "report.en.md").read_text(encoding="utf-8")
    assert "## 政策比较" in zh and "## 重复次数" in zh and "差值 = 政策 − 参照" in zh and "预热期" in zh
    for english in ("Comparison", "Replications", "warm-up", "Difference", "replications per arm"):
        assert english not in zh, english
    assert "## Comparison" in en and not any("\u4e00" <= ch <= "\u9fff" for ch in en.replace("四个着力", ""))
    for name in ("forest", "backlog_bands", "cost_effectiveness"):
        assert (tmp_path / f"{name}.png").is_file() and (tmp_path / f"{name}.en.png").is_file()


def test_single_replication_warns_and_gives_no_interval(sweeps, tmp_path, capsys):
    agg = aggregate(sweeps["one"])
    assert agg.summary["complete"]
    report.write_report(agg, tmp_path, "en")
    err = capsys.readouterr().err
    assert "govsim: warning: " in err and "single replication" in err
    assert "UserWarning" not in err and ".py:" not in err
    comp = pd.read_csv(tmp_path / "comparison.csv")
    for name in ("comparison.csv", "arms.csv"):  # Excel on Chinese Windows reads UTF-8 only with a BOM
        assert (tmp_path / name).read_bytes()[:3] == b"\xef\xbb\xbf", name
    assert comp["half_width"].isna().all() and comp["lo"].isna().all()
    assert comp["diff"].notna().all()  # the point estimate is still reported
    lines = (tmp_path / "comparison.en.md").read_text(encoding="utf-8").splitlines()[2:]
    rows = [r for r in lines if r.startswith("|")]  # the table, not its footnote
    assert rows and all("—¹" in r.split("|")[9] for r in rows if "—¹" in r)  # null effect: no price
    ci_column = 5
    assert all(r.split("|")[ci_column + 1].strip() == "—" for r in rows)
    assert "Warning" in (tmp_path / "report.en.md").read_text(encoding="utf-8")
    report.write_report(agg, tmp_path, "zh")
    err = capsys.readouterr().err
    assert "govsim: warning: " in err and "只有一次重复" in err
    zh = (tmp_path / "report.md").read_text(encoding="utf-8")
    warning = next(line for line in zh.splitlines() if "警告" in line)
    assert warning.endswith("。") and not warning.endswith(".。"), warning  # a Chinese full stop


def test_cli_refuses_a_partial_sweep_unless_asked(sweeps, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        report.main([str(sweeps["partial"]), "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err  # the refusal alone, not the status block before it
    assert "2/4 jobs complete, 0 failed, 2 missing" in err and "allowed: " in err and "--partial" in err
    en = status_text(aggregate(sweeps["partial"]).summary, "en")
    assert "2/4 jobs complete" in en and "no confidence intervals" in en
    report.main([str(sweeps["partial"]), "--out", str(tmp_path), "--partial", "--lang", "en"])
    assert "govsim: warning: " in capsys.readouterr().err
    assert "PARTIAL" in (tmp_path / "report.en.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("metric", ["on_time_rate", "answered_15s"])  # 15秒接通率 is a rate by definition
def test_markdown_shows_rates_in_percent_and_points(metric):
    comp = pd.DataFrame(
        [
            {
                "arm": "policy=fusion",
                "metric": metric,
                "reference": 0.80,
                "value": 0.85,
                "diff": 0.05,
                "half_width": 0.01,
                "lo": 0.04,
                "hi": 0.06,
                "pct_change": 6.25,
                "pct_lo": 5.0,
                "pct_hi": 7.5,
                "delta_cost": 1000.0,
                "cost_per_unit": 1000.0 / 0.05,
                "variance_reduction": 0.5,
                "n_pairs": 5,
            }
        ]
    )
    row = reporttext.comparison_markdown(comp, [], "en").splitlines()[2]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:7] == ["fusion", "80.0", "85.0", "+5.0 pp", "[4.00, 6.00]", "+6.25 [5.00, 7.50]"]
    assert cells[8] == "200"  # yuan per year per percentage point
    assert math.isclose(float(cells[7].replace(",", "")), 1000.0)


def test_an_output_folder_under_a_file_is_refused_in_one_line_before_anything_is_written(
    sweeps, tmp_path, capsys
):
    """``--out`` below a file: one line naming the option, the file and what is allowed, exit 2, and the
    sweep's own tables are not written first (before the fix: a NotADirectoryError traceback)."""
    sweep = tmp_path / "copy"
    shutil.copytree(sweeps["two"], sweep)
    before = sorted(p.relative_to(sweep) for p in sweep.rglob("*"))
    (tmp_path / "afile").write_text("mine", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        report.main([str(sweep), "--out", str(tmp_path / "afile" / "report")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("govsim-report: error: --out="), err
    assert "afile" in err[0] and "is a file" in err[0] and "allowed:" in err[0], err
    assert sorted(p.relative_to(sweep) for p in sweep.rglob("*")) == before
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "mine"
