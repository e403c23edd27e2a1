"""Command-line entry points (Hydra apps). Model logic lives in the library, never here.

``govsim`` runs one scenario under one policy: ``govsim scenario=one_town policy=grid seed=3``;
``govsim -m ...`` sweeps through a Hydra launcher. Configs are searched in the package's ``configs``
(installed) or the checkout's top-level ``configs/``; add your own with
``hydra.searchpath=[file:///path/to/configs]`` or ``--config-dir DIR``.

A thin face over ``govsim.compose``, the one route to a checked config. Bad input is refused before
anything is created: ``main`` composes the run once (every job of a sweep), checks it
(``govsim.validate``), and on any error prints one line ``govsim: error: <key>=<value>: ...;
allowed: ...`` and exits with status 2, without a traceback. The same check refuses a config that names
code to run or reads the environment (``govsim.safety``), a run or sweep directory that exists and is
not empty, and merges duplicate swept values (``govsim.identity``); the default directory names carry a
digest of the whole config. A single run's composed config is then run as it is (``compose.launch``).
The composing and checking are done in a forked child while the command imports pandas
(``govsim.planfork``), with the same result, refusal and warnings as in one process.
"""

from __future__ import annotations

import atexit
import gc
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govsim.lazymesa import defer_countries, defer_spaces
from govsim.mallocarena import arrow_on_malloc, one_malloc_arena
from govsim.oneline import EXIT_BAD_INPUT

one_malloc_arena()  # the command's own process: one glibc arena, before any library starts a thread
arrow_on_malloc()  # and Arrow's buffers allocated on it (govsim.mallocarena), before pyarrow is imported
defer_spaces()  # the command's own process only (never on import govsim): Mesa's unused spaces load on use
defer_countries()  # and of the holidays package, China's calendar only

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from govsim.compose import (
    PASS_THROUGH,
    InputError,
    config_dir,
    launch,
    to_config,
)
from govsim.config import GovsimConfig, register_configs
from govsim.explain import explain
from govsim.figworker import FigureWorker
from govsim.hydrachecks import discard_hydra_record, holds_only_hydra_record
from govsim.identity import (
    register_resolvers,
)
from govsim.planfork import PlanChild
from govsim.planning import Plan, plan
from govsim.safety import UnsafeConfig
from govsim.stopping import Terminated, end_by_signal, on_sigterm, raise_terminated
from govsim.validate import ConfigError, config_warnings

if TYPE_CHECKING:
    from govsim.runner import RunResult

__all__ = ["Terminated", "command", "main"]


# A sweep's launcher (joblib, submitit) imports this module in its workers to unpickle the task, and
# Hydra names the job's directory (configs/config.yaml: govsim_hash, govsim_dirname) before the task
# runs: the resolvers are registered on import of the app's module, the one import-time effect kept.
register_resolvers()


# ---- the Hydra app ------------------------------------------------------------------------------------
@hydra.main(version_base=None, config_path=config_dir(), config_name="config")
def _run(cfg: DictConfig) -> None:
    """A job that Hydra composed (a multirun's launcher, ``--cfg``): checked here, then run."""
    run_job(cfg)


def run_job(
    cfg: DictConfig,
    checked: GovsimConfig | None = None,
    own_process: bool = False,
    worker: FigureWorker | None = None,
) -> None:
    """Run one job in the directory Hydra made for it; ``checked`` is its config if already checked.

    ``own_process``: the ``govsim`` command's single run, which owns its process: everything start-up
    left alive is frozen out of the cyclic collector first (``freeze_start_up``). ``worker``: the
    forked process that draws the run's figures (``govsim.figworker``; ``main`` starts it and ends it),
    or None to draw them here.
    """
    from govsim.runner import run_to_dir

    if own_process:
        freeze_start_up()

    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    if out.is_dir() and not holds_only_hydra_record(out):
        # taken since preflight looked (Hydra itself has put only .hydra/ and its log there)
        refuse(f"hydra.run.dir={str(out)!r}: the directory already holds a run; allowed: a new directory")
    try:
        moved = absolute_inputs(cfg, Path(hc.runtime.cwd))
        obj = to_config(cfg) if checked is None else _with_inputs(checked, cfg)
    except Exception as exc:  # noqa: BLE001 - preflight passed, so this is unexpected; refuse cleanly anyway
        discard_hydra_record(out)
        refuse(explain(exc, []))
    resolved = None if moved else _saved_config(out, hc.output_subdir)
    # the command's own run draws its figures in the worker main forked, in parallel (govsim.figworker)
    result = run_to_dir(
        obj,
        out,
        OmegaConf.to_yaml(cfg) if resolved is None else resolved,
        warnings=config_warnings(obj),
        checked=True,
        figures=worker,
    )
    print_summary(obj, result, out)


