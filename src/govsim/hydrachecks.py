"""Overrides and sweeps that Hydra would accept, or explain badly: refused in one line (``InputError``).

Hydra composes what it is given and reports in its own words, or not at all: a misspelt search path is
a ``UserWarning`` and a run of the shipped configs, a dotted key under ``hydra.sweeper.params`` is
"Unexpected type: None", a ``+`` on an existing key or a sweep without ``-m`` quietly does something else,
and two jobs of a sweep whose ``hydra.sweep.subdir`` is the same write into one directory. These checks
run before anything is composed or launched (``govsim.compose.compose_run`` calls ``check_overrides``;
``govsim.planning.plan`` and ``govsim.sweep.preflight`` call ``check_hydra_keys`` on the command line as
typed; both sweeps' planners call ``check_job_dirs``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_origin

from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from govsim.explain import InputError, schema_type, unknown_key
from govsim.identity import SweepPlanError, inside
from govsim.validate import ConfigError

__all__ = [
    "discard_hydra_record",
    "holds_only_hydra_record",
    "check_hydra_keys",
    "check_job_dirs",
    "check_overrides",
    "check_search_path",
    "check_sweeper_params",
]


def check_job_dirs(jobs: list[tuple[str, DictConfig]]) -> None:
    """Refuse a sweep whose jobs would share a directory, or one that would leave the sweep directory.

    ``jobs``: each job's key (its swept values, ``seed=1``) and composed config, in the launcher's
    order. A job's directory is ``hydra.sweep.subdir`` resolved with ``hydra.job.num`` and
    ``hydra.job.id`` set to its index, as Hydra's launchers number the jobs. Raises
    ``SweepPlanError`` (the same messages for ``govsim -m`` and ``govsim-experiment``).
    """
    from hydra.core.utils import setup_globals

    setup_globals()  # Hydra's own resolvers (now, hydra), as its launcher has them
    seen: dict[str, str] = {}
    for idx, (swept, node) in enumerate(jobs):
        key = swept or f"#{idx}"  # a sweep of one value per key names its jobs by number
        with read_write(node.hydra), open_dict(node.hydra):
            node.hydra.job.num, node.hydra.job.id = idx, f"{idx}"
        sweep = Path(str(OmegaConf.select(node, "hydra.sweep.dir")))
        sub = str(OmegaConf.select(node, "hydra.sweep.subdir"))
        where = (sweep / sub).resolve()
        if not inside(where, sweep) or where == sweep.resolve():
            raise SweepPlanError(
                f"hydra.sweep.subdir={sub!r} (job {key}): outside the sweep directory {sweep}; allowed: "
                "a relative name built from swept keys, e.g. ${policy.name}/rep${replication}_${govsim_job:}"
            )
        # compared below the sweep directory: each composition names its own (hydra.sweep.dir's time)
        here = os.path.relpath(where, sweep.resolve())
        if here in seen:
            raise SweepPlanError(
                f"jobs {seen[here]} and {key} would write into one directory ({sub}); allowed: a "
                "hydra.sweep.subdir that names every swept key (the default does)"
            )
        seen[here] = key


SWEEPER_PARAMS = "hydra.sweeper.params."


def check_hydra_keys(overrides: list[str]) -> None:
    """``check_sweeper_params`` and ``check_search_path`` on a command line as typed (``InputError``).

    Called before anything is composed: Hydra's own composing would warn or fail first. An override
    that does not parse is left to the composing, which explains it.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    check_sweeper_params(overrides)
    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except Exception:  # noqa: BLE001 - explained where it is composed
        return
    for o in parsed:
        value = o.value()
        if o.key_or_group == "hydra.searchpath" and isinstance(value, list):
            check_search_path(value)


def check_search_path(entries: list[Any]) -> None:
    """Refuse a ``hydra.searchpath`` entry that names nothing (``InputError``).

    ``file://PATH`` (or a bare ``PATH``, which Hydra reads as a file path) must be a directory, and
    ``pkg://PACKAGE`` an importable package. Hydra only warns (a Python ``UserWarning`` with its own file
    and line) and composes without the entry, so a misspelt one silently runs the shipped configs
    instead of the user's.
    """
    import importlib.util

    for entry in entries:
        scheme, sep, where = str(entry).partition("://")
        if not sep:
            scheme, where = "file", str(entry)
        if scheme == "file":
            found = Path(where).is_dir()
        else:
            try:
                found = (
                    scheme == "pkg"
                    and bool(where)
                    and importlib.util.find_spec(where.replace("/", ".")) is not None
                )
            except (ImportError, ValueError):  # a parent package that is missing, or a malformed name
                found = False
        if not found:
            raise InputError(
                f"hydra.searchpath={entry}: no such {'directory' if scheme == 'file' else 'package'}; "
                "allowed: existing directories (file://PATH), or importable packages (pkg://PACKAGE)"
            )


