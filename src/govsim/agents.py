"""Agents: grid workers, centres and departments (Mesa), residents (columnar).

Residents number in the millions, so their state (trust, reporting propensity, points) is kept in
numpy arrays, one row per resident agent of ``residents_per_agent`` people, and updated in vectorised
steps and at the events that touch them: they are not Mesa agents.

Grid workers (网格员), centres (综治中心) and departments (职能部门) are Mesa agents that make the
model's decisions. Each week every ``GridWorker`` (thousands in a city) decides through Mesa's
``AgentSet.do``: turnover, learning from training (传帮带 multiplies it for new workers) and its week
plan (hours on duty, admitted tasks 入格事项, visits, training). Each worker owns its state; the
columnar ``Workforce`` gathers it weekly and sums the plans per grid into patrol hours and the discovery
hazard. A town ``Centre`` owns its triage queue; a ``Department`` owns its desk
(``departments.DepartmentDesk``) and decides its queue's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING

import mesa
import numpy as np

from govsim.departments import DEADLINE, KEY, DepartmentDesk, Job
from govsim.intake import TriageQueue
from govsim.policies import Levers
from govsim.scenario import Scenario

if TYPE_CHECKING:
    from govsim.model import GovernanceModel


class Residents:
    """Columnar resident agents: grid, trust in the system, reporting propensity, points balance."""

    def __init__(self, sc: Scenario, rng: np.random.Generator) -> None:
        tr, cfg = sc.territory, sc.cfg
        per_grid = np.maximum(1, np.ceil(tr.grid_population / cfg.residents_per_agent)).astype(np.int64)
        self.grid_offset = np.concatenate([[0], np.cumsum(per_grid)[:-1]])
        self.grid_count = per_grid
        self.grid = np.repeat(np.arange(tr.n_grids), per_grid)
        self.trust = np.full(len(self.grid), cfg.initial_trust)
        self.propensity = rng.lognormal(-0.125, 0.5, len(self.grid))  # assumed: mean 1, sigma 0.5
        self.points = np.zeros(len(self.grid))
        self._initial_trust = cfg.initial_trust
        self._step = np.empty(min(len(self.grid), self.DRIFT_BLOCK))  # ``drift``'s one temporary

    def pick(self, grid: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Resident agent affected by each incident in ``grid``, chosen by uniforms ``u``."""
        return self.grid_offset[grid] + (u * self.grid_count[grid]).astype(np.int64)

    DRIFT_BLOCK = 16384
    """Residents drifted at a time (128 KB of trust and as much of step: well inside a core's cache)."""

    def drift(self, rate: float = 1 / 365) -> None:
        """Trust relaxes slowly toward its initial level (memory of one year; assumed).

        Every day, for every resident agent: done block by block (``DRIFT_BLOCK``) with one temporary
        kept for the run. The three passes (difference, scale, add) then run on a block still in the
        cache; over the whole array at once they read it from memory three times once it outgrew the
        cache (×4 population: 199,000 agents, 1.6 MB of trust and as much of temporary, against a 2 MB
        L2). Cachegrind, 60 days at ×4 (``benchmarks/cache_scaling.py``'s loop): 7 fewer misses of an
        L2-sized cache per ticket, out of about 60 more than at ×0.5. The same elementwise operations,
        so the same values.
        """
        trust, step, init = self.trust, self._step, self._initial_trust
        size = len(step)
        for a in range(0, len(trust), size):
            t = trust[a : a + size]
            s = step[: len(t)]
            np.subtract(init, t, out=s)
            s *= rate
            t += s