def print_summary(obj: GovsimConfig, result: RunResult, out: Path) -> None:
    """Print the end of a run in its language: a header line, ``summary.txt``'s text, the run directory.

    ``result``: the run's; its ``summary`` is the very text written to
    ``summary.txt`` (KPIs and cost by focus). The header names scenario, policy, seed, replication and
    wall time.
    """
    from govsim.labels import POLICY, report_text, say

    lang, name = obj.output.lang, obj.policy.name
    header = report_text(
        "run_header",
        lang,
        scenario=obj.scenario.name,
        policy=say(POLICY[name], lang) if name in POLICY else name,  # a policy of one's own: as named
        seed=obj.seed,
        rep=obj.replication,
        seconds=result.wall_seconds,
    )
    print(f"\n{header}\n")
    print(result.summary)
    print("\n" + report_text("run_directory", lang, path=out))


def _with_inputs(obj: GovsimConfig, cfg: DictConfig) -> GovsimConfig:
    """The checked config with the input paths ``absolute_inputs`` made absolute (the same files)."""
    obj.scenario.territory = str(cfg.scenario.territory)
    if cfg.scenario.get("calendar_file"):
        obj.scenario.calendar_file = str(cfg.scenario.calendar_file)
    return obj


def _saved_config(out: Path, subdir: str | None) -> str | None:
    """The job's config as Hydra's job runner saved it (``.hydra/config.yaml``), or None if it did not.

    Hydra writes ``OmegaConf.to_yaml`` of the very config it hands to the job; while the job has not
    changed it (``absolute_inputs`` moved nothing), that text is the run's ``config.yaml`` as
    ``OmegaConf.to_yaml(cfg)`` would make it again (about 25 ms of PyYAML's pure-Python emitter).
    """
    if subdir is None:
        return None
    try:
        return (out / str(subdir) / "config.yaml").read_text(encoding="utf-8")
    except OSError:
        return None


def absolute_inputs(cfg: DictConfig, cwd: Path) -> bool:
    """Make relative input paths (territory, calendar file) absolute against the launch directory.

    Preflight checks the file from the launch directory; with ``hydra.job.chdir=true`` the run starts
    in its own directory, where the same relative path would name another file (or none). Returns
    whether a path was changed.
    """
    moved = False
    territory = str(cfg.scenario.territory)
    if territory.endswith(".csv") and not Path(territory).is_absolute():
        with read_write(cfg), open_dict(cfg):
            cfg.scenario.territory = str((cwd / territory).resolve())
        moved = True
    calendar = cfg.scenario.get("calendar_file")
    if calendar and not Path(str(calendar)).is_absolute():
        with read_write(cfg), open_dict(cfg):
            cfg.scenario.calendar_file = str((cwd / str(calendar)).resolve())
        moved = True
    return moved


def _discard_unstarted_run(node: DictConfig) -> None:
    """After SIGTERM: remove what Hydra made for a run that had not written its ``run.json`` yet.

    Hydra's job runner makes the run directory, ``.hydra/`` and the log before the run starts; a
    directory holding only those would look like a run. A run that began says ``failed`` in its own
    ``run.json`` (``runner.run_to_dir``) and is left as it is. ``node``: the composed run Hydra was
    given, on which it records the directory it made (``hydra.runtime.output_dir``).
    """
    made = OmegaConf.select(node, "hydra.runtime.output_dir", default=None, throw_on_missing=False)
    if not made:
        return  # Hydra had not made the directory yet
    out = Path(str(made))
    if out.is_dir() and not (out / "run.json").exists():
        discard_hydra_record(out)


def freeze_start_up() -> None:
    """Move every object alive now to the collector's permanent generation (``gc.freeze``), and collect again.

    Start-up (Hydra, pandas, Mesa, the composed config) leaves some 120,000 long-lived objects, and each
    full collection of the cyclic collector rescans them all: in a one_town run seven full collections
    (three of them the run's own deliberate ``gc.collect()`` calls, one at exit) took about 0.5 s of the
    4 s, measured with ``gc.callbacks``. Frozen, they are skipped; whatever the run allocates is
    collected as before. ``main`` pauses the collector while it composes and checks (``gc.disable``);
    the composition's cyclic garbage (about 24,000 small objects, a few MB) is frozen with the rest
    rather than collected, which would cost one more full collection: the process ends after the run.
    Only the ``govsim`` command does this, for its single run: the library (``govsim.run``, notebooks)
    and a sweep's reused workers keep the collector as their caller set it. Through
    ``collector.freeze_for_good``, so that a run's ``collector.caller_heap_frozen`` leaves it frozen.
    """
    from govsim.collector import freeze_for_good

    freeze_for_good()


