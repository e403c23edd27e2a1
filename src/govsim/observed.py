"""The KPI table of a real log and of simulated records, by one code path: ``govsim.kpis.compute``.

A log read by ``govsim.logs`` (the observed-incident table, timestamps) becomes a table of ticket records
in ``kpis.RECORD_COLUMNS`` form (``log_records``: days since the window's start; ``duplicate`` →
``duplicate_of``; ``handled`` → ``t_handle_end``; ``closed`` → ``t_close``; every ticket with a deadline
counts as dispatched). Simulated records are such a table already (``sim_records`` adds the category
and channel names). ``kpi_table`` then computes, for either:

- every KPI of ``govsim.kpis`` (``kpis.compute`` over the period, open tickets censored at its end), under
  the KPI module's names (``on_time_rate``, ``resolution_median``, ``resolution_mean`` …); a KPI whose
  columns a log lacks (on-site resolution, feedback, escalation …) is NaN;
- ``tickets`` and ``volume_per_day`` / ``_week`` / ``_month``: tickets reported in the period,
  duplicates and false reports included (a log cannot tell a false report), per day, × 7, × 365.25/12;
- ``duplicate_share``: duplicates of all tickets reported;
- ``<rate>_num`` / ``<rate>_den`` for every rate, as in ``kpis.csv``, so that tables pool exactly;
- ``category_share[name]`` / ``channel_share[name]``: mix of the period's real tickets (``kpis.is_real``).

``resolution_rmean`` (the restricted mean to a fixed 30 days of the first log reader) is gone: its name is
kept as an alias of ``resolution_mean`` (``ALIASES``), so older calibration specs still read.

A log's period is from its first report's day to the extract time ``as_of`` (open cases are censored
there); volumes are per day of ``[start, end)``, whole days from the first report to the last.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from govsim import kpis, records
from govsim.config import CHANNELS
from govsim.logs import FIELDS, LogMapping
from govsim.records import Records

DAY = pd.Timedelta(days=1)
VOLUME_KPIS: tuple[str, ...] = ("tickets", "volume_per_day", "volume_per_week", "volume_per_month")
SCALAR_KPIS: tuple[str, ...] = (*VOLUME_KPIS, *(k.key for k in kpis.DEFINITIONS), "duplicate_share")
"""Scalar KPIs of ``kpi_table``, in order; then mixes ``category_share[name]``, ``channel_share[name]``."""
ALIASES: dict[str, str] = {"resolution_rmean": "resolution_mean"}
"""Old names still accepted (calibration specs): alias → the KPI module's name."""


class Window(NamedTuple):
    """Tickets reported in [start, end) count; open ones are censored at ``as_of`` (≥ end)."""

    start: pd.Timestamp
    end: pd.Timestamp
    as_of: pd.Timestamp


def from_records(rec: Records, start_date: str = "2024-01-01") -> tuple[pd.DataFrame, Window]:
    """Simulated tickets reported after the warm-up as an observed-incident table, and its window.

    What a city's export of the simulated period would hold. Day ``t`` of the run is ``start_date + t``
    days; the window is [warm-up, horizon). A merged duplicate counts as closed when triage merged it.
    False reports stay (a real log holds them too). A case resolved on site was never dispatched, so it
    has no handling deadline in the export.
    """
    t0 = pd.Timestamp(start_date)
    inc = records.after_warmup(rec.incidents, rec.warmup)

    def when(days: pd.Series) -> pd.Series:
        return (t0 + pd.to_timedelta(days.to_numpy(), unit="D")).astype("datetime64[ns]")

    merged = records.merged(inc).to_numpy()
    closed = inc["t_close"].where(~merged, inc["t_triage_end"].fillna(inc["t_report"]))
    table = pd.DataFrame(
        {
            "id": inc["incident_id"].astype(str).to_numpy(),
            "reported": when(inc["t_report"]),
            "deadline": when(inc["deadline"].where(inc["department"] >= 0)),
            "handled": when(inc["t_handle_end"]),
            "closed": when(closed),
            "category": np.asarray(rec.categories, dtype=object)[inc["category"].to_numpy()],
            "channel": np.asarray(CHANNELS, dtype=object)[inc["channel"].to_numpy()],
            "town": np.asarray(rec.towns, dtype=object)[inc["town"].to_numpy()],
            "status": np.where(closed.notna().to_numpy(), "closed", "open"),
            "duplicate": (inc["duplicate_of"] >= 0).to_numpy(),
        }
    )
    end = t0 + rec.horizon * DAY
    return table[list(FIELDS)], Window(t0 + rec.warmup * DAY, end, end)


