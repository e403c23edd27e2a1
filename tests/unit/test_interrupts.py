"""Ctrl-C and SIGTERM in the commands besides ``govsim`` (whose own are in test_cli): one line on stderr,
no traceback, the process ended by the signal it got, and nothing left that looks like a result."""

from __future__ import annotations

import signal
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
