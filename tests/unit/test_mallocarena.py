"""The ``govsim`` command runs on one glibc malloc arena (``govsim.mallocarena``), set when ``cli`` loads.

Counted, not timed: glibc's ``malloc_info`` lists one ``<heap nr=...>`` per arena; threads that
allocate after ``one_malloc_arena`` share the main arena, where without it each gets its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from govsim.mallocarena import one_malloc_arena

GLIBC = (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
pytestmark = pytest.mark.skipif(not GLIBC, reason="glibc's malloc arenas only")

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


def arenas(first: str) -> int:
    """The arenas of a fresh process that runs ``first`` and then four allocating threads."""
    done = subprocess.run(
        [sys.executable, "-c", first + "\n" + COUNT], capture_output=True, text=True, check=True, timeout=120
    )
    return int(done.stdout.strip().splitlines()[-1])


def test_threads_get_arenas_of_their_own_by_default() -> None:
    """The control: without the setting, glibc gives the threads arenas of their own (the count tells)."""
    assert arenas("pass") > 1


def test_the_command_module_sets_one_arena() -> None:
    """Loading ``govsim.cli`` (what the console script does first) leaves every thread on the main arena."""
    assert arenas("import govsim.cli") == 1


def test_one_malloc_arena_reports_it_set() -> None:
    assert one_malloc_arena() is True
