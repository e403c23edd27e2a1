"""A run's tables as a reader opens them: CSV for Excel and scripts, and one workbook, ``results.xlsx``.

CSV files are UTF-8 with a byte-order mark (``utf-8-sig``): Excel on Chinese Windows otherwise reads
them as GBK and garbles 蓬江区. Headers and the ``by`` column are in the run's language
(``output.lang``, labels from ``govsim.labels``); ``read_table`` reads either language back to govsim's
identifiers (headers, ``by`` and ``group``), so scripts do not depend on the language a run was written in.

The workbook is written with XlsxWriter, a write-only library: importing openpyxl (which govsim
still uses to *read* workbooks, ``pandas.read_excel``) and writing the same six small sheets with it
took about 0.15 s of a one_town run's 0.2 s ``tables`` phase, against a third of that with
XlsxWriter (its import plus the sheets, measured in one process). Sheets: indicators (overall), by
category, by county, by town, costs, department utilisation; rates and utilisation formatted as
percentages, counts as integers; header row and first column frozen.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim import labels
from govsim.records import Records, real

FIXED_TIME = dt.datetime(2000, 1, 1)
"""Workbook creation/modification time: fixed, so the same run writes the same bytes."""
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def header(key: str, lang: str) -> str:
    """Column ``key`` as shown in ``lang``."""
    return labels.column(key, lang)


def localise(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``df`` with headers, the ``by`` column and category names in ``lang``."""
    out = df.copy()
    if "by" in out:
        out["group"] = [_group(g, b, lang) for b, g in zip(out["by"], out["group"], strict=True)]
        out["by"] = [labels.column(b, lang) for b in out["by"]]
    if "department" in out:
        out["department"] = [labels.lookup(labels.DEPARTMENT, d, lang) for d in out["department"]]
    if "county" in out and lang != "zh":
        out["county"] = [labels.county_label(c, lang) for c in out["county"]]
    if "item" in out:
        out["item"] = [_cost_item(i, lang) for i in out["item"]]
    return out.rename(columns={c: header(c, lang) for c in out.columns})


def _group(group: str, by: str, lang: str) -> str:
    """A group of the KPI table (all, a category or a county) named in ``lang``."""
    if by == "all":
        return labels.column("all", lang)
    if by == "category":
        return labels.lookup(labels.CATEGORY, group, lang)
    return labels.county_label(group, lang) if by == "county" else group


def _cost_item(item: str, lang: str) -> str:
    from govsim.policies import COST_FOCUS

    name = labels.lookup(labels.COST_ITEM, item, lang)
    focus = COST_FOCUS.get(item)
    return f"{labels.lookup(labels.FOCUS, focus, lang)}: {name}" if focus else name


def _reverse() -> dict[str, str]:
    """Every shown header and ``by`` value, in both languages, back to its identifier."""
    out: dict[str, str] = {}
    for table in (labels.COLUMN, labels.KPI):
        for key, label in table.items():
            out.setdefault(label.en, key)
            out.setdefault(label.zh, key)
    for key in labels.KPI:
        for part in labels.PART:
            for lang in ("en", "zh"):
                out.setdefault(labels.column(f"{key}_{part}", lang), f"{key}_{part}")
    return out


def _group_key(shown: str, by: str) -> str:
    """A ``group`` as ``_group`` showed it (either language) back to its key: the inverse of ``_group``."""
    if by == "all":
        return "all"
    if by == "category":
        for key, label in labels.CATEGORY.items():
            if shown in (label.en, label.zh):
                return key
        return shown.replace(" ", "_")  # a run's own category: ``labels.lookup`` showed ``_`` as a space
    if by == "county":
        return next((name for name, label in labels.COUNTY.items() if shown == label.en), shown)
    return shown


def read_table(path: Path) -> pd.DataFrame:
    """A table CSV written by govsim, in either language, back to govsim's identifiers.

    Headers, ``by`` and, in a KPI table, ``group`` (a category key; a county by its own name) come back
    as the run's table had them, whatever the language it was written in. Raises what
    ``pandas.read_csv`` raises for a missing or unreadable file.
    """
    rev = _reverse()
    df = pd.read_csv(path, encoding="utf-8-sig")
    df = df.rename(columns={c: rev.get(c, c) for c in df.columns})
    if "by" in df:
        df["by"] = [rev.get(b, b) for b in df["by"]]
        if "group" in df:
            df["group"] = [_group_key(str(g), b) for g, b in zip(df["group"], df["by"], strict=True)]
    return df


def to_csv(df: pd.DataFrame, path: Path, lang: str) -> None:
    """Write ``df`` localised, as UTF-8 with a byte-order mark."""
    localise(df, lang).to_csv(path, index=False, encoding="utf-8-sig")


