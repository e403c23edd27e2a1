"""A crash in any phase of a run leaves an honest record and no result that looks complete.

Each test forces one phase of ``runner.run_to_dir`` to fail (build, simulate, metrics, write records,
write tables, figures) and checks: ``run.json`` says ``failed`` with the error and its traceback, the run
cannot be loaded as a result, no temporary file is left behind, and no file of the failing phase exists
half-written. A control run of the same configuration completes, so the faults are what failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet
import pytest

import govsim.incidents
import govsim.model
import govsim.plots
import govsim.runner
from govsim.compose import compose
from govsim.config import GovsimConfig
from govsim.runner import RECORD_FILES, load_records, run_to_dir

RESULT_FILES = (
    *RECORD_FILES,
    "kpis.csv",
    "costs.csv",
    "utilisation.csv",
    "results.xlsx",
    "summary.txt",
    "backlog.png",
    "resolution_time.png",
    "hotspot_map.png",
)


@pytest.fixture(scope="module")
def cfg() -> GovsimConfig:
    return compose(
        [
            "scenario=one_town",
            "horizon_days=20",
            "warmup_days=5",
            "output.progress=false",
            "output.figures=true",
        ]
    )


class Injected(RuntimeError):
    """The fault a test forces."""


def _raise(message: str) -> Callable[..., Any]:
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise Injected(message)

    return fail


def _half_write(message: str) -> Callable[..., Any]:
    """A writer that puts a few bytes into its target, then fails: a disk filling up mid-file."""

    def fail(self: Any, path: Any, *_args: Any, **_kwargs: Any) -> None:
        Path(path).write_bytes(b"half a file")
        raise Injected(message)

    return fail


def _half_parquet(message: str) -> Callable[..., Any]:
    """``pyarrow.parquet.ParquetWriter.write_table`` writing its row group to the file, then failing.

    Every Parquet file goes through it: ``pyarrow.parquet.write_table`` (pandas' ``to_parquet``) opens a
    writer too, and ``recordfiles.write_incidents`` writes the incident table a row group at a time.
    """
    write = pyarrow.parquet.ParquetWriter.write_table

    def fail(self: Any, table: Any, *args: Any, **kwargs: Any) -> None:
        write(self, table, *args, **kwargs)  # a row group written into the temporary file
        raise Injected(message)

    return fail


def _assert_failed_honestly(out: Path, message: str, absent: tuple[str, ...]) -> None:
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert info["status"] == "failed"
    assert info["error"] == f"Injected: {message}"
    assert "Injected" in info["traceback"] and "Traceback" in info["traceback"]
    assert (out / "config.yaml").is_file()  # the resolved config, to reproduce the failure
    with pytest.raises(ValueError, match="status is 'failed'"):
        load_records(out)
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    for name in absent:
        assert not (out / name).exists(), f"{name} exists after a failure before or while writing it"


def test_control_run_completes(cfg: GovsimConfig, tmp_path: Path) -> None:
    run_to_dir(cfg, tmp_path)
    assert json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))["status"] == "complete"
    assert all((tmp_path / name).is_file() for name in RESULT_FILES)
    assert len(load_records(tmp_path).incidents) > 0


def test_failure_while_building(cfg: GovsimConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(govsim.runner, "GovernanceModel", _raise("build"))
    with pytest.raises(Injected):
        run_to_dir(cfg, tmp_path)
    _assert_failed_honestly(tmp_path, "build", RESULT_FILES)


def test_failure_mid_simulation(cfg: GovsimConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    intake = govsim.incidents.IncidentLoop.intake

    def crash_on_day_10(self: Any, day: int) -> None:
        if day == 10:
            raise Injected("simulate, day 10")
        intake(self, day)

    monkeypatch.setattr(govsim.incidents.IncidentLoop, "intake", crash_on_day_10)
    with pytest.raises(Injected):
        run_to_dir(cfg, tmp_path)
    _assert_failed_honestly(tmp_path, "simulate, day 10", RESULT_FILES)


def test_interrupt_mid_simulation(cfg: GovsimConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*_args: Any, **_kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(govsim.model.GovernanceModel, "run", interrupt)
    with pytest.raises(KeyboardInterrupt):
        run_to_dir(cfg, tmp_path)
    info = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert info["status"] == "failed" and info["error"].startswith("KeyboardInterrupt")
    assert not any((tmp_path / name).exists() for name in RESULT_FILES)


def test_failure_in_metrics(cfg: GovsimConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(govsim.runner, "kpi_tables", _raise("metrics"))
    with pytest.raises(Injected):
        run_to_dir(cfg, tmp_path)
    _assert_failed_honestly(tmp_path, "metrics", RESULT_FILES)


def test_failure_writing_records(cfg: GovsimConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the one Parquet writer both routes go through: incidents from Arrow columns, the rest from pandas
    monkeypatch.setattr(pyarrow.parquet.ParquetWriter, "write_table", _half_parquet("disk full (records)"))
    with pytest.raises(Injected):
        run_to_dir(cfg, tmp_path)
    _assert_failed_honestly(tmp_path, "disk full (records)", RESULT_FILES)


def test_failure_writing_tables(cfg: GovsimConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pd.DataFrame, "to_csv", _half_write("disk full (tables)"))
    with pytest.raises(Injected):
        run_to_dir(cfg, tmp_path)
    _assert_failed_honestly(tmp_path, "disk full (tables)", RESULT_FILES[len(RECORD_FILES) :])


def test_failure_drawing_figures(cfg: GovsimConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(govsim.plots, "plot_hotspot_rates", _raise("figures"))
    with pytest.raises(Injected):
        run_to_dir(cfg, tmp_path)
    _assert_failed_honestly(tmp_path, "figures", ("hotspot_map.png",))


def test_failure_saving_a_figure(cfg: GovsimConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib.figure

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", _half_write("disk full (figures)"))
    with pytest.raises(Injected):
        run_to_dir(cfg, tmp_path)
    _assert_failed_honestly(tmp_path, "disk full (figures)", RESULT_FILES[-3:])
