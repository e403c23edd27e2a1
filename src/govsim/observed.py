"""Observed KPIs by one definition, for a real log and for simulated records alike.

``from_records`` turns simulated records into the observed-incident table of ``govsim.logs`` (what a
city's export of the simulated year would hold); ``observed_kpis`` computes the KPI table from that
table, so a real log and a simulation go through the same function (one code path). Interface for
unification with the practice KPI module: ``observed_kpis(table, window) -> tidy DataFrame`` with
columns ``kpi, group, value``; ``group`` is ``all`` or a category / channel name for the mixes.

Definitions (a ticket counts if reported in the window's [start, end); open ones are censored at its
``as_of``, the extract time; times in days):

- ``volume_per_day`` / ``_week`` / ``_month``: tickets reported, duplicates included, per day of the
  window, times 7 and 365.25/12.
- ``category_share`` / ``channel_share``: mix of non-duplicate tickets.
- ``on_time_rate`` (按期办结率): of non-duplicate tickets with a deadline whose outcome is known at
  ``as_of`` — handled, or still unhandled past the deadline (counted overdue) — the share handled by
  the deadline. Unhandled tickets whose deadline is after ``as_of`` are left out (not yet decided).
- ``resolution_median`` / ``resolution_rmean`` / ``resolution_p90``: report to close of non-duplicate
  tickets, open ones right-censored at ``as_of``, from the Kaplan–Meier estimate
  (``scipy.stats.ecdf`` on ``CensoredData``); the restricted mean is the area under the survival
  curve up to ``RMEAN_DAYS``. NaN where the curve does not fall that far.
- ``open_share``: non-duplicate tickets still open at ``as_of``; ``duplicate_share``: tickets flagged
  duplicate, of all tickets.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from govsim import records
from govsim.config import CHANNELS
from govsim.logs import FIELDS
from govsim.records import Records

RMEAN_DAYS = 30.0
"""Horizon of the restricted mean resolution time (days): assumed, above the 13-working-day complaint
limit (sources.md §4) so that on-time and late cases both count, and below the length of a
one-month export so that the curve is still observed there."""
DAY = pd.Timedelta(days=1)
SCALAR_KPIS: tuple[str, ...] = (
    "tickets",
    "volume_per_day",
    "volume_per_week",
    "volume_per_month",
    "on_time_rate",
    "resolution_median",
    "resolution_rmean",
    "resolution_p90",
    "open_share",
    "duplicate_share",
)


class Window(NamedTuple):
    """Tickets reported in [start, end) count; open ones are censored at ``as_of`` (≥ end)."""

    start: pd.Timestamp
    end: pd.Timestamp
    as_of: pd.Timestamp


def from_records(rec: Records, start_date: str = "2024-01-01") -> tuple[pd.DataFrame, Window]:
    """Simulated tickets reported after the warm-up as an observed-incident table, and its window.

    Day ``t`` of the run is ``start_date + t days``; the window is [warm-up, horizon). A merged
    duplicate counts as closed when triage merged it. False reports stay (a real log holds them too).
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
            "deadline": when(inc["deadline"]),
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


def observed_window(table: pd.DataFrame, as_of: pd.Timestamp) -> Window:
    """The window of a real log: whole days from its first report to its last, censored at ``as_of``."""
    start = pd.Timestamp(table["reported"].min()).floor("D")
    end = pd.Timestamp(table["reported"].max()).floor("D") + DAY
    as_of = pd.Timestamp(as_of)
    return Window(start, min(end, as_of), as_of)


