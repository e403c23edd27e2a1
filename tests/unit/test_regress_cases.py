"""``govsim-regress`` cases: two cases of one name would share one baseline file, so they are refused
(one line, exit 2, before anything runs or is written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govsim import regress


@pytest.fixture(autouse=True)
def no_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def run_case(*args: object, **kwargs: object) -> None:
        raise AssertionError("a case ran")

    monkeypatch.setattr(regress, "run_case", run_case)


def test_two_cases_of_one_name_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bl = tmp_path / "bl5"
    argv = [
        "--case",
        "t: scenario=one_town horizon_days=40",
        "--case",
        "t: scenario=one_town horizon_days=50",
    ]
    with pytest.raises(SystemExit) as exc:
        regress.main([*argv, "--baselines", str(bl), "--update"])
    assert exc.value.code == 2 and not bl.exists()
    err = capsys.readouterr().err.strip()
    assert err == (
        "govsim-regress: error: --case='t: scenario=one_town horizon_days=50': a second case named 't' "
        "(its baseline would replace the first's, t.json); allowed: one case per name"
    )


def test_two_cases_of_one_name_are_refused_when_checking_too(tmp_path, capsys) -> None:
    argv = ["--case", "t: scenario=one_town", "--case", " t : scenario=one_town policy=grid"]
    with pytest.raises(SystemExit) as exc:
        regress.main([*argv, "--baselines", str(tmp_path)])
    assert exc.value.code == 2 and "a second case named 't'" in capsys.readouterr().err


def test_distinct_names_are_selected(tmp_path) -> None:
    args = regress._parser().parse_args(["--case", "a: scenario=one_town", "--case", "b: scenario=one_town"])
    assert [c.name for c in regress.select(args)] == ["a", "b"]


@pytest.mark.parametrize("name", ["../escaped", "/tmp/absx", "nosub/x", ".hidden", "a\\b"])
def test_a_case_name_that_is_not_one_file_name_is_refused(name: str, tmp_path: Path, capsys) -> None:
    """A case's baseline is ``<baselines>/NAME.json``: ``../escaped`` had written beside the folder."""
    bl = tmp_path / "bl"
    with pytest.raises(SystemExit) as exc:
        regress.main(["--case", f"{name}: scenario=one_town", "--baselines", str(bl), "--update"])
    assert exc.value.code == 2 and not bl.exists() and list(tmp_path.iterdir()) == []
    err = capsys.readouterr().err.strip()
    assert (
        err.startswith(f"govsim-regress: error: --case {name!r}: allowed: a name of letters")
        and "\n" not in err
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--case", "a: scenario=one_town horizon_days=40 seed=3"],
        ["--case", "a: scenario=one_town replication=2"],
        ["--case", "a: scenario=one_town", "seed=5"],  # an override applied to every case
    ],
)
def test_a_seed_or_replication_in_a_case_is_refused(argv: list[str], tmp_path: Path, capsys) -> None:
    """``seed=3`` in a case was silently replaced by --seed's value (0 with --update) and stored beside
    ``"seed": 0`` in the baseline; the seed and replications are govsim-regress's own options."""
    bl = tmp_path / "bl"
    with pytest.raises(SystemExit) as exc:
        regress.main([*argv, "--baselines", str(bl), "--update" if "seed=5" not in argv else "--seed=1"])
    assert exc.value.code == 2 and not bl.exists()
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "allowed: --seed and --replications" in err, err


@pytest.mark.parametrize("value", ["0", "1", "-2"])
def test_too_few_replications_are_refused_naming_the_value(value: str, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        regress.main(["--case", "a: scenario=one_town", "--baselines", str(tmp_path / "b"), "--update",
                      f"--replications={value}"])  # fmt: skip
    assert exc.value.code == 2
    assert f"--replications={value}: allowed: 2 or more" in capsys.readouterr().err
