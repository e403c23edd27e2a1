"""The Mesa model with a SimPy clock: build the world, tick daily, run the closed loop, return records.

SimPy owns time (float days). A daily process runs the Mesa step (agents decide: weekly time
budgets of grid workers, resident trust drift), draws the day's latent incidents, and takes the
day's reports through intake; departments work in continuous time in between (``incidents.py``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import mesa
import numpy as np
import pandas as pd
import simpy

from govsim.agents import Centre, Department, GridWorker, Residents, Workforce
from govsim.config import GovsimConfig
from govsim.hotline import make_hotline
from govsim.incidents import IncidentLoop
from govsim.officetime import check_coverage, longest_working_days
from govsim.overseas import make_overseas
from govsim.policies import Levers, resolve_levers
from govsim.records import INCIDENT_SCHEMA, TIMESERIES_SCHEMA, Records, finalise, incident_frame
from govsim.scenario import build_scenario, schematic_layout
from govsim.streams import make_streams


class GovernanceModel(mesa.Model):
    """Residents, grid workers, centres and departments of one scenario under one policy."""

    def __init__(self, cfg: GovsimConfig) -> None:
        streams = make_streams(cfg.seed, cfg.replication)
        super().__init__(rng=streams["agents"])
        self.cfg, self.streams = cfg, streams
        # the built world, one stream: the territory's demand, then residents' fixed traits
        self.scenario_data = sc = build_scenario(cfg.scenario, streams["territory"])
        self.levers: Levers = resolve_levers(cfg.policy, sc)
        self.horizon = float(cfg.horizon_days)
        check_coverage(sc.calendar, self.horizon, longest_working_days(cfg))  # before anything runs
        self.env = simpy.Environment()
        self.residents = Residents(sc, streams["territory"])
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
        self._time_use: list[np.ndarray] = []

    def _create_agents(self) -> None:
        sc, lv = self.scenario_data, self.levers
        GridWorker.create_agents(self, self.workforce.n, list(range(self.workforce.n)))
        for t, staff in enumerate(lv.town_triage):
            Centre(self, "town", t, int(staff))
        for c in range(len(sc.territory.county_names)):
            Centre(self, "county", c)
            for k, kind in enumerate(sc.departments):
                Department(self, c, kind, int(lv.dept_servers[c, k]))
        Centre(self, "city", 0)

    def step(self) -> None:
        """One day of decisions: on the first day of each week grid workers turn over, learn and plan."""
        day = int(self.env.now)
        if day % 7 == 0:
            wf = self.workforce
            wf.turnover(self.streams["workforce"])
            wf.learn()
            wf.plan_week(self.loop.heat.window())
        self.residents.drift()

    def _days(self) -> simpy.events.ProcessGenerator:
        tr = self.scenario_data.territory
        n_towns = len(tr.town_names)
        while self.env.now < self.horizon:
            day = int(self.env.now)
            self.step()  # Mesa's wrapped step: its clock advances with SimPy's and calls ours
            self.loop.take_feedback()
            self.loop.occur(day)
            if self.loop.overseas is not None:
                self.loop.overseas.occur(day)
            self.loop.intake(day)
            use = np.array(
                [np.bincount(tr.grid_town, weights=u, minlength=n_towns) for u in self.workforce.week_use]
            )
            self._time_use.append(use / 7.0)
            yield self.env.timeout(1.0)

    def run(self, progress: bool = False) -> Records:
        """Simulate to the horizon and return the records."""
        self.env.process(self._days())
        bar = _progress(self.horizon, progress)
        with _gc_paused():
            for stop in range(1, int(np.ceil(self.horizon)) + 1):
                self.env.run(until=min(float(stop), self.horizon))
                bar.update(1) if bar else None
        if bar:
            bar.close()
        self.loop.release_draws()  # spent: free them before the records are built
        return self.records()

    def records(self) -> Records:
        """Incident table (real and duplicate tickets, then false reports) and the town-day series."""
        sc, loop = self.scenario_data, self.loop
        loop.write_outcomes()
        real, false = loop.tickets, loop.false
        cols = {
            k: np.concatenate([real.cols[k][: real.n], false.cols[k][: false.n]]) for k in INCIDENT_SCHEMA
        }
        cols = _before_horizon(cols, self.horizon)
        cols["incident_id"] = np.arange(len(cols["grid"]))
        cols = finalise(cols, self.horizon, self._ladder(cols["deadline"], cols["department"] >= 0))
        inc = incident_frame(cols)
        del cols
        return Records(
            incidents=inc,
            timeseries=self._timeseries(inc),
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
        """Escalation-ladder times (n, rungs) of routed tickets: working days after the deadline."""
        rungs = np.asarray(self.scenario_data.cfg.escalation_working_days)
        out = np.full((len(deadline), len(rungs)), np.inf)
        out[routed] = self.scenario_data.calendar.past_deadline(deadline[routed][:, None], rungs[None, :])
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

    def _timeseries(self, inc: pd.DataFrame) -> pd.DataFrame:
        n_days = len(self._time_use)
        n_towns = len(self.scenario_data.territory.town_names)
        town = inc["town"].to_numpy()

        def per_day(t: np.ndarray, mask: np.ndarray) -> np.ndarray:
            day = np.floor(t[mask]).astype(np.int64)
            ok = day < n_days
            return np.bincount(day[ok] * n_towns + town[mask][ok], minlength=n_days * n_towns).reshape(
                n_days, n_towns
            )

        t_rep, t_occ = inc["t_report"].to_numpy(), inc["t_occur"].to_numpy()
        t_end = np.where(inc["end_state"].to_numpy() == 2, t_rep, inc["t_close"].to_numpy())
        arrivals = per_day(t_rep, ~np.isnan(t_rep))
        closures = per_day(t_end, ~np.isnan(t_end))
        merged = per_day(t_rep, inc["end_state"].to_numpy() == 2)
        occurred = per_day(
            t_occ, ~np.isnan(t_occ) & ~inc["is_false"].to_numpy() & (inc["duplicate_of"].to_numpy() < 0)
        )
        reported_real = per_day(
            t_rep, ~np.isnan(t_rep) & (inc["duplicate_of"].to_numpy() < 0) & ~inc["is_false"].to_numpy()
        )
        use = np.array(self._time_use)  # (day, 4, town)
        day_idx, town_idx = np.meshgrid(np.arange(n_days), np.arange(n_towns), indexing="ij")
        data = {
            "day": day_idx.ravel(),
            "town": town_idx.ravel(),
            "arrivals": arrivals.ravel(),
            "closures": (closures - merged).ravel(),
            "backlog": (np.cumsum(arrivals, axis=0) - np.cumsum(closures, axis=0)).ravel(),
            "latent": (np.cumsum(occurred, axis=0) - np.cumsum(reported_real, axis=0)).ravel(),
            "task_hours": use[:, 0].ravel(),
            "training_hours": use[:, 1].ravel(),
            "onsite_hours": use[:, 2].ravel(),
            "patrol_hours": use[:, 3].ravel(),
        }
        return pd.DataFrame({k: np.asarray(data[k]).astype(dt) for k, (dt, _) in TIMESERIES_SCHEMA.items()})


def _before_horizon(cols: dict[str, np.ndarray], horizon: float) -> dict[str, np.ndarray]:
    """Drop incidents that occur (false reports: are made) after the horizon; renumber duplicates' originals.

    The last simulated day draws its incidents over the whole day, so a fractional horizon leaves some
    past it: they are not part of the run. A duplicate shares its original's occurrence time, so both
    go together and ``duplicate_of`` stays a row number.
    """
    when = np.where(cols["is_false"], cols["t_report"], cols["t_occur"])
    keep = ~(when > horizon)
    if keep.all():
        return cols
    new_id = np.cumsum(keep) - 1
    out = {k: v[keep] for k, v in cols.items()}
    dup = out["duplicate_of"]
    out["duplicate_of"] = np.where(dup >= 0, new_id[np.maximum(dup, 0)], dup)
    return out


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while simulating.

    The run holds hundreds of thousands of live events and jobs; CPython's generational collector would
    rescan them again and again (a third of the run time, measured with cProfile). The loop creates no
    reference cycles that outlive a case, so reference counting frees everything; one collection after.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
        gc.collect()


def _progress(total: float, enabled: bool):  # noqa: ANN202 - tqdm or None
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=int(np.ceil(total)), unit="day", desc="simulating", mininterval=1.0, delay=2.0)