class Workforce:
    """All grid workers as columns (row = worker), and the grids' weekly hours.

    The ``GridWorker`` agents own their state and make the decisions (turnover, learning, the week
    plan); each week ``gather`` copies their state into these columns, and ``deploy`` sums the plans
    per grid and sets patrol and the discovery hazard, vectorised. The columns start as the initial
    workforce, from which the agents take their state.
    """

    def __init__(self, sc: Scenario, lv: Levers) -> None:
        w = sc.cfg.worker
        self.sc, self.lv = sc, lv
        n_grids = sc.territory.n_grids
        self.grid = np.repeat(np.arange(n_grids), lv.grid_workers)
        first = np.concatenate([[0], np.cumsum(lv.grid_workers)[:-1]])
        rank = np.arange(len(self.grid)) - first[self.grid]
        self.part_time = rank >= (lv.grid_workers - lv.grid_part_time)[self.grid]
        self.hours = np.where(self.part_time, w.part_time_hours_per_week, w.hours_per_week)
        self.skill = np.full(len(self.grid), w.initial_skill)
        self.tenure_weeks = np.full(len(self.grid), 104)  # assumed: incumbents past their ramp-up
        n = n_grids
        self.patrol_hours = np.zeros(n)  # per grid, this week
        self.visit_hours = np.zeros(n)
        self.grid_skill = np.full(n, w.initial_skill)
        self.hazard = np.zeros(n)  # daily patrol discovery hazard per latent incident (visibility 1)
        self.onsite_hours = np.zeros(n)  # accumulated during the week by on-site resolutions
        self.week_use = np.zeros((4, n))  # task, training, onsite, patrol hours of the last week
        # each worker's plan for the week (rows: hours on duty, admitted tasks, home visits, training),
        # gathered from the worker agents (``GridWorker.plan_week``); the grids' hours are their sums
        self.plan = np.zeros((4, len(self.grid)))
        # the plans last gathered (one tuple per worker, row order) and their sums per grid (budget, tasks,
        # visits, training): kept while no plan changes, so an unchanged week costs one list comparison
        self._plans: list[tuple[float, float, float, float]] = []
        self._plan_sums: tuple[np.ndarray, ...] | None = None
        self._team_size = np.bincount(self.grid, minlength=n_grids)  # workers per grid, fixed for the run
        self.p_leave = float(1 - np.exp(-lv.turnover_per_year / 52))  # weekly probability of leaving the post
        self.u_leave: list[float] = [1.0] * len(self.grid)  # this week's turnover uniforms, one per worker
        # a week's skill gain toward 1, below and from half skill (mentoring multiplies the first): the
        # levers are fixed for the run, so each worker's ``learn`` reads them here, worked out once
        rate = w.learn_rate * lv.training_hours
        self.learn_gain = (min(1.0, rate * lv.learning), min(1.0, rate * 1))
        # what each worker's week plan is made of: the full week's hours, then task, visit and training hours
        self.plan_hours = (w.hours_per_week, lv.task_hours, lv.visit_hours, lv.training_hours)
        # the week plan of each contract's hours, worked out for the first worker on it (``plan_week``):
        # the same tuple every week, which lets ``gather`` see at once that no plan changed
        self.week_plans: dict[float, tuple[float, float, float, float]] = {}

    @property
    def n(self) -> int:
        """Number of workers."""
        return len(self.grid)

    def draw_week(self, rng: np.random.Generator) -> None:
        """Draw the week's turnover uniforms, one per worker in row order (one vectorised draw)."""
        self.u_leave = rng.random(self.n).tolist()

    def gather(self, workers: Sequence[GridWorker]) -> None:
        """Copy the worker agents' skill, tenure and week plan into the columns (``workers`` in row order)."""
        n = self.n
        self.skill = np.fromiter(map(_SKILL, workers), np.float64, n)  # attrgetter: no Python frame per agent
        self.tenure_weeks = np.fromiter(map(_TENURE, workers), np.int64, n)
        plans = list(map(_PLAN, workers))
        if plans != self._plans:  # a plan changed (most weeks none has: a plan follows contract hours)
            self.plan = np.fromiter(chain.from_iterable(plans), np.float64, 4 * n).reshape(n, 4).T
            self._plans, self._plan_sums = plans, None

    def deploy(self, heat: np.ndarray | None) -> None:
        """Turn the workers' week plans into each grid's hours and its patrol discovery hazard.

        Patrol is what is left of the grid team's hours on duty after admitted tasks, training and the
        on-site work of last week (capped by what the team had left). With hotspot-guided patrol
        (群众诉求热点图), a town pools its patrol hours and sends them where the heat map (reports of the
        last four weeks per grid) shows demand. ``heat``: shape (n_grids,); None when patrol is not
        hotspot-guided (``Levers.hotspot`` off: the heat map is then neither kept nor read).
        """
        sc, lv = self.sc, self.lv
        n = sc.territory.n_grids
        if self._plan_sums is None:  # the plans' sums per grid: only when a plan changed (``gather``)
            self._plan_sums = tuple(np.bincount(self.grid, weights=p, minlength=n) for p in self.plan)
        budget, tasks, visits, training = self._plan_sums
        onsite = np.minimum(self.onsite_hours, np.maximum(0.0, budget - tasks - training))
        patrol = np.maximum(0.0, budget - tasks - training - onsite)
        if lv.hotspot:
            if heat is None:
                raise ValueError("hotspot-guided patrol needs the heat map: heat=None")
            patrol = self._pool_by_heat(patrol, heat)
        self.week_use = np.vstack([tasks, training, onsite, patrol])
        self.onsite_hours[:] = 0.0
        self.patrol_hours, self.visit_hours = patrol, visits
        self.grid_skill = np.bincount(self.grid, weights=self.skill, minlength=n) / self._team_size
        effort_skill = lv.effort * (0.5 + 0.5 * self.grid_skill)  # assumed: skill sharpens the eye
        self.hazard = (
            sc.cfg.worker.detect_per_patrol_hour * (patrol + lv.visit_discovery * visits) / 7 * effort_skill
        )

    def _pool_by_heat(self, patrol: np.ndarray, heat: np.ndarray) -> np.ndarray:
        tr = self.sc.territory
        weight = (heat + 1.0) ** self.sc.cfg.response.hotspot_focus
        town_patrol = np.bincount(tr.grid_town, weights=patrol, minlength=len(tr.town_names))
        town_weight = np.bincount(tr.grid_town, weights=weight, minlength=len(tr.town_names))
        return town_patrol[tr.grid_town] * weight / town_weight[tr.grid_town]


