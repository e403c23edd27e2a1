"""``govsim-class`` prepares the notebooks and serves them offline: no page asset from a CDN."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from govsim import classroom

pytest.importorskip("jupytext")
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](https?://[^"']+)|import\(\s*["'](https?://[^"']+)""")


def test_prepare_writes_valid_notebooks_and_keeps_edits(tmp_path: Path):
    import nbformat

    paths = classroom.prepare(tmp_path)
    sources = sorted(classroom.notebook_sources().glob("[0-9][0-9]_*.py"))
    assert [p.name for p in paths] == [f"{s.stem}.ipynb" for s in sources]
    for p in paths:
        nbformat.validate(nbformat.read(p, as_version=4))
    assert (tmp_path / "README.md").exists()
    edited = paths[0].read_text(encoding="utf-8").replace("闭环", "闭环(教师笔记)")
    paths[0].write_text(edited, encoding="utf-8")
    classroom.prepare(tmp_path)
    assert "教师笔记" in paths[0].read_text(encoding="utf-8")
    classroom.prepare(tmp_path, fresh=True)
    assert "教师笔记" not in paths[0].read_text(encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 (local server)
        return r.read().decode("utf-8")


def _status(host: str, path: str) -> tuple[int, str]:
    """Status and Location of one GET, redirects not followed."""
    import http.client

    conn = http.client.HTTPConnection(host, timeout=30)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.getheader("Location") or ""
    finally:
        conn.close()


def _wait_until_up(url: str, proc: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"govsim-class exited with {proc.returncode}")
        try:
            _get(url, 5)
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


def test_voila_serves_the_notebooks_with_no_cdn_asset(tmp_path: Path):
    pytest.importorskip("voila")
    port = _free_port()
    cmd = [
        sys.executable,
        "-c",
        "from govsim.classroom import main; main()",
        "--voila",
        "--no-browser",
        "--dir",
        str(tmp_path / "class"),
        "--port",
        str(port),
        "--token",
        "class-token",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/?token=class-token", proc, 90)
        for path in ("/", "/voila/render/01_closed_loop.ipynb"):  # no token: sent to the login page
            status, location = _status(f"127.0.0.1:{port}", path)
            assert status in (302, 401, 403) and (status != 302 or "login" in location)
        tree = _get(base + "/?token=class-token", 30)
        page = _get(base + "/voila/render/01_closed_loop.ipynb?token=class-token", 300)
        assert "闭环" in page and '"image/png": "iVBORw0KGgo' in page  # the lesson ran, its figures are in
        assert "01 闭环 · The closed loop in one town" in tree and "04 实验 · Reading an experiment" in tree
        assert "Select items to open" not in tree
        voila_note = "本页已自动运行完毕".encode("ascii", "backslashreplace").decode()  # as in output JSON
        assert "Shift+Enter" not in page and voila_note in page  # Voilà's instructions, not JupyterLab's
        for html in (tree, page):
            assert [m for m in EXTERNAL.findall(html) if any(m)] == []
        css = re.search(r'href="(/voila/[^"]+\.css[^"]*)"', page)
        assert css and _get(base + css.group(1), 30)  # assets come from the local server
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def test_index_page_titles_are_the_lessons_headings():
    """The Voilà index lists each lesson by the title its first heading gives (中文 · English)."""
    from govsim.classroom import DATA_DIR, notebook_sources

    tree = (DATA_DIR / "voila" / "templates" / "govsim" / "tree.html").read_text(encoding="utf-8")
    listed = {
        m[0]: f"{m[1]} · {m[2]}" for m in re.findall(r'"(\d\d_\w+)\.ipynb": \("([^"]+)", "([^"]+)"\)', tree)
    }
    sources = sorted(notebook_sources().glob("[0-9][0-9]_*.py"))
    assert sorted(listed) == [p.stem for p in sources]
    for path in sources:
        heading = next(
            line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# # ")
        )
        assert heading[4:] == listed[path.stem], path.name
