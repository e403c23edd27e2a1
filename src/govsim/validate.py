"""Check a configuration before anything is built: types, ranges, cross-field consistency.

Every field of every dataclass in ``govsim.config`` has a rule in ``RULES`` (a unit test pins that the
two stay in step), so a value is checked however it arrived: a YAML file, a command-line override or a
Python assignment. ``check`` raises ``ConfigError`` naming the key, the bad value and what is allowed;
the CLI prints it as one line and exits with status 2. Keys that are not in the schema (a typo set on
a dataclass, or a key added on the command line with ``+``) are refused too.

Warnings are not errors: ``config_warnings`` flags departments whose estimated utilisation
(``offered_load``) is at least 1, and ``warn_single_replication`` flags a comparison made from a single
replication. Both print ``govsim: warning: ...`` on stderr.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any

from govsim.config import (
    RESIDENT_CHANNELS,
    SERVICE_FAMILIES,
    CategoryConfig,
    CostConfig,
    DepartmentConfig,
    FusionPolicy,
    GovsimConfig,
    GridPolicy,
    HotlineConfig,
    MechanismPolicy,
    OutputConfig,
    OverseasConfig,
    PlatformPolicy,
    PolicyConfig,
    ResponseConfig,
    ScenarioConfig,
    ScheduleConfig,
    TaskConfig,
    WorkerConfig,
)
from govsim.levers import FOCUS_POLICY, Lever, of_focus
from govsim.policies import heads_per_grid

SUM_TOLERANCE = 1e-6
"""How far a probability mix may sum from 1 (rounding in hand-written YAML, not a real discrepancy)."""


class InputError(Exception):
    """Bad input from the user: the message is one line, printed as it is (``govsim: error: ...``)."""


class ConfigError(ValueError, InputError):
    """A configuration value is not allowed: names the key, the value and what is allowed."""

    def __init__(self, key: str, value: Any, allowed: str, problem: str | None = None) -> None:
        self.key, self.value, self.allowed, self.problem = key, value, allowed, problem
        why = f"{problem}; " if problem else ""
        super().__init__(f"{key}={show(value)}: {why}allowed: {allowed}")


def show(value: Any, limit: int = 60) -> str:
    """A value as the user would recognise it (strings quoted), shortened to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---- rules: one per field ------------------------------------------------------------------------
Rule = Callable[[str, Any], None]


def num(
    lo: float | None = None, hi: float | None = None, *, strict: bool = False, integer: bool = False
) -> Rule:
    """A finite number (an integer if ``integer``), ``lo <= v`` (``lo < v`` if ``strict``), ``v <= hi``.

    Booleans are refused although Python counts them as integers: ``staffing: true`` is a mistake.
    """
    what = "an integer" if integer else "a number"
    if lo is not None and hi is not None:
        what += f" in {'(' if strict else '['}{lo:g}, {hi:g}]"
    elif lo is not None:
        what += f" {'>' if strict else '>='} {lo:g}"

    def rule(key: str, v: Any) -> None:
        kind_ok = isinstance(v, int) if integer else isinstance(v, (int, float))
        if isinstance(v, bool) or not kind_ok or not math.isfinite(v):
            raise ConfigError(key, v, what)
        if (lo is not None and (v <= lo if strict else v < lo)) or (hi is not None and v > hi):
            raise ConfigError(key, v, what)

    return rule


prob = num(0.0, 1.0)
positive = num(0.0, strict=True)
non_negative = num(0.0)


def flag(key: str, v: Any) -> None:
    """A boolean: ``true`` or ``false`` (not 0/1, not 'yes')."""
    if not isinstance(v, bool):
        raise ConfigError(key, v, "true or false")


def word(*choices: str) -> Rule:
    """Non-empty text; one of ``choices`` if any are given."""

    def rule(key: str, v: Any) -> None:
        if not isinstance(v, str) or not v.strip():
            raise ConfigError(key, v, ", ".join(choices) if choices else "a non-empty name")
        if choices and v not in choices:
            raise ConfigError(key, v, ", ".join(choices))

    return rule


