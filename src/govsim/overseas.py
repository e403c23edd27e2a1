"""侨乡 demands: cases of overseas Chinese, reported from abroad, often needing several departments.

The seed article asks for a governance-centre brand "with 侨乡 features": Jiangmen's overseas Chinese are
many and widely spread, and their demands at home (property, inheritance, documents, family matters)
should get 一窗式受理、一站式服务、一揽子解决 — one window, one stop, one package. The model:

* **Arrival.** ``per_1000_year`` cases per 1,000 residents a year (Poisson per day, on their own stream
  ``overseas``, so no other draw moves), placed in grids by population (the family home). A share
  ``abroad_share`` is reported online (the app) from abroad during the reporter's local waking hours,
  which fall at night and early morning in Beijing (``abroad_offset_hours``): the case waits for the
  centre to open. The rest walk in at home during the day. They carry the scenario's category
  ``category`` (absent: the module is off), routed like any case to that category's department
  (the overseas-Chinese affairs office, 侨务).
* **Several departments.** A case needs 1, 2 or 3 departments (``departments_mix``). Without the lever
  each further department is reached by a referral back through the centre (``referral_days`` each,
  added before the case reaches its department's desk) and does its own full part, one after another:
  the desk's work is the sum of the parts. With ``policy.platform.qiao_window`` (侨情 one window) the case
  is taken as one package: no referrals, and each further part takes ``package_work`` of its work (one
  joint intake and one set of documents).

All figures are assumed (``config.OverseasConfig``; docs/levers.md). The mechanism is a simplification:
the further departments' parts are carried out at the 侨务 desk, in its staff time, rather than queued
at the other departments' desks.
"""

from __future__ import annotations

import numpy as np

from govsim.config import CHANNELS, GovsimConfig
from govsim.officehours import parse_hours
from govsim.streams import pick

APP, WALKIN = CHANNELS.index("app"), CHANNELS.index("walkin")


class Overseas:
    """Generates the day's overseas-Chinese cases into an ``IncidentLoop`` and shapes their referral chain."""

    def __init__(self, cfg: GovsimConfig, loop, rng: np.random.Generator) -> None:  # noqa: ANN001 - IncidentLoop
        oc = cfg.scenario.overseas
        self.oc, self.loop, self.rng = oc, loop, rng
        sc = loop.sc
        self.cat = sc.categories.index(oc.category)
        tr = sc.territory
        self.grid_cum = np.cumsum(tr.grid_population) / tr.grid_population.sum()
        self.rate = oc.per_1000_year * sc.population / 1000.0 / 365.0
        self.window = bool(cfg.policy.platform.qiao_window)
        self.hours = parse_hours(oc.abroad_hours, "scenario.overseas.abroad_hours")
        self.mix_cum = np.cumsum(np.asarray(oc.departments_mix, float) / sum(oc.departments_mix))
        self.sev_cum = np.cumsum(sc.cat_severity[self.cat] / sc.cat_severity[self.cat].sum())
        self.n_depts: dict[int, int] = {}  # ticket id → departments it needs (until it is routed)

    def _local_time(self, n: int) -> np.ndarray:
        """Uniform times within the local waking hours, as fractions of a day (local clock)."""
        lengths = np.array([b - a for a, b in self.hours])
        which = pick(np.cumsum(lengths / lengths.sum()), self.rng.random(n))
        start = np.array([a for a, _ in self.hours])[which]
        return start + self.rng.random(n) * lengths[which]

    def occur(self, day: int) -> None:
        """Add the day's overseas-Chinese cases as tickets reported today (abroad: in Beijing time)."""
        r, loop = self.rng, self.loop
        n = int(r.poisson(self.rate))
        if n == 0:
            return
        grid = pick(self.grid_cum, r.random(n))
        abroad = r.random(n) < self.oc.abroad_share
        local = self._local_time(n) + self.oc.abroad_offset_hours / 24.0
        home = 8.5 / 24.0 + r.random(n) * (9.0 / 24.0)  # walk-ins: 08:30–17:30, assumed office day
        t_report = day + np.where(abroad, local % 1.0, home)
        sev = 1 + pick(self.sev_cum, r.random(n))
        k = 1 + pick(self.mix_cum, r.random(n))
        reporter = loop.residents.pick(grid, r.random(n))
        ids = loop.open_tickets(
            grid,
            category_initial=self.cat,
            category=self.cat,
            channel=np.where(abroad, APP, WALKIN),
            severity_initial=sev,
            severity=sev,
            reporter=reporter,
            t_occur=t_report,
            t_report=t_report,
            petitioned=False,
        )
        loop._pend(ids)
        self.n_depts.update(zip(ids.tolist(), k.tolist(), strict=True))

    def refer(self, ids: np.ndarray) -> None:
        """Before dispatch: add the referral chain (or the package) to the overseas cases among ``ids``.

        Without the one window a case needing ``k`` departments reaches its desk ``(k − 1) ×
        referral_days`` later and carries ``k`` parts of work; with it, at once and with
        ``1 + (k − 1) × package_work`` parts. Each case is shaped once, when it is first routed.
        """
        if not self.n_depts:
            return
        c, d = self.loop.tickets.cols, self.loop.draws.cols
        mine = [i for i in ids.tolist() if i in self.n_depts]
        if not mine:
            return
        sel = np.array(mine, np.int64)
        k = np.array([self.n_depts.pop(i) for i in mine], float)
        if self.window:
            d["work"][sel] *= (1.0 + (k - 1.0) * self.oc.package_work)[:, None]
        else:
            d["work"][sel] *= k[:, None]
            c["t_dept_arrive"][sel] += (k - 1.0) * self.oc.referral_days


def make_overseas(cfg: GovsimConfig, loop, streams: dict) -> Overseas | None:  # noqa: ANN001 - IncidentLoop
    """The overseas-Chinese cases of a run, or None if the scenario has no such category or rate."""
    oc = cfg.scenario.overseas
    if oc.category not in loop.sc.categories or oc.per_1000_year <= 0:
        return None
    return Overseas(cfg, loop, streams["overseas"])
