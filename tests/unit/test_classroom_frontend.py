"""``govsim-class`` without the front end it would start says so in one line, before anything starts."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from refusal import refused  # tests/unit on the path, as pytest puts it

from govsim import classroom

REAL_FIND_SPEC = importlib.util.find_spec


@pytest.fixture
def without(monkeypatch: pytest.MonkeyPatch):
    """Make the named modules look not installed; fail if govsim-class prepares or starts anything."""

    def hide(*names: str) -> None:
        def find_spec(name: str, *args: object, **kwargs: object):
            return None if name.split(".")[0] in names else REAL_FIND_SPEC(name, *args, **kwargs)

        monkeypatch.setattr(importlib.util, "find_spec", find_spec)

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("govsim-class went on")

    monkeypatch.setattr(classroom, "prepare", fail)
    monkeypatch.setattr(os, "execve", fail)
    return hide


def test_without_jupyterlab_one_line_names_the_install_and_voila(tmp_path: Path, capsys, without) -> None:
    without("jupyterlab")
    where = tmp_path / "x"
    err = refused(classroom.main, ["--no-browser", "--dir", str(where), "--port", "18931"], capsys)
    assert err.startswith("govsim-class: error: JupyterLab is not installed; allowed: ")
    assert 'pip install -e ".[notebooks]"' in err and "govsim-class --voila" in err
    assert not where.exists()


def test_without_voila_the_voila_option_says_so(tmp_path: Path, capsys, without) -> None:
    without("voila")
    err = refused(classroom.main, ["--voila", "--dir", str(tmp_path / "x")], capsys)
    assert err.startswith("govsim-class: error: Voilà is not installed; allowed: ")
    assert 'pip install -e ".[notebooks]"' in err


def test_prepare_only_needs_no_front_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a, **k: None if name in ("jupyterlab", "voila") else real(name, *a, **k),
    )
    written = []
    monkeypatch.setattr(
        classroom, "prepare", lambda workdir, force=False: written.append(workdir) or [workdir / "01_a.ipynb"]
    )
    classroom.main(["--prepare-only", "--dir", str(tmp_path / "x")])
    assert written
