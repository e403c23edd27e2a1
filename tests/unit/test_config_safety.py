"""Configs cannot run code, write files of their choosing or copy environment variables.

Each test here failed on the code before issue 15 (noted in the branch report).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govsim import planning
from govsim.compose import InputError


@pytest.mark.parametrize("tool", ["govsim", "govsim-experiment"])
def test_callback_on_the_command_line_writes_nothing(
    tmp_path: Path, tool: str, quick: list[str], console
) -> None:
    target = tmp_path / "pwned.pth"
    extra = ["+experiment=four_focus"] if tool == "govsim-experiment" else []
    callback = f"+hydra.callbacks.x={{_target_:pathlib.Path.write_text,self:{target},data:hi}}"
    p = console(tool, tmp_path, *extra, *quick, callback)
    assert p.returncode == 2, p.stderr
    assert "cannot name code to run" in p.stderr.strip().splitlines()[-1]
    assert not target.exists()
    assert not (tmp_path / "outputs").exists() and not (tmp_path / "multirun").exists()


def _user_config(tmp_path: Path, body: str, quick: list[str]) -> list[str]:
    (tmp_path / "cfg" / "evil").mkdir(parents=True)
    (tmp_path / "cfg" / "evil" / "x.yaml").write_text("# @package _global_\n" + body, encoding="utf-8")
    return ["--config-dir", str(tmp_path / "cfg"), *quick, "+evil=x"]


@pytest.mark.parametrize(
    "body, fragment",
    [
        (
            "hydra:\n  callbacks:\n    x:\n      _target_: pathlib.Path.write_text\n"
            "      self: /tmp/p\n      data: hi\n",
            "hydra.callbacks.x._target_='pathlib.Path.write_text'",
        ),
        (
            "hydra:\n  job_logging:\n    handlers:\n      file:\n        class: logging.FileHandler\n"
            "        filename: /tmp/anywhere.pth\n",
            "hydra.job_logging.handlers.file.filename='/tmp/anywhere.pth'",
        ),
        (
            "hydra:\n  job_logging:\n    handlers:\n      file:\n        class: os.system\n",
            "not a standard logging class",
        ),
        (
            "hydra:\n  hydra_logging:\n    formatters:\n      f:\n        (): builtins.exec\n",
            "a logging factory runs code",
        ),
        ("scenario:\n  name: ${oc.env:HOME}\n", "scenario.name='${oc.env:HOME}'"),
        ("hydra:\n  run:\n    dir: out/${oc.env:HOME}\n", "hydra.run.dir='out/${oc.env:HOME}'"),
        (
            "hydra:\n  sweeper:\n    max_batch_size: ${oc.env:N}\n",
            "hydra.sweeper.max_batch_size='${oc.env:N}'",
        ),
    ],
)
def test_yaml_through_config_dir_cannot_name_code(
    tmp_path: Path, body: str, fragment: str, quick: list[str]
) -> None:
    with pytest.raises((InputError, ValueError), match=None) as info:
        planning.preflight(_user_config(tmp_path, body, quick))
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "override",
    [
        "scenario.name=${oc.env:HOME}",
        "hydra.run.dir=out/${oc.env:HOME}",
        "hydra.job_logging.handlers.file.class=os.system",
    ],
)
def test_overrides_cannot_read_the_environment_or_set_logging(override: str, quick: list[str]) -> None:
    with pytest.raises(
        (InputError, ValueError), match=r"oc.env|cannot name code|not a standard logging class"
    ):
        planning.preflight([*quick, override])


def test_shipped_experiment_callback_is_allowed() -> None:
    from omegaconf import OmegaConf

    from govsim.safety import check_safety

    check_safety(
        OmegaConf.create({"hydra": {"callbacks": {"e": {"_target_": "govsim.sweep.ExperimentCallback"}}}})
    )


# ---- govsim-class -------------------------------------------------------------------------------------
def test_voila_is_served_with_a_token(tmp_path: Path) -> None:
    from govsim import classroom

    cmd = classroom.command(tmp_path, tmp_path / "01_x.ipynb", True, 8888, False, token="abc")
    assert any(a.endswith("token=abc") for a in cmd)
    env_cmd = classroom.command(tmp_path, tmp_path / "01_x.ipynb", True, 8888, False)
    assert any("token=" in a and not a.endswith("token=") for a in env_cmd)


def test_prepare_keeps_an_instructors_edited_notebook_and_readme(tmp_path: Path) -> None:
    from govsim import classroom

    src = tmp_path / "src"
    src.mkdir()
    (src / "01_intro.py").write_text("# %%\nprint(1)\n", encoding="utf-8")
    (src / "README.md").write_text("shipped\n", encoding="utf-8")
    work = tmp_path / "class"
    classroom.prepare(work, sources=src)
    nb, readme = work / "01_intro.ipynb", work / "README.md"
    nb.write_text(nb.read_text(encoding="utf-8").replace("print(1)", "print('my notes')"), encoding="utf-8")
    readme.write_text("my class notes\n", encoding="utf-8")
    os.utime(src / "01_intro.py", (nb.stat().st_mtime + 10, nb.stat().st_mtime + 10))  # source newer
    (src / "README.md").write_text("shipped v2\n", encoding="utf-8")
    classroom.prepare(work, sources=src)
    assert "my notes" in nb.read_text(encoding="utf-8")
    assert readme.read_text(encoding="utf-8") == "my class notes\n"
    classroom.prepare(work, sources=src, force=True)
    assert "my notes" not in nb.read_text(encoding="utf-8")
    assert readme.read_text(encoding="utf-8") == "shipped v2\n"
