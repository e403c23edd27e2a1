"""Levers of the four focuses (四个着力), resolved against a scenario into the numbers the model uses.

``resolve_levers`` turns a ``PolicyConfig`` into a frozen ``Levers``: per-grid worker counts and
weekly task hours, per-town triage servers and centre features, per-(county, department) handling
staff, routing and channel settings. Each lever moves a mechanism, never an output: see
``docs/levers.md`` for the article passage, mechanism and cost of each. ``annual_cost`` prices the
resources a policy commits (staff, schemes, systems) in yuan per year; points paid to residents depend
on reports and are priced from the records (``metrics.cost_table``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govsim.config import CHANNELS, FusionPolicy, PolicyConfig, ResponseConfig, TaskConfig, WorkerConfig
from govsim.levers import LEVERS
from govsim.scenario import Scenario


@dataclass(frozen=True)
class Levers:
    """A policy applied to a scenario, as arrays indexed by grid, town, category or department."""

    policy: PolicyConfig
    grid_workers: np.ndarray  # full-time-equivalent heads per grid (int)
    grid_part_time: np.ndarray  # of which part-time (int)
    task_hours: float  # admitted task hours per worker-week
    visit_hours: float  # of which home visits (may discover incidents)
    training_hours: float
    effort: float
    turnover_per_year: float
    learning: float  # learning multiplier for workers below half skill (mentoring)
    report_multiplier: np.ndarray  # per grid: portal, points and stations
    false_rate: float  # false reports per resident-year
    town_triage: np.ndarray  # servers per town centre
    town_demonstration: np.ndarray  # bool per town
    town_one_window: np.ndarray  # bool per town
    stationed: np.ndarray  # bool (town, category)
    dept_servers: np.ndarray  # int (county, department), mediators included
    mediators: int  # talent-pool mediators among the servers
    misroute: float
    misroute_delay: float  # days lost per mis-route: returned to the centre, or forwarded (accountability)
    integrated: np.ndarray  # bool per channel (CHANNELS order)
    dedup: bool
    hotspot: bool
    visit_discovery: float
    deadline_wd: np.ndarray  # per category, working days
    accountability: bool
    work_multiplier: np.ndarray  # per severity 1..3 (case library)
    liaison_work: float  # multiplier for cases at escalation level >= 3


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer allocation of ``total`` proportional to ``weights`` by largest remainder."""
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(np.int64)
    extra = total - int(out.sum())
    if extra > 0:
        out[np.argsort(-(raw - out), kind="stable")[:extra]] += 1
    return out


def demonstration_towns(policy: PolicyConfig, sc: Scenario) -> np.ndarray:
    """Towns with a demonstration centre: 'proposed' = all towns of the named counties, k per other."""
    tr = sc.territory
    rule = policy.platform.demonstration
    if rule == "all":
        return np.ones(len(tr.town_names), dtype=bool)
    mask = np.zeros(len(tr.town_names), dtype=bool)
    if rule == "proposed":
        whole = set(sc.cfg.response.demonstration_counties)
        for c, name in enumerate(tr.county_names):
            towns = np.flatnonzero(tr.town_county == c)
            mask[towns if name in whole else towns[: policy.platform.demonstration_per_county]] = True
    return mask


def heads_per_grid(policy: PolicyConfig, worker: WorkerConfig) -> float:
    """Grid workers per grid under the staffing lever, before rounding: ``per_grid × staffing``.

    The staffing lever's mechanism; ``_grid_workers`` allocates it (at least one per grid), and the
    first-order estimates (``workload``, ``validate.memory_estimate``) use it as is.
    """
    return worker.per_grid * policy.grid.staffing


def _grid_workers(policy: PolicyConfig, sc: Scenario) -> tuple[np.ndarray, np.ndarray]:
    tr = sc.territory
    total = max(tr.n_grids, round(tr.n_grids * heads_per_grid(policy, sc.cfg.worker)))
    base = np.ones(tr.n_grids, dtype=np.int64)  # every grid keeps its own worker
    workers = base + _allocate(total - tr.n_grids, tr.grid_population * tr.grid_demand)
    part = np.floor(workers * policy.grid.part_time_share + 0.5).astype(np.int64)
    return workers, part


