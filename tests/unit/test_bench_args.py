"""``benchmarks/bench.py``'s arguments: refused in one line before any round runs (nothing is timed here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchscript import load_script  # tests/unit on the path, as pytest puts it

ROOT = Path(__file__).resolve().parents[2]


def _bench():  # noqa: ANN202 - the script as a module
    return load_script("bench")


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--only", "hotline"], "--only hotline"),
        (["--only", "hotline", "scaling"], "--only hotline"),
        (["--scales", "0", "1"], "--scales 0"),
        (["--scales", "-1", "1"], "--scales -1"),
        (["--scales", "1", "2", "1"], "--scales 1.0"),
        (["--scales", "2"], "--scales 2"),
        (["--rounds", "0"], "--rounds"),
        (["--scaling-rounds", "x"], "--scaling-rounds"),
        (["--scales", "x", "1"], "--scales"),
        (["--only", "nope"], "--only"),
    ],
)
def test_bad_arguments_are_one_line_naming_the_option_before_any_round(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = _bench()
    ran: list[str] = []
    monkeypatch.setattr(bench, "compile_govsim", lambda: ran.append("compile"))
    monkeypatch.setattr(bench, "run_child", lambda *a, **k: ran.append("round"))
    with pytest.raises(SystemExit) as stop:
        bench.main(argv)
    assert stop.value.code == 2
    out = capsys.readouterr()
    assert out.err.count("\n") == 1, out.err
    assert named in out.err and "allowed: " in out.err
    assert ran == [] and out.out == ""


def test_scales_are_sorted_ascending() -> None:
    bench = _bench()
    assert bench.check_scales([2.0, 0.25, 1.0]) == [0.25, 1.0, 2.0]


def test_a_partial_run_does_not_overwrite_the_full_results() -> None:
    bench = _bench()
    assert bench.default_out(set(bench.PARTS)).name == "results.json"
    assert bench.default_out({"jiangmen", "one_town"}).name == "results-partial.json"
    assert bench.default_out({"one_town"}).parent == bench.default_out(set(bench.PARTS)).parent


@pytest.mark.parametrize(
    ("rounds", "scaling", "parts", "warns"),
    [
        (3, 3, {"jiangmen", "scaling"}, False),
        (2, 3, {"jiangmen", "scaling"}, True),
        (3, 1, {"jiangmen", "scaling"}, True),
        (3, 1, {"jiangmen"}, False),  # the scaling part does not run: its rounds do not matter
        (1, 3, {"scaling"}, False),
    ],
)
def test_fewer_than_three_rounds_warn(rounds: int, scaling: int, parts: set[str], warns: bool) -> None:
    bench = _bench()
    line = bench.few_rounds_warning(rounds, scaling, parts)
    assert (line is not None) == warns
    if warns:
        assert "indicative" in line and "\n" not in line
