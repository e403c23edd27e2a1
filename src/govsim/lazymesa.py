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

Mesa's logging module names each module's logger from ``inspect.stack()`` and ``inspect.getmodule``
at import (``mesa.mesa_logging.create_module_logger``, ``method_logger``): both read the source of
every frame on the stack and, for the frames of Python's import machinery, scan and resolve the path
of every module loaded (``os.path.realpath``), 0.05–0.1 s of ``import mesa`` in the command, where
a thousand modules are loaded by then. ``defer_spaces`` therefore also loads ``mesa.mesa_logging``
(standard library imports only) just before Mesa and gives it ``FrameInspect`` as its ``inspect``:
the same frames, function names and modules (a frame's module is the one whose globals it runs in),
without source lines. The logger names are Mesa's own (test_lazymesa.py).

``defer_countries`` does the same for the ``holidays`` package's ``holidays.countries``, whose
``__init__`` imports all of its ~250 country modules (about 50 ms, ``python -X importtime``) where
govsim reads China's calendar only (``govsim.officetime``): ``holidays.countries.china`` is imported
alone, and any other name of ``holidays.countries`` loads the package's own code on first access, as
above. ``holidays.country_holidays("CN")`` and ``holidays.China`` (the package's own lazy loaders)
are unaffected.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import sys
import threading
import types
from collections.abc import Sequence
from typing import Any

DEFERRED = ("mesa.discrete_space", "mesa.experimental.continuous_space", "mesa.space")
"""The modules deferred: Mesa's discrete (grid, network), continuous and legacy spaces."""
COUNTRIES = ("holidays.countries",)
"""The module deferred in ``holidays``: the package of all country calendars (its submodules are not)."""
_DEFERRED_BY_PACKAGE = {"mesa": DEFERRED, "holidays": COUNTRIES}

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


class FrameInspect(types.ModuleType):
    """``inspect`` for ``mesa.mesa_logging``: frames without their source lines; anything else as ``inspect``.

    ``stack``/``getouterframes`` give ``inspect.FrameInfo`` records with ``code_context`` and
    ``index`` ``None`` (as ``inspect.stack(0)`` does, without resolving the file of each frame);
    ``getmodule`` of a frame is the module named by the frame's globals.
    """

    def __init__(self) -> None:
        super().__init__("inspect")

    def __getattr__(self, name: str) -> Any:
        return getattr(inspect, name)

    @staticmethod
    def frames(frame: types.FrameType | None) -> list[inspect.FrameInfo]:
        """``frame`` and its callers, innermost first, as ``inspect.FrameInfo`` without source lines."""
        out = []
        while frame is not None:
            code = frame.f_code
            out.append(inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None))
            frame = frame.f_back
        return out

    def stack(self, context: int = 1) -> list[inspect.FrameInfo]:
        """The caller's frame and its callers (``inspect.stack``; ``context`` is not read)."""
        return self.frames(sys._getframe(1))

    def getouterframes(self, frame: types.FrameType, context: int = 1) -> list[inspect.FrameInfo]:
        """``frame`` and its callers (``inspect.getouterframes``; ``context`` is not read)."""
        return self.frames(frame)

    def getmodule(self, obj: Any, _filename: str | None = None) -> types.ModuleType | None:
        """A frame's module by its globals' ``__name__``; anything else by ``inspect.getmodule``."""
        if inspect.isframe(obj):
            return sys.modules.get(obj.f_globals.get("__name__", ""))
        return inspect.getmodule(obj, _filename)


def _preload_logging(package: importlib.machinery.ModuleSpec) -> list[str]:
    """Load ``mesa.mesa_logging`` now, with ``FrameInspect`` as its ``inspect``; its name, or none."""
    name = "mesa.mesa_logging"
    locations = package.submodule_search_locations
    spec = importlib.machinery.PathFinder.find_spec(name, list(locations)) if locations else None
    if spec is None or spec.loader is None or name in sys.modules:
        return []
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    if getattr(module, "inspect", None) is not inspect:
        return [name]  # laid out otherwise: left as it is
    module.inspect = FrameInspect()  # type: ignore[attr-defined]
    return [name]


class _OnMesaImport(importlib.abc.MetaPathFinder):
    """Registers the deferred modules when a package is first imported, then leaves ``sys.meta_path``."""

    def __init__(self, package: str = "mesa") -> None:
        self.package = package
        self.unbound: list[str] = []
        self.busy = False

    def find_spec(self, fullname: str, path: Sequence[str] | None = None, target: Any = None) -> None:
        if self.busy:
            return None
        self.busy = True  # register() itself looks the package up through sys.meta_path
        try:
            if fullname == self.package and not self.unbound:
                self.unbound = register(self.package)
                if not self.unbound:
                    self._leave()
            elif self.unbound:
                self._bind()
        finally:
            self.busy = False
        return None  # the ordinary finders import the package itself

    def _bind(self) -> None:
        """Make each registered module an attribute of its parent, as an import does; then leave.

        Done once the parent exists: at the package's own next import, while its ``__init__`` runs.
        """
        for name in list(self.unbound):
            parent, _, child = name.rpartition(".")
            if parent in sys.modules:
                if not hasattr(sys.modules[parent], child):
                    setattr(sys.modules[parent], child, sys.modules[name])
                self.unbound.remove(name)
        if not self.unbound:
            self._leave()

    def _leave(self) -> None:
        with _lock:
            if self in sys.meta_path:
                sys.meta_path.remove(self)


def defer_spaces() -> bool:
    """Arrange for ``DEFERRED`` to load on first use once Mesa is imported; False if it already is.

    Nothing is imported or registered now. Called by the ``govsim`` command only (``cli.py``).
    """
    return _defer("mesa")


def defer_countries() -> bool:
    """Arrange for ``COUNTRIES`` to load on first use once ``holidays`` is imported; False if it already is.

    Nothing is imported or registered now. Called by the ``govsim`` command only (``cli.py``).
    """
    return _defer("holidays")


def _defer(package: str) -> bool:
    if package in sys.modules:
        return False
    with _lock:
        if not any(isinstance(f, _OnMesaImport) and f.package == package for f in sys.meta_path):
            sys.meta_path.insert(0, _OnMesaImport(package))
    return True


def register(package: str = "mesa") -> list[str]:
    """Register the deferred modules of ``package`` as modules that load on first use; return their names.

    ``DEFERRED`` for ``mesa``, ``COUNTRIES`` for ``holidays``.

    Called as the package is about to be imported; none is registered if the package or one of them
    is already imported, or the package is not installed or laid out otherwise.
    """
    deferred = _DEFERRED_BY_PACKAGE[package]
    if package in sys.modules or any(name in sys.modules for name in deferred):
        return []
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return []
    done = []
    for name in deferred:
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
    if package == "mesa" and done and spec is not None:
        done += _preload_logging(spec)
    return done
