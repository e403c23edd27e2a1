"""Identity of runs and sweep jobs: a directory is never reused silently, duplicates merge, names stay inside.

Each test here failed on the code before issue 15 (noted in the branch report).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govsim import planning
from govsim.compose import InputError, compose
from govsim.identity import SweepPlanError, plan_unique, safe_component


def test_two_identical_runs_started_together_get_two_directories(
    tmp_path: Path, quick: list[str], console
) -> None:
    procs = [console("govsim", tmp_path, *quick, wait=False) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    runs = sorted(tmp_path.glob("outputs/one_town/baseline/*/run.json"))
    assert len(runs) == 2
    assert all(json.loads(r.read_text(encoding="utf-8"))["status"] == "complete" for r in runs)


def test_run_directory_names_carry_the_config_digest(tmp_path: Path, quick: list[str], console) -> None:
    p = console("govsim", tmp_path, *quick, "policy.grid.staffing=1.2", wait=False)
    _, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    (run,) = tmp_path.glob("outputs/one_town/baseline/*")
    default = planning.config_identity(compose(quick))
    assert not run.name.endswith(default[:8])  # the lever override changed the name
    assert len(run.name.rsplit("_", 1)[1]) == 8


def test_named_run_directory_that_holds_files_is_refused(tmp_path: Path, quick: list[str], console) -> None:
    (tmp_path / "summary.txt").write_text("my own notes\n", encoding="utf-8")
    p = console("govsim", tmp_path, *quick, "hydra.run.dir=.", wait=False)
    _, err = p.communicate(timeout=300)
    assert p.returncode == 2
    assert err.strip().splitlines()[-1].startswith("govsim: error: hydra.run.dir='.'")
    assert (tmp_path / "summary.txt").read_text(encoding="utf-8") == "my own notes\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["summary.txt"]


@pytest.mark.parametrize("name", ["../../escape", "/tmp/x", "a/b", ".hidden", ".."])
@pytest.mark.parametrize("key", ["scenario.name", "policy.name"])
def test_names_cannot_climb_out_of_the_output_root(key: str, name: str, quick: list[str]) -> None:
    with pytest.raises(InputError, match=rf"^{key}="):
        compose([*quick, f"{key}={name}"])


def test_chinese_names_stay_readable_in_paths() -> None:
    assert safe_component("江门_基线") == "江门_基线"
    assert safe_component("../x") == "_x"


@pytest.mark.parametrize(
    "swept, kept",
    [(["seed=1,1,2"], ["seed=1,2"]), (["policy.grid.staffing=1.0,1"], ["policy.grid.staffing=1.0"])],
)
def test_duplicate_sweep_values_are_merged_before_launch(
    swept: list[str], kept: list[str], capsys: pytest.CaptureFixture[str], quick: list[str]
) -> None:
    configs, argv = planning.preflight(["-m", *quick, *swept])
    assert argv == ["-m", *quick, *kept]
    assert len(configs) == len(kept[0].split(","))
    assert "已合并" in capsys.readouterr().err  # in the run's language (zh by default)
    planning.preflight(["-m", *quick, *swept, "output.lang=en"])
    assert "merged" in capsys.readouterr().err


def test_duplicate_policies_are_merged(quick: list[str]) -> None:
    configs, argv = planning.preflight(["-m", *quick, "policy=baseline,baseline,grid"])
    assert argv[-1] == "policy=baseline,grid"
    assert [c.policy.name for c in configs] == ["baseline", "grid"]


def test_jobs_that_coincide_across_keys_are_refused() -> None:
    # a and b are different values of different keys that make the same run: nothing to merge by key
    def identity(job: list[str]) -> str:
        return "same" if job in (["x=1", "y=2"], ["x=2", "y=1"]) else ",".join(job)

    with pytest.raises(SweepPlanError, match="run the same configuration"):
        plan_unique(["x=1,2", "y=1,2"], identity)


def test_named_sweep_directory_that_holds_files_is_refused(tmp_path: Path, quick: list[str]) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="hydra.sweep.dir="):
        planning.preflight(["-m", *quick, "seed=1,2", f"hydra.sweep.dir={tmp_path}"])


def test_a_calendar_file_is_an_input_whose_content_is_part_of_the_identity(tmp_path: Path) -> None:
    """Like the territory file: a job's identity follows the calendar file's content, not its path."""
    from govsim.identity import file_checksum, input_files

    cal = tmp_path / "calendar.csv"
    cal.write_text("date,kind\n2027-01-01,dayoff\n", encoding="utf-8")
    plain = {"scenario": {"territory": "one_town", "calendar_file": str(cal)}}
    assert cal in input_files(plain)
    before = file_checksum(cal)
    cal.write_text("date,kind\n2027-01-02,dayoff\n", encoding="utf-8")
    assert file_checksum(cal) != before