_SKILL, _TENURE, _PLAN = attrgetter("skill"), attrgetter("tenure_weeks"), attrgetter("plan")


class GridWorker(mesa.Agent):
    """A grid worker (网格员): decides each week whether to stay, how much to learn, how to spend its hours.

    It owns its state — grid, part-time flag, weekly hours, skill, tenure and this week's plan — taken
    from its row ``row`` of the initial ``Workforce``; its decisions are its own methods, called for
    every worker through Mesa's ``AgentSet.do`` (``GovernanceModel.start_week``). The workforce then
    gathers the plans into columns, so that the per-grid sums stay vectorised.
    """

    def __init__(self, model: GovernanceModel, row: int) -> None:
        super().__init__(model)
        wf = model.workforce
        self.row, self.workforce = row, wf
        self.grid = int(wf.grid[row])  # the grid this worker serves
        self.part_time = bool(wf.part_time[row])
        self.hours = float(wf.hours[row])  # contracted hours a week
        self.skill = float(wf.skill[row])  # in [0, 1]: sharpens discovery and on-site resolution
        self.tenure_weeks = int(wf.tenure_weeks[row])
        self.plan = (0.0, 0.0, 0.0, 0.0)  # this week: hours on duty, admitted tasks, visits, training
        self._worker = wf.sc.cfg.worker

    @property
    def week_plan(self) -> dict[str, float]:
        """This week's plan, hours: on duty, admitted tasks (入格事项), visits (among tasks), training."""
        return dict(zip(("on_duty", "tasks", "visits", "training"), self.plan, strict=True))

    def start_week(self) -> None:
        """The worker's weekly decisions, in order: stay or leave, learn, plan the week.

        ``turn_over`` and ``learn`` are written out here, the same statements in the same order: this
        runs for every worker every week (1,330 at any population scale), and the two calls cost 12 %
        of it (``timeit``, 1.26 against 1.10 µs a worker on a loaded machine). ``plan_week`` stays a
        call: it is the decision a test or notebook replaces.
        """
        wf = self.workforce
        if wf.u_leave[self.row] < wf.p_leave:  # ``turn_over``
            self.skill = self._worker.new_worker_skill
            self.tenure_weeks = 0
        skill = self.skill  # ``learn``
        below, above = wf.learn_gain
        self.skill = skill + (below if skill < 0.5 else above) * (1 - skill)
        self.tenure_weeks += 1
        self.plan_week()

    def turn_over(self) -> None:
        """Leave the post with the weekly hazard (this week's uniform); a newcomer takes it at low skill."""
        wf = self.workforce
        if wf.u_leave[self.row] < wf.p_leave:
            self.skill = self._worker.new_worker_skill
            self.tenure_weeks = 0

    def learn(self) -> None:
        """Skill grows with training hours toward 1; mentoring (传帮带) multiplies it while below one half.

        The week's gain is ``min(1, learn_rate × training_hours × (learning if skill < 0.5 else 1))``,
        worked out once for the run (``Workforce.learn_gain``).
        """
        skill = self.skill
        below, above = self.workforce.learn_gain
        self.skill = skill + (below if skill < 0.5 else above) * (1 - skill)
        self.tenure_weeks += 1

    def plan_week(self) -> None:
        """Plan the week: hours on duty, and the admitted tasks, visits and training in proportion to them.

        What is left after tasks, training and on-site work is patrol (``Workforce.deploy``).
        """
        hours, plans = self.hours, self.workforce.week_plans
        plan = plans.get(hours)
        if plan is None:  # the first worker on these contract hours: the plan follows from the levers
            week, tasks, visits, training = self.workforce.plan_hours  # the levers, fixed for the run
            frac = hours / week
            plan = plans[hours] = (hours, tasks * frac, visits * frac, training * frac)
        self.plan = plan


