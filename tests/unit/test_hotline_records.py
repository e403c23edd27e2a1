"""A 12345-hotline run keeps its day table on disk (``hotline.parquet``), so ``govsim.load`` gives exactly
the KPIs of the run's own ``kpis.csv``; a run without the hotline writes no such file.

Before the fix the day table lived only in memory: loading a hotline run gave 直接办结率 0.273 for the
run's 0.818 (the consultations resolved at the seat were lost) and 接通率 NaN.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import govsim
from govsim.hotline import SUMMARY
from govsim.runner import RECORD_FILES, load_records
from govsim.tables import read_table
from govsim.validate import InputError

BASE = [
    "scenario=one_town",
    "horizon_days=30",
    "warmup_days=5",
    "output.figures=false",
    "output.progress=false",
]


@pytest.fixture(scope="module")
def hotline_run(tmp_path_factory: pytest.TempPathFactory) -> govsim.RunResult:
    return govsim.run([*BASE, "scenario.hotline.enabled=true"], out=tmp_path_factory.mktemp("h") / "run")


def test_load_of_a_hotline_run_gives_exactly_its_kpis(hotline_run: govsim.RunResult) -> None:
    assert hotline_run.run_dir is not None
    back = govsim.load(hotline_run.run_dir)
    overall = hotline_run.kpis.iloc[0]
    assert overall["answer_rate_den"] > 0 and overall["on_site_share_num"] > 0  # the hotline did take calls
    pd.testing.assert_frame_equal(back.kpis, hotline_run.kpis, check_exact=True)


def test_a_hotline_runs_kpis_csv_is_what_load_recomputes(hotline_run: govsim.RunResult) -> None:
    assert hotline_run.run_dir is not None
    written = read_table(hotline_run.run_dir / "kpis.csv")
    back = govsim.load(hotline_run.run_dir).kpis
    # the CSV holds the values as text: equal to the last bit pandas reads back
    pd.testing.assert_frame_equal(written, back, check_exact=False, rtol=1e-15, atol=0.0, check_dtype=False)


def test_the_hotline_day_table_round_trips(hotline_run: govsim.RunResult) -> None:
    assert hotline_run.run_dir is not None
    kept = hotline_run.records.hotline
    back = load_records(hotline_run.run_dir).hotline
    assert kept is not None and back is not None
    pd.testing.assert_frame_equal(back, kept, check_exact=True)
    on_disk = pd.read_parquet(hotline_run.run_dir / "hotline.parquet")
    assert list(on_disk.columns) == [*SUMMARY, "date"]  # a reader's table: the day's date beside its index
    assert str(on_disk["date"].iloc[0]) == f"{hotline_run.config.scenario.start_date} 00:00:00"
    assert len(on_disk) == len(kept) > 1


def test_a_run_without_the_hotline_writes_no_day_table(tmp_path: Path) -> None:
    done = govsim.run(BASE, out=tmp_path / "plain")
    assert not (tmp_path / "plain" / "hotline.parquet").exists()
    assert {p.name for p in (tmp_path / "plain").glob("*.parquet")} == set(RECORD_FILES)
    assert load_records(tmp_path / "plain").hotline is None
    pd.testing.assert_frame_equal(govsim.load(tmp_path / "plain").kpis, done.kpis, check_exact=True)


def test_a_hotline_run_without_its_day_table_is_refused_not_loaded_wrong(
    hotline_run: govsim.RunResult, tmp_path: Path
) -> None:
    """A hotline run written before the day table was kept: ``load`` says so (one line), no wrong KPIs."""
    assert hotline_run.run_dir is not None
    old = tmp_path / "old"
    old.mkdir()
    for f in hotline_run.run_dir.iterdir():
        if f.name != "hotline.parquet":
            (old / f.name).write_bytes(f.read_bytes())
    with pytest.raises(InputError) as err:
        govsim.load(old)
    message = str(err.value)
    assert "\n" not in message and "scenario.hotline.enabled=true" in message and "hotline.parquet" in message


def test_docs_describe_every_column_of_the_hotline_file() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "kpis.md").read_text(encoding="utf-8")
    section = text.split("`hotline.parquet`", 1)[1]
    for column in (*SUMMARY, "date"):
        assert f"| `{column}` |" in section, column
