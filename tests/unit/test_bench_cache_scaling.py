"""``benchmarks/cache_scaling.py`` counts the simulation loop alone, as it says (nothing is timed)."""

from __future__ import annotations

import re
import subprocess
import sys

from benchscript import load_script

from govsim.model import GovernanceModel


def test_loop_patches_out_a_method_the_model_has():
    # the script replaces the records build with a no-op; a renamed method (``records`` became
    # ``_records``) left the patch on a new attribute and the counts silently included the build
    loop = load_script("cache_scaling").LOOP
    patched = re.findall(r"^m\.(\w+) = lambda", loop, flags=re.M)
    assert patched, "the loop no longer patches the records build out"
    for name in patched:
        assert callable(getattr(GovernanceModel, name, None)), f"GovernanceModel has no method {name}"


def test_loop_runs_without_building_the_records():
    loop = load_script("cache_scaling").LOOP
    res = subprocess.run(
        [sys.executable, "-c", loop, "0.002", "35"], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert int(next(line.split()[1] for line in res.stdout.splitlines() if line.startswith("tickets"))) > 0