def path_name(key: str, v: Any) -> None:
    """A name that becomes a directory name: one path component, no separator, not starting with a dot.

    Run and sweep directories are named after ``scenario.name``, ``policy.name`` and ``experiment.name``
    (configs/config.yaml): ``../..`` or ``/etc`` there would write outside the output root.
    """
    from govsim.identity import safe_component

    word()(key, v)
    if safe_component(v) != v:
        raise ConfigError(
            key, v, "a name of letters, digits, '_', '-', '.', '=', ',', '+' or '@', not starting with '.'"
        )


def iso_date(key: str, v: Any) -> None:
    """A calendar date written YYYY-MM-DD."""
    try:
        date.fromisoformat(v)
    except (TypeError, ValueError):
        raise ConfigError(key, v, "a date YYYY-MM-DD") from None


def text(key: str, v: Any) -> None:
    """Text, possibly empty (an optional path)."""
    if not isinstance(v, str):
        raise ConfigError(key, v, "a text (empty for none)")


def office_hours(key: str, v: Any) -> None:
    """Open intervals of a day, ``["HH:MM-HH:MM", ...]``, ascending and not overlapping."""
    from govsim.officetime import CalendarError, parse_hours

    if not isinstance(v, (list, tuple)):
        raise ConfigError(key, v, "a list of HH:MM-HH:MM intervals")
    try:
        parse_hours(v, key)
    except CalendarError as exc:
        raise ConfigError(key, list(v), str(exc).partition("allowed: ")[2]) from None


def seq(item: Rule, n: int | None = None) -> Rule:
    """A list (of exactly ``n`` items if given), each item checked by ``item`` as ``key[i]``."""

    def rule(key: str, v: Any) -> None:
        if not isinstance(v, (list, tuple)) or (n is not None and len(v) != n):
            raise ConfigError(key, v, f"a list of {n} values" if n is not None else "a list")
        for i, x in enumerate(v):
            item(f"{key}[{i}]", x)

    return rule


def sub(cls: type) -> Rule:
    """A nested section of type ``cls``, checked field by field."""

    def rule(key: str, v: Any) -> None:
        if not isinstance(v, cls):
            raise ConfigError(key, v, f"a {cls.__name__} section")
        check_fields(v, f"{key}.")

    return rule


def table(cls: type, *, empty_ok: bool = False) -> Rule:
    """A mapping from non-empty names to sections of type ``cls`` (categories, departments, tasks)."""

    def rule(key: str, v: Any) -> None:
        if not isinstance(v, dict) or (not v and not empty_ok):
            raise ConfigError(key, v, f"a non-empty mapping of names to {cls.__name__}")
        for name, item in v.items():
            word()(f"{key} name", name)
            sub(cls)(f"{key}.{name}", item)

    return rule


def _all(rule: Rule, cls: type) -> dict[str, Rule]:
    return {f.name: rule for f in fields(cls)}


def lever_rule(lv: Lever) -> Rule:
    """The rule of a lever, from its definition (``govsim.levers.LEVERS``: kind and allowed range)."""
    if lv.kind == "flag":
        return flag
    if lv.kind == "choice":
        return word(*lv.choices)
    if lv.kind == "choices":
        return seq(word(*lv.choices))
    return num(lv.lo, lv.hi, strict=lv.strict, integer=lv.integer)


