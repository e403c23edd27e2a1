"""Check a configuration before anything is built: types, ranges, cross-field consistency.

Every field of every dataclass in ``govsim.config`` has a rule in ``RULES`` (a unit test pins that the
two stay in step), so a value is checked however it arrived: a YAML file, a command-line override or a
Python assignment. ``check`` raises ``ConfigError`` naming the key, the bad value and what is allowed;
the CLI prints it as one line and exits with status 2. Keys that are not in the schema (a typo set on
a dataclass, or a key added on the command line with ``+``) are refused too.

The rules themselves (numbers in a range, flags, names, dates, lists) and ``ConfigError`` are in
``govsim.rules``; the checks that read the scenario's data (territory file, memory, calendar:
``check_data``) in ``govsim.datacheck``; the warnings in ``govsim.configwarn``. All are
importable from here as before.

Warnings are not errors: ``config_warnings`` flags departments whose estimated utilisation
(``offered_load``) is at least 1, and ``warn_single_replication`` flags a comparison made from a single
replication. Both print ``govsim: warning: ...`` on stderr.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
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
from govsim.configwarn import config_warnings as config_warnings
from govsim.configwarn import warn as warn
from govsim.configwarn import warn_single_replication as warn_single_replication
from govsim.datacheck import check_data as check_data  # re-exported: callers import these from here
from govsim.datacheck import memory_estimate as memory_estimate
from govsim.levers import FOCUS_POLICY, Lever, of_focus
from govsim.rules import ConfigError as ConfigError
from govsim.rules import InputError as InputError
from govsim.rules import (
    Rule,
    flag,
    iso_date,
    non_negative,
    num,
    office_hours,
    path_name,
    positive,
    prob,
    seq,
    text,
    word,
)
from govsim.rules import show as show

SUM_TOLERANCE = 1e-6
"""How far a probability mix may sum from 1 (rounding in hand-written YAML, not a real discrepancy)."""


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
        max_reopens=num(0, 2, integer=True),  # handling work is drawn for 3 rounds per case (occurrence.py)
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
