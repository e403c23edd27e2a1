"""One job of an experiment: run in its own child process, its outcome written to ``job.json``.

``run_job`` is what each job of a ``govsim-experiment`` sweep does (``govsim.sweep`` calls it in the
launcher's worker): skip a job that already completed with the same identity, otherwise run
``govsim.runner.run_to_dir`` in a fresh interpreter (``run_isolated``) so that a crash, a kill or a
timeout fails that job only, and record ``complete`` or ``failed`` with the reason. A sweep stopped
by a signal (``govsim.stopping.Stopped``: SIGTERM, Ctrl-C) ends the job's child and records the job
failed where it can; ``record_stopped`` says so for the jobs the launcher's workers were ended in.
The experiment's spec, identity and manifest are in ``govsim.experiment``.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from govsim.aggregate import output_damage
from govsim.compose import to_config
from govsim.config import GovsimConfig
from govsim.experiment import (
    MARKER,
    ExperimentMismatch,
    apply_design_point,
    code_version,
    job_identity,
    job_key,
    now,
    read_marker,
    write_json,
)
from govsim.hydrachecks import discard_hydra_record, holds_only_hydra_record
from govsim.identity import input_checksums, plain_config
from govsim.stopping import stopped_signal
from govsim.validate import config_warnings

__all__ = ["record_stopped", "run_config", "run_isolated", "run_job"]


def stopped_error(signum: int, run_finished: bool = False) -> str:
    """What a job stopped by ``signum`` says in its ``job.json`` and ``run.json``.

    ``run_finished``: its run had written all its records (``run.json`` complete) and the stop came
    before the job's own record; the job is run again all the same (its record is what a resume trusts).
    """
    name = signal.Signals(signum).name
    when = "after its run had finished, before the job was recorded" if run_finished else "before it finished"
    return f"stopped by {name} {when} (the same command runs it again)"


def run_job(cfg: DictConfig, out: Path, manifest: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Run one job into ``out`` unless an identical one already completed there, its outputs whole.

    A job whose marker says complete but whose outputs the aggregation could not read (a file of
    ``aggregate.JOB_FILES`` missing, empty or unreadable: ``aggregate.output_damage``) is run again.

    Never raises for a failed run: the error goes into ``job.json`` (status ``failed``, with the
    child's exit status) so the other jobs of the sweep complete. A stop of the sweep (``Stopped``,
    ``KeyboardInterrupt``) once the job has begun replacing its directory's result is recorded so
    (stopped by its signal, exit status 128 + signum) and raised again. The run itself goes to a child
    process (``run_isolated``): a crash, an OOM kill (exit 137) or a timeout
    (``experiment.job_timeout_s``) ends that child only. A directory holding this job's result for an
    older configuration or input file is re-run; one holding *another* job's result raises
    ``ExperimentMismatch`` (two jobs sharing a directory is a plan error, never overwritten). A job
    that runs first removes the temporary files of ``govsim.atomic.write_atomic`` that an earlier run,
    stopped mid-write, left in ``out`` (``atomic.temporaries``; nothing else).
    """
    from govsim.atomic import temporaries, write_text

    key, arm, rep = job_key(overrides, manifest["sweep_keys"])
    info: dict[str, Any] = {
        "key": key,
        "arm": arm,
        "replication": rep,
        "overrides": overrides,
        "base_hash": manifest["base_hash"],
        "code_version": code_version(),
        "host": platform.node(),
        "pid": os.getpid(),
        "started": now(),
    }
    began = False
    try:
        info["config_hash"] = job_identity(cfg)
        apply_design_point(cfg)
        info["inputs"] = input_checksums(plain_config(cfg, ("output", "experiment")))
        old = read_marker(out)
        if _reusable(old, info):
            hotline = OmegaConf.select(cfg, "scenario.hotline.enabled", default=False) is True
            damage = output_damage(out, read=True, hotline=hotline)
            if damage is None:
                return {"status": "skipped", "key": key}
            info["rerun"] = f"its result was damaged after it completed: {damage}"
        elif old is not None:
            info["rerun"] = f"replaces a result of config {old.get('config_hash', '?')[:8]}"
        if info["code_version"] != manifest["code_version"]:
            raise ExperimentMismatch(f"code changed since the sweep started ({info['code_version']})")
        (out / MARKER).unlink(missing_ok=True)
        for tmp in temporaries(out):  # an earlier run's, stopped inside write_atomic: never a result
            tmp.unlink(missing_ok=True)
        began = True  # from here on the job's outcome is recorded, a stop included
        obj = run_config(cfg)
        info["seed"] = obj.seed
        start = time.perf_counter()
        timeout = float(cfg.experiment.get("job_timeout_s", 0) or 0)
        info["warnings"] = config_warnings(obj)
        status, error = run_isolated(obj, out, OmegaConf.to_yaml(cfg), timeout or None, info["warnings"])
        info["exit_status"] = status
        if status == 0:
            info.update(status="complete", wall_seconds=round(time.perf_counter() - start, 3))
        else:
            info.update(status="failed", error=error)
    except ExperimentMismatch:
        raise
    except Exception as exc:  # recorded, the sweep goes on
        info.update(status="failed", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
    except BaseException as exc:  # the sweep is stopping (Stopped, Ctrl-C): recorded, and it goes on stopping
        if not began:
            raise  # an earlier result in ``out`` (one to skip, or to re-run) is left as it was
        signum = stopped_signal(exc)
        info.update(status="failed", error=stopped_error(signum), exit_status=128 + signum, finished=now())
        out.mkdir(parents=True, exist_ok=True)
        write_text(out / MARKER, json.dumps(info, ensure_ascii=False, indent=2))
        raise
    info["finished"] = now()
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / MARKER, json.dumps(info, ensure_ascii=False, indent=2))
    return {"status": info["status"], "key": key}


