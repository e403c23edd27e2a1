"""Records: the whole output schema in one place, columnar in memory, Parquet on disk.

Three grains (design.md §4): one row per incident ticket (``INCIDENT_SCHEMA``), one row per town and day
(``TIMESERIES_SCHEMA``), and one run record (``runner.RunRecord``). Stage timestamps are float days
since the start; a stage that has not happened by the horizon is NaN. Metrics are computed from these
tables afterwards (``metrics.py``), never inside the simulation.

On disk (``incidents.parquet``) each ticket also carries names and calendar dates beside the codes
(``govsim.recordfiles``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

import numpy as np
import pandas as pd

from govsim.config import CHANNELS

INCIDENT_SCHEMA: dict[str, tuple[str, str]] = {
    "incident_id": ("int64", "row key; real incidents and their duplicates first, false reports last"),
    "grid": ("int32", "grid (网格) index"),
    "community": ("int32", "community (村居) index"),
    "town": ("int32", "town (镇街) index"),
    "county": ("int32", "county/district index"),
    "category_initial": ("int8", "category at occurrence (index into run categories)"),
    "category": ("int8", "category handled as (a dispute grown to severity 3 is handled as a petition)"),
    "channel": ("int8", "index into config.CHANNELS: patrol, app, hotline, walkin, station, city_system"),
    "severity_initial": ("int8", "1 minor, 2 general, 3 major, at occurrence"),
    "severity": ("int8", "severity when reported (grows while undiscovered)"),
    "is_false": ("bool", "a report of something that did not happen"),
    "duplicate_of": ("int64", "incident_id of the original, -1 if not a duplicate"),
    "reporter": ("int64", "resident agent affected, -1 for false reports"),
    "t_occur": ("float64", "occurrence (latent from here)"),
    "t_report": ("float64", "found by patrol or reported by a resident (上报)"),
    "t_triage_start": ("float64", "centre starts triage"),
    "t_triage_end": ("float64", "centre ends triage and dispatches (流转)"),
    "t_dept_arrive": ("float64", "arrival at the right department after routing and mis-routes"),
    "t_handle_start": ("float64", "department starts handling (处置), first time"),
    "t_handle_end": ("float64", "handling completed (办结), last time; on-site resolution for on-site cases"),
    "t_close": ("float64", "feedback given and ticket closed (反馈)"),
    "handle_days": ("float64", "department staff time spent on the case over all handlings (busy time)"),
    "deadline": ("float64", "time limit (时限) for handling, in days since start; moved by an approved 延期"),
    "deadline_initial": ("float64", "the time limit before any extension (延期), days since start"),
    "extended": ("bool", "an extension (延期) was applied for and approved (govsim.extensions)"),
    "response_due": ("float64", "end of the response limit (响应时限) after dispatch; NaN if not dispatched"),
    "department": ("int32", "county*n_departments + department kind; -1 if never routed"),
    "n_misroutes": ("int8", "times routed to the wrong department and returned; 0 if not dispatched"),
    "on_site": ("bool", "resolved on the spot by the grid worker (就地化解)"),
    "reopen_count": ("int8", "times reopened after an unsatisfied feedback (返工)"),
    "satisfied": ("int8", "1 satisfied, 0 not, -1 no feedback yet"),
    "petitioned": ("bool", "became a petition (信访): grown while latent, or after unsatisfied feedback"),
    "escalation_level": ("int8", "highest rung reached: 0 none, 1 reminder, 2 supervision, 3 county, 4 city"),
    "overdue": ("bool", "handled after the deadline, or open at the horizon with the deadline reached"),
    "end_state": ("int8", "0 closed, 1 open (latent or in the backlog) at the horizon, 2 merged duplicate"),
    "triage_class": ("int8", "graded-triage (分类分层分级) class at the town centre, 0 first; -1 FCFS"),
}
NEGATIVE_MISSING = frozenset(
    {
        "grid",
        "community",
        "town",
        "county",
        "category_initial",
        "category",
        "channel",
        "severity_initial",
        "severity",
        "duplicate_of",
        "reporter",
        "department",
        "satisfied",
        "triage_class",
    }
)
"""Integer columns whose empty value is -1 (an index or flag not set); other integers start at 0."""


# ---- named codes of the integer-coded columns ----------------------------------------------------------
class EndState(IntEnum):
    """``end_state``: where a ticket stands at the horizon."""

    CLOSED = 0  # feedback given and closed (反馈)
    OPEN = 1  # latent, or reported and in the backlog
    MERGED = 2  # a duplicate merged at intake (set by the loop, kept by ``finalise``)


END_STATES: tuple[str, ...] = tuple(s.name.lower() for s in EndState)
"""``EndState`` names in code order: ``("closed", "open", "merged")``; labels: ``labels.END_STATE``."""


class Channel(IntEnum):
    """``channel``: index into ``config.CHANNELS`` (checked at import)."""

    PATROL = 0  # found by a grid worker's patrol (巡查)
    APP = 1
    HOTLINE = 2  # 12345
    WALKIN = 3
    STATION = 4  # 驿站
    CITY_SYSTEM = 5  # forwarded by a city system (数字城管 and the like)


if tuple(c.name.lower() for c in Channel) != CHANNELS:  # pragma: no cover - a schema edit out of step
    raise ImportError(
        f"records.Channel {[c.name for c in Channel]} is out of step with config.CHANNELS {CHANNELS}"
    )


class Rung(IntEnum):
    """``escalation_level``: the highest rung of the escalation ladder reached (sources.md §4)."""

    NONE = 0
    REMINDER = 1  # 催办, the next working day after the deadline
    SUPERVISION = 2  # 督办
    COUNTY = 3  # lifted to the county (where city–county liaison helps)
    CITY = 4


class Satisfied(IntEnum):
    """``satisfied``: the resident's answer at feedback."""

    NO_FEEDBACK = -1
    NO = 0
    YES = 1


