"""Records on disk: names and dates beside the codes, and the Parquet files (``incidents.parquet`` etc.).

On disk (``incidents.parquet``) each ticket of ``records.INCIDENT_SCHEMA`` also carries readable values
beside the codes: names as dictionary-encoded (categorical) columns (``LABEL_SCHEMA``) and every stage
time as a calendar timestamp from ``scenario.start_date`` (``DATE_FIELDS``, ``<field>_at``), so a run
loaded in pandas shows ``hotline`` and ``2024-03-05 14:24:00`` where the codes say 2 and 64.6. The
town-day series gets ``town_name`` and ``date``, the 12345 day table of a hotline run (``hotline.parquet``)
its ``date``. The incident table goes to Parquet as Arrow columns
built from the records directly, one row group at a time (``write_incidents``): the file is the one
pandas would write from ``labelled_incidents``, byte for byte (tested), without that frame and its copy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.records import END_STATES, INCIDENT_SCHEMA, TIME_FIELDS, Records

LABEL_SCHEMA: dict[str, tuple[str, str]] = {
    "category_name": ("category", "category handled as, by name (``Records.categories``)"),
    "category_initial_name": ("category", "category at occurrence, by name"),
    "channel_name": ("category", "reporting channel by name (``config.CHANNELS``)"),
    "end_state_name": ("category", "closed, open or merged (``END_STATES``)"),
    "department_name": (
        "category",
        "department kind by name (``Records.departments``); empty if never routed",
    ),
    "county_name": ("category", "county/district name (``Records.counties``)"),
    "town_name": ("category", "town name (``Records.towns``)"),
}
"""Dictionary-encoded (categorical) columns written beside the integer codes in ``incidents.parquet``.

Values are govsim's identifiers and the territory's own names (language-neutral, the same in zh and en
runs); their display labels in Chinese and English are in ``govsim.labels``. A code of -1 is empty.
"""
DATE_SUFFIX = "_at"
DATE_FIELDS: tuple[str, ...] = (*TIME_FIELDS, "deadline")
"""Float-day columns that also get a calendar timestamp ``<field>_at`` (``datetime64[s]``, local time
of the scenario, no time zone): ``scenario.start_date`` at 00:00 plus the float days; NaN is NaT.
Parquet has no unit of seconds: the file stores milliseconds, and ``pandas.read_parquet`` gives the
same instants as ``datetime64[ms]``."""


def as_dates(days: np.ndarray, start_date: str) -> np.ndarray:
    """Float days since ``start_date`` (ISO date, 00:00) as ``datetime64[s]``; NaN becomes NaT."""
    seconds, missing = _seconds(days, start_date)
    out = seconds.view("datetime64[s]")
    out[missing] = np.datetime64("NaT", "s")
    return out


def _seconds(days: np.ndarray, start_date: str) -> tuple[np.ndarray, np.ndarray]:
    """Float days since ``start_date`` as whole seconds since 1970 (int64; 0 where missing), and missing.

    Rounded to the nearest second, halves to even (``np.rint``, as ``np.round``); in place on one copy.
    """
    days = np.asarray(days, dtype=np.float64)
    missing = ~np.isfinite(days)
    seconds = days * 86_400.0
    np.rint(seconds, out=seconds)
    seconds[missing] = 0.0
    out = seconds.astype(np.int64)
    out += np.datetime64(start_date, "s").astype(np.int64)
    return out, missing


def _named(codes: pd.Series | np.ndarray, names: tuple[str, ...]) -> pd.Categorical:
    codes = np.asarray(codes, dtype=np.int64)
    return pd.Categorical.from_codes(np.where(codes < len(names), codes, -1), categories=list(names))


def labelled_incidents(rec: Records, start_date: str, channels: tuple[str, ...]) -> pd.DataFrame:
    """The incident table with ``LABEL_SCHEMA`` columns and ``DATE_FIELDS`` timestamps appended.

    The schema's own columns are unchanged (same values, same order, first); vectorised throughout.
    """
    inc = rec.incidents
    extra: dict[str, object] = {
        k: pd.Categorical.from_codes(codes, categories=list(names))
        for k, (codes, names) in _label_codes(rec, channels).items()
    }
    for k in DATE_FIELDS:
        extra[k + DATE_SUFFIX] = as_dates(inc[k].to_numpy(), start_date)
    return pd.concat([inc, pd.DataFrame(extra, index=inc.index, copy=False)], axis=1)  # no stacked copy


def _label_codes(rec: Records, channels: tuple[str, ...]) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
    """Each ``LABEL_SCHEMA`` column as (codes, names): int8 or wider codes into names, -1 where empty."""
    inc = rec.incidents
    dept = inc["department"].to_numpy()
    kind = np.where(dept >= 0, dept % max(len(rec.departments), 1), -1)
    sources = {
        "category_name": (inc["category"], rec.categories),
        "category_initial_name": (inc["category_initial"], rec.categories),
        "channel_name": (inc["channel"], channels),
        "end_state_name": (inc["end_state"], END_STATES),
        "department_name": (kind, rec.departments),
        "county_name": (inc["county"], rec.counties),
        "town_name": (inc["town"], rec.towns),
    }
    out = {}
    for key, (values, names) in sources.items():
        codes = np.asarray(values)
        codes = np.where((codes >= 0) & (codes < len(names)), codes, -1)
        out[key] = (codes.astype(_code_dtype(len(names)), copy=False), names)
    return out


def _code_dtype(n: int) -> type[np.signedinteger]:
    """The codes' dtype pandas gives a categorical of ``n`` categories (int8 up to 127, then wider)."""
    return next(t for t in (np.int8, np.int16, np.int32, np.int64) if n < np.iinfo(t).max)


