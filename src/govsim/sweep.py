"""The ``govsim-experiment`` Hydra app: launch an experiment's jobs, then aggregate and report.

``govsim-experiment +experiment=NAME [overrides]`` composes ``configs/experiment/NAME.yaml`` (multirun
mode, its ``hydra.sweeper.params``) and launches one job per combination through the configured
launcher. ``main`` refuses, before Hydra creates anything, a command that names no experiment or
code to run, and while the sweep runs it turns SIGTERM, SIGINT (Ctrl-C) and SIGHUP into a clean stop
(``stop``). ``ExperimentCallback`` runs in the launching process: before the jobs, and before
anything is written, it refuses a sweep directory that holds other files and no experiment
(``govsim.experimentchecks.check_sweep_dir``), then composes and checks every job of the sweep
(``plan_sweep``: a bad swept value or an unknown swept policy is one line, exit 2, as ``govsim -m``
refuses it); then it writes or checks
the manifest (``govsim.experiment.prepare_manifest``: a sweep directory of another configuration or
code version is refused, exit 2) and starts a progress bar across the runs; after them it aggregates
the job directories (``govsim.aggregate``), prints expected vs completed, writes the report when
nothing is missing, and exits 1 when something is.

Stopping. SIGTERM (``kill``, ``timeout``, a scheduler's time limit), SIGINT (Ctrl-C, to the process
group or to this process alone) and SIGHUP (the terminal closed; not under ``nohup``) raise
``stopping.Stopped`` in the main thread. On its way out it passes through the launcher: joblib's
``Parallel`` ends its loky workers and their children on any exception (``abort_everything``: the
library's own means, no process killed here), and the basic launcher's job ends its child itself
(``jobrun.run_isolated``). Then ``ExperimentCallback.stop`` makes every job that started and did not
finish say failed, or removes its directory if it held no result (``jobrun.record_stopped``), and
releases the lock; the command prints one line and ends by the same signal (a shell reports 143 for
SIGTERM, 130 for Ctrl-C, 129 for SIGHUP), as ``govsim`` does. The same command resumes the sweep. The
stop is bounded: a second such signal, or ``STOP_GRACE_S`` without an end (the launcher's shutdown can
deadlock), kills every process the command started, records the jobs and ends at once (its exit
handlers, which release the pool's semaphores, given ``EXIT_HANDLERS_S``). A launcher whose jobs run
elsewhere (``submitit`` on a cluster) keeps its own jobs, which this process cannot end.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from govsim.compose import (
    PASS_THROUGH,
    InputError,
    compose_multirun,
    config_dir,
    parse_args,
)
from govsim.experiment import (
    ExperimentMismatch,
    design_points,
    expand_jobs,
    extra_dir,
    job_key,
    now,
    prepare_manifest,
    read_manifest,
    read_marker,
    register_experiment_configs,
    run_view,
    view_identity,
)
from govsim.experimentchecks import check_experiment, check_job_markers, check_sweep_dir, job_dirs
from govsim.explain import explain
from govsim.hydrachecks import check_hydra_keys, check_job_dirs
from govsim.identity import (
    SweepLock,
    SweepLocked,
    plan_unique,
    register_resolvers,
    rewrite_lines,
)
from govsim.jobrun import record_stopped, run_config, run_job
from govsim.labels import warning_text
from govsim.safety import UnsafeConfig, check_override_text, check_safety
from govsim.stopping import Stopped, end_by_signal, stopped_signal
from govsim.validate import ConfigError, config_warnings, warn

# The launcher's workers import this module to unpickle the job, and Hydra names the job's directory
# (govsim_hash, govsim_dirname) before the job runs: registered on import, as the govsim app does.
register_resolvers()

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_stopping: dict[str, Any] = {}  # the stop under way: its "signum", and "what" became of the jobs
EXIT_HANDLERS_S = 2.0  # assumed: loky's exit handlers take well under 0.1 s when nothing is stuck
STOP_GRACE_S = 5.0  # assumed: an orderly stop takes 0.03-0.15 s here; 5 s allows a loaded machine


class ExperimentCallback(Callback):
    """Manifest and progress bar before the sweep; aggregation, report and exit status after it.

    The one whose sweep is under way (it holds the lock) is ``ExperimentCallback.running``, for
    ``main`` to ``stop`` if a signal ends the sweep.
    """

    running: ExperimentCallback | None = None

    def __init__(self) -> None:
        self._progress: _Progress | None = None
        self._lock: SweepLock | None = None
        self._sweep: Path | None = None
        self._dirs: dict[str, Path] = {}
        self._manifest: dict[str, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:  # jobs get a copy without the parent's thread and lock
        return {"_progress": None, "_lock": None, "_sweep": None, "_dirs": {}, "_manifest": None}

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Add the sensitivity design to the sweep; write or check the manifest (exit 2 on a mismatch)."""
        _exit_on_error(self._start, config)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Aggregate the job directories; write the report when complete; exit 1 when not."""
        _exit_on_error(self._end, config)

    def _start(self, config: DictConfig) -> None:
        check_sweep_dir(Path(config.hydra.sweep.dir))  # before anything is written in it
        notes = check_launcher(config)
        check_experiment(config)
        if config.experiment.sensitivity.method != "none":
            with read_write(config.hydra), open_dict(config.hydra):
                n = len(design_points(config.experiment.sensitivity))
                config.hydra.sweeper.params["experiment.point"] = f"range(0,{n})"
        notes += check_shared(config)
        identities, merged, self._dirs = plan_sweep(config)  # every job checked: a refusal is the only line
        if int(config.experiment.replications) == 1:  # as validate.warn_single_replication, printed below
            notes.append(warning_text("single_replication", str(config.output.lang)))
        notes += merged
        self._sweep = Path(config.hydra.sweep.dir)
        self._lock = SweepLock(self._sweep).acquire()
        ExperimentCallback.running = self
        _start_resource_tracker(config)
        # a sweep directory of another configuration is refused here: its refusal is the only line too
        self._manifest = manifest = prepare_manifest(config, identities, notes)
        for message in notes:  # on stderr, before any job
            warn(message)
        if config.experiment.progress:
            self._progress = _Progress(Path(config.hydra.sweep.dir), manifest)
            self._progress.start()

    def _end(self, config: DictConfig) -> None:
        from govsim.aggregate import aggregate, status_text

        if self._progress is not None:
            self._progress.stop()
        sweep = Path(config.hydra.sweep.dir)
        try:
            agg = aggregate(sweep)
            print(status_text(agg.summary, str(config.output.lang)), file=sys.stderr)
            if not agg.summary["complete"]:
                sys.exit(1)
            if config.experiment.report:
                from govsim.report import write_report

                out = write_report(agg, sweep / "report", str(config.output.lang))
                print(f"report: {out}", file=sys.stderr)
        finally:
            if self._lock is not None:
                self._lock.release()
            ExperimentCallback.running = None

    def stop(self, signum: int) -> str:
        """The sweep was stopped by ``signum`` and its workers have ended: record its jobs, free its lock.

        Every job that started and did not finish says failed, or its directory is removed if it
        held no result (``jobrun.record_stopped``); finished jobs are left as they are. Returns what
        became of the jobs, for the command's one line.
        """
        if self._progress is not None:
            self._progress.stop()
        try:
            if self._manifest is None or self._sweep is None:
                return "no job had started"
            removed = record_stopped(self._sweep, self._dirs, self._manifest, signum)
            status = [(read_marker(d) or {}).get("status") for d in self._dirs.values() if d.is_dir()]
            return (
                f"{status.count('complete')} of {len(self._dirs)} jobs complete, {status.count('failed')} "
                f"failed, {removed} removed before writing a result; the same command resumes "
                f"{self._sweep}"
            )
        finally:
            if self._lock is not None:
                self._lock.release()
            ExperimentCallback.running = None


def _start_resource_tracker(config: DictConfig) -> None:
    """Start the joblib launcher's resource tracker now, with SIGHUP ignored, as under ``nohup``.

    loky's tracker (the process that releases the pool's semaphores and shared folders) ignores
    SIGINT and SIGTERM, not SIGHUP. A closed terminal signals the whole process group: the tracker
    died with the workers, and the one the command's exit handlers relaunched printed a traceback
    per semaphore after the stop's line. Started here (``ensure_running``, loky's own), before the
    pool, it inherits SIGHUP ignored and outlives the stop as it does SIGTERM's. Main thread only
    (``signal``); nothing for another launcher.
    """
    if "joblib" not in str(OmegaConf.select(config, "hydra.launcher._target_", default="")):
        return
    if threading.current_thread() is not threading.main_thread():
        return
    from joblib.externals.loky.backend.resource_tracker import ensure_running

    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        ensure_running()
    finally:
        signal.signal(signal.SIGHUP, previous)


def check_launcher(config: DictConfig) -> list[str]:
    """Refuse ``hydra.launcher.n_jobs`` below 1; clamp it to the machine's cores with a message.

    Returns the message (not printed), or none; raises ``ConfigError``.

    joblib reads 0 as an error and a negative number as "all cores but some", which a user setting
    ``-1`` on a shared 2-core machine rarely means; more workers than cores only compete for them.
    """
    n = config.hydra.launcher.get("n_jobs") if "launcher" in config.hydra else None
    if n is None:
        return []
    cores = os.cpu_count() or 1
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError(
            "hydra.launcher.n_jobs", n, f"an integer from 1 to {cores} (the cores of this machine)"
        )
    if n > cores:
        with read_write(config.hydra), open_dict(config.hydra):
            config.hydra.launcher.n_jobs = cores
        lang = str(config.get("output", {}).get("lang", "zh"))
        return [warning_text("n_jobs", lang, n=n, cores=cores)]
    return []


def plan_sweep(config: DictConfig) -> tuple[dict[str, str], list[str], dict[str, Path]]:
    """Every job composed and checked, and its identity, before launch; duplicate values merged.

    Composes each job as the launcher will (``load_sweep_config``), checks it as the job will run it
    (``jobrun.run_config`` on ``experiment.run_view``: its design point applied), as ``govsim -m``
    checks every job (``planning.plan``), and computes its ``experiment.job_identity``. A job that does not
    compose (an unknown swept policy) raises ``InputError`` with ``govsim.explain``'s line, a bad
    value ``ConfigError``: nothing has run or been written yet. Duplicate values of a swept key
    (``policy=baseline,baseline,grid``, ``policy.grid.staffing=1.0,1``) are dropped from the sweep with
    a message; two jobs with one identity otherwise, a job directory (``hydra.sweep.subdir``) shared by
    two jobs, or one outside the sweep directory raise ``SweepPlanError``, and so does a resumed
    sweep in which a job's directory holds another job's result (``experimentchecks.check_job_markers``:
    ``job${hydra.job.num}`` after the arms were reordered). Returns ``{job key: identity}``, the merge
    messages (not printed) and ``{job key: its directory}`` (``experimentchecks.job_dirs``).
    """
    from hydra.core.global_hydra import GlobalHydra

    loader = GlobalHydra.instance().config_loader()
    params = dict(config.hydra.sweeper.get("params") or {})
    task = [str(t) for t in config.hydra.overrides.task]
    composed: dict[tuple[str, ...], tuple[DictConfig, str]] = {}

    def compose_job(job: list[str]) -> tuple[DictConfig, str]:
        """The job's config, checked, and its identity: composed once."""
        if tuple(job) not in composed:
            try:
                cfg = loader.load_sweep_config(config, list(job))
            except Exception as exc:  # noqa: BLE001 - a job that does not compose is the user's input
                raise InputError(explain(exc, list(job))) from None
            view = run_view(cfg)
            run_config(view)
            composed[tuple(job)] = cfg, view_identity(view)
        return composed[tuple(job)]

    def identity(job: list[str]) -> str:
        return compose_job(job)[1]

    lines = [*(f"{k}={v}" for k, v in params.items()), *task]
    rewrites, merged, planned = plan_unique(lines, identity, extra_dir(config), lang=str(config.output.lang))
    if rewrites:
        with read_write(config.hydra), open_dict(config.hydra):
            given = {t.lstrip("+~").split("=", 1)[0] for t in task}
            for key, values in rewrites.items():
                if key.lstrip("+~") not in given:
                    config.hydra.sweeper.params[key] = values
            config.hydra.overrides.task = rewrite_lines(
                task, {k: v for k, v in rewrites.items() if k.lstrip("+~") in given}
            )
    jobs, keys = expand_jobs(config)
    by_job = {tuple(o): ident for o, ident in planned}
    identities = {job_key(job, keys)[0]: by_job.get(tuple(job)) or identity(job) for job in jobs}
    nodes = [(job_key(job, keys)[0], compose_job(job)[0]) for job in jobs]
    check_job_dirs(nodes)
    dirs = job_dirs(config, nodes)
    check_job_markers(config, dirs)
    return identities, merged, dirs


