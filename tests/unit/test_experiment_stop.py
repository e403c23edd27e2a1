"""``govsim-experiment`` stopped mid-run (SIGTERM, Ctrl-C) ends cleanly and resumes to the same records.

As a user stops it: SIGTERM to the command (``kill``) or to its process group (``timeout``, a
scheduler's time limit), SIGINT to the process group (Ctrl-C in a terminal) or to the command alone,
SIGHUP to the process group (the terminal closed).
A real sweep of three jobs on the default launcher (joblib, two workers) is stopped once one job has
finished and another is running; then: the command has ended within seconds by the signal (a shell
reports 143 or 130), no process it started survives, the finished job is kept as it was, every job
that had started says failed in ``job.json`` (its ``run.json`` too) or was removed if it had written no
result, the sweep's lock is free, and the same command resumes the sweep to records byte-identical to
those of an uninterrupted run. Before the fix the workers went on (SIGTERM), or were killed with their
jobs' ``run.json`` left saying ``running`` and a traceback (SIGINT).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import psutil
import pytest
from test_experiment_sweep import command  # tests/unit is on the path

from govsim import jobrun
from govsim.identity import SweepLock
from govsim.stopping import Stopped
from govsim.sweep import STOP_GRACE_S

ARGS = [
    "+experiment=four_focus",
    "scenario=one_town",
    "horizon_days=30",
    "warmup_days=5",
    "policy=baseline,grid,platform",
    "experiment.replications=1",
    "experiment.report=false",
    "experiment.progress=false",
]
RECORDS = ("incidents.parquet", "timeseries.parquet", "grids.parquet", "kpis.csv", "costs.csv", "run.json")
ENV = {"GOVSIM_CODE_VERSION": "stop-test"}
HYDRA_ONLY = {".hydra", "sweep.log"}


def status(path: Path) -> str:
    return str(json.loads(path.read_text(encoding="utf-8"))["status"])


def job_dirs(sweep: Path) -> list[Path]:
    """The job directories Hydra made (each holds ``.hydra/``, or a result)."""
    return sorted({p.parent for p in sweep.rglob("*") if p.name in (".hydra", "run.json", "job.json")})


def records(sweep: Path) -> dict[str, dict[str, bytes]]:
    """Each complete job's records by job key (``run.json`` without its times and host)."""
    found = {}
    for marker in sweep.rglob("job.json"):
        job = json.loads(marker.read_text(encoding="utf-8"))
        assert job["status"] == "complete", job
        files = {}
        for name in RECORDS:
            data = (marker.parent / name).read_bytes()
            if name == "run.json":
                run = json.loads(data)
                data = json.dumps(
                    {k: run[k] for k in ("status", "seed", "replication", "policy", "tickets")}
                ).encode()
            files[name] = data
        found[job["key"]] = files
    return found


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory, console) -> dict[str, dict[str, bytes]]:
    cwd = tmp_path_factory.mktemp("whole")
    done = console("govsim-experiment", cwd, *ARGS, "hydra.sweep.dir=s", env=ENV)
    assert done.returncode == 0, done.stderr[-3000:]
    return records(cwd / "s")


