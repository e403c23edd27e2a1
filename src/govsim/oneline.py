"""One-line refusals of bad command-line arguments, for govsim's argparse commands.

argparse prints its usage and then the error, two lines or more, on a bad argument (a missing option, a
choice not offered, a value of the wrong type). govsim's contract for bad input is one line naming what
was wrong and what is allowed, and exit status 2 (argparse's own status). ``OneLineParser`` is argparse
with only its ``error`` replaced, so ``--help`` and everything else are argparse's.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

__all__ = ["EXIT_BAD_INPUT", "OneLineParser"]

EXIT_BAD_INPUT = 2
"""Exit status of refused input (argparse's, and every govsim command's)."""


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line ``PROG: error: ...`` and exit status 2 (no usage).

    Sub-commands (``add_subparsers``) are parsers of the same class, so their errors are one line too.
    """

    def error(self, message: str) -> NoReturn:
        """Print ``message`` in one line and exit with status 2 (argparse calls this on bad arguments)."""
        print(f"{self.prog}: error: {message}; allowed: see {self.prog} --help", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
