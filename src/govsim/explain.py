"""One-line explanations of Hydra's and OmegaConf's composition errors: the key, the value, what is allowed.

``explain`` turns any exception raised while composing a configuration into the line ``govsim``
prints after ``govsim: error:``; ``schema_type`` reads the schema (``govsim.config``) by dotted path,
which the explanations and the override checks of ``govsim.compose`` need.
"""

from __future__ import annotations

import difflib
from dataclasses import fields, is_dataclass
from typing import Any, get_args, get_origin, get_type_hints

from govsim.config import GovsimConfig
from govsim.identity import SweepPlanError
from govsim.safety import UnsafeConfig
from govsim.validate import ConfigError, InputError, show

__all__ = ["InputError", "explain", "schema_fields", "schema_root", "schema_type", "unknown_key"]


def explain(exc: BaseException, overrides: list[str]) -> str:
    """A one-line message for a composition error: the key, the value and what is allowed."""
    from hydra.errors import MissingConfigException, OverrideParseException
    from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException, ValidationError

    cause = exc.__cause__ if isinstance(exc.__cause__, OmegaConfBaseException) else exc
    if (
        isinstance(exc, (ConfigError, InputError, UnsafeConfig, SweepPlanError))
        or type(exc).__name__ == "ScenarioError"
    ):
        return str(exc)
    if isinstance(exc, MissingConfigException) and exc.options and exc.missing_cfg_file:
        group, _, option = str(exc.missing_cfg_file).rpartition("/")
        return f"{group}={option!r}: unknown {group}; allowed: {', '.join(exc.options)}"
    if isinstance(exc, OverrideParseException):
        return f"cannot read override {exc.override!r}: {_one_line(exc.message)}"
    if isinstance(cause, (ConfigAttributeError, ConfigKeyError)) and getattr(cause, "full_key", None):
        return unknown_key(str(cause.full_key), overrides)
    if isinstance(cause, ValidationError) and "is not a subclass" in str(cause.msg):
        added = next((o for o in overrides if o.startswith("+")), str(cause.full_key))
        return (
            f"{added}: a new entry cannot be added on the command line; allowed: names already in the "
            "configuration, or a new entry written in a YAML config file (see configs/scenario/)"
        )
    if isinstance(cause, ValidationError) and getattr(cause, "full_key", None):
        key = str(cause.full_key)
        return f"{_given(key, overrides, cause.value)}: wrong type; allowed: {_kind(schema_type(key))}"
    if isinstance(cause, OmegaConfBaseException) and getattr(cause, "full_key", None):
        return f"{cause.full_key}: {_one_line(str(cause.msg))}"
    return _one_line(str(exc)) or type(exc).__name__


def _one_line(text: str) -> str:
    skip = (
        "Config search path",
        "provider=",
        "See https",
        "Set the environment",
        "full_key:",
        "reference_type=",
        "object_type=",
    )
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith(skip)]
    return " ".join(lines)


def _given(key: str, overrides: list[str], value: Any = None) -> str:
    """``key=value`` as the user typed it on the command line, else with ``value`` shown.

    A key typed twice is shown with its last value: the one Hydra applies, so the one refused.
    """
    pairs = (o.lstrip("+~").split("=", 1) for o in reversed(overrides))
    typed = next((kv[1] for kv in pairs if len(kv) == 2 and kv[0] == key), None)
    return f"{key}={typed}" if typed is not None else f"{key}={show(value)}" if value is not None else key


def unknown_key(key: str, overrides: list[str]) -> str:
    """The message for a key that is not in the schema, with the allowed names and a close match."""
    parent, _, leaf = key.rpartition(".")
    known = schema_fields(parent) or mapping_entries(parent)
    hint = difflib.get_close_matches(leaf, known or [], n=1)
    where = f"in {parent}" if parent else "at the top level"
    allowed = ", ".join(known) if known else "keys of the govsim schema"
    maybe = f" (did you mean {hint[0]!r}?)" if hint else ""
    return f"{_given(key, overrides)}: unknown key {where}{maybe}; allowed: {allowed}"


def schema_root() -> type:
    """The schema composition runs on: what Hydra's ConfigStore holds as ``govsim_schema``.

    ``GovsimConfig``, or the subclass a command registered in its place (``govsim-experiment``'s
    ``ExperimentRunConfig``, with the ``experiment`` section), so its keys are explained too.
    """
    try:
        from hydra.core.config_store import ConfigStore
        from omegaconf import OmegaConf

        root = OmegaConf.get_type(ConfigStore.instance().load("govsim_schema.yaml").node)
    except Exception:  # noqa: BLE001 - nothing registered yet: the plain schema
        return GovsimConfig
    return root if isinstance(root, type) and issubclass(root, GovsimConfig) else GovsimConfig


def schema_type(path: str) -> Any:
    """The annotated type at a dotted ``path`` of the schema (``None`` if the path is not in it).

    Mapping fields (categories, departments, tasks) take any name as the next part of the path. The
    schema is the one registered for composition (``schema_root``).
    """
    t: Any = schema_root()
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        if get_origin(t) is dict:
            t = get_args(t)[1]
        elif get_origin(t) is list and part.startswith("["):
            t = get_args(t)[0]
        elif is_dataclass(t):
            hints = get_type_hints(t)
            if part not in hints:
                return None
            t = hints[part]
        else:
            return None
    return t


def schema_fields(path: str) -> list[str] | None:
    """Field names of the section at ``path`` ('' for the top), or ``None`` if it is not a section."""
    t = schema_type(path)
    return [f.name for f in fields(t)] if is_dataclass(t) else None


def mapping_entries(path: str) -> list[str] | None:
    """Entry names of the mapping at ``path`` (categories, departments, tasks) in the schema's defaults.

    ``None`` if ``path`` is not a mapping of the schema. A scenario's YAML may name other entries; the
    shipped scenarios keep the defaults' names.
    """
    if get_origin(schema_type(path)) is not dict:
        return None
    obj: Any = GovsimConfig()
    for part in path.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part, None)
    return list(obj) if isinstance(obj, dict) else None


def _kind(t: Any) -> str:
    names = {bool: "true or false", int: "an integer", float: "a number", str: "text"}
    if t in names:
        return names[t]
    if get_origin(t) is list:
        return f"a list of: {_kind(get_args(t)[0])}"
    if get_origin(t) is dict:
        return "a mapping of names to sections"
    if isinstance(t, type) and is_dataclass(t):
        return f"a {t.__name__} section"
    return "a value of the schema's type"
