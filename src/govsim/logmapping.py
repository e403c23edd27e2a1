"""Column mappings of incident exports: how a 12345 / 311 layout maps onto the observed-incident table.

A mapping (``LogMapping``) is a small YAML file: which column of the export holds each field of the
observed-incident table (``OBSERVED_SCHEMA``), the date-time formats, the encoding, the status and
duplicate values, and the category and channel names onto govsim's. Two ship with govsim
(``boston311``, ``cn12345`` under ``govsim/data/mappings``); ``load_mapping`` reads one and refuses a
malformed one with ``LogError``: one line naming the file, the key, the value and what is allowed.
``govsim.logs`` reads and writes exports through a mapping.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from govsim.config import CHANNELS
from govsim.safety import read_yaml_mapping

__all__ = [
    "ENCODINGS",
    "FIELDS",
    "MAPPINGS_DIR",
    "OBSERVED_SCHEMA",
    "REQUIRED",
    "TIME_COLUMNS",
    "LogError",
    "LogMapping",
    "govsim_categories",
    "load_mapping",
    "shipped_mappings",
]

OBSERVED_SCHEMA: dict[str, tuple[str, str]] = {
    "id": ("object", "case id (案件号 / case_enquiry_id), text"),
    "reported": ("datetime64[ns]", "report time (上报时间 / open_dt)"),
    "deadline": ("datetime64[ns]", "handling deadline (处置截止时间 / target_dt); NaT if none"),
    "handled": ("datetime64[ns]", "handling ended (处置结束时间); the close time if the log has none"),
    "closed": ("datetime64[ns]", "case closed (结案时间 / closed_dt); NaT while open (censored)"),
    "category": ("object", "category after the mapping (大类名称 / type)"),
    "channel": ("object", "channel after the mapping (问题来源 / source)"),
    "town": ("object", "town or street (街道 / neighborhood); NaN if empty"),
    "status": ("object", "'open' or 'closed'"),
    "duplicate": ("bool", "a duplicate of another case (重复件 / closed as Duplicate)"),
}
FIELDS: tuple[str, ...] = tuple(OBSERVED_SCHEMA)
TIME_COLUMNS: tuple[str, ...] = ("reported", "deadline", "handled", "closed")
REQUIRED: tuple[str, ...] = ("id", "reported")
MAPPING_KEYS = frozenset(
    {
        "name", "description", "source", "encoding", "sheet", "datetime_formats", "columns", "status",
        "duplicate_values", "categories", "unknown_category", "channels", "unknown_channel",
    }
)  # fmt: skip
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "gbk", "gb18030")
MAPPINGS_DIR = Path(__file__).resolve().parent / "data" / "mappings"
MAPPING_ALLOWED = "a UTF-8 YAML mapping of keys, laid out as the shipped boston311 or cn12345"


class LogError(ValueError):
    """A log or mapping govsim cannot read; the message is one line naming file, column or row."""


@dataclass(frozen=True)
class LogMapping:
    """How one export layout maps onto the observed-incident table (see ``load_mapping``)."""

    name: str
    columns: dict[str, str]  # observed field -> column of the export
    datetime_formats: tuple[str, ...]  # strftime formats, tried in order; day/month order unambiguous
    encoding: str = "auto"  # auto: UTF-8 (BOM or not), else GBK (read as its superset GB18030)
    sheet: str | int = 0  # XLSX sheet
    closed_values: tuple[str, ...] = ()  # status column values meaning closed
    open_values: tuple[str, ...] = ()
    duplicate_values: tuple[str, ...] = ()  # values of the duplicate column meaning "duplicate"
    categories: dict[str, str] = field(default_factory=dict)  # raw -> govsim name; empty keeps raw
    unknown_category: str = "refuse"  # refuse | other
    channels: dict[str, str] = field(default_factory=dict)
    unknown_channel: str = "refuse"
    origin: str = ""  # as the user named it: a shipped name or the YAML file's path

    @property
    def label(self) -> str:
        """How messages name the mapping: as the user gave it (``origin``), else its ``name``."""
        return self.origin or self.name


def shipped_mappings() -> list[str]:
    """Names of the mappings that ship with govsim (``boston311``, ``cn12345``)."""
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml"))


def load_mapping(spec: str | Path) -> LogMapping:
    """A mapping from a YAML file, or the name of a shipped one; ``LogError`` if it is malformed."""
    path = Path(spec)
    if not path.is_file():
        shipped = MAPPINGS_DIR / f"{spec}.yaml"
        if not shipped.is_file():
            raise LogError(
                f"mapping {spec!r}: no such file; allowed: a YAML path or {', '.join(shipped_mappings())}"
            )
        path = shipped
    raw = read_yaml_mapping(
        path,
        LogError,
        unreadable="{path}: not a readable YAML mapping ({kind}); allowed: " + MAPPING_ALLOWED,
        not_mapping="{path}: a YAML {kind}, not a mapping of keys; allowed: " + MAPPING_ALLOWED,
    )
    return replace(_mapping_from(raw, path), origin=str(spec))


def _mapping_from(raw: dict[str, Any], path: Path) -> LogMapping:
    def bad(key: str, value: Any, allowed: str) -> LogError:
        return LogError(f"{path}: {key}={value!r}: {allowed}")

    unknown = sorted(set(raw) - MAPPING_KEYS)
    if unknown:
        raise bad(unknown[0], raw[unknown[0]], f"unknown key; allowed: {', '.join(sorted(MAPPING_KEYS))}")
    cols = raw.get("columns") or {}
    if not isinstance(cols, dict) or set(cols) - set(FIELDS):
        extra = sorted(set(cols) - set(FIELDS)) if isinstance(cols, dict) else cols
        raise bad("columns", extra, f"allowed fields: {', '.join(FIELDS)}")
    for f in REQUIRED:
        if f not in cols:
            raise bad(f"columns.{f}", None, "required; allowed: the name of the export's column for it")
    formats = raw.get("datetime_formats")
    if isinstance(formats, str):
        formats = [formats]
    if not formats or not all(isinstance(f, str) and "%" in f for f in formats):
        raise bad(
            "datetime_formats", formats, "allowed: a list of strftime formats such as '%Y-%m-%d %H:%M:%S'"
        )
    orders = {_day_month_order(f) for f in formats} - {None}
    if len(orders) > 1:
        raise bad(
            "datetime_formats", formats, "day/month order is ambiguous; allowed: formats of one order only"
        )
    enc = str(raw.get("encoding", "auto")).lower()
    if enc not in ENCODINGS:
        raise bad("encoding", enc, f"allowed: {', '.join(ENCODINGS)}")
    status = raw.get("status") or {}
    for key in ("unknown_category", "unknown_channel"):
        if raw.get(key, "refuse") not in ("refuse", "other"):
            raise bad(key, raw[key], "allowed: refuse, other")
    for key, known in (("categories", govsim_categories()), ("channels", (*CHANNELS, "other"))):
        for name, target in (raw.get(key) or {}).items():
            if str(target) not in known:
                hint = difflib.get_close_matches(str(target), known, n=1)
                maybe = f" (did you mean {hint[0]!r}?)" if hint else ""
                what = key[:-1].replace("categorie", "category")
                raise bad(f"{key}.{name}", target, f"not a govsim {what}{maybe}; allowed: {', '.join(known)}")
    return LogMapping(
        name=str(raw.get("name", path.stem)),
        columns={k: str(v) for k, v in cols.items()},
        datetime_formats=tuple(formats),
        encoding=enc,
        sheet=raw.get("sheet", 0),
        closed_values=tuple(str(v) for v in status.get("closed", ())),
        open_values=tuple(str(v) for v in status.get("open", ())),
        duplicate_values=tuple(str(v) for v in raw.get("duplicate_values", ())),
        categories={str(k): str(v) for k, v in (raw.get("categories") or {}).items()},
        unknown_category=raw.get("unknown_category", "refuse"),
        channels={str(k): str(v) for k, v in (raw.get("channels") or {}).items()},
        unknown_channel=raw.get("unknown_channel", "refuse"),
    )


def govsim_categories() -> tuple[str, ...]:
    """The category names a mapping may map to: the schema's, those of the shipped scenarios, ``other``."""
    import yaml

    from govsim.compose import config_dir
    from govsim.explain import mapping_entries

    names = list(mapping_entries("scenario.categories") or [])
    for path in sorted((Path(config_dir()) / "scenario").glob("*.yaml")):
        cats = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("categories") or {}
        names += [str(c) for c in cats]
    return (*dict.fromkeys(names), "other")


def _day_month_order(fmt: str) -> str | None:
    """'dm' or 'md' for the order of %d and %m in a format; None if it lacks one of them."""
    d, m = fmt.find("%d"), fmt.find("%m")
    return None if d < 0 or m < 0 else ("dm" if d < m else "md")
