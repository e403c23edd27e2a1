"""``govsim`` refuses bad input in one line with exit status 2, no traceback and no run directory.

Most cases call the console-script function in-process (imports paid once); three spawn the real
``govsim`` to prove the exit status and the output a user sees, and that a good run still completes.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from govsim import cli, planning
from govsim.compose import InputError, compose, config_dir
from govsim.hydrachecks import discard_hydra_record

REFUSED_ARGV = [
    (["policy=nonexistent"], "policy='nonexistent': unknown policy; allowed: all_four, baseline"),
    (["+foo=1"], "foo=1: unknown key at the top level"),
    (["policy.grid.staffing=abc"], "policy.grid.staffing=abc: wrong type; allowed: a number"),
    (["seed=1,2"], "seed=1,2: several values make a sweep"),
    (["-m", "scenario=one_town", "seed=0,1", "policy.grid.staffing=1,-1"], "policy.grid.staffing=-1.0"),
    (
        ["-m", "scenario=one_town", "hydra.sweeper.params.policy.grid.staffing=1.0,-1"],
        "hydra.sweeper.params.policy.grid.staffing=1.0,-1: a dotted key cannot be swept through",
    ),
    (
        ["-m", "scenario=one_town", "seed=0", "hydra.sweep.subdir=."],
        "hydra.sweep.subdir='.' (job #0): outside",
    ),
    (["--config-dir", "/no/such/dir"], "--config-dir='/no/such/dir': no such directory"),
    (["hydra.searchpath=[file:///no/such/dir]"], "hydra.searchpath=file:///no/such/dir: no such directory"),
    (["hydra.searchpath=[pkg://no_such_pkg]"], "hydra.searchpath=pkg://no_such_pkg: no such package"),
    (["hydra.searchpath=[pkg://govsim.nosuch]"], "hydra.searchpath=pkg://govsim.nosuch: no such package"),
    (["hydra.searchpath=[nosuch]"], "hydra.searchpath=nosuch: no such directory"),
    (["--config-path", "elsewhere"], "--config-path='elsewhere': not supported"),
    (["-x"], "-x: unknown option"),
]


@pytest.mark.parametrize(("argv", "expected"), REFUSED_ARGV, ids=[" ".join(a) for a, _ in REFUSED_ARGV])
def test_refused_in_one_line_with_status_2(
    argv: list[str],
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["govsim", *argv])
    with pytest.raises(SystemExit) as info:
        cli.main()
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert err.startswith(f"govsim: error: {expected}") and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # no outputs/ or multirun/ directory at all


def test_sweep_jobs_are_the_cartesian_product() -> None:
    jobs = planning.plan_jobs(["scenario=one_town", "seed=0,1", "policy=baseline,grid"], multirun=True)
    assert sorted(sorted(j) for j in jobs) == sorted(
        sorted(["scenario=one_town", f"seed={s}", f"policy={p}"])
        for s in (0, 1)
        for p in ("baseline", "grid")
    )
    assert planning.plan_jobs(["scenario=one_town", "seed=3"]) == [["scenario=one_town", "seed=3"]]


def test_sweep_set_in_a_config_is_checked_job_by_job(tmp_path: Path) -> None:
    """A researcher's config that sets ``hydra.mode: MULTIRUN`` and sweeper params (as experiments do)."""
    (tmp_path / "study").mkdir()
    (tmp_path / "study" / "staffing.yaml").write_text(
        "# @package _global_\nhydra:\n  mode: MULTIRUN\n  sweeper:\n    params:\n"
        "      policy.grid.staffing: 1.0,1.5,0.0\n",
        encoding="utf-8",
    )
    argv = ["--config-dir", str(tmp_path), "scenario=one_town", "+study=staffing"]
    assert len(planning.plan_jobs(argv[2:], extra_dir=str(tmp_path))) == 3
    with pytest.raises(InputError, match=r"policy.grid.staffing=0.0: allowed: a number > 0"):
        planning.preflight(argv)


def test_warnings_go_to_stderr_and_do_not_refuse(capsys: pytest.CaptureFixture[str]) -> None:
    configs, _ = planning.preflight(["scenario=one_town", "policy.mechanism.department_staffing=0.3"])
    err = capsys.readouterr().err
    assert len(configs) == 1
    assert "govsim: warning: 部门 civil_affairs(民政):估计利用率" in err  # output.lang defaults to zh
    planning.preflight(["scenario=one_town", "policy.mechanism.department_staffing=0.3", "output.lang=en"])
    assert "govsim: warning: department civil_affairs: estimated utilisation" in capsys.readouterr().err


