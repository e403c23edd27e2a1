"""``benchmarks/profile_phases.py``: each sampled stack of the command goes to the phase run.json names."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchscript import load_script  # tests/unit on the path, as pytest puts it

ROOT = Path(__file__).resolve().parents[2]


def _script():  # noqa: ANN202 - the script as a module
    return load_script("profile_phases")


TOP = ["<module> (govsim:8)", "command (govsim/cli.py:281)", "main (govsim/cli.py:240)"]
JOB = [
    *TOP,
    "launch (govsim/compose.py:320)",
    "launch.<locals>.run (govsim/compose.py:316)",
    "main.<locals>.<lambda> (govsim/cli.py:248)",
    "run_job (govsim/cli.py:103)",
]
RUN = [*JOB, "run_to_dir (govsim/runner.py:251)"]
OUT = [*RUN, "write_outputs (govsim/runner.py:300)"]


@pytest.mark.parametrize(
    ("stack", "phase"),
    [
        (
            [
                *TOP,
                "plan (govsim/planning.py:95)",
                "compose_run (govsim/compose.py:185)",
                "deepcopy (copy.py:1)",
            ],
            "check",
        ),
        ([*TOP, "register_configs (govsim/config.py:400)", "deepcopy (copy.py:1)"], "check"),
        (
            [
                *TOP,
                "launch (govsim/compose.py:320)",
                "configure_handler (hydra/_internal/logging_config.py:9)",
            ],
            "run set-up",
        ),
        (
            [*RUN, "provenance (govsim/runner.py:105)", "FastPath.search (importlib/metadata/__init__.py:1)"],
            "provenance",
        ),
        ([*RUN, "simulate (govsim/runner.py:196)", "GovernanceModel.__init__ (govsim/model.py:60)"], "build"),
        ([*RUN, "simulate (govsim/runner.py:198)", "GovernanceModel.run (govsim/model.py:200)"], "simulate"),
        ([*RUN, "simulate (govsim/runner.py:207)", "kpi_frame (govsim/runner.py:218)"], "kpis"),
        (
            [*OUT, "figure_data (govsim/runner.py:345)", "resolution_histograms (govsim/figdata.py:1)"],
            "records",
        ),
        (
            [*OUT, "write_atomic (govsim/atomic.py:40)", "write_incidents (govsim/recordfiles.py:180)"],
            "records",
        ),
        ([*OUT, "WriteBeside.commit (govsim/atomic.py:60)", "Future.result (concurrent:1)"], "records"),
        (
            [*RUN, "simulate (govsim/runner.py:207)", "start_incidents (govsim/runner.py:270)"],
            "kpis",  # incidents.parquet's writer set up and started: run.json's kpis phase
        ),
        ([*OUT, "write_atomic (govsim/atomic.py:40)", "write_workbook (govsim/tables.py:50)"], "tables"),
        (
            [*OUT, "FigureWorker.wait (govsim/figworker.py:126)", "Connection.recv (multiprocessing:1)"],
            "figures",
        ),
        ([*OUT, "write_figures (govsim/runner.py:340)", "draw_figures (govsim/figworker.py:230)"], "figures"),
        ([*TOP, "end_process (govsim/cli.py:300)", "_run_exitfuncs (atexit:1)"], "exit"),
    ],
)
def test_each_stack_goes_to_its_phase(stack: list[str], phase: str) -> None:
    assert _script().phase(stack) == phase


def test_every_phase_of_run_json_is_attributed_somewhere() -> None:
    script = _script()
    named = {name for _, name in script.PHASE_OF}
    assert {"build", "simulate", "kpis", "records", "tables", "figures"} <= named
    assert named <= set(script.ORDER)
