"""Command-line entry points (Hydra apps). Model logic lives in the library, never here.

``govsim`` runs one scenario under one policy: ``govsim scenario=one_town policy=grid seed=3``;
``govsim -m ...`` sweeps through a Hydra launcher. Configs are searched in the package's ``configs``
(installed) or the checkout's top-level ``configs/``; add your own with
``hydra.searchpath=[file:///path/to/configs]`` or ``--config-dir DIR``.

Bad input is refused before Hydra creates a run directory: ``main`` first composes the configuration
the way Hydra will (every job of a sweep), checks it (``govsim.validate``), and on any error prints one
line ``govsim: error: <key>=<value>: ...; allowed: ...`` and exits with status 2, without a traceback.
The same check refuses a config that names code to run or reads the environment (``govsim.safety``),
a run or sweep directory that exists and is not empty, and merges duplicate swept values
(``govsim.identity``); the default directory names carry a digest of the whole config.
"""

from __future__ import annotations

import difflib
import functools
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from govsim.config import GovsimConfig, register_configs
from govsim.identity import SweepPlanError, occupied, plan_unique, register_resolvers, rewrite_lines
from govsim.safety import UnsafeConfig, check_override_text, check_safety
from govsim.validate import ConfigError, check, check_data, config_warnings, show, warn

EXIT_BAD_INPUT = 2

register_resolvers()  # run and job directory names (configs/config.yaml) use them, in every process


class InputError(Exception):
    """Bad input from the user: the message is one line, printed as it is."""


