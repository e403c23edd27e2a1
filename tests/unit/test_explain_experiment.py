"""``govsim-experiment``'s own section (``experiment.*``) is explained like the rest of the schema: a
misspelt key gets a suggestion and the section's keys, a wrong type names the type."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CASES = [
    ("experiment.replicatons=3", ("did you mean 'replications'", "allowed: name, question, reference")),
    ("experiment.replications=abc", ("experiment.replications=abc", "allowed: an integer")),
    ("experiment.sensitivity.sise=3", ("did you mean 'size'", "allowed: method, factors, size")),
    ("+experiment.replicatons=3", ("did you mean 'replications'", "name, question, reference")),  # added
]


@pytest.mark.parametrize(("override", "said"), CASES)
def test_an_experiment_key_is_explained(override: str, said: tuple[str, ...], tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("govsim-experiment")
    done = subprocess.run(
        [str(exe), "+experiment=four_focus", "scenario=one_town", override, f"hydra.sweep.dir={tmp_path}/s"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert all(s in line for s in said), line
    assert not (tmp_path / "s").exists()