def _child_main(spec: str) -> None:
    """The body of a job's child process: ``spec`` is a pickle of ``run_to_dir``'s arguments.

    Exit status 0 when complete, 1 on an error (already in ``run.json``, traceback on stderr). Ctrl-C
    is ignored: it reaches the parent too (the terminal signals the whole process group), which ends
    this child and records it (``run_isolated``); the child would only add a traceback.
    """
    import pickle

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from govsim.runner import run_to_dir

    obj, out, resolved_yaml, warnings = pickle.loads(Path(spec).read_bytes())
    try:
        run_to_dir(obj, out, resolved_yaml, warnings, checked=True)  # checked by the parent (run_config)
    except BaseException:  # noqa: BLE001 - the parent records it
        traceback.print_exc()
        sys.exit(1)


def run_isolated(
    obj: GovsimConfig, out: Path, resolved_yaml: str, timeout: float | None, warnings: list[str] | None = None
) -> tuple[int, str]:
    """Run ``run_to_dir`` in a child process; return ``(exit status, error)`` (``(0, '')`` when complete).

    A child per job, rather than trusting the launcher's worker: a crash or a kill (the kernel's OOM
    killer picks the largest process, the run) ends the child, and the worker records it and takes the
    next job; joblib's own ``timeout`` would abort the whole sweep instead of one job. A signal is
    reported as 128 + its number (137 for SIGKILL), as a shell does; a timeout kills the child and
    reports 124 (as ``timeout(1)``). A stop of the sweep (``Stopped``, ``KeyboardInterrupt``) while the
    child runs kills the child, says so in its ``run.json`` and is raised again. The child is a fresh
    interpreter (``subprocess``, about a second of imports per job), not a ``multiprocessing`` fork:
    forking a worker whose library thread pools (pyarrow, BLAS) are running can deadlock the child,
    and joblib's loky workers cannot start a ``forkserver`` or ``spawn`` child of their own.
    """
    import pickle
    import subprocess
    import tempfile

    out.mkdir(parents=True, exist_ok=True)
    fd, spec = tempfile.mkstemp(prefix=".job.", suffix=".pickle", dir=out)
    with os.fdopen(fd, "wb") as f:
        pickle.dump((obj, out, resolved_yaml, list(warnings or [])), f)
    code = f"from govsim.jobrun import _child_main; _child_main({spec!r})"
    try:
        child = subprocess.Popen([sys.executable, "-c", code])
        try:
            status = child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            error = f"timeout: killed after {timeout:g} s (experiment.job_timeout_s)"
            _mark_run_failed(out, error)
            return 124, error
        except BaseException as exc:  # the sweep is stopping (Stopped, Ctrl-C): the run is ended with it
            child.kill()
            child.wait()
            _mark_run_failed(out, stopped_error(stopped_signal(exc)))
            raise
    finally:
        Path(spec).unlink(missing_ok=True)
    if status == 0:
        return 0, ""
    if status < 0:
        code_ = 128 - status
        error = f"killed by signal {-status} (exit {code_}{', out of memory?' if -status == 9 else ''})"
        _mark_run_failed(out, error)
        return code_, error
    return status, _run_error(out) or f"exit status {status}"


