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