def started_after_a_finished_job(sweep: Path, proc: subprocess.Popen, limit: float = 300) -> None:
    """Wait until one job is complete and another is running; FAIL (not skip) if that never happens."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        markers = [p for p in sweep.rglob("job.json") if status(p) == "complete"]
        running = [
            p
            for p in sweep.rglob("run.json")
            if not (p.parent / "job.json").exists() and status(p) == "running"
        ]
        if markers and running:
            return
        time.sleep(0.05)
    proc.kill()
    pytest.fail(
        f"no job was running after a finished one (exit status {proc.poll()}): the precondition of the test"
    )


def launch(cwd: Path, launcher: list[str], env: dict[str, str], stderr: Any) -> subprocess.Popen[bytes]:
    """The small sweep ``ARGS`` into ``cwd/s``, in its own process group (as a terminal would start it).

    With SIGHUP and SIGINT at their defaults, as a terminal starts a command: the tests may themselves
    run under ``nohup`` (SIGHUP ignored, inherited) or as a background job (SIGINT ignored), and a
    command rightly leaves an ignored signal ignored, so those cases would test nothing.
    """
    return subprocess.Popen(
        [*HANGUP_AT_DEFAULT, *command(*ARGS, *launcher), "hydra.sweep.dir=s"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        start_new_session=True,
    )


HANGUP_AT_DEFAULT = [
    sys.executable,
    "-c",
    "import os, signal, sys; [signal.signal(s, signal.SIG_DFL) for s in (signal.SIGHUP, signal.SIGINT)]; "
    "os.execvp(sys.argv[1], sys.argv[1:])",
]
"""A prefix that runs a command with SIGHUP and SIGINT at their defaults (kept across ``exec``), as a
terminal starts it: a background job of a script inherits SIGINT ignored; not ``preexec_fn``,
which is unsafe in a process with threads (pytest-xdist's workers have them)."""


def processes_in(cwd: Path) -> list[psutil.Process]:
    """Processes working in ``cwd`` (the command's workers and jobs inherit its working directory)."""
    found = []
    for p in psutil.process_iter(["cwd"]):
        try:
            if p.info["cwd"] and Path(p.info["cwd"]).is_relative_to(cwd) and p.pid != os.getpid():
                found.append(p)
        except (psutil.Error, ValueError):
            continue
    return found


@pytest.mark.parametrize(
    "signum, to_group, launcher",
    [
        (signal.SIGTERM, False, []),  # kill PID
        (signal.SIGTERM, True, []),  # timeout(1), a scheduler's time limit
        (signal.SIGINT, True, []),  # Ctrl-C in a terminal
        (signal.SIGINT, False, []),  # kill -INT PID
        (signal.SIGTERM, False, ["hydra/launcher=basic"]),  # the jobs in the command's own process
        (signal.SIGHUP, True, []),  # the terminal closed (an ssh session lost)
    ],
    ids=["sigterm", "sigterm-group", "ctrl-c", "sigint", "sigterm-serial", "hangup"],
)
def test_a_stopped_experiment_ends_its_workers_records_its_jobs_and_resumes(
    tmp_path: Path, console, uninterrupted, signum: int, to_group: bool, launcher: list[str]
) -> None:
    sweep = tmp_path / "s"
    err = tmp_path / "stderr.txt"
    with err.open("w", encoding="utf-8") as stderr:
        proc = launch(tmp_path, launcher, {**os.environ, **ENV}, stderr)
        try:
            started_after_a_finished_job(sweep, proc)
            started = psutil.Process(proc.pid).children(recursive=True)
            assert len([p for p in started if "_child_main" in " ".join(p.cmdline())]) >= 1
            finished = {p.parent: p.read_bytes() for p in sweep.rglob("job.json")}
            (os.killpg if to_group else os.kill)(proc.pid, signum)
            try:
                code = proc.wait(timeout=STOP_GRACE_S + 10)
            except subprocess.TimeoutExpired:
                name = signal.Signals(signum).name
                pytest.fail(f"govsim-experiment still running {STOP_GRACE_S + 10:g} s after {name}")
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    lines = err.read_text(encoding="utf-8").strip().splitlines()
    assert code == -signum, lines[-30:]  # ended by the signal: a shell reports 128 + signum
    _, alive = psutil.wait_procs(started, timeout=5)
    assert not alive, [p.cmdline() for p in alive]
    assert not processes_in(tmp_path), [p.cmdline() for p in processes_in(tmp_path)]

    for where, marker in finished.items():
        assert (where / "job.json").read_bytes() == marker  # finished jobs are kept as they were
    failed = 0
    for where in job_dirs(sweep):
        assert (where / "job.json").is_file(), f"{where}: started, and says neither failed nor complete"
        job = json.loads((where / "job.json").read_text(encoding="utf-8"))
        assert set(os.listdir(where)) - {".hydra", "sweep.log", "job.json"}, where  # a result, or removed
        if where in finished:
            continue
        failed += 1
        assert job["status"] == "failed" and "stopped" in job["error"], job
        assert job["exit_status"] == 128 + signum, job
        if (where / "run.json").exists():  # failed, or complete if the stop came between run and record
            run_status = status(where / "run.json")
            assert run_status == "failed" or "after its run had finished" in job["error"], (run_status, job)
    assert failed >= 1  # the job that was running
    assert not list(sweep.rglob(".job.*.pickle"))
    SweepLock(sweep).acquire().release()  # the lock is free
    assert "Traceback" not in "\n".join(lines), lines[-30:]
    said = [line for line in lines if line.startswith("govsim-experiment: stopped by")]
    assert len(said) == 1, lines[-5:]
    assert said[0].startswith(f"govsim-experiment: stopped by {signal.Signals(signum).name}"), said
    if "ended at once" in said[0]:  # the stop's deadline ended it (test_a_stop_stuck_...): shown, not hidden
        warnings.warn(f"the orderly stop hung and was ended by its deadline: {said[0]}", stacklevel=1)
    else:  # an orderly stop: the exit handlers ran, so nothing follows the line
        assert lines[-1] == said[0], lines[-5:]

    resumed = console("govsim-experiment", tmp_path, *ARGS, *launcher, "hydra.sweep.dir=s", env=ENV)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "3/3" in resumed.stderr
    for where, marker in finished.items():
        assert (where / "job.json").read_bytes() == marker  # not run again
    assert records(sweep) == uninterrupted
    # what a process the stop left (loky's resource tracker, relaunched) printed after the command ended,
    # seconds later, into the same stderr: read again once the resume has taken its time
    late = err.read_text(encoding="utf-8").strip().splitlines()[len(lines) :]
    assert not any("Traceback" in line or "Warning" in line for line in late), late[:20]


def test_a_stop_before_a_job_begins_leaves_the_result_it_would_skip(tmp_path: Path, monkeypatch) -> None:
    """A stop while a job is still deciding (its identity, whether to skip) records nothing: the
    complete ``job.json`` of an earlier run is not turned into a failure."""
    marker = json.dumps({"key": "policy=grid", "status": "complete"}).encode()
    (tmp_path / "job.json").write_bytes(marker)

    def stopped(cfg):
        raise Stopped(signal.SIGTERM)

    monkeypatch.setattr(jobrun, "job_identity", stopped)
    manifest = {"sweep_keys": ["policy"], "base_hash": "b", "code_version": "c"}
    with pytest.raises(Stopped):
        jobrun.run_job(None, tmp_path, manifest, ["policy=grid"])
    assert (tmp_path / "job.json").read_bytes() == marker


STUCK_SHUTDOWN = """
import threading
import joblib._parallel_backends as backends
def abort_everything(self, ensure_ready=True):  # a launcher's shutdown that never returns
    threading.Event().wait()
backends.LokyBackend.abort_everything = abort_everything
"""


@pytest.mark.parametrize("second", [None, signal.SIGINT], ids=["overdue", "second-signal"])
def test_a_stop_stuck_in_the_launchers_shutdown_still_ends(tmp_path: Path, second: int | None) -> None:
    """The orderly stop waits on the launcher's own shutdown (joblib's ``abort_everything``); a rare
    deadlock there (seen once in CI, under load: the command still running 10 s after SIGTERM) must
    not keep the command alive. Whether it ends ``STOP_GRACE_S`` after the signal or at once on a
    second signal (Ctrl-C pressed again), its workers and their children are ended, every started job
    says failed or was removed, one line says why, and the command ends by the first signal."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(STUCK_SHUTDOWN, encoding="utf-8")
    env = {**os.environ, **ENV, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    sweep = tmp_path / "s"
    err = tmp_path / "stderr.txt"
    with err.open("w", encoding="utf-8") as stderr:
        proc = launch(tmp_path, [], env, stderr)
        try:
            started_after_a_finished_job(sweep, proc)
            children = psutil.Process(proc.pid).children(recursive=True)
            # loky's resource tracker outlives the command by a moment, by design
            tracker = [p for p in children if "resource_tracker" in " ".join(p.cmdline())]
            started = [p for p in children if p not in tracker]
            os.kill(proc.pid, signal.SIGTERM)
            begun = time.monotonic()
            if second is not None:
                time.sleep(0.5)
                os.kill(proc.pid, second)
            try:
                code = proc.wait(timeout=STOP_GRACE_S + 10)
            except subprocess.TimeoutExpired:
                pytest.fail(f"govsim-experiment still running {STOP_GRACE_S + 10:g} s after SIGTERM")
            took = time.monotonic() - begun
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    _, alive = psutil.wait_procs(started, timeout=5)
    assert not alive, [p.cmdline() for p in alive]
    psutil.wait_procs(tracker, timeout=10)  # it writes what it has to say as it ends
    lines = err.read_text(encoding="utf-8").strip().splitlines()
    assert code == -signal.SIGTERM, lines[-30:]
    if second is not None:
        assert took < STOP_GRACE_S, took  # the second signal did not wait for the grace
    assert "Traceback" not in "\n".join(lines), lines[-30:]
    said = [line for line in lines if line.startswith("govsim-experiment: stopped by SIGTERM")]
    assert len(said) == 1, lines[-10:]
    assert lines[-1] == said[0], lines[-10:]  # the pool's resources were released: no warning follows
    assert ("second SIGINT" if second else f"{STOP_GRACE_S:g} s") in said[0], said
    for where in job_dirs(sweep):
        job = json.loads((where / "job.json").read_text(encoding="utf-8"))
        assert job["status"] == "complete" or "stopped" in job["error"], job
        if (where / "run.json").exists():
            assert status(where / "run.json") != "running"
    SweepLock(sweep).acquire().release()
