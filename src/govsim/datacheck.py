"""Checks that read the scenario's data: the territory file, the run's memory, the official calendar.

``check_data`` reads the territory file through ``govsim.scenario`` (the reader the model uses), refuses
a run too big for this machine's memory (``memory_estimate``, ``check_size``) and one whose dates the
official calendar does not cover (``check_calendar``). Each raises ``ConfigError`` (or the reader's
one-line ``ScenarioError`` / ``CalendarError``) naming the key, the value and what is allowed.
"""

from __future__ import annotations

import math

from govsim.config import GovsimConfig
from govsim.policies import heads_per_grid
from govsim.rules import ConfigError

__all__ = ["check_calendar", "check_data", "check_size", "machine_memory", "memory_estimate"]


def check_data(cfg: GovsimConfig) -> None:
    """The scenario's territory file exists and is well formed, and every town keeps a resident.

    This reads the data file through ``govsim.scenario`` (the reader the model uses, imported here
    lazily so that the schema check above stays free of it).
    """
    from govsim.scenario import ScenarioError, read_towns, territory_path

    key = "scenario.territory"
    try:
        rows = read_towns(territory_path(cfg.scenario.territory))
    except ScenarioError:
        raise  # already one line naming the key and the value
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(
            key, cfg.scenario.territory, "a readable UTF-8 CSV file", problem=type(exc).__name__
        ) from None
    smallest = min(int(r["population"]) for r in rows)
    if round(smallest * cfg.scenario.population_scale) < 1:
        raise ConfigError(
            "scenario.population_scale",
            cfg.scenario.population_scale,
            f"at least {1 / smallest:.2g}, so that the smallest town ({smallest} residents) keeps a resident",
        )
    check_size(cfg, rows)  # before the calendar: a run too big for memory is refused for that first
    check_calendar(cfg)


# ---- what a run will take: refuse before allocating -----------------------------------------------------
BYTES_BASE = 160e6
"""Interpreter, libraries and the model's fixed parts (measured: 157 MB before the first run)."""
BYTES_PER_TICKET = 1.2e3
"""Records, desk queues and tables per ticket (measured: 1.16–1.18 kB for 0.1–0.2 M tickets; the
Jiangmen year, 1.03 M tickets, takes about 1.2 GB, README "Performance")."""
BYTES_PER_WORKER = 450.0
"""A grid worker: its Mesa agent and arrays (measured: 150,000 workers, 67 MB)."""
BYTES_PER_RESIDENT_AGENT = 300.0
"""A resident agent's state (measured: 48,000 residents at residents_per_agent=1, 14 MB)."""
BYTES_PER_GRID = 1e3
"""A grid's arrays and weekly time use; assumed (small next to its worker and tickets)."""
BYTES_PER_TOWN_DAY = 100.0
"""Daily time series per town (the horizon_days=1e9 run of issue 15 asked for 95 GiB for one town)."""


def population_and_grids(cfg: GovsimConfig, rows: list[dict[str, str]]) -> tuple[float, float]:
    """The run's residents and grids from the territory rows, as the scenario builds them (nothing built).

    Every community keeps at least one grid (``scenario.py``: ``max(1, round(population / grid_size))``).
    """
    s = cfg.scenario
    population = grids = 0.0
    for r in rows:
        pop = round(int(r["population"]) * s.population_scale)
        n_comm = int(r["communities"])
        population += pop
        grids += n_comm * max(1, round(pop / n_comm / s.grid_size))
    return population, grids


def memory_estimate(cfg: GovsimConfig, rows: list[dict[str, str]]) -> dict[str, float]:
    """Bytes a run will hold at its peak, by part, from the territory rows alone (nothing allocated).

    Parts: ``base``, ``tickets``, ``workers``, ``residents``, ``grids``, ``days``.
    The per-unit sizes were measured with ``ru_maxrss`` around ``govsim.runner.simulate`` (one town, a
    0.1 slice of Jiangmen, 10,000 × staffing, residents_per_agent=1); they are first-order and err
    high for small runs. Tickets as the model sizes its record arrays (``GovernanceModel``).
    """
    s = cfg.scenario
    population, grids = population_and_grids(cfg, rows)
    tickets = population * s.incident_rate * cfg.horizon_days / 365.0 * (1.1 + s.duplicate_prob)
    workers = grids * max(1.0, heads_per_grid(cfg.policy, s.worker))
    return {
        "base": BYTES_BASE,
        "tickets": tickets * BYTES_PER_TICKET,
        "workers": workers * BYTES_PER_WORKER,
        "residents": population / s.residents_per_agent * BYTES_PER_RESIDENT_AGENT,
        "grids": grids * BYTES_PER_GRID,
        "days": len(rows) * cfg.horizon_days * BYTES_PER_TOWN_DAY,
    }


def machine_memory() -> float:
    """Physical memory of this machine in bytes (``inf`` where the platform does not say)."""
    import os

    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):
        return math.inf


SIZE_KEYS = {
    "tickets": "horizon_days",
    "days": "horizon_days",
    "workers": "policy.grid.staffing",
    "residents": "scenario.population_scale",
    "grids": "scenario.territory",
}


def check_size(cfg: GovsimConfig, rows: list[dict[str, str]]) -> None:
    """Refuse a run whose estimated memory (``memory_estimate``) exceeds this machine's memory.

    Names the key behind the largest part; the message carries the estimate and the machine's memory.
    """
    parts = memory_estimate(cfg, rows)
    total, limit = sum(parts.values()), machine_memory()
    if total <= limit:
        return
    part = max((k for k in parts if k != "base"), key=lambda k: parts[k])
    key = SIZE_KEYS[part]
    if part == "tickets":  # the factor furthest above its default (one year, scale 1, 0.2 a year)
        growth = {
            "horizon_days": cfg.horizon_days / 365.0,
            "scenario.population_scale": cfg.scenario.population_scale,
            "scenario.incident_rate": cfg.scenario.incident_rate / 0.2,
        }
        key = max(growth, key=lambda k: growth[k])
    value = {
        "horizon_days": cfg.horizon_days,
        "policy.grid.staffing": cfg.policy.grid.staffing,
        "scenario.population_scale": cfg.scenario.population_scale,
        "scenario.territory": cfg.scenario.territory,
        "scenario.incident_rate": cfg.scenario.incident_rate,
    }[key]
    raise ConfigError(
        key,
        value,
        f"a run that fits in this machine's {limit / 2**30:.1f} GiB of memory",
        problem=f"the run would need about {total / 2**30:,.1f} GiB (mostly {part})",
    )


def check_calendar(cfg: GovsimConfig) -> None:
    """The official calendar (or ``scenario.calendar_file``) covers every date the run touches.

    Raises ``govsim.officetime.CalendarError`` (one line: key, value, last covered date) otherwise.
    """
    from govsim.officetime import build_calendar, check_coverage, longest_working_days

    s = cfg.scenario
    cal = build_calendar(s.start_date, s.holidays, s.calendar_file)
    check_coverage(cal, cfg.horizon_days, longest_working_days(cfg))