def task_hours(policy: PolicyConfig, all_tasks: dict[str, TaskConfig]) -> tuple[float, float]:
    """Admitted task hours per full-time worker-week, and the hours of them that are home visits.

    The admission and data-import levers' mechanism: reviewed tasks only under review, at most the cap
    under a cap, data collection cut by provincial data import.
    """
    g = policy.grid
    tasks = [t for t in all_tasks.values() if g.admission != "reviewed" or t.scientific]
    hours = np.array([t.hours_per_week * (1 - policy.fusion.data_import * t.data_collection) for t in tasks])
    visits = float(sum(h for h, t in zip(hours, tasks, strict=True) if t.visits))
    total = float(hours.sum())
    if g.admission == "cap" and total > g.admission_cap_hours:
        visits *= g.admission_cap_hours / total
        total = g.admission_cap_hours
    return total, visits


def worker_effort(policy: PolicyConfig, w: WorkerConfig, r: ResponseConfig) -> float:
    """Patrol effort multiplier under the incentive and worker-points levers."""
    g, m = policy.grid, policy.mechanism
    return (
        w.effort
        * (r.incentive_effort if g.incentives else 1.0)
        * (r.worker_points_effort if m.worker_points else 1.0)
    )


def _report_multiplier(policy: PolicyConfig, sc: Scenario) -> np.ndarray:
    r, tr = sc.cfg.response, sc.territory
    base = (r.portal_report if policy.grid.portal else 1.0) * (
        1 + r.points_report * policy.grid.resident_points
    )
    mult = np.full(tr.n_grids, base)
    covered = policy.mechanism.stations_per_town * r.grids_per_station
    for t in range(len(tr.town_names)):
        mult[np.flatnonzero(tr.grid_town == t)[:covered]] *= r.station_report
    return mult


def _stationed(policy: PolicyConfig, sc: Scenario, demo: np.ndarray) -> np.ndarray:
    cats = np.array(sc.categories)
    st = np.zeros((len(demo), len(cats)), dtype=bool)
    st[:, np.isin(cats, policy.platform.stationed)] = True
    st[np.ix_(demo, np.isin(cats, sc.cfg.response.demonstration_stationed))] = True
    return st


def _dept_servers(policy: PolicyConfig, sc: Scenario) -> tuple[np.ndarray, int]:
    """Handling staff per (county, department) and the talent-pool mediators added to dispute handling."""
    tr = sc.territory
    per = np.outer(tr.county_population / 1e5, sc.dept_staff_per_100k) * policy.mechanism.department_staffing
    servers = np.maximum(1, np.ceil(per - 1e-9)).astype(np.int64)
    towns = np.bincount(tr.town_county, minlength=len(tr.county_names))
    mediators = np.floor(towns * policy.mechanism.mediators_per_town + 1e-9).astype(np.int64)
    if "dispute" not in sc.categories:
        return servers, 0
    servers[:, sc.cat_department[sc.categories.index("dispute")]] += mediators
    return servers, int(mediators.sum())


def resolve_levers(policy: PolicyConfig, sc: Scenario) -> Levers:
    """Apply ``policy`` to ``sc``: every lever becomes an array or a number the model reads."""
    r, w = sc.cfg.response, sc.cfg.worker
    g, m = policy.grid, policy.mechanism
    workers, part = _grid_workers(policy, sc)
    admitted, visit_hours = task_hours(policy, sc.cfg.tasks)
    demo = demonstration_towns(policy, sc)
    servers, mediators = _dept_servers(policy, sc)
    per = sc.territory.town_population / 1e5 * sc.cfg.triage_staff_per_100k * policy.platform.triage_staffing
    triage = np.maximum(1, np.ceil(per - 1e-9)).astype(np.int64)
    work = np.array([1.0, 1.0, 1.0]) * np.array(sc.cfg.severity_work)
    if m.case_library:
        work[:2] *= r.case_library_work
    return Levers(
        policy=policy,
        grid_workers=workers,
        grid_part_time=part,
        task_hours=admitted,
        visit_hours=visit_hours,
        training_hours=g.training_hours,
        effort=worker_effort(policy, w, r),
        turnover_per_year=w.turnover_per_year * (r.incentive_turnover if g.incentives else 1.0),
        learning=r.mentoring_learning if g.mentoring else 1.0,
        report_multiplier=_report_multiplier(policy, sc),
        false_rate=sc.cfg.false_report_rate
        * (1 + r.points_false * g.resident_points)
        * (r.portal_false if g.portal else 1.0),
        town_triage=triage + demo * r.demonstration_triage_staff,
        town_demonstration=demo,
        town_one_window=demo | policy.platform.one_window,
        stationed=_stationed(policy, sc, demo),
        dept_servers=servers,
        mediators=mediators,
        misroute=1.0 - policy.fusion.routing_accuracy,
        misroute_delay=r.accountable_forward_days if m.accountability else sc.cfg.misroute_return_days,
        integrated=np.array([c == "patrol" or c in policy.fusion.integrated for c in CHANNELS]),
        dedup=policy.fusion.dedup,
        hotspot=policy.fusion.hotspot_patrol,
        visit_discovery=r.visit_discovery if policy.fusion.visits_discover else 0.0,
        deadline_wd=np.maximum(1, np.round(sc.cat_deadline * m.deadline_scale)).astype(np.int64),
        accountability=m.accountability,
        work_multiplier=work,
        liaison_work=r.liaison_work if policy.platform.liaison else 1.0,
    )