def config_dir() -> str:
    """Where the shipped YAML configs are: inside the installed package, else the source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "configs", here.parents[1] / "configs"):
        if (candidate / "config.yaml").is_file():
            return str(candidate)
    raise FileNotFoundError("govsim configs not found beside the package or in the checkout")


def to_config(cfg: DictConfig) -> GovsimConfig:
    """The typed, checked configuration object from a composed config (without Hydra's own ``hydra`` node).

    Raises ``ConfigError`` (or ``govsim.scenario.ScenarioError`` for a bad territory file).
    """
    obj = OmegaConf.to_object(cfg)
    if not isinstance(obj, GovsimConfig):
        raise ConfigError("config", type(obj).__name__, "a configuration composed on the govsim schema")
    check(obj)
    check_data(obj)
    return obj


# ---- composing as Hydra does, without running anything -----------------------------------------------
@contextmanager
def _loader(extra_dir: str | None = None) -> Iterator[Any]:
    """Hydra's config loader on govsim's search path (plus ``--config-dir``), with the schema registered."""
    if extra_dir is not None and not Path(extra_dir).is_dir():
        raise InputError(f"--config-dir={extra_dir!r}: no such directory")
    yield _make_loader(str(Path(extra_dir).resolve()) if extra_dir is not None else None)


@functools.lru_cache(maxsize=8)
def _make_loader(extra_dir: str | None) -> Any:
    """Built once per search path: discovering plugins and registering the schema take half a second."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra._internal.utils import create_config_search_path
    from hydra.core.config_search_path import SearchPathQuery

    register_configs()
    search_path = create_config_search_path(f"file://{config_dir()}")
    if extra_dir is not None:
        search_path.prepend("command-line", f"file://{extra_dir}", SearchPathQuery(provider="schema"))
    return ConfigLoaderImpl(config_search_path=search_path)


def compose(overrides: list[str], config_name: str = "config", extra_dir: str | None = None) -> GovsimConfig:
    """One checked configuration from command-line style overrides; ``InputError`` with one line if bad."""
    from hydra.types import RunMode

    with _loader(extra_dir) as loader:
        try:
            check_override_text(list(overrides))
            check_overrides(overrides, loader.repository.group_exists)
            cfg = loader.load_configuration(config_name, list(overrides), RunMode.RUN)
            check_safety(cfg)
            with read_write(cfg), open_dict(cfg):
                del cfg["hydra"]
            return to_config(cfg)
        except Exception as exc:  # noqa: BLE001 - every composition failure is the user's input
            raise InputError(explain(exc, overrides)) from None


def plan_jobs(
    overrides: list[str], config_name: str = "config", extra_dir: str | None = None, multirun: bool = False
) -> list[list[str]]:
    """The override list of every job ``govsim`` would launch.

    One job, or for a multirun (``-m`` or ``hydra.mode: MULTIRUN`` in a config) the Cartesian product of
    the swept values, as Hydra's basic sweeper forms it (``hydra.sweeper.params`` first, then the
    command line).
    """
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.types import RunMode

    with _loader(extra_dir) as loader:
        try:
            cfg = loader.load_configuration(
                config_name, list(overrides), RunMode.MULTIRUN, validate_sweep_overrides=False
            )
            if not multirun and cfg.hydra.mode != RunMode.MULTIRUN:
                return [list(overrides)]
            lines = sweep_params(cfg) + list(overrides)
            parsed = OverridesParser.create(config_loader=loader).parse_overrides(lines)
            return [list(job) for batch in BasicSweeper.split_arguments(parsed, None) for job in batch]
        except Exception as exc:  # noqa: BLE001
            if not multirun:
                return [list(overrides)]  # composing it as a single run gives the clearer message
            raise InputError(explain(exc, overrides)) from None


def sweep_params(cfg: DictConfig) -> list[str]:
    """The sweep a config sets in ``hydra.sweeper.params``, as override lines."""
    params = cfg.hydra.sweeper.get("params") or {}
    return [f"{k}={v}" for k, v in params.items()]


def _config_sweep(overrides: list[str], name: str, extra_dir: str | None) -> list[str]:
    from hydra.types import RunMode

    with _loader(extra_dir) as loader:
        cfg = loader.load_configuration(
            name, list(overrides), RunMode.MULTIRUN, validate_sweep_overrides=False
        )
        return sweep_params(cfg)


def preflight(argv: list[str]) -> tuple[list[GovsimConfig], list[str]]:
    """Check what ``govsim argv`` would run, every job of a sweep; print warnings; ``InputError`` if bad.

    Returns the jobs' configurations and the command line to hand to Hydra: the same, except that
    duplicate values of a swept key (``seed=1,1``, ``policy.grid.staffing=1.0,1``) are merged with a
    message. Refuses a run directory (``hydra.run.dir``) or sweep directory that exists and is not
    empty, and two jobs that would run the same configuration.
    """
    from hydra._internal.utils import get_args_parser

    args, unknown = get_args_parser().parse_known_args(argv)
    if unknown:
        raise InputError(f"{unknown[0]}: unknown option; allowed: the options of govsim --help, overrides")
    name = args.config_name or "config"
    if args.config_path is not None:
        raise InputError(
            f"--config-path={args.config_path!r}: not supported; allowed: --config-dir DIR "
            "or hydra.searchpath=[file:///path/to/configs]"
        )
    check_override_text(list(args.overrides))
    jobs = plan_jobs(args.overrides, name, args.config_dir, bool(args.multirun))
    overrides = list(args.overrides)
    multirun = len(jobs) > 1 or bool(args.multirun)
    if multirun:
        by_job: dict[str, GovsimConfig] = {}

        def identity(job: list[str]) -> str:
            obj = compose(job, name, args.config_dir)
            ident = config_identity(obj)
            by_job[ident] = obj
            return ident

        params = _config_sweep(list(args.overrides), name, args.config_dir)
        try:
            lang = compose(jobs[0], name, args.config_dir).output.lang  # messages in the run's language
            rewrites, merged, planned = plan_unique([*params, *args.overrides], identity, lang=lang)
        except SweepPlanError as exc:
            raise InputError(str(exc)) from None
        for message in merged:
            warn(message)
        overrides = rewrite_lines(list(args.overrides), rewrites)
        given = {o.lstrip("+~").split("=", 1)[0] for o in overrides}
        overrides += [f"{k}={v}" for k, v in rewrites.items() if k.lstrip("+~") not in given]
        configs = [by_job[ident] for _, ident in planned]
    else:
        configs = [compose(job, name, args.config_dir) for job in jobs]
    check_output_dir(overrides, name, args.config_dir, multirun)
    for message in dict.fromkeys(m for c in configs for m in config_warnings(c)):
        warn(message)
    if overrides == list(args.overrides):
        return configs, list(argv)
    given = set(args.overrides)
    return configs, [*(a for a in argv if a not in given), *overrides]


def config_identity(obj: GovsimConfig) -> str:
    """Digest of a checked configuration and of the content of its input files."""
    from dataclasses import asdict

    from govsim.identity import digest, input_checksums

    data = asdict(obj)
    return digest(data, input_checksums(data))


def check_output_dir(overrides: list[str], name: str, extra_dir: str | None, multirun: bool) -> None:
    """Refuse a run (or sweep) directory that exists and holds anything: it is never reused silently.

    The default names (``configs/config.yaml``) carry the time to the microsecond and a digest of the
    whole config, so only a directory the user named (``hydra.run.dir=.``) can be taken.
    """
    from hydra.types import RunMode

    with _loader(extra_dir) as loader:
        try:
            cfg = loader.load_configuration(
                name, list(overrides), RunMode.MULTIRUN if multirun else RunMode.RUN
            )
            key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
            where = Path(str(OmegaConf.select(cfg, key)))
        except Exception:  # noqa: BLE001 - a template that needs Hydra's runtime: Hydra will resolve it
            return
    if occupied(where):
        raise InputError(
            f"{key}={str(where)!r}: the directory exists and is not empty; allowed: a new or empty "
            "directory (leave hydra.run.dir unset for a unique name)"
        )


# ---- one-line explanations of Hydra's and OmegaConf's errors ------------------------------------------
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
        return _unknown_key(str(cause.full_key), overrides)
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
    """``key=value`` as the user typed it on the command line, else with ``value`` shown."""
    pairs = (o.lstrip("+~").split("=", 1) for o in overrides)
    typed = next((kv[1] for kv in pairs if len(kv) == 2 and kv[0] == key), None)
    return f"{key}={typed}" if typed is not None else f"{key}={show(value)}" if value is not None else key


def _unknown_key(key: str, overrides: list[str]) -> str:
    parent, _, leaf = key.rpartition(".")
    known = schema_fields(parent)
    hint = difflib.get_close_matches(leaf, known or [], n=1)
    where = f"in {parent}" if parent else "at the top level"
    allowed = ", ".join(known) if known else "keys of the govsim schema"
    maybe = f" (did you mean {hint[0]!r}?)" if hint else ""
    return f"{_given(key, overrides)}: unknown key {where}{maybe}; allowed: {allowed}"


def schema_type(path: str) -> Any:
    """The annotated type at a dotted ``path`` of the schema (``None`` if the path is not in it).

    Mapping fields (categories, departments, tasks) take any name as the next part of the path.
    """
    t: Any = GovsimConfig
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


def check_overrides(overrides: list[str], is_group: Callable[[str], bool]) -> None:
    """Refuse overrides that Hydra would accept, or explain badly.

    These are: ``+`` on a key that exists or is not in the schema, ``~`` on a schema key, a sweep without
    ``--multirun``, and a number or word for a true/false field (``mentoring=1``). Names under a
    mapping (``scenario.categories.<name>``) are left to Hydra, which knows which exist.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    for o in OverridesParser.create().parse_overrides(list(overrides)):
        key = o.key_or_group
        if key == "experiment" and is_group(key) and schema_type(key) is None:
            raise InputError(
                f"{o.input_line}: an experiment runs with its own command; allowed: "
                f"govsim-experiment {o.input_line}"
            )
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
            raise InputError(_unknown_key(key, overrides))
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


# ---- the Hydra app ------------------------------------------------------------------------------------
@hydra.main(version_base=None, config_path=config_dir(), config_name="config")
def _run(cfg: DictConfig) -> None:
    from govsim.runner import run_to_dir

    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    if out.is_dir() and any(p.name != ".hydra" and p.suffix != ".log" for p in out.iterdir()):
        # taken since preflight looked (Hydra itself has put only .hydra/ and its log there)
        refuse(f"hydra.run.dir={str(out)!r}: the directory already holds a run; allowed: a new directory")
    try:
        absolute_inputs(cfg, Path(hc.runtime.cwd))
        obj = to_config(cfg)
    except Exception as exc:  # noqa: BLE001 - preflight passed, so this is unexpected; refuse cleanly anyway
        _discard_run_dir(out)
        refuse(explain(exc, []))
    result = run_to_dir(obj, out, OmegaConf.to_yaml(cfg), warnings=config_warnings(obj))
    from govsim.metrics import summary_text

    print(
        f"\n{obj.scenario.name} · {obj.policy.name} · seed {obj.seed} rep {obj.replication} · "
        f"{result.wall_seconds:.1f} s\n"
    )
    print(summary_text(result.kpis[result.kpis["by"] == "all"], obj.output.lang))
    from govsim.labels import report_text

    print("\n" + report_text("run_directory", obj.output.lang, path=out))


def absolute_inputs(cfg: DictConfig, cwd: Path) -> None:
    """Make relative input paths (territory, calendar file) absolute against the launch directory.

    Preflight checks the file from the launch directory; with ``hydra.job.chdir=true`` the run starts
    in its own directory, where the same relative path would name another file (or none).
    """
    territory = str(cfg.scenario.territory)
    if territory.endswith(".csv") and not Path(territory).is_absolute():
        with read_write(cfg), open_dict(cfg):
            cfg.scenario.territory = str((cwd / territory).resolve())
    calendar = cfg.scenario.get("calendar_file")
    if calendar and not Path(str(calendar)).is_absolute():
        with read_write(cfg), open_dict(cfg):
            cfg.scenario.calendar_file = str((cwd / str(calendar)).resolve())


def _discard_run_dir(out: Path) -> None:
    """Remove what Hydra put in a refused run's directory (``.hydra/``, its log), never anything else."""
    for p in out.glob("*.log"):
        p.unlink()
    shutil.rmtree(out / ".hydra", ignore_errors=True)
    if out.is_dir() and not any(out.iterdir()):
        out.rmdir()


def refuse(message: str) -> None:
    """Print ``govsim: error: message`` (one line) on stderr and exit with status 2."""
    print(f"govsim: error: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


PASS_THROUGH = {"--help", "-h", "--hydra-help", "--info", "-i", "--shell-completion", "-sc", "--version"}


def main() -> None:
    """``govsim`` console script: refuse bad input in one line (status 2), else hand over to Hydra."""
    register_configs()
    argv = sys.argv[1:]
    if not PASS_THROUGH.intersection(a.split("=", 1)[0] for a in argv):
        try:
            _, argv = preflight(argv)
        except (InputError, ConfigError, UnsafeConfig) as exc:
            refuse(str(exc))
        sys.argv = [sys.argv[0], *argv]
    _run()
