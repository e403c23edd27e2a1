"""``benchmarks/bench_hotline.py``: its rounds are checked and its label follows the days (nothing timed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchscript import load_script  # tests/unit on the path, as pytest puts it

ROOT = Path(__file__).resolve().parents[2]


def _script():  # noqa: ANN202 - the script as a module
    return load_script("bench_hotline")


@pytest.mark.parametrize("text", ["0", "-1", "two"])
def test_rounds_below_one_are_refused_in_one_line(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        _script().main(["--rounds", text])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--rounds" in err and f"'{text}'" in err and "allowed: " in err


def test_the_cpu_label_names_the_days_simulated() -> None:
    script = _script()
    assert script.period(365) == "per year"
    assert script.period(30) == "per 30 simulated days"