class Centre(mesa.Agent):
    """A comprehensive-governance centre (综治中心) at town, county or city level.

    A town centre owns its triage (分类分层分级): ``staff`` servers in a ``TriageQueue``, serving the
    reports that reach it first come, first served (``triage``) or, with graded triage, by class
    (``triage_graded``). County and city centres are the upper rungs of the escalation ladder; they
    hold no queue of their own.
    """

    def __init__(self, model: GovernanceModel, level: str, index: int, staff: int = 0) -> None:
        super().__init__(model)
        self.level, self.index, self.staff = level, index, staff
        self.queue = TriageQueue(staff)

    def triage(self, arrive: list[float], service: list[float]) -> list[float]:
        """Start times of the reports arriving at ``arrive`` (ascending) with handling times ``service``."""
        return self.queue.fifo(arrive, service)

    def triage_graded(self, until: float) -> list[tuple[int, float]]:
        """Graded triage: start, in class order, the waiting reports that start before ``until``."""
        return self.queue.graded(until)


class Department(mesa.Agent):
    """A government department (职能部门) of one county: owns its desk and decides its queue's order.

    The desk (``departments.DepartmentDesk``) is its queue and staff: cases routed to the department
    arrive through ``receive`` and are handled in the department's priority order, in continuous time:
    by category class, then first come first served, or, when the department is held to account for its
    time limits (``by_deadline``, 基层发令、部门执行), earliest deadline first.
    """

    def __init__(
        self, model: GovernanceModel, county: int, kind: str, desk: DepartmentDesk, by_deadline: bool = False
    ) -> None:
        super().__init__(model)
        self.county, self.kind, self.desk, self.by_deadline = county, kind, desk, by_deadline

    @property
    def staff(self) -> int:
        """Handling staff of the desk."""
        return self.desk.staff

    def receive(self, times: list[float], jobs: list[Job]) -> None:
        """Routed cases on their way, arriving at ``times`` (ascending, ties by case number).

        Each case comes keyed by (class, arrival time); a department held to account re-keys it by
        (class, deadline). A reopened case keeps its deadline key then (``Rules.accountability``).
        """
        if self.by_deadline:
            for job in jobs:
                job[KEY] = job[DEADLINE]
        self.desk.expect(times, jobs)