RULES: dict[type, dict[str, Rule]] = {
    GovsimConfig: dict(
        scenario=sub(ScenarioConfig),
        policy=sub(PolicyConfig),
        output=sub(OutputConfig),
        seed=num(0, integer=True),
        replication=num(0, integer=True),
        horizon_days=positive,
        warmup_days=non_negative,
    ),
    OutputConfig: dict(figures=flag, progress=flag, lang=word("zh", "en")),
    ScenarioConfig: dict(
        name=path_name,
        territory=word(),
        population_scale=positive,
        grid_size=num(1, integer=True),
        residents_per_agent=num(1, integer=True),
        incident_rate=positive,  # 0: no incidents, every KPI undefined
        demand_dispersion=non_negative,
        instant_discovery=flag,
        resident_report_rate=non_negative,
        initial_trust=prob,
        channel_mix=seq(prob, len(RESIDENT_CHANNELS)),
        non_integrated_delay_days=non_negative,
        duplicate_prob=prob,
        duplicate_lag_days=non_negative,
        duplicate_work=prob,
        false_report_rate=non_negative,
        triage_staff_per_100k=positive,
        triage_days=non_negative,
        triage_family=word(*SERVICE_FAMILIES),
        triage_urgent_severity=num(1, 4, integer=True),  # 4: no severity is urgent by itself
        misgrade_prob=prob,
        service_family=word(*SERVICE_FAMILIES),
        service_cv=positive,
        severity_work=seq(positive, 3),
        misroute_return_days=non_negative,
        feedback_days=non_negative,
        satisfaction_base=prob,
        satisfaction_late_penalty=prob,
        reopen_prob=prob,
        petition_prob=prob,
        max_reopens=num(0, 2, integer=True),  # handling work is drawn for 3 rounds per case (incidents.py)
        escalation_working_days=seq(num(1, integer=True), 4),
        start_date=iso_date,
        holidays=seq(iso_date),
        calendar_file=text,
        office_hours=flag,
        department_hours=sub(ScheduleConfig),
        centre_hours=sub(ScheduleConfig),
        extension_approval_prob=prob,
        extension_working_days=num(1, integer=True),
        response_working_days=num(1, integer=True),
        hotline=sub(HotlineConfig),
        overseas=sub(OverseasConfig),
        categories=table(CategoryConfig),
        departments=table(DepartmentConfig),
        tasks=table(TaskConfig, empty_ok=True),
        worker=sub(WorkerConfig),
        response=sub(ResponseConfig),
        cost=sub(CostConfig),
    ),
    CategoryConfig: dict(
        share=prob,
        severity_probs=seq(prob, 3),
        growth_days=positive,
        visibility=non_negative,
        report_propensity=non_negative,
        onsite_possible=flag,
        department=word(),
        handling_days=positive,
        deadline_working_days=num(1, integer=True),
        priority=num(0, integer=True),
        weekday_rate=seq(non_negative, 7),
        month_rate=seq(non_negative, 12),
    ),
    ScheduleConfig: dict(every_day=flag, hours=office_hours),
    OverseasConfig: dict(
        category=word(),
        per_1000_year=non_negative,
        abroad_share=prob,
        abroad_offset_hours=num(-24, 24),
        abroad_hours=office_hours,
        departments_mix=seq(prob, 3),
        referral_days=non_negative,
        package_work=non_negative,
    ),
    HotlineConfig: dict(
        enabled=flag,
        consult_per_1000_day=non_negative,
        seats_per_100k=positive,
        hours=office_hours,
        handling_minutes=positive,
        patience_minutes=positive,
        hold_lines_per_seat=non_negative,
        retry_prob=prob,
        retry_minutes=positive,
        max_retries=num(0, 20, integer=True),
        lost_mix=seq(prob, 3),
        switch_days=non_negative,
    ),
    DepartmentConfig: dict(staff_per_100k=non_negative, route_days=non_negative),
    TaskConfig: dict(hours_per_week=num(0, 168), scientific=flag, data_collection=flag, visits=flag),
    WorkerConfig: dict(
        per_grid=positive,
        hours_per_week=num(0, 168, strict=True),
        part_time_hours_per_week=num(0, 168, strict=True),
        detect_per_patrol_hour=non_negative,
        onsite_hours=non_negative,
        onsite_base_prob=prob,
        initial_skill=prob,
        new_worker_skill=prob,
        learn_rate=non_negative,
        turnover_per_year=non_negative,
        effort=non_negative,
        onsite_family=word(*SERVICE_FAMILIES),
        onsite_cv=non_negative,
    ),
    ResponseConfig: {  # multipliers and durations >= 0, except these
        **_all(non_negative, ResponseConfig),
        "grids_per_station": num(0, integer=True),
        "demonstration_triage_staff": num(0, integer=True),
        "demonstration_stationed": seq(word()),
        "demonstration_counties": seq(word()),
        "trust_gain": prob,
        "trust_loss": prob,
    },
    CostConfig: _all(non_negative, CostConfig),  # every item is yuan per year or per unit
    PolicyConfig: dict(
        name=path_name,
        grid=sub(GridPolicy),
        platform=sub(PlatformPolicy),
        fusion=sub(FusionPolicy),
        mechanism=sub(MechanismPolicy),
    ),
    **{
        cls: {name: lever_rule(lv) for name, lv in of_focus(focus).items()}
        for focus, cls in FOCUS_POLICY.items()
    },
}


