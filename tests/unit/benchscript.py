"""A script of ``benchmarks/`` loaded as a module, so its pure functions can be tested (nothing is timed)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load_script(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` executed afresh as the module ``<name>_under_test`` (each call a new one).

    Raises ``FileNotFoundError`` if there is no such script.
    """
    path = BENCHMARKS / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(path)
    spec = importlib.util.spec_from_file_location(f"{name}_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the script runs
    sys.path.insert(0, str(BENCHMARKS))  # as Python puts the script's folder first when it runs it
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module
