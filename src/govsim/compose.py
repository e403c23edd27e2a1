"""The one route from overrides to a checked, typed configuration (Hydra composition lives here only).

``compose(overrides)`` composes ``configs/config.yaml`` with command-line style overrides as Hydra
does, refuses what a config may not do (``govsim.safety``), checks every value (``govsim.validate``)
and returns a ``GovsimConfig``; any failure is one ``InputError`` line naming the key, the value and
what is allowed. ``compose_run`` does the same and keeps the composed node (with Hydra's ``hydra``
section), so the ``govsim`` command composes and checks a run once and hands that very node to
Hydra's job runner (``launch``). ``sweep_jobs`` (and ``expand_sweep``, its jobs and keys) is the one
place a multirun's override lines become jobs (Hydra's basic sweeper), for ``govsim -m`` and
``govsim-experiment`` alike, their planning (``govsim.identity.plan_unique``) included.

Hydra's private classes (config loader, argument parser, basic sweeper, job runner) are used here and
nowhere else in govsim: Hydra has no public API to compose a config with its ``hydra`` node, or to
run a job on a config already composed. The one-line explanations of composition errors are in
``govsim.explain``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from govsim.config import GovsimConfig, register_configs
from govsim.explain import InputError, explain, schema_type
from govsim.hydrachecks import check_overrides
from govsim.identity import register_resolvers
from govsim.safety import check_override_text, check_safety
from govsim.validate import ConfigError, check, check_data

__all__ = [
    "PASS_THROUGH",
    "Composed",
    "InputError",
    "compose",
    "compose_multirun",
    "compose_run",
    "config_dir",
    "expand_sweep",
    "launch",
    "parse_args",
    "refuse_config_path",
    "schema_type",
    "Sweep",
    "sweep_jobs",
    "sweep_params",
    "to_config",
]

PASS_THROUGH = {"--help", "-h", "--hydra-help", "--info", "-i", "--shell-completion", "-sc", "--version"}
"""Options Hydra answers itself (help, info): nothing is composed or checked for them."""


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


@dataclass(frozen=True)
class Composed:
    """One composed and checked run.

    ``config`` is the typed, checked configuration; ``node`` the same as Hydra composed it, with its
    ``hydra`` section (run directory, logging, overrides).
    """

    config: GovsimConfig
    node: DictConfig


# ---- the config loader --------------------------------------------------------------------------------
@contextmanager
def _loader(extra_dir: str | None = None) -> Iterator[Any]:
    """Hydra's config loader on govsim's search path (plus ``--config-dir``), with the schema registered."""
    if extra_dir is not None and not Path(extra_dir).is_dir():
        raise InputError(f"--config-dir={extra_dir!r}: no such directory")
    yield _make_loader(str(Path(extra_dir).resolve()) if extra_dir is not None else None)


@functools.lru_cache(maxsize=8)
def _make_loader(extra_dir: str | None) -> Any:
    """Built once per search path: discovering plugins and registering the schema take half a second."""
    register_configs()
    register_resolvers()  # run and job directory names (configs/config.yaml) use them
    loader = _search_loader(extra_dir)
    for source in loader.repository.sources:
        _share_store(source)
    return loader


@functools.lru_cache(maxsize=8)
def _search_loader(extra_dir: str | None) -> Any:
    """Hydra's config loader on govsim's search path, once per path; the schema is not registered here.

    ``launch`` hands it to Hydra's job runner as it stands: a run never composes through it (Hydra's
    ``run_job`` only checks that its context has one), so a process that did not compose (the
    ``govsim`` command whose plan came from ``govsim.planfork``) does not register the schema for it.
    """
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra._internal.utils import create_config_search_path
    from hydra.core.config_search_path import SearchPathQuery

    search_path = create_config_search_path(f"file://{config_dir()}")
    if extra_dir is not None:
        search_path.prepend("command-line", f"file://{extra_dir}", SearchPathQuery(provider="schema"))
    return ConfigLoaderImpl(config_search_path=search_path)


def _share_store(source: Any) -> None:
    """Let a copy of Hydra's structured-config source share the ``ConfigStore`` instead of copying it.

    Every composition copies the loader's repository (``CachingConfigRepository``: ``copy.deepcopy``,
    so that setting up its sources leaves the original alone), and the structured source holds the
    process's ``ConfigStore``: each composition deep-copied every stored config (Hydra's own, the
    launchers', govsim's schema), about 30 ms, for a store that is only read (``ConfigStore.load``
    returns a copy of the node it loads). The copy made here is the source with the same store,
    the process's one instance (``ConfigStore.instance()``), as a new source would hold. Any other
    source (or a Hydra whose source holds no store) is left as it is.
    """
    from hydra.core.config_store import ConfigStore

    if getattr(source, "store", None) is not ConfigStore.instance():
        return

    def share(memo: dict[int, Any]) -> Any:
        twin = copy.copy(source)  # provider and path are strings; the store is the singleton
        memo[id(source)] = twin
        return twin

    source.__deepcopy__ = share


@contextmanager
def _hydra_node_hidden(node: DictConfig) -> Iterator[DictConfig]:
    """``node`` seen without its ``hydra`` section while the block runs; the section is back after.

    What ``copy.deepcopy(node)`` and ``del copy["hydra"]`` give, read-only, without copying every node
    of the composed config (about 25 ms of the command's start-up, ``time.process_time``): OmegaConf
    has no view of a config without one key, so its content mapping is swapped (OmegaConf-private,
    like the rest of this module's Hydra use) and restored, key order kept, even if the block raises.
    The block must only read ``node`` (``to_config`` converts it to a new object).
    """
    content = node.__dict__["_content"]
    node.__dict__["_content"] = {k: v for k, v in content.items() if k != "hydra"}
    try:
        yield node
    finally:
        node.__dict__["_content"] = content


# ---- composing ----------------------------------------------------------------------------------------
def compose(overrides: list[str], config_name: str = "config", extra_dir: str | None = None) -> GovsimConfig:
    """One checked configuration from command-line style overrides; ``InputError`` with one line if bad."""
    return compose_run(overrides, config_name, extra_dir).config


def compose_run(
    overrides: list[str], config_name: str = "config", extra_dir: str | None = None, task_name: str = "cli"
) -> Composed:
    """Compose (once, in Hydra's run mode) and check a run; ``InputError`` with one line if bad.

    ``task_name`` is Hydra's job name (``hydra.job.name``, the run's log file name): ``cli`` for
    ``govsim``, as Hydra names the job of its app (the module ``cli``).
    """
    from hydra.core.utils import JobRuntime
    from hydra.types import RunMode

    with _loader(extra_dir) as loader:
        try:
            check_override_text(list(overrides))
            check_overrides(overrides, loader.repository.group_exists)
            JobRuntime().set("name", task_name)
            node = loader.load_configuration(config_name, list(overrides), RunMode.RUN)
            check_safety(node)
            with _hydra_node_hidden(node):
                obj = to_config(node)
            return Composed(obj, node)
        except Exception as exc:  # noqa: BLE001 - every composition failure is the user's input
            raise InputError(explain(exc, overrides)) from None


def compose_multirun(
    overrides: list[str],
    config_name: str = "config",
    extra_dir: str | None = None,
    schema: Callable[[], None] | None = None,
) -> DictConfig:
    """The composed config of a multirun (sweep values unexpanded, nothing checked); ``InputError`` if bad.

    ``schema`` registers another schema under the name ``config.yaml`` uses, after the loader
    registered the plain one (``govsim.experiment.register_experiment_configs``).
    """
    from hydra.types import RunMode

    with _loader(extra_dir) as loader:
        if schema is not None:
            schema()
        try:
            return loader.load_configuration(
                config_name, list(overrides), RunMode.MULTIRUN, validate_sweep_overrides=False
            )
        except Exception as exc:  # noqa: BLE001
            raise InputError(explain(exc, list(overrides))) from None


def sweep_params(cfg: DictConfig) -> list[str]:
    """The sweep a config sets in ``hydra.sweeper.params``, as override lines."""
    params = cfg.hydra.sweeper.get("params") or {}
    return [f"{k}={v}" for k, v in params.items()]


@dataclass(frozen=True)
class Sweep:
    """The jobs of a multirun as Hydra's basic sweeper forms them.

    ``jobs``: every job's override lines (``key=value``), in the sweeper's order (the Cartesian
    product, the last key varying fastest); ``keys``: the swept keys; ``values``: each key's value
    texts in the order given, duplicates kept (``policy=baseline,baseline``), one for a key not swept.
    ``values`` follows the jobs' key order: the i-th line of every job sets the i-th key of ``values``.
    """

    jobs: list[list[str]]
    keys: list[str]
    values: dict[str, list[str]]


def sweep_jobs(lines: list[str], extra_dir: str | None = None) -> Sweep:
    """The jobs of a multirun, its swept keys and each key's values (``Sweep``); the one expansion.

    ``lines`` are ``hydra.sweeper.params`` first (``sweep_params``), then the command line; a later
    line for a key replaces an earlier one, as in Hydra. Choice sweeps over config groups
    (``policy=glob(*)``) are listed from the search path of ``extra_dir``. Raises Hydra's
    ``HydraException`` on a sweep the basic sweeper cannot enumerate (``interval``).
    """
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    with _loader(extra_dir) as loader:
        parsed = OverridesParser.create(config_loader=loader).parse_overrides(list(lines))
    keys = list(dict.fromkeys(o.get_key_element() for o in parsed if o.is_sweep_override()))
    jobs = [list(job) for batch in BasicSweeper.split_arguments(parsed, None) for job in batch]
    values: dict[str, list[str]] = {}
    for o in parsed:  # each line alone through the sweeper: its values, duplicates kept
        key = o.get_key_element()
        values[key] = [job[0].split("=", 1)[1] for job in BasicSweeper.split_arguments([o], None)[0]]
    return Sweep(jobs, keys, values)


def expand_sweep(lines: list[str], extra_dir: str | None = None) -> tuple[list[list[str]], list[str]]:
    """The jobs of a multirun (override lists) and its swept keys, as Hydra's basic sweeper forms them.

    ``lines`` are ``hydra.sweeper.params`` first (``sweep_params``), then the command line; the
    Cartesian product is taken in Hydra's order (the last swept key varies fastest). Choice sweeps
    over config groups (``policy=glob(*)``) are listed from the search path of ``extra_dir``.
    """
    expanded = sweep_jobs(lines, extra_dir)
    return expanded.jobs, expanded.keys


def parse_args(argv: list[str], allowed: str = "the options of govsim --help, overrides") -> Any:
    """Hydra's command-line options (``-m``, ``--config-dir``, ``--cfg``...) and the overrides of ``argv``.

    Raises ``InputError`` on an option Hydra does not know (``allowed`` says what is).
    """
    from hydra._internal.utils import get_args_parser

    args, unknown = get_args_parser().parse_known_args(argv)
    if unknown:
        raise InputError(f"{unknown[0]}: unknown option; allowed: {allowed}")
    return args


def refuse_config_path(args: Any) -> None:
    """``--config-path`` replaces govsim's search path: refused (``--config-dir`` adds to it)."""
    if args.config_path is not None:
        raise InputError(
            f"--config-path={args.config_path!r}: not supported; allowed: --config-dir DIR "
            "or hydra.searchpath=[file:///path/to/configs]"
        )


def launch(node: DictConfig, task: Callable[[DictConfig], Any]) -> Any:
    """Run ``task`` once on an already composed run, as Hydra's run mode does, without composing again.

    Hydra's ``run_job`` creates the run directory (``hydra.run.dir``), writes ``.hydra/``, sets up
    logging and ``HydraConfig``, changes directory if ``hydra.job.chdir``, and calls ``task`` with the
    config without its ``hydra`` node; ``hydra.callbacks`` see ``on_run_start``/``on_run_end``. An
    exception in ``task`` is reported as Hydra reports it (exit status 1).
    """
    from hydra._internal.callbacks import Callbacks
    from hydra._internal.utils import run_and_report
    from hydra.core.utils import JobRuntime, configure_log, run_job, setup_globals
    from hydra.types import HydraContext, RunMode

    setup_globals()  # Hydra's own resolvers (now, hydra): the run directory's name uses them
    JobRuntime.instance().set("name", node.hydra.job.name)  # as composing set it (here or in a planner)
    if node.hydra.mode is None:  # as Hydra's own run does, and records it among the Hydra overrides
        with read_write(node.hydra), open_dict(node.hydra):
            node.hydra.mode = RunMode.RUN
            node.hydra.overrides.hydra.append("hydra.mode=RUN")
    configure_log(node.hydra.hydra_logging, node.hydra.verbose)
    callbacks = Callbacks(node)

    def run() -> Any:
        callbacks.on_run_start(config=node, config_name=None)
        ret = run_job(
            hydra_context=HydraContext(config_loader=_search_loader(None), callbacks=callbacks),
            task_function=task,
            config=node,
            job_dir_key="hydra.run.dir",
            job_subdir_key=None,
        )
        callbacks.on_run_end(config=node, config_name=None, job_return=ret)
        return ret.return_value  # raises the task's exception, if any

    return run_and_report(run)
