"""``govsim-class`` refuses a working folder that is a file and a port outside 1..65535 in one line
(exit 2), before it writes anything or starts a front end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from refusal import refused  # tests/unit on the path, as pytest puts it

from govsim import classroom


@pytest.fixture(autouse=True)
def nothing_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("govsim-class went on")

    monkeypatch.setattr(classroom, "prepare", fail)
    monkeypatch.setattr(os, "execve", fail)


@pytest.mark.parametrize("below", ["", "sub"])
def test_a_dir_that_is_a_file_is_refused(tmp_path: Path, capsys, below: str) -> None:
    """The folder itself, or a parent of it, is an existing file (``--dir /etc/passwd``)."""
    file = tmp_path / "passwd"
    file.write_text("root:x:0:0\n", encoding="utf-8")
    where = file / below if below else file
    err = refused(classroom.main, ["--dir", str(where), "--prepare-only"], capsys)
    assert err == (
        f"govsim-class: error: --dir={str(where)!r}: {str(file)!r} is a file; allowed: a directory (new, or "
        "one govsim-class prepared)"
    )
    assert file.read_text(encoding="utf-8") == "root:x:0:0\n"


@pytest.mark.parametrize("port", ["0", "-1", "65536", "99999"])
def test_a_port_outside_the_tcp_range_is_refused(tmp_path: Path, capsys, port: str) -> None:
    argv = ["--dir", str(tmp_path / "class"), f"--port={port}", "--no-browser"]
    err = refused(classroom.main, argv, capsys)
    assert err == f"govsim-class: error: --port={port}: allowed: an integer from 1 to 65535"
    assert not (tmp_path / "class").exists()


def test_a_new_dir_and_a_valid_port_go_on(tmp_path: Path, monkeypatch) -> None:
    seen: list[Path] = []

    def prepare(workdir: Path, force: bool = False) -> list[Path]:
        seen.append(workdir)
        return [workdir / "01_x.ipynb"]

    monkeypatch.setattr(classroom, "prepare", prepare)
    classroom.main(["--dir", str(tmp_path / "class"), "--port=65535", "--prepare-only"])
    assert seen == [(tmp_path / "class").resolve()]


def test_a_dir_holding_files_govsim_class_did_not_prepare_is_refused(tmp_path: Path, capsys) -> None:
    """``--dir`` naming a sweep's report folder: the notebooks were written in among the report's files."""
    where = tmp_path / "report"
    where.mkdir()
    (where / "report.md").write_text("# mine\n", encoding="utf-8")
    err = refused(classroom.main, ["--dir", str(where), "--prepare-only"], capsys)
    assert err == (
        f"govsim-class: error: --dir={str(where)!r}: the directory exists and is not empty (govsim-class did "
        "not prepare it); allowed: a new or empty directory, or one govsim-class prepared"
    )
    assert [p.name for p in where.iterdir()] == ["report.md"]


def test_an_empty_dir_and_one_govsim_class_prepared_go_on(tmp_path: Path, monkeypatch) -> None:
    seen: list[Path] = []
    monkeypatch.setattr(classroom, "prepare", lambda workdir, force=False: seen.append(workdir) or [])
    (tmp_path / "empty").mkdir()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "01_closed_loop.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "mine" / classroom.RECORD).write_text("{}", encoding="utf-8")
    for name in ("empty", "mine"):
        classroom.main(["--dir", str(tmp_path / name), "--prepare-only"])
    assert seen == [(tmp_path / "empty").resolve(), (tmp_path / "mine").resolve()]
