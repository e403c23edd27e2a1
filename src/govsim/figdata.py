"""What the run's figures draw, computed from the records without Matplotlib.

The resolution-time histograms (``resolution_histograms``) and the grid report rates of the demand heat
map (``hotspot_rate``) are small aggregates of the incident table. The ``govsim`` command computes them
in its own process and sends only them to the figure worker (``runner.figure_data``), not the incident
columns they come from; ``govsim.plots`` draws them and re-exports these functions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from govsim import records


def resolution_histograms(inc: pd.DataFrame, n_categories: int) -> tuple[np.ndarray, list[np.ndarray | None]]:
    """Report-to-close days of closed real incidents: 39 log-spaced bins and each category's shares.

    Returns ``(edges, shares)``: 40 bin edges in days from the shortest to the longest time (each
    clipped below at 0.001 d: hours-long on-site cases and months-long petitions on one axis, nothing
    clipped above), and per category code the share of its closed incidents in each bin (summing to 1),
    or None for a category with none. Bins are half-open ``[a, b)``, the last closed, as ``np.histogram``.
    Counted in one ``bincount`` over the table's arrays, not one pass per category.
    """
    keep = (records.closed(inc) & records.real(inc)).to_numpy()
    days = np.maximum(inc["t_close"].to_numpy()[keep] - inc["t_report"].to_numpy()[keep], 1e-3)
    code = inc["category"].to_numpy()[keep].astype(np.int64)
    lo, hi = (float(days.min()), float(days.max())) if len(days) else (1e-3, 1.0)
    edges = np.geomspace(lo, max(hi, lo * 1.01), 40)
    n_bins = len(edges) - 1
    where = _log_bin(days, edges)
    known = (code >= 0) & (code < n_categories)  # a code outside the categories is not drawn, as before
    flat = np.bincount(code[known] * n_bins + where[known], minlength=n_categories * n_bins)
    counts = flat.reshape(n_categories, n_bins)
    totals = counts.sum(axis=1)
    return edges, [c / n if n else None for c, n in zip(counts, totals, strict=True)]


def _log_bin(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Bin of each value among log-spaced ``edges`` (``[a, b)``, the last closed; values inside the edges).

    The bin the logarithm predicts, then moved by one where a value lies on the other side of an edge as
    stored, so the result is ``np.histogram``'s, without a binary search per value.
    """
    n_bins = len(edges) - 1
    step = np.log(edges[-1] / edges[0]) / n_bins
    where = np.clip(((np.log(values) - np.log(edges[0])) / step).astype(np.int64), 0, n_bins - 1)
    where -= values < edges[where]
    where += (values >= edges[where + 1]) & (where < n_bins - 1)
    return where


def hotspot_rate(
    grids: pd.DataFrame, inc: pd.DataFrame, years: float, since: float | None = None
) -> np.ndarray:
    """Reports of real incidents per 1,000 residents per year, one value per grid (``grids`` order).

    ``since`` (days): count only tickets reported then or later (the measured period after a warm-up),
    as ``inc`` filtered to ``t_report >= since`` would, without building that filtered table.
    """
    t_report = inc["t_report"]
    reported = (records.real(inc) & (t_report.notna() if since is None else t_report >= since)).to_numpy()
    counts = np.bincount(inc["grid"].to_numpy()[reported], minlength=len(grids))  # no filtered table
    return counts / grids["population"].to_numpy() * 1000 / max(years, 1e-9)
