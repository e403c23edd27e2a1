"""The Mesa model with a SimPy clock: build the world, tick daily, run the closed loop, return records.

SimPy owns time (float days). A daily process runs the Mesa step (agents decide: each grid worker
agent its week, through Mesa's ``AgentSet.do``; columnar residents' trust drifts), draws the day's
latent incidents (``occurrence.py``), takes the day's reports through intake, then advances every
department desk to the end of the day: desks handle their cases in continuous time (``departments.py``,
``incidents.py``).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import mesa
import numpy as np
import pandas as pd
import simpy

from govsim.agents import Centre, Department, GridWorker, Residents, Workforce
from govsim.config import GovsimConfig
from govsim.departments import DepartmentDesk
from govsim.extensions import apply_extensions, response_due
from govsim.hotline import make_hotline
from govsim.incidents import IncidentLoop
from govsim.officetime import check_coverage, longest_working_days
from govsim.overseas import make_overseas
from govsim.policies import Levers, resolve_levers
from govsim.records import (
    INCIDENT_SCHEMA,
    Records,
    before_horizon,
    escalation_ladder,
    finalise,
    incident_frame,
    town_day_series,
)
from govsim.scenario import Scenario, check_fits, scenario_of, schematic_layout
from govsim.streams import make_streams


class GovernanceModel(mesa.Model):
    """Residents, grid workers, centres and departments of one scenario under one policy."""

    def __init__(self, cfg: GovsimConfig, scenario: Scenario | None = None) -> None:
        """Build the model of ``cfg`` on ``scenario`` (built here by ``scenario_of(cfg)`` if None).

        A scenario built once is reusable across policies; ``ValueError`` if it was built for another
        scenario config, seed or replication.
        """
        streams = make_streams(cfg.seed, cfg.replication)
        super().__init__(rng=streams["agents"])
        self.cfg, self.streams = cfg, streams
        sc = scenario_of(cfg) if scenario is None else scenario  # the built world: territory stream only
        check_fits(sc, cfg)
        self.scenario_data = sc
        self.levers: Levers = resolve_levers(cfg.policy, sc)
        self.horizon = float(cfg.horizon_days)
        check_coverage(sc.calendar, self.horizon, longest_working_days(cfg))  # before anything runs
        self.env = simpy.Environment()
        self.residents = Residents(sc, streams["residents"])  # fixed traits on a stream of their own
        self.workforce = Workforce(sc, self.levers)
        expected = sc.population * sc.cfg.incident_rate * self.horizon / 365.0
        self.loop = IncidentLoop(
            self.env,
            sc,
            self.levers,
            streams,
            self.workforce,
            self.residents,
            capacity=int(expected * (1.1 + sc.cfg.duplicate_prob)) + 1024,
            window=(float(cfg.warmup_days), self.horizon),
        )
        if cfg.scenario.hotline.enabled:
            self.loop.hotline = make_hotline(cfg, sc.population, streams)
        self.loop.overseas = make_overseas(cfg, self.loop, streams)
        self._create_agents()
        self.workers = self.agents_by_type[GridWorker]
        self._worker_rows = sorted(self.workers, key=lambda w: w.row)
        # called with the model after each week's decisions (e.g. to follow one agent; notebook 01)
        self.on_week: list[Callable[[GovernanceModel], None]] = []
        self._time_use: list[np.ndarray] = []

    def _create_agents(self) -> None:
        sc, lv = self.scenario_data, self.levers
        loop = self.loop
        GridWorker.create_agents(self, self.workforce.n, list(range(self.workforce.n)))
        towns = [Centre(self, "town", t, int(staff)) for t, staff in enumerate(lv.town_triage)]
        departments = []
        for c in range(len(sc.territory.county_names)):
            Centre(self, "county", c)
            for k, kind in enumerate(sc.departments):
                servers = int(lv.dept_servers[c, k])
                desk = DepartmentDesk(servers, loop.rules, loop.outcomes, sc.department_hours)
                departments.append(Department(self, c, kind, desk, by_deadline=lv.accountability))
        Centre(self, "city", 0)
        loop.attach(towns, departments)  # desk index = county * n_departments + department

    def step(self) -> None:
        """One day of decisions: on the first day of each week grid workers turn over, learn and plan."""
        day = int(self.env.now)
        if day % 7 == 0:
            self.start_week()
        self.residents.drift()

    def start_week(self) -> None:
        """The week begins: every grid worker agent decides (``GridWorker.start_week``).

        The agents are stepped through Mesa's ``AgentSet.do``; the workforce then sums their plans per
        grid into patrol hours and the discovery hazard.
        """
        self.workforce.draw_week(self.streams["workforce"])
        self.workers.do("start_week")
        self.workforce.gather(self._worker_rows)
        self.workforce.deploy(self.loop.heat.window() if self.levers.hotspot else None)
        for observe in self.on_week:
            observe(self)

    def _days(self) -> simpy.events.ProcessGenerator:
        tr = self.scenario_data.territory
        n_towns = len(tr.town_names)
        # the week's hours per grid, and per town and day: summed once a week, when the plan changes
        week_use: np.ndarray | None = None
        town_use = np.empty(0)
        while self.env.now < self.horizon:
            day = int(self.env.now)
            self.step()  # Mesa's wrapped step: its clock advances with SimPy's and calls ours
            self.loop.take_feedback()
            self.loop.occur(day)
            if self.loop.overseas is not None:
                self.loop.overseas.occur(day)
            self.loop.intake(day)
            self.loop.handle(min(day + 1.0, self.horizon))  # the desks' day, after all of it was routed
            if self.workforce.week_use is not week_use:  # a new week's plan: sum it per town once
                week_use = self.workforce.week_use
                use = np.array([np.bincount(tr.grid_town, weights=u, minlength=n_towns) for u in week_use])
                town_use = use / 7.0
            self._time_use.append(town_use)
            yield self.env.timeout(1.0)

    def run(self, progress: bool = False) -> Records:
        """Simulate to the horizon and return the records."""
        self.env.process(self._days())
        bar = _progress(self.horizon, progress)
        with _gc_paused():
            if bar is None:  # one call: SimPy's run sets up and tears down a stop event each time
                self.env.run(until=self.horizon)
            else:  # a day at a time, to move the bar
                try:
                    for stop in range(1, int(np.ceil(self.horizon)) + 1):
                        self.env.run(until=min(float(stop), self.horizon))
                        bar.update(1)
                finally:  # stopped part-way too (SIGTERM, Ctrl-C): end the bar's line before any message
                    bar.close()
        self.loop.release_draws()  # spent: free them before the records are built
        return self._records()

    def _records(self) -> Records:
        """Incident table (real and duplicate tickets, then false reports) and the town-day series.

        Called once, by :meth:`run`: it takes the loop's columns out as it copies them, so a second call
        would find them gone (``KeyError``).
        """
        sc, loop = self.scenario_data, self.loop
        loop.write_outcomes()
        real, false = loop.tickets, loop.false
        # each column is taken out of the loop as it is copied, so the loop's copy is freed at once and the
        # two are never held whole together: the run is over, and the loop's columns are not read again
        cols = {
            k: np.concatenate([real.cols.pop(k)[: real.n], false.cols.pop(k)[: false.n]])
            for k in INCIDENT_SCHEMA
        }
        cols = before_horizon(cols, self.horizon)
        cols["incident_id"] = np.arange(len(cols["grid"]))
        s, routed = sc.cfg, cols["department"] >= 0
        sent = np.where(routed & (cols["t_triage_end"] <= self.horizon), cols["t_triage_end"], np.nan)
        cols["response_due"] = response_due(sent, sc.calendar, s.response_working_days)
        ext = (s.extension_approval_prob, s.extension_working_days, self.streams["extension"])
        cols = apply_extensions(cols, self.horizon, sc.calendar, *ext)  # after the run: govsim.extensions
        # the escalation ladder keeps the original limit: the desks ran on it (govsim.extensions)
        cols = finalise(cols, self.horizon, self._ladder(cols["deadline_initial"], routed))
        inc = incident_frame(cols)
        del cols
        return Records(
            incidents=inc,
            timeseries=town_day_series(inc, np.array(self._time_use), len(sc.territory.town_names)),
            grids=self._grids(),
            categories=sc.categories,
            departments=sc.departments,
            towns=sc.territory.town_names,
            counties=sc.territory.county_names,
            horizon=self.horizon,
            warmup=float(self.cfg.warmup_days),
            hotline=loop.hotline.frame() if loop.hotline is not None else None,
        )

    def desk_time(self) -> tuple[np.ndarray, np.ndarray]:
        """Per desk (county × department, flattened): busy and scheduled staff-days in [warmup, horizon)."""
        t0, t1 = float(self.cfg.warmup_days), self.horizon
        desks = self.loop.desks
        return np.array([d.busy_in for d in desks]), np.array([d.scheduled_time(t0, t1) for d in desks])

    def _ladder(self, deadline: np.ndarray, routed: np.ndarray) -> np.ndarray:
        """Escalation-ladder times (n, rungs) of routed tickets (``escalation_ladder``); inf if not."""
        sc = self.scenario_data
        rungs = sc.cfg.escalation_working_days
        out = np.full((len(deadline), len(rungs)), np.inf)
        out[routed] = escalation_ladder(sc.calendar, deadline[routed], rungs)
        return out

    def _grids(self) -> pd.DataFrame:
        tr = self.scenario_data.territory
        x, y = schematic_layout(tr)
        county = tr.town_county[tr.grid_town]
        return pd.DataFrame(
            {
                "grid": np.arange(tr.n_grids),
                "town": tr.grid_town,
                "county": county,
                "county_name": np.array(tr.county_names)[county],
                "population": tr.grid_population,
                "demand": tr.grid_demand,
                "x": x,
                "y": y,
            }
        )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while simulating.

    The run holds hundreds of thousands of live events and jobs; CPython's generational collector would
    rescan them again and again (a third of the run time, measured with cProfile). The loop creates no
    reference cycles that outlive a case, so reference counting frees everything: no collection after
    (one found nothing, yet walked the live model: 17-20 ms a run at x0.05-x0.25, and 41 M instructions
    of run, drop and collect at x0.05 with cachegrind). The model itself is a graph of cycles, freed by
    the caller's collection once it drops it (``runner.simulate``).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _progress(total: float, enabled: bool):  # noqa: ANN202 - tqdm or None
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=int(np.ceil(total)), unit="day", desc="simulating", mininterval=1.0, delay=2.0)
