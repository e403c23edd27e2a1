"""Typed configuration schema: the one place where defaults live.

Every default number cites ``docs/sources.md`` (as ``sources.md §N``) or says ``assumed`` with the reason. The
dataclasses are registered with Hydra's ConfigStore (``register_configs``) so that YAML files under
``configs/`` are checked against them, and ``govsim.validate.check`` verifies types, ranges and
cross-field consistency before anything is built.

The split follows `docs/design.md` §2: a *scenario* is the world (territory, demand, baseline resources, unit
costs), a *policy* is the set of levers of the "four focuses" (四个着力) applied to that world.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CATEGORIES: tuple[str, ...] = (
    "dispute",  # 矛盾纠纷
    "safety_hazard",  # 安全隐患
    "livelihood",  # 民生诉求
    "city_management",  # 城市管理
    "petition",  # 信访
    "special_population",  # 特殊人群服务
)
RESIDENT_CHANNELS: tuple[str, ...] = ("app", "hotline", "walkin", "station")
"""Channels a resident reports through: 邑码解纷 app, 12345 hotline, walk-in 信访超市, 驿站 station."""
CHANNELS: tuple[str, ...] = ("patrol", *RESIDENT_CHANNELS, "city_system")
"""All ticket channels; ``city_system`` = 数字城管 / 行政执法 / 平安通 feeds that raise duplicates."""
SERVICE_FAMILIES: tuple[str, ...] = ("exponential", "gamma", "lognormal", "deterministic")
ADMISSION_RULES: tuple[str, ...] = ("admit_all", "cap", "reviewed")
DEMONSTRATION_RULES: tuple[str, ...] = ("none", "proposed", "all")


@dataclass
class CategoryConfig:
    """Demand and handling parameters of one incident category (all per incident unless stated)."""

    share: float = 0.2  # of real incidents; assumed per category, see scenario YAML
    severity_probs: list[float] = field(default_factory=lambda: [0.6, 0.3, 0.1])  # assumed
    growth_days: float = 10.0  # mean latent days per severity step; assumed
    visibility: float = 1.0  # patrol detection multiplier; assumed
    report_propensity: float = 1.0  # resident reporting multiplier; assumed
    onsite_possible: bool = True  # a grid worker may resolve a minor case on the spot
    department: str = "civil_affairs"
    handling_days: float = 0.5  # mean staff-days of department work at severity 1; assumed
    deadline_working_days: int = 3  # sources.md §4
    priority: int = 1  # department queue class, lower is served first (non-preemptive)
    weekday_rate: list[float] = field(default_factory=lambda: [1.0] * 7)  # Mon..Sun multipliers of the daily
    # rate; assumed flat: no public weekday profile of grid events (see docs/levers.md "Arrival patterns")
    month_rate: list[float] = field(default_factory=lambda: [1.0] * 12)  # Jan..Dec multipliers; assumed flat


@dataclass
class WorkerConfig:
    """Grid worker (网格员) baseline: time budget, skill, discovery power."""

    per_grid: float = 1.0  # full-time workers per grid; sources.md §6 (Lanzhou: 1,500+ workers, 1,700+ grids)
    hours_per_week: float = 40.0  # assumed: statutory working week
    part_time_hours_per_week: float = 20.0  # assumed: half time
    detect_per_patrol_hour: float = 0.25  # daily hazard per patrol hour per day; assumed (mean delay ~3 d)
    onsite_hours: float = 1.0  # hours per on-site resolution; assumed
    onsite_base_prob: float = 0.8  # P(on-site) for a minor case at full skill; assumed (Tangshan 85.9 %)
    initial_skill: float = 0.6  # assumed: mid-career workforce
    new_worker_skill: float = 0.3  # assumed
    learn_rate: float = 0.01  # skill gain per training hour toward 1; assumed
    turnover_per_year: float = 0.2  # assumed: high turnover of contract grid workers
    effort: float = 1.0  # detection multiplier; incentives raise it
    onsite_family: str = "lognormal"  # assumed: positive, right-skewed on-site handling time
    onsite_cv: float = 0.5  # assumed: P(> 8 h) < 1e-5, so "on the spot, same day" holds (docs/ODD.md)


@dataclass
class TaskConfig:
    """One administrative task admitted into the grid (入格事项)."""

    hours_per_week: float = 2.0  # per worker-week; each task's hours are assumed in default_tasks
    scientific: bool = True  # False: a review (入格审查) exits it from the list
    data_collection: bool = False  # provincial data import (数据导入) cuts its hours
    visits: bool = False  # home visits that can also discover incidents


@dataclass
class DepartmentConfig:
    """A government department type (职能部门) present in every county."""

    staff_per_100k: float = 2.0  # handling staff per 100k residents; assumed, see scenario YAML
    route_days: float = 0.5  # transfer from centre to department; assumed


@dataclass
class ScheduleConfig:
    """Office hours of one kind of unit: the days it works and its open hours on each (officetime.py)."""

    every_day: bool = False  # False: official working days only (make-up days worked, days off not)
    hours: list[str] = field(default_factory=lambda: ["08:30-12:00", "14:00-17:30"])  # assumed: a 7-hour
    # day with a long lunch break, the usual pattern of Guangdong government offices (no provincial notice
    # checked); set a unit's own hours here


@dataclass
class CostConfig:
    """Unit costs in yuan per year (staff) or per unit; all assumed unless stated."""

    grid_worker: float = 60_000.0  # assumed: Guangdong grid-worker pay order of magnitude
    part_time_worker: float = 30_000.0  # assumed: half of full time
    triage_staff: float = 90_000.0  # assumed
    department_staff: float = 120_000.0  # assumed
    mediator: float = 60_000.0  # assumed (talent pool: mediators, social workers)
    yuan_per_point: float = 2.0  # sources.md §6: 1 point = 2 yuan (a Sichuan county scheme)
    training_per_hour: float = 50.0  # assumed: trainer and materials per worker-hour
    incentive_per_worker: float = 8_000.0  # assumed: awards and salary tiers
    demonstration_centre: float = 500_000.0  # assumed: upgrade, per centre-year
    stationed_staff: float = 120_000.0  # assumed: one department officer per stationed category
    one_window: float = 200_000.0  # assumed: per county-year for 信访超市 one-window intake
    liaison: float = 300_000.0  # assumed: per county-year for city–county liaison
    channel_integration: float = 1_000_000.0  # assumed: per channel-year, city level
    dedup: float = 500_000.0  # assumed: per year, city level
    routing_per_accuracy_point: float = 100_000.0  # assumed: per % above baseline, per year
    hotspot: float = 300_000.0  # assumed: heat-map analytics per year
    data_import: float = 1_000_000.0  # assumed: provincial data import at 100 %, per year
    station: float = 50_000.0  # assumed: one 驿站 per year
    case_library: float = 300_000.0  # assumed: per year, city level
    worker_points_per_worker: float = 2_000.0  # assumed: grid-worker points scheme
    mentoring_per_worker: float = 1_000.0  # assumed: mentors' time and allowance per worker-year
    portal: float = 500_000.0  # assumed: 邑码解纷 upgrade and operation per year, city level
    visits_on_platform: float = 200_000.0  # assumed: 65+ visits on 粤平安, per year, city level
    accountability: float = 200_000.0  # assumed: supervision (督查问效) staff per county-year
    hotline_seat: float = 340_000.0  # assumed: one 7×24 seat = 168/40 = 4.2 agents at 80,000 a year
    hotline_app: float = 500_000.0  # assumed: app-first routing of 12345 calls, per year, city level
    qiao_window: float = 300_000.0  # assumed: a 侨务 window and joint-handling desk per county-year
    grading_hours: float = 16.0  # assumed: graded triage, hours a year per triage staff (learning the
    # grading rule, drills, reviewing mis-graded cases), priced at training_per_hour; no staff added
    system_population: float = 4_800_000.0  # city-level systems are priced for Jiangmen (sources.md §1) and
    # scaled by population served, so a one-town scenario pays its share, not a whole city's platform


def default_categories() -> dict[str, CategoryConfig]:
    """The six incident categories.

    Shares, growth and handling are assumed (no public grid-event mix); time limits follow sources.md §4
    "Time limits" as noted per line.
    """
    c = CategoryConfig
    return {
        # grid rule: hard cases within 7 days (sources.md §4); disputes grow if left ([A]: 化解在萌芽状态)
        "dispute": c(0.15, [0.5, 0.35, 0.15], 5.0, 0.8, 1.2, True, "justice", 0.5, 7, 1),
        # emergency: same day (sources.md §4) → one working day
        "safety_hazard": c(0.15, [0.6, 0.3, 0.1], 10.0, 1.2, 0.8, True, "emergency", 0.25, 1, 0),
        # consultation / help: ≤ 3 working days (sources.md §4)
        "livelihood": c(0.35, [0.7, 0.25, 0.05], 20.0, 0.7, 1.2, True, "civil_affairs", 0.25, 3, 1),
        # complaint / report: ≤ 13 working days (sources.md §4)
        "city_management": c(0.25, [0.7, 0.25, 0.05], 30.0, 1.5, 0.8, True, "urban_management", 0.25, 13, 1),
        # petition: resolve ≤ 60 days (信访工作条例, sources.md §4) ≈ 42 working days
        "petition": c(0.03, [0.2, 0.5, 0.3], 30.0, 0.5, 1.5, False, "petition_bureau", 1.0, 42, 1),
        # visits and services to special populations: help ≤ 3 working days (sources.md §4)
        "special_population": c(0.07, [0.7, 0.25, 0.05], 15.0, 1.0, 0.6, True, "civil_affairs", 0.25, 3, 1),
    }


def default_departments() -> dict[str, DepartmentConfig]:
    """County departments.

    Staff per 100k residents are assumed: set to the offered load of the default demand (busy staff per
    100k, measured in a run with ample staff) divided by 0.8, so that baseline utilisation is ≈ 0.8 —
    a stressed but stable system, with an on-time rate well below the mature 99.8 % of sources.md §5. Staff
    work office hours on working days (``ScenarioConfig.department_hours``): a staff member gives 251
    scheduled days in 366 (2024, make-up days included), so staff = load × 366/251 / 0.8 (the 7x24
    figures were load / 0.8).
    """
    d = DepartmentConfig
    return {
        "justice": d(8.9, 0.5),  # 司法 (mediation of disputes); offered load 4.9 per 100k
        "emergency": d(5.0, 0.25),  # 应急管理; load 2.75
        "civil_affairs": d(11.9, 0.5),  # 民政 (livelihood, special populations); load 6.5
        "urban_management": d(6.2, 0.5),  # 城管; load 3.4
        "petition_bureau": d(14.4, 0.5),  # 信访局; load 7.9
    }


def default_tasks() -> dict[str, TaskConfig]:
    """Tasks admitted into the grid (seed article and sources.md §1 list the first three); hours assumed."""
    t = TaskConfig
    return {
        "elderly_visits": t(6.0, True, False, True),  # visits to residents aged 65+
        "corrections_patrol": t(2.0, True, False, False),  # community-corrections patrols
        "rental_housing_data": t(4.0, True, True, False),  # 出租房 data collection
        "floating_population_data": t(4.0, True, True, False),  # 流动人口 data collection
        "other_department_tasks": t(8.0, False, False, False),  # tasks other departments push down
    }


@dataclass
class ResponseConfig:
    """How people and organisations respond to levers (behavioural elasticities), all assumed.

    These are properties of the world, not of a policy, so they live in the scenario; a sensitivity
    analysis (issue #4) varies them as uncertainties.
    """

    incentive_effort: float = 1.15  # assumed: awards and pay tiers raise patrol effort 15 %
    incentive_turnover: float = 0.5  # assumed: and halve turnover
    worker_points_effort: float = 1.1  # assumed
    mentoring_learning: float = 2.0  # assumed: 传帮带 doubles a new worker's learning
    points_report: float = 0.1  # assumed: reporting hazard +10 % per point per report
    points_false: float = 0.5  # assumed: false reports +50 % per point per report
    portal_report: float = 1.3  # assumed: 邑码解纷 upgrade makes reporting 30 % likelier
    portal_false: float = 1.2  # assumed
    station_report: float = 1.3  # assumed: a 驿站 nearby makes reporting 30 % likelier
    grids_per_station: int = 3  # assumed: a station serves an estate or park of about 3 grids
    walkin_misroute: float = 2.0  # assumed: walk-ins without one window bounce twice as often
    stationed_route_days: float = 0.05  # assumed: handed across the room
    demonstration_triage_staff: int = 2  # assumed: extra staff in a demonstration centre
    demonstration_stationed: list[str] = field(default_factory=lambda: ["dispute", "livelihood"])  # assumed:
    # the article's "主要职能部门" read as the two busiest demand types of a town
    demonstration_counties: list[str] = field(default_factory=lambda: ["蓬江区", "江海区"])  # seed article
    accountable_forward_days: float = 0.25  # assumed: under 基层发令、部门执行 a wrong department forwards
    # the case itself within hours instead of returning it to the centre
    case_library_work: float = 0.85  # assumed: common cases (severity 1–2) 15 % faster
    liaison_work: float = 0.7  # assumed: escalated hard cases 30 % faster with city–county liaison
    hotspot_focus: float = 1.0  # exponent of heat in hotspot patrol allocation; assumed
    visit_discovery: float = 0.5  # assumed: a visit hour discovers half as much as a patrol hour
    trust_gain: float = 0.05  # assumed: trust moves 5 % toward 1 after a satisfying case
    trust_loss: float = 0.1  # assumed: and 10 % toward 0 after an unsatisfying one


@dataclass
class HotlineConfig:
    """The 12345 hotline as a call centre (``govsim.hotline``); off by default (records unchanged).

    Volumes and seats are scaled per capita from Beijing 12345 (sources.md §13): more than 70,000 calls
    a day on about 750 seats for about 21 M residents.
    """

    enabled: bool = False  # off: hotline reports are tickets at once, as before (no seats, no waiting)
    consult_per_1000_day: float = 1.95  # consultation calls per 1,000 residents a day: Beijing 70,000 ÷
    # 21 M = 3.33, × 58.5 % consultations (sources.md §13); the report calls come from the model
    seats_per_100k: float = 0.85  # seats staffed at any hour: Beijing 750 ÷ 21 M = 3.57 per 100k
    # (sources.md §13) × 40 / 168 (assumed: each seat is one agent's 40-hour week spread over 7×24)
    hours: list[str] = field(default_factory=lambda: ["00:00-24:00"])  # 7×24; assumed (the brief of the
    # issue: most 12345 lines answer round the clock, no cited figure); outside them: the closed message
    handling_minutes: float = 4.0  # mean seat time per call, exponential; sources.md §2 (3.7–6 min)
    patience_minutes: float = 3.0  # mean patience, exponential (the Erlang-A assumption); assumed: no
    # public figure for 12345 callers
    hold_lines_per_seat: float = 1.0  # waiting room: hold lines per seat; assumed
    retry_prob: float = 0.5  # a blocked or abandoned caller calls again; assumed
    retry_minutes: float = 10.0  # mean delay of a new attempt, exponential; assumed
    max_retries: int = 3  # attempts after the first; assumed
    lost_mix: list[float] = field(default_factory=lambda: [0.4, 0.4, 0.2])  # a report caller who gives up
    # turns to the app, a walk-in, or (grievance grown) a petition; assumed
    switch_days: float = 1.0  # delay of that report through the other channel; assumed


@dataclass
class OverseasConfig:
    """侨乡 demands of overseas Chinese (``govsim.overseas``); on only if the scenario has ``category``.

    Every figure is assumed: no public count of Jiangmen's overseas-Chinese cases was found (docs/levers.md).
    """

    category: str = "overseas_chinese"  # the category these cases carry (侨务诉求); absent: no such cases
    per_1000_year: float = 2.0  # cases per 1,000 residents a year; assumed
    abroad_share: float = 0.8  # reported online (app) from abroad, the rest walk in at home; assumed
    abroad_offset_hours: float = 15.0  # Beijing time − the reporter's local time; assumed: North America
    # (UTC−7/−8), taken as the main destination of Jiangmen's emigrants (no cited figure)
    abroad_hours: list[str] = field(default_factory=lambda: ["08:00-22:00"])  # local waking hours; assumed
    departments_mix: list[float] = field(default_factory=lambda: [0.4, 0.35, 0.25])  # P(a case needs 1, 2, 3
    # departments: property, inheritance, documents, family matters); assumed
    referral_days: float = 3.0  # each further department by a referral back through the centre; assumed
    package_work: float = 0.7  # one-window: a further department's part takes 70 % of its work (one joint
    # intake, one set of documents); assumed


@dataclass
class ScenarioConfig:
    """The world: territory, demand, baseline resources and unit costs (not policy)."""

    name: str = "jiangmen"
    territory: str = "jiangmen"  # a CSV under govsim/data/territory/ or a path to one
    population_scale: float = 1.0
    grid_size: int = 1500  # residents per grid; assumed (≈ 400–500 households)
    residents_per_agent: int = 100  # resident-state granularity; 1 = one row per resident
    incident_rate: float = 0.2  # per resident-year; design.md §3, sources.md §2 (NYC 311: 0.22)
    demand_dispersion: float = 0.5  # lognormal sigma of grid demand; assumed (hot spots exist)
    instant_discovery: bool = False  # validation only: reported the moment it occurs
    resident_report_rate: float = 0.08  # daily hazard at trust 1; assumed (patrol finds most, sources.md §2)
    initial_trust: float = 0.6  # assumed
    channel_mix: list[float] = field(default_factory=lambda: [0.3, 0.4, 0.2, 0.1])  # assumed
    non_integrated_delay_days: float = 1.0  # manual forwarding; assumed
    duplicate_prob: float = 0.06  # sources.md §5: 5–7 % duplicates across channels
    duplicate_lag_days: float = 0.5  # mean delay of the second report; assumed
    duplicate_work: float = 0.3  # share of a case's work a department spends on a duplicate; assumed
    false_report_rate: float = 0.002  # per resident-year without points; assumed
    triage_staff_per_100k: float = 2.0  # town-centre triage staff; assumed (≥ 1 per centre)
    triage_days: float = 0.02  # per ticket: 8.4 min of a 7-h day; sources.md §2 (3.7–6 min + other duties)
    triage_family: str = "exponential"  # assumed: short, memoryless handling
    triage_urgent_severity: int = 3  # graded triage: a report this severe is class 0 whatever its category;
    # assumed (a grown, serious case goes first); below it the class is the category's ``priority``
    misgrade_prob: float = 0.1  # graded triage: share of reports graded into a wrong class at the status-quo
    # routing accuracy; assumed (the same classification skill as routing, 1 − 0.85 = 0.15, rounded down)
    service_family: str = "gamma"  # assumed: positive, right-skewed handling work
    service_cv: float = 1.0  # coefficient of variation of handling work; assumed
    severity_work: list[float] = field(default_factory=lambda: [1.0, 1.5, 3.0])  # assumed
    misroute_return_days: float = 1.0  # a wrongly routed case comes back; assumed
    feedback_days: float = 1.0  # call-back to the reporter; assumed
    satisfaction_base: float = 0.92  # assumed
    satisfaction_late_penalty: float = 0.3  # assumed
    reopen_prob: float = 0.5  # of the unsatisfied; assumed
    petition_prob: float = 0.2  # of the unsatisfied not reopened; assumed
    max_reopens: int = 2  # assumed: a third unsatisfied round goes to petition or closes
    escalation_working_days: list[int] = field(default_factory=lambda: [1, 5, 10, 20])
    # reminder next working day, supervision 5 days later (sources.md §4); county, city assumed
    start_date: str = "2024-01-01"  # the seed article's year (published 2024-01-31)
    holidays: list[str] = field(default_factory=list)  # local extra days off on top of the official calendar
    # (State Council notices via the `holidays` package, govsim.officetime); was the 2024 list before
    categories: dict[str, CategoryConfig] = field(default_factory=default_categories)
    departments: dict[str, DepartmentConfig] = field(default_factory=default_departments)
    tasks: dict[str, TaskConfig] = field(default_factory=default_tasks)
    worker: WorkerConfig = field(default_factory=WorkerConfig)
    response: ResponseConfig = field(default_factory=ResponseConfig)
    cost: CostConfig = field(default_factory=CostConfig)
    calendar_file: str = ""  # CSV date,kind[,name] (kind workday|dayoff) overriding the official calendar
    office_hours: bool = True  # False: departments and centres work 7x24 (queueing validation scenarios)
    department_hours: ScheduleConfig = field(default_factory=ScheduleConfig)  # department handling staff
    centre_hours: ScheduleConfig = field(default_factory=ScheduleConfig)  # town-centre triage staff
    extension_approval_prob: float = 0.5  # 延期 approved by the centre; assumed (sources.md §4)
    extension_working_days: int = 5  # 延期 length; assumed, the supervision rung's 5 days (sources.md §4)
    response_working_days: int = 1  # 响应时限 after dispatch; assumed (sources.md §4, govsim.kpis)
    hotline: HotlineConfig = field(default_factory=HotlineConfig)  # 12345 call centre (govsim.hotline)
    overseas: OverseasConfig = field(default_factory=OverseasConfig)  # 侨乡 demands (govsim.overseas)


@dataclass
class GridPolicy:
    """强网格: staffing, training, task admission, incentives, resident participation."""

    staffing: float = 1.0  # multiplier on workers per grid
    part_time_share: float = 0.0  # of workers, each at part-time hours
    training_hours: float = 1.0  # per worker-week
    mentoring: bool = False  # 传帮带: new workers learn twice as fast
    admission: str = "admit_all"  # admit_all | cap | reviewed (入格审查)
    admission_cap_hours: float = 10.0  # with admission=cap
    incentives: bool = False  # awards and salary tiers: effort up, turnover down
    resident_points: float = 0.0  # points per real report (积分回馈)
    portal: bool = False  # 邑码解纷 portal upgrade: easier resident reporting


@dataclass
class PlatformPolicy:
    """强平台: centre capacity, demonstration centres, stationed departments, one window, liaison."""

    triage_staffing: float = 1.0  # multiplier on triage staff per centre
    demonstration: str = "none"  # none | proposed | all
    demonstration_per_county: int = 4  # sources.md §1: 3–5 per other county
    stationed: list[str] = field(default_factory=list)  # categories stationed at town centres
    one_window: bool = False  # 信访超市 一窗式受理
    liaison: bool = False  # 市县两级挂钩联系点
    graded_triage: bool = False  # 分类分层分级: centres grade reports at intake and triage by class
    hotline_seats: float = 1.0  # multiplier on 12345 seats (scenario.hotline; on when it is enabled)
    hotline_app: float = 0.0  # channel integration: share of would-be callers who use the app instead
    qiao_window: bool = False  # 侨情 one window: an overseas-Chinese case handled as one package


@dataclass
class FusionPolicy:
    """强数智融合: channel integration, dedup, routing accuracy, hotspot patrol, data import."""

    integrated: list[str] = field(default_factory=lambda: ["app"])  # assumed: only 邑码解纷 feeds 粤平安
    dedup: bool = False  # baseline: no merging (sources.md §5: 5–7 % duplicates reach departments)
    routing_accuracy: float = 0.85  # assumed baseline
    hotspot_patrol: bool = False  # 群众诉求热点图 guides patrol
    data_import: float = 0.0  # share of data-collection hours replaced by provincial import
    visits_discover: bool = False  # 65+ visits on 粤平安 also discover incidents


@dataclass
class MechanismPolicy:
    """强机制协同: time limits, accountability, talent pool, stations, case library, points."""

    deadline_scale: float = 1.0  # multiplier on every category's time limit
    accountability: bool = False  # 基层发令、部门执行: departments serve by deadline
    mediators_per_town: float = 0.0  # talent pool adding dispute capacity
    stations_per_town: int = 0  # N 驿站 as intake points
    case_library: bool = False  # shorter handling of common cases
    worker_points: bool = False  # 积分制 for grid workers and volunteers
    department_staffing: float = 1.0  # multiplier on department staff


@dataclass
class PolicyConfig:
    """A policy: one value per lever of the four focuses."""

    name: str = "baseline"
    grid: GridPolicy = field(default_factory=GridPolicy)
    platform: PlatformPolicy = field(default_factory=PlatformPolicy)
    fusion: FusionPolicy = field(default_factory=FusionPolicy)
    mechanism: MechanismPolicy = field(default_factory=MechanismPolicy)


@dataclass
class OutputConfig:
    """What a run writes besides the records."""

    figures: bool = True
    progress: bool = True
    lang: str = "zh"  # zh | en, labels of tables and figures


@dataclass
class GovsimConfig:
    """One run: a scenario under a policy, for one seed and replication."""

    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    seed: int = 0
    replication: int = 0
    horizon_days: float = 365.0  # one simulated year (design.md §3)
    warmup_days: float = 30.0  # assumed, short enough for 60-day classroom runs; MSER-5 finds ~65 d on
    # Jiangmen (experiments/four_focus): experiments use experiment.warmup=mser5


def register_configs() -> None:
    """Register the schema with Hydra's ConfigStore (called by the CLI, never at import).

    Once per process: storing converts the whole dataclass tree to an OmegaConf node (about 60 ms),
    and the ``govsim`` command reaches this twice (its Hydra app, then the config loader). Stored
    again only if another schema took the name (``govsim.experiment.register_experiment_configs``).
    """
    from hydra.core.config_store import ConfigStore
    from omegaconf import OmegaConf

    cs = ConfigStore.instance()
    stored = cs.repo.get("govsim_schema.yaml")
    if stored is not None and OmegaConf.get_type(stored.node) is GovsimConfig:
        return
    cs.store(name="govsim_schema", node=GovsimConfig)
