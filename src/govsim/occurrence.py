"""Occurrence (latent incidents) and discovery (巡查, 上报): the first part of the incident loop.

Each day ``occur`` draws the day's latent incidents in one vectorised step, with everything intrinsic
to them (place, category, severity clocks, discovery clocks, reporter, work content and the uniforms
their later decisions use: ``DRAWS_SCHEMA``), so that a policy changing later events never shifts a
stream (design.md §4). The race between the grid worker's patrol and the resident's report sets when
each is found (上报); the tickets wait in ``pending`` until their report day (``take_reports``).
``Occurrence`` is this part of ``incidents.IncidentLoop``, which sets the attributes it declares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.daybuckets import split_by_day
from govsim.records import Channel, Columns
from govsim.streams import pick, standard_work

if TYPE_CHECKING:
    from govsim.agents import Residents, Workforce
    from govsim.config import ScenarioConfig
    from govsim.policies import Levers
    from govsim.scenario import Scenario

PATROL, CITY_SYSTEM = int(Channel.PATROL), int(Channel.CITY_SYSTEM)  # plain ints: cheaper in numpy calls

DRAWS_SCHEMA: dict[str, tuple[str, str | int]] = {
    "u_onsite": ("float64", "on-site resolution"),
    "onsite_h": ("float64", "grid-worker hours an on-site resolution takes, if the case is resolved so"),
    "triage_s": ("float64", "centre handling time, days"),
    "u_grade": ("float64", "mis-grading at graded triage"),
    "u_route": ("float64", 3),  # mis-route uniforms, one per routing attempt
    "work": ("float64", 3),  # standardised work content (mean 1), first handling and two reopens
    "u_sat": ("float64", 3),
    "u_after": ("float64", 3),  # reopen / petition after an unsatisfied feedback
}


class Occurrence:
    """The day's latent incidents, their discovery and their tickets, for ``incidents.IncidentLoop``."""

    sc: Scenario
    cfg: ScenarioConfig
    lv: Levers
    rng: dict[str, np.random.Generator]
    tickets: Columns
    draws: Columns
    residents: Residents
    workforce: Workforce
    grid_rate: np.ndarray  # incidents per grid and day before the weekday and month patterns
    grid_index: np.ndarray
    grid_county: np.ndarray  # county of each grid (n_grids,)
    cat_cum: np.ndarray
    sev_cum: tuple[np.ndarray, np.ndarray]  # P(severity 1), P(severity <= 2) by category, each (C,)
    channel_cum: np.ndarray
    petition_cat: int
    dispute_cat: int
    pending: dict[int, list[tuple[np.ndarray, np.ndarray]]]  # by report day: (ticket ids, report times)
    next_take: int  # the first day ``take_reports`` has not taken yet
    _day_rates: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]
    _rates_of_day: dict[int, tuple[np.ndarray, np.ndarray]]  # the same, by day number (no date made)

    def occur(self, day: int) -> None:
        """Draw the day's latent incidents and when each is found; queue them for their report day.

        Written for a small day as much as a large one: a day's arrays are short in a small run, where
        each numpy call costs more than its arithmetic, so two uniforms of one stream are drawn in one
        call (the same numbers: a stream's doubles come one after another) and the two severity
        thresholds and growth clocks are columns, not reductions along a short axis (``sum(axis=1)``
        of an (n, 2) array cost 10x two columns' sum). The values are the same to the bit.
        """
        sc, r = self.sc, self.rng
        rate, cat_cum = self.day_rates(day)
        grid = np.repeat(self.grid_index, r["occurrence"].poisson(rate))
        n = len(grid)
        if n == 0:
            return
        u = r["occurrence"].random(2 * n)  # the occurrence times, then the categories' uniforms
        t_occ = day + u[:n]
        cat = pick(cat_cum, u[n:])
        u_sev = r["severity"].random(n)
        sev0 = 1 + (u_sev > self.sev_cum[0][cat]) + (u_sev > self.sev_cum[1][cat])
        clock = r["severity"].exponential(1.0, (n, 2))  # time to each step up in severity, in growth days
        g = sc.cat_growth_days[cat]
        growth1, growth2 = clock[:, 0] * g, (clock[:, 0] + clock[:, 1]) * g  # a cumulative sum, by column
        clocks = r["discovery"].exponential(1.0, (n, 2))
        u = r["reporting"].random(2 * n)  # the reporter, then the resident channel's uniforms
        reporter = self.residents.pick(grid, u[:n])
        res_channel = 1 + pick(self.channel_cum, u[n:])
        delay, by_patrol = self.discovery_delay(grid, cat, reporter, clocks)
        sev = np.minimum(3, sev0 + (delay > growth1) + (delay > growth2))
        petition = (cat == self.dispute_cat) & (sev == 3) & (sev0 < 3) & (self.petition_cat >= 0)
        t_report = t_occ + delay
        ids = self.open_tickets(
            grid,
            draw=False,  # drawn below with the duplicates' (``_draw_handling``)
            category_initial=cat,
            category=np.where(petition, self.petition_cat, cat) if petition.any() else cat,
            channel=np.where(by_patrol, PATROL, res_channel),
            severity_initial=sev0,
            severity=sev,
            reporter=reporter,
            t_occur=t_occ,
            t_report=t_report,
            petitioned=petition,
        )
        dup = self._duplicates(ids, r["duplicates"])
        self._draw_handling(n, len(dup))  # the tickets' and their duplicates' in one call per stream
        self._pend(ids if len(dup) == 0 else np.concatenate([ids, dup]))

    def day_rates(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """The day's rate per grid (n_grids,) and cumulative category mix (C,): weekday and month patterns.

        The same for every day of a weekday and month (``Scenario.rate_multipliers``), so computed once
        for each and kept: a small run's day cannot afford the dozen numpy calls each day.
        """
        if day in self._rates_of_day:
            return self._rates_of_day[day]
        d = self.sc.calendar.date_of(day)
        key = (d.weekday(), d.month)
        if key not in self._day_rates:
            rate, cat_cum = self.grid_rate, self.cat_cum
            mult = self.sc.rate_multipliers(day)
            if (mult != 1.0).any():  # weekday and month patterns: the day's total rate and category mix
                w = self.sc.cat_share * mult
                rate, cat_cum = rate * w.sum(), np.cumsum(w / w.sum()) if w.sum() > 0 else cat_cum
            self._day_rates[key] = rate, cat_cum
        self._rates_of_day[day] = self._day_rates[key]
        return self._day_rates[key]

    def open_tickets(
        self, grid: np.ndarray, draw: bool = True, **cols: np.ndarray | float | bool
    ) -> np.ndarray:
        """New tickets at ``grid`` (n,) with the given columns; their place, no duplicate, work drawn.

        Returns the new ticket ids (n,). The one way a ticket is created (the incident loop, 侨乡 cases).
        ``draw=False`` leaves the handling draws to the caller (``occur`` draws them with its duplicates').
        """
        tr = self.sc.territory
        town, county = tr.grid_town[grid], self.grid_county[grid]
        place = dict(grid=grid, community=tr.grid_community[grid], town=town, county=county)
        ids = self.tickets.add(len(grid), **place, **cols, duplicate_of=-1)
        if draw:
            self._draw_handling(len(grid))
        return ids

    def discovery_delay(
        self, grid: np.ndarray, cat: np.ndarray, reporter: np.ndarray, clocks: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Time to discovery: the earlier of patrol and resident report, each with today's hazard."""
        if self.cfg.instant_discovery:
            return np.zeros(len(grid)), np.zeros(len(grid), dtype=bool)
        res = self.residents
        hp = self.workforce.hazard[grid] * self.sc.cat_visibility[cat]
        hr = (
            self.cfg.resident_report_rate
            * res.trust[reporter]
            * res.propensity[reporter]
            * self.sc.cat_propensity[cat]
            * self.lv.report_multiplier[grid]
        )
        with np.errstate(divide="ignore"):
            dp, dr = clocks[:, 0] / hp, clocks[:, 1] / hr
        return np.minimum(dp, dr), dp < dr

    def _draw_handling(self, n: int, m: int = 0) -> None:
        """The handling draws of ``n`` new tickets and then of ``m`` more (the day's duplicates).

        In one call per stream: each stream gives the ``n + m`` numbers it gave in two calls, ``n`` then
        ``m`` (a generator fills an array one number after another, whatever its size). The feedback
        stream draws two blocks per call (satisfaction, then reopen / petition), so its one call is
        split four ways, in the order the two calls drew them.
        """
        r, cfg, k = self.rng, self.cfg, n + m
        if m:
            u = r["feedback"].random(6 * k)  # n's satisfaction, n's reopen, then m's
            a, b, c = 3 * n, 6 * n, 6 * n + 3 * m
            u_sat = np.concatenate([u[:a], u[b:c]]).reshape(k, 3)
            u_after = np.concatenate([u[a:b], u[c:]]).reshape(k, 3)
        else:
            u_sat, u_after = r["feedback"].random((2, k, 3))  # satisfaction, then reopen / petition
        self.draws.add(
            k,
            u_onsite=r["onsite"].random(k),
            onsite_h=standard_work(r["onsite_time"], cfg.worker.onsite_family, cfg.worker.onsite_cv, k)
            * cfg.worker.onsite_hours,
            triage_s=standard_work(r["triage"], cfg.triage_family, 1.0, k) * cfg.triage_days,
            u_grade=r["grading"].random(k),
            u_route=r["routing"].random((k, 3)),
            work=standard_work(r["service"], cfg.service_family, cfg.service_cv, (k, 3)),
            u_sat=u_sat,
            u_after=u_after,
        )

    def _duplicates(self, ids: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Second reports of the same incident through another channel (sources.md §5: 5–7 %)."""
        n = len(ids)
        uu = rng.random(2 * n)  # whether duplicated, then the channel's uniforms (one call, same numbers)
        u, u_ch, lag = uu[:n], uu[n:], rng.exponential(self.cfg.duplicate_lag_days, n)
        orig = ids[u < self.cfg.duplicate_prob]
        if len(orig) == 0:
            return orig
        c = self.tickets.cols
        ch = 1 + pick(self.channel_cum, u_ch[: len(orig)])
        ch = np.where(ch == c["channel"][orig], CITY_SYSTEM, ch)
        copy = {
            k: c[k][orig]
            for k in (
                "grid",
                "community",
                "town",
                "county",
                "category_initial",
                "category",
                "severity_initial",
                "severity",
                "reporter",
                "t_occur",
                "petitioned",
            )
        }
        return self.tickets.add(  # their handling draws: the caller's (``occur``)
            len(orig), **copy, channel=ch, duplicate_of=orig, t_report=c["t_report"][orig] + lag[: len(orig)]
        )

    def _pend(self, ids: np.ndarray) -> None:
        """Queue tickets ``ids`` (n,) for their report day, in the bucket of ``floor(t_report)``.

        Held in one array, every day re-copied every ticket still waiting (3.5 days of tickets on
        average, 40,000 at ×4 population) to add the day's and drop the reported: the largest rise of
        memory copies per ticket from ×1 to ×4 in cachegrind (``benchmarks/cache_scaling.py``). A bucket
        keeps its parts in the order they were queued, so ``take_reports`` gives the same order. A
        report time that is not finite (never found) is never due and is not kept.
        """
        t = self.tickets.cols["t_report"][ids]
        days = np.floor(t)
        if not np.isfinite(days).all():
            keep = np.isfinite(days)
            ids, t, days = ids[keep], t[keep], days[keep]
        if not len(ids):
            return
        if days.min() < self.next_take:  # due on a day already taken (not done by the model): the next take
            days = np.maximum(days, self.next_take)
        if days.min() == days.max():  # all on one day: the arrays as they are
            self.pending.setdefault(int(days[0]), []).append((ids, t))
            return
        for day, rows in split_by_day(days):
            self.pending.setdefault(day, []).append((ids[rows], t[rows]))

    def take_reports(self, day: int) -> np.ndarray:
        """Tickets reported during ``day``, in report-time order (at a tie, in the order queued)."""
        parts = [p for d in range(self.next_take, day + 1) for p in self.pending.pop(d, ())]
        self.next_take = max(self.next_take, day + 1)
        if not parts:
            return np.empty(0, dtype=np.int64)
        if len(parts) == 1:
            ids, t = parts[0]
        else:
            ids, t = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        return ids[t.argsort(kind="stable")]  # the method: ``np.argsort`` is a Python wrapper around it

    def release_draws(self) -> None:
        """Free the per-incident draws once the run is over (they are not part of the records)."""
        self.draws = Columns(DRAWS_SCHEMA, 0)
