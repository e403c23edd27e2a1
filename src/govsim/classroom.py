"""``govsim-class``: open the teaching notebooks for a class, offline, with one command.

The notebooks are kept as jupytext percent scripts (``notebooks/NN_*.py``) so that their diffs read
well. This command turns them into ``.ipynb`` files in a working folder (default ``~/govsim-class``,
never inside the checkout), copies the instructors' README beside them, and starts a local front end
on 127.0.0.1:

- JupyterLab (default): cells can be run and edited; the first notebook opens.
- Voilà (``--voila``): the notebooks as clean pages, code hidden, sliders live — for projecting; its
  index page lists the lessons by title in Chinese and English (``classroom_data``'s ``tree.html``).

Both serve page assets from their installed packages (JupyterLab's static build, Voilà's templates
and the ipywidgets 8 manager). Two parts would still reach out, and are switched off: JupyterLab's news
feed, update check and PyPI extension manager; and the Font Awesome (and unused mermaid) CDN links of
Voilà's templates, replaced by the ``govsim`` Voilà template shipped in ``classroom_data/`` (found
through ``JUPYTER_PATH``), so a page renders at once on a machine with no network or a slow one.

Both front ends ask for a token (JupyterLab makes its own; Voilà gets a random one, or ``--token``),
printed with the address: another user of the same machine cannot open the notebooks' kernels.

The working folder may hold an instructor's edits. ``prepare`` records what it wrote
(``.govsim-class.json``: a SHA-256 per file) and rewrites a notebook or the README only while it is
as written; an edited file, or one it did not write, is kept with a message unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import sys
from pathlib import Path

from govsim.oneline import OneLineParser

DEFAULT_DIR = Path.home() / "govsim-class"
DATA_DIR = Path(__file__).resolve().parent / "classroom_data"
"""Jupyter data folder holding the offline Voilà template ``voila/templates/govsim``."""
OFFLINE_LAB = (
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
)


def notebook_sources() -> Path:
    """Folder of the jupytext sources: beside the installed package, else the checkout's ``notebooks/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "notebooks", here.parents[1] / "notebooks"):
        if any(candidate.glob("[0-9][0-9]_*.py")):
            return candidate
    raise FileNotFoundError("govsim teaching notebooks not found beside the package or in the checkout")


RECORD = ".govsim-class.json"
"""What ``prepare`` wrote into the working folder: ``{file name: sha256 of the bytes written}``."""


def prepare(
    workdir: Path, fresh: bool = False, sources: Path | None = None, force: bool = False
) -> list[Path]:
    """Write ``NN_name.ipynb`` for every source and the README into ``workdir``; return the notebooks.

    A file is (re)written when it is missing, or still exactly as ``prepare`` last wrote it; a file
    edited since (or not written by ``prepare``) is kept, with a message on stderr, unless ``force``
    (``fresh`` is the older name of the same option).
    """
    import jupytext
    import nbformat

    force = force or fresh
    src_dir = sources or notebook_sources()
    workdir.mkdir(parents=True, exist_ok=True)
    record_path = workdir / RECORD
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    wanted: dict[Path, bytes] = {
        workdir / f"{src.stem}.ipynb": nbformat.writes(jupytext.read(src)).encode("utf-8")
        for src in sorted(src_dir.glob("[0-9][0-9]_*.py"))
    }
    notebooks = list(wanted)
    readme = src_dir / "README.md"
    if readme.exists():
        wanted[workdir / "README.md"] = readme.read_bytes()
    for target, data in wanted.items():
        if target.exists() and not force:
            current = _sha256(target.read_bytes())
            if current == _sha256(data):
                record[target.name] = current
                continue
            if record.get(target.name) != current:
                why = (
                    "edited since govsim-class wrote it"
                    if target.name in record
                    else "not written by govsim-class"
                )
                print(
                    f"govsim-class: kept {target.name}: {why} (--force to replace it with the shipped one)",
                    file=sys.stderr,
                )
                continue
        target.write_bytes(data)
        record[target.name] = _sha256(data)
    record_path.write_text(json.dumps(record, indent=2, sort_keys=True), encoding="utf-8")
    return notebooks


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def command(
    workdir: Path, first: Path, voila: bool, port: int, browser: bool, token: str | None = None
) -> list[str]:
    """The front end's command line, bound to 127.0.0.1 with its outward calls off, token-protected.

    Voilà serves without a token unless given one: ``token`` (a random one if ``None``).
    """
    if voila:
        cmd = [
            sys.executable,
            "-m",
            "voila",
            str(workdir),
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--template=govsim",
            "--classic-tree",  # the Jinja index page (govsim's tree.html: lesson titles), not the JS one
            f"--Voila.token={token or secrets.token_urlsafe(24)}",
        ]
        return cmd + ([] if browser else ["--no-browser"])
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={workdir}",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--LabApp.default_url=/lab/tree/{first.name}",
        *OFFLINE_LAB,
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI: a local server, token-protected
        cmd.append("--ServerApp.allow_root=True")
    return cmd + ([] if browser else ["--no-browser"])


