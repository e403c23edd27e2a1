"""``govsim-calibrate``'s command line: bad --trials / --n-jobs and an occupied output directory are
refused in one line (exit 2) before anything runs, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from refusal import refused  # tests/unit on the path, as pytest puts it

from govsim import calibrate

SPEC = (
    "name: t_cli\nscenario: one_town\noverrides: [horizon_days=40]\nseeds: [0]\ntrials: 3\n"
    "parameters: {scenario.incident_rate: {low: 0.1, high: 1}}\n"
    "targets: {tickets: {value: 1, tolerance: 1}}\n"
)


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A valid spec; a calibration that would start fails the test (every case here must refuse first)."""

    def no_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the calibration ran")

    monkeypatch.setattr(calibrate, "run", no_run)
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("option", "value"),
    [("--trials", "-3"), ("--trials", "0"), ("--n-jobs", "0"), ("--n-jobs", "-1"), ("--trials", "2.5")],
)
def test_trials_and_jobs_below_one_are_refused(spec, tmp_path, capsys, option, value) -> None:
    out = tmp_path / "out"
    err = refused(calibrate.main, [str(spec), "--out", str(out), f"{option}={value}"], capsys)
    assert err == f"govsim-calibrate: error: {option}={value}: allowed: an integer >= 1"
    assert not out.exists()


def test_an_occupied_out_is_refused(spec, tmp_path, capsys) -> None:
    out = tmp_path / "cal1"
    (out / "scenario").mkdir(parents=True)
    (out / "scenario" / "other.yaml").write_text("name: other\n", encoding="utf-8")
    err = refused(calibrate.main, [str(spec), "--out", str(out), "--trials", "1"], capsys)
    assert err == (
        f"govsim-calibrate: error: --out={str(out)!r}: the directory exists and is not empty; allowed: a "
        "new or empty directory"
    )
    assert [p.name for p in (out / "scenario").iterdir()] == ["other.yaml"]


def test_an_occupied_default_out_is_refused(spec, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "calibration" / "t_cli").mkdir(parents=True)
    (tmp_path / "calibration" / "t_cli" / "fit_report.md").write_text("earlier\n", encoding="utf-8")
    err = refused(calibrate.main, [str(spec)], capsys)
    assert (
        "--out='calibration/t_cli': the directory exists and is not empty (the default output folder)" in err
    )


def test_an_empty_out_is_taken(spec, tmp_path, monkeypatch) -> None:
    """An empty directory is allowed: the refusal is about mixing results, not about existing."""
    ran: list[tuple[int, int]] = []

    def stop(s: calibrate.Spec, progress: bool = True) -> None:
        ran.append((s.trials, s.n_jobs))
        raise SystemExit(0)

    monkeypatch.setattr(calibrate, "run", stop)
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit):
        calibrate.main([str(spec), "--out", str(tmp_path / "empty"), "--trials", "1", "--n-jobs", "2"])
    assert ran == [(1, 2)]


def test_check_refuses_what_the_run_would_refuse(spec, tmp_path, capsys, monkeypatch) -> None:
    """``--check`` is the dry run: it had passed where the real run would refuse the output folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "calibration" / "t_cli").mkdir(parents=True)
    (tmp_path / "calibration" / "t_cli" / "fit_report.md").write_text("earlier\n", encoding="utf-8")
    err = refused(calibrate.main, [str(spec), "--check"], capsys)
    assert (
        "--out='calibration/t_cli': the directory exists and is not empty (the default output folder)" in err
    )


def test_an_out_that_is_a_file_is_called_a_file(spec, tmp_path, capsys) -> None:
    out = tmp_path / "tiny.yaml"
    out.write_text("name: mine\n", encoding="utf-8")
    err = refused(calibrate.main, [str(spec), "--out", str(out)], capsys)
    assert err == f"govsim-calibrate: error: --out={str(out)!r}: a file; allowed: a new or empty directory"
    assert out.read_text(encoding="utf-8") == "name: mine\n"