def check_sweeper_params(overrides: list[str]) -> None:
    """Refuse ``hydra.sweeper.params.a.b=...`` (``InputError``): OmegaConf reads the dots as nested sections.

    Hydra's sweeper then meets a section where it expects a value and fails with "Unexpected type:
    None". The user's text is quoted, so call this on the command line as typed (before a sweep is
    expanded into jobs).
    """
    for text in overrides:
        key = text.lstrip("+~").split("=", 1)[0]
        if key.startswith(SWEEPER_PARAMS) and "." in key[len(SWEEPER_PARAMS) :]:
            raise InputError(
                f"{text}: a dotted key cannot be swept through hydra.sweeper.params on the command line; "
                f"allowed: the key swept itself ({key[len(SWEEPER_PARAMS) :]}=<values>), or "
                "hydra.sweeper.params in a config file"
            )


def check_overrides(overrides: list[str], is_group: Callable[[str], bool]) -> None:
    """Refuse overrides that Hydra would accept, or explain badly.

    These are: ``+`` on a key that exists or is not in the schema, ``~`` on a schema key, a sweep without
    ``--multirun``, a number or word for a true/false field (``mentoring=1``), a dotted key under
    ``hydra.sweeper.params``, and a ``hydra.searchpath`` directory that does not exist. Names under a
    mapping (``scenario.categories.<name>``) are left to Hydra, which knows which exist.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    for o in OverridesParser.create().parse_overrides(list(overrides)):
        key = o.key_or_group
        if key == "experiment" and is_group(key) and schema_type(key) is None:
            names = experiment_names()
            if str(o.value()) not in names:
                raise InputError(
                    f"{o.input_line}: no such experiment; allowed: govsim-experiment +experiment=NAME, "
                    f"NAME one of {', '.join(names)}"
                )
            raise InputError(
                f"{o.input_line}: an experiment runs with its own command; allowed: "
                f"govsim-experiment {o.input_line}"
            )
        check_sweeper_params([o.input_line or key])
        value = o.value()
        if key == "hydra.searchpath" and isinstance(value, list):
            check_search_path(value)
        if o.is_hydra_override() or is_group(key):
            continue
        t, text = schema_type(key), o.input_line
        if o.is_delete():
            if t is not None and get_origin(schema_type(key.rpartition(".")[0])) is not dict:
                raise InputError(
                    f"{text}: {key} is in the schema and cannot be deleted; allowed: "
                    f"{key}=<value>, or ~ on a mapping entry (~scenario.categories.<name>)"
                )
            continue
        if o.is_add() and not _under_mapping(key):
            if t is not None:
                raise InputError(f"{text}: {key} is already in the configuration; allowed: {key}=...")
            raise InputError(unknown_key(key, overrides))
        if o.is_sweep_override():
            raise InputError(
                f"{text}: several values make a sweep; allowed: govsim -m {text} to run one job "
                f"per value, or {key}=[...] for a list"
            )
        if t is bool and not isinstance(o.value(), bool):
            raise ConfigError(key, o.value(), "true or false")


def _under_mapping(key: str) -> bool:
    parts = key.split(".")
    return any(get_origin(schema_type(".".join(parts[:i]))) is dict for i in range(1, len(parts)))


def _is_hydra_record(path: Path) -> bool:
    """What Hydra's job runner puts in a run's directory before the run starts: ``.hydra/`` and the log."""
    return path.name == ".hydra" or path.suffix == ".log"


def holds_only_hydra_record(out: Path) -> bool:
    """Whether the directory ``out`` holds Hydra's record of a job and nothing else.

    No result and no file of the user's: a directory Hydra made for a run that never began, or a
    stopped job's before it wrote.
    """
    return all(_is_hydra_record(p) for p in out.iterdir())


def discard_hydra_record(out: Path) -> None:
    """Remove Hydra's record from ``out`` (``.hydra/``, its log), and ``out`` if that empties it.

    For a run refused or stopped before it wrote anything, whose directory would otherwise look like a
    run. Never removes anything else: a directory holding other files keeps them.
    """
    for p in out.iterdir():
        if p.is_dir() and p.name == ".hydra":
            shutil.rmtree(p, ignore_errors=True)
        elif _is_hydra_record(p):
            p.unlink(missing_ok=True)
    if out.is_dir() and not any(out.iterdir()):
        out.rmdir()


def experiment_names() -> list[str]:
    """The experiments that ship with govsim: the configs of ``configs/experiment/`` (names, sorted)."""
    from govsim.compose import config_dir

    return sorted(p.stem for p in (Path(config_dir()) / "experiment").glob("*.yaml"))
