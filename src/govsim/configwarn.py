"""Warnings about a configuration that is allowed but probably not what was meant; never errors.

``config_warnings`` flags departments whose estimated utilisation (``govsim.workload.offered_load``) is
at least 1 and grid staffing below one worker per grid; ``warn_single_replication`` flags a comparison
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


def warn_single_replication(replications: int, lang: str = "en") -> str | None:
    """Warn when a comparison rests on one replication (no spread, no confidence interval).

    Call it wherever replications are chosen (experiments, sweeps); returns the message (in ``lang``),
    or ``None``.
    """
    if replications == 1:
        from govsim.labels import warning_text

        return warn(warning_text("single_replication", lang))
    return None