def refuse(message: str) -> None:
    """Print ``govsim: error: message`` (one line) on stderr and exit with status 2."""
    print(f"govsim: error: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


_UNSET = object()
"""``main``'s SIGTERM handler before it set its own: not yet set."""


def main() -> None:
    """``govsim`` console script: refuse bad input in one line (status 2), else run.

    A single run is composed and checked once (``plan``, through ``govsim.compose.compose_run``) and
    that very config is run by Hydra's job runner (``govsim.compose.launch``): nothing is composed
    twice. A sweep (``-m``) is checked job by job and handed to Hydra's sweeper and launcher, which
    compose each job again in the job's process. While a run may be in progress, SIGTERM raises
    ``Terminated`` in the main thread (as Ctrl-C raises ``KeyboardInterrupt``): the run records itself
    as failed; ``command`` ends the process by the signal.
    """
    argv = sys.argv[1:]
    gc.disable()  # until freeze_start_up (a single run) or Hydra takes over below

    if PASS_THROUGH.intersection(a.split("=", 1)[0] for a in argv):
        register_configs()  # Hydra's own app (help, --cfg) composes on the schema
        gc.enable()
        _run()
        return
    # The plan (compose and check) is made in a forked child while this process imports pandas
    # (govsim.planfork); None where it cannot fork: then it is made here, below.
    planner = PlanChild.start(argv)
    worker: FigureWorker | None = None
    previous: Any = _UNSET
    try:
        # The figure worker is forked first, so that its import of Matplotlib overlaps the composing and
        # checking (govsim.figworker); it is ended at once if the command turns out to be a sweep, bad
        # input or a run without figures, and in every case before this function returns. pandas, which
        # both processes need (the run, and the frames the worker is sent), is imported once, before the
        # fork: forked first, each imported it for itself, some 0.4 s of CPU more on a 2-core machine.
        import pandas  # noqa: F401

        worker = FigureWorker.start()
        # after the fork: the worker keeps the default (FigureWorker.close ends it with SIGTERM)
        previous = on_sigterm(raise_terminated)
        try:
            checked = _plan(argv, planner)
        except (InputError, ConfigError, UnsafeConfig) as exc:
            refuse(str(exc))
        single = checked.single
        if worker is not None and (single is None or not single.config.output.figures):
            worker.close()
            worker = None
        if single is not None:
            try:
                launch(single.node, lambda cfg: run_job(cfg, single.config, own_process=True, worker=worker))
            except Terminated:
                _discard_unstarted_run(single.node)
                raise
            return
    finally:
        if worker is not None:
            worker.close()  # reaped, or ended if the run failed or was interrupted: never an orphan
        if planner is not None:
            planner.close()  # reaped, or ended if this process was interrupted while it planned
        if previous is not _UNSET:
            on_sigterm(previous)
    register_configs()  # Hydra's own app composes a sweep's jobs on the schema
    gc.enable()
    sys.argv = [sys.argv[0], *checked.argv]
    previous = on_sigterm(raise_terminated)  # a sweep's jobs in this process (Hydra's basic launcher)
    try:
        _run()
    finally:
        on_sigterm(previous)


def _plan(argv: list[str], planner: PlanChild | None) -> Plan:
    """The plan of ``argv``: the forked child's (``govsim.planfork``), else made here.

    Made here where no child was forked, or where it failed otherwise than by refusing the input: planning
    again in this process meets that fault with its traceback. A refusal is raised as ``InputError``.
    """
    planned = planner.result() if planner is not None else None
    if planned is None:
        register_configs()
        planned = plan(argv)
    return planned


def command() -> None:
    """The ``govsim`` console script: ``main``, then the process ends without tearing the interpreter down.

    Python's own exit frees every object and module one by one after the exit handlers have run:
    about 0.1 s of a one_town run (0.18–0.38 s on a loaded machine, against 0.02 s with this; timed
    from the end of ``main`` to the end of the process). Nothing is lost by skipping it: the exit
    handlers still run (``atexit``: logging's shutdown flushes and closes the run's log file), and
    stdout and stderr are flushed; only the freeing, which the end of the process does at once, is
    skipped. Python's ordinary exit is kept when a non-daemon thread is still running (it would
    wait for it) and for any exit through ``SystemExit`` (refused input, Hydra's own exits), and ``main``
    called in-process (tests, other code) never ends the process. SIGTERM and Ctrl-C end it in one line
    on stderr, by the signal (``govsim.stopping.end_by_signal``), without a traceback.
    """
    try:
        main()
    except Terminated:
        end_by_signal("govsim: terminated by SIGTERM (a run in progress says failed in its run.json)")
    except KeyboardInterrupt:
        message = "govsim: interrupted (Ctrl-C); a run in progress says failed in its run.json"
        end_by_signal(message, signal.SIGINT)
    end_process()


def end_process(status: int = 0) -> None:
    """Run the exit handlers, flush stdout and stderr, and end the process with ``status`` (``os._exit``).

    Returns (leaving the exit to Python) if a thread Python would wait for (not a daemon) is alive, or a
    stream cannot be flushed.
    """
    main_thread = threading.main_thread()
    if any(t is not main_thread and not t.daemon for t in threading.enumerate()):
        return  # Python waits for such a thread at exit (daemon threads, tqdm's monitor, it does not)
    atexit._run_exitfuncs()  # what Python runs at exit, in its order; they are not run twice
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # a closed or broken stream: Python's exit reports it as it always has
    os._exit(status)