def test_refused_run_directory_keeps_only_what_is_not_hydras(tmp_path: Path) -> None:
    hydra_only, mixed = tmp_path / "a", tmp_path / "b"
    for d in (hydra_only, mixed):
        (d / ".hydra").mkdir(parents=True)
        (d / ".hydra" / "config.yaml").write_text("seed: 0\n")
        (d / "cli.log").write_text("")
    (mixed / "notes.txt").write_text("mine")
    discard_hydra_record(hydra_only)
    discard_hydra_record(mixed)
    assert not hydra_only.exists()
    assert sorted(p.name for p in mixed.iterdir()) == ["notes.txt"]


# ---- the real command ------------------------------------------------------------------------------------
GOVSIM = str(Path(sys.executable).with_name("govsim"))


def _govsim(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GOVSIM, *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


SHARED_DIR = [
    "-m",
    "scenario=one_town",
    "horizon_days=10",
    "warmup_days=2",
    "seed=0,1",
    "hydra.sweep.subdir=same",
]
BAD_COMMANDS = [
    ["policy=nonexistent"],
    ["-m", "scenario=one_town", "seed=0,1", "horizon_days=-5"],
    SHARED_DIR,  # job 0 had run into same/ before job 1 was refused there
    [*SHARED_DIR[:-1], "hydra.sweep.subdir=../out"],
    ["hydra.searchpath=[file:///no/such/dir]"],  # Hydra's own UserWarning came first, then a run
]


@pytest.mark.parametrize(
    "args",
    BAD_COMMANDS,
    ids=["unknown policy", "bad sweep", "jobs share a directory", "job outside the sweep", "no search path"],
)
def test_command_refuses_without_traceback_or_directory(args: list[str], tmp_path: Path) -> None:
    done = _govsim(args, tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("govsim: error: ") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert list(tmp_path.iterdir()) == []
    if "hydra.sweep.subdir=same" in args:
        assert "jobs seed=0 and seed=1 would write into one directory (same)" in done.stderr


def test_command_runs_a_good_configuration(tmp_path: Path) -> None:
    done = _govsim(
        [
            "scenario=one_town",
            "horizon_days=20",
            "warmup_days=5",
            "output.figures=false",
            "hydra.run.dir=run",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))["status"] == "complete"
    assert "运行目录:" in done.stdout  # the run's language, zh by default


@pytest.mark.skipif(not (Path(config_dir()) / "experiment").is_dir(), reason="no experiment configs")
def test_experiment_names_the_command_that_runs_it() -> None:
    with pytest.raises(InputError, match=r"allowed: govsim-experiment \+experiment=four_focus"):
        compose(["+experiment=four_focus"])


def test_help_opens_with_the_app_then_hydras_config(tmp_path: Path) -> None:
    done = _govsim(["--help"], tmp_path)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("govsim — simulate grassroots social governance")
    assert "powered by Hydra" not in text.split("== Configuration groups")[0]
    head = text[: text.index("== Configuration groups")]
    assert len(head.splitlines()) < 45  # short: the generated config comes after
    configs = Path(config_dir())
    for group in ("scenario", "policy"):
        for yaml in (configs / group).glob("*.yaml"):
            assert yaml.stem in head, f"{group} {yaml.stem} missing from the app help"
    for doc in ("README.md", "docs/ODD.md", "docs/levers.md"):
        assert doc in head
    assert head.index("Usage") < text.index("== Full configuration") < text.index("scenario:\n  name:")
    assert list(tmp_path.iterdir()) == []


# ---- start-up: what the command imports, and how it ends ----------------------------------------------
STARTUP_PROBE = """
import atexit, json, sys
from govsim import cli

seen = {}
launch = cli.launch


def at_launch(node, task):  # composed and checked: start-up is over, the run begins
    seen["start-up"] = sorted(sys.modules)
    return launch(node, task)


def report():  # an exit handler: the command's ending must still run it
    seen["end"] = sorted(sys.modules)
    print(json.dumps(seen))


cli.launch = at_launch
atexit.register(report)
sys.argv = ["govsim", *sys.argv[1:]]
cli.command()
print("not reached: command() ends the process")
"""
NOT_AT_START_UP = ("matplotlib", "xlsxwriter", "openpyxl", "mesa", "scipy.spatial", "networkx")
"""Heavy modules a run's start-up (compose, check, warnings) does not need."""
NEVER_WITHOUT_FIGURES = ("matplotlib", "openpyxl", "scipy.spatial", "networkx", "mesa.discrete_space.grid")
"""Modules a whole run without figures never needs: plots, the workbook reader, Mesa's spaces."""


def test_the_command_imports_only_what_a_run_needs(tmp_path: Path) -> None:
    """The module sets of the ``govsim`` process, at the end of start-up and at exit (not a timing).

    Fails if a heavy import creeps back into start-up (Matplotlib, a workbook library, Mesa and its
    spaces), or into a run without figures; or if holidays' 250 country calendars load for China's.
    """
    done = subprocess.run(
        [sys.executable, "-c", STARTUP_PROBE, *QUICK_RUN, "hydra.run.dir=run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "not reached" not in done.stdout
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    start, end = set(seen["start-up"]), set(seen["end"])
    assert "govsim.compose" in start and "govsim.runner" in end and "pandas" in end  # the probe saw a run
    assert [m for m in NOT_AT_START_UP if m in start] == []
    assert [m for m in NEVER_WITHOUT_FIGURES if m in end] == []
    countries = sorted(m for m in end if m.startswith("holidays.countries."))
    assert countries == ["holidays.countries.china"]
    assert json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))["status"] == "complete"


QUICK_RUN = ["scenario=one_town", "horizon_days=3", "warmup_days=1", "output.figures=false"]


def test_end_process_leaves_the_exit_to_python_while_another_thread_runs() -> None:
    import threading

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        cli.end_process()  # returns: ending the process now would cut the thread off
    finally:
        stop.set()
        worker.join()


# ---- the command's plan, made in a forked child (govsim.planfork) -------------------------------------
PLAN_PROBE = """
import json, os, signal, sys, time
from pathlib import Path
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from govsim import cli, planfork, planning

mode = sys.argv.pop(1)
parent = os.getpid()
load = ConfigLoaderImpl.load_configuration


def counted(self, *args, **kwargs):  # every composition, in whichever process
    with open("composed", "a") as f:
        f.write(f"{os.getpid()}\\n")
    return load(self, *args, **kwargs)


ConfigLoaderImpl.load_configuration = counted
plan = planning.plan
if mode == "fault":  # a fault in govsim that shows only in the child

    def plan_in_child_fails(argv):
        if os.getpid() != parent:
            raise RuntimeError("injected planning fault")
        return plan(argv)

    planning.plan = plan_in_child_fails
elif mode == "interrupt":  # Ctrl-C while the child plans
    result = planfork.PlanChild.result

    def slow(argv):
        Path("planner").write_text(str(os.getpid()))
        time.sleep(60)

    def interrupted(self):
        while not Path("planner").exists():
            time.sleep(0.05)
        os.kill(parent, signal.SIGINT)
        time.sleep(60)

    planning.plan = slow
    planfork.PlanChild.result = interrupted
print(json.dumps({"parent": parent}), file=sys.stderr, flush=True)
sys.argv = ["govsim", *sys.argv[1:]]
cli.command()
"""


def _plan_probe(mode: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], int, list[int]]:
    """Run the command through ``PLAN_PROBE``; its result, its pid and the pid of every composition.

    Its output goes to files, not pipes: ``subprocess.run`` returns when the command ends, not when the
    last process holding a pipe does (an orphaned child would hold it open and hide).
    """
    with (tmp_path / "out").open("w+") as out, (tmp_path / "err").open("w+") as err:
        ended = subprocess.run(
            [sys.executable, "-c", PLAN_PROBE, mode, *QUICK_RUN, "hydra.run.dir=run"],
            cwd=tmp_path,
            stdout=out,
            stderr=err,
            timeout=300,
            check=False,
        )
    read = (tmp_path / "out").read_text(), (tmp_path / "err").read_text()
    done = subprocess.CompletedProcess(ended.args, ended.returncode, *read)
    parent = [json.loads(line)["parent"] for line in done.stderr.splitlines() if line.startswith('{"parent"')]
    assert len(parent) == 1, done.stderr
    composed = tmp_path / "composed"
    pids = [int(line) for line in composed.read_text().split()] if composed.exists() else []
    return done, parent[0], pids


def test_the_command_composes_once_and_in_its_planning_child(tmp_path: Path) -> None:
    """The run's one composition is the child's: the command's own process composes nothing."""
    done, parent, composed = _plan_probe("count", tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(composed) == 1 and composed[0] != parent, (parent, composed)
    assert json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))["status"] == "complete"