def through_mapping(table: pd.DataFrame, mapping: LogMapping) -> pd.DataFrame:
    """An observed-incident table (``from_records``) as far as ``mapping``'s layout can carry it.

    What the table's export in that layout, read back (``logs.write_log``, ``logs.read_log``), holds,
    times kept exact: a field the mapping lacks is what ``read_log`` fills in (no ``handled`` column:
    handling ends at the close, so on-time is judged at the close; no ``deadline``: NaT; no
    ``category`` or ``channel``: ``other``); a category or channel name the mapping's table cannot name
    is ``other`` (``unknown_*: other``) or its row is dropped, as the log refuses it (``refuse``). Used
    so that a simulated run is compared like for like with a log of that layout (``govsim-log
    compare``). Returns a new table of ``OBSERVED_SCHEMA``; the rows kept keep their index.
    """
    cols, out = mapping.columns, table.copy()
    keep = pd.Series(True, index=out.index)
    if "closed" not in cols:
        if "status" in cols:  # a closed case without a close time is refused by read_log
            keep &= out["status"] != "closed"
        out["closed"], out["status"] = pd.NaT, "open"
    if "handled" not in cols:
        out["handled"] = out["closed"]
    if "deadline" not in cols:
        out["deadline"] = pd.NaT
    if "town" not in cols:
        out["town"] = np.nan
    if "duplicate" not in cols or not mapping.duplicate_values:
        out["duplicate"] = False
    for name, named, policy in (
        ("category", mapping.categories, mapping.unknown_category),
        ("channel", mapping.channels, mapping.unknown_channel),
    ):
        if name not in cols:
            out[name] = "other"
        elif named:
            nameable = out[name].isin(set(named.values()))
            keep &= nameable | (policy == "other")
            out[name] = out[name].where(nameable, "other")
    return out[keep]


def observed_window(table: pd.DataFrame, as_of: pd.Timestamp) -> Window:
    """The window of a real log: whole days from its first report to its last, censored at ``as_of``."""
    start = pd.Timestamp(table["reported"].min()).floor("D")
    end = pd.Timestamp(table["reported"].max()).floor("D") + DAY
    as_of = pd.Timestamp(as_of)
    return Window(start, min(end, as_of), as_of)


def log_records(table: pd.DataFrame, t0: pd.Timestamp) -> pd.DataFrame:
    """An observed-incident table as ticket records (``kpis.RECORD_COLUMNS`` it can fill), days since ``t0``.

    A log has no handling start, feedback, on-site or escalation columns: those KPIs come out NaN.
    """

    def days(col: str) -> np.ndarray:
        return ((table[col] - t0) / DAY).to_numpy(dtype=float)

    deadline = days("deadline")
    return pd.DataFrame(
        {
            "t_report": days("reported"),
            "t_handle_end": days("handled"),
            "t_close": days("closed"),
            "deadline": deadline,
            "department": np.where(np.isnan(deadline), -1, 0),  # dispatched with a time limit
            "duplicate_of": np.where(table["duplicate"].to_numpy(bool), 0, -1),
            "category": table["category"].to_numpy(dtype=object),
            "channel": np.where(table["channel"].to_numpy(dtype=object) == "patrol", 0, 1),  # kpis' coding
            "channel_name": table["channel"].to_numpy(dtype=object),
        }
    )


def sim_records(rec: Records) -> pd.DataFrame:
    """Simulated incident records with category and channel as names (the mixes' groups)."""
    inc = rec.incidents
    names = {
        "category": np.asarray(rec.categories, dtype=object)[inc["category"].to_numpy()],
        "channel_name": np.asarray(CHANNELS, dtype=object)[inc["channel"].to_numpy()],
    }
    return inc.assign(**names)