def incident_arrow(rec: Records, start_date: str, channels: tuple[str, ...]):  # noqa: ANN201 - a pyarrow.Table
    """``labelled_incidents`` as an Arrow table built from the columns directly (no pandas frame copied).

    The same schema, pandas metadata and values as ``pyarrow.Table.from_pandas(labelled_incidents(...))``
    (tested): NaN float days and NaT timestamps are nulls, names are dictionary arrays of the codes.
    ``write_incidents`` writes the same table one row group at a time without holding it whole.
    """
    schema = incident_schema(rec, start_date, channels)
    return _incident_rows(_columns(rec), schema, _label_codes(rec, channels), start_date, slice(None))


def incident_schema(rec: Records, start_date: str, channels: tuple[str, ...]):  # noqa: ANN201 - a pyarrow.Schema
    """The Arrow schema (with pandas metadata) of ``labelled_incidents``, from its empty head."""
    import pyarrow as pa

    head = Records(rec.incidents.iloc[:0], rec.timeseries.iloc[:0], rec.grids, *_labels(rec))
    return pa.Schema.from_pandas(labelled_incidents(head, start_date, channels), preserve_index=False)


def _columns(rec: Records) -> dict[str, np.ndarray]:
    """The incident table's ``INCIDENT_SCHEMA`` columns as numpy arrays (views where pandas holds them so)."""
    return {k: rec.incidents[k].to_numpy() for k in INCIDENT_SCHEMA}


def _incident_rows(cols: dict[str, np.ndarray], schema: Any, codes: dict, start_date: str, rows: slice):  # noqa: ANN202 - a pyarrow.Table
    """Rows ``rows`` of ``incident_arrow``'s table from ``_columns``; ``codes`` from ``_label_codes``.

    numpy and pyarrow only (no pandas): ``incident_writer``'s writing may run on another thread.
    """
    import pyarrow as pa

    arrays = []
    for k in INCIDENT_SCHEMA:
        x = cols[k][rows]
        arrays.append(pa.array(x, from_pandas=True) if x.dtype.kind == "f" else pa.array(x))
    for k, (c, names) in codes.items():
        values = pa.array(list(names), schema.field(k).type.value_type)
        part = c[rows]
        arrays.append(pa.DictionaryArray.from_arrays(pa.array(part, mask=part < 0), values))
    for k in DATE_FIELDS:
        seconds, missing = _seconds(cols[k][rows], start_date)
        arrays.append(pa.array(seconds, pa.timestamp("s"), mask=missing))
    return pa.Table.from_arrays(arrays, schema=schema)


def _labels(rec: Records) -> tuple:
    return rec.categories, rec.departments, rec.towns, rec.counties, rec.horizon, rec.warmup


def labelled_timeseries(rec: Records, start_date: str) -> pd.DataFrame:
    """The town-day series with ``town_name`` (categorical) and ``date`` (the day's calendar date)."""
    ts = rec.timeseries
    extra = {
        "town_name": _named(ts["town"], rec.towns),
        "date": as_dates(ts["day"].to_numpy(), start_date).astype("datetime64[s]"),
    }
    return pd.concat([ts, pd.DataFrame(extra, index=ts.index)], axis=1)