def town_table(rec: Records) -> pd.DataFrame:
    """Per town over the measured period ``[warmup, horizon)``: one row per town, ``rec.towns`` order.

    ``incidents``: real tickets reported in the period, the KPI ``incidents`` (上报事件数) of each town,
    so the towns add up to the indicator sheet's count; ``reports_per_1000``: those per 1,000 residents
    per year; ``reports_all``: every ticket reported in the period, duplicates (merged or not) and false
    reports included (the intake the town centre saw); ``closures`` and ``backlog`` (mean of the days)
    from the town-day series, which counts every ticket (``records.town_day_series``).
    """
    ts = rec.timeseries[rec.timeseries["day"] >= rec.warmup]
    years = max(rec.measured_years, 1e-9)
    pop = rec.grids.groupby("town")["population"].sum().reindex(range(len(rec.towns)), fill_value=0)
    county = rec.grids.groupby("town")["county_name"].first().reindex(range(len(rec.towns)))
    by = ts.groupby("town")
    inc = rec.incidents
    t = inc["t_report"].to_numpy(float)
    in_period = (t >= rec.warmup) & (t < rec.horizon)  # the KPIs' reported cohort (govsim.kpimasks)
    town = inc["town"].to_numpy()

    def per_town(mask: np.ndarray) -> pd.Series:
        return pd.Series(np.bincount(town[mask], minlength=len(rec.towns))[: len(rec.towns)], index=pop.index)

    incidents = per_town(in_period & real(inc).to_numpy(bool))
    return pd.DataFrame(
        {
            "county": county.to_numpy(),
            "town": list(rec.towns),
            "population": pop.to_numpy(),
            "incidents": incidents.to_numpy(),
            "reports_per_1000": (incidents / pop.where(pop > 0) * 1000 / years).to_numpy(),
            "reports_all": per_town(in_period).to_numpy(),
            "closures": by["closures"].sum().reindex(pop.index, fill_value=0).to_numpy(),
            "backlog": by["backlog"].mean().reindex(pop.index).to_numpy(),
        }
    )


PERCENT, INTEGER, DECIMAL = "0.0%", "#,##0", "#,##0.00"


def number_format(key: str) -> str | None:
    """Excel number format of column ``key``: percentages for rates, integers for counts and yuan."""
    if labels.is_rate(key) or key == "utilisation":
        return PERCENT
    if key.endswith(("_num", "_den")):
        return DECIMAL
    if key in labels.COUNT_KPIS or key in (
        "servers",
        "waiting_at_end",
        "backlog_at_end",
        "population",
        "reports_all",
    ):
        return INTEGER
    if key in ("closures", "yuan", "yuan_per_year"):
        return INTEGER
    return DECIMAL if key not in ("by", "group", "kpi", "county", "town", "department", "item") else None


def write_workbook(
    path: Path, kpis: pd.DataFrame, costs: pd.DataFrame, util: pd.DataFrame, rec: Records, lang: str
) -> None:
    """``results.xlsx``: one sheet per table, headers in ``lang``, numbers formatted, header row frozen."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {  # text is text: never read as a formula, a link or a number
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,
        },
    )
    wb.set_properties({"author": "govsim", "created": FIXED_TIME})
    overall = kpis[kpis["by"] == "all"].iloc[0]
    keys = [k for k in labels.KPI if k in kpis.columns]
    ind = pd.DataFrame({"kpi": keys, "value": [float(overall[k]) for k in keys]})
    _sheet(wb, "kpis", ind, lang, formats=[None, *(number_format(k) for k in keys)])
    for by in ("category", "county"):
        part = kpis[kpis["by"] == by]
        named = part.assign(
            group=[_group(g, b, lang) for b, g in zip(part["by"], part["group"], strict=True)]
        )
        _sheet(wb, by, named.drop(columns="by"), lang)
    _sheet(wb, "town", town_table(rec), lang)
    _sheet(wb, "costs", costs, lang)
    _sheet(wb, "utilisation", util, lang)
    wb.close()
    Path(path).write_bytes(fixed_times(buf.getvalue()))


def fixed_times(xlsx: bytes) -> bytes:
    """The workbook ``xlsx`` with its save times set to ``FIXED_TIME``: the same run, the same bytes.

    A writer may stamp the time of saving into ``docProps/core.xml`` (``dcterms:modified``) and into
    every zip entry's header (openpyxl does both, whatever the workbook's properties say; XlsxWriter
    takes ``dcterms`` from the ``created`` property and dates its entries 1980-01-01): both are
    rewritten here, entry by entry in the same order and compression, so the bytes do not depend on
    the writer's habits. Written by hand because neither library has an option for the entries' time.
    """
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type, fixed.external_attr = info.compress_type, info.external_attr
            dst.writestr(fixed, data)
    return out.getvalue()


def _sheet(wb: Any, name: str, df: pd.DataFrame, lang: str, formats: list[str | None] | None = None) -> None:
    """Append sheet ``name``; ``formats`` (per row, for a two-column indicator sheet) or per column."""
    ws = wb.add_worksheet(labels.say(labels.SHEET[name], lang))
    shown = localise(df, lang)
    if name == "kpis":
        shown.iloc[:, 0] = [labels.lookup(labels.KPI, k, lang) for k in df["kpi"]]
    styles: dict[str, Any] = {}

    def style(fmt: str | None) -> Any:
        if fmt is None:
            return None
        if fmt not in styles:
            styles[fmt] = wb.add_format({"num_format": fmt})
        return styles[fmt]

    ws.write_row(0, 0, [str(c) for c in shown.columns])
    column_formats = [number_format(str(key)) for key in df.columns]
    for j, key in enumerate(shown.columns):
        ws.set_column(j, j, min(max(len(str(key)) * 2, 10), 40))
    for i, row in enumerate(shown.to_numpy(dtype=object).tolist(), start=1):
        for j, v in enumerate(row):
            fmt = formats[i] if formats is not None and j == 1 else column_formats[j]
            _write(ws, i, j, _cell(v), style(fmt))
    ws.freeze_panes(1, 1)


def _write(ws: Any, i: int, j: int, v: Any, fmt: Any) -> None:
    """One cell by its type (text stays text); an empty cell keeps its number format."""
    if v is None:
        if fmt is not None:
            ws.write_blank(i, j, None, fmt)
    elif isinstance(v, bool):
        ws.write_boolean(i, j, v, fmt)
    elif isinstance(v, (int, float)):
        ws.write_number(i, j, v, fmt)
    else:
        ws.write_string(i, j, str(v), fmt)


def _cell(v: Any) -> Any:
    """A value openpyxl can store: numpy scalars as Python, NaN as an empty cell."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and np.isnan(v):
        return None
    return v
