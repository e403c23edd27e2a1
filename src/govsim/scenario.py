"""The frozen Scenario: territory, demand and calendar as arrays, built once from a checked config.

Territory follows the "1+7+73+1330+N" position system of the seed article: city → counties → towns
(镇街) → communities (村居) → grids (网格). The town table is shipped data (``data/territory/*.csv``);
communities split a town's population evenly and each community holds ``round(pop / grid_size)``
grids (at least one). Grid demand varies around the mean by a lognormal factor drawn from the
``territory`` stream, which is what makes a demand heat map (群众诉求热点图) worth having.

Config → Scenario → Model: ``scenario_of(cfg)`` builds the world of a (scenario config, seed,
replication) from the ``territory`` stream alone, so it depends on no policy and draws nothing any
other process draws; build it once and hand it to ``GovernanceModel(cfg, scenario)`` for every policy
(the same records as building it afresh each time). Residents' traits have a stream of their own
(``residents``, drawn by the model, whose residents also carry run state such as trust).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from govsim.config import CATEGORIES, GovsimConfig, ScenarioConfig, ScheduleConfig
from govsim.officehours import OfficeHours, parse_hours
from govsim.officetime import WorkCalendar, build_calendar
from govsim.streams import stream

__all__ = ["Scenario", "ScenarioError", "Territory", "WorkCalendar", "build_scenario", "scenario_of"]

TERRITORY_COLUMNS = ("county", "county_kind", "town", "population", "communities")
COUNTY_KINDS = ("district", "county", "county_city")
"""County-level units of a prefecture-level city: 市辖区 (district), 县 (county), 县级市 (county_city)."""


class ScenarioError(ValueError):
    """A scenario cannot be built from its configuration or data (message names key and value)."""


@dataclass(frozen=True)
class Territory:
    """Counties, towns, communities and grids as parallel arrays (index = id)."""

    county_names: tuple[str, ...]
    county_population: np.ndarray
    town_names: tuple[str, ...]
    town_county: np.ndarray
    town_population: np.ndarray
    grid_town: np.ndarray
    grid_community: np.ndarray
    grid_population: np.ndarray
    grid_demand: np.ndarray  # relative demand weight, mean 1 over residents

    @property
    def n_grids(self) -> int:
        """Number of grids."""
        return len(self.grid_town)


@dataclass(frozen=True)
class Scenario:
    """Everything about the world a run needs, as arrays; policy-free and read-only."""

    cfg: ScenarioConfig
    territory: Territory
    calendar: WorkCalendar
    department_hours: OfficeHours | None  # None: 7x24 (scenario.office_hours false)
    centre_hours: OfficeHours | None
    categories: tuple[str, ...]
    departments: tuple[str, ...]
    cat_share: np.ndarray
    cat_severity: np.ndarray  # (C, 3) probabilities of initial severity 1..3
    cat_growth_days: np.ndarray
    cat_visibility: np.ndarray
    cat_propensity: np.ndarray
    cat_onsite: np.ndarray
    cat_department: np.ndarray
    cat_handling_days: np.ndarray
    cat_deadline: np.ndarray
    cat_priority: np.ndarray
    dept_route_days: np.ndarray
    dept_staff_per_100k: np.ndarray
    cat_weekday_rate: np.ndarray  # (C, 7) multipliers of the daily rate, Monday first
    cat_month_rate: np.ndarray  # (C, 12) multipliers of the daily rate, January first
    key: tuple[int, int] | None = None  # (seed, replication) of the territory stream; None: built by hand

    def rate_multipliers(self, day: int) -> np.ndarray:
        """Each category's rate multiplier on day ``day`` (days since start), shape (C,)."""
        d = self.calendar.date_of(day)
        return self.cat_weekday_rate[:, d.weekday()] * self.cat_month_rate[:, d.month - 1]

    @functools.cached_property
    def population(self) -> int:
        """Total residents (summed once: the false reports read it every simulated day)."""
        return int(self.territory.grid_population.sum())


def territory_path(name: str) -> Path:
    """Resolve a territory name (shipped CSV stem) or a path to a CSV file."""
    p = Path(name)
    if p.suffix == ".csv":
        if not p.is_file():
            raise ScenarioError(f"scenario.territory={name!r}: file not found")
        return p
    shipped = resources.files("govsim") / "data" / "territory" / f"{name}.csv"
    if not shipped.is_file():
        known = sorted(
            f.name[:-4]
            for f in (resources.files("govsim") / "data" / "territory").iterdir()
            if f.name.endswith(".csv")
        )
        raise ScenarioError(
            f"scenario.territory={name!r}: unknown; allowed: {', '.join(known)} or a .csv path"
        )
    return Path(str(shipped))


