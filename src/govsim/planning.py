"""What a ``govsim`` command line would run, checked before anything runs (``plan``).

Composes the single run once (``govsim.compose.compose_run``), or every job of a sweep (``-m``, or a
config that sets ``hydra.mode: MULTIRUN``), and checks each (``govsim.validate``); refuses a run or
sweep directory that exists and is not empty, two jobs of one sweep that would run the same
configuration or write into one directory; merges duplicate swept values with a message
(``govsim.identity``). Every refusal is an ``InputError`` (or ``ConfigError``, ``UnsafeConfig``) whose
text is the one line ``govsim.cli`` prints before exiting with status 2.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from govsim.compose import (
    Composed,
    InputError,
    compose,
    compose_multirun,
    compose_run,
    expand_sweep,
    parse_args,
    refuse_config_path,
    sweep_params,
)
from govsim.config import GovsimConfig
from govsim.hydrachecks import check_hydra_keys, check_job_dirs
from govsim.identity import (
    SweepPlanError,
    digest,
    input_checksums,
    occupied,
    plan_unique,
    rewrite_lines,
    taken,
)
from govsim.safety import check_override_text
from govsim.validate import config_warnings, warn

__all__ = ["Plan", "check_output_dir", "config_identity", "plan", "plan_jobs", "preflight"]


def plan_jobs(
    overrides: list[str], config_name: str = "config", extra_dir: str | None = None, multirun: bool = False
) -> list[list[str]]:
    """The override list of every job ``govsim`` would launch.

    One job, or for a multirun (``-m`` or ``hydra.mode: MULTIRUN`` in a config) the Cartesian product of
    the swept values (``govsim.compose.expand_sweep``: ``hydra.sweeper.params`` first, then the
    command line).
    """
    from hydra.types import RunMode

    try:
        cfg = compose_multirun(overrides, config_name, extra_dir)
        if not multirun and cfg.hydra.mode != RunMode.MULTIRUN:
            return [list(overrides)]
        return expand_sweep(sweep_params(cfg) + list(overrides), extra_dir)[0]
    except Exception:
        if not multirun:
            return [list(overrides)]  # composing it as a single run gives the clearer message
        raise


@dataclass(frozen=True)
class Plan:
    """What ``govsim argv`` will run, checked.

    ``configs``: every job's checked configuration; ``argv``: the command line to hand to Hydra (for a
    sweep, duplicate swept values merged); ``single``: a plain run, composed and checked once, that
    ``main`` runs as it is (``None`` for a sweep or a command Hydra answers, such as ``--cfg job``).
    """

    configs: list[GovsimConfig]
    argv: list[str]
    single: Composed | None = None


def plan(argv: list[str]) -> Plan:
    """Check what ``govsim argv`` would run, every job of a sweep; print warnings; ``InputError`` if bad.

    Refuses a run directory (``hydra.run.dir``) or sweep directory that exists and is not empty, and
    two jobs that would run the same configuration; merges duplicate values of a swept key
    (``seed=1,1``, ``policy.grid.staffing=1.0,1``) with a message.
    """
    from hydra.types import RunMode

    args = parse_args(argv)
    refuse_config_path(args)
    name = args.config_name or "config"
    check_override_text(list(args.overrides))
    check_hydra_keys(list(args.overrides))
    if not (args.multirun or args.cfg or args.shell_completion or args.info or args.run):
        try:
            single = compose_run(list(args.overrides), name, args.config_dir)
        except InputError:
            single = None  # a sweep set by a config (hydra.mode: MULTIRUN), or bad: the sweep path says
        if single is not None and single.node.hydra.mode != RunMode.MULTIRUN:
            check_output_dir(single.node, multirun=False)
            _warn([single.config])
            return Plan([single.config], list(argv), single)
    jobs = plan_jobs(args.overrides, name, args.config_dir, bool(args.multirun))
    overrides = list(args.overrides)
    multirun = len(jobs) > 1 or bool(args.multirun)
    if multirun:
        by_job: dict[str, Composed] = {}

        def identity(job: list[str]) -> str:
            composed = compose_run(job, name, args.config_dir)
            ident = config_identity(composed.config)
            by_job[ident] = composed
            return ident

        params = sweep_params(compose_multirun(list(args.overrides), name, args.config_dir))
        try:
            lang = compose(jobs[0], name, args.config_dir).output.lang  # messages in the run's language
            rewrites, merged, planned = plan_unique(
                [*params, *args.overrides], identity, args.config_dir, lang=lang
            )
        except SweepPlanError as exc:
            raise InputError(str(exc)) from None
        for message in merged:
            warn(message)
        overrides = rewrite_lines(list(args.overrides), rewrites)
        given = {o.lstrip("+~").split("=", 1)[0] for o in overrides}
        overrides += [f"{k}={v}" for k, v in rewrites.items() if k.lstrip("+~") not in given]
        configs = [by_job[ident].config for _, ident in planned]
        _check_job_dirs([(job, by_job[ident].node) for job, ident in planned], [*params, *overrides], args)
    else:
        configs = [compose(job, name, args.config_dir) for job in jobs]
    check_output_dir(_composed_dir(overrides, name, args.config_dir, multirun), multirun)
    _warn(configs)
    if overrides == list(args.overrides):
        return Plan(configs, list(argv))
    given = set(args.overrides)
    return Plan(configs, [*(a for a in argv if a not in given), *overrides])


def _check_job_dirs(jobs: list[tuple[list[str], DictConfig]], lines: list[str], args: Any) -> None:
    """``compose.check_job_dirs`` on the planned jobs of a ``govsim -m`` sweep; ``InputError`` if refused."""
    from govsim.experiment import job_key

    keys = expand_sweep(lines, args.config_dir)[1]
    try:
        check_job_dirs([(job_key(job, keys)[0], node) for job, node in jobs])
    except SweepPlanError as exc:
        raise InputError(str(exc)) from None


def preflight(argv: list[str]) -> tuple[list[GovsimConfig], list[str]]:
    """``plan(argv)`` as ``(configs, argv for Hydra)``."""
    checked = plan(argv)
    return checked.configs, checked.argv


def config_identity(obj: GovsimConfig) -> str:
    """Digest of a checked configuration and of the content of its input files."""
    data = asdict(obj)
    return digest(data, input_checksums(data))


def _composed_dir(
    overrides: list[str], name: str, extra_dir: str | None, multirun: bool
) -> DictConfig | None:
    """The composed config whose ``hydra.run.dir`` (``hydra.sweep.dir``) is checked; ``None`` if unknown."""
    if multirun:
        try:
            return compose_multirun(overrides, name, extra_dir)
        except InputError:
            return None
    return compose_run(overrides, name, extra_dir).node


def check_output_dir(node: DictConfig | None, multirun: bool) -> None:
    """Refuse a run (or sweep) directory that exists and holds anything: it is never reused silently.

    The default names (``configs/config.yaml``) carry the time to the microsecond and a digest of the
    whole config, so only a directory the user named (``hydra.run.dir=.``) can be taken.
    """
    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    if node is None:
        return
    try:
        where = Path(str(OmegaConf.select(node, key)))
    except Exception:  # noqa: BLE001 - a template that needs Hydra's runtime: Hydra will resolve it
        return
    if occupied(where):
        raise InputError(
            taken(key, where, allowed=f"a new or empty directory (leave {key} unset for a unique name)")
        )


def _warn(configs: list[GovsimConfig]) -> None:
    for message in dict.fromkeys(m for c in configs for m in config_warnings(c)):
        warn(message)