def check_shared(config: DictConfig) -> list[str]:
    """Refuse up front a bad value that every job shares (``ConfigError``).

    Swept keys are left to ``plan_sweep``, which checks each job with its own values. Returns the
    warnings of the shared configuration (utilisation >= 1), for the manifest (not printed).
    """
    _, keys = expand_jobs(config)
    try:
        return config_warnings(run_config(config))
    except ConfigError as exc:
        if not any(exc.key == k or exc.key.startswith(k + ".") for k in keys):
            raise
    return []


def _exit_on_error(step: Callable[[DictConfig], None], config: DictConfig) -> None:
    """Run a callback step; Hydra turns a callback's exception into a warning, so exit here instead."""
    try:
        step(config)
    except (ExperimentMismatch, FileNotFoundError, ValueError, InputError, SweepLocked) as exc:
        print(f"govsim-experiment: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except Exception:
        traceback.print_exc()
        sys.exit(1)


class _Progress(threading.Thread):
    """A bar across the runs of a sweep, fed by the completion markers (works for any launcher)."""

    def __init__(self, sweep: Path, manifest: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.sweep, self.manifest, self.started = sweep, manifest, now()
        self._stop_event = threading.Event()

    def run(self) -> None:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(self.manifest["jobs"]), desc=self.manifest["name"], unit="run", mininterval=0.5)
        while not self._stop_event.wait(0.5):
            self._advance(bar)
        self._advance(bar)
        bar.close()

    def _advance(self, bar: Any) -> None:
        done = self._done()
        if done > bar.n:
            bar.update(done - bar.n)

    def _done(self) -> int:
        from govsim.aggregate import scan_markers

        markers = scan_markers(self.sweep, self.manifest)
        return sum(
            m["status"] == "complete" or m.get("finished", "") >= self.started for m in markers.values()
        )

    def stop(self) -> None:
        """Draw the final count and close the bar."""
        self._stop_event.set()
        self.join(timeout=5)


@hydra.main(version_base=None, config_path=config_dir(), config_name="config")
def _job(cfg: DictConfig) -> dict[str, Any]:
    hc = HydraConfig.get()  # main's preflight refused a command naming no experiment
    manifest = read_manifest(Path(hc.sweep.dir))
    return run_job(cfg, Path(hc.runtime.output_dir), manifest, list(hc.overrides.task))


def preflight(argv: list[str]) -> None:
    """Refuse, before Hydra builds anything, a command naming code, reading the environment or no experiment.

    Hydra instantiates ``hydra.callbacks`` before any govsim callback runs, so this check cannot wait
    for ``ExperimentCallback``; see ``govsim.safety``. Without an experiment Hydra would make a single
    run's directory before the job could refuse. Raises ``InputError`` / ``UnsafeConfig``.
    """
    args = parse_args(argv, "the options of govsim-experiment --help")
    check_override_text(list(args.overrides))
    check_hydra_keys(list(args.overrides))
    name = args.config_name or "config"
    cfg = compose_multirun(list(args.overrides), name, args.config_dir, schema=register_experiment_configs)
    check_safety(cfg)
    if "experiment" not in cfg.hydra.runtime.choices:
        raise InputError(
            "+experiment: no experiment named; allowed: +experiment=NAME, a config of "
            "configs/experiment/, e.g. +experiment=four_focus"
        )


def main() -> None:
    """``govsim-experiment`` console script: ``govsim-experiment +experiment=NAME [overrides]``.

    While the sweep runs, SIGTERM, SIGINT and SIGHUP stop it cleanly (see the module's docstring): its
    jobs recorded, its lock released, one line on stderr, and the process ended by the same signal.
    """
    register_experiment_configs()
    argv = sys.argv[1:]
    if not PASS_THROUGH.intersection(a.split("=", 1)[0] for a in argv):
        try:
            preflight(argv)
        except (InputError, UnsafeConfig, ConfigError) as exc:
            print(f"govsim-experiment: error: {exc}", file=sys.stderr)
            sys.exit(2)
    previous = _on_stop_signals(_stop)
    try:
        _job()
    except (Stopped, KeyboardInterrupt) as exc:
        _end_stopped(stopped_signal(exc))
    finally:
        _on_stop_signals(previous)


def _stop(signum: int, frame: FrameType | None) -> None:
    """Raise ``Stopped`` in the main thread, and bound the stop that follows.

    The orderly stop (the launcher ending its workers, ``ExperimentCallback.stop`` recording the
    jobs) takes well under a second. It waits on the launcher's own shutdown, though, which can
    deadlock (seen once under load); a second stop signal, or ``STOP_GRACE_S`` without an end,
    therefore ends the command at once (``_force``).
    """
    _bound_the_stop(signum)
    raise Stopped(signum)


def _bound_the_stop(signum: int) -> None:
    """From now on a second stop signal, or ``STOP_GRACE_S`` without an end, call ``_force``.

    Only the signals this command handles (``_on_stop_signals``); one the caller ignores stays ignored.
    Arms once: a later call (the recording after ``Stopped`` reached ``main``) keeps the first deadline.
    """
    if "signum" in _stopping:
        return
    _stopping["signum"] = signum
    force = functools.partial(_force, signum)
    for s in STOP_SIGNALS:
        if signal.getsignal(s) in (_stop, signal.default_int_handler, signal.SIG_DFL):
            signal.signal(s, force)
    signal.signal(signal.SIGALRM, force)
    signal.setitimer(signal.ITIMER_REAL, STOP_GRACE_S)


def _force(signum: int, received: int, frame: FrameType | None) -> None:
    """End a stop that did not end by itself: workers killed, jobs recorded, ended by ``signum``.

    Runs as a signal handler in the main thread, wherever the orderly stop was stuck. Every process
    this one started is killed (SIGKILL, as joblib's abort would have; loky's resource tracker is
    left to release the pool's semaphores once this process is gone), then the jobs are recorded as
    in an orderly stop unless that recording had begun. The exit handlers run for ``EXIT_HANDLERS_S``
    at most: the launcher's may join the stuck shutdown again.
    """
    signal.setitimer(signal.ITIMER_REAL, 0)
    for s in (*STOP_SIGNALS, signal.SIGALRM):
        signal.signal(s, signal.SIG_IGN)
    why = (
        f"not ended within {STOP_GRACE_S:g} s, waiting in {_where(frame)}"
        if received == signal.SIGALRM
        else f"a second {signal.Signals(received).name}"
    )
    _kill_started_processes()
    what = _stopping.get("what")
    if what is None:  # the jobs were not recorded yet
        running = ExperimentCallback.running
        what = running.stop(signum) if running is not None else "no job was in progress"
    # the exit handlers release the pool's semaphores and folders (else loky's resource tracker warns of
    # them after the line), given a moment only: they may join the very shutdown that hung
    end_by_signal(
        f"govsim-experiment: stopped by {signal.Signals(signum).name} ({why}: ended at once): {what}",
        signum,
        exit_handlers=EXIT_HANDLERS_S,
    )


def _where(frame: FrameType | None, depth: int = 4) -> str:
    """Where the main thread waited, innermost first: ``file:line function < ...`` (``depth`` frames)."""
    calls = traceback.extract_stack(frame)[-depth:] if frame is not None else []
    return " < ".join(f"{Path(c.filename).name}:{c.lineno} {c.name}" for c in reversed(calls)) or "?"


def _kill_started_processes() -> None:
    """SIGKILL every process this one started (the launcher's workers, their jobs' children), and wait.

    ``psutil`` finds them (the children of the children too); loky's resource tracker is spared.
    """
    import psutil

    started = [
        p
        for p in psutil.Process().children(recursive=True)
        if "resource_tracker" not in " ".join(_cmdline(p))
    ]
    for p in started:
        try:
            p.kill()
        except psutil.Error:
            continue
    psutil.wait_procs(started, timeout=5)


def _cmdline(process: Any) -> list[str]:
    import psutil

    try:
        return list(process.cmdline())
    except psutil.Error:
        return []


def _on_stop_signals(handler: Any) -> dict[int, Any]:
    """Set ``handler`` for ``STOP_SIGNALS``; return the previous ones (to set back, as given).

    Only in the main thread (``signal`` allows no other), and only over Python's own disposition: a
    signal the caller ignores (``nohup``, a background job started by a script ignores SIGINT) or
    handles itself is left as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        return {}
    if isinstance(handler, dict):
        return {s: signal.signal(s, h) for s, h in handler.items() if h is not None}
    own = (signal.SIG_DFL, signal.default_int_handler)  # Python's own; not one the caller chose
    return {s: signal.signal(s, handler) for s in STOP_SIGNALS if signal.getsignal(s) in own}


def _end_stopped(signum: int) -> None:
    """Record the stopped sweep (``ExperimentCallback.stop``), say so in one line, end by ``signum``.

    Ended by the signal itself (its default action), as ``govsim`` ends on SIGTERM and Python on an
    uncaught Ctrl-C, so that whoever sent it sees the status it expects (143, 130 in a shell). The exit
    handlers run first, as at a normal exit: without them loky's resource tracker, which outlives the
    process by a moment, warns of "leaked semlock objects" (the ended executor's) after that line.
    """
    _bound_the_stop(signum)  # a Ctrl-C that was not ours (KeyboardInterrupt) too
    running = ExperimentCallback.running
    _stopping["what"] = "the recording of the jobs was cut short; the same command resumes the sweep"
    what = running.stop(signum) if running is not None else "no job was in progress"
    _stopping["what"] = what
    # the exit handlers first: the log files closed, loky's semaphores released
    end_by_signal(f"govsim-experiment: stopped by {signal.Signals(signum).name}: {what}", signum, True)
    sys.exit(128 + signum)  # not reached: the signal ends the process
