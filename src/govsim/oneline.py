"""One-line refusals of bad command-line arguments, for govsim's argparse commands.

argparse prints its usage and then the error, two lines or more, on a bad argument (a missing option, a
choice not offered, a value of the wrong type). govsim's contract for bad input is one line naming what
was wrong and what is allowed, and exit status 2 (argparse's own status). ``OneLineParser`` is argparse
with only its ``error`` replaced, so ``--help`` and everything else are argparse's.
"""

from __future__ import annotations

import argparse
import difflib
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
        """Print ``message`` in one line and exit with status 2 (argparse calls this on bad arguments).

        An unrecognised option is answered with the closest option of this parser and its
        sub-commands (``difflib``) and the list of them; any other error points to ``--help``.
        """
        allowed = f"see {self.prog} --help"
        if message.startswith("unrecognized arguments:"):
            options = sorted(_long_options(self))
            given = [a.split("=", 1)[0] for a in message.split(":", 1)[1].split() if a.startswith("-")]
            close = difflib.get_close_matches(given[0], options, n=1) if given else []
            if close:
                message += f" (did you mean {close[0]}?)"
            allowed = f"the options {', '.join(options)} ({self.prog} --help)"
        print(f"{self.prog}: error: {message}; allowed: {allowed}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def _long_options(parser: argparse.ArgumentParser) -> set[str]:
    """The ``--`` options of ``parser`` and of its sub-commands' parsers.

    argparse reports a sub-command's unknown option from the top parser, which cannot tell which
    sub-command it was.
    """
    found: set[str] = set()
    for action in parser._actions:
        found.update(o for o in action.option_strings if o.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _long_options(sub)
    return found