def test_a_fault_in_the_planning_child_is_met_again_by_the_command_itself(tmp_path: Path) -> None:
    """The child's failure is not a refusal: the command plans itself (here it succeeds) and runs."""
    done, parent, composed = _plan_probe("fault", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "injected planning fault" not in done.stderr
    assert parent in composed  # planned again by the command itself
    assert json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))["status"] == "complete"


def test_ctrl_c_while_the_child_plans_ends_it_in_one_line(tmp_path: Path) -> None:
    done, _, _ = _plan_probe("interrupt", tmp_path)
    assert done.returncode == -signal.SIGINT, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("govsim: interrupted (Ctrl-C)")
    assert _gone(int((tmp_path / "planner").read_text()))
    assert not (tmp_path / "run").exists()


# ---- the command's figure worker (govsim.figworker) ----------------------------------------------------
FIGURE_RUN = ["scenario=one_town", "horizon_days=20", "warmup_days=5", "output.progress=false"]
FIGURE_FILES = ("backlog.png", "resolution_time.png", "hotspot_map.png")
FIGURE_PROBE = """
import json, sys
import govsim.plots
from govsim import cli, figworker, runner

mode = sys.argv.pop(1)
start = figworker.FigureWorker.start.__func__


def started(cls):
    worker = start(cls)
    print(json.dumps({"worker": worker.process.pid}), file=sys.stderr, flush=True)
    return worker


def fail(*args, **kwargs):
    raise RuntimeError("injected figure fault")


def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def terminate(*args, **kwargs):  # what `timeout` or a cluster's time limit sends, mid-run
    import os, signal, time
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(60)


figworker.FigureWorker.start = classmethod(started)
if mode == "fail":
    govsim.plots.plot_hotspot_rates = fail
elif mode == "interrupt":
    runner.simulate = interrupt
elif mode == "terminate":
    runner.simulate = terminate
elif mode == "terminate_setup":  # SIGTERM while Hydra sets the job up: its directory exists, no run.json
    import hydra.core.utils as job_utils

    save = job_utils._save_config

    def save_then_terminate(*args, **kwargs):
        save(*args, **kwargs)
        terminate()

    job_utils._save_config = save_then_terminate
elif mode == "terminate_drawing":  # SIGTERM while the worker and its helper write their PNGs
    import os, signal, time
    from pathlib import Path
    from matplotlib.figure import Figure

    def slow_save(self, fname, *args, **kwargs):
        Path(fname).write_bytes(b"half a PNG")
        time.sleep(60)

    def wait_then_terminate(self):
        # until the worker and its helper are both inside savefig (each has its temporary PNG open);
        # never reached in 120 s: exit 99, so the test fails rather than pass without having drawn
        deadline = time.monotonic() + 120
        while len([p for p in Path("run").iterdir() if p.name.startswith(".") and ".png." in p.name]) < 2:
            if time.monotonic() > deadline:
                os._exit(99)
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(60)

    Figure.savefig = slow_save
    figworker.FigureWorker.wait = wait_then_terminate
sys.argv = ["govsim", *sys.argv[1:]]
cli.command()
"""


