"""Ctrl-C and SIGTERM in the commands besides ``govsim`` (whose own are in test_cli): one line on stderr,
no traceback, the process ended by the signal it got, and nothing left that looks like a result."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from refusal import stopped  # tests/unit on the path, as pytest puts it

SPEC = (
    "name: t_stop\nscenario: one_town\noverrides: [horizon_days=40]\nseeds: [0]\ntrials: 2\n"
    "parameters: {scenario.incident_rate: {low: 0.1, high: 1}}\n"
    "targets: {tickets: {value: 1, tolerance: 1}}\n"
)

CALIBRATE_PROBE = """
import os, signal, sys
from govsim import calibrate

how = sys.argv.pop(1)
run = calibrate.run


def stopped(spec):  # the study is under way when the signal comes
    if how == "write":  # ... or its outputs are being written
        from types import SimpleNamespace
        from govsim import fitreport

        def half_written(out, *args):
            (out / "scenario").mkdir(parents=True)
            (out / "scenario" / "t_stop.yaml").write_text("name: t_stop", encoding="utf-8")
            raise KeyboardInterrupt

        fitreport.write_outputs = half_written
        return SimpleNamespace(wall_seconds=1.0, best_params={}, trials=None, targets=None,
                               identification=None, best={})
    if how == "int":
        raise KeyboardInterrupt
    os.kill(os.getpid(), signal.SIGTERM)
    import time
    time.sleep(30)


calibrate.run = stopped
calibrate.main(sys.argv[1:])
"""


STOPS = [
    ("int", signal.SIGINT, "interrupted (Ctrl-C)"),
    ("term", signal.SIGTERM, "terminated by SIGTERM"),
    ("write", signal.SIGINT, "interrupted (Ctrl-C)"),  # half its outputs written: they are removed
]


@pytest.mark.parametrize(("how", "signum", "said"), STOPS)
def test_a_stopped_calibration_says_so_in_one_line_and_writes_nothing(
    tmp_path: Path, how, signum, said
) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC, encoding="utf-8")
    argv = [how, str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "cal")]
    stopped(CALIBRATE_PROBE, argv, signum, f"govsim-calibrate: {said}")
    assert not (tmp_path / "cal").exists()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_parallel_calibration_leaves_no_worker(tmp_path: Path, signum: int) -> None:
    """``--n-jobs 2``: joblib's loky workers outlived a stopped calibration (orphaned, holding its stdout
    and stderr open, so a pipe reading them hung). They must end with it."""

    # enough trials that the study is still running when the signal comes (about 0.1 s each on 2 cores)
    (tmp_path / "spec.yaml").write_text(SPEC.replace("trials: 2\n", "trials: 2000\n"), encoding="utf-8")
    exe = Path(sys.executable).with_name("govsim-calibrate")
    proc = subprocess.Popen(
        [str(exe), "spec.yaml", "--n-jobs", "2", "--out", "cal"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C as a terminal delivers it, even if this test runs where SIGINT is ignored (a background
        # job of a script ignores it, and its children inherit that)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        _stop_parallel(proc, tmp_path, signum)
    finally:  # whatever failed, nothing of the command is left running
        from test_experiment_stop import processes_in

        for p in [*([] if proc.poll() is not None else [proc]), *processes_in(tmp_path)]:
            p.kill()
        proc.wait()


def _stop_parallel(proc: subprocess.Popen[str], tmp_path: Path, signum: int) -> None:
    import os
    import time

    from test_experiment_stop import processes_in  # tests/unit on the path, as pytest puts it

    deadline = time.monotonic() + 120
    while len([p for p in processes_in(tmp_path) if "LokyProcess" in " ".join(p.cmdline())]) < 2:
        if time.monotonic() > deadline or proc.poll() is not None:  # the two workers are up, or fail
            proc.kill()
            pytest.fail("the calibration's workers never started: the precondition of the test")
        time.sleep(0.1)
    time.sleep(1.0)  # and at work on a batch of candidates
    if proc.poll() is not None:
        pytest.fail("the calibration ended before the signal: the precondition of the test")
    os.kill(proc.pid, signum)
    _, err = proc.communicate(timeout=60)  # hung here while orphaned workers held stderr open
    assert proc.returncode == -signum, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("govsim-calibrate: "), err  # no warnings after it
    time.sleep(1.0)
    left = processes_in(tmp_path)
    for p in left:
        p.kill()
    assert not left, [p.cmdline() for p in left]
    assert not (tmp_path / "cal").exists()


ENTRY_PROBE = """
import sys
from govsim import entry


class CtrlC:  # Ctrl-C pressed while the command's module imports pandas (it imports SciPy, Hydra...)
    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            raise KeyboardInterrupt
        return None


sys.meta_path.insert(0, CtrlC())
getattr(entry, sys.argv.pop(1))()
"""


@pytest.mark.parametrize(
    ("script", "prog"),
    [
        ("report", "govsim-report"),
        ("experiment", "govsim-experiment"),
        ("regress", "govsim-regress"),
        ("log", "govsim-log"),
        ("calibrate", "govsim-calibrate"),
    ],
)
def test_ctrl_c_while_a_command_starts_is_one_line(script: str, prog: str) -> None:
    """A Ctrl-C in the first second (the command's imports) printed a KeyboardInterrupt traceback."""
    stopped(ENTRY_PROBE, [script], signal.SIGINT, f"{prog}: interrupted (Ctrl-C)")


def test_every_console_script_but_govsim_starts_through_entry() -> None:
    """So that the one-line Ctrl-C above covers every command's start (govsim's own: ``cli.command``)."""
    import tomllib

    scripts = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts.pop("govsim") == "govsim.cli:command"
    assert all(target.startswith("govsim.entry:") for target in scripts.values()), scripts


TERM_PROBE = """
import os, signal, sys
from govsim import entry


class Term:  # SIGTERM (a scheduler's time limit, kill) while the command's module imports pandas
    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            os.kill(os.getpid(), signal.SIGTERM)
        return None


sys.meta_path.insert(0, Term())
getattr(entry, sys.argv.pop(1))()
"""


@pytest.mark.parametrize(("script", "prog"), [("experiment", "govsim-experiment"), ("log", "govsim-log")])
def test_sigterm_while_a_command_starts_is_one_line(script: str, prog: str) -> None:
    """SIGTERM in the first second ended the command silently: no line said why it stopped."""
    stopped(TERM_PROBE, [script], signal.SIGTERM, f"{prog}: terminated by SIGTERM")


def test_output_piped_into_a_reader_that_stops_is_no_traceback(tmp_path: Path) -> None:
    """``govsim-log summary ... | head -1``: the reader closes the pipe; the command ends without a
    BrokenPipeError traceback (exit status 1, as Python's own end on a closed pipe; its files written)."""
    log = Path(__file__).parents[1] / "data" / "boston311-100-sample.csv"
    script = Path(sys.executable).with_name("govsim-log")
    argv = [str(script)] if script.exists() else [sys.executable, "-c", "from govsim.entry import log; log()"]
    proc = subprocess.Popen(
        [*argv, "summary", str(log), "--mapping", "boston311", "--out", str(tmp_path / "b")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # as `head` does once it has its line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1, err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
