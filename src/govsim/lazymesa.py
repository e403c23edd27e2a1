"""Mesa's space packages, which govsim's model does not use, load on first use instead of at import.

``import mesa`` imports all of Mesa, including ``mesa.discrete_space`` (which imports networkx and
``scipy.spatial``), ``mesa.experimental.continuous_space`` (``scipy.spatial``) and the legacy
``mesa.space`` (networkx): about a third of a second of every run's start-up (``python -X
importtime``) for spaces the model never builds (its agents live on the territory's own grid tables;
the model is a ``mesa.Model`` all the same). ``defer_spaces`` (called by the ``govsim`` command at
the top of ``cli.py``; never by ``import govsim``, so a library user's Mesa is left as it is) waits for
the first ``import mesa`` (a finder on ``sys.meta_path`` that removes itself) and then puts the three
in ``sys.modules`` as modules that run their own code on the first access to one of their names: the
usual lazy-module technique. ``importlib.util.LazyLoader`` cannot do it: an ``import`` statement reads
the module's ``__spec__``, which makes a LazyLoader module load at once. A user's
``from mesa.discrete_space import OrthogonalMooreGrid`` (or ``mesa.discrete_space.OrthogonalMooreGrid``)
works as before (tests/unit/test_lazymesa.py). Nothing is done if Mesa is already imported or is laid
out otherwise; a module loaded early only costs the time saved, nothing else.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
import types
from collections.abc import Sequence
from typing import Any

DEFERRED = ("mesa.discrete_space", "mesa.experimental.continuous_space", "mesa.space")
"""The modules deferred: Mesa's discrete (grid, network), continuous and legacy spaces."""

_lock = threading.RLock()


class _Deferred(types.ModuleType):
    """A module whose code runs on the first access to a name it does not have yet."""

    def __getattr__(self, name: str) -> Any:
        load(self)
        return getattr(self, name)


def load(module: types.ModuleType) -> types.ModuleType:
    """Run a deferred module's code now (once; a no-op for any other module) and return it."""
    with _lock:
        if type(module) is _Deferred:
            module.__class__ = types.ModuleType  # type: ignore[assignment]  # before its code runs
            spec = module.__spec__
            assert spec is not None and spec.loader is not None
            spec.loader.exec_module(module)
    return module


class _OnMesaImport(importlib.abc.MetaPathFinder):
    """Registers the deferred modules when Mesa is first imported, then leaves ``sys.meta_path``."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None, target: Any = None) -> None:
        if fullname == "mesa":
            with _lock:
                if self in sys.meta_path:
                    sys.meta_path.remove(self)
            register()
        return None  # the ordinary finders import Mesa itself


def defer_spaces() -> bool:
    """Arrange for ``DEFERRED`` to load on first use once Mesa is imported; False if it already is.

    Nothing is imported or registered now. Called by the ``govsim`` command only (``cli.py``).
    """
    if "mesa" in sys.modules:
        return False
    with _lock:
        if not any(isinstance(f, _OnMesaImport) for f in sys.meta_path):
            sys.meta_path.insert(0, _OnMesaImport())
    return True


def register() -> list[str]:
    """Register ``DEFERRED`` as modules that load on first use; return the names registered.

    Called as Mesa is about to be imported; none is registered if Mesa or one of them is already
    imported, or Mesa is not installed or laid out otherwise.
    """
    if "mesa" in sys.modules or any(name in sys.modules for name in DEFERRED):
        return []
    try:
        spec = importlib.util.find_spec("mesa")
    except (ImportError, ValueError):
        return []
    done = []
    for name in DEFERRED:
        parent = spec
        parts = name.split(".")
        for depth in range(2, len(parts) + 1):  # walk down without running any package's __init__
            if parent is None or not parent.submodule_search_locations:
                break
            parent = importlib.machinery.PathFinder.find_spec(
                ".".join(parts[:depth]), list(parent.submodule_search_locations)
            )
        if parent is None or parent.loader is None or parent.name != name:
            continue
        module = importlib.util.module_from_spec(parent)
        module.__class__ = _Deferred
        sys.modules[name] = module
        done.append(name)
    return done