TIME_FIELDS: tuple[str, ...] = tuple(k for k in INCIDENT_SCHEMA if k.startswith("t_"))

TIMESERIES_SCHEMA: dict[str, tuple[str, str]] = {
    "day": ("int32", "day index"),
    "town": ("int32", "town index"),
    "arrivals": ("int64", "tickets reported this day"),
    "closures": ("int64", "tickets closed this day"),
    "backlog": ("int64", "tickets reported and not closed or merged at the end of the day"),
    "latent": ("int64", "incidents occurred and not yet reported at the end of the day"),
    "task_hours": ("float64", "grid-worker hours on admitted tasks (入格事项), daily share of the week"),
    "training_hours": ("float64", "grid-worker hours in training"),
    "onsite_hours": ("float64", "grid-worker hours resolving cases on site"),
    "patrol_hours": ("float64", "grid-worker hours on patrol (巡查)"),
}


class Columns:
    """Growable columnar buffer: ``schema`` maps a name to (dtype, description) or (dtype, width)."""

    def __init__(self, schema: dict[str, tuple[str, str | int]], capacity: int = 1024) -> None:
        self.schema = schema
        self.n = 0
        self.cols: dict[str, np.ndarray] = {k: self._empty(k, capacity) for k in schema}

    def _empty(self, name: str, size: int) -> np.ndarray:
        dtype, extra = self.schema[name]
        shape = (size, extra) if isinstance(extra, int) else (size,)
        if dtype == "float64":
            return np.full(shape, np.nan)
        return np.full(shape, -1 if name in NEGATIVE_MISSING else 0, dtype=dtype)

    def add(self, n: int, **values: np.ndarray | float | bool) -> np.ndarray:
        """Append ``n`` rows with the given column values; other columns keep their empty value.

        Growing reallocates, so callers look columns up in ``cols`` at use, never keep them.
        """
        need = self.n + n
        cap = len(next(iter(self.cols.values())))
        if need > cap:
            for k in self.schema:
                grown = self._empty(k, max(need, 2 * cap))
                grown[: self.n] = self.cols[k][: self.n]
                self.cols[k] = grown
        ids = np.arange(self.n, need)
        for k, v in values.items():
            self.cols[k][self.n : need] = v  # a slice: a fancy index of ``ids`` cost 7x as much a column
        self.n = need
        return ids


