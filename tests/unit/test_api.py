"""The Python API: ``govsim.run`` / ``govsim.load`` validate inside, the README example runs as written,
and ``runner.simulate`` refuses a bad hand-built config with the line the command prints.

The simulate tests and the README example failed on the code before issue 12 (no ``govsim.run``;
``simulate`` ran routing accuracy 1.7 and a warm-up past the horizon).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest

import govsim
from govsim.compose import compose
from govsim.runner import simulate
from govsim.validate import InputError

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example() -> str:
    """The first Python block of the README's "Python API" section, as a reader copies it."""
    section = README.read_text(encoding="utf-8").split("## Python API", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)[:1]
    return code


def test_readme_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    code = readme_example()
    assert len(code.strip().splitlines()) == 5
    monkeypatch.chdir(tmp_path)
    exec(compile(code, str(README), "exec"), {})  # noqa: S102 - the documented example, verbatim
    out = capsys.readouterr().out
    assert "resolution_mean" in out and "on_time_rate" in out
    assert (tmp_path / "my_run" / "run.json").is_file()
    assert re.search(r"\(\d+, \d+\)", out)  # the shape of the incident table read back


def test_load_gives_back_what_run_returned(tmp_path: Path, quick: list[str]) -> None:
    done = govsim.run([*quick, "horizon_days=20", "warmup_days=5"], out=tmp_path / "r")
    assert done.run_dir == (tmp_path / "r").resolve()
    back = govsim.load(tmp_path / "r")
    assert back.config == done.config
    pd.testing.assert_frame_equal(back.kpis, done.kpis)
    assert len(back.incidents) == len(done.incidents) > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.run_dir = None  # type: ignore[misc]


def test_run_in_memory_writes_nothing(
    tmp_path: Path, quick: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    done = govsim.run(quick)
    assert done.run_dir is None and not list(tmp_path.iterdir())
    assert set(done.kpis["by"]) == {"all", "category", "county"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["warmup_days=90", "horizon_days=60"], "warmup_days=90.0: allowed: less than horizon_days (60)"),
        (["seed=1,2"], "seed=1,2: several values make a sweep"),
        (["policy=nonexistent"], "policy='nonexistent': unknown policy"),
    ],
)
def test_run_refuses_bad_input_with_the_commands_line(
    overrides: list[str], message: str, tmp_path: Path
) -> None:
    with pytest.raises(InputError) as info:
        govsim.run(["scenario=one_town", *overrides], out=tmp_path / "r")
    assert str(info.value).startswith(message)
    assert not (tmp_path / "r").exists()


def test_run_refuses_an_occupied_directory(tmp_path: Path, quick: list[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match=r"the directory exists and is not empty"):
        govsim.run(quick, out=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_load_reads_a_sweep_jobs_directory_and_checks_its_config(tmp_path: Path, quick: list[str]) -> None:
    govsim.run(quick, out=tmp_path / "job")
    config = tmp_path / "job" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "experiment:\n  name: x\n", encoding="utf-8")
    assert (
        govsim.load(tmp_path / "job").config.scenario.name == "one_town"
    )  # the experiment section is not the run's
    config.write_text(config.read_text(encoding="utf-8").replace("seed: 0", "seed: -3"), encoding="utf-8")
    with pytest.raises(InputError, match=r"config.yaml: seed=-3"):
        govsim.load(tmp_path / "job")


def test_load_refuses_what_is_not_a_run(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a govsim run directory"):
        govsim.load(tmp_path)


def _expected(overrides: list[str]) -> str:
    with pytest.raises(InputError) as info:
        compose(["scenario=one_town", *overrides])
    return str(info.value)


def test_simulate_refuses_a_routing_accuracy_above_one_as_the_command_does(quick: list[str]) -> None:
    cfg = compose(quick)
    cfg.policy.fusion.routing_accuracy = 1.7
    with pytest.raises(InputError) as info:
        simulate(cfg)
    assert str(info.value) == _expected([*quick, "policy.fusion.routing_accuracy=1.7"])


def test_simulate_refuses_a_warmup_past_the_horizon_as_the_command_does(quick: list[str]) -> None:
    cfg = compose(quick)
    cfg.warmup_days = 10.0
    with pytest.raises(InputError) as info:
        simulate(cfg)
    assert str(info.value) == _expected([*quick, "warmup_days=10"])


def test_import_govsim_is_light_and_still_gives_its_version() -> None:
    """``import govsim`` loads neither the model's libraries nor ``importlib.metadata``.

    The version is read on first use (``govsim.__getattr__``).
    """
    import subprocess
    import sys
    from importlib.metadata import version

    script = (
        "import sys, govsim\n"
        "heavy = ['importlib.metadata', 'hydra', 'mesa', 'pandas', 'matplotlib']\n"
        "print([m for m in heavy if m in sys.modules], govsim.__version__, callable(govsim.run))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[]", version("govsim"), "True"]


def test_a_string_of_overrides_is_refused_naming_what_to_pass() -> None:
    """``govsim.run("scenario=one_town")`` read each character as an override: "cannot read override 's'"."""
    with pytest.raises(InputError) as exc:
        govsim.run("scenario=one_town horizon_days=30")  # type: ignore[arg-type]
    assert str(exc.value) == (
        "overrides='scenario=one_town horizon_days=30': a string; allowed: a list of overrides, e.g. "
        "['scenario=one_town', 'horizon_days=30']"
    )