def check_fields(obj: Any, prefix: str = "") -> None:
    """Check every field of the dataclass ``obj`` by its rule; refuse attributes the schema lacks."""
    names = [f.name for f in fields(obj)]
    extra = [k for k in vars(obj) if k not in names]
    if extra:
        raise ConfigError(
            f"{prefix}{extra[0]}",
            getattr(obj, extra[0]),
            ", ".join(names),
            problem=f"unknown key {f'in {prefix[:-1]}' if prefix else 'at the top level'}",
        )
    rules = RULES.get(type(obj), {})
    for name in names:  # a field without a rule fails tests/unit/test_bad_inputs.py, not the user's run
        if name in rules:
            rules[name](f"{prefix}{name}", getattr(obj, name))


# ---- cross-field consistency -----------------------------------------------------------------------
def check(cfg: GovsimConfig) -> None:
    """Raise ``ConfigError`` on the first value that is not allowed, alone or with the others."""
    if not is_dataclass(cfg) or not isinstance(cfg, GovsimConfig):
        raise ConfigError("config", type(cfg).__name__, "a GovsimConfig")
    check_fields(cfg)
    if cfg.warmup_days >= cfg.horizon_days:
        raise ConfigError("warmup_days", cfg.warmup_days, f"less than horizon_days ({cfg.horizon_days:g})")
    check_mixes(cfg.scenario)
    check_routes(cfg.scenario)
    check_names(cfg)
    s = cfg.scenario
    ladder = s.escalation_working_days
    if any(b <= a for a, b in zip(ladder, ladder[1:], strict=False)):
        raise ConfigError(
            "scenario.escalation_working_days",
            ladder,
            "4 working-day delays increasing strictly (reminder < supervision < county < city)",
        )
    check_week(cfg)
    if s.worker.part_time_hours_per_week > s.worker.hours_per_week:
        raise ConfigError(
            "scenario.worker.part_time_hours_per_week",
            s.worker.part_time_hours_per_week,
            f"at most scenario.worker.hours_per_week ({s.worker.hours_per_week:g})",
        )


def check_week(cfg: GovsimConfig) -> None:
    """A grid worker's booked hours (training plus admitted tasks) fit in the working week.

    Beyond it the model would clip patrol at zero while the cost still pays every booked hour
    (``policy.grid.training_hours=100`` booked 1,860 worker-hours a week against 600). Task hours are
    counted as the model admits them (``govsim.policies``: review, cap, data import).
    """
    from govsim.workload import admitted_task_hours

    s, g = cfg.scenario, cfg.policy.grid
    tasks = admitted_task_hours(cfg)
    if g.training_hours + tasks > s.worker.hours_per_week:
        raise ConfigError(
            "policy.grid.training_hours",
            g.training_hours,
            f"at most {max(0.0, s.worker.hours_per_week - tasks):g} (a {s.worker.hours_per_week:g}-hour "
            f"week less {tasks:g} hours of admitted tasks)",
        )


