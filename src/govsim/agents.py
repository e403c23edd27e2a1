"""Agents: grid workers, centres and departments (Mesa), residents (columnar).

Residents number in the millions, so their state (trust, reporting propensity, points) is kept in
numpy arrays, one row per resident agent of ``residents_per_agent`` people, and updated in vectorised
steps and at the events that touch them. Grid workers (网格员) are Mesa agents whose state lives in the
columnar ``Workforce`` (an agent is a view on its row), so a week's decisions for every worker are one
vectorised step: turnover, learning from training (传帮带 doubles it for new workers), and the split of
the weekly time budget between admitted tasks (入格事项), training, on-site handling and patrol.
Centres (综治中心) and departments (职能部门) are Mesa agents holding their capacities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

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

    def pick(self, grid: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Resident agent affected by each incident in ``grid``, chosen by uniforms ``u``."""
        return self.grid_offset[grid] + (u * self.grid_count[grid]).astype(np.int64)

    def drift(self, rate: float = 1 / 365) -> None:
        """Trust relaxes slowly toward its initial level (memory of one year; assumed)."""
        self.trust += rate * (self._initial_trust - self.trust)


class Workforce:
    """All grid workers as arrays; ``plan_week`` is every worker's weekly decision at once."""

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

    @property
    def n(self) -> int:
        """Number of workers."""
        return len(self.grid)

    def turnover(self, rng: np.random.Generator) -> None:
        """Each worker leaves with the weekly hazard; a newcomer takes the post at low skill."""
        leave = rng.random(self.n) < 1 - np.exp(-self.lv.turnover_per_year / 52)
        self.skill[leave] = self.sc.cfg.worker.new_worker_skill
        self.tenure_weeks[leave] = 0

    def learn(self) -> None:
        """Skill grows with training hours toward 1; mentoring multiplies it while below one half."""
        rate = (
            self.sc.cfg.worker.learn_rate
            * self.lv.training_hours
            * np.where(self.skill < 0.5, self.lv.learning, 1)
        )
        self.skill += np.minimum(1.0, rate) * (1 - self.skill)
        self.tenure_weeks += 1

    def plan_week(self, heat: np.ndarray) -> None:
        """Split each worker's week: patrol is what is left after tasks, training and on-site work.

        With hotspot-guided patrol (群众诉求热点图), a town pools its patrol hours and sends them where the
        heat map (reports of the last four weeks per grid) shows demand.
        """
        sc, lv = self.sc, self.lv
        n = sc.territory.n_grids
        frac = self.hours / sc.cfg.worker.hours_per_week
        tasks = np.bincount(self.grid, weights=lv.task_hours * frac, minlength=n)
        visits = np.bincount(self.grid, weights=lv.visit_hours * frac, minlength=n)
        training = np.bincount(self.grid, weights=lv.training_hours * frac, minlength=n)
        budget = np.bincount(self.grid, weights=self.hours, minlength=n)
        onsite = np.minimum(self.onsite_hours, np.maximum(0.0, budget - tasks - training))
        patrol = np.maximum(0.0, budget - tasks - training - onsite)
        if lv.hotspot:
            patrol = self._pool_by_heat(patrol, heat)
        self.week_use = np.vstack([tasks, training, onsite, patrol])
        self.onsite_hours[:] = 0.0
        self.patrol_hours, self.visit_hours = patrol, visits
        self.grid_skill = np.bincount(self.grid, weights=self.skill, minlength=n) / np.bincount(
            self.grid, minlength=n
        )
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


class GridWorker(mesa.Agent):
    """A grid worker (网格员): a view on one row of the ``Workforce``."""

    def __init__(self, model: GovernanceModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def grid(self) -> int:
        """The grid this worker serves."""
        return int(self.model.workforce.grid[self.row])

    @property
    def skill(self) -> float:
        """Skill in [0, 1]: sharpens discovery, raises on-site resolution, lowers mis-classification."""
        return float(self.model.workforce.skill[self.row])

    @property
    def part_time(self) -> bool:
        """Whether this worker works part-time hours."""
        return bool(self.model.workforce.part_time[self.row])


class Centre(mesa.Agent):
    """A comprehensive-governance centre (综治中心) at town, county or city level."""

    def __init__(self, model: GovernanceModel, level: str, index: int, staff: int = 0) -> None:
        super().__init__(model)
        self.level, self.index, self.staff = level, index, staff


class Department(mesa.Agent):
    """A government department (职能部门) of one county: handling staff serving routed cases."""

    def __init__(self, model: GovernanceModel, county: int, kind: str, staff: int) -> None:
        super().__init__(model)
        self.county, self.kind, self.staff = county, kind, staff
