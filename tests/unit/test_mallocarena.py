"""The ``govsim`` command runs on one glibc malloc arena, with Arrow's buffers on it (``govsim.mallocarena``).

Both set when ``cli`` loads. Counted, not timed: glibc's ``malloc_info`` lists one ``<heap nr=...>`` per
arena; threads that allocate after ``one_malloc_arena`` share the main arena, where without it each gets
its own. Arrow's pool is read from pyarrow itself (``default_memory_pool().backend_name``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from govsim.mallocarena import ARROW_POOL, arrow_on_malloc, is_glibc, one_malloc_arena

glibc_only = pytest.mark.skipif(not is_glibc(), reason="glibc's malloc arenas only")

COUNT = textwrap.dedent(
    """
    import ctypes, sys, tempfile, threading
    libc = ctypes.CDLL(None)

    def work():
        kept = [bytearray(4096) for _ in range(100)]  # above pymalloc's 512 bytes: malloc itself
        del kept

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
    libc.malloc_info.argtypes = (ctypes.c_int, ctypes.c_void_p)
    libc.fclose.argtypes = (ctypes.c_void_p,)
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        fp = libc.fopen(f.name.encode(), b"w")
        libc.malloc_info(0, fp)
        libc.fclose(fp)
        print(open(f.name).read().count("<heap nr="))
    """
)


def last_line(code: str, env: dict[str, str] | None = None) -> str:
    """The last line a fresh Python process running ``code`` prints (``env``: its environment)."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120, env=env
    )
    return done.stdout.strip().splitlines()[-1]


def arenas(first: str) -> int:
    """The arenas of a fresh process that runs ``first`` and then four allocating threads."""
    return int(last_line(first + "\n" + COUNT))


def without_pool_variable() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != ARROW_POOL}


POOL = "import pyarrow; print(pyarrow.default_memory_pool().backend_name)"


@glibc_only
def test_threads_get_arenas_of_their_own_by_default() -> None:
    """The control: without the setting, glibc gives the threads arenas of their own (the count tells)."""
    assert arenas("pass") > 1


@glibc_only
def test_the_command_module_sets_one_arena() -> None:
    """Loading ``govsim.cli`` (what the console script does first) leaves every thread on the main arena."""
    assert arenas("import govsim.cli") == 1


@glibc_only
def test_one_malloc_arena_reports_it_set() -> None:
    """Sets the limit in this test process too: harmless, other command tests import ``govsim.cli``."""
    assert one_malloc_arena() is True


def test_arrow_keeps_its_own_pool_by_default() -> None:
    """The control: pyarrow's wheels allocate from a pool of their own, not ``system``.

    Skipped for a pyarrow built with the system pool alone: nothing then differs for the test below to
    tell (it still checks that the command's Arrow allocates with malloc).
    """
    import pyarrow

    if set(pyarrow.supported_memory_backends()) <= {"system"}:
        pytest.skip("this pyarrow has the system pool alone")
    assert last_line(POOL, without_pool_variable()) != "system"


def test_the_command_module_puts_arrow_on_malloc() -> None:
    """Loading ``govsim.cli`` before pyarrow leaves Arrow allocating with malloc (its ``system`` pool)."""
    assert last_line("import govsim.cli; " + POOL, without_pool_variable()) == "system"


def test_a_pool_the_user_chose_is_kept() -> None:
    env = without_pool_variable() | {ARROW_POOL: "jemalloc"}
    code = "import govsim.cli, os; print(os.environ['ARROW_DEFAULT_MEMORY_POOL'])"
    assert last_line(code, env) == "jemalloc"


def test_arrow_on_malloc_does_nothing_once_pyarrow_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Too late once pyarrow is imported (its pool may already exist): nothing is changed."""
    import pyarrow  # noqa: F401 - loaded, as in this test process

    monkeypatch.delenv(ARROW_POOL, raising=False)
    assert arrow_on_malloc() is False
    assert ARROW_POOL not in os.environ