def environment() -> dict[str, str]:
    """This process's environment with the classroom data folder first on ``JUPYTER_PATH``."""
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(DATA_DIR), env.get("JUPYTER_PATH", "")) if p)
    return env


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options of ``govsim-class``."""
    p = OneLineParser(prog="govsim-class", description="Open the teaching notebooks, offline.")
    p.add_argument("--voila", action="store_true", help="clean pages, code hidden (Voilà), for projecting")
    p.add_argument("--no-browser", dest="browser", action="store_false", help="do not open a browser window")
    p.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"working folder (default {DEFAULT_DIR})")
    p.add_argument("--port", type=int, default=8888, help="local port (default 8888)")
    p.add_argument(
        "--force",
        "--fresh",
        dest="force",
        action="store_true",
        help="replace notebooks and README edited in the working folder with the shipped versions",
    )
    p.add_argument("--token", help="Voilà access token (default: a random one, printed)")
    p.add_argument("--prepare-only", action="store_true", help="write the notebooks and stop")
    return p.parse_args(argv)


class ClassError(ValueError):
    """An option ``govsim-class`` cannot use (one line: option, value, what is allowed)."""


INSTALL = 'pip install -e ".[notebooks]"'
"""The install that brings both front ends (the ``notebooks`` extra)."""


def check_front_end(voila: bool) -> None:
    """Refuse to go on when the front end to start (JupyterLab, or Voilà with ``voila``) is not installed.

    ``pip install -e ".[test]"`` brings Voilà but not JupyterLab; without this the front end's own
    ``python -m`` failed after the notebooks were written. Raises ``ClassError``.
    """
    import importlib.util

    if voila:
        if importlib.util.find_spec("voila") is None:
            raise ClassError(f"Voilà is not installed; allowed: {INSTALL}")
    elif importlib.util.find_spec("jupyterlab") is None:
        raise ClassError(f"JupyterLab is not installed; allowed: {INSTALL}, or govsim-class --voila")


def check(args: argparse.Namespace) -> None:
    """Refuse a bad ``--dir`` or ``--port``, or a front end that is not installed.

    The front end (``check_front_end``) is not needed with ``--prepare-only``.

    A ``--dir`` is refused if it is (or lies below) an existing file, or holds files while govsim-class
    has not prepared it (no ``RECORD``: another program's folder, e.g. a report). Raises
    ``ClassError``; nothing is written or started before this check.
    """
    if not 1 <= args.port <= 65535:
        raise ClassError(f"--port={args.port}: allowed: an integer from 1 to 65535")
    if not args.prepare_only:
        check_front_end(args.voila)
    where = args.dir.expanduser()
    existing = next((p for p in (where, *where.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise ClassError(
            f"--dir={str(args.dir)!r}: {str(existing)!r} is a file; allowed: a directory (new, or one "
            "govsim-class prepared)"
        )
    from govsim.identity import occupied, taken  # here: the command's start-up need not load OmegaConf

    if occupied(where) and not (where / RECORD).is_file():
        raise ClassError(
            taken(
                "--dir",
                args.dir,
                "(govsim-class did not prepare it)",
                "a new or empty directory, or one govsim-class prepared",
            )  # fmt: skip
        )


def main(argv: list[str] | None = None) -> None:
    """``govsim-class`` console script: prepare the notebooks, then become the front end (until Ctrl-C).

    A bad ``--dir`` or ``--port`` (``check``), or a working folder that cannot be written, is refused
    in one line on stderr with exit status 2.
    """
    args = parse(argv)
    try:
        check(args)
        workdir = args.dir.expanduser().resolve()
        try:
            notebooks = prepare(workdir, force=args.force)
        except OSError as exc:
            raise ClassError(
                f"--dir={str(args.dir)!r}: {exc.strerror or exc}; allowed: a directory you can write"
            ) from None
    except ClassError as exc:
        print(f"govsim-class: error: {exc}", file=sys.stderr)
        sys.exit(2)
    print(f"govsim-class: {len(notebooks)} notebooks in {workdir}", flush=True)
    if args.prepare_only:
        return
    token = args.token or secrets.token_urlsafe(24)
    cmd = command(workdir, notebooks[0], args.voila, args.port, args.browser, token)
    if args.voila:
        print(f"govsim-class: open http://127.0.0.1:{args.port}/?token={token}", flush=True)
    os.execve(cmd[0], cmd, environment())  # the front end takes this process over: Ctrl-C stops it