def _sums_to_one(key: str, values: list[float]) -> None:
    total = float(sum(values))
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise ConfigError(key, list(values), f"probabilities summing to 1 (these sum to {total:.6g})")


def check_mixes(s: ScenarioConfig) -> None:
    """Probability mixes sum to 1: each category's initial severity, the category shares, the channels."""
    for name, c in s.categories.items():
        _sums_to_one(f"scenario.categories.{name}.severity_probs", c.severity_probs)
    shares = {name: c.share for name, c in s.categories.items()}
    if abs(sum(shares.values()) - 1.0) > SUM_TOLERANCE:
        raise ConfigError(
            "scenario.categories.*.share",
            shares,
            f"shares summing to 1 (these sum to {sum(shares.values()):.6g})",
        )
    _sums_to_one("scenario.channel_mix", s.channel_mix)
    _sums_to_one("scenario.hotline.lost_mix", s.hotline.lost_mix)
    _sums_to_one("scenario.overseas.departments_mix", s.overseas.departments_mix)


def check_routes(s: ScenarioConfig) -> None:
    """Every category routes to a department that exists, and a department that receives work has staff.

    Routing is one hop (category → county department) and the escalation ladder is a fixed sequence of
    levels, so no route can form a cycle; what can go wrong is a target that does not exist.
    """
    depts = tuple(s.departments)
    for name, c in s.categories.items():
        if c.department not in s.departments:
            raise ConfigError(
                f"scenario.categories.{name}.department",
                c.department,
                ", ".join(depts),
                problem="no such department",
            )
    for d, dept in s.departments.items():
        routed = [n for n, c in s.categories.items() if c.department == d and c.share > 0]
        if routed and dept.staff_per_100k <= 0:
            raise ConfigError(
                f"scenario.departments.{d}.staff_per_100k",
                dept.staff_per_100k,
                "a number > 0",
                problem=f"work is routed here ({', '.join(routed)})",
            )


def check_names(cfg: GovsimConfig) -> None:
    """Names that refer to other parts of the config exist, once each."""
    cats = tuple(cfg.scenario.categories)
    named = (
        ("policy.platform.stationed", cfg.policy.platform.stationed),
        ("scenario.response.demonstration_stationed", cfg.scenario.response.demonstration_stationed),
    )
    for key, values in named:
        for i, c in enumerate(values):
            if c not in cats:
                raise ConfigError(f"{key}[{i}]", c, f"a category of the scenario: {', '.join(cats)}")
    for key, values in (*named, ("policy.fusion.integrated", cfg.policy.fusion.integrated)):
        if len(set(values)) != len(values):
            raise ConfigError(key, list(values), "each name at most once")


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
    for i, r in enumerate(rows, start=2):
        for col in ("county", "town"):
            if not (r[col] or "").strip():
                raise ConfigError(f"{key} line {i}", r, f"a non-empty {col} name")
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


def memory_estimate(cfg: GovsimConfig, rows: list[dict[str, str]]) -> dict[str, float]:
    """Bytes a run will hold at its peak, by part, from the territory rows alone (nothing allocated).

    Parts: ``base``, ``tickets``, ``workers``, ``residents``, ``grids``, ``days``.
    The per-unit sizes were measured with ``ru_maxrss`` around ``govsim.runner.simulate`` (one town, a
    0.1 slice of Jiangmen, 10,000 × staffing, residents_per_agent=1); they are first-order and err
    high for small runs. Tickets as the model sizes its record arrays (``GovernanceModel``).
    """
    s = cfg.scenario
    population = grids = 0.0
    for r in rows:
        pop = round(int(r["population"]) * s.population_scale)
        n_comm = int(r["communities"])
        population += pop
        grids += n_comm * max(1, round(pop / n_comm / s.grid_size))
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


# ---- warnings ------------------------------------------------------------------------------------------
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
