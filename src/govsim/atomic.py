"""Files written whole or not at all: a temporary file beside the target, renamed into place.

Every file govsim writes into a run, experiment or report directory goes through ``write_atomic`` (or
``WriteBeside``, the same with the writing on a thread), so a crash or a full disk never leaves a
half-written file under a result's name. Its own module (the
standard library's ``tempfile`` and ``os.replace``; no dependency) so that the figure worker
(``govsim.figworker``), forked before the model is imported, writes its PNGs the same way.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "WriteBeside",
    "cannot_make",
    "current_umask",
    "file_in_the_way",
    "temporaries",
    "unwritable",
    "write_atomic",
    "write_text",
]

TEMPORARY = re.compile(r"\.(?P<target>.+)\.[a-z0-9_]{8}")
"""The name ``write_atomic`` gives its temporary file: ``.`` + the target's name + ``.`` + the 8 random
letters, digits or underscores of ``tempfile.mkstemp`` (``.results.xlsx.k3j_9x2a``)."""


def write_atomic(path: Path, write: Callable[[Path], Any]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place.

    The temporary file is private (0600) while it is written; before the rename it gets the mode a
    plain ``open`` would have given (0666 less the user's umask, so 0644 by default), so colleagues on
    a shared server can read results.
    """
    tmp = _temporary(path)
    try:
        write(tmp)
        _into_place(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _temporary(path: Path) -> Path:
    """A new, empty, private temporary file beside ``path``, named as ``TEMPORARY`` says."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def _into_place(tmp: Path, path: Path) -> None:
    """Give ``tmp`` the mode a plain ``open`` would have given, then rename it to ``path``."""
    os.chmod(tmp, 0o666 & ~current_umask())
    os.replace(tmp, path)


class WriteBeside:
    """``write_atomic`` with the writing on a thread, beside the caller.

    ``start(write)`` makes the temporary file and calls ``write(tmp, stop)`` on a thread at once;
    ``stop`` is a ``threading.Event`` that ``discard`` sets, which a long writer checks between its
    parts to return early (its file is removed anyway). ``commit`` waits for the writing, raises its
    error if it failed (again on any later call), and renames the file into place; ``discard`` stops
    the writing, waits for it and removes the temporary file (after a failure elsewhere: nothing is left
    behind, the file never appears); a second ``discard`` does nothing, a ``commit`` after it raises
    ``RuntimeError``. Made before ``start``, so that the caller holds it where its clean-up will find
    it before any file exists; ``discard`` of one never started does nothing. For a file whose writing
    is mostly native code that releases the GIL (pyarrow's Parquet encoding and compression), started
    while the caller computes something else from the same data: ``write`` must not read anything the
    caller changes before ``commit`` or ``discard`` returns. On a thread of ``concurrent.futures`` (its
    error carried to ``commit`` by the future).
    """

    def __init__(self, path: Path) -> None:
        self.path, self.stop = Path(path), threading.Event()
        self.tmp: Path | None = None
        self.state = "new"  # then "started", and at the end "committed", "failed" or "discarded"
        self._pool: Any = None
        self._future: Any = None
        self._error: BaseException | None = None

    def start(self, write: Callable[[Path, threading.Event], Any]) -> None:
        """Make the temporary file and start ``write(tmp, stop)`` on a thread; ``RuntimeError`` if not new."""
        from concurrent.futures import ThreadPoolExecutor  # here: not on the command's start-up

        if self.state != "new":
            raise RuntimeError(f"WriteBeside({self.path.name}).start: already {self.state}")
        self.state = "started"
        try:
            self.tmp = _temporary(self.path)
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govsim-write")
            self._future = self._pool.submit(write, self.tmp, self.stop)
        except BaseException as exc:
            self._error = exc
            self._finish("failed")
            raise

    def commit(self) -> None:
        """Wait for the writing; raise its error if it failed; else rename the file into place."""
        if self.state in ("new", "discarded"):
            raise RuntimeError(f"WriteBeside({self.path.name}).commit: {self.state}, nothing to commit")
        if self.state == "failed" and self._error is not None:
            raise self._error
        if self.state != "started":
            return
        end = "failed"
        try:
            self._future.result()
            _into_place(self.tmp, self.path)  # type: ignore[arg-type]  # set by start
            end = "committed"
        except BaseException as exc:  # the writer's error, or an interrupt while waiting: it stops too
            self._error = exc
            self.stop.set()
            raise
        finally:
            self._finish(end)

    def discard(self) -> None:
        """Stop the writing, wait for it (its error, if any, is dropped) and remove the temporary file."""
        self.stop.set()
        if self.state in ("new", "started"):
            self._finish("discarded")

    def _finish(self, state: str) -> None:
        self.state = state
        try:
            if self._pool is not None:
                self._pool.shutdown(wait=True)  # the writing ends before the file is removed
        finally:
            if self.tmp is not None and self.tmp.exists():
                self.tmp.unlink()


def temporaries(directory: Path) -> list[Path]:
    """The temporary files ``write_atomic`` or ``WriteBeside`` left in ``directory`` (not below it), by name.

    Only a writer ended by a signal or ``os._exit`` (a killed worker) leaves one: its clean-up never ran.
    Files named by ``TEMPORARY`` only; none (an empty list) if ``directory`` does not exist.
    """
    if not Path(directory).is_dir():
        return []
    return sorted(
        p
        for p in Path(directory).iterdir()
        if TEMPORARY.fullmatch(p.name) and p.is_file() and not p.is_symlink()
    )


def current_umask() -> int:
    """The process umask, read without changing it where Linux allows (``/proc``), else set and restored."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text(path: Path, text: str) -> None:
    """Atomically write UTF-8 text."""
    write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


def file_in_the_way(folder: Path) -> Path | None:
    """Nearest existing ancestor of ``folder`` if it is a file (no folder can be made there); else None."""
    for parent in Path(folder).absolute().parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def cannot_make(folder: Path) -> str | None:
    """Why no output can be written to ``folder`` (made if new), or None if it can.

    Probed by making and removing a hidden folder in ``folder`` or its nearest existing ancestor (a
    permission, a read-only or virtual file system such as /proc); a file in the way is
    ``file_in_the_way``'s to say, and gives None here.
    """
    folder = Path(folder).absolute()
    base = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if base is None or not base.is_dir():
        return None
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".govsim-probe-", dir=base))
    except OSError as exc:
        return f"no folder can be made in {base} ({exc.strerror or type(exc).__name__})"
    return None


def unwritable(option: str, folder: Path) -> str | None:
    """Why the output folder ``folder`` given as ``option`` cannot be written, as a refusal; None if it can.

    A file where the folder or one of its parents would be (``file_in_the_way``), or no folder can be
    made there (``cannot_make``). One line: the option, the value, why, and what is allowed.
    """
    blocker = file_in_the_way(folder)
    why = f"{blocker} is a file" if blocker is not None else cannot_make(folder)
    if why is None:
        return None
    return (
        f"{option}={str(folder)!r}: {why}; allowed: a new or empty directory in a folder that can be written"
    )