def read_towns(path: Path) -> list[dict[str, str]]:
    """Read and check the town table (columns ``TERRITORY_COLUMNS``).

    UTF-8 with or without the byte-order mark Excel writes ("CSV UTF-8"). Refused (``ScenarioError``):
    a bad header, a row with more or fewer fields than the header, an empty county or town name, a
    ``county_kind`` not in ``COUNTY_KINDS``, a town listed twice in a county, counts that are not
    integers > 0, and more communities than residents in a town.
    """
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = tuple(next(reader, ()))
        body = list(reader)
    if header != TERRITORY_COLUMNS:
        raise ScenarioError(f"scenario.territory={str(path)!r}: header must be {','.join(TERRITORY_COLUMNS)}")
    rows: list[dict[str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for i, cells in enumerate(body, start=2):
        if not cells:
            continue  # a blank line (a trailing newline in a spreadsheet export)
        if len(cells) != len(TERRITORY_COLUMNS):
            raise ScenarioError(
                f"scenario.territory line {i}: {len(cells)} fields; allowed: {len(TERRITORY_COLUMNS)} "
                f"({','.join(TERRITORY_COLUMNS)})"
            )
        r = dict(zip(TERRITORY_COLUMNS, cells, strict=True))
        for col in ("county", "town"):
            if not r[col].strip():
                raise ScenarioError(
                    f"scenario.territory line {i}: {col}={r[col]!r}; allowed: a non-empty name"
                )
        if r["county_kind"] not in COUNTY_KINDS:
            raise ScenarioError(
                f"scenario.territory line {i}: county_kind={r['county_kind']!r}; "
                f"allowed: {', '.join(COUNTY_KINDS)}"
            )
        for col in ("population", "communities"):
            v = r[col]
            if not (v or "").isdigit() or int(v) <= 0:
                raise ScenarioError(f"scenario.territory line {i}: {col}={v!r}; allowed: an integer > 0")
        if int(r["communities"]) > int(r["population"]):
            raise ScenarioError(
                f"scenario.territory line {i}: communities={r['communities']}; allowed: at most the "
                f"town's population ({r['population']})"
            )
        where = (r["county"].strip(), r["town"].strip())
        if where in seen:
            raise ScenarioError(
                f"scenario.territory line {i}: town={r['town']!r} in county {r['county']!r} is already on "
                f"line {seen[where]}; allowed: each town once"
            )
        seen[where] = i
        rows.append(r)
    if not rows:
        raise ScenarioError(f"scenario.territory={str(path)!r}: no towns; allowed: one row per town")
    return rows


def build_territory(cfg: ScenarioConfig, rng: np.random.Generator) -> Territory:
    """Expand the town table into communities and grids; draw grid demand weights."""
    rows = read_towns(territory_path(cfg.territory))
    counties = tuple(dict.fromkeys(r["county"] for r in rows))
    town_pop = np.array([round(int(r["population"]) * cfg.population_scale) for r in rows], dtype=np.int64)
    town_county = np.array([counties.index(r["county"]) for r in rows], dtype=np.int32)
    g_town, g_comm, g_pop = [], [], []
    comm_id = 0
    for t, r in enumerate(rows):
        n_comm = int(r["communities"])
        comm_pops = np.full(n_comm, town_pop[t] // n_comm)
        comm_pops[: town_pop[t] % n_comm] += 1
        for cp in comm_pops:
            n_g = max(1, round(cp / cfg.grid_size))
            gp = np.full(n_g, cp // n_g)
            gp[: cp % n_g] += 1
            g_town += [t] * n_g
            g_comm += [comm_id] * n_g
            g_pop += gp.tolist()
            comm_id += 1
    g_pop_arr = np.array(g_pop, dtype=np.int64)
    demand = rng.lognormal(-0.5 * cfg.demand_dispersion**2, cfg.demand_dispersion, len(g_pop_arr))
    demand *= g_pop_arr.sum() / (demand * g_pop_arr).sum()
    return Territory(
        county_names=counties,
        county_population=np.bincount(town_county, weights=town_pop).astype(np.int64),
        town_names=tuple(r["town"] for r in rows),
        town_county=town_county,
        town_population=town_pop,
        grid_town=np.array(g_town, dtype=np.int32),
        grid_community=np.array(g_comm, dtype=np.int32),
        grid_population=g_pop_arr,
        grid_demand=demand,
    )


def scenario_of(cfg: GovsimConfig) -> Scenario:
    """The world of ``cfg.scenario`` for ``cfg.seed`` and ``cfg.replication``: policy-free, reusable.

    Draws only from the ``territory`` stream (``streams.stream``); raises ``ScenarioError`` as
    ``build_scenario`` does.
    """
    sc = build_scenario(cfg.scenario, stream(cfg.seed, cfg.replication, "territory"))
    return dataclasses.replace(sc, key=(cfg.seed, cfg.replication))


def check_fits(sc: Scenario, cfg: GovsimConfig) -> None:
    """Raise ``ValueError`` unless ``sc`` is the world ``scenario_of(cfg)`` builds (config, seed, rep)."""
    if sc.key != (cfg.seed, cfg.replication):
        raise ValueError(
            f"scenario built for (seed, replication)={sc.key}; this run has ({cfg.seed}, {cfg.replication})"
        )
    if sc.cfg != cfg.scenario:
        raise ValueError("scenario built from another scenario config than this run's")


def build_scenario(cfg: ScenarioConfig, rng: np.random.Generator) -> Scenario:
    """Build the frozen Scenario from a validated ``ScenarioConfig``."""
    cats = tuple(c for c in CATEGORIES if c in cfg.categories) + tuple(
        c for c in cfg.categories if c not in CATEGORIES
    )
    cc = [cfg.categories[c] for c in cats]
    depts = tuple(cfg.departments)
    for name, c in zip(cats, cc, strict=True):
        if c.department not in cfg.departments:
            raise ScenarioError(
                f"scenario.categories.{name}.department={c.department!r}; allowed: {', '.join(depts)}"
            )
    share = np.array([c.share for c in cc])
    centre = parse_hours(cfg.centre_hours.hours, "scenario.centre_hours.hours")
    close = centre[-1][1] if cfg.office_hours and not cfg.centre_hours.every_day else 1.0
    calendar = build_calendar(cfg.start_date, list(cfg.holidays), cfg.calendar_file, close)
    return Scenario(
        cfg=cfg,
        territory=build_territory(cfg, rng),
        calendar=calendar,
        department_hours=_hours(cfg, calendar, cfg.department_hours, "department_hours"),
        centre_hours=_hours(cfg, calendar, cfg.centre_hours, "centre_hours"),
        categories=cats,
        departments=depts,
        cat_share=share / share.sum(),
        cat_severity=np.array([c.severity_probs for c in cc], dtype=np.float64),
        cat_growth_days=np.array([c.growth_days for c in cc]),
        cat_visibility=np.array([c.visibility for c in cc]),
        cat_propensity=np.array([c.report_propensity for c in cc]),
        cat_onsite=np.array([c.onsite_possible for c in cc]),
        cat_department=np.array([depts.index(c.department) for c in cc], dtype=np.int32),
        cat_handling_days=np.array([c.handling_days for c in cc]),
        cat_deadline=np.array([c.deadline_working_days for c in cc], dtype=np.int64),
        cat_priority=np.array([c.priority for c in cc], dtype=np.int64),
        dept_route_days=np.array([cfg.departments[d].route_days for d in depts]),
        dept_staff_per_100k=np.array([cfg.departments[d].staff_per_100k for d in depts]),
        cat_weekday_rate=np.array([c.weekday_rate for c in cc], dtype=np.float64).reshape(len(cc), 7),
        cat_month_rate=np.array([c.month_rate for c in cc], dtype=np.float64).reshape(len(cc), 12),
    )


def _hours(cfg: ScenarioConfig, cal: WorkCalendar, sched: ScheduleConfig, key: str) -> OfficeHours | None:
    """A unit kind's office hours over the calendar, or None (7x24) when office hours are off."""
    if not cfg.office_hours:
        return None
    return OfficeHours.build(cal, parse_hours(sched.hours, f"scenario.{key}.hours"), sched.every_day)


def schematic_layout(tr: Territory, blocks_per_row: int = 9) -> tuple[np.ndarray, np.ndarray]:
    """Cell coordinates (x, y) of each grid on a schematic map (not geography).

    A square block per town, towns in county order, ``blocks_per_row`` blocks a row, one empty cell
    between blocks.
    """
    n_towns = len(tr.town_names)
    per_town = np.bincount(tr.grid_town, minlength=n_towns)
    side = int(np.ceil(np.sqrt(per_town.max())))
    x = np.empty(tr.n_grids, dtype=np.int64)
    y = np.empty(tr.n_grids, dtype=np.int64)
    for town in range(n_towns):
        g = np.flatnonzero(tr.grid_town == town)
        bx, by = (town % blocks_per_row) * (side + 1), (town // blocks_per_row) * (side + 1)
        k = np.arange(len(g))
        x[g], y[g] = bx + k % side, by + k // side
    return x, y
