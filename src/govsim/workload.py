"""Offered load: how busy each department's staff will be, estimated from the configuration alone.

Used to warn before a run (``govsim.validate.config_warnings``) that a department is overloaded
(utilisation >= 1), so its queue grows for as long as the run lasts. Pure arithmetic on the config:
nothing is built or simulated.
"""

from __future__ import annotations

import math

from govsim.config import CategoryConfig, GovsimConfig
from govsim.policies import heads_per_grid, task_hours, worker_effort


def offered_load(cfg: GovsimConfig) -> dict[str, float]:
    """Estimated utilisation of each department's handling staff, from rates and staff in the config.

    Per 100,000 residents (population cancels): ``rho_d = sum_c lambda_c * E[work_c] / staff_d`` where
    ``lambda_c`` is the incident rate of category ``c``, and ``E[work_c]`` counts what reaches the
    department: severity at report (latent severity grows by exponential steps while a patrol and a
    resident race to discover the incident), minus minor cases resolved on site by a patrol, disputes
    that grew to severity 3 while latent going to the petition desk as petitions, reopened rounds and
    duplicate tickets.

    First order only: trust, skill and patrol effort at their initial values; hotspot patrol, stations and
    mediators ignored; county staff not rounded up. Rounding up and mediators add capacity, so for small
    territories the estimate errs high, which is the safe side for a warning.
    """
    s, p = cfg.scenario, cfg.policy
    per_day = s.incident_rate * 1e5 / 365.0 / (sum(c.share for c in s.categories.values()) or 1.0)
    x = (1 - s.satisfaction_base) * s.reopen_prob  # P(another round); closed form of sum x^k, k <= max
    rounds = (1 - x ** (s.max_reopens + 1)) / (1 - x) if x < 1 else float(s.max_reopens + 1)
    sev_work = list(s.severity_work)
    if p.mechanism.case_library:
        sev_work = [
            sev_work[0] * s.response.case_library_work,
            sev_work[1] * s.response.case_library_work,
            sev_work[2],
        ]
    patrol, resident = _discovery_hazards(cfg)
    load = dict.fromkeys(s.departments, 0.0)
    for name, c in s.categories.items():
        hp, hr = patrol * c.visibility, resident * c.report_propensity
        q = _severity_at_report(c, hp + hr, s.instant_discovery)
        by_patrol = 0.0 if s.instant_discovery or hp + hr == 0 else hp / (hp + hr)
        on_site = by_patrol * q[0] * c.onsite_possible * s.worker.onsite_base_prob * s.worker.initial_skill
        dup = s.duplicate_prob * s.duplicate_work
        routed = [(q[0] - on_site + dup * q[0], c), (q[1] * (1 + dup), c), (q[2] * (1 + dup), c)]
        if name == "dispute" and "petition" in s.categories:  # grown to severity 3: now a petition
            grown = q[2] - c.severity_probs[2]
            routed[2:] = [(c.severity_probs[2] * (1 + dup), c), (grown * (1 + dup), s.categories["petition"])]
        for k, (share, target) in enumerate(routed):
            work = share * sev_work[min(k, 2)] * target.handling_days * rounds
            load[target.department] += per_day * c.share * work
    open_share = scheduled_share(cfg)
    cap = {d: s.departments[d].staff_per_100k * p.mechanism.department_staffing * open_share for d in load}
    return {d: (load[d] / cap[d] if cap[d] > 0 else (math.inf if load[d] > 0 else 0.0)) for d in load}


def scheduled_share(cfg: GovsimConfig) -> float:
    """Scheduled staff-days per staff member per calendar day over the run.

    The share of days the department schedule works (251/366 in 2024), 1 with office hours off or
    every day.
    """
    s = cfg.scenario
    if not s.office_hours or s.department_hours.every_day:
        return 1.0
    from govsim.officetime import build_calendar

    cal = build_calendar(s.start_date, s.holidays, s.calendar_file)
    days = max(1, min(len(cal.is_work), math.ceil(cfg.horizon_days)))
    return float(cal.is_work[:days].mean())


def _severity_at_report(c: CategoryConfig, hazard: float, instant: bool) -> list[float]:
    """Probabilities of severity 1..3 when reported.

    Each exponential growth step beats discovery with probability ``a = g / (g + h)`` (growth rate ``g``,
    discovery hazard ``h``), independently by memorylessness.
    """
    g = 1.0 / c.growth_days
    a = 0.0 if instant else g / (g + hazard)
    p1, p2, p3 = c.severity_probs
    return [p1 * (1 - a), p1 * a * (1 - a) + p2 * (1 - a), p1 * a * a + p2 * a + p3]


def _discovery_hazards(cfg: GovsimConfig) -> tuple[float, float]:
    """Daily hazards of discovering a latent incident (visibility, propensity 1): by patrol, by a resident."""
    s, p = cfg.scenario, cfg.policy
    w, r, g = s.worker, s.response, p.grid
    task_h, visit_h = task_hours(p, s.tasks)
    worker_h = (1 - g.part_time_share) * w.hours_per_week + g.part_time_share * w.part_time_hours_per_week
    frac = worker_h / w.hours_per_week
    workers = max(1.0, heads_per_grid(p, w))
    patrol_h = workers * max(0.0, worker_h - (task_h + g.training_hours) * frac)
    visits = workers * visit_h * frac * (r.visit_discovery if p.fusion.visits_discover else 0.0)
    effort = worker_effort(p, w, r)
    patrol = w.detect_per_patrol_hour * (patrol_h + visits) / 7 * effort * (0.5 + 0.5 * w.initial_skill)
    resident = (
        s.resident_report_rate
        * s.initial_trust
        * (r.portal_report if g.portal else 1.0)
        * (1 + r.points_report * g.resident_points)
    )
    return patrol, resident


def admitted_task_hours(cfg: GovsimConfig) -> float:
    """Administrative task hours a full-time grid worker is booked for each week.

    As the model admits them (``govsim.policies.task_hours``).
    """
    return task_hours(cfg.policy, cfg.scenario.tasks)[0]
