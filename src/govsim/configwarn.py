"""Warnings about a configuration that is allowed but probably not what was meant; never errors.

``config_warnings`` flags departments whose estimated utilisation (``govsim.workload.offered_load``) is
at least 1, grid staffing below one worker per grid, and a staffing whose grid-worker agents alone would
take minutes; ``warn_single_replication`` flags a comparison
made from a single replication. ``warn`` prints ``govsim: warning: ...`` on stderr. The messages speak
the run's language (``govsim.labels``). Importable from ``govsim.validate`` as before.
"""

from __future__ import annotations

import sys

from govsim.config import GovsimConfig

__all__ = ["config_warnings", "warn", "warn_single_replication"]


def warn(message: str) -> str:
    """Print ``govsim: warning: message`` on stderr and return the message."""
    print(f"govsim: warning: {message}", file=sys.stderr)
    return message


def config_warnings(cfg: GovsimConfig) -> list[str]:
    """Messages for a configuration that is allowed but probably not what was meant (not printed).

    A department whose estimated utilisation (``govsim.workload.offered_load``) is 1 or more has a queue
    that grows without bound: its waits then measure the horizon, not the policy. Grid staffing under
    one worker per grid (``worker.per_grid × policy.grid.staffing < 1``) changes nothing: every grid
    keeps its own worker (``policies._grid_workers``), so the run is the one at ``1 / per_grid``.
    """
    from govsim import labels
    from govsim.workload import offered_load

    out = []
    s, m = cfg.scenario, cfg.policy.mechanism
    heads = s.worker.per_grid * cfg.policy.grid.staffing
    if heads < 1.0:  # policies._grid_workers: every grid keeps its own worker (一格一员)
        out.append(
            labels.warning_text(
                "grid_floor",
                cfg.output.lang,
                staffing=cfg.policy.grid.staffing,
                heads=heads,
                floor=1.0 / s.worker.per_grid,
            )
        )
    slow = _slow_workers(cfg)
    if slow is not None:
        out.append(
            labels.warning_text("slow_workers", cfg.output.lang, staffing=cfg.policy.grid.staffing, **slow)
        )
    for dept, rho in offered_load(cfg).items():
        if rho >= 1.0:
            staff = s.departments[dept].staff_per_100k
            name = labels.lookup(labels.DEPARTMENT, dept, "zh")
            scale = m.department_staffing
            out.append(
                labels.warning_text(
                    "overload", cfg.output.lang, dept=dept, name=name, rho=rho, staff=staff, scale=scale
                )
            )
    return out


WORKER_SECONDS = (1.0e-5, 1.1e-6)
"""Seconds to build one grid-worker agent, and to step it one week (measured: one_town at staffing 10,000,
150,000 agents, 1.5 s built and 1.1 µs a worker-week over 10 weeks; 1.8 µs at 15,000 agents)."""
SLOW_WORKERS_SECONDS = 120.0
"""Warn above two minutes of grid-worker agents alone (assumed: the Jiangmen year's whole simulation takes
about 5 s, and its 3,166 agents 0.2 s of it; staffing 10 is 2 s)."""


def _slow_workers(cfg: GovsimConfig) -> dict[str, float] | None:
    """Agents, agents per grid and minutes of a staffing whose grid-worker agents alone take minutes; or None.

    Allowed when it fits in memory (``datacheck.check_size``), but each agent is built and stepped every
    week (``GridWorker.start_week``): at one_town with ``staffing=1e6`` (15 million agents) about 16
    minutes, which looked like a hang. None also when the territory cannot be read (``check_data``
    reports that).
    """
    from govsim.datacheck import population_and_grids
    from govsim.policies import heads_per_grid
    from govsim.scenario import ScenarioError, read_towns, territory_path

    try:
        rows = read_towns(territory_path(cfg.scenario.territory))
    except (ScenarioError, OSError, UnicodeDecodeError, ValueError):
        return None
    heads = max(1.0, heads_per_grid(cfg.policy, cfg.scenario.worker))
    workers = population_and_grids(cfg, rows)[1] * heads
    built, stepped = WORKER_SECONDS
    seconds = workers * (built + stepped * cfg.horizon_days / 7.0)
    if seconds < SLOW_WORKERS_SECONDS:
        return None
    return {"workers": workers, "heads": heads, "minutes": seconds / 60.0}


def warn_single_replication(replications: int, lang: str = "en") -> str | None:
    """Warn when a comparison rests on one replication (no spread, no confidence interval).

    Call it wherever replications are chosen (experiments, sweeps); returns the message (in ``lang``),
    or ``None``.
    """
    if replications == 1:
        from govsim.labels import warning_text

        return warn(warning_text("single_replication", lang))
    return None
