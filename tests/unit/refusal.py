"""A console script's refusal of bad input, as the README's contract states it: exit status 2 and one
line on stderr, no traceback (shared by the command-line tests; tests/unit is on the path)."""

from __future__ import annotations

from collections.abc import Callable

import pytest


def refused(main: Callable[[list[str]], None], argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``main(argv)``, check it exits with status 2 and one line on stderr; return that line."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    return err


def stopped(probe: str, argv: list[str], signum: int, first: str) -> None:
    """Run ``python -c probe *argv`` (a command stopped mid-way by a signal or Ctrl-C) and check it ended
    as the README says: by ``signum``, with no traceback and one last line starting with ``first``."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == -signum, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(first), done.stderr
