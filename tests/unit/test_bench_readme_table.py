"""``benchmarks/readme_table.py``: the README's table from a hand-made results file (nothing is timed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchscript import load_script  # tests/unit on the path, as pytest puts it

ROOT = Path(__file__).resolve().parents[2]


def _table():  # noqa: ANN202 - the script as a module
    return load_script("readme_table")


def _results() -> dict[str, object]:
    run = {"wall": 9.6, "user": 11.0, "sys": 0.4, "peak_mb": 611.0, "tickets": 1_027_764}
    per = {
        "0.5": {"tickets": 500, "wall": 1.0, "peak_mb": 300.0, "us_per_ticket": 10.0, "kb_per_ticket": 0.6,
                "sim_us_per_ticket": 7.2, "sim_us_per_ticket_min": 6.1,
                "sim_cpu_us_per_ticket": 7.0, "sim_cpu_us_per_ticket_min": 6.0},
        "1.0": {"tickets": 1000, "wall": 2.0, "peak_mb": 500.0, "us_per_ticket": 9.0, "kb_per_ticket": 0.5,
                "sim_us_per_ticket": 7.9, "sim_us_per_ticket_min": 6.9, "marginal_kb_per_ticket": 0.46,
                "sim_cpu_us_per_ticket": 7.7, "sim_cpu_us_per_ticket_min": 6.5},
    }  # fmt: skip
    return {
        "machine": "Linux",
        "python": "3.12.1",
        "load_before": "load average 1 1 1 on 2 cores",
        "load_after": "load average 1 1 1 on 2 cores",
        "rounds": 3,
        "scaling_rounds": 2,
        "targets": {
            "ratio": 0.5,
            "peak_mb": 800.0,
            "one_town_wall": 1.5,
            "scaling_spread": 1.2,
            "memory_spread": 1.2,
            "slider_update": 0.5,
        },  # fmt: skip
        "jiangmen": {
            "govsim": run,
            "reference": {"wall": 34.2, "user": 34.0, "sys": 0.2, "peak_mb": 19.0, "tickets": 1_027_764},
            "ratios": [0.34, 0.27, 0.27],
            "ratio": 0.27,  # the median of the rounds: not 9.6 / 34.2 = 0.28
        },
        "scaling": {
            "by_scale": per,
            "sim_spread": 7.9 / 7.2,
            "sim_spread_fastest": 6.9 / 6.1,
            "sim_cpu_spread": 7.7 / 7.0,
            "sim_cpu_spread_fastest": 6.5 / 6.0,
        },
        "verdict": [{"measure": "x", "value": 1.0, "target": 1.2, "met": True, "indicative": True}],
    }


def test_the_ratio_row_does_not_write_a_division_it_did_not_make() -> None:
    text = _table().table(_results())
    (row,) = [line for line in text.splitlines() if "whole command, against" in line]
    assert " = **0.27**" not in row
    assert "9.6 s against 34.2 s" in row and "ratio, median of rounds: **0.27**" in row


def test_the_scaling_row_shows_the_median_judged_and_the_fastest_round_beside_it() -> None:
    text = _table().table(_results())
    (row,) = [line for line in text.splitlines() if line.startswith("| simulate-phase")]
    assert "median of rounds (fastest round)" in row
    assert "7.2 (6.1), 7.9 (6.9): max/min **1.10** (1.13)" in row


def test_the_rounds_of_the_run_are_shown() -> None:
    text = _table().table(_results())
    assert "3 rounds (scaling part: 2)" in text
    assert "indicative" in text  # the verdict was marked so


def test_a_missing_or_unreadable_results_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = _table()
    bad = tmp_path / "results.json"
    bad.write_text("{not json")
    for path in (bad, tmp_path / "missing.json"):
        with pytest.raises(SystemExit) as stop:
            table.main([str(path)])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and path.name in err


def test_a_results_file_of_another_shape_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"machine": "Linux"}))
    with pytest.raises(SystemExit) as stop:
        _table().main([str(path)])
    assert stop.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1