def kpi_table(
    records: pd.DataFrame,
    start: float,
    end: float,
    volume_end: float | None = None,
    calls: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The KPI table (columns ``kpi, group, value``) of ticket records over the period ``[start, end)`` days.

    ``volume_end`` (default ``end``) ends the period the volumes are averaged over. ``calls``: a
    simulated run's 12345 day table, passed on to ``kpis.compute`` (a log has none). Category and channel
    names are read from ``category`` and ``channel_name``. Raises
    ``ValueError`` if the period is empty or no ticket was reported in it.
    """
    vend = end if volume_end is None else volume_end
    rep = (records["t_report"] >= start) & (records["t_report"] < end)
    n, days = int(rep.sum()), vend - start
    if days <= 0 or n == 0:
        raise ValueError(f"no ticket reported in the period [{start:g}, {end:g}) days; allowed: a period "
                         "with at least one ticket reported")  # fmt: skip
    values = kpis.compute(records, start, end, calls=calls)
    dup = kpis.flag(records, "duplicate_of", -1)[rep] >= 0
    values |= {"tickets": float(n), "volume_per_day": n / days, "volume_per_week": 7 * n / days}
    values |= {"volume_per_month": 365.25 / 12 * n / days, "duplicate_share": float(dup.mean())}
    rows = [(k, "all", float(values[k])) for k in SCALAR_KPIS]
    rows += [(f"{k}_{p}", "all", float(values[f"{k}_{p}"])) for k in kpis.RATES for p in ("num", "den")]
    real = records[rep & kpis.is_real(records)]
    for kpi, col in (("category_share", "category"), ("channel_share", "channel_name")):
        mix = real[col].astype(str).value_counts(normalize=True).sort_index()
        rows += [(kpi, str(g), float(v)) for g, v in mix.items()]
    return pd.DataFrame(rows, columns=["kpi", "group", "value"])


def observed_kpis(table: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The KPI table of an observed-incident table (a log, or ``from_records``) over ``window``.

    The period runs from ``window.start`` to ``window.as_of`` (open cases censored there; a log holds no
    report after its extract time); volumes are per day of ``[start, end)``. ``ValueError`` if empty.
    """
    start, end, as_of = window
    if as_of < end:
        raise ValueError(f"window {start} – {end} censored at {as_of}, before its end")
    period = table[(table["reported"] >= start) & (table["reported"] < end)]
    return kpi_table(log_records(period, start), 0.0, (as_of - start) / DAY, (end - start) / DAY)


def simulated_kpis(rec: Records) -> pd.DataFrame:
    """The KPI table of a run's records over its measured period ``[warmup, horizon)``.

    With the run's 12345 day table (``rec.hotline``, hotline on), as the run's ``kpis.csv``
    (``metrics.kpi_table``): the hotline KPIs, and 直接办结率 with the consultations resolved at the seat.
    """
    return kpi_table(sim_records(rec), rec.warmup, rec.horizon, calls=rec.hotline)


def survival(records: pd.DataFrame, start: float, end: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Kaplan–Meier survival of report-to-close days of the period's real tickets, censored at ``end``.

    Returns (times, S just after each), or None if none closed; ``kpis.kaplan_meier``, as the KPIs use it.
    """
    t = records[kpis.is_real(records) & (records["t_report"] >= start) & (records["t_report"] < end)]
    close, rep = t["t_close"].to_numpy(float), t["t_report"].to_numpy(float)
    done = ~np.isnan(close) & (close <= end)
    if not done.any():
        return None
    return kpis.kaplan_meier(np.where(done, close, end) - rep, done)


def kpi_series(table: pd.DataFrame) -> pd.Series:
    """The KPI table keyed ``kpi`` (scalar) or ``kpi[group]`` (mixes), for side-by-side tables."""
    keys = [k if g == "all" else f"{k}[{g}]" for k, g in zip(table["kpi"], table["group"], strict=True)]
    return pd.Series(table["value"].to_numpy(), index=keys)
