"""The closed loop of an incident (巡查→上报→流转→处置→反馈), as vectorised daily steps and SimPy events.

Each day ``occur`` (``govsim.occurrence``) draws the day's latent incidents in one vectorised step,
with everything intrinsic to them (place, category, severity clocks, discovery clocks, reporter, work
content and the uniforms their later decisions use), so that a policy changing later events never
shifts a stream (design.md §4). The race between the grid worker's patrol and the resident's report
sets when each is found (上报).

``intake`` takes the day's reports: merges duplicates (dedup), resolves minor cases on the spot
(就地化解), and sends the rest through centre triage (分类分层分级, a FIFO multi-server queue per town,
evaluated exactly in arrival order) and routing (流转, with mis-routes returned and re-routed).
Departments (``DepartmentDesk``) are non-preemptive priority queues with finite staff, each handling
its day of events after the day's intake (``handle``); at the end of handling (处置) the reporter gives
feedback (反馈): satisfied closes, unsatisfied reopens the case or turns into a petition. Only arrivals at
and completions by departments are events; everything without contention is computed, which is what
keeps a million incidents cheap.
"""

from __future__ import annotations

import numpy as np
import simpy

from govsim.agents import Centre, Department, Residents, Workforce
from govsim.departments import (
    BUSY,
    CASE,
    PETITION,
    REOPEN,
    START,
    DepartmentDesk,
    K,
    Outcomes,
    Rules,
    outcome_code,
)
from govsim.dispatch import OnTheWay
from govsim.hotline import Hotline
from govsim.intake import CentreTriage, HeatMap
from govsim.occurrence import DRAWS_SCHEMA, Occurrence
from govsim.overseas import Overseas
from govsim.policies import BASE_ROUTING, Levers
from govsim.records import INCIDENT_SCHEMA, Channel, Columns, EndState, Rung
from govsim.scenario import Scenario
from govsim.streams import pick, standard_work

# plain ints: numpy compares an array with an IntEnum member half as fast again as with an int (timeit)
PATROL, WALKIN, CITY_SYSTEM = int(Channel.PATROL), int(Channel.WALKIN), int(Channel.CITY_SYSTEM)