BASE_ROUTING = FusionPolicy().routing_accuracy  # routing is paid for above the status-quo accuracy

COST_FOCUS: dict[str, str] = {item: lv.focus for lv in LEVERS.values() for item in lv.cost}
"""The focus (四个着力) each cost item belongs to, from the levers that commit it (``govsim.levers``)."""


def annual_cost(lv: Levers, sc: Scenario) -> dict[str, float]:
    """Yuan per year of the resources the policy commits, by item (resident points excluded)."""
    c, p = sc.cfg.cost, lv.policy
    n_workers = int(lv.grid_workers.sum())
    n_part = int(lv.grid_part_time.sum())
    n_counties = len(sc.territory.county_names)
    paid_integrations = sum(1 for ch in p.fusion.integrated if ch != "app")
    share = sc.population / c.system_population  # city-level systems, priced per population served
    return {
        "grid_workers": (n_workers - n_part) * c.grid_worker + n_part * c.part_time_worker,
        "training": n_workers * lv.training_hours * 52 * c.training_per_hour,
        "incentives": n_workers * c.incentive_per_worker * p.grid.incentives,
        "mentoring": n_workers * c.mentoring_per_worker * p.grid.mentoring,
        "portal": c.portal * p.grid.portal * share,
        "visits_on_platform": c.visits_on_platform * p.fusion.visits_discover * share,
        "accountability": n_counties * c.accountability * p.mechanism.accountability,
        "worker_points": n_workers * c.worker_points_per_worker * p.mechanism.worker_points,
        "triage_staff": float(lv.town_triage.sum()) * c.triage_staff,
        "graded_triage": float(lv.town_triage.sum())
        * c.grading_hours
        * c.training_per_hour
        * p.platform.graded_triage,
        "demonstration": float(lv.town_demonstration.sum()) * c.demonstration_centre,
        "stationed": float(lv.stationed.sum()) * c.stationed_staff,
        "one_window": n_counties * c.one_window * p.platform.one_window,
        "liaison": n_counties * c.liaison * p.platform.liaison,
        "department_staff": float(lv.dept_servers.sum() - lv.mediators) * c.department_staff,
        "mediators": lv.mediators * c.mediator,
        "integration": paid_integrations * c.channel_integration * share,
        "dedup": c.dedup * p.fusion.dedup * share,
        "routing": max(0.0, p.fusion.routing_accuracy - BASE_ROUTING)
        * 100
        * c.routing_per_accuracy_point
        * share,
        "hotspot": c.hotspot * p.fusion.hotspot_patrol * share,
        "data_import": c.data_import * p.fusion.data_import * share,
        "stations": p.mechanism.stations_per_town * len(sc.territory.town_names) * c.station,
        "case_library": c.case_library * p.mechanism.case_library * share,
        **_hotline_cost(lv, sc, share),
    }


def _hotline_cost(lv: Levers, sc: Scenario, share: float) -> dict[str, float]:
    """12345 seats (7×24, ``cost.hotline_seat`` each) and app-first routing, when the hotline is modelled."""
    from govsim.hotline import seat_count

    hc, c, p = sc.cfg.hotline, sc.cfg.cost, lv.policy.platform
    qiao = len(sc.territory.county_names) * c.qiao_window * p.qiao_window
    if not hc.enabled:
        return {"hotline_seats": 0.0, "hotline_app": 0.0, "qiao_window": qiao}
    seats = seat_count(hc.seats_per_100k, sc.population, p.hotline_seats)
    return {
        "hotline_seats": seats * c.hotline_seat,
        "hotline_app": c.hotline_app * (p.hotline_app > 0) * share,
        "qiao_window": qiao,
    }
