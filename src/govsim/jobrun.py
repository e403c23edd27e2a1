"""One job of an experiment: run in its own child process, its outcome written to ``job.json``.

``run_job`` is what each job of a ``govsim-experiment`` sweep does (``govsim.sweep`` calls it in the
launcher's worker): skip a job that already completed with the same identity, otherwise run
``govsim.runner.run_to_dir`` in a fresh interpreter (``run_isolated``) so that a crash, a kill or a
timeout fails that job only, and record ``complete`` or ``failed`` with the reason. The experiment's
spec, identity and manifest are in ``govsim.experiment``.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

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
from govsim.identity import input_checksums, plain_config
from govsim.validate import config_warnings

__all__ = ["run_config", "run_isolated", "run_job"]


def run_job(cfg: DictConfig, out: Path, manifest: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Run one job into ``out`` unless an identical one already completed there.

    Never raises for a failed run: the error goes into ``job.json`` (status ``failed``, with the
    child's exit status) so the other jobs of the sweep complete. The run itself goes to a child
    process (``run_isolated``): a crash, an OOM kill (exit 137) or a timeout
    (``experiment.job_timeout_s``) ends that child only. A directory holding this job's result for an
    older configuration or input file is re-run; one holding *another* job's result raises
    ``ExperimentMismatch`` (two jobs sharing a directory is a plan error, never overwritten).
    """
    from govsim.atomic import write_text

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
    try:
        info["config_hash"] = job_identity(cfg)
        apply_design_point(cfg)
        info["inputs"] = input_checksums(plain_config(cfg, ("output", "experiment")))
        old = read_marker(out)
        if _reusable(old, info):
            return {"status": "skipped", "key": key}
        if old is not None:
            info["rerun"] = f"replaces a result of config {old.get('config_hash', '?')[:8]}"
        if info["code_version"] != manifest["code_version"]:
            raise ExperimentMismatch(f"code changed since the sweep started ({info['code_version']})")
        (out / MARKER).unlink(missing_ok=True)
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
    info["finished"] = now()
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / MARKER, json.dumps(info, ensure_ascii=False, indent=2))
    return {"status": info["status"], "key": key}


def _child_main(spec: str) -> None:
    """The body of a job's child process: ``spec`` is a pickle of ``run_to_dir``'s arguments.

    Exit status 0 when complete, 1 on an error (already in ``run.json``, traceback on stderr).
    """
    import pickle

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
    reports 124 (as ``timeout(1)``). The child is a fresh interpreter (``subprocess``, about a second
    of imports per job), not a ``multiprocessing`` fork: forking a worker whose library thread pools
    (pyarrow, BLAS) are running can deadlock the child, and joblib's loky workers cannot start a
    ``forkserver`` or ``spawn`` child of their own.
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


def _run_error(out: Path) -> str:
    try:
        return str(json.loads((out / "run.json").read_text(encoding="utf-8")).get("error", ""))
    except (OSError, ValueError):
        return ""


def _mark_run_failed(out: Path, error: str) -> None:
    """A killed child left ``run.json`` saying ``running``: say ``failed`` and why."""
    path = out / "run.json"
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = {}
    info.update(status="failed", error=error)
    write_json(path, info)


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