def _command(
    mode: str, tmp_path: Path, *overrides: str
) -> tuple[subprocess.CompletedProcess[str], int | None]:
    done = subprocess.run(
        [sys.executable, "-c", FIGURE_PROBE, mode, *FIGURE_RUN, *overrides, "hydra.run.dir=run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    pids = [json.loads(line)["worker"] for line in done.stderr.splitlines() if line.startswith('{"worker"')]
    assert len(pids) <= 1
    return done, (pids[0] if pids else None)


def _gone(pid: int) -> bool:
    """No process ``pid`` is running (Linux ``/proc``): none, or a zombie that init is about to reap."""
    status = Path(f"/proc/{pid}/stat")
    try:
        return status.read_text().split(")")[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True


def test_the_command_draws_in_a_worker_and_records_its_time(tmp_path: Path) -> None:
    done, pid = _command("ok", tmp_path, "output.figures=true")
    assert done.returncode == 0, done.stderr
    assert pid is not None and _gone(pid)
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))
    assert info["status"] == "complete"
    assert set(info["phases"]) == {"build", "simulate", "kpis", "records", "tables", "figures"}
    assert info["figures_drawn"] > 0
    assert all((tmp_path / "run" / name).stat().st_size > 0 for name in FIGURE_FILES)


def test_the_command_without_figures_ends_its_worker_and_draws_nothing(tmp_path: Path) -> None:
    """``main`` forks the worker before composing (to overlap Matplotlib's import) and ends it unused."""
    done, pid = _command("ok", tmp_path, "output.figures=false")
    assert done.returncode == 0, done.stderr
    assert pid is None or _gone(pid)
    assert not any((tmp_path / "run" / name).exists() for name in FIGURE_FILES)
    assert "figures_drawn" not in json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))


