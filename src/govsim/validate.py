"""Check a configuration before anything is built: types, ranges, cross-field consistency.

``check`` raises ``ConfigError`` naming the key, the bad value and what is allowed; the CLI turns it
into one line on stderr and exit status 2. Warnings (utilisation ≥ 1 and the like) are not errors.
"""

from __future__ import annotations

import math
from typing import Any

from govsim.config import ADMISSION_RULES, CATEGORIES, CHANNELS, DEMONSTRATION_RULES, SERVICE_FAMILIES, GovsimConfig


class ConfigError(ValueError):
    """A configuration value is not allowed."""

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key}={value!r}: allowed: {allowed}")


def _number(key: str, v: Any, lo: float | None = None, hi: float | None = None, *, open_lo: bool = False,
            integer: bool = False) -> None:
    ok_type = isinstance(v, int) if integer else isinstance(v, (int, float))
    what = "an integer" if integer else "a number"
    if isinstance(v, bool) or not ok_type or (isinstance(v, float) and not math.isfinite(v)):
        raise ConfigError(key, v, f"{what}" + _range_text(lo, hi, open_lo))
    if (lo is not None and (v <= lo if open_lo else v < lo)) or (hi is not None and v > hi):
        raise ConfigError(key, v, f"{what}" + _range_text(lo, hi, open_lo))


def _range_text(lo: float | None, hi: float | None, open_lo: bool) -> str:
    if lo is not None and hi is not None:
        return f" in {'(' if open_lo else '['}{lo}, {hi}]"
    if lo is not None:
        return f" {'>' if open_lo else '>='} {lo}"
    return ""


def _prob(key: str, v: Any) -> None:
    _number(key, v, 0.0, 1.0)


def _choice(key: str, v: Any, allowed: tuple[str, ...]) -> None:
    if v not in allowed:
        raise ConfigError(key, v, ", ".join(allowed))


def check(cfg: GovsimConfig) -> None:
    """Raise ``ConfigError`` on the first value that is not allowed."""
    _number("seed", cfg.seed, 0, integer=True)
    _number("replication", cfg.replication, 0, integer=True)
    _number("horizon_days", cfg.horizon_days, 0, open_lo=True)
    _number("warmup_days", cfg.warmup_days, 0)
    if cfg.warmup_days >= cfg.horizon_days:
        raise ConfigError("warmup_days", cfg.warmup_days, f"less than horizon_days ({cfg.horizon_days})")
    _choice("output.lang", cfg.output.lang, ("zh", "en"))
    check_scenario(cfg)
    check_policy(cfg)


def check_scenario(cfg: GovsimConfig) -> None:
    """Scenario values: rates, probabilities, families, categories and departments."""
    s = cfg.scenario
    _number("scenario.population_scale", s.population_scale, 0, open_lo=True)
    _number("scenario.grid_size", s.grid_size, 1, integer=True)
    _number("scenario.residents_per_agent", s.residents_per_agent, 1, integer=True)
    _number("scenario.incident_rate", s.incident_rate, 0)
    for key in ("duplicate_prob", "satisfaction_base", "satisfaction_late_penalty", "reopen_prob", "petition_prob",
                "initial_trust"):
        _prob(f"scenario.{key}", getattr(s, key))
    for key in ("triage_days", "feedback_days", "misroute_return_days", "non_integrated_delay_days",
                "duplicate_lag_days", "demand_dispersion", "false_report_rate", "resident_report_rate"):
        _number(f"scenario.{key}", getattr(s, key), 0)
    _number("scenario.service_cv", s.service_cv, 0, open_lo=True)
    _number("scenario.triage_staff_per_100k", s.triage_staff_per_100k, 0, open_lo=True)
    _choice("scenario.service_family", s.service_family, SERVICE_FAMILIES)
    _choice("scenario.triage_family", s.triage_family, SERVICE_FAMILIES)
    if not s.categories:
        raise ConfigError("scenario.categories", {}, "at least one category")
    for name, c in s.categories.items():
        _prob(f"scenario.categories.{name}.share", c.share)
        _number(f"scenario.categories.{name}.handling_days", c.handling_days, 0)
        _number(f"scenario.categories.{name}.deadline_working_days", c.deadline_working_days, 1, integer=True)
        _choice(f"scenario.categories.{name}.department", c.department, tuple(s.departments))
    for name, d in s.departments.items():
        _number(f"scenario.departments.{name}.staff_per_100k", d.staff_per_100k, 0, open_lo=True)


def check_policy(cfg: GovsimConfig) -> None:
    """Policy levers: ranges and names that exist."""
    p = cfg.policy
    _number("policy.grid.staffing", p.grid.staffing, 0, open_lo=True)
    _prob("policy.grid.part_time_share", p.grid.part_time_share)
    _number("policy.grid.training_hours", p.grid.training_hours, 0)
    _choice("policy.grid.admission", p.grid.admission, ADMISSION_RULES)
    _number("policy.grid.admission_cap_hours", p.grid.admission_cap_hours, 0)
    _number("policy.grid.resident_points", p.grid.resident_points, 0)
    _number("policy.platform.triage_staffing", p.platform.triage_staffing, 0, open_lo=True)
    _choice("policy.platform.demonstration", p.platform.demonstration, DEMONSTRATION_RULES)
    for c in p.platform.stationed:
        _choice("policy.platform.stationed", c, tuple(cfg.scenario.categories) or CATEGORIES)
    for ch in p.fusion.integrated:
        _choice("policy.fusion.integrated", ch, CHANNELS[1:])
    _prob("policy.fusion.routing_accuracy", p.fusion.routing_accuracy)
    _prob("policy.fusion.data_import", p.fusion.data_import)
    _number("policy.mechanism.deadline_scale", p.mechanism.deadline_scale, 0, open_lo=True)
    _number("policy.mechanism.mediators_per_town", p.mechanism.mediators_per_town, 0)
    _number("policy.mechanism.stations_per_town", p.mechanism.stations_per_town, 0, integer=True)
    _number("policy.mechanism.department_staffing", p.mechanism.department_staffing, 0, open_lo=True)
