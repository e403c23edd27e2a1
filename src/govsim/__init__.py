"""govsim: simulation and policy evaluation for grassroots social governance (基层社会治理).

An agent-based model (Mesa) of residents, grid workers, governance centres and departments, with a
discrete-event queue (SimPy) for incidents around the closed loop 巡查→上报→流转→处置→反馈, to compare
the levers of the "four focuses" (四个着力) on resolution time, backlog, overdue and escalation, and cost.
Start with ``govsim.run`` / ``govsim.load`` (``govsim.api``) or the ``govsim`` command; see README.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govsim.api import RunResult

    __version__: str


def __getattr__(name: str) -> Any:
    """``govsim.__version__``, read from the installed package's metadata on first use (PEP 562).

    Not at import: ``importlib.metadata`` and the search of the installed distributions cost
    ``import govsim`` about 30 ms that neither the command nor a run needs.
    """
    if name != "__version__":
        raise AttributeError(f"module 'govsim' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("govsim")
    except PackageNotFoundError:  # running from a source tree that is not installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found


def run(overrides: list[str] | tuple[str, ...] = (), out: str | Path | None = None) -> RunResult:
    """Run one scenario under one policy (``govsim.api.run``; see there). Imports the model on first call."""
    from govsim.api import run as _run  # here, not above: ``import govsim`` stays free of Hydra and Mesa

    return _run(overrides, out)


def load(path: str | Path) -> RunResult:
    """A finished run directory back in memory (``govsim.api.load``; see there)."""
    from govsim.api import load as _load

    return _load(path)