def observed_kpis(table: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The KPI table (columns ``kpi, group, value``) of an observed-incident table over ``window``.

    Raises ``ValueError`` if the window is empty or no ticket was reported in it.
    """
    start, end, as_of = window
    days = (end - start) / DAY
    t = table[(table["reported"] >= start) & (table["reported"] < end)]
    if days <= 0 or t.empty or as_of < end:
        raise ValueError(f"no ticket reported in the window {start} – {end} (censored at {as_of})")
    real = t[~t["duplicate"]]
    values = {
        "tickets": float(len(t)),
        "volume_per_day": len(t) / days,
        "volume_per_week": 7 * len(t) / days,
        "volume_per_month": 365.25 / 12 * len(t) / days,
        "on_time_rate": on_time_rate(real, as_of),
        **resolution(real, as_of),
        "open_share": float((real["closed"].isna() | (real["closed"] > as_of)).mean()),
        "duplicate_share": float(t["duplicate"].mean()),
    }
    rows = [(k, "all", values[k]) for k in SCALAR_KPIS]
    for col in ("category", "channel"):
        mix = real[col].value_counts(normalize=True).sort_index()
        rows += [(f"{col}_share", str(g), float(v)) for g, v in mix.items()]
    return pd.DataFrame(rows, columns=["kpi", "group", "value"])


def on_time_rate(real: pd.DataFrame, as_of: pd.Timestamp) -> float:
    """Share handled by the deadline; open and past the deadline counts overdue; undecided left out."""
    t = real[real["deadline"].notna()]
    done = t["handled"].notna() & (t["handled"] <= as_of)
    decided = done | (t["deadline"] < as_of)
    if not decided.any():
        return float("nan")
    return float((done & (t["handled"] <= t["deadline"]))[decided].mean())


def resolution(real: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, float]:
    """Median, restricted mean (to ``RMEAN_DAYS``) and p90 of report-to-close days, open cases censored."""
    sf = survival(real, as_of)
    if sf is None:
        return {"resolution_median": np.nan, "resolution_rmean": np.nan, "resolution_p90": np.nan}
    x, s = sf
    return {
        "resolution_median": _quantile(x, s, 0.5),
        "resolution_rmean": restricted_mean(x, s, RMEAN_DAYS),
        "resolution_p90": _quantile(x, s, 0.9),
    }


def survival(real: pd.DataFrame, as_of: pd.Timestamp) -> tuple[np.ndarray, np.ndarray] | None:
    """Kaplan–Meier survival of report-to-close days: (times, S just after each time), or None if empty.

    A case closed after ``as_of`` (possible in simulated records cut at a window) is open at ``as_of``.
    """
    done = real["closed"].notna() & (real["closed"] <= as_of)
    closed_days = ((real["closed"] - real["reported"]) / DAY)[done].to_numpy(dtype=float)
    open_days = ((as_of - real["reported"]) / DAY)[~done].to_numpy(dtype=float)
    if closed_days.size == 0:
        return None
    data = stats.CensoredData(uncensored=closed_days, right=open_days)
    res = stats.ecdf(data).sf
    return np.asarray(res.quantiles, dtype=float), np.asarray(res.probabilities, dtype=float)


def _quantile(x: np.ndarray, s: np.ndarray, q: float) -> float:
    """Smallest time at which the survival has fallen to 1 − q or below (NaN if it never does)."""
    hit = np.flatnonzero(s <= 1.0 - q + 1e-12)
    return float(x[hit[0]]) if hit.size else float("nan")


def restricted_mean(x: np.ndarray, s: np.ndarray, tau: float) -> float:
    """Area under the right-continuous step survival curve on [0, tau] (days)."""
    edges = np.concatenate([[0.0], np.minimum(x, tau), [tau]])
    heights = np.concatenate([[1.0], s])
    return float(np.sum(heights * np.diff(edges).clip(min=0.0)))


def kpi_series(kpis: pd.DataFrame) -> pd.Series:
    """The KPI table keyed ``kpi`` (scalar) or ``kpi[group]`` (mixes), for side-by-side tables."""
    keys = [k if g == "all" else f"{k}[{g}]" for k, g in zip(kpis["kpi"], kpis["group"], strict=True)]
    return pd.Series(kpis["value"].to_numpy(), index=keys)
