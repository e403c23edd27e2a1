"""Shared fixtures: small configured runs (cached per session), the quick overrides, the console scripts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from govsim.compose import compose
from govsim.config import GovsimConfig

QUICK = (
    "scenario=one_town",
    "horizon_days=3",
    "warmup_days=1",
    "output.figures=false",
    "output.progress=false",
)
"""Overrides of a run that takes about a second: one town, three days, no figures, no progress bar."""
SCRIPTS = {
    "govsim": "cli",
    "govsim-experiment": "sweep",
    "govsim-regress": "regress",
    "govsim-log": "logtool",
}


@pytest.fixture(scope="session")
def make_config() -> Callable[..., GovsimConfig]:
    """Compose a checked config from Hydra overrides, as the CLI would (``govsim.compose``)."""

    def make(*overrides: str) -> GovsimConfig:
        return compose(["output.progress=false", "output.figures=false", *overrides])

    return make


@pytest.fixture(scope="session")
def quick() -> list[str]:
    """The overrides of a one-second run (``QUICK``), a fresh list for each use."""
    return list(QUICK)


def command(name: str) -> list[str]:
    """The console script ``name`` as a user runs it; ``python -c`` if it is not installed beside Python."""
    script = Path(sys.executable).parent / name
    return (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", f"from govsim.{SCRIPTS[name]} import main; main()"]
    )


@pytest.fixture(scope="session")
def console() -> Callable[..., subprocess.CompletedProcess[str] | subprocess.Popen[str]]:
    """Run a console script in a subprocess: ``console("govsim", cwd, *args, env=..., wait=True)``.

    Waits (``subprocess.run``, output captured, status not checked) unless ``wait=False``, which
    returns the running ``Popen`` with its output piped.
    """

    def run(
        name: str,
        cwd: Path,
        *args: str,
        env: dict[str, str] | None = None,
        wait: bool = True,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str] | subprocess.Popen[str]:
        cmd, environ = [*command(name), *args], {**os.environ, **(env or {})}
        if not wait:
            return subprocess.Popen(
                cmd, cwd=cwd, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        return subprocess.run(
            cmd, cwd=cwd, env=environ, capture_output=True, text=True, timeout=timeout, check=False
        )

    return run


FRESH_RUNNER = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("fresh_process_checks", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
getattr(module, sys.argv[2])(*sys.argv[3:])
"""


@pytest.fixture(scope="session")
def in_fresh_process() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run a function of a test file in a new interpreter: ``in_fresh_process(__file__, "body_x", *args)``.

    For checks that need a process of their own (a fork that ``govsim.figworker`` or ``govsim.planfork``
    declines where another Python thread runs, as a pytest worker may have). Fails the test with the
    process's output if the function fails; returns the finished process (output captured as text).
    """

    def run(file: str, body: str, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-c", FRESH_RUNNER, file, body, *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    return run