def labelled_hotline(calls: pd.DataFrame, start_date: str) -> pd.DataFrame:
    """The 12345 day table (``hotline.SUMMARY``) with ``date``, the day's calendar date, appended last.

    Written as ``hotline.parquet`` by a run with ``scenario.hotline.enabled`` (``runner.HOTLINE_FILE``);
    the ``SUMMARY`` columns keep their values and dtypes, so the hotline KPIs of a loaded run are exact.
    """
    date = as_dates(calls["day"].to_numpy(), start_date).astype("datetime64[s]")
    return pd.concat([calls, pd.DataFrame({"date": date}, index=calls.index)], axis=1)


# ---- Parquet -------------------------------------------------------------------------------------------
ROW_GROUP_ROWS = 131_072
"""Rows per Parquet row group in a run's record files (2**17; the last group holds the rest).

Assumed, for memory: ``write_incidents`` builds and writes the incident table one row group at a time,
so a run holds one group's Arrow columns (about 30 MB) instead of the whole table's, whatever the
population; pyarrow's own default (1,048,576 rows) would hold a Jiangmen year whole. DuckDB writes
groups of about this size (122,880 rows) too. The values read back do not depend on it.
"""


def to_parquet(df: pd.DataFrame, path: Path) -> None:
    """Parquet, dictionary-encoded only where values repeat: names, codes, flags (``dictionary_columns``).

    pyarrow otherwise tries a dictionary on every column and gives it up on float times and row ids after
    building it, which cost about a third of the write (1 M rows of the incident table's dtypes: 8.4 →
    5.4 s on a loaded machine); the values read back are the same, the file about 2 % larger. Row
    groups of ``ROW_GROUP_ROWS``.
    """
    df.to_parquet(path, index=False, use_dictionary=dictionary_columns(df), row_group_size=ROW_GROUP_ROWS)


def write_incidents(rec: Records, start_date: str, channels: tuple[str, ...], path: Path) -> None:
    """``incidents.parquet``: ``incident_arrow``'s table, built and written one row group at a time.

    The file is the one ``to_parquet(labelled_incidents(...))`` writes, byte for byte (tested): the same
    schema and metadata, the options ``DataFrame.to_parquet`` passes (snappy; the dictionary columns of
    ``dictionary_columns``) and row groups of ``ROW_GROUP_ROWS``. Only one group's Arrow columns are
    held at a time. An empty table is written as one empty row group, as ``pyarrow`` writes it.
    """
    incident_writer(rec, start_date, channels)(path)


def incident_writer(rec: Records, start_date: str, channels: tuple[str, ...]) -> Callable[..., None]:
    """``write_incidents`` in two halves: the part that reads the pandas frame now, the writing later.

    Here, in the caller's thread: the schema, the label codes and the columns (numpy views of
    ``rec.incidents``). Returned: ``write(path, stop=None)``, which touches only those numpy arrays and
    pyarrow, so it may run on another thread (``atomic.WriteBeside``) while the caller goes on reading
    ``rec``; nobody may change ``rec.incidents`` until it returns. With ``stop`` (a ``threading.Event``)
    set, it returns before its next row group, leaving the file incomplete, for its caller to remove.
    """
    import pyarrow.parquet as pq

    schema = incident_schema(rec, start_date, channels)
    codes = _label_codes(rec, channels)
    cols, n = _columns(rec), len(rec.incidents)
    options = {"compression": "snappy", "use_dictionary": dictionary_fields(schema)}

    def write(path: Path, stop: threading.Event | None = None) -> None:
        with pq.ParquetWriter(path, schema, **options) as writer:
            for lo in range(0, max(n, 1), ROW_GROUP_ROWS):
                if stop is not None and stop.is_set():
                    return
                part = _incident_rows(cols, schema, codes, start_date, slice(lo, lo + ROW_GROUP_ROWS))
                writer.write_table(part, row_group_size=ROW_GROUP_ROWS)

    return write


def dictionary_fields(schema: Any) -> list[str]:
    """``dictionary_columns`` of an Arrow schema: dictionaries, booleans, integers of up to 32 bits."""
    import pyarrow as pa

    return [
        f.name
        for f in schema
        if pa.types.is_dictionary(f.type)
        or pa.types.is_boolean(f.type)
        or (pa.types.is_integer(f.type) and f.type.bit_width <= 32)
    ]


def dictionary_columns(df: pd.DataFrame) -> list[str]:
    """Columns worth a Parquet dictionary: categoricals, booleans and integers of up to 32 bits."""
    return [
        str(c)
        for c, t in df.dtypes.items()
        if isinstance(t, pd.CategoricalDtype) or (t.kind in "biu" and t.itemsize <= 4)
    ]