@dataclass
class Records:
    """What a run leaves: incident tickets, the town-day time series, and labels to decode indices."""

    incidents: pd.DataFrame
    timeseries: pd.DataFrame
    grids: pd.DataFrame  # grid, town, county, county_name, population, x, y (schematic map cell)
    categories: tuple[str, ...]
    departments: tuple[str, ...]
    towns: tuple[str, ...]
    counties: tuple[str, ...]
    horizon: float
    warmup: float
    hotline: pd.DataFrame | None = None  # 12345 day table (govsim.hotline.SUMMARY) if the hotline is on

    @property
    def measured_years(self) -> float:
        """The measured period ``[warmup, horizon)`` in years of 365 days: what per-year rates divide by."""
        return (self.horizon - self.warmup) / 365.0


def incident_frame(cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """A DataFrame with exactly the schema's columns and dtypes, in schema order."""
    data = {k: np.asarray(cols[k]).astype(dt, copy=False) for k, (dt, _) in INCIDENT_SCHEMA.items()}
    return pd.DataFrame(data, copy=False)


class Calendar(Protocol):
    """What the escalation ladder needs of ``officetime.WorkCalendar``."""

    def past_deadline(self, deadline: np.ndarray, k: np.ndarray | int) -> np.ndarray:
        """End of the ``k``-th working day after each deadline (days)."""
        ...


def escalation_ladder(
    calendar: Calendar, deadline: np.ndarray, working_days: list[int] | np.ndarray
) -> np.ndarray:
    """Times (days, shape ``(n, len(working_days))``) of the escalation ladder's rungs after each deadline.

    Rung ``k`` (``Rung``, 1-based) is reached at the end of the ``working_days[k-1]``-th working day after
    the deadline (``scenario.escalation_working_days``; sources.md §4: reminder the next working day,
    supervision 5 days later). A case still unfinished at a rung's time has reached it (``finalise``);
    the liaison lever acts on cases at ``Rung.COUNTY`` (``incidents``). The one place the ladder is built.
    """
    rungs = np.asarray(working_days)
    return calendar.past_deadline(np.asarray(deadline)[:, None], rungs[None, :])


def finalise(cols: dict[str, np.ndarray], horizon: float, esc: np.ndarray) -> dict[str, np.ndarray]:
    """Blank stages after the horizon, then derive escalation level, overdue flag and end state.

    A ticket not dispatched by the horizon (``t_triage_end`` NaN) has no misroute (``n_misroutes`` 0).

    ``esc`` holds each ticket's escalation-ladder times (n, rungs) from ``escalation_ladder`` (``inf``
    where not routed): a rung is reached when the case is still unfinished at that time.
    """
    for k in TIME_FIELDS:
        v = cols[k]
        v[v > horizon] = np.nan
    # misroutes are drawn when triage is scheduled; a ticket whose triage ends after the horizon was never
    # dispatched (派单), so it was never sent to a wrong department
    cols["n_misroutes"] = np.where(np.isnan(cols["t_triage_end"]), 0, cols["n_misroutes"]).astype(np.int8)
    done = cols["t_handle_end"]
    finish = np.where(np.isnan(done), horizon, done)
    merged = cols["end_state"] == EndState.MERGED  # set by the loop when a duplicate is merged at intake
    routed = cols["department"] >= 0
    cols["escalation_level"] = np.where(routed, (esc < finish[:, None]).sum(axis=1), Rung.NONE)
    # as 逾期率 counts (govsim.kpimasks): not handled by the deadline; a case still open at the horizon is
    # overdue once its deadline is reached, including a deadline at the horizon itself (the last day's end)
    cols["overdue"] = routed & np.where(np.isnan(done), cols["deadline"] <= horizon, done > cols["deadline"])
    closed = ~np.isnan(cols["t_close"])
    cols["end_state"] = np.where(merged, EndState.MERGED, np.where(closed, EndState.CLOSED, EndState.OPEN))
    return cols


def before_horizon(cols: dict[str, np.ndarray], horizon: float) -> dict[str, np.ndarray]:
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


# ---- shared filters ------------------------------------------------------------------------------------
def _flag(inc: pd.DataFrame, col: str, default: object) -> pd.Series:
    """A column, or ``default`` on every row if the table lacks it (an observed log without such flags)."""
    return inc[col] if col in inc.columns else pd.Series(default, index=inc.index)


def real(inc: pd.DataFrame) -> pd.Series:
    """Boolean per row: a real incident's own ticket, i.e. neither a false report nor a duplicate ticket.

    Every module means this by "real" (KPIs, plots, teaching, costs, the time series): duplicates are
    excluded whether merged at intake or not. A table without ``is_false`` / ``duplicate_of`` (an
    observed log) counts every row as real.
    """
    return ~_flag(inc, "is_false", False).astype(bool) & (_flag(inc, "duplicate_of", -1) < 0)


def merged(inc: pd.DataFrame) -> pd.Series:
    """Boolean per row: a duplicate merged at intake (``EndState.MERGED``)."""
    return inc["end_state"] == EndState.MERGED


def closed(inc: pd.DataFrame) -> pd.Series:
    """Boolean per row: closed by the horizon (``EndState.CLOSED``)."""
    return inc["end_state"] == EndState.CLOSED


def after_warmup(inc: pd.DataFrame, warmup: float) -> pd.DataFrame:
    """The tickets reported in the measured period: ``t_report >= warmup`` (days); a filtered view."""
    return inc[inc["t_report"] >= warmup]


# ---- the town-day time series --------------------------------------------------------------------------
def town_day_series(inc: pd.DataFrame, time_use: np.ndarray, n_towns: int) -> pd.DataFrame:
    """The ``TIMESERIES_SCHEMA`` table from the incident table and grid-worker time use.

    ``time_use``: hours per (day, 4, town): admitted tasks, training, on site, patrol. Per day and town:
    tickets reported (arrivals), closed (merged duplicates close on the day reported and are not counted
    as closures), the backlog (reported, not closed or merged) and latent real incidents (occurred, not
    reported), each at the end of the day.
    """
    n_days = len(time_use)
    town = inc["town"].to_numpy()

    def per_day(t: np.ndarray, mask: np.ndarray) -> np.ndarray:
        day = np.floor(t[mask]).astype(np.int64)
        ok = day < n_days
        return np.bincount(day[ok] * n_towns + town[mask][ok], minlength=n_days * n_towns).reshape(
            n_days, n_towns
        )

    t_rep, t_occ = inc["t_report"].to_numpy(), inc["t_occur"].to_numpy()
    is_merged, is_real = merged(inc).to_numpy(), real(inc).to_numpy()
    t_end = np.where(is_merged, t_rep, inc["t_close"].to_numpy())
    arrivals = per_day(t_rep, ~np.isnan(t_rep))
    closures = per_day(t_end, ~np.isnan(t_end))
    merged_daily = per_day(t_rep, is_merged)
    occurred = per_day(t_occ, ~np.isnan(t_occ) & is_real)
    reported_real = per_day(t_rep, ~np.isnan(t_rep) & is_real)
    use = np.asarray(time_use).reshape(n_days, 4, n_towns)
    day_idx, town_idx = np.meshgrid(np.arange(n_days), np.arange(n_towns), indexing="ij")
    data = {
        "day": day_idx.ravel(),
        "town": town_idx.ravel(),
        "arrivals": arrivals.ravel(),
        "closures": (closures - merged_daily).ravel(),
        "backlog": (np.cumsum(arrivals, axis=0) - np.cumsum(closures, axis=0)).ravel(),
        "latent": (np.cumsum(occurred, axis=0) - np.cumsum(reported_real, axis=0)).ravel(),
        "task_hours": use[:, 0].ravel(),
        "training_hours": use[:, 1].ravel(),
        "onsite_hours": use[:, 2].ravel(),
        "patrol_hours": use[:, 3].ravel(),
    }
    return pd.DataFrame({k: np.asarray(data[k]).astype(dt) for k, (dt, _) in TIMESERIES_SCHEMA.items()})
