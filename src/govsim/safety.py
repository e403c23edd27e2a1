"""What a user's configuration may not do: run code, write files of its choosing, or copy secrets.

Hydra instantiates whatever a config names: ``hydra.callbacks`` entries (``_target_``), logging
handlers and formatters (``class``, ``()``), and OmegaConf resolves ``${oc.env:VAR}`` into any value.
A command line or a YAML file reached through ``hydra.searchpath`` or ``--config-dir`` could therefore
write any file (``pathlib.Path.write_text`` as a callback) or copy an environment variable into an
output path and ``run.json``. ``check_safety`` walks the composed config (the ``hydra`` node included)
before Hydra builds anything and refuses:

- a ``_target_`` anywhere outside ``ALLOWED_TARGETS`` (govsim's own callback; launcher and sweeper
  plugins are held by Hydra to its ``hydra_plugins`` package and are left to it);
- in ``hydra.job_logging`` / ``hydra.hydra_logging``: a ``()`` factory, a ``class`` outside
  ``ALLOWED_LOGGING_CLASSES``, or a log file outside the run's own directory;
- ``oc.env`` (and ``oc.decode``, which can build one) in any value, ``hydra`` node included (Hydra's
  own defaults use neither), and in any command-line override.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, ListConfig

ALLOWED_TARGETS = frozenset({"govsim.sweep.ExperimentCallback"})
"""``_target_`` values a config may name (the registry); everything else is refused."""
ALLOWED_LOGGING_CLASSES = frozenset(
    {
        "logging.StreamHandler",
        "logging.FileHandler",
        "logging.NullHandler",
        "logging.Formatter",
        "colorlog.ColoredFormatter",
    }
)
"""Logging handler and formatter classes a config may name (those of Hydra's shipped logging configs)."""
PLUGIN_NODES = ("hydra.launcher", "hydra.sweeper")
"""Hydra instantiates these only from classes in its ``hydra_plugins`` package (checked by Hydra)."""
LOG_DIR = re.compile(r"^\$\{hydra:?\.?runtime\.output_dir\}/[^/]+$")
ENV = re.compile(r"\boc\.(env|decode)\s*:")


class UnsafeConfig(ValueError):
    """A configuration asks for something a config may not do; the message is one line."""


def check_override_text(overrides: list[str]) -> None:
    """Refuse ``oc.env``/``oc.decode`` and ``_target_`` in command-line overrides (before composing)."""
    for o in overrides:
        if ENV.search(o):
            raise UnsafeConfig(
                f"{o}: environment variables cannot be read into a config (oc.env); allowed: the value itself"
            )
        key = o.lstrip("+~").split("=", 1)[0]
        if "_target_" in o or key.startswith("hydra.callbacks"):
            raise UnsafeConfig(
                f"{o}: a config cannot name code to run (callbacks, logging targets, _target_); allowed: "
                "govsim's own keys, hydra.run.dir, hydra.sweep.dir, hydra.launcher.* and the shipped "
                "hydra/job_logging options"
            )


def check_safety(cfg: DictConfig) -> None:
    """Refuse a composed config (with its ``hydra`` node) that names code or reads the environment.

    Raises ``UnsafeConfig`` with one line naming the key and the value.
    """
    _walk(cfg, "")


def _walk(node: Any, path: str, plugin: bool = False) -> None:
    if isinstance(node, DictConfig):
        plugin = plugin or path in PLUGIN_NODES
        for key in node.keys():
            child = f"{path}.{key!s}" if path else str(key)
            value = node._get_node(key)  # unresolved: interpolations are read as written
            _check_entry(child, str(key), value, plugin)
            _walk(value, child, plugin)
    elif isinstance(node, ListConfig):
        for i in range(len(node)):
            item: Any = node._get_node(i)
            _check_entry(f"{path}[{i}]", "", item, plugin)
            _walk(item, f"{path}[{i}]", plugin)


def _check_entry(path: str, key: str, value: Any, plugin: bool = False) -> None:
    if isinstance(value, (DictConfig, ListConfig)):
        return
    raw = value._value() if hasattr(value, "_value") else value
    text = "" if raw is None else str(raw)
    logging_node = path.startswith(("hydra.job_logging", "hydra.hydra_logging"))
    if ENV.search(text):
        raise UnsafeConfig(
            f"{path}={text!r}: environment variables cannot be read into a config (oc.env); "
            "allowed: the value itself"
        )
    if plugin:
        return  # Hydra instantiates plugins only from its hydra_plugins package
    if key == "_target_" and text not in ALLOWED_TARGETS:
        raise UnsafeConfig(
            f"{path}={text!r}: a config cannot name code to run; "
            f"allowed: {', '.join(sorted(ALLOWED_TARGETS))}"
        )
    if logging_node and key == "()":
        raise UnsafeConfig(
            f"{path}={text!r}: a logging factory runs code; allowed: class (a standard handler)"
        )
    if logging_node and key == "class" and text not in ALLOWED_LOGGING_CLASSES:
        raise UnsafeConfig(
            f"{path}={text!r}: not a standard logging class; "
            f"allowed: {', '.join(sorted(ALLOWED_LOGGING_CLASSES))}"
        )
    if logging_node and key == "filename" and not LOG_DIR.match(text):
        raise UnsafeConfig(
            f"{path}={text!r}: a log file outside the run directory; "
            "allowed: ${hydra.runtime.output_dir}/NAME.log"
        )


def read_yaml_mapping(
    path: Path,
    error: Callable[[str], Exception],
    unreadable: str = "{path}: not a readable YAML file ({kind})",
    not_mapping: str = "{path}: expected a YAML mapping of keys",
) -> dict[str, Any]:
    """A user's YAML file (calibration spec, log mapping) as a mapping, read with ``yaml.safe_load``.

    ``safe_load`` builds plain data only (no Python object tags: a file cannot run code). Raises
    ``error(message)`` when the file is not UTF-8 YAML (``unreadable``) or not a mapping
    (``not_mapping``); the messages are formatted with ``path`` and ``kind`` (the exception's or the
    value's type name).
    """
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise error(unreadable.format(path=path, kind=type(exc).__name__)) from None
    if not isinstance(raw, dict):
        raise error(not_mapping.format(path=path, kind=type(raw).__name__))
    return raw