def test_a_figure_error_in_the_worker_fails_the_command(tmp_path: Path) -> None:
    done, pid = _command("fail", tmp_path, "output.figures=true")
    assert done.returncode != 0
    assert pid is not None and _gone(pid)
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))
    assert info["status"] == "failed"
    assert info["error"].startswith("FigureError: RuntimeError: injected figure fault")
    assert not (tmp_path / "run" / "hotspot_map.png").exists()


def test_an_interrupted_command_leaves_no_worker_and_says_so_in_one_line(tmp_path: Path) -> None:
    """Ctrl-C mid-run: one line on stderr (it was a 50-line chained traceback), the run says failed, the
    worker is ended, and the process ends by SIGINT, as Python's own exit on Ctrl-C does (130 in a shell)."""
    done, pid = _command("interrupt", tmp_path, "output.figures=true")
    assert done.returncode == -signal.SIGINT, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("govsim: interrupted (Ctrl-C)")
    assert pid is not None and _gone(pid)
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))
    assert info["status"] == "failed"
    assert info["error"] == "KeyboardInterrupt: interrupted (Ctrl-C)", info["error"]  # not an empty message


def test_a_terminated_command_records_the_run_as_failed_and_ends_by_the_signal(tmp_path: Path) -> None:
    """SIGTERM (``timeout``, a cluster's time limit) mid-run: ``run.json`` says failed, not running for good.

    The process still ends by the signal (status -15 here, 143 in a shell), so a scheduler sees what it
    sent; the figure worker is ended too and no result file is left.
    """
    done, pid = _command("terminate", tmp_path, "output.figures=true")
    assert done.returncode == -signal.SIGTERM, done.stderr
    assert "Traceback" not in done.stderr
    assert pid is not None and _gone(pid)
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))
    assert info["status"] == "failed"
    assert info["error"].startswith("Terminated: SIGTERM")
    assert not any((tmp_path / "run" / name).exists() for name in (*FIGURE_FILES, "incidents.parquet"))


def test_a_command_terminated_before_its_run_began_leaves_no_directory(tmp_path: Path) -> None:
    """SIGTERM after Hydra made the run directory but before the run wrote ``run.json``: the directory
    held only ``.hydra/`` and a log, which looked like a run (every run directory has a ``run.json``)."""
    done, pid = _command("terminate_setup", tmp_path, "output.figures=true")
    assert done.returncode == -signal.SIGTERM, done.stderr
    assert "Traceback" not in done.stderr
    assert pid is not None and _gone(pid)
    assert not (tmp_path / "run").exists(), sorted(p.name for p in (tmp_path / "run").rglob("*"))


def test_a_command_terminated_while_drawing_leaves_no_temporary_files(tmp_path: Path) -> None:
    """The worker's SIGTERM handler kills its helper and ends at once (``os._exit``), which skipped the
    clean-up of ``atomic.write_atomic``: ``.backlog.png.XXXX`` files were left beside the results."""
    done, pid = _command("terminate_drawing", tmp_path, "output.figures=true")
    assert done.returncode == -signal.SIGTERM, done.stderr
    assert pid is not None and _gone(pid)
    assert json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))["status"] == "failed"
    left = sorted(p.name for p in (tmp_path / "run").iterdir() if p.name.startswith("."))
    assert left == [".hydra"], left


def test_bad_input_ends_the_worker_and_leaves_nothing(tmp_path: Path) -> None:
    done, pid = _command("ok", tmp_path, "horizon_days=-3")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("govsim: error: horizon_days=-3")
    assert "Traceback" not in done.stderr
    assert pid is None or _gone(pid)
    assert not (tmp_path / "run").exists()


def test_an_occupied_sweep_directory_is_refused_naming_its_own_key(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine", encoding="utf-8")
    done = _govsim(["-m", "scenario=one_town", "seed=0,1", "hydra.sweep.dir=taken"], tmp_path)
    assert done.returncode == 2
    assert "hydra.sweep.dir='taken': the directory exists and is not empty" in done.stderr
    assert "leave hydra.sweep.dir unset" in done.stderr and "hydra.run.dir" not in done.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["notes.txt", "taken"]