def record_stopped(sweep: Path, dirs: dict[str, Path], manifest: dict[str, Any], signum: int) -> int:
    """After a stopped sweep: each job that had started and not finished says failed, or is removed.

    ``dirs``: each job's directory by key (``experimentchecks.job_dirs``); ``manifest``: that of the sweep
    directory ``sweep``. A job directory without ``job.json`` belongs to a job that started (Hydra
    makes the directory as the job begins) and did not finish: a job whose worker the launcher ended
    (joblib kills its workers and their children at once, so neither could write). Holding no more
    than Hydra's record (``.hydra/``, the job's log) and ``run_isolated``'s spec file, it holds nothing
    that looks like a result and is removed, with its parents up to the sweep directory if that leaves
    them empty. Otherwise its ``run.json`` (if it says ``running``) and its ``job.json`` say
    ``failed``, stopped by ``signum`` (exit status 128 + signum), as ``run_job`` records a job whose
    child was killed; the marker carries the manifest's identities, so aggregation lists the job
    failed and the same command re-runs it. Call it once the workers have ended (nothing else writes
    the directories then). Returns the number of directories removed.
    """
    from govsim.atomic import write_text

    jobs = {j["key"]: j for j in manifest["jobs"]}
    removed = 0
    for key, out in dirs.items():
        if not out.is_dir() or (out / MARKER).exists() or key not in jobs:
            continue
        for spec in out.glob(".job.*.pickle"):  # run_isolated's, left by a killed worker
            spec.unlink(missing_ok=True)
        if holds_only_hydra_record(out):
            discard_hydra_record(out)
            removed += 1
            _remove_empty_parents(out, sweep)
            continue
        run_status = _run_info(out).get("status")
        error = stopped_error(signum, run_finished=run_status == "complete")
        if run_status == "running":
            _mark_run_failed(out, error)
        job = jobs[key]
        info = {
            "key": key,
            "arm": job["arm"],
            "replication": job["replication"],
            "overrides": job["overrides"],
            "base_hash": manifest["base_hash"],
            "code_version": manifest["code_version"],
            **({"config_hash": job["identity"]} if job.get("identity") else {}),
            "status": "failed",
            "error": error,
            "exit_status": 128 + signum,
            "finished": now(),
        }
        write_text(out / MARKER, json.dumps(info, ensure_ascii=False, indent=2))
    return removed


def _remove_empty_parents(out: Path, sweep: Path) -> None:
    parent, top = out.parent.resolve(), sweep.resolve()
    while top in parent.parents and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def _run_info(out: Path) -> dict[str, Any]:
    """A run's ``run.json``, or ``{}`` if it is missing or unreadable."""
    try:
        info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _run_error(out: Path) -> str:
    return str(_run_info(out).get("error", ""))


def _mark_run_failed(out: Path, error: str) -> None:
    """A killed child left ``run.json`` saying ``running``: say ``failed`` and why."""
    info = _run_info(out)
    info.update(status="failed", error=error)
    write_json(out / "run.json", info)


def run_config(cfg: DictConfig) -> GovsimConfig:
    """The checked ``GovsimConfig`` of a job: its config without the ``experiment`` section."""
    plain = OmegaConf.masked_copy(cfg, [str(k) for k in cfg if k not in ("experiment", "hydra")])
    merged = OmegaConf.merge(_schema(), plain)
    assert isinstance(merged, DictConfig)
    return to_config(merged)


@functools.lru_cache(maxsize=1)
def _schema() -> DictConfig:
    """The run schema as a config node, built once: ``OmegaConf.merge`` copies it and never changes it.

    Building it (``OmegaConf.structured``) was half of ``run_config``, which ``govsim.sweep.plan_sweep``
    calls for every job of a sweep before launch.
    """
    return OmegaConf.structured(GovsimConfig)


def _reusable(marker: dict[str, Any] | None, info: dict[str, Any]) -> bool:
    """A complete marker of this very job (same key, config, inputs, code): skip it.

    Another job's marker in this directory raises ``ExperimentMismatch``; this job's marker for an
    older config, input file or code is not reusable (the job is re-run and replaces it).
    """
    if marker is None:
        return False
    if marker.get("key") != info["key"]:
        raise ExperimentMismatch(
            f"job {info['key']}: its directory holds the result of job {marker.get('key')}; "
            "two jobs cannot share a directory (hydra.sweep.subdir)"
        )
    if marker.get("status") != "complete":
        return False
    return all(marker.get(k) == info[k] for k in ("config_hash", "base_hash", "code_version"))
