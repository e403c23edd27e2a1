"""Real incident logs in: read a 12345 / 311 / grid-event export onto one observed-incident table.

An export (CSV or XLSX; UTF-8 with or without BOM, or GBK) is read through a small column-mapping YAML
(``LogMapping``, read by ``govsim.logmapping.load_mapping``; two ship with govsim: ``boston311`` and
``cn12345``; the mapping's names are re-exported here). Every row is either read or refused, with the
reason counted; open cases stay, as right-censored.

The observed-incident table (``OBSERVED_SCHEMA``) is what ``govsim.observed`` computes KPIs from, for a
real log and for simulated records alike (one code path). Errors that make a whole log unreadable (no
such file, a mapped column missing, a time that does not match the declared formats, an undecodable
encoding) raise ``LogError`` with one line naming the file, the mapping key, column or row, the value,
and what is allowed. A mapping that refuses more than half of the rows is not an error: ``LogRead.warning``
gives the line the commands warn with.

Why not a generic ETL library: the mapping is a dozen keys, and the checks (refusal reasons, censoring,
declared date formats) are the point; pandas does the reading.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from govsim.logmapping import (  # noqa: F401 - re-exported: the observed table and mappings, as before
    ENCODINGS,
    FIELDS,
    MAPPINGS_DIR,
    OBSERVED_SCHEMA,
    REQUIRED,
    TIME_COLUMNS,
    LogError,
    LogMapping,
    govsim_categories,
    load_mapping,
    shipped_mappings,
)

REASONS: tuple[str, ...] = (
    "missing id",
    "missing report time",
    "duplicate id",
    "unknown status",
    "closed without close time",
    "open with close time",
    "closed before reported",
    "unknown category",
    "unknown channel",
)
"""Why a row is refused, in the order the checks run (a row is counted under its first reason)."""
REFUSED_WARN_SHARE = 0.5
"""A log whose mapping refuses more than this share of its rows is warned about (``LogRead.warning``);
assumed: a mapping that reads fewer rows than it refuses most likely fits another layout."""
LATE_AS_OF_DAYS = 30
"""An extract time more than this many days after the log's last event is warned about (a year typed
wrong censors every open case that much later); assumed: no export waits a month to be taken."""
REASON_KEYS: dict[str, str] = {
    "missing id": "columns.id",
    "missing report time": "columns.reported",
    "duplicate id": "columns.id",
    "unknown status": "status (closed and open values)",
    "closed without close time": "columns.closed and status.closed",
    "open with close time": "columns.closed and status.open",
    "closed before reported": "columns.reported, columns.closed and datetime_formats",
    "unknown category": "categories (or unknown_category: other)",
    "unknown channel": "channels (or unknown_channel: other)",
}
"""The mapping key to check when most rows are refused for a reason."""


def _shown(t: pd.Timestamp) -> str:
    """A time to the minute, with its seconds (and fractions) when they are not zero."""
    if t.microsecond or t.nanosecond:
        return t.isoformat(sep=" ")
    return t.strftime("%Y-%m-%d %H:%M:%S" if t.second else "%Y-%m-%d %H:%M")


@dataclass
class LogRead:
    """What ``read_log`` returns: the observed-incident table and the account of every row."""

    table: pd.DataFrame  # OBSERVED_SCHEMA, one row per case read
    refused: pd.DataFrame  # row (1-based line of the file, header = 1), reason, id
    as_of: pd.Timestamp  # the extract time: open cases are censored here
    source: Path
    to_other: dict[str, int]  # field -> rows whose unknown value was mapped to "other"
    mapping: LogMapping  # the mapping it was read through
    late_as_of: str = ""  # one line if the extract time is long after the last event (``LATE_AS_OF_DAYS``)

    def warning(self) -> str | None:
        """One line if the mapping refused more than ``REFUSED_WARN_SHARE`` of the rows, else None.

        ``SOURCE: the mapping 'M' refused N of TOTAL rows, K for REASON; check the mapping's KEY``: the
        outputs are still written (the rows read are the log as far as the mapping can read it).
        """
        total = len(self.table) + len(self.refused)
        if len(self.refused) <= REFUSED_WARN_SHARE * total:
            return None
        return f"{self.source}: {_refusal_account(self.refused['reason'], total, self.mapping)}"

    def warnings(self) -> list[str]:
        """The lines to warn about, each one line: ``warning``, then a late extract time; may be empty."""
        return [w for w in (self.warning(), self.late_as_of) if w]

    @property
    def counts(self) -> dict[str, int]:
        """Rows read, and rows refused by reason (every reason listed, zeros included)."""
        by = Counter(self.refused["reason"])
        return {"read": len(self.table), **{r: by.get(r, 0) for r in REASONS}}

    def report(self) -> str:
        """The account printed by ``govsim-log``: rows read, refused by reason, mapped to other."""
        c = self.counts
        total = c["read"] + len(self.refused)
        lines = [f"{self.source}: {total} rows, {c['read']} read, {len(self.refused)} refused"]
        lines += [f"  refused, {r}: {c[r]}" for r in REASONS]
        lines += [f"  {f} not in the mapping, read as 'other': {n}" for f, n in self.to_other.items()]
        n_open = int((self.table["status"] == "open").sum())
        lines.append(f"  open (censored at {_shown(self.as_of)}): {n_open}")
        return "\n".join(lines)


def read_log(
    path: str | Path, mapping: LogMapping | str | Path, as_of: str | None = None, option: str = "--as-of"
) -> LogRead:
    """Read an export onto the observed-incident table; ``LogError`` (one line) if it cannot be read.

    ``as_of`` (a time in one of the mapping's formats, or ISO) is when the export was taken: after the
    last report and at or after every time in the log (``LogError`` naming ``option`` if not). By
    default the end of the log's last day (midnight after its latest time), so that every ticket read
    counts. Open cases are censored there.
    """
    path = Path(path)
    m = mapping if isinstance(mapping, LogMapping) else load_mapping(mapping)
    raw = _read_frame(path, m)
    missing = [(f, c) for f, c in m.columns.items() if c not in raw.columns]
    if missing:
        f, c = missing[0]
        more = f"; {len(missing)} of its columns are missing" if len(missing) > 1 else ""
        raise LogError(
            f"{path}: columns.{f}={c!r}: no such column in the export (mapping {m.label!r}{more}); "
            f"allowed: the export's columns {', '.join(map(str, raw.columns))}"
        )
    table = pd.DataFrame({"id": _text(raw[m.columns["id"]])})
    for f in TIME_COLUMNS:
        table[f] = _times(raw[m.columns[f]], path, m, f) if f in m.columns else pd.NaT
    if "handled" not in m.columns:
        table["handled"] = table["closed"]
    reasons = pd.Series(np.array([None] * len(raw), dtype=object), index=raw.index)
    _status(table, raw, m, reasons)
    to_other = {f: _categorical(table, raw, m, f, reasons) for f in ("category", "channel")}
    table["town"] = _text(raw[m.columns["town"]]) if "town" in m.columns else np.nan
    dup = _text(raw[m.columns["duplicate"]]) if "duplicate" in m.columns else pd.Series(np.nan, raw.index)
    table["duplicate"] = dup.isin(m.duplicate_values)
    _refuse_rows(table, reasons)
    refused = pd.DataFrame({"row": reasons.index + 2, "reason": reasons, "id": table["id"]})[reasons.notna()]
    kept = table[reasons.isna()][list(FIELDS)].reset_index(drop=True)
    if kept.empty:
        raise LogError(f"{path}: no row could be read ({_refusal_account(refused['reason'], len(raw), m)}); "
                       "allowed: a log with at least one case with an id and a report time")  # fmt: skip
    stamp = _as_of(kept, as_of, path, m, option)
    return LogRead(
        kept, refused.reset_index(drop=True), stamp, path, {f: n for f, n in to_other.items() if n}, m,
        _late(kept, stamp, as_of, option),
    )  # fmt: skip


def _late(table: pd.DataFrame, stamp: pd.Timestamp, as_of: str | None, option: str) -> str:
    """A warning if the extract time is more than ``LATE_AS_OF_DAYS`` after the log's last event; else ""."""
    events = [f for f in TIME_COLUMNS if f != "deadline"]  # a deadline is no event
    last = pd.Timestamp(table[events].max().max())
    days = (stamp - last) / pd.Timedelta(days=1)
    if as_of is None or not days > LATE_AS_OF_DAYS:
        return ""
    return (
        f"{option}={as_of!r}: {days:.0f} days after the log's last event ({last}); open cases are "
        "censored there, so their times run that long: check the date (outputs written with it)"
    )


def _read_frame(path: Path, m: LogMapping) -> pd.DataFrame:
    if path.is_dir():
        raise LogError(f"{path}: a directory, not a log file; allowed: a CSV or XLSX export (a file)")
    if not path.is_file():
        raise LogError(f"{path}: no such file; allowed: an existing CSV or XLSX export")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            return pd.read_excel(path, sheet_name=m.sheet, dtype=object)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds; the user needs one line
            raise LogError(
                f"{path}: not a readable XLSX workbook (sheet={m.sheet!r}): {exc}; allowed: an .xlsx "
                "workbook holding the mapping's sheet"
            ) from None
    data = path.read_bytes()
    text = _decode(data, path, m.encoding)
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        why = str(exc).strip().splitlines()[0]
        raise LogError(
            f"{path}: not a readable CSV: {why}; allowed: a CSV export with a header row"
        ) from None


def _decode(data: bytes, path: Path, encoding: str) -> str:
    """UTF-8 (a BOM is dropped), else GBK read as GB18030 (its superset), unless the mapping says one."""
    tries = ("utf-8-sig", "gb18030") if encoding == "auto" else (encoding,)
    for enc in tries:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise LogError(
        f"{path}: cannot decode the file as {' or '.join(tries)} (encoding={encoding!r}); allowed: UTF-8 or "
        f"GBK text, or the mapping's encoding set to the file's: {', '.join(ENCODINGS)}"
    )


def _text(col: pd.Series) -> pd.Series:
    """Stripped text; empty cells NaN."""
    s = col.map(lambda v: np.nan if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())
    return s.replace("", np.nan)


def _times(col: pd.Series, path: Path, m: LogMapping, name: str) -> pd.Series:
    """Parse with the declared formats only (XLSX date cells are taken as they are)."""
    native = col.map(lambda v: isinstance(v, datetime))
    text = _text(col.where(~native, None))
    out = pd.to_datetime(col.where(native, None), errors="coerce")
    for fmt in m.datetime_formats:
        todo = out.isna() & text.notna()
        if not todo.any():
            break
        out[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    bad = out.isna() & text.notna()
    if bad.any():
        i = bad.idxmax()
        raise LogError(
            f"{path}: row {i + 2}, column {col.name!r}: {text[i]!r} is not a time in the declared "
            f"formats {list(m.datetime_formats)}; allowed: times of columns.{name} in datetime_formats "
            "(add the export's format there)"
        )
    return out.astype("datetime64[ns]")


def _status(table: pd.DataFrame, raw: pd.DataFrame, m: LogMapping, reasons: pd.Series) -> None:
    closed = table["closed"].notna()
    if "status" not in m.columns:
        table["status"] = np.where(closed, "closed", "open")
        return
    s = _text(raw[m.columns["status"]])
    is_closed, is_open = s.isin(m.closed_values), s.isin(m.open_values)
    table["status"] = pd.Series("closed", index=s.index).where(is_closed, s.where(~is_open, "open"))
    _flag(reasons, ~(is_closed | is_open), "unknown status")
    _flag(reasons, is_closed & ~closed, "closed without close time")
    _flag(reasons, is_open & closed, "open with close time")


def _categorical(table: pd.DataFrame, raw: pd.DataFrame, m: LogMapping, name: str, reasons: pd.Series) -> int:
    """Map raw values through the mapping; returns how many unknown values became 'other'."""
    if name not in m.columns:
        table[name] = "other"
        return 0
    s = _text(raw[m.columns[name]])
    table_map = m.categories if name == "category" else m.channels
    if not table_map:
        table[name] = s.fillna("other")
        return 0
    mapped = s.map(table_map)
    unknown = mapped.isna()
    policy = m.unknown_category if name == "category" else m.unknown_channel
    if policy == "refuse":
        _flag(reasons, unknown, f"unknown {name}")
    table[name] = mapped.fillna("other")
    return int(unknown.sum()) if policy == "other" else 0


def _refuse_rows(table: pd.DataFrame, reasons: pd.Series) -> None:
    _flag(reasons, table["id"].isna(), "missing id")
    _flag(reasons, table["reported"].isna(), "missing report time")
    _flag(reasons, table["id"].notna() & table["id"].duplicated(), "duplicate id")
    early = (table["closed"] < table["reported"]) | (table["handled"] < table["reported"])
    _flag(reasons, early, "closed before reported")
    order = {r: i for i, r in enumerate(REASONS)}  # a row counts under its first reason in REASONS
    reasons[:] = [min(r, key=order.__getitem__) if r else None for r in reasons]


def _flag(reasons: pd.Series, mask: pd.Series, reason: str) -> None:
    for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
        idx = reasons.index[i]
        reasons[idx] = [*(reasons[idx] or []), reason]


def _as_of(table: pd.DataFrame, as_of: str | None, path: Path, m: LogMapping, option: str) -> pd.Timestamp:
    """The extract time: given (checked against the log), else the end of the log's last day."""
    latest = pd.Timestamp(table[list(TIME_COLUMNS[:1] + TIME_COLUMNS[2:])].max().max())
    if as_of is None:
        return latest.floor("D") + pd.Timedelta(days=1)
    stamp = _parse_as_of(as_of, m, option)
    last_report = pd.Timestamp(table["reported"].max())
    if stamp < latest or stamp <= last_report:
        when = "at or after" if latest > last_report else "after"  # a report at as_of would not count
        raise LogError(
            f"{option}={as_of!r}: inside or before the log {path} (last report {last_report}, last close or "
            f"handling end {latest}); allowed: an extract time {when} {latest}"
        )
    return stamp


def _parse_as_of(as_of: str, m: LogMapping, option: str) -> pd.Timestamp:
    for fmt in m.datetime_formats:
        try:
            return pd.Timestamp(datetime.strptime(as_of, fmt))
        except ValueError:
            continue
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?", as_of):
        try:
            return pd.Timestamp(as_of)
        except ValueError:
            pass  # a day or hour out of range (2022-02-30): refused below
    raise LogError(
        f"{option}={as_of!r}: not a time; allowed: an ISO date-time YYYY-MM-DD[ HH:MM[:SS]] or a time in "
        f"the mapping's datetime_formats {list(m.datetime_formats)}"
    )


def _refusal_account(reasons: pd.Series, total: int, m: LogMapping) -> str:
    """``N of M rows refused, K for REASON; check the mapping's KEY`` (the main reason of refusal)."""
    if reasons.empty:
        return f"the export has {total} rows"
    reason, n = Counter(reasons).most_common(1)[0]
    return (
        f"the mapping {m.label!r} refused {len(reasons)} of {total} rows, {n} for {reason}; check the "
        f"mapping's {REASON_KEYS[reason]}"
    )


def write_log(table: pd.DataFrame, path: str | Path, mapping: LogMapping | str | Path, encoding: str) -> None:
    """Write an observed-incident table in a mapping's layout (inverse of ``read_log``), as CSV.

    Times use the mapping's first format; category and channel take the first raw value that maps to
    each name; status and duplicate take the first declared value. Used to export simulated logs.
    """
    m = mapping if isinstance(mapping, LogMapping) else load_mapping(mapping)
    fmt = m.datetime_formats[0]
    out = pd.DataFrame(index=table.index)
    inverse = {
        "category": {v: k for k, v in reversed(list(m.categories.items()))},
        "channel": {v: k for k, v in reversed(list(m.channels.items()))},
    }
    for f, col in m.columns.items():
        v = table[f]
        if f in TIME_COLUMNS:
            out[col] = v.dt.strftime(fmt).fillna("")
        elif f in inverse and inverse[f]:
            out[col] = v.map(inverse[f]).fillna(v)
        elif f == "status":
            out[col] = np.where(v == "closed", m.closed_values[0], m.open_values[0])
        elif f == "duplicate":
            out[col] = np.where(v, m.duplicate_values[0] if m.duplicate_values else "duplicate", "")
        else:
            out[col] = v.fillna("")
    out.to_csv(path, index=False, encoding=encoding)