class IncidentLoop(Occurrence, CentreTriage):
    """Generates incidents and carries each through the closed loop; writes the incident records."""

    def __init__(
        self,
        env: simpy.Environment,
        sc: Scenario,
        lv: Levers,
        streams: dict[str, np.random.Generator],
        workforce: Workforce,
        residents: Residents,
        capacity: int,
        window: tuple[float, float] = (0.0, float("inf")),
    ) -> None:
        """``window``: the measured period ``[warmup, horizon)``, in which desks count their busy time."""
        self.env, self.sc, self.lv, self.rng = env, sc, lv, streams
        self.workforce, self.residents = workforce, residents
        self.cfg = sc.cfg
        tr = sc.territory
        self.tickets = Columns(dict(INCIDENT_SCHEMA), capacity)
        self.draws = Columns(DRAWS_SCHEMA, capacity)
        self.false = Columns(dict(INCIDENT_SCHEMA), 64)
        self.grid_rate = tr.grid_population * tr.grid_demand * self.cfg.incident_rate / 365.0
        self.grid_cum = np.cumsum(tr.grid_population) / tr.grid_population.sum()
        self.grid_index = np.arange(tr.n_grids)
        self._day_rates: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}  # by weekday, month
        self._rates_of_day: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.grid_county = tr.town_county[tr.grid_town]
        self.cat_cum = np.cumsum(sc.cat_share)
        sev_cum = np.cumsum(sc.cat_severity / sc.cat_severity.sum(axis=1, keepdims=True), axis=1)
        self.sev_cum = (sev_cum[:, 0].copy(), sev_cum[:, 1].copy())  # thresholds of severity 2 and 3
        mix = np.asarray(self.cfg.channel_mix, dtype=float)
        self.channel_cum = np.cumsum(mix / mix.sum())
        self.pending: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        self.next_take = 0
        self.rules = Rules(
            self.cfg.feedback_days, self.cfg.max_reopens, lv.liaison_work, lv.accountability, *window
        )
        self.outcomes = Outcomes(self.tickets.cols)
        self.centres: list[Centre] = []  # the town centres' agents, attached by the model
        self.departments: list[Department] = []
        self.desks: list[DepartmentDesk] = []
        self.n_dept = len(sc.departments)
        self.heat = HeatMap(tr.n_grids)
        self.petition_cat = sc.categories.index("petition") if "petition" in sc.categories else -1
        self.dispute_cat = sc.categories.index("dispute") if "dispute" in sc.categories else -1
        self.graded = lv.policy.platform.graded_triage
        # data fusion (the classification skill behind routing accuracy) lowers mis-grading alike
        self.p_misgrade = min(1.0, self.cfg.misgrade_prob * lv.misroute / (1.0 - BASE_ROUTING))
        # manual forwarding from channels not on the platform: the delay per channel (× 1 or × 0), once
        self.late_by_channel = ~lv.integrated * self.cfg.non_integrated_delay_days
        # a walk-in report's mis-routing factor by town: higher without a one-stop window (一窗受理)
        self.walkin_factor = np.where(~lv.town_one_window, self.cfg.response.walkin_misroute, 1.0)
        self._false_service = np.empty(0)  # graded triage: false reports' handling times, by false id
        self.hotline: Hotline | None = None  # set by the model when scenario.hotline.enabled
        self.overseas: Overseas | None = None  # set by the model when the scenario has 侨乡 cases
        self.on_way = OnTheWay()  # routed cases held until the day they arrive at their desk
        self.lift_working_days = int(self.cfg.escalation_working_days[Rung.COUNTY - 1])

    def attach(self, centres: list[Centre], departments: list[Department]) -> None:
        """The agents that own triage (one town centre per town) and the desks (county-major order)."""
        self.centres, self.departments = centres, departments
        self.desks = [d.desk for d in departments]

    # ---- intake: merge, on-site, triage, route -------------------------------------------------------
    def intake(self, day: int) -> None:
        """Process the day's reports (上报) through the centre to the departments (流转)."""
        ids = self.take_reports(day)
        if self.hotline is not None:  # 12345 seats: report calls become tickets when answered
            ids = self.hotline.intake(self, day, ids)
        c = self.tickets.cols
        if self.lv.hotspot:  # the heat map guides patrol only then (``Workforce.deploy``): kept only then
            self.heat.add(day, c["grid"][ids])
        self._pay_points(ids)
        ids = self._merge_duplicates(ids)
        c["deadline"][ids] = self.sc.calendar.due(c["t_report"][ids], self.lv.deadline_wd[c["category"][ids]])
        ids = self._resolve_on_site(ids)
        false_ids, false_service = self._false_reports(day)
        if self.graded:
            ids = self._graded_triage(day, ids, false_ids, false_service)
        else:
            self._triage(ids, false_ids, false_service)
        self._route(day, ids)

    def _pay_points(self, ids: np.ndarray) -> None:
        if self.lv.policy.grid.resident_points == 0.0:  # no points (adding 0.0 would leave them as they are)
            return
        c = self.tickets.cols
        paid = ids[(c["channel"][ids] != PATROL) & (c["duplicate_of"][ids] < 0)]
        np.add.at(self.residents.points, c["reporter"][paid], self.lv.policy.grid.resident_points)

    def _merge_duplicates(self, ids: np.ndarray) -> np.ndarray:
        """With dedup, a duplicate whose two channels both feed the platform is merged at intake."""
        if not self.lv.dedup:
            return ids
        c = self.tickets.cols
        orig = c["duplicate_of"][ids]
        is_dup = orig >= 0
        if not is_dup.any():
            return ids
        integ = self.lv.integrated
        merged = is_dup & integ[c["channel"][ids]] & integ[c["channel"][np.maximum(orig, 0)]]
        c["end_state"][ids[merged]] = EndState.MERGED
        return ids[~merged]

    def _resolve_on_site(self, ids: np.ndarray) -> np.ndarray:
        """A minor case found on patrol is resolved on the spot with probability rising with skill.

        It takes the worker a drawn time (``worker.onsite_family``, mean ``onsite_hours``, cv
        ``onsite_cv``; drawn for every ticket on its own stream, so the other draws do not shift).
        """
        c, d, wf = self.tickets.cols, self.draws.cols, self.workforce
        g = c["grid"][ids]
        ok = (
            (c["channel"][ids] == PATROL)
            & (c["severity"][ids] == 1)
            & self.sc.cat_onsite[c["category"][ids]]
            & (c["duplicate_of"][ids] < 0)
            & (d["u_onsite"][ids] < self.cfg.worker.onsite_base_prob * wf.grid_skill[g])
        )
        done = ids[ok]
        if not len(done):  # none today: nothing to write
            return ids
        hours = d["onsite_h"][done]
        t = c["t_report"][done] + hours / 24.0
        c["on_site"][done] = True
        c["t_handle_start"][done] = c["t_report"][done]
        c["t_handle_end"][done] = t
        c["t_close"][done] = t
        sat = d["u_sat"][done, 0] < self.cfg.satisfaction_base
        c["satisfied"][done] = sat
        self._update_trust(c["reporter"][done], sat)
        np.add.at(wf.onsite_hours, g[ok], hours)
        return ids[~ok]

    def _false_reports(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Reports of things that did not happen; triaged, then dismissed. Own stream, own table."""
        rng, sc = self.rng["false_reports"], self.sc
        n = rng.poisson(self.lv.false_rate * sc.population / 365.0)
        if n == 0:  # most days of a small run: nothing to draw (none drawn: the stream does not move)
            return np.empty(0, dtype=np.int64), np.empty(0)
        grid = pick(self.grid_cum, rng.random(n))
        tr = sc.territory
        cat = pick(self.cat_cum, rng.random(n))
        ids = self.false.add(
            n,
            grid=grid,
            community=tr.grid_community[grid],
            town=tr.grid_town[grid],
            county=tr.town_county[tr.grid_town[grid]],
            category_initial=cat,
            category=cat,
            channel=1 + pick(self.channel_cum, rng.random(n)),
            is_false=True,
            t_report=day + rng.random(n),
        )
        return ids, standard_work(rng, self.cfg.triage_family, 1.0, n) * self.cfg.triage_days

    def _route(self, day: int, ids: np.ndarray) -> None:
        """Dispatch to the county department; mis-routed cases come back and are routed again."""
        c, d, lv, sc, cfg = self.tickets.cols, self.draws.cols, self.lv, self.sc, self.cfg
        cat, town, ch = c["category"][ids], c["town"][ids], c["channel"][ids]
        dept = sc.cat_department[cat]
        stationed = lv.stationed[town, cat]
        # assumed: a worker's classification of a patrol report errs less with skill (×1.5 at 0, ×0.5 at 1)
        p_mis = lv.misroute * np.where(ch == PATROL, 1.5 - self.workforce.grid_skill[c["grid"][ids]], 1.0)
        p_mis = p_mis * np.where(ch == WALKIN, self.walkin_factor[town], 1.0)
        p_mis = np.where(stationed, 0.0, np.minimum(p_mis, 1.0))
        # attempts mis-routed in a row: the leading uniforms below p (by column: a cumulative product
        # and sum along the short axis cost 3-5x as much as these columns)
        u = d["u_route"][ids]
        mis1, mis2 = u[:, 0] < p_mis, u[:, 1] < p_mis
        mis12 = mis1 & mis2
        n_mis = mis1.astype(np.int64) + mis12 + (mis12 & (u[:, 2] < p_mis))
        travel = np.where(stationed, cfg.response.stationed_route_days, sc.dept_route_days[dept])
        arrive = c["t_triage_end"][ids] + travel + n_mis * lv.misroute_delay
        c["n_misroutes"][ids] = n_mis
        c["department"][ids] = c["county"][ids] * self.n_dept + dept
        c["t_dept_arrive"][ids] = arrive
        if self.overseas is not None:  # 侨乡 cases: a chain of referrals, or one package (govsim.overseas)
            self.overseas.refer(ids)
        self._dispatch(day, ids)

    def _dispatch(self, day: int, ids: np.ndarray) -> None:
        """Prepare each case routed on ``day`` in one vectorised step; the desks get them as they arrive.

        Held as columns until the day they arrive (``govsim.dispatch.OnTheWay``).
        """
        if not len(ids):
            self.on_way.route(day, day + 1.0, None, self.departments)  # cases routed earlier arrive
            return
        c, d, lv, sc, cfg = self.tickets.cols, self.draws.cols, self.lv, self.sc, self.cfg
        cat, sev = c["category"][ids], c["severity"][ids]
        base = sc.cat_handling_days[cat] * lv.work_multiplier[sev - 1]
        dup = c["duplicate_of"][ids] >= 0
        if dup.any():  # duplicates' work (× 1.0 for the others, which leaves them as they are)
            base = base * np.where(dup, cfg.duplicate_work, 1.0)
        work = d["work"][ids] * base[:, None]
        u = d["u_sat"][ids]
        ua = d["u_after"][ids]
        after = np.where(
            ua < cfg.reopen_prob,
            REOPEN,
            np.where(ua < cfg.reopen_prob + (1 - cfg.reopen_prob) * cfg.petition_prob, PETITION, 0),
        )
        code = outcome_code(
            u < cfg.satisfaction_base, u < cfg.satisfaction_base - cfg.satisfaction_late_penalty, after
        )
        # the liaison acts from the county rung: that rung of the ladder alone (``escalation_ladder``)
        lift_at = sc.calendar.past_deadline(c["deadline"][ids], self.lift_working_days)
        fields = dict(
            arrive=c["t_dept_arrive"][ids], desk=c["department"][ids], case=ids, klass=sc.cat_priority[cat]
        )
        fields |= dict(
            deadline=c["deadline"][ids], lift_at=lift_at, work=work, code=code, reporter=c["reporter"][ids]
        )
        self.on_way.route(day, day + 1.0, fields, self.departments)  # what arrives today goes to the desks

    def handle(self, until: float) -> None:
        """Every desk handles its events before ``until`` (``DepartmentDesk.advance``)."""
        for desk in self.desks:
            desk.advance(until)

    def take_feedback(self) -> None:
        """The day's feedback, vectorised: closed cases go into the records, each reporter's trust moves.

        Feedback is applied in time order (``Outcomes.take_feedback``).
        """
        out = self.outcomes
        out.write_closed(self.rules.feedback_days)
        if out.reporters or out.spilled:
            self._update_trust(*out.take_feedback())

    def write_outcomes(self) -> None:
        """Write the cases still in department hands at the horizon into the incident records."""
        c = self.tickets.cols
        self.outcomes.write_closed(self.rules.feedback_days)
        started = [j for desk in self.desks for j in desk.in_hand() if j[START] >= 0]
        if started:
            i = np.array([j[CASE] for j in started], dtype=np.int64)
            c["t_handle_start"][i] = [j[START] for j in started]
            c["handle_days"][i] = [j[BUSY] for j in started]
            c["reopen_count"][i] = [j[K] for j in started]

    def _update_trust(self, reporter: np.ndarray, sat: np.ndarray) -> None:
        r, res = self.cfg.response, self.residents
        t = res.trust[reporter]
        res.trust[reporter] = np.where(sat, t + r.trust_gain * (1 - t), t - r.trust_loss * t)
