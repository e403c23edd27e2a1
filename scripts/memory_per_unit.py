"""Measure the per-unit memory sizes behind ``govsim.validate.memory_estimate`` (peak RSS of one run).

    python scripts/memory_per_unit.py scenario=jiangmen scenario.population_scale=0.1 horizon_days=365
    python scripts/memory_per_unit.py scenario=one_town horizon_days=30 policy.grid.staffing=10000

Each call is one fresh process: ``ru_maxrss`` is measured before and after ``govsim.runner.simulate``
and printed with the run's tickets, grid workers and the estimate, for comparison.
"""

from __future__ import annotations

import resource
import sys

from govsim.compose import compose
from govsim.runner import simulate
from govsim.scenario import read_towns, territory_path
from govsim.validate import memory_estimate


def main() -> None:
    """Run the configuration given on the command line once and print its memory per unit."""
    cfg = compose([*sys.argv[1:], "output.progress=false", "output.figures=false"])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    result = simulate(cfg)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    parts = memory_estimate(cfg, read_towns(territory_path(cfg.scenario.territory)))
    tickets = len(result.records.incidents)
    print(
        f"tickets {tickets:,}; peak {peak / 1e6:.0f} MB (before the run {before / 1e6:.0f} MB); "
        f"{(peak - before) / max(tickets, 1):,.0f} B per ticket; estimate {sum(parts.values()) / 1e6:.0f} MB "
        + ", ".join(f"{k} {v / 1e6:.0f}" for k, v in parts.items())
    )


if __name__ == "__main__":
    main()
